//! config.json as it is on disk (`auths`, `credsStore`, `credHelpers`, `currentContext`), and the rule
//! that says which registry a key stands for.
//!
//! The rule follows the docker CLI: for Docker Hub it reads the exact key `https://index.docker.io/v1/`
//! only (in `auths`, in `credHelpers`, and as the server it asks a `credsStore` for). The keys a web
//! (device-code) `docker login` writes beside it, `https://index.docker.io/v1/access-token` and
//! `.../refresh-token`, and aliases such as `registry-1.docker.io` or `docker.io` never supply a
//! secret or a user name for the Hub: one of them holds a token where a user name would be. Other
//! registries are matched by host, as the CLI does for keys written by older versions
//! (`http://localhost:5001/v2/`).

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use serde::Deserialize;

use super::Credentials;
use crate::probe::reference::{DOCKER_HUB, DOCKER_HUB_CONFIG_KEY, normalize_registry};

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawConfig {
    #[serde(default)]
    pub auths: BTreeMap<String, RawAuth>,
    #[serde(rename = "credsStore", default)]
    pub creds_store: Option<String>,
    #[serde(rename = "credHelpers", default)]
    pub cred_helpers: BTreeMap<String, String>,
    #[serde(rename = "currentContext", default)]
    pub current_context: Option<String>,
}

#[derive(Default, Clone, Deserialize)]
pub(super) struct RawAuth {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(rename = "identitytoken", default)]
    identity_token: Option<String>,
}

impl RawAuth {
    pub fn has_secret(&self) -> bool {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
        set(&self.auth) || set(&self.identity_token) || set(&self.password)
    }

    /// The user name, without keeping the password half of `auth`.
    pub fn username(&self) -> Option<String> {
        if let Some(user) = self.username.as_deref().filter(|u| !u.is_empty()) {
            return Some(user.to_string());
        }
        let decoded = decode_auth(self.auth.as_deref()?)?;
        Some(decoded.0).filter(|u| !u.is_empty())
    }

    pub fn credentials(&self) -> Option<Credentials> {
        let username = self.username().unwrap_or_default();
        if let Some(token) = self.identity_token.as_deref().filter(|t| !t.is_empty()) {
            return Some(Credentials::identity_token(username, token));
        }
        if let Some((user, pass)) = self.auth.as_deref().and_then(decode_auth) {
            return Some(Credentials::new(user, pass));
        }
        match (&self.username, &self.password) {
            (Some(user), Some(pass)) if !pass.is_empty() => Some(Credentials::new(user, pass)),
            _ => None,
        }
    }
}

impl fmt::Debug for RawAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawAuth")
            .field("has_secret", &self.has_secret())
            .finish()
    }
}

/// Docker's `decodeAuth`: base64 of `user:password`; the password may itself contain colons.
fn decode_auth(auth: &str) -> Option<(String, String)> {
    let auth = auth.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(auth)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(auth))
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_string(), pass.trim_matches('\0').to_string()))
}

/// The registry a config key stands for, or `None` when the CLI would never read it for any registry
/// (a Docker Hub alias other than the exact key). See the module comment.
pub(super) fn registry_of_key(key: &str) -> Option<String> {
    if key == DOCKER_HUB_CONFIG_KEY {
        return Some(DOCKER_HUB.to_string());
    }
    let registry = normalize_registry(key);
    (registry != DOCKER_HUB && !registry.is_empty()).then_some(registry)
}

/// Key a config map by registry with [`registry_of_key`], dropping the keys no registry reads. When
/// several keys name one registry, the bare host wins (the CLI asks for that key first), then the first
/// in sort order; never the last, which for the Hub's web login would be the refresh token.
pub(super) fn by_registry<V>(entries: BTreeMap<String, V>) -> BTreeMap<String, (String, V)> {
    let mut out: BTreeMap<String, (String, V)> = BTreeMap::new();
    for (key, value) in entries {
        let Some(registry) = registry_of_key(&key) else {
            continue;
        };
        let exact = key == registry;
        match out.get(&registry) {
            Some((kept, _)) if !exact || *kept == registry => {}
            _ => {
                out.insert(registry, (key, value));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_hub_key_stands_for_docker_hub() {
        assert_eq!(
            registry_of_key("https://index.docker.io/v1/").as_deref(),
            Some("docker.io")
        );
        for alias in [
            "https://index.docker.io/v1/access-token",
            "https://index.docker.io/v1/refresh-token",
            "https://index.docker.io/v1//user",
            "registry-1.docker.io",
            "docker.io",
            "index.docker.io",
        ] {
            assert_eq!(registry_of_key(alias), None, "{alias}");
        }
        assert_eq!(
            registry_of_key("http://127.0.0.1:5001/v2/").as_deref(),
            Some("127.0.0.1:5001")
        );
        let map = BTreeMap::from([
            ("http://localhost:5001/v2/".to_string(), 1),
            ("localhost:5001".to_string(), 2),
            ("https://localhost:5001".to_string(), 3),
        ]);
        assert_eq!(
            by_registry(map)["localhost:5001"],
            ("localhost:5001".into(), 2)
        );
    }
}

//! Docker's client configuration (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, plus the
//! `DOCKER_AUTH_CONFIG` environment variable): who is logged in where, and the current Docker context.
//! `docker login` leaves its trace in three places: `auths` (a base64 `user:pass` when no store is
//! configured, an empty `{}` marker when one is), `credsStore` (one helper for every registry) and
//! `credHelpers` (a helper per registry). We answer "is the learner logged in, and as whom" the way the
//! Docker CLI decides which store to ask, without keeping a secret: usernames come from the part of
//! `auth` before the colon, or from a helper's `list`, which returns server URLs and usernames only (a
//! per-registry `credHelpers` helper whose `list` is empty is asked `get`, as the CLI does, and only the
//! name is kept).
//! Secrets are read by [`DockerConfig::credentials`] alone, when a caller explicitly asks (a check with
//! `verify: true`, a registry that refused an anonymous request), and the [`Credentials`] type never
//! prints them. Which key stands for which registry (Docker Hub: the exact `https://index.docker.io/v1/`
//! only) is decided in `raw.rs`.

mod helper;
mod login;
mod raw;

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use self::helper::helper_name;
use self::raw::{RawAuth, RawConfig, by_registry};
use super::ProbeError;
use super::reference::config_key;
pub use login::{Credentials, Login, LoginState, LoginVia};

/// The environment variable the docker CLI (>= 28.2) reads a whole config from; its `auths` take
/// precedence over the file's logins and helpers.
pub const AUTH_CONFIG_ENV: &str = "DOCKER_AUTH_CONFIG";

/// Docker's client configuration, read once; helpers are run on demand.
#[derive(Debug, Clone)]
pub struct DockerConfig {
    dir: PathBuf,
    /// Keyed by registry (see `raw::registry_of_key`); the original key is kept for helper calls.
    auths: BTreeMap<String, (String, RawAuth)>,
    /// `DOCKER_AUTH_CONFIG`'s `auths`, keyed the same way.
    env_auths: BTreeMap<String, (String, RawAuth)>,
    creds_store: Option<String>,
    /// Keyed by registry.
    cred_helpers: BTreeMap<String, String>,
    current_context: Option<String>,
    helper_dirs: Option<Vec<PathBuf>>,
}

impl DockerConfig {
    /// The folder Docker reads: `$DOCKER_CONFIG`, else `~/.docker`.
    pub fn default_dir() -> PathBuf {
        match std::env::var_os("DOCKER_CONFIG") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => dirs::home_dir()
                .unwrap_or_else(|| PathBuf::from("/"))
                .join(".docker"),
        }
    }

    /// Read the config Docker itself would read, `DOCKER_AUTH_CONFIG` included. A missing file is an
    /// empty config, as for Docker.
    pub fn load() -> Result<DockerConfig, ProbeError> {
        let env = std::env::var(AUTH_CONFIG_ENV).ok();
        DockerConfig::load_from_dir(&DockerConfig::default_dir())?.with_auth_env(env.as_deref())
    }

    /// Read `DIR/config.json` alone (no environment); a missing file is an empty config.
    pub fn load_from_dir(dir: &Path) -> Result<DockerConfig, ProbeError> {
        let path = dir.join("config.json");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(ProbeError::Config {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                });
            }
        };
        DockerConfig::parse(dir, &text)
    }

    /// Parse config.json text as if it were `DIR/config.json`.
    pub fn parse(dir: &Path, text: &str) -> Result<DockerConfig, ProbeError> {
        let raw = parse_raw(text, &dir.join("config.json").display().to_string())?;
        Ok(DockerConfig {
            dir: dir.to_path_buf(),
            auths: by_registry(raw.auths),
            env_auths: BTreeMap::new(),
            creds_store: raw.creds_store.filter(|s| !s.is_empty()),
            cred_helpers: by_registry(raw.cred_helpers)
                .into_iter()
                .map(|(registry, (_, helper))| (registry, helper))
                .collect(),
            current_context: raw.current_context.filter(|s| !s.is_empty()),
            helper_dirs: None,
        })
    }

    /// Lay the `auths` of a `DOCKER_AUTH_CONFIG` value over the file's, as the docker CLI does (only its
    /// `auths` count). `None` or an empty value changes nothing.
    pub fn with_auth_env(mut self, value: Option<&str>) -> Result<DockerConfig, ProbeError> {
        let Some(text) = value.filter(|v| !v.trim().is_empty()) else {
            return Ok(self);
        };
        self.env_auths = by_registry(parse_raw(text, AUTH_CONFIG_ENV)?.auths);
        Ok(self)
    }

    /// Look for `docker-credential-*` helpers in these folders instead of `PATH` (tests, sandboxes).
    pub fn with_helper_dirs(mut self, dirs: Vec<PathBuf>) -> DockerConfig {
        self.helper_dirs = Some(dirs);
        self
    }

    /// The config folder this was read from (contexts live under it too).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `currentContext`, when set.
    pub fn current_context(&self) -> Option<&str> {
        self.current_context.as_deref()
    }

    /// The `credsStore` helper, when set.
    pub fn creds_store(&self) -> Option<&str> {
        self.creds_store.as_deref()
    }

    /// The helper Docker would ask for this registry, the way the CLI picks it: `credHelpers` first, then
    /// `credsStore`; `None` means the `auths` section itself.
    fn store_for(&self, registry: &str) -> Option<LoginVia> {
        if let Some(helper) = self.cred_helpers.get(registry) {
            return Some(LoginVia::CredHelper(helper.clone()));
        }
        self.creds_store
            .as_ref()
            .map(|s| LoginVia::CredsStore(s.clone()))
    }

    /// Could there be a login for `registry`? True when a store would be asked or a login is written
    /// down; runs no helper and reads no secret.
    pub fn may_have_login(&self, registry: &str) -> bool {
        let registry = super::reference::normalize_registry(registry);
        self.env_auth(&registry).is_some()
            || self.store_for(&registry).is_some()
            || self
                .auths
                .get(&registry)
                .is_some_and(|(_, auth)| auth.has_secret())
    }

    /// The `DOCKER_AUTH_CONFIG` login for `registry`, which wins over everything in the file.
    fn env_auth(&self, registry: &str) -> Option<&RawAuth> {
        self.env_auths
            .get(registry)
            .map(|(_, auth)| auth)
            .filter(|auth| auth.has_secret())
    }

    /// Whether `docker login` was done for `registry` (any spelling: `docker.io`,
    /// `https://index.docker.io/v1/`, `localhost:5001`). Keeps no secret: a `credsStore` is asked for
    /// its `list` (server URLs and user names) only; a `credHelpers` helper whose `list` does not name
    /// the registry is asked `get` for the exact key, as the docker CLI does, and only the name is kept.
    pub async fn login_state(&self, registry: &str) -> Result<LoginState, ProbeError> {
        let registry = super::reference::normalize_registry(registry);
        if let Some(auth) = self.env_auth(&registry) {
            return Ok(LoginState::LoggedIn {
                via: LoginVia::Environment,
                username: auth.username(),
            });
        }
        match self.store_for(&registry) {
            None => Ok(match self.auths.get(&registry) {
                Some((_, auth)) if auth.has_secret() => LoginState::LoggedIn {
                    via: LoginVia::Auths,
                    username: auth.username(),
                },
                _ => LoginState::NotLoggedIn,
            }),
            Some(via) => {
                let helper = helper_name(&via);
                let listed = match self.helper_list(helper).await {
                    Ok(listed) => listed,
                    // A per-registry helper need not implement `list` at all; `get` decides.
                    Err(_) if matches!(via, LoginVia::CredHelper(_)) => BTreeMap::new(),
                    Err(e) => return Err(e),
                };
                if let Some(user) = listed.get(&registry) {
                    return Ok(LoginState::LoggedIn {
                        via,
                        username: Some(user.clone()).filter(|u| !u.is_empty()),
                    });
                }
                if !matches!(via, LoginVia::CredHelper(_)) {
                    return Ok(LoginState::NotLoggedIn);
                }
                // A `credHelpers` helper serves this one registry, and many (docker-credential-gcloud,
                // -ecr-login) answer `list` with `{}`: the docker CLI only ever asks them `get` for the
                // exact key, so ask the same. The secret is dropped at once; only the name is kept.
                // (A `credsStore` is never asked `get` here: on macOS that can raise a keychain prompt.)
                Ok(
                    match self.helper_get(helper, &self.server_key(&registry)).await? {
                        Some(creds) => LoginState::LoggedIn {
                            via,
                            username: Some(creds.username().to_string()).filter(|u| !u.is_empty()),
                        },
                        None => LoginState::NotLoggedIn,
                    },
                )
            }
        }
    }

    /// The server URL a helper is asked about for `registry`, as `docker login` stored it: the Hub's
    /// exact v1 URL, else the key the login was written under, else the host.
    fn server_key(&self, registry: &str) -> String {
        match self.auths.get(registry) {
            Some((key, _)) => key.clone(),
            None => config_key(registry),
        }
    }

    /// Every registry the user is logged in to, sorted by registry. Useful for "you are logged in to
    /// `docker.io`, not `localhost:5001`". Per-registry helpers that fail are skipped; a failing
    /// `credsStore` helper is an error, since every other login is behind it.
    pub async fn logins(&self) -> Result<Vec<Login>, ProbeError> {
        let mut found: BTreeMap<String, Login> = BTreeMap::new();
        let mut add = |registry: &String, via: LoginVia, auth: &RawAuth| {
            found.insert(
                registry.clone(),
                Login {
                    registry: registry.clone(),
                    via,
                    username: auth.username(),
                },
            );
        };
        if self.creds_store.is_none() {
            for (registry, (_, auth)) in &self.auths {
                if auth.has_secret() && !self.cred_helpers.contains_key(registry) {
                    add(registry, LoginVia::Auths, auth);
                }
            }
        }
        for (registry, (_, auth)) in &self.env_auths {
            if auth.has_secret() {
                add(registry, LoginVia::Environment, auth);
            }
        }
        for via in self.helpers() {
            let listed = match self.helper_list(helper_name(&via)).await {
                Ok(listed) => listed,
                // A per-registry helper that is missing or broken (say, a cloud helper left in the
                // config) must not hide the other logins; the `credsStore` helper holds them all.
                Err(_) if matches!(via, LoginVia::CredHelper(_)) => continue,
                Err(e) => return Err(e),
            };
            for (registry, user) in listed {
                // Only the helper Docker would ask for that registry counts.
                if self.store_for(&registry).as_ref() == Some(&via) {
                    found.entry(registry.clone()).or_insert(Login {
                        registry,
                        via: via.clone(),
                        username: Some(user).filter(|u| !u.is_empty()),
                    });
                }
            }
        }
        Ok(found.into_values().collect())
    }

    /// Every helper named in the config, per-registry ones first (each once), then the `credsStore`.
    fn helpers(&self) -> Vec<LoginVia> {
        let mut names: Vec<&String> = self.cred_helpers.values().collect();
        names.sort();
        names.dedup();
        let mut helpers: Vec<LoginVia> = names
            .into_iter()
            .map(|h| LoginVia::CredHelper(h.clone()))
            .collect();
        if let Some(store) = &self.creds_store {
            helpers.push(LoginVia::CredsStore(store.clone()));
        }
        helpers
    }

    /// The stored user name and secret for `registry`, or `None` when there is no login. This reads the
    /// secret (decoding `auth` or running `docker-credential-NAME get`): call it only when it is needed.
    pub async fn credentials(&self, registry: &str) -> Result<Option<Credentials>, ProbeError> {
        let registry = super::reference::normalize_registry(registry);
        if let Some(auth) = self.env_auth(&registry) {
            return Ok(auth.credentials());
        }
        match self.store_for(&registry) {
            None => Ok(self
                .auths
                .get(&registry)
                .and_then(|(_, auth)| auth.credentials())),
            Some(via) => {
                self.helper_get(helper_name(&via), &self.server_key(&registry))
                    .await
            }
        }
    }
}

/// Parse config.json text (from `source`, for messages). Empty text is an empty config.
fn parse_raw(text: &str, source: &str) -> Result<RawConfig, ProbeError> {
    if text.trim().is_empty() {
        return Ok(RawConfig::default());
    }
    serde_json::from_str(text).map_err(|e| ProbeError::Config {
        path: source.to_string(),
        // Not serde's message, which may quote the text around the error: a secret.
        reason: format!("not valid JSON (line {}, column {})", e.line(), e.column()),
    })
}

#[cfg(test)]
mod tests;

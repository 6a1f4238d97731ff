//! Docker's client configuration (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`): who is
//! logged in where, and the current Docker context. `docker login` leaves its trace in three places:
//! `auths` (a base64 `user:pass` when no store is configured, an empty `{}` marker when one is),
//! `credsStore` (one helper for every registry) and `credHelpers` (a helper per registry). We answer
//! "is the learner logged in, and as whom" the way the Docker CLI decides which store to ask, but without
//! reading a secret: usernames come from the part of `auth` before the colon, or from a helper's `list`,
//! which returns server URLs and usernames only. Secrets are read by [`DockerConfig::credentials`] alone,
//! when a caller explicitly asks (a check with `verify: true`, a registry call that needs them), and the
//! [`Credentials`] type never prints them.

use std::collections::BTreeMap;
use std::fmt;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use base64::Engine as _;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;

use super::ProbeError;
use super::reference::{DOCKER_HUB, config_key, normalize_registry};

/// How long a `docker-credential-*` helper may take before we give up on it.
const HELPER_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a login is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginVia {
    /// `auths` in config.json itself (no credential store configured).
    Auths,
    /// The `credsStore` helper, by name (`desktop`, `pass`, `osxkeychain`, ...).
    CredsStore(String),
    /// A per-registry `credHelpers` helper, by name.
    CredHelper(String),
}

/// Whether `docker login` was done for a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginState {
    NotLoggedIn,
    LoggedIn {
        via: LoginVia,
        /// The user name, when the store tells it without revealing the secret.
        username: Option<String>,
    },
}

/// One registry the user is logged in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// Normalized registry name: `docker.io`, `localhost:5001`.
    pub registry: String,
    pub via: LoginVia,
    pub username: Option<String>,
}

/// A registry login's secret. `Debug` redacts it; there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    username: String,
    secret: String,
    identity_token: bool,
}

impl Credentials {
    /// A user name and password (or access token used as a password).
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials {
            username: username.into(),
            secret: password.into(),
            identity_token: false,
        }
    }

    /// An OAuth refresh token that Docker stored as `identitytoken` (exchanged at the token endpoint).
    pub fn identity_token(username: impl Into<String>, token: impl Into<String>) -> Credentials {
        Credentials {
            username: username.into(),
            secret: token.into(),
            identity_token: true,
        }
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password or token. Send it, compare it; never print or log it.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    pub fn is_identity_token(&self) -> bool {
        self.identity_token
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("secret", &"<redacted>")
            .field("identity_token", &self.identity_token)
            .finish()
    }
}

#[derive(Debug, Default, Deserialize)]
struct RawConfig {
    #[serde(default)]
    auths: BTreeMap<String, RawAuth>,
    #[serde(rename = "credsStore", default)]
    creds_store: Option<String>,
    #[serde(rename = "credHelpers", default)]
    cred_helpers: BTreeMap<String, String>,
    #[serde(rename = "currentContext", default)]
    current_context: Option<String>,
}

#[derive(Default, Clone, Deserialize)]
struct RawAuth {
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
    fn has_secret(&self) -> bool {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
        set(&self.auth) || set(&self.identity_token) || set(&self.password)
    }

    /// The user name, without keeping the password half of `auth`.
    fn username(&self) -> Option<String> {
        if let Some(user) = self.username.as_deref().filter(|u| !u.is_empty()) {
            return Some(user.to_string());
        }
        let decoded = decode_auth(self.auth.as_deref()?)?;
        Some(decoded.0).filter(|u| !u.is_empty())
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

/// Docker's client configuration, read once; helpers are run on demand.
#[derive(Debug)]
pub struct DockerConfig {
    dir: PathBuf,
    /// Keyed by normalized registry; the original key is kept for helper calls.
    auths: BTreeMap<String, (String, RawAuth)>,
    creds_store: Option<String>,
    /// Keyed by normalized registry.
    cred_helpers: BTreeMap<String, String>,
    current_context: Option<String>,
    helper_dirs: Option<Vec<PathBuf>>,
}

impl fmt::Debug for RawAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawAuth")
            .field("has_secret", &self.has_secret())
            .finish()
    }
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

    /// Read the config Docker itself would read. A missing file is an empty config, as for Docker.
    pub fn load() -> Result<DockerConfig, ProbeError> {
        DockerConfig::load_from_dir(&DockerConfig::default_dir())
    }

    /// Read `DIR/config.json`; a missing file is an empty config.
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
        let raw: RawConfig = if text.trim().is_empty() {
            RawConfig::default()
        } else {
            serde_json::from_str(text).map_err(|e| ProbeError::Config {
                path: dir.join("config.json").display().to_string(),
                reason: e.to_string(),
            })?
        };
        let auths = raw
            .auths
            .into_iter()
            .map(|(key, auth)| (normalize_registry(&key), (key, auth)))
            .collect();
        let cred_helpers = raw
            .cred_helpers
            .into_iter()
            .map(|(key, helper)| (normalize_registry(&key), helper))
            .collect();
        Ok(DockerConfig {
            dir: dir.to_path_buf(),
            auths,
            creds_store: raw.creds_store.filter(|s| !s.is_empty()),
            cred_helpers,
            current_context: raw.current_context.filter(|s| !s.is_empty()),
            helper_dirs: None,
        })
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

    /// Whether `docker login` was done for `registry` (any spelling: `docker.io`,
    /// `https://index.docker.io/v1/`, `localhost:5001`). Reads no secret: a helper is asked for its `list`
    /// (server URLs and user names), never for `get`.
    pub async fn login_state(&self, registry: &str) -> Result<LoginState, ProbeError> {
        let registry = normalize_registry(registry);
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
                let listed = self.helper_list(helper).await?;
                Ok(match listed.get(&registry) {
                    Some(user) => LoginState::LoggedIn {
                        via,
                        username: Some(user.clone()).filter(|u| !u.is_empty()),
                    },
                    None => LoginState::NotLoggedIn,
                })
            }
        }
    }

    /// Every registry the user is logged in to, sorted by registry. Useful for "you are logged in to
    /// `docker.io`, not `localhost:5001`". Per-registry helpers that fail are skipped; a failing
    /// `credsStore` helper is an error, since every other login is behind it.
    pub async fn logins(&self) -> Result<Vec<Login>, ProbeError> {
        let mut found: BTreeMap<String, Login> = BTreeMap::new();
        if self.creds_store.is_none() {
            for (registry, (_, auth)) in &self.auths {
                if auth.has_secret() && !self.cred_helpers.contains_key(registry) {
                    found.insert(
                        registry.clone(),
                        Login {
                            registry: registry.clone(),
                            via: LoginVia::Auths,
                            username: auth.username(),
                        },
                    );
                }
            }
        }
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
        for via in helpers {
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

    /// The stored user name and secret for `registry`, or `None` when there is no login. This reads the
    /// secret (decoding `auth` or running `docker-credential-NAME get`): call it only when it is needed.
    pub async fn credentials(&self, registry: &str) -> Result<Option<Credentials>, ProbeError> {
        let registry = normalize_registry(registry);
        match self.store_for(&registry) {
            None => Ok(self
                .auths
                .get(&registry)
                .and_then(|(_, auth)| credentials_from_auth(auth))),
            Some(via) => {
                // The server URL as `docker login` stored it: the Hub's v1 URL, else the host.
                let server = match self.auths.get(&registry) {
                    Some((key, _)) if registry != DOCKER_HUB => key.clone(),
                    _ => config_key(&registry),
                };
                self.helper_get(helper_name(&via), &server).await
            }
        }
    }

    fn helper_program(&self, helper: &str) -> Result<PathBuf, ProbeError> {
        let valid = !helper.is_empty()
            && helper
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
            && !helper.starts_with('.');
        if !valid {
            return Err(ProbeError::Config {
                path: self.dir.join("config.json").display().to_string(),
                reason: format!("credential helper name `{helper}` is not a plain name"),
            });
        }
        let program = format!("docker-credential-{helper}");
        Ok(match &self.helper_dirs {
            Some(dirs) => dirs
                .iter()
                .map(|d| d.join(&program))
                .find(|p| p.is_file())
                .unwrap_or_else(|| PathBuf::from(program)),
            None => PathBuf::from(program),
        })
    }

    /// Run `docker-credential-HELPER ACTION` with `input` on stdin; argv only, no shell.
    async fn run_helper(
        &self,
        helper: &str,
        action: &str,
        input: &str,
    ) -> Result<std::process::Output, ProbeError> {
        let program = self.helper_program(helper)?;
        let failed = |reason: String| ProbeError::CredentialHelper {
            helper: helper.to_string(),
            reason,
        };
        let mut child = tokio::process::Command::new(&program)
            .arg(action)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                if e.kind() == ErrorKind::NotFound {
                    failed(format!("`docker-credential-{helper}` is not installed"))
                } else {
                    failed(e.to_string())
                }
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(input.as_bytes())
                .await
                .map_err(|e| failed(e.to_string()))?;
        }
        match tokio::time::timeout(HELPER_TIMEOUT, child.wait_with_output()).await {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(e)) => Err(failed(e.to_string())),
            Err(_) => Err(ProbeError::Timeout {
                target: format!("`docker-credential-{helper}`"),
                after: HELPER_TIMEOUT,
            }),
        }
    }

    /// `list`: server URL → user name, keyed by normalized registry.
    async fn helper_list(&self, helper: &str) -> Result<BTreeMap<String, String>, ProbeError> {
        let output = self.run_helper(helper, "list", "").await?;
        if !output.status.success() {
            return Err(ProbeError::CredentialHelper {
                helper: helper.to_string(),
                reason: helper_message(&output),
            });
        }
        let listed: BTreeMap<String, String> =
            serde_json::from_slice(&output.stdout).map_err(|e| ProbeError::CredentialHelper {
                helper: helper.to_string(),
                reason: format!("`list` printed something other than a JSON object: {e}"),
            })?;
        Ok(listed
            .into_iter()
            .map(|(server, user)| (normalize_registry(&server), user))
            .collect())
    }

    /// `get`: the credentials for `server`, `None` when the helper has none.
    async fn helper_get(
        &self,
        helper: &str,
        server: &str,
    ) -> Result<Option<Credentials>, ProbeError> {
        #[derive(Deserialize)]
        struct HelperCredentials {
            #[serde(rename = "Username", default)]
            username: String,
            #[serde(rename = "Secret", default)]
            secret: String,
        }
        let output = self.run_helper(helper, "get", server).await?;
        if !output.status.success() {
            let message = helper_message(&output);
            // The message every helper built on docker-credential-helpers uses for "no such login".
            if message.contains("credentials not found") {
                return Ok(None);
            }
            return Err(ProbeError::CredentialHelper {
                helper: helper.to_string(),
                reason: message,
            });
        }
        let creds: HelperCredentials =
            serde_json::from_slice(&output.stdout).map_err(|_| ProbeError::CredentialHelper {
                helper: helper.to_string(),
                // Deliberately not the serde message: it could quote the secret.
                reason: "`get` printed something other than {\"Username\", \"Secret\"}".into(),
            })?;
        if creds.secret.is_empty() {
            return Ok(None);
        }
        Ok(Some(if creds.username == "<token>" {
            Credentials::identity_token("", creds.secret)
        } else {
            Credentials::new(creds.username, creds.secret)
        }))
    }
}

fn helper_name(via: &LoginVia) -> &str {
    match via {
        LoginVia::CredsStore(name) | LoginVia::CredHelper(name) => name,
        LoginVia::Auths => "",
    }
}

/// A helper's complaint: helpers print errors on stdout, some on stderr.
fn helper_message(output: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let text = if stdout.trim().is_empty() {
        stderr.trim().to_string()
    } else {
        stdout.trim().to_string()
    };
    if text.is_empty() {
        format!("exited with {}", output.status)
    } else {
        text
    }
}

fn credentials_from_auth(auth: &RawAuth) -> Option<Credentials> {
    let username = auth.username().unwrap_or_default();
    if let Some(token) = auth.identity_token.as_deref().filter(|t| !t.is_empty()) {
        return Some(Credentials::identity_token(username, token));
    }
    if let Some((user, pass)) = auth.auth.as_deref().and_then(decode_auth) {
        return Some(Credentials::new(user, pass));
    }
    match (&auth.username, &auth.password) {
        (Some(user), Some(pass)) if !pass.is_empty() => Some(Credentials::new(user, pass)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn config(json: &str) -> DockerConfig {
        DockerConfig::parse(Path::new("/nonexistent"), json).unwrap()
    }

    #[test]
    fn debug_redacts_the_secret() {
        let creds = Credentials::new("alice", "s3cr3t-pass");
        let shown = format!("{creds:?} {creds:#?}");
        assert!(!shown.contains("s3cr3t-pass"), "{shown}");
        assert!(shown.contains("alice") && shown.contains("<redacted>"));

        let cfg = config(&format!(
            r#"{{"auths": {{"localhost:5001": {{"auth": "{}"}}}}}}"#,
            b64("alice:s3cr3t-pass")
        ));
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("s3cr3t") && !shown.contains(&b64("alice:s3cr3t-pass")));
    }

    #[tokio::test]
    async fn auth_keys_are_normalized() {
        let cfg = config(&format!(
            r#"{{"auths": {{
                "https://index.docker.io/v1/": {{"auth": "{}"}},
                "http://127.0.0.1:5001/v2/": {{"auth": "{}"}},
                "https://registry.example.com/v1/": {{"username": "carol", "password": "pw"}},
                "localhost:5002": {{}}
            }}}}"#,
            b64("alice:pa:ss"),
            b64("bob:x")
        ));
        let state = cfg.login_state("docker.io").await.unwrap();
        assert_eq!(
            state,
            LoginState::LoggedIn {
                via: LoginVia::Auths,
                username: Some("alice".into())
            }
        );
        assert_eq!(
            cfg.login_state("index.docker.io").await.unwrap(),
            state,
            "same registry, other spelling"
        );
        assert!(matches!(
            cfg.login_state("127.0.0.1:5001").await.unwrap(),
            LoginState::LoggedIn { username: Some(u), .. } if u == "bob"
        ));
        assert_eq!(
            cfg.login_state("localhost:5002").await.unwrap(),
            LoginState::NotLoggedIn,
            "an empty entry is no login"
        );
        assert_eq!(
            cfg.login_state("ghcr.io").await.unwrap(),
            LoginState::NotLoggedIn
        );

        let creds = cfg.credentials("docker.io").await.unwrap().unwrap();
        assert_eq!((creds.username(), creds.secret()), ("alice", "pa:ss"));
        let creds = cfg
            .credentials("registry.example.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((creds.username(), creds.secret()), ("carol", "pw"));
        assert!(cfg.credentials("localhost:5002").await.unwrap().is_none());

        let logins: Vec<_> = cfg
            .logins()
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.registry)
            .collect();
        assert_eq!(
            logins,
            ["127.0.0.1:5001", "docker.io", "registry.example.com"]
        );
    }

    #[test]
    fn empty_or_missing_config_means_no_logins() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = DockerConfig::load_from_dir(dir.path()).unwrap();
        assert!(cfg.auths.is_empty() && cfg.current_context().is_none());
        std::fs::write(dir.path().join("config.json"), "{not json").unwrap();
        let err = DockerConfig::load_from_dir(dir.path()).unwrap_err();
        assert!(matches!(err, ProbeError::Config { .. }), "{err}");
    }

    #[test]
    fn store_choice_follows_the_docker_cli() {
        let cfg = config(
            r#"{"credsStore": "desktop", "credHelpers": {"https://gcr.io": "gcloud"},
                "currentContext": "lab"}"#,
        );
        assert_eq!(
            cfg.store_for("gcr.io"),
            Some(LoginVia::CredHelper("gcloud".into()))
        );
        assert_eq!(
            cfg.store_for("docker.io"),
            Some(LoginVia::CredsStore("desktop".into()))
        );
        assert_eq!(cfg.current_context(), Some("lab"));
        assert_eq!(config("{}").store_for("docker.io"), None);
    }

    #[test]
    fn helper_names_cannot_escape() {
        let cfg = config("{}");
        assert!(cfg.helper_program("../../bin/sh").is_err());
        assert!(cfg.helper_program("a b").is_err());
        assert!(cfg.helper_program("desktop.exe").is_ok());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn helpers_are_asked_list_for_state_and_get_for_secrets() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("calls.log");
        let script = format!(
            r#"#!/bin/sh
read -r server || true
echo "$1 $server" >> '{log}'
case "$1" in
  list) echo '{{"https://index.docker.io/v1/":"alice","localhost:5001":"bob"}}' ;;
  get) case "$server" in
         https://index.docker.io/v1/) echo '{{"ServerURL":"x","Username":"alice","Secret":"hub-secret"}}' ;;
         *) echo 'credentials not found in native keychain'; exit 1 ;;
       esac ;;
esac
"#,
            log = log.display()
        );
        let helper = dir.path().join("docker-credential-fake");
        std::fs::write(&helper, script).unwrap();
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();

        let cfg = config(
            r#"{"auths": {"https://index.docker.io/v1/": {}}, "credsStore": "fake",
                "credHelpers": {"ghcr.io": "missing"}}"#,
        )
        .with_helper_dirs(vec![dir.path().to_path_buf()]);
        assert_eq!(
            cfg.login_state("docker.io").await.unwrap(),
            LoginState::LoggedIn {
                via: LoginVia::CredsStore("fake".into()),
                username: Some("alice".into())
            }
        );
        assert_eq!(
            cfg.login_state("127.0.0.1:5000").await.unwrap(),
            LoginState::NotLoggedIn
        );
        let calls = std::fs::read_to_string(&log).unwrap();
        assert!(
            !calls.contains("get"),
            "state must not read secrets: {calls}"
        );

        let creds = cfg.credentials("docker.io").await.unwrap().unwrap();
        assert_eq!(creds.secret(), "hub-secret");
        assert!(cfg.credentials("localhost:5001").await.unwrap().is_none());
        let calls = std::fs::read_to_string(&log).unwrap();
        assert!(calls.contains("get https://index.docker.io/v1/"), "{calls}");

        let err = cfg.login_state("ghcr.io").await.unwrap_err();
        assert!(
            err.to_string().contains("not installed"),
            "missing helper: {err}"
        );
        assert!(!err.is_unverifiable());
    }
}

//! Unit tests of config reading: key normalization, store choice, helpers, and the Docker Hub login
//! shapes learners really have.

use std::path::Path;

use base64::Engine as _;

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

/// The keys a web (device-code) `docker login` writes, with a token where a user name would be.
const ACCESS_TOKEN_KEY: &str = "https://index.docker.io/v1/access-token";
const REFRESH_TOKEN_KEY: &str = "https://index.docker.io/v1/refresh-token";

async fn hub_login(cfg: &DockerConfig) -> (LoginState, Option<(String, String)>) {
    let state = cfg.login_state("docker.io").await.unwrap();
    let creds = cfg.credentials("docker.io").await.unwrap();
    let creds = creds.map(|c| (c.username().to_string(), c.secret().to_string()));
    (state, creds)
}

fn logged_in(via: LoginVia, user: &str) -> LoginState {
    LoginState::LoggedIn {
        via,
        username: Some(user.into()),
    }
}

#[tokio::test]
async fn a_dash_u_login_is_one_auth() {
    let cfg = config(&format!(
        r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{}"}}}}}}"#,
        b64("alice:dckr_pat_alice")
    ));
    assert_eq!(
        hub_login(&cfg).await,
        (
            logged_in(LoginVia::Auths, "alice"),
            Some(("alice".into(), "dckr_pat_alice".into()))
        )
    );
}

#[tokio::test]
async fn a_web_login_without_a_store_reads_only_the_exact_key() {
    let cfg = config(&format!(
        r#"{{"auths": {{
            "https://index.docker.io/v1/": {{"auth": "{}"}},
            "{ACCESS_TOKEN_KEY}": {{"auth": "{}"}},
            "{REFRESH_TOKEN_KEY}": {{"auth": "{}"}}
        }}}}"#,
        b64("alice:dckr_pat_alice"),
        b64("eyJhbGciOiJSUzI1NiJ9.access:eyJhbGciOiJSUzI1NiJ9.access"),
        b64("v1.refresh-token-value:v1.refresh-token-value"),
    ));
    assert_eq!(
        hub_login(&cfg).await,
        (
            logged_in(LoginVia::Auths, "alice"),
            Some(("alice".into(), "dckr_pat_alice".into()))
        )
    );
    let logins = cfg.logins().await.unwrap();
    assert_eq!(logins.len(), 1, "the token keys are no logins: {logins:?}");
    assert_eq!(logins[0].username.as_deref(), Some("alice"));
}

#[tokio::test]
async fn a_stray_registry_1_entry_is_no_hub_login() {
    let stray = format!(
        r#""registry-1.docker.io": {{"auth": "{}"}}"#,
        b64("mallory:stray")
    );
    let cfg = config(&format!(r#"{{"auths": {{{stray}}}}}"#));
    assert_eq!(hub_login(&cfg).await, (LoginState::NotLoggedIn, None));
    assert!(cfg.logins().await.unwrap().is_empty());
    let cfg = config(&format!(
        r#"{{"auths": {{{stray}, "https://index.docker.io/v1/": {{"auth": "{}"}}}}}}"#,
        b64("alice:right")
    ));
    assert_eq!(
        hub_login(&cfg).await.1,
        Some(("alice".into(), "right".into()))
    );
}

/// A `docker-credential-NAME` script in `dir` that logs every call to `dir/calls.log`, answers `list`
/// with `list`, `get` of the exact Hub key with alice's token, and `get` of any other key by running
/// the shell line `other`.
#[cfg(unix)]
fn logging_helper(dir: &Path, name: &str, list: &str, other: &str) {
    use std::os::unix::fs::PermissionsExt;
    let log = dir.join("calls.log");
    let script = format!(
        r#"#!/bin/sh
read -r server || true
echo "$1 $server" >> '{log}'
case "$1" in
  list) echo '{list}' ;;
  get) case "$server" in
         https://index.docker.io/v1/) echo '{{"ServerURL":"x","Username":"alice","Secret":"hub-pat"}}' ;;
         *) {other} ;;
       esac ;;
esac
"#,
        log = log.display()
    );
    let helper = dir.join(format!("docker-credential-{name}"));
    std::fs::write(&helper, script).unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A helper whose `list` returns the three web-login keys (the token keys with token-like "user
/// names") and whose `get` answers for the exact Hub key only.
#[cfg(unix)]
fn web_login_helper(dir: &Path, name: &str) {
    let list = format!(
        r#"{{"https://index.docker.io/v1/":"alice","{ACCESS_TOKEN_KEY}":"eyJhbGciOi.access","{REFRESH_TOKEN_KEY}":"v1.refresh"}}"#
    );
    let other = r#"echo '{"ServerURL":"x","Username":"v1.refresh","Secret":"wrong-token"}'"#;
    logging_helper(dir, name, &list, other);
}

#[cfg(unix)]
#[tokio::test]
async fn a_creds_store_listing_three_web_login_keys() {
    // `pass`-style store and Docker Desktop's `desktop` store behave alike.
    for store in ["pass", "desktop"] {
        let dir = tempfile::tempdir().unwrap();
        web_login_helper(dir.path(), store);
        let cfg = config(&format!(
            r#"{{"auths": {{"https://index.docker.io/v1/": {{}}, "{ACCESS_TOKEN_KEY}": {{}},
                "{REFRESH_TOKEN_KEY}": {{}}}}, "credsStore": "{store}"}}"#
        ))
        .with_helper_dirs(vec![dir.path().to_path_buf()]);
        assert_eq!(
            hub_login(&cfg).await,
            (
                logged_in(LoginVia::CredsStore(store.into()), "alice"),
                Some(("alice".into(), "hub-pat".into()))
            ),
            "{store}"
        );
        let logins = cfg.logins().await.unwrap();
        assert_eq!(logins.len(), 1, "{logins:?}");
        let calls = std::fs::read_to_string(dir.path().join("calls.log")).unwrap();
        assert!(
            calls
                .lines()
                .any(|l| l == "get https://index.docker.io/v1/")
                && !calls.contains("get https://index.docker.io/v1/refresh"),
            "{calls}"
        );
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_cred_helper_for_the_exact_hub_key() {
    let dir = tempfile::tempdir().unwrap();
    web_login_helper(dir.path(), "hub");
    let cfg = config(r#"{"credHelpers": {"https://index.docker.io/v1/": "hub"}}"#)
        .with_helper_dirs(vec![dir.path().to_path_buf()]);
    assert_eq!(
        hub_login(&cfg).await,
        (
            logged_in(LoginVia::CredHelper("hub".into()), "alice"),
            Some(("alice".into(), "hub-pat".into()))
        )
    );
    // The CLI looks the Hub up under its exact key; an alias names no helper for it.
    let cfg = config(r#"{"credHelpers": {"registry-1.docker.io": "hub"}}"#)
        .with_helper_dirs(vec![dir.path().to_path_buf()]);
    assert_eq!(hub_login(&cfg).await, (LoginState::NotLoggedIn, None));
}

/// A per-registry helper like docker-credential-gcloud: `list` answers `{}`, `get` knows the exact key.
#[cfg(unix)]
fn empty_list_helper(dir: &Path, name: &str) {
    let other = "echo 'credentials not found in native keychain'; exit 1";
    logging_helper(dir, name, "{}", other);
}

#[cfg(unix)]
#[tokio::test]
async fn a_cred_helper_whose_list_is_empty_is_asked_get_for_the_exact_key() {
    let dir = tempfile::tempdir().unwrap();
    empty_list_helper(dir.path(), "gc");
    let cfg = config(r#"{"credHelpers": {"https://index.docker.io/v1/": "gc", "ghcr.io": "gc"}}"#)
        .with_helper_dirs(vec![dir.path().to_path_buf()]);
    assert_eq!(
        hub_login(&cfg).await,
        (
            logged_in(LoginVia::CredHelper("gc".into()), "alice"),
            Some(("alice".into(), "hub-pat".into()))
        )
    );
    // `get` of a registry it has nothing for: not logged in, not an error.
    assert_eq!(
        cfg.login_state("ghcr.io").await.unwrap(),
        LoginState::NotLoggedIn
    );
    let calls = std::fs::read_to_string(dir.path().join("calls.log")).unwrap();
    assert!(
        calls
            .lines()
            .any(|l| l == "get https://index.docker.io/v1/"),
        "{calls}"
    );
    // A `credsStore` with the same empty `list` is never asked `get` just to tell (a keychain prompt).
    let dir = tempfile::tempdir().unwrap();
    empty_list_helper(dir.path(), "store");
    let cfg = config(r#"{"credsStore": "store"}"#).with_helper_dirs(vec![dir.path().to_path_buf()]);
    assert_eq!(
        cfg.login_state("docker.io").await.unwrap(),
        LoginState::NotLoggedIn
    );
    let calls = std::fs::read_to_string(dir.path().join("calls.log")).unwrap();
    assert!(!calls.contains("get"), "{calls}");
}

#[tokio::test]
async fn docker_auth_config_takes_precedence() {
    let file = config(&format!(
        r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{}"}},
            "localhost:5001": {{"auth": "{}"}}}}}}"#,
        b64("alice:file-pass"),
        b64("bob:bob-pass")
    ));
    let env = format!(
        r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{}"}},
            "{REFRESH_TOKEN_KEY}": {{"auth": "{}"}}}}}}"#,
        b64("carol:env-pass"),
        b64("v1.refresh:v1.refresh")
    );
    let cfg = file.with_auth_env(Some(&env)).unwrap();
    assert_eq!(
        hub_login(&cfg).await,
        (
            logged_in(LoginVia::Environment, "carol"),
            Some(("carol".into(), "env-pass".into()))
        )
    );
    // Registries the variable does not name keep the file's login.
    let creds = cfg.credentials("localhost:5001").await.unwrap().unwrap();
    assert_eq!(creds.username(), "bob");
    let logins = cfg.logins().await.unwrap();
    assert_eq!(
        logins
            .iter()
            .map(|l| (l.registry.as_str(), l.via.clone()))
            .collect::<Vec<_>>(),
        [
            ("docker.io", LoginVia::Environment),
            ("localhost:5001", LoginVia::Auths)
        ]
    );
    // Unset or empty: the file alone. Broken: an error that does not quote the value.
    let cfg = config("{}").with_auth_env(Some("")).unwrap();
    assert_eq!(hub_login(&cfg).await, (LoginState::NotLoggedIn, None));
    let err = config("{}")
        .with_auth_env(Some(r#"{"auths": {"x": {"auth": "c2VjcmV0"}"#))
        .unwrap_err();
    assert!(!err.to_string().contains("c2VjcmV0"), "{err}");
    assert!(err.to_string().contains("DOCKER_AUTH_CONFIG"), "{err}");
}

//! The run's own Docker config folder, seeded from the user's `config.json` without its logins
//! (`auths`, `credsStore`, `credHelpers`), so logins the solutions make never reach the user's config
//! or keychain, and a login step really starts logged out.

use std::path::Path;

use serde_json::{Value, json};
use tempfile::TempDir;

use crate::probe::DockerConfig;
use crate::probe::docker::Endpoint;

/// Make the temporary config folder and point this process (and so every command it runs) at it
/// and at `endpoint`'s engine.
pub fn isolate(endpoint: &Endpoint) -> miette::Result<TempDir> {
    let config_dir = tempfile::Builder::new()
        .prefix("learn-registry-test-")
        .tempdir()
        .map_err(|e| miette::miette!("cannot make a temporary Docker config folder: {e}"))?;
    let (seed, warning) = seed_config(&DockerConfig::default_dir());
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    std::fs::write(
        config_dir.path().join("config.json"),
        serde_json::to_string_pretty(&seed).unwrap_or_else(|_| "{}".into()),
    )
    .map_err(|e| miette::miette!("cannot write the temporary Docker config: {e}"))?;
    // SAFETY: no other thread exists yet (the caller starts its runtime after this, and nothing
    // before it spawns threads), so nothing can read the environment while it changes. Solutions,
    // setup commands and the checks' config reads (`DockerConfig::load`) all follow DOCKER_CONFIG;
    // DOCKER_HOST pins the engine found before, since the temporary config has no Docker contexts.
    unsafe {
        std::env::set_var("DOCKER_CONFIG", config_dir.path());
        std::env::set_var("DOCKER_HOST", &endpoint.host);
        std::env::remove_var("DOCKER_CONTEXT");
    }
    Ok(config_dir)
}

/// The user's `config.json` without logins or a context: what the run's temporary config starts from.
fn seed_config(user_dir: &Path) -> (Value, Option<String>) {
    let path = user_dir.join("config.json");
    let mut warning = None;
    let mut value = match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => match serde_json::from_str::<Value>(&text) {
            Ok(v) if v.is_object() => v,
            _ => {
                warning = Some(format!(
                    "`{}` is not a JSON object; starting from an empty Docker config",
                    path.display()
                ));
                json!({})
            }
        },
        _ => json!({}),
    };
    if let Some(map) = value.as_object_mut() {
        for key in ["auths", "credsStore", "credHelpers", "currentContext"] {
            map.remove(key);
        }
    }
    (value, warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_config_has_no_logins() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"auths":{"r":{"auth":"eDp5"}},"credsStore":"desktop","credHelpers":{"a":"b"},
               "currentContext":"lab","proxies":{"default":{"httpProxy":"http://p"}}}"#,
        )
        .unwrap();
        let (seed, warning) = seed_config(dir.path());
        assert!(warning.is_none());
        assert_eq!(
            seed,
            json!({"proxies":{"default":{"httpProxy":"http://p"}}})
        );
        std::fs::write(dir.path().join("config.json"), "[1]").unwrap();
        let (seed, warning) = seed_config(dir.path());
        assert_eq!(seed, json!({}));
        assert!(warning.is_some());
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(seed_config(empty.path()), (json!({}), None));
    }
}

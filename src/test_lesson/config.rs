//! The run's own Docker config folder, seeded from the user's `config.json` without its logins
//! (`auths`, `credsStore`, `credHelpers`), so logins the solutions make never reach the user's config
//! or keychain, and a login step really starts logged out. The run points its children and its checks
//! at that folder and at the engine found before through an [`Env`] given to each child and a
//! [`DockerConfig`] read from the folder, never by changing this process's environment.

use std::path::Path;

use serde_json::{Value, json};
use tempfile::TempDir;

use crate::probe::DockerConfig;
use crate::probe::docker::Endpoint;
use crate::probe::docker_config::AUTH_CONFIG_ENV;
use crate::process::Env;

/// The run's own Docker config folder and the environment every command of the run gets.
pub struct Isolation {
    pub dir: TempDir,
    /// `DOCKER_CONFIG` at `dir`, `DOCKER_HOST` at the engine found before (the temporary config has no
    /// Docker contexts), and no `DOCKER_CONTEXT` or `DOCKER_AUTH_CONFIG`, whose logins would win.
    pub env: Env,
}

impl Isolation {
    /// The run's Docker config, as the commands of the run see it: the folder alone.
    pub fn docker_config(dir: &Path) -> Result<DockerConfig, crate::probe::ProbeError> {
        DockerConfig::load_from_dir(dir)
    }
}

/// Make the temporary config folder and the environment that points the run's commands at it and at
/// `endpoint`'s engine.
pub fn isolate(endpoint: &Endpoint) -> miette::Result<Isolation> {
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
    let env = Env::default()
        .set("DOCKER_CONFIG", config_dir.path().display().to_string())
        .set("DOCKER_HOST", &endpoint.host)
        .remove("DOCKER_CONTEXT")
        .remove(AUTH_CONFIG_ENV);
    Ok(Isolation {
        dir: config_dir,
        env,
    })
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

//! The `docker-credential-*` helpers behind `credsStore` and `credHelpers`: `list` (server URLs and user
//! names, no secret) and `get` (the secret). Run as argv with a time limit, never through a shell, and
//! only from a plain helper name.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::raw::by_registry;
use super::{Credentials, DockerConfig, LoginVia};
use crate::probe::ProbeError;
use crate::process;

/// How long a `docker-credential-*` helper may take before we give up on it.
const HELPER_TIMEOUT: Duration = Duration::from_secs(10);

impl DockerConfig {
    pub(super) fn helper_program(&self, helper: &str) -> Result<PathBuf, ProbeError> {
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
        let program = program.to_string_lossy();
        let args = [action.to_string()];
        let run = process::Command::new(&program, &args, HELPER_TIMEOUT)
            .input(input.as_bytes())
            .output()
            .await;
        match run {
            Ok(output) => Ok(output),
            Err(process::Error::TimedOut(after)) => Err(ProbeError::Timeout {
                target: format!("`docker-credential-{helper}`"),
                after,
            }),
            Err(process::Error::CannotRun { source, .. })
                if source.kind() == ErrorKind::NotFound =>
            {
                Err(failed(format!(
                    "`docker-credential-{helper}` is not installed"
                )))
            }
            Err(process::Error::CannotRun { source, .. }) => Err(failed(source.to_string())),
        }
    }

    /// `list`: user name by registry (see [`by_registry`] for which server URL counts).
    pub(super) async fn helper_list(
        &self,
        helper: &str,
    ) -> Result<BTreeMap<String, String>, ProbeError> {
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
        Ok(by_registry(listed)
            .into_iter()
            .map(|(registry, (_, user))| (registry, user))
            .collect())
    }

    /// `get`: the credentials for `server`, `None` when the helper has none.
    pub(super) async fn helper_get(
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

pub(super) fn helper_name(via: &LoginVia) -> &str {
    match via {
        LoginVia::CredsStore(name) | LoginVia::CredHelper(name) => name,
        LoginVia::Auths | LoginVia::Environment => "",
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

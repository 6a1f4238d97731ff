//! Which engine to talk to, found the way the `docker` CLI finds it: `DOCKER_HOST`, else the context named
//! by `DOCKER_CONTEXT` or config.json `currentContext`, else the default socket.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::probe::ProbeError;
use crate::probe::docker_config::DockerConfig;

/// Where the default engine listens when nothing says otherwise.
pub const DEFAULT_DOCKER_HOST: &str = "unix:///var/run/docker.sock";

/// Where the engine address came from, for messages like "DOCKER_HOST points at ...".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointSource {
    /// The `DOCKER_HOST` environment variable.
    DockerHost,
    /// A Docker context, by name (from `DOCKER_CONTEXT` or config.json `currentContext`).
    Context(String),
    /// Nothing was set: the default socket.
    Default,
    /// The caller named it.
    Explicit,
}

/// The engine address and why we use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix:///path/docker.sock` or `tcp://host:port`.
    pub host: String,
    pub source: EndpointSource,
}

impl Endpoint {
    /// Resolve the engine address from the environment and Docker's config the way the CLI does.
    pub fn resolve() -> Result<Endpoint, ProbeError> {
        Endpoint::resolve_with(
            |name| std::env::var(name).ok(),
            &DockerConfig::default_dir(),
        )
    }

    /// [`Endpoint::resolve`] with the environment and config folder given: `DOCKER_HOST`, else the
    /// context named by `DOCKER_CONTEXT` or `currentContext` in `config_dir/config.json`, else the
    /// default socket. Context `default` means the default socket, as for the CLI.
    pub fn resolve_with(
        env: impl Fn(&str) -> Option<String>,
        config_dir: &Path,
    ) -> Result<Endpoint, ProbeError> {
        let env = |name: &str| env(name).filter(|v| !v.is_empty());
        if let Some(host) = env("DOCKER_HOST") {
            return Ok(Endpoint {
                host,
                source: EndpointSource::DockerHost,
            });
        }
        let context = match env("DOCKER_CONTEXT") {
            Some(name) => Some(name),
            None => DockerConfig::load_from_dir(config_dir)?
                .current_context()
                .map(str::to_string),
        };
        match context {
            Some(name) if name != "default" => {
                let host = context_host(config_dir, &name)?;
                Ok(Endpoint {
                    host,
                    source: EndpointSource::Context(name),
                })
            }
            _ => Ok(Endpoint {
                host: DEFAULT_DOCKER_HOST.to_string(),
                source: EndpointSource::Default,
            }),
        }
    }
}

/// The Docker endpoint of a named context: `CONFIG/contexts/meta/<sha256(name)>/meta.json`,
/// `Endpoints.docker.Host`.
pub fn context_host(config_dir: &Path, name: &str) -> Result<String, ProbeError> {
    #[derive(Deserialize)]
    struct Meta {
        #[serde(rename = "Endpoints", default)]
        endpoints: HashMap<String, MetaEndpoint>,
    }
    #[derive(Deserialize)]
    struct MetaEndpoint {
        #[serde(rename = "Host", default)]
        host: Option<String>,
    }
    let path: PathBuf = config_dir
        .join("contexts")
        .join("meta")
        .join(hex::encode(Sha256::digest(name.as_bytes())))
        .join("meta.json");
    let config_error = |reason: String| ProbeError::Config {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| config_error(format!("Docker context `{name}` cannot be read: {e}")))?;
    let meta: Meta = serde_json::from_str(&text).map_err(|e| config_error(e.to_string()))?;
    meta.endpoints
        .get("docker")
        .and_then(|e| e.host.clone())
        .filter(|h| !h.is_empty())
        .ok_or_else(|| config_error(format!("Docker context `{name}` has no docker endpoint")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_endpoint_is_read_from_meta_json() {
        let dir = tempfile::tempdir().unwrap();
        let name = "lab";
        let meta_dir = dir
            .path()
            .join("contexts/meta")
            .join(hex::encode(Sha256::digest(name)));
        std::fs::create_dir_all(&meta_dir).unwrap();
        std::fs::write(
            meta_dir.join("meta.json"),
            r#"{"Name":"lab","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///tmp/lab.sock","SkipTLSVerify":false}}}"#,
        )
        .unwrap();
        assert_eq!(
            context_host(dir.path(), name).unwrap(),
            "unix:///tmp/lab.sock"
        );
        let err = context_host(dir.path(), "missing").unwrap_err();
        assert!(err.to_string().contains("`missing`"), "{err}");

        // DOCKER_HOST wins, then DOCKER_CONTEXT, then currentContext, then the default socket.
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"currentContext": "lab"}"#,
        )
        .unwrap();
        let no_env = |_: &str| None;
        let resolved = Endpoint::resolve_with(no_env, dir.path()).unwrap();
        assert_eq!(resolved.host, "unix:///tmp/lab.sock");
        assert_eq!(resolved.source, EndpointSource::Context("lab".into()));
        let host_env = |name: &str| (name == "DOCKER_HOST").then(|| "tcp://127.0.0.1:2375".into());
        let resolved = Endpoint::resolve_with(host_env, dir.path()).unwrap();
        assert_eq!(
            (resolved.host.as_str(), resolved.source),
            ("tcp://127.0.0.1:2375", EndpointSource::DockerHost)
        );
        let default_ctx = |name: &str| (name == "DOCKER_CONTEXT").then(|| "default".into());
        let resolved = Endpoint::resolve_with(default_ctx, dir.path()).unwrap();
        assert_eq!(resolved.host, DEFAULT_DOCKER_HOST);
        let empty = tempfile::tempdir().unwrap();
        let resolved = Endpoint::resolve_with(no_env, empty.path()).unwrap();
        assert_eq!(resolved.source, EndpointSource::Default);
    }
}

//! `docker_running`: the Docker Engine answers a ping and reports its version.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::check::{CheckSpec, Context, Outcome};

use crate::lesson::Sp;

/// The Docker Engine answers a ping and reports its version.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DockerRunning {}

impl CheckSpec for DockerRunning {
    const KIND: &'static str = "docker_running";

    fn templates(&self) -> Vec<&Sp<String>> {
        Vec::new()
    }
}

impl DockerRunning {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        let docker = match ctx.docker().await {
            Ok(d) => d,
            Err(o) => return o,
        };
        match docker.ping().await {
            Ok(info) => Outcome::pass(format!(
                "{} {} (API {})",
                if info.is_podman {
                    "Podman"
                } else {
                    "Docker Engine"
                },
                info.version,
                info.negotiated_api_version
            )),
            Err(e) => Outcome::unknown(format!("Docker is not reachable ({e})")),
        }
    }
}

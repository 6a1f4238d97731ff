//! `docker_running`: the Docker Engine answers a ping and reports its version.
//!
//! How the check is evaluated; its fields are in `lesson/check/docker_running.rs`.

use crate::check::{Context, Outcome};
use crate::lesson::check::DockerRunning;

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

//! `docker_running`: the Docker Engine answers a ping and reports its version.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::check::CheckSpec;
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

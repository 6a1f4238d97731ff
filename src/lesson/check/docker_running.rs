//! `docker_running`: the Docker Engine answers a ping and reports its version.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/docker_running.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
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

    fn describe(&self) -> String {
        "the Docker Engine answering".into()
    }
}

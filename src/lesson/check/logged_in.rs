//! `logged_in`: `docker login` was done for a registry.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/logged_in.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// `docker login` was done for a registry.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoggedIn {
    /// The registry host; defaults to the course's registry (`docker.io` unless `--registry`).
    #[serde(default)]
    pub registry: Option<Sp<String>>,
    /// Also prove the stored credentials work (reads the secret; never prints it).
    #[serde(default)]
    pub verify: bool,
}

impl CheckSpec for LoggedIn {
    const KIND: &'static str = "logged_in";

    fn templates(&self) -> Vec<&Sp<String>> {
        self.registry.iter().collect()
    }

    fn describe(&self) -> String {
        match &self.registry {
            Some(r) => format!("logged in to `{}`", **r),
            None => "logged in to `{{ registry }}`".into(),
        }
    }
}

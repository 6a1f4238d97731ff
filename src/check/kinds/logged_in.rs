//! `logged_in`: `docker login` was done for a registry.
//!
//! Read from Docker's config.json (`auths`, `credsStore`, `credHelpers`); the secret itself is only read
//! when `verify: true` asks to prove the credentials work against the registry.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::check::CheckSpec;
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
}

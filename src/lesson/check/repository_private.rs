//! `repository_private`: anonymous pull of the repository is refused.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/repository_private.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// Anonymous pull of the repository is refused.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RepositoryPrivate {
    /// The repository, e.g. `{{ username }}/python-canvas-client` (a registry host may lead).
    pub repository: Sp<String>,
}

impl CheckSpec for RepositoryPrivate {
    const KIND: &'static str = "repository_private";

    fn templates(&self) -> Vec<&Sp<String>> {
        vec![&self.repository]
    }

    fn image_refs(&self) -> Vec<&Sp<String>> {
        vec![&self.repository]
    }

    fn remote(&self) -> bool {
        true
    }
}

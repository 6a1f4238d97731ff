//! `repository_public`: anonymous pull of the repository is allowed.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/repository_public.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// Anonymous pull of the repository is allowed (anonymous token, then HEAD).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RepositoryPublic {
    /// The repository, e.g. `{{ username }}/python-canvas-client` (a registry host may lead).
    pub repository: Sp<String>,
}

impl CheckSpec for RepositoryPublic {
    const KIND: &'static str = "repository_public";

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

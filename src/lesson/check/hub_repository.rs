//! `hub_repository`: the repository shows on Docker Hub, optionally with the visibility asked for.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/hub_repository.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// Public or private, as Docker Hub's `is_private` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Public,
    Private,
}

/// The repository shows on Docker Hub (`/v2/namespaces/{ns}/repositories/{repo}`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HubRepository {
    /// `NAMESPACE/REPOSITORY`, e.g. `{{ username }}/python-canvas-client`.
    pub repository: Sp<String>,
    /// When set, the repository must also be public or private.
    #[serde(default)]
    pub visibility: Option<Visibility>,
}

impl CheckSpec for HubRepository {
    const KIND: &'static str = "hub_repository";

    fn templates(&self) -> Vec<&Sp<String>> {
        vec![&self.repository]
    }

    fn remote(&self) -> bool {
        true
    }
}

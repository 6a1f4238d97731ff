//! `hub_account`: a Docker Hub account exists.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/hub_account.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// A Docker Hub account exists (Hub REST `/v2/users/{name}/`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HubAccount {
    /// The Docker Hub username, e.g. `{{ username }}`.
    pub username: Sp<String>,
}

impl CheckSpec for HubAccount {
    const KIND: &'static str = "hub_account";

    fn templates(&self) -> Vec<&Sp<String>> {
        vec![&self.username]
    }

    fn remote(&self) -> bool {
        true
    }
}

//! `hub_account`: a Docker Hub account exists (Hub REST `/v2/users/{name}/`).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::check::CheckSpec;
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

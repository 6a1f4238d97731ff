//! `repository_public`: anonymous pull of the repository is allowed (anonymous token, then HEAD).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::check::{CheckSpec, Context, Outcome};

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

impl RepositoryPublic {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        super::visibility::evaluate(&self.repository, true, ctx).await
    }
}

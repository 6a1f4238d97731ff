//! `repository_private`: anonymous pull of the repository is refused.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::check::{CheckSpec, Context, Outcome};

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

impl RepositoryPrivate {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        super::visibility::evaluate(&self.repository, false, ctx).await
    }
}

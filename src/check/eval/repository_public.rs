//! `repository_public`: anonymous pull of the repository is allowed (anonymous token, then HEAD).
//!
//! How the check is evaluated; its fields are in `lesson/check/repository_public.rs`.

use crate::check::{Context, Outcome};
use crate::lesson::check::RepositoryPublic;

impl RepositoryPublic {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        super::visibility::evaluate(&self.repository, true, ctx).await
    }
}

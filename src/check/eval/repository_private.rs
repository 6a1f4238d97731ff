//! `repository_private`: anonymous pull of the repository is refused.
//!
//! How the check is evaluated; its fields are in `lesson/check/repository_private.rs`.

use crate::check::{Context, Outcome};
use crate::lesson::check::RepositoryPrivate;

impl RepositoryPrivate {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        super::visibility::evaluate(&self.repository, false, ctx).await
    }
}

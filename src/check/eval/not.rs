//! `not`: evaluate the inner check and swap pass and fail. "Could not verify" stays as it is: not
//! knowing whether someone is logged in is not knowing that they logged out.
//!
//! How the check is evaluated; its fields are in `lesson/check/not.rs`.

use crate::check::{Context, Outcome};
use crate::lesson::check::Not;

impl Not {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        // Boxed: `not` may wrap `not`, and a recursive async call needs a known size.
        let inner = Box::pin(super::outcome(&self.0, ctx)).await.0;
        match inner {
            Outcome::Pass { saw } => {
                let wanted = self.describe_in(ctx);
                Outcome::fail(wanted, saw)
            }
            Outcome::Fail { actual, .. } => Outcome::pass(actual),
            unknown @ Outcome::Unknown { .. } => unknown,
        }
    }

    /// "not logged in to `docker.io`": the inner check's own description, filled in.
    fn describe_in(&self, ctx: &Context) -> String {
        use crate::lesson::check::CheckSpec;
        ctx.fill(&self.describe())
    }
}

//! Evaluating a check against the world. Each kind's `evaluate` sits in a file named like the file of
//! its fields (`lesson/check/image_pushed.rs` → `eval/image_pushed.rs`), as an inherent method on the
//! lesson's type; this module is the one entry point that picks the kind, and says which checks apply.

mod command;
mod container_ran;
mod docker_running;
mod event_seen;
mod hub_account;
mod hub_repository;
mod image_exists;
mod image_pulled;
mod image_pushed;
mod image_same;
mod logged_in;
mod registry_tag;
mod repository_private;
mod repository_public;
mod visibility;

use crate::check::{CheckResult, Context, Settings};
use crate::lesson::check::{Check, dispatch};

/// Evaluate a check now, against the world as `ctx` sees it.
pub async fn evaluate(check: &Check, ctx: &Context) -> CheckResult {
    let outcome = dispatch!(check, c => c.evaluate(ctx).await);
    CheckResult {
        kind: check.kind(),
        outcome,
    }
}

impl Check {
    /// Whether the check means anything with these settings: Docker Hub's REST checks do not apply to
    /// a course run against another registry (unless a Hub API was named). It lives here, not with the
    /// model, because it reads the evaluation's `Settings`.
    pub fn applies(&self, settings: &Settings) -> bool {
        match self {
            Check::HubAccount(_) | Check::HubRepository(_) => settings.hub_checks,
            _ => true,
        }
    }
}

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
mod not;
mod registry_digest;
mod registry_tag;
mod repository_private;
mod repository_public;
mod visibility;

use crate::check::{CheckResult, Context, Outcome, Settings};
use crate::lesson::check::{Check, CheckItem, dispatch};

/// Evaluate a check now, against the world as `ctx` sees it.
pub async fn evaluate(check: &Check, ctx: &Context) -> CheckResult {
    CheckResult {
        kind: check.kind(),
        outcome: outcome(check, ctx).await.0,
    }
}

/// The outcome, and on a pass the value a `capture:` records. Only the kinds that see a value worth
/// keeping have an arm here (their `CheckSpec::captures` says what it is); lint refuses `capture` on
/// the others.
pub(super) async fn outcome(check: &Check, ctx: &Context) -> (Outcome, Option<String>) {
    match check {
        Check::RegistryDigest(c) => c.evaluate_valued(ctx).await,
        Check::Command(c) => c.evaluate_valued(ctx).await,
        other => (dispatch!(other, c => c.evaluate(ctx).await), None),
    }
}

/// A check of a step judged, with what it recorded.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub result: CheckResult,
    /// `(name, value)` when the check passed and the item says `capture: name`.
    pub captured: Option<(String, String)>,
}

/// Evaluate a step's check with what the lesson says beside it: a failure shows the item's
/// `describe` as what was expected and its `hint` instead of the built-in one; a pass records the
/// value seen under the item's `capture` name.
pub async fn evaluate_item(item: &CheckItem, ctx: &Context) -> Evaluated {
    let (mut outcome, value) = outcome(&item.check, ctx).await;
    if let Outcome::Fail { expected, hint, .. } = &mut outcome {
        if let Some(d) = &item.describe {
            *expected = ctx.fill(d);
        }
        if let Some(h) = &item.hint {
            *hint = Some(ctx.fill(h));
        }
    }
    let captured = match (&item.capture, value) {
        (Some(name), Some(value)) if outcome.is_pass() => Some((name.to_string(), value)),
        _ => None,
    };
    Evaluated {
        result: CheckResult {
            kind: item.kind(),
            outcome,
        },
        captured,
    }
}

impl Check {
    /// Whether the check means anything with these settings: Docker Hub's REST checks do not apply to
    /// a course run against another registry (unless a Hub API was named). It lives here, not with the
    /// model, because it reads the evaluation's `Settings`.
    pub fn applies(&self, settings: &Settings) -> bool {
        match self {
            Check::HubAccount(_) | Check::HubRepository(_) => settings.hub_checks,
            Check::Not(not) => not.0.applies(settings),
            _ => true,
        }
    }
}

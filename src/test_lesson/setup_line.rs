//! A lesson's setup as the test runs it: action by action, stopping at the first that does not pass,
//! and remembering what it built or tagged so the cleanup can remove it.

use super::{Phase, Planned, Session};
use crate::lesson::model::SetupAction;
use crate::setup::{self, SetupDone};

/// A setup action (or a required lesson's preparation) and how it went.
#[derive(Debug, Clone)]
pub struct SetupLine {
    pub what: String,
    pub status: Phase,
    pub detail: String,
}

impl SetupLine {
    /// Run the plan's setup actions in order.
    pub async fn run_all(session: &mut Session, plan: &Planned<'_>) -> Vec<SetupLine> {
        let mut out = Vec::new();
        let ctx = session.context(&plan.vars, chrono::Utc::now());
        for (action, command) in plan.lesson().setup.iter().zip(&plan.setup_commands) {
            let what = setup::describe(action, &ctx);
            session.say(&format!("  setup: {what}"));
            let built = match &action.value {
                SetupAction::BuildImage(b) => ctx.render(&b.tag).ok().map(|t| vec![t]),
                SetupAction::Command(_) => command.as_ref().map(|l| l.creates.clone()),
            }
            .unwrap_or_default();
            let fresh = session.new_names(&built).await;
            let (status, detail) = match setup::run_action(action, &ctx, plan.allowed).await {
                Ok(done) => {
                    let detail = match &done {
                        SetupDone::Built { id, .. } => format!("built {}", short_id(id)),
                        SetupDone::AlreadyThere { .. } => "already there".to_string(),
                        SetupDone::Ran { .. } => "done".to_string(),
                        SetupDone::NotAllowed { .. } => "not allowed to run commands".to_string(),
                    };
                    if !matches!(done, SetupDone::AlreadyThere { .. }) {
                        session.created.extend(fresh);
                    }
                    let status = if matches!(done, SetupDone::NotAllowed { .. }) {
                        Phase::Unknown
                    } else {
                        Phase::Pass
                    };
                    (status, detail)
                }
                Err(e) if e.unverifiable => (Phase::Unknown, session.redact(&e.reason)),
                Err(e) => (Phase::Fail, session.redact(&e.reason)),
            };
            let stop = status != Phase::Pass;
            out.push(SetupLine {
                what,
                status,
                detail,
            });
            if stop {
                break;
            }
        }
        out
    }
}

/// An image id as `docker images` shows it: twelve hex digits.
fn short_id(id: &str) -> &str {
    let hex = id.trim_start_matches("sha256:");
    &hex[..hex.len().min(12)]
}

//! A lesson's setup actions, run before its first step (by `start`, with the learner's consent, and by
//! `test-lesson`): build an image offline (network mode `none`) from inline files through the Engine
//! API, or run a command (argv, never a shell). Both only for trusted lessons: a build's `RUN` lines
//! run on this machine too.

use std::time::Duration;

use crate::check::{Context, Outcome};
use crate::lesson::Lesson;
use crate::lesson::model::SetupAction;
use crate::process;

/// What one action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupDone {
    /// Built the image; its ID.
    Built { tag: String, id: String },
    /// The image was there already (`if_missing`, the default).
    AlreadyThere { tag: String },
    /// Ran the command.
    Ran { command: String },
    /// Did not run a command (or a build) because the lesson is not trusted.
    NotAllowed { command: String },
}

/// Why setup stopped. `unverifiable` when the world could not be reached (engine down), as opposed to
/// the action itself failing (a build error, a command exiting non-zero).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{action}: {reason}")]
pub struct SetupError {
    pub action: String,
    pub reason: String,
    pub unverifiable: bool,
}

const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

/// Describe an action for a consent prompt or a spinner, with variables filled in where possible.
pub fn describe(action: &SetupAction, ctx: &Context) -> String {
    match action {
        SetupAction::BuildImage(b) => format!(
            "build the image `{}` (offline, from {} inline file{})",
            crate::text::line(&ctx.render(&b.tag).unwrap_or_else(|_| b.tag.to_string())),
            b.files.len(),
            if b.files.len() == 1 { "" } else { "s" }
        ),
        SetupAction::Command(c) => format!(
            "run `{}`",
            crate::text::line(&shell_words::join(
                c.run
                    .iter()
                    .map(|a| ctx.render(a).unwrap_or_else(|_| a.to_string()))
            ))
        ),
    }
}

fn failed(action: String, outcome: Outcome) -> SetupError {
    match outcome {
        Outcome::Unknown { reason, .. } => SetupError {
            action,
            reason,
            unverifiable: true,
        },
        Outcome::Fail {
            expected, actual, ..
        } => SetupError {
            action,
            reason: format!("expected {expected}, got {actual}"),
            unverifiable: false,
        },
        Outcome::Pass { saw } => SetupError {
            action,
            reason: saw,
            unverifiable: false,
        },
    }
}

/// Run one action.
pub async fn run_action(
    action: &SetupAction,
    ctx: &Context,
    allow_commands: bool,
) -> Result<SetupDone, SetupError> {
    let what = describe(action, ctx);
    match action {
        SetupAction::BuildImage(b) => {
            let tag = ctx.render(&b.tag).map_err(|o| failed(what.clone(), o))?;
            let docker = ctx.docker().await.map_err(|o| failed(what.clone(), o))?;
            if b.if_missing {
                match docker.inspect_image(&tag).await {
                    Ok(Some(_)) => return Ok(SetupDone::AlreadyThere { tag }),
                    Ok(None) => {}
                    Err(e) => return Err(failed(what, Outcome::from_probe(&e, "the engine"))),
                }
            }
            // A build runs the lesson's `RUN` lines on this machine: as much a command as `command`.
            if !allow_commands {
                return Ok(SetupDone::NotAllowed { command: what });
            }
            match docker.build_image(&tag, &b.files).await {
                Ok(id) => Ok(SetupDone::Built { tag, id }),
                Err(e) => Err(SetupError {
                    action: what,
                    unverifiable: e.is_unverifiable(),
                    reason: e.to_string(),
                }),
            }
        }
        SetupAction::Command(c) => {
            let mut argv = Vec::new();
            for arg in c.run.iter() {
                argv.push(ctx.render(arg).map_err(|o| failed(what.clone(), o))?);
            }
            let command = shell_words::join(&argv);
            if !allow_commands {
                return Ok(SetupDone::NotAllowed { command });
            }
            let Some((program, args)) = argv.split_first() else {
                return Err(SetupError {
                    action: what,
                    reason: "the command is empty".into(),
                    unverifiable: false,
                });
            };
            let output = match process::Command::new(program, args, COMMAND_TIMEOUT)
                .env(ctx.env())
                .output()
                .await
            {
                Ok(o) => o,
                Err(e) => {
                    return Err(SetupError {
                        action: what,
                        unverifiable: matches!(e, process::Error::TimedOut(_)),
                        reason: e.to_string(),
                    });
                }
            };
            if !output.status.success() {
                return Err(SetupError {
                    action: what,
                    reason: process::exit_summary(&output),
                    unverifiable: false,
                });
            }
            Ok(SetupDone::Ran { command })
        }
    }
}

/// Run every setup action of a lesson in order, stopping at the first that fails.
pub async fn run(
    lesson: &Lesson,
    ctx: &Context,
    allow_commands: bool,
) -> Result<Vec<SetupDone>, SetupError> {
    let mut done = Vec::new();
    for action in &lesson.setup {
        done.push(run_action(action, ctx, allow_commands).await?);
    }
    Ok(done)
}

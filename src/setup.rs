//! A lesson's setup actions, run before its first step (by `start`, with the learner's consent, and by
//! `test-lesson`): build an image offline (network mode `none`) from inline files through the Engine
//! API, or run a command (argv, never a shell). Both only for trusted lessons: a build's `RUN` lines
//! run on this machine too. A build may add programs learn-registry carries (`assets`: the greeter of
//! `assets/greeter/`, embedded at compile time), chosen by the engine's architecture, so that a
//! `FROM scratch` image built with no network can still run something.

use std::time::Duration;

use crate::check::{Context, Outcome};
use crate::lesson::Lesson;
use crate::lesson::model::{Asset, BuildImage, SetupAction};
use crate::probe::docker::ContextFile;
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

/// The greeter, built by `scripts/build-greeter.sh` (sha256 sums in `assets/greeter/SHA256SUMS`).
const GREETER_AMD64: &[u8] = include_bytes!("../assets/greeter/greeter-amd64");
const GREETER_ARM64: &[u8] = include_bytes!("../assets/greeter/greeter-arm64");

/// The architectures every asset is built for, as engines name them (Go's `GOARCH`).
pub const ASSET_ARCHITECTURES: &[&str] = &["amd64", "arm64"];

/// The build of `asset` for an engine of architecture `arch` (`amd64`, `arm64`; the kernel's
/// `x86_64` and `aarch64` are taken too); `None` when there is none for it.
pub fn asset_for(asset: Asset, arch: &str) -> Option<&'static [u8]> {
    let arch = match arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    match (asset, arch) {
        (Asset::Greeter, "amd64") => Some(GREETER_AMD64),
        (Asset::Greeter, "arm64") => Some(GREETER_ARM64),
        _ => None,
    }
}

/// A `build_image`'s context: its files with variables filled in, then its assets for `arch` (the
/// engine's architecture; asked only when there are assets). The error says what is missing.
pub fn context_files(
    b: &BuildImage,
    ctx: &Context,
    arch: Option<&str>,
) -> Result<Vec<ContextFile>, Outcome> {
    let mut files = Vec::new();
    for (name, content) in b.files.iter() {
        files.push(ContextFile::text(name, &ctx.render(content)?));
    }
    for asset in &b.assets {
        let name = asset.name();
        if b.files.contains_key(name) {
            return Err(Outcome::fail(
                format!("the asset `{name}` under its own name"),
                format!("`files` has a `{name}` too; rename that file"),
            ));
        }
        let arch = arch.unwrap_or("unknown");
        let Some(content) = asset_for(asset.value, arch) else {
            return Err(Outcome::fail(
                format!(
                    "an engine on {}",
                    ASSET_ARCHITECTURES
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
                format!("`{name}` has no build for the engine's architecture `{arch}`"),
            ));
        };
        files.push(ContextFile {
            name: name.to_string(),
            content: content.to_vec(),
            executable: true,
        });
    }
    Ok(files)
}

/// Describe an action for a consent prompt or a spinner, with variables filled in where possible.
pub fn describe(action: &SetupAction, ctx: &Context) -> String {
    match action {
        SetupAction::BuildImage(b) => format!(
            "build the image `{}` (offline, from {} inline file{}{})",
            crate::text::line(&ctx.render(&b.tag).unwrap_or_else(|_| b.tag.to_string())),
            b.files.len(),
            if b.files.len() == 1 { "" } else { "s" },
            b.assets
                .iter()
                .map(|a| format!(" and the program `{}`", a.name()))
                .collect::<String>()
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
            let arch = if b.assets.is_empty() {
                None
            } else {
                match docker.ping().await {
                    Ok(info) => info.arch,
                    Err(e) => return Err(failed(what, Outcome::from_probe(&e, "the engine"))),
                }
            };
            let files =
                context_files(b, ctx, arch.as_deref()).map_err(|o| failed(what.clone(), o))?;
            match docker.build_image_from(&tag, &files).await {
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

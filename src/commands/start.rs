//! `learn-registry start [LESSON]`: the interactive runner. This file is the command's edge: it wants a
//! terminal (without one it points to `check`), takes the progress lock for the whole session (a second
//! runner is refused, naming the first one's pid), picks the lesson (the one named, or a list with the
//! learner's progress, defaulting to where they left off), and hands over to `crate::runner`.

use std::collections::BTreeMap;

use console::style;

use super::status::{self, State};
use crate::cli::Global;
use crate::exit;
use crate::lesson::source::{self, Catalog, LoadedLesson, Origin};
use crate::progress::{self, Progress, ProgressLock};
use crate::runner::{End, Interrupted, Io, Session};
use crate::trust;

/// Exit code after Ctrl-C (128 + SIGINT), as shells expect.
pub const INTERRUPTED: u8 = 130;

pub fn run(global: &Global, lesson: Option<String>) -> miette::Result<u8> {
    if !crate::runner::has_terminal() {
        eprintln!(
            "error: `learn-registry start` is interactive and needs a terminal; to verify a lesson without one, run `learn-registry check{}`",
            lesson
                .as_deref()
                .map(|l| format!(" {l}"))
                .unwrap_or_default()
        );
        return Ok(exit::USAGE);
    }
    let catalog = source::catalog(&global.lessons_dirs);
    super::select::warn_skipped(&catalog);
    if let Some(r) = lesson.as_deref().and_then(|id| catalog.refusal(id)) {
        eprintln!("error: {}", super::select::refusal(r));
        return Ok(exit::USAGE);
    }
    if let Some(id) = &lesson
        && catalog.find(id).is_none()
    {
        let hint = crate::diagnostic::did_you_mean(id, catalog.ids())
            .map(|b| format!("; did you mean `{b}`?"))
            .unwrap_or_else(|| "; see `learn-registry list`".into());
        eprintln!("error: no lesson `{id}`{hint}");
        return Ok(exit::USAGE);
    }
    if catalog.lessons.is_empty() {
        eprintln!("error: there are no lessons to start");
        return Ok(exit::USAGE);
    }
    let home = match trust::home() {
        Ok(home) => home,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let lock = match ProgressLock::try_acquire(&home) {
        Ok(lock) => lock,
        Err(e @ progress::Error::Locked { .. }) => {
            eprintln!(
                "error: {e}; finish or quit that session first (progress is kept in one place)"
            );
            return Ok(exit::USAGE);
        }
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let progress = match Progress::load(&home) {
        Ok((p, warning)) => {
            if let Some(w) = warning {
                eprintln!("warning: {w}");
            }
            p
        }
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| miette::miette!("cannot start: {e}"))?;
    let code = runtime.block_on(session(global, &catalog, lesson, progress, &lock));
    // A prompt interrupted by Ctrl-C may still block its thread on the terminal; do not wait for it.
    runtime.shutdown_background();
    Ok(code)
}

async fn session(
    global: &Global,
    catalog: &Catalog,
    lesson: Option<String>,
    progress: Progress,
    lock: &ProgressLock,
) -> u8 {
    let mut io = Io::start();
    let chosen = match lesson.as_deref().and_then(|id| catalog.find(id)) {
        Some(l) => {
            if let Some(State::Locked(first)) = state_of(catalog, &progress, l) {
                io.say(format!(
                    "note: `{}` comes after `{first}`, which is not finished; starting it as you asked.",
                    l.lesson.id.as_str()
                ));
            }
            l
        }
        None => match choose(&mut io, catalog, &progress).await {
            Ok(Some(l)) => l,
            Ok(None) => return exit::OK,
            Err(Interrupted) => {
                io.restore();
                return INTERRUPTED;
            }
        },
    };
    let id = chosen.lesson.id.as_str();
    io.mute_keys();
    // The consent shows what the lesson will do with the values known so far (given, stored, builtin).
    let mut known: BTreeMap<String, String> = progress.vars.clone();
    if let Some(l) = progress.lesson(id) {
        known.extend(l.vars.clone());
    }
    known.extend(global.vars.iter().cloned());
    let base = crate::check::Context::new(BTreeMap::new(), super::settings::of(global)).vars;
    let vars = crate::check::report::resolve_variables(&chosen.lesson, &known, &base)
        .unwrap_or_else(|_| base.into_iter().chain(known).collect());
    let allow = super::check::commands_allowed(chosen, false, &vars);
    let resume = start_command(global, chosen);
    let given: BTreeMap<String, String> = global.vars.iter().cloned().collect();
    let mut s = Session::new(
        &chosen.lesson,
        progress,
        lock,
        super::settings::of(global),
        allow,
        given,
        resume.clone(),
    );
    let end = s.run(&mut io).await;
    io.restore();
    match end {
        End::BadVariables => exit::USAGE,
        End::Finished => {
            io.say(format!(
                "\n{} Lesson `{id}` is done.",
                style("★").yellow().bold()
            ));
            let progress = s.progress;
            // The next lesson of the same source (the shipped course, or the folder this one came
            // from) after this one, else an earlier one of it left undone: an instructor's own lesson
            // leads to their next one, not into the shipped course.
            let rows: Vec<_> = status::rows(catalog, &progress)
                .into_iter()
                .filter(|r| r.lesson.origin == chosen.origin)
                .collect();
            let here = rows
                .iter()
                .position(|r| std::ptr::eq(r.lesson, chosen))
                .unwrap_or(0);
            let next = rows[here..]
                .iter()
                .chain(&rows[..here])
                .find(|r| matches!(r.state, State::Next(_) | State::NotStarted));
            if let Some(row) = next {
                io.say(format!("Next: `{}`", start_command(global, row.lesson)));
            }
            exit::OK
        }
        End::Quit => {
            io.say(format!("\nProgress kept. To go on from here: `{resume}`"));
            exit::OK
        }
        End::Interrupted => {
            io.say(format!(
                "\nInterrupted; progress kept. To go on from here: `{resume}`"
            ));
            INTERRUPTED
        }
    }
}

/// The command that starts (or resumes) `lesson` as this session was started: with the registry, and
/// with the folder the lesson came from, without which the lesson would not be found.
fn start_command(global: &Global, lesson: &LoadedLesson) -> String {
    let mut command = format!("learn-registry start {}", lesson.lesson.id.as_str());
    if global.registry != "docker.io" {
        command.push_str(&format!(
            " --registry {}",
            shell_words::quote(&global.registry)
        ));
    }
    if let Origin::Dir(dir) = &lesson.origin {
        command.push_str(&format!(
            " --lessons-dir {}",
            shell_words::quote(&dir.display().to_string())
        ));
    }
    command
}

fn state_of(catalog: &Catalog, progress: &Progress, lesson: &LoadedLesson) -> Option<State> {
    status::rows(catalog, progress)
        .into_iter()
        .find(|r| std::ptr::eq(r.lesson, lesson))
        .map(|r| r.state)
}

/// The list of lessons with progress; the default is where the learner left off (the first lesson not
/// done and not locked). `None` when the learner leaves the list (Esc).
async fn choose<'a>(
    io: &mut Io,
    catalog: &'a Catalog,
    progress: &Progress,
) -> Result<Option<&'a LoadedLesson>, Interrupted> {
    let rows = status::rows(catalog, progress);
    let width = rows
        .iter()
        .map(|r| r.lesson.lesson.id.as_str().len())
        .max()
        .unwrap_or(0);
    let items: Vec<String> = rows
        .iter()
        .map(|r| {
            let state = match &r.state {
                State::Done => "done".to_string(),
                State::Next(step) => format!("next: {step}"),
                State::NotStarted => "not started".to_string(),
                State::Locked(first) => format!("after `{first}`"),
            };
            format!(
                "{:<width$}  {}  ({}/{} · {state})",
                r.lesson.lesson.id.as_str(),
                r.lesson.lesson.title.as_str(),
                r.done,
                r.total
            )
        })
        .collect();
    let default = rows
        .iter()
        .position(|r| matches!(r.state, State::Next(_)))
        .or_else(|| rows.iter().position(|r| r.state == State::NotStarted))
        .unwrap_or(0);
    loop {
        let picked = io
            .select("Which lesson? (↑/↓, Enter; Esc to leave)", &items, default)
            .await?;
        let Some(i) = picked else { return Ok(None) };
        let row = &rows[i];
        if let State::Locked(first) = &row.state {
            io.say(format!(
                "`{}` comes after `{first}`: finish `{first}` first.",
                row.lesson.lesson.id.as_str()
            ));
            let anyway = io.confirm("Start it anyway?", false).await?;
            if !anyway {
                continue;
            }
        }
        return Ok(Some(row.lesson));
    }
}

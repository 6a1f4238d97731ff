//! One file per command. Each returns the exit code it means (`crate::exit`); `Err` is for the
//! program going wrong (cannot write a file), not for a lesson or a check failing.

pub mod check;
mod grade;
mod lint;
mod list;
mod new;
mod reset;
pub mod select;
mod settings;
mod start;
mod status;
mod test_lesson;

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::cli::{Cli, Command};
use crate::exit;
use crate::progress::Progress;

/// Say what is wrong with how the command was called; that is a usage error (exit 2).
pub fn usage(message: impl std::fmt::Display) -> miette::Result<u8> {
    eprintln!("error: {message}");
    Ok(exit::USAGE)
}

/// The stored progress. `None` when it cannot be read, which is a usage error; the reason, and any
/// warning about what was off in the file, are already on stderr.
fn load_progress(home: &Path) -> Option<Progress> {
    match Progress::load(home) {
        Ok((progress, warning)) => {
            if let Some(w) = &warning {
                eprintln!("warning: {w}");
            }
            Some(progress)
        }
        Err(e) => {
            eprintln!("error: {e}");
            None
        }
    }
}

pub fn dispatch(cli: Cli) -> miette::Result<u8> {
    let global = cli.global;
    match cli.command {
        Command::List { format } => list::run(&global, format),
        Command::Lint { paths, format } => lint::run(&global, &paths, format),
        Command::New { id, dir, force } => new::run(&id, &dir, force),
        Command::Check(args) => check::run(&global, args),
        Command::Grade(args) => grade::run(&global, args),
        Command::Start { lesson } => start::run(&global, lesson),
        Command::Status { format } => status::run(&global, format),
        Command::Reset(args) => reset::run(&global, args),
        Command::TestLesson(args) => test_lesson::run(&global, args),
        Command::Schema => {
            let schema = schemars::schema_for!(crate::lesson::Lesson);
            let text = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
            writeln!(std::io::stdout(), "{text}")
                .map_err(|e| miette::miette!("cannot write: {e}"))?;
            Ok(exit::OK)
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "learn-registry",
                &mut std::io::stdout(),
            );
            Ok(exit::OK)
        }
    }
}

/// Print a report to stdout, or write it to `--out FILE` and say so on stderr.
pub(crate) fn emit(out: Option<&std::path::Path>, text: &str) -> miette::Result<()> {
    match out {
        Some(path) => {
            std::fs::write(path, text)
                .map_err(|e| miette::miette!("cannot write `{}`: {e}", path.display()))?;
            eprintln!("wrote `{}`", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

//! learn-registry: a command-line tutor that teaches container registries by having people do the real
//! thing. The library holds everything; `main.rs` only calls `run`. Modules follow the data flow:
//! `lesson` (load, validate) → `check` (evaluate against `probe`, the outside world) → `commands`.
//! `test_lesson` proves a lesson solvable by running its solutions; `process` runs the programs a
//! lesson names (checks, setup) the one way both need.

// A lint `Diagnostic` is the error of loading a lesson; it is built once per broken file, so its size
// on the error path does not matter and boxing it would only add noise.
#![allow(clippy::result_large_err)]

pub mod check;
pub mod cli;
pub mod commands;
pub mod diagnostic;
pub mod exit;
pub mod grade;
pub mod lesson;
pub mod parallel;
pub mod probe;
pub mod process;
pub mod progress;
pub mod report;
pub mod runner;
pub mod setup;
pub mod test_lesson;
pub mod text;
pub mod trust;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

/// Run the command line and say how it went.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if cli.global.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        console::set_colors_enabled(false);
        console::set_colors_enabled_stderr(false);
    }
    match commands::dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(exit::USAGE)
        }
    }
}

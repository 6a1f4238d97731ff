//! The binary: parse arguments, run, map the outcome to an exit code. Everything else is in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    learn_registry::run(std::env::args_os())
}

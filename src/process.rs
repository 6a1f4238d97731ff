//! Running a program a lesson names (a `command` check, a setup command): argv, never through a shell,
//! with stdin closed, a time limit, and the child killed when abandoned. Both callers report a run the
//! same way, so a learner reads one wording: `exited with CODE: LAST STDERR LINE`.

use std::process::{Output, Stdio};
use std::time::Duration;

/// Why a program did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("did not finish within {}s", .0.as_secs())]
    TimedOut(Duration),
    #[error("cannot run `{program}`: {source}")]
    CannotRun {
        program: String,
        source: std::io::Error,
    },
}

/// Run `program` with `args` for at most `timeout`, collecting its output.
pub async fn run(program: &str, args: &[String], timeout: Duration) -> Result<Output, Error> {
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args).stdin(Stdio::null()).kill_on_drop(true);
    match tokio::time::timeout(timeout, cmd.output()).await {
        Err(_) => Err(Error::TimedOut(timeout)),
        Ok(Err(source)) => Err(Error::CannotRun {
            program: program.to_string(),
            source,
        }),
        Ok(Ok(output)) => Ok(output),
    }
}

/// The exit code (-1 for a signal), then the last line of stderr that says something: usually the
/// reason.
pub fn exit_summary(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let code = output.status.code().unwrap_or(-1);
    if last.is_empty() {
        format!("exited with {code}")
    } else {
        format!("exited with {code}: {last}")
    }
}

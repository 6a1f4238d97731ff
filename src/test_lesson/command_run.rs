//! One solution (or preparation) command, run through [`crate::process`] with the run's environment and,
//! for `docker login`, the password on stdin. What is kept of it is what a report needs: the exit and the end of stderr, with
//! the password removed, since stderr may echo it.

use std::time::Duration;

use super::Line;
use crate::process::{self, Env};

/// How long one solution command may run.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);
/// How many lines of a failed command's stderr the report keeps.
const STDERR_TAIL: usize = 6;

/// One command that ran.
#[derive(Debug, Clone)]
pub struct CommandRun {
    pub command: String,
    pub exit_code: Option<i32>,
    pub ok: bool,
    /// The line was written `! command` or `expect: fail`: it had to fail.
    pub expect_fail: bool,
    /// It was written `{ run, expect }` (which the report names when it did not fail).
    pub mapping: bool,
    /// The last lines of stderr (of a failed command), password removed.
    pub stderr_tail: Vec<String>,
    /// Why it did not run at all (program missing, timeout).
    pub error: Option<String>,
}

impl CommandRun {
    /// Run `line` with the run's environment `env`, giving a `docker login` the password on stdin.
    pub async fn execute(line: &Line, password: Option<&str>, env: &Env) -> CommandRun {
        let command = line.display();
        let (program, args) = line
            .argv
            .split_first()
            .expect("a planned line has a program");
        let mut cmd = process::Command::new(program, args, COMMAND_TIMEOUT).env(env);
        if line.login {
            cmd = cmd.input(password.unwrap_or_default().as_bytes());
        }
        let output = match cmd.output().await {
            Ok(o) => o,
            Err(e) => {
                return CommandRun {
                    command,
                    exit_code: None,
                    ok: false,
                    expect_fail: line.expect_fail,
                    mapping: line.mapping,
                    stderr_tail: Vec::new(),
                    error: Some(e.to_string()),
                };
            }
        };
        let succeeded = output.status.success();
        // A line that must fail passes when the command fails, and the other way round.
        let ok = succeeded != line.expect_fail;
        let stderr_tail = if succeeded {
            Vec::new()
        } else {
            let text = redact(&String::from_utf8_lossy(&output.stderr), password);
            let lines: Vec<String> = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect();
            lines[lines.len().saturating_sub(STDERR_TAIL)..].to_vec()
        };
        CommandRun {
            command,
            exit_code: output.status.code(),
            ok,
            expect_fail: line.expect_fail,
            mapping: line.mapping,
            stderr_tail,
            error: None,
        }
    }

    /// The exit as a word: its code, or `a signal` when it had none.
    pub fn exit_text(&self) -> String {
        self.exit_code
            .map_or_else(|| "a signal".to_string(), |c| c.to_string())
    }

    /// Why the command failed, in one line.
    pub fn failure(&self) -> String {
        match (&self.error, self.stderr_tail.last()) {
            (Some(e), _) => e.clone(),
            (None, _) if self.expect_fail && self.exit_code == Some(0) => if self.mapping {
                "exited with 0, but it must fail (`expect: fail`)"
            } else {
                "exited with 0, but the line (`! ...`) must fail"
            }
            .to_string(),
            (None, Some(last)) => format!("exited with {}: {last}", self.exit_text()),
            (None, None) => format!("exited with {}", self.exit_text()),
        }
    }
}

/// `text` with the password blanked out.
pub fn redact(text: &str, password: Option<&str>) -> String {
    match password {
        Some(p) if !p.is_empty() => text.replace(p, "********"),
        _ => text.to_string(),
    }
}

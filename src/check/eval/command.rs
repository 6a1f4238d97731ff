//! `command`: run a program (argv, never a shell) and look at its exit code and output.
//!
//! Variables are filled into each argument separately after their values were validated against their
//! patterns, so a value can never become a second command. A lesson from outside the shipped course
//! runs commands only after the learner allowed it.
//!
//! How the check is evaluated; its fields are in `lesson/check/command.rs`.

use std::time::Duration;

use crate::check::{Context, Outcome};
use crate::lesson::check::CommandCheck;
use crate::process;

/// A command that takes longer than this is stopped and the check cannot be judged.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

impl CommandCheck {
    /// Run the command. The caller has made sure the lesson is trusted to run commands.
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        let mut argv = Vec::new();
        for arg in self.run.iter() {
            match ctx.render(arg) {
                Ok(a) => argv.push(a),
                Err(o) => return o,
            }
        }
        let Some((program, args)) = argv.split_first() else {
            return Outcome::unknown("the command is empty");
        };
        let shown = shell_words::join(&argv);
        let output = match process::Command::new(program, args, COMMAND_TIMEOUT)
            .env(ctx.env())
            .output()
            .await
        {
            Ok(o) => o,
            Err(e @ process::Error::TimedOut(_)) => {
                return Outcome::unknown(format!("`{shown}` {e}"));
            }
            Err(e) => return Outcome::unknown(e.to_string()),
        };
        let code = output.status.code().unwrap_or(-1);
        let stdout = String::from_utf8_lossy(&output.stdout);
        if code != self.exit_code {
            return Outcome::fail(
                format!("`{shown}` exits with {}", self.exit_code),
                format!("it {}", process::exit_summary(&output)),
            );
        }
        if let Some(needle) = &self.stdout_contains {
            let needle = match ctx.render(needle) {
                Ok(n) => n,
                Err(o) => return o,
            };
            if !stdout.contains(&needle) {
                return Outcome::fail(
                    format!("`{shown}` prints `{needle}`"),
                    format!("it printed {}", excerpt(&stdout)),
                );
            }
        }
        if let Some(pattern) = &self.stdout_matches {
            let pattern = match ctx.render(pattern) {
                Ok(p) => p,
                Err(o) => return o,
            };
            match regex::Regex::new(&pattern) {
                Ok(re) if re.is_match(&stdout) => {}
                Ok(_) => {
                    return Outcome::fail(
                        format!("`{shown}` prints text matching `{pattern}`"),
                        format!("it printed {}", excerpt(&stdout)),
                    );
                }
                Err(e) => return Outcome::unknown(format!("invalid pattern `{pattern}`: {e}")),
            }
        }
        Outcome::pass(format!("`{shown}` exited with {code}"))
    }
}

fn excerpt(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() {
        return "nothing".into();
    }
    let cut: String = t.chars().take(120).collect();
    format!(
        "`{}`{}",
        cut.replace('\n', " ⏎ "),
        if t.chars().count() > 120 { "…" } else { "" }
    )
}

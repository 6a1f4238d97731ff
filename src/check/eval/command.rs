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
        self.evaluate_valued(ctx).await.0
    }

    /// The outcome, and on a pass the standard output, trimmed (what `capture` records).
    pub async fn evaluate_valued(&self, ctx: &Context) -> (Outcome, Option<String>) {
        let mut argv = Vec::new();
        for arg in self.run.iter() {
            match ctx.render(arg) {
                Ok(a) => argv.push(a),
                Err(o) => return (o, None),
            }
        }
        let Some((program, args)) = argv.split_first() else {
            return (Outcome::unknown("the command is empty"), None);
        };
        let shown = shell_words::join(&argv);
        let output = match process::Command::new(program, args, COMMAND_TIMEOUT)
            .env(ctx.env())
            .output()
            .await
        {
            Ok(o) => o,
            Err(e @ process::Error::TimedOut(_)) => {
                return (Outcome::unknown(format!("`{shown}` {e}")), None);
            }
            Err(e) => return (Outcome::unknown(e.to_string()), None),
        };
        let Some(wanted) = self.expected_exit() else {
            return (
                Outcome::unknown("`exit_code` is not a whole number (run `learn-registry lint`)"),
                None,
            );
        };
        let code = output.status.code().unwrap_or(-1);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if code != wanted {
            return (
                Outcome::fail(
                    format!("`{shown}` exits with {wanted}"),
                    format!("it {}", process::exit_summary(&output)),
                ),
                None,
            );
        }
        let streams = [
            (
                &self.stdout_contains,
                &self.stdout_matches,
                &stdout,
                "printed",
                "prints",
            ),
            (
                &self.stderr_contains,
                &self.stderr_matches,
                &stderr,
                "said on stderr",
                "says on stderr",
            ),
        ];
        for (contains, matches, text, did, does) in streams {
            if let Some(needle) = contains {
                let needle = match ctx.render(needle) {
                    Ok(n) => n,
                    Err(o) => return (o, None),
                };
                if !text.contains(&needle) {
                    return (
                        Outcome::fail(
                            format!("`{shown}` {does} `{needle}`"),
                            format!("it {did} {}", excerpt(text)),
                        ),
                        None,
                    );
                }
            }
            if let Some(pattern) = matches {
                let pattern = match ctx.render(pattern) {
                    Ok(p) => p,
                    Err(o) => return (o, None),
                };
                match regex::Regex::new(&pattern) {
                    Ok(re) if re.is_match(text) => {}
                    Ok(_) => {
                        return (
                            Outcome::fail(
                                format!("`{shown}` {does} text matching `{pattern}`"),
                                format!("it {did} {}", excerpt(text)),
                            ),
                            None,
                        );
                    }
                    Err(e) => {
                        return (
                            Outcome::unknown(format!("invalid pattern `{pattern}`: {e}")),
                            None,
                        );
                    }
                }
            }
        }
        (
            Outcome::pass(format!("`{shown}` exited with {code}")),
            Some(stdout.trim().to_string()),
        )
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

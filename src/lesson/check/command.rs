//! `command`: a program to run (argv, never a shell) and what its exit code and output must be.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/command.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// A command's exit code and output.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandCheck {
    /// The program and its arguments, e.g. `[docker, image, inspect, "{{ repository }}:1.0"]`.
    pub run: Sp<Vec<Sp<String>>>,
    /// The exit code expected (default 0).
    #[serde(default)]
    pub exit_code: i32,
    /// Text the standard output must contain.
    #[serde(default)]
    pub stdout_contains: Option<Sp<String>>,
    /// A regular expression the standard output must match.
    #[serde(default)]
    pub stdout_matches: Option<Sp<String>>,
}

impl CheckSpec for CommandCheck {
    const KIND: &'static str = "command";

    fn templates(&self) -> Vec<&Sp<String>> {
        let mut all: Vec<&Sp<String>> = self.run.iter().collect();
        all.extend(self.stdout_contains.iter());
        all.extend(self.stdout_matches.iter());
        all
    }

    fn patterns(&self) -> Vec<&Sp<String>> {
        self.stdout_matches.iter().collect()
    }
}

//! `command`: a program to run (argv, never a shell) and what its exit code and output must be.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/command.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

use super::CheckSpec;
use crate::lesson::Sp;

/// A command's exit code and output.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandCheck {
    /// The program and its arguments, e.g. `[docker, image, inspect, "{{ repository }}:1.0"]`.
    pub run: Sp<Vec<Sp<String>>>,
    /// The exit code expected (default 0): a whole number, not text (`exit_code: 1`).
    #[serde(default, deserialize_with = "whole_number")]
    #[schemars(with = "i32")]
    pub exit_code: i32,
    /// Text the standard output must contain.
    #[serde(default)]
    pub stdout_contains: Option<Sp<String>>,
    /// A regular expression the standard output must match.
    #[serde(default)]
    pub stdout_matches: Option<Sp<String>>,
    /// Text the standard error must contain (with `exit_code`, a command that must fail this way).
    #[serde(default)]
    pub stderr_contains: Option<Sp<String>>,
    /// A regular expression the standard error must match.
    #[serde(default)]
    pub stderr_matches: Option<Sp<String>>,
}

/// An exit code as YAML writes a number. serde-saphyr would read `"1"` into an `i32` too, and a
/// lesson whose `exit_code: "1"` is taken silently is a lesson that means something else than it says.
fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i32, D::Error> {
    struct Whole;
    impl<'de> Visitor<'de> for Whole {
        type Value = i32;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an integer")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i32, E> {
            i32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i32, E> {
            i32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
    }
    deserializer.deserialize_any(Whole)
}

impl CheckSpec for CommandCheck {
    const KIND: &'static str = "command";

    fn templates(&self) -> Vec<&Sp<String>> {
        let mut all: Vec<&Sp<String>> = self.run.iter().collect();
        all.extend(self.stdout_contains.iter());
        all.extend(self.stdout_matches.iter());
        all.extend(self.stderr_contains.iter());
        all.extend(self.stderr_matches.iter());
        all
    }

    fn patterns(&self) -> Vec<&Sp<String>> {
        self.stdout_matches
            .iter()
            .chain(self.stderr_matches.iter())
            .collect()
    }

    fn captures(&self) -> Option<&'static str> {
        Some("its standard output, trimmed")
    }

    fn describe(&self) -> String {
        let run = shell_words::join(self.run.iter().map(|a| a.as_str()));
        let mut s = format!("`{run}` exits with {}", self.exit_code);
        for (what, text) in [
            ("prints", &self.stdout_contains),
            ("prints text matching", &self.stdout_matches),
            ("says on stderr", &self.stderr_contains),
            ("says on stderr text matching", &self.stderr_matches),
        ] {
            if let Some(t) = text {
                s.push_str(&format!(" and {what} `{}`", **t));
            }
        }
        s
    }
}

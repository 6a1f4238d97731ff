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
    #[serde(default)]
    #[schemars(with = "Option<i32>")]
    pub exit_code: Option<Sp<ExitCode>>,
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

/// An exit code as written. serde-saphyr reads `"1"` into an `i32` as happily as `1`, and a lesson
/// whose `exit_code: "1"` is taken silently means something else than it says; so text is kept as
/// text here, and lint reports it where it stands (`wrong-type`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExitCode {
    Number(i32),
    Text(String),
}

impl<'de> Deserialize<'de> for ExitCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ExitCode, D::Error> {
        struct Either;
        impl<'de> Visitor<'de> for Either {
            type Value = ExitCode;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an integer")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ExitCode, E> {
                Ok(i32::try_from(v)
                    .map_or_else(|_| ExitCode::Text(v.to_string()), ExitCode::Number))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ExitCode, E> {
                Ok(i32::try_from(v)
                    .map_or_else(|_| ExitCode::Text(v.to_string()), ExitCode::Number))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExitCode, E> {
                Ok(ExitCode::Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ExitCode, E> {
                Ok(ExitCode::Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ExitCode, E> {
                Ok(ExitCode::Text(v.to_string()))
            }
        }
        deserializer.deserialize_any(Either)
    }
}

impl CommandCheck {
    /// The exit code expected; `None` when it was written as text (lint reports that).
    pub fn expected_exit(&self) -> Option<i32> {
        match self.exit_code.as_deref() {
            None => Some(0),
            Some(ExitCode::Number(n)) => Some(*n),
            Some(ExitCode::Text(_)) => None,
        }
    }
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
        let mut s = format!("`{run}` exits with {}", self.expected_exit().unwrap_or(0));
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

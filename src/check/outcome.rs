//! What a check found, as data: `Pass`, `Fail { expected, actual, hint }` or `Unknown { reason }`.
//!
//! `Unknown` means "could not verify" (engine down, registry unreachable, rate limited, timeout): it is
//! never shown, counted or graded as a failure. A failed check is not an `Err`; `Err` is for the
//! program going wrong.

use std::time::Duration;

use serde::Serialize;

use crate::probe::ProbeError;

/// The three-valued outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It holds. `saw` says what proved it ("push alice/app:1.0, digest sha256:…").
    Pass { saw: String },
    /// It does not hold: what was expected, what was found, and what to do about it.
    Fail {
        expected: String,
        actual: String,
        hint: Option<String>,
    },
    /// Could not verify; `retry_after` when a registry asked us to wait (HTTP 429).
    Unknown {
        reason: String,
        retry_after: Option<Duration>,
    },
}

/// Status words used in reports and JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Unknown,
    Pending,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::Pending => "pending",
        }
    }
}

impl Outcome {
    pub fn pass(saw: impl Into<String>) -> Outcome {
        Outcome::Pass { saw: saw.into() }
    }

    pub fn fail(expected: impl Into<String>, actual: impl Into<String>) -> Outcome {
        Outcome::Fail {
            expected: expected.into(),
            actual: actual.into(),
            hint: None,
        }
    }

    pub fn unknown(reason: impl Into<String>) -> Outcome {
        Outcome::Unknown {
            reason: reason.into(),
            retry_after: None,
        }
    }

    /// Add a hint to a failure (no effect on other outcomes).
    pub fn with_hint(mut self, text: impl Into<String>) -> Outcome {
        if let Outcome::Fail { hint, .. } = &mut self {
            *hint = Some(text.into());
        }
        self
    }

    /// A probe that could not answer: unreachable, slow or rate-limited peers are `Unknown`; a name
    /// the learner got wrong is a failure of the check; anything else also cannot be verified.
    pub fn from_probe(error: &ProbeError, expected: &str) -> Outcome {
        match error {
            ProbeError::InvalidReference { .. } | ProbeError::InvalidName { .. } => {
                Outcome::fail(expected, error.to_string())
            }
            _ => Outcome::Unknown {
                reason: error.to_string(),
                retry_after: error.retry_after(),
            },
        }
    }

    pub fn status(&self) -> Status {
        match self {
            Outcome::Pass { .. } => Status::Pass,
            Outcome::Fail { .. } => Status::Fail,
            Outcome::Unknown { .. } => Status::Unknown,
        }
    }

    pub fn is_pass(&self) -> bool {
        matches!(self, Outcome::Pass { .. })
    }
}

/// One check's outcome with the check's kind, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub kind: &'static str,
    pub outcome: Outcome,
}

impl CheckResult {
    /// One line for people: what was seen, what failed, or why it could not be verified.
    pub fn message(&self) -> String {
        match &self.outcome {
            Outcome::Pass { saw } => format!("saw: {saw}"),
            Outcome::Fail {
                expected, actual, ..
            } => format!("expected: {expected}; actual: {actual}"),
            Outcome::Unknown {
                reason,
                retry_after: Some(wait),
            } => format!("could not verify: {reason} (retry in {}s)", wait.as_secs()),
            Outcome::Unknown { reason, .. } => format!("could not verify: {reason}"),
        }
    }

    /// The JSON shape of docs/ARCHITECTURE.md ("Reports"): `{"kind", "status", "message", "expected", "actual"}` (+ `hint`,
    /// `retry_after_secs` when there are any).
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "kind": self.kind,
            "status": self.outcome.status(),
            "message": self.message(),
            "expected": serde_json::Value::Null,
            "actual": serde_json::Value::Null,
        });
        match &self.outcome {
            Outcome::Fail {
                expected,
                actual,
                hint,
            } => {
                v["expected"] = expected.as_str().into();
                v["actual"] = actual.as_str().into();
                if let Some(h) = hint {
                    v["hint"] = h.as_str().into();
                }
            }
            Outcome::Unknown {
                retry_after: Some(wait),
                ..
            } => v["retry_after_secs"] = wait.as_secs().into(),
            _ => {}
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_is_unknown_and_keeps_the_wait() {
        let e = ProbeError::RateLimited {
            target: "registry".into(),
            retry_after: Some(Duration::from_secs(30)),
        };
        let o = Outcome::from_probe(&e, "tag 1.0");
        assert_eq!(o.status(), Status::Unknown);
        let r = CheckResult {
            kind: "registry_tag",
            outcome: o,
        };
        assert!(r.message().contains("retry in 30s"), "{}", r.message());
        assert_eq!(r.to_json()["retry_after_secs"], 30);
    }

    #[test]
    fn bad_names_fail() {
        let e = ProbeError::InvalidReference {
            reference: "A/B".into(),
            reason: "uppercase".into(),
        };
        assert_eq!(Outcome::from_probe(&e, "x").status(), Status::Fail);
    }
}

//! Checks judged against the world: evaluation (`eval`, one file per kind), what it looks through
//! (`context`), what comes out (`outcome`: pass, fail, could not verify) and a lesson's steps judged
//! together (`report`). What a check *says* is the lesson model's (`crate::lesson::check`); this layer
//! sits above it and below the runner, `grade` and `test-lesson`, which all evaluate through here.

pub mod context;
pub mod diagnose;
pub mod eval;
pub mod outcome;
pub mod report;

/// The check being evaluated, re-exported for the layers above that name it with its results.
pub use crate::lesson::check::Check;
pub use context::{Context, Probes, Settings};
pub use eval::{Evaluated, evaluate, evaluate_item};
pub use outcome::{CheckResult, Outcome, Status};

//! The tally of a lesson test, for its summary line and its exit code.

/// Counts of steps (and of setup actions that did not pass).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
    pub skipped: usize,
}

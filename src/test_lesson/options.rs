//! How a lesson test runs, as the `test-lesson` command was asked.

use std::time::Duration;

/// The choices of one run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Run the solutions of a lesson that is not shipped without asking.
    pub yes: bool,
    /// Leave the names the run made, and its Docker config, for a look afterwards.
    pub keep: bool,
    /// Do not prepare the lessons the lesson requires.
    pub no_requires: bool,
    /// How long a step may take to pass after its solution.
    pub wait: Duration,
    /// Say on stderr what is running.
    pub progress: bool,
}

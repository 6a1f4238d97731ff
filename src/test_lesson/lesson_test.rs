//! The whole run's result: data the reports render and the exit code comes from.

use super::{Cleanup, Counts, Phase, SetupLine, StepTest};
use crate::exit;

/// The whole run.
#[derive(Debug, Clone, Default)]
pub struct LessonTest {
    pub lesson: String,
    pub title: String,
    pub registry: String,
    pub engine: String,
    pub prepared: Vec<String>,
    pub setup: Vec<SetupLine>,
    pub steps: Vec<StepTest>,
    pub cleanup: Cleanup,
}

impl LessonTest {
    /// Steps by their status; a setup action that did not pass counts as a failed or unverified one.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        let setup = self
            .setup
            .iter()
            .map(|s| s.status)
            .filter(|&p| p != Phase::Pass && p != Phase::Skipped);
        for phase in self.steps.iter().map(|s| s.status).chain(setup) {
            match phase {
                Phase::Pass => c.pass += 1,
                Phase::Fail => c.fail += 1,
                Phase::Unknown => c.unknown += 1,
                Phase::Skipped => c.skipped += 1,
            }
        }
        c
    }

    /// 1 on any failure, else 3 on anything unverified, else 0.
    pub fn exit_code(&self) -> u8 {
        let c = self.counts();
        if c.fail > 0 {
            exit::FAILED
        } else if c.unknown > 0 {
            exit::UNKNOWN
        } else {
            exit::OK
        }
    }
}

//! How one phase of a step's test went (fails first, solution, passes after), and how the phases
//! make the step's overall result.

use console::style;

use crate::check::Status;

/// How one phase of a step went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Phase {
    Pass,
    Fail,
    Unknown,
    /// Not run, or not required (a look step that passes already, a step without a solution).
    #[default]
    Skipped,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pass => "pass",
            Phase::Fail => "fail",
            Phase::Unknown => "unknown",
            Phase::Skipped => "skipped",
        }
    }

    pub fn from_status(status: Status) -> Phase {
        match status {
            Status::Pass => Phase::Pass,
            Status::Fail => Phase::Fail,
            Status::Unknown => Phase::Unknown,
            Status::Pending => Phase::Skipped,
        }
    }

    pub fn mark(self) -> console::StyledObject<&'static str> {
        match self {
            Phase::Pass => style("✓").green(),
            Phase::Fail => style("✗").red(),
            Phase::Unknown => style("?").yellow(),
            Phase::Skipped => style("–").dim(),
        }
    }

    /// A step's overall status from its phases: any failure fails it, then anything unverified.
    pub fn combine(phases: &[Phase]) -> Phase {
        if phases.contains(&Phase::Fail) {
            Phase::Fail
        } else if phases.contains(&Phase::Unknown) {
            Phase::Unknown
        } else {
            Phase::Pass
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_is_as_good_as_its_worst_phase() {
        assert_eq!(
            Phase::combine(&[Phase::Pass, Phase::Skipped, Phase::Pass]),
            Phase::Pass
        );
        assert_eq!(
            Phase::combine(&[Phase::Unknown, Phase::Pass, Phase::Fail]),
            Phase::Fail
        );
        assert_eq!(
            Phase::combine(&[Phase::Unknown, Phase::Pass, Phase::Pass]),
            Phase::Unknown
        );
    }
}

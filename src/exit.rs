//! Exit codes, as the command-line contract in `docs/ARCHITECTURE.md` fixes them ("Exit codes").

use crate::check::report::Summary;

/// Everything passed.
pub const OK: u8 = 0;
/// Something failed (a check, a grade).
pub const FAILED: u8 = 1;
/// Usage or lesson error.
pub const USAGE: u8 = 2;
/// Something could not be verified (engine down, registry unreachable).
pub const UNKNOWN: u8 = 3;

/// The exit code of a run from its counts of steps: 1 when something failed, else 3 when something
/// could not be verified, else 0. Decided here, by the commands layer, not by the results themselves.
pub fn for_summary(summary: &Summary) -> u8 {
    if summary.fail > 0 {
        FAILED
    } else if summary.unknown > 0 {
        UNKNOWN
    } else {
        OK
    }
}

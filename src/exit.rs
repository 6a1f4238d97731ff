//! Exit codes, as the command-line contract in `docs/ARCHITECTURE.md` fixes them ("Exit codes").

/// Everything passed.
pub const OK: u8 = 0;
/// Something failed (a check, a grade).
pub const FAILED: u8 = 1;
/// Usage or lesson error.
pub const USAGE: u8 = 2;
/// Something could not be verified (engine down, registry unreachable).
pub const UNKNOWN: u8 = 3;

//! Reports of `LessonReport`s, one pure render function per format, as hurl does: `human` for a
//! terminal, `json` in DESIGN.md's shape, `junit` for CI systems.

pub mod human;
pub mod json;
pub mod junit;

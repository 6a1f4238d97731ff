//! Reports of `LessonReport`s, one pure render function per format, as hurl does: `human` for a
//! terminal, `json` in DESIGN.md's shape, `junit` for CI systems; and for `grade`'s `Gradebook`,
//! `table` (terminal), `csv` (one row per student × step) and `html` (a self-contained heatmap).

pub mod csv;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod table;

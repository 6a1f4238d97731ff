//! Every renderer, and only renderers: pure functions from result data to text, one per format, as
//! hurl's `report/` is. They read the producers' types (`check::report::LessonReport` and
//! `grade::Gradebook`) and nothing reads them back: `check` and `grade` know nothing of `report`, and
//! the commands pick the format and decide the exit code (`docs/ARCHITECTURE.md`, "Data flow").
//!
//! - `lesson`: what `check` prints, per lesson: `human` (a terminal), `json` (the lesson objects of
//!   the command-line contract), `junit` (CI systems).
//! - `gradebook`: what `grade` prints for a class: `table` (a terminal), `csv` (one row per
//!   student × step), `html` (a self-contained heatmap), and `json` and `junit` built from the lesson
//!   ones (a student field on each lesson object, a test suite per student).

pub mod gradebook;
pub mod lesson;

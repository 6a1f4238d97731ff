//! `grade`: a whole class, judged from the registry's own state. A roster (`roster`) names the
//! students and their variables; `evaluate` runs each lesson step's remote checks for each of them,
//! concurrently and with retries; the result is a `Gradebook`, which the report functions render:
//! `crate::report::{table, csv, html}` and, beside DESIGN.md's per-lesson JSON and JUnit, `json` and
//! `junit` here (a student field on each lesson object, a test suite per student).

pub mod evaluate;
pub mod gradebook;
pub mod json;
pub mod junit;
pub mod retry;
pub mod roster;

pub use evaluate::{GradedLesson, Options, columns, grade_class, plan, work};
pub use gradebook::{Column, Gradebook, StudentGrade, completion};
pub use retry::RetryPolicy;
pub use roster::{Roster, RosterEntry};

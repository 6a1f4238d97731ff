//! `grade`: a whole class, judged from the registry's own state. A roster (`roster`) names the
//! students and their variables; `evaluate` runs each lesson step's remote checks for each of them,
//! concurrently and with retries; the result is a `Gradebook`, plain data. Rendering it is
//! `crate::report::gradebook`'s job, and the exit code `crate::commands`'s, so nothing here imports
//! either (`docs/ARCHITECTURE.md`, "Data flow").

pub mod evaluate;
pub mod gradebook;
pub mod retry;
pub mod roster;

pub use evaluate::{GradedLesson, Options, columns, grade_class, plan, work};
pub use gradebook::{Column, Gradebook, StudentGrade, completion};
pub use retry::RetryPolicy;
pub use roster::{Roster, RosterEntry};

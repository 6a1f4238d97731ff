//! The per-lesson reports of `check`: one `render` per format over `LessonReport`s. `json::lesson`
//! and `junit::check_case` are the building blocks `gradebook`'s JSON and JUnit reuse per student.

pub mod human;
pub mod json;
pub mod junit;

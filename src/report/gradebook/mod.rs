//! The class reports of `grade`: one `render` per format over a `grade::Gradebook`. A roster line
//! that could not be graded keeps its place in every format, with its problem, so the instructor sees
//! each student where the roster put them.

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod table;

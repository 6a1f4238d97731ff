//! Lessons: the YAML model (`model`, a step's `solution` in `solution`), reading files with locations
//! (`load`), filling in `{{ variables }}` (`template`), lint (`validate`), and where lessons come from
//! (`source`: shipped or a folder).

pub mod check;
pub mod load;
pub mod model;
pub mod pattern;
pub mod solution;
pub mod source;
pub mod spanned;
pub mod template;
pub mod unique;
pub mod validate;

pub use model::{Lesson, Step};
pub use spanned::Sp;

//! The graded class, as data every report renders: the columns (each graded step of each lesson) and,
//! per student, the lesson reports `check` would give, restricted to the checks that can be verified
//! from outside. A roster line that could not be graded (an invalid username) keeps its place, with
//! its problem and no cells, so every format shows it where the instructor expects it.

use crate::check::Status;
use crate::check::report::{LessonReport, StepReport, Summary};

/// One graded step: a column of the heatmap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub lesson: String,
    pub lesson_title: String,
    pub step: String,
    pub step_title: String,
}

impl Column {
    /// `LESSON/STEP`, unique across the course.
    pub fn id(&self) -> String {
        format!("{}/{}", self.lesson, self.step)
    }
}

/// One student's grade.
#[derive(Debug, Clone)]
pub struct StudentGrade {
    /// The roster line (1-based).
    pub line: u64,
    /// Display name and registry user, as the roster gives them (anything at all: escape on output).
    pub student: String,
    pub username: String,
    /// Why this line was not graded (`roster.csv:4: ... is not a valid username ...`).
    pub problem: Option<String>,
    /// One report per graded lesson, each with the graded steps in column order; empty when
    /// `problem` is set.
    pub lessons: Vec<LessonReport>,
}

impl StudentGrade {
    /// The student's cell for each column, `None` where nothing was graded.
    pub fn cells<'a>(&'a self, columns: &[Column]) -> Vec<Option<&'a StepReport>> {
        columns
            .iter()
            .map(|c| {
                self.lessons
                    .iter()
                    .filter(|l| l.lesson == c.lesson)
                    .flat_map(|l| l.steps.iter())
                    .find(|s| s.id == c.step)
            })
            .collect()
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for l in &self.lessons {
            s.add(l.summary());
        }
        s
    }
}

/// The whole class.
#[derive(Debug, Clone)]
pub struct Gradebook {
    /// The roster's file name.
    pub roster: String,
    /// The registry graded against (`--registry`; a roster `registry` column may override it per student).
    pub registry: String,
    pub columns: Vec<Column>,
    pub students: Vec<StudentGrade>,
}

impl Gradebook {
    /// Counts of one column over the students that were graded.
    pub fn column_summary(&self, index: usize) -> Summary {
        let mut s = Summary::default();
        for student in &self.students {
            if let Some(Some(step)) = student.cells(&self.columns).get(index) {
                count(&mut s, step.status);
            }
        }
        s
    }

    /// Every cell of the class.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for student in &self.students {
            s.add(student.summary());
        }
        s
    }

    /// Roster lines that were not graded.
    pub fn problems(&self) -> impl Iterator<Item = &str> {
        self.students.iter().filter_map(|s| s.problem.as_deref())
    }

    /// DESIGN.md's exit codes: a roster line that could not be graded is an input error (2), even
    /// though the rest of the class was graded and reported; then 1 when a cell failed, 3 when one
    /// could not be verified, 0 when everything passed.
    pub fn exit_code(&self) -> u8 {
        if self.problems().next().is_some() {
            crate::exit::USAGE
        } else {
            crate::exit::for_summary(&self.summary())
        }
    }
}

fn count(s: &mut Summary, status: Status) {
    match status {
        Status::Pass => s.pass += 1,
        Status::Fail => s.fail += 1,
        Status::Unknown => s.unknown += 1,
        Status::Pending => s.pending += 1,
    }
}

/// The share of graded students who passed a column, in whole percent (`None` when nobody was graded).
pub fn completion(s: &Summary) -> Option<u32> {
    let graded = s.pass + s.fail + s.unknown + s.pending;
    (graded > 0).then(|| ((s.pass * 100) as f64 / graded as f64).round() as u32)
}

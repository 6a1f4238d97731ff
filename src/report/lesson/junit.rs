//! JUnit XML: a test suite per lesson, a test case per check (`STEP/KIND`). A failed check is a
//! `failure`; one that could not be verified is an `error`, so CI systems keep the two apart. A check's
//! test case (`check_case`) is shared with `grade`'s JUnit, which groups them per student.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::check::report::LessonReport;
use crate::check::{CheckResult, Outcome};

pub fn render(name: &str, reports: &[LessonReport]) -> String {
    let mut report = Report::new(name);
    for lesson in reports {
        let mut suite = TestSuite::new(lesson.lesson.as_str());
        for step in &lesson.steps {
            if step.checks.is_empty() {
                let mut status = TestCaseStatus::skipped();
                if let Some(note) = &step.note {
                    status.set_message(note.as_str());
                }
                let mut case = TestCase::new(step.id.as_str(), status);
                case.set_classname(lesson.lesson.as_str());
                suite.add_test_case(case);
                continue;
            }
            for check in &step.checks {
                suite.add_test_case(check_case(&lesson.lesson, &step.id, check, false));
            }
        }
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}

/// The test case of one check: `STEP/KIND`, class name the lesson. A failure or an error carries the
/// check's message; `with_detail` adds a failure's expected, actual and hint as its text (for readers
/// of a grade report, who did not run the check themselves).
pub fn check_case(lesson: &str, step: &str, check: &CheckResult, with_detail: bool) -> TestCase {
    let status = match &check.outcome {
        Outcome::Pass { .. } => TestCaseStatus::success(),
        Outcome::Fail {
            expected,
            actual,
            hint,
        } => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(check.message());
            if with_detail {
                let mut text = format!("expected: {expected}\nactual:   {actual}\n");
                if let Some(h) = hint {
                    text.push_str(&format!("hint:     {h}\n"));
                }
                s.set_description(text);
            }
            s
        }
        Outcome::Unknown { .. } => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_message(check.message());
            s
        }
    };
    let mut case = TestCase::new(format!("{step}/{}", check.kind), status);
    case.set_classname(lesson);
    if let Outcome::Pass { saw } = &check.outcome {
        case.set_system_out(saw.as_str());
    }
    case
}

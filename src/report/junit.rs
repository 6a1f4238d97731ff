//! JUnit XML: a test suite per lesson, a test case per check (`STEP/KIND`). A failed check is a
//! `failure`; one that could not be verified is an `error`, so CI systems keep the two apart.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::check::Outcome;
use crate::check::report::LessonReport;

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
                let status = match &check.outcome {
                    Outcome::Pass { .. } => TestCaseStatus::success(),
                    Outcome::Fail { .. } => {
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        s.set_message(check.message());
                        s
                    }
                    Outcome::Unknown { .. } => {
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                        s.set_message(check.message());
                        s
                    }
                };
                let mut case = TestCase::new(format!("{}/{}", step.id, check.kind), status);
                case.set_classname(lesson.lesson.as_str());
                if let Outcome::Pass { saw } = &check.outcome {
                    case.set_system_out(saw.as_str());
                }
                suite.add_test_case(case);
            }
        }
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}

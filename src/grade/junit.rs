//! `grade --format junit`: a test suite per student (named `STUDENT (USERNAME)`), a test case per
//! graded check (`STEP/KIND`, class name the lesson). A failed check is a `failure` with expected and
//! actual in its text; one that could not be verified is an `error`, as in `check`'s JUnit. A roster
//! line that could not be graded is a suite with one `roster` test case in error.

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::Gradebook;
use crate::check::Outcome;

pub fn render(book: &Gradebook) -> String {
    let mut report = Report::new("learn-registry grade");
    for student in &book.students {
        let mut suite = TestSuite::new(format!("{} ({})", student.student, student.username));
        suite.add_property(Property::new("student", student.student.as_str()));
        suite.add_property(Property::new("username", student.username.as_str()));
        suite.add_property(Property::new("line", student.line.to_string()));
        if let Some(problem) = &student.problem {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(problem.as_str());
            let mut case = TestCase::new("roster", status);
            case.set_classname(book.roster.as_str());
            suite.add_test_case(case);
        }
        for lesson in &student.lessons {
            for step in &lesson.steps {
                for check in &step.checks {
                    let status = match &check.outcome {
                        Outcome::Pass { .. } => TestCaseStatus::success(),
                        Outcome::Fail {
                            expected,
                            actual,
                            hint,
                        } => {
                            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                            s.set_message(check.message());
                            let mut text = format!("expected: {expected}\nactual:   {actual}\n");
                            if let Some(h) = hint {
                                text.push_str(&format!("hint:     {h}\n"));
                            }
                            s.set_description(text);
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
        }
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}

//! `grade --format junit`: a test suite per student (named `STUDENT (USERNAME)`), a test case per
//! graded check (`STEP/KIND`, class name the lesson). A failed check is a `failure` with expected and
//! actual in its text; one that could not be verified is an `error`, as in `check`'s JUnit. A roster
//! line that could not be graded is a suite with one `roster` test case in error. Names are kept as
//! written, except characters XML cannot hold (`xml`).

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::grade::Gradebook;
use crate::report::lesson::junit::{check_case, xml};

pub fn render(book: &Gradebook) -> String {
    let mut report = Report::new("learn-registry grade");
    for student in &book.students {
        let mut suite = TestSuite::new(xml(&format!("{} ({})", student.student, student.username)));
        suite.add_property(Property::new("student", xml(&student.student)));
        suite.add_property(Property::new("username", xml(&student.username)));
        suite.add_property(Property::new("line", student.line.to_string()));
        if let Some(problem) = &student.problem {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(xml(problem));
            let mut case = TestCase::new("roster", status);
            case.set_classname(xml(&book.roster));
            suite.add_test_case(case);
        }
        for lesson in &student.lessons {
            for step in &lesson.steps {
                for check in &step.checks {
                    suite.add_test_case(check_case(&lesson.lesson, &step.id, check, true));
                }
            }
        }
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}

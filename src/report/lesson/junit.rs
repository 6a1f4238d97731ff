//! JUnit XML: a test suite per lesson, a test case per check (`STEP/KIND`). A failed check is a
//! `failure`; one that could not be verified is an `error`, so CI systems keep the two apart. A check's
//! test case (`check_case`) is shared with `grade`'s JUnit, which groups them per student.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::check::report::LessonReport;
use crate::check::{CheckResult, Outcome};

/// `text` for JUnit XML: the control characters (C0 but tab, newline and carriage return; DEL; C1)
/// written visibly (`\e`). XML 1.0 cannot hold most C0 controls at all, and quick-junit silently
/// drops them and whole ANSI sequences with them; written visibly, a registry's or a roster's ESC
/// stays in the report as data without making it unreadable for CI.
pub fn xml(text: &str) -> String {
    let escaped = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if !text.contains(escaped) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escaped(c) {
            out.push_str(&crate::text::visible(c));
        } else {
            out.push(c);
        }
    }
    out
}

pub fn render(name: &str, reports: &[LessonReport]) -> String {
    let mut report = Report::new(name);
    for lesson in reports {
        let mut suite = TestSuite::new(xml(&lesson.lesson));
        for step in &lesson.steps {
            if step.checks.is_empty() {
                let mut status = TestCaseStatus::skipped();
                if let Some(note) = &step.note {
                    status.set_message(xml(note));
                }
                let mut case = TestCase::new(xml(&step.id), status);
                case.set_classname(xml(&lesson.lesson));
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
            s.set_message(xml(&check.message()));
            if with_detail {
                let mut text = format!("expected: {expected}\nactual:   {actual}\n");
                if let Some(h) = hint {
                    text.push_str(&format!("hint:     {h}\n"));
                }
                s.set_description(xml(&text));
            }
            s
        }
        Outcome::Unknown { .. } => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_message(xml(&check.message()));
            s
        }
    };
    let mut case = TestCase::new(xml(&format!("{step}/{}", check.kind)), status);
    case.set_classname(xml(lesson));
    if let Outcome::Pass { saw } = &check.outcome {
        case.set_system_out(xml(saw));
    }
    case
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_written_visibly() {
        assert_eq!(
            xml("\u{1b}]52;\u{7} \u{0}\t\n\u{9b}31m"),
            "\\e]52;\\a \\0\t\n\\u{9b}31m"
        );
        assert_eq!(xml("Zoë <b>"), "Zoë <b>");
    }
}

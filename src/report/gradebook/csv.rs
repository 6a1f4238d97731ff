//! `grade --format csv`: the long ("tidy") form, one row per student × graded step:
//! `line,student,username,lesson,step,status,expected,actual,message`. A long table sorts, filters and
//! pivots in any spreadsheet, and it holds the expected / actual of each failure, which a wide
//! students × steps table has no room for. A roster line that was not graded is one row with status
//! `not graded` and the reason as message.
//!
//! Cells come from students (names, usernames, and messages that quote them), so any cell a
//! spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is
//! prefixed with `'`, as OWASP recommends against CSV injection.

use crate::check::Outcome;
use crate::grade::Gradebook;

pub const HEADER: [&str; 9] = [
    "line", "student", "username", "lesson", "step", "status", "expected", "actual", "message",
];

/// A cell no spreadsheet will evaluate.
pub fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

pub fn render(book: &Gradebook) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut write = |row: [&str; 9]| {
        let row: Vec<String> = row.iter().map(|c| defuse(c)).collect();
        writer.write_record(&row).expect("writing to memory");
    };
    write(HEADER);
    for student in &book.students {
        let line = student.line.to_string();
        if let Some(problem) = &student.problem {
            write([
                &line,
                &student.student,
                &student.username,
                "",
                "",
                "not graded",
                "",
                "",
                problem,
            ]);
            continue;
        }
        for lesson in &student.lessons {
            for step in &lesson.steps {
                let mut expected = Vec::new();
                let mut actual = Vec::new();
                for c in &step.checks {
                    if let Outcome::Fail {
                        expected: e,
                        actual: a,
                        ..
                    } = &c.outcome
                    {
                        expected.push(e.as_str());
                        actual.push(a.as_str());
                    }
                }
                let message = step
                    .checks
                    .iter()
                    .map(|c| format!("{}: {}", c.kind, c.message()))
                    .collect::<Vec<_>>()
                    .join(" | ");
                write([
                    &line,
                    &student.student,
                    &student.username,
                    &lesson.lesson,
                    &step.id,
                    step.status.as_str(),
                    &expected.join(" | "),
                    &actual.join(" | "),
                    &message,
                ]);
            }
        }
    }
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("UTF-8 in, UTF-8 out")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("-1+2"), "'-1+2");
        assert_eq!(defuse("alice"), "alice");
    }
}

//! For people: a line per step with a mark, then what was seen, or expected / actual / hint. Every
//! string here is someone else's (lesson text, registry and engine answers quoted in messages), so each
//! goes through `text::line` before it is styled: only our own colors reach the terminal.

use console::style;

use crate::check::report::{LessonReport, Summary};
use crate::check::{Outcome, Status};
use crate::text::line;

pub fn mark(status: Status) -> console::StyledObject<&'static str> {
    match status {
        Status::Pass => style("✓").green(),
        Status::Fail => style("✗").red(),
        Status::Unknown => style("?").yellow(),
        Status::Pending => style("·").dim(),
    }
}

pub fn render(reports: &[LessonReport]) -> String {
    let mut out = String::new();
    let mut total = Summary::default();
    for lesson in reports {
        out.push_str(&format!(
            "{}  {}\n",
            style(line(&lesson.lesson)).bold(),
            line(&lesson.title)
        ));
        let width = lesson
            .steps
            .iter()
            .map(|s| line(&s.id).chars().count())
            .max()
            .unwrap_or(0);
        for step in &lesson.steps {
            out.push_str(&format!(
                "  {} {:width$}  {}\n",
                mark(step.status),
                line(&step.id),
                line(&step.title)
            ));
            if let Some(note) = &step.note {
                out.push_str(&format!("      {}\n", style(line(note)).dim()));
            }
            for check in &step.checks {
                match &check.outcome {
                    Outcome::Pass { saw } => {
                        out.push_str(&format!("      {} {}\n", style("saw:").dim(), line(saw)))
                    }
                    Outcome::Fail {
                        expected,
                        actual,
                        hint,
                    } => {
                        out.push_str(&format!(
                            "      {} {}\n",
                            style(format!("{}:", check.kind)).red(),
                            "failed"
                        ));
                        out.push_str(&format!(
                            "        expected: {}\n        actual:   {}\n",
                            line(expected),
                            line(actual)
                        ));
                        if let Some(h) = hint {
                            out.push_str(&format!("        hint:     {}\n", line(h)));
                        }
                    }
                    Outcome::Unknown { .. } => out.push_str(&format!(
                        "      {} {}\n",
                        style(format!("{}:", check.kind)).yellow(),
                        line(&check.message())
                    )),
                }
            }
        }
        total.add(lesson.summary());
        out.push('\n');
    }
    out.push_str(&format!(
        "{} passed, {} failed, {} could not be verified, {} pending\n",
        total.pass, total.fail, total.unknown, total.pending
    ));
    out
}

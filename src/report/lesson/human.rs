//! For people: a line per step with a mark, then what was seen, or expected / actual / hint.

use console::style;

use crate::check::report::{LessonReport, Summary};
use crate::check::{Outcome, Status};

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
            style(&lesson.lesson).bold(),
            lesson.title
        ));
        let width = lesson.steps.iter().map(|s| s.id.len()).max().unwrap_or(0);
        for step in &lesson.steps {
            out.push_str(&format!(
                "  {} {:width$}  {}\n",
                mark(step.status),
                step.id,
                step.title
            ));
            if let Some(note) = &step.note {
                out.push_str(&format!("      {}\n", style(note).dim()));
            }
            for check in &step.checks {
                match &check.outcome {
                    Outcome::Pass { saw } => {
                        out.push_str(&format!("      {} {saw}\n", style("saw:").dim()))
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
                            "        expected: {expected}\n        actual:   {actual}\n"
                        ));
                        if let Some(h) = hint {
                            out.push_str(&format!("        hint:     {h}\n"));
                        }
                    }
                    Outcome::Unknown { .. } => out.push_str(&format!(
                        "      {} {}\n",
                        style(format!("{}:", check.kind)).yellow(),
                        check.message()
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

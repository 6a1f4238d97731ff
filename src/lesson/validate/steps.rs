//! Steps: at least one, each with a unique id and something to verify, its checks and quiz sound, a
//! solution whose lines split like a shell would, and a link a browser can open.

use std::collections::{BTreeMap, HashMap};

use super::{Flow, ID, Lint, checks, quiz};
use crate::lesson::Sp;
use crate::lesson::model::Step;

pub(super) fn steps(lint: &mut Lint<'_>, samples: &BTreeMap<String, String>) -> Flow {
    let steps = &lint.lesson.steps;
    if steps.is_empty() {
        let d = lint
            .at(steps, "no-steps", "lesson has no steps".into())
            .help("a lesson needs at least one step");
        lint.push(d)?;
    }
    let mut ids: HashMap<&str, &Sp<String>> = HashMap::new();
    for step in steps.iter() {
        id(lint, step, &mut ids)?;
        for check in &step.checks {
            checks::check(lint, check, samples)?;
        }
        solution(lint, step)?;
        link(lint, step)?;
        if let Some(q) = &step.quiz {
            quiz::quiz(lint, q)?;
        }
    }
    Flow::Continue(())
}

/// The step's id: well formed, not used before in the lesson; and the step verifies something.
fn id<'a>(lint: &mut Lint<'a>, step: &'a Step, ids: &mut HashMap<&'a str, &'a Sp<String>>) -> Flow {
    if !ID.is_match(&step.id) {
        lint.push(lint.at(
            &step.id,
            "invalid-id",
            format!(
                "step id `{}` is not lowercase words joined by `-`",
                *step.id
            ),
        ))?;
    }
    if let Some(first) = ids.insert(step.id.as_str(), &step.id) {
        let d = lint
            .at(
                &step.id,
                "duplicate-step-id",
                format!("step id `{}` is used twice in this lesson", *step.id),
            )
            .label(format!("first used on line {}", first.line()));
        lint.push(d)?;
    }
    if !step.has_something_to_do() {
        let d = lint
            .at(
                &step.id,
                "empty-step",
                format!("step `{}` verifies nothing", *step.id),
            )
            .help("add `checks:`, a `quiz:`, or mark it `human_only: true`");
        lint.push(d)?;
    }
    Flow::Continue(())
}

/// Each line of a solution is run as a command by `test-lesson`; an unclosed quote cannot be.
fn solution(lint: &mut Lint<'_>, step: &Step) -> Flow {
    let Some(solution) = &step.solution else {
        return Flow::Continue(());
    };
    let mut cursor = 0;
    for line in solution
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let command = crate::lesson::model::expected_to_fail(line).unwrap_or(line);
        match shell_words::split(command) {
            Err(_) => lint.push(lint.at_text_after(
                solution,
                &mut cursor,
                line,
                "invalid-solution",
                "solution line has an unclosed quote".into(),
            ))?,
            Ok(words) => {
                if let Some(word) = words
                    .iter()
                    .find(|w| crate::lesson::model::needs_a_shell(w))
                {
                    let d = lint
                        .at_text_after(
                            solution,
                            &mut cursor,
                            line,
                            "solution-needs-shell",
                            "a solution runs without a shell: split it into lines".into(),
                        )
                        .help(format!(
                            "`{word}` means something only to a shell; write one command a line"
                        ));
                    lint.push(d)?;
                }
            }
        }
    }
    Flow::Continue(())
}

fn link(lint: &mut Lint<'_>, step: &Step) -> Flow {
    let Some(link) = &step.link else {
        return Flow::Continue(());
    };
    if link.starts_with("https://") || link.starts_with("http://") {
        return Flow::Continue(());
    }
    let d = lint
        .at(
            link,
            "invalid-link",
            "`link` must start with `https://` or `http://`".into(),
        )
        .help(if link.contains("://") {
            "use a web address, such as `https://hub.docker.com/`".to_string()
        } else {
            format!("write the full address: `https://{}`", **link)
        });
    lint.push(d)
}

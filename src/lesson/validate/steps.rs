//! Steps: at least one, each with a unique id and something to verify, its checks and quiz sound, a
//! solution whose lines split like a shell would (and whose `{ run, expect }` entries are one command
//! each), and a link a browser can open.

use std::collections::{BTreeMap, HashMap};

use super::{Flow, ID, Lint, checks, quiz};
use crate::lesson::Sp;
use crate::lesson::model::{Step, needs_a_shell};
use crate::lesson::solution::{SolutionLine, expected_to_fail};

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

/// Each line of a solution is run as a command by `test-lesson`: it must split like a shell would, mean
/// the same without a shell, and a `{ run, expect }` entry holds one command and says `fail` the one
/// way (`expect`), not also with `! `. (An `expect` other than `fail` or `success` is refused when the
/// file is read, with the two values offered.)
fn solution(lint: &mut Lint<'_>, step: &Step) -> Flow {
    let Some(solution) = &step.solution else {
        return Flow::Continue(());
    };
    let mut cursor = 0;
    for line in solution.lines() {
        if line.mapping {
            mapping(lint, &line)?;
        }
        match shell_words::split(line.command) {
            Err(_) => lint.push(lint.at_text_after(
                line.written,
                &mut cursor,
                line.as_written,
                "invalid-solution",
                "solution line has an unclosed quote".into(),
            ))?,
            Ok(words) => {
                if let Some(word) = words.iter().find(|w| needs_a_shell(w)) {
                    let d = lint
                        .at_text_after(
                            line.written,
                            &mut cursor,
                            line.as_written,
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

/// A `{ run, expect }` entry: one command, not empty, without the `! ` of the text form.
fn mapping(lint: &mut Lint<'_>, line: &SolutionLine<'_>) -> Flow {
    let run = line.written;
    if line.command.is_empty() {
        let d = lint.at(run, "empty-solution-line", "`run` is empty".into());
        return lint.push(d.help("write the command to run, or remove the entry"));
    }
    if line
        .command
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
        > 1
    {
        let d = lint.at(
            run,
            "invalid-solution",
            "`run` holds one command, not several lines".into(),
        );
        lint.push(d.help("give each command an entry of its own"))?;
    }
    if expected_to_fail(line.command).is_some() {
        let d = lint.at(
            run,
            "invalid-solution",
            "`run` starts with `!`, which runs a program named `!`".into(),
        );
        let help = if line.must_fail() {
            "remove the `!`: `expect: fail` already says the command must fail"
        } else {
            "remove the `!` and write `expect: fail` beside `run`"
        };
        lint.push(d.help(help))?;
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

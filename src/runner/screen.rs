//! What the learner reads: the step screen (lesson and step number, title, the Markdown body, the
//! commands to try set apart), check results, hints and solutions, all with the variables filled in
//! and wrapped to the terminal's width. Pure functions of their inputs, so tests can look at them.
//! Lesson text, variable values and check results are outside strings: each is escaped with
//! `crate::text` here, before our own styling goes around it (Markdown is escaped by `markdown::render`).

use std::collections::BTreeMap;

use console::style;

use crate::check::report::StepReport;
use crate::check::{CheckResult, Outcome};
use crate::lesson::solution::Solution;
use crate::lesson::{Lesson, Step, template};
use crate::runner::markdown;
use crate::text::line;

/// Fill in variables; a missing one stays as written (`{{ name }}`), which is better than nothing.
/// The result is data (a link to open, an answer to compare): escape it where it is shown.
pub fn fill(text: &str, vars: &BTreeMap<String, String>) -> String {
    template::render(text, vars).unwrap_or_else(|_| text.to_string())
}

/// [`fill`], escaped as one line for the terminal.
fn shown(text: &str, vars: &BTreeMap<String, String>) -> String {
    line(&fill(text, vars)).into_owned()
}

fn styled<D>(color: bool, d: D) -> console::StyledObject<D> {
    style(d).force_styling(color)
}

/// The screen of step `index` (0-based) of `lesson`.
pub fn step_screen(
    lesson: &Lesson,
    index: usize,
    vars: &BTreeMap<String, String>,
    width: usize,
    color: bool,
) -> String {
    let step = &lesson.steps[index];
    let mut out = String::new();
    let head = format!(
        "{} · step {} of {}",
        shown(&lesson.title, vars),
        index + 1,
        lesson.steps.len()
    );
    let rule = "─".repeat(
        width
            .saturating_sub(console::measure_text_width(&head) + 4)
            .min(40),
    );
    out.push_str(&format!(
        "\n{}\n",
        styled(color, format!("── {head} {rule}")).dim()
    ));
    out.push_str(&format!(
        "{}\n",
        styled(color, shown(&step.title, vars)).bold()
    ));
    if let Some(body) = &step.body {
        out.push('\n');
        out.push_str(&markdown::render(&fill(body, vars), width, color));
        out.push('\n');
    }
    if !step.commands.is_empty() {
        out.push('\n');
        out.push_str(&format!(
            "  {}\n",
            styled(color, "Try, in another terminal:").dim()
        ));
        for c in &step.commands {
            out.push_str(&format!(
                "    {} {}\n",
                styled(color, "$").dim(),
                styled(color, shown(c, vars)).yellow()
            ));
        }
    }
    if let Some(link) = &step.link {
        out.push_str(&format!(
            "\n  {} {}\n",
            styled(color, "page:").dim(),
            styled(color, shown(link, vars)).underlined()
        ));
    }
    out
}

/// The keys line shown under a step that waits.
pub fn keys_line(step: &Step, color: bool) -> String {
    let mut keys = vec![];
    if step.human_only {
        keys.push(("y", "I did it"));
    }
    keys.push(("c", "check now"));
    if !step.hints.is_empty() {
        keys.push(("h", "hint"));
    }
    if step.solution.is_some() {
        keys.push(("s", "solution"));
    }
    if step.link.is_some() {
        keys.push(("o", "open page"));
    }
    keys.push(("q", "quit"));
    keys.push(("?", "help"));
    let parts: Vec<String> = keys
        .iter()
        .map(|(k, what)| format!("{} {what}", styled(color, *k).bold()))
        .collect();
    format!("  {}", styled(color, parts.join(" · ")).dim())
}

/// The help shown on `?`.
pub fn help(color: bool) -> String {
    let k = |s: &'static str| styled(color, s).bold().to_string();
    [
        format!("  {}  check now, and show what was expected and what was found", k("c")),
        format!("  {}  show the next hint", k("h")),
        format!("  {}  show the solution (after a check has failed)", k("s")),
        format!("  {}  open the step's page in a browser", k("o")),
        format!("  {}  confirm a step only you can verify", k("y")),
        format!("  {}  quit; your progress is kept", k("q")),
        "  The runner also checks by itself whenever Docker tags, pushes, pulls or removes an image, and every few seconds.".to_string(),
    ]
    .join("\n")
}

/// The success lines of a passed step: a check mark and what each check saw.
pub fn passed(title: &str, report: &StepReport, color: bool) -> String {
    let mut out = format!(
        "{} {}",
        styled(color, "✓").green().bold(),
        styled(color, line(title)).green()
    );
    for r in &report.checks {
        if let Outcome::Pass { saw } = &r.outcome {
            out.push_str(&format!("\n    saw: {}", line(saw)));
        }
    }
    out
}

/// What `c` shows when a step is not done: each failed check with expected, actual and hint; checks
/// that could not be verified, as such (never as failures).
pub fn not_yet(report: &StepReport, width: usize, color: bool) -> String {
    let mut out = Vec::new();
    for r in &report.checks {
        out.push(check_lines(r, width, color));
    }
    out.join("\n")
}

fn check_lines(r: &CheckResult, width: usize, color: bool) -> String {
    match &r.outcome {
        Outcome::Pass { saw } => format!(
            "  {} {}: saw: {}",
            styled(color, "✓").green(),
            r.kind,
            line(saw)
        ),
        Outcome::Fail {
            expected,
            actual,
            hint,
        } => {
            let mut s = format!(
                "  {} {}: not yet\n      expected: {}\n      actual:   {}",
                styled(color, "✗").red().bold(),
                r.kind,
                line(expected),
                line(actual)
            );
            if let Some(h) = hint {
                let h = markdown::render(h, width.saturating_sub(16), color);
                s.push_str(&format!(
                    "\n      hint:     {}",
                    h.replace('\n', "\n                ")
                ));
            }
            s
        }
        Outcome::Unknown { .. } => format!(
            "  {} {}: {}",
            styled(color, "?").yellow(),
            r.kind,
            line(&r.message())
        ),
    }
}

/// Render a hint or a quiz's `why` (Markdown) indented under a label.
pub fn labelled(label: &str, text: &str, width: usize, color: bool) -> String {
    let body = markdown::render(text, width.saturating_sub(4), color);
    format!(
        "  {}\n    {}",
        styled(color, label).bold(),
        body.replace('\n', "\n    ")
    )
}

/// The solution, one command a line, with the values known so far filled in. A value an earlier step
/// captures but the progress does not hold (yet) shows as `<name>`, with a note saying what it stands
/// for; a `{ run, expect: fail }` line is the command and a note that it is meant to fail (a `! `
/// line is shown as written: the shell's own negation, which can be pasted).
pub fn solution(solution: &Solution, vars: &BTreeMap<String, String>, color: bool) -> String {
    let mut out = format!("  {}", styled(color, "solution:").bold());
    let mut unknown: Vec<String> = Vec::new();
    for written in solution.lines() {
        let text = if written.mapping {
            written.command
        } else {
            written.as_written
        };
        let (filled, missing) = fill_known(text, vars);
        for name in missing {
            if !unknown.contains(&name) {
                unknown.push(name);
            }
        }
        out.push_str(&format!(
            "\n    {} {}",
            styled(color, "$").dim(),
            styled(color, crate::text::line(&filled)).yellow()
        ));
        if written.mapping && written.must_fail() {
            out.push_str(&format!("  {}", styled(color, "(meant to fail)").dim()));
        }
    }
    for name in unknown {
        out.push_str(&format!(
            "\n    {}",
            styled(
                color,
                format!(
                    "<{name}> is a value an earlier step records when its check passes; it is \
                     not known yet"
                )
            )
            .dim()
        ));
    }
    out
}

/// `text` with the values in `vars` filled in and each other `{{ name }}` shown as `<name>`, and those
/// names.
fn fill_known(text: &str, vars: &BTreeMap<String, String>) -> (String, Vec<String>) {
    match template::render(text, vars) {
        Ok(filled) => (filled, Vec::new()),
        Err(missing) => {
            let mut with_marks = vars.clone();
            for name in &missing {
                with_marks.insert(name.clone(), format!("<{name}>"));
            }
            let filled = template::render(text, &with_marks).unwrap_or_else(|_| text.to_string());
            (filled, missing)
        }
    }
}

/// The status line while waiting for a step, from its last evaluation.
pub fn waiting(report: &StepReport, engine_down: bool) -> String {
    if engine_down {
        return "Docker is not reachable, waiting…".to_string();
    }
    if let Some(r) = report
        .checks
        .iter()
        .find(|r| matches!(r.outcome, Outcome::Fail { .. }))
        && let Outcome::Fail { expected, .. } = &r.outcome
    {
        return format!(
            "waiting for: {} {} …",
            r.kind,
            line(&expected.replace('`', ""))
        );
    }
    if let Some(r) = report
        .checks
        .iter()
        .find(|r| matches!(r.outcome, Outcome::Unknown { .. }))
        && let Outcome::Unknown {
            reason,
            retry_after,
        } = &r.outcome
    {
        return match retry_after {
            Some(wait) => format!(
                "{} asked us to wait: checking again in {}s…",
                r.kind,
                wait.as_secs()
            ),
            None => format!("could not verify {}: {}; waiting…", r.kind, line(reason)),
        };
    }
    "checking…".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;

    fn lesson() -> Lesson {
        let file = crate::lesson::load::decode(
            "t.yaml",
            br#"id: t
title: Tag an image
steps:
  - id: tag
    title: Give the image your name
    body: |
      Name `my-app:latest` as version `1.0` of `{{ repository }}`.
    commands: ["docker tag my-app:latest {{ repository }}:1.0"]
    checks:
      - image_exists: { image: "{{ repository }}:1.0" }
"#,
        )
        .unwrap();
        crate::lesson::load::parse(&file).unwrap()
    }

    #[test]
    fn step_screen_fills_variables_and_sets_commands_apart() {
        let vars = BTreeMap::from([("repository".to_string(), "alice/app".to_string())]);
        let s = step_screen(&lesson(), 0, &vars, 40, false);
        assert!(s.contains("Tag an image · step 1 of 1"), "{s}");
        assert!(s.contains("Give the image your name"), "{s}");
        assert!(s.contains("alice/app."), "{s}");
        assert!(
            s.contains("    $ docker tag my-app:latest alice/app:1.0"),
            "{s}"
        );
        for line in s.lines().filter(|l| !l.contains('$')) {
            assert!(console::measure_text_width(line) <= 40, "{line:?}");
        }
    }

    #[test]
    fn a_solution_fills_what_is_known_and_says_which_lines_must_fail() {
        let file = crate::lesson::load::decode(
            "t.yaml",
            br#"id: t
title: T
steps:
  - id: s
    title: S
    human_only: true
    solution:
      - docker logout {{ registry }}
      - "! docker pull {{ registry }}/a@{{ d }}"
      - { run: "docker pull {{ registry }}/a:1.0", expect: fail }
"#,
        )
        .unwrap();
        let lesson = crate::lesson::load::parse(&file).unwrap();
        let solution_of = |vars: &BTreeMap<String, String>| {
            solution(lesson.steps[0].solution.as_ref().unwrap(), vars, false)
        };
        let mut vars = BTreeMap::from([("registry".to_string(), "r:5000".to_string())]);
        let s = solution_of(&vars);
        assert!(s.contains("$ docker logout r:5000\n"), "{s}");
        assert!(s.contains("$ ! docker pull r:5000/a@<d>\n"), "{s}");
        assert!(
            s.contains("$ docker pull r:5000/a:1.0  (meant to fail)"),
            "{s}"
        );
        assert!(s.contains("<d> is a value an earlier step records"), "{s}");
        vars.insert("d".into(), "sha256:abc".into());
        let s = solution_of(&vars);
        assert!(s.contains("$ ! docker pull r:5000/a@sha256:abc\n"), "{s}");
        assert!(!s.contains("not known yet"), "{s}");
    }

    #[test]
    fn waiting_says_what_and_never_calls_unknown_a_failure() {
        let report = |outcome| StepReport {
            id: "tag".into(),
            title: "t".into(),
            status: Status::Fail,
            checks: vec![CheckResult {
                kind: "image_same",
                outcome,
            }],
            note: None,
            captured: Default::default(),
        };
        let fail = report(Outcome::fail(
            "`a:1` names the same image as `b`",
            "no image",
        ));
        assert_eq!(
            waiting(&fail, false),
            "waiting for: image_same a:1 names the same image as b …"
        );
        assert_eq!(waiting(&fail, true), "Docker is not reachable, waiting…");
        let unknown = report(Outcome::Unknown {
            reason: "429".into(),
            retry_after: Some(std::time::Duration::from_secs(30)),
        });
        assert!(waiting(&unknown, false).contains("checking again in 30s"));
        assert!(!not_yet(&unknown, 80, false).contains('✗'));
    }
}

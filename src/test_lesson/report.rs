//! A lesson test rendered: for people (a line per step, its three phases, and what went wrong) and for
//! scripts (the same as JSON). Pure functions of the result, as the other reports in `crate::report`.

use console::style;
use serde_json::{Value, json};

use super::{LessonTest, Phase};
use crate::check::{CheckResult, Outcome};

/// How deep check results sit under their step.
const CHECK_INDENT: &str = "        ";

/// Names in backticks, comma-separated.
fn ticked(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_lines(out: &mut String, checks: &[CheckResult]) {
    let indent = CHECK_INDENT;
    for check in checks {
        match &check.outcome {
            Outcome::Pass { saw } => {
                out.push_str(&format!("{indent}{} {saw}\n", style("saw:").dim()))
            }
            Outcome::Fail {
                expected, actual, ..
            } => {
                out.push_str(&format!(
                    "{indent}{} failed\n{indent}  expected: {expected}\n{indent}  actual:   {actual}\n",
                    style(format!("{}:", check.kind)).red()
                ));
            }
            Outcome::Unknown { .. } => out.push_str(&format!(
                "{indent}{} {}\n",
                style(format!("{}:", check.kind)).yellow(),
                check.message()
            )),
        }
    }
}

/// For people: a line per step, its three phases, and what went wrong.
pub fn human(t: &LessonTest) -> String {
    let mut out = format!(
        "{}  {}\n  engine {}, registry {}, a temporary Docker config without your logins\n",
        style(format!("test-lesson {}", t.lesson)).bold(),
        t.title,
        t.engine,
        t.registry
    );
    if !t.prepared.is_empty() {
        out.push_str(&format!(
            "  prepared by running the setup and solutions of {}\n",
            ticked(&t.prepared)
        ));
    }
    for s in &t.setup {
        out.push_str(&format!(
            "  {} setup: {}: {}\n",
            s.status.mark(),
            s.what,
            s.detail
        ));
    }
    out.push('\n');
    let width = t.steps.iter().map(|s| s.id.len()).max().unwrap_or(0);
    for step in &t.steps {
        out.push_str(&format!(
            "  {} {:width$}  {}\n",
            step.status.mark(),
            step.id,
            step.title
        ));
        let tested = step.fail_first != Phase::Skipped
            || step.after != Phase::Skipped
            || step.solution != Phase::Skipped;
        if tested {
            out.push_str(&format!(
                "      fails first {}   solution {}   passes after {}\n",
                step.fail_first.mark(),
                step.solution.mark(),
                step.after.mark()
            ));
        }
        for note in &step.notes {
            out.push_str(&format!("      {}\n", style(note).dim()));
        }
        if step.fail_first == Phase::Fail {
            check_lines(&mut out, &step.before);
        }
        for run in step.commands.iter().filter(|r| !r.ok) {
            // With stderr below it, the headline only says how it exited.
            let how = if run.error.is_none() && !run.stderr_tail.is_empty() {
                format!("exited with {}:", run.exit_text())
            } else {
                run.failure()
            };
            out.push_str(&format!(
                "      {} `{}` {how}\n",
                style("✗").red(),
                run.command
            ));
            for line in &run.stderr_tail {
                out.push_str(&format!("        | {line}\n"));
            }
        }
        if matches!(step.after, Phase::Fail | Phase::Unknown) || step.fail_first == Phase::Unknown {
            let checks = if step.after == Phase::Skipped {
                &step.before
            } else {
                &step.checks
            };
            check_lines(&mut out, checks);
        }
    }
    let c = &t.cleanup;
    out.push('\n');
    if !c.removed.is_empty() {
        out.push_str(&format!("cleanup: removed {}\n", ticked(&c.removed)));
    }
    if !c.containers_removed.is_empty() {
        out.push_str(&format!(
            "cleanup: removed containers {}\n",
            ticked(&c.containers_removed)
        ));
    }
    if !c.left.is_empty() {
        out.push_str(&format!("kept (--keep): {}\n", ticked(&c.left)));
    }
    if !c.containers_left.is_empty() {
        out.push_str(&format!(
            "kept (--keep): containers {}\n",
            ticked(&c.containers_left)
        ));
    }
    for failure in &c.failed {
        out.push_str(&format!("cleanup: could not remove {failure}\n"));
    }
    if let Some(dir) = &c.config_kept {
        out.push_str(&format!(
            "kept (--keep): the run's Docker config, with its logins, in `{}`\n",
            dir.display()
        ));
    }
    let n = t.counts();
    out.push_str(&format!(
        "{} passed, {} failed, {} could not be verified, {} skipped\n",
        n.pass, n.fail, n.unknown, n.skipped
    ));
    out
}

/// For scripts: the same, as JSON.
pub fn json(t: &LessonTest) -> Value {
    let checks = |list: &[CheckResult]| list.iter().map(|c| c.to_json()).collect::<Vec<_>>();
    let n = t.counts();
    json!({
        "lesson": t.lesson,
        "title": t.title,
        "registry": t.registry,
        "engine": t.engine,
        "prepared": t.prepared,
        "setup": t.setup.iter().map(|s| json!({
            "action": s.what, "status": s.status.as_str(), "detail": s.detail,
        })).collect::<Vec<_>>(),
        "steps": t.steps.iter().map(|s| json!({
            "id": s.id,
            "title": s.title,
            "status": s.status.as_str(),
            "fail_first": s.fail_first.as_str(),
            "solution": s.solution.as_str(),
            "passes_after": s.after.as_str(),
            "notes": s.notes,
            "commands": s.commands.iter().map(|r| json!({
                "command": r.command,
                "ok": r.ok,
                "must_fail": r.expect_fail,
                "exit_code": r.exit_code,
                "error": r.error,
                "stderr_tail": r.stderr_tail,
            })).collect::<Vec<_>>(),
            "before": checks(&s.before),
            "checks": checks(&s.checks),
        })).collect::<Vec<_>>(),
        "cleanup": {
            "removed": t.cleanup.removed,
            "kept": t.cleanup.left,
            "containers_removed": t.cleanup.containers_removed,
            "containers_kept": t.cleanup.containers_left,
            "failed": t.cleanup.failed,
            "config_kept": t.cleanup.config_kept.as_ref().map(|p| p.display().to_string()),
        },
        "summary": { "pass": n.pass, "fail": n.fail, "unknown": n.unknown, "skipped": n.skipped },
    })
}

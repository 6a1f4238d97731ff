//! `learn-registry check [LESSON]`: verify now, without prompts (except, on a terminal, to allow an
//! untrusted lesson's commands), and report in human, JSON or JUnit form. It re-verifies every time:
//! stored progress is never taken as proof, with two exceptions that are the learner's own record,
//! not a verdict: the values the runner stored (variables given, digests captured) are used to fill
//! in the checks (`--var` wins), and a step marked `transient` (a later step changes its state on
//! purpose) that the progress says passed is reported "done (earlier), changed since by step N"
//! rather than failed.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use super::{select, settings, usage};
use crate::check::report::{self, LessonReport, Summary};
use crate::check::{Context, Probes, Status};
use crate::cli::{CheckFormat, Global};
use crate::exit;
use crate::lesson::check::Check;
use crate::lesson::source::LoadedLesson;
use crate::lesson::{Lesson, Step, template};
use crate::probe::reference::{ImageRef, normalize_registry};
use crate::progress::Progress;
use crate::{report as render, trust};

/// May this lesson run commands and builds? Shipped lessons may; others after the learner allowed
/// them, shown with `vars` filled in.
pub fn commands_allowed(lesson: &LoadedLesson, yes: bool, vars: &BTreeMap<String, String>) -> bool {
    trust::commands_allowed(lesson, yes, vars)
}

pub fn run(global: &Global, args: crate::cli::CheckArgs) -> miette::Result<u8> {
    let catalog = select::catalog(global);
    let lessons = select::lessons(&catalog, args.lesson.as_deref())
        .and_then(|l| select::with_step(l, args.step.as_deref(), args.lesson.is_some()));
    let lessons = match lessons {
        Ok(lessons) => lessons,
        Err(e) => return usage(e),
    };
    let given: BTreeMap<String, String> = global.vars.iter().cloned().collect();
    for name in given.keys() {
        if !lessons
            .iter()
            .any(|l| l.lesson.variables.contains_key(name))
        {
            eprintln!("warning: no lesson here uses the variable `{name}`");
        }
    }
    let base = Context::new(BTreeMap::new(), settings::of(global));
    // Read only; a progress file that cannot be read leaves `check` with what `--var` gives.
    let progress = match trust::home() {
        Ok(home) => Progress::load(&home).map(|(p, _)| p).unwrap_or_default(),
        Err(why) => {
            eprintln!("warning: stored progress not used: {why}");
            Progress::default()
        }
    };
    let mut planned = Vec::new();
    for l in &lessons {
        let id = l.lesson.id.as_str();
        let mut known = progress.vars_for(id);
        known.extend(given.clone());
        match report::resolve_variables(&l.lesson, &known, &base.vars) {
            Ok(mut vars) => {
                for (name, value) in progress.captures_for(id) {
                    vars.entry(name).or_insert(value);
                }
                planned.push((*l, vars))
            }
            Err(problems) => {
                for p in problems {
                    eprintln!("error: {p}");
                }
                return Ok(exit::USAGE);
            }
        }
    }
    let allowed: Vec<bool> = planned
        .iter()
        .map(|(l, vars)| commands_allowed(l, args.yes, vars))
        .collect();

    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| miette::miette!("cannot start: {e}"))?;
    let started = Instant::now();
    let probes = Probes::for_run(report::CHECK_CONCURRENCY, true);
    let runs: Vec<_> = planned
        .iter()
        .zip(&allowed)
        .map(|((l, vars), allow)| {
            let mut ctx = Context::new(vars.clone(), settings::of(global)).with_probes(&probes);
            ctx.unfilled = unfilled(&l.lesson, &ctx.vars);
            (&l.lesson, ctx, *allow)
        })
        .collect();
    let mut reports: Vec<LessonReport> =
        runtime.block_on(report::evaluate_lessons(&runs, args.step.as_deref()));
    for (r, (l, vars)) in reports.iter_mut().zip(&planned) {
        done_earlier(r, &l.lesson, &progress, vars);
    }
    let elapsed = started.elapsed();

    let text = match args.format {
        CheckFormat::Human => render::lesson::human::render(&reports),
        CheckFormat::Json => render::lesson::json::render(&reports, args.lesson.is_none()) + "\n",
        CheckFormat::Junit => render::lesson::junit::render("learn-registry check", &reports),
    };
    super::emit(args.out.as_deref(), &text)?;
    if std::env::var_os("LEARN_REGISTRY_TIMING").is_some() {
        eprintln!("checked in {:.0} ms", elapsed.as_secs_f64() * 1000.0);
    }
    let mut total = Summary::default();
    for r in &reports {
        total.add(r.summary());
    }
    Ok(crate::exit::for_summary(&total))
}

/// What to say for each name a check may find without a value: an input variable asks for itself
/// (`--var`, or once in `learn-registry start`); a derived one names the inputs it is made from, not
/// itself (`--var repository=…` would bypass the learner's username); a captured one names the step
/// that records it.
fn unfilled(lesson: &Lesson, vars: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let id = lesson.id.as_str();
    for (name, var) in &lesson.variables {
        if vars.contains_key(name) || var.default.is_none() {
            continue;
        }
        let inputs = missing_inputs(lesson, name, vars);
        if inputs.is_empty() || inputs == [name.clone()] {
            continue;
        }
        let list: Vec<String> = inputs.iter().map(|i| format!("`{i}`")).collect();
        let pass: Vec<String> = inputs.iter().map(|i| format!("--var {i}=VALUE")).collect();
        out.insert(
            name.clone(),
            format!(
                "no value for {} (`{name}` is made from it); pass {}, or answer it once in `learn-registry start {id}`",
                list.join(", "),
                pass.join(" ")
            ),
        );
    }
    for step in lesson.steps.iter() {
        for item in &step.checks {
            if let Some(capture) = &item.capture
                && !vars.contains_key(capture.as_str())
            {
                out.insert(
                    capture.to_string(),
                    format!(
                        "no value for `{}` yet: it is recorded when step `{}` passes in `learn-registry start {id}`",
                        **capture, *step.id
                    ),
                );
            }
        }
    }
    out
}

/// The variables without a value that `name` is made from, following defaults that use defaults.
fn missing_inputs(lesson: &Lesson, name: &str, vars: &BTreeMap<String, String>) -> Vec<String> {
    let mut found = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = vec![name.to_string()];
    while let Some(n) = todo.pop() {
        if !seen.insert(n.clone()) || vars.contains_key(&n) {
            continue;
        }
        match lesson.variables.get(&n).and_then(|v| v.default.as_ref()) {
            Some(default) => todo.extend(
                template::references(default)
                    .iter()
                    .map(|r| r.name.to_string()),
            ),
            None => found.push(n),
        }
    }
    found.sort();
    found
}

/// A `transient` step the progress says passed, and that fails now, was done: a later step changed
/// its state on purpose. It counts as passed, says so, names the later done step that changes what
/// it looks at (a `not:` of it, a tag that `differs`), and keeps what the checks see now.
fn done_earlier(
    report: &mut LessonReport,
    lesson: &Lesson,
    progress: &Progress,
    vars: &BTreeMap<String, String>,
) {
    let id = lesson.id.as_str();
    let done = |step: &str| {
        progress
            .lesson(id)
            .and_then(|l| l.steps.get(step))
            .and_then(|r| r.completed_at)
    };
    for step in report.steps.iter_mut() {
        let Some(index) = lesson.steps.iter().position(|s| s.id.as_str() == step.id) else {
            continue;
        };
        let model = &lesson.steps[index];
        let Some(at) = done(&step.id) else {
            continue;
        };
        if !model.transient || step.status != Status::Fail {
            continue;
        }
        let mut mine = BTreeSet::new();
        for item in &model.checks {
            looks_at(&item.check, vars, &mut mine);
        }
        let changes_mine = |later: &Step| {
            let mut changed = BTreeSet::new();
            for item in &later.checks {
                changes(&item.check, vars, &mut changed);
            }
            !changed.is_disjoint(&mine)
        };
        let by = lesson.steps[index + 1..]
            .iter()
            .enumerate()
            .find(|(_, later)| {
                done(later.id.as_str()).is_some_and(|then| then >= at) && changes_mine(later)
            })
            .map(|(offset, later)| format!("by step {} (`{}`)", index + offset + 2, *later.id))
            .unwrap_or_else(|| "by a later step".into());
        step.status = Status::Pass;
        step.note = Some(format!(
            "done (earlier, {}), changed since {by}, on purpose",
            at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
        ));
    }
}

/// What a check looks at, with the lesson's values filled in: the repositories its images name,
/// and the login a registry check depends on (a logout changes what a private registry shows).
fn looks_at(check: &Check, vars: &BTreeMap<String, String>, out: &mut BTreeSet<String>) {
    let fill = |t: &str| template::render(t, vars).ok();
    let asks_registry =
        check.remote() || matches!(check, Check::ImagePushed(_) | Check::ImagePulled(_));
    for image in check.image_refs() {
        if let Some(image) = fill(image).and_then(|t| ImageRef::parse(&t).ok()) {
            out.insert(format!(
                "repository {}/{}",
                image.registry(),
                image.repository()
            ));
            if asks_registry {
                out.insert(format!("login {}", image.registry()));
            }
        }
    }
    match check {
        Check::LoggedIn(login) => {
            let registry = login
                .registry
                .as_ref()
                .map_or("{{ registry }}", |r| r.as_str());
            if let Some(registry) = fill(registry) {
                out.insert(format!("login {}", normalize_registry(&registry)));
            }
        }
        Check::Not(not) => looks_at(&not.0, vars, out),
        _ => {}
    }
}

/// What a check says was changed: what a `not:` looks at, a tag that `differs`.
fn changes(check: &Check, vars: &BTreeMap<String, String>, out: &mut BTreeSet<String>) {
    match check {
        Check::Not(not) => looks_at(&not.0, vars, out),
        Check::RegistryDigest(d) if d.differs.is_some() => {
            let mut seen = BTreeSet::new();
            looks_at(check, vars, &mut seen);
            out.extend(seen.into_iter().filter(|s| s.starts_with("repository ")));
        }
        _ => {}
    }
}

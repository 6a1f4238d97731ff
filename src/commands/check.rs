//! `learn-registry check [LESSON]`: verify now, without prompts (except, on a terminal, to allow an
//! untrusted lesson's commands), and report in human, JSON or JUnit form. It re-verifies every time;
//! stored progress is never trusted.

use std::collections::BTreeMap;
use std::time::Instant;

use super::{select, settings, usage};
use crate::check::Context;
use crate::check::report::{self, LessonReport, Summary};
use crate::cli::{CheckFormat, Global};
use crate::exit;
use crate::lesson::source::LoadedLesson;
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
    let mut planned = Vec::new();
    for l in &lessons {
        match report::resolve_variables(&l.lesson, &given, &base.vars) {
            Ok(vars) => planned.push((*l, vars)),
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
    let reports: Vec<LessonReport> = runtime.block_on(async {
        let mut reports = Vec::new();
        for ((l, vars), allow) in planned.iter().zip(&allowed) {
            let ctx = Context::new(vars.clone(), settings::of(global));
            reports
                .push(report::evaluate_lesson(&l.lesson, &ctx, args.step.as_deref(), *allow).await);
        }
        reports
    });
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

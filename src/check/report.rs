//! A lesson's steps judged against the world: the data every report renders (`check`, and later
//! `grade`). Evaluating is here; rendering is in `crate::report`.

use std::collections::BTreeMap;

use futures_util::future::join_all;

use crate::check::{CheckResult, Context, Evaluated, Outcome, Status};
use crate::lesson::check::CheckItem;
use crate::lesson::{Lesson, Step};

/// One step's result.
#[derive(Debug, Clone)]
pub struct StepReport {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub checks: Vec<CheckResult>,
    /// Why a step is pending (a quiz, a step only a person can confirm), or that it was done earlier.
    pub note: Option<String>,
    /// What its checks recorded (`capture:`), name → value; the runner stores it when the step passes.
    pub captured: BTreeMap<String, String>,
}

/// One lesson's result.
#[derive(Debug, Clone)]
pub struct LessonReport {
    pub lesson: String,
    pub title: String,
    pub steps: Vec<StepReport>,
}

/// Counts of steps by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
    pub pending: usize,
}

impl Summary {
    pub fn add(&mut self, other: Summary) {
        self.pass += other.pass;
        self.fail += other.fail;
        self.unknown += other.unknown;
        self.pending += other.pending;
    }
}

impl LessonReport {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for step in &self.steps {
            match step.status {
                Status::Pass => s.pass += 1,
                Status::Fail => s.fail += 1,
                Status::Unknown => s.unknown += 1,
                Status::Pending => s.pending += 1,
            }
        }
        s
    }
}

/// A step is as good as its worst check: any failure fails it; otherwise anything unverifiable makes
/// it unknown.
pub fn step_status(results: &[CheckResult]) -> Status {
    if results.is_empty() {
        Status::Pending
    } else if results.iter().any(|r| r.outcome.status() == Status::Fail) {
        Status::Fail
    } else if results
        .iter()
        .any(|r| r.outcome.status() == Status::Unknown)
    {
        Status::Unknown
    } else {
        Status::Pass
    }
}

/// Evaluate a step's checks, concurrently (as many at a time as the context's run allows, see
/// [`Context::slot`]), results in the step's order. `allow_commands` is false for a lesson the learner has not
/// trusted; its `command` checks are then reported as not verifiable, never run.
pub async fn evaluate_step(step: &Step, ctx: &Context, allow_commands: bool) -> StepReport {
    let applicable: Vec<_> = step
        .checks
        .iter()
        .map(|c| &c.value)
        .filter(|c| c.applies(&ctx.settings))
        .collect();
    let skipped_hub = applicable.len() < step.checks.len();
    // A check may use what an earlier check of the same step captured: such a step is judged in
    // order; every other step's checks all at once.
    let evaluated = if applicable.iter().any(|c| c.capture.is_some()) {
        let mut done = Vec::new();
        for item in applicable {
            let e = judge(item, ctx, allow_commands).await;
            if let Some((name, value)) = &e.captured {
                ctx.add_capture(name, value);
            }
            done.push(e);
        }
        done
    } else {
        join_all(
            applicable
                .into_iter()
                .map(|item| judge(item, ctx, allow_commands)),
        )
        .await
    };
    let mut captured = BTreeMap::new();
    let mut results = Vec::new();
    for e in evaluated {
        captured.extend(e.captured);
        results.push(e.result);
    }
    let status = step_status(&results);
    let note = match (status, &step.quiz) {
        (Status::Pending, _) if skipped_hub => Some(format!(
            "Docker Hub checks do not apply to a course on `{}` (pass --hub-api to run them)",
            ctx.settings.registry
        )),
        (Status::Pending, Some(_)) => {
            Some("a quiz: answer it in `learn-registry start`".to_string())
        }
        (Status::Pending, None) if step.human_only => {
            Some("only you can confirm this step, in `learn-registry start`".to_string())
        }
        _ => None,
    };
    StepReport {
        id: step.id.to_string(),
        title: crate::lesson::template::render(&step.title, &ctx.vars)
            .unwrap_or_else(|_| step.title.to_string()),
        status,
        checks: results,
        note,
        captured,
    }
}

/// One check of a step, unless it would run a command the learner has not allowed.
async fn judge(item: &CheckItem, ctx: &Context, allow_commands: bool) -> Evaluated {
    if item.runs_command() && !allow_commands {
        return Evaluated {
            result: CheckResult {
                kind: item.kind(),
                outcome: Outcome::unknown(
                    "this lesson is not allowed to run commands; allow it in `learn-registry start`, or pass --yes",
                ),
            },
            captured: None,
        };
    }
    let _slot = ctx.slot().await;
    crate::check::evaluate_item(item, ctx).await
}

/// Evaluate every step of a lesson (or only `only_step`), steps concurrently.
pub async fn evaluate_lesson(
    lesson: &Lesson,
    ctx: &Context,
    only_step: Option<&str>,
    allow_commands: bool,
) -> LessonReport {
    let steps = lesson
        .steps
        .iter()
        .filter(|s| only_step.is_none_or(|id| s.id.as_str() == id));
    let steps = join_all(steps.map(|s| evaluate_step(s, ctx, allow_commands))).await;
    LessonReport {
        lesson: lesson.id.to_string(),
        title: lesson.title.to_string(),
        steps,
    }
}

/// How many checks `check` evaluates at once: enough to overlap the engine's and the registry's
/// answers, few enough that a course of many lessons does not open a connection per check.
pub const CHECK_CONCURRENCY: usize = 8;

/// Evaluate several lessons as one run, each with its context and whether it may run commands: every
/// lesson concurrently; the contexts share one engine connection and one remembering registry client
/// when they were made `with_probes` of one [`crate::check::Probes::for_run`] (at most
/// [`CHECK_CONCURRENCY`] checks at a time, then); reports in the order given.
pub async fn evaluate_lessons(
    runs: &[(&Lesson, Context, bool)],
    only_step: Option<&str>,
) -> Vec<LessonReport> {
    join_all(
        runs.iter()
            .map(|(lesson, ctx, allow)| evaluate_lesson(lesson, ctx, only_step, *allow)),
    )
    .await
}

/// The variables of a lesson: given values (validated against their patterns), then defaults derived
/// from them. Returns the values, or the problems (unknown variable, value not matching).
pub fn resolve_variables(
    lesson: &Lesson,
    given: &BTreeMap<String, String>,
    ctx_vars: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Vec<String>> {
    let mut vars = ctx_vars.clone();
    let mut problems = Vec::new();
    for (name, var) in &lesson.variables {
        if let Some(value) = given.get(name) {
            if let Some(pattern) = &var.pattern
                && let Ok(re) = crate::lesson::pattern::compiled(pattern)
                && !re.is_match(value)
            {
                let help = var
                    .help
                    .as_ref()
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                problems.push(format!(
                    "`{value}` is not a valid `{name}`: it must match `{}`{help}",
                    **pattern
                ));
                continue;
            }
            vars.insert(name.clone(), value.clone());
        }
    }
    // Derived defaults may chain; fill them in as long as something changes.
    for _ in 0..=lesson.variables.len() {
        for (name, var) in &lesson.variables {
            if vars.contains_key(name) {
                continue;
            }
            if let Some(default) = &var.default
                && let Ok(value) = crate::lesson::template::render(default, &vars)
            {
                vars.insert(name.clone(), value);
            }
        }
    }
    if problems.is_empty() {
        Ok(vars)
    } else {
        Err(problems)
    }
}

//! Grading a class: every student of the roster × every step of the chosen lessons that has a check
//! `grade` can run from outside (`Check::remote`: registry tags, public or private repositories, Docker
//! Hub accounts and repositories), evaluated through the same `check::evaluate` the runner and `check`
//! use, with the student's variables and anonymous access (`use_docker_login: false`: the grader sees
//! what anyone would), or, with `grade --login`, the instructor's own saved login where a registry
//! refuses anonymous access (`use_docker_login: true`; never a student's).
//!
//! Students stream through a window of `concurrency` at a time (`buffer_unordered`), each folded into
//! its roster place as it finishes, so memory holds the finished grades and a window's work, not a
//! future per student: a class of 10,000 costs what its grades cost. Checks run at most `concurrency`
//! at a time (one semaphore for the whole class); answers that mean "could not verify now" are retried
//! as `retry::RetryPolicy` says, without holding a slot while waiting. Every student's contexts share
//! one `check::Probes`: one HTTP client (connections and tokens) and one memory of the registry's
//! answers, so a tag asked about by two steps, or as a classmate's, and a repository's tag list
//! (a visibility check's and every failure's diagnosis) are asked once for the whole class. Within a
//! student, identical checks are also evaluated once.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use futures_util::future::join_all;
use indicatif::ProgressBar;
use tokio::sync::{OnceCell, Semaphore};

use super::gradebook::{Column, StudentGrade};
use super::retry::{RetryPolicy, Tries};
use super::roster::{Roster, RosterEntry, valid_registry};
use crate::check::report::{LessonReport, StepReport, resolve_variables, step_status};
use crate::check::{Check, CheckResult, Context, Outcome, Probes, Settings};
use crate::lesson::{Lesson, Step, template};

/// A lesson's steps that can be graded, each with only its remote checks.
#[derive(Debug, Clone)]
pub struct GradedLesson<'a> {
    pub lesson: &'a Lesson,
    pub steps: Vec<(&'a Step, Vec<&'a Check>)>,
}

/// The steps of `lessons` that have at least one remote check (with those checks only), and the ids
/// of lessons left with nothing to grade.
pub fn plan<'a>(
    lessons: &[&'a Lesson],
    settings: &Settings,
) -> (Vec<GradedLesson<'a>>, Vec<&'a str>) {
    let mut graded = Vec::new();
    let mut nothing = Vec::new();
    for lesson in lessons {
        let steps: Vec<(&Step, Vec<&Check>)> = lesson
            .steps
            .iter()
            .filter_map(|step| {
                let remote: Vec<&Check> = step
                    .checks
                    .iter()
                    .map(|c| &c.check)
                    .filter(|c| c.remote() && c.applies(settings))
                    .collect();
                (!remote.is_empty()).then_some((step, remote))
            })
            .collect();
        if steps.is_empty() {
            nothing.push(lesson.id.as_str());
        } else {
            graded.push(GradedLesson { lesson, steps });
        }
    }
    (graded, nothing)
}

/// The heatmap's columns for a plan.
pub fn columns(plan: &[GradedLesson<'_>]) -> Vec<Column> {
    plan.iter()
        .flat_map(|g| {
            g.steps.iter().map(|(step, _)| Column {
                lesson: g.lesson.id.to_string(),
                lesson_title: g.lesson.title.to_string(),
                step: step.id.to_string(),
                step_title: step.title.to_string(),
            })
        })
        .collect()
}

/// How to grade.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where to look; `use_docker_login` is the instructor's `--login`.
    pub settings: Settings,
    /// At most this many checks in flight.
    pub concurrency: usize,
    pub retry: RetryPolicy,
    /// Whether failures get their diagnosis (`tags there: …`): only when the report shows it.
    pub diagnose: bool,
}

/// The number of check evaluations a class needs (for a progress bar), before deduplication.
pub fn work(plan: &[GradedLesson<'_>], students: usize) -> u64 {
    let per_student: usize = plan
        .iter()
        .flat_map(|g| g.steps.iter().map(|(_, checks)| checks.len()))
        .sum();
    (per_student * students) as u64
}

/// Grade every student of `roster`, in roster order.
pub async fn grade_class(
    plan: &[GradedLesson<'_>],
    roster: &Roster,
    options: &Options,
    progress: &ProgressBar,
) -> Vec<StudentGrade> {
    let concurrency = options.concurrency.max(1);
    let semaphore = Semaphore::new(concurrency);
    let grader = Grader {
        plan,
        roster,
        options,
        semaphore: &semaphore,
        progress,
        probes: Probes::for_class(concurrency, options.diagnose),
    };
    // A window as wide as the semaphore: with `--concurrency 1` students go one after another, in
    // roster order, as a registry's log (and tests/grade.rs's mid-run stop) expects.
    let mut grades: Vec<Option<StudentGrade>> = Vec::new();
    grades.resize_with(roster.entries.len(), || None);
    let mut finished = futures_util::stream::iter(roster.entries.iter().enumerate())
        .map(|(i, entry)| {
            let grader = &grader;
            async move { (i, grader.student(entry).await) }
        })
        .buffer_unordered(concurrency);
    while let Some((i, grade)) = finished.next().await {
        grades[i] = Some(grade);
    }
    grades
        .into_iter()
        .map(|g| g.expect("the stream yields every student"))
        .collect()
}

struct Grader<'a> {
    plan: &'a [GradedLesson<'a>],
    roster: &'a Roster,
    options: &'a Options,
    semaphore: &'a Semaphore,
    progress: &'a ProgressBar,
    probes: Probes,
}

/// A student's settings (their registry) and variables for each graded lesson.
type Prepared = (Settings, Vec<BTreeMap<String, String>>);

/// One student's answers so far, by check and rendered values.
type Answers = Mutex<HashMap<String, Arc<OnceCell<Outcome>>>>;

impl Grader<'_> {
    /// The student's variables for each lesson, or the problems of their roster line.
    fn prepare(&self, entry: &RosterEntry) -> Result<Prepared, Vec<String>> {
        let mut settings = self.options.settings.clone();
        let mut problems: Vec<String> = Vec::new();
        if let Some(registry) = &entry.registry {
            if valid_registry(registry) {
                settings.registry = registry.clone();
            } else {
                problems.push(format!(
                    "`{registry}` is not a valid `registry`: it must be `HOST` or `HOST:PORT`"
                ));
            }
        }
        if entry.username.is_empty() {
            problems.push("no `username`".to_string());
        }
        let base = Context::new(BTreeMap::new(), settings.clone()).vars;
        let mut all_vars = Vec::new();
        for g in self.plan {
            match resolve_variables(g.lesson, &entry.values, &base) {
                Ok(vars) => all_vars.push(vars),
                Err(found) => {
                    for p in found {
                        if !problems.contains(&p) {
                            problems.push(p);
                        }
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok((settings, all_vars))
        } else {
            Err(problems)
        }
    }

    async fn student(&self, entry: &RosterEntry) -> StudentGrade {
        let mut grade = StudentGrade {
            line: entry.line,
            student: entry.student.clone(),
            username: entry.username.clone(),
            problem: None,
            lessons: Vec::new(),
        };
        let (settings, all_vars) = match self.prepare(entry) {
            Ok(prepared) => prepared,
            Err(problems) => {
                grade.problem = Some(format!(
                    "{}:{}: {}",
                    self.roster.name,
                    entry.line,
                    problems.join("; ")
                ));
                self.progress.inc(work(self.plan, 1));
                return grade;
            }
        };
        let answers = Answers::default();
        let contexts: Vec<Context> = all_vars
            .into_iter()
            .map(|vars| Context::new(vars, settings.clone()).with_probes(&self.probes))
            .collect();
        grade.lessons = join_all(
            self.plan
                .iter()
                .zip(&contexts)
                .map(|(g, ctx)| self.lesson(g, ctx, &answers)),
        )
        .await;
        grade
    }

    async fn lesson(&self, g: &GradedLesson<'_>, ctx: &Context, answers: &Answers) -> LessonReport {
        let steps = join_all(g.steps.iter().map(|(step, checks)| async move {
            let results = join_all(checks.iter().map(|c| self.check(c, ctx, answers))).await;
            StepReport {
                id: step.id.to_string(),
                title: template::render(&step.title, &ctx.vars)
                    .unwrap_or_else(|_| step.title.to_string()),
                status: step_status(&results),
                checks: results,
                note: None,
                captured: Default::default(),
            }
        }))
        .await;
        LessonReport {
            lesson: g.lesson.id.to_string(),
            title: g.lesson.title.to_string(),
            steps,
        }
    }

    async fn check(&self, check: &Check, ctx: &Context, answers: &Answers) -> CheckResult {
        let outcome = self.outcome(check, ctx, answers).await;
        self.progress.inc(1);
        CheckResult {
            kind: check.kind(),
            outcome,
        }
    }

    async fn outcome(&self, check: &Check, ctx: &Context, answers: &Answers) -> Outcome {
        // A value the roster does not give cannot be fixed by asking again.
        let mut key = format!("{check:?}");
        for t in check.templates() {
            match ctx.render(t) {
                Ok(text) => {
                    key.push('\u{1f}');
                    key.push_str(&text);
                }
                Err(outcome) => return outcome,
            }
        }
        let cell = answers
            .lock()
            .expect("no panics while holding the lock")
            .entry(key)
            .or_default()
            .clone();
        cell.get_or_init(|| self.evaluate(check, ctx)).await.clone()
    }

    async fn evaluate(&self, check: &Check, ctx: &Context) -> Outcome {
        let mut tries = Tries::default();
        loop {
            let outcome = {
                let _slot = self.semaphore.acquire().await.expect("never closed");
                crate::check::evaluate(check, ctx).await.outcome
            };
            match self.options.retry.next(&outcome, &mut tries) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return outcome,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(yaml: &str) -> Lesson {
        let file = crate::lesson::load::decode("t.yaml", yaml.as_bytes()).unwrap();
        crate::lesson::load::parse(&file).unwrap()
    }

    #[test]
    fn only_steps_with_remote_checks_are_graded_and_only_their_remote_checks() {
        let a = lesson(
            "id: a\ntitle: A\nvariables:\n  username: { pattern: \"^[a-z0-9]{4,30}$\" }\nsteps:\n\
             - id: local\n  title: L\n  checks:\n    - image_exists: { image: \"{{ username }}/x:1\" }\n\
             - id: mixed\n  title: M\n  checks:\n    - image_pushed: { image: \"{{ username }}/x:1\" }\n    - registry_tag: { image: \"{{ username }}/x:1\" }\n",
        );
        let b = lesson(
            "id: b\ntitle: B\nsteps:\n- id: only-local\n  title: L\n  checks:\n    - docker_running: {}\n",
        );
        let (plan, nothing) = plan(&[&a, &b], &Settings::default());
        assert_eq!(nothing, ["b"]);
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0].steps.len(), 1);
        assert_eq!(plan[0].steps[0].0.id.as_str(), "mixed");
        let kinds: Vec<_> = plan[0].steps[0].1.iter().map(|c| c.kind()).collect();
        assert_eq!(kinds, ["registry_tag"]);
        assert_eq!(columns(&plan)[0].id(), "a/mixed");
        assert_eq!(work(&plan, 10), 10);
    }
}

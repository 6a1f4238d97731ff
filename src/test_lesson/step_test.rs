//! One step's test, in three phases: it must fail first (or be a step that changes nothing by
//! design), its solution must run, and its checks must pass after it. Steps only a person can do and
//! steps without checks are not failed for what no command can show.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{CommandRun, Line, Phase, Planned, Session};
use crate::check::{CheckResult, Status};
use crate::lesson::Step;

/// One step's test.
#[derive(Debug, Clone, Default)]
pub struct StepTest {
    pub id: String,
    pub title: String,
    pub status: Phase,
    pub fail_first: Phase,
    pub solution: Phase,
    pub after: Phase,
    pub notes: Vec<String>,
    pub before: Vec<CheckResult>,
    pub checks: Vec<CheckResult>,
    pub commands: Vec<CommandRun>,
}

impl StepTest {
    /// Test step `index` of the plan's lesson: fail first, solution, pass after.
    pub async fn run(session: &mut Session, plan: &Planned<'_>, index: usize) -> StepTest {
        let step = &plan.lesson().steps[index];
        let title = crate::lesson::template::render(&step.title, &plan.vars)
            .unwrap_or_else(|_| step.title.to_string());
        session.say(&format!("step {}", step.id.as_str()));
        let mut test = StepTest {
            id: step.id.to_string(),
            title,
            ..StepTest::default()
        };
        // Without a value an earlier step was to capture, the step cannot be tried: unverified, as
        // that step was (or failed, which its own result says).
        let missing = plan.missing_captures(index, &session.captured);
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(|n| format!("`{n}`")).collect();
            test.solution = Phase::Unknown;
            test.status = Phase::Unknown;
            test.notes.push(format!(
                "its solution uses {}, which an earlier step's check captures when it passes; \
                 none was recorded, so the step was not tried",
                names.join(", ")
            ));
            return test;
        }
        // Planned now, not before the run: a line may use what an earlier step captured.
        let lines = match plan.solution(index, &session.captured) {
            Ok(lines) => lines,
            Err(problem) => {
                test.solution = Phase::Fail;
                test.status = Phase::Fail;
                test.notes.push(problem);
                return test;
            }
        };
        let lines = &lines;
        let since = chrono::Utc::now();
        if !step.checks.iter().any(|c| c.applies(&session.settings)) {
            test.run_without_checks(session, step, lines).await;
        } else if step.human_only {
            test.run_human(session, plan, step, lines, since).await;
        } else {
            test.run_three_phases(session, plan, step, lines, since)
                .await;
        }
        test
    }

    /// A step with nothing to verify; its solution still runs, since later steps may build on it.
    async fn run_without_checks(&mut self, session: &mut Session, step: &Step, lines: &[Line]) {
        let test = self;
        let solution = test.run_solution(session, lines).await;
        test.notes.push(if !step.checks.is_empty() {
            format!(
                "its checks are Docker Hub checks, which do not apply to a course on `{}` (pass --hub-api to run them)",
                session.settings.registry
            )
        } else if step.quiz.is_some() {
            "a quiz: answered in `learn-registry start`, nothing to test".into()
        } else if step.human_only {
            "only a person can do this step (`human_only`), and it has no checks".into()
        } else {
            "the step has no checks, so nothing shows it done".into()
        });
        test.status = if solution == Phase::Fail {
            Phase::Fail
        } else {
            Phase::Skipped
        };
    }

    /// A person does this step (on a website, say); its checks count when they pass.
    async fn run_human(
        &mut self,
        session: &mut Session,
        plan: &Planned<'_>,
        step: &Step,
        lines: &[Line],
        since: DateTime<Utc>,
    ) {
        let test = self;
        let solution = test.run_solution(session, lines).await;
        let wait = if lines.is_empty() {
            Duration::ZERO
        } else {
            session.wait
        };
        let after = session.evaluate(plan, step, since, wait).await;
        test.checks = after.checks;
        if solution == Phase::Fail {
            test.status = Phase::Fail;
        } else if after.status == Status::Pass {
            test.after = Phase::Pass;
            test.status = Phase::Pass;
        } else {
            test.after = Phase::from_status(after.status);
            test.status = Phase::Skipped;
            test.notes.push(format!(
                "only a person can do this step (`human_only`); its checks {} now, so it is \
                 skipped, not failed",
                if after.status == Status::Unknown {
                    "cannot be verified"
                } else {
                    "do not pass"
                }
            ));
        }
    }

    /// Fail first, run the solution, pass after.
    async fn run_three_phases(
        &mut self,
        session: &mut Session,
        plan: &Planned<'_>,
        step: &Step,
        lines: &[Line],
        since: DateTime<Utc>,
    ) {
        let test = self;
        // 1. Fail first.
        let before = session.evaluate(plan, step, since, Duration::ZERO).await;
        let looks_only = lines.iter().all(Line::only_looks);
        test.fail_first = match before.status {
            Status::Pass if looks_only => {
                test.notes.push(if lines.is_empty() {
                    "passes before its solution; it has none, so that is by design".into()
                } else {
                    "passes before its solution, which only looks (changes nothing), so that is \
                     by design"
                        .into()
                });
                Phase::Skipped
            }
            Status::Pass => {
                test.notes.push(
                    "passes before its solution ran: an earlier step or the setup already does \
                     what it asks, so a learner is never asked to do anything here"
                        .into(),
                );
                Phase::Fail
            }
            Status::Fail => Phase::Pass,
            Status::Unknown => {
                test.notes
                    .push("could not verify that it fails before its solution".into());
                Phase::Unknown
            }
            Status::Pending => Phase::Skipped,
        };
        test.before = before.checks;

        // 2. The solution.
        if test.run_solution(session, lines).await == Phase::Fail {
            test.notes
                .push("its solution failed, so passing after it was not checked".into());
            test.status = Phase::Fail;
            return;
        }

        // 3. Passes after.
        let after = session.evaluate(plan, step, since, session.wait).await;
        test.after = Phase::from_status(after.status);
        if after.status == Status::Fail {
            test.notes.push(if lines.is_empty() {
                "has no solution, and its checks do not pass".into()
            } else {
                format!(
                    "its checks do not pass after its solution (waited {}s)",
                    session.wait.as_secs()
                )
            });
        }
        test.checks = after.checks;
        test.status = Phase::combine(&[test.fail_first, test.solution, test.after]);
    }

    /// Run the solution's lines and record how it went.
    async fn run_solution(&mut self, session: &mut Session, lines: &[Line]) -> Phase {
        let (phase, commands) = session.run_lines(lines).await;
        self.solution = phase;
        self.commands = commands;
        phase
    }
}

//! The run itself: one engine connection, the settings, the password, and the names the run made so
//! far (which the cleanup removes). It prepares the required lessons, runs the lesson's setup and
//! tests its steps in order, since each step starts from where the previous one left the world.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use console::style;

use super::command_run::{self, CommandRun};
use super::config::Isolation;
use super::{Cleanup, LessonTest, Line, Phase, Planned, SetupLine, StepTest};
use crate::check::report::{self, StepReport};
use crate::check::{Context, Settings, Status};
use crate::lesson::Step;
use crate::probe::docker::ContainerListed;
use crate::probe::{DockerProbe, ImageRef};
use crate::process::Env;

/// How often checks are re-evaluated while waiting for a step to pass.
const POLL: Duration = Duration::from_millis(300);

/// The engine, the settings and what the run made so far.
pub struct Session {
    pub docker: DockerProbe,
    pub settings: Settings,
    pub password: Option<String>,
    /// How long a step may take to pass after its solution.
    pub wait: Duration,
    /// Names this run created, in order, for the cleanup.
    pub created: Vec<String>,
    /// Containers this run's `docker run` / `docker create` lines made (ID, name), in order, for
    /// the cleanup.
    pub containers: Vec<(String, String)>,
    /// Say on stderr what is running (on a terminal, for people).
    pub progress: bool,
    /// What every command of the run gets: the temporary Docker config and the engine.
    pub env: Env,
    /// The temporary Docker config folder, which the checks read.
    pub config_dir: PathBuf,
    /// What passed checks recorded (`capture:`), for the steps after them, as a learner's progress
    /// keeps it.
    pub captured: BTreeMap<String, String>,
}

impl Session {
    /// Prepare the required lessons, then test the last of `plans`, filling `result`. Stops at the
    /// first preparation or setup that does not pass, since nothing after it would mean anything.
    pub async fn run(&mut self, plans: &[Planned<'_>], keep: bool, result: &mut LessonTest) {
        let (target, required) = plans.split_last().expect("the chain ends with the lesson");
        for plan in required {
            let failures = self.prepare(plan).await;
            result.prepared.push(plan.lesson().id.to_string());
            if !failures.is_empty() {
                result.setup = failures;
                result.cleanup = Cleanup::finish(self, keep).await;
                return;
            }
        }
        result.setup = SetupLine::run_all(self, target).await;
        if result.setup.iter().all(|l| l.status == Phase::Pass) {
            for index in 0..target.lesson().steps.len() {
                let step = StepTest::run(self, target, index).await;
                result.steps.push(step);
            }
        }
        result.cleanup = Cleanup::finish(self, keep).await;
    }

    /// A required lesson's setup and solutions, untested; what did not pass, named after the lesson.
    async fn prepare(&mut self, plan: &Planned<'_>) -> Vec<SetupLine> {
        let id = plan.lesson().id.to_string();
        self.say(&format!("preparing: {id}"));
        let mut lines = SetupLine::run_all(self, plan).await;
        if lines.iter().all(|l| l.status == Phase::Pass) {
            for (index, step) in plan.lesson().steps.iter().enumerate() {
                let solution = match plan.solution(index, &self.captured) {
                    Ok(solution) => solution,
                    Err(problem) => {
                        lines.push(SetupLine {
                            what: format!("plan step `{}`", step.id.as_str()),
                            status: Phase::Fail,
                            detail: problem,
                        });
                        break;
                    }
                };
                let since = chrono::Utc::now();
                let (phase, runs) = self.run_lines(&solution).await;
                if phase == Phase::Fail {
                    let last = runs.last().expect("a failed run has a command");
                    lines.push(SetupLine {
                        what: format!("run `{}`", last.command),
                        status: Phase::Fail,
                        detail: last.failure(),
                    });
                    break;
                }
                // What its checks capture, later solutions (and checks) may use: judge it once.
                if step.checks.iter().any(|c| c.capture.is_some()) {
                    self.evaluate(plan, step, since, self.wait).await;
                }
            }
        }
        lines
            .into_iter()
            .filter(|l| l.status != Phase::Pass)
            .map(|mut line| {
                line.what = format!("prepare `{id}`: {}", line.what);
                line
            })
            .collect()
    }

    /// A fresh context per evaluation: the Docker config is re-read, so a login just made counts.
    pub fn context(
        &self,
        vars: &BTreeMap<String, String>,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Context {
        let mut vars = vars.clone();
        for (name, value) in &self.captured {
            vars.entry(name.clone()).or_insert_with(|| value.clone());
        }
        let mut ctx = Context::new(vars, self.settings.clone())
            .with_docker(self.docker.clone())
            .with_env(self.env.clone())
            .with_docker_config(Isolation::docker_config(&self.config_dir));
        ctx.since = Some(since);
        ctx
    }

    pub fn say(&self, text: &str) {
        if self.progress {
            eprintln!("{}", style(text).dim());
        }
    }

    pub fn redact(&self, text: &str) -> String {
        command_run::redact(text, self.password.as_deref())
    }

    /// Names in `names` that do not exist yet (and so will be this run's to remove).
    pub async fn new_names(&self, names: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for name in names {
            if self.created.contains(name) {
                continue;
            }
            if let Ok(None) = self.docker.inspect_image(name).await {
                out.push(name.clone());
            }
        }
        out
    }

    /// The digest references (`repo@sha256:...`) the engine has for `names`. Podman computes
    /// RepoDigests instead of keeping them as names, so there is nothing to track there.
    async fn digest_refs(&self, names: &[String]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if self.docker.is_podman() {
            return out;
        }
        for name in names {
            if let (Ok(Some(info)), Ok(wanted)) =
                (self.docker.inspect_image(name).await, ImageRef::parse(name))
            {
                for digest in info.repo_digests_for(&wanted) {
                    out.insert(format!("{}@{digest}", wanted.familiar_name()));
                }
            }
        }
        out
    }

    /// Run one line, remembering the names it made.
    async fn run_line(&mut self, line: &Line) -> CommandRun {
        self.say(&format!("  $ {}", line.display()));
        let fresh = self.new_names(&line.creates).await;
        // A push records a digest reference (`repo@sha256:...`) for the name, and so does a pull
        // (of a name tagged by an earlier step, too): both are this run's to remove.
        let named: Vec<String> = line.pushes.iter().chain(&line.creates).cloned().collect();
        let digests_before = self.digest_refs(&named).await;
        // An engine that cannot list its containers will not run one for the line either.
        let containers_before = if line.makes_container {
            self.docker.all_containers().await.ok()
        } else {
            None
        };
        let run = CommandRun::execute(line, self.password.as_deref(), &self.env).await;
        // A container is made even when the command then fails (its program exited 1) or was
        // stopped by the timeout.
        if let Some(before) = containers_before {
            self.track_containers(line, &before).await;
        }
        if run.error.is_some() {
            // It never ran to the end, so it made no image names.
            return run;
        }
        self.created.extend(fresh);
        if !named.is_empty() {
            for digest_ref in self.digest_refs(&named).await {
                if !digests_before.contains(&digest_ref) && !self.created.contains(&digest_ref) {
                    self.created.push(digest_ref);
                }
            }
        }
        run
    }

    /// Remember the containers that appeared while `line` ran (they are not in `before`) and that
    /// the line names, by their name (`--name`) or their image: the line made them. Containers other
    /// runs made at the same moment, from other images, are not this run's to remove.
    async fn track_containers(&mut self, line: &Line, before: &[ContainerListed]) {
        let Ok(after) = self.docker.all_containers().await else {
            return;
        };
        let words: Vec<&str> = line.argv[1..]
            .iter()
            .map(|w| w.strip_prefix("--name=").unwrap_or(w))
            .collect();
        for container in after {
            let new = !before.iter().any(|b| b.id == container.id);
            if new && words.iter().any(|w| container.is_named_by(w)) {
                let name = container.names.first().cloned().unwrap_or_default();
                self.containers.push((container.id, name));
            }
        }
    }

    /// Run the lines in order, stopping at the first that fails.
    pub async fn run_lines(&mut self, lines: &[Line]) -> (Phase, Vec<CommandRun>) {
        let mut runs = Vec::new();
        for line in lines {
            let run = self.run_line(line).await;
            let ok = run.ok;
            runs.push(run);
            if !ok {
                return (Phase::Fail, runs);
            }
        }
        let phase = if lines.is_empty() {
            Phase::Skipped
        } else {
            Phase::Pass
        };
        (phase, runs)
    }

    /// Evaluate a step until it passes or `wait` is over; with no wait, once.
    pub async fn evaluate(
        &mut self,
        plan: &Planned<'_>,
        step: &Step,
        since: chrono::DateTime<chrono::Utc>,
        wait: Duration,
    ) -> StepReport {
        let deadline = Instant::now() + wait;
        loop {
            let ctx = self.context(&plan.vars, since);
            let report = report::evaluate_step(step, &ctx, plan.allowed).await;
            if report.status == Status::Pass {
                self.captured.extend(report.captured.clone());
                return report;
            }
            if Instant::now() >= deadline {
                return report;
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

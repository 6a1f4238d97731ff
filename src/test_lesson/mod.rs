//! Prove a lesson solvable, the way rustlings' `dev check` proves its exercises. It plays a fresh
//! learner on a throwaway engine and registry: it runs the lessons the lesson `requires` (their setup
//! and solutions, untested, so the world is where the lesson starts), then the lesson's setup, then for
//! each step in order
//!
//! 1. **fails first**: the step's checks must not pass yet. A step that already passes was done by an
//!    earlier step or the setup, which is an authoring error, unless the step changes nothing by design:
//!    it has no solution, or its solution only looks (`docker images`, `docker inspect`, ...). Such
//!    "look" steps may pass before their solution; they must still pass after it.
//! 2. **solution**: each line of `solution` runs as argv, never through a shell, with variables filled
//!    in after they were validated against their patterns. `docker login` gets its password on stdin
//!    (`--password-stdin`) from `LEARN_REGISTRY_TEST_PASSWORD`; it is never printed.
//! 3. **passes after**: the checks are evaluated again until they pass, for a short window, since
//!    engine events and registries settle.
//!
//! Steps only a person can do (`human_only`) and quizzes are not failed: a `human_only` step with checks
//! counts when its checks pass, and is skipped with the reason otherwise (Docker Hub's website, say,
//! which no command here can drive). A check that cannot be verified is reported as such (exit 3),
//! never as a failure.
//!
//! Everything runs with a temporary Docker config folder (`config`). Containers the solutions make
//! (`docker run`, `docker create`) are removed and image names the run creates (setup builds,
//! `docker tag`, `docker pull`, `docker build -t`) untagged at the end, unless `--keep` (`cleanup`).
//! A solution line may use a value an earlier step's check captured: lines are planned before the
//! run with stand-ins, and a step's lines again, with the captured values, when the step is reached
//! (a step that needs a value no earlier step recorded is not tried: unverified, with the names).
//! A line must fail when written `! command` or `{ run: command, expect: fail }`. What the registry received stays there: that is why the registry must be a
//! throwaway one. The flow: `plan` (before anything runs) → `session` (setup, `step_test` per step,
//! `cleanup`) → `LessonTest` → `report`.

mod cleanup;
mod command_run;
mod config;
mod counts;
mod lesson_test;
mod line;
mod options;
mod phase;
mod plan;
pub mod report;
mod session;
mod setup_line;
mod step_test;

use std::collections::BTreeMap;

pub use cleanup::Cleanup;
pub use command_run::CommandRun;
pub use counts::Counts;
pub use lesson_test::LessonTest;
pub use line::Line;
pub use options::Options;
pub use phase::Phase;
pub use plan::Planned;
pub use session::Session;
pub use setup_line::SetupLine;
pub use step_test::StepTest;

use crate::check::{Context, Settings};
use crate::exit;
use crate::lesson::source::{Catalog, LoadedLesson};
use crate::probe::DockerProbe;
use crate::probe::docker::{DEFAULT_TIMEOUT, Endpoint};

/// Where `docker login` lines of solutions get their password.
pub const PASSWORD_ENV: &str = "LEARN_REGISTRY_TEST_PASSWORD";

/// Test `target` (after the lessons it requires, unless `no_requires`) against the engine and the
/// registry of `settings`. `Ok(Err(code))` when it stopped before testing anything: the reason is
/// already on stderr, and `code` is the exit code it means.
pub fn run(
    catalog: &Catalog,
    target: &LoadedLesson,
    settings: Settings,
    vars: &[(String, String)],
    options: &Options,
) -> miette::Result<Result<LessonTest, u8>> {
    let chain = if options.no_requires {
        vec![target]
    } else {
        match plan::with_requires(catalog, target) {
            Ok(chain) => chain,
            Err(e) => return refuse(&[e]),
        }
    };

    // Values first: every variable must have one, valid for its pattern, before anything runs.
    let given: BTreeMap<String, String> = vars.iter().cloned().collect();
    let base = Context::new(BTreeMap::new(), settings.clone());
    let mut plans = Vec::new();
    for loaded in chain {
        match Planned::new(loaded, &given, &base.vars) {
            Ok(plan) => plans.push(plan),
            Err(problems) => return refuse(&problems),
        }
    }
    let password = std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty());
    if password.is_none()
        && let Some(p) = plans.iter().find(|p| p.needs_password())
    {
        return refuse(&[format!(
            "a solution of lesson `{}` runs `docker login`; set {PASSWORD_ENV} to the password \
             to log in with (it goes to `--password-stdin` and is never printed)",
            p.lesson().id.as_str()
        )]);
    }
    for plan in &mut plans {
        plan.allowed = plan::allowed_to_run(plan.loaded, options.yes);
        if !plan.allowed {
            return refuse(&[format!(
                "lesson `{}` ({}) is not from the shipped course and runs commands (its \
                 solutions); pass --yes to let `test-lesson` run them",
                plan.lesson().id.as_str(),
                plan.loaded.file.name
            )]);
        }
    }

    // The engine the user's docker would use, then a temporary Docker config for the whole run.
    let endpoint = match Endpoint::resolve() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot find the Docker Engine: {e}");
            return Ok(Err(exit::UNKNOWN));
        }
    };
    let isolation = config::isolate(&endpoint)?;

    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| miette::miette!("cannot start: {e}"))?;
    let mut result = LessonTest {
        lesson: target.lesson.id.to_string(),
        title: target.lesson.title.to_string(),
        registry: settings.registry.clone(),
        engine: endpoint.host.clone(),
        ..Default::default()
    };
    runtime.block_on(async {
        let docker = match DockerProbe::connect_endpoint(endpoint.clone(), DEFAULT_TIMEOUT).await {
            Ok(d) => d,
            Err(e) => {
                result.setup.push(SetupLine {
                    what: "connect to the Docker Engine".into(),
                    status: if e.is_unverifiable() {
                        Phase::Unknown
                    } else {
                        Phase::Fail
                    },
                    detail: e.to_string(),
                });
                return;
            }
        };
        let mut session = Session {
            docker,
            settings,
            password,
            wait: options.wait,
            created: Vec::new(),
            containers: Vec::new(),
            progress: options.progress,
            env: isolation.env.clone(),
            config_dir: isolation.dir.path().to_path_buf(),
            captured: BTreeMap::new(),
        };
        session.run(&plans, options.keep, &mut result).await;
    });
    drop(runtime);
    if options.keep {
        result.cleanup.config_kept = Some(isolation.dir.keep());
    }
    Ok(Ok(result))
}

/// Say why the run cannot start; it is a usage error.
fn refuse(problems: &[String]) -> miette::Result<Result<LessonTest, u8>> {
    for p in problems {
        eprintln!("error: {p}");
    }
    Ok(Err(exit::USAGE))
}

//! `learn-registry test-lesson LESSON`: prove a lesson solvable, the way rustlings' `dev check` proves
//! its exercises. It plays a fresh learner on a throwaway engine and registry: it runs the lessons the
//! lesson `requires` (their setup and solutions, untested, so the world is where the lesson starts),
//! then the lesson's setup, then for each step in order
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
//! Everything runs with a temporary Docker config folder seeded from the user's `config.json` without
//! its logins (`auths`, `credsStore`, `credHelpers`), so logins the solutions make never reach the
//! user's config or keychain, and a login step really starts logged out. Image names the run creates
//! (setup builds, `docker tag`, `docker pull`, `docker build -t`) are untagged at the end, unless
//! `--keep`. What the registry received stays there: that is why the registry must be a throwaway one,
//! and why `--registry docker.io` is refused without `--allow-docker-hub`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use console::style;
use serde_json::{Value, json};

use crate::check::report::{self, StepReport};
use crate::check::{CheckResult, Context, Outcome, Settings, Status};
use crate::cli::{Global, TestFormat};
use crate::exit;
use crate::lesson::model::SetupAction;
use crate::lesson::source::{self, Catalog, LoadedLesson, Origin};
use crate::lesson::{Lesson, Step};
use crate::probe::docker::Endpoint;
use crate::probe::reference::{DOCKER_HUB, normalize_registry};
use crate::probe::{DockerConfig, DockerProbe, ImageRef};
use crate::setup::{self, SetupDone};
use crate::trust;

/// Where `docker login` lines of solutions get their password.
pub const PASSWORD_ENV: &str = "LEARN_REGISTRY_TEST_PASSWORD";

/// How long one solution command may run.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);
/// How often checks are re-evaluated while waiting for a step to pass.
const POLL: Duration = Duration::from_millis(300);
/// How many lines of a failed command's stderr the report keeps.
const STDERR_TAIL: usize = 6;

pub struct Args {
    pub lesson: String,
    pub format: TestFormat,
    pub yes: bool,
    pub keep: bool,
    pub no_requires: bool,
    pub wait: u64,
    pub allow_docker_hub: bool,
}

// ------------------------------------------------------------------------------------ the plan

/// One line of a solution (or a setup command), ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub argv: Vec<String>,
    /// `docker login` without a password of its own: it gets `--password-stdin` and the password.
    pub login: bool,
    /// Image names the command makes (tag targets, pulled and built names), for the cleanup.
    pub creates: Vec<String>,
    /// Names it pushes: Docker records a digest reference (`repo@sha256:...`) for each, which the
    /// cleanup removes too, or a re-run would find the step done.
    pub pushes: Vec<String>,
}

impl Line {
    /// The command as people read it (the password is never in argv).
    pub fn display(&self) -> String {
        shell_words::join(&self.argv)
    }
}

/// Words a shell would treat specially. Solutions run without a shell, so a line using them cannot
/// mean what it says.
fn shell_syntax(word: &str) -> bool {
    matches!(word, "|" | "||" | "&&" | ";" | "&" | "2>&1")
        || word.starts_with('>')
        || word.starts_with('<')
        || word.starts_with("2>")
        || word.starts_with('$')
        || word.starts_with('`')
        || word.ends_with(';')
}

/// Global `docker` options that take a value as the next word.
const DOCKER_GLOBAL_WITH_VALUE: &[&str] = &[
    "-H",
    "--host",
    "-c",
    "--context",
    "--config",
    "-l",
    "--log-level",
    "--tlscacert",
    "--tlscert",
    "--tlskey",
];

/// Options of `docker pull` / `docker build` that take a value (the rest are switches).
const PULL_WITH_VALUE: &[&str] = &["--platform"];
const BUILD_WITH_VALUE: &[&str] = &[
    "-f",
    "--file",
    "--build-arg",
    "--label",
    "--target",
    "--platform",
    "--network",
    "--iidfile",
    "--cache-from",
    "-m",
    "--memory",
    "--add-host",
];

/// A name as Docker stores it: without a tag or digest, the tag is `latest`. (A `:` before the last
/// `/` is a registry port, not a tag.)
fn with_default_tag(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    if name.contains('@') || last.contains(':') {
        name.to_string()
    } else {
        format!("{name}:latest")
    }
}

/// The words after the subcommand that are not options (skipping the values of `with_value` options).
fn positionals<'a>(words: &'a [String], with_value: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        if w.starts_with('-') && w.len() > 1 {
            if with_value.contains(&w) {
                i += 1;
            }
        } else {
            out.push(w);
        }
        i += 1;
    }
    out
}

/// Turn a rendered solution line into argv, or say why it cannot run. `None` for blank lines and
/// `#` comments.
pub fn plan_line(rendered: &str) -> Result<Option<Line>, String> {
    let trimmed = rendered.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let mut argv =
        shell_words::split(trimmed).map_err(|e| format!("`{trimmed}` does not split: {e}"))?;
    if let Some(word) = argv.iter().find(|w| shell_syntax(w)) {
        return Err(format!(
            "`{trimmed}` uses `{word}`, but solutions run as one command without a shell; split it \
             into lines of one command each"
        ));
    }
    let program = Path::new(&argv[0])
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let mut login = false;
    let mut creates = Vec::new();
    let mut pushes = Vec::new();
    if program == "docker" {
        // Skip global options to find the subcommand.
        let mut i = 1;
        while i < argv.len() && argv[i].starts_with('-') {
            if DOCKER_GLOBAL_WITH_VALUE.contains(&argv[i].as_str()) {
                i += 1;
            }
            i += 1;
        }
        let mut command: Vec<&str> = argv[i.min(argv.len())..]
            .iter()
            .take(2)
            .map(String::as_str)
            .collect();
        // `docker image tag` is `docker tag`, and so on.
        let rest_from = if matches!(command.first(), Some(&"image") | Some(&"buildx")) {
            command.remove(0);
            i + 2
        } else {
            i + 1
        };
        let rest = &argv[rest_from.min(argv.len())..];
        match command.first().copied() {
            Some("login") => {
                let has_password = rest.iter().any(|w| {
                    matches!(w.as_str(), "--password-stdin" | "-p" | "--password")
                        || w.starts_with("--password=")
                        || (w.starts_with("-p") && w.len() > 2 && !w.starts_with("--"))
                });
                if !has_password {
                    login = true;
                    argv.push("--password-stdin".into());
                }
            }
            Some("tag") => {
                if let [_, target, ..] = positionals(rest, &[])[..] {
                    creates.push(with_default_tag(target));
                }
            }
            Some("push") => {
                if let [name, ..] = positionals(rest, &[])[..] {
                    pushes.push(with_default_tag(name));
                }
            }
            Some("pull") => {
                if let [name, ..] = positionals(rest, PULL_WITH_VALUE)[..] {
                    creates.push(with_default_tag(name));
                }
            }
            Some("build") => {
                let mut j = 0;
                while j < rest.len() {
                    let w = rest[j].as_str();
                    if (w == "-t" || w == "--tag") && j + 1 < rest.len() {
                        creates.push(with_default_tag(&rest[j + 1]));
                        j += 1;
                    } else if let Some(v) = w.strip_prefix("--tag=") {
                        creates.push(with_default_tag(v));
                    } else if BUILD_WITH_VALUE.contains(&w) {
                        j += 1;
                    }
                    j += 1;
                }
            }
            _ => {}
        }
    }
    Ok(Some(Line {
        argv,
        login,
        creates,
        pushes,
    }))
}

/// A step's solution lines, rendered and planned. Problems are lesson errors.
fn plan_solution(step: &Step, vars: &BTreeMap<String, String>) -> Result<Vec<Line>, String> {
    let Some(solution) = &step.solution else {
        return Ok(Vec::new());
    };
    let mut lines = Vec::new();
    for raw in solution.lines() {
        let rendered = crate::lesson::template::render(raw, vars).map_err(|missing| {
            format!(
                "`{}` needs a value for `{}`; pass --var {}=VALUE",
                raw.trim(),
                missing[0],
                missing[0]
            )
        })?;
        if let Some(line) = plan_line(&rendered)? {
            lines.push(line);
        }
    }
    Ok(lines)
}

/// Docker subcommands that only look: a step whose solution is made of these changes nothing, so it
/// may pass before its solution ran.
fn only_looks(line: &Line) -> bool {
    let program = Path::new(&line.argv[0])
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if program != "docker" {
        return false;
    }
    let words: Vec<&str> = line.argv[1..]
        .iter()
        .map(String::as_str)
        .filter(|w| !w.starts_with('-'))
        .take(2)
        .collect();
    matches!(
        words.as_slice(),
        [
            "images" | "inspect" | "ps" | "version" | "info" | "history" | "search",
            ..
        ] | ["image", "ls" | "list" | "inspect" | "history"]
            | ["system", "df" | "info"]
            | ["manifest", "inspect"]
    )
}

/// The lesson and the lessons it requires, those first (deepest first), each once.
fn with_requires<'c>(
    catalog: &'c Catalog,
    lesson: &'c LoadedLesson,
) -> Result<Vec<&'c LoadedLesson>, String> {
    fn visit<'c>(
        catalog: &'c Catalog,
        lesson: &'c LoadedLesson,
        visiting: &mut Vec<String>,
        out: &mut Vec<&'c LoadedLesson>,
    ) -> Result<(), String> {
        let id = lesson.lesson.id.to_string();
        if out.iter().any(|l| l.lesson.id.as_str() == id) {
            return Ok(());
        }
        if visiting.contains(&id) {
            return Err(format!(
                "lessons require each other: {} → {id}",
                visiting.join(" → ")
            ));
        }
        visiting.push(id.clone());
        for req in &lesson.lesson.requires {
            let found = catalog.find(req).ok_or_else(|| {
                format!("lesson `{id}` requires `{}`, which does not exist", **req)
            })?;
            visit(catalog, found, visiting, out)?;
        }
        visiting.pop();
        out.push(lesson);
        Ok(())
    }
    let mut out = Vec::new();
    visit(catalog, lesson, &mut Vec::new(), &mut out)?;
    Ok(out)
}

/// A lesson with its values and its planned solutions (one list per step).
struct Planned<'c> {
    loaded: &'c LoadedLesson,
    vars: BTreeMap<String, String>,
    solutions: Vec<Vec<Line>>,
    setup_commands: Vec<Option<Line>>,
    allowed: bool,
}

impl Planned<'_> {
    fn lesson(&self) -> &Lesson {
        &self.loaded.lesson
    }

    fn needs_password(&self) -> bool {
        self.solutions.iter().flatten().any(|l| l.login)
    }
}

// ------------------------------------------------------------------------------------ results

/// How one phase of a step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Pass,
    Fail,
    Unknown,
    /// Not run, or not required (a look step that passes already, a step without a solution).
    Skipped,
}

impl Phase {
    fn as_str(self) -> &'static str {
        match self {
            Phase::Pass => "pass",
            Phase::Fail => "fail",
            Phase::Unknown => "unknown",
            Phase::Skipped => "skipped",
        }
    }

    fn from_status(status: Status) -> Phase {
        match status {
            Status::Pass => Phase::Pass,
            Status::Fail => Phase::Fail,
            Status::Unknown => Phase::Unknown,
            Status::Pending => Phase::Skipped,
        }
    }

    fn mark(self) -> console::StyledObject<&'static str> {
        match self {
            Phase::Pass => style("✓").green(),
            Phase::Fail => style("✗").red(),
            Phase::Unknown => style("?").yellow(),
            Phase::Skipped => style("–").dim(),
        }
    }
}

/// One command that ran.
#[derive(Debug, Clone)]
pub struct CommandRun {
    pub command: String,
    pub exit_code: Option<i32>,
    pub ok: bool,
    /// The last lines of stderr (of a failed command), password removed.
    pub stderr_tail: Vec<String>,
    /// Why it did not run at all (program missing, timeout).
    pub error: Option<String>,
}

/// One step's test.
#[derive(Debug, Clone)]
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

/// A setup action (or a required lesson's preparation) and how it went.
#[derive(Debug, Clone)]
pub struct SetupLine {
    pub what: String,
    pub status: Phase,
    pub detail: String,
}

/// What the cleanup did.
#[derive(Debug, Clone, Default)]
pub struct Cleanup {
    pub removed: Vec<String>,
    pub left: Vec<String>,
    pub failed: Vec<String>,
    pub config_kept: Option<PathBuf>,
}

/// The whole run.
#[derive(Debug, Clone, Default)]
pub struct LessonTest {
    pub lesson: String,
    pub title: String,
    pub registry: String,
    pub engine: String,
    pub prepared: Vec<String>,
    pub setup: Vec<SetupLine>,
    pub steps: Vec<StepTest>,
    pub cleanup: Cleanup,
}

/// Counts of steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
    pub skipped: usize,
}

impl LessonTest {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for s in &self.steps {
            match s.status {
                Phase::Pass => c.pass += 1,
                Phase::Fail => c.fail += 1,
                Phase::Unknown => c.unknown += 1,
                Phase::Skipped => c.skipped += 1,
            }
        }
        for s in &self.setup {
            match s.status {
                Phase::Fail => c.fail += 1,
                Phase::Unknown => c.unknown += 1,
                _ => {}
            }
        }
        c
    }

    /// 1 on any failure, else 3 on anything unverified, else 0.
    pub fn exit_code(&self) -> u8 {
        let c = self.counts();
        if c.fail > 0 {
            exit::FAILED
        } else if c.unknown > 0 {
            exit::UNKNOWN
        } else {
            exit::OK
        }
    }
}

/// A step's overall status from its phases: any failure fails it, then anything unverified.
fn combine(phases: &[Phase]) -> Phase {
    if phases.contains(&Phase::Fail) {
        Phase::Fail
    } else if phases.contains(&Phase::Unknown) {
        Phase::Unknown
    } else {
        Phase::Pass
    }
}

// ------------------------------------------------------------------------------------ running

/// The engine, the settings and what the run made so far.
struct Session {
    docker: DockerProbe,
    settings: Settings,
    password: Option<String>,
    wait: Duration,
    /// Names this run created, in order, for the cleanup.
    created: Vec<String>,
    progress: bool,
}

impl Session {
    /// A fresh context per evaluation: the Docker config is re-read, so a login just made counts.
    fn context(
        &self,
        vars: &BTreeMap<String, String>,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Context {
        let mut ctx =
            Context::new(vars.clone(), self.settings.clone()).with_docker(self.docker.clone());
        ctx.since = Some(since);
        ctx
    }

    fn say(&self, text: &str) {
        if self.progress {
            eprintln!("{}", style(text).dim());
        }
    }

    /// Names in `names` that do not exist yet (and so will be this run's to remove).
    async fn new_names(&self, names: &[String]) -> Vec<String> {
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

    fn redact(&self, text: &str) -> String {
        match &self.password {
            Some(p) if !p.is_empty() => text.replace(p.as_str(), "********"),
            _ => text.to_string(),
        }
    }

    /// Run one line, remembering the names it made.
    async fn run_line(&mut self, line: &Line) -> CommandRun {
        let command = line.display();
        self.say(&format!("  $ {command}"));
        let fresh = self.new_names(&line.creates).await;
        let digests_before = self.digest_refs(&line.pushes).await;
        let (program, args) = line
            .argv
            .split_first()
            .expect("a planned line has a program");
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(args)
            .stdin(if line.login {
                std::process::Stdio::piped()
            } else {
                std::process::Stdio::null()
            })
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let failed = |error: String| CommandRun {
            command: command.clone(),
            exit_code: None,
            ok: false,
            stderr_tail: Vec::new(),
            error: Some(error),
        };
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => return failed(format!("cannot run `{program}`: {e}")),
        };
        if line.login
            && let Some(mut stdin) = child.stdin.take()
        {
            use tokio::io::AsyncWriteExt;
            let password = self.password.clone().unwrap_or_default();
            // A write error means the command exited early; its exit code says why.
            let _ = stdin.write_all(password.as_bytes()).await;
            drop(stdin);
        }
        let output = match tokio::time::timeout(COMMAND_TIMEOUT, child.wait_with_output()).await {
            Err(_) => {
                return failed(format!(
                    "did not finish within {}s",
                    COMMAND_TIMEOUT.as_secs()
                ));
            }
            Ok(Err(e)) => return failed(format!("cannot run `{program}`: {e}")),
            Ok(Ok(o)) => o,
        };
        self.created.extend(fresh);
        let ok = output.status.success();
        if ok && !line.pushes.is_empty() {
            for digest_ref in self.digest_refs(&line.pushes).await {
                if !digests_before.contains(&digest_ref) && !self.created.contains(&digest_ref) {
                    self.created.push(digest_ref);
                }
            }
        }
        let stderr_tail = if ok {
            Vec::new()
        } else {
            let text = self.redact(&String::from_utf8_lossy(&output.stderr));
            let lines: Vec<String> = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect();
            lines[lines.len().saturating_sub(STDERR_TAIL)..].to_vec()
        };
        CommandRun {
            command,
            exit_code: output.status.code(),
            ok,
            stderr_tail,
            error: None,
        }
    }

    /// Run the lines in order, stopping at the first that fails.
    async fn run_lines(&mut self, lines: &[Line]) -> (Phase, Vec<CommandRun>) {
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

    /// A lesson's setup, action by action, remembering what it built or tagged.
    async fn setup(&mut self, plan: &Planned<'_>) -> Vec<SetupLine> {
        let mut out = Vec::new();
        let ctx = self.context(&plan.vars, chrono::Utc::now());
        for (action, command) in plan.lesson().setup.iter().zip(&plan.setup_commands) {
            let what = setup::describe(action, &ctx);
            self.say(&format!("  setup: {what}"));
            let built = match &action.value {
                SetupAction::BuildImage(b) => ctx.render(&b.tag).ok().map(|t| vec![t]),
                SetupAction::Command(_) => command.as_ref().map(|l| l.creates.clone()),
            }
            .unwrap_or_default();
            let fresh = self.new_names(&built).await;
            let (status, detail) = match setup::run_action(action, &ctx, plan.allowed).await {
                Ok(done) => {
                    let detail = match &done {
                        SetupDone::Built { id, .. } => {
                            format!("built {}", short_id(id))
                        }
                        SetupDone::AlreadyThere { .. } => "already there".to_string(),
                        SetupDone::Ran { .. } => "done".to_string(),
                        SetupDone::NotAllowed { .. } => "not allowed to run commands".to_string(),
                    };
                    if !matches!(done, SetupDone::AlreadyThere { .. }) {
                        self.created.extend(fresh);
                    }
                    let status = if matches!(done, SetupDone::NotAllowed { .. }) {
                        Phase::Unknown
                    } else {
                        Phase::Pass
                    };
                    (status, detail)
                }
                Err(e) if e.unverifiable => (Phase::Unknown, self.redact(&e.reason)),
                Err(e) => (Phase::Fail, self.redact(&e.reason)),
            };
            let stop = status != Phase::Pass;
            out.push(SetupLine {
                what,
                status,
                detail,
            });
            if stop {
                break;
            }
        }
        out
    }

    /// Evaluate a step now.
    async fn evaluate(
        &self,
        step: &Step,
        vars: &BTreeMap<String, String>,
        since: chrono::DateTime<chrono::Utc>,
        allowed: bool,
    ) -> StepReport {
        let ctx = self.context(vars, since);
        report::evaluate_step(step, &ctx, allowed).await
    }

    /// Evaluate until the step passes or the wait is over.
    async fn evaluate_until_pass(
        &self,
        step: &Step,
        vars: &BTreeMap<String, String>,
        since: chrono::DateTime<chrono::Utc>,
        allowed: bool,
    ) -> StepReport {
        let deadline = Instant::now() + self.wait;
        loop {
            let report = self.evaluate(step, vars, since, allowed).await;
            if report.status == Status::Pass || Instant::now() >= deadline {
                return report;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Test one step: fail first, solution, pass after.
    async fn test_step(&mut self, plan: &Planned<'_>, index: usize) -> StepTest {
        let step = &plan.lesson().steps[index];
        let lines = &plan.solutions[index];
        let title = crate::lesson::template::render(&step.title, &plan.vars)
            .unwrap_or_else(|_| step.title.to_string());
        self.say(&format!("step {}", step.id.as_str()));
        let mut test = StepTest {
            id: step.id.to_string(),
            title,
            status: Phase::Skipped,
            fail_first: Phase::Skipped,
            solution: Phase::Skipped,
            after: Phase::Skipped,
            notes: Vec::new(),
            before: Vec::new(),
            checks: Vec::new(),
            commands: Vec::new(),
        };
        let since = chrono::Utc::now();

        if step.checks.is_empty() {
            // Nothing to verify; still run a solution, since later steps may build on it.
            let (solution, commands) = self.run_lines(lines).await;
            test.solution = solution;
            test.commands = commands;
            test.notes.push(if step.quiz.is_some() {
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
            return test;
        }

        if step.human_only {
            // A person does this step (on a website, say); its checks count when they pass.
            let (solution, commands) = self.run_lines(lines).await;
            test.solution = solution;
            test.commands = commands;
            let after = if lines.is_empty() {
                self.evaluate(step, &plan.vars, since, plan.allowed).await
            } else {
                self.evaluate_until_pass(step, &plan.vars, since, plan.allowed)
                    .await
            };
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
            return test;
        }

        // 1. Fail first.
        let before = self.evaluate(step, &plan.vars, since, plan.allowed).await;
        let looks_only = lines.iter().all(only_looks);
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
        let (solution, commands) = self.run_lines(lines).await;
        test.solution = solution;
        test.commands = commands;
        if solution == Phase::Fail {
            test.notes
                .push("its solution failed, so passing after it was not checked".into());
            test.status = Phase::Fail;
            return test;
        }

        // 3. Passes after.
        let after = self
            .evaluate_until_pass(step, &plan.vars, since, plan.allowed)
            .await;
        test.after = Phase::from_status(after.status);
        if after.status == Status::Fail {
            test.notes.push(if lines.is_empty() {
                "has no solution, and its checks do not pass".into()
            } else {
                format!(
                    "its checks do not pass after its solution (waited {}s)",
                    self.wait.as_secs()
                )
            });
        }
        test.checks = after.checks;
        test.status = combine(&[test.fail_first, test.solution, test.after]);
        test
    }

    /// Untag every name the run created, newest first.
    async fn clean_up(&mut self) -> Cleanup {
        let mut cleanup = Cleanup::default();
        for name in self.created.iter().rev() {
            match self.docker.remove_image(name).await {
                Ok(true) => cleanup.removed.push(name.clone()),
                Ok(false) => {}
                Err(e) => cleanup.failed.push(format!("`{name}`: {e}")),
            }
        }
        self.created.clear();
        cleanup
    }
}

fn short_id(id: &str) -> &str {
    let hex = id.trim_start_matches("sha256:");
    &hex[..hex.len().min(12)]
}

// ------------------------------------------------------------------------------------ the command

fn usage(message: impl std::fmt::Display) -> miette::Result<u8> {
    eprintln!("error: {message}");
    Ok(exit::USAGE)
}

/// May this lesson run its solutions and commands? Shipped lessons may; others with `--yes` or after
/// the author allowed this exact content for `test-lesson` (asked apart from `check`'s allowance, since
/// here the solutions run too).
fn allowed_to_run(loaded: &LoadedLesson, yes: bool) -> bool {
    if loaded.origin == Origin::Shipped || yes {
        return true;
    }
    let mut commands = trust::commands_of(&loaded.lesson);
    for step in loaded.lesson.steps.iter() {
        if let Some(solution) = &step.solution {
            commands.extend(
                solution
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string),
            );
        }
    }
    if commands.is_empty() {
        return true;
    }
    let home = trust::home();
    let key = format!("test-lesson:{}", loaded.lesson.id.as_str());
    let hash = trust::content_hash(&loaded.file);
    if trust::is_allowed(&home, &key, &hash) {
        return true;
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return false;
    }
    eprintln!(
        "lesson `{}` ({}) runs these commands in `test-lesson`:",
        loaded.lesson.id.as_str(),
        loaded.file.name
    );
    for c in &commands {
        eprintln!("  {c}");
    }
    let allowed = dialoguer::Confirm::new()
        .with_prompt("Allow it to run them (asked again if the file changes)?")
        .default(false)
        .interact()
        .unwrap_or(false);
    if allowed && let Err(e) = trust::allow(&home, &key, &hash) {
        eprintln!("warning: could not remember the allowance: {e}");
    }
    allowed
}

/// The user's `config.json` without logins or a context: what the run's temporary config starts from.
fn seed_config(user_dir: &Path) -> (Value, Option<String>) {
    let path = user_dir.join("config.json");
    let mut warning = None;
    let mut value = match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => match serde_json::from_str::<Value>(&text) {
            Ok(v) if v.is_object() => v,
            _ => {
                warning = Some(format!(
                    "`{}` is not a JSON object; starting from an empty Docker config",
                    path.display()
                ));
                json!({})
            }
        },
        _ => json!({}),
    };
    if let Some(map) = value.as_object_mut() {
        for key in ["auths", "credsStore", "credHelpers", "currentContext"] {
            map.remove(key);
        }
    }
    (value, warning)
}

pub fn run(global: &Global, args: Args) -> miette::Result<u8> {
    if normalize_registry(&global.registry) == DOCKER_HUB && !args.allow_docker_hub {
        return usage(
            "`test-lesson` logs in, tags and pushes for real, and `--registry` is Docker Hub \
             (`docker.io`, the default): the pushes would go to the real Hub.\n  \
             Run it against a throwaway registry, e.g. `--registry 127.0.0.1:5000` \
             (`scripts/lab.sh up` starts one), or pass `--allow-docker-hub` if you really mean it.",
        );
    }
    let catalog = source::catalog(&global.lessons_dirs);
    for broken in &catalog.broken {
        eprintln!(
            "warning: skipped `{}`, which does not load (run `learn-registry lint`)",
            broken.file
        );
    }
    let Some(target) = catalog.find(&args.lesson) else {
        let hint = crate::diagnostic::did_you_mean(&args.lesson, catalog.ids())
            .map(|b| format!("; did you mean `{b}`?"))
            .unwrap_or_else(|| "; see `learn-registry list`".into());
        return usage(format!("no lesson `{}`{hint}", args.lesson));
    };
    let chain = if args.no_requires {
        vec![target]
    } else {
        match with_requires(&catalog, target) {
            Ok(chain) => chain,
            Err(e) => return usage(e),
        }
    };

    // Values first: every variable must have one, valid for its pattern, before anything runs.
    let given: BTreeMap<String, String> = global.vars.iter().cloned().collect();
    let base = Context::new(BTreeMap::new(), super::check::settings(global));
    let mut plans = Vec::new();
    for loaded in &chain {
        let lesson = &loaded.lesson;
        let vars = match report::resolve_variables(lesson, &given, &base.vars) {
            Ok(vars) => vars,
            Err(problems) => {
                for p in problems {
                    eprintln!("error: {p}");
                }
                return Ok(exit::USAGE);
            }
        };
        let missing: Vec<&String> = lesson
            .variables
            .keys()
            .filter(|name| !vars.contains_key(*name))
            .collect();
        if let Some(name) = missing.first() {
            return usage(format!(
                "lesson `{}` needs a value for `{name}`: pass --var {name}=VALUE",
                lesson.id.as_str()
            ));
        }
        let mut solutions = Vec::new();
        for step in lesson.steps.iter() {
            match plan_solution(step, &vars) {
                Ok(lines) => solutions.push(lines),
                Err(e) => {
                    return usage(format!(
                        "step `{}` of lesson `{}` ({}): {e}",
                        step.id.as_str(),
                        lesson.id.as_str(),
                        loaded.file.name
                    ));
                }
            }
        }
        let mut setup_commands = Vec::new();
        for action in &lesson.setup {
            setup_commands.push(match &action.value {
                SetupAction::Command(c) => {
                    let rendered: Result<Vec<String>, _> = c
                        .run
                        .iter()
                        .map(|a| crate::lesson::template::render(a, &vars))
                        .collect();
                    rendered
                        .ok()
                        .and_then(|argv| plan_line(&shell_words::join(&argv)).ok().flatten())
                }
                SetupAction::BuildImage(_) => None,
            });
        }
        plans.push(Planned {
            loaded,
            vars,
            solutions,
            setup_commands,
            allowed: false,
        });
    }
    let password = std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty());
    if password.is_none()
        && let Some(p) = plans.iter().find(|p| p.needs_password())
    {
        return usage(format!(
            "a solution of lesson `{}` runs `docker login`; set {PASSWORD_ENV} to the password \
             to log in with (it goes to `--password-stdin` and is never printed)",
            p.lesson().id.as_str()
        ));
    }
    for plan in &mut plans {
        plan.allowed = allowed_to_run(plan.loaded, args.yes);
        if !plan.allowed {
            return usage(format!(
                "lesson `{}` ({}) is not from the shipped course and runs commands (its \
                 solutions); pass --yes to let `test-lesson` run them",
                plan.lesson().id.as_str(),
                plan.loaded.file.name
            ));
        }
    }

    // The engine the user's docker would use, then a temporary Docker config for the whole run.
    let endpoint = match Endpoint::resolve() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot find the Docker Engine: {e}");
            return Ok(exit::UNKNOWN);
        }
    };
    let config_dir = tempfile::Builder::new()
        .prefix("learn-registry-test-")
        .tempdir()
        .map_err(|e| miette::miette!("cannot make a temporary Docker config folder: {e}"))?;
    let (seed, warning) = seed_config(&DockerConfig::default_dir());
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    std::fs::write(
        config_dir.path().join("config.json"),
        serde_json::to_string_pretty(&seed).unwrap_or_else(|_| "{}".into()),
    )
    .map_err(|e| miette::miette!("cannot write the temporary Docker config: {e}"))?;
    // SAFETY: no other thread exists yet (the runtime starts below, and nothing before it spawns
    // threads), so nothing can read the environment while it changes. Solutions, setup commands and
    // the checks' config reads (`DockerConfig::load`) all follow DOCKER_CONFIG; DOCKER_HOST pins the
    // engine found above, since the temporary config has no Docker contexts.
    unsafe {
        std::env::set_var("DOCKER_CONFIG", config_dir.path());
        std::env::set_var("DOCKER_HOST", &endpoint.host);
        std::env::remove_var("DOCKER_CONTEXT");
    }

    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| miette::miette!("cannot start: {e}"))?;
    let settings = super::check::settings(global);
    let mut result = LessonTest {
        lesson: target.lesson.id.to_string(),
        title: target.lesson.title.to_string(),
        registry: settings.registry.clone(),
        engine: endpoint.host.clone(),
        ..Default::default()
    };
    let progress = args.format == TestFormat::Human && std::io::stderr().is_terminal();
    runtime.block_on(async {
        let docker = match DockerProbe::connect().await {
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
            wait: Duration::from_secs(args.wait),
            created: Vec::new(),
            progress,
        };
        let (target_plan, required) = plans.split_last().expect("the chain ends with the lesson");
        for plan in required {
            let id = plan.lesson().id.to_string();
            session.say(&format!("preparing: {id}"));
            let mut lines = session.setup(plan).await;
            let mut ok = lines.iter().all(|l| l.status == Phase::Pass);
            if ok {
                for solution in &plan.solutions {
                    let (phase, runs) = session.run_lines(solution).await;
                    if phase == Phase::Fail {
                        let last = runs.last().expect("a failed run has a command");
                        lines.push(SetupLine {
                            what: format!("run `{}`", last.command),
                            status: Phase::Fail,
                            detail: command_failure(last),
                        });
                        ok = false;
                        break;
                    }
                }
            }
            result.prepared.push(id.clone());
            if !ok {
                for mut line in lines.into_iter().filter(|l| l.status != Phase::Pass) {
                    line.what = format!("prepare `{id}`: {}", line.what);
                    result.setup.push(line);
                }
                result.cleanup = finish(&mut session, args.keep).await;
                return;
            }
        }
        result.setup = session.setup(target_plan).await;
        if result.setup.iter().all(|l| l.status == Phase::Pass) {
            for index in 0..target_plan.lesson().steps.len() {
                let step = session.test_step(target_plan, index).await;
                result.steps.push(step);
            }
        }
        result.cleanup = finish(&mut session, args.keep).await;
    });
    drop(runtime);
    if args.keep {
        let kept = config_dir.keep();
        result.cleanup.config_kept = Some(kept);
    }

    let text = match args.format {
        TestFormat::Human => render_human(&result),
        TestFormat::Json => {
            serde_json::to_string_pretty(&render_json(&result)).unwrap_or_default() + "\n"
        }
    };
    let mut stdout = std::io::stdout();
    stdout
        .write_all(text.as_bytes())
        .map_err(|e| miette::miette!("cannot write: {e}"))?;
    for problem in &result.cleanup.failed {
        eprintln!("warning: could not remove {problem}");
    }
    Ok(result.exit_code())
}

async fn finish(session: &mut Session, keep: bool) -> Cleanup {
    if keep {
        let left = std::mem::take(&mut session.created);
        Cleanup {
            left,
            ..Default::default()
        }
    } else {
        session.clean_up().await
    }
}

fn command_failure(run: &CommandRun) -> String {
    match (&run.error, run.exit_code) {
        (Some(e), _) => e.clone(),
        (None, code) => {
            let code = code.map_or_else(|| "a signal".to_string(), |c| c.to_string());
            match run.stderr_tail.last() {
                Some(last) => format!("exited with {code}: {last}"),
                None => format!("exited with {code}"),
            }
        }
    }
}

// ------------------------------------------------------------------------------------ reports

fn check_lines(out: &mut String, checks: &[CheckResult], indent: &str) {
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
pub fn render_human(t: &LessonTest) -> String {
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
            t.prepared
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
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
            check_lines(&mut out, &step.before, "        ");
        }
        for run in step.commands.iter().filter(|r| !r.ok) {
            let how = match (&run.error, run.stderr_tail.is_empty()) {
                (None, false) => format!(
                    "exited with {}:",
                    run.exit_code
                        .map_or_else(|| "a signal".into(), |c| c.to_string())
                ),
                _ => command_failure(run),
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
            check_lines(&mut out, checks, "        ");
        }
    }
    let c = &t.cleanup;
    out.push('\n');
    if !c.removed.is_empty() {
        out.push_str(&format!(
            "cleanup: removed {}\n",
            c.removed
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !c.left.is_empty() {
        out.push_str(&format!(
            "kept (--keep): {}\n",
            c.left
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
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
pub fn render_json(t: &LessonTest) -> Value {
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
            "failed": t.cleanup.failed,
            "config_kept": t.cleanup.config_kept.as_ref().map(|p| p.display().to_string()),
        },
        "summary": { "pass": n.pass, "fail": n.fail, "unknown": n.unknown, "skipped": n.skipped },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(line: &str) -> Line {
        plan_line(line).unwrap().unwrap()
    }

    #[test]
    fn names_made_by_tag_pull_and_build_are_found() {
        assert_eq!(
            plan("docker tag my-app:latest a/b:1.0").creates,
            ["a/b:1.0"]
        );
        assert_eq!(plan("docker image tag my-app a/b").creates, ["a/b:latest"]);
        assert_eq!(
            plan("docker pull --platform linux/amd64 127.0.0.1:5000/a/b:1.0").creates,
            ["127.0.0.1:5000/a/b:1.0"]
        );
        assert_eq!(
            plan("docker -H unix:///x.sock pull a/b").creates,
            ["a/b:latest"]
        );
        assert_eq!(
            plan("docker build -f Dockerfile -t x:1 --tag=y .").creates,
            ["x:1", "y:latest"]
        );
        assert_eq!(
            plan("docker pull 127.0.0.1:5000/a").creates,
            ["127.0.0.1:5000/a:latest"]
        );
        assert_eq!(plan("docker pull a@sha256:00").creates, ["a@sha256:00"]);
        assert!(plan("docker images").creates.is_empty());
        let push = plan("docker image push a/b:1.0");
        assert!(push.creates.is_empty());
        assert_eq!(push.pushes, ["a/b:1.0"]);
    }

    #[test]
    fn login_gets_the_password_on_stdin_unless_it_has_one() {
        let l = plan("docker login 127.0.0.1:5000 --username alice");
        assert!(l.login);
        assert_eq!(l.argv.last().unwrap(), "--password-stdin");
        assert!(!plan("docker login -u a --password-stdin r").login);
        assert!(!plan("docker login -u a -p secret r").login);
        assert!(!plan("docker logout r").login);
    }

    #[test]
    fn shell_syntax_blanks_and_comments() {
        assert!(plan_line("  ").unwrap().is_none());
        assert!(plan_line("# look around").unwrap().is_none());
        let e = plan_line("docker images | grep app").unwrap_err();
        assert!(e.contains("`|`") && e.contains("without a shell"), "{e}");
        assert!(plan_line("docker images > x").is_err());
        assert!(plan_line("docker tag $IMG x").is_err());
        assert!(plan_line("docker tag 'a").is_err());
        assert!(
            plan_line("docker images --format '{{.ID}}'")
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn look_only_solutions() {
        for line in [
            "docker images",
            "docker image ls my-app",
            "docker inspect x",
            "docker ps -a",
        ] {
            assert!(only_looks(&plan(line)), "{line}");
        }
        for line in ["docker tag a b", "docker pull a", "docker image rm a", "ls"] {
            assert!(!only_looks(&plan(line)), "{line}");
        }
    }

    #[test]
    fn the_seed_config_has_no_logins() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"auths":{"r":{"auth":"eDp5"}},"credsStore":"desktop","credHelpers":{"a":"b"},
               "currentContext":"lab","proxies":{"default":{"httpProxy":"http://p"}}}"#,
        )
        .unwrap();
        let (seed, warning) = seed_config(dir.path());
        assert!(warning.is_none());
        assert_eq!(
            seed,
            json!({"proxies":{"default":{"httpProxy":"http://p"}}})
        );
        std::fs::write(dir.path().join("config.json"), "[1]").unwrap();
        let (seed, warning) = seed_config(dir.path());
        assert_eq!(seed, json!({}));
        assert!(warning.is_some());
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(seed_config(empty.path()), (json!({}), None));
    }

    #[test]
    fn a_step_is_as_good_as_its_worst_phase() {
        assert_eq!(
            combine(&[Phase::Pass, Phase::Skipped, Phase::Pass]),
            Phase::Pass
        );
        assert_eq!(
            combine(&[Phase::Unknown, Phase::Pass, Phase::Fail]),
            Phase::Fail
        );
        assert_eq!(
            combine(&[Phase::Unknown, Phase::Pass, Phase::Pass]),
            Phase::Unknown
        );
    }
}

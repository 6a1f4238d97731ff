//! One lesson, interactively: variables asked once, setup with consent, then each step from the first
//! not done. A step that has checks waits for them to pass, watching rather than asking: every image
//! event from the engine re-checks at once, a slow poll covers what no event reveals, and single keys
//! ask for a check, a hint, the solution or the step's page. Progress is saved after every change, so
//! quitting (or Ctrl-C, or a crash) loses nothing.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use console::Term;
use dialoguer::theme::ColorfulTheme;

use crate::check::report::{StepReport, evaluate_step, resolve_variables};
use crate::check::{Context, Outcome, Settings};
use crate::lesson::model::Quiz;
use crate::lesson::{Lesson, Step};
use crate::probe::DockerProbe;
use crate::progress::{Progress, ProgressLock};
use crate::runner::io::{Interrupted, Io};
use crate::runner::screen::{self, fill};
use crate::runner::watch;
use crate::setup;

/// How a lesson session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Every step is done.
    Finished,
    /// The learner pressed `q` (or Esc in a quiz).
    Quit,
    /// Ctrl-C.
    Interrupted,
    /// A stored or given variable value no longer fits its pattern (already said why); nothing ran.
    BadVariables,
}

impl From<Interrupted> for End {
    fn from(_: Interrupted) -> End {
        End::Interrupted
    }
}

/// What a session needs besides the terminal.
pub struct Session<'a> {
    pub lesson: &'a Lesson,
    pub progress: Progress,
    pub lock: &'a ProgressLock,
    pub settings: Settings,
    /// May the lesson run commands (its `command` checks and setup)?
    pub allow_commands: bool,
    /// `--var` values: they win over stored ones.
    pub given: BTreeMap<String, String>,
    /// The command that resumes this lesson, for the goodbye message.
    pub resume: String,
    pub(super) vars: BTreeMap<String, String>,
    pub(super) probe: Option<DockerProbe>,
    pub(super) engine_down: bool,
    pub(super) color: bool,
}

/// How one step ended.
pub(super) enum StepEnd {
    Done(Option<StepReport>),
    Quit,
    Interrupted,
}

impl<'a> Session<'a> {
    pub fn new(
        lesson: &'a Lesson,
        progress: Progress,
        lock: &'a ProgressLock,
        settings: Settings,
        allow_commands: bool,
        given: BTreeMap<String, String>,
        resume: String,
    ) -> Session<'a> {
        Session {
            lesson,
            progress,
            lock,
            settings,
            allow_commands,
            given,
            resume,
            vars: BTreeMap::new(),
            probe: None,
            engine_down: false,
            color: console::colors_enabled(),
        }
    }

    pub(super) fn id(&self) -> &'a str {
        self.lesson.id.as_str()
    }

    pub(super) fn save(&mut self, io: &mut Io) {
        if let Err(e) = self.progress.save(self.lock) {
            io.say(format!("warning: progress not saved: {e}"));
        }
    }

    /// The whole lesson, and how it ended; the command turns that into an exit code.
    pub async fn run(&mut self, io: &mut Io) -> End {
        io.say(format!(
            "\n{}",
            console::style(format!("Lesson: {}", crate::text::line(&self.lesson.title)))
                .force_styling(self.color)
                .bold()
        ));
        if let Some(summary) = &self.lesson.summary {
            io.say(super::markdown::render(summary, io.width(), self.color));
        }
        match self.ask_variables(io).await {
            Ok(true) => {}
            Ok(false) => return End::BadVariables,
            Err(Interrupted) => return End::Interrupted,
        }
        if let Err(Interrupted) = self.setup(io).await {
            return End::Interrupted;
        }
        let id = self.id();
        let steps = &self.lesson.steps;
        if steps
            .iter()
            .all(|s| self.progress.is_done(id, s.id.as_str()))
        {
            io.say(format!(
                "Every step of `{id}` is done already (`learn-registry reset {id}` to do it again)."
            ));
            return End::Finished;
        }
        for index in 0..steps.len() {
            if self.progress.is_done(id, steps[index].id.as_str()) {
                continue;
            }
            match self.step(io, index).await {
                StepEnd::Done(_) => {}
                StepEnd::Quit => return End::Quit,
                StepEnd::Interrupted => return End::Interrupted,
            }
        }
        End::Finished
    }

    /// Ask once for the variables that have a prompt and no value; validate against the pattern.
    /// Returns false (after saying why) when a stored or given value does not fit.
    async fn ask_variables(&mut self, io: &mut Io) -> Result<bool, Interrupted> {
        let id = self.id();
        let mut values = self.progress.vars_for(id);
        for (name, value) in &self.given {
            if let Some(var) = self.lesson.variables.get(name) {
                values.insert(name.clone(), value.clone());
                if var.prompt.is_some() {
                    self.progress.set_var(id, name, value);
                }
            }
        }
        let base = Context::new(BTreeMap::new(), self.settings.clone()).vars;
        for (name, var) in &self.lesson.variables {
            let Some(prompt) = &var.prompt else { continue };
            if values.contains_key(name) {
                continue;
            }
            let mut known = base.clone();
            known.extend(values.clone());
            let question = crate::text::line(&fill(prompt, &known)).into_owned();
            // A default is offered only once every variable it uses has a value (file order makes
            // that the common case); otherwise the learner would be offered `{{ name }}` as written.
            let offered = var
                .default
                .as_ref()
                .and_then(|d| crate::lesson::template::render(d, &known).ok());
            let pattern = var.pattern.as_ref().and_then(|p| regex::Regex::new(p).ok());
            let help = var.help.as_ref().map(|h| h.to_string());
            if let Some(h) = &help {
                io.say(format!("  ({h})"));
            }
            let term = io.term.clone();
            let value = io
                .prompt(move || {
                    let theme = ColorfulTheme::default();
                    let input =
                        dialoguer::Input::<String>::with_theme(&theme).with_prompt(question);
                    let input = match offered {
                        Some(d) => input.default(d),
                        None => input,
                    };
                    input
                        .validate_with(move |v: &String| -> Result<(), String> {
                            match &pattern {
                                Some(re) if !re.is_match(v) => Err(format!(
                                    "`{v}` does not fit: {}",
                                    help.clone().unwrap_or_else(|| format!(
                                        "it must match `{}`",
                                        re.as_str()
                                    ))
                                )),
                                _ => Ok(()),
                            }
                        })
                        .interact_text_on(&term)
                })
                .await?;
            self.progress.set_var(id, name, &value);
            values.insert(name.clone(), value);
        }
        self.save(io);
        match resolve_variables(self.lesson, &values, &base) {
            Ok(mut vars) => {
                // What earlier steps recorded (`capture:`), for the steps that compare with it.
                vars.extend(self.progress.captures_for(id));
                self.vars = vars;
                Ok(true)
            }
            Err(problems) => {
                for p in problems {
                    io.say(format!("error: {p}"));
                }
                io.say(format!(
                    "Give another value with `--var NAME=VALUE`, or forget the stored ones with `learn-registry reset {id}`."
                ));
                Ok(false)
            }
        }
    }

    /// Run the setup actions with the learner's consent, once per lesson (a lesson with a current
    /// step was set up before).
    async fn setup(&mut self, io: &mut Io) -> Result<(), Interrupted> {
        let id = self.id();
        let started = self
            .progress
            .lesson(id)
            .is_some_and(|l| l.current_step.is_some());
        if self.lesson.setup.is_empty() || started {
            return Ok(());
        }
        let ctx = self.context(None).await;
        io.say("Before the first step, this lesson will:");
        for action in &self.lesson.setup {
            io.say(format!("  • {}", setup::describe(action, &ctx)));
        }
        let go = io.confirm("Go ahead?", true).await?;
        if !go {
            io.say("Skipped the setup; some steps may not pass without it.");
            return Ok(());
        }
        for action in &self.lesson.setup {
            let what = setup::describe(action, &ctx);
            let spinner = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::term(io.term.clone(), 10),
            );
            spinner.set_style(
                indicatif::ProgressStyle::with_template("  {spinner} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            spinner.set_message(what.clone());
            spinner.enable_steady_tick(Duration::from_millis(100));
            let result = setup::run_action(action, &ctx, self.allow_commands).await;
            spinner.finish_and_clear();
            match result {
                Ok(done) => io.say(format!("  ✓ {}", setup_done(&done))),
                Err(e) if e.unverifiable => {
                    io.say(format!("  ? could not {what}: {}", e.reason));
                    io.say("    Is Docker running? The steps will wait for it.");
                }
                Err(e) => io.say(format!("  ✗ {what}: {}", e.reason)),
            }
        }
        Ok(())
    }

    /// A context for evaluating, sharing the runner's engine connection.
    async fn context(&mut self, since: Option<chrono::DateTime<Utc>>) -> Context {
        if self.probe.is_none() {
            self.probe = DockerProbe::connect().await.ok();
        }
        let mut ctx = Context::new(self.vars.clone(), self.settings.clone());
        if let Some(p) = &self.probe {
            ctx = ctx.with_docker(p.clone());
        }
        ctx.since = since;
        ctx
    }

    pub(super) async fn evaluate(
        &mut self,
        step: &Step,
        since: chrono::DateTime<Utc>,
    ) -> StepReport {
        let ctx = self.context(Some(since)).await;
        let report = evaluate_step(step, &ctx, self.allow_commands).await;
        if report
            .checks
            .iter()
            .any(|r| matches!(r.outcome, Outcome::Unknown { .. }))
        {
            // Maybe the engine went away: connect afresh next time.
            self.probe = None;
        }
        report
    }

    async fn step(&mut self, io: &mut Io, index: usize) -> StepEnd {
        let lesson = self.lesson;
        let step = &lesson.steps[index];
        let id = self.id();
        self.progress.set_current(id, step.id.as_str());
        self.save(io);
        io.say(screen::step_screen(
            lesson,
            index,
            &self.vars,
            io.width(),
            self.color,
        ));
        let checkable = step.checks.iter().any(|c| c.applies(&self.settings));
        let end = if !checkable && !step.human_only {
            StepEnd::Done(None)
        } else {
            self.wait(io, step).await
        };
        let title = crate::text::line(&fill(&step.title, &self.vars)).into_owned();
        let StepEnd::Done(report) = end else {
            return end;
        };
        let mut announced = false;
        // The quiz comes after the checks pass: it asks about what the learner has just done.
        if let Some(quiz) = &step.quiz {
            if let Some(r) = &report {
                io.say(screen::passed(&title, r, self.color));
                announced = true;
            }
            match self.quiz(io, step, quiz).await {
                Ok(true) => {}
                Ok(false) => return StepEnd::Quit,
                Err(Interrupted) => return StepEnd::Interrupted,
            }
        }
        self.progress.mark_done(id, step.id.as_str());
        self.save(io);
        match &report {
            Some(r) if !announced => io.say(screen::passed(&title, r, self.color)),
            Some(_) => {}
            None => io.say(format!(
                "{} {}",
                console::style("✓").force_styling(self.color).green().bold(),
                console::style(title).force_styling(self.color).green()
            )),
        }
        StepEnd::Done(report)
    }

    /// Ask the quiz until the right answer; false when the learner leaves (Esc).
    async fn quiz(&mut self, io: &mut Io, step: &Step, quiz: &Quiz) -> Result<bool, Interrupted> {
        let question = fill(&quiz.question, &self.vars);
        let choices: Vec<String> = quiz.choices.iter().map(|c| fill(c, &self.vars)).collect();
        let answer = fill(&quiz.answer, &self.vars);
        let mut default = 0;
        loop {
            let picked = io.select(&question, &choices, default).await?;
            let Some(i) = picked else { return Ok(false) };
            self.progress.record_attempt(self.id(), step.id.as_str());
            self.save(io);
            if choices[i] == answer {
                io.say(format!(
                    "{} right.\n{}",
                    console::style("✓").force_styling(self.color).green().bold(),
                    screen::labelled("why:", &fill(&quiz.why, &self.vars), io.width(), self.color)
                ));
                return Ok(true);
            }
            io.say(format!(
                "{} not that one; think again (Esc to stop).",
                console::style("✗").force_styling(self.color).red().bold()
            ));
            default = i;
        }
    }

    /// Wait for a step's checks (or, for a `human_only` step, the learner's `y`).
    async fn wait(&mut self, io: &mut Io, step: &Step) -> StepEnd {
        let start = Utc::now();
        let watcher = watch::engine_events(start, io.sender());
        io.say(screen::keys_line(step, self.color));
        io.listen_keys();
        let end = super::wait::run(self, io, step, start).await;
        watcher.abort();
        io.mute_keys();
        io.clear_status();
        end
    }
}

/// The longest wait a rate-limited check asked for.
pub(super) fn retry_after(report: &StepReport) -> Option<Duration> {
    report
        .checks
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Unknown { retry_after, .. } => *retry_after,
            _ => None,
        })
        .max()
}

fn setup_done(done: &setup::SetupDone) -> String {
    match done {
        setup::SetupDone::Built { tag, .. } => format!("built `{tag}`"),
        setup::SetupDone::AlreadyThere { tag } => format!("`{tag}` is there already"),
        setup::SetupDone::Ran { command } => format!("ran `{command}`"),
        setup::SetupDone::NotAllowed { command } => {
            format!("did not run `{command}` (the lesson is not allowed to run commands)")
        }
    }
}

/// The terminal `start` needs: both input and output attended.
pub fn has_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal() && Term::stdout().is_term()
}

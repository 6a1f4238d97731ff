//! One step's wait, built like rustlings' watch loop: [`run`] is a flat match with one line per
//! event, and [`StepWait`] holds what the wait knows (the last report, hints shown, how long a
//! rate-limited registry asked us to keep quiet) with one method per action. Each method says whether
//! the step goes on waiting or ends ([`Flow`]).

use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::check::Status;
use crate::check::report::StepReport;
use crate::lesson::Step;
use crate::runner::action::{Action, action};
use crate::runner::io::{Interrupted, Io};
use crate::runner::screen::{self, fill};
use crate::runner::session::{Session, StepEnd, retry_after};
use crate::runner::watch::WatchEvent;

/// What the loop does after an event.
pub(super) enum Flow {
    /// Go on waiting.
    Stay,
    /// The step is over, this way.
    End(StepEnd),
}

/// Wait for a step's checks (or, for a `human_only` step, the learner's `y`).
pub(super) async fn run(
    session: &mut Session<'_>,
    io: &mut Io,
    step: &Step,
    start: DateTime<Utc>,
) -> StepEnd {
    let mut wait = StepWait::new(session, io, step, start).await;
    loop {
        if let Flow::End(end) = wait.settle() {
            return end;
        }
        let status = wait.status_line();
        wait.io.set_status(&status);
        let flow = match wait.io.next().await {
            WatchEvent::Key(key) => match action(key) {
                Some(a) => wait.on_action(a).await,
                None => Flow::Stay,
            },
            event => wait.on_engine(event).await,
        };
        if let Flow::End(end) = flow {
            return end;
        }
    }
}

/// The state of one step's wait.
pub(super) struct StepWait<'w, 's, 'l> {
    session: &'w mut Session<'l>,
    io: &'w mut Io,
    step: &'s Step,
    /// When the step was shown: events before it do not count.
    start: DateTime<Utc>,
    human: bool,
    hints_shown: usize,
    /// A rate-limited registry asked for quiet until then: the slow poll skips its checks.
    quiet_until: Option<Instant>,
    /// The last evaluation (never for a `human_only` step, which is checked on `y` only).
    report: Option<StepReport>,
}

impl<'w, 's, 'l> StepWait<'w, 's, 'l> {
    async fn new(
        session: &'w mut Session<'l>,
        io: &'w mut Io,
        step: &'s Step,
        start: DateTime<Utc>,
    ) -> StepWait<'w, 's, 'l> {
        let human = step.human_only;
        let report = if human {
            None
        } else {
            Some(session.evaluate(step, start).await)
        };
        StepWait {
            session,
            io,
            step,
            start,
            human,
            hints_shown: 0,
            quiet_until: None,
            report,
        }
    }

    /// Before each wait for an event: a passing report ends the step; a rate-limited one keeps the
    /// slow poll quiet for as long as the registry asked.
    fn settle(&mut self) -> Flow {
        if let Some(r) = &self.report {
            if !self.human && r.status == Status::Pass {
                let report = self.report.take();
                return self.done(report);
            }
            self.quiet_until = retry_after(r).map(|d| Instant::now() + d);
        }
        Flow::Stay
    }

    /// The line at the bottom while waiting.
    fn status_line(&self) -> String {
        match (&self.report, self.human) {
            (_, true) => "when you have done it, press y".to_string(),
            (Some(r), false) => screen::waiting(r, self.session.engine_down),
            (None, false) => "checking…".to_string(),
        }
    }

    /// Everything but a key: Ctrl-C ends the step; the engine going away is remembered (and its
    /// connection dropped); an engine event, the engine coming back or the slow poll re-check.
    async fn on_engine(&mut self, event: WatchEvent) -> Flow {
        match event {
            WatchEvent::Interrupt => return Flow::End(StepEnd::Interrupted),
            WatchEvent::EngineDown(_) => {
                self.session.engine_down = true;
                self.session.probe = None;
                return Flow::Stay;
            }
            WatchEvent::Tick => {
                if self.quiet_until.is_some_and(|t| Instant::now() < t) {
                    return Flow::Stay;
                }
            }
            WatchEvent::EngineUp | WatchEvent::Image(_) => self.session.engine_down = false,
            WatchEvent::Key(_) => return Flow::Stay,
        }
        if !self.human {
            self.report = Some(self.session.evaluate(self.step, self.start).await);
        }
        Flow::Stay
    }

    async fn on_action(&mut self, action: Action) -> Flow {
        match action {
            Action::Check => self.on_check().await,
            Action::Confirm => self.on_confirm().await,
            Action::Hint => self.on_hint(),
            Action::Solution => self.on_solution().await,
            Action::Open => self.on_open(),
            Action::Help => {
                let help = screen::help(self.session.color);
                self.io.say(help);
                Flow::Stay
            }
            Action::Quit => Flow::End(StepEnd::Quit),
        }
    }

    /// Evaluate now, counting it as an attempt (that is what opens the solution).
    async fn attempt(&mut self) -> StepReport {
        let r = self.session.evaluate(self.step, self.start).await;
        self.session
            .progress
            .record_attempt(self.session.id(), self.step.id.as_str());
        self.session.save(self.io);
        r
    }

    fn not_yet(&self, report: &StepReport) -> String {
        screen::not_yet(report, self.io.width(), self.session.color)
    }

    /// `c`: check now; show what is missing unless it passed.
    async fn on_check(&mut self) -> Flow {
        let r = self.attempt().await;
        if !self.human && r.status == Status::Pass {
            return self.done(Some(r));
        }
        if r.checks.is_empty() {
            self.io
                .say("  Nothing to check here; press y once you have done it.");
        } else {
            let head = if r.status == Status::Fail {
                "Not yet:"
            } else {
                "So far:"
            };
            let text = format!("{head}\n{}", self.not_yet(&r));
            self.io.say(text);
        }
        if !self.human {
            self.report = Some(r);
        }
        Flow::Stay
    }

    /// `y`: the learner's word for a `human_only` step, unless a check shows otherwise; one that
    /// cannot be verified takes their word for it.
    async fn on_confirm(&mut self) -> Flow {
        if !self.human {
            self.io
                .say("  This step is checked by itself; press c to check now.");
            return Flow::Stay;
        }
        let r = self.attempt().await;
        match r.status {
            Status::Fail => {
                let text = format!("Not yet:\n{}", self.not_yet(&r));
                self.io.say(text);
                return Flow::Stay;
            }
            Status::Unknown => {
                let text = format!("{}\n  Going on with your word for it.", self.not_yet(&r));
                self.io.say(text);
            }
            _ => {}
        }
        self.done(Some(r))
    }

    /// The step passed: keep what its checks recorded (`capture:`) in the progress and for the
    /// steps after it, then end the step.
    fn done(&mut self, report: Option<StepReport>) -> Flow {
        if let Some(r) = &report
            && !r.captured.is_empty()
        {
            let id = self.session.id();
            for (name, value) in &r.captured {
                self.session.progress.set_capture(id, name, value);
                self.session.vars.insert(name.clone(), value.clone());
            }
            self.session.save(self.io);
        }
        Flow::End(StepEnd::Done(report))
    }

    /// `h`: the next hint, counted in the progress.
    fn on_hint(&mut self) -> Flow {
        let hints = &self.step.hints;
        if self.hints_shown < hints.len() {
            let text = fill(&hints[self.hints_shown], &self.session.vars);
            self.hints_shown += 1;
            self.session
                .progress
                .record_hint(self.session.id(), self.step.id.as_str());
            self.session.save(self.io);
            let shown = screen::labelled(
                &format!("hint {}/{}:", self.hints_shown, hints.len()),
                &text,
                self.io.width(),
                self.session.color,
            );
            self.io.say(shown);
        } else if hints.is_empty() {
            self.io.say("  This step has no hints.");
        } else {
            self.io.say("  No more hints. Press s for the solution.");
        }
        Flow::Stay
    }

    /// `s`: the solution, only after an attempt and a yes to "show it?".
    async fn on_solution(&mut self) -> Flow {
        let Some(solution) = &self.step.solution else {
            self.io.say("  This step has no solution to show.");
            return Flow::Stay;
        };
        let tried = self
            .session
            .progress
            .lesson(self.session.id())
            .and_then(|l| l.steps.get(self.step.id.as_str()))
            .is_some_and(|s| s.attempts > 0);
        if !tried {
            self.io.say(
                "  Try first: press c to check, and the solution opens once a check has failed.",
            );
            return Flow::Stay;
        }
        let show = self.io.confirm("Show the solution?", false).await;
        match show {
            Err(Interrupted) => return Flow::End(StepEnd::Interrupted),
            Ok(true) => {
                let text = screen::solution(solution, &self.session.vars, self.session.color);
                self.io.say(text);
            }
            Ok(false) => {}
        }
        self.io.listen_keys();
        Flow::Stay
    }

    /// `o`: the step's page in the learner's browser.
    fn on_open(&mut self) -> Flow {
        let Some(link) = &self.step.link else {
            self.io.say("  This step has no page to open.");
            return Flow::Stay;
        };
        let url = fill(link, &self.session.vars);
        // Lint saw the link as written; the values filled in since could make it something else.
        if !is_web_address(&url) {
            self.io.say(format!(
                "  This step's page `{url}` is not a web address (http or https); not opened."
            ));
            return Flow::Stay;
        }
        match open::that_detached(&url) {
            Ok(()) => self.io.say(format!(
                "  Opening {url} (if no browser shows up, open it yourself)."
            )),
            Err(_) => self.io.say(format!(
                "  Could not start a browser; open this page yourself: {url}"
            )),
        }
        Flow::Stay
    }
}

/// An `http(s)://` address with a host, and nothing a browser launcher could read as an option.
fn is_web_address(text: &str) -> bool {
    reqwest::Url::parse(text).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    }) && !text.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::is_web_address;

    #[test]
    fn only_web_addresses_are_opened() {
        assert!(is_web_address("https://hub.docker.com/r/alice/app"));
        assert!(is_web_address("http://127.0.0.1:5000/v2/"));
        for not in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "https://",
            "https://x y",
            "--help",
            "alice/app",
            "",
        ] {
            assert!(!is_web_address(not), "{not}");
        }
    }
}

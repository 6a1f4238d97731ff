//! The runner's side of the terminal: the event channel every wait listens on, the key reader, the
//! live status line at the bottom, and prompts (dialoguer) run so that Ctrl-C still gets through.
//!
//! Once a session starts, Ctrl-C no longer kills the process (the runner wants to put the terminal
//! back and say how to resume); it arrives as [`WatchEvent::Interrupt`] instead. A dialoguer prompt
//! blocks its thread, so prompts run on a blocking thread and race the channel: on Ctrl-C the runner
//! stops waiting for the prompt and the session ends with 130.

use console::Term;
use dialoguer::theme::ColorfulTheme;
use tokio::sync::mpsc::{self, Receiver, Sender};

use crate::runner::keys::{Keys, Press};
use crate::runner::watch::{self, WatchEvent};
use crate::text;

/// The learner pressed Ctrl-C (or the terminal went away) during a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// The terminal, the event channel and the key reader of one session.
pub struct Io {
    pub term: Term,
    tx: Sender<WatchEvent>,
    rx: Receiver<WatchEvent>,
    keys: Keys,
    /// The status line currently shown (last line, no newline after it).
    status: Option<String>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

fn key_event(press: Press) -> WatchEvent {
    match press {
        Press::Char(c) => WatchEvent::Key(c),
        Press::Interrupt => WatchEvent::Interrupt,
    }
}

/// `text` as terminal lines ending in `\r\n`: while keys are read the terminal is in raw mode, which
/// on Unix no longer turns `\n` into a new line at the left margin. Outside raw mode the extra `\r`
/// changes nothing on screen. Each line passes `text::terminal` last: the screens escape outside
/// strings already, and this keeps any that slipped through from acting on the terminal (only our own
/// SGR colors, and only when colors are on, stay).
fn terminal_lines(text: &str) -> String {
    let color = console::colors_enabled();
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.split('\n') {
        out.push_str(&text::terminal(
            line.strip_suffix('\r').unwrap_or(line),
            color,
        ));
        out.push_str("\r\n");
    }
    out
}

impl Io {
    /// Set up inside a tokio runtime: Ctrl-C handling, the key reader (paused) and the poll tick.
    pub fn start() -> Io {
        let (tx, rx) = mpsc::channel(256);
        let keys = Keys::spawn(tx.clone(), key_event);
        let tasks = vec![
            watch::interrupts(tx.clone()),
            watch::ticks(watch::POLL_EVERY, tx.clone()),
        ];
        Io {
            term: Term::stdout(),
            tx,
            rx,
            keys,
            status: None,
            tasks,
        }
    }

    pub fn sender(&self) -> Sender<WatchEvent> {
        self.tx.clone()
    }

    /// The terminal's width in columns (console falls back to 79 when it cannot tell).
    pub fn width(&self) -> usize {
        usize::from(self.term.size().1).max(20)
    }

    /// Start (or go on) reading single keys.
    pub fn listen_keys(&self) {
        self.keys.resume();
    }

    /// Stop reading keys (before a prompt or when leaving).
    pub fn mute_keys(&self) {
        self.keys.pause();
    }

    /// The next event; `Interrupt` if the channel closed, which only happens when leaving.
    pub async fn next(&mut self) -> WatchEvent {
        self.rx.recv().await.unwrap_or(WatchEvent::Interrupt)
    }

    /// Print lines above the status line.
    pub fn say(&mut self, text: impl AsRef<str>) {
        let status = self.status.take();
        if status.is_some() {
            let _ = self.term.clear_line();
        }
        let _ = self.term.write_str(&terminal_lines(text.as_ref()));
        if let Some(s) = status {
            self.show_status(&s);
        }
    }

    /// Replace the status line (cut to the width, so that it stays one line on narrow terminals).
    pub fn set_status(&mut self, text: &str) {
        if self.status.as_deref() == Some(text) {
            return;
        }
        if self.status.is_some() {
            let _ = self.term.clear_line();
        }
        self.show_status(text);
    }

    fn show_status(&mut self, text: &str) {
        let width = self.width().saturating_sub(1);
        let safe = text::terminal(text, console::colors_enabled());
        let shown = console::truncate_str(&safe, width, "…");
        let _ = self.term.write_str(&shown);
        let _ = self.term.flush();
        self.status = Some(text.to_string());
    }

    /// Remove the status line.
    pub fn clear_status(&mut self) {
        if self.status.take().is_some() {
            let _ = self.term.clear_line();
        }
    }

    /// Run a dialoguer prompt with keys muted; `Err(Interrupted)` on Ctrl-C. Events other than
    /// Ctrl-C that arrive meanwhile are dropped: the runner checks again after every prompt.
    pub async fn prompt<T: Send + 'static>(
        &mut self,
        ask: impl FnOnce() -> dialoguer::Result<T> + Send + 'static,
    ) -> Result<T, Interrupted> {
        self.clear_status();
        self.mute_keys();
        let mut answer = tokio::task::spawn_blocking(ask);
        loop {
            tokio::select! {
                r = &mut answer => {
                    return match r {
                        Ok(Ok(v)) => Ok(v),
                        _ => Err(Interrupted),
                    };
                }
                ev = self.rx.recv() => {
                    if matches!(ev, None | Some(WatchEvent::Interrupt)) {
                        return Err(Interrupted);
                    }
                }
            }
        }
    }

    /// A yes/no question; `Err(Interrupted)` on Ctrl-C.
    pub async fn confirm(&mut self, question: &str, default: bool) -> Result<bool, Interrupted> {
        let term = self.term.clone();
        let question = text::line(question).into_owned();
        self.prompt(move || {
            dialoguer::Confirm::with_theme(&ColorfulTheme::default())
                .with_prompt(question)
                .default(default)
                .interact_on(&term)
        })
        .await
    }

    /// A choice among `items` (arrow keys, Enter); `Ok(None)` when the learner leaves with Esc.
    pub async fn select(
        &mut self,
        question: &str,
        items: &[String],
        default: usize,
    ) -> Result<Option<usize>, Interrupted> {
        let term = self.term.clone();
        // Quiz questions and choices are lesson text, and dialoguer writes them as they are.
        let question = text::line(question).into_owned();
        let items: Vec<String> = items.iter().map(|i| text::line(i).into_owned()).collect();
        self.prompt(move || {
            dialoguer::Select::with_theme(&ColorfulTheme::default())
                .with_prompt(question)
                .items(&items)
                .default(default)
                .interact_on_opt(&term)
        })
        .await
    }

    /// Put the terminal back as it was: status line gone, keys muted, cursor shown.
    pub fn restore(&mut self) {
        self.clear_status();
        self.mute_keys();
        let _ = self.term.show_cursor();
        let _ = self.term.flush();
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        self.restore();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_ends_at_the_left_margin() {
        assert_eq!(terminal_lines("one"), "one\r\n");
        assert_eq!(terminal_lines("one\ntwo"), "one\r\ntwo\r\n");
        assert_eq!(terminal_lines("one\r\n"), "one\r\n\r\n");
        assert_eq!(terminal_lines(""), "\r\n");
    }
}

//! Single-key actions while the runner waits: a thread reads key presses through `crossterm` (the
//! same code on Linux, macOS and Windows terminals, no `unsafe`) and sends them into the runner's
//! event channel.
//!
//! The thread must be able to stand aside: a quiz or a yes/no prompt (dialoguer) reads the same
//! terminal, and a thread stuck in a blocking read would steal its first key. So the thread never
//! blocks in a read: while reading it keeps the terminal in raw mode (single key presses become
//! readable at once, nothing is echoed), polls for an event with a short timeout, and only then
//! reads. `pause` returns once the thread has stopped reading and put the terminal back as it found
//! it; dropping `Keys` does the same for good.
//!
//! Raw mode also turns off the terminal's own Ctrl-C and Ctrl-Z signals, so the thread reports
//! Ctrl-C as [`Press::Interrupt`] and, on Unix, does what Ctrl-Z would have done itself: gives the
//! terminal back and stops the process until the shell's `fg`; and on Unix raw mode turns off the
//! newline translation, so `Io` ends its lines with `\r\n`.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::terminal;
use tokio::sync::mpsc::Sender;

/// How long one poll of the input waits; also the longest `pause` can take.
const POLL: Duration = Duration::from_millis(50);

/// A key press the runner may act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    /// A character key, without Ctrl or Alt (`q` and `Q` are different presses).
    Char(char),
    /// Ctrl-C, which raw mode delivers as a key rather than a signal.
    Interrupt,
}

/// The press an input event means, if any: key releases (which Windows reports), keys other than
/// characters, and Ctrl or Alt combinations other than Ctrl-C mean nothing here.
fn press(event: Event) -> Option<Press> {
    let Event::Key(KeyEvent {
        code: KeyCode::Char(c),
        modifiers,
        kind: KeyEventKind::Press | KeyEventKind::Repeat,
        ..
    }) = event
    else {
        return None;
    };
    if modifiers.contains(KeyModifiers::CONTROL) {
        return (c == 'c').then_some(Press::Interrupt);
    }
    (!modifiers.contains(KeyModifiers::ALT)).then_some(Press::Char(c))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Paused,
    Reading,
    Stop,
}

struct Shared {
    /// (what the runner wants, what the thread is doing)
    state: Mutex<(Mode, Mode)>,
    changed: Condvar,
}

/// The key reader. Starts paused.
pub struct Keys {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Keys {
    /// Start the reader; every key pressed is `wrap`ped and sent to `tx`.
    pub fn spawn<E: Send + 'static>(tx: Sender<E>, wrap: fn(Press) -> E) -> Keys {
        let shared = Arc::new(Shared {
            state: Mutex::new((Mode::Paused, Mode::Paused)),
            changed: Condvar::new(),
        });
        let inner = shared.clone();
        let thread = std::thread::Builder::new()
            .name("keys".into())
            .spawn(move || read_loop(&inner, &tx, wrap))
            .ok();
        Keys { shared, thread }
    }

    /// Read keys from now on.
    pub fn resume(&self) {
        self.set(Mode::Reading, false);
    }

    /// Stop reading and give the terminal back (returns once done), e.g. before a prompt.
    pub fn pause(&self) {
        self.set(Mode::Paused, true);
    }

    fn set(&self, mode: Mode, wait: bool) {
        let mut state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.0 == Mode::Stop {
            return;
        }
        state.0 = mode;
        self.shared.changed.notify_all();
        if wait && self.thread.is_some() {
            while state.1 != mode && state.1 != Mode::Stop {
                state = self
                    .shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(|e| e.into_inner());
            }
        }
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        self.set(Mode::Stop, false);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn read_loop<E>(shared: &Shared, tx: &Sender<E>, wrap: fn(Press) -> E) {
    let mut raw = RawMode::default();
    loop {
        {
            let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
            if state.0 != Mode::Reading {
                raw.restore();
            }
            state.1 = state.0;
            shared.changed.notify_all();
            while state.0 == Mode::Paused {
                state = shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(|e| e.into_inner());
            }
            state.1 = state.0;
            shared.changed.notify_all();
            if state.0 == Mode::Stop {
                return;
            }
        }
        raw.enter();
        match event::poll(POLL) {
            Ok(true) => {}
            Ok(false) => continue,
            // No terminal to read (it went away): do not spin.
            Err(_) => {
                std::thread::sleep(POLL);
                continue;
            }
        }
        match event::read() {
            Ok(event) if is_suspend(&event) => suspend(&mut raw),
            Ok(event) => {
                if let Some(p) = press(event)
                    && tx.blocking_send(wrap(p)).is_err()
                {
                    raw.restore();
                    return;
                }
            }
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

fn is_suspend(event: &Event) -> bool {
    matches!(event, Event::Key(KeyEvent {
        code: KeyCode::Char('z'),
        modifiers,
        kind: KeyEventKind::Press,
        ..
    }) if modifiers.contains(KeyModifiers::CONTROL))
}

/// Ctrl-Z: the terminal as it was, the process stopped as the terminal's own Ctrl-Z would stop it
/// (the shell shows its prompt); `fg` continues here, and keys are read in raw mode again.
#[cfg(unix)]
fn suspend(raw: &mut RawMode) {
    raw.restore();
    let _ = signal_hook::low_level::raise(signal_hook::consts::SIGTSTP);
    raw.enter();
}

/// No job control outside Unix: Ctrl-Z means nothing.
#[cfg(not(unix))]
fn suspend(_: &mut RawMode) {}

/// The terminal in raw mode while keys are read, put back on `restore` and drop.
#[derive(Default)]
struct RawMode {
    on: bool,
}

impl RawMode {
    fn enter(&mut self) {
        if !self.on {
            self.on = terminal::enable_raw_mode().is_ok();
        }
    }

    fn restore(&mut self) {
        if self.on {
            let _ = terminal::disable_raw_mode();
            self.on = false;
        }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        self.restore();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers, kind: KeyEventKind) -> Event {
        let mut k = KeyEvent::new(code, modifiers);
        k.kind = kind;
        Event::Key(k)
    }

    #[test]
    fn characters_and_ctrl_c_are_presses_the_rest_is_not() {
        let none = KeyModifiers::NONE;
        let press_kind = KeyEventKind::Press;
        assert_eq!(
            press(key(KeyCode::Char('c'), none, press_kind)),
            Some(Press::Char('c'))
        );
        assert_eq!(
            press(key(KeyCode::Char('Q'), KeyModifiers::SHIFT, press_kind)),
            Some(Press::Char('Q'))
        );
        assert_eq!(
            press(key(KeyCode::Char('c'), KeyModifiers::CONTROL, press_kind)),
            Some(Press::Interrupt)
        );
        assert_eq!(
            press(key(KeyCode::Char('d'), KeyModifiers::CONTROL, press_kind)),
            None
        );
        assert_eq!(
            press(key(KeyCode::Char('x'), KeyModifiers::ALT, press_kind)),
            None
        );
        // Windows reports releases too: one press, one action.
        assert_eq!(
            press(key(KeyCode::Char('c'), none, KeyEventKind::Release)),
            None
        );
        assert_eq!(press(key(KeyCode::Enter, none, press_kind)), None);
        assert_eq!(press(Event::FocusGained), None);
    }
}

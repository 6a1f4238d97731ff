//! Single-key actions while the runner waits: a thread reads keys with `console::Term::read_key` and
//! sends them into the runner's event channel.
//!
//! The thread must be able to stand aside: a quiz or a yes/no prompt (dialoguer) reads the same
//! terminal, and a thread stuck in `read_key` would steal its first key. So the thread never blocks in
//! `read_key`: it keeps the terminal in non-canonical, no-echo mode (so single key presses become
//! readable at once; output processing and Ctrl-C's signal are left as they are), polls the input with
//! a short timeout, and only then reads. `pause` returns once the thread has stopped reading and put the
//! terminal back as it found it; dropping `Keys` does the same for good.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use console::{Key, Term};
use tokio::sync::mpsc::Sender;

/// How long one poll of the input waits; also the longest `pause` can take.
const POLL: Duration = Duration::from_millis(50);

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
    /// Start the reader; every key read is `wrap`ped and sent to `tx`.
    pub fn spawn<E: Send + 'static>(tx: Sender<E>, wrap: fn(Key) -> E) -> Keys {
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

fn read_loop<E>(shared: &Shared, tx: &Sender<E>, wrap: fn(Key) -> E) {
    let term = Term::stdout();
    let mut raw = RawInput::default();
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
        if !raw.ready(POLL) {
            continue;
        }
        match term.read_key() {
            Ok(key) => {
                if tx.blocking_send(wrap(key)).is_err() {
                    raw.restore();
                    return;
                }
            }
            // Ctrl-C inside `read_key` comes back as an error after raising SIGINT, which the
            // runner handles; other errors mean the terminal is gone.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

/// The terminal's input in cbreak mode (no line buffering, no echo), restored on `restore` and drop.
#[derive(Default)]
struct RawInput {
    #[cfg(unix)]
    saved: Option<libc::termios>,
}

#[cfg(unix)]
impl RawInput {
    const FD: libc::c_int = libc::STDIN_FILENO;

    fn enter(&mut self) {
        if self.saved.is_some() {
            return;
        }
        // SAFETY: tcgetattr/tcsetattr on stdin with a termios we own; failures leave it unchanged.
        unsafe {
            let mut t = std::mem::zeroed::<libc::termios>();
            if libc::tcgetattr(Self::FD, &mut t) != 0 {
                return;
            }
            let saved = t;
            t.c_lflag &= !(libc::ICANON | libc::ECHO);
            t.c_cc[libc::VMIN] = 1;
            t.c_cc[libc::VTIME] = 0;
            if libc::tcsetattr(Self::FD, libc::TCSANOW, &t) == 0 {
                self.saved = Some(saved);
            }
        }
    }

    fn ready(&self, timeout: Duration) -> bool {
        let mut fd = libc::pollfd {
            fd: Self::FD,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut fd, 1, timeout.as_millis() as libc::c_int) };
        n > 0 && fd.revents & libc::POLLIN != 0
    }

    fn restore(&mut self) {
        if let Some(t) = self.saved.take() {
            // SAFETY: puts back the settings read in `enter`.
            unsafe {
                libc::tcsetattr(Self::FD, libc::TCSANOW, &t);
            }
        }
    }
}

#[cfg(not(unix))]
impl RawInput {
    fn enter(&mut self) {}
    // Without poll(2), `read_key` blocks; a prompt right after may lose its first key.
    fn ready(&self, _timeout: Duration) -> bool {
        true
    }
    fn restore(&mut self) {}
}

impl Drop for RawInput {
    fn drop(&mut self) {
        self.restore();
    }
}

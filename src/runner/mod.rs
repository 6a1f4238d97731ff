//! The interactive runner behind `learn-registry start`: a lesson's steps shown one at a time, and the
//! learner's real `docker` commands, typed in another terminal, watched until each step's checks pass.
//!
//! It is built like rustlings' watch mode: one event loop fed by a channel ([`watch::WatchEvent`]:
//! engine image events, a slow poll, key presses, Ctrl-C), single-key actions, and progress saved after
//! every change. Checks are the same ones `check` runs (`crate::check::report::evaluate_step`); the
//! runner only decides when to run them and how to show the result. `Unknown` (engine down, registry
//! rate-limited) is shown as waiting, never as a failure.
//!
//! `markdown` renders step bodies, `screen` lays out what is shown, `keys` reads single keys (through
//! crossterm) without getting in the way of prompts, `action` says what a key asks for, `io` owns the
//! terminal and the channel, `session` walks a lesson and `wait` is one step's event loop.

pub mod action;
pub mod io;
pub mod keys;
pub mod markdown;
pub mod screen;
pub mod session;
mod wait;
pub mod watch;

pub use io::{Interrupted, Io};
pub use session::{End, Session, has_terminal};

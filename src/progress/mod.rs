//! The learner's progress, kept in `home()/progress.json` between sessions: which steps of which lesson
//! are done (when, after how many attempts and hints), where the learner was, and the variables they
//! gave, so no question is asked twice. The shared ones (`username`, `classmate`) are also kept
//! course-wide, so the next lesson does not ask again.
//!
//! The file is the learner's work and is never silently lost: a file that does not read as JSON is moved
//! aside to `progress.json.corrupt-<timestamp>` (with a warning), and a file from a newer learn-registry
//! is refused rather than overwritten. Saves are atomic (temp file in the same folder, fsync, rename), so
//! a reader sees the old file or the new one, never half of one. That is why only writers take the
//! [`ProgressLock`] (`home()/progress.lock`, holding the writer's pid): two runners must not interleave
//! their read-modify-write, but `status` can read at any time, even while a runner is going.
//!
//! Stored progress is a convenience for the runner and `status`; `check` and `grade` never take it as
//! proof. `check` fills in the variables and captured values stored here, and reports a `transient`
//! step recorded as done "done (earlier)"; the captures are what a later step compares with.
//!
//! The lock is in `lock.rs`; the atomic write, which `trust.rs` uses too, and the moving aside of a bad
//! file are in `file.rs`.

mod file;
mod lock;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use file::move_aside;
#[cfg(test)]
use file::write_atomic_with;
pub use file::{WriteError, private_folder, write_atomic};
pub use lock::ProgressLock;

/// The `format_version` this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// The progress file's name inside the state folder.
pub const FILE_NAME: &str = "progress.json";
/// The lock file's name inside the state folder.
pub const LOCK_NAME: &str = "progress.lock";
/// Variables every lesson of the course shares; a value given in one lesson is kept for the others.
pub const SHARED_VARS: &[&str] = &["username", "classmate"];

/// Everything stored about one learner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub format_version: u32,
    /// Course-wide values of the shared variables (`SHARED_VARS`).
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Lesson id → its progress. Only lessons the learner started have an entry.
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
}

/// One lesson's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonProgress {
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The step the learner was last on (the runner resumes at the first step not done).
    #[serde(default)]
    pub current_step: Option<String>,
    /// Step id → what happened in it. A step is done when it has `completed_at`.
    #[serde(default)]
    pub steps: BTreeMap<String, StepProgress>,
    /// Every variable of this lesson the learner gave or accepted, shared ones included.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Values the lesson's checks recorded when their step passed (`capture:`), name → value: what a
    /// later step compares with (the digest before the tag moved). Kept per lesson, never shared.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub captures: BTreeMap<String, String>,
}

/// One step's record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProgress {
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
    /// How many times the checks ran for this step.
    #[serde(default)]
    pub attempts: u32,
    /// How many hints were revealed.
    #[serde(default)]
    pub hints_used: u32,
}

impl StepProgress {
    pub fn is_done(&self) -> bool {
        self.completed_at.is_some()
    }
}

/// Something the learner should know about that did not stop loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The file did not read as progress; it was moved to `moved_to`, bytes unchanged.
    MovedAside { moved_to: PathBuf, reason: String },
    /// The file did not read as progress, and moving it aside failed; it was left in place and is
    /// ignored (a later save will replace it, so the learner should copy it first).
    Unreadable { path: PathBuf, reason: String },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::MovedAside { moved_to, reason } => write!(
                f,
                "`{FILE_NAME}` could not be read ({reason}); moved it aside to `{}` and started afresh",
                moved_to.display()
            ),
            Warning::Unreadable { path, reason } => write!(
                f,
                "`{}` could not be read ({reason}) nor moved aside; ignoring it",
                path.display()
            ),
        }
    }
}

/// The program going wrong around the progress file (not a learner's mistake).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error(
        "`{}` was written by a newer learn-registry (format_version {found}; this one reads {FORMAT_VERSION}); upgrade learn-registry to use it (the file was left as it is)",
        path.display()
    )]
    Newer { path: PathBuf, found: u64 },
    #[error("another learn-registry is running{}", pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    Locked { pid: Option<u32> },
}

pub type Result<T> = std::result::Result<T, Error>;

impl From<WriteError> for Error {
    fn from(e: WriteError) -> Error {
        Error::Io {
            action: e.action,
            path: e.path,
            source: e.source,
        }
    }
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Error + use<> {
    let path = path.to_path_buf();
    move |source| Error::Io {
        action,
        path,
        source,
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            format_version: FORMAT_VERSION,
            vars: BTreeMap::new(),
            lessons: BTreeMap::new(),
        }
    }
}

/// Where the progress file of `home` is.
pub fn path(home: &Path) -> PathBuf {
    home.join(FILE_NAME)
}

impl Progress {
    /// Read `home/progress.json`. No file means nothing started (an empty `Progress`). A file that is not
    /// valid progress is moved aside and reported as a warning; one from a newer version is an error.
    pub fn load(home: &Path) -> Result<(Progress, Option<Warning>)> {
        let file = path(home);
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok((Progress::default(), None));
            }
            Err(e) => return Err(io_err("read", &file)(e)),
        };
        match Self::parse(&bytes) {
            Ok(p) => Ok((p, None)),
            Err(Parse::Newer(found)) => Err(Error::Newer { path: file, found }),
            Err(Parse::Corrupt(reason)) => {
                let warning = match move_aside(&file, &bytes) {
                    Ok(moved_to) => Warning::MovedAside { moved_to, reason },
                    Err(e) => Warning::Unreadable {
                        path: file,
                        reason: format!("{reason}; moving it: {e}"),
                    },
                };
                Ok((Progress::default(), Some(warning)))
            }
        }
    }

    fn parse(bytes: &[u8]) -> std::result::Result<Progress, Parse> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| Parse::Corrupt(format!("not JSON: {e}")))?;
        // Look at the version before the shape: a newer file may have a shape this build cannot read,
        // and must be refused, not treated as corrupt and moved away.
        match value.get("format_version").and_then(|v| v.as_u64()) {
            Some(v) if v > u64::from(FORMAT_VERSION) => return Err(Parse::Newer(v)),
            Some(v) if v == u64::from(FORMAT_VERSION) => {}
            Some(v) => return Err(Parse::Corrupt(format!("unknown `format_version` {v}"))),
            None => return Err(Parse::Corrupt("no `format_version`".into())),
        }
        serde_json::from_value(value).map_err(|e| Parse::Corrupt(format!("not progress: {e}")))
    }

    /// Write `lock.home()/progress.json` atomically. Taking the lock is what makes a writer a writer.
    pub fn save(&self, lock: &ProgressLock) -> Result<()> {
        let text = serde_json::to_vec_pretty(self).expect("progress always serializes");
        Ok(write_atomic(&path(lock.home()), &text)?)
    }

    /// Has the learner started anything (or given any value)?
    pub fn is_empty(&self) -> bool {
        self.lessons.is_empty() && self.vars.is_empty()
    }

    pub fn lesson(&self, lesson: &str) -> Option<&LessonProgress> {
        self.lessons.get(lesson)
    }

    /// The lesson's entry, created (started now) when missing.
    pub fn lesson_mut(&mut self, lesson: &str) -> &mut LessonProgress {
        let now = Utc::now();
        self.lessons
            .entry(lesson.to_string())
            .or_insert_with(|| LessonProgress {
                started_at: now,
                updated_at: now,
                current_step: None,
                steps: BTreeMap::new(),
                vars: BTreeMap::new(),
                captures: BTreeMap::new(),
            })
    }

    fn step_mut(&mut self, lesson: &str, step: &str) -> &mut StepProgress {
        let l = self.lesson_mut(lesson);
        l.updated_at = Utc::now();
        l.steps.entry(step.to_string()).or_default()
    }

    /// Is this step done?
    pub fn is_done(&self, lesson: &str, step: &str) -> bool {
        self.lesson(lesson)
            .and_then(|l| l.steps.get(step))
            .is_some_and(StepProgress::is_done)
    }

    /// The step passed (now). Marking a done step again keeps its first completion time.
    pub fn mark_done(&mut self, lesson: &str, step: &str) {
        let s = self.step_mut(lesson, step);
        s.completed_at.get_or_insert_with(Utc::now);
    }

    /// The checks of a step ran once more.
    pub fn record_attempt(&mut self, lesson: &str, step: &str) {
        let s = self.step_mut(lesson, step);
        s.attempts = s.attempts.saturating_add(1);
    }

    /// One more hint of a step was revealed.
    pub fn record_hint(&mut self, lesson: &str, step: &str) {
        let s = self.step_mut(lesson, step);
        s.hints_used = s.hints_used.saturating_add(1);
    }

    /// The learner is now on this step.
    pub fn set_current(&mut self, lesson: &str, step: &str) {
        let l = self.lesson_mut(lesson);
        l.updated_at = Utc::now();
        l.current_step = Some(step.to_string());
    }

    /// Remember a variable's value for a lesson; shared variables (`SHARED_VARS`) also course-wide.
    pub fn set_var(&mut self, lesson: &str, name: &str, value: &str) {
        if SHARED_VARS.contains(&name) {
            self.vars.insert(name.to_string(), value.to_string());
        }
        let l = self.lesson_mut(lesson);
        l.updated_at = Utc::now();
        l.vars.insert(name.to_string(), value.to_string());
    }

    /// Remember what a check of the lesson recorded (`capture:`) when its step passed.
    pub fn set_capture(&mut self, lesson: &str, name: &str, value: &str) {
        let l = self.lesson_mut(lesson);
        l.updated_at = Utc::now();
        l.captures.insert(name.to_string(), value.to_string());
    }

    /// The values the lesson's checks recorded so far.
    pub fn captures_for(&self, lesson: &str) -> BTreeMap<String, String> {
        self.lesson(lesson)
            .map(|l| l.captures.clone())
            .unwrap_or_default()
    }

    /// The stored values a lesson starts from: the course-wide shared ones, then the lesson's own.
    pub fn vars_for(&self, lesson: &str) -> BTreeMap<String, String> {
        let mut vars = self.vars.clone();
        if let Some(l) = self.lesson(lesson) {
            vars.extend(l.vars.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        vars
    }

    /// Forget a lesson (its steps and its own variables). Course-wide shared values stay: other lessons
    /// use them. Returns whether there was anything to forget.
    pub fn forget_lesson(&mut self, lesson: &str) -> bool {
        self.lessons.remove(lesson).is_some()
    }

    /// Forget one step's record, so the runner asks for it again. Returns whether there was one.
    pub fn forget_step(&mut self, lesson: &str, step: &str) -> bool {
        let Some(l) = self.lessons.get_mut(lesson) else {
            return false;
        };
        let had = l.steps.remove(step).is_some();
        if had {
            l.updated_at = Utc::now();
        }
        had
    }

    /// Forget everything, course-wide variables included.
    pub fn forget_all(&mut self) {
        *self = Progress::default();
    }
}

enum Parse {
    Newer(u64),
    Corrupt(String),
}

#[cfg(test)]
mod tests;

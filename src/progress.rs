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
//! Stored progress is a convenience for the runner and `status`; `check` and `grade` never trust it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
        write_atomic(&path(&lock.home), &text, |_| Ok(()))
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

/// Move a corrupt file to `progress.json.corrupt-<timestamp>` (never over an existing file), so the
/// learner can look at it or mend it. Rename keeps the bytes exactly; `expected` guards against moving a
/// good file a writer has just renamed into place since we read the bad one.
fn move_aside(file: &Path, expected: &[u8]) -> io::Result<PathBuf> {
    if std::fs::read(file)? != expected {
        return Err(io::Error::other("it changed while being read"));
    }
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(FILE_NAME);
    for n in 0..100 {
        let suffix = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        let target = file.with_file_name(format!("{name}.corrupt-{stamp}{suffix}"));
        if target.exists() {
            continue;
        }
        std::fs::rename(file, &target)?;
        return Ok(target);
    }
    Err(io::Error::other("too many files moved aside already"))
}

/// Write `bytes` to `target` so that a crash at any point leaves either the old file or the new one:
/// a temp file in the same folder (rename is atomic only within one file system), fsync, rename, then
/// fsync the folder so the rename itself survives a power cut. `before_rename` lets tests stop midway.
fn write_atomic(
    target: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(&Path) -> io::Result<()>,
) -> Result<()> {
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_err("create", dir))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".progress.json.")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_err("create a temporary file in", dir))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(io_err("write", tmp.path()))?;
    // On failure the temp file is dropped, which deletes it; the old file was never touched.
    before_rename(tmp.path()).map_err(io_err("write", target))?;
    tmp.persist(target)
        .map_err(|e| io_err("replace", target)(e.error))?;
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The right to write progress: an exclusive lock on `home/progress.lock`, which holds the writer's pid
/// so the next one can say who is in the way. Released when dropped (also when the process dies).
#[derive(Debug)]
pub struct ProgressLock {
    file: File,
    home: PathBuf,
}

impl ProgressLock {
    /// Take the lock without waiting; `Error::Locked` when another process (or handle) holds it.
    pub fn try_acquire(home: &Path) -> Result<ProgressLock> {
        std::fs::create_dir_all(home).map_err(io_err("create", home))?;
        let lock_path = home.join(LOCK_NAME);
        // Not truncated on open: until we hold the lock, the pid in it is the holder's.
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io_err("open", &lock_path))?;
        // Called through the trait: `File` has an inherent `try_lock` too (std, Rust 1.89).
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(Error::Locked {
                    pid: text.trim().parse().ok(),
                });
            }
            Err(fs4::TryLockError::Error(e)) => return Err(io_err("lock", &lock_path)(e)),
        }
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| writeln!(file, "{}", std::process::id()))
            .and_then(|()| file.sync_all())
            .map_err(io_err("write", &lock_path))?;
        Ok(ProgressLock {
            file,
            home: home.to_path_buf(),
        })
    }

    /// The state folder this lock is for.
    pub fn home(&self) -> &Path {
        &self.home
    }
}

impl Drop for ProgressLock {
    fn drop(&mut self) {
        // Clear the pid first so nobody reports a finished process; closing the file releases the lock.
        let _ = self.file.set_len(0);
        let _ = fs4::FileExt::unlock(&self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Progress {
        let mut p = Progress::default();
        p.set_var("tag-an-image", "username", "alice");
        p.set_var("tag-an-image", "repository", "alice/python-canvas-client");
        p.record_attempt("tag-an-image", "tag");
        p.record_attempt("tag-an-image", "tag");
        p.record_hint("tag-an-image", "tag");
        p.mark_done("tag-an-image", "tag");
        p.set_current("tag-an-image", "check-tag");
        p
    }

    #[test]
    fn round_trip() {
        let home = tempfile::tempdir().unwrap();
        let p = sample();
        let lock = ProgressLock::try_acquire(home.path()).unwrap();
        p.save(&lock).unwrap();
        let (back, warning) = Progress::load(home.path()).unwrap();
        assert_eq!(warning, None);
        assert_eq!(back, p);
        let step = &back.lessons["tag-an-image"].steps["tag"];
        assert_eq!((step.attempts, step.hints_used), (2, 1));
        assert!(back.is_done("tag-an-image", "tag"));
        assert!(!back.is_done("tag-an-image", "check-tag"));
        let text = std::fs::read_to_string(path(home.path())).unwrap();
        assert!(text.contains("\"format_version\": 1"), "{text}");
    }

    #[test]
    fn missing_file_is_nothing_started() {
        let home = tempfile::tempdir().unwrap();
        let (p, warning) = Progress::load(&home.path().join("not-yet")).unwrap();
        assert!(p.is_empty());
        assert_eq!(warning, None);
    }

    #[test]
    fn shared_variables_are_kept_course_wide() {
        let mut p = sample();
        assert_eq!(p.vars_for("push-an-image")["username"], "alice");
        assert!(!p.vars_for("push-an-image").contains_key("repository"));
        assert_eq!(
            p.vars_for("tag-an-image")["repository"],
            "alice/python-canvas-client"
        );
        assert!(p.forget_lesson("tag-an-image"));
        assert!(!p.forget_lesson("tag-an-image"));
        assert_eq!(p.vars_for("push-an-image")["username"], "alice");
        p.forget_all();
        assert!(p.is_empty());
    }

    #[test]
    fn forget_step_forgets_only_that_step() {
        let mut p = sample();
        p.mark_done("tag-an-image", "check-tag");
        assert!(p.forget_step("tag-an-image", "tag"));
        assert!(!p.forget_step("tag-an-image", "tag"));
        assert!(!p.forget_step("no-such-lesson", "tag"));
        assert!(!p.is_done("tag-an-image", "tag"));
        assert!(p.is_done("tag-an-image", "check-tag"));
    }

    #[test]
    fn mark_done_keeps_the_first_time() {
        let mut p = sample();
        let first = p.lessons["tag-an-image"].steps["tag"].completed_at;
        std::thread::sleep(std::time::Duration::from_millis(5));
        p.mark_done("tag-an-image", "tag");
        assert_eq!(p.lessons["tag-an-image"].steps["tag"].completed_at, first);
    }

    #[test]
    fn corrupt_file_is_moved_aside_with_its_bytes() {
        let home = tempfile::tempdir().unwrap();
        let bad = b"{\"format_version\": 1, \"lessons\": {\"tag-an-im";
        std::fs::write(path(home.path()), bad).unwrap();
        let (p, warning) = Progress::load(home.path()).unwrap();
        assert!(p.is_empty());
        let Some(Warning::MovedAside { moved_to, .. }) = &warning else {
            panic!("expected a move aside, got {warning:?}");
        };
        assert!(!path(home.path()).exists());
        assert_eq!(moved_to.parent(), Some(home.path()));
        let name = moved_to.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with("progress.json.corrupt-"), "{name}");
        assert_eq!(std::fs::read(moved_to).unwrap(), bad);
        let message = warning.as_ref().unwrap().to_string();
        assert!(message.contains("moved it aside"), "{message}");

        // A second corrupt file in the same second does not overwrite the first one set aside.
        std::fs::write(path(home.path()), b"also bad").unwrap();
        let (_, second) = Progress::load(home.path()).unwrap();
        let Some(Warning::MovedAside {
            moved_to: second, ..
        }) = second
        else {
            panic!("expected a move aside");
        };
        assert_ne!(&second, moved_to);
        assert_eq!(std::fs::read(moved_to).unwrap(), bad);
        assert_eq!(std::fs::read(&second).unwrap(), b"also bad");
    }

    #[test]
    fn wrong_shape_is_corrupt_too() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            path(home.path()),
            br#"{"format_version": 1, "lessons": []}"#,
        )
        .unwrap();
        let (_, warning) = Progress::load(home.path()).unwrap();
        assert!(matches!(warning, Some(Warning::MovedAside { .. })));
    }

    #[test]
    fn newer_version_is_refused_and_left_alone() {
        let home = tempfile::tempdir().unwrap();
        let newer = br#"{"format_version": 2, "lessons": "a shape from the future"}"#;
        std::fs::write(path(home.path()), newer).unwrap();
        let err = Progress::load(home.path()).unwrap_err();
        assert!(matches!(err, Error::Newer { found: 2, .. }), "{err:?}");
        assert!(err.to_string().contains("newer learn-registry"), "{err}");
        assert_eq!(std::fs::read(path(home.path())).unwrap(), newer);
    }

    #[test]
    fn second_lock_fails_while_the_first_is_held() {
        let home = tempfile::tempdir().unwrap();
        let first = ProgressLock::try_acquire(home.path()).unwrap();
        // A second open of the file is a second file description: flock/LockFileEx conflict with it
        // just as another process's would.
        let err = ProgressLock::try_acquire(home.path()).unwrap_err();
        let Error::Locked { pid } = err else {
            panic!("expected Locked, got {err:?}");
        };
        if cfg!(unix) {
            assert_eq!(pid, Some(std::process::id()));
            assert_eq!(
                err_text(pid),
                format!(
                    "another learn-registry is running (pid {})",
                    std::process::id()
                )
            );
        }
        drop(first);
        let again = ProgressLock::try_acquire(home.path()).unwrap();
        drop(again);
    }

    fn err_text(pid: Option<u32>) -> String {
        Error::Locked { pid }.to_string()
    }

    #[test]
    fn save_is_atomic() {
        let home = tempfile::tempdir().unwrap();
        let lock = ProgressLock::try_acquire(home.path()).unwrap();
        let old = sample();
        old.save(&lock).unwrap();
        let old_bytes = std::fs::read(path(home.path())).unwrap();

        let mut new = old.clone();
        new.mark_done("tag-an-image", "check-tag");
        let new_bytes = serde_json::to_vec_pretty(&new).unwrap();
        let target = path(home.path());
        let mut temp_seen = None;
        let result = write_atomic(&target, &new_bytes, |tmp| {
            // The new content is complete in a temp file beside the target, the target still old.
            assert_eq!(tmp.parent(), Some(home.path()));
            assert_eq!(std::fs::read(tmp).unwrap(), new_bytes);
            assert_eq!(std::fs::read(&target).unwrap(), old_bytes);
            temp_seen = Some(tmp.to_path_buf());
            Err(io::Error::other("simulated crash before rename"))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), old_bytes);
        assert!(!temp_seen.unwrap().exists(), "the temp file is cleaned up");
        let leftovers: Vec<_> = std::fs::read_dir(home.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != FILE_NAME && n != LOCK_NAME)
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        assert_eq!(Progress::load(home.path()).unwrap().0, old);

        new.save(&lock).unwrap();
        assert_eq!(Progress::load(home.path()).unwrap().0, new);
    }
}

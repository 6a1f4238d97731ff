//! Unit tests of the progress file: round trips, shared variables, a corrupt or newer file, the lock,
//! and a crash before the rename.

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
    let result = write_atomic_with(&target, &new_bytes, |tmp| {
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

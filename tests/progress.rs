//! `status` and `reset` against the real binary, with the state folder (`LEARN_REGISTRY_HOME`) in a
//! temp dir and progress written through the library (`learn_registry::progress`), as the runner
//! writes it. Step ids come from the shipped course as loaded, not copied here, so lesson edits do
//! not break these tests.
//!
//! Locking, as decided in `src/progress.rs`: only writers take `progress.lock`. `status` reads while a
//! runner holds it; `reset` checks its arguments while it is held but refuses to write.

use std::path::Path;

use assert_cmd::Command;
use learn_registry::lesson::source;
use learn_registry::progress::{self, Progress, ProgressLock};
use predicates::prelude::*;

fn bin(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("learn-registry").unwrap();
    cmd.env("LEARN_REGISTRY_HOME", home)
        .env("NO_COLOR", "1")
        .env_remove("LEARN_REGISTRY_LESSONS");
    cmd
}

/// The shipped course's lessons, in order, each with its step ids.
fn course() -> Vec<(String, Vec<String>)> {
    source::catalog(&[])
        .lessons
        .iter()
        .map(|l| {
            (
                l.lesson.id.as_str().to_string(),
                l.lesson
                    .steps
                    .iter()
                    .map(|s| s.id.as_str().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn save(home: &Path, p: &Progress) {
    let lock = ProgressLock::try_acquire(home).unwrap();
    p.save(&lock).unwrap();
}

/// The first lesson finished, two steps of the second done, variables given.
fn some_progress() -> Progress {
    let course = course();
    let mut p = Progress::default();
    for step in &course[0].1 {
        p.mark_done(&course[0].0, step);
    }
    let (second, steps) = &course[1];
    p.set_var(second, "username", "alice");
    p.set_var(second, "repository", "alice/python-canvas-client");
    p.mark_done(second, &steps[0]);
    p.record_attempt(second, &steps[1]);
    p.record_hint(second, &steps[1]);
    p.mark_done(second, &steps[1]);
    p
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

#[test]
fn status_with_nothing_started_says_how_to_begin() {
    let home = tempfile::tempdir().unwrap();
    let course = course();
    let out = bin(home.path())
        .arg("status")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "nothing started yet; begin with `learn-registry start`",
        ))
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), course.len(), "{out}");
    assert!(lines[0].starts_with(&course[0].0), "{out}");
    assert!(lines[0].ends_with("not started"), "{out}");
    assert!(
        lines[1].ends_with(&format!("locked: finish {} first", course[0].0)),
        "{out}"
    );
    assert!(
        !home.path().join(progress::FILE_NAME).exists(),
        "status writes nothing"
    );
}

#[test]
fn status_summarizes_stored_progress() {
    let home = tempfile::tempdir().unwrap();
    let course = course();
    save(home.path(), &some_progress());
    let out = stdout(bin(home.path()).arg("status"));
    let line = |id: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("no line for `{id}` in:\n{out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (first, first_steps) = &course[0];
    assert_eq!(
        line(first),
        format!("{first} {n}/{n} done", n = first_steps.len())
    );
    let (second, steps) = &course[1];
    assert_eq!(
        line(second),
        format!("{second} 2/{} next: {}", steps.len(), steps[2])
    );
    assert_eq!(
        line(&course[2].0),
        format!(
            "{} 0/{} locked: finish {second} first",
            course[2].0,
            course[2].1.len()
        )
    );
    assert!(out.contains("\nvariables:\n  username = alice\n"), "{out}");
    assert!(
        out.contains(&format!(
            "  {second}: repository = alice/python-canvas-client"
        )),
        "{out}"
    );
}

#[test]
fn status_json() {
    let home = tempfile::tempdir().unwrap();
    let course = course();
    save(home.path(), &some_progress());
    let out = stdout(bin(home.path()).args(["status", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["started"], true);
    assert_eq!(v["variables"]["username"], "alice");
    let lessons = v["lessons"].as_array().unwrap();
    assert_eq!(lessons.len(), course.len());
    assert_eq!(lessons[0]["state"], "done");
    let second = &lessons[1];
    assert_eq!(second["id"], course[1].0.as_str());
    assert_eq!(second["state"], "in_progress");
    assert_eq!(second["done"], 2);
    assert_eq!(second["next"], course[1].1[2].as_str());
    assert_eq!(second["steps"][1]["attempts"], 1);
    assert_eq!(second["steps"][1]["hints_used"], 1);
    assert_eq!(second["steps"][1]["done"], true);
    assert_eq!(second["steps"][2]["done"], false);
    assert_eq!(lessons[2]["state"], "locked");
    assert_eq!(lessons[2]["locked_by"], course[1].0.as_str());
}

#[test]
fn corrupt_progress_is_moved_aside_and_kept() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join(progress::FILE_NAME);
    let bad = b"{\"format_version\": 1, \"lessons\": {\"tag-an-im\x00";
    std::fs::write(&file, bad).unwrap();
    bin(home.path())
        .arg("status")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: `progress.json` could not be read",
        ))
        .stderr(predicate::str::contains("moved it aside to"));
    assert!(!file.exists());
    let aside: Vec<_> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("progress.json.corrupt-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read(&aside[0]).unwrap(), bad);
}

#[test]
fn newer_progress_is_refused_and_left_alone() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join(progress::FILE_NAME);
    let newer = br#"{"format_version": 99}"#;
    std::fs::write(&file, newer).unwrap();
    for args in [&["status"][..], &["reset", "--yes"][..]] {
        bin(home.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("newer learn-registry"));
        assert_eq!(std::fs::read(&file).unwrap(), newer);
    }
}

#[test]
fn reset_without_a_terminal_needs_yes() {
    let home = tempfile::tempdir().unwrap();
    let course = course();
    let p = some_progress();
    save(home.path(), &p);
    bin(home.path())
        .args(["reset", &course[1].0])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "lesson `{}`: steps done: ",
            course[1].0
        )))
        .stderr(predicate::str::contains("pass `--yes`"));
    assert_eq!(
        Progress::load(home.path()).unwrap().0,
        p,
        "nothing forgotten"
    );
}

#[test]
fn reset_forgets_exactly_one_step() {
    let home = tempfile::tempdir().unwrap();
    let course = course();
    let (second, steps) = &course[1];
    let before = some_progress();
    save(home.path(), &before);
    bin(home.path())
        .args(["reset", second, "--step", &steps[0], "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "step `{}` of lesson `{second}`",
            steps[0]
        )));
    let (after, _) = Progress::load(home.path()).unwrap();
    let mut expected = before.clone();
    expected.forget_step(second, &steps[0]);
    assert!(!after.is_done(second, &steps[0]));
    assert!(after.is_done(second, &steps[1]));
    // Everything but that step (and the lesson's `updated_at`) is as it was.
    assert_eq!(after.lessons[second].steps, expected.lessons[second].steps);
    assert_eq!(after.lessons[second].vars, before.lessons[second].vars);
    assert_eq!(after.lessons[&course[0].0], before.lessons[&course[0].0]);
    assert_eq!(after.vars, before.vars);
}

#[test]
fn reset_forgets_one_lesson_and_keeps_shared_variables() {
    let home = tempfile::tempdir().unwrap();
    let course = course();
    save(home.path(), &some_progress());
    bin(home.path())
        .args(["reset", &course[1].0, "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("course-wide variables are kept"));
    let (after, _) = Progress::load(home.path()).unwrap();
    assert!(after.lesson(&course[1].0).is_none());
    assert!(after.lesson(&course[0].0).is_some());
    assert_eq!(after.vars["username"], "alice");
}

#[test]
fn reset_everything() {
    let home = tempfile::tempdir().unwrap();
    save(home.path(), &some_progress());
    bin(home.path())
        .args(["reset", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("course-wide variables: username"));
    let (after, warning) = Progress::load(home.path()).unwrap();
    assert!(warning.is_none());
    assert!(after.is_empty());
    bin(home.path())
        .args(["reset", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("nothing to forget"));
}

#[test]
fn reset_of_unknown_names_suggests_the_right_one() {
    let home = tempfile::tempdir().unwrap();
    let course = course();
    let (second, steps) = &course[1];
    let typo = &second[..second.len() - 1];
    bin(home.path())
        .args(["reset", typo, "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "error: no lesson `{typo}`; did you mean `{second}`?"
        )));
    let step = steps.iter().max_by_key(|s| s.len()).unwrap();
    let step_typo = format!("{step}x");
    bin(home.path())
        .args(["reset", second, "--step", &step_typo, "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "error: lesson `{second}` has no step `{step_typo}`; did you mean `{step}`?"
        )));
    bin(home.path())
        .args(["reset", "--step", &steps[0]])
        .assert()
        .code(2);
}

#[test]
fn a_held_lock_blocks_writers_not_readers() {
    let home = tempfile::tempdir().unwrap();
    let course = course();
    let p = some_progress();
    let runner = ProgressLock::try_acquire(home.path()).unwrap();
    p.save(&runner).unwrap();

    // `status` reads: it works while the runner (this process) holds the lock.
    let out = stdout(bin(home.path()).arg("status"));
    assert!(out.contains("next: "), "{out}");

    // `reset` writes: it refuses, names the holder, and forgets nothing.
    bin(home.path())
        .args(["reset", &course[1].0, "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "another learn-registry is running (pid {})",
            std::process::id()
        )));
    // A typo is still reported as a typo, not as a busy lock.
    bin(home.path())
        .args(["reset", "no-such-lesson-at-all", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no lesson `no-such-lesson-at-all`",
        ));
    assert_eq!(Progress::load(home.path()).unwrap().0, p);

    drop(runner);
    bin(home.path())
        .args(["reset", &course[1].0, "--yes"])
        .assert()
        .success();
}

#[test]
fn help_has_examples() {
    for cmd in ["status", "reset"] {
        bin(Path::new("."))
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"))
            .stdout(predicate::str::contains(format!("learn-registry {cmd}")));
    }
}

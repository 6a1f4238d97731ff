//! The lesson language against the real lab: captured digests, `registry_digest`, `not:`, `command`
//! with `stderr_*`, per-check `describe` / `hint`, `transient` steps, and `check` using what the runner
//! stored (variables and captures in the progress file). The lesson is
//! `tests/fixtures/language/tags-and-digests.yaml`; each test has its own names, Docker config and
//! state folder, so they run in parallel with the rest.

mod support;

use std::path::PathBuf;

use serde_json::{Value, json};

use support::{Machine, Run, lab, unique};

fn lessons() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/language")
}

/// `check tags-and-digests --registry OPEN --format json --yes` plus `extra`.
fn check(m: &Machine, extra: &[&str]) -> Run {
    let dir = lessons().display().to_string();
    let mut args = vec![
        "check",
        "tags-and-digests",
        "--lessons-dir",
        &dir,
        "--registry",
        &lab().open,
        "--format",
        "json",
        "--yes",
    ];
    args.extend_from_slice(extra);
    m.learn(&args)
}

/// The progress file the runner would have written for `tags-and-digests`.
fn write_progress(m: &Machine, user: &str, done: &[&str], captures: Value) {
    write_progress_of(m, "tags-and-digests", user, done, captures)
}

/// The progress file the runner would have written: `username` given, steps done, captures kept.
fn write_progress_of(m: &Machine, lesson: &str, user: &str, done: &[&str], captures: Value) {
    let steps: serde_json::Map<String, Value> = done
        .iter()
        .map(|s| {
            (
                s.to_string(),
                json!({"completed_at": "2026-01-01T10:00:00Z", "attempts": 1}),
            )
        })
        .collect();
    let progress = json!({
        "format_version": 1,
        "vars": {"username": user},
        "lessons": {lesson: {
            "started_at": "2026-01-01T09:00:00Z",
            "updated_at": "2026-01-01T10:00:00Z",
            "current_step": done.last().copied().unwrap_or_default(),
            "steps": steps,
            "vars": {"username": user},
            "captures": captures,
        }},
    });
    std::fs::write(
        m.home.path().join("progress.json"),
        serde_json::to_string_pretty(&progress).unwrap(),
    )
    .unwrap();
}

fn checks(step: &Value) -> Vec<&Value> {
    step["checks"].as_array().unwrap().iter().collect()
}

/// The digest a passing `registry_digest` saw: the last word of its message.
fn digest_in(check: &Value) -> String {
    let message = check["message"].as_str().unwrap_or_default();
    let digest = message.rsplit(' ').next().unwrap_or_default();
    assert!(digest.starts_with("sha256:"), "{check:#}");
    digest.to_string()
}

fn says(check: &Value, words: &[&str]) {
    let text = check.to_string();
    for w in words {
        assert!(text.contains(w), "`{w}` not in {check:#}");
    }
}

#[test]
fn a_tag_moves_the_old_digest_stays_and_check_follows_the_stored_progress() {
    let lab = lab();
    let m = Machine::docker();
    let user = unique("dig");
    let repo = format!("{}/{user}/digests", lab.open);
    let v1 = format!("{repo}:v1");

    // Nothing stored and no --var: the missing value named is the input, not the derived `repository`.
    let run = check(&m, &["--step", "push-one"]);
    let c = checks(run.step("push-one"))[0];
    assert_eq!(c["status"], "unknown", "{c:#}");
    says(c, &["no value for `username`", "--var username=VALUE"]);
    assert!(!c.to_string().contains("--var repository"), "{c:#}");

    // Not pushed yet: the item's `describe` is what was expected.
    write_progress(&m, &user, &[], json!({}));
    let run = check(&m, &["--step", "push-one"]);
    let c = checks(run.step("push-one"))[0];
    assert_eq!(c["status"], "fail", "{c:#}");
    assert_eq!(c["expected"], format!("`{repo}:v1` pushed"), "{c:#}");

    // Push: the check passes and sees the digest.
    m.tag(&lab.image, &v1);
    m.push(&v1);
    let run = check(&m, &["--step", "push-one"]);
    let c = checks(run.step("push-one"))[0];
    assert_eq!(c["status"], "pass", "{c:#}");
    let first = digest_in(c);

    // A later step without the capture stored: it says which step records it.
    let run = check(&m, &["--step", "move-tag"]);
    says(
        checks(run.step("move-tag"))[0],
        &["no value for `first_digest` yet", "step `push-one`"],
    );

    // The capture stored, as the runner does when `push-one` passes: the tag has not moved yet.
    write_progress(
        &m,
        &user,
        &["login", "push-one"],
        json!({"first_digest": first}),
    );
    let run = check(&m, &["--step", "move-tag"]);
    let step = run.step("move-tag");
    assert_eq!(step["status"], "fail", "{step:#}");
    let [differs, still] = checks(step)[..] else {
        panic!("two checks: {step:#}")
    };
    assert_eq!(differs["status"], "fail");
    says(
        differs,
        &[
            &format!("it is still at {first}"),
            &format!("push it as `{v1}`"),
        ],
    );
    assert_eq!(still["status"], "pass", "{still:#}");

    // Move the tag: `differs` passes, and the first digest is still served.
    m.build_variant(&v1);
    m.push(&v1);
    let run = check(&m, &["--step", "move-tag"]);
    let step = run.step("move-tag");
    assert_eq!(step["status"], "pass", "{step:#}");
    says(
        checks(step)[1],
        &[&format!("the registry serves `{repo}@{first}`")],
    );

    // `equals` against the moved tag fails; a digest the registry never served is not "still served".
    let gone = format!("{repo}@sha256:{}", "0".repeat(64));
    let run = check(&m, &["--step", "pull-by-digest"]);
    let step = run.step("pull-by-digest");
    assert_eq!(step["status"], "fail", "not pulled yet: {step:#}");

    // Pull by digest: `image_pulled` and `event_seen` both take `REPO@sha256:…`, and the event says
    // it matched by digest.
    let by_digest = format!("{repo}@{first}");
    m.d(&["pull", &by_digest]);
    m.forget_later(&by_digest);
    let run = check(&m, &["--step", "pull-by-digest"]);
    let step = run.step("pull-by-digest");
    assert_eq!(step["status"], "pass", "{step:#}");
    says(checks(step)[1], &["by digest", &first]);
    let _ = gone;

    // The whole lesson now, with the login step done earlier and no login any more: `transient`
    // makes it "done (earlier), changed since" by the later step on the same registry (the logout,
    // once the progress says it was done); the logout passes through `not:`.
    let run = check(&m, &[]);
    let login = run.step("login");
    assert_eq!(login["status"], "pass", "{login:#}");
    says(login, &["done (earlier", "changed since by a later step"]);
    let all = [
        "login",
        "push-one",
        "move-tag",
        "pull-by-digest",
        "refused",
        "logout",
    ];
    write_progress(&m, &user, &all, json!({"first_digest": first}));
    let run = check(&m, &[]);
    let login = run.step("login");
    assert_eq!(login["status"], "pass", "{login:#}");
    says(login, &["changed since by step 6 (`logout`)"]);
    let logout = run.step("logout");
    assert_eq!(logout["status"], "pass", "{logout:#}");
}

#[test]
fn not_swaps_pass_and_fail_and_command_matches_stderr() {
    let lab = lab();
    let m = Machine::docker();
    let user = unique("neg");
    write_progress(&m, &user, &[], json!({}));

    // Logged in: `not: { logged_in }` fails, saying what it expected not to hold; the item's hint.
    m.login(&lab.open, "someone", "anything");
    let run = check(&m, &["--step", "logout"]);
    let c = checks(run.step("logout"))[0];
    assert_eq!(c["status"], "fail", "{c:#}");
    says(
        c,
        &[
            &format!("expected: not logged in to `{}`", lab.open),
            &format!("`docker logout {}`", lab.open),
        ],
    );
    assert_eq!(c["kind"], "not");

    // Without `transient` stored progress changes nothing: the login step is judged now.
    let run = check(&m, &["--step", "login"]);
    assert_eq!(run.step("login")["status"], "pass");

    // Logged out: `not` passes.
    m.d(&["logout", &lab.open]);
    let run = check(&m, &["--step", "logout"]);
    assert_eq!(run.step("logout")["status"], "pass", "{}", run.stdout);
    // A transient step the progress does not say passed is judged now, and fails.
    let run = check(&m, &["--step", "login"]);
    assert_eq!(run.step("login")["status"], "fail", "{}", run.stdout);

    // A command that must fail with a message on stderr: a pull of a missing tag.
    let run = check(&m, &["--step", "refused"]);
    let c = checks(run.step("refused"))[0];
    assert_eq!(c["status"], "pass", "{c:#}");

    // Docker's config unreadable: whether someone is logged in is not known, so neither is `not`.
    let broken = Machine::docker();
    std::fs::copy(
        m.home.path().join("progress.json"),
        broken.home.path().join("progress.json"),
    )
    .unwrap();
    std::fs::write(broken.config.path().join("config.json"), "{ not json").unwrap();
    let run = check(&broken, &["--step", "logout"]);
    let c = checks(run.step("logout"))[0];
    assert_eq!(c["status"], "unknown", "{c:#}");
}

#[test]
fn status_shows_the_captured_values() {
    let m = Machine::docker();
    write_progress(
        &m,
        "alice",
        &["push-one"],
        json!({"first_digest": "sha256:abc"}),
    );
    let dir = lessons().display().to_string();
    let run = m.learn(&["status", "--lessons-dir", &dir]);
    assert!(
        run.stdout
            .contains("tags-and-digests: first_digest = sha256:abc"),
        "{}",
        run.stdout
    );
    let run = m.learn(&["status", "--lessons-dir", &dir, "--format", "json"]);
    let lesson = run.json["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "tags-and-digests")
        .unwrap()
        .clone();
    assert_eq!(lesson["captures"]["first_digest"], "sha256:abc");
}

#[test]
fn lint_reports_the_language_mistakes() {
    let m = Machine::docker();
    let bad = lessons().join("bad");
    let run = m.learn(&["lint", &bad.display().to_string(), "--format", "json"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    for code in [
        "capture-not-yet-made",
        "capture-shadows-variable",
        "invalid-capture-name",
        "nothing-to-capture",
        "wrong-type",
    ] {
        assert!(all.contains(code), "`{code}` not reported: {all}");
    }
    let good = lessons().join("tags-and-digests.yaml");
    let run = m.learn(&["lint", &good.display().to_string()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// `check` of a shipped example, in the instructor's examples folder, with `extra`.
fn check_example(m: &Machine, lesson: &str, registry: &str, extra: &[&str]) -> Run {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .display()
        .to_string();
    let mut args = vec![
        "check",
        lesson,
        "--lessons-dir",
        &dir,
        "--registry",
        registry,
        "--format",
        "json",
        "--yes",
    ];
    args.extend_from_slice(extra);
    m.learn(&args)
}

fn statuses(run: &Run, ids: &[&str]) -> Vec<String> {
    ids.iter()
        .map(|id| run.step(id)["status"].as_str().unwrap_or("?").to_string())
        .collect()
}

#[test]
fn the_digest_example_checks_right_before_and_after_the_tag_moved() {
    let lab = lab();
    let m = Machine::docker();
    let user = unique("ex");
    let v1 = format!("{}/{user}/digests:v1", lab.open);
    let ids = ["push-first", "move-the-tag"];
    let check = |extra: &[&str]| check_example(&m, "tags-versus-digests", &lab.open, extra);

    write_progress_of(&m, "tags-versus-digests", &user, &[], json!({}));
    assert_eq!(statuses(&check(&[]), &ids), ["fail", "unknown"]);

    m.tag(&lab.image, &v1);
    m.push(&v1);
    let run = check(&["--step", "push-first"]);
    let first = digest_in(checks(run.step("push-first"))[0]);
    let captured = json!({ "first_digest": first });
    write_progress_of(
        &m,
        "tags-versus-digests",
        &user,
        &ids[..1],
        captured.clone(),
    );
    let run = check(&[]);
    assert_eq!(
        statuses(&run, &ids),
        ["pass", "fail"],
        "not moved yet: {}",
        run.stdout
    );
    assert_eq!(checks(run.step("digest-still-served"))[0]["status"], "pass");

    m.build_variant(&v1);
    m.push(&v1);
    write_progress_of(&m, "tags-versus-digests", &user, &ids, captured);
    let run = check(&[]);
    assert_eq!(
        statuses(&run, &ids),
        ["pass", "pass"],
        "the tag moved: {}",
        run.stdout
    );
    let served = checks(run.step("digest-still-served"))[0];
    assert_eq!(served["status"], "pass", "{served:#}");
    says(served, &[&first]);
}

#[test]
fn the_login_example_checks_right_before_and_after_the_logout() {
    let lab = lab();
    let m = Machine::docker();
    let repo = format!("{}/bob/private-demo:1.0", lab.htpasswd);
    let ids = ["log-in", "push", "log-out"];
    let check = || check_example(&m, "private-registry", &lab.htpasswd, &[]);

    write_progress_of(&m, "private-registry", "bob", &[], json!({}));
    let run = check();
    assert_eq!(statuses(&run, &ids[..1]), ["fail"], "{}", run.stdout);

    m.login(&lab.htpasswd, "bob", "bobpass");
    m.tag(&lab.image, &repo);
    m.push(&repo);
    write_progress_of(&m, "private-registry", "bob", &ids[..2], json!({}));
    let run = check();
    assert_eq!(
        statuses(&run, &ids),
        ["pass", "pass", "fail"],
        "{}",
        run.stdout
    );

    // Logged out: the earlier steps were done and the logout changed them on purpose; the refused
    // pull is seen for real.
    m.d(&["logout", &lab.htpasswd]);
    write_progress_of(&m, "private-registry", "bob", &ids, json!({}));
    let run = check();
    assert_eq!(
        statuses(&run, &ids),
        ["pass", "pass", "pass"],
        "{}",
        run.stdout
    );
    for id in &ids[..2] {
        says(
            run.step(id),
            &["done (earlier", "changed since by step 3 (`log-out`)"],
        );
    }
    assert!(!run.stdout.contains("bobpass"), "the password was printed");
}

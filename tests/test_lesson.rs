//! `learn-registry test-lesson` against the real lab (`scripts/lab.sh up`), and what it stands on:
//! setup's offline image builds (`setup::run`, `DockerProbe::build_image`) and untagging
//! (`DockerProbe::remove_image`), on the lab's Docker Engine and on Podman's Docker API.
//!
//! The shipped course is tested lesson by lesson, as an author would (`scripts/test.sh` runs this
//! file, so CI proves the course solvable on every run); broken lessons under
//! `tests/fixtures/test-lessons/` show each way a lesson can fail its test. After every run, the names
//! it made must be gone and the user's Docker config must be byte for byte what it was.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::Engine as _;
use serde_json::{Value, json};

use learn_registry::check::{Context, Settings};
use learn_registry::probe::DockerProbe;
use learn_registry::setup::{self, SetupDone};

use support::{FakeHub, HubAnswer, Machine, Run, lab, unique, unused_port};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/test-lessons")
}

/// `learn-registry test-lesson ARGS` on `m`, like `Machine::learn`, with the test password in the
/// environment when given.
fn test_lesson(m: &Machine, args: &[&str], password: Option<&str>) -> Run {
    let mut cmd = m.learn_command(&["test-lesson"]);
    cmd.args(args)
        .env_remove("LEARN_REGISTRY_TEST_PASSWORD")
        .timeout(std::time::Duration::from_secs(180));
    if let Some(p) = password {
        cmd.env("LEARN_REGISTRY_TEST_PASSWORD", p);
    }
    Run::of(cmd)
}

/// `test-lesson LESSON --lessons-dir DIR --registry REGISTRY --var VAR --wait SECONDS --yes --format json`.
fn test_folder_lesson(
    m: &Machine,
    lesson: &str,
    dir: &str,
    registry: &str,
    var: &str,
    wait: &str,
    password: Option<&str>,
) -> Run {
    let args = [
        lesson,
        "--lessons-dir",
        dir,
        "--registry",
        registry,
        "--var",
        var,
        "--wait",
        wait,
        "--yes",
        "--format",
        "json",
    ];
    test_lesson(m, &args, password)
}

/// A step's status, fail_first, solution and passes_after.
type Phases = [String; 4];

/// Phases as an expectation writes them.
fn p(status: &str, fail_first: &str, solution: &str, passes_after: &str) -> Phases {
    [status, fail_first, solution, passes_after].map(str::to_string)
}

/// Every phase passed: it failed first, its solution ran, it passed after.
fn all_pass() -> Phases {
    p("pass", "pass", "pass", "pass")
}

/// Step id → its phases, from a JSON report.
fn phases(run: &Run) -> BTreeMap<String, Phases> {
    let steps = run.json["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no steps (exit {}): {}{}", run.code, run.stdout, run.stderr));
    steps
        .iter()
        .map(|s| {
            let f = |k: &str| s[k].as_str().unwrap().to_string();
            (
                f("id"),
                [
                    f("status"),
                    f("fail_first"),
                    f("solution"),
                    f("passes_after"),
                ],
            )
        })
        .collect()
}

fn step<'a>(run: &'a Run, id: &str) -> &'a Value {
    run.json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step `{id}`: {}", run.stdout))
}

fn exists(m: &Machine, name: &str) -> bool {
    m.docker_output(&["image", "inspect", name], None)
        .status
        .success()
}

/// The user's config.json: a login for the lab registry (which the run must not use: the login step
/// must fail first) and one for a registry it never touches.
fn user_config(m: &Machine) -> Vec<u8> {
    let auth = |u: &str| base64::engine::general_purpose::STANDARD.encode(format!("{u}:pw"));
    m.write_config(&json!({
        "auths": {
            lab().open.as_str(): { "auth": auth("someoneelse") },
            "registry.example.invalid": { "auth": auth("me") }
        },
        "detachKeys": "ctrl-e,e"
    }));
    std::fs::read(m.config.path().join("config.json")).unwrap()
}

// ---------------------------------------------------------------------------- the shipped course

#[test]
fn every_shipped_lesson_fails_first_then_passes_and_leaves_nothing_behind() {
    let lab = lab();
    let rt = support::runtime();
    let hub = FakeHub::start(&rt);
    let (username, classmate) = (unique("tl"), unique("tc"));
    hub.user(&username, HubAnswer::Found { private: false });
    hub.repository(
        &format!("{username}/python-canvas-client"),
        HubAnswer::Found { private: false },
    );

    // The classmate pushed earlier, from their machine: the course's sample image, built as lesson 2's
    // setup builds it for them (with their name in its greeting, which the pull lesson runs).
    let theirs = format!("{}/{classmate}/python-canvas-client:1.0", lab.open);
    let other = Machine::docker();
    support::build_sample_image(&other.host, &classmate, &theirs);
    other.push(&theirs);
    other.d(&["rmi", &theirs]);

    let me = Machine::docker();
    let config_before = user_config(&me);
    let password = format!("Pw-{}", unique("x"));
    let repo = format!("{}/{username}/python-canvas-client", lab.open);
    let hub_url = hub.url();
    let run = |lesson: &str| {
        let vars = [
            format!("username={username}"),
            format!("classmate={classmate}"),
        ];
        test_lesson(
            &me,
            &[
                lesson,
                "--registry",
                &lab.open,
                "--hub-api",
                &hub_url,
                "--var",
                &vars[0],
                "--var",
                &vars[1],
                "--format",
                "json",
            ],
            Some(&password),
        )
    };
    let expected: [(&str, Vec<(&str, Phases)>); 4] = [
        (
            "docker-hub-account",
            vec![
                (
                    "visit-docker-hub",
                    p("skipped", "skipped", "skipped", "skipped"),
                ),
                ("sign-up", p("skipped", "skipped", "skipped", "skipped")),
                ("fill-in-the-form", p("pass", "skipped", "skipped", "pass")),
                // No check: only the learner knows that the address was confirmed.
                (
                    "verify-email",
                    p("skipped", "skipped", "skipped", "skipped"),
                ),
                ("log-in-on-the-web", p("pass", "skipped", "skipped", "pass")),
            ],
        ),
        (
            "tag-an-image",
            vec![
                // Only looks (`docker images`) at what the setup built: may pass before.
                ("list-images", p("pass", "skipped", "pass", "pass")),
                ("tag", all_pass()),
                (
                    "descriptive-names",
                    p("skipped", "skipped", "skipped", "skipped"),
                ),
                ("tag-version-2", all_pass()),
            ],
        ),
        (
            "push-an-image",
            vec![
                ("log-in", all_pass()),
                ("push", all_pass()),
                ("verify-on-hub", p("pass", "skipped", "skipped", "pass")),
                ("public-or-private", p("pass", "skipped", "skipped", "pass")),
            ],
        ),
        (
            "pull-an-image",
            vec![
                ("pull", all_pass()),
                ("pull-classmate", all_pass()),
                ("verify-local", p("pass", "skipped", "pass", "pass")),
                (
                    "default-tag-latest",
                    p("skipped", "skipped", "skipped", "skipped"),
                ),
                (
                    "trust-the-source",
                    p("skipped", "skipped", "skipped", "skipped"),
                ),
                // Runs the classmate's image: no container before, their greeting after.
                ("run-classmate", all_pass()),
                (
                    "keep-up-to-date",
                    p("skipped", "skipped", "skipped", "skipped"),
                ),
            ],
        ),
    ];
    let shipped: Vec<String> = learn_registry::lesson::source::shipped_files()
        .iter()
        .map(|f| {
            learn_registry::lesson::load::parse(f)
                .unwrap()
                .id
                .to_string()
        })
        .collect();
    assert_eq!(
        shipped,
        expected
            .iter()
            .map(|(l, _)| l.to_string())
            .collect::<Vec<_>>(),
        "a new shipped lesson needs its expectations here"
    );

    for (lesson, steps) in &expected {
        let containers_before = containers(&me);
        let run = run(lesson);
        // The run step's stopped container (its check read the greeting) is the run's to remove.
        let left: Vec<String> = containers(&me)
            .into_iter()
            .filter(|c| !containers_before.contains(c))
            .filter(|c| {
                me.docker_output(
                    &["container", "inspect", "-f", "{{.Config.Image}}", c],
                    None,
                )
                .stdout
                .starts_with(theirs.as_bytes())
            })
            .collect();
        for c in &left {
            me.d(&["rm", c]);
        }
        assert!(left.is_empty(), "{lesson} left containers: {left:?}");
        let removed = run.json["cleanup"]["containers_removed"]
            .as_array()
            .map_or(0, Vec::len);
        let ran = usize::from(*lesson == "pull-an-image");
        assert_eq!(removed, ran, "{lesson}: {}", run.stdout);
        assert_eq!(run.code, 0, "{lesson}: {}{}", run.stdout, run.stderr);
        let got = phases(&run);
        let want: BTreeMap<String, Phases> = steps
            .iter()
            .map(|(id, p)| (id.to_string(), p.clone()))
            .collect();
        assert_eq!(got, want, "{lesson}: {}", run.stdout);
        assert!(
            !run.stdout.contains(&password) && !run.stderr.contains(&password),
            "the password was printed"
        );

        // Nothing the run made is left: tags, pulled names, the push's digest reference.
        for name in [format!("{repo}:1.0"), format!("{repo}:2.0"), theirs.clone()] {
            assert!(!exists(&me, &name), "{lesson} left `{name}` behind");
        }
        let digests = me.d(&[
            "image",
            "inspect",
            "-f",
            "{{json .RepoDigests}}",
            &lab.image,
        ]);
        assert!(
            !digests.contains(&repo),
            "{lesson} left a digest reference: {digests}"
        );
        assert!(exists(&me, &lab.image), "{lesson} removed the lab's image");
        assert_eq!(
            std::fs::read(me.config.path().join("config.json")).unwrap(),
            config_before,
            "{lesson} changed the user's config.json"
        );
    }

    // The same lesson twice in a row: the cleanup leaves the world as a fresh learner finds it.
    let again = run("push-an-image");
    assert_eq!(again.code, 0, "{}", again.stdout);
}

/// Every container ID on `m`'s engine, running or not.
fn containers(m: &Machine) -> Vec<String> {
    m.d(&["ps", "-a", "-q", "--no-trunc"])
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn human_steps_whose_hub_cannot_be_reached_are_skipped_not_failed() {
    let lab = lab();
    let me = Machine::docker();
    let dead_hub = format!("http://127.0.0.1:{}", unused_port());
    let username = format!("username={}", unique("hu"));
    let args = [
        "docker-hub-account",
        "--registry",
        &lab.open,
        "--hub-api",
        &dead_hub,
        "--var",
        &username,
    ];
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let run = test_lesson(&me, &json_args, None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for id in ["fill-in-the-form", "log-in-on-the-web"] {
        let s = step(&run, id);
        assert_eq!(s["status"], "skipped", "{s}");
        assert_eq!(s["passes_after"], "unknown", "{s}");
        assert!(
            s["notes"][0]
                .as_str()
                .unwrap()
                .contains("cannot be verified"),
            "{s}"
        );
    }
    let human = test_lesson(&me, &args, None);
    assert_eq!(human.code, 0);
    assert!(
        human
            .stdout
            .contains("0 passed, 0 failed, 0 could not be verified, 5 skipped"),
        "{}",
        human.stdout
    );
}

// ---------------------------------------------------------------------------- broken lessons

#[test]
fn broken_solutions_are_each_reported_and_cleaned_up() {
    let lab = lab();
    let me = Machine::docker();
    let config_before = user_config(&me);
    let username = unique("br");
    let repo = format!("{}/{username}/broken", lab.open);
    let dir = fixtures().display().to_string();
    let var = format!("username={username}");
    let args = [
        "broken-solutions",
        "--lessons-dir",
        &dir,
        "--registry",
        &lab.open,
        "--var",
        &var,
        "--wait",
        "1",
        "--yes",
    ];

    // Not from the shipped course: its solutions run only with --yes (no terminal to ask on).
    let refused = test_lesson(&me, &args[..args.len() - 1], None);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert!(!exists(&me, &format!("{repo}:1.0")), "nothing ran");

    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let run = test_lesson(&me, &json_args, None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let want = BTreeMap::from([
        ("good".to_string(), all_pass()),
        (
            "wrong-solution".to_string(),
            p("fail", "pass", "pass", "fail"),
        ),
        (
            "already-done".to_string(),
            p("fail", "fail", "pass", "pass"),
        ),
        (
            "failing-command".to_string(),
            p("fail", "pass", "fail", "skipped"),
        ),
    ]);
    assert_eq!(phases(&run), want, "{}", run.stdout);

    let wrong = step(&run, "wrong-solution");
    assert!(
        wrong["notes"][0]
            .as_str()
            .unwrap()
            .contains("do not pass after its solution"),
        "{wrong}"
    );
    assert!(
        wrong["checks"][0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{repo}:2.0")),
        "{wrong}"
    );
    let done = step(&run, "already-done");
    assert!(
        done["notes"][0]
            .as_str()
            .unwrap()
            .contains("passes before its solution ran"),
        "{done}"
    );
    let failing = step(&run, "failing-command");
    let commands = failing["commands"].as_array().unwrap();
    assert_eq!(commands.len(), 2, "stops at the failing line: {failing}");
    assert_eq!(commands[0]["ok"], true);
    assert_eq!(commands[1]["ok"], false);
    assert_eq!(
        commands[1]["command"],
        format!("docker pull {repo}:missing")
    );
    let tail = commands[1]["stderr_tail"].as_array().unwrap();
    assert!(
        tail.iter()
            .any(|l| l.as_str().unwrap().contains("not found")
                || l.as_str().unwrap().contains("manifest unknown")),
        "{failing}"
    );

    // The same, for people.
    let human = test_lesson(&me, &args, None);
    assert_eq!(human.code, 1);
    for words in [
        "✗ wrong-solution",
        "its checks do not pass after its solution",
        "passes before its solution ran",
        &format!("✗ `docker pull {repo}:missing` exited with 1:\n        | "),
        "        | ",
        "1 passed, 3 failed, 0 could not be verified, 0 skipped",
    ] {
        assert!(
            human.stdout.contains(words),
            "`{words}` not in:\n{}",
            human.stdout
        );
    }

    for tag in ["1.0", "3.0"] {
        assert!(!exists(&me, &format!("{repo}:{tag}")), "{repo}:{tag} left");
    }
    assert_eq!(
        std::fs::read(me.config.path().join("config.json")).unwrap(),
        config_before
    );
}

#[test]
fn lines_that_must_fail_are_tested_and_what_they_made_is_cleaned_up() {
    let lab = lab();
    let me = Machine::docker();
    let username = unique("mf");
    let repo = format!("{}/{username}/must-fail", lab.open);
    let dir = fixtures().display().to_string();
    let var = format!("username={username}");
    let run = test_folder_lesson(&me, "must-fail", &dir, &lab.open, &var, "1", None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let want = BTreeMap::from([
        ("refused".to_string(), all_pass()),
        (
            "not-refused".to_string(),
            p("fail", "pass", "fail", "skipped"),
        ),
        ("refused-as-a-mapping".to_string(), all_pass()),
        (
            "not-refused-as-a-mapping".to_string(),
            p("fail", "pass", "fail", "skipped"),
        ),
    ]);
    assert_eq!(phases(&run), want, "{}", run.stdout);
    let mapped = step(&run, "refused-as-a-mapping")["commands"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(mapped.len(), 2, "{mapped:?}");
    assert_eq!(mapped[0]["must_fail"], false, "`expect: success`");
    assert_eq!(
        mapped[1]["command"],
        format!("docker pull {repo}:missing"),
        "the mapping form shows the command alone"
    );
    assert_eq!(mapped[1]["must_fail"], true);
    assert_eq!(
        mapped[1]["ok"], true,
        "a refused pull is what `expect: fail` asks"
    );
    assert_ne!(mapped[1]["exit_code"], 0);
    let not_refused = step(&run, "not-refused-as-a-mapping");
    let commands = not_refused["commands"].as_array().unwrap();
    assert_eq!(commands.len(), 1, "stops at it: {not_refused}");
    assert_eq!(commands[0]["ok"], false);
    assert_eq!(commands[0]["exit_code"], 0);
    let refused = step(&run, "refused");
    let commands = refused["commands"].as_array().unwrap();
    assert_eq!(
        commands[1]["command"],
        format!("! docker pull {repo}:missing")
    );
    assert_eq!(
        commands[1]["ok"], true,
        "a refused pull is what `!` asks: {refused}"
    );
    let not_refused = step(&run, "not-refused");
    let commands = not_refused["commands"].as_array().unwrap();
    assert_eq!(
        commands.len(),
        1,
        "stops at the line that did not fail: {not_refused}"
    );
    assert_eq!(commands[0]["ok"], false, "{not_refused}");
    for tag in ["1.0", "2.0", "3.0", "4.0", "5.0", "6.0"] {
        assert!(!exists(&me, &format!("{repo}:{tag}")), "{repo}:{tag} left");
    }

    // For people: a line that had to fail and did not says so, in the words it was written in.
    let human = test_lesson(
        &me,
        &[
            "must-fail",
            "--lessons-dir",
            &dir,
            "--registry",
            &lab.open,
            "--var",
            &var,
            "--wait",
            "1",
            "--yes",
        ],
        None,
    );
    assert_eq!(human.code, 1, "{}{}", human.stdout, human.stderr);
    for words in [
        &format!(
            "✗ `! docker tag my-app:latest {repo}:2.0` exited with 0, but the line (`! ...`) must fail"
        ),
        &format!(
            "✗ `docker tag my-app:latest {repo}:5.0` exited with 0, but it must fail (`expect: fail`)"
        ),
        "2 passed, 2 failed",
    ] {
        assert!(
            human.stdout.contains(words),
            "`{words}` not in:\n{}",
            human.stdout
        );
    }
}

/// The containers a solution runs (`--name` and not) are removed with the run; one that was there
/// before, from the same image, is not.
fn containers_on(m: &Machine) {
    let lab = lab();
    let username = unique("ct");
    let dir = fixtures().display().to_string();
    let var = format!("username={username}");
    let image = format!("tl-run-{username}");
    // Built before the run, as the setup would: the setup then finds it, and a container made from
    // it now is one the run must leave alone.
    support::build_sample_image(&m.host, &username, &format!("{image}:named"));
    m.forget_later(&format!("{image}:named"));
    let before = format!("{username}-before");
    m.d(&["create", "--name", &before, &format!("{image}:named")]);
    let ids_before = containers(m);

    let run = test_lesson(
        m,
        &[
            "containers",
            "--lessons-dir",
            &dir,
            "--registry",
            &lab.open,
            "--var",
            &var,
            "--wait",
            "5",
            "--yes",
            "--format",
            "json",
        ],
        None,
    );
    let left: Vec<String> = containers(m)
        .into_iter()
        .filter(|c| !ids_before.contains(c))
        .filter(|c| {
            let image_of = m.d(&["container", "inspect", "-f", "{{.Config.Image}}", c]);
            image_of.contains(&image)
        })
        .collect();
    for c in &left {
        m.d(&["rm", "-f", c]);
    }
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for id in ["run-named", "run-unnamed"] {
        assert_eq!(phases(&run)[id], all_pass(), "{id}: {}", run.stdout);
    }
    assert!(left.is_empty(), "containers left behind: {left:?}");
    let removed = run.json["cleanup"]["containers_removed"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(removed.len(), 2, "{}", run.stdout);
    assert!(
        removed.contains(&json!(format!("{username}-greeter"))),
        "{removed:?}"
    );
    let still = m.docker_output(&["container", "inspect", &before], None);
    assert!(
        still.status.success(),
        "the container from before was removed"
    );
    m.d(&["rm", &before]);
    assert!(
        !exists(m, &format!("{image}:unnamed")),
        "the setup's build is untagged"
    );
}

#[test]
fn containers_a_solution_ran_are_removed_on_docker() {
    containers_on(&Machine::docker());
}

#[test]
fn containers_a_solution_ran_are_removed_on_podman() {
    containers_on(&Machine::podman());
}

/// A later step's solution uses the digest an earlier step captured: planned when it is reached.
#[test]
fn a_solution_line_may_use_a_value_an_earlier_step_captured() {
    let lab = lab();
    let me = Machine::docker();
    let username = unique("cs");
    let repo = format!("{}/{username}/captured", lab.open);
    let dir = fixtures().display().to_string();
    let var = format!("username={username}");
    let run = test_folder_lesson(&me, "captured-solution", &dir, &lab.open, &var, "3", None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let all = all_pass();
    assert_eq!(phases(&run)["push"], all, "{}", run.stdout);
    assert_eq!(phases(&run)["pull-by-digest"], all, "{}", run.stdout);
    let pull = step(&run, "pull-by-digest");
    let digest = pull["commands"][0]["command"].as_str().unwrap().to_string();
    let pinned = digest.strip_prefix(&format!("docker pull {repo}@sha256:"));
    assert!(
        pinned.is_some_and(|hex| hex.len() == 64),
        "pulled by the captured digest: {pull}"
    );
    assert_eq!(pull["commands"][1]["must_fail"], true, "{pull}");
    assert_eq!(pull["commands"][1]["ok"], true, "{pull}");
    assert!(!exists(&me, &format!("{repo}:1.0")));

    // Prepared as a required lesson, its solutions get the captured digest too.
    let after = test_folder_lesson(&me, "after-captured", &dir, &lab.open, &var, "3", None);
    assert_eq!(after.code, 0, "{}{}", after.stdout, after.stderr);
    assert_eq!(after.json["prepared"], json!(["captured-solution"]));
    assert_eq!(after.json["setup"], json!([]), "{}", after.stdout);
    assert!(!exists(&me, &format!("{username}-after:1.0")));

    // When the earlier step captured nothing, the later one is not tried with a hole in its line.
    let run = test_folder_lesson(&me, "captured-missing", &dir, &lab.open, &var, "1", None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(phases(&run)["push"][0], "fail", "{}", run.stdout);
    let pull = step(&run, "pull-by-digest");
    assert_eq!(pull["status"], "unknown", "{pull}");
    assert_eq!(pull["commands"], json!([]), "{pull}");
    assert!(
        pull["notes"][0]
            .as_str()
            .unwrap()
            .contains("uses `pushed_digest`"),
        "{pull}"
    );
}

/// Lint of solutions, which needs no lab: the `expect` of a `{ run, expect }` entry, `!` inside a
/// `run`, and a captured value used by the same step's solution (too early) or a later one (fine).
#[test]
fn lint_reads_both_forms_of_a_solution() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let head = "id: s\ntitle: S\nsteps:\n  - id: one\n    title: One\n    checks:\n      - registry_digest: { image: \"127.0.0.1:5000/a/b:1.0\" }\n        capture: d\n";
    let lint = |path: &str| {
        let mut cmd = assert_cmd::Command::cargo_bin("learn-registry").unwrap();
        cmd.args(["lint", path]).env("NO_COLOR", "1");
        Run::of(cmd)
    };

    let typo = write(
        "typo.yaml",
        &format!(
            "{head}    solution:\n      - docker push 127.0.0.1:5000/a/b:1.0\n      - {{ run: \"docker pull x\", expect: fial }}\n"
        ),
    );
    let run = lint(&typo);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let said = format!("{}{}", run.stdout, run.stderr);
    for words in [
        "unknown value `fial`",
        &format!("{typo}:11:41"),
        "did you mean `fail`?",
    ] {
        assert!(said.contains(words), "`{words}` not in:\n{said}");
    }

    let early = write(
        "early.yaml",
        &format!(
            "{head}    solution:\n      - {{ run: \"! docker pull x@{{{{ d }}}}\" }}\n\
             \x20 - id: two\n    title: Two\n    checks:\n      - image_exists: {{ image: x }}\n\
             \x20   solution:\n      - {{ run: \"docker pull x@{{{{ d }}}}\", expect: fail }}\n\
             \x20     - docker pull x@{{{{ d }}}}\n"
        ),
    );
    let run = lint(&early);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 2, "{said}");
    for words in [
        "`d` has no value here yet",
        &format!("{early}:10:33"),
        "`run` starts with `!`",
        "write `expect: fail` beside `run`",
        "2 errors and 0 warnings",
    ] {
        assert!(said.contains(words), "`{words}` not in:\n{said}");
    }
}

fn built_by_setup_on(m: &Machine) {
    let lab = lab();
    let username = unique("bs");
    let dir = fixtures().display().to_string();
    let var = format!("username={username}");
    let built = format!("tl{username}:1.0");
    let tagged = format!("{}/{username}/built:1.0", lab.open);
    let run = test_lesson(
        m,
        &[
            "built-by-setup",
            "--lessons-dir",
            &dir,
            "--registry",
            &lab.open,
            "--var",
            &var,
            "--yes",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json["setup"][0]["status"], "pass", "{}", run.stdout);
    assert!(
        run.json["setup"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("built "),
        "{}",
        run.stdout
    );
    let removed: Vec<&str> = run.json["cleanup"]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(removed, [tagged.as_str(), built.as_str()], "{}", run.stdout);
    assert!(!exists(m, &built) && !exists(m, &tagged));

    // --keep leaves them, and the run's Docker config, for a look.
    let kept = test_lesson(
        m,
        &[
            "built-by-setup",
            "--lessons-dir",
            &dir,
            "--registry",
            &lab.open,
            "--var",
            &var,
            "--yes",
            "--keep",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(kept.code, 0, "{}{}", kept.stdout, kept.stderr);
    assert!(exists(m, &built) && exists(m, &tagged));
    let config = kept.json["cleanup"]["config_kept"].as_str().unwrap();
    assert!(PathBuf::from(config).join("config.json").exists());
    std::fs::remove_dir_all(config).unwrap();
    m.forget_later(&built);
    m.forget_later(&tagged);
}

#[test]
fn a_setup_build_is_tested_and_removed_on_docker() {
    built_by_setup_on(&Machine::docker());
}

#[test]
fn a_setup_build_is_tested_and_removed_on_podman() {
    built_by_setup_on(&Machine::podman());
}

// ---------------------------------------------------------------------------- refusals

#[test]
fn refusals_are_usage_errors_before_anything_runs() {
    let lab = lab();
    let me = Machine::docker();
    let dir = fixtures().display().to_string();
    let user = format!("username={}", unique("rf"));

    // Docker Hub is the default registry; pushing there needs saying so.
    for args in [
        vec!["push-an-image", "--var", &user],
        vec![
            "push-an-image",
            "--registry",
            "index.docker.io",
            "--var",
            &user,
        ],
    ] {
        let run = test_lesson(&me, &args, Some("pw"));
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("docker.io") && run.stderr.contains("--allow-docker-hub"),
            "{}",
            run.stderr
        );
    }
    let cases: [(Vec<&str>, Option<&str>, &str); 5] = [
        (
            vec!["push-an-image", "--registry", &lab.open, "--var", &user],
            None,
            "LEARN_REGISTRY_TEST_PASSWORD",
        ),
        (
            vec!["tag-an-image", "--registry", &lab.open],
            None,
            "--var username=VALUE",
        ),
        (
            vec![
                "tag-an-image",
                "--registry",
                &lab.open,
                "--var",
                "username=No!",
            ],
            None,
            "is not a valid `username`",
        ),
        (
            vec![
                "shell-syntax",
                "--lessons-dir",
                &dir,
                "--registry",
                &lab.open,
                "--yes",
            ],
            None,
            "without a shell",
        ),
        (
            vec!["tag-an-imag", "--registry", &lab.open],
            None,
            "did you mean `tag-an-image`?",
        ),
    ];
    for (args, password, words) in cases {
        let run = test_lesson(&me, &args, password);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{args:?}: {}", run.stderr);
    }
}

// ---------------------------------------------------------------------------- setup and the probe

fn files(text: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            "Dockerfile".to_string(),
            "FROM scratch\nCOPY hello.txt /\n".to_string(),
        ),
        ("hello.txt".to_string(), text.to_string()),
    ])
}

async fn build_and_remove_on(host: &str) {
    let docker = DockerProbe::connect_to(host).await.unwrap();
    let tag = format!("{}:1.0", unique("build"));
    let id = docker
        .build_image(&tag, &files(&format!("{tag}\n")))
        .await
        .unwrap();
    assert!(id.starts_with("sha256:"), "{id}");
    let info = docker
        .inspect_image(&tag)
        .await
        .unwrap()
        .expect("the built image");
    assert_eq!(info.id, id);

    // A second name for the same image: removing one name leaves the other, and the image.
    let second = format!("{}:2.0", unique("build"));
    let out = std::process::Command::new("docker")
        .env("DOCKER_HOST", host)
        .args(["tag", &tag, &second])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(docker.remove_image(&tag).await.unwrap());
    assert!(docker.inspect_image(&tag).await.unwrap().is_none());
    let left = docker.inspect_image(&second).await.unwrap().expect("kept");
    assert_eq!(left.id, id);
    assert!(!docker.remove_image(&tag).await.unwrap(), "already gone");
    assert!(docker.remove_image(&second).await.unwrap());
    assert!(docker.inspect_image(&second).await.unwrap().is_none());

    // A Dockerfile that cannot build is a failure that says why, not "could not verify".
    let mut bad = files("x");
    bad.insert(
        "Dockerfile".into(),
        "FROM scratch\nCOPY missing.txt /\n".into(),
    );
    let e = docker.build_image(&tag, &bad).await.unwrap_err();
    assert!(!e.is_unverifiable(), "{e}");
    let text = e.to_string();
    assert!(
        text.contains(&format!("the build of `{tag}` failed")) && text.contains("missing.txt"),
        "{text}"
    );
}

#[tokio::test]
async fn build_and_remove_on_docker() {
    build_and_remove_on(&lab().docker_host).await;
}

#[tokio::test]
async fn build_and_remove_on_podman() {
    let host = lab().podman_host.clone().expect("the lab has Podman");
    build_and_remove_on(&host).await;
}

fn lesson(yaml: &str) -> learn_registry::lesson::Lesson {
    let file = learn_registry::lesson::load::decode("setup.yaml", yaml.as_bytes()).unwrap();
    learn_registry::lesson::load::parse(&file).unwrap()
}

/// A `docker` wrapper pinned to `host`. Setup commands inherit this process's environment, which the
/// tests share, so the engine goes into the program instead of DOCKER_HOST.
fn docker_pinned_to(host: &str, dir: &std::path::Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let out = std::process::Command::new("sh")
        .args(["-c", "command -v docker"])
        .output()
        .unwrap();
    let docker = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let script = dir.join("docker");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nDOCKER_HOST='{host}' exec '{docker}' \"$@\"\n"),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script.display().to_string()
}

async fn setup_actions_on(host: &str) {
    let docker = DockerProbe::connect_to(host).await.unwrap();
    let shim = tempfile::tempdir().unwrap();
    let program = docker_pinned_to(host, shim.path());
    let name = unique("su");
    let (tag, copy) = (format!("{name}:1.0"), format!("{name}:copy"));
    let yaml = |from: &str| {
        format!(
            r#"id: setup-actions
title: Setup actions
variables:
  name: {{ default: "{name}" }}
setup:
  - build_image:
      tag: "{{{{ name }}}}:1.0"
      files: {{ Dockerfile: "FROM scratch\nCOPY a.txt /\n", a.txt: "a\n" }}
  - command:
      run: ["{program}", tag, "{from}", "{{{{ name }}}}:copy"]
steps:
  - id: s
    title: S
    checks: [{{ image_exists: {{ image: "{{{{ name }}}}:1.0" }} }}]
"#
        )
    };
    let ctx = || {
        Context::new(
            BTreeMap::from([("name".to_string(), name.clone())]),
            Settings::default(),
        )
        .with_docker(docker.clone())
    };
    let good = lesson(&yaml("{{ name }}:1.0"));
    let first = setup::run(&good, &ctx(), true).await.unwrap();
    assert!(
        matches!(&first[0], SetupDone::Built { tag: t, id } if *t == tag && id.starts_with("sha256:")),
        "{first:?}"
    );
    assert!(matches!(&first[1], SetupDone::Ran { .. }), "{first:?}");
    let built = docker.inspect_image(&tag).await.unwrap().unwrap();
    let copied = docker.inspect_image(&copy).await.unwrap().unwrap();
    assert_eq!(built.id, copied.id);

    // `if_missing` (the default): a second run builds nothing; untrusted, the command does not run.
    let second = setup::run(&good, &ctx(), false).await.unwrap();
    assert_eq!(second[0], SetupDone::AlreadyThere { tag: tag.clone() });
    assert!(
        matches!(&second[1], SetupDone::NotAllowed { command } if command.contains(&copy)),
        "{second:?}"
    );

    // A command that fails stops the setup, with its stderr's last line.
    let failing = lesson(&yaml("no-such-image-anywhere:1.0"));
    let err = setup::run(&failing, &ctx(), true).await.unwrap_err();
    assert!(!err.unverifiable, "{err}");
    assert!(
        err.reason.contains("exited with 1") && err.reason.contains("no-such-image-anywhere"),
        "{err}"
    );

    assert!(docker.remove_image(&copy).await.unwrap());
    assert!(docker.remove_image(&tag).await.unwrap());
    assert!(docker.inspect_image(&tag).await.unwrap().is_none());
}

#[tokio::test]
async fn setup_builds_once_runs_commands_when_allowed_and_reports_failures_on_docker() {
    setup_actions_on(&lab().docker_host).await;
}

#[tokio::test]
async fn setup_builds_once_runs_commands_when_allowed_and_reports_failures_on_podman() {
    let host = lab().podman_host.clone().expect("the lab has Podman");
    setup_actions_on(&host).await;
}

#[test]
fn a_stopped_engine_is_could_not_verify_not_a_failure() {
    let dead = Machine::on("unix:///nonexistent/docker.sock");
    let user = format!("username={}", unique("de"));
    let run = test_lesson(
        &dead,
        &[
            "tag-an-image",
            "--registry",
            &lab().open,
            "--var",
            &user,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json["setup"][0]["status"], "unknown", "{}", run.stdout);
    assert_eq!(run.json["summary"]["fail"], 0);
}

/// The two example lessons for instructors (`examples/`), written in the lesson language only (no
/// `sh -c`): proven solvable against the lab, fail first and pass after, refused pull and logout
/// included.
#[test]
fn the_example_lessons_for_instructors_are_solvable() {
    let lab = lab();
    let me = Machine::docker();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .display()
        .to_string();
    for file in ["tags-versus-digests.yaml", "private-registry.yaml"] {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
        assert!(
            !text.contains("sh, -c") && !text.contains("sh -c"),
            "{file} uses a shell"
        );
    }
    let var = format!("username={}", unique("td"));
    let run = test_folder_lesson(&me, "tags-versus-digests", &dir, &lab.open, &var, "2", None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let steps = phases(&run);
    assert_eq!(steps["push-first"], all_pass());
    assert_eq!(steps["move-the-tag"], all_pass());
    assert_eq!(steps["digest-still-served"][0], "pass", "{}", run.stdout);
    // Its solution pulls by the digest step 1 captured.
    assert_eq!(steps["pull-by-digest"], all_pass());

    let run = test_folder_lesson(
        &me,
        "private-registry",
        &dir,
        &lab.htpasswd,
        "username=alice",
        "2",
        Some("alicepass"),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let steps = phases(&run);
    for id in ["log-in", "push", "log-out"] {
        assert_eq!(steps[id], all_pass(), "{id}: {}", run.stdout);
    }
    assert!(
        !run.stdout.contains("alicepass") && !run.stderr.contains("alicepass"),
        "the password was printed"
    );
}

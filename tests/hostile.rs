//! Hostile input (issue 11): lessons, registry answers, roster names, progress files and credential
//! helpers full of terminal control sequences (OSC 52 writing the clipboard, `\e[2J` clearing the
//! screen, `\e[8m` hiding text, C1 CSI, a bidi override, BEL), driving `lint`, `list`, `check`,
//! `status`, `grade` and `start`. With `NO_COLOR=1` not one ESC or BEL byte may reach the output; with
//! colors forced on, the only escape sequences may be our own SGR ones. Also: a world-writable state
//! folder is refused, and a folder lesson's `build_image` asks first, shows its Dockerfile and builds
//! with no network. The lab is needed only by the `start` tests (pty, a real engine).
#![cfg(unix)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use expectrl::{Eof, Expect, Regex};
use serde_json::json;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Every kind of sequence at once, as a registry, a roster or a helper would send it.
const PAYLOAD: &str = "x\u{1b}]52;c;aGk=\u{7} \u{1b}[2J \u{1b}[8mhidden \u{9b}31m \u{202e}fed\u{7}";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile")
}

/// What one run printed, both streams together, and its exit code.
struct Out {
    code: i32,
    bytes: Vec<u8>,
}

impl Out {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// Not one ESC or BEL byte, nor a C1 control or bidi override as UTF-8.
    fn assert_clean(&self, what: &str) {
        let text = self.text();
        assert!(
            !self.bytes.contains(&0x1b) && !self.bytes.contains(&0x07),
            "{what}: an ESC or BEL reached the output:\n{text:?}"
        );
        assert!(
            !text.contains('\u{9b}') && !text.contains('\u{202e}'),
            "{what}: a C1 control or bidi override reached the output:\n{text:?}"
        );
    }

    /// Every ESC starts an SGR sequence (`\e[` digits and `;` `m`), and no BEL at all.
    fn assert_only_sgr(&self, what: &str) {
        let text = self.text();
        assert!(!self.bytes.contains(&0x07), "{what}: a BEL: {text:?}");
        for (i, _) in text.match_indices('\u{1b}') {
            let rest = &text[i + 1..];
            let params = rest
                .strip_prefix('[')
                .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit() || c == ';'));
            assert!(
                params.is_some_and(|r| r.starts_with('m')),
                "{what}: an escape sequence that is not SGR at byte {i}: {:?}",
                &text[i..(i + 16).min(text.len())]
            );
        }
    }
}

/// `learn-registry ARGS` with a private state folder and no lessons or colors from the environment;
/// `color` forces colors on (`CLICOLOR_FORCE`).
fn learn(home: &Path, args: &[&str], color: bool) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_learn-registry"));
    cmd.args(args)
        .env("LEARN_REGISTRY_HOME", home)
        .env_remove("LEARN_REGISTRY_LESSONS")
        .env_remove("LEARN_REGISTRY_REGISTRY")
        .env_remove("LEARN_REGISTRY_HUB_API")
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    if color {
        cmd.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
    } else {
        cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    }
    let output = cmd.output().expect("the binary runs");
    let mut bytes = output.stdout;
    bytes.extend(output.stderr);
    Out {
        code: output.status.code().expect("exited"),
        bytes,
    }
}

fn both(home: &Path, args: &[&str], what: &str) -> Out {
    let plain = learn(home, args, false);
    plain.assert_clean(what);
    learn(home, args, true).assert_only_sgr(what);
    plain
}

#[test]
fn a_hostile_lesson_is_refused_and_its_text_never_reaches_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let dir = fixtures().join("lessons");
    let dir = dir.to_str().unwrap();

    let lint = both(home.path(), &["lint", dir], "lint");
    assert_eq!(lint.code, 2);
    let text = lint.text();
    assert!(
        text.contains("control character `\\e` (U+001B) in `title`"),
        "{text}"
    );
    for field in [
        "summary",
        "variables.thing.prompt",
        "variables.thing.default",
        "build_image.tag",
        "build_image.files.Dockerfile",
        "body` of step `first",
        "quiz.why` of step `second",
        "link` of step `first",
    ] {
        assert!(text.contains(&format!("in `{field}`")), "{field}: {text}");
    }

    let list = both(home.path(), &["list", "--lessons-dir", dir], "list");
    assert_eq!(list.code, 2, "{}", list.text());
    assert!(list.text().contains("skipped lesson `hostile-lesson`"));
    assert!(!list.text().contains("hidden"), "{}", list.text());

    let check = both(
        home.path(),
        &["check", "hostile-lesson", "--lessons-dir", dir],
        "check",
    );
    assert_eq!(
        check.code,
        2,
        "a lesson with lint errors is refused: {}",
        check.text()
    );
    assert!(check.text().contains("has lint errors and is not used"));
    let all = learn(home.path(), &["check", "--lessons-dir", dir], false);
    assert_eq!(all.code, 2, "nor is it half-used by `check` of the course");
}

#[test]
fn raw_control_bytes_in_a_lesson_file_are_escaped_in_lint_output() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Raw bytes, not YAML escapes: the snippet lint shows quotes the line itself.
    let text = format!(
        "id: raw-bytes\ntitle: \"{PAYLOAD}\"\nsteps:\n  - id: s\n    title: S\n    human_only: true\n"
    );
    std::fs::write(dir.path().join("raw.yaml"), text).unwrap();
    let out = both(home.path(), &["lint", dir.path().to_str().unwrap()], "lint");
    assert_eq!(out.code, 2, "{}", out.text());
}

/// A registry whose every answer is hostile: `tags/list` tags, error bodies and headers.
fn hostile_registry(rt: &tokio::runtime::Runtime) -> MockServer {
    rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path_regex(r"/tags/list$"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("Content-Type", "application/json")
                    .set_body_json(json!({"name": "alice/app", "tags": [PAYLOAD, "1.0"]})),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path_regex(r"^/v2/?$"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&server)
            .await;
        Mock::given(wiremock::matchers::any())
            .respond_with(
                ResponseTemplate::new(404)
                    .insert_header("Content-Type", "application/json")
                    .insert_header("X-Hostile", "\u{9b}31m \u{202e}fed")
                    .set_body_json(
                        json!({"errors": [{"code": "MANIFEST_UNKNOWN", "message": PAYLOAD}]}),
                    ),
            )
            .mount(&server)
            .await;
        server
    })
}

#[test]
fn a_hostile_registry_answer_is_quoted_escaped_by_check_and_grade() {
    let rt = support::runtime();
    let server = hostile_registry(&rt);
    let registry = server.address().to_string();
    let home = tempfile::tempdir().unwrap();
    let dir = fixtures().join("registry");
    let dir = dir.to_str().unwrap();

    let check = both(
        home.path(),
        &[
            "check",
            "hostile-tags",
            "--lessons-dir",
            dir,
            "--registry",
            &registry,
        ],
        "check",
    );
    let text = check.text();
    assert_eq!(check.code, 1, "the tag is missing: {text}");
    assert!(
        text.contains("\\e]52;c;aGk=\\a"),
        "the tags are shown, escaped: {text}"
    );

    let roster_dir = tempfile::tempdir().unwrap();
    let roster = roster_dir.path().join("roster.csv");
    let name = PAYLOAD.replace('"', "\"\"");
    std::fs::write(
        &roster,
        format!("student,username\n\"{name}\",alice\n\"Bob {name}\",bobby\n"),
    )
    .unwrap();
    let grade = both(
        home.path(),
        &[
            "grade",
            "--roster",
            roster.to_str().unwrap(),
            "--lesson",
            "hostile-tags",
            "--lessons-dir",
            dir,
            "--registry",
            &registry,
            "--format",
            "table",
        ],
        "grade",
    );
    assert!(
        grade.text().contains("x\\e]52;c;aGk=\\a"),
        "names are shown, escaped: {}",
        grade.text()
    );
    // Machine formats keep the data: JSON escapes it, JUnit writes what XML cannot hold visibly.
    let args = |format: &'static str| {
        vec![
            "grade".to_string(),
            "--roster".into(),
            roster.display().to_string(),
            "--lesson".into(),
            "hostile-tags".into(),
            "--lessons-dir".into(),
            dir.to_string(),
            "--registry".into(),
            registry.clone(),
            "--format".into(),
            format.into(),
        ]
    };
    let json_args = args("json");
    let json = learn(
        home.path(),
        &json_args.iter().map(String::as_str).collect::<Vec<_>>(),
        false,
    );
    let start = json.text().find('[').expect("a JSON list");
    let end = json.text().rfind(']').expect("a JSON list") + 1;
    let value: serde_json::Value = serde_json::from_str(&json.text()[start..end]).unwrap();
    assert_eq!(value[0]["student"], PAYLOAD, "JSON keeps the name as it is");
    let junit_args = args("junit");
    let junit = learn(
        home.path(),
        &junit_args.iter().map(String::as_str).collect::<Vec<_>>(),
        false,
    );
    assert!(
        !junit.bytes.contains(&0x1b) && !junit.bytes.contains(&0x07),
        "JUnit XML cannot hold ESC or BEL: {}",
        junit.text()
    );
    assert!(
        junit.text().contains("x\\e]52;c;aGk=\\a"),
        "{}",
        junit.text()
    );
}

#[test]
fn a_hostile_progress_file_is_shown_escaped_by_status() {
    let home = tempfile::tempdir().unwrap();
    let progress = json!({
        "format_version": 1,
        "vars": {"username": PAYLOAD, PAYLOAD: "v"},
        "lessons": {PAYLOAD: {
            "started_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "current_step": PAYLOAD,
            "vars": {"classmate": PAYLOAD},
            "captures": {"old_digest": PAYLOAD, PAYLOAD: "x"}
        }}
    });
    std::fs::write(
        home.path().join("progress.json"),
        serde_json::to_vec(&progress).unwrap(),
    )
    .unwrap();
    let status = both(home.path(), &["status"], "status");
    assert!(
        status.text().contains("\\e[2J"),
        "the values are shown, escaped: {}",
        status.text()
    );
}

#[test]
fn a_state_folder_others_can_write_is_refused() {
    let home = tempfile::tempdir().unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = learn(home.path(), &["status"], false);
    assert_eq!(out.code, 2, "{}", out.text());
    assert!(
        out.text().contains("can be written by other users"),
        "{}",
        out.text()
    );

    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let store = home.path().join("trusted-lessons.json");
    std::fs::write(&store, "{}").unwrap();
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = learn(home.path(), &["status"], false);
    assert_eq!(out.code, 2, "a pre-writable trust store: {}", out.text());

    // A folder that does not exist yet is made for the learner alone.
    let fresh = home.path().join("new/state");
    std::fs::remove_file(&store).unwrap();
    let out = learn(&fresh, &["status"], false);
    assert_eq!(out.code, 0, "{}", out.text());
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "mode {mode:o}");
}

/// `start` in a pseudo-terminal against the lab's engine.
fn start(m: &support::Machine, args: &[&str]) -> expectrl::session::OsSession {
    let mut cmd = m.command(env!("CARGO_BIN_EXE_learn-registry"));
    cmd.arg("start").args(args).env("TERM", "xterm");
    let mut session = expectrl::Session::spawn(cmd).expect("spawn in a pty");
    let _ = session.get_process_mut().set_window_size(200, 50);
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    session
}

#[test]
fn start_refuses_a_hostile_lesson_without_sending_its_sequences() {
    let _ = support::lab();
    let m = support::Machine::docker();
    let dir = fixtures().join("lessons");
    let mut s = start(
        &m,
        &["hostile-lesson", "--lessons-dir", dir.to_str().unwrap()],
    );
    let found = s.expect(Eof).expect("the runner ends");
    let mut bytes = found.before().to_vec();
    if let Some(m) = found.get(0) {
        bytes.extend_from_slice(m);
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    assert!(text.contains("has lint errors and is not used"), "{text}");
    for raw in [
        "\u{1b}]52",
        "\u{1b}[2J",
        "\u{1b}[8m",
        "\u{9b}",
        "\u{202e}",
        "\u{7}",
    ] {
        assert!(
            !text.contains(raw),
            "{raw:?} reached the terminal: {text:?}"
        );
    }
}

#[test]
fn a_folder_lesson_build_asks_first_shows_its_dockerfile_and_has_no_network() {
    let lab = support::lab();
    let m = support::Machine::docker();
    let marker = support::unique("nonet");
    let tag = format!("{marker}:latest");
    m.forget_later(&tag);
    // A listener outside the build, on the host's loopback; with any network the RUN line would
    // reach it (or, on a bridge, at least have an interface besides `lo`).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lesson = format!(
        r#"id: {marker}
title: Build offline
setup:
  - build_image:
      tag: "{tag}"
      files:
        Dockerfile: |
          FROM {image}
          RUN ["/busybox", "sh", "-c", "/busybox wget -T 2 -O /dev/null http://127.0.0.1:{port}/ ; /busybox cat /proc/net/dev > /net.txt; /busybox sleep 3 # {marker}"]
steps:
  - id: built
    title: Built
    checks:
      - image_exists: {{ image: "{tag}" }}
"#,
        image = lab.image,
    );
    std::fs::write(dir.path().join("build.yaml"), lesson).unwrap();
    let mut s = start(
        &m,
        &[&marker, "--lessons-dir", dir.path().to_str().unwrap()],
    );
    s.expect(Regex("wants to do this on your machine"))
        .expect("asks first");
    s.expect(Regex(&format!(
        "build the image `{marker}:latest` \\(no network\\)"
    )))
    .expect("names the build");
    s.expect(Regex("RUN \\[\"/busybox\""))
        .expect("shows the Dockerfile");
    s.expect(Regex("Allow this lesson")).expect("asks");
    s.send("y").unwrap();
    s.expect(Regex("Go ahead")).expect("the setup question");
    s.send("y").unwrap();
    // While the RUN line sleeps, its container shows the network mode the engine gave it.
    let mut mode = None;
    for _ in 0..60 {
        let ids = m.d(&["ps", "-q", "--no-trunc"]);
        for id in ids.lines() {
            let inspect = m.d(&[
                "inspect",
                "--format",
                "{{json .Config.Cmd}} {{.HostConfig.NetworkMode}}",
                id,
            ]);
            if inspect.contains(&marker) {
                mode = inspect.split_whitespace().last().map(str::to_string);
            }
        }
        if mode.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    s.expect(Regex(&format!("built `{marker}:latest`")))
        .expect("the build ends");
    assert_eq!(mode.as_deref(), Some("none"), "the build's network mode");
    assert!(
        listener.accept().is_err(),
        "the RUN line reached a listener outside the build"
    );
    let net = m.d(&["run", "--rm", &tag, "/busybox", "cat", "/net.txt"]);
    let interfaces: Vec<&str> = net
        .lines()
        .skip(2)
        .filter_map(|l| l.split(':').next().map(str::trim))
        .collect();
    assert_eq!(interfaces, ["lo"], "{net}");
    s.send("q").unwrap();
    let _ = s.expect(Eof);
}

#[test]
fn a_credential_helper_that_prints_control_sequences_is_quoted_escaped() {
    let m = support::Machine::docker();
    let payload = PAYLOAD.replace('\'', "");
    m.install_helper(
        "hostile",
        &format!("#!/bin/sh\nprintf '%s' '{payload}'\nprintf '%s' '{payload}' >&2\nexit 1\n"),
    );
    m.write_config(&json!({"credsStore": "hostile"}));
    let dir = fixtures().join("registry");
    for color in [false, true] {
        let mut cmd = m.learn_command(&[
            "check",
            "hostile-login",
            "--lessons-dir",
            dir.to_str().unwrap(),
            "--format",
            "human",
        ]);
        if color {
            cmd.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
        }
        let output = cmd.output().unwrap();
        let mut bytes = output.stdout;
        bytes.extend(output.stderr);
        let out = Out {
            code: output.status.code().unwrap(),
            bytes,
        };
        if color {
            out.assert_only_sgr("check with a hostile helper");
        } else {
            out.assert_clean("check with a hostile helper");
            assert_ne!(out.code, 0, "{}", out.text());
        }
    }
}

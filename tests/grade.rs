//! `learn-registry grade` against the real lab (`scripts/lab.sh up`): a class whose students did the
//! right thing, the wrong tag, a private repository (token registry), nothing at all, a username with
//! `<script>` in it, and a registry that is down (a roster `registry` on a port nothing listens on) or
//! rate limiting (a fake registry answering 429). Every cell is asserted in every format (table, CSV,
//! JSON, JUnit, HTML), the HTML also as Chromium renders it (`--dump-dom`, `--screenshot`), and the
//! shipped course is graded with Docker Hub's REST API faked. A registry that stops in the middle of a
//! run (a proxy in front of the lab's, cut after a counted number of requests) leaves the students
//! graded after it `?`, never failed.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{FakeHub, HubAnswer, Machine, Private, RegistryProxy, Run, lab, unique, unused_port};

const STEPS: [&str; 5] = ["push", "push-2", "public", "private", "classmate"];
const LESSON: &str = "publish-an-image";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grade-lessons")
}

/// `learn-registry grade --roster ROSTER --lesson publish-an-image ... EXTRA`.
fn grade(m: &Machine, roster: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "grade".to_string(),
        "--roster".into(),
        roster.display().to_string(),
        "--registry".into(),
        lab().open.clone(),
        "--lessons-dir".into(),
        fixtures().display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    m.learn(&args)
}

/// The expected class: roster line → (student, username, cells by step; `None` = not graded).
struct Class {
    roster: PathBuf,
    _dir: tempfile::TempDir,
    students: Vec<(u64, String, String, Option<[&'static str; 5]>)>,
    _private: Private,
    _machines: Vec<Machine>,
}

const SCRIPT_NAME: &str =
    "<script>document.documentElement.setAttribute('data-pwned','1')</script>";
const SCRIPT_USER: &str = "Bad<script>x</script>";

fn class() -> Class {
    let lab = lab();
    let project = unique("proj");
    let (right, wrong, nothing, down) = (
        unique("right"),
        unique("wrong"),
        unique("none"),
        unique("down"),
    );
    let m = Machine::docker();
    // Right: 1.0 and 2.0 pushed, public.
    for tag in ["1.0", "2.0"] {
        let name = format!("{}/{right}/{project}:{tag}", lab.open);
        m.tag(&lab.image, &name);
        m.push(&name);
    }
    // Wrong tag: 9.9 instead of 1.0.
    let name = format!("{}/{wrong}/{project}:9.9", lab.open);
    m.tag(&lab.image, &name);
    m.push(&name);
    // Private, on the token registry, pushed by its owner.
    let owner = Machine::docker();
    owner.login(&lab.token, "alice", "alicepass");
    let name = format!("{}/alice/{project}:1.0", lab.token);
    owner.tag(&lab.image, &name);
    owner.push(&name);
    let private = Private::make(&[&format!("alice/{project}")]);

    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("roster.csv");
    let dead = format!("127.0.0.1:{}", unused_port());
    let text = format!(
        "student,username,classmate,project,registry\n\
         Alice Right,{right},{wrong},{project},\n\
         Wendy Wrong,{wrong},{right},{project},\n\
         Pat Private,alice,{right},{project},{token}\n\
         =1+1 Nobody,{nothing},{right},{project},\n\
         \"{script}\",{user},{right},{project},\n\
         Dee Down,{down},{right},{project},{dead}\n",
        token = lab.token,
        script = SCRIPT_NAME.replace('"', "\"\""),
        user = SCRIPT_USER,
    );
    std::fs::write(&roster, text).unwrap();
    let students = vec![
        (
            2,
            "Alice Right".to_string(),
            right.clone(),
            Some(["pass", "pass", "pass", "fail", "fail"]),
        ),
        (
            3,
            "Wendy Wrong".into(),
            wrong.clone(),
            Some(["fail", "fail", "pass", "fail", "pass"]),
        ),
        (
            4,
            "Pat Private".into(),
            "alice".into(),
            // The token registry refuses strangers alike for a private repository and a missing one:
            // without `--login` its tags and its privacy cannot be told (`?`), only that it is not
            // public. `grade_login_tells_private_missing_and_public_apart` grades it with a login.
            Some(["unknown", "unknown", "fail", "unknown", "unknown"]),
        ),
        (
            5,
            "=1+1 Nobody".into(),
            nothing.clone(),
            Some(["fail", "fail", "fail", "fail", "pass"]),
        ),
        (6, SCRIPT_NAME.into(), SCRIPT_USER.into(), None),
        (7, "Dee Down".into(), down.clone(), Some(["unknown"; 5])),
    ];
    Class {
        roster,
        _dir: dir,
        students,
        _private: private,
        _machines: vec![m, owner],
    }
}

fn assert_roster_problem(text: &str) {
    assert!(
        text.contains("roster.csv:6: `Bad<script>x</script>` is not a valid `username`: it must match `^[a-z0-9]{4,30}$`"),
        "the bad username is reported at its line: {text}"
    );
}

#[test]
fn grades_a_class_in_every_format() {
    let class = class();
    let m = Machine::docker();
    let expected: BTreeMap<(u64, &str), &str> = class
        .students
        .iter()
        .filter_map(|(line, _, _, cells)| cells.map(|c| (line, c)))
        .flat_map(|(line, cells)| STEPS.iter().zip(cells).map(move |(s, c)| ((*line, *s), c)))
        .collect();

    // JSON: a lesson object per student, with `student`, `username` and `line`.
    let run = grade(&m, &class.roster, &["--lesson", LESSON, "--format", "json"]);
    assert_eq!(
        run.code, 2,
        "a roster line could not be graded: {}",
        run.stderr
    );
    assert_roster_problem(&run.stderr);
    let list = run
        .json
        .as_array()
        .unwrap_or_else(|| panic!("JSON list: {}", run.stdout));
    assert_eq!(list.len(), class.students.len());
    let mut seen = BTreeMap::new();
    for (obj, (line, student, username, cells)) in list.iter().zip(&class.students) {
        assert_eq!(obj["lesson"], LESSON);
        assert_eq!(obj["line"], *line);
        assert_eq!(obj["student"], student.as_str());
        assert_eq!(obj["username"], username.as_str());
        match cells {
            None => {
                assert_eq!(obj["steps"], Value::Array(vec![]));
                assert_roster_problem(obj["error"].as_str().unwrap());
            }
            Some(_) => {
                let steps = obj["steps"].as_array().unwrap();
                let ids: Vec<&str> = steps.iter().map(|s| s["id"].as_str().unwrap()).collect();
                assert_eq!(ids, STEPS, "`tag` (local checks only) is not graded");
                for s in steps {
                    seen.insert(
                        (*line, s["id"].as_str().unwrap()),
                        s["status"].as_str().unwrap(),
                    );
                    let kinds: Vec<&str> = s["checks"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| c["kind"].as_str().unwrap())
                        .collect();
                    assert!(
                        !kinds.contains(&"image_pushed"),
                        "only remote checks: {kinds:?}"
                    );
                }
            }
        }
    }
    assert_eq!(seen, expected, "JSON cells");
    // What the cells say: the wrong tag lists the tag there is, the private one is refused, the
    // registry that is down could not be verified (never a failure).
    let step = |line: u64, id: &str| -> &Value {
        list.iter().find(|o| o["line"] == line).unwrap()["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
    };
    let wrong_push = &step(3, "push")["checks"][0];
    assert!(
        wrong_push["actual"].as_str().unwrap().contains("9.9"),
        "{wrong_push}"
    );
    assert!(
        step(4, "push")["checks"][0]["message"]
            .as_str()
            .unwrap()
            .contains("private, or not pushed")
    );
    assert!(
        step(4, "private")["checks"][0]["message"]
            .as_str()
            .unwrap()
            .contains("anonymous pull of")
    );
    let down = &step(7, "push")["checks"][0];
    assert!(
        down["message"]
            .as_str()
            .unwrap()
            .contains("connection refused"),
        "{down}"
    );
    assert_eq!(list[5]["summary"]["fail"], 0);
    assert_eq!(list[5]["summary"]["unknown"], 5);

    // CSV: one row per student × step, and one for the line not graded.
    let run = grade(&m, &class.roster, &["--lesson", LESSON, "--format", "csv"]);
    assert_eq!(run.code, 2);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "line", "student", "username", "lesson", "step", "status", "expected", "actual",
            "message"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 5 * 5 + 1);
    let mut seen = BTreeMap::new();
    for row in &rows {
        let line: u64 = row[0].parse().unwrap();
        let (_, student, username, _) = class.students.iter().find(|s| s.0 == line).unwrap();
        let shown = if student.starts_with('=') {
            format!("'{student}")
        } else {
            student.clone()
        };
        assert_eq!(
            &row[1], shown,
            "names a spreadsheet would evaluate are defused"
        );
        assert_eq!(&row[2], username);
        if row[5] == *"not graded" {
            assert_eq!(line, 6);
            assert_roster_problem(&row[8]);
        } else {
            assert_eq!(&row[3], LESSON);
            seen.insert(
                (
                    line,
                    STEPS.iter().find(|s| **s == &row[4]).copied().unwrap(),
                ),
                row[5].to_string(),
            );
            if &row[5] == "fail" {
                assert!(
                    !row[6].is_empty() && !row[7].is_empty(),
                    "a failure has expected and actual: {row:?}"
                );
            }
        }
    }
    let seen: BTreeMap<(u64, &str), &str> = seen.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(seen, expected, "CSV cells");

    // JUnit: a suite per student, a case per check; failed → failure, unknown → error.
    let run = grade(
        &m,
        &class.roster,
        &["--lesson", LESSON, "--format", "junit"],
    );
    assert_eq!(run.code, 2);
    assert!(!run.stdout.contains("<script>"), "escaped: {}", run.stdout);
    let suites = junit_cases(&run.stdout);
    assert_eq!(suites.len(), class.students.len());
    let mut seen = BTreeMap::new();
    for (line, student, username, cells) in &class.students {
        let cases = &suites[&format!("{student} ({username})")];
        match cells {
            None => assert_eq!(cases.get("roster").map(String::as_str), Some("error")),
            Some(_) => {
                assert_eq!(cases.len(), 5, "one case per remote check: {cases:?}");
                for step in STEPS {
                    let status = cases
                        .iter()
                        .find(|(k, _)| k.starts_with(&format!("{step}/")))
                        .unwrap()
                        .1;
                    let status = match status.as_str() {
                        "ok" => "pass",
                        "failure" => "fail",
                        "error" => "unknown",
                        other => panic!("{other}"),
                    };
                    seen.insert((*line, step), status);
                }
            }
        }
    }
    assert_eq!(seen, expected, "JUnit cells");

    // Table: a row per student, marks in step order.
    let run = grade(&m, &class.roster, &["--lesson", LESSON]);
    assert_eq!(run.code, 2);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "plain text when not a terminal"
    );
    let mut seen = BTreeMap::new();
    for (line, _, username, cells) in &class.students {
        let row = run
            .stdout
            .lines()
            .find(|l| l.contains(username.as_str()))
            .unwrap_or_else(|| panic!("no row for {username}: {}", run.stdout));
        let marks: Vec<&str> = row
            .split_whitespace()
            .filter(|w| ["✓", "✗", "?", "-"].contains(w))
            .collect();
        match cells {
            None => assert_eq!(marks, ["-"; 5], "{row}"),
            Some(_) => {
                assert_eq!(marks.len(), 5, "{row}");
                for (step, mark) in STEPS.iter().zip(marks) {
                    let status = match mark {
                        "✓" => "pass",
                        "✗" => "fail",
                        _ => "unknown",
                    };
                    seen.insert((*line, *step), status);
                }
            }
        }
    }
    assert_eq!(seen, expected, "table cells");
    assert!(
        run.stdout.contains("class "),
        "per-step totals: {}",
        run.stdout
    );
    let alice = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Alice Right"))
        .unwrap();
    assert!(alice.ends_with("3/5 (2 ✗)"), "per-student total: {alice}");
    let down = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Dee Down"))
        .unwrap();
    assert!(down.ends_with("0/5 (5 ?)"), "unknown is not failed: {down}");
    assert!(
        run.stdout.contains("publish-an-image/push "),
        "{}",
        run.stdout
    );
    assert_roster_problem(&run.stdout);

    // HTML, as a browser sees it.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("grades.html");
    let run = grade(
        &m,
        &class.roster,
        &[
            "--lesson",
            LESSON,
            "--format",
            "html",
            "--out",
            page.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("<script>document"),
        "the student's script is escaped"
    );
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "no external assets"
    );
    let dom = chromium(&page, &["--dump-dom"]);
    let html_tag = &dom[dom.find("<html").unwrap()..];
    let html_tag = &html_tag[..html_tag.find('>').unwrap()];
    assert!(
        html_tag.contains("data-ready=\"1\""),
        "our script ran (CSP allows it): {html_tag}"
    );
    assert!(
        !html_tag.contains("data-pwned"),
        "no injected script ran: {html_tag}"
    );
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "no script element but ours"
    );
    assert!(
        dom.contains(
            "&lt;script&gt;document.documentElement.setAttribute('data-pwned','1')&lt;/script&gt;"
        ),
        "the name shows as text"
    );
    assert!(dom.contains("Bad&lt;script&gt;x&lt;/script&gt;"));
    let mut seen = BTreeMap::new();
    let row_re = regex::Regex::new(r#"(?s)<tr data-line="(\d+)">(.*?)</tr>"#).unwrap();
    let cell_re = regex::Regex::new(r#"<td class="cell [a-z]+" (?:tabindex="0" )?data-status="([a-z]+)" data-step="publish-an-image/([a-z0-9-]+)"(?: data-who="[^"]*" title="([^"]*)")?"#).unwrap();
    for row in row_re.captures_iter(&dom) {
        let line: u64 = row[1].parse().unwrap();
        let cells: Vec<_> = cell_re.captures_iter(&row[2]).collect();
        if line == 6 {
            assert!(cells.is_empty());
            assert!(row[2].contains("not graded: "), "{}", &row[2]);
            assert_roster_problem(&html_escape::decode_html_entities(&row[2]));
            continue;
        }
        assert_eq!(cells.len(), 5, "{}", &row[2]);
        for c in cells {
            let step = STEPS.iter().find(|s| **s == &c[2]).copied().unwrap();
            seen.insert((line, step), c[1].to_string());
            if &c[1] == "fail" {
                let title = html_escape::decode_html_entities(&c[3]).into_owned();
                assert!(
                    title.contains("expected: ") && title.contains("actual: "),
                    "hover says expected and actual: {title}"
                );
            }
        }
    }
    let seen: BTreeMap<(u64, &str), &str> = seen.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(seen, expected, "HTML cells");
    // The class's completion per step: passes among the graded students (the down one counts, as `?`).
    let done: Vec<(String, String)> = regex::Regex::new(
        r#"data-step="publish-an-image/([a-z0-9-]+)" data-pass="(\d+)" data-graded="(\d+)""#,
    )
    .unwrap()
    .captures_iter(&dom)
    .map(|c| (c[1].to_string(), format!("{}/{}", &c[2], &c[3])))
    .collect();
    let want: Vec<(String, String)> = STEPS
        .iter()
        .map(|s| {
            let pass = expected
                .iter()
                .filter(|((_, step), st)| step == s && **st == "pass")
                .count();
            (s.to_string(), format!("{pass}/5"))
        })
        .collect();
    assert_eq!(done, want, "completion per step");
    let png = dir.path().join("grades.png");
    chromium(
        &page,
        &[
            "--window-size=1200,700",
            &format!("--screenshot={}", png.display()),
        ],
    );
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
        "a screenshot with something in it"
    );
    if let Ok(keep) = std::env::var("GRADE_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }
}

/// suite name → test case name → `ok` | `failure` | `error`.
fn junit_cases(xml: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let (mut suite, mut case) = (String::new(), String::new());
    let attr = |e: &quick_xml::events::BytesStart, name: &[u8]| -> String {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .map(|a| {
                html_escape::decode_html_entities(&String::from_utf8_lossy(&a.value)).into_owned()
            })
            .unwrap_or_default()
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"testsuite" => {
                    suite = attr(&e, b"name");
                    out.entry(suite.clone()).or_default();
                }
                b"testcase" => {
                    case = attr(&e, b"name");
                    out.get_mut(&suite)
                        .unwrap()
                        .insert(case.clone(), "ok".into());
                }
                kind @ (b"failure" | b"error") => {
                    let kind = String::from_utf8_lossy(kind).into_owned();
                    out.get_mut(&suite).unwrap().insert(case.clone(), kind);
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Run headless Chromium on a file; returns stdout (the DOM with `--dump-dom`).
fn chromium(page: &Path, args: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium is installed (scripts/lab.sh deps)");
    assert!(
        output.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `grade --login`: the instructor's own saved login (here alice's, on the token registry) tells a
/// private repository from a missing one; without it both are `?` ("private, or not pushed"). The
/// public one fails `private` either way. No password appears in what `grade` says.
#[test]
fn grade_login_tells_private_missing_and_public_apart() {
    let lab = lab();
    let project = unique("proj");
    let public = unique("pub");
    let pusher = Machine::docker();
    // alice: pushed 1.0 to the token registry and made it private.
    pusher.login(&lab.token, "alice", "alicepass");
    let name = format!("{}/alice/{project}:1.0", lab.token);
    pusher.tag(&lab.image, &name);
    pusher.push(&name);
    let _private = Private::make(&[&format!("alice/{project}")]);
    // PUBLIC: pushed 1.0 to the open registry, where anyone may pull. carol: pushed nothing.
    let name = format!("{}/{public}/{project}:1.0", lab.open);
    pusher.tag(&lab.image, &name);
    pusher.push(&name);
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        format!(
            "student,username,project,registry\nPrivate,alice,{project},{token}\n\
             Nothing,carol,{project},{token}\nPublic,{public},{project},\n",
            token = lab.token
        ),
    )
    .unwrap();
    let cells = |run: &Run, step: &str| -> Vec<(String, String)> {
        run.json
            .as_array()
            .unwrap_or_else(|| panic!("JSON list: {}{}", run.stdout, run.stderr))
            .iter()
            .map(|o| {
                let s = o["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|s| s["id"] == step)
                    .unwrap();
                (
                    s["status"].as_str().unwrap().to_string(),
                    s["checks"][0]["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };

    // The instructor's machine, first without a login at all.
    let instructor = Machine::docker();
    let args = ["--lesson", LESSON, "--format", "json"];
    let anonymous = grade(&instructor, &roster, &args);
    let private = cells(&anonymous, "private");
    for (who, (status, message)) in ["alice", "carol"].iter().zip(&private) {
        assert_eq!(status, "unknown", "{who}: {message}");
        assert!(
            message.contains("private, or not pushed") && message.contains("grade --login"),
            "{who}: {message}"
        );
    }
    assert_eq!(private[2].0, "fail", "public: {}", private[2].1);
    assert_eq!(cells(&anonymous, "push")[0].0, "unknown");

    // With `--login` but no saved login, the same, and it says which login is missing.
    let mut login_args = args.to_vec();
    login_args.push("--login");
    let without = cells(&grade(&instructor, &roster, &login_args), "private");
    for (status, message) in &without[..2] {
        assert_eq!(status, "unknown", "{message}");
        assert!(
            message.contains("private, or not pushed")
                && message.contains(&format!("docker login {}", lab.token)),
            "{message}"
        );
    }

    // Logged in (as alice) and `--login`: private, missing and public are three answers.
    instructor.login(&lab.token, "alice", "alicepass");
    let run = grade(&instructor, &roster, &login_args);
    let private = cells(&run, "private");
    assert_eq!(private[0].0, "pass", "private: {}", private[0].1);
    assert!(
        private[0].1.contains("your login sees tags 1.0"),
        "{}",
        private[0].1
    );
    assert_eq!(private[1].0, "fail", "nothing: {}", private[1].1);
    assert!(
        private[1].1.contains("refused even to your login"),
        "{}",
        private[1].1
    );
    assert_eq!(private[2].0, "fail", "public: {}", private[2].1);
    assert!(private[2].1.contains("anyone can pull"), "{}", private[2].1);
    let push = cells(&run, "push");
    assert_eq!(
        push.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
        ["pass", "fail", "pass"],
        "{push:?}"
    );
    // The same login without `--login` is not used: grading looks from outside unless asked.
    assert_eq!(
        cells(&grade(&instructor, &roster, &args), "private")[0].0,
        "unknown"
    );
    for out in [&run.stdout, &run.stderr, &anonymous.stdout] {
        assert!(!out.contains("alicepass"), "a password was printed");
    }
}

#[test]
fn exit_codes_follow_the_worst_cell() {
    let lab = lab();
    let m = Machine::docker();
    let (project, user) = (unique("proj"), unique("exit"));
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("class.csv");
    // Everything passes: one step, the tag is there.
    let name = format!("{}/{user}/{project}:1.0", lab.open);
    m.tag(&lab.image, &name);
    m.push(&name);
    std::fs::write(
        &roster,
        format!("student,username,project\nA,{user},{project}\n"),
    )
    .unwrap();
    let ok = grade(&m, &roster, &["--lesson", LESSON, "--format", "json"]);
    // push passes, but push-2, private and classmate (no value) do not all pass.
    assert_eq!(ok.code, 1, "{}", ok.stdout);
    let steps = ok.json[0]["steps"].as_array().unwrap();
    let classmate = steps.iter().find(|s| s["id"] == "classmate").unwrap();
    assert_eq!(
        classmate["status"], "unknown",
        "no value for `classmate`: could not verify"
    );
    assert!(
        classmate["checks"][0]["message"]
            .as_str()
            .unwrap()
            .contains("classmate")
    );

    // Only a registry that is down: 3.
    std::fs::write(
        &roster,
        format!(
            "student,username,registry\nA,{user},127.0.0.1:{}\n",
            unused_port()
        ),
    )
    .unwrap();
    let started = Instant::now();
    let down = grade(&m, &roster, &["--lesson", LESSON, "--format", "csv"]);
    assert_eq!(down.code, 3, "{}{}", down.stdout, down.stderr);
    assert!(
        started.elapsed().as_millis() >= 600,
        "retried with backoff (200 + 400 ms)"
    );

    // A roster without a `username` column: 2, nothing graded.
    std::fs::write(&roster, "student,user\nA,alice1\n").unwrap();
    let bad = grade(&m, &roster, &["--lesson", LESSON]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("class.csv:1: the roster has no `username` column"),
        "{}",
        bad.stderr
    );
    assert!(bad.stdout.is_empty());

    // A lesson with nothing to grade from outside: 2.
    std::fs::write(&roster, "student,username\nA,alice1\n").unwrap();
    let local = grade(&m, &roster, &["--lesson", "tag-an-image"]);
    assert_eq!(local.code, 2);
    assert!(
        local
            .stderr
            .contains("no check that can be verified from outside"),
        "{}",
        local.stderr
    );
}

#[test]
fn rate_limited_registry_is_waited_for_then_unknown() {
    let rt = support::runtime();
    let limited = support::rate_limited_registry(&rt, 1);
    let addr = limited.address().to_string();
    let m = Machine::docker();
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("class.csv");
    std::fs::write(
        &roster,
        format!(
            "student,username,classmate,registry\nA,{},{},{addr}\n",
            unique("rl"),
            unique("rl")
        ),
    )
    .unwrap();
    let started = Instant::now();
    let run = grade(&m, &roster, &["--lesson", LESSON, "--format", "json"]);
    let elapsed = started.elapsed();
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    for step in run.json[0]["steps"].as_array().unwrap() {
        assert_eq!(step["status"], "unknown", "{step}");
        let check = &step["checks"][0];
        assert_eq!(check["retry_after_secs"], 1, "{check}");
        assert!(
            check["message"].as_str().unwrap().contains("rate limiting"),
            "{check}"
        );
    }
    assert!(
        elapsed.as_secs_f64() >= 1.0,
        "Retry-After was waited for: {elapsed:?}"
    );
    let requests = rt.block_on(limited.received_requests()).unwrap();
    // 5 steps, 4 distinct checks (push and push-2 are different tags): each asked twice.
    assert!(
        requests.len() >= 8,
        "asked again after the wait: {}",
        requests.len()
    );
}

#[test]
fn grades_the_shipped_course() {
    let lab = lab();
    let rt = support::runtime();
    let hub = FakeHub::start(&rt);
    let m = Machine::docker();
    let (done, none) = (unique("done"), unique("none"));
    hub.user(&done, HubAnswer::Found { private: false });
    hub.repository(
        &format!("{done}/python-canvas-client"),
        HubAnswer::Found { private: false },
    );
    let name = format!("{}/{done}/python-canvas-client:1.0", lab.open);
    m.tag(&lab.image, &name);
    m.push(&name);
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("class.csv");
    std::fs::write(
        &roster,
        format!("student,username,classmate\nDone,{done},{none}\nNone,{none},{done}\n"),
    )
    .unwrap();
    let run = m.learn(&[
        "grade",
        "--roster",
        roster.to_str().unwrap(),
        "--registry",
        &lab.open,
        "--hub-api",
        &hub.url(),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for lesson in ["tag-an-image", "pull-an-image"] {
        assert!(
            run.stderr.contains(&format!(
                "note: lesson `{lesson}` has no check that can be verified from outside"
            )),
            "{}",
            run.stderr
        );
    }
    let list = run.json.as_array().unwrap();
    let cells = |user: &str| -> Vec<(String, String)> {
        list.iter()
            .filter(|o| o["username"] == user)
            .flat_map(|o| {
                o["steps"].as_array().unwrap().iter().map(move |s| {
                    (
                        format!(
                            "{}/{}",
                            o["lesson"].as_str().unwrap(),
                            s["id"].as_str().unwrap()
                        ),
                        s["status"].as_str().unwrap().to_string(),
                    )
                })
            })
            .collect()
    };
    let graded = [
        "docker-hub-account/fill-in-the-form",
        "docker-hub-account/log-in-on-the-web",
        "push-an-image/push",
        "push-an-image/verify-on-hub",
        "push-an-image/public-or-private",
    ];
    let all = |status: &str| {
        graded
            .iter()
            .map(|g| (g.to_string(), status.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(cells(&done), all("pass"));
    assert_eq!(cells(&none), all("fail"));
    // Each student's hub_account was asked once, though two steps check it.
    let requests = rt.block_on(hub.server.received_requests()).unwrap();
    let asked = requests
        .iter()
        .filter(|r| r.url.path() == format!("/v2/users/{done}/"))
        .count();
    assert_eq!(asked, 1, "identical checks are asked once per student");
}

/// The students of a mid-run stop: roster rows (`student,username[,...]` without `registry`), the
/// first ones with the cells they earn, the others left for after the registry stopped.
struct MidRun<'a> {
    lessons: &'a Path,
    lesson: &'a str,
    steps: &'a [&'a str],
    /// The roster's header, without `registry`.
    header: &'a str,
    /// Graded before the stop: (row, username, statuses by step).
    early: Vec<(String, String, Vec<&'static str>)>,
    /// Graded after the stop: (row, username).
    late: Vec<(String, String)>,
    /// What the contract says for the whole run: 1 when a cell failed, else 3.
    code: i32,
}

/// A generous bound on a whole run: a stopped registry must not turn the retries into a hang.
const NO_HANG: Duration = Duration::from_secs(60);

impl MidRun<'_> {
    /// Write a roster of `rows`, every student on `registry`.
    fn roster(&self, dir: &Path, rows: &[&String], registry: &str) -> PathBuf {
        let path = dir.join("class.csv");
        let mut text = format!("{},registry\n", self.header);
        for row in rows {
            text.push_str(&format!("{row},{registry}\n"));
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `grade` one lesson, one check at a time (so students are asked in roster order), timed.
    fn grade(&self, m: &Machine, roster: &Path, format: &str) -> (Run, Duration) {
        let started = Instant::now();
        let run = m.learn(&[
            "grade",
            "--roster",
            roster.to_str().unwrap(),
            "--registry",
            &lab().open,
            "--lessons-dir",
            self.lessons.to_str().unwrap(),
            "--lesson",
            self.lesson,
            "--concurrency",
            "1",
            "--format",
            format,
        ]);
        (run, started.elapsed())
    }

    /// How many requests the early students take, counted by a proxy that never stops; their cells
    /// are checked on the way.
    fn calibrate(&self, m: &Machine) -> usize {
        let dir = tempfile::tempdir().unwrap();
        let proxy = RegistryProxy::start(&lab().open, None);
        let rows: Vec<&String> = self.early.iter().map(|(row, _, _)| row).collect();
        let roster = self.roster(dir.path(), &rows, &proxy.address());
        let (run, _) = self.grade(m, &roster, "json");
        let list = run
            .json
            .as_array()
            .unwrap_or_else(|| panic!("JSON list: {}{}", run.stdout, run.stderr));
        for ((_, username, cells), obj) in self.early.iter().zip(list) {
            assert_eq!(obj["username"], username.as_str());
            assert_eq!(&statuses(obj), cells, "through the proxy, as pushed: {obj}");
        }
        assert_eq!(proxy.refused(), 0);
        let requests = proxy.forwarded();
        // Identical questions are asked once per class, so a student may need fewer requests than
        // checks, never none.
        assert!(
            requests >= self.early.len(),
            "at least one request per student: {requests}"
        );
        requests
    }

    /// Grade the whole class through a proxy that stops after `limit` requests: the early students'
    /// requests, exactly. Returns the run and the proxy's address.
    fn stopped_run(&self, m: &Machine, limit: usize, format: &str) -> (Run, String) {
        let dir = tempfile::tempdir().unwrap();
        let proxy = RegistryProxy::start(&lab().open, Some(limit));
        let rows: Vec<&String> = self
            .early
            .iter()
            .map(|(row, _, _)| row)
            .chain(self.late.iter().map(|(row, _)| row))
            .collect();
        let roster = self.roster(dir.path(), &rows, &proxy.address());
        let (run, elapsed) = self.grade(m, &roster, format);
        assert!(
            elapsed < NO_HANG,
            "a stopped registry is not waited for forever: {elapsed:?}"
        );
        assert!(proxy.stopped(), "the run went past the stop");
        assert_eq!(
            proxy.forwarded(),
            limit,
            "the early students' requests went through, and no other"
        );
        assert!(proxy.refused() >= 1, "a late student's request was cut");
        assert_eq!(
            run.code, self.code,
            "1 when something failed, else 3: {}{}",
            run.stdout, run.stderr
        );
        (run, proxy.address())
    }

    fn check(&self, m: &Machine) {
        let limit = self.calibrate(m);
        let unknown = vec!["unknown"; self.steps.len()];
        let n = self.steps.len();

        // JSON: the early cells as pushed; every late check unknown, for the registry that stopped.
        let (run, address) = self.stopped_run(m, limit, "json");
        let list = run.json.as_array().unwrap();
        assert_eq!(list.len(), self.early.len() + self.late.len());
        for ((_, username, cells), obj) in self.early.iter().zip(list) {
            assert_eq!(obj["username"], username.as_str());
            assert_eq!(&statuses(obj), cells, "graded before the stop: {obj}");
        }
        for ((_, username), obj) in self.late.iter().zip(&list[self.early.len()..]) {
            assert_eq!(obj["username"], username.as_str());
            assert_eq!(statuses(obj), unknown, "after the stop: {obj}");
            assert_eq!(obj["summary"]["fail"], 0, "{obj}");
            assert_eq!(obj["summary"]["unknown"], n, "{obj}");
            for step in obj["steps"].as_array().unwrap() {
                for check in step["checks"].as_array().unwrap() {
                    assert_eq!(check["status"], "unknown", "{check}");
                    let message = check["message"].as_str().unwrap();
                    assert!(
                        message.contains(&address) && message.contains("connection refused"),
                        "the last try found the registry gone: {check}"
                    );
                }
            }
        }

        // Table: `?` in every late cell, never `✗`.
        let (run, _) = self.stopped_run(m, limit, "table");
        let marks = |username: &str| -> (Vec<String>, String) {
            let row = run
                .stdout
                .lines()
                .find(|l| l.contains(username))
                .unwrap_or_else(|| panic!("no row for {username}: {}", run.stdout));
            let marks = row
                .split_whitespace()
                .filter(|w| ["✓", "✗", "?", "-"].contains(w))
                .map(String::from)
                .collect();
            (marks, row.to_string())
        };
        for (_, username, cells) in &self.early {
            let (marks, row) = marks(username);
            assert_eq!(
                marks,
                cells.iter().map(|c| mark(c)).collect::<Vec<_>>(),
                "{row}"
            );
        }
        for (_, username) in &self.late {
            let (marks, row) = marks(username);
            assert_eq!(marks, vec!["?"; n], "{row}");
            assert!(row.ends_with(&format!("0/{n} ({n} ?)")), "{row}");
        }

        // HTML: the same, as the heatmap's cells say it.
        let (run, _) = self.stopped_run(m, limit, "html");
        let row_re = regex::Regex::new(r#"(?s)<tr data-line="(\d+)">(.*?)</tr>"#).unwrap();
        let cell_re = regex::Regex::new(&format!(
            r#"<td class="cell ([a-z]+)"[^>]* data-status="([a-z]+)" data-step="{}/([a-z0-9-]+)"[^>]*>([^<]*)</td>"#,
            regex::escape(self.lesson)
        ))
        .unwrap();
        let rows: BTreeMap<u64, Vec<(String, String, String)>> = row_re
            .captures_iter(&run.stdout)
            .map(|row| {
                let cells = cell_re
                    .captures_iter(&row[2])
                    .map(|c| (c[3].to_string(), c[2].to_string(), c[4].to_string()))
                    .collect();
                (row[1].parse().unwrap(), cells)
            })
            .collect();
        let expected: Vec<&Vec<&str>> = self
            .early
            .iter()
            .map(|(_, _, cells)| cells)
            .chain(self.late.iter().map(|_| &unknown))
            .collect();
        assert_eq!(rows.len(), expected.len(), "{}", run.stdout);
        for (line, cells) in (2u64..).zip(expected) {
            let want: Vec<(String, String, String)> = self
                .steps
                .iter()
                .zip(cells)
                .map(|(step, status)| (step.to_string(), status.to_string(), mark(status).into()))
                .collect();
            assert_eq!(rows[&line], want, "HTML row of roster line {line}");
        }
    }
}

/// A student's step statuses, in order.
fn statuses(obj: &Value) -> Vec<&str> {
    obj["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect()
}

/// The table's and heatmap's mark for a status.
fn mark(status: &str) -> &'static str {
    match status {
        "pass" => "✓",
        "fail" => "✗",
        "unknown" => "?",
        other => panic!("no mark for `{other}`"),
    }
}

#[test]
fn registry_stopping_mid_run_leaves_the_rest_unknown_not_failed() {
    let lab = lab();
    let m = Machine::docker();
    let project = unique("proj");
    let (right, wrong, late, none) = (
        unique("right"),
        unique("wrong"),
        unique("late"),
        unique("none"),
    );
    // Right and Late pushed everything; Wrong pushed 9.9; None nothing.
    for (user, tag) in [
        (&right, "1.0"),
        (&right, "2.0"),
        (&late, "1.0"),
        (&late, "2.0"),
        (&wrong, "9.9"),
    ] {
        let name = format!("{}/{user}/{project}:{tag}", lab.open);
        m.tag(&lab.image, &name);
        m.push(&name);
    }

    // The course-like lesson: its `private` step fails on the open registry, so the run has failures
    // before the stop (exit 1); the late students, who would pass (Late) or fail (None), are `?`.
    let row = |student: &str, user: &str, classmate: &str| {
        format!("{student},{user},{classmate},{project}")
    };
    MidRun {
        lessons: &fixtures(),
        lesson: LESSON,
        steps: &STEPS,
        header: "student,username,classmate,project",
        early: vec![
            (
                row("Alice Right", &right, &wrong),
                right.clone(),
                vec!["pass", "pass", "pass", "fail", "fail"],
            ),
            (
                row("Wendy Wrong", &wrong, &right),
                wrong.clone(),
                vec!["fail", "fail", "pass", "fail", "pass"],
            ),
        ],
        // Their classmates are late too: an early student's answer (Right's 1.0) would be reused.
        late: vec![
            (row("Larry Late", &late, &none), late.clone()),
            (row("Nina None", &none, &late), none.clone()),
        ],
        code: 1,
    }
    .check(&m);

    // A lesson the right student passes entirely: nothing failed, so the stop makes the run 3.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("push-only.yaml"),
        r#"id: push-only
title: Push only
summary: Push two versions and keep them public.
variables:
  username:
    prompt: Your registry username
    pattern: "^[a-z0-9]{4,30}$"
  project:
    default: python-canvas-client
    pattern: "^[a-z0-9]+(-[a-z0-9]+)*$"
  repository:
    default: "{{ registry_prefix }}{{ username }}/{{ project }}"
steps:
  - id: push
    title: Push version 1.0
    body: "`docker push {{ repository }}:1.0`"
    checks:
      - registry_tag: { image: "{{ repository }}:1.0" }
  - id: push-2
    title: Push version 2.0
    body: "`docker push {{ repository }}:2.0`"
    checks:
      - registry_tag: { image: "{{ repository }}:2.0" }
  - id: public
    title: Anyone may pull it
    body: Keep the repository public.
    checks:
      - repository_public: { repository: "{{ repository }}" }
"#,
    )
    .unwrap();
    let row = |student: &str, user: &str| format!("{student},{user},{project}");
    MidRun {
        lessons: dir.path(),
        lesson: "push-only",
        steps: &["push", "push-2", "public"],
        header: "student,username,project",
        early: vec![(row("Alice Right", &right), right.clone(), vec!["pass"; 3])],
        late: vec![
            (row("Larry Late", &late), late.clone()),
            (row("Wendy Wrong", &wrong), wrong.clone()),
        ],
        code: 3,
    }
    .check(&m);
}

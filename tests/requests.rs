//! How many requests `grade` sends, counted by a proxy in front of the lab's registries
//! (`support::RegistryProxy`): every distinct question is asked once per class (a tag asked by two
//! steps or as a classmate's, a repository's tag list asked by a visibility check and by every
//! failure's diagnosis), and a token is fetched once per repository and kept for its lifetime. These
//! counts guard issue 12's savings; no test here measures a time.

mod support;

use std::path::PathBuf;

use support::{Machine, RegistryProxy, lab, unique};

const LESSON: &str = "publish-an-image";

/// A class of `n` students of one project, each the classmate of the one before (the last of the
/// first), on `registry`; the roster's path.
fn roster(dir: &std::path::Path, users: &[String], project: &str) -> PathBuf {
    let mut text = String::from("student,username,classmate,project\n");
    for (i, user) in users.iter().enumerate() {
        let mate = &users[(i + 1) % users.len()];
        text.push_str(&format!("S{i},{user},{mate},{project}\n"));
    }
    let path = dir.join("class.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn grade(m: &Machine, roster: &std::path::Path, registry: &str, extra: &[&str]) -> support::Run {
    let lessons = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grade-lessons");
    let mut args = vec![
        "grade",
        "--roster",
        roster.to_str().unwrap(),
        "--registry",
        registry,
        "--lessons-dir",
        lessons.to_str().unwrap(),
        "--lesson",
        LESSON,
    ];
    args.extend_from_slice(extra);
    m.learn(&args)
}

#[test]
fn grading_a_class_asks_each_question_once() {
    let lab = lab();
    let m = Machine::docker();
    let project = unique("req");
    let users: Vec<String> = (0..10).map(|_| unique("stu")).collect();
    // The first two pushed both versions; the others nothing (every check fails and is diagnosed).
    for user in &users[..2] {
        for tag in ["1.0", "2.0"] {
            let name = format!("{}/{user}/{project}:{tag}", lab.open);
            m.tag(&lab.image, &name);
            m.push(&name);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let roster = roster(dir.path(), &users, &project);
    let proxy = RegistryProxy::start(&lab.open, None);
    let run = grade(&m, &roster, &proxy.address(), &["--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let list = run.json.as_array().expect("a JSON list");
    assert_eq!(list.len(), users.len());
    // The diagnoses are still there: a student who pushed nothing is told so.
    let push = &list[5]["steps"][0]["checks"][0];
    assert_eq!(push["status"], "fail", "{push}");
    assert!(
        push["actual"]
            .as_str()
            .unwrap()
            .contains(&format!("no repository `{}/", proxy.address())),
        "{push}"
    );
    // A student who pushed: GET tags/list first (the public step's "is there anything to pull",
    // also the diagnosis of a missing tag), then HEAD 1.0, HEAD 2.0, HEAD latest (the public and the
    // private step's one question). A student who pushed nothing: the tag list alone, whose
    // `NAME_UNKNOWN` answers every tag of the repository. The classmate's 1.0 is the next student's
    // own question.
    assert_eq!(
        proxy.forwarded(),
        4 * 2 + (users.len() - 2),
        "requests for {} students",
        users.len()
    );
    assert_eq!(proxy.refused(), 0);
}

#[test]
fn tokens_are_kept_per_repository() {
    let lab = lab();
    // The token registry grants anonymous pulls of public repositories that exist; pushing needs
    // their owner, so the class is alice's, one project each (`project` is a roster column).
    let owner = Machine::docker();
    owner.login(&lab.token, "alice", "alicepass");
    let projects: Vec<String> = (0..4).map(|_| unique("tok")).collect();
    for project in &projects {
        let name = format!("{}/alice/{project}:1.0", lab.token);
        owner.tag(&lab.image, &name);
        owner.push(&name);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("class.csv");
    let mut text = String::from("student,username,classmate,project\n");
    for (i, project) in projects.iter().enumerate() {
        text.push_str(&format!("S{i},alice,alice,{project}\n"));
    }
    std::fs::write(&path, text).unwrap();
    // The realm is the token server's own address, so only the registry's requests pass the proxy.
    let proxy = RegistryProxy::start(&lab.token, None);
    // One check at a time: two concurrent first requests to a repository would both meet a 401.
    let m = Machine::docker();
    let run = grade(
        &m,
        &path,
        &proxy.address(),
        &["--format", "json", "--concurrency", "1"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for student in run.json.as_array().expect("a JSON list") {
        let statuses: Vec<&str> = student["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["status"].as_str().unwrap())
            .collect();
        // push, push-2 (not pushed), public, private (it is public), classmate (their own 1.0).
        assert_eq!(
            statuses,
            ["pass", "fail", "pass", "fail", "pass"],
            "{student}"
        );
    }
    // Per student: the tag list first (401, then with the token), then with the kept token 1.0,
    // 2.0 and latest: 5. The classmate's 1.0 is their own. Without kept tokens each of those 4
    // questions would take two requests: 8.
    assert_eq!(proxy.forwarded(), 5 * projects.len(), "{}", run.stdout);
}

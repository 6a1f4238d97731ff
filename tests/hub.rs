//! The shipped course with its defaults (no `--registry`, no `--hub-api`) against the lab's Docker Hub
//! simulation (`scripts/lab.sh hub up`): Docker Hub's real names (`registry-1.docker.io`,
//! `auth.docker.io`, `hub.docker.com`) served on loopback inside a network namespace of the lab's own,
//! with the real `docker` CLI and dockerd. This is the only place where what is special about Docker
//! Hub (TLS, `docker.io` naming, Hub tokens, the REST API, the config keys `docker login` writes) meets
//! the code; every other test points `--registry` at a plain lab registry. Covered: `check` of every
//! lesson before and after the real commands, `start` through the whole course in a pty, `test-lesson`
//! on every lesson, `grade` of a roster, the login shapes a learner's machine really has, hub.docker.com
//! misbehaving (Cloudflare, down, rate limits), and that no output shows a password or a token.

mod support;

use base64::Engine as _;
use serde_json::{Value, json};
use support::{HubAccount, HubMachine, HubSwitch, Private, Run};

const LESSONS: [&str; 4] = [
    "docker-hub-account",
    "tag-an-image",
    "push-an-image",
    "pull-an-image",
];

fn vars<'a>(user: &'a HubAccount, mate: &'a HubAccount) -> [(&'static str, &'a str); 2] {
    [("username", &user.name), ("classmate", &mate.name)]
}

fn summary(run: &Run, key: &str) -> u64 {
    run.lessons()
        .iter()
        .map(|l| l["summary"][key].as_u64().unwrap_or(0))
        .sum()
}

/// The checks of `kind` in step `step` of a run.
fn checks_of(run: &Run, step: &str, kind: &str) -> Vec<Value> {
    run.step(step)["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == kind)
        .cloned()
        .collect()
}

fn assert_all_pass(run: &Run, what: &str) {
    assert!(
        summary(run, "fail") == 0 && summary(run, "unknown") == 0 && summary(run, "pass") > 0,
        "{what}: every check should pass (exit {}):\n{}\n{}",
        run.code,
        run.stdout,
        run.stderr
    );
    assert_eq!(run.code, 0, "{what}: exit code");
}

fn assert_fails(run: &Run, what: &str) {
    assert!(
        summary(run, "fail") > 0,
        "{what}: a fresh learner should fail (exit {}):\n{}",
        run.code,
        run.stdout
    );
    assert_eq!(run.code, 1, "{what}: exit code");
}

/// A learner who signed up, logged in with `docker login -u` and pushed `1.0` (public): the course's
/// sample image, greeting with their name, as the pull lesson runs it.
fn pushed_learner(prefix: &str) -> (HubAccount, HubMachine) {
    let user = HubAccount::sign_up(prefix);
    let m = HubMachine::new();
    m.login(&user);
    let image = format!("{}:1.0", user.repository());
    support::build_sample_image(&support::hub().docker_host, &user.name, &image);
    m.forget_later(&image);
    m.d(&["push", &image]);
    (user, m)
}

/// The lab's own Hub accounts' passwords (`scripts/lab.sh env`), which no output may show.
fn lab_secrets() -> Vec<String> {
    let passwords = support::hub().lab_passwords.clone();
    assert!(!passwords.is_empty(), "the lab names its Hub passwords");
    passwords
}

#[test]
fn the_course_with_its_defaults_fails_for_a_fresh_learner_and_passes_after_the_real_commands() {
    // A classmate who pushed their image, as the last lesson expects.
    let (mate, mate_machine) = pushed_learner("mate");
    let user = HubAccount::unregistered("lrn");
    let m = HubMachine::new();
    let v = vars(&user, &mate);
    let repo = user.repository();

    // 1. The account: fails before signing up, passes after.
    assert_fails(
        &m.check(Some(LESSONS[0]), &v, &[]),
        "account before sign-up",
    );
    user.register();
    assert_all_pass(&m.check(Some(LESSONS[0]), &v, &[]), "account after sign-up");

    // 2. Tagging.
    assert_fails(&m.check(Some(LESSONS[1]), &v, &[]), "tag before");
    m.tag("my-app:latest", &format!("{repo}:1.0"));
    m.tag("my-app:latest", &format!("{repo}:2.0"));
    assert_all_pass(&m.check(Some(LESSONS[1]), &v, &[]), "tag after");

    // 3. Log in (no server: Docker Hub) and push.
    let before = m.check(Some(LESSONS[2]), &v, &[]);
    assert_fails(&before, "push before");
    assert_eq!(
        checks_of(&before, "log-in", "logged_in")[0]["status"],
        "fail"
    );
    m.login(&user);
    m.d(&["push", &format!("{repo}:1.0")]);
    let after = m.check(Some(LESSONS[2]), &v, &[]);
    assert_all_pass(&after, "push after");
    let login = &checks_of(&after, "log-in", "logged_in")[0];
    assert!(
        login.to_string().contains(&user.name),
        "the login check names the user: {login}"
    );

    // 4. Remove and pull again; pull the classmate's image.
    assert_fails(&m.check(Some(LESSONS[3]), &v, &[]), "pull before");
    m.d(&["image", "rm", &format!("{repo}:1.0")]);
    m.d(&["pull", &format!("{repo}:1.0")]);
    let mate_image = format!("{}:1.0", mate.repository());
    m.d(&["pull", &mate_image]);
    m.forget_later(&mate_image);
    assert_fails(&m.check(Some(LESSONS[3]), &v, &[]), "pulled, not run yet");
    let container = format!("run-{}", mate.name);
    let greeting = m.d(&["run", "--name", &container, &mate_image]);
    assert_eq!(greeting, format!("Hello from {}!\n", mate.name));
    assert_all_pass(&m.check(Some(LESSONS[3]), &v, &[]), "pull after");

    // The whole course in one run passes too, in the human format as well.
    assert_all_pass(&m.check(None, &v, &[]), "whole course");
    let human = m.learn(&[
        "check",
        "--var",
        &format!("username={}", user.name),
        "--var",
        &format!("classmate={}", mate.name),
    ]);
    assert_eq!(human.code, 0, "{}{}", human.stdout, human.stderr);
    m.d(&["rm", &container]);

    let mut secrets = lab_secrets();
    secrets.extend([user.password.clone(), mate.password.clone()]);
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    m.assert_no_secrets(&secrets);
    mate_machine.assert_no_secrets(&secrets);
}

#[test]
fn a_private_repository_is_not_public_and_its_owner_still_passes_the_push() {
    let (user, m) = pushed_learner("priv");
    let _private = Private::make_hub(&[&user.repository()]);
    let run = m.check(
        Some("push-an-image"),
        &[("username", &user.name)],
        &["--step", "public-or-private"],
    );
    let public = &checks_of(&run, "public-or-private", "repository_public")[0];
    assert_eq!(public["status"], "fail", "{}", run.stdout);
    let run = m.check(
        Some("push-an-image"),
        &[("username", &user.name)],
        &["--step", "push"],
    );
    assert_all_pass(&run, "the owner's push of a private repository");
}

/// The three `auths` keys Docker CLI >= 27.2 writes after a web (device-code) login without a
/// credential store: the exact key with username and personal access token, and two token keys that
/// the CLI itself never reads for credentials.
fn web_login_config(user: &HubAccount, access: &str, refresh: &str) -> Value {
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    json!({
        "auths": {
            "https://index.docker.io/v1/": {"auth": b64(format!("{}:{}", user.name, user.password))},
            "https://index.docker.io/v1/access-token": {"auth": b64(format!("{}:{access}", user.name))},
            "https://index.docker.io/v1/refresh-token": {"auth": b64(format!("{}:{refresh}", user.name))}
        }
    })
}

const ACCESS_TOKEN: &str =
    "eyJhbGciOiJSUzI1NiJ9.eyJsYWItYWNjZXNzLXRva2VuIjp0cnVlfQ.bGFiLWFjY2Vzcy1zaWc";
const REFRESH_TOKEN: &str = "lab-refresh-token-v1-7d0c9e5b3a214f6e8b1c";

#[test]
fn a_web_login_without_a_credential_store_passes_the_push_lesson() {
    let (user, pusher) = pushed_learner("web");
    let m = HubMachine::new();
    m.write_config(&web_login_config(&user, ACCESS_TOKEN, REFRESH_TOKEN));
    let run = m.check(Some("push-an-image"), &[("username", &user.name)], &[]);
    assert_all_pass(&run, "push lesson after a web login");
    m.assert_no_secrets(&[ACCESS_TOKEN, REFRESH_TOKEN, &user.password]);
    drop(pusher);
}

#[test]
fn no_output_shows_a_password_or_a_token() {
    // Whatever the checks conclude, neither the login's password nor the web login's tokens may
    // appear in what `learn-registry` says or stores, in either format.
    let (user, pusher) = pushed_learner("sec");
    let m = HubMachine::new();
    m.write_config(&web_login_config(&user, ACCESS_TOKEN, REFRESH_TOKEN));
    let v = [("username", user.name.as_str()), ("classmate", "hubbob")];
    m.check(None, &v, &[]);
    let mut args = vec!["check".to_string()];
    for (k, val) in v {
        args.extend(["--var".into(), format!("{k}={val}")]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    m.learn(&args);
    m.learn(&["status"]);
    let mut secrets = lab_secrets();
    secrets.extend([user.password.clone()]);
    let mut secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    secrets.extend([ACCESS_TOKEN, REFRESH_TOKEN]);
    m.assert_no_secrets(&secrets);
    pusher.assert_no_secrets(&secrets);
}

/// A `credsStore` helper whose `list` returns all three keys of a web login, as Docker Desktop's
/// store does after one; `get` answers each key with its own secret.
fn three_key_store(user: &HubAccount) -> String {
    format!(
        r#"#!/bin/sh
read -r key
case "$1" in
list) printf '%s' '{{"https://index.docker.io/v1/":"{name}","https://index.docker.io/v1/access-token":"{name}","https://index.docker.io/v1/refresh-token":"{name}"}}' ;;
get)
	case "$key" in
	https://index.docker.io/v1/) printf '{{"ServerURL":"%s","Username":"{name}","Secret":"{password}"}}' "$key" ;;
	https://index.docker.io/v1/access-token) printf '{{"ServerURL":"%s","Username":"{name}","Secret":"{access}"}}' "$key" ;;
	https://index.docker.io/v1/refresh-token) printf '{{"ServerURL":"%s","Username":"{name}","Secret":"{refresh}"}}' "$key" ;;
	*) echo "credentials not found in native keychain"; exit 1 ;;
	esac ;;
*) exit 1 ;;
esac
"#,
        name = user.name,
        password = user.password,
        access = ACCESS_TOKEN,
        refresh = REFRESH_TOKEN,
    )
}

#[test]
fn a_credential_store_listing_the_three_web_login_keys_passes_the_push_lesson() {
    let (user, pusher) = pushed_learner("store");
    let m = HubMachine::new();
    m.install_helper("labstore", &three_key_store(&user));
    m.write_config(&json!({"auths": {}, "credsStore": "labstore"}));
    let run = m.check(Some("push-an-image"), &[("username", &user.name)], &[]);
    assert_all_pass(&run, "push lesson with a three-key credential store");
    m.assert_no_secrets(&[ACCESS_TOKEN, REFRESH_TOKEN, &user.password]);
    drop(pusher);
}

#[test]
fn a_credential_store_login_is_seen_by_the_login_step() {
    let (user, _pusher) = pushed_learner("store");
    let m = HubMachine::new();
    m.install_helper("labstore", &three_key_store(&user));
    m.write_config(&json!({"auths": {}, "credsStore": "labstore"}));
    let run = m.check(
        Some("push-an-image"),
        &[("username", &user.name)],
        &["--step", "log-in"],
    );
    assert_all_pass(&run, "the log-in step with a credential store");
    m.assert_no_secrets(&[ACCESS_TOKEN, REFRESH_TOKEN, &user.password]);
}

// -------------------------------------------------------------- hub.docker.com misbehaving

/// With hub.docker.com switched to `switch` for this learner, the account check and the repository
/// check are Unknown (never Pass, never Fail), and their message says each of `cause`.
fn hub_api_unknown(switch: &str, cause: &[&str]) -> (Value, Value) {
    let (user, m) = pushed_learner("sw");
    let _switch = HubSwitch::new(&user.name, switch);
    let vars = [("username", user.name.as_str())];
    let account = m.check(
        Some("docker-hub-account"),
        &vars,
        &["--step", "fill-in-the-form"],
    );
    let account = checks_of(&account, "fill-in-the-form", "hub_account")[0].clone();
    let repo = m.check(Some("push-an-image"), &vars, &["--step", "verify-on-hub"]);
    let repo = checks_of(&repo, "verify-on-hub", "hub_repository")[0].clone();
    for check in [&account, &repo] {
        assert_eq!(check["status"], "unknown", "`{switch}`: {check:#}");
        let text = format!("{} {}", check["message"], check["hint"]).to_lowercase();
        for word in cause {
            assert!(
                text.contains(&word.to_lowercase()),
                "`{switch}`: `{word}` not said: {check:#}"
            );
        }
    }
    (account, repo)
}

#[test]
fn a_cloudflare_block_is_unknown_and_says_so() {
    hub_api_unknown("cloudflare", &["cloudflare"]);
}

#[test]
fn a_cloudflare_challenge_page_is_unknown_and_says_so() {
    hub_api_unknown("challenge", &["cloudflare"]);
}

#[test]
fn hub_down_is_unknown_and_says_so() {
    hub_api_unknown("down", &["503"]);
}

/// A rate limit: Unknown, the wait (42 s, give or take the clock) said once, `retry_after_secs` set.
fn rate_limited(switch: &str) {
    let (account, repo) = hub_api_unknown(switch, &["rate limit"]);
    for check in [account, repo] {
        let secs = check["retry_after_secs"].as_u64().unwrap_or(0);
        assert!((30..=42).contains(&secs), "`{switch}`: the wait: {check:#}");
        let message = check["message"].as_str().unwrap();
        assert_eq!(
            message.matches("retry").count(),
            1,
            "`{switch}`: the wait is said once: {message}"
        );
    }
}

#[test]
fn a_hub_rate_limit_with_x_retry_after_says_the_wait_once() {
    rate_limited("ratelimit");
}

#[test]
fn a_hub_rate_limit_with_both_headers_says_the_wait_once() {
    rate_limited("ratelimit-both");
}

// ---------------------------------------------------------------- the simulation itself

#[test]
fn the_simulation_answers_like_docker_hub() {
    let (user, m) = pushed_learner("sim");
    let curl = |args: &[&str]| -> (String, String) {
        let out = m.command("curl", args).output().unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Anonymous tokens are always issued; a wrong password is refused with the Hub's words.
    let (body, _) = curl(&[
        "-s",
        "https://auth.docker.io/token?service=registry.docker.io&scope=repository:library/nothing:pull",
    ]);
    assert!(body.contains("\"token\""), "{body}");
    let (code, _) = curl(&[
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-u",
        &format!("{}:wrong", user.name),
        "https://auth.docker.io/token?service=registry.docker.io",
    ]);
    assert_eq!(code, "401");
    // The REST API: the repository, its tag, the user; missing and private ones are 404 alike.
    let ns = &user.name;
    let (body, _) = curl(&[
        "-s",
        &format!("https://hub.docker.com/v2/namespaces/{ns}/repositories/python-canvas-client"),
    ]);
    assert!(body.contains("\"is_private\": false"), "{body}");
    let (headers, _) = curl(&["-sI", &format!("https://hub.docker.com/v2/users/{ns}/")]);
    assert!(headers.contains("X-RateLimit-Remaining"), "{headers}");
    let _private = Private::make_hub(&[&user.repository()]);
    for path in [
        format!("/v2/namespaces/{ns}/repositories/python-canvas-client"),
        format!("/v2/namespaces/{ns}/repositories/nothing"),
    ] {
        let (code, _) = curl(&[
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &format!("https://hub.docker.com{path}"),
        ]);
        assert_eq!(code, "404", "{path}");
    }
    // A missing repository is refused (401 from the registry), not "not found", even to its owner.
    let out = m.docker_output(&["pull", &format!("{ns}/nothing:1.0")], None);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("denied"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ------------------------------------------------------------------------- more login shapes

#[test]
fn a_stray_registry_1_entry_does_not_replace_the_hub_login() {
    let (user, _pusher) = pushed_learner("stray");
    let m = HubMachine::new();
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    m.write_config(&json!({"auths": {
        "https://index.docker.io/v1/": {"auth": b64(format!("{}:{}", user.name, user.password))},
        "registry-1.docker.io": {"auth": b64(format!("{}:an-old-password", user.name))}
    }}));
    let run = m.check(Some("push-an-image"), &[("username", &user.name)], &[]);
    assert_all_pass(&run, "push lesson with a stray registry-1.docker.io entry");
}

#[test]
fn a_cred_helpers_entry_for_the_hub_is_used() {
    let (user, _pusher) = pushed_learner("helper");
    let m = HubMachine::new();
    // `get` answers for the exact Hub key; `list` answers `{}`, as docker-credential-gcloud does.
    m.install_helper(
        "labhelper",
        &format!(
            "#!/bin/sh\nread -r key\n[ \"$1\" = list ] && printf '{{}}' && exit 0\n\
             [ \"$1\" = get ] && [ \"$key\" = https://index.docker.io/v1/ ] && \
             printf '{{\"ServerURL\":\"%s\",\"Username\":\"{}\",\"Secret\":\"{}\"}}' \"$key\" && exit 0\n\
             echo 'credentials not found in native keychain'; exit 1\n",
            user.name, user.password
        ),
    );
    m.write_config(
        &json!({"auths": {}, "credHelpers": {"https://index.docker.io/v1/": "labhelper"}}),
    );
    let run = m.check(Some("push-an-image"), &[("username", &user.name)], &[]);
    assert_all_pass(&run, "push lesson with a credHelpers entry");
    m.assert_no_secrets(&[&user.password]);
}

#[test]
fn docker_auth_config_is_read_like_the_cli_does() {
    let (user, _pusher) = pushed_learner("envcfg");
    let m = HubMachine::new();
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    let config = json!({"auths": {
        "https://index.docker.io/v1/": {"auth": b64(format!("{}:{}", user.name, user.password))}
    }});
    let mut cmd = m.command(
        env!("CARGO_BIN_EXE_learn-registry"),
        &[
            "check",
            "push-an-image",
            "--format",
            "json",
            "--var",
            &format!("username={}", user.name),
        ],
    );
    cmd.env("DOCKER_AUTH_CONFIG", config.to_string());
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_all_pass(&run, "push lesson with DOCKER_AUTH_CONFIG");
    assert!(!run.stdout.contains(&user.password) && !run.stderr.contains(&user.password));
}

// ------------------------------------------------------------------------------ test-lesson

#[test]
fn test_lesson_passes_on_every_shipped_lesson_on_the_simulated_hub() {
    // The classmate pushes, then drops the local name, so the learner really has to pull it.
    let (mate, mate_machine) = pushed_learner("tlmate");
    mate_machine.d(&["image", "rm", &format!("{}:1.0", mate.repository())]);
    let user = HubAccount::sign_up("tl");
    let m = HubMachine::new();
    for lesson in LESSONS {
        let mut cmd = m.command(
            env!("CARGO_BIN_EXE_learn-registry"),
            &[
                "test-lesson",
                lesson,
                "--allow-docker-hub",
                "--var",
                &format!("username={}", user.name),
                "--var",
                &format!("classmate={}", mate.name),
            ],
        );
        cmd.env("LEARN_REGISTRY_TEST_PASSWORD", &user.password);
        let out = cmd.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success() && text.contains(" 0 failed, 0 could not be verified"),
            "test-lesson {lesson} (exit {:?}):\n{text}",
            out.status.code()
        );
        assert!(!text.contains(&user.password), "the password was printed");
    }
    // The pull lesson's run step leaves its stopped container (its check reads the output).
    let theirs = format!("{}:1.0", mate.repository());
    remove_containers_of(&m, &theirs);
}

/// Remove the containers run from `image` (by the name as given).
fn remove_containers_of(m: &HubMachine, image: &str) {
    let all = m.d(&["ps", "-a", "-q", "--no-trunc"]);
    for id in all.lines() {
        let from = m.docker_output(
            &["container", "inspect", "-f", "{{.Config.Image}}", id],
            None,
        );
        let from = String::from_utf8_lossy(&from.stdout);
        if from.trim().trim_start_matches("docker.io/") == image.trim_start_matches("docker.io/") {
            m.d(&["rm", id]);
        }
    }
}

// ------------------------------------------------------------------------------------ grade

/// The status of step `step` for the roster line of `username` in a `grade --format json` run.
fn graded<'a>(run: &'a Run, username: &str, step: &str) -> &'a Value {
    run.lessons()
        .into_iter()
        .find(|l| l["username"] == username)
        .unwrap_or_else(|| panic!("no `{username}` in {}", run.stdout))["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == step)
        .unwrap_or_else(|| panic!("no step `{step}` for `{username}`"))
}

/// `grade`, anonymously and with `--login`: who pushed, who pushed the wrong tag, who made the
/// repository private, and who did nothing. From outside (404 on hub.docker.com, 401 on the registry)
/// a private repository and a missing one look alike, so without `--login` both are `?` on the push;
/// with the instructor's own login (an account that may pull every repository) they are told apart.
#[test]
fn grade_tells_apart_who_pushed_the_wrong_tag_made_it_private_or_did_nothing() {
    let (pushed, _m1) = pushed_learner("gpush");
    let wrong = HubAccount::sign_up("gwrong");
    let m2 = HubMachine::new();
    m2.login(&wrong);
    let wrong_image = format!("{}:3.0", wrong.repository());
    m2.tag("my-app:latest", &wrong_image);
    m2.d(&["push", &wrong_image]);
    let (private, _m3) = pushed_learner("gpriv");
    let _private = Private::make_hub(&[&private.repository()]);
    let nothing = HubAccount::sign_up("gnone");
    let instructor = HubAccount::sign_up_admin("gteach");

    let dir = tempfile::TempDir::new().unwrap();
    let roster = dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        format!(
            "student,username\nPushed,{}\nWrong tag,{}\nPrivate,{}\nNothing,{}\n",
            pushed.name, wrong.name, private.name, nothing.name
        ),
    )
    .unwrap();
    let grader = HubMachine::new();
    let grade = |extra: &[&str]| {
        let mut args = vec![
            "grade",
            "--roster",
            roster.to_str().unwrap(),
            "--lesson",
            "push-an-image",
            "--format",
            "json",
        ];
        args.extend(extra);
        let run = grader.learn(&args);
        assert!(run.json.is_array(), "{}{}", run.stdout, run.stderr);
        run
    };
    let status = |run: &Run, user: &str, step: &str| graded(run, user, step)["status"].clone();
    // What does not depend on a login.
    let common = |run: &Run| {
        for step in ["push", "verify-on-hub", "public-or-private"] {
            assert_eq!(
                status(run, &pushed.name, step),
                "pass",
                "{step}: {}",
                run.stdout
            );
        }
        let push = graded(run, &wrong.name, "push");
        assert_eq!(push["status"], "fail");
        assert!(push.to_string().contains("3.0"), "the tags it has: {push}");
        for user in [&private.name, &nothing.name] {
            // Not public either way; not on the Hub's pages for visitors either way.
            assert_eq!(status(run, user, "public-or-private"), "fail", "{user}");
            assert_eq!(status(run, user, "verify-on-hub"), "fail", "{user}");
        }
    };

    let anonymous = grade(&[]);
    common(&anonymous);
    for user in [&private.name, &nothing.name] {
        let push = graded(&anonymous, user, "push");
        assert_eq!(push["status"], "unknown", "{user}: {push}");
        assert!(
            push.to_string().contains("private, or not pushed"),
            "{user}: {push}"
        );
    }

    // With `--login` and the instructor's `docker login`: private is pushed, nothing is not.
    grader.login(&instructor);
    let with_login = grade(&["--login"]);
    common(&with_login);
    assert_eq!(
        status(&with_login, &private.name, "push"),
        "pass",
        "the instructor's login sees the private repository (this needs the Hub server's admins, \
         tests/support/hub_server.py as of this test: `scripts/lab.sh hub up` restarts a server whose \
         script changed): {}",
        with_login.stdout
    );
    let none = graded(&with_login, &nothing.name, "push");
    assert_eq!(none["status"], "fail", "{none}");
    grader.assert_no_secrets(&[
        &pushed.password,
        &wrong.password,
        &private.password,
        &instructor.password,
    ]);
}

// ------------------------------------------------------------------------- start, in a pty

const DOWN: &str = "\x1b[B";

/// `learn-registry start` in a pseudo-terminal inside the simulation, with what it printed so far.
struct Runner {
    session: expectrl::session::OsSession,
    seen: String,
}

impl Runner {
    fn start(m: &HubMachine, args: &[&str]) -> Runner {
        let mut all = vec!["start"];
        all.extend(args);
        let mut cmd = m.terminal_command(env!("CARGO_BIN_EXE_learn-registry"), &all);
        cmd.env("TERM", "xterm")
            .env("BROWSER", "/bin/true")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        let mut session = expectrl::Session::spawn(cmd).expect("spawn in a pty");
        let _ = session.get_process_mut().set_window_size(200, 50);
        session.set_expect_timeout(Some(std::time::Duration::from_secs(30)));
        Runner {
            session,
            seen: String::new(),
        }
    }

    fn see(&mut self, text: &str) -> String {
        use expectrl::Expect;
        match self.session.expect(expectrl::Regex(text)) {
            Ok(found) => {
                let got = format!(
                    "{}{}",
                    String::from_utf8_lossy(found.before()),
                    String::from_utf8_lossy(&found[0])
                );
                self.seen.push_str(&got);
                got
            }
            Err(e) => panic!(
                "waited for /{text}/ ({e}); the runner had printed:\n{}",
                self.seen
            ),
        }
    }

    fn press(&mut self, keys: &str) {
        use expectrl::Expect;
        self.session.send(keys).unwrap();
    }

    /// Read to the end, assert a clean exit, and add what it printed to `transcript`.
    fn finish(mut self, transcript: &mut String) {
        use expectrl::Expect;
        use expectrl::process::unix::WaitStatus;
        if let Ok(rest) = self.session.expect(expectrl::Eof) {
            self.seen.push_str(&String::from_utf8_lossy(rest.before()));
        }
        match self.session.get_process().wait().unwrap() {
            WaitStatus::Exited(_, 0) => {}
            other => panic!("runner ended as {other:?}; printed:\n{}", self.seen),
        }
        transcript.push_str(&self.seen);
    }
}

/// The whole shipped course through `start`, with its defaults, as a learner on Docker Hub does it:
/// signing up (the account appears while the runner waits), tagging, the real `docker login` and push,
/// and pulling their own image and a classmate's.
#[test]
fn start_runs_the_whole_course_on_the_simulated_hub() {
    let (mate, mate_machine) = pushed_learner("stmate");
    mate_machine.d(&["image", "rm", &format!("{}:1.0", mate.repository())]);
    let user = HubAccount::unregistered("st");
    let m = HubMachine::new();
    let repo = user.repository();
    let theirs = format!("{}:1.0", mate.repository());
    let mut transcript = String::new();

    let mut r = Runner::start(&m, &["docker-hub-account"]);
    r.see("Your Docker Hub username");
    r.press(&format!("{}\r", user.name));
    r.see("Open Docker Hub in your browser");
    r.press("y");
    r.see("Start signing up");
    r.press("y");
    r.see("Pick a personal account");
    r.see("press y");
    r.press("y");
    r.see("hub_account: not yet");
    user.register();
    r.press("y");
    r.see("✓ Pick a personal account");
    r.see("Confirm your e-mail address");
    r.press("y");
    r.see("Sign in on the website");
    r.press("y");
    r.see("Lesson `docker-hub-account` is done");
    r.finish(&mut transcript);

    let mut r = Runner::start(&m, &["tag-an-image"]);
    r.see("Go ahead\\?");
    r.press("y");
    r.see("waiting for: image_same");
    m.tag("my-app:latest", &format!("{repo}:1.0"));
    r.see("✓ Give the image your name");
    r.see("Which of these names");
    r.press(DOWN);
    r.press("\r");
    r.see("right\\.");
    r.see("waiting for: image_same");
    m.tag("my-app:latest", &format!("{repo}:2.0"));
    r.see("Lesson `tag-an-image` is done");
    r.finish(&mut transcript);

    let mut r = Runner::start(&m, &["push-an-image"]);
    r.see("Go ahead\\?");
    r.press("y");
    r.see("waiting for: logged_in");
    m.login(&user);
    r.press("c");
    r.see("✓ Log in from the command line");
    r.see("waiting for: image_pushed");
    m.d(&["push", &format!("{repo}:1.0")]);
    r.see("✓ Upload the image");
    r.see("Find your image on Docker Hub");
    r.see("press y");
    r.press("y");
    r.see("✓ Find your image on Docker Hub");
    // The quiz comes once the step's checks pass.
    r.see("press y");
    r.press("y");
    r.see("✓ Public or private\\?");
    r.see("Who can pull");
    r.press(DOWN);
    r.press(DOWN);
    r.press("\r");
    r.see("right\\.");
    r.see("Lesson `push-an-image` is done");
    r.finish(&mut transcript);

    let mut r = Runner::start(&m, &["pull-an-image"]);
    r.see("username of a classmate");
    r.press(&format!("{}\r", mate.name));
    r.see("waiting for: event_seen");
    m.d(&["image", "rm", &format!("{repo}:1.0")]);
    m.d(&["pull", &format!("{repo}:1.0")]);
    r.see("✓ Download your image");
    r.see("waiting for: image_pulled");
    m.d(&["pull", &theirs]);
    m.forget_later(&theirs);
    r.see("✓ Download a classmate's image");
    r.see("✓ See the pulled images");
    for (question, downs) in [("with no tag", 1), ("stranger's public repository", 1)] {
        r.see(question);
        r.press(&DOWN.repeat(downs));
        r.press("\r");
        r.see("right\\.");
    }
    r.see("waiting for: container_ran");
    let container = format!("run-{}", mate.name);
    m.d(&["run", "--name", &container, &theirs]);
    r.see("✓ Run your classmate's image");
    r.see("same tag `1.0`");
    r.press("\r");
    r.see("right\\.");
    r.see("Lesson `pull-an-image` is done");
    r.finish(&mut transcript);
    m.d(&["rm", &container]);
    let mut secrets = lab_secrets();
    secrets.extend([user.password.clone(), mate.password.clone()]);
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    m.assert_no_secrets(&secrets);
    for secret in secrets {
        assert!(!transcript.contains(secret), "the runner printed a secret");
    }
}

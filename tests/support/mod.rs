//! Helpers for integration tests that drive the real lab (`scripts/lab.sh up`): the lab's addresses,
//! a learner's "machine" (an engine, a private Docker config folder, a private state folder) on which
//! the real `docker` CLI and the real `learn-registry` binary run, and fake servers for what the lab
//! cannot be (Docker Hub's REST API, a rate-limited registry).
//!
//! Each test makes its own machine, so logins never leak between tests, and uses names from
//! [`unique`], so tests run in parallel and re-run against the same lab without meeting each other.
//! Everything a test tags in an engine is untagged again when its machine is dropped.

// Shared by test binaries that use different subsets.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};
use tempfile::TempDir;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const RUN_LAB: &str = "run scripts/lab.sh up (the lab is not running)";

/// The lab's addresses (`scripts/lab.sh env`).
#[derive(Debug)]
pub struct Lab {
    pub docker_host: String,
    pub podman_host: Option<String>,
    /// `my-app:latest`, present in both engines.
    pub image: String,
    /// Open registry: anyone may push and pull (and log in with anything).
    pub open: String,
    /// htpasswd registry: alice/alicepass, bob/bobpass.
    pub htpasswd: String,
    /// Token registry like Docker Hub: alice, bob, carol with password NAME+"pass".
    pub token: String,
    /// The token server's list of private repositories (`["ns/repo"]`), re-read per request.
    pub private_repos: PathBuf,
    /// Debian sid's Docker Engine 28.5 with the classic image store (`LAB_DOCKER28_HOST`), if running.
    pub docker28: Option<String>,
    /// The same engine with the containerd image store (`LAB_DOCKER28_CONTAINERD_HOST`), if running.
    pub docker28_containerd: Option<String>,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The lab, from the environment (`eval "$(scripts/lab.sh env)"`) or `scripts/lab.sh env`, checked to
/// answer. Panics with "run scripts/lab.sh up" otherwise: a test without its lab must fail, not pass.
pub fn lab() -> &'static Lab {
    static LAB: OnceLock<Lab> = OnceLock::new();
    LAB.get_or_init(|| {
        let mut vars: HashMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("LAB_"))
            .collect();
        if !vars.contains_key("LAB_REGISTRY") {
            let output = Command::new("bash")
                .arg(repo_root().join("scripts/lab.sh"))
                .arg("env")
                .output()
                .unwrap_or_else(|e| panic!("cannot run scripts/lab.sh env ({e}); {RUN_LAB}"));
            for line in String::from_utf8_lossy(&output.stdout).lines() {
                if let Some((k, v)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
                    let v = v.trim_matches('\'').trim_matches('"');
                    vars.entry(k.to_string()).or_insert_with(|| v.to_string());
                }
            }
        }
        let get = |name: &str| {
            vars.get(name)
                .filter(|v| !v.is_empty())
                .cloned()
                .unwrap_or_else(|| panic!("the lab environment has no {name}; {RUN_LAB}"))
        };
        let lab = Lab {
            docker_host: get("LAB_DOCKER_HOST"),
            podman_host: vars
                .get("LAB_PODMAN_HOST")
                .filter(|h| !h.is_empty())
                .cloned(),
            image: get("LAB_IMAGE"),
            open: get("LAB_REGISTRY"),
            htpasswd: get("LAB_REGISTRY_HTPASSWD"),
            token: get("LAB_REGISTRY_TOKEN"),
            private_repos: PathBuf::from(get("LAB_PRIVATE_REPOS_FILE")),
            docker28: vars
                .get("LAB_DOCKER28_HOST")
                .filter(|h| !h.is_empty())
                .cloned(),
            docker28_containerd: vars
                .get("LAB_DOCKER28_CONTAINERD_HOST")
                .filter(|h| !h.is_empty())
                .cloned(),
        };
        let socket = lab.docker_host.trim_start_matches("unix://");
        assert!(
            Path::new(socket).exists(),
            "the lab's Docker Engine socket {socket} does not exist; {RUN_LAB}"
        );
        for addr in [&lab.open, &lab.htpasswd, &lab.token] {
            assert!(
                std::net::TcpStream::connect(addr).is_ok(),
                "the lab's registry at {addr} does not answer; {RUN_LAB}"
            );
        }
        lab
    })
}

/// A lowercase name no other test or earlier run uses: `PREFIX` + pid + time + counter, letters and
/// digits only, so it is also a valid Docker Hub username (4 to 30 characters) for short prefixes.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        % 10_000_000;
    let name = format!(
        "{prefix}{}x{millis}x{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    assert!(name.len() <= 30, "`{name}` is too long for a username");
    name
}

/// What the `learn-registry` binary said.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// stdout as JSON (`Null` when it is not JSON, e.g. for `--format junit`).
    pub json: Value,
}

impl Run {
    /// Run `cmd` and keep what it said (stdout also as JSON, `Null` when it is not).
    pub fn of(mut cmd: assert_cmd::Command) -> Run {
        let output = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        Run {
            code: output.status.code().unwrap_or(-1),
            json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
            stdout,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The lessons of the report (one object, or a list for the whole course).
    pub fn lessons(&self) -> Vec<&Value> {
        match &self.json {
            Value::Array(list) => list.iter().collect(),
            other => vec![other],
        }
    }

    /// A step of the (only) lesson.
    pub fn step(&self, id: &str) -> &Value {
        self.lessons()
            .iter()
            .flat_map(|l| l["steps"].as_array().unwrap().iter())
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("no step `{id}` in {}", self.stdout))
    }

    /// The single check of the single step of a `check --step` run.
    pub fn only(&self) -> Check {
        let steps = self.lessons()[0]["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 1, "one step expected: {}", self.stdout);
        let checks = steps[0]["checks"].as_array().unwrap();
        assert_eq!(checks.len(), 1, "one check expected: {}", self.stdout);
        Check {
            value: checks[0].clone(),
            code: self.code,
        }
    }
}

/// One check's JSON (`kind`, `status`, `message`, `expected`, `actual`, `hint`, `retry_after_secs`).
#[derive(Debug, Clone)]
pub struct Check {
    pub value: Value,
    /// The exit code of the run it came from.
    pub code: i32,
}

impl Check {
    pub fn status(&self) -> &str {
        self.value["status"].as_str().unwrap()
    }

    pub fn message(&self) -> &str {
        self.value["message"].as_str().unwrap()
    }

    pub fn hint(&self) -> &str {
        self.value["hint"].as_str().unwrap_or("")
    }

    /// Assert the status, the exit code that goes with it for a one-check run, and that the message
    /// (with its hint) says each of `words`.
    pub fn expect(&self, status: &str, words: &[&str]) -> &Check {
        assert_eq!(
            self.status(),
            status,
            "status of {}",
            serde_json::to_string_pretty(&self.value).unwrap()
        );
        let code = match status {
            "pass" => 0,
            "fail" => 1,
            "unknown" => 3,
            _ => unreachable!(),
        };
        assert_eq!(self.code, code, "exit code for a `{status}` check");
        let text = format!("{} hint: {}", self.message(), self.hint());
        for word in words {
            assert!(
                text.contains(word),
                "`{word}` not in the message of {}",
                serde_json::to_string_pretty(&self.value).unwrap()
            );
        }
        if status == "fail" {
            assert!(
                !self.value["expected"].as_str().unwrap_or("").is_empty()
                    && !self.value["actual"].as_str().unwrap_or("").is_empty(),
                "a failure says expected and actual: {}",
                self.value
            );
        }
        self
    }
}

/// A learner's machine: an engine (the lab's, Podman's, or a dead address), a Docker config folder
/// and a `learn-registry` state folder of its own, and a folder for credential helpers put on PATH.
pub struct Machine {
    pub host: String,
    pub config: TempDir,
    pub home: TempDir,
    pub bin: TempDir,
    tags: Mutex<Vec<String>>,
}

impl Machine {
    /// The lab's Docker Engine.
    pub fn docker() -> Machine {
        Machine::on(&lab().docker_host)
    }

    /// The lab's Podman, through its Docker API. Panics when the lab runs without it.
    pub fn podman() -> Machine {
        let host = lab()
            .podman_host
            .clone()
            .unwrap_or_else(|| panic!("the lab has no Podman (LAB_PODMAN_HOST); {RUN_LAB}"));
        Machine::on(&host)
    }

    /// One machine on every engine of the lab, named: Docker 20.10 (Debian 12), Docker 28.5 with the
    /// classic image store, Docker 28.5 with the containerd image store (image IDs are manifest digests
    /// there), and Podman's Docker API. Engines the lab runs without (their variable is empty) are left
    /// out, so an engine-side test loops over what it has: `for (engine, m) in Machine::all() { ... }`.
    pub fn all() -> Vec<(&'static str, Machine)> {
        let lab = lab();
        [
            ("docker 20.10", Some(lab.docker_host.clone())),
            ("docker 28.5 classic store", lab.docker28.clone()),
            (
                "docker 28.5 containerd store",
                lab.docker28_containerd.clone(),
            ),
            ("podman", lab.podman_host.clone()),
        ]
        .into_iter()
        .filter_map(|(name, host)| host.map(|h| (name, Machine::on(&h))))
        .collect()
    }

    /// Run `test` once per engine of [`Machine::all`], on a fresh machine each, all at once (each in a
    /// thread named after its engine, so a panic's first line names it too); then fail, naming every
    /// engine whose run failed and why. Each run must use names of its own ([`unique`]).
    pub fn on_every_engine(test: impl Fn(&str, &Machine) + Sync) {
        let machines = Machine::all();
        assert!(!machines.is_empty(), "no engine; {RUN_LAB}");
        let failures: Vec<String> = std::thread::scope(|scope| {
            let runs: Vec<_> = machines
                .iter()
                .map(|(engine, m)| {
                    let test = &test;
                    let run = std::thread::Builder::new()
                        .name(engine.to_string())
                        .spawn_scoped(scope, move || test(engine, m))
                        .expect("a thread");
                    (engine, run)
                })
                .collect();
            runs.into_iter()
                .filter_map(|(engine, run)| {
                    run.join().err().map(|panic| {
                        let why = panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        format!("on {engine}: {why}")
                    })
                })
                .collect()
        });
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }

    /// Whether this machine's engine is Podman (its Docker API), by the lab's address for it.
    pub fn is_podman(&self) -> bool {
        lab().podman_host.as_deref() == Some(self.host.as_str())
    }

    /// `docker save NAME` into a file, then `skopeo copy docker-archive:FILE docker://TARGET` (to a
    /// plain-HTTP lab registry). skopeo's `docker-daemon:` transport speaks Engine API 1.22, which
    /// Docker 28.5 refuses; an archive works with every engine.
    pub fn skopeo_copy_to(&self, name: &str, target: &str) {
        let dir = TempDir::new().unwrap();
        let archive = dir.path().join("image.tar");
        self.d(&["save", "-o", archive.to_str().unwrap(), name]);
        let output = Command::new("skopeo")
            .args([
                "copy",
                "--dest-tls-verify=false",
                &format!("docker-archive:{}", archive.display()),
                &format!("docker://{target}"),
            ])
            .output()
            .expect("skopeo is installed");
        assert!(
            output.status.success(),
            "skopeo copy of `{name}` to `{target}` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// An engine at `host` (which may well be dead).
    pub fn on(host: &str) -> Machine {
        Machine {
            host: host.to_string(),
            config: TempDir::new().unwrap(),
            home: TempDir::new().unwrap(),
            bin: TempDir::new().unwrap(),
            tags: Mutex::new(Vec::new()),
        }
    }

    fn docker_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("docker");
        cmd.args(args)
            .env("DOCKER_HOST", &self.host)
            .env("DOCKER_CONFIG", self.config.path())
            .env("PATH", self.path())
            // The lab's engine (20.10) has no BuildKit session support the CLI could use.
            .env("DOCKER_BUILDKIT", "0")
            .env_remove("DOCKER_CONTEXT");
        cmd
    }

    /// Run the real `docker` CLI; returns its output, whatever the exit code.
    pub fn docker_output(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = self
            .docker_command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the docker CLI is installed");
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        child.wait_with_output().unwrap()
    }

    /// Run the real `docker` CLI, which must succeed; returns stdout.
    pub fn run_docker(&self, args: &[&str], stdin: Option<&str>) -> String {
        let output = self.docker_output(args, stdin);
        assert!(
            output.status.success(),
            "docker {} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// `docker ARGS`, which must succeed.
    pub fn d(&self, args: &[&str]) -> String {
        self.run_docker(args, None)
    }

    /// `docker tag SOURCE TARGET`; the name is removed again when the machine is dropped.
    pub fn tag(&self, source: &str, target: &str) {
        self.d(&["tag", source, target]);
        self.forget_later(target);
    }

    /// Untag `name` when the machine is dropped.
    pub fn forget_later(&self, name: &str) {
        self.tags.lock().unwrap().push(name.to_string());
    }

    /// `docker push NAME`.
    pub fn push(&self, name: &str) {
        self.d(&["push", name]);
    }

    /// `docker login REGISTRY -u USER --password-stdin`.
    pub fn login(&self, registry: &str, user: &str, password: &str) {
        self.run_docker(
            &["login", registry, "-u", user, "--password-stdin"],
            Some(password),
        );
    }

    /// A new image made from the lab image (another ID: a label differs), tagged `name`.
    pub fn build_variant(&self, name: &str) -> String {
        let dockerfile = format!(
            "FROM {}\nLABEL variant=\"{name}\"\n",
            lab().image.trim_start_matches("docker.io/")
        );
        self.run_docker(&["build", "-q", "-t", name, "-"], Some(&dockerfile));
        self.forget_later(name);
        self.image_id(name)
    }

    /// `docker image inspect -f {{.Id}} NAME`.
    pub fn image_id(&self, name: &str) -> String {
        self.d(&["image", "inspect", "-f", "{{.Id}}", name])
            .trim()
            .to_string()
    }

    /// Write `config.json` in the machine's Docker config folder.
    pub fn write_config(&self, config: &Value) {
        write_config(self.config.path(), config)
    }

    /// Install an executable `script` as `docker-credential-NAME` in the machine's PATH folder.
    pub fn install_helper(&self, name: &str, script: &str) -> PathBuf {
        install_helper(self.bin.path(), name, script)
    }

    /// PATH with the machine's helper folder first.
    pub fn path(&self) -> String {
        format!(
            "{}:{}",
            self.bin.path().display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// `learn-registry ARGS` on this machine, with the test lessons and JSON unless ARGS say otherwise.
    pub fn learn(&self, args: &[&str]) -> Run {
        let mut cmd = self.learn_command(args);
        cmd.env_remove("LEARN_REGISTRY_TIMING")
            .timeout(std::time::Duration::from_secs(90));
        Run::of(cmd)
    }

    /// `learn-registry ARGS`, not yet run, seeing only this machine: its engine, Docker config, home
    /// and helpers, and none of the developer's `LEARN_REGISTRY_*` settings.
    pub fn learn_command(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.command(env!("CARGO_BIN_EXE_learn-registry"));
        cmd.args(args);
        assert_cmd::Command::from_std(cmd)
    }

    /// `program` (learn-registry, or a build of it) with this machine's engine, Docker config, state
    /// folder and PATH, no colors, and none of the learner's own settings.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("DOCKER_HOST", &self.host)
            .env("DOCKER_CONFIG", self.config.path())
            .env("LEARN_REGISTRY_HOME", self.home.path())
            .env("PATH", self.path())
            .env("NO_COLOR", "1")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("LEARN_REGISTRY_LESSONS")
            .env_remove("LEARN_REGISTRY_REGISTRY")
            .env_remove("LEARN_REGISTRY_HUB_API");
        cmd
    }

    /// `learn-registry check check-kinds --step STEP --var NAME=VALUE... --format json` plus `extra`
    /// arguments: one check of `tests/fixtures/check-lessons/check-kinds.yaml`.
    pub fn check_step(&self, step: &str, vars: &[(&str, &str)], extra: &[&str]) -> Check {
        let lessons = fixture_lessons();
        let mut args: Vec<String> = vec![
            "check".into(),
            "check-kinds".into(),
            "--step".into(),
            step.into(),
            "--format".into(),
            "json".into(),
            "--lessons-dir".into(),
            lessons.display().to_string(),
        ];
        for (name, value) in vars {
            args.push("--var".into());
            args.push(format!("{name}={value}"));
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = self.learn(&args);
        assert!(
            run.json.is_object(),
            "no JSON from check (exit {}): {}{}",
            run.code,
            run.stdout,
            run.stderr
        );
        run.only()
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        let tags = std::mem::take(&mut *self.tags.lock().unwrap());
        if !tags.is_empty() {
            let mut args = vec!["rmi"];
            args.extend(tags.iter().map(String::as_str));
            let _ = self.docker_command(&args).output();
        }
    }
}

/// The course's sample image, built on the engine at `host` as lesson 2's setup builds it for
/// `username` (the greeter and "Hello from USERNAME!"), but tagged `tag`: what a classmate pushed.
pub fn build_sample_image(host: &str, username: &str, tag: &str) {
    use learn_registry::lesson::model::{BuildImage, SetupAction};
    let file = learn_registry::lesson::source::shipped_files()
        .into_iter()
        .find(|f| f.name.contains("02-tag-an-image"))
        .expect("lesson 2 is shipped");
    let lesson = learn_registry::lesson::load::parse(&file).unwrap();
    let Some(SetupAction::BuildImage(build)) = lesson.setup.first().map(|a| a.value.clone()) else {
        panic!("lesson 2's setup builds the sample image first");
    };
    let action = SetupAction::BuildImage(BuildImage {
        tag: learn_registry::lesson::Sp::synthetic(tag.to_string()),
        if_missing: false,
        ..build
    });
    runtime().block_on(async {
        let docker = learn_registry::probe::DockerProbe::connect_to(host)
            .await
            .unwrap();
        let ctx = learn_registry::check::Context::new(
            BTreeMap::from([("username".to_string(), username.to_string())]),
            learn_registry::check::Settings::default(),
        )
        .with_docker(docker);
        let done = learn_registry::setup::run_action(&action, &ctx, true)
            .await
            .unwrap_or_else(|e| panic!("building the sample image on `{host}`: {e}"));
        assert!(
            matches!(done, learn_registry::setup::SetupDone::Built { .. }),
            "{done:?}"
        );
    });
}

/// `tests/fixtures/check-lessons`.
pub fn fixture_lessons() -> PathBuf {
    repo_root().join("tests/fixtures/check-lessons")
}

/// Keeps repositories in the token server's private list while alive. The file is rewritten
/// atomically (the server re-reads it per request) and re-read after writing, since other tests and
/// the smoke script edit it too.
pub struct Private {
    file: PathBuf,
    repos: Vec<String>,
}

impl Private {
    fn edit(file: &Path, change: impl Fn(&mut Vec<String>), holds: impl Fn(&[String]) -> bool) {
        for attempt in 0..20 {
            let mut list: Vec<String> = std::fs::read_to_string(file)
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default();
            change(&mut list);
            let tmp = file.with_extension(format!("json.{}", unique("tmp")));
            std::fs::write(&tmp, serde_json::to_string(&list).unwrap() + "\n").unwrap();
            std::fs::rename(&tmp, file).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(20 * attempt));
            let now: Vec<String> = std::fs::read_to_string(file)
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default();
            if holds(&now) {
                return;
            }
        }
        panic!("cannot edit {}", file.display());
    }

    pub fn make(repos: &[&str]) -> Private {
        Private::in_file(lab().private_repos.clone(), repos)
    }

    /// Keeps `repos` listed in `file` (a JSON list the token server re-reads) while alive.
    fn in_file(file: PathBuf, repos: &[&str]) -> Private {
        let repos: Vec<String> = repos.iter().map(|r| r.to_string()).collect();
        Private::edit(
            &file,
            |list| {
                list.extend(
                    repos
                        .iter()
                        .filter(|r| !list.contains(r))
                        .cloned()
                        .collect::<Vec<_>>(),
                )
            },
            |now| repos.iter().all(|r| now.contains(r)),
        );
        Private { file, repos }
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        Private::edit(
            &self.file,
            |list| list.retain(|r| !self.repos.contains(r)),
            |now| !self.repos.iter().any(|r| now.contains(r)),
        );
    }
}

/// A loopback port nothing listens on (bound, then released).
pub fn unused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A runtime for the fake servers (wiremock serves from a thread of its own; the runtime only starts
/// and stops them).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

/// A "registry" that answers every request with 429 Too Many Requests and `Retry-After: SECS`.
pub fn rate_limited_registry(rt: &tokio::runtime::Runtime, secs: u64) -> MockServer {
    rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("Retry-After", secs.to_string().as_str())
                    .insert_header("Content-Type", "application/json")
                    .set_body_json(json!({"errors": [{"code": "TOOMANYREQUESTS", "message": "You have reached your pull rate limit."}]})),
            )
            .mount(&server)
            .await;
        server
    })
}

/// How the fake Hub answers for a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubAnswer {
    /// 200 with the documented JSON (for a repository: `is_private`).
    Found { private: bool },
    /// 401 with the Hub's error JSON.
    Unauthorized,
    /// 429 with `Retry-After` in seconds.
    RateLimited(u64),
}

/// Docker Hub's REST API, faked: `/v2/users/{name}/` and `/v2/namespaces/{ns}/repositories/{repo}`
/// with the response shapes hub.docker.com sends. Unknown names are 404. Names can be added while it
/// runs (an account signed up, a repository created by a first push).
pub struct FakeHub {
    pub server: MockServer,
    users: Arc<Mutex<BTreeMap<String, HubAnswer>>>,
    repos: Arc<Mutex<BTreeMap<String, HubAnswer>>>,
}

struct HubResponder {
    users: Arc<Mutex<BTreeMap<String, HubAnswer>>>,
    repos: Arc<Mutex<BTreeMap<String, HubAnswer>>>,
}

impl Respond for HubResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let path = request.url.path().to_string();
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let not_found = ResponseTemplate::new(404)
            .set_body_json(json!({"message": "httperror 404: object not found", "errinfo": {}}));
        let answer = |answer: Option<HubAnswer>, found: Value| match answer {
            Some(HubAnswer::Found { .. }) => ResponseTemplate::new(200).set_body_json(found),
            Some(HubAnswer::Unauthorized) => ResponseTemplate::new(401).set_body_json(json!({
                "detail": "Authentication credentials were not provided.",
                "message": "Authentication credentials were not provided."
            })),
            Some(HubAnswer::RateLimited(secs)) => ResponseTemplate::new(429)
                .insert_header("Retry-After", secs.to_string().as_str())
                .insert_header("X-RateLimit-Limit", "180")
                .insert_header("X-RateLimit-Remaining", "0")
                .set_body_json(json!({"message": "Too Many Requests"})),
            None => not_found.clone(),
        };
        match parts.as_slice() {
            ["v2", "users", name] => {
                let found = self.users.lock().unwrap().get(*name).cloned();
                answer(
                    found,
                    json!({
                        "id": "0123456789abcdef0123456789abcdef",
                        "uuid": "01234567-89ab-cdef-0123-456789abcdef",
                        "username": name,
                        "full_name": "",
                        "location": "",
                        "company": "",
                        "profile_url": "",
                        "date_joined": "2024-09-02T08:15:42.123456Z",
                        "gravatar_url": "",
                        "gravatar_email": "",
                        "type": "User"
                    }),
                )
            }
            ["v2", "namespaces", ns, "repositories", repo] => {
                let full = format!("{ns}/{repo}");
                let found = self.repos.lock().unwrap().get(&full).cloned();
                let private = matches!(found, Some(HubAnswer::Found { private: true }));
                answer(
                    found,
                    json!({
                        "user": ns,
                        "name": repo,
                        "namespace": ns,
                        "repository_type": "image",
                        "status": 1,
                        "status_description": "active",
                        "description": "",
                        "is_private": private,
                        "is_automated": false,
                        "star_count": 0,
                        "pull_count": 3,
                        "last_updated": "2025-01-10T09:30:00.000000Z",
                        "date_registered": "2025-01-10T09:29:58.000000Z",
                        "collaborator_count": 0,
                        "affiliation": null,
                        "hub_user": ns,
                        "has_starred": false,
                        "full_description": null,
                        "permissions": {"read": true, "write": false, "admin": false},
                        "media_types": ["application/vnd.docker.container.image.v1+json"],
                        "content_types": ["image"],
                        "categories": []
                    }),
                )
            }
            _ => not_found,
        }
    }
}

impl FakeHub {
    pub fn start(rt: &tokio::runtime::Runtime) -> FakeHub {
        let users = Arc::new(Mutex::new(BTreeMap::new()));
        let repos = Arc::new(Mutex::new(BTreeMap::new()));
        let server = rt.block_on(async {
            let server = MockServer::start().await;
            Mock::given(wiremock::matchers::method("GET"))
                .respond_with(HubResponder {
                    users: users.clone(),
                    repos: repos.clone(),
                })
                .mount(&server)
                .await;
            server
        });
        FakeHub {
            server,
            users,
            repos,
        }
    }

    /// The base URL for `--hub-api`.
    pub fn url(&self) -> String {
        self.server.uri()
    }

    pub fn user(&self, name: &str, answer: HubAnswer) {
        self.users.lock().unwrap().insert(name.to_string(), answer);
    }

    pub fn repository(&self, full: &str, answer: HubAnswer) {
        self.repos.lock().unwrap().insert(full.to_string(), answer);
    }
}

/// A TCP proxy in front of a registry (the lab's, by address) that forwards until it is stopped, and
/// then behaves like a registry that went away: every open connection is cut and its port refuses
/// new ones. It stops when the test says so ([`RegistryProxy::stop`]) or, deterministically, when a
/// request would be the `limit + 1`-th it forwards: that request is dropped unanswered.
///
/// Requests are counted on the client's side of the stream, by their header's blank line: the
/// registry probes send only body-less HTTP/1.1 requests (HEAD and GET), so a request ends there.
pub struct RegistryProxy {
    rt: tokio::runtime::Runtime,
    port: u16,
    state: Arc<ProxyState>,
    task: Option<tokio::task::JoinHandle<()>>,
}

struct ProxyState {
    limit: Option<usize>,
    /// Requests forwarded to the registry.
    forwarded: AtomicUsize,
    /// Requests dropped because the proxy had stopped (or was stopping).
    refused: AtomicUsize,
    /// Connections accepted.
    connections: AtomicUsize,
    stop: tokio::sync::watch::Sender<bool>,
}

impl ProxyState {
    /// Count a request that starts now; `false` (and the proxy stops) when it must not be forwarded.
    fn admit(&self) -> bool {
        if *self.stop.borrow() {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return false;
        }
        let n = self.forwarded.fetch_add(1, Ordering::SeqCst) + 1;
        if self.limit.is_some_and(|limit| n > limit) {
            self.forwarded.fetch_sub(1, Ordering::SeqCst);
            self.refused.fetch_add(1, Ordering::SeqCst);
            self.stop.send_replace(true);
            return false;
        }
        true
    }
}

impl RegistryProxy {
    /// Listen on a loopback port and forward to `target` (`HOST:PORT`), at most `limit` requests.
    pub fn start(target: &str, limit: Option<usize>) -> RegistryProxy {
        let rt = runtime();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stop, _) = tokio::sync::watch::channel(false);
        let state = Arc::new(ProxyState {
            limit,
            forwarded: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            stop,
        });
        let target = target.to_string();
        let shared = state.clone();
        let task = rt.spawn(async move {
            let mut stopped = shared.stop.subscribe();
            // Dropping the set (when the loop ends) cuts every open connection; dropping the listener
            // makes the port refuse connections.
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let accepted = tokio::select! {
                    biased;
                    _ = stopped.wait_for(|s| *s) => break,
                    accepted = listener.accept() => accepted,
                };
                let Ok((client, _)) = accepted else { break };
                shared.connections.fetch_add(1, Ordering::SeqCst);
                connections.spawn(proxy_connection(client, target.clone(), shared.clone()));
            }
            drop(listener);
            connections.shutdown().await;
        });
        RegistryProxy {
            rt,
            port,
            state,
            task: Some(task),
        }
    }

    /// `127.0.0.1:PORT`, a registry address (loopback: plain HTTP).
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Stop now: cut every connection, refuse new ones.
    pub fn stop(&mut self) {
        self.state.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = self.rt.block_on(task);
        }
    }

    /// Whether it has stopped (told to, or its limit was reached).
    pub fn stopped(&self) -> bool {
        *self.state.stop.borrow()
    }

    /// Requests forwarded to the registry.
    pub fn forwarded(&self) -> usize {
        self.state.forwarded.load(Ordering::SeqCst)
    }

    /// Requests dropped unanswered because the proxy had stopped.
    pub fn refused(&self) -> usize {
        self.state.refused.load(Ordering::SeqCst)
    }

    /// Connections accepted (before it stopped).
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }
}

impl Drop for RegistryProxy {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One client connection: the registry's answers are copied back as they come; the client's bytes are
/// forwarded request by request, each admitted (counted) before its first byte goes through.
async fn proxy_connection(
    mut client: tokio::net::TcpStream,
    target: String,
    state: Arc<ProxyState>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut upstream) = tokio::net::TcpStream::connect(&target).await else {
        return;
    };
    let (mut client_read, mut client_write) = client.split();
    let (mut upstream_read, mut upstream_write) = upstream.split();
    let mut stopped = state.stop.subscribe();
    let answers = tokio::io::copy(&mut upstream_read, &mut client_write);
    let requests = async {
        let mut buf = vec![0u8; 16 * 1024];
        // The last bytes seen (to find `\r\n\r\n` across reads), and whether the next byte starts a request.
        let mut tail: Vec<u8> = Vec::new();
        let mut at_start = true;
        loop {
            let n = match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let mut from = 0;
            for i in 0..n {
                if at_start {
                    // Forward what came before, then decide about the request starting here.
                    if upstream_write.write_all(&buf[from..i]).await.is_err() {
                        return;
                    }
                    from = i;
                    if !state.admit() {
                        return;
                    }
                    at_start = false;
                }
                tail.push(buf[i]);
                if tail.len() > 4 {
                    tail.remove(0);
                }
                if tail == b"\r\n\r\n" {
                    at_start = true;
                    tail.clear();
                }
            }
            if upstream_write.write_all(&buf[from..n]).await.is_err() {
                return;
            }
        }
    };
    // Whichever ends first ends the connection: the registry closing, the client closing (or a request
    // refused), or the proxy stopping.
    tokio::select! {
        _ = answers => {}
        _ = requests => {}
        _ = stopped.wait_for(|s| *s) => {}
    }
}

// ------------------------------------------------------------------------- Docker Hub simulation

/// The lab's Docker Hub simulation (`scripts/lab.sh hub up`): Docker Hub under its real names in a
/// network namespace of the lab's own. Commands run there through `run` (`hub/run COMMAND...`), which
/// also sets `SSL_CERT_FILE` to the lab CA.
#[derive(Debug)]
pub struct Hub {
    pub lab_dir: PathBuf,
    /// `hub/run`: runs a command inside the simulation.
    pub run: PathBuf,
    pub ca: PathBuf,
    /// The dockerd inside the simulation (it pushes to `registry-1.docker.io`).
    pub docker_host: String,
    /// `{"user": "password"}`: the Hub's accounts, re-read per request.
    pub accounts: PathBuf,
    /// `["ns/repo"]`: private repositories (token server and REST API alike).
    pub private_repos: PathBuf,
    /// The passwords of the lab's own Hub accounts (`LAB_HUB_PASSWORD[2]`), which no output may show.
    pub lab_passwords: Vec<String>,
}

impl Hub {
    /// `admins.json` beside the accounts file: who may pull every repository (`hub_server.py --admins`).
    pub fn admins(&self) -> PathBuf {
        self.accounts.with_file_name("admins.json")
    }
}

pub const RUN_HUB: &str =
    "run scripts/lab.sh up or scripts/lab.sh hub up (the Docker Hub simulation is not running)";

/// `LAB_*` variables: from the environment, else from `scripts/lab.sh env`.
fn lab_vars() -> HashMap<String, String> {
    let mut vars: HashMap<String, String> = std::env::vars()
        .filter(|(k, _)| k.starts_with("LAB_"))
        .collect();
    if !vars.contains_key("LAB_HUB_RUN")
        && let Ok(output) = Command::new("bash")
            .arg(repo_root().join("scripts/lab.sh"))
            .arg("env")
            .output()
    {
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            if let Some((k, v)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
                let v = v.trim_matches('\'').trim_matches('"');
                vars.entry(k.to_string()).or_insert_with(|| v.to_string());
            }
        }
    }
    vars
}

/// The Hub simulation, checked to be running. Panics otherwise: a Hub test without its Hub fails.
pub fn hub() -> &'static Hub {
    static HUB: OnceLock<Hub> = OnceLock::new();
    HUB.get_or_init(|| {
        let vars = lab_vars();
        let get = |name: &str| {
            vars.get(name)
                .filter(|v| !v.is_empty())
                .cloned()
                .unwrap_or_else(|| panic!("the lab environment has no {name}; {RUN_HUB}"))
        };
        let hub = Hub {
            lab_dir: PathBuf::from(get("LAB_DIR")),
            run: PathBuf::from(get("LAB_HUB_RUN")),
            ca: PathBuf::from(get("LAB_HUB_CA")),
            docker_host: get("LAB_HUB_DOCKER_HOST"),
            accounts: PathBuf::from(get("LAB_HUB_ACCOUNTS_FILE")),
            private_repos: PathBuf::from(get("LAB_HUB_PRIVATE_FILE")),
            lab_passwords: ["LAB_HUB_PASSWORD", "LAB_HUB_PASSWORD2"]
                .iter()
                .filter_map(|k| vars.get(*k).filter(|v| !v.is_empty()).cloned())
                .collect(),
        };
        let ping = Command::new(&hub.run)
            .args([
                "curl",
                "-sf",
                "--max-time",
                "5",
                "https://hub.docker.com/healthz",
            ])
            .output()
            .unwrap_or_else(|e| panic!("cannot run {} ({e}); {RUN_HUB}", hub.run.display()));
        assert!(
            ping.status.success(),
            "hub.docker.com does not answer inside the simulation: {}; {RUN_HUB}",
            String::from_utf8_lossy(&ping.stderr)
        );
        hub
    })
}

/// Runs `change` on the JSON in `file` under an exclusive lock of `FILE.lock`, then replaces the file
/// atomically (the Hub's server re-reads it per request; parallel tests edit it too).
fn edit_json_locked(file: &Path, change: impl FnOnce(&mut Value)) {
    use std::os::fd::AsRawFd;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file.with_extension("json.lock"))
        .unwrap();
    // SAFETY: flock on a descriptor we own; released when `lock` is closed.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
    let mut value: Value = std::fs::read_to_string(file)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    change(&mut value);
    let tmp = file.with_extension(format!("json.{}", unique("tmp")));
    std::fs::write(&tmp, serde_json::to_string(&value).unwrap() + "\n").unwrap();
    std::fs::rename(&tmp, file).unwrap();
    drop(lock);
}

/// A Docker Hub account of the simulation with a name and password of its own. [`HubAccount::sign_up`]
/// adds it to the accounts file at once; [`HubAccount::unregistered`] only picks the name, for
/// "before signing up" checks, and [`HubAccount::register`] signs it up later. Removed when dropped.
pub struct HubAccount {
    pub name: String,
    pub password: String,
}

impl HubAccount {
    pub fn unregistered(prefix: &str) -> HubAccount {
        let name = unique(prefix);
        let password = format!("hubpw-{}-{}", name, unique("s"));
        HubAccount { name, password }
    }

    pub fn sign_up(prefix: &str) -> HubAccount {
        let account = HubAccount::unregistered(prefix);
        account.register();
        account
    }

    pub fn register(&self) {
        edit_json_locked(&hub().accounts, |v| {
            if !v.is_object() {
                *v = json!({});
            }
            v[&self.name] = json!(self.password);
        });
    }

    /// An account that may pull every repository of the simulated Hub, private ones included (an
    /// instructor grading with `grade --login`): listed in the Hub server's `admins.json` while alive.
    pub fn sign_up_admin(prefix: &str) -> HubAccount {
        let account = HubAccount::sign_up(prefix);
        edit_json_locked(&hub().admins(), |v| {
            if !v.is_array() {
                *v = json!([]);
            }
            v.as_array_mut().unwrap().push(json!(account.name));
        });
        account
    }

    /// `NAME/python-canvas-client`, the shipped course's repository for this learner.
    pub fn repository(&self) -> String {
        format!("{}/python-canvas-client", self.name)
    }
}

impl Drop for HubAccount {
    fn drop(&mut self) {
        if hub().admins().exists() {
            edit_json_locked(&hub().admins(), |v| {
                if let Some(list) = v.as_array_mut() {
                    list.retain(|n| n != &json!(self.name));
                }
            });
        }
        edit_json_locked(&hub().accounts, |v| {
            if let Some(map) = v.as_object_mut() {
                map.remove(&self.name);
            }
        });
    }
}

/// Makes hub.docker.com answer `switch` (`cloudflare`, `challenge`, `down`, `ratelimit`,
/// `ratelimit-both`) for requests about `name` while alive, through `scripts/lab.sh hub set`.
pub struct HubSwitch {
    name: String,
}

impl HubSwitch {
    fn set(name: &str, switch: &str) {
        let out = Command::new("bash")
            .arg(repo_root().join("scripts/lab.sh"))
            .args(["hub", "set", switch, name])
            .env("LAB_DIR", &hub().lab_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "scripts/lab.sh hub set {switch} {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn new(name: &str, switch: &str) -> HubSwitch {
        HubSwitch::set(name, switch);
        HubSwitch {
            name: name.to_string(),
        }
    }
}

impl Drop for HubSwitch {
    fn drop(&mut self) {
        HubSwitch::set(&self.name, "ok");
    }
}

impl Private {
    /// Keeps repositories private on the simulated Docker Hub while alive.
    pub fn make_hub(repos: &[&str]) -> Private {
        Private::in_file(hub().private_repos.clone(), repos)
    }
}

/// A learner's machine inside the Hub simulation: the simulation's dockerd, a Docker config folder,
/// a `learn-registry` state folder and a PATH folder for credential helpers of its own. Every command
/// (the real `docker` CLI, `learn-registry` with its defaults) runs through `hub/run`, so it meets
/// Docker Hub's real names. Everything said is kept for [`HubMachine::assert_no_secrets`].
pub struct HubMachine {
    pub config: TempDir,
    pub home: TempDir,
    pub bin: TempDir,
    tags: Mutex<Vec<String>>,
    said: Mutex<Vec<String>>,
}

impl Default for HubMachine {
    fn default() -> Self {
        HubMachine::new()
    }
}

impl HubMachine {
    pub fn new() -> HubMachine {
        hub();
        HubMachine {
            config: TempDir::new().unwrap(),
            home: TempDir::new().unwrap(),
            bin: TempDir::new().unwrap(),
            tags: Mutex::new(Vec::new()),
            said: Mutex::new(Vec::new()),
        }
    }

    /// PATH with the machine's helper folder first.
    pub fn path(&self) -> String {
        format!(
            "{}:{}",
            self.bin.path().display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// `PROGRAM ARGS` inside the simulation, seeing only this machine (killed after 120 s).
    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut all = vec!["120", program];
        all.extend(args);
        self.terminal_command("timeout", &all)
    }

    /// The same without the time limit: `timeout` would put a terminal program in a background
    /// process group, away from its terminal (for `start` in a pty).
    pub fn terminal_command(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(&hub().run);
        cmd.arg(program)
            .args(args)
            .env("DOCKER_HOST", &hub().docker_host)
            .env("DOCKER_CONFIG", self.config.path())
            .env("LEARN_REGISTRY_HOME", self.home.path())
            .env("PATH", self.path())
            .env("NO_COLOR", "1")
            .env("DOCKER_BUILDKIT", "0")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_AUTH_CONFIG")
            .env_remove("LEARN_REGISTRY_TIMING")
            .env_remove("LEARN_REGISTRY_LESSONS")
            .env_remove("LEARN_REGISTRY_REGISTRY")
            .env_remove("LEARN_REGISTRY_HUB_API");
        cmd
    }

    fn output(&self, mut cmd: Command, stdin: Option<&str>) -> Output {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("hub/run starts");
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        let output = child.wait_with_output().unwrap();
        let mut said = self.said.lock().unwrap();
        said.push(String::from_utf8_lossy(&output.stdout).into_owned());
        said.push(String::from_utf8_lossy(&output.stderr).into_owned());
        output
    }

    /// The real `docker` CLI; its output, whatever the exit code.
    pub fn docker_output(&self, args: &[&str], stdin: Option<&str>) -> Output {
        self.output(self.command("docker", args), stdin)
    }

    /// The real `docker` CLI, which must succeed; returns stdout.
    pub fn d(&self, args: &[&str]) -> String {
        self.docker_in(args, None)
    }

    pub fn docker_in(&self, args: &[&str], stdin: Option<&str>) -> String {
        let output = self.docker_output(args, stdin);
        assert!(
            output.status.success(),
            "docker {} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// `docker login -u NAME --password-stdin` (no server: Docker Hub).
    pub fn login(&self, account: &HubAccount) {
        self.docker_in(
            &["login", "-u", &account.name, "--password-stdin"],
            Some(&account.password),
        );
    }

    /// `docker tag SOURCE TARGET`, untagged again when the machine is dropped.
    pub fn tag(&self, source: &str, target: &str) {
        self.d(&["tag", source, target]);
        self.forget_later(target);
    }

    pub fn forget_later(&self, name: &str) {
        self.tags.lock().unwrap().push(name.to_string());
    }

    /// `learn-registry ARGS` with the course's defaults (no `--registry`, no `--hub-api`).
    pub fn learn(&self, args: &[&str]) -> Run {
        let output = self.output(
            self.command(env!("CARGO_BIN_EXE_learn-registry"), args),
            None,
        );
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        Run {
            code: output.status.code().unwrap_or(-1),
            json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
            stdout,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `learn-registry check [LESSON] --format json --var username=NAME [--var classmate=...]`.
    pub fn check(&self, lesson: Option<&str>, vars: &[(&str, &str)], extra: &[&str]) -> Run {
        let mut args: Vec<String> = vec!["check".into()];
        args.extend(lesson.map(String::from));
        args.extend(["--format".into(), "json".into()]);
        for (name, value) in vars {
            args.push("--var".into());
            args.push(format!("{name}={value}"));
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = self.learn(&args);
        assert!(
            !run.json.is_null(),
            "no JSON from check (exit {}): {}{}",
            run.code,
            run.stdout,
            run.stderr
        );
        run
    }

    /// Write `config.json` in the machine's Docker config folder.
    pub fn write_config(&self, config: &Value) {
        write_config(self.config.path(), config)
    }

    /// Install an executable `script` as `docker-credential-NAME` in the machine's PATH folder.
    pub fn install_helper(&self, name: &str, script: &str) -> PathBuf {
        install_helper(self.bin.path(), name, script)
    }

    /// Everything this machine's commands said so far.
    pub fn said(&self) -> Vec<String> {
        self.said.lock().unwrap().clone()
    }

    /// Asserts that no `secret` appears in anything `learn-registry` or `docker` said on this machine,
    /// nor in any file `learn-registry` wrote in its state folder.
    pub fn assert_no_secrets(&self, secrets: &[&str]) {
        let mut texts: Vec<(String, String)> = self
            .said()
            .into_iter()
            .enumerate()
            .map(|(i, t)| (format!("output #{i}"), t))
            .collect();
        let mut dirs = vec![self.home.path().to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    texts.push((
                        path.display().to_string(),
                        String::from_utf8_lossy(&bytes).into_owned(),
                    ));
                }
            }
        }
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            for (source, text) in &texts {
                assert!(
                    !text.contains(secret),
                    "a secret (length {}) appears in {source}",
                    secret.len()
                );
            }
        }
    }
}

impl Drop for HubMachine {
    fn drop(&mut self) {
        let tags = std::mem::take(&mut *self.tags.lock().unwrap());
        if !tags.is_empty() {
            let mut args = vec!["rmi"];
            args.extend(tags.iter().map(String::as_str));
            let _ = self.command("docker", &args).output();
        }
    }
}

/// `config.json` in the Docker config folder `dir` (a `Machine`'s or a `HubMachine`'s).
fn write_config(dir: &Path, config: &Value) {
    std::fs::write(
        dir.join("config.json"),
        serde_json::to_string_pretty(config).unwrap(),
    )
    .unwrap();
}

/// An executable `script` as `docker-credential-NAME` in the PATH folder `bin`.
fn install_helper(bin: &Path, name: &str, script: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = bin.join(format!("docker-credential-{name}"));
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

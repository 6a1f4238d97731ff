//! The probes against the real lab (`scripts/lab.sh up`): the lab's Docker Engine and Podman's Docker API,
//! an open registry, an htpasswd registry and a token-auth registry whose token server behaves like
//! Docker Hub's. Images are tagged, pushed and logged in with the real `docker` CLI, and the tests assert
//! what the probes then see. Only Docker Hub's REST API is faked (wiremock, with its documented response
//! shapes), since nothing here can reach it.
//!
//! The lab's addresses come from the environment (`eval "$(scripts/lab.sh env)"`), or else from
//! `scripts/lab.sh env` itself. When the lab is not running the tests fail and say to run
//! `scripts/lab.sh up`; they never pass by skipping.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::StreamExt;
use learn_registry::probe::docker::{Endpoint, EndpointSource};
use learn_registry::probe::registry::MANIFEST_MEDIA_TYPES;
use learn_registry::probe::{
    Credentials, DockerConfig, DockerProbe, HubClient, HubLookup, ImageAction, ImageRef,
    LoginState, LoginVia, ProbeError, RegistryAuth, RegistryClient, TagList, TagStatus,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

// ------------------------------------------------------------------------------------------ the lab

struct Lab {
    docker_host: String,
    podman_host: Option<String>,
    image: String,
    open: String,
    htpasswd: String,
    token: String,
    private_file: PathBuf,
    vars: HashMap<String, String>,
}

impl Lab {
    fn var(&self, name: &str) -> &str {
        self.vars
            .get(name)
            .unwrap_or_else(|| panic!("the lab environment has no {name}; {}", RUN_LAB))
    }

    fn docker_socket(&self) -> &str {
        self.docker_host
            .strip_prefix("unix://")
            .unwrap_or(&self.docker_host)
    }
}

const RUN_LAB: &str =
    "start the lab with `scripts/lab.sh up` (and optionally `eval \"$(scripts/lab.sh env)\"`)";

const LAB_VARS: [&str; 10] = [
    "LAB_DOCKER_HOST",
    "LAB_PODMAN_HOST",
    "LAB_IMAGE",
    "LAB_REGISTRY",
    "LAB_REGISTRY_HTPASSWD",
    "LAB_REGISTRY_TOKEN",
    "LAB_PRIVATE_REPOS_FILE",
    "LAB_HTPASSWD_USER",
    "LAB_HTPASSWD_PASSWORD",
    "LAB_TOKEN_USER",
];

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The lab's addresses, from the environment or `scripts/lab.sh env`, checked to be up.
fn lab() -> &'static Lab {
    static LAB: OnceLock<Lab> = OnceLock::new();
    LAB.get_or_init(|| {
        let root = repo_root();
        let mut vars: HashMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("LAB_"))
            .collect();
        if LAB_VARS.iter().any(|v| !vars.contains_key(*v)) {
            let output = Command::new("bash")
                .arg(root.join("scripts/lab.sh"))
                .arg("env")
                .output()
                .unwrap_or_else(|e| panic!("cannot run scripts/lab.sh env ({e}); {RUN_LAB}"));
            assert!(
                output.status.success(),
                "scripts/lab.sh env failed: {}; {RUN_LAB}",
                String::from_utf8_lossy(&output.stderr)
            );
            for line in String::from_utf8_lossy(&output.stdout).lines() {
                if let Some((k, v)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
                    // `printf %q` quoting: the lab's values are plain, but strip quotes if any.
                    let v = v.trim_matches('\'').trim_matches('"');
                    vars.entry(k.to_string()).or_insert_with(|| v.to_string());
                }
            }
        }
        for name in LAB_VARS {
            assert!(
                vars.contains_key(name),
                "the lab environment lacks {name}; {RUN_LAB}"
            );
        }
        let lab = Lab {
            docker_host: vars["LAB_DOCKER_HOST"].clone(),
            podman_host: Some(vars["LAB_PODMAN_HOST"].clone()).filter(|h| !h.is_empty()),
            image: vars["LAB_IMAGE"].clone(),
            open: vars["LAB_REGISTRY"].clone(),
            htpasswd: vars["LAB_REGISTRY_HTPASSWD"].clone(),
            token: vars["LAB_REGISTRY_TOKEN"].clone(),
            private_file: PathBuf::from(&vars["LAB_PRIVATE_REPOS_FILE"]),
            vars,
        };
        assert!(
            Path::new(lab.docker_socket()).exists(),
            "the lab's Docker Engine socket {} does not exist; {RUN_LAB}",
            lab.docker_socket()
        );
        for (what, addr) in [
            ("open registry", &lab.open),
            ("htpasswd registry", &lab.htpasswd),
            ("token registry", &lab.token),
        ] {
            assert!(
                std::net::TcpStream::connect(addr).is_ok(),
                "the lab's {what} at {addr} does not answer; {RUN_LAB}"
            );
        }
        lab
    })
}

/// A name no other test (or earlier run) uses.
fn unique(prefix: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}-{}-{}-{}",
        std::process::id(),
        Utc::now().timestamp_millis() % 1_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The real `docker` CLI against `host`, with its own config folder so no test touches ~/.docker.
fn docker(host: &str, config: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new("docker")
        .arg("--config")
        .arg(config)
        .args(args)
        .env("DOCKER_HOST", host)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the docker CLI is installed");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "docker {} failed: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Untags the names a test made, even when it fails.
struct Cleanup {
    host: String,
    config: PathBuf,
    tags: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for tag in &self.tags {
            let _ = Command::new("docker")
                .arg("--config")
                .arg(&self.config)
                .args(["rmi", tag])
                .env("DOCKER_HOST", &self.host)
                .output();
        }
    }
}

/// Tag the lab image as `target` and push it with `docker`; returns a guard that untags it.
fn tag_and_push(host: &str, config: &Path, source: &str, target: &str) -> Cleanup {
    docker(host, config, &["tag", source, target], None);
    let cleanup = Cleanup {
        host: host.to_string(),
        config: config.to_path_buf(),
        tags: vec![target.to_string()],
    };
    docker(host, config, &["push", target], None);
    cleanup
}

fn docker_login(lab: &Lab, config: &Path, registry: &str, user: &str, password: &str) {
    docker(
        &lab.docker_host,
        config,
        &["login", registry, "-u", user, "--password-stdin"],
        Some(password),
    );
}

/// Adds repositories to the token server's private list while alive (atomic rewrite, since the
/// server re-reads the file on every request and other tests edit it too).
struct Private {
    file: PathBuf,
    repos: Vec<String>,
}

impl Private {
    fn edit(file: &Path, change: impl Fn(&mut Vec<String>)) {
        let mut list: Vec<String> = std::fs::read_to_string(file)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        change(&mut list);
        let tmp = file.with_extension(format!("json.{}", unique("tmp")));
        std::fs::write(&tmp, serde_json::to_string(&list).unwrap()).unwrap();
        std::fs::rename(&tmp, file).unwrap();
    }

    fn make(file: &Path, repos: &[&str]) -> Private {
        Private::edit(file, |list| {
            list.extend(repos.iter().map(|r| r.to_string()));
        });
        Private {
            file: file.to_path_buf(),
            repos: repos.iter().map(|r| r.to_string()).collect(),
        }
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        Private::edit(&self.file, |list| list.retain(|r| !self.repos.contains(r)));
    }
}

fn image(reference: &str) -> ImageRef {
    ImageRef::parse(reference).unwrap()
}

fn creds(user: &str, password: &str) -> RegistryAuth {
    RegistryAuth::Credentials(Credentials::new(user, password))
}

fn api_version(v: &str) -> (u32, u32) {
    let (major, minor) = v.split_once('.').unwrap_or((v, "0"));
    (major.parse().unwrap_or(0), minor.parse().unwrap_or(0))
}

// --------------------------------------------------------------------------------- Docker Engine

#[tokio::test]
async fn engine_answers_with_a_negotiated_api_version() {
    let lab = lab();
    let probe = DockerProbe::connect_to(&lab.docker_host).await.unwrap();
    let info = probe.ping().await.unwrap();
    assert!(!info.is_podman, "{info:?}");
    assert!(!info.version.is_empty() && !info.api_version.is_empty());
    assert!(
        api_version(&info.negotiated_api_version) <= api_version(&info.api_version),
        "negotiated {} must not exceed the engine's {}",
        info.negotiated_api_version,
        info.api_version
    );
    // Debian's dockerd 20.10 speaks 1.41, older than bollard's default: negotiation must have lowered it.
    if info.api_version == "1.41" {
        assert_eq!(info.negotiated_api_version, "1.41");
    }
}

#[tokio::test]
async fn engine_is_found_through_a_docker_context() {
    let lab = lab();
    let config = tempfile::tempdir().unwrap();
    let name = "probe-lab";
    std::fs::write(
        config.path().join("config.json"),
        format!(r#"{{"currentContext": "{name}"}}"#),
    )
    .unwrap();
    // Let the real CLI write the context, so the test proves we read what Docker writes.
    let out = Command::new("docker")
        .arg("--config")
        .arg(config.path())
        .args(["context", "create", name, "--docker"])
        .arg(format!("host={}", lab.docker_host))
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "docker context create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let endpoint = Endpoint::resolve_with(|_| None, config.path()).unwrap();
    assert_eq!(endpoint.source, EndpointSource::Context(name.into()));
    assert_eq!(endpoint.host, lab.docker_host);
    let probe = DockerProbe::connect_endpoint(endpoint, Duration::from_secs(5))
        .await
        .unwrap();
    probe.ping().await.unwrap();
}

#[tokio::test]
async fn a_stopped_engine_is_unavailable_quickly() {
    let dir = tempfile::tempdir().unwrap();
    // A socket file nobody listens on: what a crashed dockerd leaves behind.
    let sock = dir.path().join("docker.sock");
    drop(std::os::unix::net::UnixListener::bind(&sock).unwrap());
    for host in [
        format!("unix://{}", sock.display()),
        format!("unix://{}/missing.sock", dir.path().display()),
    ] {
        let started = Instant::now();
        let err = DockerProbe::connect_to(&host).await.unwrap_err();
        assert!(
            matches!(err, ProbeError::Unavailable { .. }),
            "{host}: {err:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{host} was slow"
        );
    }
}

#[tokio::test]
async fn inspect_and_list_local_images() {
    let lab = lab();
    let probe = DockerProbe::connect_to(&lab.docker_host).await.unwrap();
    let info = probe
        .inspect_image(&lab.image)
        .await
        .unwrap()
        .expect("the lab image exists");
    assert!(info.id.starts_with("sha256:"), "{info:?}");
    assert!(info.has_tag(&image(&lab.image)), "{info:?}");
    assert_eq!(
        probe.inspect_image("probe-no-such-image:1").await.unwrap(),
        None
    );
    assert!(matches!(
        probe.inspect_image("a?b").await.unwrap_err(),
        ProbeError::InvalidReference { .. }
    ));
    let images = probe.list_images().await.unwrap();
    assert!(
        images
            .iter()
            .any(|i| i.id == info.id && i.has_tag(&image(&lab.image))),
        "list_images lacks {}: {images:?}",
        lab.image
    );
}

#[tokio::test]
async fn tag_and_push_show_in_events_inspect_and_registry() {
    let lab = lab();
    let config = tempfile::tempdir().unwrap();
    let probe = DockerProbe::connect_to(&lab.docker_host).await.unwrap();
    let registry = RegistryClient::new().unwrap();
    let repo = format!("{}/probe/{}", lab.open, unique("app"));
    let target = format!("{repo}:1.0");
    let reference = image(&target);

    let start = Utc::now() - chrono::Duration::seconds(1);
    let _cleanup = tag_and_push(&lab.docker_host, config.path(), &lab.image, &target);

    // The engine saw a tag and a push of exactly this reference.
    let events = probe.events_since(start, Utc::now()).await.unwrap();
    let about: Vec<_> = events.iter().filter(|e| e.is_about(&reference)).collect();
    assert!(
        about.iter().any(|e| e.action == ImageAction::Tag),
        "no tag event: {events:?}"
    );
    assert!(
        about.iter().any(|e| e.action == ImageAction::Push),
        "no push event: {events:?}"
    );

    // The local image now has a RepoDigest in that repository, and the registry serves that digest.
    let local = probe.inspect_image(&target).await.unwrap().unwrap();
    let local_digests = local.repo_digests_for(&reference);
    assert_eq!(local_digests.len(), 1, "{local:?}");
    match registry
        .head_manifest(&reference, &RegistryAuth::Anonymous)
        .await
        .unwrap()
    {
        TagStatus::Present { digest, media_type } => {
            assert_eq!(digest, local_digests[0]);
            assert!(
                MANIFEST_MEDIA_TYPES.contains(&media_type.as_str()),
                "{media_type}"
            );
        }
        other => panic!("expected the tag to be present: {other:?}"),
    }
    assert_eq!(
        registry
            .head_manifest(
                &reference.with_tag("2.0").unwrap(),
                &RegistryAuth::Anonymous
            )
            .await
            .unwrap(),
        TagStatus::Absent
    );
    assert_eq!(
        registry
            .list_tags(&reference, &RegistryAuth::Anonymous)
            .await
            .unwrap(),
        TagList::Tags(vec!["1.0".into()])
    );
    let missing = image(&format!("{}/probe/{}:1.0", lab.open, unique("missing")));
    assert_eq!(
        registry
            .list_tags(&missing, &RegistryAuth::Anonymous)
            .await
            .unwrap(),
        TagList::NoSuchRepository
    );
    assert_eq!(
        registry
            .head_manifest(&missing, &RegistryAuth::Anonymous)
            .await
            .unwrap(),
        TagStatus::Absent
    );
    assert!(registry.anonymous_pull_allowed(&reference).await.unwrap());
}

#[tokio::test]
async fn live_image_events_arrive() {
    let lab = lab();
    let config = tempfile::tempdir().unwrap();
    let probe = DockerProbe::connect_to(&lab.docker_host).await.unwrap();
    let target = format!("probe-live/{}:1.0", unique("img"));
    let reference = image(&target);
    // `since` makes the engine replay what happened between subscribing and the stream being polled.
    let stream = probe.image_events(Some(Utc::now() - chrono::Duration::seconds(1)));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        futures_util::pin_mut!(stream);
        while let Some(event) = stream.next().await {
            if tx.send(event).is_err() {
                break;
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    docker(
        &lab.docker_host,
        config.path(),
        &["tag", &lab.image, &target],
        None,
    );
    let _cleanup = Cleanup {
        host: lab.docker_host.clone(),
        config: config.path().to_path_buf(),
        tags: vec![target.clone()],
    };
    let found = tokio::time::timeout(Duration::from_secs(15), async {
        while let Some(event) = rx.recv().await {
            let event = event.unwrap();
            if event.action == ImageAction::Tag && event.is_about(&reference) {
                return event;
            }
        }
        panic!("the event stream ended");
    })
    .await
    .expect("a tag event within 15s");
    assert!(found.image_id.is_some(), "{found:?}");
    task.abort();
}

// ----------------------------------------------------------------------------------- registries

#[tokio::test]
async fn htpasswd_registry_needs_basic_credentials() {
    let lab = lab();
    let config = tempfile::tempdir().unwrap();
    let user = lab.var("LAB_HTPASSWD_USER");
    let password = lab.var("LAB_HTPASSWD_PASSWORD");
    docker_login(lab, config.path(), &lab.htpasswd, user, password);
    let target = format!("{}/{user}/{}:1.0", lab.htpasswd, unique("probe"));
    let reference = image(&target);
    let _cleanup = tag_and_push(&lab.docker_host, config.path(), &lab.image, &target);

    // What `docker login` left behind, read as the `logged_in` check reads it.
    let docker_config = DockerConfig::load_from_dir(config.path()).unwrap();
    assert_eq!(
        docker_config.login_state(&lab.htpasswd).await.unwrap(),
        LoginState::LoggedIn {
            via: LoginVia::Auths,
            username: Some(user.to_string())
        }
    );
    assert_eq!(
        docker_config.login_state("docker.io").await.unwrap(),
        LoginState::NotLoggedIn
    );
    let logins = docker_config.logins().await.unwrap();
    assert_eq!(
        logins
            .iter()
            .map(|l| l.registry.as_str())
            .collect::<Vec<_>>(),
        [lab.htpasswd.as_str()]
    );
    let stored = docker_config
        .credentials(&lab.htpasswd)
        .await
        .unwrap()
        .expect("credentials stored by docker login");
    assert_eq!(stored.username(), user);
    assert!(!format!("{stored:?}").contains(password));

    let registry = RegistryClient::new().unwrap();
    let anonymous = RegistryAuth::Anonymous;
    let logged_in = RegistryAuth::Credentials(stored);
    assert_eq!(
        registry
            .head_manifest(&reference, &anonymous)
            .await
            .unwrap(),
        TagStatus::Unauthorized
    );
    assert!(matches!(
        registry
            .head_manifest(&reference, &logged_in)
            .await
            .unwrap(),
        TagStatus::Present { .. }
    ));
    assert_eq!(
        registry
            .head_manifest(&reference, &creds(user, "wrong-password"))
            .await
            .unwrap(),
        TagStatus::Unauthorized
    );
    assert_eq!(
        registry.list_tags(&reference, &anonymous).await.unwrap(),
        TagList::Unauthorized
    );
    assert_eq!(
        registry.list_tags(&reference, &logged_in).await.unwrap(),
        TagList::Tags(vec!["1.0".into()])
    );
    assert!(!registry.anonymous_pull_allowed(&reference).await.unwrap());
    assert!(
        registry
            .verify_credentials(&lab.htpasswd, &Credentials::new(user, password))
            .await
            .unwrap()
    );
    assert!(
        !registry
            .verify_credentials(&lab.htpasswd, &Credentials::new(user, "wrong-password"))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn token_registry_behaves_like_docker_hub() {
    let lab = lab();
    let config = tempfile::tempdir().unwrap();
    let alice = lab.var("LAB_TOKEN_USER");
    let alice_password = lab.var("LAB_TOKEN_PASSWORD");
    let bob = lab.var("LAB_TOKEN_USER2");
    let bob_password = lab.var("LAB_TOKEN_PASSWORD2");
    docker_login(lab, config.path(), &lab.token, alice, alice_password);
    let name = unique("probe");
    let repo_path = format!("{alice}/{name}");
    let target = format!("{}/{repo_path}:1.0", lab.token);
    let reference = image(&target);
    let _cleanup = tag_and_push(&lab.docker_host, config.path(), &lab.image, &target);

    let registry = RegistryClient::new().unwrap();
    let anonymous = RegistryAuth::Anonymous;
    let as_alice = creds(alice, alice_password);
    let as_bob = creds(bob, bob_password);

    // Public: anyone gets a pull token.
    assert!(matches!(
        registry
            .head_manifest(&reference, &anonymous)
            .await
            .unwrap(),
        TagStatus::Present { .. }
    ));
    assert!(registry.anonymous_pull_allowed(&reference).await.unwrap());
    assert_eq!(
        registry.list_tags(&reference, &anonymous).await.unwrap(),
        TagList::Tags(vec!["1.0".into()])
    );

    // Private: only the owner.
    {
        let _private = Private::make(&lab.private_file, &[&repo_path]);
        assert_eq!(
            registry
                .head_manifest(&reference, &anonymous)
                .await
                .unwrap(),
            TagStatus::Unauthorized
        );
        assert!(!registry.anonymous_pull_allowed(&reference).await.unwrap());
        assert!(matches!(
            registry.head_manifest(&reference, &as_alice).await.unwrap(),
            TagStatus::Present { .. }
        ));
        assert_eq!(
            registry.head_manifest(&reference, &as_bob).await.unwrap(),
            TagStatus::Unauthorized
        );
        assert_eq!(
            registry.list_tags(&reference, &as_bob).await.unwrap(),
            TagList::Unauthorized
        );
    }
    assert!(
        registry.anonymous_pull_allowed(&reference).await.unwrap(),
        "public again once off the private list"
    );

    // Wrong password: the token service refuses, which is a definite "unauthorized".
    assert_eq!(
        registry
            .head_manifest(&reference, &creds(alice, "wrong-password"))
            .await
            .unwrap(),
        TagStatus::Unauthorized
    );
    // `docker login`'s own test: the token service accepts or refuses the password.
    let good = Credentials::new(alice, alice_password);
    assert!(
        registry
            .verify_credentials(&lab.token, &good)
            .await
            .unwrap()
    );
    let bad = Credentials::new(alice, "wrong-password");
    assert!(!registry.verify_credentials(&lab.token, &bad).await.unwrap());
    // A missing repository looks private to everybody but its owner, as on Docker Hub.
    let missing = image(&format!("{}/{alice}/{}:1.0", lab.token, unique("missing")));
    assert_eq!(
        registry.head_manifest(&missing, &anonymous).await.unwrap(),
        TagStatus::Unauthorized
    );
    assert_eq!(
        registry.head_manifest(&missing, &as_alice).await.unwrap(),
        TagStatus::Absent
    );
}

#[tokio::test]
async fn unreachable_slow_and_overloaded_registries_cannot_be_verified() {
    // Closed port: connection refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_addr = closed.local_addr().unwrap();
    drop(closed);
    let registry = RegistryClient::with_timeout(Duration::from_secs(2)).unwrap();
    let err = registry
        .head_manifest(
            &image(&format!("{closed_addr}/a/b:1")),
            &RegistryAuth::Anonymous,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ProbeError::Unavailable { .. }), "{err:?}");

    // Accepts the connection, never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            held.push(conn);
        }
    });
    let started = Instant::now();
    let err = registry
        .head_manifest(
            &image(&format!("{silent_addr}/a/b:1")),
            &RegistryAuth::Anonymous,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ProbeError::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    hold.abort();

    // 429 with Retry-After, and 503.
    let server = MockServer::start().await;
    Mock::given(method("HEAD"))
        .and(path("/v2/busy/app/manifests/1.0"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "42"))
        .mount(&server)
        .await;
    Mock::given(method("HEAD"))
        .and(path("/v2/broken/app/manifests/1.0"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let host = server.address().to_string();
    let err = registry
        .head_manifest(
            &image(&format!("{host}/busy/app:1.0")),
            &RegistryAuth::Anonymous,
        )
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(42)), "{err:?}");
    let err = registry
        .head_manifest(
            &image(&format!("{host}/broken/app:1.0")),
            &RegistryAuth::Anonymous,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProbeError::Unavailable { .. }) && err.is_unverifiable(),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_registry_without_digest_headers_gets_the_digest_computed() {
    let server = MockServer::start().await;
    let manifest =
        r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#;
    Mock::given(method("HEAD"))
        .and(path("/v2/old/app/manifests/1.0"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Content-Type", "application/vnd.oci.image.manifest.v1+json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/old/app/manifests/1.0"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            manifest.as_bytes(),
            "application/vnd.oci.image.manifest.v1+json",
        ))
        .mount(&server)
        .await;
    let registry = RegistryClient::new().unwrap();
    let status = registry
        .head_manifest(
            &image(&format!("{}/old/app:1.0", server.address())),
            &RegistryAuth::Anonymous,
        )
        .await
        .unwrap();
    use sha2::Digest;
    let expected = format!("sha256:{}", hex::encode(sha2::Sha256::digest(manifest)));
    assert_eq!(
        status,
        TagStatus::Present {
            digest: expected,
            media_type: "application/vnd.oci.image.manifest.v1+json".into()
        }
    );
}

// ------------------------------------------------------------------------------------------ Podman

#[tokio::test]
async fn podman_docker_api_works_too() {
    let lab = lab();
    let Some(host) = lab.podman_host.as_deref() else {
        assert_eq!(
            std::env::var("LAB_PODMAN").as_deref(),
            Ok("off"),
            "the lab runs without Podman (LAB_PODMAN_HOST is empty); see `scripts/lab.sh up`'s \
             warning, or set LAB_PODMAN=off to run without Podman on purpose"
        );
        return;
    };
    let config = tempfile::tempdir().unwrap();
    let probe = DockerProbe::connect_to(host).await.unwrap();
    let info = probe.ping().await.unwrap();
    assert!(info.is_podman, "{info:?}");
    assert!(api_version(&info.negotiated_api_version) <= api_version(&info.api_version));

    // Podman resolves the short name to `localhost/my-app`; has_tag counts that as `my-app`.
    let local = probe.inspect_image(&lab.image).await.unwrap().unwrap();
    assert!(local.has_tag(&image(&lab.image)), "{local:?}");
    assert!(!probe.list_images().await.unwrap().is_empty());

    let target = format!("{}/probe-podman/{}:1.0", lab.open, unique("app"));
    let reference = image(&target);
    let start = Utc::now() - chrono::Duration::seconds(1);
    let _cleanup = tag_and_push(host, config.path(), &lab.image, &target);
    let events = probe.events_since(start, Utc::now()).await.unwrap();
    for action in [ImageAction::Tag, ImageAction::Push] {
        assert!(
            events
                .iter()
                .any(|e| e.action == action && e.is_about(&reference)),
            "no {action:?} event for {target}: {events:?}"
        );
    }
    // Podman may record one digest per manifest format, and a first push to a registry re-compresses
    // the layers, so the registry's manifest digest need not be among RepoDigests at all. What always
    // holds: the manifest the registry serves names this image's config.
    let pushed = probe.inspect_image(&target).await.unwrap().unwrap();
    let client = RegistryClient::new().unwrap();
    let TagStatus::Present { digest, .. } = client
        .head_manifest(&reference, &RegistryAuth::Anonymous)
        .await
        .unwrap()
    else {
        panic!("pushed by Podman but not in the registry");
    };
    let config = client
        .manifest_config_digest(&reference, &RegistryAuth::Anonymous)
        .await
        .unwrap();
    assert!(
        pushed.repo_digests_for(&reference).contains(&digest)
            || config.as_deref() == Some(pushed.id.as_str()),
        "registry manifest {digest} (config {config:?}) is not image {} ({:?})",
        pushed.id,
        pushed.repo_digests
    );
    assert_eq!(
        config.as_deref(),
        Some(pushed.id.as_str()),
        "config digest is the image ID"
    );
}

// ------------------------------------------------------------------------------ Docker Hub (fake)

async fn hub() -> (MockServer, HubClient) {
    let server = MockServer::start().await;
    let client = HubClient::new(&server.uri()).unwrap();
    (server, client)
}

fn json(status: u16, body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

#[tokio::test]
async fn hub_users() {
    let (server, hub) = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/users/alice2024/"))
        .respond_with(json(
            200,
            serde_json::json!({
                "id": "0f5b7e2c8f2a4b7e9c1d2e3f4a5b6c7d", "uuid": "0f5b7e2c-8f2a-4b7e-9c1d-2e3f4a5b6c7d",
                "username": "alice2024", "full_name": "", "location": "", "company": "",
                "profile_url": "", "date_joined": "2024-09-01T10:00:00.123456Z",
                "gravatar_url": "", "gravatar_email": "", "type": "User"
            }),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/users/nobody123/"))
        .respond_with(json(404, serde_json::json!({"message": "User not found"})))
        .mount(&server)
        .await;

    let HubLookup::Found(user) = hub.user("alice2024").await.unwrap() else {
        panic!("alice2024 exists");
    };
    assert_eq!(user.username, "alice2024");
    assert_eq!(
        user.date_joined.as_deref(),
        Some("2024-09-01T10:00:00.123456Z")
    );
    assert_eq!(user.kind.as_deref(), Some("User"));
    assert_eq!(hub.user("nobody123").await.unwrap(), HubLookup::NotFound);

    // Names outside Docker Hub's rules never reach the server.
    let before = server.received_requests().await.unwrap().len();
    for bad in ["Alice", "bob", "al/../ice", "alice%2F"] {
        assert!(
            matches!(hub.user(bad).await, Err(ProbeError::InvalidName { .. })),
            "{bad}"
        );
    }
    assert_eq!(server.received_requests().await.unwrap().len(), before);
}

#[tokio::test]
async fn hub_repositories_and_tags() {
    let (server, hub) = hub().await;
    let repo = |name: &str, private: bool| {
        serde_json::json!({
            "user": "alice2024", "name": name, "namespace": "alice2024",
            "repository_type": "image", "status": 1, "status_description": "active",
            "description": "", "is_private": private, "is_automated": false, "star_count": 0,
            "pull_count": 3, "last_updated": "2024-09-02T08:00:00.000000Z",
            "date_registered": "2024-09-02T07:59:00.000000Z", "collaborator_count": 0,
            "affiliation": null, "hub_user": "alice2024", "has_starred": false,
            "full_description": null, "permissions": {"read": true, "write": false, "admin": false},
            "media_types": ["application/vnd.docker.container.image.v1+json"],
            "content_types": ["image"], "categories": []
        })
    };
    let base = "/v2/namespaces/alice2024/repositories";
    Mock::given(method("GET"))
        .and(path(format!("{base}/python-canvas-client")))
        .respond_with(json(200, repo("python-canvas-client", false)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{base}/secret")))
        .respond_with(json(200, repo("secret", true)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{base}/hidden")))
        .respond_with(json(
            401,
            serde_json::json!({"message": "authentication required"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{base}/python-canvas-client/tags/1.0")))
        .respond_with(json(
            200,
            serde_json::json!({
                "creator": 123, "id": 456, "last_updated": "2024-09-02T08:00:00.000000Z",
                "last_updater": 123, "last_updater_username": "alice2024", "name": "1.0",
                "repository": 789, "full_size": 1234, "v2": true, "tag_status": "active",
                "tag_last_pulled": null, "tag_last_pushed": "2024-09-02T08:00:00.000000Z",
                "media_type": "application/vnd.docker.distribution.manifest.v2+json",
                "content_type": "image",
                "digest": "sha256:74a7a5cd16527a7ae3cb3d5bba1622321bdcc75a87b567ff35ec358be9b8a584",
                "images": [{
                    "architecture": "amd64", "features": "", "variant": null,
                    "digest": "sha256:74a7a5cd16527a7ae3cb3d5bba1622321bdcc75a87b567ff35ec358be9b8a584",
                    "os": "linux", "os_features": "", "os_version": null, "size": 1234,
                    "status": "active", "last_pulled": null, "last_pushed": "2024-09-02T08:00:00.000000Z"
                }]
            }),
        ))
        .mount(&server)
        .await;
    // Anything else: the Hub's 404.
    Mock::given(method("GET"))
        .respond_with(json(
            404,
            serde_json::json!({"message": "object not found", "errors": null}),
        ))
        .with_priority(10)
        .mount(&server)
        .await;

    let HubLookup::Found(public) = hub
        .repository("alice2024", "python-canvas-client")
        .await
        .unwrap()
    else {
        panic!("public repository shows");
    };
    assert!(!public.is_private);
    assert_eq!(
        (
            public.namespace.as_str(),
            public.name.as_str(),
            public.pull_count
        ),
        ("alice2024", "python-canvas-client", Some(3))
    );
    let HubLookup::Found(secret) = hub.repository("alice2024", "secret").await.unwrap() else {
        panic!("private repository shows to its owner");
    };
    assert!(secret.is_private);
    // The Hub answers visitors 404; a 401 comes from something in front of it: could not verify.
    let err = hub.repository("alice2024", "hidden").await.unwrap_err();
    assert!(
        matches!(err, ProbeError::Blocked { .. }) && err.is_unverifiable(),
        "{err:?}"
    );
    assert_eq!(
        hub.repository("alice2024", "nothing-here").await.unwrap(),
        HubLookup::NotFound
    );

    let HubLookup::Found(tag) = hub
        .tag("alice2024", "python-canvas-client", "1.0")
        .await
        .unwrap()
    else {
        panic!("tag 1.0 shows");
    };
    assert_eq!(tag.name, "1.0");
    assert_eq!(tag.images.len(), 1);
    assert_eq!(tag.images[0].architecture.as_deref(), Some("amd64"));
    assert_eq!(tag.digest, tag.images[0].digest);
    assert_eq!(
        hub.tag("alice2024", "python-canvas-client", "2.0")
            .await
            .unwrap(),
        HubLookup::NotFound
    );
    assert!(matches!(
        hub.tag("alice2024", "python-canvas-client", "../1.0").await,
        Err(ProbeError::InvalidName { .. })
    ));
}

#[tokio::test]
async fn hub_rate_limits_and_outages_cannot_be_verified() {
    let (server, hub) = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/users/limited1/"))
        .respond_with(
            json(429, serde_json::json!({"message": "Too Many Requests"}))
                .insert_header("Retry-After", "30"),
        )
        .mount(&server)
        .await;
    let in_a_minute = (Utc::now() + chrono::Duration::seconds(60))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    Mock::given(method("GET"))
        .and(path("/v2/users/limited2/"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", in_a_minute.as_str()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/users/outage1/"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;

    let err = hub.user("limited1").await.unwrap_err();
    assert!(err.is_unverifiable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    let err = hub.user("limited2").await.unwrap_err();
    let wait = err
        .retry_after()
        .expect("an HTTP-date Retry-After is parsed");
    assert!(
        (Duration::from_secs(55)..=Duration::from_secs(61)).contains(&wait),
        "{wait:?}"
    );
    let err = hub.user("outage1").await.unwrap_err();
    assert!(matches!(err, ProbeError::Unavailable { .. }), "{err:?}");

    // And a Hub that is not there at all.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let err = HubClient::new(&url)
        .unwrap()
        .user("alice2024")
        .await
        .unwrap_err();
    assert!(matches!(err, ProbeError::Unavailable { .. }), "{err:?}");
}

// ------------------------------------------------------------------ the learner's saved login, lazily

/// A config folder whose `auths` hold `user:password` for `registry`, and whose `credsStore`-less
/// secret is therefore read from the file.
fn saved_login(dir: &Path, registry: &str, user: &str, password: &str) -> DockerConfig {
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    std::fs::write(
        dir.join("config.json"),
        format!(r#"{{"auths": {{"{registry}": {{"auth": "{auth}"}}}}}}"#),
    )
    .unwrap();
    DockerConfig::load_from_dir(dir).unwrap()
}

/// A `docker-credential-NAME` helper that logs its calls to `dir/calls.log` and answers `get` with
/// `user:password` for any server.
#[cfg(unix)]
fn logging_helper(dir: &Path, user: &str, password: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let log = dir.join("calls.log");
    let helper = dir.join("docker-credential-logged");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\nread -r server || true\necho \"$1 $server\" >> '{}'\n\
             case \"$1\" in list) echo '{{}}' ;; get) echo '{{\"Username\":\"{user}\",\"Secret\":\"{password}\"}}' ;; esac\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    log
}

#[tokio::test]
async fn a_saved_login_is_read_only_when_the_registry_refuses() {
    let lab = lab();
    let push_config = tempfile::tempdir().unwrap();
    let user = lab.var("LAB_HTPASSWD_USER");
    let password = lab.var("LAB_HTPASSWD_PASSWORD");
    docker_login(lab, push_config.path(), &lab.htpasswd, user, password);
    let target = format!("{}/{user}/{}:1.0", lab.htpasswd, unique("lazy"));
    let reference = image(&target);
    let _cleanup = tag_and_push(&lab.docker_host, push_config.path(), &lab.image, &target);
    let registry = RegistryClient::new().unwrap();

    // Basic registry: anonymous is refused, so the saved login is used and opens it.
    let dir = tempfile::tempdir().unwrap();
    let good = saved_login(dir.path(), &lab.htpasswd, user, password);
    let auth = RegistryAuth::saved_login(&good, &lab.htpasswd);
    assert!(matches!(auth, RegistryAuth::SavedLogin(_)));
    assert!(matches!(
        registry.head_manifest(&reference, &auth).await.unwrap(),
        TagStatus::Present { .. }
    ));
    assert_eq!(
        registry.list_tags(&reference, &auth).await.unwrap(),
        TagList::Tags(vec!["1.0".into()])
    );
    // A saved login the registry rejects says so, and never shows the password.
    let bad = saved_login(dir.path(), &lab.htpasswd, user, "stale-password");
    let err = registry
        .head_manifest(&reference, &RegistryAuth::saved_login(&bad, &lab.htpasswd))
        .await
        .unwrap_err();
    assert!(matches!(err, ProbeError::LoginRefused { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.contains("your saved login for") && shown.contains("docker login"),
        "{shown}"
    );
    assert!(!shown.contains("stale-password") && !shown.contains(password));
    assert!(err.is_unverifiable());
    // No login for that registry at all: plain anonymous, the refusal is the answer.
    let other = saved_login(dir.path(), "localhost:1", user, password);
    let auth = RegistryAuth::saved_login(&other, &lab.htpasswd);
    assert!(matches!(auth, RegistryAuth::Anonymous));

    // Token registry: a wrong saved password is refused at the token realm.
    let alice = lab.var("LAB_TOKEN_USER");
    let token_dir = tempfile::tempdir().unwrap();
    let bad = saved_login(token_dir.path(), &lab.token, alice, "stale-password");
    let private_name = format!("{alice}/{}", unique("lazy-private"));
    let _private = Private::make(&lab.private_file, &[&private_name]);
    let private_ref = image(&format!("{}/{private_name}:1.0", lab.token));
    let err = registry
        .head_manifest(&private_ref, &RegistryAuth::saved_login(&bad, &lab.token))
        .await
        .unwrap_err();
    assert!(matches!(err, ProbeError::LoginRefused { .. }), "{err:?}");
}

#[cfg(unix)]
#[tokio::test]
async fn a_public_repository_never_reads_the_saved_secret() {
    let lab = lab();
    let config = tempfile::tempdir().unwrap();
    let alice = lab.var("LAB_TOKEN_USER");
    let alice_password = lab.var("LAB_TOKEN_PASSWORD");
    docker_login(lab, config.path(), &lab.token, alice, alice_password);
    let target = format!("{}/{alice}/{}:1.0", lab.token, unique("lazy-public"));
    let reference = image(&target);
    let _cleanup = tag_and_push(&lab.docker_host, config.path(), &lab.image, &target);

    let dir = tempfile::tempdir().unwrap();
    let log = logging_helper(dir.path(), alice, alice_password);
    std::fs::write(
        dir.path().join("config.json"),
        r#"{"credsStore": "logged"}"#,
    )
    .unwrap();
    let saved = DockerConfig::load_from_dir(dir.path())
        .unwrap()
        .with_helper_dirs(vec![dir.path().to_path_buf()]);
    let auth = RegistryAuth::saved_login(&saved, &lab.token);
    let registry = RegistryClient::new().unwrap();
    assert!(matches!(
        registry.head_manifest(&reference, &auth).await.unwrap(),
        TagStatus::Present { .. }
    ));
    assert!(
        !log.exists(),
        "public: the helper was run: {:?}",
        std::fs::read_to_string(&log)
    );
    // Private: refused anonymously, so now the helper's `get` runs, and the owner sees it.
    let repo_path = reference.repository().to_string();
    let _private = Private::make(&lab.private_file, &[&repo_path]);
    assert!(matches!(
        registry.head_manifest(&reference, &auth).await.unwrap(),
        TagStatus::Present { .. }
    ));
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(calls.starts_with("get "), "{calls}");
}

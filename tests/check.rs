//! `learn-registry check` against the real lab (`scripts/lab.sh up`): each test does what a learner
//! does with the real `docker` CLI (or skopeo, or Podman), then runs the real binary with `--format
//! json` and asserts each check's status and the words of its message that matter (the name it
//! looked for, what it found instead, the hint for the mistake).
//!
//! Single checks come from `tests/fixtures/check-lessons/check-kinds.yaml` (one check a step, values
//! by `--var`); the shipped course is run whole, before and after its scripted solution. Docker Hub's
//! REST API and a rate-limited registry are faked in the test; everything else is real. Every test
//! has its own Docker config folder and state folder, and names of its own, so tests run in parallel.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use support::{FakeHub, HubAnswer, Machine, Private, lab, unique, unused_port};

fn short_id(id: &str) -> &str {
    &id.trim_start_matches("sha256:")[..12]
}

// ------------------------------------------------------------------------------------------ tag

#[test]
fn tag_right_and_wrong() {
    Machine::on_every_engine(|_engine, m| {
        let lab = lab();
        let (ns, name) = (unique("tag"), unique("app"));
        let right = format!("{}/{ns}/{name}:1.0", lab.open);
        m.tag(&lab.image, &right);
        m.check_step("exists", &[("image", &right)], &[])
            .expect("pass", &[&format!("image `{right}`")]);
        m.check_step("same", &[("image", &right), ("other", &lab.image)], &[])
            .expect("pass", &[&format!("`{right}` and `{}`", lab.image)]);

        // Tagged without the username in front, on the course's registry.
        let wanted = format!("{}/{ns}/{name}:2.0", lab.open);
        let no_namespace = format!("{}/{name}:2.0", lab.open);
        m.tag(&lab.image, &no_namespace);
        for step in ["same", "exists"] {
            m.check_step(step, &[("image", &wanted), ("other", &lab.image)], &[])
                .expect(
                    "fail",
                    &[
                        &format!("no image `{wanted}`"),
                        &format!("you have `{no_namespace}`, which"),
                        &format!("lacks your namespace `{ns}/` in front"),
                    ],
                );
        }

        // The same mistake on Docker Hub: `NAME:1.0` (that is, `library/NAME`) for `USER/NAME:1.0`.
        // (A name of its own keeps this case apart from `right`, which Podman finds for the short
        // name `{ns}/{name}:1.0`: libimage matches a short name against local images of any registry.
        // That the checks do not take such an image for the Hub name is tested in
        // `engine_checks_work_on_every_engine_podman_too`.)
        let hub_name = format!("{name}hub");
        let hub_wanted = format!("{ns}/{hub_name}:1.0");
        m.tag(&lab.image, &format!("{hub_name}:1.0"));
        m.check_step(
            "same",
            &[("image", &hub_wanted), ("other", &lab.image)],
            &[],
        )
        .expect(
            "fail",
            &[
                &format!("you have `{hub_name}:1.0`, which"),
                &format!("lacks your namespace `{ns}/` in front"),
            ],
        );

        // Another tag of the right repository.
        let other_tag = format!("{}/{ns}/{name}:9.9", lab.open);
        m.check_step("exists", &[("image", &other_tag)], &[])
            .expect("fail", &[&format!("`{right}`"), "another tag"]);

        // The right name, but on another image.
        let variant = format!("{}/{ns}/{name}:3.0", lab.open);
        let variant_id = m.build_variant(&variant);
        let source_id = m.image_id(&lab.image);
        m.check_step("same", &[("image", &variant), ("other", &lab.image)], &[])
            .expect(
                "fail",
                &[
                    &format!("`{variant}` is image {}", short_id(&variant_id)),
                    &format!("`{}` is image {}", lab.image, short_id(&source_id)),
                    &format!("docker tag {} {variant}", lab.image),
                ],
            );
    });
}

// ----------------------------------------------------------------------------------------- push

#[test]
fn push_right_to_the_wrong_registry_and_retag_after_push() {
    Machine::on_every_engine(|_engine, m| {
        let lab = lab();
        let (ns, name) = (unique("push"), unique("app"));

        // Right: tagged and pushed.
        let right = format!("{}/{ns}/{name}:1.0", lab.open);
        m.tag(&lab.image, &right);
        m.check_step("pushed", &[("image", &right)], &[]).expect(
            "fail",
            &[&format!("no repository `{}/{ns}/{name}`", lab.open)],
        );
        m.push(&right);
        let pushed = m
            .check_step("pushed", &[("image", &right)], &[])
            .expect("pass", &[&format!("push {right}"), "sha256:"])
            .clone();
        let tag = m
            .check_step("tag", &[("image", &right)], &[])
            .expect("pass", &[&format!("`{right}` in the registry")])
            .clone();
        let digest = tag.message().rsplit("digest ").next().unwrap().to_string();
        assert!(pushed.message().contains(&digest), "same digest both ways");

        // A tag the repository does not have: the failure lists the tags it has.
        let missing = format!("{}/{ns}/{name}:2.0", lab.open);
        m.check_step("tag", &[("image", &missing)], &[]).expect(
            "fail",
            &[
                &format!("tag `2.0` in `{}/{ns}/{name}`", lab.open),
                &format!("tags in `{}/{ns}/{name}`: 1.0", lab.open),
                &format!("docker push {missing}"),
            ],
        );

        // Pushed to another registry (the htpasswd one) than the course's. Through Podman's API, `docker
        // login` speaks plain HTTP only to `localhost:PORT` (scripts/lab.sh, "Known quirk").
        let htpasswd = if m.is_podman() {
            format!("localhost:{}", lab.htpasswd.rsplit(':').next().unwrap())
        } else {
            lab.htpasswd.clone()
        };
        m.login(&htpasswd, "alice", "alicepass");
        let elsewhere = format!("{htpasswd}/alice/{name}:1.0");
        m.tag(&lab.image, &elsewhere);
        m.push(&elsewhere);
        let wanted = format!("{}/alice/{name}:1.0", lab.open);
        m.check_step("pushed", &[("image", &wanted)], &[]).expect(
            "fail",
            &[
                &format!("no local image `{wanted}`"),
                &format!("you have `{elsewhere}`, which names another registry"),
            ],
        );
        m.tag(&lab.image, &wanted);
        m.check_step("pushed", &[("image", &wanted)], &[]).expect(
            "fail",
            &[
                &format!("no repository `{}/alice/{name}`", lab.open),
                &format!("pushed to `{htpasswd}/alice/{name}`, not to `{wanted}`"),
            ],
        );

        // Pushed, then the name was moved to another image.
        let retagged = format!("{}/{ns}/{name}:3.0", lab.open);
        m.tag(&lab.image, &retagged);
        m.push(&retagged);
        let variant = format!("{ns}-variant:1");
        m.build_variant(&variant);
        m.d(&["tag", &variant, &retagged]);
        m.check_step("pushed", &[("image", &retagged)], &[]).expect(
            "fail",
            &[
                &format!("`{retagged}` now names another image than the one pushed"),
                "retagged after pushing",
                &format!("docker push {retagged}"),
            ],
        );
        // The registry still has the tag; only the local name moved.
        m.check_step("tag", &[("image", &retagged)], &[])
            .expect("pass", &[]);
    });
}

// ---------------------------------------------------------------------------------------- login

#[test]
fn login_absent_present_and_to_another_registry() {
    let lab = lab();
    let m = Machine::docker();
    m.check_step("login", &[("login_registry", &lab.htpasswd)], &[])
        .expect(
            "fail",
            &[
                &format!("`docker login` done for `{}`", lab.htpasswd),
                "no registry login",
                &format!("docker login {}", lab.htpasswd),
            ],
        );
    m.login(&lab.htpasswd, "alice", "alicepass");
    m.check_step("login", &[("login_registry", &lab.htpasswd)], &[])
        .expect(
            "pass",
            &[
                &format!("logged in to `{}` as `alice`", lab.htpasswd),
                "config.json",
            ],
        );
    // Logged in, but to another registry than the one asked for.
    m.check_step("login", &[("login_registry", &lab.token)], &[])
        .expect(
            "fail",
            &[
                &format!("logged in to `{}` only", lab.htpasswd),
                "another registry",
                &format!("docker login {}", lab.token),
            ],
        );
    // Docker Hub: `docker login` with no registry.
    m.check_step("login", &[("login_registry", "docker.io")], &[])
        .expect("fail", &["`docker.io`", "run `docker login`"]);
    // ... which config.json keys by its old v1 URL.
    let hub = Machine::docker();
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:secret");
    hub.write_config(&json!({ "auths": { "https://index.docker.io/v1/": { "auth": auth } } }));
    hub.check_step("login", &[("login_registry", "docker.io")], &[])
        .expect("pass", &["logged in to `docker.io` as `alice`"]);
    // Podman can only log in to a loopback registry as `localhost:PORT`; that is the same registry as
    // `127.0.0.1:PORT` on this machine, though config.json keys them apart.
    let port = lab.htpasswd.rsplit(':').next().unwrap();
    let podman_style = Machine::docker();
    podman_style.login(&format!("localhost:{port}"), "alice", "alicepass");
    podman_style
        .check_step("login", &[("login_registry", &lab.htpasswd)], &[])
        .expect(
            "pass",
            &[&format!(
                "logged in to `localhost:{port}` as `alice`, the same registry"
            )],
        );
}

/// A `docker-credential-NAME` helper that knows one login and logs each action it is asked for.
fn fake_helper(m: &Machine, name: &str, registry: &str, user: &str, secret: &str) -> String {
    let log = m.bin.path().join(format!("{name}.log"));
    m.install_helper(
        name,
        &format!(
            r#"#!/bin/sh
# A fake credential helper for tests: one login, and a log of what it was asked.
echo "$1" >> '{log}'
case "$1" in
  get) read -r server; printf '{{"ServerURL":"%s","Username":"{user}","Secret":"{secret}"}}\n' "$server" ;;
  list) printf '{{"{registry}":"{user}"}}\n' ;;
  *) echo "unsupported" >&2; exit 1 ;;
esac
"#,
            log = log.display()
        ),
    );
    log.display().to_string()
}

#[test]
fn login_through_a_credential_helper() {
    let lab = lab();
    let m = Machine::docker();
    let log = fake_helper(&m, "lab", &lab.token, "alice", "alicepass");
    m.write_config(&json!({ "credHelpers": { &lab.token: "lab" } }));
    m.check_step("login", &[("login_registry", &lab.token)], &[])
        .expect(
            "pass",
            &[
                &format!("logged in to `{}` as `alice`", lab.token),
                "credential helper `lab`",
            ],
        );
    let asked = std::fs::read_to_string(&log).unwrap();
    assert!(
        asked.contains("list") && !asked.contains("get"),
        "without verify the secret is never read: {asked}"
    );
    m.check_step("login-verified", &[("login_registry", &lab.token)], &[])
        .expect(
            "pass",
            &["credential helper `lab`", "accepted by the registry"],
        );
    assert!(std::fs::read_to_string(&log).unwrap().contains("get"));

    // The same helper as the store for every registry (`credsStore`).
    let store = Machine::docker();
    fake_helper(&store, "labstore", &lab.token, "alice", "alicepass");
    store.write_config(&json!({ "credsStore": "labstore", "auths": { &lab.token: {} } }));
    store
        .check_step("login-verified", &[("login_registry", &lab.token)], &[])
        .expect(
            "pass",
            &["credential store `labstore`", "accepted by the registry"],
        );
    store
        .check_step("login", &[("login_registry", &lab.htpasswd)], &[])
        .expect("fail", &[&format!("logged in to `{}` only", lab.token)]);

    // The helper's secret is wrong (the password changed since the login).
    let stale = Machine::docker();
    fake_helper(&stale, "labstale", &lab.token, "alice", "oldpass");
    stale.write_config(&json!({ "credHelpers": { &lab.token: "labstale" } }));
    stale
        .check_step("login", &[("login_registry", &lab.token)], &[])
        .expect("pass", &[]);
    stale
        .check_step("login-verified", &[("login_registry", &lab.token)], &[])
        .expect(
            "fail",
            &[
                "refused the stored credentials",
                &format!("docker login {}", lab.token),
            ],
        );
}

#[test]
fn login_verify_accepts_good_and_refuses_bad_credentials() {
    let lab = lab();
    for registry in [&lab.htpasswd, &lab.token] {
        let good = Machine::docker();
        good.login(registry, "alice", "alicepass");
        good.check_step("login-verified", &[("login_registry", registry)], &[])
            .expect(
                "pass",
                &[
                    &format!("logged in to `{registry}` as `alice`"),
                    "accepted by the registry",
                ],
            );
        // `docker login` refuses a wrong password, so write what a stale login leaves behind.
        let bad = Machine::docker();
        let auth = base64::engine::general_purpose::STANDARD.encode("alice:notthepassword");
        bad.write_config(&json!({ "auths": { registry.as_str(): { "auth": auth } } }));
        bad.check_step("login", &[("login_registry", registry)], &[])
            .expect("pass", &["as `alice`"]);
        bad.check_step("login-verified", &[("login_registry", registry)], &[])
            .expect("fail", &["refused the stored credentials"]);
    }
}

// ------------------------------------------------------------------------------- public, private

#[test]
fn public_and_private_through_the_token_registry() {
    let lab = lab();
    let owner = Machine::docker();
    owner.login(&lab.token, "alice", "alicepass");
    let name = unique("vis");
    let public = format!("{}/alice/{name}pub", lab.token);
    let private = format!("{}/alice/{name}priv", lab.token);
    let missing = format!("{}/alice/{name}none", lab.token);
    for repo in [&public, &private] {
        owner.tag(&lab.image, &format!("{repo}:1.0"));
        owner.push(&format!("{repo}:1.0"));
    }
    let _private = Private::make(&[&format!("alice/{name}priv")]);

    let check =
        |m: &Machine, step: &str, repo: &str| m.check_step(step, &[("repository", repo)], &[]);
    check(&owner, "public", &public).expect(
        "pass",
        &[&format!("anonymous pull of `{public}` allowed"), "1.0"],
    );
    check(&owner, "private", &private).expect(
        "pass",
        &[
            &format!("anonymous pull of `{private}` refused"),
            "your login sees tags 1.0",
        ],
    );
    check(&owner, "public", &private).expect(
        "fail",
        &[&format!("anonymous pull of `{private}` is refused")],
    );
    check(&owner, "private", &public)
        .expect("fail", &[&format!("anyone can pull `{public}`"), "private"]);
    // Refused to strangers also means "missing": the owner's login tells the two apart.
    check(&owner, "private", &missing).expect(
        "fail",
        &[&format!("`{missing}` does not exist, even for your login")],
    );
    // Without a login, refused is all anyone can see: private, or not pushed, could not verify (it
    // used to pass, so a repository never pushed earned the step).
    let stranger = Machine::docker();
    for repo in [&private, &missing] {
        check(&stranger, "private", repo).expect(
            "unknown",
            &[
                &format!("anonymous pull of `{repo}` is refused"),
                "private, or not pushed",
                &format!("docker login {}", lab.token),
            ],
        );
    }
    check(&stranger, "public", &public).expect("pass", &[]);
}

// ------------------------------------------------------------------------- OCI image, OCI index

fn skopeo(args: &[&str]) -> String {
    let output = std::process::Command::new("skopeo")
        .args(args)
        .output()
        .expect("skopeo is installed");
    assert!(
        output.status.success(),
        "skopeo {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Add a blob to an OCI layout; returns its descriptor.
fn put_blob(layout: &Path, media_type: &str, bytes: &[u8]) -> Value {
    let digest = sha256(bytes);
    std::fs::write(
        layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:")),
        bytes,
    )
    .unwrap();
    json!({ "mediaType": media_type, "digest": digest, "size": bytes.len() })
}

fn read_blob(layout: &Path, digest: &str) -> Vec<u8> {
    std::fs::read(
        layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:")),
    )
    .unwrap()
}

/// An OCI layout holding the lab image as an index of two platforms (amd64, and an arm64 twin with
/// the same layers); returns the index's digest. Its reference name is `multi`.
fn multi_arch_layout(layout: &Path) -> String {
    let lab = lab();
    skopeo(&[
        "copy",
        "--src-daemon-host",
        &lab.docker_host,
        "--format",
        "oci",
        &format!("docker-daemon:{}", lab.image),
        &format!("oci:{}:amd64", layout.display()),
    ]);
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let amd64 = index["manifests"][0].clone();
    let manifest: Value =
        serde_json::from_slice(&read_blob(layout, amd64["digest"].as_str().unwrap())).unwrap();
    let mut config: Value = serde_json::from_slice(&read_blob(
        layout,
        manifest["config"]["digest"].as_str().unwrap(),
    ))
    .unwrap();
    config["architecture"] = json!("arm64");
    let config = put_blob(
        layout,
        "application/vnd.oci.image.config.v1+json",
        &serde_json::to_vec(&config).unwrap(),
    );
    let mut arm64_manifest = manifest.clone();
    arm64_manifest["config"] = config;
    let arm64 = put_blob(
        layout,
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&arm64_manifest).unwrap(),
    );
    let platform = |desc: &Value, arch: &str| {
        json!({
            "mediaType": desc["mediaType"],
            "digest": desc["digest"],
            "size": desc["size"],
            "platform": { "architecture": arch, "os": "linux" },
        })
    };
    let multi = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [platform(&amd64, "amd64"), platform(&arm64, "arm64")],
    });
    let mut multi = put_blob(
        layout,
        "application/vnd.oci.image.index.v1+json",
        &serde_json::to_vec(&multi).unwrap(),
    );
    let digest = multi["digest"].as_str().unwrap().to_string();
    multi["annotations"] = json!({ "org.opencontainers.image.ref.name": "multi" });
    let top = json!({ "schemaVersion": 2, "manifests": [amd64, multi] });
    std::fs::write(layout.join("index.json"), serde_json::to_vec(&top).unwrap()).unwrap();
    digest
}

#[test]
fn oci_image_and_multi_arch_index_pushed_with_skopeo_are_found() {
    let lab = lab();
    let m = Machine::docker();
    let ns = unique("oci");
    let work = tempfile::tempdir().unwrap();

    // An OCI image manifest (what `docker push` never makes).
    let oci = format!("{}/{ns}/single:1.0", lab.open);
    let digest_file = work.path().join("digest");
    skopeo(&[
        "copy",
        "--src-daemon-host",
        &lab.docker_host,
        "--dest-tls-verify=false",
        "--format",
        "oci",
        "--digestfile",
        &digest_file.display().to_string(),
        &format!("docker-daemon:{}", lab.image),
        &format!("docker://{oci}"),
    ]);
    let digest = std::fs::read_to_string(&digest_file).unwrap();
    let raw = skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--raw",
        &format!("docker://{oci}"),
    ]);
    assert!(
        raw.contains("application/vnd.oci.image.manifest.v1+json"),
        "{raw}"
    );
    m.check_step("tag", &[("image", &oci)], &[])
        .expect("pass", &[&format!("digest {}", digest.trim())]);

    // A multi-arch OCI index.
    let layout = work.path().join("layout");
    let index_digest = multi_arch_layout(&layout);
    let multi = format!("{}/{ns}/multi:1.0", lab.open);
    skopeo(&[
        "copy",
        "--multi-arch",
        "all",
        "--dest-tls-verify=false",
        &format!("oci:{}:multi", layout.display()),
        &format!("docker://{multi}"),
    ]);
    let raw = skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--raw",
        &format!("docker://{multi}"),
    ]);
    assert!(raw.contains("\"arm64\""), "an index was pushed: {raw}");
    m.check_step("tag", &[("image", &multi)], &[])
        .expect("pass", &[&format!("digest {index_digest}")]);
    // The same index as a Docker manifest list (skopeo converts it, and its manifests, to v2s2).
    let list = format!("{}/{ns}/list:1.0", lab.open);
    let list_digest = work.path().join("list-digest");
    skopeo(&[
        "copy",
        "--multi-arch",
        "all",
        "--format",
        "v2s2",
        "--dest-tls-verify=false",
        "--digestfile",
        &list_digest.display().to_string(),
        &format!("oci:{}:multi", layout.display()),
        &format!("docker://{list}"),
    ]);
    let raw = skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--raw",
        &format!("docker://{list}"),
    ]);
    assert!(
        raw.contains("application/vnd.docker.distribution.manifest.list.v2+json"),
        "a Docker manifest list was pushed: {raw}"
    );
    let list_digest = std::fs::read_to_string(&list_digest).unwrap();
    m.check_step("tag", &[("image", &list)], &[])
        .expect("pass", &[&format!("digest {}", list_digest.trim())]);
    let missing = format!("{}/{ns}/multi:2.0", lab.open);
    m.check_step("tag", &[("image", &missing)], &[]).expect(
        "fail",
        &[&format!("tags in `{}/{ns}/multi`: 1.0", lab.open)],
    );
}

// ---------------------------------------------------------------------------- pulled, events

#[test]
fn pulled_from_the_registry_versus_built_here() {
    Machine::on_every_engine(|_engine, m| {
        let lab = lab();
        let (ns, name) = (unique("pull"), unique("app"));
        let image = format!("{}/{ns}/{name}:1.0", lab.open);
        m.tag(&lab.image, &image);
        m.push(&image);
        m.d(&["rmi", &image]);
        m.check_step("pulled", &[("image", &image)], &[]).expect(
            "fail",
            &[&format!("no local image `{image}`"), "docker pull"],
        );
        m.d(&["pull", &image]);
        m.check_step("pulled", &[("image", &image)], &[])
            .expect("pass", &[&format!("pull {image}"), "sha256:"]);
        m.check_step("pull-event", &[("image", &image)], &[])
            .expect("pass", &[&format!("pull {image}")]);

        // Built here and never pulled. Podman lists a digest in RepoDigests for an image it built, as if
        // it had come from that repository, so there the registry's answer (no such repository) is what
        // the failure says.
        let built = format!("{}/{ns}/{name}built:1.0", lab.open);
        m.build_variant(&built);
        let says: Vec<String> = if m.is_podman() {
            vec![format!("no repository `{}/{ns}/{name}built`", lab.open)]
        } else {
            vec![
                format!("`{built}` was built or tagged here, not pulled"),
                format!("docker pull {built}"),
            ]
        };
        let says: Vec<&str> = says.iter().map(String::as_str).collect();
        m.check_step("pulled", &[("image", &built)], &[])
            .expect("fail", &says);

        // Pulled, but the tag has moved in the registry since (someone pushed another image to it).
        let variant = format!("{ns}-variant:1");
        m.build_variant(&variant);
        m.skopeo_copy_to(&variant, &image);
        m.check_step("pulled", &[("image", &image)], &[])
            .expect("fail", &["the registry now serves", "pull again"]);
    });
}

#[test]
fn a_push_event_is_seen() {
    Machine::on_every_engine(|_engine, m| {
        let lab = lab();
        let image = format!("{}/{}/app:1.0", lab.open, unique("evt"));
        m.tag(&lab.image, &image);
        m.check_step("push-event", &[("image", &image)], &[])
            .expect("fail", &[&format!("`push` of `{image}`")]);
        m.push(&image);
        m.check_step("push-event", &[("image", &image)], &[])
            .expect("pass", &[&format!("push {image}")]);
        m.check_step("pull-event", &[("image", &image)], &[])
            .expect("fail", &[&format!("`pull` of `{image}`")]);
    });
}

// ----------------------------------------------------------------- could not verify: Unknown

#[test]
fn a_stopped_engine_or_registry_is_unknown_never_a_failure() {
    let lab = lab();
    let gone = tempfile::tempdir().unwrap();
    let dead = Machine::on(&format!("unix://{}/docker.sock", gone.path().display()));
    let image = format!("{}/{}/app:1.0", lab.open, unique("down"));
    let socket = format!("{}/docker.sock", gone.path().display());
    for step in ["docker", "exists", "same", "pushed", "pulled", "push-event"] {
        dead.check_step(step, &[("image", &image), ("other", &lab.image)], &[])
            .expect("unknown", &["could not verify", "Docker Engine", &socket]);
    }
    // A whole lesson on a stopped engine: nothing fails, and the exit code says "unknown".
    let run = dead.learn(&[
        "check",
        "tag-an-image",
        "--var",
        "username=nobody",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    for step in run.json["steps"].as_array().unwrap() {
        assert!(
            step["status"] == "unknown" || step["status"] == "pending",
            "{step}"
        );
    }
    assert_eq!(run.json["summary"]["fail"], 0);

    // A registry that is not there (nothing listens on the port).
    let registry = format!("127.0.0.1:{}", unused_port());
    let m = Machine::docker();
    let image = format!("{registry}/{}/app:1.0", unique("down"));
    m.tag(&lab.image, &image);
    let repository = image.trim_end_matches(":1.0");
    for step in ["tag", "pushed", "public", "private"] {
        m.check_step(step, &[("image", &image), ("repository", repository)], &[])
            .expect("unknown", &["could not verify", &registry]);
    }
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:alicepass");
    m.write_config(&json!({ "auths": { &registry: { "auth": auth } } }));
    m.check_step("login-verified", &[("login_registry", &registry)], &[])
        .expect("unknown", &["could not verify", &registry]);
}

#[test]
fn a_rate_limited_registry_is_unknown_with_the_wait() {
    let rt = support::runtime();
    let server = support::rate_limited_registry(&rt, 30);
    let registry = server.address().to_string();
    let m = Machine::docker();
    let image = format!("{registry}/{}/app:1.0", unique("slow"));
    for (step, vars) in [
        ("tag", [("image", image.as_str())]),
        ("public", [("repository", image.trim_end_matches(":1.0"))]),
    ] {
        let check = m.check_step(step, &vars, &[]);
        check.expect("unknown", &["rate limiting", "retry in 30s"]);
        assert_eq!(check.value["retry_after_secs"], 30);
    }
}

// ------------------------------------------------------------------------------- Docker Hub REST

#[test]
fn hub_accounts_and_repositories_against_a_fake_hub() {
    let rt = support::runtime();
    let hub = FakeHub::start(&rt);
    let url = hub.url();
    let api = ["--hub-api", url.as_str()];
    let m = Machine::docker();
    let [user, missing, hidden, busy] = ["hu", "hm", "hh", "hb"].map(unique);
    hub.user(&user, HubAnswer::Found { private: false });
    hub.user(&hidden, HubAnswer::Unauthorized);
    hub.user(&busy, HubAnswer::RateLimited(30));

    let account = |name: &str| m.check_step("hub-account", &[("username", name)], &api);
    account(&user).expect(
        "pass",
        &[&format!("Docker Hub account `{user}`"), "joined 2024-09-02"],
    );
    account(&missing).expect(
        "fail",
        &[&format!("Docker Hub has no user `{missing}`"), "sign up"],
    );
    account(&hidden).expect("unknown", &["refused"]);
    let limited = account(&busy);
    limited.expect("unknown", &["rate limiting", "retry in 30s"]);
    assert_eq!(limited.value["retry_after_secs"], 30);

    let [public, private, absent, denied, slow] =
        ["pub", "priv", "none", "deny", "slow"].map(|r| format!("{user}/{r}"));
    hub.repository(&public, HubAnswer::Found { private: false });
    hub.repository(&private, HubAnswer::Found { private: true });
    hub.repository(&denied, HubAnswer::Unauthorized);
    hub.repository(&slow, HubAnswer::RateLimited(30));
    let repo = |step: &str, name: &str| m.check_step(step, &[("hub_repository", name)], &api);
    repo("hub-repo", &public).expect("pass", &[&format!("public repository `{public}`")]);
    repo("hub-public", &public).expect("pass", &[]);
    repo("hub-private", &public).expect(
        "fail",
        &[
            &format!("a private repository `{public}`"),
            &format!("`{public}` is public"),
            "make it private",
        ],
    );
    repo("hub-private", &private).expect("pass", &[&format!("private repository `{private}`")]);
    repo("hub-public", &private).expect(
        "fail",
        &[&format!("`{private}` is private"), "make it public"],
    );
    repo("hub-repo", &absent).expect(
        "fail",
        &[
            &format!("Docker Hub has no repository `{absent}`"),
            "first push",
        ],
    );
    repo("hub-public", &absent).expect("fail", &[&format!("no repository `{absent}`")]);
    // The Hub hides private repositories from visitors (404): `private` cannot be told from missing.
    repo("hub-private", &absent).expect("unknown", &[&format!("`{absent}`"), "private"]);
    // 401: the Hub answers visitors 404, so a 401 comes from something in front of it: whatever the
    // check asks, it could not verify (it used to count as "exists, private" and pass).
    for step in ["hub-public", "hub-private", "hub-repo"] {
        repo(step, &denied).expect("unknown", &["refused", "HTTP 401"]);
    }
    let limited = repo("hub-repo", &slow);
    limited.expect("unknown", &["rate limiting", "retry in 30s"]);
    assert_eq!(limited.value["retry_after_secs"], 30);
}

// ------------------------------------------------------------------------------------- Podman

/// The engine-side checks on every engine of the lab: Docker 20.10, Docker 28.5 with either image
/// store, and Podman's Docker API (the other engine-side tests above loop over them too).
#[test]
fn engine_checks_work_on_every_engine_podman_too() {
    Machine::on_every_engine(|_engine, p| {
        let lab = lab();
        let (ns, name) = (unique("eng"), unique("app"));
        let image = format!("{}/{ns}/{name}:1.0", lab.open);
        p.tag(&lab.image, &image);
        let brand = if p.is_podman() {
            "Podman"
        } else {
            "Docker Engine"
        };
        p.check_step("docker", &[], &[]).expect("pass", &[brand]);
        p.check_step("exists", &[("image", &image)], &[])
            .expect("pass", &[&format!("image `{image}`")]);
        p.check_step("same", &[("image", &image), ("other", &lab.image)], &[])
            .expect("pass", &[]);
        p.check_step("pushed", &[("image", &image)], &[])
            .expect("fail", &["no repository"]);
        p.push(&image);
        p.check_step("pushed", &[("image", &image)], &[])
            .expect("pass", &[&format!("push {image}")]);
        p.check_step("tag", &[("image", &image)], &[])
            .expect("pass", &[]);
        // The same path on Docker Hub is another image: Podman resolves the short name
        // `ns/name:1.0` to the lab registry's image, which is not the one asked for.
        let hub_name = format!("{ns}/{name}:1.0");
        p.check_step("exists", &[("image", &hub_name)], &[])
            .expect("fail", &[&format!("no image `{hub_name}`")]);
        p.check_step("pushed", &[("image", &hub_name)], &[])
            .expect("fail", &[&format!("no local image `{hub_name}` to push")]);
        // The namespace mistake reads the same everywhere.
        let wanted = format!("{}/{ns}/{name}:2.0", lab.open);
        p.tag(&lab.image, &format!("{}/{name}:2.0", lab.open));
        p.check_step("exists", &[("image", &wanted)], &[])
            .expect("fail", &[&format!("lacks your namespace `{ns}/` in front")]);
        // `docker login` to the token registry as `localhost:PORT` (through Podman's API, the only
        // name it logs in to over plain HTTP), verified.
        let port = lab.token.rsplit(':').next().unwrap();
        let registry = format!("localhost:{port}");
        p.login(&registry, "alice", "alicepass");
        p.check_step("login-verified", &[("login_registry", &registry)], &[])
            .expect(
                "pass",
                &[&format!("logged in to `{registry}` as `alice`"), "accepted"],
            );
    });
}

// ------------------------------------------------------------------------------------ commands

#[test]
fn command_checks_run_only_when_allowed_and_values_are_validated_first() {
    let m = Machine::docker();
    let lessons = support::fixture_lessons().display().to_string();
    let marker = m.home.path().join("made-by-the-command");
    let var = format!("marker={}", marker.display());
    let check = |extra: &[&str], var: &str| {
        let mut args = vec![
            "check",
            "check-command",
            "--step",
            "run",
            "--var",
            var,
            "--format",
            "json",
            "--lessons-dir",
            &lessons,
        ];
        args.extend(extra);
        m.learn(&args)
    };

    // Not a terminal and no --yes: not run, and "could not verify", not "failed".
    let run = check(&[], &var);
    run.only()
        .expect("unknown", &["not allowed to run commands", "--yes"]);
    assert!(!marker.exists(), "the command ran without consent");

    let run = check(&["--yes"], &var);
    run.only()
        .expect("pass", &[&format!("touch {}", marker.display())]);
    assert!(marker.exists(), "the command did not run");

    // A value that does not match its pattern stops everything before any command runs.
    let dir = tempfile::tempdir().unwrap();
    let bad = format!("marker={}/x;touch", dir.path().display());
    let run = check(&["--yes"], &bad);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("is not a valid `marker`"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // Output checks.
    let run = m.learn(&[
        "check",
        "check-command",
        "--step",
        "output",
        "--var",
        &var,
        "--format",
        "json",
        "--lessons-dir",
        &lessons,
        "--yes",
    ]);
    run.only().expect("pass", &[]);
}

// ------------------------------------------------------------------------- the shipped course

/// Every step of every lesson of a whole-course JSON report: `lesson/step` → step.
fn steps(run: &support::Run) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for lesson in run.lessons() {
        for step in lesson["steps"].as_array().unwrap() {
            out.insert(
                format!(
                    "{}/{}",
                    lesson["lesson"].as_str().unwrap(),
                    step["id"].as_str().unwrap()
                ),
                step.clone(),
            );
        }
    }
    out
}

/// Run a lesson's solution (or setup) lines as the learner would type them, with the real CLI.
fn run_solution(m: &Machine, line: &str, vars: &BTreeMap<String, String>, password: &str) {
    let rendered = learn_registry::lesson::template::render(line, vars)
        .unwrap_or_else(|missing| panic!("`{line}` needs {missing:?}"));
    let mut argv = shell_words::split(&rendered).unwrap();
    assert_eq!(argv[0], "docker", "a solution runs docker: `{rendered}`");
    argv.remove(0);
    let login = argv.first().is_some_and(|a| a == "login");
    if login && !argv.iter().any(|a| a == "--password-stdin") {
        argv.push("--password-stdin".into());
    }
    let args: Vec<&str> = argv.iter().map(String::as_str).collect();
    m.run_docker(&args, login.then_some(password));
}

#[test]
fn the_whole_course_fails_before_and_passes_after_its_solutions() {
    use learn_registry::lesson::model::SetupAction;
    let lab = lab();
    let rt = support::runtime();
    let hub = FakeHub::start(&rt);
    let hub_url = hub.url();
    let (username, classmate) = (unique("me"), unique("cm"));
    let course = |m: &Machine| {
        m.learn(&[
            "check",
            "--registry",
            &lab.open,
            "--hub-api",
            &hub_url,
            "--var",
            &format!("username={username}"),
            "--var",
            &format!("classmate={classmate}"),
            "--format",
            "json",
        ])
    };

    // The classmate pushed earlier, from their machine (another Docker config, same engine): the
    // course's sample image, which greets with their name when the pull lesson runs it.
    let theirs = format!("{}/{classmate}/python-canvas-client:1.0", lab.open);
    let other = Machine::docker();
    other.login(&lab.open, &classmate, "secret");
    support::build_sample_image(&other.host, &classmate, &theirs);
    other.push(&theirs);
    other.d(&["rmi", &theirs]);

    let me = Machine::docker();
    let before = course(&me);
    assert_eq!(before.code, 1, "{}", before.stderr);
    let mut not_failing = Vec::new();
    for (id, step) in steps(&before) {
        let checks = step["checks"].as_array().unwrap();
        if checks.is_empty() {
            assert_eq!(step["status"], "pending", "{id}: {step}");
        } else if step["status"] != "fail" {
            assert_eq!(step["status"], "pass", "{id} could not be verified: {step}");
            not_failing.push(id);
        }
    }
    // The lab's setup has built the sample image already; every other check waits for the learner.
    assert_eq!(not_failing, ["tag-an-image/list-images"]);

    // Sign up (lesson 1 happens in a browser): the Hub now knows both accounts.
    hub.user(&username, HubAnswer::Found { private: false });
    hub.user(&classmate, HubAnswer::Found { private: false });
    let settings = learn_registry::check::Settings {
        registry: lab.open.clone(),
        ..Default::default()
    };
    let base = learn_registry::check::Context::new(BTreeMap::new(), settings);
    let given = BTreeMap::from([
        ("username".to_string(), username.clone()),
        ("classmate".to_string(), classmate.clone()),
    ]);
    for file in learn_registry::lesson::source::shipped_files() {
        let lesson = learn_registry::lesson::load::parse(&file).unwrap();
        let vars =
            learn_registry::check::report::resolve_variables(&lesson, &given, &base.vars).unwrap();
        for action in &lesson.setup {
            if let SetupAction::Command(c) = &action.value {
                let line = shell_words::join(c.run.iter().map(|a| a.as_str()));
                run_solution(&me, &line, &vars, "secret");
            }
        }
        for step in lesson.steps.iter() {
            for line in step.solution.iter().flat_map(|s| s.lines()) {
                run_solution(&me, line.as_written, &vars, "secret");
            }
        }
        if let Some(repo) = vars.get("repository") {
            for tag in ["1.0", "2.0"] {
                me.forget_later(&format!("{repo}:{tag}"));
            }
        }
        if let Some(repo) = vars.get("classmate_repository") {
            me.forget_later(&format!("{repo}:1.0"));
        }
    }
    // Docker Hub makes the repository page with the first push.
    hub.repository(
        &format!("{username}/python-canvas-client"),
        HubAnswer::Found { private: false },
    );

    let started = Instant::now();
    let after = course(&me);
    let took = started.elapsed();
    eprintln!("whole-course check took {} ms", took.as_millis());
    for (id, step) in steps(&after) {
        if !step["checks"].as_array().unwrap().is_empty() {
            assert_eq!(step["status"], "pass", "{id}: {step}");
        }
    }
    assert_eq!(after.code, 0, "{}", after.stdout);
    // The run step's solution leaves its stopped container (the check reads its output).
    for id in me.d(&["ps", "-a", "-q", "--no-trunc"]).lines() {
        let from = me.docker_output(
            &["container", "inspect", "-f", "{{.Config.Image}}", id],
            None,
        );
        if String::from_utf8_lossy(&from.stdout).trim() == theirs {
            me.d(&["rm", id]);
        }
    }
}

// -------------------------------------------------------------------------------------- JUnit

/// Element names of an XML document, which must be well-formed.
fn xml_elements(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut names = Vec::new();
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) | Ok(quick_xml::events::Event::Empty(e)) => {
                names.push(String::from_utf8_lossy(e.name().as_ref()).into_owned())
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("malformed XML ({e}): {xml}"),
        }
    }
    names
}

#[test]
fn junit_report_is_well_formed_and_can_go_to_a_file() {
    let lab = lab();
    let m = Machine::docker();
    let username = unique("ju");
    let args = [
        "check",
        "tag-an-image",
        "--registry",
        &lab.open,
        "--var",
        &format!("username={username}"),
        "--format",
        "junit",
    ];
    let run = m.learn(&args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let names = xml_elements(&run.stdout);
    for element in ["testsuites", "testsuite", "testcase", "failure", "skipped"] {
        assert!(
            names.iter().any(|n| n == element),
            "no <{element}> in {}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("tag/image_same"), "{}", run.stdout);

    let out = m.home.path().join("report.xml");
    let mut with_out: Vec<&str> = args.to_vec();
    let out_arg = out.display().to_string();
    with_out.extend(["--out", &out_arg]);
    let run = m.learn(&with_out);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.is_empty(),
        "the report goes to the file: {}",
        run.stdout
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(xml_elements(&written), names);
}

// ---------------------------------------------------------------------------------- usage errors

#[test]
fn a_step_or_lesson_that_does_not_exist_is_a_usage_error_not_a_pass() {
    let m = Machine::docker();
    let run = m.learn(&["check", "--step", "no-such-step", "--format", "json"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("no lesson has a step `no-such-step`"),
        "{}",
        run.stderr
    );
    let run = m.learn(&["check", "tag-an-image", "--step", "tagg"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("lesson `tag-an-image` has no step `tagg`; did you mean `tag`?"),
        "{}",
        run.stderr
    );
    let run = m.learn(&["check", "tag-an-imag"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `tag-an-image`?"),
        "{}",
        run.stderr
    );
    // `--step` without a lesson checks that step wherever it is.
    let run = m.learn(&[
        "check",
        "--step",
        "tag",
        "--var",
        &format!("username={}", unique("st")),
        "--format",
        "json",
    ]);
    let lessons: Vec<&str> = run
        .lessons()
        .iter()
        .map(|l| l["lesson"].as_str().unwrap())
        .collect();
    assert_eq!(lessons, ["tag-an-image"], "{}", run.stdout);
    assert_eq!(run.step("tag")["status"], "fail");
}

/// A course run against a classroom registry needs no Docker Hub account: the Hub's REST checks are
/// left out (the step says why) unless a Hub API is named, and then they run.
#[test]
fn hub_checks_apply_only_to_docker_hub_or_a_named_hub_api() {
    let lab = lab();
    let m = Machine::docker();
    let classroom = m.learn(&[
        "check",
        "docker-hub-account",
        "--registry",
        &lab.open,
        "--var",
        "username=nobody1",
        "--format",
        "json",
    ]);
    assert_eq!(
        classroom.code, 0,
        "{}{}",
        classroom.stdout, classroom.stderr
    );
    for step in classroom.json["steps"].as_array().unwrap() {
        assert_eq!(step["status"], "pending", "{step}");
        assert!(step["checks"].as_array().unwrap().is_empty(), "{step}");
    }
    let verify = &classroom.json["steps"][2];
    assert!(
        verify["note"]
            .as_str()
            .unwrap()
            .contains("Docker Hub checks do not apply"),
        "{verify}"
    );
    // Naming a Hub API (here one that is not there) brings the checks back: could not verify.
    let port = unused_port();
    let named = m.learn(&[
        "check",
        "docker-hub-account",
        "--registry",
        &lab.open,
        "--hub-api",
        &format!("http://127.0.0.1:{port}"),
        "--var",
        "username=nobody1",
        "--format",
        "json",
    ]);
    assert_eq!(named.code, 3, "{}{}", named.stdout, named.stderr);
    assert_eq!(named.json["steps"][2]["checks"][0]["kind"], "hub_account");
    assert_eq!(named.json["steps"][2]["checks"][0]["status"], "unknown");
}

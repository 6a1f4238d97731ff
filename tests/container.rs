//! `container_ran` and the course's runnable sample image, against the real lab: the image lesson 2's
//! setup builds (the greeter for the engine's architecture and a greeting with the learner's name)
//! runs and greets on every engine, and `container_ran` fails before the learner runs it, passes after,
//! tells a removed container (`docker run --rm`) from a failure, and counts only containers started
//! since the step began, on dockerd 20.10, Docker 28.5 (classic and containerd store) and Podman.

mod support;

use std::collections::BTreeMap;

use chrono::Utc;

use learn_registry::check::{self, Check, Context, Outcome, Settings};
use learn_registry::probe::DockerProbe;
use learn_registry::setup;

use support::{Machine, fixture_lessons, unique};

fn container_ran(yaml: &str) -> Check {
    serde_saphyr::from_str(&format!("container_ran: {yaml}")).unwrap()
}

async fn evaluate(docker: &DockerProbe, check: &Check, since: chrono::DateTime<Utc>) -> Outcome {
    let mut ctx = Context::new(BTreeMap::new(), Settings::default()).with_docker(docker.clone());
    ctx.since = Some(since);
    check::evaluate(check, &ctx).await.outcome
}

fn expect(outcome: &Outcome, status: &str, words: &[&str]) {
    let text = format!("{outcome:?}");
    assert_eq!(outcome.status().as_str(), status, "{text}");
    for w in words {
        assert!(text.contains(w), "`{w}` not in {text}");
    }
}

/// `docker run ARGS` on `m`: its stdout, which must be the greeting.
fn run(m: &Machine, args: &[&str]) -> String {
    let mut all = vec!["run"];
    all.extend(args);
    m.d(&all)
}

/// `tag` is the sample image, built for `username`.
async fn the_sample_image_runs_and_container_ran_sees_it(
    engine: &str,
    m: &Machine,
    username: &str,
    tag: &str,
) {
    let docker = DockerProbe::connect_to(&m.host).await.unwrap();
    let greeting = format!("Hello from {username}!");
    let check = container_ran(&format!(
        r#"{{ image: "{tag}", exit_code: 0, output_contains: "{greeting}" }}"#
    ));

    // Before: nothing ran from it.
    let since = Utc::now() - chrono::Duration::milliseconds(50);
    expect(
        &evaluate(&docker, &check, since).await,
        "fail",
        &[
            &format!("no container from `{tag}` started since"),
            "docker run",
        ],
    );

    // `--rm`: it ran and exited 0, but its output went with it: could not verify, and says why.
    assert_eq!(run(m, &["--rm", tag]), format!("{greeting}\n"), "{engine}");
    expect(
        &evaluate(&docker, &check, since).await,
        "unknown",
        &["was removed (`docker run --rm`)", "without `--rm`"],
    );

    // Without `--rm`: the greeting is read from its logs.
    let after_rm = Utc::now();
    let name = unique("crc");
    assert_eq!(run(m, &["--name", &name, tag]), format!("{greeting}\n"));
    expect(
        &evaluate(&docker, &check, since).await,
        "pass",
        &[&format!("container `{name}` exited with 0"), &greeting],
    );

    // Another greeting, another exit code: failures that say what the container did (counting from
    // after the `--rm` run, whose output might have been anything, which would be unknown).
    let someone_else = container_ran(&format!(
        r#"{{ image: "{tag}", output_contains: "Hello from nobody" }}"#
    ));
    expect(
        &evaluate(&docker, &someone_else, after_rm).await,
        "fail",
        &[&format!("printed `{greeting}`")],
    );
    let three = container_ran(&format!(r#"{{ image: "{tag}", exit_code: 3 }}"#));
    expect(
        &evaluate(&docker, &three, after_rm).await,
        "fail",
        &["exiting with 3", "exited with 0"],
    );

    // Only containers started since the step began count...
    let later = Utc::now() + chrono::Duration::milliseconds(10);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    expect(
        &evaluate(&docker, &check, later).await,
        "fail",
        &["no container"],
    );

    // ...and one run by image ID counts for the name.
    let id = docker.inspect_image(tag).await.unwrap().unwrap().id;
    let by_id = unique("crc");
    assert_eq!(run(m, &["--name", &by_id, &id]), format!("{greeting}\n"));
    expect(
        &evaluate(&docker, &check, later).await,
        "pass",
        &[&format!("container `{by_id}`")],
    );

    // The same through `learn-registry check`, and Unknown when the engine is down.
    let vars = [format!("image={tag}"), format!("greeting={greeting}")];
    let lessons = fixture_lessons()
        .parent()
        .unwrap()
        .join("container-lessons")
        .display()
        .to_string();
    let args = [
        "check",
        "container-ran",
        "--lessons-dir",
        &lessons,
        "--var",
        &vars[0],
        "--var",
        &vars[1],
        "--format",
        "json",
    ];
    m.learn(&args).only().expect("pass", &[&greeting]);
    let dead = Machine::on("unix:///nonexistent/docker.sock");
    let down = dead.learn(&args);
    assert_eq!(down.code, 3, "{engine}: {}{}", down.stdout, down.stderr);
    down.only().expect("unknown", &[]);

    for c in [&name, &by_id] {
        m.d(&["rm", c]);
    }
    eprintln!("{engine}: the sample image ran and `container_ran` saw it");
}

#[test]
fn the_sample_image_runs_and_container_ran_sees_it_on_every_engine() {
    let rt = support::runtime();
    let machines = Machine::all();
    assert!(
        machines.len() >= 2,
        "the lab has Docker and Podman at least"
    );
    for (engine, m) in &machines {
        let username = unique("cr");
        let tag = format!("{}:1.0", unique("greeter"));
        support::build_sample_image(&m.host, &username, &tag);
        m.forget_later(&tag);
        rt.block_on(the_sample_image_runs_and_container_ran_sees_it(
            engine, m, &username, &tag,
        ));
    }
}

#[test]
fn the_greeter_is_carried_for_amd64_and_arm64() {
    use learn_registry::lesson::model::Asset;
    for arch in setup::ASSET_ARCHITECTURES {
        let program = setup::asset_for(Asset::Greeter, arch).unwrap();
        // A static ELF of a few KB, for the machine named.
        assert_eq!(&program[..4], b"\x7fELF", "{arch}");
        assert!(program.len() < 8 * 1024, "{arch}: {} bytes", program.len());
        let machine = u16::from_le_bytes([program[18], program[19]]);
        assert_eq!(machine, if *arch == "amd64" { 62 } else { 183 }, "{arch}");
    }
    assert_eq!(
        setup::asset_for(Asset::Greeter, "x86_64"),
        setup::asset_for(Asset::Greeter, "amd64")
    );
    assert!(setup::asset_for(Asset::Greeter, "s390x").is_none());
}

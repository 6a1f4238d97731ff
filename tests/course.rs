//! The shipped course (`lessons/container-registries/`): it lints clean, it follows the seed tutorial
//! step by step and key note by key note, it runs against any registry, and `list` shows it in order.
//!
//! The seed is read from a copy in `tests/fixtures/seed/`, so the test never depends on files outside
//! the repository. The mapping from the seed to the lessons is the table `COURSE` below; a new numbered
//! step or key note in the seed fails the coverage test until the table (and a lesson) covers it.

use std::collections::BTreeMap;

use assert_cmd::Command;
use learn_registry::check::Check;
use learn_registry::lesson::model::Variable;
use learn_registry::lesson::{Lesson, Sp, load, source, template};

const SEED: &str = include_str!("fixtures/seed/container-registries.md");

/// The folder of the shipped course, as `shipped_files` names its files.
const COURSE_DIR: &str = "lessons/container-registries/";

/// One section of the seed and where the course teaches it.
struct Section {
    /// The `## ` heading, exactly.
    heading: &'static str,
    lesson: &'static str,
    /// Seed step number → step id.
    steps: &'static [(u32, &'static str)],
    /// The start of a `### Key Notes` bullet → step id.
    notes: &'static [(&'static str, &'static str)],
}

const COURSE: &[Section] = &[
    Section {
        heading: "Create an account on Docker Hub",
        lesson: "docker-hub-account",
        steps: &[
            (1, "visit-docker-hub"),
            (2, "sign-up"),
            (3, "fill-in-the-form"),
            (4, "verify-email"),
            (5, "log-in-on-the-web"),
        ],
        notes: &[],
    },
    Section {
        heading: "Tag the container",
        lesson: "tag-an-image",
        steps: &[(1, "list-images"), (2, "tag")],
        notes: &[
            ("Use clear and descriptive names", "descriptive-names"),
            ("The tag can be used as version", "tag-version-2"),
        ],
    },
    Section {
        heading: "Pushing a Container to Docker Hub",
        lesson: "push-an-image",
        steps: &[(1, "log-in"), (2, "push"), (3, "verify-on-hub")],
        notes: &[(
            "Docker Hub allows you to create both public and private",
            "public-or-private",
        )],
    },
    Section {
        heading: "Pull a container from Docker Hub",
        lesson: "pull-an-image",
        steps: &[(1, "pull"), (2, "pull-classmate"), (3, "verify-local")],
        notes: &[
            ("If no tag is specified", "default-tag-latest"),
            ("Ensure you trust the source", "trust-the-source"),
            ("You can use the pulled image", "run-classmate"),
            ("Always keep your images up to date", "keep-up-to-date"),
        ],
    },
];

/// A `## ` section of the seed: its numbered steps and its key-note bullets, in document order.
#[derive(Debug, Default)]
struct SeedSection {
    heading: String,
    steps: Vec<(u32, String)>,
    notes: Vec<String>,
}

/// Parse the seed. Only lines that start at column 0 count: the seed indents its code blocks, and one
/// of its fences is never closed, so tracking fences would swallow the rest of the document.
fn parse_seed(text: &str) -> Vec<SeedSection> {
    let step = regex::Regex::new(r"^(\d+)\.\s+(\S.*)$").unwrap();
    let mut sections: Vec<SeedSection> = Vec::new();
    let mut in_notes = false;
    for line in text.lines().map(str::trim_end) {
        if let Some(heading) = line.strip_prefix("## ") {
            sections.push(SeedSection {
                heading: heading.trim().to_string(),
                ..SeedSection::default()
            });
            in_notes = false;
        } else if let Some(heading) = line.strip_prefix("### ") {
            in_notes = heading.trim().eq_ignore_ascii_case("key notes");
        } else if line.starts_with("# ") {
            in_notes = false; // the title; the intro under it is not a section
        } else if let Some(section) = sections.last_mut() {
            if let Some(c) = step.captures(line) {
                section
                    .steps
                    .push((c[1].parse().unwrap(), c[2].trim().to_string()));
            } else if in_notes && let Some(bullet) = line.strip_prefix("- ") {
                section.notes.push(bullet.trim().to_string());
            }
        }
    }
    sections
}

/// The shipped lessons of the course, in file (= course) order.
fn shipped_lessons() -> Vec<Lesson> {
    let files: Vec<_> = source::shipped_files()
        .into_iter()
        .filter(|f| f.name.starts_with(COURSE_DIR))
        .collect();
    assert!(!files.is_empty(), "no shipped lessons under `{COURSE_DIR}`");
    files
        .iter()
        .map(|f| load::parse(f).unwrap_or_else(|d| panic!("`{}` does not parse: {d:?}", f.name)))
        .collect()
}

fn step_index(lesson: &Lesson, id: &str) -> Option<usize> {
    lesson.steps.iter().position(|s| s.id.as_str() == id)
}

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("learn-registry").unwrap();
    // A developer's own lesson folders must not leak into what the course tests see.
    cmd.env_remove("LEARN_REGISTRY_LESSONS")
        .env("NO_COLOR", "1");
    cmd
}

#[test]
fn seed_parser_sees_every_step_and_key_note() {
    // Guards the parser itself: if it silently found nothing, coverage would pass vacuously.
    let seed = parse_seed(SEED);
    let counts: Vec<(usize, usize)> = seed
        .iter()
        .map(|s| (s.steps.len(), s.notes.len()))
        .collect();
    assert_eq!(counts, [(5, 0), (2, 2), (3, 1), (3, 4)], "{seed:#?}");
    assert_eq!(
        seed[3].steps[1],
        (2, "Try to pull images from other students".to_string())
    );
}

#[test]
fn shipped_course_lints_clean() {
    let out = bin().args(["lint", "--format", "json"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("`lint --format json` printed no JSON ({e}):\n{stdout}"));
    assert_eq!(report["errors"], 0, "lint found errors:\n{stdout}");
    assert_eq!(report["warnings"], 0, "lint found warnings:\n{stdout}");
    assert_eq!(
        report["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "{stdout}"
    );
    assert_eq!(report["files"], COURSE.len(), "{stdout}");
    assert!(
        out.status.success(),
        "lint exited with {:?}:\n{stdout}",
        out.status.code()
    );
}

#[test]
fn course_covers_the_seed_in_order() {
    let seed = parse_seed(SEED);
    let lessons = shipped_lessons();

    // Sections ↔ table ↔ lessons, all in the same order.
    let seed_headings: Vec<&str> = seed.iter().map(|s| s.heading.as_str()).collect();
    let table_headings: Vec<&str> = COURSE.iter().map(|s| s.heading).collect();
    assert_eq!(
        seed_headings, table_headings,
        "every `## ` section of the seed needs a row in `COURSE`"
    );
    let lesson_ids: Vec<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
    let table_ids: Vec<&str> = COURSE.iter().map(|s| s.lesson).collect();
    assert_eq!(
        lesson_ids, table_ids,
        "one shipped lesson per seed section, in the seed's order"
    );

    for (section, (row, lesson)) in seed.iter().zip(COURSE.iter().zip(&lessons)) {
        let at = format!(
            "seed section `{}` (lesson `{}`)",
            section.heading, row.lesson
        );

        // Numbered steps: the same numbers, in the same order, as the table.
        let seed_numbers: Vec<u32> = section.steps.iter().map(|(n, _)| *n).collect();
        let table_numbers: Vec<u32> = row.steps.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            seed_numbers, table_numbers,
            "{at}: numbered steps differ from the table"
        );

        // Key notes: each bullet matches exactly one row, and each row exactly one bullet.
        let mut note_steps = Vec::new();
        for bullet in &section.notes {
            let rows: Vec<_> = row
                .notes
                .iter()
                .filter(|(prefix, _)| bullet.starts_with(prefix))
                .collect();
            assert_eq!(
                rows.len(),
                1,
                "{at}: key note `{bullet}` must match exactly one row of the table"
            );
            note_steps.push(rows[0].1);
        }
        for (prefix, _) in row.notes {
            let n = section
                .notes
                .iter()
                .filter(|b| b.starts_with(prefix))
                .count();
            assert_eq!(
                n, 1,
                "{at}: table row `{prefix}` must match exactly one key note"
            );
        }

        // The seed's order (numbered steps, then key notes) is the lesson's order.
        let wanted: Vec<&str> = row
            .steps
            .iter()
            .map(|(_, id)| *id)
            .chain(note_steps.iter().copied())
            .collect();
        let mut last: Option<(usize, &str)> = None;
        for id in &wanted {
            let i = step_index(lesson, id).unwrap_or_else(|| panic!("{at}: no step `{id}`"));
            if let Some((j, prev)) = last {
                assert!(
                    i > j,
                    "{at}: step `{id}` must come after `{prev}`, as in the seed"
                );
            }
            last = Some((i, id));
        }
        // And the lesson teaches nothing the table does not account for.
        for step in lesson.steps.iter() {
            assert!(
                wanted.contains(&step.id.as_str()),
                "{at}: step `{}` maps to no seed step or key note; add it to `COURSE`",
                *step.id
            );
        }

        for id in &note_steps {
            let step = &lesson.steps[step_index(lesson, id).unwrap()];
            assert!(
                step.quiz.is_some() || !step.checks.is_empty(),
                "{at}: key-note step `{id}` needs a quiz or checks"
            );
        }
    }
}

#[test]
fn every_step_can_be_done_and_helped_with() {
    for lesson in shipped_lessons() {
        for step in lesson.steps.iter() {
            let at = format!("`{}` step `{}`", *lesson.id, *step.id);
            assert!(step.has_something_to_do(), "{at}: verifies nothing");
            assert!(
                step.body.is_some() || step.quiz.is_some(),
                "{at}: says nothing to the learner"
            );
            if !step.checks.is_empty() && !step.human_only {
                // Machine-checked: the solver needs a solution, the learner progressive hints.
                let solution = step
                    .solution
                    .as_ref()
                    .unwrap_or_else(|| panic!("{at}: no `solution`"));
                assert!(
                    solution
                        .lines()
                        .iter()
                        .any(|l| l.command.starts_with("docker ")),
                    "{at}: the solution runs no docker command"
                );
                assert!(
                    (1..=3).contains(&step.hints.len()),
                    "{at}: needs 1 to 3 hints, has {}",
                    step.hints.len()
                );
                assert!(
                    !step.commands.is_empty(),
                    "{at}: lists no `commands` to try"
                );
            }
            if step.human_only && step.link.is_none() {
                // Only the e-mail step has no page of ours to open.
                assert_eq!(
                    step.id.as_str(),
                    "verify-email",
                    "{at}: a browser step needs a `link`"
                );
            }
        }
    }
}

#[test]
fn lessons_require_each_other_in_course_order() {
    let lessons = shipped_lessons();
    assert!(lessons[0].requires.is_empty());
    for pair in lessons.windows(2) {
        let requires: Vec<&str> = pair[1].requires.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            requires,
            [pair[0].id.as_str()],
            "`{}` must require `{}`",
            *pair[1].id,
            *pair[0].id
        );
    }
}

#[test]
fn shared_variables_are_the_same_everywhere() {
    let lessons = shipped_lessons();
    let shape = |v: &Sp<Variable>| {
        let s = |o: &Option<Sp<String>>| o.as_ref().map(|s| s.as_str().to_string());
        (s(&v.prompt), s(&v.pattern), s(&v.help), s(&v.default))
    };
    let username = shape(&lessons[0].variables["username"]);
    assert_eq!(username.1.as_deref(), Some("^[a-z0-9]{4,30}$"));
    assert!(
        username.0.is_some() && username.2.is_some(),
        "`username` needs a prompt and help"
    );
    for lesson in &lessons {
        let var = lesson
            .variables
            .get("username")
            .unwrap_or_else(|| panic!("`{}` lacks `username`", *lesson.id));
        assert_eq!(
            shape(var),
            username,
            "`username` differs in `{}`",
            *lesson.id
        );
        if let Some(repo) = lesson.variables.get("repository") {
            assert_eq!(
                repo.default.as_ref().map(|d| d.as_str()),
                Some("{{ registry_prefix }}{{ username }}/python-canvas-client"),
                "`repository` differs in `{}`",
                *lesson.id
            );
        }
        let classmate = lesson.variables.get("classmate");
        if lesson.id.as_str() == "pull-an-image" {
            let classmate = shape(classmate.expect("the pull lesson asks for `classmate`"));
            assert_eq!(classmate.1, username.1, "`classmate` is a username too");
        } else {
            assert!(
                classmate.is_none(),
                "only the pull lesson needs `classmate`"
            );
        }
    }
}

/// Variables as the runner would fill them in for a learner `alice` (classmate `bob`) on `registry`.
fn sample_vars(lesson: &Lesson, registry: &str) -> BTreeMap<String, String> {
    let prefix = if registry == "docker.io" {
        String::new()
    } else {
        format!("{registry}/")
    };
    let mut vars = BTreeMap::from([
        ("registry".to_string(), registry.to_string()),
        ("registry_prefix".to_string(), prefix),
        ("username".to_string(), "alice".to_string()),
        ("classmate".to_string(), "bob".to_string()),
    ]);
    for _ in 0..lesson.variables.len() {
        for (name, var) in &lesson.variables {
            if let Some(default) = &var.default
                && let Ok(value) = template::render(default, &vars)
            {
                vars.insert(name.clone(), value);
            }
        }
    }
    vars
}

#[test]
fn every_image_reference_follows_the_registry() {
    // With `--registry HOST`, each reference to the learner's (or classmate's) repository must name HOST,
    // in checks, commands and solutions alike; `my-app:latest` is a local name and stays as it is.
    let host = "127.0.0.1:5000";
    for lesson in shipped_lessons() {
        let vars = sample_vars(&lesson, host);
        let render = |t: &str| {
            template::render(t, &vars).unwrap_or_else(|m| panic!("undefined {m:?} in `{t}`"))
        };
        let mut refs: Vec<(String, String)> = Vec::new();
        for step in lesson.steps.iter() {
            for check in &step.checks {
                if matches!(check.check, Check::HubRepository(_) | Check::HubAccount(_)) {
                    continue; // Docker Hub's REST API names repositories without a host
                }
                for r in check.image_refs() {
                    refs.push((
                        format!("`{}` check `{}`", *step.id, check.kind()),
                        render(r),
                    ));
                }
            }
            let lines = step.commands.iter().map(|c| c.as_str()).chain(
                step.solution
                    .iter()
                    .flat_map(|s| s.lines())
                    .map(|l| l.command),
            );
            for line in lines {
                for word in render(line)
                    .split_whitespace()
                    .filter(|w| w.contains("/python-canvas-client"))
                {
                    refs.push((format!("`{}` command `{line}`", *step.id), word.to_string()));
                }
            }
        }
        for (at, r) in refs {
            assert!(
                r.starts_with(&format!("{host}/")) || r.starts_with("my-app:"),
                "`{}` {at}: `{r}` does not name the registry `{host}`",
                *lesson.id
            );
        }
        // On Docker Hub the same references carry no host at all.
        let hub = sample_vars(&lesson, "docker.io");
        if let Some(repo) = hub.get("repository") {
            assert_eq!(repo, "alice/python-canvas-client");
        }
    }
}

#[test]
fn list_shows_the_course_in_order() {
    let out = bin().arg("list").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        ids,
        [
            "docker-hub-account",
            "tag-an-image",
            "push-an-image",
            "pull-an-image"
        ],
        "{stdout}"
    );
    for (line, lesson) in stdout.lines().zip(shipped_lessons()) {
        assert!(
            line.trim_end().ends_with(lesson.title.as_str()),
            "`{line}` should end with the title"
        );
    }
}

//! `learn-registry lint` against a corpus of broken lessons (`tests/fixtures/broken/`), one test per
//! fixture: the human output is a snapshot (the message, the caret and the hint are the product), the
//! JSON output must name the right problem at the right line and column, and the exit code must be 2 for
//! errors, 0 for warnings only. Fixtures too big or too odd to commit are written to a temporary folder
//! by the tests themselves. Every fixture also goes through the loader in-process, where a panic or a
//! stack overflow would show.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use learn_registry::lesson::load::{self, SourceFile};
use learn_registry::lesson::validate::{self, Parsed};
use serde_json::Value;

const BROKEN: &str = "tests/fixtures/broken";

/// What one run of the binary gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run `learn-registry --no-color ARGS` from `dir`, with no lesson folders from the environment.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("learn-registry")
        .expect("the binary is built")
        .current_dir(dir)
        .env_remove("LEARN_REGISTRY_LESSONS")
        .env("NO_COLOR", "1")
        .arg("--no-color")
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Lint `path` (relative to `dir`) both ways, snapshot the human output and check the JSON against
/// `expected` (code, line, column of each diagnostic, in the order lint prints them).
fn check_in(dir: &Path, name: &str, path: &str, exit: i32, expected: &[(&str, u64, u64)]) {
    let human = run_in(dir, &["lint", path]);
    assert!(
        human.stdout.is_empty(),
        "human output goes to stderr: {}",
        human.stdout
    );
    insta::assert_snapshot!(name, human.stderr);
    assert_eq!(human.code, exit, "exit code of `lint {path}`");

    let json = run_in(dir, &["lint", "--format", "json", path]);
    assert_eq!(json.code, exit, "exit code of `lint --format json {path}`");
    let report: Value = serde_json::from_str(&json.stdout)
        .unwrap_or_else(|e| panic!("`--format json` prints JSON ({e}): {}", json.stdout));
    let diagnostics = report["diagnostics"]
        .as_array()
        .expect("a diagnostics list");
    let found: Vec<(&str, u64, u64)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().expect("a code"),
                d["line"].as_u64().expect("a line"),
                d["column"].as_u64().expect("a column"),
            )
        })
        .collect();
    assert_eq!(found, expected, "diagnostics of {path}");
    for d in diagnostics {
        let file = d["file"].as_str().expect("a file");
        assert!(file.starts_with(path), "`{file}` is reported as given");
        let message = d["message"].as_str().expect("a message");
        assert!(
            !message.is_empty() && !message.starts_with(char::is_uppercase),
            "messages are lowercase: {message}"
        );
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .count() as u64;
    assert_eq!(report["errors"].as_u64(), Some(errors));
    assert_eq!(
        report["warnings"].as_u64(),
        Some(found.len() as u64 - errors)
    );
}

/// One test per fixture, and the list of them all (so that a fixture without a test is noticed).
macro_rules! fixtures {
    ($($test:ident: $path:literal => exit $exit:literal, [$(($code:literal, $line:literal, $col:literal)),* $(,)?];)*) => {
        const FIXTURES: &[&str] = &[$($path),*];
        $(
            #[test]
            fn $test() {
                check_in(
                    root(),
                    stringify!($test),
                    &format!("{BROKEN}/{}", $path),
                    $exit,
                    &[$(($code, $line, $col)),*],
                );
            }
        )*
    };
}

fixtures! {
    // YAML itself.
    yaml_syntax: "yaml-syntax.yaml" => exit 2, [("yaml-syntax", 8, 23)];
    tabs: "tabs.yaml" => exit 2, [("yaml-syntax", 5, 1)];
    duplicate_key: "duplicate-key.yaml" => exit 2, [("duplicate-key", 9, 1)];
    multiple_documents: "multiple-documents.yaml" => exit 2, [("multiple-documents", 9, 1)];
    alias_bomb: "alias-bomb.yaml" => exit 2, [("wrong-type", 10, 19)];
    alias_flood: "alias-flood.yaml" => exit 2, [("yaml-too-complex", 209, 9)];
    unknown_anchor: "unknown-anchor.yaml" => exit 2, [("yaml-syntax", 7, 12)];
    deep_nesting: "deep-nesting.yaml" => exit 2, [("wrong-type", 4, 9)];
    // What is not a lesson at all.
    empty: "empty.yaml" => exit 2, [("empty-file", 0, 0)];
    comments_only: "comments-only.yaml" => exit 2, [("empty-file", 0, 0)];
    scalar: "scalar.yaml" => exit 2, [("wrong-type", 2, 1)];
    list: "list.yaml" => exit 2, [("wrong-type", 2, 1)];
    binary_junk: "binary-junk.yaml" => exit 2, [("binary-file", 1, 1)];
    nul_bytes: "nul-bytes.yaml" => exit 2, [("binary-file", 2, 13)];
    utf16_bom: "utf16-bom.yaml" => exit 2, [("wrong-encoding", 0, 0)];
    utf16_no_bom: "utf16-no-bom.yaml" => exit 2, [("wrong-encoding", 0, 0)];
    latin1: "latin1.yaml" => exit 2, [("wrong-encoding", 2, 11)];
    // Names: unknown fields and kinds, with a suggestion.
    unknown_field_top: "unknown-field-top.yaml" => exit 2, [("unknown-field", 3, 1)];
    unknown_field_step: "unknown-field-step.yaml" => exit 2, [("unknown-field", 7, 5)];
    unknown_field_check: "unknown-field-check.yaml" => exit 2, [("unknown-field", 8, 25)];
    unknown_field_variable: "unknown-field-variable.yaml" => exit 2, [("unknown-field", 6, 5)];
    unknown_check_kind: "unknown-check-kind.yaml" => exit 2, [("unknown-check-kind", 8, 9)];
    unknown_setup_action: "unknown-setup-action.yaml" => exit 2, [("unknown-setup-action", 5, 5)];
    two_kinds: "two-kinds.yaml" => exit 2, [("wrong-type", 9, 9)];
    kind_without_fields: "kind-without-fields.yaml" => exit 2, [("wrong-type", 8, 9)];
    // Types and required fields.
    string_for_list: "string-for-list.yaml" => exit 2, [("wrong-type", 7, 15)];
    number_for_list: "number-for-list.yaml" => exit 2, [("wrong-type", 4, 8)];
    list_for_title: "list-for-title.yaml" => exit 2, [("wrong-type", 3, 8)];
    bool_yes: "bool-yes.yaml" => exit 2, [("wrong-type", 7, 17)];
    text_for_number: "text-for-number.yaml" => exit 2, [("wrong-type", 8, 54)];
    missing_field: "missing-field.yaml" => exit 2, [("missing-field", 5, 5)];
    crlf_line_endings: "crlf-line-endings.yaml" => exit 2, [("missing-field", 5, 5)];
    empty_value: "empty-value.yaml" => exit 2, [("missing-value", 3, 1)];
    // Variables.
    undefined_variable_body: "undefined-variable-body.yaml" => exit 2, [("undefined-variable", 11, 35)];
    undefined_variable_check: "undefined-variable-check.yaml" => exit 2, [("undefined-variable", 8, 33)];
    undefined_variable_solution: "undefined-variable-solution.yaml" => exit 2, [("undefined-variable", 12, 57)];
    undefined_variable_default: "undefined-variable-default.yaml" => exit 2, [("undefined-variable", 6, 15)];
    unused_variable: "unused-variable.yaml" => exit 0, [("unused-variable", 7, 3)];
    variable_cycle: "variable-cycle.yaml" => exit 2, [("variable-cycle", 5, 3)];
    builtin_variable: "builtin-variable.yaml" => exit 2, [("builtin-variable", 5, 3)];
    invalid_pattern: "invalid-pattern.yaml" => exit 2, [("invalid-pattern", 7, 14)];
    unanchored_pattern: "unanchored-pattern.yaml" => exit 2, [("unanchored-pattern", 7, 14)];
    default_mismatch: "default-mismatch.yaml" => exit 2, [("default-mismatch", 6, 14)];
    // Ids and references between lessons.
    duplicate_step_id: "duplicate-step-id.yaml" => exit 2, [("duplicate-step-id", 9, 9)];
    duplicate_lesson_id: "duplicate-lesson-id" => exit 2, [("duplicate-lesson-id", 2, 5)];
    requires_cycle: "requires-cycle" => exit 2, [("requires-cycle", 5, 5)];
    requires_self: "requires-self.yaml" => exit 2, [("requires-cycle", 4, 12)];
    requires_missing: "requires-missing.yaml" => exit 2, [("unknown-lesson", 5, 5)];
    // Image references.
    image_uppercase: "image-uppercase.yaml" => exit 2, [("invalid-image-reference", 8, 32)];
    image_space: "image-space.yaml" => exit 2, [("invalid-image-reference", 8, 32)];
    image_bad_tag: "image-bad-tag.yaml" => exit 2, [("invalid-image-reference", 6, 12)];
    // Steps, quizzes, commands.
    no_steps: "no-steps.yaml" => exit 2, [("no-steps", 4, 8)];
    empty_step: "empty-step.yaml" => exit 2, [("empty-step", 5, 9)];
    quiz_answer_not_a_choice: "quiz-answer-not-a-choice.yaml" => exit 2, [("quiz-answer-not-a-choice", 12, 15)];
    quiz_one_choice: "quiz-one-choice.yaml" => exit 2, [("quiz-too-few-choices", 9, 16)];
    quiz_duplicate_choice: "quiz-duplicate-choice.yaml" => exit 2, [("quiz-duplicate-choice", 12, 11)];
    invalid_link: "invalid-link.yaml" => exit 2, [("invalid-link", 8, 11)];
    link_file: "link-file.yaml" => exit 2, [("invalid-link", 8, 11)];
    // Terminal control sequences: each character once per string, at the string, named.
    control_characters: "control-characters.yaml" => exit 2, [
        ("control-character", 3, 8),
        ("control-character", 3, 8),
        ("control-character", 4, 10),
        ("control-character", 7, 12),
        ("control-character", 8, 11),
        ("control-character", 8, 11),
        ("control-character", 10, 13),
    ];
    unclosed_quote: "unclosed-quote.yaml" => exit 2, [("invalid-solution", 11, 7)];
    solution_needs_shell: "solution-needs-shell.yaml" => exit 2, [
        ("solution-needs-shell", 10, 7),
        ("solution-needs-shell", 11, 7),
        ("solution-needs-shell", 12, 7),
    ];
    empty_command: "empty-command.yaml" => exit 2, [("empty-command", 8, 25)];
    missing_dockerfile: "missing-dockerfile.yaml" => exit 2, [("missing-dockerfile", 8, 9)];
    // Several structural mistakes: all of them in one run, each once (a misspelt required field is
    // one mistake, not also "missing field"); the did-you-mean picks the closest of the kind's fields.
    seven_mistakes: "seven-mistakes.yaml" => exit 2, [
        ("unknown-field", 4, 1),
        ("unknown-field", 7, 5),
        ("unknown-field", 11, 5),
        ("wrong-type", 16, 12),
        ("unknown-check-kind", 22, 9),
        ("missing-field", 26, 23),
        ("unknown-field", 30, 44),
    ];
    // Structural and meaning mistakes together: all in one run, in file order, and nothing that the
    // blanking of the structural ones would cause (`tag` undefined, `repository` unused, step `three`
    // empty).
    mixed_mistakes: "mixed-mistakes.yaml" => exit 2, [
        ("unknown-field", 9, 1),
        ("unanchored-pattern", 13, 14),
        ("wrong-type", 15, 13),
        ("undefined-variable", 21, 42),
        ("wrong-type", 26, 12),
        ("invalid-link", 31, 11),
        ("unknown-check-kind", 33, 9),
        ("quiz-answer-not-a-choice", 41, 15),
    ];
    // Names `{{ name }}` cannot reach: Go template words are Docker's, for variables and captures.
    go_template_word: "go-template-word.yaml" => exit 2, [
        ("invalid-variable-name", 6, 3),
        ("invalid-capture-name", 14, 18),
    ];
}

/// Every file and folder of the corpus has a test above, and the corpus is as large as promised.
#[test]
fn every_fixture_has_a_test() {
    let covered: BTreeSet<&str> = FIXTURES.iter().copied().collect();
    let mut on_disk = BTreeSet::new();
    for entry in std::fs::read_dir(root().join(BROKEN)).expect("the corpus exists") {
        let name = entry.expect("an entry").file_name();
        let name = name.to_string_lossy().into_owned();
        if !name.starts_with('.') {
            on_disk.insert(name);
        }
    }
    let untested: Vec<_> = on_disk
        .iter()
        .filter(|n| !covered.contains(n.as_str()))
        .collect();
    assert!(untested.is_empty(), "fixtures without a test: {untested:?}");
    let missing: Vec<_> = covered.iter().filter(|n| !on_disk.contains(**n)).collect();
    assert!(missing.is_empty(), "tests without a fixture: {missing:?}");
    assert!(FIXTURES.len() >= 30, "only {} fixtures", FIXTURES.len());
}

/// The committed fixtures that are not UTF-8 text, made with a few lines of Python: one lesson
/// (`id: broken-encoding`, title `Café registries`) encoded as UTF-16LE with and without a byte-order
/// mark and as Latin-1; the same with a NUL in the title; the 33-byte start of a PNG then the bytes 0 to
/// 255. An editor that "fixes" them on save would make their tests pass for the wrong reason.
#[test]
fn odd_fixtures_hold_the_bytes_they_claim() {
    let read = |name: &str| std::fs::read(root().join(BROKEN).join(name)).expect("readable");
    let utf16 = read("utf16-bom.yaml");
    assert!(utf16.starts_with(&[0xFF, 0xFE, b'i', 0]));
    assert_eq!(&read("utf16-no-bom.yaml")[..], &utf16[2..]);
    let latin1 = read("latin1.yaml");
    assert!(latin1.contains(&0xE9) && std::str::from_utf8(&latin1).is_err());
    let nul = read("nul-bytes.yaml");
    assert!(nul.contains(&0) && std::str::from_utf8(&nul).is_ok());
    assert!(read("binary-junk.yaml").starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(read("tabs.yaml").contains(&b'\t'));
    assert!(
        read("crlf-line-endings.yaml")
            .windows(2)
            .any(|w| w == b"\r\n")
    );
}

/// Files the tests write themselves: too big to commit.
fn generated() -> Vec<(&'static str, Vec<u8>)> {
    let lesson = "id: broken-generated\ntitle: Generated\nsteps:\n  - id: start-docker\n    title: Start Docker\n    checks:\n      - docker_running: {}\n";
    let mut huge = lesson.as_bytes().to_vec();
    while huge.len() <= 10 * 1024 * 1024 {
        huge.extend_from_slice(
            b"# padding, padding, padding, padding, padding, padding, padding\n",
        );
    }
    let just_under = |open: &str, close: &str| {
        let n = (load::MAX_LESSON_BYTES - 100) / (open.len() + close.len());
        format!(
            "id: x\ntitle: t\nsteps: {}{}\n",
            open.repeat(n),
            close.repeat(n)
        )
        .into_bytes()
    };
    let mut nested_blocks = b"id: x\ntitle: t\nsteps:\n".to_vec();
    for depth in 0..2000 {
        nested_blocks.extend_from_slice(" ".repeat(depth * 2).as_bytes());
        nested_blocks.extend_from_slice(b"- \n");
    }
    let many_errors = format!(
        "id: x\ntitle: t\nsteps:\n  - id: s\n    title: s\n    human_only: true\n    body: \"{}\"\n",
        "{{ nope }} ".repeat(90_000)
    );
    let long_loop = format!(
        "id: x\ntitle: t\nvariables:\n{}steps:\n  - id: s\n    title: s\n    human_only: true\n    body: \"{{{{ v0 }}}}\"\n",
        (0..20_000)
            .map(|i| format!(
                "  v{i}: {{ default: \"{{{{ v{} }}}}\" }}\n",
                (i + 1) % 20_000
            ))
            .collect::<String>()
    );
    vec![
        ("huge.yaml", huge),
        ("deep-flow-lists.yaml", just_under("[", "]")),
        ("deep-flow-maps.yaml", just_under("{a: ", "}")),
        ("deep-block-lists.yaml", nested_blocks),
        ("many-errors.yaml", many_errors.into_bytes()),
        ("long-loop.yaml", long_loop.into_bytes()),
    ]
}

#[test]
fn a_10_mb_file_is_refused_before_parsing() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (name, bytes) = generated().swap_remove(0);
    assert!(bytes.len() > 10 * 1024 * 1024);
    std::fs::write(dir.path().join(name), bytes).expect("written");
    check_in(dir.path(), "huge", name, 2, &[("file-too-large", 0, 0)]);
}

#[test]
fn thousands_of_problems_stop_at_a_limit() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (name, bytes) = generated().swap_remove(4);
    std::fs::write(dir.path().join(name), bytes).expect("written");
    let started = std::time::Instant::now();
    let run = run_in(dir.path(), &["lint", "--format", "json", name]);
    assert_eq!(run.code, 2);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| d["code"].as_str().expect("a code"))
        .collect();
    assert_eq!(
        codes.len(),
        201,
        "200 problems and the note that there are more"
    );
    let notes = codes.iter().filter(|c| **c == "too-many-problems").count();
    assert_eq!(notes, 1, "{codes:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_loop_of_20000_variables_is_found_quickly() {
    // Looking for loops from every variable in turn took minutes on a file like this.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (name, bytes) = generated().swap_remove(5);
    std::fs::write(dir.path().join(name), bytes).expect("written");
    let started = std::time::Instant::now();
    check_in(
        dir.path(),
        "long_loop",
        name,
        2,
        &[("variable-cycle", 4, 3)],
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}

/// The corpus files, with the multi-file fixtures as one group each.
fn corpus() -> Vec<Vec<(String, Vec<u8>)>> {
    let mut groups = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(root().join(BROKEN))
        .expect("the corpus exists")
        .map(|e| e.expect("an entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let read = |p: &Path| (p.display().to_string(), std::fs::read(p).expect("readable"));
        if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
                .expect("a folder")
                .map(|e| e.expect("an entry").path())
                .collect();
            files.sort();
            groups.push(files.iter().map(|p| read(p)).collect());
        } else if path.extension().is_some_and(|e| e == "yaml") {
            groups.push(vec![read(&path)]);
        }
    }
    for (name, bytes) in generated() {
        groups.push(vec![(name.to_string(), bytes)]);
    }
    groups
}

/// decode → parse → validate → render, as `lint` does (the meaning of a file with structural
/// mistakes checked as far as it decodes), in this process: a panic fails the test.
fn lint_in_process(group: &[(String, Vec<u8>)]) -> usize {
    let mut files: Vec<SourceFile> = Vec::new();
    let mut problems = 0;
    for (name, bytes) in group {
        match load::decode(name, bytes) {
            Ok(f) => files.push(f),
            Err(d) => {
                assert!(d.is_error());
                assert!(!d.render(None, false).is_empty());
                problems += 1;
            }
        }
    }
    let mut lessons = Vec::new();
    let mut blanked = BTreeMap::new();
    for file in &files {
        match load::parse_all(file) {
            Ok(lesson) => lessons.push((file, lesson)),
            Err(recovered) => {
                let found = &recovered.problems;
                let first = load::parse(file).expect_err("parse_all failed, so parse fails");
                assert!(
                    found
                        .iter()
                        .any(|d| (d.line, d.column, d.code)
                            == (first.line, first.column, first.code)),
                    "the problem `parse` reports is among them, in {}",
                    file.name
                );
                for d in found {
                    assert_eq!(d.file, file.name);
                    assert!(d.render(Some(&file.text), false).starts_with("error: "));
                }
                problems += found.len();
                let load::Recovered {
                    lesson, blanked: b, ..
                } = *recovered;
                if let Some(lesson) = lesson {
                    lessons.push((file, lesson));
                    blanked.insert(file.name.clone(), b);
                }
            }
        }
    }
    let parsed: Vec<Parsed> = lessons
        .iter()
        .map(|(file, lesson)| Parsed { file, lesson })
        .collect();
    for d in validate::validate_recovered(&parsed, &blanked, &BTreeSet::new()) {
        let source = files.iter().find(|f| f.name == d.file).map(|f| &f.text);
        assert!(source.is_some(), "`{}` names a linted file", d.file);
        assert!(!d.render(source.map(String::as_str), true).is_empty());
        problems += 1;
    }
    problems
}

#[test]
fn nothing_panics_in_process() {
    for group in corpus() {
        let names: Vec<&str> = group.iter().map(|(n, _)| n.as_str()).collect();
        let problems = lint_in_process(&group);
        assert!(problems > 0, "{names:?} is broken but lints clean");
    }
}

#[test]
fn nothing_panics_on_cut_and_flipped_fixtures() {
    // Every fixture cut short at each of a few places, and with a byte flipped: the shapes a file has
    // while it is being written, or after a bad copy.
    for group in corpus() {
        for (name, bytes) in group {
            if bytes.len() > 64 * 1024 {
                continue;
            }
            let step = (bytes.len() / 16).max(1);
            for cut in (0..bytes.len()).step_by(step) {
                lint_in_process(&[(name.clone(), bytes[..cut].to_vec())]);
                let mut flipped = bytes.clone();
                flipped[cut] ^= 0x20;
                lint_in_process(&[(name.clone(), flipped)]);
            }
        }
    }
}

#[test]
fn the_whole_corpus_at_once() {
    let run = run_in(root(), &["lint", "--format", "json", BROKEN]);
    assert_eq!(run.code, 2);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let files: BTreeSet<&str> = report["diagnostics"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| d["file"].as_str().expect("a file"))
        .collect();
    // Every single-file fixture has a problem of its own.
    for fixture in FIXTURES.iter().filter(|f| f.ends_with(".yaml")) {
        let path = format!("{BROKEN}/{fixture}");
        assert!(files.contains(path.as_str()), "nothing reported for {path}");
    }
}

#[test]
fn a_number_where_text_is_expected_is_that_text() {
    // YAML would read `42` as a number; serde-saphyr keeps a scalar's text as written when the field
    // is text, so the title is exactly what the author typed (and `1.10` stays `1.10`).
    let file = load::decode(
        "n.yaml",
        b"id: numbers\ntitle: 42\nsteps:\n  - id: s\n    title: 1.10\n    human_only: true\n",
    )
    .expect("UTF-8");
    let lesson = load::parse(&file).expect("parses");
    assert_eq!(lesson.title.as_str(), "42");
    assert_eq!(lesson.steps[0].title.as_str(), "1.10");
}

#[test]
fn a_new_lesson_lints_clean() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let new = run_in(dir.path(), &["new", "tag-with-version"]);
    assert_eq!(new.code, 0, "{}", new.stderr);
    assert_eq!(new.stdout.trim(), "./tag-with-version.yaml");
    let lint = run_in(dir.path(), &["lint", "tag-with-version.yaml"]);
    assert_eq!(
        lint.stderr, "ok: 1 lesson file clean (0 warnings)\n",
        "a new lesson passes lint as written"
    );
    assert_eq!(lint.code, 0);
}

/// Files named on the command line may require a shipped lesson and one from `--lessons-dir` (the
/// shipped ids are read off their `id:` lines, the folder's are loaded); anything else is unknown, with
/// the nearest known id as a suggestion.
#[test]
fn named_files_may_require_shipped_and_folder_lessons() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (lessons, work) = (dir.path().join("lessons"), dir.path().join("work"));
    std::fs::create_dir_all(&lessons).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    assert_eq!(run_in(&lessons, &["new", "from-folder"]).code, 0);
    assert_eq!(run_in(&work, &["new", "mine"]).code, 0);
    let mine = work.join("mine.yaml");
    let text = std::fs::read_to_string(&mine).unwrap();
    let with = |requires: &str| {
        let out = text.replacen(
            "\nrequires: []\n",
            &format!("\nrequires: [{requires}]\n"),
            1,
        );
        assert_ne!(out, text, "the new lesson has an empty `requires:` line");
        std::fs::write(&mine, out).unwrap();
    };
    let folder = lessons.to_str().unwrap();

    with("tag-an-image, from-folder");
    let ok = run_in(&work, &["--lessons-dir", folder, "lint", "mine.yaml"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let no_folder = run_in(&work, &["lint", "--format", "json", "mine.yaml"]);
    assert_eq!(no_folder.code, 2, "{}", no_folder.stdout);
    assert!(
        no_folder.stdout.contains("`from-folder` does not exist"),
        "{}",
        no_folder.stdout
    );

    with("tag-an-imag");
    let typo = run_in(&work, &["--lessons-dir", folder, "lint", "mine.yaml"]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("did you mean `tag-an-image`?"),
        "{}",
        typo.stderr
    );
}

#[test]
fn schema_is_json_with_the_steps() {
    let run = run_in(root(), &["schema"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let schema: Value = serde_json::from_str(&run.stdout).expect("the schema is JSON");
    assert!(schema["properties"]["steps"].is_object(), "{schema:#}");
    let required = schema["required"].as_array().expect("required fields");
    for field in ["id", "title", "steps"] {
        assert!(required.iter().any(|r| r == field), "`{field}` is required");
    }
}

#[test]
fn the_example_lessons_for_instructors_lint_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = run_in(root, &["lint", "examples"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("2 lesson files clean"), "{all}");
}

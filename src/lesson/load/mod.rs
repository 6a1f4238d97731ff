//! Reading a lesson file: bytes → text → `Lesson`, or one `Diagnostic` that says where and why not.
//!
//! The loader never panics and never trusts its input: `decode` refuses huge files, binary junk and
//! wrong encodings before the YAML parser sees them; `parse` runs serde-saphyr with budgets that stop
//! alias bombs and deep nesting and rejects duplicate keys; `translate` turns serde-saphyr's errors
//! into ours by their kind (with a did-you-mean), using `locate`'s scans of the YAML text to point at
//! the right place and name what holds it.

mod decode;
mod locate;
mod recover;
mod shape;
mod translate;

use serde_saphyr::{DuplicateKeyPolicy, MergeKeyPolicy, Options};

use crate::diagnostic::Diagnostic;
use crate::lesson::model::Lesson;

pub use decode::decode;
pub use recover::{Blanked, Recovered};

/// Lesson files are small; a larger one is a mistake (a log pasted in, the wrong file).
pub const MAX_LESSON_BYTES: usize = 1024 * 1024;

/// A lesson's text and the name it is reported under.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// As shown in messages: a path relative to where the user stands, or `shipped:...` for embedded ones.
    pub name: String,
    pub text: String,
}

/// Safety limits for the YAML parser, far above what a real lesson needs.
const MAX_ALIASES: usize = 200;
const MAX_ANCHORS: usize = 200;
const MAX_DEPTH: usize = 64;

fn options() -> Options {
    let mut options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_aliases: MAX_ALIASES,
            max_anchors: MAX_ANCHORS,
            max_depth: MAX_DEPTH,
            max_documents: 1,
            max_nodes: 100_000,
            max_events: 200_000,
            max_total_scalar_bytes: MAX_LESSON_BYTES,
        },
        duplicate_keys: DuplicateKeyPolicy::Error,
        with_snippet: false,
        strict_booleans: true,
    };
    options.reject_unsupported_tags = true;
    options
}

/// The first read of a lesson: the same limits, but a repeated key is handed to the model's own
/// visitors, which refuse it (a derived struct a repeated field, `unique` maps a repeated key, a check
/// item a second kind or sibling), and a merge key (`<<`) is an error. That spares serde-saphyr keeping
/// every mapping key for comparison (5.5 % of `lint`'s instructions, issue 12). It only ever says yes
/// to what `options` says yes to: on any error the text is read again with `options`, whose error is
/// the one reported, and merge keys work there.
fn first_options() -> Options {
    let mut options = options();
    options.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    options.merge_keys = MergeKeyPolicy::Error;
    options
}

/// Decode a lesson: the quick first read, and the strict one when that fails.
fn read(text: &str) -> Result<Lesson, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options::<Lesson>(text, first_options())
        .or_else(|_| serde_saphyr::from_str_with_options::<Lesson>(text, options()))
}

/// Parse a lesson. On failure, one diagnostic at the first problem (YAML syntax, unknown field or kind,
/// wrong type); the semantic checks of `validate` come after a successful parse.
pub fn parse(file: &SourceFile) -> Result<Lesson, Diagnostic> {
    if let Some(d) = empty(file) {
        return Err(d);
    }
    read(&file.text).map_err(|e| translate::translate(file, &e))
}

/// Parse a lesson for lint: on failure, every structural problem that can be found in one run (see
/// `recover`), in file order (the one `parse` reports is among them), and the lesson as far as it can
/// still be read, for lint to check its meaning too.
pub fn parse_all(file: &SourceFile) -> Result<Lesson, Box<Recovered>> {
    if let Some(d) = empty(file) {
        return Err(Box::new(Recovered {
            problems: vec![d],
            lesson: None,
            blanked: Blanked::default(),
        }));
    }
    recover::parse_all(file)
}

fn empty(file: &SourceFile) -> Option<Diagnostic> {
    if !(file.text.trim().is_empty() || has_no_content(&file.text)) {
        return None;
    }
    let message = if file.text.trim().is_empty() {
        "lesson file is empty"
    } else {
        "lesson file has nothing but comments"
    };
    Some(
        Diagnostic::error("empty-file", message)
            .in_file(&file.name)
            .help("start from `learn-registry new ID`"),
    )
}

/// Only comments, blank lines, directives and document markers: YAML would read it as "nothing".
fn has_no_content(text: &str) -> bool {
    text.lines().map(str::trim).all(|l| {
        let marker = l.strip_prefix("---").or_else(|| l.strip_prefix("..."));
        l.is_empty()
            || l.starts_with('#')
            || l.starts_with('%')
            || marker.is_some_and(|rest| rest.trim().is_empty() || rest.trim().starts_with('#'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lesson with each kind of mapping a lesson has: the top level, a variable, a setup action
    /// and its `files:`, a step, a check item and the check itself.
    const EVERY_MAPPING: &str = r#"id: a
title: A
variables:
  user:
    prompt: Your name
  repo:
    default: "{{ user }}/demo"
setup:
  - build_image:
      tag: demo:latest
      files:
        Dockerfile: "FROM scratch\n"
        greeting.txt: "hello\n"
steps:
  - id: s
    title: S
    body: Push it.
    checks:
      - image_pushed: { image: "{{ repo }}:1.0" }
        hint: "push it"
"#;

    /// `EVERY_MAPPING` with `line` (found as it is written) followed by `again`, at its indentation.
    fn repeated(line: &str, again: &str) -> String {
        let at = EVERY_MAPPING.find(line).unwrap_or_else(|| panic!("{line}"));
        let start = EVERY_MAPPING[..at].rfind('\n').map_or(0, |i| i + 1);
        let indent = &EVERY_MAPPING[start..at];
        let end = at + line.len();
        format!(
            "{}\n{indent}{again}{}",
            &EVERY_MAPPING[..end],
            &EVERY_MAPPING[end..]
        )
    }

    #[test]
    fn the_first_read_says_yes_only_to_what_the_strict_one_does() {
        let read = |text: &str, o: Options| serde_saphyr::from_str_with_options::<Lesson>(text, o);
        let lesson = read(EVERY_MAPPING, first_options()).expect("the first read takes it");
        let strict = read(EVERY_MAPPING, options()).expect("the strict read takes it");
        assert_eq!(format!("{lesson:?}"), format!("{strict:?}"));
        // A key written twice in each kind of mapping: both reads refuse it, so `read` reports the
        // strict read's `duplicate key` error.
        let twice = [
            repeated("title: A", "title: B"),
            repeated("prompt: Your name", "prompt: Again"),
            EVERY_MAPPING.replace("  repo:\n", "  user: { prompt: Again }\n  repo:\n"),
            repeated("tag: demo:latest", "tag: demo:other"),
            repeated("greeting.txt: \"hello\\n\"", "greeting.txt: \"again\""),
            repeated("title: S", "title: T"),
            repeated("hint: \"push it\"", "hint: again"),
            repeated(
                "- image_pushed: { image: \"{{ repo }}:1.0\" }",
                "  image_pushed: { image: x }",
            ),
            EVERY_MAPPING.replace("{ image: \"{{ repo }}:1.0\" }", "{ image: a, image: b }"),
        ];
        for text in &twice {
            assert!(read(text, options()).is_err(), "strict takes:\n{text}");
            assert!(read(text, first_options()).is_err(), "first takes:\n{text}");
            let e = super::read(text).expect_err(text);
            assert!(
                matches!(
                    translate::innermost(&e),
                    serde_saphyr::Error::DuplicateMappingKey { .. }
                ),
                "{e:?}\n{text}"
            );
        }
        // A merge key: refused by the first read, merged by the strict one.
        let merged = EVERY_MAPPING.replace(
            "  - id: s\n    title: S\n",
            "  - &first { id: s, title: S, body: x, checks: [ { logged_in: {} } ] }\n  - <<: *first\n    id: t\n",
        );
        assert!(read(&merged, first_options()).is_err());
        let lesson = super::read(&merged).expect("merged");
        assert_eq!(lesson.steps[1].title.as_str(), "S");
    }

    #[test]
    fn comments_and_markers_are_no_content() {
        assert!(has_no_content("# a\n\n---\n# b\n...\n"));
        assert!(has_no_content("%YAML 1.2\n--- # start\n"));
        assert!(!has_no_content("# a\nid: x\n"));
        assert!(!has_no_content("---x\n"));
    }
}

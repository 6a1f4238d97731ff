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

use serde_saphyr::{DuplicateKeyPolicy, Options};

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

/// Parse a lesson. On failure, one diagnostic at the first problem (YAML syntax, unknown field or kind,
/// wrong type); the semantic checks of `validate` come after a successful parse.
pub fn parse(file: &SourceFile) -> Result<Lesson, Diagnostic> {
    if let Some(d) = empty(file) {
        return Err(d);
    }
    serde_saphyr::from_str_with_options::<Lesson>(&file.text, options())
        .map_err(|e| translate::translate(file, &e))
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

    #[test]
    fn comments_and_markers_are_no_content() {
        assert!(has_no_content("# a\n\n---\n# b\n...\n"));
        assert!(has_no_content("%YAML 1.2\n--- # start\n"));
        assert!(!has_no_content("# a\nid: x\n"));
        assert!(!has_no_content("---x\n"));
    }
}

//! Lint: what a lesson can get wrong after it parsed. Each problem is a `Diagnostic` pointing at the
//! culprit. Syntax and type errors come from `load`; this module checks meaning: ids, variables,
//! references between lessons, image references, patterns, quizzes, steps that verify nothing, links
//! that are not web addresses, and characters a terminal would act on (`text.rs`).
//!
//! One file per topic, each a few small rules that report into one `Lint` collector. The collector
//! holds the per-file cap: once a file has `MAX_PER_FILE` problems, `push` answers
//! `ControlFlow::Break` and every rule stops at its next `?`, so no loop tests the cap itself.

mod checks;
mod graph;
mod ids;
mod quiz;
mod setup;
mod steps;
mod templates;
mod text;
mod variables;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;
use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::Diagnostic;
use crate::lesson::Sp;
use crate::lesson::load::SourceFile;
use crate::lesson::model::Lesson;

/// Variables every lesson has without declaring them: the registry the course runs against, and the
/// prefix (`HOST/`, or nothing for Docker Hub) that image references start with.
pub const BUILTIN_VARIABLES: &[&str] = &["registry", "registry_prefix"];

/// Lesson and step ids: lowercase words joined by `-`.
static ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").unwrap());

/// Lint stops looking at a file after this many problems: nobody reads more, and a hostile file could
/// otherwise have hundreds of thousands, each located by a scan of the text.
const MAX_PER_FILE: usize = 200;

/// What a rule returns: `Break` once the file's cap is reached, so the caller stops too.
type Flow = ControlFlow<()>;

/// A parsed lesson and the file it came from.
pub struct Parsed<'a> {
    pub file: &'a SourceFile,
    pub lesson: &'a Lesson,
}

/// Lint a set of lessons that may require each other. `known_ids` are lessons outside the set that
/// `requires` may name (for example the shipped course when linting a folder of new lessons).
pub fn validate_all(lessons: &[Parsed<'_>], known_ids: &BTreeSet<String>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut ids: BTreeMap<&str, &Parsed> = BTreeMap::new();
    for p in lessons {
        let id = p.lesson.id.as_str();
        if let Some(first) = ids.get(id) {
            out.push(
                at(
                    p.file,
                    &p.lesson.id,
                    "duplicate-lesson-id",
                    format!("lesson id `{id}` is used twice"),
                )
                .help(format!("`{}` already uses it", first.file.name)),
            );
        } else {
            ids.insert(id, p);
        }
    }
    let all_ids: BTreeSet<&str> = ids
        .keys()
        .copied()
        .chain(known_ids.iter().map(String::as_str))
        .collect();
    let each = crate::parallel::map(lessons, |p| {
        let mut lint = Lint::new(p.file, p.lesson);
        let _ = validate(&mut lint, &all_ids);
        lint.finish()
    });
    out.extend(each.into_iter().flatten());
    out.extend(graph::requires_cycles(&ids));
    out
}

/// Every rule over one lesson, in the order its problems are reported.
fn validate(lint: &mut Lint<'_>, all_ids: &BTreeSet<&str>) -> Flow {
    text::control_characters(lint)?;
    ids::lesson_id(lint)?;
    ids::requires(lint, all_ids)?;
    variables::declarations(lint)?;
    graph::variable_cycles(lint)?;
    templates::references(lint)?;
    templates::captures(lint)?;
    let samples = variables::sample_values(lint.lesson);
    setup::actions(lint, &samples)?;
    steps::steps(lint, &samples)
}

/// The problems of one file, capped, and what they are pointed at.
struct Lint<'a> {
    file: &'a SourceFile,
    lesson: &'a Lesson,
    out: Vec<Diagnostic>,
}

impl<'a> Lint<'a> {
    fn new(file: &'a SourceFile, lesson: &'a Lesson) -> Self {
        Lint {
            file,
            lesson,
            out: Vec::new(),
        }
    }

    /// Report a problem. `Break` once the file has as many as anyone will read.
    fn push(&mut self, d: Diagnostic) -> Flow {
        if self.out.len() < MAX_PER_FILE {
            self.out.push(d);
        }
        if self.out.len() < MAX_PER_FILE {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    }

    /// The problems found, with a last one saying that lint stopped early, if it did.
    fn finish(mut self) -> Vec<Diagnostic> {
        if self.out.len() >= MAX_PER_FILE {
            let mut d = Diagnostic::error(
                "too-many-problems",
                format!("too many problems; stopped after the first {MAX_PER_FILE}"),
            );
            // As severe as what it stands for: a file of warnings only must still pass.
            d.severity = self
                .out
                .iter()
                .map(|d| d.severity)
                .max()
                .unwrap_or(d.severity);
            self.out.push(d.in_file(&self.file.name));
        }
        self.out
    }

    /// A diagnostic at a located value.
    fn at<T>(&self, node: &Sp<T>, code: &'static str, message: String) -> Diagnostic {
        at(self.file, node, code, message)
    }

    /// A diagnostic at the key a mapping value is written under (`username:` for a variable), which
    /// sits before the value on its line or a line above.
    fn at_key<T>(
        &self,
        node: &Sp<T>,
        key: &str,
        code: &'static str,
        message: String,
    ) -> Diagnostic {
        let text = &self.file.text;
        let end = node.byte_range().map_or(0, |r| r.start).min(text.len());
        let from = end.saturating_sub(400);
        let found = (from..=end)
            .rev()
            .filter(|i| text.is_char_boundary(*i))
            .find(|i| {
                text[*i..].starts_with(key)
                    && text[*i + key.len()..]
                        .trim_start_matches(['"', '\''])
                        .starts_with(':')
            });
        match found {
            Some(i) if node.line() > 0 => Diagnostic::error(code, message)
                .at(text, i..i + key.len())
                .in_file(&self.file.name),
            _ => self.at(node, code, message),
        }
    }

    /// A diagnostic at the first `needle` written at or after a node (a variable inside a string, a
    /// quoted value).
    fn at_text<T>(
        &self,
        node: &Sp<T>,
        needle: &str,
        code: &'static str,
        message: String,
    ) -> Diagnostic {
        self.at_text_after(node, &mut 0, needle, code, message)
    }

    /// `at_text`, searching from `cursor` on and moving it past what was found: several finds in one
    /// long string (each unclosed quote of a solution) then cost one pass over it, not one pass each.
    fn at_text_after<T>(
        &self,
        node: &Sp<T>,
        cursor: &mut usize,
        needle: &str,
        code: &'static str,
        message: String,
    ) -> Diagnostic {
        let text = &self.file.text;
        let start = node
            .byte_range()
            .map_or(0, |r| r.start)
            .max(*cursor)
            .min(text.len());
        match text.get(start..).and_then(|rest| rest.find(needle)) {
            Some(i) if node.line() > 0 => {
                *cursor = start + i + needle.len();
                Diagnostic::error(code, message)
                    .at(text, start + i..start + i + needle.len())
                    .in_file(&self.file.name)
            }
            _ => self.at(node, code, message),
        }
    }
}

/// Point a diagnostic at a located value of `file`.
fn at<T>(file: &SourceFile, node: &Sp<T>, code: &'static str, message: String) -> Diagnostic {
    let d = Diagnostic::error(code, message);
    let d = match node.byte_range() {
        Some(r) if node.line() > 0 => d.at(&file.text, r.start..r.end.max(r.start + 1)),
        _ => d,
    };
    d.in_file(&file.name)
}

/// What a regular expression error says, without the `regex` crate's copy of the pattern.
fn regex_problem(e: &regex::Error) -> String {
    let text = e.to_string();
    let last = text.lines().last().unwrap_or_default().trim();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn lint(text: String) -> Vec<Diagnostic> {
        let file = SourceFile {
            name: "t.yaml".into(),
            text,
        };
        let lesson = crate::lesson::load::parse(&file).expect("parses");
        validate_all(
            &[Parsed {
                file: &file,
                lesson: &lesson,
            }],
            &BTreeSet::new(),
        )
    }

    #[test]
    fn the_cap_keeps_the_first_problems_and_says_so_once_as_severe_as_they_are() {
        // 300 unused variables: warnings only, so the note must not turn the file into an error.
        let mut text = String::from("id: a\ntitle: A\nvariables:\n");
        for i in 0..300 {
            text.push_str(&format!("  v{i}: {{ default: x }}\n"));
        }
        text.push_str("steps:\n  - id: s\n    title: S\n    human_only: true\n");
        let found = lint(text);
        assert_eq!(found.len(), MAX_PER_FILE + 1);
        assert!(
            found[..MAX_PER_FILE]
                .iter()
                .all(|d| d.code == "unused-variable")
        );
        let note = &found[MAX_PER_FILE];
        assert_eq!(note.code, "too-many-problems");
        assert_eq!(note.severity, Severity::Warning);
    }

    #[test]
    fn a_file_under_the_cap_gets_no_note() {
        let text = "id: a\ntitle: A\nvariables:\n  v: { default: x }\nsteps:\n  - id: s\n    title: S\n    human_only: true\n";
        let found = lint(text.to_string());
        let codes: Vec<_> = found.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["unused-variable"]);
    }
}

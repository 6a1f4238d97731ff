//! Lint: what a lesson can get wrong after it parsed. Each problem is a `Diagnostic` pointing at the
//! culprit. Syntax and type errors come from `load`; this module checks meaning: ids, variables,
//! references between lessons, image references, patterns, quizzes, steps that verify nothing, links
//! that are not web addresses, and characters a terminal would act on (`text.rs`).
//!
//! One file per topic, each a few small rules that report into one `Lint` collector. The collector
//! holds the per-file cap: once a file has `MAX_PER_FILE` problems, `push` answers
//! `ControlFlow::Break` and every rule stops at its next `?`, so no loop tests the cap itself.
//!
//! A file with structural mistakes is checked too when it decodes with them blanked out
//! (`load::Recovered`, `validate_recovered`); the collector then drops what the blanking could have
//! caused (`Lint::echo`), so every problem reported is one of the file as written.

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
use crate::lesson::load::{Blanked, SourceFile};
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
    validate_recovered(lessons, &BTreeMap::new(), known_ids)
}

/// `validate_all` for lint, where some lessons were decoded with their structural mistakes blanked
/// out: `blanked` says, per file name, what was blanked in each such file, and a problem the blanking
/// itself could have caused there is not reported.
pub fn validate_recovered(
    lessons: &[Parsed<'_>],
    blanked: &BTreeMap<String, Blanked>,
    known_ids: &BTreeSet<String>,
) -> Vec<Diagnostic> {
    let each = crate::parallel::map(lessons, |p| {
        validate_one(p.file, p.lesson, blanked.get(&p.file.name))
    });
    let mut out: Vec<Diagnostic> = each.into_iter().flatten().collect();
    out.extend(validate_set(lessons, blanked, known_ids));
    out
}

/// The rules that look at one lesson alone: everything but whether the lessons it requires exist
/// and what `validate_set` finds across lessons. `lint` runs this on each file right after decoding
/// it, on whichever core decoded it. `blanked` is what was blanked to decode it, if anything.
pub fn validate_one(
    file: &SourceFile,
    lesson: &Lesson,
    blanked: Option<&Blanked>,
) -> Vec<Diagnostic> {
    let mut lint = Lint::new(file, lesson, blanked);
    let _ = validate(&mut lint);
    lint.finish()
}

/// The rules across a set of lessons, each already checked alone with `validate_one`: duplicate ids,
/// required lessons that exist neither in the set nor in `known_ids`, and `requires` cycles.
pub fn validate_set(
    lessons: &[Parsed<'_>],
    blanked: &BTreeMap<String, Blanked>,
    known_ids: &BTreeSet<String>,
) -> Vec<Diagnostic> {
    let (mut out, ids) = distinct_ids(lessons);
    let all_ids: BTreeSet<&str> = ids
        .keys()
        .copied()
        .chain(known_ids.iter().map(String::as_str))
        .collect();
    for p in lessons {
        let mut lint = Lint::new(p.file, p.lesson, blanked.get(&p.file.name));
        let _ = ids::requires(&mut lint, &all_ids);
        out.extend(lint.finish());
    }
    out.extend(graph::requires_cycles(&ids));
    out
}

/// Every rule over one lesson alone, in the order its problems are reported.
fn validate(lint: &mut Lint<'_>) -> Flow {
    text::control_characters(lint)?;
    ids::lesson_id(lint)?;
    ids::requires_itself(lint)?;
    variables::declarations(lint)?;
    variables::capture_names(lint)?;
    graph::variable_cycles(lint)?;
    templates::references(lint)?;
    templates::captures(lint)?;
    let samples = variables::sample_values(lint.lesson);
    setup::actions(lint, &samples)?;
    steps::steps(lint, &samples)
}

/// The lessons by id, and a problem for each id used twice (the first file keeps it).
fn distinct_ids<'a, 'p>(
    lessons: &'p [Parsed<'a>],
) -> (Vec<Diagnostic>, BTreeMap<&'a str, &'p Parsed<'a>>) {
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
    (out, ids)
}

/// The problems of one file, capped, and what they are pointed at.
struct Lint<'a> {
    file: &'a SourceFile,
    lesson: &'a Lesson,
    out: Vec<Diagnostic>,
    /// What was blanked to decode the lesson, when it had structural mistakes.
    blanked: Option<&'a Blanked>,
}

impl<'a> Lint<'a> {
    fn new(file: &'a SourceFile, lesson: &'a Lesson, blanked: Option<&'a Blanked>) -> Self {
        Lint {
            file,
            lesson,
            out: Vec::new(),
            blanked: blanked.filter(|b| !b.is_empty()),
        }
    }

    /// Report a problem. `Break` once the file has as many as anyone will read.
    fn push(&mut self, d: Diagnostic) -> Flow {
        if self.echo(&d) {
            return ControlFlow::Continue(());
        }
        if self.unreachable_unused(&d) {
            return ControlFlow::Continue(());
        }
        if self.out.len() < MAX_PER_FILE {
            self.out.push(d);
        }
        if self.out.len() < MAX_PER_FILE {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    }

    /// Whether `d` may be the blanking's doing rather than a problem of the file as written (a file
    /// with structural mistakes, decoded with them blanked out). What blanking can cause is only an
    /// absence: of a record, an entry, or a name's declaration or use. So an absence is not reported
    /// where its record lost something, nor a name's problem when the blanked text mentions the name;
    /// the next run, with the structural mistakes fixed, reports them if they are real. A rule whose
    /// problem is an absence belongs in one of these two lists.
    fn echo(&self, d: &Diagnostic) -> bool {
        let (Some(blanked), Some(span)) = (self.blanked, &d.span) else {
            return false;
        };
        if blanked.covers(span.start) {
            return true;
        }
        match d.code {
            "empty-step"
            | "no-steps"
            | "quiz-too-few-choices"
            | "quiz-answer-not-a-choice"
            | "variable-without-value"
            | "empty-command"
            | "missing-dockerfile" => blanked.lost_near(span.start),
            "undefined-variable" | "capture-not-yet-made" | "unused-variable" => self
                .file
                .text
                .get(span.clone())
                .unwrap_or_default()
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|w| !w.is_empty() && blanked.mentions(w)),
            _ => false,
        }
    }

    /// A variable that can never be used (`variables::unreachable`) is reported as such, not also as
    /// "never used" at the same spot.
    fn unreachable_unused(&self, d: &Diagnostic) -> bool {
        d.code == "unused-variable"
            && self
                .out
                .iter()
                .any(|o| o.code == variables::UNREACHABLE && o.span == d.span)
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

    /// `lint`'s way: structural problems, then the meaning of what still decodes.
    fn lint_all(text: &str) -> Vec<(&'static str, u64)> {
        let file = SourceFile {
            name: "t.yaml".into(),
            text: text.into(),
        };
        let (mut found, lesson, blanked) = match crate::lesson::load::parse_all(&file) {
            Ok(lesson) => (Vec::new(), lesson, Blanked::default()),
            Err(r) => {
                let r = *r;
                (
                    r.problems,
                    r.lesson.expect("decodes once blanked"),
                    r.blanked,
                )
            }
        };
        let parsed = [Parsed {
            file: &file,
            lesson: &lesson,
        }];
        let blanked = BTreeMap::from([(file.name.clone(), blanked)]);
        found.extend(validate_recovered(&parsed, &blanked, &BTreeSet::new()));
        found.sort_by_key(|d| (d.line, d.column));
        found.iter().map(|d| (d.code, d.line)).collect()
    }

    #[test]
    fn what_blanking_removed_is_not_reported_missing() {
        // `promt` blanked leaves `u` without a value; the blanked check was `s`'s only one and the only
        // use of `u`.
        let text = "id: a\ntitle: A\nvariables:\n  u: { promt: x }\nsteps:\n  - id: s\n    title: S\n    checks:\n      - image_exist: { image: \"{{ u }}\" }\n";
        assert_eq!(
            lint_all(text),
            [("unknown-field", 4), ("unknown-check-kind", 9)]
        );
    }

    #[test]
    fn absences_away_from_what_was_blanked_are_still_reported() {
        // Step `t` is empty and `{{ v }}` undefined whatever was blanked in step `s`.
        let text = "id: a\ntitle: A\nsteps:\n  - id: s\n    title: S\n    hints: x\n    human_only: true\n  - id: t\n    title: \"{{ v }}\"\n";
        assert_eq!(
            lint_all(text),
            [
                ("wrong-type", 6),
                ("empty-step", 8),
                ("undefined-variable", 9)
            ]
        );
    }

    #[test]
    fn go_template_words_cannot_be_variable_or_capture_names() {
        let text = "id: a\ntitle: A\nvariables:\n  end: { prompt: x }\n  else_tag: { prompt: y }\nsteps:\n  - id: s\n    title: \"{{ end }} {{ else_tag }}\"\n    checks:\n      - command: { run: [\"true\"] }\n        capture: if\n";
        // `end` is reported once: not also as never used, though `{{ end }}` does not use it.
        assert_eq!(
            lint_all(text),
            [("invalid-variable-name", 4), ("invalid-capture-name", 11)]
        );
    }

    #[test]
    fn a_file_under_the_cap_gets_no_note() {
        let text = "id: a\ntitle: A\nvariables:\n  v: { default: x }\nsteps:\n  - id: s\n    title: S\n    human_only: true\n";
        let found = lint(text.to_string());
        let codes: Vec<_> = found.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["unused-variable"]);
    }
}

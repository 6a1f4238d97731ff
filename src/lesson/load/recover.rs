//! Every structural problem of a file in one run. serde stops at the first unknown field, wrong type or
//! missing field; an instructor with seven mistakes should not need seven runs. So after such an error
//! the node that holds it is blanked out (overwritten with spaces, line breaks kept, so every later
//! error keeps its line, column and byte offset in the original text) and the file is decoded again,
//! until it decodes or an error cannot be stepped over (YAML syntax, budgets, duplicate keys, or a
//! mistake in a required top-level field).
//!
//! What is blanked: for an unknown field, its entry (an unknown field is never required, so nothing
//! else notices); for any other error, the innermost *record* around it (a list item: a step, a check,
//! a setup action, a hint; or one entry of `variables`), so that a step with a wrong-typed title is
//! reported once, not again as "missing field `title`". Where no record holds the error, the top-level
//! entry is blanked, and a later "missing field" for a field blanked so is not reported (it is the same
//! mistake). The records come from the YAML parser's events, with their byte spans.
//!
//! When the blanked text then decodes, lint checks its meaning too (`Recovered::lesson`), so one run
//! reports both kinds. Blanking removes things, and a removal can look like a mistake of its own (a
//! step whose only check was blanked "verifies nothing", a variable used only there "is never used",
//! one whose entry was blanked "is undefined"); `Blanked` tells lint where that could be so.

use std::collections::BTreeSet;
use std::ops::Range;

use serde_saphyr::granit_parser::{Event, Parser};

use super::translate::{error_spot, innermost, translate};
use super::{SourceFile, options};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::lesson::model::Lesson;

/// A file that did not decode as written, as far as it could still be read.
#[derive(Debug)]
pub struct Recovered {
    /// Every structural problem found, in file order (the one a plain decode reports among them).
    pub problems: Vec<Diagnostic>,
    /// The lesson decoded from the text with every culprit blanked, when that text decodes; its spans
    /// are true for the original text.
    pub lesson: Option<Lesson>,
    /// What was blanked to get it.
    pub blanked: Blanked,
}

/// Where the culprits were blanked, so that lint does not report what the blanking itself caused.
#[derive(Debug, Clone, Default)]
pub struct Blanked {
    /// The byte ranges blanked, in the original text.
    ranges: Vec<Range<usize>>,
    /// The records and top-level entries of the file: what a problem found at a spot is about.
    scopes: Vec<Range<usize>>,
    /// The identifiers written in the blanked text (names it declared, captured or used).
    words: BTreeSet<String>,
}

impl Blanked {
    fn new(text: &str, units: &[Unit], blanked: &[&Unit]) -> Self {
        let ranges: Vec<Range<usize>> = blanked.iter().map(|u| u.range.clone()).collect();
        let words = ranges
            .iter()
            .filter_map(|r| text.get(r.clone()))
            .flat_map(|t| t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect();
        let scopes = units
            .iter()
            .filter(|u| u.record || u.top)
            .map(|u| u.range.clone())
            .collect();
        Blanked {
            ranges,
            scopes,
            words,
        }
    }

    /// Nothing was blanked.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Byte `at` of the original text lies in a blanked part (the `[]` written for an emptied list
    /// does too).
    pub fn covers(&self, at: usize) -> bool {
        self.ranges.iter().any(|r| r.contains(&at))
    }

    /// The innermost record (a list item, a `variables` entry) around byte `at`, else the top-level
    /// entry around it, else the whole file, lost a blanked part: something found missing there may
    /// be what was blanked.
    pub fn lost_near(&self, at: usize) -> bool {
        let scope = self
            .scopes
            .iter()
            .filter(|s| s.start <= at && at < s.end)
            .min_by_key(|s| s.len());
        match scope {
            Some(s) => self
                .ranges
                .iter()
                .any(|r| r.start < s.end && s.start < r.end),
            None => !self.is_empty(),
        }
    }

    /// `word` is written in a blanked part: a name found undefined or unused may have been declared,
    /// captured or used there.
    pub fn mentions(&self, word: &str) -> bool {
        self.words.contains(word)
    }
}

/// Enough for any real file; each round is one decode of the file, so a hostile one stops here.
const MAX_ROUNDS: usize = 64;

/// A part of the document that can be blanked: a list item or a mapping entry.
#[derive(Debug, Clone)]
struct Unit {
    /// From the item's dash (or the entry's key) to where the next sibling (or the parent's end) starts.
    range: Range<usize>,
    /// A mapping entry's key, as written, and where it starts.
    key: Option<(String, usize)>,
    /// A list item, or an entry of `variables`: a whole record, blankable without a "missing field".
    record: bool,
    /// An entry of the top-level mapping.
    top: bool,
    /// Which collection it belongs to (a number per collection), and whether that one is a block
    /// collection (an emptied one must then be written `[]` or `{}`, or it would read as null).
    parent: usize,
    block: bool,
    parent_is_map: bool,
}

/// A collection being read, and the child it is in the middle of.
struct Frame {
    id: usize,
    block: bool,
    is_map: bool,
    /// In a mapping: the next node is a key.
    at_key: bool,
    /// The unit (index into `units`) of the child being read, whose end is not known yet.
    open: Option<usize>,
    /// This mapping is the value of the top-level `variables`.
    variables: bool,
    depth: usize,
}

fn offset(m: &serde_saphyr::granit_parser::Marker) -> usize {
    m.byte_offset().unwrap_or(m.index())
}

/// The blankable units of `text`, or `None` when the YAML itself cannot be read.
fn units(text: &str) -> Option<Vec<Unit>> {
    let mut out: Vec<Unit> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // The top-level key whose value is being read (to know `variables`).
    let mut top_key: Option<String> = None;
    let mut collections = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.ok()?;
        let start = offset(&span.start);
        let (is_node, opens) = match &event {
            Event::Scalar(..) | Event::Alias(..) => (true, None),
            Event::SequenceStart(style, ..) => (true, Some((false, is_block(style)))),
            Event::MappingStart(style, ..) => (true, Some((true, is_block(style)))),
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = stack.pop()?;
                if let Some(i) = frame.open {
                    out[i].range.end = start.max(out[i].range.start);
                }
                if let Some(parent) = stack.last_mut()
                    && parent.is_map
                {
                    parent.at_key = true;
                }
                continue;
            }
            _ => (false, None),
        };
        if !is_node {
            continue;
        }
        let mut variables = false;
        if let Some(frame) = stack.last_mut() {
            let depth = frame.depth;
            if !frame.is_map || frame.at_key {
                let (from, key) = if frame.is_map {
                    let key = match &event {
                        Event::Scalar(value, ..) => Some((value.to_string(), start)),
                        _ => None,
                    };
                    (start, key)
                } else {
                    (dash_before(text, start), None)
                };
                // A new child begins: the previous one ends where this one starts.
                if let Some(i) = frame.open {
                    out[i].range.end = from.max(out[i].range.start);
                }
                if frame.is_map && depth == 1 {
                    top_key = key.as_ref().map(|(k, _)| k.clone());
                }
                out.push(Unit {
                    range: from..text.len(),
                    key,
                    record: !frame.is_map || frame.variables,
                    top: frame.is_map && depth == 1,
                    parent: frame.id,
                    block: frame.block,
                    parent_is_map: frame.is_map,
                });
                frame.open = Some(out.len() - 1);
                if frame.is_map {
                    frame.at_key = false;
                }
            } else {
                // A value: the next node of this mapping is a key again.
                frame.at_key = true;
                variables = depth == 1 && top_key.as_deref() == Some("variables");
            }
        }
        if let Some((is_map, block)) = opens {
            let depth = stack.len() + 1;
            collections += 1;
            if let Some(parent) = stack.last_mut()
                && parent.is_map
            {
                // The value is a collection: its parent's next key comes after its end.
                parent.at_key = false;
            }
            stack.push(Frame {
                id: collections,
                block,
                is_map,
                at_key: true,
                open: None,
                variables: variables && is_map,
                depth,
            });
        }
    }
    Some(out)
}

fn is_block(style: &serde_saphyr::granit_parser::StructureStyle) -> bool {
    matches!(style, serde_saphyr::granit_parser::StructureStyle::Block)
}

/// A block list item starts at its dash, before the node; a flow item at the node.
fn dash_before(text: &str, start: usize) -> usize {
    let before = text[..start].trim_end_matches([' ', '\t']);
    if before.ends_with('-') {
        before.len() - 1
    } else {
        start
    }
}

/// Errors after which the rest of the file can still be read as the lesson's structure.
fn steppable(error: &serde_saphyr::Error) -> bool {
    use serde_saphyr::Error as E;
    matches!(
        error,
        E::SerdeUnknownField { .. }
            | E::SerdeUnknownVariant { .. }
            | E::SerdeMissingField { .. }
            | E::SerdeInvalidType { .. }
            | E::SerdeInvalidValue { .. }
            | E::InvalidScalar { .. }
            | E::InvalidBooleanStrict { .. }
            | E::NullIntoString { .. }
            | E::Unexpected { .. }
            | E::ExpectedStringKeyForExternallyTaggedEnum { .. }
            | E::ExternallyTaggedEnumExpectedScalarOrMapping { .. }
            | E::ExpectedMappingEndAfterEnumVariantValue { .. }
    )
}

/// The unit to blank for `error` at byte `at`: the unknown field's entry, else the innermost record
/// around it, else the top-level entry around it.
fn culprit<'u>(units: &'u [Unit], error: &serde_saphyr::Error, at: usize) -> Option<&'u Unit> {
    let holds = |u: &&Unit| u.range.start <= at && at < u.range.end.max(u.range.start + 1);
    let innermost = |pick: &dyn Fn(&Unit) -> bool| {
        units
            .iter()
            .filter(holds)
            .filter(|u| pick(u))
            .min_by_key(|u| u.range.len())
    };
    if let serde_saphyr::Error::SerdeUnknownField { field, .. } = error {
        // The crate points at the mapping or at the key; the key is the first entry so named from there.
        let entry = units
            .iter()
            .filter(|u| u.key.as_ref().is_some_and(|(k, s)| k == field && *s >= at))
            .min_by_key(|u| u.key.as_ref().map(|(_, s)| *s));
        if entry.is_some() {
            return entry;
        }
    }
    innermost(&|u| u.record).or_else(|| innermost(&|u| u.top))
}

/// A "missing field" in a record that had an unknown field blanked: most likely the same misspelt
/// key (`titel` for `title`), already reported.
fn is_misspelt_required(
    units: &[Unit],
    blanked: &[&Unit],
    text: &str,
    error: &serde_saphyr::Error,
) -> bool {
    let serde_saphyr::Error::SerdeMissingField { field, .. } = innermost(error) else {
        return false;
    };
    let Some((at, _)) = error_spot(text, error) else {
        return false;
    };
    // The record holding the error, or the whole lesson.
    let within = units
        .iter()
        .filter(|u| u.record && u.range.start <= at && at < u.range.end)
        .min_by_key(|u| u.range.len())
        .map_or(0..text.len(), |r| r.range.clone());
    blanked.iter().any(|b| {
        !b.record
            && within.start <= b.range.start
            && b.range.end <= within.end
            && b.key
                .as_ref()
                .is_some_and(|(k, _)| did_you_mean(k, [*field]).is_some())
    })
}

fn blank(text: &mut String, range: Range<usize>) {
    let blanked: String = text[range.clone()]
        .chars()
        .map(|c| if c == '\n' || c == '\r' { c } else { ' ' })
        .collect();
    // Multi-byte characters become several spaces only if lengths differ; keep byte offsets exact.
    let blanked = if blanked.len() == range.len() {
        blanked
    } else {
        text[range.clone()]
            .bytes()
            .map(|b| {
                if b == b'\n' || b == b'\r' {
                    b as char
                } else {
                    ' '
                }
            })
            .collect()
    };
    text.replace_range(range, &blanked);
}

/// Decode `file`; on failure, every structural problem that can be found, in file order (the one a
/// plain decode reports among them), and the lesson without its culprits when the rest decodes.
pub(super) fn parse_all(file: &SourceFile) -> Result<Lesson, Box<Recovered>> {
    let first = match super::read(&file.text) {
        Ok(lesson) => return Ok(lesson),
        Err(e) => e,
    };
    let mut found = vec![translate(file, &first)];
    let Some(units) = units(&file.text) else {
        return Err(Box::new(Recovered {
            problems: found,
            lesson: None,
            blanked: Blanked::default(),
        }));
    };
    let mut lesson = None;
    let mut text = file.text.clone();
    let mut blanked: Vec<&Unit> = Vec::new();
    let mut error = first;
    for _ in 0..MAX_ROUNDS {
        let inner = innermost(&error);
        // An error met while replaying an alias is not where the alias's value is written.
        if !steppable(inner) || matches!(error, serde_saphyr::Error::AliasError { .. }) {
            break;
        }
        // A missing field outside any record is in the lesson itself: nothing to blank.
        if matches!(inner, serde_saphyr::Error::SerdeMissingField { .. })
            && error_spot(&text, &error)
                .is_none_or(|(at, _)| !units.iter().any(|u| u.record && u.range.contains(&at)))
        {
            break;
        }
        let Some((at, _)) = error_spot(&text, &error) else {
            break;
        };
        let Some(unit) = culprit(&units, inner, at) else {
            break;
        };
        if text[unit.range.clone()].trim().is_empty() {
            break;
        }
        blank(&mut text, unit.range.clone());
        blanked.push(unit);
        let siblings = units.iter().filter(|u| u.parent == unit.parent);
        if unit.block
            && siblings
                .clone()
                .all(|s| blanked.iter().any(|b| std::ptr::eq(*b, s)))
        {
            // The collection is now empty; written so, it stays a list (or a mapping), not a null.
            let empty = if unit.parent_is_map { "{}" } else { "[]" };
            let at = unit.range.start;
            if unit.range.len() >= 2 && text.is_char_boundary(at + 2) {
                text.replace_range(at..at + 2, empty);
            }
        }
        let retry = SourceFile {
            name: file.name.clone(),
            text: text.clone(),
        };
        match serde_saphyr::from_str_with_options::<Lesson>(&retry.text, options()) {
            Ok(decoded) => {
                lesson = Some(decoded);
                break;
            }
            Err(e) => {
                if let serde_saphyr::Error::SerdeMissingField { field, .. } = innermost(&e) {
                    // A required top-level field blanked: that mistake is reported; nothing is left
                    // to step over.
                    if blanked
                        .iter()
                        .any(|b| b.top && b.key.as_ref().is_some_and(|(k, _)| k == field))
                    {
                        break;
                    }
                }
                if !is_misspelt_required(&units, &blanked, &text, &e) {
                    let mut d = translate(&retry, &e);
                    // The diagnostic is shown against the original text, which has the same offsets.
                    d.file = file.name.clone();
                    if found
                        .iter()
                        .any(|f| (f.line, f.column, &f.code) == (d.line, d.column, &d.code))
                    {
                        break;
                    }
                    found.push(d);
                }
                error = e;
            }
        }
    }
    found.sort_by_key(|d| (d.line, d.column));
    Err(Box::new(Recovered {
        problems: found,
        blanked: Blanked::new(&file.text, &units, &blanked),
        lesson,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<(String, u64)> {
        let file = SourceFile {
            name: "t.yaml".into(),
            text: text.into(),
        };
        parse_all(&file)
            .err()
            .map(|r| r.problems)
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.code.to_string(), d.line))
            .collect()
    }

    #[test]
    fn units_span_list_items_and_entries() {
        let text = "id: a\nsteps:\n  - id: s\n    title: S\n  - id: t\n";
        let units = units(text).unwrap();
        let items: Vec<&str> = units
            .iter()
            .filter(|u| u.record)
            .map(|u| text[u.range.clone()].trim_end())
            .collect();
        assert_eq!(items, ["- id: s\n    title: S", "- id: t"]);
        let top: Vec<&str> = units
            .iter()
            .filter(|u| u.top)
            .filter_map(|u| u.key.as_ref().map(|(k, _)| k.as_str()))
            .collect();
        assert_eq!(top, ["id", "steps"]);
    }

    #[test]
    fn independent_mistakes_are_all_reported() {
        let text = "id: a\ntitle: A\nsumary: x\nsteps:\n  - id: s\n    titel: S\n    checks: [docker_running: {}]\n  - id: t\n    title: [T]\n    checks: [image_exist: { image: x }]\n  - title: U\n    checks: [docker_running: {}]\n";
        assert_eq!(
            all(text),
            [
                ("unknown-field".to_string(), 3),
                ("unknown-field".to_string(), 6),
                ("wrong-type".to_string(), 9),
                ("missing-field".to_string(), 11),
            ]
        );
    }

    #[test]
    fn a_wrong_required_top_level_field_is_one_problem() {
        let text = "id: a\ntitle: [A]\nsteps:\n  - id: s\n    title: S\n    bogus: 1\n    checks: [docker_running: {}]\n";
        assert_eq!(
            all(text),
            [
                ("wrong-type".to_string(), 2),
                ("unknown-field".to_string(), 6)
            ]
        );
    }

    #[test]
    fn the_lesson_is_kept_with_where_it_was_blanked() {
        let text = "id: a\ntitle: A\nsteps:\n  - id: s\n    title: S\n    checks:\n      - image_exist: { image: \"{{ u }}\" }\n  - id: t\n    title: T\n    human_only: true\n";
        let file = SourceFile {
            name: "t.yaml".into(),
            text: text.into(),
        };
        let r = parse_all(&file).expect_err("an unknown check kind");
        let lesson = r.lesson.expect("decodes once blanked");
        assert_eq!(lesson.steps.len(), 2);
        assert!(lesson.steps[0].checks.is_empty());
        let b = &r.blanked;
        let at = |s: &str| text.find(s).expect("in the text");
        assert!(b.covers(at("image_exist")) && !b.covers(at("id: t")));
        assert!(b.lost_near(at("id: s")) && !b.lost_near(at("id: t")));
        assert!(b.mentions("u") && !b.mentions("T"));
    }

    #[test]
    fn a_lesson_without_its_title_is_not_kept() {
        let text = "id: a\ntitle: [A]\nsteps:\n  - id: s\n    title: S\n    human_only: true\n";
        let file = SourceFile {
            name: "t.yaml".into(),
            text: text.into(),
        };
        assert!(
            parse_all(&file)
                .expect_err("a wrong title")
                .lesson
                .is_none()
        );
    }

    #[test]
    fn yaml_syntax_stops_at_the_first() {
        let text = "id: a\ntitle: \"A\nsteps: []\n";
        assert_eq!(all(text).len(), 1);
    }

    #[test]
    fn flow_entries_are_blanked_with_their_comma() {
        let text = "id: a\ntitle: A\nsteps:\n  - id: s\n    title: S\n    checks:\n      - image_exists: { imgae: x, image: y, bogus: z }\n";
        assert_eq!(
            all(text),
            [
                ("unknown-field".to_string(), 7),
                ("unknown-field".to_string(), 7)
            ]
        );
    }
}

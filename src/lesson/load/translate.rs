//! serde-saphyr's errors → our diagnostics. Each error is matched by its kind (the variant, and for
//! YAML syntax the parser's `granit_parser::ErrorKind`), never by its English text, so an update of
//! the crate's wording cannot silently change which message a learner gets. The crate's own words are
//! used only for kinds we have no wording of our own for (`in_their_words`).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::granit_parser::ErrorKind;
use serde_saphyr::{Error as E, ExternalMessageSource, MessageFormatter};

use super::locate::{
    find_word, first_key_line, floor_boundary, found_at, key_at, key_before, line_col_to_byte,
    parent_key, tab_before,
};
use super::shape::{missing_field, plain_type, unexpected_wanted, wrong_type};
use super::{MAX_ALIASES, MAX_ANCHORS, MAX_DEPTH, SourceFile};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::lesson::check::Check;

/// The parser quotes characters as `'{'`; our messages use backticks. Only applied to the crate's
/// own words (`in_their_words`); `crate_wording_is_still_what_the_translation_expects` pins it.
static QUOTED_CHAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"'([^'\s]{1,4})'").unwrap());

const CHECK_HELP: &str =
    "a check is one key naming its kind: `- image_exists: { image: \"my-app:1.0\" }`";
const ALIAS_HELP: &str =
    "a lesson needs few YAML anchors and aliases (`&name`, `*name`); write the values out";
const TAB_HELP: &str = "YAML indentation must use spaces, not tabs";

/// Where an error points: the file's text, the byte it starts at, and how wide the parser saw it.
#[derive(Clone, Copy)]
struct Spot<'a> {
    text: &'a str,
    start: usize,
    len: usize,
}

impl Spot<'_> {
    /// A diagnostic at the error's place, `len` bytes wide (at least one).
    fn here(self, code: &'static str, message: impl Into<String>, len: usize) -> Diagnostic {
        Diagnostic::error(code, message).at(self.text, self.start..self.start + len.max(1))
    }

    fn too_complex(self, message: String) -> Diagnostic {
        self.here("yaml-too-complex", message, self.len)
    }

    /// Whether the error's line is indented with a tab: whatever the parser says, that is the cause.
    fn on_tab_indented_line(self) -> bool {
        let line = self.text[..self.start].rfind('\n').map_or(0, |i| i + 1);
        self.text[line..].starts_with('\t')
    }
}

/// Where an error points in `text`: its byte offset (on a character boundary) and width, or `None`
/// when the crate gave no location.
pub(super) fn error_spot(text: &str, error: &E) -> Option<(usize, usize)> {
    let location = error.location().filter(|l| l.line() > 0)?;
    let span = location.span();
    let start = span
        .byte_offset()
        .map(|b| b as usize)
        .unwrap_or_else(|| line_col_to_byte(text, location.line(), location.column()));
    Some((
        floor_boundary(text, start.min(text.len())),
        span.byte_len().unwrap_or(0) as usize,
    ))
}

/// Turn a serde-saphyr error into our diagnostic, with a code, a location and a hint.
pub(super) fn translate(file: &SourceFile, error: &E) -> Diagnostic {
    let text = &file.text;
    let location = error_spot(text, error);
    let (start, len) = location.unwrap_or((0, 0));
    // An error met while replaying an alias is the inner one; it is reported where the alias is used.
    let mut d = diagnose(innermost(error), Spot { text, start, len });
    if location.is_none() {
        d.line = 0;
        d.column = 0;
        d.span = None;
    }
    d.in_file(&file.name)
}

/// One arm per kind of error; the wording of each is in the function it calls.
fn diagnose(error: &E, at: Spot<'_>) -> Diagnostic {
    let Spot { text, start, .. } = at;
    match error {
        E::MultipleDocuments { .. }
        | E::Budget {
            breach: BudgetBreach::Documents { .. },
            ..
        } => multiple_documents(at),
        E::Budget { breach, .. } => budget(breach, at),
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => at
            .too_complex("YAML aliases expand to too much data".into())
            .help(ALIAS_HELP),
        E::DuplicateMappingKey { key, .. } => duplicate_key(key.as_deref(), at),
        E::InvalidBooleanStrict { .. } => wrong_type(text, start, "`true` or `false`")
            .help("YAML 1.2 booleans are `true` and `false`; `yes`, `no`, `on` and `off` are not"),
        E::NullIntoString { .. } => null_into_string(at),
        E::Unexpected { expected, .. } => match unexpected_wanted(expected) {
            Some(what) => wrong_type(text, start, what),
            None => in_their_words(error, at, "yaml-syntax", None),
        },
        E::SerdeInvalidValue { expected, .. } if expected == crate::lesson::check::TWO_KINDS => {
            two_kinds(at)
        }
        E::SerdeInvalidType { expected, .. } | E::SerdeInvalidValue { expected, .. } => {
            match plain_type(expected) {
                Some(what) => wrong_type(text, start, what),
                None => in_their_words(error, at, "wrong-type", None),
            }
        }
        E::InvalidScalar { ty, .. } => match plain_type(ty) {
            Some(what) => wrong_type(text, start, what),
            None => in_their_words(error, at, "wrong-type", None),
        },
        E::ExpectedStringKeyForExternallyTaggedEnum { .. }
        | E::ExternallyTaggedEnumExpectedScalarOrMapping { .. } => not_a_kind(at),
        E::ExpectedMappingEndAfterEnumVariantValue { .. } => two_kinds(at),
        E::UnknownAnchor { .. } => unknown_anchor(at),
        E::UnsupportedTag { tag, .. } => unsupported_tag(tag, at),
        E::Eof { .. } => at
            .here("yaml-syntax", "unexpected end of file", at.len)
            .help("is a quote or a bracket left open?"),
        E::SerdeMissingField { field, .. } => missing_field(text, start, field),
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => unknown_name(Name::Variant, variant, expected, at),
        E::SerdeUnknownField {
            field, expected, ..
        } => unknown_name(Name::Field, field, expected, at),
        E::ExternalMessage { source, .. } => match source.as_ref() {
            ExternalMessageSource::Parser(scan) => syntax(scan.kind(), error, at),
            _ => in_their_words(error, at, "yaml-syntax", None),
        },
        _ => in_their_words(error, at, "yaml-syntax", None),
    }
}

fn multiple_documents(at: Spot<'_>) -> Diagnostic {
    at.here(
        "multiple-documents",
        "lesson file holds more than one YAML document",
        3,
    )
    .label("a second document starts here")
    .help(
        "one lesson per file: remove this `---` and what follows, or move it to a file of its own",
    )
}

fn budget(breach: &BudgetBreach, at: Spot<'_>) -> Diagnostic {
    match breach {
        BudgetBreach::Aliases { .. } => at
            .too_complex(format!("more than {MAX_ALIASES} YAML aliases"))
            .help(ALIAS_HELP),
        BudgetBreach::Anchors { .. } => at
            .too_complex(format!("more than {MAX_ANCHORS} YAML anchors"))
            .help(ALIAS_HELP),
        BudgetBreach::Depth { .. } => at
            .too_complex(format!("YAML nested more than {MAX_DEPTH} levels deep"))
            .help("a lesson nests only a few levels deep; is a bracket left open?"),
        _ => at
            .too_complex("lesson file is too large or complex for a lesson".into())
            .help("a lesson is a few kilobytes of plain YAML; is this the right file?"),
    }
}

fn duplicate_key(key: Option<&str>, at: Spot<'_>) -> Diagnostic {
    let key = key.filter(|k| !k.is_empty());
    let message = match key {
        Some(k) => format!("duplicate key `{}`", printable(k)),
        None => "duplicate key in a mapping".into(),
    };
    let mut d = at.here("duplicate-key", message, key.map_or(at.len, str::len));
    if let Some(line) = key.and_then(|k| first_key_line(at.text, at.start, k)) {
        d = d.label(format!("already set on line {line}"));
    }
    d.help("each key may appear once in a mapping; keep one of them")
}

/// `title:` with nothing after it: say which key has no value.
fn null_into_string(at: Spot<'_>) -> Diagnostic {
    let Spot { text, start, .. } = at;
    match key_before(text, start) {
        Some(key) => {
            let from = text[..start].rfind(key).unwrap_or(start);
            Diagnostic::error("missing-value", format!("`{key}` has no value"))
                .at(text, from..from + key.len())
                .help(format!(
                    "write a value after `{key}:`, or remove the line if the field is optional"
                ))
        }
        None => wrong_type(text, start, "text"),
    }
}

/// A list item where a check or a setup action should be, that is neither (`- {}`, `- 3`).
fn not_a_kind(at: Spot<'_>) -> Diagnostic {
    let Spot { text, start, .. } = at;
    // `- {}`: the parser stops at the `}`.
    if text[start..].starts_with('}') && text[..start].trim_end().ends_with('{') {
        let open = text[..start].trim_end().len() - 1;
        return Diagnostic::error("wrong-type", "expected a check, found an empty mapping")
            .at(text, open..start + 1)
            .help(CHECK_HELP);
    }
    let (found, width) = found_at(text, start);
    let (message, help) = match parent_key(text, start) {
        Some("setup") => (
            format!("expected a setup action, found {found}"),
            "write `- build_image: {...}` or `- command: {...}`",
        ),
        _ => (format!("expected a check, found {found}"), CHECK_HELP),
    };
    at.here("wrong-type", message, width).help(help)
}

/// `- image_exists: {...}` followed by a second kind in the same item.
fn two_kinds(at: Spot<'_>) -> Diagnostic {
    let (name, width) = key_at(&at.text[at.start..]).map_or_else(
        || found_at(at.text, at.start),
        |k| (format!("`{}`", k.as_str()), k.as_str().len()),
    );
    at.here(
        "wrong-type",
        format!("two kinds in one list item: {name} is the second"),
        width,
    )
    .label("this needs a `- ` of its own")
    .help("each check or setup action is its own list item")
}

fn unknown_anchor(at: Spot<'_>) -> Diagnostic {
    let name: String = at.text[at.start..]
        .trim_start_matches('*')
        .chars()
        .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
        .collect();
    at.here(
        "yaml-syntax",
        format!("alias `*{name}` refers to no anchor"),
        name.len() + 1,
    )
    .help(format!(
        "define the value first with `&{name}`, or write it out"
    ))
}

fn unsupported_tag(tag: &str, at: Spot<'_>) -> Diagnostic {
    let Spot { text, start, .. } = at;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let from = text[line_start..start]
        .rfind(tag)
        .map_or(start, |i| line_start + i);
    let tag = printable(tag);
    Diagnostic::error("yaml-syntax", format!("unsupported tag `{tag}`"))
        .at(text, from..from + tag.len().max(1))
        .help(format!("lessons use plain YAML values; remove `{tag}`"))
}

#[derive(Clone, Copy, PartialEq)]
enum Name {
    Variant,
    Field,
}

/// An unknown field, check kind, setup action or value, with a did-you-mean from what was expected.
fn unknown_name(name: Name, word: &str, expected: &[&str], at: Spot<'_>) -> Diagnostic {
    let shown = printable(word);
    // `command` is both a check kind and a setup action: it takes two kinds to tell.
    let kinds = expected.iter().filter(|e| Check::KINDS.contains(e)).count();
    let (code, message) = match name {
        Name::Variant if kinds > 1 => (
            "unknown-check-kind",
            format!("unknown check kind `{shown}`"),
        ),
        Name::Variant if expected.contains(&"build_image") => (
            "unknown-setup-action",
            format!("unknown setup action `{shown}`"),
        ),
        Name::Variant => ("unknown-variant", format!("unknown value `{shown}`")),
        Name::Field => ("unknown-field", format!("unknown field `{shown}`")),
    };
    let start = find_word(at.text, at.start, word).unwrap_or(at.start);
    let d = Diagnostic::error(code, message).at(at.text, start..start + word.len().max(1));
    if let Some(best) = did_you_mean(word, expected.iter().copied()) {
        d.label(format!("did you mean `{best}`?"))
    } else if !expected.is_empty() {
        let list: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
        d.help(format!("expected one of {}", list.join(", ")))
    } else {
        d.help("this place takes no fields")
    }
}

/// A YAML syntax error, by the parser's kind; the message stays the parser's, the hint is ours.
fn syntax(kind: &ErrorKind, error: &E, at: Spot<'_>) -> Diagnostic {
    use ErrorKind as K;
    let help: Option<Cow<'static, str>> = match kind {
        K::TabNotAllowed
        | K::TabInBlockIndentation
        | K::TabInIndentation
        | K::TabInPlainScalar
        | K::TabAtBlockScalarStart => return tab(error, at),
        K::MappingValueNotAllowed => {
            Some("check this line's indentation, and quote a value that contains `: `".into())
        }
        K::UnclosedFlowCollection { open: '{' } => Some("close it with `}`".into()),
        K::UnclosedFlowCollection { open: '[' } => Some("close it with `]`".into()),
        K::MismatchedFlowCollectionEnd { open, close } => {
            let want = if *open == '{' { '}' } else { ']' };
            Some(format!("`{open}` is closed with `{close}`; close it with `{want}`").into())
        }
        K::UnclosedFlowCollection { .. }
        | K::ExpectedNodeContent
        | K::ExpectedBlockMappingKey
        | K::ExpectedFlowMappingSeparator
        | K::ExpectedFlowSequenceSeparator
        | K::ExpectedBlockSequenceEntry => {
            Some("is a bracket left open, or a comma missing?".into())
        }
        K::UnclosedQuotedScalar
        | K::DocumentIndicatorInQuotedScalar
        | K::InvalidQuotedScalarIndent
        | K::InvalidTrailingSingleQuotedScalar
        | K::InvalidTrailingDoubleQuotedScalar => {
            Some("close the quote at the end of the value".into())
        }
        K::UnknownQuotedScalarEscape
        | K::InvalidQuotedScalarHexEscape
        | K::InvalidLowSurrogateHexEscape
        | K::InvalidLowSurrogate
        | K::MissingLowSurrogate
        | K::UnpairedLowSurrogate
        | K::InvalidUnicodeEscape => Some(
            "in double quotes `\\` starts an escape: write `\\\\`, or use single quotes".into(),
        ),
        K::BlockSequenceEntryNotAllowed => Some("start the list on the line after its key".into()),
        _ => None,
    };
    in_their_words(error, at, "yaml-syntax", help)
}

/// A tab where YAML wants spaces: point at the tab itself when it is on the error's line.
fn tab(error: &E, at: Spot<'_>) -> Diagnostic {
    match tab_before(at.text, at.start) {
        Some(tab) => Diagnostic::error("yaml-syntax", "a tab is used for indentation")
            .at(at.text, tab..tab + 1)
            .help(TAB_HELP),
        None => in_their_words(error, at, "yaml-syntax", Some(TAB_HELP.into())),
    }
}

/// The crate's own message (first line, location left out, quotes as backticks), for the kinds we
/// have no wording of our own for.
fn in_their_words(
    error: &E,
    at: Spot<'_>,
    code: &'static str,
    help: Option<Cow<'static, str>>,
) -> Diagnostic {
    let message = serde_saphyr::DefaultMessageFormatter.format_message(error);
    let message = message.lines().next().unwrap_or_default().trim();
    let message = QUOTED_CHAR.replace_all(message, "`$1`");
    let d = at.here(code, printable(&lowercase_first(&message)), at.len);
    let help = if at.on_tab_indented_line() {
        Some(TAB_HELP.into())
    } else {
        help
    };
    match help {
        Some(help) => d.help(help),
        None => d,
    }
}

/// Text from the file shown in a message: control characters (a newline in a quoted key, an escape
/// sequence) written out, so they cannot break the message or the terminal.
fn printable(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(
            text.chars()
                .map(|c| match c.is_control() {
                    true => c.escape_debug().to_string(),
                    false => c.to_string(),
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if !s.starts_with("YAML") => c.to_lowercase().chain(chars).collect(),
        Some(c) => std::iter::once(c).chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) fn innermost(error: &serde_saphyr::Error) -> &serde_saphyr::Error {
    match error {
        serde_saphyr::Error::AliasError { error, .. }
        | serde_saphyr::Error::WithSnippet { error, .. } => innermost(error),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::model::Lesson;

    const HEAD: &str = "id: a\ntitle: A\n";

    fn error_of(text: &str) -> E {
        serde_saphyr::from_str_with_options::<Lesson>(text, super::super::options())
            .map(|_| ())
            .expect_err("the text is broken")
    }

    fn lint(text: &str) -> Diagnostic {
        let file = SourceFile {
            name: "t.yaml".into(),
            text: text.into(),
        };
        translate(&file, &error_of(text))
    }

    fn scan_kind(text: &str) -> ErrorKind {
        match innermost(&error_of(text)) {
            E::ExternalMessage { source, .. } => match source.as_ref() {
                ExternalMessageSource::Parser(scan) => scan.kind().clone(),
                other => panic!("{text:?}: a parser error, not {other:?}"),
            },
            other => panic!("{text:?}: a parser error, not {other}"),
        }
    }

    /// The classification above relies on these variants reaching `translate` through `Sp` and
    /// serde-saphyr's `Spanned`; when a crate update changes that, this fails first.
    #[test]
    fn names_arrive_as_typed_variants() {
        let kind = format!(
            "{HEAD}steps:\n  - id: s\n    title: S\n    checks:\n      - image_exist: {{}}\n"
        );
        match innermost(&error_of(&kind)) {
            E::SerdeUnknownVariant {
                variant, expected, ..
            } => {
                assert_eq!(variant, "image_exist");
                assert_eq!(expected.as_slice(), Check::KINDS);
            }
            other => panic!("an unknown variant, not {other}"),
        }
        match innermost(&error_of(&format!("{HEAD}titel: x\nsteps: []\n"))) {
            E::SerdeUnknownField {
                field, expected, ..
            } => {
                assert_eq!(field, "titel");
                assert!(expected.contains(&"title"), "{expected:?}");
            }
            other => panic!("an unknown field, not {other}"),
        }
        match innermost(&error_of("id: a\nsteps: []\n")) {
            E::SerdeMissingField { field, .. } => assert_eq!(*field, "title"),
            other => panic!("a missing field, not {other}"),
        }
    }

    #[test]
    fn syntax_errors_arrive_with_the_parsers_kind() {
        let cases = [
            (
                format!("{HEAD}steps: [{{ id: s\n"),
                ErrorKind::UnclosedFlowCollection { open: '{' },
            ),
            (
                format!("{HEAD}steps: []\nrequires: [a, b\n"),
                ErrorKind::UnclosedFlowCollection { open: '[' },
            ),
            (
                "id: a\ntitle: \"A\nsteps: []\n".to_string(),
                ErrorKind::UnclosedQuotedScalar,
            ),
            (
                format!("{HEAD}steps:\n\t- id: s\n"),
                ErrorKind::TabInBlockIndentation,
            ),
            ("id: a: b\n".to_string(), ErrorKind::MappingValueNotAllowed),
            (
                format!("{HEAD}steps: - a\n"),
                ErrorKind::BlockSequenceEntryNotAllowed,
            ),
        ];
        for (text, kind) in cases {
            assert_eq!(scan_kind(&text), kind, "{text:?}");
        }
    }

    /// `Unexpected`'s `expected` is the crate's fixed name for a parser event; `unexpected_wanted`
    /// matches these names.
    #[test]
    fn unexpected_names_what_it_wanted() {
        let cases = [
            ("- a\n".to_string(), "mapping start"),
            (format!("{HEAD}steps: x\n"), "sequence start"),
            ("id: [a]\n".to_string(), "string scalar"),
        ];
        for (text, wanted) in cases {
            match innermost(&error_of(&text)) {
                E::Unexpected { expected, .. } => assert_eq!(*expected, wanted, "{text:?}"),
                other => panic!("{text:?}: `Unexpected`, not {other}"),
            }
        }
    }

    /// `in_their_words` shows the crate's message without its location and with quoted characters
    /// as backticks; this fails when the crate's wording stops fitting that.
    #[test]
    fn crate_wording_is_still_what_the_translation_expects() {
        let text = format!("{HEAD}steps: [{{ id: s\n");
        let error = error_of(&text);
        let raw = serde_saphyr::DefaultMessageFormatter.format_message(&error);
        assert_eq!(raw, "unclosed bracket '{'");
        let d = lint(&text);
        assert_eq!(d.message, "unclosed bracket `{`");
        assert_eq!(d.help.as_deref(), Some("close it with `}`"));
    }

    #[test]
    fn syntax_hints_follow_the_kind() {
        let d = lint(&format!("{HEAD}steps: []\nrequires: [a, b\n"));
        assert_eq!(
            (d.code, d.help.as_deref()),
            ("yaml-syntax", Some("close it with `]`"))
        );
        // Not a duplicate key, although the parser's words say "duplicate".
        let d = lint("%YAML 1.2\n%YAML 1.2\n---\nid: a\n");
        assert_eq!(d.code, "yaml-syntax");
        let d = lint("id: a\ntitle: \"a \\q\"\nsteps: []\n");
        assert!(
            d.help.as_deref().is_some_and(|h| h.contains("escape")),
            "{d:?}"
        );
    }

    #[test]
    fn control_characters_in_names_are_written_out() {
        let d = lint(&format!("{HEAD}\"ti\\u001btle\": x\nsteps: []\n"));
        assert_eq!(d.code, "unknown-field");
        assert_eq!(d.message, "unknown field `ti\\u{1b}tle`");
    }
}

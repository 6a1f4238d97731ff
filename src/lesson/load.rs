//! Reading a lesson file: bytes → text → `Lesson`, or one `Diagnostic` that says where and why not.
//!
//! The loader never panics and never trusts its input: it refuses huge files, binary junk and wrong
//! encodings before the YAML parser sees them, parses with budgets that stop alias bombs and deep
//! nesting, rejects duplicate keys, and turns serde's messages into ours (with a did-you-mean).

use std::sync::LazyLock;

use regex::Regex;
use serde_saphyr::{DuplicateKeyPolicy, Options};

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::lesson::check::Check;
use crate::lesson::model::Lesson;

/// Lesson files are small; a larger one is a mistake (a log pasted in, the wrong file).
pub const MAX_LESSON_BYTES: usize = 1024 * 1024;

/// A lesson's text and the name it is reported under.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// As shown in messages: a path relative to where the user stands, or `shipped:...` for embedded ones.
    pub name: String,
    pub text: String,
}

/// Decode the bytes of a lesson file as UTF-8, refusing what cannot be a lesson.
pub fn decode(name: &str, bytes: &[u8]) -> Result<SourceFile, Diagnostic> {
    let fail = |code, msg: String| Diagnostic::error(code, msg).in_file(name);
    if bytes.len() > MAX_LESSON_BYTES {
        return Err(fail(
            "file-too-large",
            format!(
                "lesson file is {} bytes; the limit is {} bytes",
                bytes.len(),
                MAX_LESSON_BYTES
            ),
        )
        .help("a lesson is a few kilobytes of YAML; is this the right file?"));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(fail(
            "wrong-encoding",
            "lesson file is UTF-16; lessons must be UTF-8".into(),
        )
        .help("save the file as UTF-8 (most editors: \"Save with encoding\")"));
    }
    if looks_like_utf16(bytes) {
        return Err(fail(
            "wrong-encoding",
            "lesson file looks like UTF-16 (without a byte-order mark); lessons must be UTF-8"
                .into(),
        )
        .help("save the file as UTF-8 (most editors: \"Save with encoding\")"));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            // Safe: `valid_up_to` marks the longest valid prefix.
            let prefix = std::str::from_utf8(valid).unwrap_or_default();
            let binary = bytes.iter().take(8192).filter(|b| **b == 0).count() > 0;
            let d = if binary {
                fail("binary-file", "lesson file is binary, not YAML text".into())
                    .help("a lesson is a YAML text file; is this the right file?")
            } else {
                fail(
                    "wrong-encoding",
                    format!(
                        "lesson file is not valid UTF-8 (byte 0x{:02X})",
                        bytes[e.valid_up_to()]
                    ),
                )
                .help(latin1_hint(bytes[e.valid_up_to()]))
            };
            return Err(d.at(prefix, prefix.len()..prefix.len()).in_file(name));
        }
    };
    if let Some(pos) = text.find('\0') {
        return Err(
            fail("binary-file", "lesson file is binary, not YAML text".into())
                .help("a lesson is a YAML text file; it may not hold NUL bytes")
                .at(text, pos..pos + 1)
                .in_file(name),
        );
    }
    Ok(SourceFile {
        name: name.to_string(),
        text: text.to_string(),
    })
}

/// Text in UTF-16 without a byte-order mark: ASCII characters each come with a NUL byte, all on the same
/// side (odd offsets for little-endian, even for big-endian). Binary files have NULs anywhere.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096) & !1];
    if head.len() < 4 {
        return false;
    }
    let pairs = head.len() / 2;
    let nul_at = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let (even, odd) = (nul_at(0), nul_at(1));
    let mostly = |n: usize| n * 10 >= pairs * 4;
    let hardly = |n: usize| n * 20 <= pairs;
    (mostly(odd) && hardly(even)) || (mostly(even) && hardly(odd))
}

/// What to say about a byte that is not UTF-8: a lone byte from 0xA0 up is most likely a Latin-1 letter.
fn latin1_hint(byte: u8) -> String {
    if byte >= 0xA0 {
        format!(
            "in Latin-1 or Windows-1252, 0x{byte:02X} is `{}`; save the file as UTF-8",
            char::from(byte)
        )
    } else {
        "save the file as UTF-8; Latin-1 or Windows-1252 text must be converted".to_string()
    }
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
    if file.text.trim().is_empty() || has_no_content(&file.text) {
        let message = if file.text.trim().is_empty() {
            "lesson file is empty"
        } else {
            "lesson file has nothing but comments"
        };
        return Err(Diagnostic::error("empty-file", message)
            .in_file(&file.name)
            .help("start from `learn-registry new ID`"));
    }
    serde_saphyr::from_str_with_options::<Lesson>(&file.text, options())
        .map_err(|e| translate(file, &e))
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

static LOCATION_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\s*at line \d+,? column \d+.*$").unwrap());
static UNKNOWN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"unknown (variant|field) `([^`]*)`, (?:expected|there are no) ?(.*)").unwrap()
});
static MISSING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"missing field `([^`]*)`").unwrap());
/// The parser quotes characters as `'{'`; our messages use backticks.
static QUOTED_CHAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"'([^'\s]{1,4})'").unwrap());
/// A `key:` (optionally `- key:`, quoted, or with an anchor) at the end of the text before a value.
static KEY_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([A-Za-z_][A-Za-z0-9_-]*)["']?\s*:\s*(?:&[^\s\[\]{},]+\s*)?$"#).unwrap()
});
static KEY_AT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^["']?([A-Za-z_][A-Za-z0-9_-]*)["']?\s*:(?:\s|$)"#).unwrap());

const CHECK_HELP: &str =
    "a check is one key naming its kind: `- image_exists: { image: \"my-app:1.0\" }`";
const ALIAS_HELP: &str =
    "a lesson needs few YAML anchors and aliases (`&name`, `*name`); write the values out";

/// Turn a serde-saphyr error into our diagnostic, with a code, a location and a hint.
fn translate(file: &SourceFile, error: &serde_saphyr::Error) -> Diagnostic {
    let text = &file.text;
    let location = error.location().filter(|l| l.line() > 0);
    let (start, len) = location
        .map(|l| {
            let span = l.span();
            let start = span
                .byte_offset()
                .map(|b| b as usize)
                .unwrap_or_else(|| line_col_to_byte(text, l.line(), l.column()));
            (start, span.byte_len().unwrap_or(0) as usize)
        })
        .unwrap_or((0, 0));
    let start = floor_boundary(text, start.min(text.len()));
    // An error met while replaying an alias is the inner one; it is reported where the alias is used.
    let error = innermost(error);
    let raw = error.to_string();
    let raw = raw.lines().next().unwrap_or_default().to_string();
    let message = LOCATION_SUFFIX.replace(&raw, "").trim().to_string();
    let mut d;
    if let Some(specific) = specific(error, text, start, len) {
        d = specific;
    } else if let Some(c) = UNKNOWN.captures(&message) {
        let what = &c[1];
        let word = c[2].to_string();
        // serde writes "expected one of `a`, `b`"; serde-saphyr "expected one of a, b".
        let list = c[3]
            .trim_start_matches("one of ")
            .trim_start_matches("fields");
        let expected: Vec<String> = list
            .split(", ")
            .map(|w| w.trim().trim_matches('`').to_string())
            .filter(|w| !w.is_empty() && !w.contains(' '))
            .collect();
        // `command` is both a check kind and a setup action: it takes two kinds to tell.
        let kinds = expected
            .iter()
            .filter(|e| Check::KINDS.contains(&e.as_str()))
            .count();
        let (code, msg) = if what == "variant" && kinds > 1 {
            ("unknown-check-kind", format!("unknown check kind `{word}`"))
        } else if what == "variant" && expected.iter().any(|e| e == "build_image") {
            (
                "unknown-setup-action",
                format!("unknown setup action `{word}`"),
            )
        } else if what == "variant" {
            ("unknown-variant", format!("unknown value `{word}`"))
        } else {
            ("unknown-field", format!("unknown field `{word}`"))
        };
        d = Diagnostic::error(code, msg);
        let start = find_word(text, start, &word).unwrap_or(start);
        d = d.at(text, start..start + word.len().max(1));
        if let Some(best) = did_you_mean(&word, expected.iter().map(String::as_str)) {
            d = d.label(format!("did you mean `{best}`?"));
        } else if !expected.is_empty() {
            d = d.help(format!(
                "expected one of {}",
                expected
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        } else {
            d = d.help("this place takes no fields");
        }
    } else if let Some(c) = MISSING.captures(&message) {
        d = missing_field(text, start, &c[1]);
    } else {
        let (code, help) = classify(&message, text, start);
        let message = QUOTED_CHAR.replace_all(&message, "`$1`");
        let (message, start, len) = match tab_before(text, start) {
            Some(tab) if code == "yaml-syntax" && message.contains("tab") => {
                ("a tab is used for indentation".into(), tab, 1)
            }
            _ => (lowercase_first(&message), start, len),
        };
        d = Diagnostic::error(code, message).at(text, start..start + len.max(1));
        if let Some(help) = help {
            d = d.help(help);
        }
    }
    if location.is_none() {
        d.line = 0;
        d.column = 0;
        d.span = None;
    }
    d.in_file(&file.name)
}

fn innermost(error: &serde_saphyr::Error) -> &serde_saphyr::Error {
    match error {
        serde_saphyr::Error::AliasError { error, .. }
        | serde_saphyr::Error::WithSnippet { error, .. } => innermost(error),
        other => other,
    }
}

/// Our own wording for the errors whose raw text speaks of parser internals or Rust types
/// (`expected mapping start`, `cannot deserialize null into string; use Option<String>`).
fn specific(
    error: &serde_saphyr::Error,
    text: &str,
    start: usize,
    len: usize,
) -> Option<Diagnostic> {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    let here = |code, message: String, len: usize| {
        Diagnostic::error(code, message).at(text, start..start + len.max(1))
    };
    let too_complex = |message: String| here("yaml-too-complex", message, len);
    let d = match error {
        E::MultipleDocuments { .. }
        | E::Budget {
            breach: B::Documents { .. },
            ..
        } => here(
            "multiple-documents",
            "lesson file holds more than one YAML document".into(),
            3,
        )
        .label("a second document starts here")
        .help("one lesson per file: remove this `---` and what follows, or move it to a file of its own"),
        E::Budget { breach, .. } => match breach {
            B::Aliases { .. } => {
                too_complex(format!("more than {MAX_ALIASES} YAML aliases")).help(ALIAS_HELP)
            }
            B::Anchors { .. } => {
                too_complex(format!("more than {MAX_ANCHORS} YAML anchors")).help(ALIAS_HELP)
            }
            B::Depth { .. } => too_complex(format!("YAML nested more than {MAX_DEPTH} levels deep"))
                .help("a lesson nests only a few levels deep; is a bracket left open?"),
            _ => too_complex("lesson file is too large or complex for a lesson".into())
                .help("a lesson is a few kilobytes of plain YAML; is this the right file?"),
        },
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => {
            too_complex("YAML aliases expand to too much data".into()).help(ALIAS_HELP)
        }
        E::DuplicateMappingKey { key, .. } => {
            let key = key.as_deref().filter(|k| !k.is_empty());
            let message = match key {
                Some(k) => format!("duplicate key `{k}`"),
                None => "duplicate key in a mapping".into(),
            };
            let mut d = here("duplicate-key", message, key.map_or(len, str::len));
            if let Some(line) = key.and_then(|k| first_key_line(text, start, k)) {
                d = d.label(format!("already set on line {line}"));
            }
            d.help("each key may appear once in a mapping; keep one of them")
        }
        E::InvalidBooleanStrict { .. } => {
            wrong_type(text, start, "`true` or `false`").help(
                "YAML 1.2 booleans are `true` and `false`; `yes`, `no`, `on` and `off` are not",
            )
        }
        E::NullIntoString { .. } => match key_before(text, start) {
            Some(key) => {
                let at = text[..start].rfind(key).unwrap_or(start);
                Diagnostic::error("missing-value", format!("`{key}` has no value"))
                    .at(text, at..at + key.len())
                    .help(format!(
                        "write a value after `{key}:`, or remove the line if the field is optional"
                    ))
            }
            None => wrong_type(text, start, "text"),
        },
        E::Unexpected { expected, .. } => {
            let what = match *expected {
                "mapping start" => "a mapping",
                "sequence start" => "a list",
                "string scalar" | "scalar" => "text",
                _ => return None,
            };
            wrong_type(text, start, what)
        }
        E::SerdeInvalidType { expected, .. } | E::SerdeInvalidValue { expected, .. } => {
            wrong_type(text, start, plain_type(expected)?)
        }
        E::InvalidScalar { ty, .. } => wrong_type(text, start, plain_type(ty)?),
        E::ExpectedStringKeyForExternallyTaggedEnum { .. }
        | E::ExternallyTaggedEnumExpectedScalarOrMapping { .. } => {
            // `- {}`: the parser stops at the `}`.
            let empty = text[start..].starts_with('}')
                && text[..start].trim_end().ends_with('{');
            let found = if empty {
                let open = text[..start].trim_end().len() - 1;
                return Some(
                    Diagnostic::error("wrong-type", "expected a check, found an empty mapping")
                        .at(text, open..start + 1)
                        .help(CHECK_HELP),
                );
            } else {
                found_at(text, start)
            };
            let (message, help) = match parent_key(text, start) {
                Some("setup") => (
                    format!("expected a setup action, found {}", found.0),
                    "write `- build_image: {...}` or `- command: {...}`",
                ),
                _ => (format!("expected a check, found {}", found.0), CHECK_HELP),
            };
            here("wrong-type", message, found.1).help(help)
        }
        E::ExpectedMappingEndAfterEnumVariantValue { .. } => {
            let (name, width) = KEY_AT
                .captures(&text[start..])
                .map_or_else(|| found_at(text, start), |c| (format!("`{}`", &c[1]), c[1].len()));
            here("wrong-type", format!("two kinds in one list item: {name} is the second"), width)
                .label("this needs a `- ` of its own")
                .help("each check or setup action is its own list item")
        }
        E::UnknownAnchor { .. } => {
            let name: String = text[start..]
                .trim_start_matches('*')
                .chars()
                .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
                .collect();
            here(
                "yaml-syntax",
                format!("alias `*{name}` refers to no anchor"),
                name.len() + 1,
            )
            .help(format!(
                "define the value first with `&{name}`, or write it out"
            ))
        }
        E::UnsupportedTag { tag, .. } => {
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let at = text[line_start..start]
                .rfind(tag.as_str())
                .map_or(start, |i| line_start + i);
            Diagnostic::error("yaml-syntax", format!("unsupported tag `{tag}`"))
                .at(text, at..at + tag.len().max(1))
                .help(format!("lessons use plain YAML values; remove `{tag}`"))
        }
        E::Eof { .. } => here("yaml-syntax", "unexpected end of file".into(), len)
            .help("is a quote or a bracket left open?"),
        E::SerdeMissingField { field, .. } => missing_field(text, start, field),
        _ => return None,
    };
    Some(d)
}

/// serde's names for what it wanted, in the words of the lesson format.
fn plain_type(expected: &str) -> Option<&'static str> {
    let e = expected.to_lowercase();
    Some(if e.contains("sequence") || e == "seq" {
        "a list"
    } else if e.contains("struct") || e.contains("map") {
        "a mapping"
    } else if e.contains("string") || e.contains("char") {
        "text"
    } else if e.contains("bool") {
        "`true` or `false`"
    } else if e.starts_with('i') || e.starts_with('u') || e.contains("integer") {
        "a whole number"
    } else if e.starts_with('f') || e.contains("float") {
        "a number"
    } else {
        return None;
    })
}

/// "expected a list, found `docker tag ...`", with the key it belongs to beside the caret.
fn wrong_type(text: &str, start: usize, expected: &str) -> Diagnostic {
    if expected == "a mapping" && is_document_root(text, start) {
        let (found, width) = found_at(text, start);
        return Diagnostic::error(
            "wrong-type",
            format!("a lesson file must be a mapping of fields, found {found}"),
        )
        .at(text, start..start + width)
        .help("a lesson starts with `id:`, `title:` and `steps:`; see `learn-registry new ID`");
    }
    let (found, width) = found_at(text, start);
    // `- docker_running` (no `:`): the kind's fields are missing, and the parser points past the word.
    if expected == "a mapping" && found == "nothing" {
        let before = text[..start].trim_end();
        let word_start = before
            .rfind(|c: char| c.is_whitespace() || c == '-' || c == '[' || c == ',')
            .map_or(0, |i| i + 1);
        let word = &before[word_start..];
        if Check::KINDS.contains(&word) || word == "build_image" {
            return Diagnostic::error(
                "wrong-type",
                format!("`{word}` needs its fields, written as a mapping"),
            )
            .at(text, word_start..word_start + word.len())
            .label(format!(
                "write `{word}: {{}}`, with the fields inside the braces"
            ));
        }
    }
    let mut d = Diagnostic::error("wrong-type", format!("expected {expected}, found {found}"))
        .at(text, start..start + width);
    if let Some(key) = key_before(text, start) {
        d = d.label(format!("`{key}` takes {expected}"));
    } else if let Some(key) = list_key_before(text, start) {
        d = d.label(format!("each item of `{key}` is {expected}"));
    }
    if let Some(alias) = found
        .split('`')
        .nth(1)
        .filter(|_| found.contains("through alias"))
    {
        let anchor = alias.replacen('*', "&", 1);
        return d.help(format!(
            "`{alias}` repeats the value marked `{anchor}`, which is not {expected}"
        ));
    }
    let help = match expected {
        "a list" => Some("write one `- item` a line below the key, or `[item, item]`"),
        "a mapping" => Some("write `key: value` pairs, indented below the key"),
        "text" => Some("write the text on the line; quote it if it starts with `[`, `{` or `-`"),
        _ => None,
    };
    match help {
        Some(help) => d.help(help),
        None => d,
    }
}

/// What the YAML node at `at` looks like, and how wide a caret it deserves.
fn found_at(text: &str, at: usize) -> (String, usize) {
    describe_node(text, at, true)
}

fn describe_node(text: &str, at: usize, follow_alias: bool) -> (String, usize) {
    let line = text[at..].lines().next().unwrap_or_default().trim_end();
    let t = line.trim_start();
    if t.is_empty() || t.starts_with('#') || t.starts_with([']', '}', ',']) {
        return ("nothing".into(), 1);
    }
    if t.starts_with('[') || t == "-" || t.starts_with("- ") {
        return ("a list".into(), flow_width(t));
    }
    if t.starts_with('{') || KEY_AT.is_match(t) {
        return ("a mapping".into(), flow_width(t));
    }
    let token = match t.chars().next() {
        Some(q @ ('"' | '\'')) => t[1..].find(q).map_or(t, |end| &t[..end + 2]),
        _ => {
            let end = [" #", ", ", ",", "]", "}"]
                .iter()
                .filter_map(|s| t.find(s))
                .min()
                .unwrap_or(t.len());
            t[..end].trim_end()
        }
    };
    // An alias stands for its anchor's node: say what that is.
    if let Some(name) = token.strip_prefix('*').filter(|_| follow_alias) {
        let anchor = format!("&{name}");
        let target = text
            .match_indices(&anchor)
            .map(|(i, _)| i + anchor.len())
            .find(|i| text[*i..].starts_with([' ', '\n']))
            .map(|i| describe_node(text, i + 1, false).0);
        if let Some(target) = target.filter(|t| !t.starts_with('`')) {
            return (format!("{target} (through alias `{token}`)"), token.len());
        }
    }
    let shown: String = token.chars().take(40).collect();
    let ellipsis = if shown.len() < token.len() { "…" } else { "" };
    (format!("`{shown}{ellipsis}`"), token.len().max(1))
}

/// How wide a caret a flow collection (`[a, b]`, `{ a: 1 }`) deserves: all of it when it closes on the
/// same line and is short, else its opening bracket.
fn flow_width(t: &str) -> usize {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, c) in t.char_indices().take(80) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        if depth == 0 {
            break;
        }
    }
    1
}

/// The key a value at `at` is written under, when it is on the same line (`commands: docker ...`).
fn key_before(text: &str, at: usize) -> Option<&str> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    // Some errors point at the `:` itself (`title:` with no value).
    let end = if text[at..].starts_with(':') {
        at + 1
    } else {
        at
    };
    KEY_BEFORE
        .captures(&text[line_start..end])
        .map(|c| c.get(1).map_or("", |m| m.as_str()))
        .filter(|k| !k.is_empty())
}

/// The key of the flow list whose first item is at `at` (`steps: [[` → `steps`).
fn list_key_before(text: &str, at: usize) -> Option<&str> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..at].trim_end().strip_suffix('[')?;
    KEY_BEFORE
        .captures(before)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// Whether `at` is where the document starts: only comments, directives and `---` come before it.
fn is_document_root(text: &str, at: usize) -> bool {
    has_no_content(&text[..at])
}

/// A line of YAML: where its content starts (after indentation and `- ` markers), and whether a `- `
/// came before it. `None` for blank lines and comments.
fn content_col(line: &str) -> Option<(usize, bool)> {
    let mut col = line.len() - line.trim_start_matches(' ').len();
    let mut dash = false;
    while line[col..].starts_with("- ") || &line[col..] == "-" {
        dash = true;
        col += 1;
        col += line[col..].len() - line[col..].trim_start_matches(' ').len();
    }
    let rest = &line[col..];
    (!rest.trim().is_empty() && !rest.starts_with('#')).then_some((col, dash))
}

/// The lines of `text` from the one holding `at` upwards, each with the byte offset it starts at.
fn lines_up(text: &str, at: usize) -> impl Iterator<Item = (usize, &str)> {
    let first_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let mut end = Some(first_end);
    std::iter::from_fn(move || {
        let e = end?;
        let start = text[..e].rfind('\n').map_or(0, |i| i + 1);
        end = start.checked_sub(1);
        Some((start, &text[start..e]))
    })
}

/// The key of the mapping or list that holds the block node at `at` (`checks` for a check).
fn parent_key(text: &str, at: usize) -> Option<&str> {
    let mut lines = lines_up(text, at);
    let (_, line) = lines.next()?;
    let own_indent = line.len() - line.trim_start_matches(' ').len();
    let dash = line.trim_start().starts_with('-');
    for (_, l) in lines {
        let Some((c, item)) = content_col(l) else {
            continue;
        };
        let indent = l.len() - l.trim_start_matches(' ').len();
        // A block list may sit at the same indentation as its key (`steps:` then `- id: ...`); an item
        // at that indentation is a sibling, not the key.
        if indent < own_indent || (dash && indent == own_indent && !item) {
            return KEY_AT
                .captures(&l[c..])
                .map(|m| m.get(1).map_or("", |k| k.as_str()));
        }
    }
    None
}

/// "missing field": point at the start of the mapping that lacks it, and name what that mapping is
/// (serde reports the place where the mapping ended, which may be the last key of a long step).
fn missing_field(text: &str, at: usize, field: &str) -> Diagnostic {
    let message = format!("missing field `{field}`");
    let help = format!("add `{field}:`");
    // A flow mapping: `image_exists: {}`, `- {id: a, human_only: true}`.
    if let Some(open) = open_brace(text, at) {
        let owner = match key_before(text, open) {
            Some(key) => Some(format!("`{key}`")),
            None if text[..open].trim_end().ends_with('-') => {
                parent_key(text, open).map(|k| item_noun(k, true))
            }
            None => None,
        };
        let d = Diagnostic::error("missing-field", message)
            .at(text, open..open + flow_width(&text[open..]));
        return match owner {
            Some(owner) => d.label(format!("{owner} has no `{field}`")),
            None => d,
        }
        .help(help);
    }
    // A block mapping: walk up over its keys (same column) and whatever is nested deeper.
    let mut lines = lines_up(text, at);
    let Some((line_start, _)) = lines.next() else {
        return Diagnostic::error("missing-field", message).help(help);
    };
    let key_col = at - line_start;
    let mut first = at;
    let mut item = false;
    for (start, line) in lines_up(text, at) {
        let Some((col, dash)) = content_col(line) else {
            continue;
        };
        if col > key_col {
            continue;
        }
        if col < key_col {
            break;
        }
        first = start + col;
        if dash {
            item = true;
            break;
        }
    }
    let owner = if is_document_root(text, first) {
        Some("the lesson".to_string())
    } else {
        parent_key(text, first).map(|k| item_noun(k, item))
    };
    let width = KEY_AT
        .captures(&text[first..])
        .map_or(1, |c| c.get(1).map_or(1, |m| m.end()));
    let d = Diagnostic::error("missing-field", message).at(text, first..first + width);
    match owner {
        Some(owner) => d.label(format!("{owner} has no `{field}`")),
        None => d,
    }
    .help(help)
}

/// What a mapping is called in a message, from the key it is written under.
fn item_noun(key: &str, list_item: bool) -> String {
    match (key, list_item) {
        ("steps", true) => "this step".to_string(),
        ("quiz", _) => "the quiz".to_string(),
        (key, _) => format!("`{key}`"),
    }
}

/// The `{` of the flow mapping that `at` stands in, when it opened on the same line.
fn open_brace(text: &str, at: usize) -> Option<usize> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    if text[at..].starts_with('{') {
        return Some(at);
    }
    let mut depth = 0usize;
    for (i, c) in text[line_start..at].char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' if depth == 0 => return Some(line_start + i),
            '{' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The line (1-based) where `key` was first written in the mapping whose later duplicate is at `at`.
fn first_key_line(text: &str, at: usize, key: &str) -> Option<usize> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let col = at - line_start;
    let starts_with_key = |s: &str| KEY_AT.captures(s).is_some_and(|c| &c[1] == key);
    // A flow mapping on one line: `{ a: 1, a: 2 }`.
    if text[line_start..at].contains(&format!("{key}:")) {
        return Some(text[..line_start].matches('\n').count() + 1);
    }
    for (start, line) in lines_up(text, at).skip(1) {
        let Some((c, dash)) = content_col(line) else {
            continue;
        };
        if c < col {
            return None;
        }
        if c == col && starts_with_key(&line[c..]) {
            return Some(text[..start].matches('\n').count() + 1);
        }
        if c == col && dash {
            return None;
        }
    }
    None
}

/// The tab nearest before `at` on its line, which is what a "tabs disallowed" error is about.
fn tab_before(text: &str, at: usize) -> Option<usize> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    text[line_start..at]
        .rfind('\t')
        .or_else(|| text[line_start..line_end].find('\t'))
        .map(|i| line_start + i)
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A code and a hint for messages that are not about names.
fn classify(message: &str, text: &str, at: usize) -> (&'static str, Option<&'static str>) {
    let lower = message.to_lowercase();
    let line = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line_text = text[line..].lines().next().unwrap_or_default();
    if line_text.starts_with('\t') || lower.contains("tabs") {
        return (
            "yaml-syntax",
            Some("YAML indentation must use spaces, not tabs"),
        );
    }
    if lower.contains("budget") {
        return ("yaml-too-complex", Some(ALIAS_HELP));
    }
    if lower.contains("duplicate") {
        return (
            "duplicate-key",
            Some("each key may appear once in a mapping"),
        );
    }
    if lower.contains("invalid type") {
        return ("wrong-type", None);
    }
    let help = if lower.contains("mapping values are not allowed") {
        Some("check this line's indentation, and quote a value that contains `: `")
    } else if lower.contains("unclosed bracket") && message.contains('{') {
        Some("close it with `}`")
    } else if lower.contains("unclosed bracket") && message.contains('[') {
        Some("close it with `]`")
    } else if lower.contains("unclosed bracket") || lower.contains("did not find expected") {
        Some("is a bracket left open, or a comma missing?")
    } else if lower.contains("unclosed quote") || lower.contains("quoted scalar") {
        Some("close the quote at the end of the value")
    } else if lower.contains("block sequence entries are not allowed") {
        Some("start the list on the line after its key")
    } else {
        None
    };
    ("yaml-syntax", help)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if !s.starts_with("YAML") => c.to_lowercase().chain(chars).collect(),
        Some(c) => std::iter::once(c).chain(chars).collect(),
        None => String::new(),
    }
}

/// Find `word` as written at or after `from` on the same line or the next few, so the caret sits on the
/// key itself rather than on the mapping that holds it.
fn find_word(text: &str, from: usize, word: &str) -> Option<usize> {
    if word.is_empty() {
        return None;
    }
    let from = from.min(text.len());
    let from = (0..=from).rev().find(|i| text.is_char_boundary(*i))?;
    let window_end = text[from..]
        .char_indices()
        .filter(|(_, c)| *c == '\n')
        .nth(3)
        .map_or(text.len(), |(i, _)| from + i);
    text[from..window_end].find(word).map(|i| from + i)
}

fn line_col_to_byte(text: &str, line: u64, column: u64) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            return offset
                + l.char_indices()
                    .nth(column.saturating_sub(1) as usize)
                    .map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_without_bom_is_told_from_binary() {
        let utf16: Vec<u8> = "id: x\ntitle: y\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(looks_like_utf16(&utf16));
        assert!(!looks_like_utf16(b"id: x\ntitle: y\n"));
        let binary: Vec<u8> = (0..=255u8).cycle().take(1024).collect();
        assert!(!looks_like_utf16(&binary));
    }

    #[test]
    fn comments_and_markers_are_no_content() {
        assert!(has_no_content("# a\n\n---\n# b\n...\n"));
        assert!(has_no_content("%YAML 1.2\n--- # start\n"));
        assert!(!has_no_content("# a\nid: x\n"));
        assert!(!has_no_content("---x\n"));
    }

    #[test]
    fn a_caret_covers_a_short_flow_collection() {
        assert_eq!(flow_width("[a, b] # c"), 6);
        assert_eq!(flow_width("{a: \"}\"}"), 8);
        assert_eq!(flow_width("[a, [b]"), 1, "not closed on the line");
        assert_eq!(flow_width("- a"), 1);
    }

    #[test]
    fn keys_and_owners_are_found_around_a_value() {
        let text = "steps:\n  - id: a\n    title: A\n  - id: b\n    body: x\n";
        assert_eq!(key_before(text, text.find("x\n").unwrap()), Some("body"));
        // The second step's parent is `steps`, not the first step beside it.
        assert_eq!(parent_key(text, text.find("id: b").unwrap()), Some("steps"));
        let flow = "  - {id: s, human_only: true}";
        assert_eq!(open_brace(flow, flow.find("human").unwrap()), Some(4));
        assert_eq!(open_brace("a: [x]", 4), None);
    }
}

//! Reading a lesson file: bytes → text → `Lesson`, or one `Diagnostic` that says where and why not.
//!
//! The loader never panics and never trusts its input: it refuses huge files, binary junk and wrong
//! encodings before the YAML parser sees them, parses with budgets that stop alias bombs and deep
//! nesting, rejects duplicate keys, and turns serde's messages into ours (with a did-you-mean).

use std::sync::LazyLock;

use regex::Regex;
use serde_saphyr::{DuplicateKeyPolicy, Options};

use crate::check::Check;
use crate::diagnostic::{Diagnostic, did_you_mean};
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

fn options() -> Options {
    let mut options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_aliases: 200,
            max_anchors: 200,
            max_depth: 64,
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
    if file.text.trim().is_empty() {
        return Err(Diagnostic::error("empty-file", "lesson file is empty")
            .in_file(&file.name)
            .help("start from `learn-registry new ID`"));
    }
    serde_saphyr::from_str_with_options::<Lesson>(&file.text, options())
        .map_err(|e| translate(file, &e))
}

static LOCATION_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\s*at line \d+,? column \d+.*$").unwrap());
static UNKNOWN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"unknown (variant|field) `([^`]*)`, (?:expected|there are no) ?(.*)").unwrap()
});
static MISSING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"missing field `([^`]*)`").unwrap());

/// Turn a serde-saphyr error into our diagnostic, with a code, a location and a hint.
fn translate(file: &SourceFile, error: &serde_saphyr::Error) -> Diagnostic {
    let raw = error.to_string();
    let raw = raw.lines().next().unwrap_or_default().to_string();
    let message = LOCATION_SUFFIX.replace(&raw, "").trim().to_string();
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
    let mut d;
    if let Some(c) = UNKNOWN.captures(&message) {
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
        let is_check_kind =
            what == "variant" && expected.iter().any(|e| Check::KINDS.contains(&e.as_str()));
        let (code, msg) = if is_check_kind {
            ("unknown-check-kind", format!("unknown check kind `{word}`"))
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
        d = Diagnostic::error("missing-field", format!("missing field `{}`", &c[1]))
            .at(text, start..start + len.max(1));
    } else {
        let (code, help) = classify(&message, text, start);
        d = Diagnostic::error(code, lowercase_first(&message)).at(text, start..start + len.max(1));
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

/// A code and a hint for messages that are not about names.
fn classify(message: &str, text: &str, at: usize) -> (&'static str, Option<&'static str>) {
    let lower = message.to_lowercase();
    let line = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line_text = text[line..].lines().next().unwrap_or_default();
    if line_text.starts_with('\t') || lower.contains("tab") {
        return (
            "yaml-syntax",
            Some("YAML indentation must use spaces, not tabs"),
        );
    }
    if lower.contains("budget") || lower.contains("alias") || lower.contains("limit") {
        return (
            "yaml-too-complex",
            Some("lessons need no YAML anchors or aliases on this scale; write the values out"),
        );
    }
    if lower.contains("duplicate") {
        return (
            "duplicate-key",
            Some("each key may appear once in a mapping"),
        );
    }
    if lower.contains("invalid type") || lower.contains("expected") {
        return ("wrong-type", None);
    }
    ("yaml-syntax", None)
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

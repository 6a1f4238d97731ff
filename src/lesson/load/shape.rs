//! Errors about the shape of a value: a list where text belongs, a mapping without a required field.
//! The message names what the place takes in the lesson format's words (`a list`, `text`, `a
//! mapping`), and the label names the key or item it belongs to, found by `locate`.

use super::locate::{
    content_col, flow_width, found_at, is_document_root, key_at, key_before, lines_up,
    list_key_before, open_brace, parent_key,
};
use crate::diagnostic::Diagnostic;
use crate::lesson::check::Check;

/// What `Unexpected` wanted, in the words of the lesson format. Its `expected` is one of the crate's
/// fixed names for parser events (`unexpected_names_what_it_wanted` pins the ones used here).
pub(super) fn unexpected_wanted(expected: &str) -> Option<&'static str> {
    match expected {
        "mapping start" => Some("a mapping"),
        "sequence start" => Some("a list"),
        "string scalar" | "scalar" => Some("text"),
        _ => None,
    }
}

/// serde's names for what it wanted, in the words of the lesson format.
pub(super) fn plain_type(expected: &str) -> Option<&'static str> {
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
pub(super) fn wrong_type(text: &str, start: usize, expected: &str) -> Diagnostic {
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
    // `- docker_running` read as a check item: the parser points at the word itself.
    if expected == "a mapping"
        && let Some(word) = found
            .strip_prefix('`')
            .and_then(|f| f.strip_suffix('`'))
            .filter(|w| Check::KINDS.contains(w))
    {
        return Diagnostic::error(
            "wrong-type",
            format!("`{word}` needs its fields, written as a mapping"),
        )
        .at(text, start..start + width)
        .label(format!(
            "write `{word}: {{}}`, with the fields inside the braces"
        ));
    }
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

/// "missing field": point at the start of the mapping that lacks it, and name what that mapping is
/// (serde reports the place where the mapping ended, which may be the last key of a long step).
pub(super) fn missing_field(text: &str, at: usize, field: &str) -> Diagnostic {
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
    let width = key_at(&text[first..]).map_or(1, |m| m.end());
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

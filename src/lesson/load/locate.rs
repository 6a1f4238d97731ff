//! Finding things in the YAML text around an error: the key a value is written under, the key of the
//! list or mapping that holds it, where a flow mapping opened, where a key was first set, what the node
//! at a place looks like. serde-saphyr reports a position; these scans turn it into "`checks` takes a
//! list" and a caret on the right word. They read the lesson's text only, never an error message.

use std::sync::LazyLock;

use regex::Regex;

/// A `key:` (optionally `- key:`, quoted, or with an anchor) at the end of the text before a value.
static KEY_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([A-Za-z_][A-Za-z0-9_-]*)["']?\s*:\s*(?:&[^\s\[\]{},]+\s*)?$"#).unwrap()
});
/// A `key:` at the start of the text.
static KEY_AT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^["']?([A-Za-z_][A-Za-z0-9_-]*)["']?\s*:(?:\s|$)"#).unwrap());

/// The key written at the start of `s` (`image:`, `"image":`), as a match within `s`.
pub(super) fn key_at(s: &str) -> Option<regex::Match<'_>> {
    KEY_AT.captures(s).and_then(|c| c.get(1))
}

/// What the YAML node at `at` looks like, and how wide a caret it deserves.
pub(super) fn found_at(text: &str, at: usize) -> (String, usize) {
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
pub(super) fn flow_width(t: &str) -> usize {
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
pub(super) fn key_before(text: &str, at: usize) -> Option<&str> {
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
pub(super) fn list_key_before(text: &str, at: usize) -> Option<&str> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..at].trim_end().strip_suffix('[')?;
    KEY_BEFORE
        .captures(before)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// Whether `at` is where the document starts: only comments, directives and `---` come before it.
pub(super) fn is_document_root(text: &str, at: usize) -> bool {
    super::has_no_content(&text[..at])
}

/// A line of YAML: where its content starts (after indentation and `- ` markers), and whether a `- `
/// came before it. `None` for blank lines and comments.
pub(super) fn content_col(line: &str) -> Option<(usize, bool)> {
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
pub(super) fn lines_up(text: &str, at: usize) -> impl Iterator<Item = (usize, &str)> {
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
pub(super) fn parent_key(text: &str, at: usize) -> Option<&str> {
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

/// The `{` of the flow mapping that `at` stands in, when it opened on the same line.
pub(super) fn open_brace(text: &str, at: usize) -> Option<usize> {
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
pub(super) fn first_key_line(text: &str, at: usize, key: &str) -> Option<usize> {
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
pub(super) fn tab_before(text: &str, at: usize) -> Option<usize> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    text[line_start..at]
        .rfind('\t')
        .or_else(|| text[line_start..line_end].find('\t'))
        .map(|i| line_start + i)
}

pub(super) fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Find `word` as written at or after `from` on the same line or the next few, so the caret sits on the
/// key itself rather than on the mapping that holds it.
pub(super) fn find_word(text: &str, from: usize, word: &str) -> Option<usize> {
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

pub(super) fn line_col_to_byte(text: &str, line: u64, column: u64) -> usize {
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

//! Outside strings on their way to a terminal. A lesson from a folder, a registry's JSON, an engine's
//! error, a credential helper's stderr and a roster's names are someone else's text: an ESC in them
//! could clear the learner's screen, hide text (`\e[8m`), or write the clipboard (OSC 52), and a BEL or
//! a carriage return can fake what a line says. Everything such a string carries that a terminal would
//! act on is shown visibly escaped instead (`\e]52;c;…\a`), so the reader sees that it was there.
//!
//! Kept: printable text, `\n` and `\t` (in [`block`] only). Escaped: the C0 controls, DEL, the C1
//! controls (U+0080–U+009F, which some terminals read as CSI/OSC), and the Unicode bidirectional
//! overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what a line appears to say.
//! The tool's own colors are added after this, around already-safe text, so they stay.
//!
//! Machine formats (JSON, CSV, JUnit, HTML) keep the data faithfully and escape it their own way; they
//! do not go through here.

use std::borrow::Cow;
use std::fmt;

/// One line of outside text (a title, a name, a tag): every control character is escaped, newlines too.
pub fn line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// A block of outside text (a lesson body, a command's output): like [`line`], but `\n` and `\t` stay.
pub fn block(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// The last guard before a terminal, for text that mixes our own styling with outside strings (the
/// runner's lines): with `color`, SGR sequences (`\e[…m`, colors and bold only) are kept and every
/// other unsafe character is escaped as in [`block`]; without, everything is. Outside strings should
/// still go through [`line`] or [`block`] first, since a lesson could carry an SGR sequence of its own.
pub fn terminal(text: &str, color: bool) -> Cow<'_, str> {
    let keeps = |c: char| c == '\n' || c == '\t';
    if !text.chars().any(|c| is_unsafe(c) && !keeps(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if color && c == '\u{1b}' {
            let sgr = rest[1..]
                .strip_prefix('[')
                .and_then(|r| {
                    r.find(|c: char| !(c.is_ascii_digit() || c == ';'))
                        .map(|n| (r, n))
                })
                .filter(|(r, n)| r[*n..].starts_with('m'))
                .map(|(_, n)| n + 3);
            if let Some(len) = sgr {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        if is_unsafe(c) && !keeps(c) {
            out.push_str(&visible(c));
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// [`line`] as a `Display`, for `format!("{}", text::Line(s))` without an allocation when clean.
pub struct Line<'a>(pub &'a str);

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&line(self.0))
    }
}

/// Whether a terminal would act on `c` (and so it must not be sent raw).
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A short, visible name for an unsafe character, as lint and the escapes show it: `\e`, `\a`,
/// `\x01`, `\u{9b}`.
pub fn visible(c: char) -> String {
    match c {
        '\u{1b}' => "\\e".into(),
        '\u{07}' => "\\a".into(),
        '\u{08}' => "\\b".into(),
        '\u{0c}' => "\\f".into(),
        '\u{0b}' => "\\v".into(),
        '\r' => "\\r".into(),
        '\n' => "\\n".into(),
        '\t' => "\\t".into(),
        '\0' => "\\0".into(),
        c if (c as u32) < 0x80 => format!("\\x{:02x}", c as u32),
        c => format!("\\u{{{:x}}}", c as u32),
    }
}

fn escape(text: &str, keep_layout: bool) -> Cow<'_, str> {
    let keeps = |c: char| keep_layout && (c == '\n' || c == '\t');
    if !text.chars().any(|c| is_unsafe(c) && !keeps(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) && !keeps(c) {
            out.push_str(&visible(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(
            line("alice/python-canvas-client:1.0 ✓"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(block("a\n\tb"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(line("\u{1b}]52;c;aGk=\u{07}"), "\\e]52;c;aGk=\\a");
        assert_eq!(line("\u{1b}[2J"), "\\e[2J");
        assert_eq!(line("x\u{1b}[8mhidden"), "x\\e[8mhidden");
        assert_eq!(line("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(line("ok\rFAKE"), "ok\\rFAKE");
        assert_eq!(line("\u{7f}\u{0}"), "\\x7f\\0");
    }

    #[test]
    fn bidi_overrides_are_escaped() {
        assert_eq!(line("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(line("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
    }

    #[test]
    fn lines_escape_newlines_blocks_keep_them() {
        assert_eq!(line("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(block("a\nb\tc\u{1b}"), "a\nb\tc\\e");
    }

    #[test]
    fn no_output_byte_is_a_control_for_any_input() {
        for cp in (0u32..0x300).chain(0x2000..0x2100) {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let s = format!("a{c}b");
            assert!(
                !line(&s).chars().any(is_unsafe),
                "U+{cp:04X} survived line()"
            );
            assert!(
                !block(&s)
                    .chars()
                    .any(|c| is_unsafe(c) && c != '\n' && c != '\t'),
                "U+{cp:04X} survived block()"
            );
        }
    }

    #[test]
    fn terminal_keeps_only_sgr_and_only_with_color() {
        let s = "\u{1b}[1;32mok\u{1b}[0m \u{1b}[2J\u{1b}]52;c;x\u{7}\n";
        assert_eq!(
            terminal(s, true),
            "\u{1b}[1;32mok\u{1b}[0m \\e[2J\\e]52;c;x\\a\n"
        );
        assert_eq!(
            terminal(s, false),
            "\\e[1;32mok\\e[0m \\e[2J\\e]52;c;x\\a\n"
        );
        assert_eq!(terminal("\u{1b}[", true), "\\e[");
        assert_eq!(terminal("\u{1b}", true), "\\e");
    }

    #[test]
    fn display_wrapper_matches_line() {
        assert_eq!(Line("t\u{1b}").to_string(), "t\\e");
    }
}

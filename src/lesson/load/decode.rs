//! Bytes → text: refuse what cannot be a lesson (too large, binary, UTF-16, Latin-1) before the YAML
//! parser sees it, each with a message that says what the file is and how to fix it.

use super::{MAX_LESSON_BYTES, SourceFile};
use crate::diagnostic::Diagnostic;

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
    // UTF-16 text of any length has NUL bytes; nearly every file has none, found at memchr speed.
    if head.len() < 4 || memchr::memchr(0, head).is_none() {
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
}

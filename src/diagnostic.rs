//! Problems found in lesson files, reported the way rustc does: `error: ...`, then ` --> FILE:LINE:COL`,
//! the source line and a caret under the culprit. Rendering uses `annotate-snippets` (cargo's renderer);
//! `--format json` gives the same data for editors.

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

/// How bad a problem is: errors make `lint` exit 2; warnings are shown but pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem in one file.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, kebab-case name for the kind of problem (for editors and tests).
    pub code: &'static str,
    pub message: String,
    pub file: String,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: u64,
    /// 1-based, in characters.
    pub column: u64,
    /// Byte range in the file of the culprit, when known.
    #[serde(skip)]
    pub span: Option<Range<usize>>,
    /// Short text beside the caret (`did you mean ...?`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A longer suggestion, shown after the snippet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            file: String::new(),
            line: 0,
            column: 0,
            span: None,
            label: None,
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Point at a byte range of `source`; line and column are computed from it.
    pub fn at(mut self, source: &str, span: Range<usize>) -> Self {
        let start = floor_char_boundary(source, span.start.min(source.len()));
        let end = floor_char_boundary(source, span.end.clamp(start, source.len()));
        let before = &source[..start];
        self.line = before.matches('\n').count() as u64 + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        self.column = source[line_start..start].chars().count() as u64 + 1;
        // A caret must stay on one line: cut the span at the end of its first line.
        let end = source[start..end].find('\n').map_or(end, |i| start + i);
        self.span = Some(start..end);
        self
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = file.into();
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Render for a terminal (or plain text when `color` is false), with the source snippet.
    pub fn render(&self, source: Option<&str>, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(&self.message);
        let window = match (source, &self.span) {
            (Some(source), Some(span)) if self.line > 0 => culprit_line(source, span),
            _ => None,
        };
        let mut group = match window {
            Some((line, span)) => {
                let annotation = AnnotationKind::Primary
                    .span(span)
                    .label(self.label.as_deref());
                Group::with_title(title).element(
                    Snippet::source(line)
                        .line_start(self.line as usize)
                        .path(&self.file)
                        .annotation(annotation),
                )
            }
            _ => {
                let origin = if self.line > 0 {
                    format!("{}:{}:{}", self.file, self.line, self.column)
                } else {
                    self.file.clone()
                };
                let mut g =
                    Group::with_title(title).element(annotate_snippets::Origin::path(origin));
                if let Some(label) = &self.label {
                    g = g.element(Level::NOTE.message(label.as_str()));
                }
                g
            }
        };
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        renderer.render(&[group])
    }
}

/// Lines longer than this are shown without the source text (no terminal shows them whole anyway).
const MAX_SNIPPET_LINE: usize = 4096;

/// The line that holds `span`, and the span within it. Only that line goes to the renderer: given the
/// whole file, it would walk all of it for every diagnostic, and a file with thousands of problems would
/// take minutes.
fn culprit_line<'a>(source: &'a str, span: &Range<usize>) -> Option<(&'a str, Range<usize>)> {
    let before = source.get(..span.start)?;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let end = span.end.max(span.start);
    let end = end + source.get(end..)?.find('\n').unwrap_or(source.len() - end);
    // A CRLF file's `\r` would show as `␍` on every line.
    let line = source.get(start..end)?.trim_end_matches('\r');
    let from = (span.start - start).min(line.len());
    let to = (span.end.max(span.start) - start).min(line.len());
    (line.len() <= MAX_SNIPPET_LINE).then_some((line, from..to))
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
///
/// Similar-looking is not enough (`repository` and `registry` share a prefix and score high): the
/// candidate must also be a few edits away, or `word` a shortened form of it.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Both measures take time quadratic in the lengths; nobody misspells a paragraph.
    const LONGEST: usize = 256;
    if word.len() > LONGEST {
        return None;
    }
    let word_lower = word.to_lowercase();
    let word_chars = word_lower.chars().count();
    candidates
        .into_iter()
        .filter(|c| c.len() <= LONGEST)
        .filter_map(|c| {
            let c_lower = c.to_lowercase();
            let longest = word_chars.max(c_lower.chars().count());
            let allowed = (longest / 4).max(1);
            let shortened = word_lower.len() >= 3 && c_lower.starts_with(&word_lower);
            if !shortened && word_chars.abs_diff(c_lower.chars().count()) > allowed {
                return None;
            }
            let score = strsim::jaro_winkler(&word_lower, &c_lower);
            let close = score > 0.8
                && (shortened || strsim::damerau_levenshtein(&word_lower, &c_lower) <= allowed);
            close.then_some((score, c))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc() {
        let src = "id: x\nsteps:\n  - image_exist: {}\n";
        let start = src.find("image_exist").unwrap();
        let d = Diagnostic::error("unknown-check-kind", "unknown check kind `image_exist`")
            .at(src, start..start + 11)
            .in_file("l.yaml")
            .label("did you mean `image_exists`?");
        let out = d.render(Some(src), false);
        assert!(
            out.starts_with("error: unknown check kind `image_exist`\n"),
            "{out}"
        );
        assert!(out.contains(" --> l.yaml:3:5"), "{out}");
        assert!(
            out.contains("^^^^^^^^^^^ did you mean `image_exists`?"),
            "{out}"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        let kinds = ["image_exists", "image_same", "registry_tag"];
        assert_eq!(did_you_mean("image_exist", kinds), Some("image_exists"));
        assert_eq!(did_you_mean("zzz", kinds), None);
        assert_eq!(did_you_mean("repository", ["registry"]), None);
        assert_eq!(did_you_mean("pull_image", ["build_image", "command"]), None);
        assert_eq!(
            did_you_mean("usernme", ["username", "registry"]),
            Some("username")
        );
        assert_eq!(
            did_you_mean("Dockerfile", ["dockerfile"]),
            Some("dockerfile")
        );
    }
}

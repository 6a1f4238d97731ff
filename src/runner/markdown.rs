//! Step bodies are Markdown; this turns them into text for a terminal of a given width: headings,
//! paragraphs, bullet and numbered lists (hanging indents), **bold**, *emphasis*, `code`, code blocks
//! and links (text, then the address when it differs). It is a small renderer of our own on
//! `pulldown-cmark` because lesson text needs exactly this much, styled with `console` (so
//! `--no-color`/`NO_COLOR` apply) and wrapped with `textwrap` (which measures styled text correctly).
//! Code blocks are never wrapped: what the learner copies must stay one command. The text is escaped
//! with `text::block` first: a lesson's own escape sequences are shown, never sent.

use console::style;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// Inline styles in force.
#[derive(Default, Clone, Copy)]
struct Inline {
    bold: bool,
    italic: bool,
    link: bool,
}

struct Renderer {
    width: usize,
    lines: Vec<String>,
    /// The text of the block being read, styled, not yet wrapped.
    text: String,
    inline: Inline,
    heading: Option<HeadingLevel>,
    /// One entry per open list: the next number of an ordered list, `None` for bullets.
    lists: Vec<Option<u64>>,
    /// The marker of a list item whose first line is not written yet (`• `, `2. `).
    marker: Option<String>,
    links: Vec<String>,
    code: Option<String>,
    quote: usize,
    color: bool,
}

impl Renderer {
    fn style<D>(&self, text: D) -> console::StyledObject<D> {
        style(text).force_styling(self.color)
    }

    fn indent(&self) -> String {
        let mut s = "│ ".repeat(self.quote);
        // Each enclosing list indents its items' text by the width of its marker.
        for _ in 0..self.lists.len().saturating_sub(1) {
            s.push_str("   ");
        }
        s
    }

    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.trim().is_empty()) {
            self.lines.push(String::new());
        }
    }

    fn push_styled(&mut self, text: &str) {
        let mut s = self.style(text);
        if self.inline.bold || self.heading.is_some() {
            s = s.bold();
        }
        if self.inline.italic {
            s = s.italic();
        }
        if self.inline.link || self.heading == Some(HeadingLevel::H1) {
            s = s.underlined();
        }
        self.text.push_str(&s.to_string());
    }

    /// Wrap and write the block read so far.
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.text);
        if text.trim().is_empty() && self.marker.is_none() {
            return;
        }
        let indent = self.indent();
        let (first, rest) = match self.marker.take() {
            Some(marker) => {
                let pad = " ".repeat(console::measure_text_width(&marker));
                (format!("{indent}{marker}"), format!("{indent}{pad}"))
            }
            None if !self.lists.is_empty() => {
                // A later paragraph of a list item lines up with the item's text.
                (format!("{indent}   "), format!("{indent}   "))
            }
            None => (indent.clone(), indent),
        };
        let width = self.width.max(console::measure_text_width(&first) + 10);
        let options = textwrap::Options::new(width)
            .initial_indent(&first)
            .subsequent_indent(&rest)
            .break_words(false)
            .word_separator(textwrap::WordSeparator::AsciiSpace)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        for line in text.split('\n') {
            let wrapped = textwrap::wrap(line.trim_end(), &options);
            self.lines
                .extend(wrapped.into_iter().map(|l| l.into_owned()));
        }
    }

    /// Inside a fenced or indented code block: text is kept as it is until the block ends.
    fn in_code(&mut self, event: Event<'_>) {
        let Some(code) = &mut self.code else { return };
        match event {
            Event::Text(t) => code.push_str(&t),
            Event::End(TagEnd::CodeBlock) => {
                let code = self.code.take().unwrap_or_default();
                let indent = self.indent();
                for line in code.trim_end_matches('\n').split('\n') {
                    let line = self.style(line).cyan().to_string();
                    self.lines.push(format!("{indent}    {line}"));
                }
                self.blank();
            }
            _ => {}
        }
    }

    /// A block or inline element opens.
    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {}
            Tag::Heading { level, .. } => {
                self.flush();
                self.blank();
                self.heading = Some(level);
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.quote += 1;
            }
            Tag::CodeBlock(_) => {
                self.flush();
                self.code = Some(String::new());
            }
            Tag::List(start) => {
                self.flush();
                if self.lists.is_empty() {
                    self.blank();
                }
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "• ".to_string(),
                };
                self.marker = Some(marker);
            }
            Tag::Emphasis => self.inline.italic = true,
            Tag::Strong => self.inline.bold = true,
            Tag::Link { dest_url, .. } => {
                self.inline.link = true;
                self.links.push(dest_url.to_string());
                self.links.push(self.text.clone());
            }
            _ => {}
        }
    }

    /// A block or inline element closes.
    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Heading(_) => {
                self.flush();
                self.heading = None;
                self.blank();
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote = self.quote.saturating_sub(1);
                self.blank();
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Item => self.flush(),
            TagEnd::Emphasis => self.inline.italic = false,
            TagEnd::Strong => self.inline.bold = false,
            TagEnd::Link => {
                self.inline.link = false;
                let before = self.links.pop().unwrap_or_default();
                let url = self.links.pop().unwrap_or_default();
                let shown =
                    console::strip_ansi_codes(&self.text[before.len().min(self.text.len())..])
                        .to_string();
                if !url.is_empty() && shown.trim() != url && !url.starts_with('#') {
                    let text = format!(" ({url})");
                    self.text.push_str(&self.style(text).dim().to_string());
                }
            }
            _ => {}
        }
    }

    fn event(&mut self, event: Event<'_>) {
        if self.code.is_some() {
            self.in_code(event);
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.push_styled(&t),
            Event::Code(t) => {
                let mut s = self.style(t.to_string()).cyan();
                if self.inline.bold {
                    s = s.bold();
                }
                self.text.push_str(&s.to_string());
            }
            Event::SoftBreak => self.text.push(' '),
            Event::HardBreak => self.text.push('\n'),
            Event::Rule => {
                self.flush();
                self.blank();
                let rule = self.style("─".repeat(self.width.min(40))).dim().to_string();
                self.lines.push(rule);
                self.blank();
            }
            Event::Html(t) | Event::InlineHtml(t) => self.push_styled(&t),
            _ => {}
        }
    }
}

/// Render `markdown` for a terminal `width` columns wide (at least 20 are assumed), styled when
/// `color` (pass `console::colors_enabled()`).
pub fn render(markdown: &str, width: usize, color: bool) -> String {
    // Lesson text: escaped before parsing, so no ESC or BEL of the lesson's can reach the terminal and
    // only the styles added below are sequences.
    let markdown = &*crate::text::block(markdown);
    let mut r = Renderer {
        width: width.max(20),
        lines: Vec::new(),
        text: String::new(),
        inline: Inline::default(),
        heading: None,
        lists: Vec::new(),
        marker: None,
        links: Vec::new(),
        code: None,
        quote: 0,
        color,
    };
    for event in Parser::new(markdown) {
        r.event(event);
    }
    r.flush();
    while r.lines.last().is_some_and(|l| l.trim().is_empty()) {
        r.lines.pop();
    }
    r.lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(md: &str, width: usize) -> String {
        render(md, width, false)
    }

    #[test]
    fn paragraphs_wrap_to_the_width() {
        let out = plain(
            "`docker tag` adds a name to an image you already have. Nothing is uploaded yet.\n\nSecond.",
            30,
        );
        for line in out.lines() {
            assert!(console::measure_text_width(line) <= 30, "{line:?}");
        }
        assert!(out.contains("docker tag adds a name"), "{out}");
        assert!(out.ends_with("\n\nSecond."), "{out}");
    }

    #[test]
    fn lists_hang_and_number() {
        let out = plain(
            "Enter:\n\n- your username becomes part of every image you publish, so pick one\n- a long password\n\n1. one\n2. two\n",
            40,
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "Enter:");
        assert_eq!(lines[1], "");
        assert!(lines[2].starts_with("• your username"), "{out}");
        assert!(lines[3].starts_with("  "), "hanging indent: {out}");
        assert!(out.contains("• a long password"), "{out}");
        assert!(out.contains("1. one\n2. two"), "{out}");
    }

    #[test]
    fn names_with_dashes_are_not_split() {
        let out = plain("push alice/python-canvas-client:1.0 now please", 24);
        assert!(out.contains("alice/python-canvas-client:1.0"), "{out}");
    }

    #[test]
    fn code_blocks_stay_whole_and_links_show_their_address() {
        let out = plain(
            "# Title\n\nSee [the Hub](https://hub.docker.com/).\n\n```\ndocker push alice/python-canvas-client:1.0 --all-tags\n```\n",
            20,
        );
        assert!(out.starts_with("Title\n\n"), "{out}");
        assert!(out.contains("(https://hub.docker.com/)"), "{out}");
        assert!(
            out.contains("    docker push alice/python-canvas-client:1.0 --all-tags"),
            "{out}"
        );
    }

    #[test]
    fn styles_when_colors_are_on() {
        let out = render("a **bold** and `code`", 80, true);
        assert!(out.contains("\u{1b}[1mbold"), "{out:?}");
        assert!(out.contains("\u{1b}[36mcode"), "{out:?}");
    }
}

//! Characters a terminal would act on, anywhere in a lesson's strings. A lesson from a folder is
//! someone else's file, and its text reaches the learner's terminal: an ESC could clear the screen,
//! hide text or write the clipboard (OSC 52), a BEL or carriage return can fake a line, and a bidi
//! override can make a command read differently from what it runs. The runner escapes them anyway
//! (`crate::text`), so this rule is for the author: such a character is never what a lesson meant.
//! Newlines and tabs are text; every other character `text::is_unsafe` names is an error, reported
//! once per character and string, at the string, naming the character and the field.

use std::collections::BTreeSet;

use super::{Flow, Lint};
use crate::lesson::Sp;
use crate::lesson::model::SetupAction;
use crate::text;

pub(super) fn control_characters(lint: &mut Lint<'_>) -> Flow {
    let lesson = lint.lesson;
    string(lint, &lesson.id, &lesson.id, || "id".into())?;
    string(lint, &lesson.title, &lesson.title, || "title".into())?;
    if let Some(s) = &lesson.summary {
        string(lint, s, s, || "summary".into())?;
    }
    for r in &lesson.requires {
        string(lint, r, r, || "requires".into())?;
    }
    for (name, var) in &lesson.variables {
        let field = || format!("variables.{}", text::line(name));
        string(lint, var, name, field)?;
        for (value, what) in [
            (&var.prompt, "prompt"),
            (&var.pattern, "pattern"),
            (&var.default, "default"),
            (&var.help, "help"),
        ] {
            if let Some(v) = value {
                string(lint, v, v, || format!("{}.{what}", field()))?;
            }
        }
    }
    for action in &lesson.setup {
        match &action.value {
            SetupAction::BuildImage(b) => {
                string(lint, &b.tag, &b.tag, || "build_image.tag".into())?;
                for (name, content) in b.files.iter() {
                    let field = || format!("build_image.files.{}", text::line(name));
                    string(lint, &b.files, name, field)?;
                    string(lint, &b.files, content, field)?;
                }
            }
            SetupAction::Command(c) => {
                for arg in c.run.iter() {
                    string(lint, arg, arg, || "command.run".into())?;
                }
            }
        }
    }
    for step in lesson.steps.iter() {
        let of = |field: &str| format!("{field}` of step `{}", text::line(&step.id));
        string(lint, &step.id, &step.id, || "id` of a step".into())?;
        string(lint, &step.title, &step.title, || of("title"))?;
        if let Some(b) = &step.body {
            string(lint, b, b, || of("body"))?;
        }
        for c in &step.commands {
            string(lint, c, c, || of("commands"))?;
        }
        for h in &step.hints {
            string(lint, h, h, || of("hints"))?;
        }
        for s in step.solution.iter().flat_map(|s| s.templates()) {
            string(lint, s, s, || of("solution"))?;
        }
        if let Some(l) = &step.link {
            string(lint, l, l, || of("link"))?;
        }
        for check in &step.checks {
            for s in check.templates().into_iter().chain(check.patterns()) {
                string(lint, s, s, || of(check.kind()))?;
            }
        }
        if let Some(q) = &step.quiz {
            string(lint, &q.question, &q.question, || of("quiz.question"))?;
            for c in q.choices.iter() {
                string(lint, c, c, || of("quiz.choices"))?;
            }
            string(lint, &q.answer, &q.answer, || of("quiz.answer"))?;
            string(lint, &q.why, &q.why, || of("quiz.why"))?;
        }
    }
    Flow::Continue(())
}

/// Printable ASCII, newlines and tabs only, which is nearly every string: checked 16 bytes at a time
/// without an early exit, so the compiler can vectorize it, and no `char` decoding.
fn plain(value: &str) -> bool {
    let ok = |b: &u8| matches!(*b, b' '..=b'~' | b'\n' | b'\t');
    let chunks = value.as_bytes().chunks_exact(16);
    let rest = chunks.remainder();
    chunks.fold(true, |all, c| c.iter().fold(all, |all, b| all & ok(b))) && rest.iter().all(ok)
}

/// Report each unsafe character of `value` once, at `node` (where `value` was written).
fn string<T>(lint: &mut Lint<'_>, node: &Sp<T>, value: &str, field: impl Fn() -> String) -> Flow {
    if plain(value) {
        return Flow::Continue(());
    }
    let mut seen = BTreeSet::new();
    for c in value.chars() {
        if !text::is_unsafe(c) || matches!(c, '\n' | '\t') || !seen.insert(c) {
            continue;
        }
        let d = lint
            .at(
                node,
                "control-character",
                format!(
                    "control character `{}` (U+{:04X}) in `{}`",
                    text::visible(c),
                    c as u32,
                    field()
                ),
            )
            .help(
                "a terminal would act on it (escape sequences can clear the screen, hide text or write the clipboard); remove it",
            );
        lint.push(d)?;
    }
    Flow::Continue(())
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn plain_finds_an_unsafe_byte_anywhere() {
        assert!(plain(""));
        assert!(plain("docker push\tx\n"));
        let long = "a".repeat(40);
        assert!(plain(&long));
        for at in [0, 5, 15, 16, 31, 32, 39] {
            for bad in ['\x1b', '\r', '\x7f', '\u{202e}', 'é'] {
                let mut s: Vec<char> = long.chars().collect();
                s[at] = bad;
                let s: String = s.into_iter().collect();
                assert!(!plain(&s), "{bad:?} at {at}");
            }
        }
    }
}

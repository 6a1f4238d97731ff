//! A step's checks: image references that must parse once variables are filled in (with the grammar
//! the checks themselves use at run time), patterns that must compile, commands that must name a
//! program.

use std::collections::BTreeMap;

use super::{Flow, Lint, regex_problem};
use crate::lesson::check::{Check, ExitCode};
use crate::lesson::{Sp, template};
use crate::probe::reference::grammar::is_tag;
use crate::probe::{ImageRef, ProbeError};

pub(super) fn check(
    lint: &mut Lint<'_>,
    check: &Check,
    samples: &BTreeMap<String, String>,
) -> Flow {
    for r in check.image_refs() {
        image_ref(lint, r, samples)?;
    }
    for pattern in check.patterns() {
        if let Err(e) = crate::lesson::pattern::compiled(pattern) {
            let d = lint
                .at(
                    pattern,
                    "invalid-pattern",
                    "not a valid regular expression".into(),
                )
                .help(regex_problem(&e));
            lint.push(d)?;
        }
    }
    if let Check::Command(c) = check {
        empty_command(lint, &c.run)?;
        if let Some(code) = &c.exit_code
            && let ExitCode::Text(t) = &code.value
        {
            let d = lint
                .at(
                    code,
                    "wrong-type",
                    format!("expected a whole number, found `{t}`"),
                )
                .label("`exit_code` takes a whole number");
            let d = match t.parse::<i32>() {
                Ok(n) => d.help(format!("write it without quotes: `exit_code: {n}`")),
                Err(_) => d,
            };
            lint.push(d)?;
        }
    }
    Flow::Continue(())
}

/// A `command` (a check or a setup action) with nothing in `run`.
pub(super) fn empty_command(lint: &mut Lint<'_>, run: &Sp<Vec<Sp<String>>>) -> Flow {
    if !run.is_empty() {
        return Flow::Continue(());
    }
    lint.push(lint.at(run, "empty-command", "`command` has an empty `run`".into()))
}

/// An image reference, tried with the sample values; undefined variables are reported on their own.
pub(super) fn image_ref(
    lint: &mut Lint<'_>,
    node: &Sp<String>,
    samples: &BTreeMap<String, String>,
) -> Flow {
    let Ok(rendered) = template::render(node, samples) else {
        return Flow::Continue(());
    };
    let Err(e) = rendered.parse::<ImageRef>() else {
        return Flow::Continue(());
    };
    let reason = match e {
        ProbeError::InvalidReference { reason, .. } => reason,
        other => other.to_string(),
    };
    let (name, tag) = split_tag(&rendered);
    let help = if rendered.chars().any(char::is_whitespace) {
        "an image reference cannot contain spaces".to_string()
    } else if name.chars().any(|c| c.is_ascii_uppercase()) {
        "repository names must be lowercase".to_string()
    } else if let Some(tag) = tag.filter(|t| !is_tag(t)) {
        format!(
            "tag `{tag}` may only hold letters, digits, `_`, `.` and `-` (at most 128, not starting with `.` or `-`)"
        )
    } else if rendered == **node {
        reason
    } else {
        format!("{reason} (as `{rendered}`)")
    };
    let d = lint
        .at(
            node,
            "invalid-image-reference",
            format!("`{}` is not a valid image reference", **node),
        )
        .help(help);
    lint.push(d)
}

/// An image reference's name and tag (`host:5000/a/b:1.0` → `host:5000/a/b`, `1.0`); a digest is no tag.
fn split_tag(reference: &str) -> (&str, Option<&str>) {
    let reference = reference.split('@').next().unwrap_or_default();
    let last = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[last..].rfind(':') {
        Some(i) => (&reference[..last + i], Some(&reference[last + i + 1..])),
        None => (reference, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_is_what_follows_the_last_colon_of_the_last_part() {
        assert_eq!(
            split_tag("host:5000/a/b:1.0"),
            ("host:5000/a/b", Some("1.0"))
        );
        assert_eq!(split_tag("host:5000/a/b"), ("host:5000/a/b", None));
        assert_eq!(split_tag("a@sha256:abc"), ("a", None));
    }
}

//! `{{ name }}` in lesson text: every variable used must be defined, and every declared variable
//! should be used.

use std::collections::{BTreeMap, BTreeSet};

use super::{BUILTIN_VARIABLES, Flow, Lint};
use crate::diagnostic::{Severity, did_you_mean};
use crate::lesson::{Lesson, Sp, template};

/// Suggestions compare a name with every variable; a hostile file with thousands of both would make
/// that quadratic, so only the first few dozen distinct names get one.
const MAX_SUGGESTED: usize = 50;

pub(super) fn references(lint: &mut Lint<'_>) -> Flow {
    let lesson = lint.lesson;
    let mut defined: BTreeSet<&str> = BUILTIN_VARIABLES.iter().copied().collect();
    defined.extend(lesson.variables.keys().map(String::as_str));
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut suggestions: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    let made_by = captured_by(lesson);
    for (text, captured) in in_scope(lesson) {
        let mut cursor = 0;
        for r in template::references(text) {
            used.insert(r.name);
            if defined.contains(r.name) || captured.contains(r.name) {
                continue;
            }
            if let Some(step) = made_by.get(r.name) {
                let d = lint.at_text_after(
                    text,
                    &mut cursor,
                    &text[r.range.clone()],
                    "capture-not-yet-made",
                    format!("`{}` has no value here yet", r.name),
                );
                lint.push(
                    d.label(format!("captured by a check of step `{step}`"))
                        .help("a captured value can be used by the steps after the one that captures it, and by the later checks of that step"),
                )?;
                continue;
            }
            let mut d = lint.at_text_after(
                text,
                &mut cursor,
                &text[r.range.clone()],
                "undefined-variable",
                format!("undefined variable `{}`", r.name),
            );
            let best = match suggestions.get(r.name) {
                Some(best) => *best,
                None if suggestions.len() < MAX_SUGGESTED => {
                    let best = did_you_mean(
                        r.name,
                        defined.iter().copied().chain(made_by.keys().copied()),
                    );
                    suggestions.insert(r.name, best);
                    best
                }
                None => None,
            };
            d = match best {
                Some(best) => d.label(format!("did you mean `{best}`?")),
                None => d.help("declare it under `variables:`"),
            };
            lint.push(d)?;
        }
    }
    for (name, var) in &lesson.variables {
        if !used.contains(name.as_str()) {
            let mut d = lint.at_key(
                var,
                name,
                "unused-variable",
                format!("variable `{name}` is never used"),
            );
            d.severity = Severity::Warning;
            lint.push(d.help("remove it, or use it as `{{ NAME }}`".replace("NAME", name)))?;
        }
    }
    Flow::Continue(())
}

/// Every templated string with the captures that have a value when it is used: none outside the
/// steps; in a step's text, those of earlier steps; in a check, also those of the step's earlier
/// checks (a step whose checks capture is judged in order).
fn in_scope(lesson: &Lesson) -> Vec<(&Sp<String>, BTreeSet<&str>)> {
    let mut out: Vec<(&Sp<String>, BTreeSet<&str>)> = lesson
        .header_templates()
        .into_iter()
        .map(|t| (t, BTreeSet::new()))
        .collect();
    let mut before: BTreeSet<&str> = BTreeSet::new();
    for step in lesson.steps.iter() {
        out.extend(
            step.text_templates()
                .into_iter()
                .map(|t| (t, before.clone())),
        );
        let mut within = before.clone();
        for item in &step.checks {
            out.extend(item.templates().into_iter().map(|t| (t, within.clone())));
            if let Some(c) = &item.capture {
                within.insert(c.as_str());
            }
        }
        before = within;
    }
    out
}

/// Capture name → the first step that captures it.
fn captured_by(lesson: &Lesson) -> BTreeMap<&str, &str> {
    let mut out = BTreeMap::new();
    for step in lesson.steps.iter() {
        for item in &step.checks {
            if let Some(c) = &item.capture {
                out.entry(c.as_str()).or_insert(step.id.as_str());
            }
        }
    }
    out
}

/// Each `capture:` names an identifier that is not a variable, on a check that records a value.
pub(super) fn captures(lint: &mut Lint<'_>) -> Flow {
    let lesson = lint.lesson;
    for step in lesson.steps.iter() {
        for item in &step.checks {
            let Some(name) = &item.capture else { continue };
            if !template::is_ident(name) {
                let d = lint.at(
                    name,
                    "invalid-capture-name",
                    format!("capture name `{}` is not an identifier", **name),
                );
                lint.push(d.help(
                    "a capture is used as `{{ name }}`: letters, digits and `_`, not starting with a digit",
                ))?;
            } else if lesson.variables.contains_key(name.as_str())
                || BUILTIN_VARIABLES.contains(&name.as_str())
            {
                let d = lint.at(
                    name,
                    "capture-shadows-variable",
                    format!("capture `{}` has the name of a variable", **name),
                );
                lint.push(d.help("give the captured value a name of its own"))?;
            }
            if item.captures().is_none() {
                let d = lint.at(
                    name,
                    "nothing-to-capture",
                    format!("`{}` records no value to capture", item.kind()),
                );
                lint.push(d.help(
                    "`registry_digest` captures the digest it saw, `command` its standard output",
                ))?;
            }
        }
    }
    Flow::Continue(())
}

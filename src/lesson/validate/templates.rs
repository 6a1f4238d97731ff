//! `{{ name }}` in lesson text: every variable used must be defined, and every declared variable
//! should be used.

use std::collections::{BTreeMap, BTreeSet};

use super::{BUILTIN_VARIABLES, Flow, Lint};
use crate::diagnostic::{Severity, did_you_mean};
use crate::lesson::template;

/// Suggestions compare a name with every variable; a hostile file with thousands of both would make
/// that quadratic, so only the first few dozen distinct names get one.
const MAX_SUGGESTED: usize = 50;

pub(super) fn references(lint: &mut Lint<'_>) -> Flow {
    let lesson = lint.lesson;
    let mut defined: BTreeSet<&str> = BUILTIN_VARIABLES.iter().copied().collect();
    defined.extend(lesson.variables.keys().map(String::as_str));
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut suggestions: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for text in lesson.templates() {
        let mut cursor = 0;
        for r in template::references(text) {
            used.insert(r.name);
            if defined.contains(r.name) {
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
                    let best = did_you_mean(r.name, defined.iter().copied());
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

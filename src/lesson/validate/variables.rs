//! Declared variables: their names, whether they can get a value, their patterns and defaults; the
//! names of captured values, which are used the same way; and the made-up values that let lint try
//! image references before any learner typed a name.
//!
//! A name must be one `{{ name }}` can reach: an identifier, and not a Go template word (`end`,
//! `else`, `range`, ...), since `{{ end }}` is left for Docker (`template::GO_TEMPLATE_WORDS`).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{BUILTIN_VARIABLES, Flow, Lint, graph, regex_problem};
use crate::lesson::model::{Lesson, Variable};
use crate::lesson::{Sp, template};
use crate::probe::reference::DOCKER_HUB;

static VAR_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*$").unwrap());

/// The code of a variable name that `{{ name }}` cannot reach.
pub(super) const UNREACHABLE: &str = "invalid-variable-name";

/// `{{ name }}` of a Go template word is Docker's, so a variable or capture so named is never filled in.
fn go_template_word(name: &str) -> bool {
    template::GO_TEMPLATE_WORDS.contains(&name)
}

/// The help for a name that is a Go template word.
fn rename_help(name: &str) -> String {
    format!(
        "`{{{{ {name} }}}}` stays Go template syntax for Docker; rename it, for example `{name}_tag`"
    )
}

/// Each declared variable on its own: name, value source, pattern and default.
pub(super) fn declarations(lint: &mut Lint<'_>) -> Flow {
    for (name, var) in &lint.lesson.variables {
        name_and_value(lint, name, var)?;
        if let Some(pattern) = &var.pattern {
            pattern_and_default(lint, name, var, pattern)?;
        }
    }
    Flow::Continue(())
}

fn name_and_value(lint: &mut Lint<'_>, name: &str, var: &Sp<Variable>) -> Flow {
    if !VAR_NAME.is_match(name) {
        let d = lint
            .at_key(
                var,
                name,
                "invalid-variable-name",
                format!("variable name `{name}` is not an identifier"),
            )
            .help("use letters, digits and `_`, starting with a letter");
        lint.push(d)?;
    } else if go_template_word(name) {
        let d = lint
            .at_key(
                var,
                name,
                UNREACHABLE,
                format!("variable `{name}` can never be used: `{name}` is a Go template word"),
            )
            .help(rename_help(name));
        lint.push(d)?;
    }
    if BUILTIN_VARIABLES.contains(&name) {
        let d = lint
            .at_key(
                var,
                name,
                "builtin-variable",
                format!("variable `{name}` is built in and cannot be declared"),
            )
            .help("`registry` and `registry_prefix` come from `--registry`");
        lint.push(d)?;
    }
    if var.prompt.is_none() && var.default.is_none() {
        let d = lint
            .at_key(
                var,
                name,
                "variable-without-value",
                format!("variable `{name}` has neither `prompt` nor `default`"),
            )
            .help("add `prompt:` to ask the learner, or `default:` to derive it");
        lint.push(d)?;
    }
    Flow::Continue(())
}

/// Captured values are used as `{{ name }}` too, so their names follow the same rule. (Whether a
/// capture name is an identifier, or a variable's, is `templates::captures`'s rule.)
pub(super) fn capture_names(lint: &mut Lint<'_>) -> Flow {
    let lesson = lint.lesson;
    for item in lesson.steps.iter().flat_map(|s| &s.checks) {
        let Some(name) = &item.capture else { continue };
        if go_template_word(name) {
            let d = lint
                .at(
                    name,
                    "invalid-capture-name",
                    format!(
                        "capture `{}` can never be used: `{}` is a Go template word",
                        **name, **name
                    ),
                )
                .help(rename_help(name));
            lint.push(d)?;
        }
    }
    Flow::Continue(())
}

fn pattern_and_default(
    lint: &mut Lint<'_>,
    name: &str,
    var: &Variable,
    pattern: &Sp<String>,
) -> Flow {
    let re = match crate::lesson::pattern::compiled(pattern) {
        Ok(re) => re,
        Err(e) => {
            let d = lint
                .at(
                    pattern,
                    "invalid-pattern",
                    format!("pattern of `{name}` is not a valid regular expression"),
                )
                .help(regex_problem(&e));
            return lint.push(d);
        }
    };
    if !pattern.starts_with('^') || !pattern.ends_with('$') {
        let d = lint
            .at(
                pattern,
                "unanchored-pattern",
                format!("pattern of `{name}` is not anchored"),
            )
            .help("write it as `^...$` so it must match the whole value, not a part of it");
        lint.push(d)?;
    }
    if let Some(default) = &var.default
        && template::references(default).is_empty()
        && !re.is_match(default)
    {
        lint.push(lint.at(
            default,
            "default-mismatch",
            format!(
                "default of `{name}` does not match its pattern `{}`",
                **pattern
            ),
        ))?;
    }
    Flow::Continue(())
}

/// Values to try image references with: each variable's own default when it is plain text, else a
/// plausible learner name, so `{{ username }}/app:1.0` can be checked before anyone typed a name.
pub(super) fn sample_values(lesson: &Lesson) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::from([
        ("registry".to_string(), DOCKER_HUB.to_string()),
        ("registry_prefix".to_string(), String::new()),
    ]);
    for (name, var) in &lesson.variables {
        let plain = var
            .default
            .as_ref()
            .filter(|d| template::references(d).is_empty());
        vars.insert(
            name.clone(),
            plain.map_or_else(|| "learner1".to_string(), |d| d.to_string()),
        );
    }
    // Derived defaults, each after those it uses; variables on a loop keep the placeholder (the loop is
    // reported on its own, and its made-up values must not cause errors of their own).
    let deps = variable_deps(lesson);
    let (order, _) = graph::topological(&deps);
    for name in order {
        if let Some(default) = &lesson.variables[name].default
            && let Ok(v) = template::render(default, &vars)
        {
            vars.insert(name.to_string(), v);
        }
    }
    vars
}

/// Each variable and the variables its default refers to.
pub(super) fn variable_deps(lesson: &Lesson) -> BTreeMap<&str, Vec<&str>> {
    lesson
        .variables
        .iter()
        .map(|(n, v)| {
            (
                n.as_str(),
                v.default
                    .as_ref()
                    .map(|d| {
                        template::references(d)
                            .into_iter()
                            .map(|r| r.name)
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect()
}

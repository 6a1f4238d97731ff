//! Lint: what a lesson can get wrong after it parsed. Each problem is a `Diagnostic` pointing at the
//! culprit. Syntax and type errors come from `load`; this module checks meaning: ids, variables,
//! references between lessons, image references, patterns, quizzes and steps that verify nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::lesson::Sp;
use crate::lesson::load::SourceFile;
use crate::lesson::model::{Lesson, SetupAction};
use crate::lesson::template;

/// Variables every lesson has without declaring them: the registry the course runs against, and the
/// prefix (`HOST/`, or nothing for Docker Hub) that image references start with.
pub const BUILTIN_VARIABLES: &[&str] = &["registry", "registry_prefix"];

static ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").unwrap());
static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$").unwrap());
static VAR_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*$").unwrap());

/// Lint stops looking at a file after this many problems: nobody reads more, and a hostile file could
/// otherwise have hundreds of thousands, each located by a scan of the text.
const MAX_PER_FILE: usize = 200;

/// A parsed lesson and the file it came from.
pub struct Parsed<'a> {
    pub file: &'a SourceFile,
    pub lesson: &'a Lesson,
}

/// Lint a set of lessons that may require each other. `known_ids` are lessons outside the set that
/// `requires` may name (for example the shipped course when linting a folder of new lessons).
pub fn validate_all(lessons: &[Parsed<'_>], known_ids: &BTreeSet<String>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut ids: BTreeMap<&str, &Parsed> = BTreeMap::new();
    for p in lessons {
        let id = p.lesson.id.as_str();
        if let Some(first) = ids.get(id) {
            out.push(
                at(
                    p.file,
                    &p.lesson.id,
                    "duplicate-lesson-id",
                    format!("lesson id `{id}` is used twice"),
                )
                .help(format!("`{}` already uses it", first.file.name)),
            );
        } else {
            ids.insert(id, p);
        }
    }
    let all_ids: BTreeSet<&str> = ids
        .keys()
        .copied()
        .chain(known_ids.iter().map(String::as_str))
        .collect();
    for p in lessons {
        out.extend(validate(p, &all_ids));
    }
    out.extend(requires_cycles(&ids));
    out
}

/// Point a diagnostic at a located value.
fn at<T>(file: &SourceFile, node: &Sp<T>, code: &'static str, message: String) -> Diagnostic {
    let d = Diagnostic::error(code, message);
    let d = match node.byte_range() {
        Some(r) if node.line() > 0 => d.at(&file.text, r.start..r.end.max(r.start + 1)),
        _ => d,
    };
    d.in_file(&file.name)
}

/// Point at the key a mapping value is written under (`username:` for a variable), which sits before the
/// value on its line or a line above.
fn at_key<T>(
    file: &SourceFile,
    node: &Sp<T>,
    key: &str,
    code: &'static str,
    message: String,
) -> Diagnostic {
    let end = node
        .byte_range()
        .map_or(0, |r| r.start)
        .min(file.text.len());
    let from = end.saturating_sub(400);
    let found = (from..=end)
        .rev()
        .filter(|i| file.text.is_char_boundary(*i))
        .find(|i| {
            file.text[*i..].starts_with(key)
                && file.text[*i + key.len()..]
                    .trim_start_matches(['"', '\''])
                    .starts_with(':')
        });
    match found {
        Some(i) if node.line() > 0 => Diagnostic::error(code, message)
            .at(&file.text, i..i + key.len())
            .in_file(&file.name),
        _ => at(file, node, code, message),
    }
}

/// Point at the first `needle` written at or after a node (a variable inside a string, a quoted value).
fn at_text<T>(
    file: &SourceFile,
    node: &Sp<T>,
    needle: &str,
    code: &'static str,
    message: String,
) -> Diagnostic {
    at_text_after(file, node, &mut 0, needle, code, message)
}

/// `at_text`, searching from `cursor` on and moving it past what was found: several finds in one long
/// string (each unclosed quote of a solution) then cost one pass over it, not one pass each.
fn at_text_after<T>(
    file: &SourceFile,
    node: &Sp<T>,
    cursor: &mut usize,
    needle: &str,
    code: &'static str,
    message: String,
) -> Diagnostic {
    let start = node
        .byte_range()
        .map_or(0, |r| r.start)
        .max(*cursor)
        .min(file.text.len());
    match file.text.get(start..).and_then(|rest| rest.find(needle)) {
        Some(i) if node.line() > 0 => {
            *cursor = start + i + needle.len();
            Diagnostic::error(code, message)
                .at(&file.text, start + i..start + i + needle.len())
                .in_file(&file.name)
        }
        _ => at(file, node, code, message),
    }
}

fn validate(p: &Parsed<'_>, all_ids: &BTreeSet<&str>) -> Vec<Diagnostic> {
    let (file, lesson) = (p.file, p.lesson);
    let mut out = Vec::new();

    if !ID.is_match(&lesson.id) {
        out.push(
            at(
                file,
                &lesson.id,
                "invalid-id",
                format!(
                    "lesson id `{}` is not lowercase words joined by `-`",
                    *lesson.id
                ),
            )
            .help("for example `tag-an-image`"),
        );
    }
    for req in &lesson.requires {
        if out.len() >= MAX_PER_FILE {
            break;
        }
        if req.as_str() == lesson.id.as_str() {
            out.push(at(
                file,
                req,
                "requires-cycle",
                format!("lesson `{}` requires itself", *req),
            ));
        } else if !all_ids.contains(req.as_str()) {
            let mut d = at(
                file,
                req,
                "unknown-lesson",
                format!("required lesson `{}` does not exist", *req),
            );
            // A lesson cannot require itself, so its own id is no suggestion.
            let others = all_ids
                .iter()
                .copied()
                .filter(|id| *id != lesson.id.as_str());
            if let Some(best) = did_you_mean(req, others) {
                d = d.label(format!("did you mean `{best}`?"));
            }
            out.push(d);
        }
    }

    // Variables: names, patterns, defaults, and derivations between them.
    let mut defined: BTreeSet<&str> = BUILTIN_VARIABLES.iter().copied().collect();
    defined.extend(lesson.variables.keys().map(String::as_str));
    for (name, var) in &lesson.variables {
        if out.len() >= MAX_PER_FILE {
            break;
        }
        if !VAR_NAME.is_match(name) {
            out.push(
                at_key(
                    file,
                    var,
                    name,
                    "invalid-variable-name",
                    format!("variable name `{name}` is not an identifier"),
                )
                .help("use letters, digits and `_`, starting with a letter"),
            );
        }
        if BUILTIN_VARIABLES.contains(&name.as_str()) {
            out.push(
                at_key(
                    file,
                    var,
                    name,
                    "builtin-variable",
                    format!("variable `{name}` is built in and cannot be declared"),
                )
                .help("`registry` and `registry_prefix` come from `--registry`"),
            );
        }
        if var.prompt.is_none() && var.default.is_none() {
            out.push(
                at_key(
                    file,
                    var,
                    name,
                    "variable-without-value",
                    format!("variable `{name}` has neither `prompt` nor `default`"),
                )
                .help("add `prompt:` to ask the learner, or `default:` to derive it"),
            );
        }
        if let Some(pattern) = &var.pattern {
            match Regex::new(pattern) {
                Err(e) => out.push(
                    at(
                        file,
                        pattern,
                        "invalid-pattern",
                        format!("pattern of `{name}` is not a valid regular expression"),
                    )
                    .help(regex_problem(&e)),
                ),
                Ok(re) => {
                    if !pattern.starts_with('^') || !pattern.ends_with('$') {
                        out.push(at(file, pattern, "unanchored-pattern", format!("pattern of `{name}` is not anchored"))
                            .help("write it as `^...$` so it must match the whole value, not a part of it"));
                    }
                    if let Some(default) = &var.default
                        && template::references(default).is_empty()
                        && !re.is_match(default)
                    {
                        out.push(at(
                            file,
                            default,
                            "default-mismatch",
                            format!(
                                "default of `{name}` does not match its pattern `{}`",
                                **pattern
                            ),
                        ));
                    }
                }
            }
        }
    }
    out.extend(variable_cycles(file, lesson));

    // Every `{{ name }}` must be defined; every declared variable should be used.
    let mut used: BTreeSet<&str> = BTreeSet::new();
    // Suggestions compare a name with every variable; a hostile file with thousands of both would make
    // that quadratic, so only the first few dozen distinct names get one.
    let mut suggestions: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for text in lesson.templates() {
        if out.len() >= MAX_PER_FILE {
            break;
        }
        let mut cursor = 0;
        for r in template::references(text) {
            if out.len() >= MAX_PER_FILE {
                break;
            }
            used.insert(r.name);
            if !defined.contains(r.name) {
                let mut d = at_text_after(
                    file,
                    text,
                    &mut cursor,
                    &text[r.range.clone()],
                    "undefined-variable",
                    format!("undefined variable `{}`", r.name),
                );
                let best = match suggestions.get(r.name) {
                    Some(best) => *best,
                    None if suggestions.len() < 50 => {
                        let best = did_you_mean(r.name, defined.iter().copied());
                        suggestions.insert(r.name, best);
                        best
                    }
                    None => None,
                };
                if let Some(best) = best {
                    d = d.label(format!("did you mean `{best}`?"));
                } else {
                    d = d.help("declare it under `variables:`");
                }
                out.push(d);
            }
        }
    }
    for (name, var) in &lesson.variables {
        if out.len() >= MAX_PER_FILE {
            break;
        }
        if !used.contains(name.as_str()) {
            let mut d = at_key(
                file,
                var,
                name,
                "unused-variable",
                format!("variable `{name}` is never used"),
            );
            d.severity = crate::diagnostic::Severity::Warning;
            out.push(d.help("remove it, or use it as `{{ NAME }}`".replace("NAME", name)));
        }
    }

    let samples = sample_values(lesson);
    for action in &lesson.setup {
        if out.len() >= MAX_PER_FILE {
            break;
        }
        if let SetupAction::BuildImage(b) = &action.value {
            out.extend(check_image_ref(file, &b.tag, &samples));
            if !b.files.contains_key("Dockerfile") {
                let message = "`build_image` has no `Dockerfile` among its files".to_string();
                // Point at a near miss (`dockerfile:`) when there is one, else at `files:`.
                let d = match did_you_mean("Dockerfile", b.files.keys().map(String::as_str)) {
                    Some(near) => at_text(file, &b.files, near, "missing-dockerfile", message)
                        .label("did you mean `Dockerfile`?"),
                    None => at_key(file, &b.files, "files", "missing-dockerfile", message)
                        .help("add `Dockerfile: \"FROM ...\"` under `files:`"),
                };
                out.push(d);
            }
        }
        if let SetupAction::Command(c) = &action.value
            && c.run.is_empty()
        {
            out.push(at(
                file,
                &c.run,
                "empty-command",
                "`command` has an empty `run`".into(),
            ));
        }
    }

    // Steps.
    if lesson.steps.is_empty() {
        out.push(
            at(
                file,
                &lesson.steps,
                "no-steps",
                "lesson has no steps".into(),
            )
            .help("a lesson needs at least one step"),
        );
    }
    let mut step_ids: HashMap<&str, &Sp<String>> = HashMap::new();
    for step in lesson.steps.iter() {
        if out.len() >= MAX_PER_FILE {
            break;
        }
        if !ID.is_match(&step.id) {
            out.push(at(
                file,
                &step.id,
                "invalid-id",
                format!(
                    "step id `{}` is not lowercase words joined by `-`",
                    *step.id
                ),
            ));
        }
        if let Some(first) = step_ids.insert(step.id.as_str(), &step.id) {
            out.push(
                at(
                    file,
                    &step.id,
                    "duplicate-step-id",
                    format!("step id `{}` is used twice in this lesson", *step.id),
                )
                .label(format!("first used on line {}", first.line())),
            );
        }
        if !step.has_something_to_do() {
            out.push(
                at(
                    file,
                    &step.id,
                    "empty-step",
                    format!("step `{}` verifies nothing", *step.id),
                )
                .help("add `checks:`, a `quiz:`, or mark it `human_only: true`"),
            );
        }
        for check in &step.checks {
            if out.len() >= MAX_PER_FILE {
                break;
            }
            for r in check.image_refs() {
                out.extend(check_image_ref(file, r, &samples));
            }
            for pattern in check.patterns() {
                if let Err(e) = Regex::new(pattern) {
                    out.push(
                        at(
                            file,
                            pattern,
                            "invalid-pattern",
                            "not a valid regular expression".into(),
                        )
                        .help(regex_problem(&e)),
                    );
                }
            }
            if let crate::lesson::check::Check::Command(c) = &check.value
                && c.run.is_empty()
            {
                out.push(at(
                    file,
                    &c.run,
                    "empty-command",
                    "`command` has an empty `run`".into(),
                ));
            }
        }
        if let Some(solution) = &step.solution {
            let mut cursor = 0;
            for line in solution
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                if out.len() >= MAX_PER_FILE {
                    break;
                }
                if shell_words::split(line).is_err() {
                    out.push(at_text_after(
                        file,
                        solution,
                        &mut cursor,
                        line,
                        "invalid-solution",
                        "solution line has an unclosed quote".into(),
                    ));
                }
            }
        }
        if let Some(link) = &step.link
            && !(link.starts_with("https://") || link.starts_with("http://"))
        {
            out.push(
                at(
                    file,
                    link,
                    "invalid-link",
                    "`link` must start with `https://` or `http://`".into(),
                )
                .help(if link.contains("://") {
                    "use a web address, such as `https://hub.docker.com/`".to_string()
                } else {
                    format!("write the full address: `https://{}`", **link)
                }),
            );
        }
        if let Some(quiz) = &step.quiz {
            if quiz.choices.len() < 2 {
                out.push(
                    at(
                        file,
                        &quiz.choices,
                        "quiz-too-few-choices",
                        "a quiz needs at least two choices".into(),
                    )
                    .label(match quiz.choices.len() {
                        0 => "no choices",
                        _ => "only one choice",
                    })
                    .help("add a wrong answer or two, so there is something to choose"),
                );
            }
            let mut seen: BTreeMap<&str, &Sp<String>> = BTreeMap::new();
            for choice in quiz.choices.iter() {
                if out.len() >= MAX_PER_FILE {
                    break;
                }
                if let Some(first) = seen.insert(choice.as_str(), choice) {
                    out.push(
                        at(
                            file,
                            choice,
                            "quiz-duplicate-choice",
                            format!("choice `{}` is listed twice", **choice),
                        )
                        .label(format!("first listed on line {}", first.line())),
                    );
                }
            }
            if !quiz
                .choices
                .iter()
                .any(|c| c.as_str() == quiz.answer.as_str())
            {
                let mut d = at(
                    file,
                    &quiz.answer,
                    "quiz-answer-not-a-choice",
                    "the quiz's answer is not among its choices".into(),
                );
                if let Some(best) =
                    did_you_mean(&quiz.answer, quiz.choices.iter().map(|c| c.as_str()))
                {
                    d = d.label(format!("did you mean `{best}`?"));
                } else {
                    d = d.help("write the answer exactly as one of `choices`");
                }
                out.push(d);
            }
        }
    }
    if out.len() >= MAX_PER_FILE {
        out.truncate(MAX_PER_FILE);
        let mut d = Diagnostic::error(
            "too-many-problems",
            format!("too many problems; stopped after the first {MAX_PER_FILE}"),
        );
        // As severe as what it stands for: a file of warnings only must still pass.
        d.severity = out.iter().map(|d| d.severity).max().unwrap_or(d.severity);
        out.push(d.in_file(&file.name));
    }
    out
}

/// Values to try image references with: each variable's own default when it is plain text, else a
/// plausible learner name, so `{{ username }}/app:1.0` can be checked before anyone typed a name.
fn sample_values(lesson: &Lesson) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::from([
        ("registry".to_string(), "docker.io".to_string()),
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
    let (order, _) = topological(&deps);
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
fn variable_deps(lesson: &Lesson) -> BTreeMap<&str, Vec<&str>> {
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

fn check_image_ref(
    file: &SourceFile,
    node: &Sp<String>,
    samples: &BTreeMap<String, String>,
) -> Vec<Diagnostic> {
    let Ok(rendered) = template::render(node, samples) else {
        return Vec::new(); // undefined variables are reported on their own
    };
    match oci_client::Reference::try_from(rendered.as_str()) {
        Ok(_) => Vec::new(),
        Err(e) => {
            let mut d = at(
                file,
                node,
                "invalid-image-reference",
                format!("`{}` is not a valid image reference", **node),
            );
            let (name, tag) = split_tag(&rendered);
            let help = if rendered.chars().any(char::is_whitespace) {
                "an image reference cannot contain spaces".to_string()
            } else if name.chars().any(|c| c.is_ascii_uppercase()) {
                "repository names must be lowercase".to_string()
            } else if let Some(tag) = tag.filter(|t| !TAG.is_match(t)) {
                format!(
                    "tag `{tag}` may only hold letters, digits, `_`, `.` and `-` (at most 128, not starting with `.` or `-`)"
                )
            } else if rendered == **node {
                e.to_string()
            } else {
                format!("{e} (as `{rendered}`)")
            };
            d = d.help(help);
            vec![d]
        }
    }
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

/// What a regular expression error says, without the `regex` crate's copy of the pattern.
fn regex_problem(e: &regex::Error) -> String {
    let text = e.to_string();
    let last = text.lines().last().unwrap_or_default().trim();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}

/// Variables whose defaults refer to each other in a loop can never get a value.
fn variable_cycles(file: &SourceFile, lesson: &Lesson) -> Vec<Diagnostic> {
    let deps = variable_deps(lesson);
    let mut out = Vec::new();
    // Each cycle is reported once, at its smallest member.
    for cycle in find_cycles(&deps).into_iter().take(MAX_PER_FILE) {
        let start = cycle[0];
        let var = &lesson.variables[start];
        out.push(
            at_key(
                file,
                var,
                start,
                "variable-cycle",
                format!(
                    "variables refer to each other in a loop: {}",
                    loop_text(&cycle)
                ),
            )
            .help("one of them needs a `prompt` or a plain `default`"),
        );
    }
    out
}

fn requires_cycles(ids: &BTreeMap<&str, &Parsed<'_>>) -> Vec<Diagnostic> {
    let deps: BTreeMap<&str, Vec<&str>> = ids
        .iter()
        .map(|(id, p)| {
            (
                *id,
                p.lesson
                    .requires
                    .iter()
                    .map(|r| r.as_str())
                    .filter(|r| r != id)
                    .collect(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for cycle in find_cycles(&deps) {
        let p = ids[cycle[0]];
        // Point at the link of the loop that leaves this lesson.
        let node = p
            .lesson
            .requires
            .iter()
            .find(|r| r.as_str() == cycle[1])
            .unwrap_or(&p.lesson.id);
        out.push(
            at(
                p.file,
                node,
                "requires-cycle",
                format!(
                    "lessons require each other in a loop: {}",
                    loop_text(&cycle)
                ),
            )
            .help("a lesson can only require lessons that come before it"),
        );
    }
    out
}

/// `a → b → a`; a long loop is cut short, or the message would be as long as the file.
fn loop_text(cycle: &[&str]) -> String {
    const SHOWN: usize = 6;
    if cycle.len() <= SHOWN + 2 {
        return cycle.join(" → ");
    }
    format!(
        "{} → … → {} ({} in all)",
        cycle[..SHOWN].join(" → "),
        cycle[cycle.len() - 1],
        cycle.len() - 1
    )
}

/// The nodes of a dependency graph in an order where each comes after those it depends on, and the
/// nodes that have no such place: those on a loop, or depending on one. Edges to unknown nodes are
/// ignored (undefined names are reported on their own). Linear in the size of the graph, since a
/// hostile file may declare tens of thousands of variables.
fn topological<'a>(deps: &BTreeMap<&'a str, Vec<&'a str>>) -> (Vec<&'a str>, BTreeSet<&'a str>) {
    let mut pending: BTreeMap<&str, usize> = BTreeMap::new();
    let mut dependents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (node, ds) in deps {
        pending.entry(node).or_default();
        for d in ds.iter().filter(|d| deps.contains_key(*d)) {
            *pending.entry(node).or_default() += 1;
            dependents.entry(d).or_default().push(node);
        }
    }
    let mut ready: Vec<&str> = pending
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(node, _)| *node)
        .collect();
    let mut order = Vec::new();
    while let Some(node) = ready.pop() {
        order.push(node);
        for dependent in dependents.get(node).into_iter().flatten() {
            if let Some(n) = pending.get_mut(dependent) {
                *n -= 1;
                if *n == 0 {
                    ready.push(dependent);
                }
            }
        }
    }
    let stuck = pending
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(node, _)| node)
        .collect();
    (order, stuck)
}

/// Every loop of a dependency graph, each as a path from its smallest member back to it. A node that
/// cannot be ordered always depends on another such node, so following those from each in turn must
/// come back to the current path (a loop) or to an earlier walk (a loop already found).
fn find_cycles<'a>(deps: &BTreeMap<&'a str, Vec<&'a str>>) -> Vec<Vec<&'a str>> {
    let (_, stuck) = topological(deps);
    let mut walked: BTreeMap<&str, usize> = BTreeMap::new();
    let mut cycles = Vec::new();
    for (walk, start) in stuck.iter().enumerate() {
        let mut path: Vec<&str> = Vec::new();
        let mut node = *start;
        loop {
            if let Some(w) = walked.get(node) {
                if *w == walk
                    && let Some(from) = path.iter().position(|n| *n == node)
                {
                    let mut cycle = path[from..].to_vec();
                    let smallest = (0..cycle.len()).min_by_key(|i| cycle[*i]).unwrap_or(0);
                    cycle.rotate_left(smallest);
                    cycle.push(cycle[0]);
                    cycles.push(cycle);
                }
                break;
            }
            walked.insert(node, walk);
            path.push(node);
            match deps[node].iter().find(|d| stuck.contains(*d)) {
                Some(next) => node = next,
                None => break,
            }
        }
    }
    cycles.sort();
    cycles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph<'a>(edges: &[(&'a str, &[&'a str])]) -> BTreeMap<&'a str, Vec<&'a str>> {
        edges.iter().map(|(n, ds)| (*n, ds.to_vec())).collect()
    }

    #[test]
    fn cycles_are_found_once_from_their_smallest_member() {
        let deps = graph(&[
            ("c", &["a"]),
            ("a", &["b"]),
            ("b", &["c"]),
            ("d", &["a"]),
            ("e", &["e"]),
            ("f", &["undeclared"]),
        ]);
        assert_eq!(
            find_cycles(&deps),
            vec![vec!["a", "b", "c", "a"], vec!["e", "e"]]
        );
    }

    #[test]
    fn a_long_chain_is_ordered_without_recursion() {
        let names: Vec<String> = (0..100_000).map(|i| format!("v{i}")).collect();
        let deps: BTreeMap<&str, Vec<&str>> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    n.as_str(),
                    names.get(i + 1).map(String::as_str).into_iter().collect(),
                )
            })
            .collect();
        let (order, stuck) = topological(&deps);
        assert!(stuck.is_empty());
        assert_eq!(order.first(), Some(&"v99999"));
        assert!(find_cycles(&deps).is_empty());
    }

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

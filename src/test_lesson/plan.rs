//! What a run will do, worked out before anything runs: the lesson and the lessons it requires, each
//! with its variables' values (validated against their patterns) and its solutions and setup
//! commands planned as argv. A problem here is the lesson's or the caller's, and stops the run
//! before it touches the engine.

use std::collections::BTreeMap;

use super::Line;
use crate::check::report;
use crate::lesson::Lesson;
use crate::lesson::model::SetupAction;
use crate::lesson::source::{Catalog, LoadedLesson, Origin};
use crate::trust;

/// A lesson with its values and its planned solutions (one list per step).
pub struct Planned<'c> {
    pub loaded: &'c LoadedLesson,
    pub vars: BTreeMap<String, String>,
    pub solutions: Vec<Vec<Line>>,
    /// The planned argv of each setup action that is a command (`None` for the others), for the
    /// names it creates.
    pub setup_commands: Vec<Option<Line>>,
    /// May its commands and solutions run (see `allowed_to_run`)?
    pub allowed: bool,
}

impl<'c> Planned<'c> {
    /// Plan one lesson with the values given on the command line (`given`) over the defaults
    /// (`defaults`). `Err` holds the problems, each a line for the user.
    pub fn new(
        loaded: &'c LoadedLesson,
        given: &BTreeMap<String, String>,
        defaults: &BTreeMap<String, String>,
    ) -> Result<Planned<'c>, Vec<String>> {
        let lesson = &loaded.lesson;
        let vars = report::resolve_variables(lesson, given, defaults)?;
        if let Some(name) = lesson
            .variables
            .keys()
            .find(|name| !vars.contains_key(*name))
        {
            return Err(vec![format!(
                "lesson `{}` needs a value for `{name}`: pass --var {name}=VALUE",
                lesson.id.as_str()
            )]);
        }
        let mut solutions = Vec::new();
        for step in lesson.steps.iter() {
            let lines = Line::solution(step, &vars).map_err(|e| {
                vec![format!(
                    "step `{}` of lesson `{}` ({}): {e}",
                    step.id.as_str(),
                    lesson.id.as_str(),
                    loaded.file.name
                )]
            })?;
            solutions.push(lines);
        }
        let setup_commands = lesson
            .setup
            .iter()
            .map(|action| match &action.value {
                SetupAction::Command(c) => {
                    let rendered: Result<Vec<String>, _> = c
                        .run
                        .iter()
                        .map(|a| crate::lesson::template::render(a, &vars))
                        .collect();
                    rendered
                        .ok()
                        .and_then(|argv| Line::plan(&shell_words::join(&argv)).ok().flatten())
                }
                SetupAction::BuildImage(_) => None,
            })
            .collect();
        Ok(Planned {
            loaded,
            vars,
            solutions,
            setup_commands,
            allowed: false,
        })
    }

    pub fn lesson(&self) -> &Lesson {
        &self.loaded.lesson
    }

    /// Does a solution log in (and so need the password)?
    pub fn needs_password(&self) -> bool {
        self.solutions.iter().flatten().any(|l| l.login)
    }
}

/// The lesson and the lessons it requires, those first (deepest first), each once.
pub fn with_requires<'c>(
    catalog: &'c Catalog,
    lesson: &'c LoadedLesson,
) -> Result<Vec<&'c LoadedLesson>, String> {
    fn visit<'c>(
        catalog: &'c Catalog,
        lesson: &'c LoadedLesson,
        visiting: &mut Vec<String>,
        out: &mut Vec<&'c LoadedLesson>,
    ) -> Result<(), String> {
        let id = lesson.lesson.id.to_string();
        if out.iter().any(|l| l.lesson.id.as_str() == id) {
            return Ok(());
        }
        if visiting.contains(&id) {
            return Err(format!(
                "lessons require each other: {} → {id}",
                visiting.join(" → ")
            ));
        }
        visiting.push(id.clone());
        for req in &lesson.lesson.requires {
            let found = catalog.find(req).ok_or_else(|| {
                format!("lesson `{id}` requires `{}`, which does not exist", **req)
            })?;
            visit(catalog, found, visiting, out)?;
        }
        visiting.pop();
        out.push(lesson);
        Ok(())
    }
    let mut out = Vec::new();
    visit(catalog, lesson, &mut Vec::new(), &mut out)?;
    Ok(out)
}

/// May this lesson run its solutions and commands? Shipped lessons may; others with `--yes` or after
/// the author allowed this exact content for `test-lesson` (asked apart from `check`'s allowance, since
/// here the solutions run too).
pub fn allowed_to_run(loaded: &LoadedLesson, yes: bool) -> bool {
    if loaded.origin == Origin::Shipped || yes {
        return true;
    }
    let mut commands = trust::commands_of(&loaded.lesson);
    for step in loaded.lesson.steps.iter() {
        if let Some(solution) = &step.solution {
            commands.extend(
                solution
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string),
            );
        }
    }
    if commands.is_empty() {
        return true;
    }
    let key = format!("test-lesson:{}", loaded.lesson.id.as_str());
    trust::confirm(
        loaded,
        &key,
        &commands,
        "runs these commands in `test-lesson`",
        "Allow it to run them (asked again if the file changes)?",
    )
}

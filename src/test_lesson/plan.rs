//! What a run will do, worked out before anything runs: the lesson and the lessons it requires, each
//! with its variables' values (validated against their patterns) and its solutions and setup
//! commands planned as argv (a solution that uses a captured value is planned again when its step is
//! reached, with the value an earlier step recorded). A problem here is the lesson's or the caller's, and stops the run
//! before it touches the engine.

use std::collections::{BTreeMap, BTreeSet};

use super::Line;
use crate::check::report;
use crate::lesson::model::SetupAction;
use crate::lesson::source::{Catalog, LoadedLesson, Origin};
use crate::lesson::{Lesson, Step};
use crate::trust;

/// A lesson with its values and its planned solutions (one list per step).
pub struct Planned<'c> {
    pub loaded: &'c LoadedLesson,
    pub vars: BTreeMap<String, String>,
    /// The names the lesson's checks capture (`capture:`).
    pub captures: BTreeSet<String>,
    /// Each step's solution as planned before the run, captured values stood in for (see
    /// [`Planned::solution`] for the lines that run).
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
        let captures: BTreeSet<String> = lesson
            .steps
            .iter()
            .flat_map(|step| step.checks.iter())
            .filter_map(|item| item.capture.as_ref().map(|c| c.to_string()))
            .collect();
        // Captured values are known only when the run reaches the step, so here each stands in as
        // a plain word: the lines are checked now (they split, need no shell, have every variable)
        // and planned again with the real values then (`Planned::solution`).
        let mut stand_ins = vars.clone();
        for name in &captures {
            stand_ins
                .entry(name.clone())
                .or_insert_with(|| format!("captured-{name}"));
        }
        let mut solutions = Vec::new();
        for step in lesson.steps.iter() {
            let lines = Line::solution(step, &stand_ins, &captures)
                .map_err(|e| vec![step_problem(loaded, step, &e)])?;
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
            captures,
            solutions,
            setup_commands,
            allowed: false,
        })
    }

    pub fn lesson(&self) -> &Lesson {
        &self.loaded.lesson
    }

    /// Step `index`'s solution as it runs now: planned again with the values captured so far
    /// (`captured`), since a line may use what an earlier step's check recorded.
    pub fn solution(
        &self,
        index: usize,
        captured: &BTreeMap<String, String>,
    ) -> Result<Vec<Line>, String> {
        if self.captures_used(index).is_empty() {
            return Ok(self.solutions[index].clone());
        }
        let step = &self.lesson().steps[index];
        let mut vars = self.vars.clone();
        for (name, value) in captured {
            vars.entry(name.clone()).or_insert_with(|| value.clone());
        }
        Line::solution(step, &vars, &self.captures).map_err(|e| step_problem(self.loaded, step, &e))
    }

    /// The captured values step `index`'s solution uses that `captured` does not hold: the earlier
    /// step that records them did not pass (or could not be verified).
    pub fn missing_captures(
        &self,
        index: usize,
        captured: &BTreeMap<String, String>,
    ) -> Vec<String> {
        self.captures_used(index)
            .into_iter()
            .filter(|name| !captured.contains_key(*name))
            .map(str::to_string)
            .collect()
    }

    /// The captured values step `index`'s solution uses.
    fn captures_used(&self, index: usize) -> BTreeSet<&str> {
        let step = &self.lesson().steps[index];
        step.solution
            .iter()
            .flat_map(|s| s.templates())
            .flat_map(|t| crate::lesson::template::references(t))
            .map(|r| r.name)
            .filter(|name| self.captures.contains(*name) && !self.vars.contains_key(*name))
            .collect()
    }

    /// Does a solution log in (and so need the password)?
    pub fn needs_password(&self) -> bool {
        self.solutions.iter().flatten().any(|l| l.login)
    }
}

/// A problem with a step's solution, for the user: which step of which lesson in which file.
fn step_problem(loaded: &LoadedLesson, step: &Step, problem: &str) -> String {
    format!(
        "step `{}` of lesson `{}` ({}): {problem}",
        step.id.as_str(),
        loaded.lesson.id.as_str(),
        loaded.file.name
    )
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
            commands.extend(solution.lines().iter().map(|l| {
                if l.mapping && l.must_fail() {
                    format!("{} (expect: fail)", l.command)
                } else {
                    l.as_written.to_string()
                }
            }));
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

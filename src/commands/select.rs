//! Which lessons a command works on: the catalog (saying which files it skipped), one lesson by id or
//! all of them, narrowed to those with a `--step`. A name that matches nothing is a typo, not an empty
//! result, so the error names what was probably meant.

use crate::cli::Global;
use crate::lesson::source::{self, Catalog, LoadedLesson, Refused};
use crate::text;

/// The lessons of `--lessons-dir` and the shipped course, warning about each file that does not load.
pub fn catalog(global: &Global) -> Catalog {
    let catalog = source::catalog(&global.lessons_dirs);
    warn_skipped(&catalog);
    catalog
}

/// Say which files were left out: those that do not load, and lessons refused for their lint errors.
pub fn warn_skipped(catalog: &Catalog) {
    for broken in &catalog.broken {
        eprintln!(
            "warning: skipped `{}`, which does not load (run `learn-registry lint`)",
            text::line(&broken.file)
        );
    }
    for r in &catalog.refused {
        eprintln!(
            "warning: skipped lesson `{}` (`{}`), which has lint errors (run `learn-registry lint`)",
            text::line(&r.id),
            text::line(&r.file.name)
        );
    }
}

/// Why a refused lesson is not used: its lint errors, rendered as `lint` shows them.
pub fn refusal(r: &Refused) -> String {
    let color = console::colors_enabled_stderr();
    let mut out = format!(
        "lesson `{}` (`{}`) has lint errors and is not used:\n",
        text::line(&r.id),
        text::line(&r.file.name)
    );
    for d in &r.errors {
        out.push('\n');
        out.push_str(&super::lint::render_safe(d, Some(&r.file.text), color));
        out.push('\n');
    }
    out
}

/// `; did you mean `x`?` for the candidate closest to `word`, or `otherwise` when none is close.
pub fn hint<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    otherwise: &str,
) -> String {
    crate::diagnostic::did_you_mean(word, candidates)
        .map(|b| format!("; did you mean `{b}`?"))
        .unwrap_or_else(|| otherwise.to_string())
}

/// The lesson `id`, or the error to show.
pub fn lesson<'c>(catalog: &'c Catalog, id: &str) -> Result<&'c LoadedLesson, String> {
    if let Some(r) = catalog.refusal(id) {
        return Err(refusal(r));
    }
    catalog.find(id).ok_or_else(|| {
        let hint = hint(id, catalog.ids(), "; see `learn-registry list`");
        format!("no lesson `{id}`{hint}")
    })
}

/// The lesson `id`, or every lesson of the course when there is none; or the error to show.
pub fn lessons<'c>(
    catalog: &'c Catalog,
    id: Option<&str>,
) -> Result<Vec<&'c LoadedLesson>, String> {
    match id {
        Some(id) => lesson(catalog, id).map(|l| vec![l]),
        // The whole course was asked for: a refused lesson in it is an error, not a silent gap.
        None => match catalog.refused.as_slice() {
            [] => Ok(catalog.lessons.iter().collect()),
            refused => Err(refused.iter().map(refusal).collect::<Vec<_>>().join("\n")),
        },
    }
}

/// The lessons that have step `step` (all of them without one). A step none of them has is a typo,
/// not a pass: the error names the lesson when it was `named` on the command line.
pub fn with_step<'c>(
    lessons: Vec<&'c LoadedLesson>,
    step: Option<&str>,
    named: bool,
) -> Result<Vec<&'c LoadedLesson>, String> {
    let Some(step) = step else {
        return Ok(lessons);
    };
    let has_step = |l: &&LoadedLesson| l.lesson.steps.iter().any(|s| s.id.as_str() == step);
    let with_step: Vec<&LoadedLesson> = lessons.iter().copied().filter(has_step).collect();
    if !with_step.is_empty() {
        return Ok(with_step);
    }
    let ids = lessons
        .iter()
        .flat_map(|l| l.lesson.steps.iter().map(|s| s.id.as_str()));
    let hint = hint(step, ids, "");
    Err(match lessons.as_slice() {
        [lesson] if named => format!(
            "lesson `{}` has no step `{step}`{hint}",
            lesson.lesson.id.as_str()
        ),
        _ => format!("no lesson has a step `{step}`{hint}"),
    })
}

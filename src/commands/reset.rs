//! `learn-registry reset [LESSON] [--step ID]`: forget stored progress, so the runner asks for a step,
//! a lesson or the whole course again. It shows exactly what it would forget and asks first; without a
//! terminal to ask on it needs `--yes`. It writes, so it takes the progress lock, and refuses while a
//! runner holds it rather than have the runner save the forgotten steps back.
//!
//! Only the record is forgotten: images, tags and logins made during the lessons stay as they are.

use std::io::IsTerminal;

use super::select;
use crate::cli::Global;
use crate::exit;
use crate::lesson::source;
use crate::progress::{Progress, ProgressLock};
use crate::trust;

/// What a reset would forget, as lines for the learner to read before agreeing. Empty: nothing stored.
fn describe(progress: &Progress, lesson: Option<&str>, step: Option<&str>) -> Vec<String> {
    let describe_lesson = |id: &str| -> Option<String> {
        let l = progress.lesson(id)?;
        let done: Vec<&str> = l
            .steps
            .iter()
            .filter(|(_, s)| s.is_done())
            .map(|(k, _)| k.as_str())
            .collect();
        let mut line = format!("lesson `{id}`: ");
        if done.is_empty() {
            line.push_str("started, no step done");
        } else {
            line.push_str(&format!("steps done: {}", done.join(", ")));
        }
        if !l.vars.is_empty() {
            let names: Vec<&str> = l.vars.keys().map(String::as_str).collect();
            line.push_str(&format!("; variables: {}", names.join(", ")));
        }
        Some(line)
    };
    match (lesson, step) {
        (None, _) => {
            let mut lines: Vec<String> = progress
                .lessons
                .keys()
                .filter_map(|id| describe_lesson(id))
                .collect();
            if !progress.vars.is_empty() {
                let names: Vec<&str> = progress.vars.keys().map(String::as_str).collect();
                lines.push(format!("course-wide variables: {}", names.join(", ")));
            }
            lines
        }
        (Some(id), None) => describe_lesson(id).into_iter().collect(),
        (Some(id), Some(step)) => {
            let Some(s) = progress.lesson(id).and_then(|l| l.steps.get(step)) else {
                return Vec::new();
            };
            let state = match s.completed_at {
                Some(at) => format!("done {}", at.format("%Y-%m-%d %H:%M UTC")),
                None => "not done".into(),
            };
            vec![format!(
                "step `{step}` of lesson `{id}`: {state}, {} attempts, {} hints",
                s.attempts, s.hints_used
            )]
        }
    }
}

pub fn run(global: &Global, args: crate::cli::ResetArgs) -> miette::Result<u8> {
    let catalog = source::catalog(&global.lessons_dirs);
    let home = match trust::home() {
        Ok(home) => home,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    // A writer reads under the lock; this first read only checks the names, and works while a runner
    // is going, so a typo is reported as such and not as a busy lock.
    let Some(stored) = super::load_progress(&home) else {
        return Ok(exit::USAGE);
    };
    if let Some(id) = &args.lesson {
        // A lesson with stored progress may be reset even when its folder is not given this time.
        let known = catalog.find(id).is_some() || stored.lesson(id).is_some();
        if !known {
            let ids = catalog
                .ids()
                .chain(stored.lessons.keys().map(String::as_str));
            let hint = select::hint(id, ids, "; see `learn-registry status`");
            eprintln!("error: no lesson `{id}`{hint}");
            return Ok(exit::USAGE);
        }
        if let Some(step) = &args.step {
            let in_lesson: Vec<&str> = catalog
                .find(id)
                .map(|l| l.lesson.steps.iter().map(|s| s.id.as_str()).collect())
                .unwrap_or_default();
            let recorded: Vec<&str> = stored
                .lesson(id)
                .map(|l| l.steps.keys().map(String::as_str).collect())
                .unwrap_or_default();
            if !in_lesson.contains(&step.as_str()) && !recorded.contains(&step.as_str()) {
                let hint = select::hint(step, in_lesson.iter().chain(&recorded).copied(), "");
                eprintln!("error: lesson `{id}` has no step `{step}`{hint}");
                return Ok(exit::USAGE);
            }
        }
    }

    let lock = match ProgressLock::try_acquire(&home) {
        Ok(lock) => lock,
        Err(e) => {
            eprintln!("error: {e}; quit it first, then reset again");
            return Ok(exit::USAGE);
        }
    };
    let Some(mut progress) = super::load_progress(&home) else {
        return Ok(exit::USAGE);
    };
    let lesson = args.lesson.as_deref();
    let step = args.step.as_deref();
    let plan = describe(&progress, lesson, step);
    if plan.is_empty() {
        let what = match (lesson, step) {
            (None, _) => "nothing is stored".to_string(),
            (Some(id), None) => format!("nothing is stored for lesson `{id}`"),
            (Some(id), Some(s)) => format!("nothing is stored for step `{s}` of lesson `{id}`"),
        };
        eprintln!("{what}; nothing to forget");
        return Ok(exit::OK);
    }
    eprintln!("this forgets:");
    for line in &plan {
        // Ids and variable names come from the progress file, which anyone with the folder could edit.
        eprintln!("  {}", crate::text::line(line));
    }
    if lesson.is_some() && step.is_none() && !progress.vars.is_empty() {
        eprintln!(
            "(course-wide variables are kept; `learn-registry reset` without a lesson forgets them too)"
        );
    }
    if !args.yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            eprintln!(
                "error: `reset` asks before it forgets, and there is no terminal to ask on; pass `--yes` to forget the above"
            );
            return Ok(exit::USAGE);
        }
        let agreed = dialoguer::Confirm::new()
            .with_prompt("Forget this?")
            .default(false)
            .interact()
            .unwrap_or(false);
        if !agreed {
            eprintln!("nothing forgotten");
            return Ok(exit::OK);
        }
    }
    match (lesson, step) {
        (None, _) => progress.forget_all(),
        (Some(id), None) => {
            progress.forget_lesson(id);
        }
        (Some(id), Some(s)) => {
            progress.forget_step(id, s);
        }
    }
    if let Err(e) = progress.save(&lock) {
        eprintln!("error: {e}");
        return Ok(exit::USAGE);
    }
    eprintln!("forgotten");
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_exactly_what_goes() {
        let mut p = Progress::default();
        p.set_var("tag-an-image", "username", "alice");
        p.mark_done("tag-an-image", "tag");
        p.record_attempt("tag-an-image", "push");
        assert_eq!(
            describe(&p, Some("tag-an-image"), None),
            ["lesson `tag-an-image`: steps done: tag; variables: username"]
        );
        let all = describe(&p, None, None);
        assert_eq!(all.last().unwrap(), "course-wide variables: username");
        let step = describe(&p, Some("tag-an-image"), Some("push"));
        assert_eq!(
            step,
            ["step `push` of lesson `tag-an-image`: not done, 1 attempts, 0 hints"]
        );
        assert!(describe(&p, Some("push-an-image"), None).is_empty());
        assert!(describe(&Progress::default(), None, None).is_empty());
    }
}

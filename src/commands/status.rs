//! `learn-registry status`: what the stored progress says, one lesson of the course a line (done count,
//! then the next step, `done`, `not started` or what it waits for), the variables remembered and the
//! values the lessons' checks captured (`capture:`). It
//! only reads, so it takes no lock and works while a runner is going. It reports what was recorded;
//! `check` is what verifies.

use std::collections::BTreeMap;

use serde_json::json;

use crate::cli::{Global, StatusFormat};
use crate::exit;
use crate::lesson::source::{Catalog, LoadedLesson};
use crate::progress::{self, Progress};
use crate::{text, trust};

/// Where a lesson stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Done,
    Next(String),
    NotStarted,
    /// Not started, and a lesson it requires is not finished.
    Locked(String),
}

/// One line of the summary.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    pub lesson: &'a LoadedLesson,
    pub done: usize,
    pub total: usize,
    pub state: State,
}

/// Are all of a lesson's steps recorded as done?
pub fn is_complete(progress: &Progress, lesson: &LoadedLesson) -> bool {
    let id = lesson.lesson.id.as_str();
    lesson
        .lesson
        .steps
        .iter()
        .all(|s| progress.is_done(id, s.id.as_str()))
}

/// The summary of every lesson of the catalog, in course order.
pub fn rows<'a>(catalog: &'a Catalog, progress: &Progress) -> Vec<Row<'a>> {
    catalog
        .lessons
        .iter()
        .map(|l| {
            let id = l.lesson.id.as_str();
            let steps = &l.lesson.steps;
            let done = steps
                .iter()
                .filter(|s| progress.is_done(id, s.id.as_str()))
                .count();
            let next = steps.iter().find(|s| !progress.is_done(id, s.id.as_str()));
            // A lesson the catalog does not have cannot be finished here; lint reports it, and it
            // should not lock the lesson forever.
            let waits_for = l.lesson.requires.iter().map(|r| r.as_str()).find(|r| {
                catalog
                    .find(r)
                    .is_some_and(|req| !is_complete(progress, req))
            });
            let state = match (next, progress.lesson(id), waits_for) {
                (None, _, _) => State::Done,
                (Some(step), Some(_), _) => State::Next(step.id.as_str().to_string()),
                (Some(_), None, Some(first)) => State::Locked(first.to_string()),
                (Some(_), None, None) => State::NotStarted,
            };
            Row {
                lesson: l,
                done,
                total: steps.len(),
                state,
            }
        })
        .collect()
}

/// Never show something that looks like a secret, should one ever be stored.
fn shown(name: &str, value: &str) -> String {
    let lower = name.to_lowercase();
    if ["password", "token", "secret"]
        .iter()
        .any(|s| lower.contains(s))
    {
        "(hidden)".into()
    } else {
        value.to_string()
    }
}

fn shown_map(vars: &BTreeMap<String, String>) -> BTreeMap<&str, String> {
    vars.iter()
        .map(|(k, v)| (k.as_str(), shown(k, v)))
        .collect()
}

pub fn run(global: &Global, format: StatusFormat) -> miette::Result<u8> {
    let catalog = super::select::catalog(global);
    let home = match trust::home() {
        Ok(home) => home,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let Some(progress) = super::load_progress(&home) else {
        return Ok(exit::USAGE);
    };
    let rows = rows(&catalog, &progress);
    let elsewhere: Vec<&str> = progress
        .lessons
        .keys()
        .map(String::as_str)
        .filter(|id| catalog.find(id).is_none())
        .collect();

    match format {
        StatusFormat::Text => print_text(&rows, &progress),
        StatusFormat::Json => {
            let lessons: Vec<_> = rows
                .iter()
                .map(|r| {
                    let id = r.lesson.lesson.id.as_str();
                    let stored = progress.lesson(id);
                    let (state, next, locked_by) = match &r.state {
                        State::Done => ("done", None, None),
                        State::Next(s) => ("in_progress", Some(s.as_str()), None),
                        State::NotStarted => ("not_started", None, None),
                        State::Locked(by) => ("locked", None, Some(by.as_str())),
                    };
                    let steps: Vec<_> = r
                        .lesson
                        .lesson
                        .steps
                        .iter()
                        .map(|s| {
                            let rec = stored.and_then(|l| l.steps.get(s.id.as_str()));
                            json!({
                                "id": s.id.as_str(),
                                "done": rec.is_some_and(|r| r.is_done()),
                                "completed_at": rec.and_then(|r| r.completed_at),
                                "attempts": rec.map_or(0, |r| r.attempts),
                                "hints_used": rec.map_or(0, |r| r.hints_used),
                            })
                        })
                        .collect();
                    json!({
                        "id": id,
                        "title": r.lesson.lesson.title.as_str(),
                        "done": r.done,
                        "total": r.total,
                        "state": state,
                        "next": next,
                        "locked_by": locked_by,
                        "current_step": stored.and_then(|l| l.current_step.as_deref()),
                        "started_at": stored.map(|l| l.started_at),
                        "updated_at": stored.map(|l| l.updated_at),
                        "steps": steps,
                        "variables": stored.map(|l| shown_map(&l.vars)).unwrap_or_default(),
                        "captures": stored.map(|l| shown_map(&l.captures)).unwrap_or_default(),
                    })
                })
                .collect();
            let out = json!({
                "started": !progress.is_empty(),
                "lessons": lessons,
                "variables": shown_map(&progress.vars),
                "not_in_course": elsewhere,
                "file": progress::path(&home),
            });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
    }
    for id in &elsewhere {
        eprintln!(
            "note: progress is stored for `{}`, which is not among these lessons (was it from a `--lessons-dir`?)",
            text::line(id)
        );
    }
    if progress.is_empty() {
        eprintln!("nothing started yet; begin with `learn-registry start`");
    }
    Ok(if catalog.broken.is_empty() {
        exit::OK
    } else {
        exit::USAGE
    })
}

fn print_text(rows: &[Row<'_>], progress: &Progress) {
    let width = rows
        .iter()
        .map(|r| r.lesson.lesson.id.as_str().len())
        .max()
        .unwrap_or(0);
    let count_width = rows
        .iter()
        .map(|r| format!("{}/{}", r.done, r.total).len())
        .max()
        .unwrap_or(0);
    for r in rows {
        let state = match &r.state {
            State::Done => "done".to_string(),
            State::Next(step) => format!("next: {}", text::line(step)),
            State::NotStarted => "not started".to_string(),
            State::Locked(by) => format!("locked: finish {} first", text::line(by)),
        };
        println!(
            "{:width$}  {:count_width$}  {state}",
            text::line(r.lesson.lesson.id.as_str()),
            format!("{}/{}", r.done, r.total),
        );
    }
    let course = &progress.vars;
    let mut lines = Vec::new();
    for (k, v) in course {
        lines.push(format!(
            "  {} = {}",
            text::line(k),
            text::line(&shown(k, v))
        ));
    }
    for (id, l) in &progress.lessons {
        for (k, v) in &l.vars {
            // A shared value is listed once, course-wide, unless this lesson kept a different one.
            if course.get(k) != Some(v) {
                lines.push(format!(
                    "  {}: {} = {}",
                    text::line(id),
                    text::line(k),
                    text::line(&shown(k, v))
                ));
            }
        }
    }
    if !lines.is_empty() {
        println!("\nvariables:");
        for line in lines {
            println!("{line}");
        }
    }
    // What the lessons' checks recorded when their steps passed (`capture:`), for later steps.
    let captured: Vec<String> = progress
        .lessons
        .iter()
        .flat_map(|(id, l)| {
            l.captures.iter().map(move |(k, v)| {
                format!(
                    "  {}: {} = {}",
                    text::line(id),
                    text::line(k),
                    text::line(&shown(k, v))
                )
            })
        })
        .collect();
    if !captured.is_empty() {
        println!("\ncaptured:");
        for line in captured {
            println!("{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Catalog {
        crate::lesson::source::catalog(&[])
    }

    #[test]
    fn states_follow_progress_and_requires() {
        let catalog = shipped();
        let [first, second, ..] = catalog.lessons.as_slice() else {
            panic!("the course has at least two lessons");
        };
        assert!(
            second
                .lesson
                .requires
                .iter()
                .any(|r| r.as_str() == first.lesson.id.as_str()),
            "the course's second lesson requires the first"
        );
        let mut p = Progress::default();
        let r = rows(&catalog, &p);
        assert_eq!(r[0].state, State::NotStarted);
        assert_eq!(
            r[1].state,
            State::Locked(first.lesson.id.as_str().to_string())
        );

        let id = first.lesson.id.as_str();
        let steps: Vec<&str> = first.lesson.steps.iter().map(|s| s.id.as_str()).collect();
        p.mark_done(id, steps[0]);
        let r = rows(&catalog, &p);
        assert_eq!(r[0].done, 1);
        assert_eq!(r[0].state, State::Next(steps[1].to_string()));

        for s in &steps {
            p.mark_done(id, s);
        }
        let r = rows(&catalog, &p);
        assert_eq!(r[0].state, State::Done);
        assert_eq!(r[1].state, State::NotStarted);
    }

    #[test]
    fn secrets_are_hidden() {
        assert_eq!(shown("hub_token", "abc"), "(hidden)");
        assert_eq!(shown("username", "alice"), "alice");
    }
}

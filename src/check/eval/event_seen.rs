//! `event_seen`: the learner did an action since the step began, as the Docker Engine's image events
//! tell it (`tag`, `push`, `pull`, `untag`, `delete`).
//!
//! How the check is evaluated; its fields are in `lesson/check/event_seen.rs`.

use crate::check::{Context, Outcome};
use crate::lesson::check::{EventAction, EventSeen};
use crate::probe::ImageRef;
use crate::probe::docker::ImageAction;

/// How many other events a failure names.
const MAX_SHOWN: usize = 5;

/// Without a step start (a one-off `check`), look this far back; the engine keeps few events anyway.
const DEFAULT_WINDOW: chrono::Duration = chrono::Duration::hours(24);

impl EventSeen {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        let wanted = match &self.image {
            Some(image) => match ctx.image(image) {
                Ok(r) => Some(r),
                Err(o) => return o,
            },
            None => None,
        };
        let docker = match ctx.docker().await {
            Ok(d) => d,
            Err(o) => return o,
        };
        let now = chrono::Utc::now();
        let since = ctx.since.unwrap_or(now - DEFAULT_WINDOW);
        let what = match &wanted {
            Some(r) => format!("`{}` of `{}`", self.action.as_str(), r.familiar()),
            None => format!("a `{}`", self.action.as_str()),
        };
        let events = match docker.events_since(since, now).await {
            Ok(e) => e,
            Err(e) => return Outcome::from_probe(&e, &what),
        };
        let same_action = |a: &ImageAction| {
            matches!(
                (a, self.action),
                (ImageAction::Tag, EventAction::Tag)
                    | (ImageAction::Untag, EventAction::Untag)
                    | (ImageAction::Push, EventAction::Push)
                    | (ImageAction::Pull, EventAction::Pull)
                    | (ImageAction::Delete, EventAction::Delete)
            )
        };
        let matching: Vec<_> = events.iter().filter(|e| same_action(&e.action)).collect();
        let hit = matching.iter().rev().find(|e| match &wanted {
            None => true,
            Some(w) => e
                .reference
                .as_deref()
                .and_then(|r| ImageRef::parse(r).ok())
                .is_some_and(|r| {
                    r.registry() == w.registry()
                        && r.repository() == w.repository()
                        && (w.tag().is_none() || r.tag() == w.tag() || r.tag().is_none())
                }),
        });
        match hit {
            Some(e) => Outcome::pass(format!(
                "{} {} at {}",
                self.action.as_str(),
                e.reference.as_deref().unwrap_or(&e.actor_id),
                e.time.format("%H:%M:%S")
            )),
            None => {
                let actual = if matching.is_empty() {
                    format!(
                        "no `{}` since {}",
                        self.action.as_str(),
                        since.with_timezone(&chrono::Local).format("%H:%M:%S")
                    )
                } else {
                    // The most recent few; an engine shared by a class can have many.
                    let shown: Vec<String> = matching
                        .iter()
                        .rev()
                        .take(MAX_SHOWN)
                        .map(|e| format!("`{}`", e.reference.as_deref().unwrap_or(&e.actor_id)))
                        .collect();
                    let more = match matching.len().saturating_sub(MAX_SHOWN) {
                        0 => String::new(),
                        n => format!(" (and {n} more)"),
                    };
                    format!(
                        "`{}` of other images only: {}{more}",
                        self.action.as_str(),
                        shown.join(", ")
                    )
                };
                Outcome::fail(what, actual)
            }
        }
    }
}

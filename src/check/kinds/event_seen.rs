//! `event_seen`: the learner did an action since the step began, as the Docker Engine's image events
//! tell it (`tag`, `push`, `pull`, `untag`, `delete`).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::check::{CheckSpec, Context, Outcome};
use crate::probe::ImageRef;
use crate::probe::docker::ImageAction;

use crate::lesson::Sp;

/// An image event the engine reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventAction {
    Tag,
    Untag,
    Push,
    Pull,
    Delete,
}

impl EventAction {
    pub fn as_str(self) -> &'static str {
        match self {
            EventAction::Tag => "tag",
            EventAction::Untag => "untag",
            EventAction::Push => "push",
            EventAction::Pull => "pull",
            EventAction::Delete => "delete",
        }
    }
}

/// The learner did an action since the step began.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSeen {
    /// Which action.
    pub action: EventAction,
    /// The image it must concern; any image when absent.
    #[serde(default)]
    pub image: Option<Sp<String>>,
}

impl CheckSpec for EventSeen {
    const KIND: &'static str = "event_seen";

    fn templates(&self) -> Vec<&Sp<String>> {
        self.image.iter().collect()
    }

    fn image_refs(&self) -> Vec<&Sp<String>> {
        self.image.iter().collect()
    }
}

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

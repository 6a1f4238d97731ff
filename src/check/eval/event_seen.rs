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
            Some(image) => match (ctx.image(image), ctx.render(image)) {
                (Ok(r), Ok(text)) => Some((r, Written::of(&text))),
                (Err(o), _) | (_, Err(o)) => return o,
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
            Some((r, Written::Repository)) => format!(
                "`{}` of `{}` (any tag or digest)",
                self.action.as_str(),
                r.familiar_name()
            ),
            Some((r, _)) => format!("`{}` of `{}`", self.action.as_str(), r.familiar()),
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
            Some((w, written)) => e
                .reference
                .as_deref()
                .and_then(|r| ImageRef::parse(r).ok())
                .is_some_and(|r| {
                    r.registry() == w.registry()
                        && r.repository() == w.repository()
                        && match written {
                            Written::Repository => true,
                            Written::Tag => r.digest().is_none() && r.tag() == w.tag(),
                            Written::Digest => r.digest() == w.digest(),
                        }
                }),
        });
        match hit {
            Some(e) => {
                let matched = match &wanted {
                    Some((w, Written::Repository)) => {
                        format!(" (asked for `{}`, any tag or digest)", w.familiar_name())
                    }
                    Some((w, Written::Digest)) => {
                        format!(" (by digest, as asked: `{}`)", w.familiar())
                    }
                    _ => String::new(),
                };
                Outcome::pass(format!(
                    "{} {} at {}{matched}",
                    self.action.as_str(),
                    e.reference.as_deref().unwrap_or(&e.actor_id),
                    e.time.format("%H:%M:%S")
                ))
            }
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

/// What the lesson's image names, as written: an event must concern the same thing. An image written
/// without a tag means the repository (any tag, any digest), not `:latest`, and says so in its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    Repository,
    Tag,
    Digest,
}

impl Written {
    fn of(text: &str) -> Written {
        let last = text.rsplit('/').next().unwrap_or(text);
        if text.contains('@') {
            Written::Digest
        } else if last.contains(':') {
            Written::Tag
        } else {
            Written::Repository
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Written;

    #[test]
    fn what_an_image_names_is_read_from_how_it_is_written() {
        assert_eq!(Written::of("localhost:5000/app"), Written::Repository);
        assert_eq!(Written::of("localhost:5000/app:1.0"), Written::Tag);
        assert_eq!(Written::of("alice/app@sha256:ab"), Written::Digest);
    }
}

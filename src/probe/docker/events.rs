//! Image events: what the learner just did (`tag`, `push`, `pull`, `rmi`), replayed since a step began or
//! followed live. Docker and Podman put the reference in different fields, and Podman needs a workaround
//! when replaying, so both are sorted out here.

use std::collections::HashMap;
use std::time::Duration;

use bollard::query_parameters::EventsOptions;
use chrono::{DateTime, TimeZone, Utc};
use futures_util::{Stream, StreamExt};

use super::error::engine_error;
use super::image::same_repository;
use super::{DockerProbe, TARGET};
use crate::probe::ProbeError;
use crate::probe::reference::ImageRef;

/// How long a Podman event replay may pause before we take it as finished.
const PODMAN_REPLAY_QUIET: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageAction {
    /// `docker tag`: Actor.ID is the image ID, `name` the new reference.
    Tag,
    Untag,
    /// `docker push`: Actor.ID is the reference pushed.
    Push,
    /// `docker pull`: Actor.ID is the reference pulled.
    Pull,
    /// `docker rmi` of the last reference (Podman calls it `remove`).
    Delete,
    Other(String),
}

impl ImageAction {
    fn from_action(action: &str) -> ImageAction {
        match action {
            "tag" => ImageAction::Tag,
            "untag" => ImageAction::Untag,
            "push" => ImageAction::Push,
            "pull" => ImageAction::Pull,
            "delete" | "remove" => ImageAction::Delete,
            other => ImageAction::Other(other.to_string()),
        }
    }
}

/// One image event from the engine, owned and trimmed to what checks use. Engines disagree on where they
/// put things, so [`ImageEvent::reference`] and [`ImageEvent::image_id`] sort it out:
///
/// | engine, action | Actor.ID | Attributes.name |
/// |---|---|---|
/// | Docker `tag` | image ID | new reference |
/// | Docker `push`/`pull` | reference with tag | repository without tag |
/// | Docker `untag`/`delete` | image ID | image ID |
/// | Podman `tag`/`untag`/`push`/`delete` | image ID (bare hex) | reference |
/// | Podman `pull` | empty | reference |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageEvent {
    pub action: ImageAction,
    /// The reference the event is about, with its tag, when the engine says (`alice/app:1.0`).
    pub reference: Option<String>,
    /// The image ID (`sha256:...`), when the engine says.
    pub image_id: Option<String>,
    /// Actor.ID as the engine sent it.
    pub actor_id: String,
    /// Actor.Attributes.name as the engine sent it.
    pub name: Option<String>,
    pub time: DateTime<Utc>,
}

impl ImageEvent {
    fn from_message(msg: bollard::models::EventMessage) -> Option<ImageEvent> {
        if msg.typ != Some(bollard::models::EventMessageTypeEnum::IMAGE) {
            return None;
        }
        let time = message_time(&msg)?;
        let actor = msg.actor.unwrap_or_default();
        let action = ImageAction::from_action(msg.action.as_deref().unwrap_or_default());
        let actor_id = actor.id.unwrap_or_default();
        let name = actor
            .attributes
            .and_then(|mut a| a.remove("name"))
            .filter(|n| !n.is_empty());
        // Docker's push/pull name is the repository without its tag; Actor.ID has the full reference.
        let candidates = match action {
            ImageAction::Push | ImageAction::Pull => [Some(actor_id.as_str()), name.as_deref()],
            _ => [name.as_deref(), Some(actor_id.as_str())],
        };
        let reference = candidates
            .into_iter()
            .flatten()
            .find(|c| !c.is_empty() && as_image_id(c).is_none())
            .map(str::to_string);
        Some(ImageEvent {
            action,
            reference,
            image_id: as_image_id(&actor_id),
            actor_id,
            name,
            time,
        })
    }

    /// Is this event about `wanted` (same registry, repository and tag, normalized)?
    pub fn is_about(&self, wanted: &ImageRef) -> bool {
        self.reference
            .as_deref()
            .and_then(|r| ImageRef::parse(r).ok())
            .is_some_and(|r| r.tag() == wanted.tag() && same_repository(&r, wanted))
    }
}

/// When the engine says the event happened (to the nanosecond when it says so).
pub(super) fn message_time(msg: &bollard::models::EventMessage) -> Option<DateTime<Utc>> {
    match (msg.time_nano, msg.time) {
        (Some(nanos), _) if nanos > 0 => Some(Utc.timestamp_nanos(nanos)),
        (_, Some(secs)) => Utc.timestamp_opt(secs, 0).single(),
        _ => None,
    }
}

/// `sha256:<hex>` for an image ID in either spelling (Docker's prefixed, Podman's bare 64 hex).
pub(super) fn as_image_id(text: &str) -> Option<String> {
    let hex = text.strip_prefix("sha256:").unwrap_or(text);
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| format!("sha256:{hex}"))
}

impl DockerProbe {
    /// Image events between `since` and `until` (both in the past or present; the call returns once the
    /// engine has replayed up to `until`). The engine keeps only recent events, so use this for "since
    /// the step began" and [`DockerProbe::image_events`] to follow live.
    ///
    /// Podman 4.3 with its file event logger drops events when `until` is sent (its reader stops early
    /// once timestamps in the log go backwards, which `untag`/`remove` pairs do), so for Podman we ask
    /// with `since` only, cut at `until` ourselves, and stop once the replay has gone quiet.
    pub async fn events_since(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<ImageEvent>, ProbeError> {
        self.replay(since, until, "image", ImageEvent::from_message, |e| e.time)
            .await
    }

    /// Events of one `kind` (`image`, `container`) between `since` and `until`, each turned into `T` by
    /// `convert` (which drops the messages it has no use for). One replay for every kind, so Podman's
    /// workaround (see [`DockerProbe::events_since`]) is in one place.
    pub(super) async fn replay<T: Send + 'static>(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        kind: &str,
        convert: fn(bollard::models::EventMessage) -> Option<T>,
        time_of: fn(&T) -> DateTime<Utc>,
    ) -> Result<Vec<T>, ProbeError> {
        let wait = (until - Utc::now()).to_std().unwrap_or_default() + self.timeout;
        let stream = if self.podman {
            self.messages(Some(since), None, kind, convert).boxed()
        } else {
            self.messages(Some(since), Some(until), kind, convert)
                .boxed()
        };
        let podman = self.podman;
        let collect = async {
            let mut stream = stream;
            let mut events = Vec::new();
            loop {
                let next = if podman {
                    // The replay arrives in one burst; a quiet moment after `until` means it is over.
                    let until_then = (until - Utc::now()).to_std().unwrap_or_default();
                    match tokio::time::timeout(until_then + PODMAN_REPLAY_QUIET, stream.next())
                        .await
                    {
                        Ok(next) => next,
                        Err(_) => break,
                    }
                } else {
                    stream.next().await
                };
                match next {
                    Some(Ok(event)) if time_of(&event) > until => {
                        if podman {
                            break;
                        }
                    }
                    Some(Ok(event)) => events.push(event),
                    Some(Err(e)) => return Err(e),
                    None => break,
                }
            }
            Ok::<_, ProbeError>(events)
        };
        match tokio::time::timeout(wait, collect).await {
            Ok(result) => result,
            Err(_) => Err(ProbeError::Timeout {
                target: format!("{TARGET} at `{}`", self.endpoint.host),
                after: wait,
            }),
        }
    }

    /// A live stream of image events, starting at `since` when given (replaying what the engine still
    /// remembers) or now. It ends only when the engine goes away, with a final error item.
    pub fn image_events(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> impl Stream<Item = Result<ImageEvent, ProbeError>> + Send + 'static {
        self.events_stream(since, None)
    }

    fn events_stream(
        &self,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> impl Stream<Item = Result<ImageEvent, ProbeError>> + Send + 'static {
        self.messages(since, until, "image", ImageEvent::from_message)
    }

    /// The engine's events of one `kind`, turned into `T` by `convert`.
    fn messages<T: Send + 'static>(
        &self,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        kind: &str,
        convert: fn(bollard::models::EventMessage) -> Option<T>,
    ) -> impl Stream<Item = Result<T, ProbeError>> + Send + 'static {
        let options = EventsOptions {
            since: since.map(event_time),
            until: until.map(event_time),
            filters: Some(HashMap::from([(
                "type".to_string(),
                vec![kind.to_string()],
            )])),
        };
        let host = self.endpoint.host.clone();
        let timeout = self.timeout;
        self.docker.events(Some(options)).filter_map(move |item| {
            let out = match item {
                Ok(msg) => convert(msg).map(Ok),
                Err(e) => Some(Err(engine_error(e, &host, timeout))),
            };
            std::future::ready(out)
        })
    }
}

/// The engine's `since`/`until` format: seconds with a nanosecond fraction.
fn event_time(t: DateTime<Utc>) -> String {
    format!("{}.{:09}", t.timestamp(), t.timestamp_subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> Option<ImageEvent> {
        ImageEvent::from_message(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn event_messages_become_image_events() {
        const ID: &str = "07933a3120fb312eb0e5b77534b4ee9b7eda24d41516c9bc5e8ad9db67a5265e";
        // Shapes as dockerd 20.10 and Podman 4.3 send them (see the table on `ImageEvent`).
        let docker_tag = event(&format!(
            r#"{{"Type":"image","Action":"tag","Actor":{{"ID":"sha256:{ID}",
                "Attributes":{{"name":"alice/app:1.0"}}}},"scope":"local",
                "time":1700000000,"timeNano":1700000000123456789}}"#
        ))
        .unwrap();
        assert_eq!(docker_tag.action, ImageAction::Tag);
        assert_eq!(docker_tag.reference.as_deref(), Some("alice/app:1.0"));
        assert_eq!(docker_tag.image_id, Some(format!("sha256:{ID}")));
        assert_eq!(docker_tag.time.timestamp_subsec_nanos(), 123456789);
        assert!(docker_tag.is_about(&ImageRef::parse("docker.io/alice/app:1.0").unwrap()));
        assert!(!docker_tag.is_about(&ImageRef::parse("alice/app:2.0").unwrap()));

        let docker_push = event(
            r#"{"Type":"image","Action":"push","Actor":{"ID":"127.0.0.1:5000/x:1",
                "Attributes":{"name":"127.0.0.1:5000/x"}},"time":1}"#,
        )
        .unwrap();
        assert_eq!(docker_push.reference.as_deref(), Some("127.0.0.1:5000/x:1"));
        assert_eq!(docker_push.image_id, None);

        let docker_untag = event(&format!(
            r#"{{"Type":"image","Action":"untag","Actor":{{"ID":"sha256:{ID}",
                "Attributes":{{"name":"sha256:{ID}"}}}},"time":1}}"#
        ))
        .unwrap();
        assert_eq!(docker_untag.reference, None);

        let podman_push = event(&format!(
            r#"{{"Type":"image","Action":"push","Actor":{{"ID":"{ID}",
                "Attributes":{{"name":"127.0.0.1:5000/x:1","podId":""}}}},"time":1}}"#
        ))
        .unwrap();
        assert_eq!(podman_push.reference.as_deref(), Some("127.0.0.1:5000/x:1"));
        assert_eq!(podman_push.image_id, Some(format!("sha256:{ID}")));

        let podman_pull = event(
            r#"{"Type":"image","Action":"pull","Actor":{"ID":"",
                "Attributes":{"name":"127.0.0.1:5000/x:1"}},"time":1}"#,
        )
        .unwrap();
        assert_eq!(podman_pull.reference.as_deref(), Some("127.0.0.1:5000/x:1"));
        assert_eq!(
            event(r#"{"Type":"image","Action":"remove","time":1}"#)
                .unwrap()
                .action,
            ImageAction::Delete
        );

        assert!(event(r#"{"Type":"container","Action":"start","time":1}"#).is_none());
        assert_eq!(
            event_time(Utc.timestamp_nanos(1_700_000_000_000_000_001)),
            "1700000000.000000001"
        );
    }
}

//! Containers: which ran from an image since a moment, how they ended, and what they printed. Engines
//! forget removed containers (`docker run --rm`), so two sources are asked: container events (`start`,
//! `die` with its exit code, `destroy`, which Podman calls `remove`), which outlive the container but
//! not the engine's short event window, and the list of containers (`all`, then inspect), which still
//! has the ones not removed, however old their events are. `test-lesson` lists and removes the
//! containers its solutions made (`all_containers`, `remove_container`).
//!
//! `docker run NAME` records the name as the learner typed it in the container's `Config.Image` (and
//! in the events' `image` attribute) and the image ID in `.Image`, so a container is matched both ways
//! ([`ContainerInfo::is_from`]).

use bollard::models::{ContainerSummary, EventMessage};
use bollard::query_parameters::{
    InspectContainerOptions, ListContainersOptionsBuilder, LogsOptionsBuilder,
    RemoveContainerOptionsBuilder,
};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use super::error::{NotFoundOr, bounded, engine_error};
use super::events::{as_image_id, message_time};
use super::image::same_repository;
use super::{DockerProbe, TARGET};
use crate::probe::ProbeError;
use crate::probe::reference::ImageRef;

/// How much of a container's output is read at most: a greeting is a line, and a runaway program's
/// log must not be read whole.
pub const OUTPUT_LIMIT: usize = 64 * 1024;

/// What the engine says about one container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerInfo {
    /// The full container ID.
    pub id: String,
    /// Its name, without Docker's leading `/`.
    pub name: String,
    /// `Config.Image`: the image as `docker run` was given it (`alice/app:1.0`; Podman qualifies it:
    /// `docker.io/alice/app:1.0`).
    pub image: String,
    /// `.Image`: the image ID (`sha256:...`), when the engine says.
    pub image_id: Option<String>,
    /// Still running (then there is no exit code yet).
    pub running: bool,
    /// The exit code, once it stopped.
    pub exit_code: Option<i64>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl ContainerInfo {
    /// Did the container come from `wanted` (by the name it was run as) or from the image `image_id`?
    pub fn is_from(&self, wanted: &ImageRef, image_id: Option<&str>) -> bool {
        names_image(&self.image, wanted, image_id)
            || (image_id.is_some() && self.image_id.as_deref() == image_id)
    }
}

/// A container as the engine lists it: enough to tell which ones a command just made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerListed {
    pub id: String,
    /// Its names, without Docker's leading `/`.
    pub names: Vec<String>,
    /// The image as it was run (the name as given; Podman qualifies it), or its ID.
    pub image: String,
}

impl ContainerListed {
    /// Does `word` (of a `docker run` line) name this container, or the image it was run from?
    pub fn is_named_by(&self, word: &str) -> bool {
        if self.names.iter().any(|n| n == word) || self.image == word {
            return true;
        }
        match (ImageRef::parse(&self.image), ImageRef::parse(word)) {
            (Ok(given), Ok(wanted)) => {
                given.tag() == wanted.tag()
                    && given.digest() == wanted.digest()
                    && same_repository(&given, &wanted)
            }
            _ => false,
        }
    }
}

/// What happened to a container, as far as [`ContainerEvent`]s tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerAction {
    Start,
    /// It stopped; the event carries its exit code.
    Die,
    /// It was removed (`destroy`; Podman says `remove`): its logs are gone with it.
    Destroy,
    Other(String),
}

/// One container event, trimmed to what checks use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerEvent {
    pub action: ContainerAction,
    /// The container ID (Actor.ID).
    pub id: String,
    /// The image as the container was run from (the `image` attribute: the name as given, or an ID).
    pub image: Option<String>,
    /// The container's name.
    pub name: Option<String>,
    /// The exit code, on `die` (Docker's `exitCode`; Podman sends it too, and a `containerExitCode`
    /// on every event, which means nothing before `die`).
    pub exit_code: Option<i64>,
    pub time: DateTime<Utc>,
}

impl ContainerEvent {
    fn from_message(msg: EventMessage) -> Option<ContainerEvent> {
        if msg.typ != Some(bollard::models::EventMessageTypeEnum::CONTAINER) {
            return None;
        }
        let time = message_time(&msg)?;
        let actor = msg.actor.unwrap_or_default();
        let mut attributes = actor.attributes.unwrap_or_default();
        let action = match msg.action.as_deref().unwrap_or_default() {
            "start" => ContainerAction::Start,
            "die" => ContainerAction::Die,
            "destroy" | "remove" => ContainerAction::Destroy,
            other => ContainerAction::Other(other.to_string()),
        };
        let exit_code = match action {
            ContainerAction::Die => attributes
                .get("exitCode")
                .or(attributes.get("containerExitCode"))
                .and_then(|c| c.parse().ok()),
            _ => None,
        };
        Some(ContainerEvent {
            action,
            id: actor.id.filter(|i| !i.is_empty())?,
            image: attributes.remove("image").filter(|i| !i.is_empty()),
            name: attributes.remove("name").filter(|n| !n.is_empty()),
            exit_code,
            time,
        })
    }

    /// Was the container run from `wanted` (by name) or from the image `image_id`?
    pub fn is_from(&self, wanted: &ImageRef, image_id: Option<&str>) -> bool {
        self.image
            .as_deref()
            .is_some_and(|given| names_image(given, wanted, image_id))
    }
}

/// Does `given` (a name as typed, or an image ID) name `wanted`, or the image `image_id`?
fn names_image(given: &str, wanted: &ImageRef, image_id: Option<&str>) -> bool {
    if let Some(id) = as_image_id(given) {
        return image_id == Some(id.as_str());
    }
    ImageRef::parse(given).is_ok_and(|r| r.tag() == wanted.tag() && same_repository(&r, wanted))
}

impl DockerProbe {
    /// Container events between `since` and `until` (see [`DockerProbe::events_since`]).
    pub async fn container_events_since(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<ContainerEvent>, ProbeError> {
        self.replay(
            since,
            until,
            "container",
            ContainerEvent::from_message,
            |e| e.time,
        )
        .await
    }

    /// Every container the engine has, running or not (`docker ps -a`).
    pub async fn all_containers(&self) -> Result<Vec<ContainerListed>, ProbeError> {
        Ok(self
            .list_all()
            .await?
            .into_iter()
            .filter_map(|c| {
                Some(ContainerListed {
                    id: c.id?,
                    names: c
                        .names
                        .unwrap_or_default()
                        .iter()
                        .map(|n| n.trim_start_matches('/').to_string())
                        .collect(),
                    image: c.image.unwrap_or_default(),
                })
            })
            .collect())
    }

    /// `GET /containers/json?all=true`, as the engine lists them.
    async fn list_all(&self) -> Result<Vec<ContainerSummary>, ProbeError> {
        let options = ListContainersOptionsBuilder::default().all(true).build();
        Ok(bounded(
            self.timeout,
            &self.endpoint.host,
            self.docker.list_containers(Some(options)),
        )
        .await?)
    }

    /// `docker rm --force --volumes ID`: `false` when there was no such container (any more).
    pub async fn remove_container(&self, id: &str) -> Result<bool, ProbeError> {
        check_id(id)?;
        let options = RemoveContainerOptionsBuilder::default()
            .force(true)
            .v(true)
            .build();
        match bounded(
            self.timeout,
            &self.endpoint.host,
            self.docker.remove_container(id, Some(options)),
        )
        .await
        {
            Ok(()) => Ok(true),
            Err(NotFoundOr::NotFound) => Ok(false),
            Err(NotFoundOr::Error(e)) => Err(e),
        }
    }

    /// Every container the engine still has (running or not) that came from `wanted` or from the image
    /// `image_id`, inspected.
    pub async fn containers_from(
        &self,
        wanted: &ImageRef,
        image_id: Option<&str>,
    ) -> Result<Vec<ContainerInfo>, ProbeError> {
        let list = self.list_all().await?;
        let mut out = Vec::new();
        for summary in list {
            // The list's `Image` is the name as given (Podman shortens it), or the ID once that name
            // went to another image; `ImageID` is the ID. Inspect only the likely ones.
            let named = summary
                .image
                .as_deref()
                .is_some_and(|given| names_image(given, wanted, image_id));
            let by_id = image_id.is_some()
                && summary.image_id.as_deref().and_then(as_image_id).as_deref() == image_id;
            let Some(id) = summary.id.filter(|_| named || by_id) else {
                continue;
            };
            if let Some(info) = self.inspect_container(&id).await? {
                out.push(info);
            }
        }
        Ok(out)
    }

    /// `docker container inspect ID`: `None` when there is no such container (any more).
    pub async fn inspect_container(&self, id: &str) -> Result<Option<ContainerInfo>, ProbeError> {
        check_id(id)?;
        let inspected = match bounded(
            self.timeout,
            &self.endpoint.host,
            self.docker
                .inspect_container(id, None::<InspectContainerOptions>),
        )
        .await
        {
            Ok(c) => c,
            Err(NotFoundOr::NotFound) => return Ok(None),
            Err(NotFoundOr::Error(e)) => return Err(e),
        };
        let state = inspected.state.unwrap_or_default();
        let running = state.running.unwrap_or(false);
        Ok(Some(ContainerInfo {
            id: inspected.id.unwrap_or_else(|| id.to_string()),
            name: inspected
                .name
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string(),
            image: inspected.config.and_then(|c| c.image).unwrap_or_default(),
            image_id: inspected.image.as_deref().and_then(as_image_id),
            running,
            exit_code: if running { None } else { state.exit_code },
            started_at: state.started_at.as_deref().and_then(container_time),
            finished_at: state.finished_at.as_deref().and_then(container_time),
        }))
    }

    /// What the container printed (stdout and stderr, interleaved as the engine stored them), at most
    /// [`OUTPUT_LIMIT`] bytes, invalid UTF-8 replaced. `None` when the container is gone.
    pub async fn container_output(&self, id: &str) -> Result<Option<String>, ProbeError> {
        check_id(id)?;
        let options = LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .build();
        let host = self.endpoint.host.clone();
        let timeout = self.timeout;
        let read = async {
            let mut stream = self.docker.logs(id, Some(options));
            let mut bytes = Vec::new();
            while let Some(item) = stream.next().await {
                match item {
                    Ok(chunk) => {
                        bytes.extend_from_slice(&chunk.into_bytes());
                        if bytes.len() >= OUTPUT_LIMIT {
                            bytes.truncate(OUTPUT_LIMIT);
                            break;
                        }
                    }
                    Err(bollard::errors::Error::DockerResponseServerError {
                        status_code: 404,
                        ..
                    }) => return Ok(None),
                    Err(e) => return Err(engine_error(e, &host, timeout)),
                }
            }
            Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
        };
        match tokio::time::timeout(timeout, read).await {
            Ok(result) => result,
            Err(_) => Err(ProbeError::Timeout {
                target: format!("{TARGET} at `{}`", self.endpoint.host),
                after: timeout,
            }),
        }
    }
}

/// Container IDs and names go into URL paths; they never need more than this.
fn check_id(id: &str) -> Result<(), ProbeError> {
    let plain = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    if plain {
        Ok(())
    } else {
        Err(ProbeError::Protocol {
            target: TARGET.to_string(),
            reason: format!("`{}` is not a container ID or name", id.escape_debug()),
        })
    }
}

/// Docker's container times; a container never started says `0001-01-01T00:00:00Z`.
fn container_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| t.timestamp() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> Option<ContainerEvent> {
        ContainerEvent::from_message(serde_json::from_str(json).unwrap())
    }

    const ID: &str = "2ce979a4e27203d24e9d0601929ab7292e380a842b90cf837d5be080d751d636";

    #[test]
    fn container_events_from_docker_and_podman() {
        // As dockerd 20.10 sends them.
        let die = event(
            r#"{"status":"die","id":"d658","Type":"container","Action":"die","Actor":{"ID":"d658",
                "Attributes":{"exitCode":"3","image":"lrtest-greeter:1","name":"angry"}},
                "scope":"local","time":1796115962,"timeNano":1796115962217904262}"#,
        )
        .unwrap();
        assert_eq!(die.action, ContainerAction::Die);
        assert_eq!(die.exit_code, Some(3));
        assert_eq!(die.name.as_deref(), Some("angry"));
        let wanted = ImageRef::parse("lrtest-greeter:1").unwrap();
        assert!(die.is_from(&wanted, None));
        assert!(!die.is_from(&wanted.with_tag("2").unwrap(), None));

        // Podman 4.3: `remove` for destroy, and `containerExitCode` on every event.
        let created = event(
            r#"{"Type":"container","Action":"create","Actor":{"ID":"e612",
                "Attributes":{"containerExitCode":"0","image":"docker.io/library/lrtest-greeter:1"}},
                "time":1796115970}"#,
        )
        .unwrap();
        assert_eq!(created.exit_code, None, "only `die` says how it ended");
        assert!(created.is_from(&wanted, None), "Podman qualifies the name");
        let removed = event(
            r#"{"Type":"container","Action":"remove","Actor":{"ID":"e612","Attributes":{}},
                "time":1796115971}"#,
        )
        .unwrap();
        assert_eq!(removed.action, ContainerAction::Destroy);

        // Run by image ID: matches that image only.
        let by_id = event(&format!(
            r#"{{"Type":"container","Action":"start","Actor":{{"ID":"f1",
                "Attributes":{{"image":"sha256:{ID}"}}}},"time":1}}"#
        ))
        .unwrap();
        assert!(by_id.is_from(&wanted, Some(&format!("sha256:{ID}"))));
        assert!(!by_id.is_from(&wanted, None));

        assert!(event(r#"{"Type":"image","Action":"pull","time":1}"#).is_none());
    }

    #[test]
    fn a_container_matches_by_name_as_run_or_by_image_id() {
        let info = ContainerInfo {
            id: "c1".into(),
            name: "c1".into(),
            image: "127.0.0.1:5000/bob/app:1.0".into(),
            image_id: Some(format!("sha256:{ID}")),
            running: false,
            exit_code: Some(0),
            started_at: None,
            finished_at: None,
        };
        let wanted = ImageRef::parse("127.0.0.1:5000/bob/app:1.0").unwrap();
        assert!(info.is_from(&wanted, None));
        let other = ImageRef::parse("127.0.0.1:5000/alice/app:1.0").unwrap();
        assert!(!info.is_from(&other, None));
        assert!(info.is_from(&other, Some(&format!("sha256:{ID}"))));
        assert!(check_id("../x").is_err() && check_id("abc_1.x-y").is_ok());
        assert_eq!(container_time("0001-01-01T00:00:00Z"), None);
    }
}

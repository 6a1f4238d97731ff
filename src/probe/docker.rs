//! The Docker Engine, through bollard: is it up, what images does it have, and what did the learner just
//! do (image events). We find the engine the way the `docker` CLI does — `DOCKER_HOST`, else the
//! `DOCKER_CONTEXT` or config.json `currentContext` context's endpoint, else the default socket — so the
//! tutor watches the same engine the learner types at, whether that is Docker from Debian (20.10, API
//! 1.41), a current Docker, or Podman's Docker-compatible service. The API version is always negotiated,
//! since bollard's default is newer than those engines accept. Every call is bounded by a timeout and a
//! missing socket or refused connection is reported as [`ProbeError::Unavailable`] at once, so a stopped
//! engine turns into "could not verify" rather than a hang.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bollard::errors::Error as BollardError;
use bollard::query_parameters::{EventsOptions, ListImagesOptions};
use chrono::{DateTime, TimeZone, Utc};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::ProbeError;
use super::docker_config::DockerConfig;
use super::error::error_chain;
use super::reference::ImageRef;

/// Where the default engine listens when nothing says otherwise.
pub const DEFAULT_DOCKER_HOST: &str = "unix:///var/run/docker.sock";
/// How long one Engine API call may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

const TARGET: &str = "the Docker Engine";

/// Where the engine address came from, for messages like "DOCKER_HOST points at ...".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointSource {
    /// The `DOCKER_HOST` environment variable.
    DockerHost,
    /// A Docker context, by name (from `DOCKER_CONTEXT` or config.json `currentContext`).
    Context(String),
    /// Nothing was set: the default socket.
    Default,
    /// The caller named it.
    Explicit,
}

/// The engine address and why we use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix:///path/docker.sock` or `tcp://host:port`.
    pub host: String,
    pub source: EndpointSource,
}

impl Endpoint {
    /// Resolve the engine address from the environment and Docker's config the way the CLI does.
    pub fn resolve() -> Result<Endpoint, ProbeError> {
        Endpoint::resolve_with(
            |name| std::env::var(name).ok(),
            &DockerConfig::default_dir(),
        )
    }

    /// [`Endpoint::resolve`] with the environment and config folder given: `DOCKER_HOST`, else the
    /// context named by `DOCKER_CONTEXT` or `currentContext` in `config_dir/config.json`, else the
    /// default socket. Context `default` means the default socket, as for the CLI.
    pub fn resolve_with(
        env: impl Fn(&str) -> Option<String>,
        config_dir: &Path,
    ) -> Result<Endpoint, ProbeError> {
        let env = |name: &str| env(name).filter(|v| !v.is_empty());
        if let Some(host) = env("DOCKER_HOST") {
            return Ok(Endpoint {
                host,
                source: EndpointSource::DockerHost,
            });
        }
        let context = match env("DOCKER_CONTEXT") {
            Some(name) => Some(name),
            None => DockerConfig::load_from_dir(config_dir)?
                .current_context()
                .map(str::to_string),
        };
        match context {
            Some(name) if name != "default" => {
                let host = context_host(config_dir, &name)?;
                Ok(Endpoint {
                    host,
                    source: EndpointSource::Context(name),
                })
            }
            _ => Ok(Endpoint {
                host: DEFAULT_DOCKER_HOST.to_string(),
                source: EndpointSource::Default,
            }),
        }
    }
}

/// The Docker endpoint of a named context: `CONFIG/contexts/meta/<sha256(name)>/meta.json`,
/// `Endpoints.docker.Host`.
pub fn context_host(config_dir: &Path, name: &str) -> Result<String, ProbeError> {
    #[derive(Deserialize)]
    struct Meta {
        #[serde(rename = "Endpoints", default)]
        endpoints: HashMap<String, MetaEndpoint>,
    }
    #[derive(Deserialize)]
    struct MetaEndpoint {
        #[serde(rename = "Host", default)]
        host: Option<String>,
    }
    let path: PathBuf = config_dir
        .join("contexts")
        .join("meta")
        .join(hex::encode(Sha256::digest(name.as_bytes())))
        .join("meta.json");
    let config_error = |reason: String| ProbeError::Config {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| config_error(format!("Docker context `{name}` cannot be read: {e}")))?;
    let meta: Meta = serde_json::from_str(&text).map_err(|e| config_error(e.to_string()))?;
    meta.endpoints
        .get("docker")
        .and_then(|e| e.host.clone())
        .filter(|h| !h.is_empty())
        .ok_or_else(|| config_error(format!("Docker context `{name}` has no docker endpoint")))
}

/// What `docker version` says about the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineInfo {
    /// The engine's version, e.g. `20.10.24+dfsg1` or `4.3.1` for Podman.
    pub version: String,
    /// The newest API version the engine speaks, e.g. `1.41`.
    pub api_version: String,
    /// The API version we use after negotiation.
    pub negotiated_api_version: String,
    pub min_api_version: Option<String>,
    pub os: Option<String>,
    pub arch: Option<String>,
    pub kernel_version: Option<String>,
    /// The platform name, e.g. `Docker Engine - Community` or `Podman Engine`.
    pub platform: Option<String>,
    /// True when the engine is Podman's Docker-compatible service.
    pub is_podman: bool,
}

/// What the engine knows about one local image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// `sha256:...`: the config digest with the classic store, the manifest digest with containerd.
    pub id: String,
    /// Names as the engine prints them: `my-app:latest`, `localhost:5000/app:1.0` (Podman fully qualifies:
    /// `localhost/my-app:latest`, `docker.io/alice/app:1.0`).
    pub repo_tags: Vec<String>,
    /// `name@sha256:...` for every registry the image was pushed to or pulled from.
    pub repo_digests: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    pub size: Option<i64>,
    pub architecture: Option<String>,
    pub os: Option<String>,
}

impl ImageInfo {
    /// Does the image carry the name `reference` (repository and tag)? Compares normalized forms, so
    /// `alice/app:1.0` and `docker.io/alice/app:1.0` match. Podman names images it built or loaded under a
    /// short name `localhost/NAME`, and resolves the short name to that first; such a tag matches
    /// `NAME` (that is, `docker.io/library/NAME` or `docker.io/NAME`) too.
    pub fn has_tag(&self, reference: &ImageRef) -> bool {
        self.repo_tags.iter().any(|t| {
            ImageRef::parse(t)
                .is_ok_and(|r| r.tag() == reference.tag() && same_repository(&r, reference))
        })
    }

    /// The digests the image has in `reference`'s repository (from RepoDigests): where it was pushed to
    /// or pulled from. Docker lists one per repository; Podman may list several (one per manifest format
    /// it has pushed), so compare a registry digest with `contains`, not with the first.
    pub fn repo_digests_for(&self, reference: &ImageRef) -> Vec<String> {
        self.repo_digests
            .iter()
            .filter_map(|entry| {
                let parsed = ImageRef::parse(entry).ok()?;
                if parsed.registry() == reference.registry()
                    && parsed.repository() == reference.repository()
                {
                    parsed.digest().map(str::to_string)
                } else {
                    None
                }
            })
            .collect()
    }
}

/// Same registry and repository, counting Podman's `localhost/NAME` as the short name `NAME`.
fn same_repository(local: &ImageRef, wanted: &ImageRef) -> bool {
    if local.registry() == wanted.registry() && local.repository() == wanted.repository() {
        return true;
    }
    local.registry() == "localhost"
        && wanted.is_docker_hub()
        && (wanted.repository() == local.repository()
            || wanted.repository().strip_prefix("library/") == Some(local.repository()))
}

/// The kind of image event.
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
        let actor = msg.actor.unwrap_or_default();
        let time = match (msg.time_nano, msg.time) {
            (Some(nanos), _) if nanos > 0 => Utc.timestamp_nanos(nanos),
            (_, Some(secs)) => Utc.timestamp_opt(secs, 0).single()?,
            _ => return None,
        };
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

/// `sha256:<hex>` for an image ID in either spelling (Docker's prefixed, Podman's bare 64 hex).
fn as_image_id(text: &str) -> Option<String> {
    let hex = text.strip_prefix("sha256:").unwrap_or(text);
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| format!("sha256:{hex}"))
}

/// A connection to one Docker Engine (or Podman's Docker API) with a negotiated API version.
#[derive(Debug, Clone)]
pub struct DockerProbe {
    docker: bollard::Docker,
    endpoint: Endpoint,
    timeout: Duration,
    /// Podman's compat API needs a workaround for replaying events (see `events_since`).
    podman: bool,
}

impl DockerProbe {
    /// Connect to the engine the `docker` CLI would use and negotiate the API version.
    pub async fn connect() -> Result<DockerProbe, ProbeError> {
        DockerProbe::connect_endpoint(Endpoint::resolve()?, DEFAULT_TIMEOUT).await
    }

    /// Connect to `host` (`unix:///path` or `tcp://host:port`) and negotiate the API version.
    pub async fn connect_to(host: &str) -> Result<DockerProbe, ProbeError> {
        let endpoint = Endpoint {
            host: host.to_string(),
            source: EndpointSource::Explicit,
        };
        DockerProbe::connect_endpoint(endpoint, DEFAULT_TIMEOUT).await
    }

    /// Connect to `endpoint`, bounding every call by `timeout`.
    pub async fn connect_endpoint(
        endpoint: Endpoint,
        timeout: Duration,
    ) -> Result<DockerProbe, ProbeError> {
        let secs = timeout.as_secs().max(1);
        let version = bollard::API_DEFAULT_VERSION;
        let host = endpoint.host.as_str();
        let docker = if let Some(path) = host.strip_prefix("unix://") {
            bollard::Docker::connect_with_unix(path, secs, version)
        } else if host.starts_with("tcp://") || host.starts_with("http://") {
            bollard::Docker::connect_with_http(host, secs, version)
        } else if host.starts_with('/') {
            bollard::Docker::connect_with_unix(host, secs, version)
        } else {
            return Err(ProbeError::Config {
                path: match &endpoint.source {
                    EndpointSource::Context(name) => format!("Docker context `{name}`"),
                    _ => "DOCKER_HOST".to_string(),
                },
                reason: format!(
                    "engine address `{host}` is not supported (use unix:// or tcp:// without TLS)"
                ),
            });
        }
        .map_err(|e| engine_error(e, &endpoint.host, timeout))?;
        let docker = bounded(timeout, &endpoint.host, docker.negotiate_version()).await?;
        let version = bounded(timeout, &endpoint.host, docker.version()).await?;
        Ok(DockerProbe {
            podman: is_podman(&version),
            docker,
            endpoint,
            timeout,
        })
    }

    /// The address in use and where it came from.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// `_ping`, then `version`: proves the engine answers and says which one it is.
    pub async fn ping(&self) -> Result<EngineInfo, ProbeError> {
        let host = &self.endpoint.host;
        bounded(self.timeout, host, self.docker.ping()).await?;
        let v = bounded(self.timeout, host, self.docker.version()).await?;
        let is_podman = is_podman(&v);
        let platform = v.platform.map(|p| p.name).filter(|n| !n.is_empty());
        let negotiated = self.docker.client_version();
        Ok(EngineInfo {
            version: v.version.unwrap_or_default(),
            api_version: v.api_version.unwrap_or_default(),
            negotiated_api_version: negotiated.to_string(),
            min_api_version: v.min_api_version,
            os: v.os,
            arch: v.arch,
            kernel_version: v.kernel_version,
            platform,
            is_podman,
        })
    }

    /// Build an image from files given in memory (a Dockerfile and what it copies), offline: the
    /// Dockerfile must only use `FROM scratch` or images already present. Returns the new image's ID.
    /// Works with Docker's classic builder and Podman's compatible `/build`.
    pub async fn build_image(
        &self,
        tag: &str,
        files: &std::collections::BTreeMap<String, String>,
    ) -> Result<String, ProbeError> {
        let context = build_context(files).map_err(|e| ProbeError::Protocol {
            target: TARGET.to_string(),
            reason: format!("cannot pack the build context: {e}"),
        })?;
        let options = bollard::query_parameters::BuildImageOptionsBuilder::default()
            .t(tag)
            .dockerfile("Dockerfile")
            .rm(true)
            .forcerm(true)
            .build();
        let host = self.endpoint.host.clone();
        // A build takes longer than a query; give it a generous but finite time.
        let limit = self.timeout.max(Duration::from_secs(120));
        let run = async {
            let mut stream =
                self.docker
                    .build_image(options, None, Some(bollard::body_full(context.into())));
            let mut id = None;
            let mut log = String::new();
            while let Some(item) = stream.next().await {
                // bollard turns the engine's `errorDetail` line into a stream error: that is the
                // build failing (a bad Dockerfile, a missing file), not the engine misbehaving.
                let info = item.map_err(|e| match e {
                    BollardError::DockerStreamError { error } => ProbeError::Protocol {
                        target: format!("{TARGET} at `{host}`"),
                        reason: format!("the build of `{tag}` failed: {}", error.trim()),
                    },
                    e => engine_error(e, &host, limit),
                })?;
                if let Some(line) = &info.stream {
                    log.push_str(line);
                }
                if let Some(aux) = info.aux.as_ref().and_then(|a| a.id.clone()) {
                    id = Some(aux);
                }
                if let Some(detail) = info.error_detail.and_then(|d| d.message) {
                    return Err(ProbeError::Protocol {
                        target: format!("{TARGET} at `{host}`"),
                        reason: format!("build of `{tag}` failed: {detail}"),
                    });
                }
            }
            Ok::<_, ProbeError>((id, log))
        };
        let (id, _log) =
            tokio::time::timeout(limit, run)
                .await
                .map_err(|_| ProbeError::Timeout {
                    target: format!("{TARGET} at `{host}`"),
                    after: limit,
                })??;
        match id {
            Some(id) => Ok(id),
            // Older engines report the ID only in the log; ask for the tag instead.
            None => {
                self.inspect_image(tag)
                    .await?
                    .map(|i| i.id)
                    .ok_or_else(|| ProbeError::Protocol {
                        target: format!("{TARGET} at `{host}`"),
                        reason: format!("the build of `{tag}` ended without an image"),
                    })
            }
        }
    }

    /// `docker rmi NAME` (untag; the image goes when its last name does). `false` when there was no such
    /// image.
    pub async fn remove_image(&self, name: &str) -> Result<bool, ProbeError> {
        let options = bollard::query_parameters::RemoveImageOptionsBuilder::default()
            .force(true)
            .build();
        match bounded(
            self.timeout,
            &self.endpoint.host,
            self.docker.remove_image(name, Some(options), None),
        )
        .await
        {
            Ok(_) => Ok(true),
            Err(NotFoundOr::NotFound) => Ok(false),
            Err(NotFoundOr::Error(e)) => Err(e),
        }
    }

    /// `docker image inspect NAME`: `None` when the engine has no such image.
    pub async fn inspect_image(&self, name: &str) -> Result<Option<ImageInfo>, ProbeError> {
        // The name goes into the URL path; names, IDs and digests never need anything else.
        let plain = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-:/@".contains(&b));
        if !plain || name.contains("..") {
            return Err(ProbeError::InvalidReference {
                reference: name.to_string(),
                reason: "not an image name, ID or digest".into(),
            });
        }
        match bounded(
            self.timeout,
            &self.endpoint.host,
            self.docker.inspect_image(name),
        )
        .await
        {
            Ok(image) => Ok(Some(ImageInfo {
                id: image.id.unwrap_or_default(),
                repo_tags: image.repo_tags.unwrap_or_default(),
                repo_digests: image.repo_digests.unwrap_or_default(),
                created: image.created.as_deref().and_then(parse_time),
                size: image.size,
                architecture: image.architecture,
                os: image.os,
            })),
            Err(NotFoundOr::NotFound) => Ok(None),
            Err(NotFoundOr::Error(e)) => Err(e),
        }
    }

    /// `docker image ls`: every tagged or untagged top-level image.
    pub async fn list_images(&self) -> Result<Vec<ImageInfo>, ProbeError> {
        let images = bounded(
            self.timeout,
            &self.endpoint.host,
            self.docker.list_images(Some(ListImagesOptions::default())),
        )
        .await?;
        Ok(images
            .into_iter()
            .map(|s| ImageInfo {
                id: s.id,
                repo_tags: s
                    .repo_tags
                    .into_iter()
                    .filter(|t| t != "<none>:<none>")
                    .collect(),
                repo_digests: s
                    .repo_digests
                    .into_iter()
                    .filter(|d| d != "<none>@<none>")
                    .collect(),
                created: Utc.timestamp_opt(s.created, 0).single(),
                size: Some(s.size),
                architecture: None,
                os: None,
            })
            .collect())
    }

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
        let wait = (until - Utc::now()).to_std().unwrap_or_default() + self.timeout;
        let stream = if self.podman {
            self.events_stream(Some(since), None).boxed()
        } else {
            self.events_stream(Some(since), Some(until)).boxed()
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
                    Some(Ok(event)) if event.time > until => {
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

    /// True when the engine is Podman's Docker-compatible service.
    pub fn is_podman(&self) -> bool {
        self.podman
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
        let options = EventsOptions {
            since: since.map(event_time),
            until: until.map(event_time),
            filters: Some(HashMap::from([(
                "type".to_string(),
                vec!["image".to_string()],
            )])),
        };
        let host = self.endpoint.host.clone();
        let timeout = self.timeout;
        self.docker.events(Some(options)).filter_map(move |item| {
            let out = match item {
                Ok(msg) => ImageEvent::from_message(msg).map(Ok),
                Err(e) => Some(Err(engine_error(e, &host, timeout))),
            };
            std::future::ready(out)
        })
    }
}

/// How long a Podman event replay may pause before we take it as finished.
const PODMAN_REPLAY_QUIET: Duration = Duration::from_millis(500);

/// Podman says so in its components (its platform name is the OS, e.g. `linux/amd64/debian-12`).
fn is_podman(version: &bollard::models::SystemVersion) -> bool {
    let platform = version.platform.as_ref().map(|p| p.name.as_str());
    platform.is_some_and(|p| p.contains("Podman"))
        || version
            .components
            .iter()
            .flatten()
            .any(|c| c.name.contains("Podman"))
}

/// The engine's `since`/`until` format: seconds with a nanosecond fraction.
fn event_time(t: DateTime<Utc>) -> String {
    format!("{}.{:09}", t.timestamp(), t.timestamp_subsec_nanos())
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
        // Images built FROM scratch without a date carry the zero time; that is no date at all.
        .filter(|t| t.timestamp() > 0)
}

/// A tar archive of in-memory files, as `/build` wants its context.
fn build_context(files: &std::collections::BTreeMap<String, String>) -> std::io::Result<Vec<u8>> {
    let mut archive = tar::Builder::new(Vec::new());
    for (name, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        archive.append_data(&mut header, name, content.as_bytes())?;
    }
    archive.into_inner()
}

enum NotFoundOr {
    NotFound,
    Error(ProbeError),
}

impl From<NotFoundOr> for ProbeError {
    fn from(value: NotFoundOr) -> Self {
        match value {
            NotFoundOr::NotFound => ProbeError::Protocol {
                target: TARGET.to_string(),
                reason: "404 not found".into(),
            },
            NotFoundOr::Error(e) => e,
        }
    }
}

/// Run a bollard call under our timeout (bollard's own covers only the response headers), telling a 404
/// apart from other failures.
async fn bounded<T>(
    timeout: Duration,
    host: &str,
    call: impl std::future::Future<Output = Result<T, BollardError>>,
) -> Result<T, NotFoundOr> {
    match tokio::time::timeout(timeout, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(BollardError::DockerResponseServerError {
            status_code: 404, ..
        })) => Err(NotFoundOr::NotFound),
        Ok(Err(e)) => Err(NotFoundOr::Error(engine_error(e, host, timeout))),
        Err(_) => Err(NotFoundOr::Error(ProbeError::Timeout {
            target: format!("{TARGET} at `{host}`"),
            after: timeout,
        })),
    }
}

/// Sort bollard's errors into "could not verify" (engine down, refused, timeout, 5xx) and the rest.
fn engine_error(error: BollardError, host: &str, timeout: Duration) -> ProbeError {
    let target = format!("{TARGET} at `{host}`");
    match error {
        BollardError::SocketNotFoundError(path) => ProbeError::Unavailable {
            target,
            reason: format!("socket `{path}` does not exist; is the engine running?"),
        },
        BollardError::RequestTimeoutError => ProbeError::Timeout {
            target,
            after: timeout,
        },
        BollardError::DockerResponseServerError {
            status_code,
            message,
        } if status_code >= 500 => ProbeError::Unavailable {
            target,
            reason: format!("{status_code}: {message}"),
        },
        BollardError::DockerResponseServerError {
            status_code,
            message,
        } => ProbeError::Protocol {
            target,
            reason: format!("{status_code}: {message}"),
        },
        e @ (BollardError::HyperLegacyError { .. }
        | BollardError::HyperResponseError { .. }
        | BollardError::IOError { .. }) => ProbeError::Unavailable {
            target,
            reason: error_chain(&e),
        },
        other => ProbeError::Protocol {
            target,
            reason: error_chain(&other),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_endpoint_is_read_from_meta_json() {
        let dir = tempfile::tempdir().unwrap();
        let name = "lab";
        let meta_dir = dir
            .path()
            .join("contexts/meta")
            .join(hex::encode(Sha256::digest(name)));
        std::fs::create_dir_all(&meta_dir).unwrap();
        std::fs::write(
            meta_dir.join("meta.json"),
            r#"{"Name":"lab","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///tmp/lab.sock","SkipTLSVerify":false}}}"#,
        )
        .unwrap();
        assert_eq!(
            context_host(dir.path(), name).unwrap(),
            "unix:///tmp/lab.sock"
        );
        let err = context_host(dir.path(), "missing").unwrap_err();
        assert!(err.to_string().contains("`missing`"), "{err}");

        // DOCKER_HOST wins, then DOCKER_CONTEXT, then currentContext, then the default socket.
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"currentContext": "lab"}"#,
        )
        .unwrap();
        let no_env = |_: &str| None;
        let resolved = Endpoint::resolve_with(no_env, dir.path()).unwrap();
        assert_eq!(resolved.host, "unix:///tmp/lab.sock");
        assert_eq!(resolved.source, EndpointSource::Context("lab".into()));
        let host_env = |name: &str| (name == "DOCKER_HOST").then(|| "tcp://127.0.0.1:2375".into());
        let resolved = Endpoint::resolve_with(host_env, dir.path()).unwrap();
        assert_eq!(
            (resolved.host.as_str(), resolved.source),
            ("tcp://127.0.0.1:2375", EndpointSource::DockerHost)
        );
        let default_ctx = |name: &str| (name == "DOCKER_CONTEXT").then(|| "default".into());
        let resolved = Endpoint::resolve_with(default_ctx, dir.path()).unwrap();
        assert_eq!(resolved.host, DEFAULT_DOCKER_HOST);
        let empty = tempfile::tempdir().unwrap();
        let resolved = Endpoint::resolve_with(no_env, empty.path()).unwrap();
        assert_eq!(resolved.source, EndpointSource::Default);
    }

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

    #[test]
    fn repo_digests_match_by_normalized_name() {
        let info = ImageInfo {
            id: "sha256:1".into(),
            repo_tags: vec!["alice/app:1.0".into(), "localhost/my-app:latest".into()],
            repo_digests: vec![
                "alice/app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                    .into(),
                "localhost:5000/app@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
                    .into(),
            ],
            created: None,
            size: None,
            architecture: None,
            os: None,
        };
        let hub = ImageRef::parse("docker.io/alice/app:1.0").unwrap();
        assert!(info.has_tag(&hub));
        assert!(!info.has_tag(&hub.with_tag("2.0").unwrap()));
        assert!(
            info.has_tag(&ImageRef::parse("my-app").unwrap()),
            "Podman's localhost/my-app is the short name my-app"
        );
        assert!(!info.has_tag(&ImageRef::parse("localhost:5000/my-app").unwrap()));
        assert_eq!(
            info.repo_digests_for(&hub),
            ["sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]
        );
        let lab = ImageRef::parse("localhost:5000/app:2.0").unwrap();
        assert!(info.repo_digests_for(&lab)[0].ends_with("bbbb"));
        assert!(
            info.repo_digests_for(&ImageRef::parse("127.0.0.1:5000/app").unwrap())
                .is_empty()
        );
    }

    #[tokio::test]
    async fn a_missing_socket_is_unavailable_at_once() {
        let started = std::time::Instant::now();
        let err = DockerProbe::connect_to("unix:///nonexistent/docker.sock")
            .await
            .unwrap_err();
        assert!(err.is_unverifiable(), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2));
        let err = DockerProbe::connect_to("ssh://host").await.unwrap_err();
        assert!(!err.is_unverifiable(), "{err}");
    }

    #[tokio::test]
    async fn a_refused_connection_is_unavailable() {
        // Bind then drop, so the port is (almost certainly) closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = DockerProbe::connect_to(&format!("tcp://127.0.0.1:{port}"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, ProbeError::Unavailable { .. }),
            "refused should be unavailable: {err:?}"
        );
    }
}

//! The connection to one engine and its calls (ping, build, inspect, list, remove), each bounded by the
//! probe's timeout.

use std::time::Duration;

use bollard::errors::Error as BollardError;
use bollard::query_parameters::ListImagesOptions;
use chrono::{DateTime, TimeZone, Utc};
use futures_util::StreamExt;

use super::error::{NotFoundOr, bounded, engine_error};
use super::{DEFAULT_TIMEOUT, Endpoint, EndpointSource, ImageInfo, TARGET};
use crate::probe::{ImageRef, ProbeError};

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

#[derive(Debug, Clone)]
pub struct DockerProbe {
    pub(super) docker: bollard::Docker,
    pub(super) endpoint: Endpoint,
    pub(super) timeout: Duration,
    /// Podman's compat API needs a workaround for replaying events (see `events_since`).
    pub(super) podman: bool,
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
        let files: Vec<ContextFile> = files
            .iter()
            .map(|(name, content)| ContextFile::text(name, content))
            .collect();
        self.build_image_from(tag, &files).await
    }

    /// [`DockerProbe::build_image`] from files of any content (a program among them).
    pub async fn build_image_from(
        &self,
        tag: &str,
        files: &[ContextFile],
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
            // A lesson's `RUN` lines get no network: the consent prompt says "offline" (setup.rs).
            .networkmode("none")
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

    /// `docker image inspect NAME` for an image that carries exactly that name (tag, or digest in its
    /// repository). Podman resolves a short name through its search registries, so asking for
    /// `alice/app:1.0` can answer with `127.0.0.1:5000/alice/app:1.0`: that is no image of the name
    /// asked for, and `None` here.
    pub async fn inspect_named(&self, image: &ImageRef) -> Result<Option<ImageInfo>, ProbeError> {
        let found = self.inspect_image(&image.familiar()).await?;
        Ok(found.filter(|info| info.carries(image)))
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

    /// True when the engine is Podman's Docker-compatible service.
    pub fn is_podman(&self) -> bool {
        self.podman
    }
}

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

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
        // Images built FROM scratch without a date carry the zero time; that is no date at all.
        .filter(|t| t.timestamp() > 0)
}

/// One file of a build context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextFile {
    /// Its path in the context, as the Dockerfile's `COPY` names it.
    pub name: String,
    pub content: Vec<u8>,
    /// Mode 0755 instead of 0644: a program `COPY` keeps runnable.
    pub executable: bool,
}

impl ContextFile {
    pub fn text(name: &str, content: &str) -> ContextFile {
        ContextFile {
            name: name.to_string(),
            content: content.as_bytes().to_vec(),
            executable: false,
        }
    }
}

/// A tar archive of in-memory files, as `/build` wants its context.
fn build_context(files: &[ContextFile]) -> std::io::Result<Vec<u8>> {
    let mut archive = tar::Builder::new(Vec::new());
    for file in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(file.content.len() as u64);
        header.set_mode(if file.executable { 0o755 } else { 0o644 });
        header.set_mtime(0);
        header.set_cksum();
        archive.append_data(&mut header, &file.name, file.content.as_slice())?;
    }
    archive.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

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

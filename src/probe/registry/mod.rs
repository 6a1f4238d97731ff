//! A registry's distribution API (`/v2/`), asked only what checks need: does a tag exist and what is its
//! digest (HEAD on the manifest, which Docker Hub does not count against pull limits), which tags does a
//! repository have, and may anyone pull it. We speak HTTP with reqwest rather than through `oci-client`
//! because the answers are in the status codes and headers it hides: 404 means absent, 401/403 means
//! the credentials do not reach, 429 and 5xx mean "could not verify".
//!
//! Authentication follows the registry's challenge. `WWW-Authenticate: Bearer realm,service,scope` (Docker
//! Hub, token-auth registries) makes us fetch a token from the realm, anonymously or with Basic
//! credentials, and retry; `WWW-Authenticate: Basic` (htpasswd registries) makes us retry with Basic
//! credentials. Docker Hub answers 401 both for private repositories and for ones that do not exist, so
//! [`TagStatus::Unauthorized`] cannot tell those apart: that is the registry's design, not ours.
//!
//! The jobs sit in their own files: `queries` (manifests and tags), `auth` (answering challenges, tokens,
//! the learner's saved login) and `challenge` (reading `WWW-Authenticate`).
//!
//! A client is meant to live for a whole run (`check::Probes`): its reqwest client keeps one
//! connection pool (keep-alive, HTTP/2 where TLS negotiates it) for every registry host. A client
//! made [`RegistryClient::remembering`], for a run that judges one moment (`check`, `grade`), also
//! keeps tokens per registry, scope and credentials for their `expires_in` (a second request to the
//! same repository goes straight out with its token instead of 401, token, again) and remembers
//! answers (HEADs and tag lists). A plain client does neither: a registry honours a token it issued
//! until it expires, so a repository made private would still answer a kept anonymous token.

mod auth;
mod challenge;
mod queries;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OnceCell;

use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};

pub use challenge::{Challenge, parse_challenges};

use super::ProbeError;
use super::docker_config::{Credentials, DockerConfig};
use super::http::{self, REQUEST_TIMEOUT};
use super::reference::ImageRef;

/// The manifest media types we accept, newest first: OCI index, OCI manifest, Docker manifest list,
/// Docker v2 schema 2. Without them a registry may answer with (or convert to) an old schema.
pub const MANIFEST_MEDIA_TYPES: [&str; 4] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// At most this many pages of `tags/list`; a registry that links further is looping.
const MAX_TAG_PAGES: usize = 50;

/// Who we are to the registry.
#[derive(Debug, Clone, Default)]
pub enum RegistryAuth {
    /// Nobody: what an anonymous `docker pull` would get.
    #[default]
    Anonymous,
    /// A login, from [`super::DockerConfig::credentials`] or given by an instructor.
    Credentials(Credentials),
    /// The learner's saved `docker login`: every request goes anonymously first, and the secret is read
    /// (a `credsStore` `get`, which on macOS may raise a keychain prompt) only when the registry refuses.
    /// A saved login the registry then rejects is [`ProbeError::LoginRefused`], not "private".
    SavedLogin(Arc<DockerConfig>),
}

impl RegistryAuth {
    /// The learner's saved login for `registry` as [`RegistryAuth::SavedLogin`], or anonymous when the
    /// config holds no login that could be for it (nothing is run to find out).
    pub fn saved_login(config: &DockerConfig, registry: &str) -> RegistryAuth {
        if config.may_have_login(registry) {
            RegistryAuth::SavedLogin(Arc::new(config.clone()))
        } else {
            RegistryAuth::Anonymous
        }
    }
}

/// What the registry says about one tag (or digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagStatus {
    /// The manifest exists; `digest` is `Docker-Content-Digest`, `media_type` its `Content-Type`.
    Present { digest: String, media_type: String },
    /// The repository is visible to us but has no such tag (404).
    Absent,
    /// 401/403 even after authenticating: a private repository we may not read, wrong credentials, or
    /// (on Docker Hub) a repository that does not exist.
    Unauthorized,
}

/// What the registry says about a repository's tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagList {
    /// The tags, in the registry's order (sorted lexically by distribution).
    Tags(Vec<String>),
    /// 404: no such repository.
    NoSuchRepository,
    /// 401/403, as for [`TagStatus::Unauthorized`].
    Unauthorized,
}

/// A distribution API client. Cheap to clone (clones share the connection pool, the tokens and the
/// remembered answers); reuse it for many requests.
#[derive(Debug, Clone)]
pub struct RegistryClient {
    http: reqwest::Client,
    insecure: Vec<String>,
    timeout: Duration,
    tokens: Option<Arc<auth::Tokens>>,
    memo: Option<Arc<Memo>>,
    /// Ask a repository's tag list before its first manifest (see [`RegistryClient::listing_first`]).
    list_first: bool,
}

/// Answers remembered by a [`RegistryClient::remembering`] client, by request and identity. A cell
/// per question: concurrent askers wait for the one request in flight. Errors are not remembered, so
/// asking again (a retry) sends again.
#[derive(Debug, Default)]
struct Memo {
    manifests: Mutex<HashMap<String, Arc<OnceCell<TagStatus>>>>,
    tags: Mutex<HashMap<String, Arc<OnceCell<Listed>>>>,
    /// The tag lists that could not be had when asked before a manifest (an error, not an answer).
    unlisted: Mutex<HashSet<String>>,
}

/// A tag list as the registry answered it, and whether its 404 said `NAME_UNKNOWN` (the repository is
/// not known to the registry, so every manifest in it is absent).
#[derive(Debug, Clone)]
struct Listed {
    tags: TagList,
    name_unknown: bool,
}

/// The answer to `key` in `map`, asked with `ask` only if nobody asked it yet.
async fn remembered<T: Clone>(
    map: &Mutex<HashMap<String, Arc<OnceCell<T>>>>,
    key: String,
    ask: impl Future<Output = Result<T, ProbeError>>,
) -> Result<T, ProbeError> {
    let cell = map
        .lock()
        .expect("no panics while holding the lock")
        .entry(key)
        .or_default()
        .clone();
    cell.get_or_try_init(|| ask).await.cloned()
}

impl RegistryClient {
    /// A client with the default timeouts that talks plain HTTP only to loopback registries.
    pub fn new() -> Result<RegistryClient, ProbeError> {
        RegistryClient::with_timeout(REQUEST_TIMEOUT)
    }

    /// A client whose requests each take at most `timeout`.
    pub fn with_timeout(timeout: Duration) -> Result<RegistryClient, ProbeError> {
        Ok(RegistryClient {
            http: http::client(timeout)?,
            insecure: Vec::new(),
            timeout,
            tokens: None,
            memo: None,
            list_first: false,
        })
    }

    /// Remember every answer (manifest HEADs, tag lists) and keep every token for the life of this
    /// client and its clones: for a run that judges one moment (`check`, `grade`), where the same tag
    /// is asked about by several checks and several students. Not for the runner, which waits for the
    /// world to change.
    pub fn remembering(mut self) -> RegistryClient {
        self.memo = Some(Arc::default());
        self.tokens = Some(Arc::default());
        self
    }

    /// For a remembering client judging a class: ask each repository's tag list before its first
    /// manifest, and take a `404 NAME_UNKNOWN` (the distribution spec's "repository name not known to
    /// registry") as the answer for every tag in it. Most repositories of a class that has not pushed
    /// yet do not exist, and their students then cost one request instead of one per tag; the list is
    /// asked anyway (a visibility check's "anything to pull", every missing tag's diagnosis). A 401 or
    /// any other answer settles nothing, and the manifests are asked as before.
    pub fn listing_first(mut self, yes: bool) -> RegistryClient {
        self.list_first = yes && self.memo.is_some();
        self
    }

    /// Also talk plain HTTP to these registries (`host` or `host:port`), like dockerd's
    /// `insecure-registries`.
    pub fn with_insecure(mut self, registries: Vec<String>) -> RegistryClient {
        self.insecure = registries;
        self
    }

    fn target(&self, image: &ImageRef) -> String {
        format!("registry `{}`", image.registry())
    }

    /// `BASE/v2/<repository>/<segments...>`, each segment percent-encoded.
    fn api_url(&self, image: &ImageRef, segments: &[&str]) -> Result<Url, ProbeError> {
        let base = image.base_url(&self.insecure);
        let mut url = Url::parse(&base).map_err(|e| ProbeError::InvalidReference {
            reference: image.to_string(),
            reason: format!("registry `{}` is not a host: {e}", image.registry()),
        })?;
        url.path_segments_mut()
            .map_err(|_| ProbeError::InvalidReference {
                reference: image.to_string(),
                reason: "registry is not a host".into(),
            })?
            .push("v2")
            .extend(image.repository().split('/'))
            .extend(segments);
        Ok(url)
    }

    /// 429/5xx as "could not verify", anything else as a protocol error.
    fn unexpected(&self, status: StatusCode, headers: &HeaderMap, target: &str) -> ProbeError {
        http::unverifiable_status(status, headers, target).unwrap_or_else(|| ProbeError::Protocol {
            target: target.to_string(),
            reason: format!("unexpected status {status}"),
        })
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_urls_encode_each_segment() {
        let client = RegistryClient::new().unwrap();
        let image = ImageRef::parse("localhost:5000/a/b:1.0").unwrap();
        assert_eq!(
            client
                .api_url(&image, &["manifests", image.manifest_reference()])
                .unwrap()
                .as_str(),
            "http://localhost:5000/v2/a/b/manifests/1.0"
        );
        let hub = ImageRef::parse("alice/app").unwrap();
        assert_eq!(
            client.api_url(&hub, &["tags", "list"]).unwrap().as_str(),
            "https://registry-1.docker.io/v2/alice/app/tags/list"
        );
    }
}

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

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, WWW_AUTHENTICATE,
};
use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::ProbeError;
use super::docker_config::Credentials;
use super::http::{self, REQUEST_TIMEOUT};
use super::reference::{ImageRef, is_loopback};

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

/// One `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Lowercased: `bearer`, `basic`.
    pub scheme: String,
    /// Lowercased parameter names; values unquoted.
    pub params: BTreeMap<String, String>,
}

/// Parse a `WWW-Authenticate` value, which may hold several challenges
/// (`Basic realm="x", Bearer realm="y",service="z"`). Quoted values may contain commas and `\"`.
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut challenges: Vec<Challenge> = Vec::new();
    let mut rest = header.trim();
    while !rest.is_empty() {
        rest = rest.trim_start_matches([',', ' ', '\t']);
        let token_end = rest
            .find(|c: char| c == '=' || c == ',' || c.is_whitespace())
            .unwrap_or(rest.len());
        let token = &rest[..token_end];
        let after = rest[token_end..].trim_start_matches([' ', '\t']);
        if token.is_empty() {
            break;
        }
        if let Some(value_part) = after.strip_prefix('=') {
            // A parameter of the current challenge.
            let value_part = value_part.trim_start();
            let (value, remaining) = if let Some(quoted) = value_part.strip_prefix('"') {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, escaped)) = chars.next() {
                                value.push(escaped);
                            }
                        }
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        other => value.push(other),
                    }
                }
                (value, &quoted[end.min(quoted.len())..])
            } else {
                let end = value_part.find(',').unwrap_or(value_part.len());
                (value_part[..end].trim().to_string(), &value_part[end..])
            };
            if let Some(current) = challenges.last_mut() {
                current.params.insert(token.to_ascii_lowercase(), value);
            }
            rest = remaining;
        } else {
            // A new scheme (token68 credentials after a scheme are not used by registries).
            challenges.push(Challenge {
                scheme: token.to_ascii_lowercase(),
                params: BTreeMap::new(),
            });
            rest = after;
        }
    }
    challenges
}

/// The outcome of sending a request with whatever authentication the registry asked for.
struct Authorized {
    response: reqwest::Response,
    /// The `Authorization` value that worked, to reuse on follow-up requests (next pages).
    authorization: Option<HeaderValue>,
}

/// A distribution API client. Cheap to clone; reuse it for many requests.
#[derive(Debug, Clone)]
pub struct RegistryClient {
    http: reqwest::Client,
    insecure: Vec<String>,
    timeout: Duration,
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
        })
    }

    /// Also talk plain HTTP to these registries (`host` or `host:port`), like dockerd's
    /// `insecure-registries`.
    pub fn with_insecure(mut self, registries: Vec<String>) -> RegistryClient {
        self.insecure = registries;
        self
    }

    /// HEAD `/v2/<repo>/manifests/<tag or digest>`: is it there, and under which digest.
    pub async fn head_manifest(
        &self,
        image: &ImageRef,
        auth: &RegistryAuth,
    ) -> Result<TagStatus, ProbeError> {
        let url = self.api_url(image, &["manifests", image.manifest_reference()])?;
        let target = self.target(image);
        let scope = format!("repository:{}:pull", image.repository());
        let accept = MANIFEST_MEDIA_TYPES.join(", ");
        let build = |method: Method| {
            self.http
                .request(method, url.clone())
                .header(ACCEPT, accept.as_str())
        };
        let done = self
            .send_authorized(&target, &scope, auth, None, || build(Method::HEAD))
            .await?;
        let response = done.response;
        match response.status() {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND => return Ok(TagStatus::Absent),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Ok(TagStatus::Unauthorized);
            }
            status => return Err(self.unexpected(status, response.headers(), &target)),
        }
        let media_type = header_text(response.headers(), CONTENT_TYPE.as_str()).unwrap_or_default();
        if let Some(digest) = header_text(response.headers(), "docker-content-digest") {
            return Ok(TagStatus::Present { digest, media_type });
        }
        // Some registries omit the digest on HEAD; the digest of the manifest bytes is the same thing.
        let mut request = build(Method::GET);
        if let Some(value) = done.authorization {
            request = request.header(AUTHORIZATION, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| http::transport_error(e, &target, self.timeout))?;
        if response.status() != StatusCode::OK {
            return Err(self.unexpected(response.status(), response.headers(), &target));
        }
        let media_type =
            header_text(response.headers(), CONTENT_TYPE.as_str()).unwrap_or(media_type);
        let body = response
            .bytes()
            .await
            .map_err(|e| http::transport_error(e, &target, self.timeout))?;
        Ok(TagStatus::Present {
            digest: format!("sha256:{}", hex::encode(Sha256::digest(&body))),
            media_type,
        })
    }

    /// GET the manifest at `image` (a digest is best, so it is the one just looked at) and return the
    /// digest of the image config it names: the image's identity independent of how its layers were
    /// compressed on the way up. `None` for an index or list (no single config). This is a GET, which
    /// Docker Hub counts as a pull; callers use it only when HEAD's digest did not settle the question.
    pub async fn manifest_config_digest(
        &self,
        image: &ImageRef,
        auth: &RegistryAuth,
    ) -> Result<Option<String>, ProbeError> {
        #[derive(Deserialize)]
        struct Config {
            digest: String,
        }
        #[derive(Deserialize)]
        struct Manifest {
            #[serde(default)]
            config: Option<Config>,
        }
        let url = self.api_url(image, &["manifests", image.manifest_reference()])?;
        let target = self.target(image);
        let scope = format!("repository:{}:pull", image.repository());
        let accept = MANIFEST_MEDIA_TYPES.join(", ");
        let done = self
            .send_authorized(&target, &scope, auth, None, || {
                self.http.get(url.clone()).header(ACCEPT, accept.as_str())
            })
            .await?;
        let response = done.response;
        match response.status() {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Ok(None);
            }
            status => return Err(self.unexpected(status, response.headers(), &target)),
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| http::transport_error(e, &target, self.timeout))?;
        let manifest: Manifest =
            serde_json::from_slice(&body).map_err(|e| ProbeError::Protocol {
                target: target.clone(),
                reason: format!("manifest is not JSON: {e}"),
            })?;
        Ok(manifest.config.map(|c| c.digest))
    }

    /// GET `/v2/<repo>/tags/list`, following `Link` pagination: the tags of `image`'s repository (its own
    /// tag is ignored).
    pub async fn list_tags(
        &self,
        image: &ImageRef,
        auth: &RegistryAuth,
    ) -> Result<TagList, ProbeError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let target = self.target(image);
        let scope = format!("repository:{}:pull", image.repository());
        let first = self.api_url(image, &["tags", "list"])?;
        let mut url = first.clone();
        let mut authorization = None;
        let mut tags = Vec::new();
        for _ in 0..MAX_TAG_PAGES {
            let page_url = url.clone();
            let done = self
                .send_authorized(&target, &scope, auth, authorization.clone(), || {
                    self.http.get(page_url.clone())
                })
                .await?;
            authorization = done.authorization;
            let response = done.response;
            match response.status() {
                StatusCode::OK => {}
                StatusCode::NOT_FOUND => return Ok(TagList::NoSuchRepository),
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                    return Ok(TagList::Unauthorized);
                }
                status => return Err(self.unexpected(status, response.headers(), &target)),
            }
            let next = header_text(response.headers(), "link").and_then(|l| next_link(&l));
            let page: Page = response.json().await.map_err(|e| ProbeError::Protocol {
                target: target.clone(),
                reason: format!("tags/list is not the expected JSON: {e}"),
            })?;
            tags.extend(page.tags.unwrap_or_default());
            match next {
                Some(link) => {
                    let next_url = url.join(&link).map_err(|e| ProbeError::Protocol {
                        target: target.clone(),
                        reason: format!("bad Link `{link}`: {e}"),
                    })?;
                    // The token goes only where the first request went.
                    if next_url.origin() != first.origin() {
                        return Err(ProbeError::Protocol {
                            target,
                            reason: format!("Link points to another host: `{next_url}`"),
                        });
                    }
                    url = next_url;
                }
                None => return Ok(TagList::Tags(tags)),
            }
        }
        Err(ProbeError::Protocol {
            target,
            reason: format!("tags/list went on for more than {MAX_TAG_PAGES} pages"),
        })
    }

    /// May anyone pull `image`'s repository? Asks anonymously for its manifest: present or absent means
    /// the repository is readable without a login (public); 401/403 means it is not (private, or on
    /// Docker Hub possibly nonexistent).
    pub async fn anonymous_pull_allowed(&self, image: &ImageRef) -> Result<bool, ProbeError> {
        Ok(
            match self.head_manifest(image, &RegistryAuth::Anonymous).await? {
                TagStatus::Present { .. } | TagStatus::Absent => true,
                TagStatus::Unauthorized => false,
            },
        )
    }

    /// Do these credentials open `registry`? What `docker login` does: GET `/v2/`, answer its challenge
    /// with the credentials (Basic, or a token asked for with them), and see whether the door opens.
    pub async fn verify_credentials(
        &self,
        registry: &str,
        credentials: &Credentials,
    ) -> Result<bool, ProbeError> {
        let base = super::reference::base_url(registry, &self.insecure);
        let url = Url::parse(&format!("{}/v2/", base.trim_end_matches('/'))).map_err(|e| {
            ProbeError::InvalidReference {
                reference: registry.to_string(),
                reason: format!("not a registry host: {e}"),
            }
        })?;
        let target = format!("registry `{registry}`");
        let auth = RegistryAuth::Credentials(credentials.clone());
        let done = self
            .send_authorized(&target, "", &auth, None, || self.http.get(url.clone()))
            .await?;
        match done.response.status() {
            StatusCode::OK => Ok(true),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Ok(false),
            status => Err(self.unexpected(status, done.response.headers(), &target)),
        }
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

    /// Send a request; on 401, answer the registry's challenge and send it again. The request is built
    /// by `build` each time because a body-less request is cheap to rebuild and reqwest cannot clone
    /// every request.
    async fn send_authorized(
        &self,
        target: &str,
        default_scope: &str,
        auth: &RegistryAuth,
        authorization: Option<HeaderValue>,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Authorized, ProbeError> {
        let send = |value: Option<HeaderValue>| {
            let mut request = build();
            if let Some(value) = value {
                request = request.header(AUTHORIZATION, value);
            }
            async move {
                request
                    .send()
                    .await
                    .map_err(|e| http::transport_error(e, target, self.timeout))
            }
        };
        let response = send(authorization.clone()).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(Authorized {
                response,
                authorization,
            });
        }
        let challenges: Vec<Challenge> = response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(parse_challenges)
            .collect();
        let bearer = challenges.iter().find(|c| c.scheme == "bearer");
        let basic = challenges.iter().find(|c| c.scheme == "basic");
        let value = match (bearer, basic, auth) {
            (Some(challenge), _, _) => {
                match self
                    .fetch_token(target, challenge, default_scope, auth)
                    .await?
                {
                    Some(token) => bearer_value(&token)?,
                    // The token endpoint refused these credentials: a definite "unauthorized".
                    None => {
                        return Ok(Authorized {
                            response,
                            authorization: None,
                        });
                    }
                }
            }
            (None, Some(_), RegistryAuth::Credentials(creds)) => basic_value(creds)?,
            // Basic without credentials, or a scheme we do not speak: the 401 is the answer.
            _ => {
                return Ok(Authorized {
                    response,
                    authorization: None,
                });
            }
        };
        let response = send(Some(value.clone())).await?;
        Ok(Authorized {
            response,
            authorization: Some(value),
        })
    }

    /// Ask the challenge's realm for a token; `None` when it refuses (401/403) the credentials.
    async fn fetch_token(
        &self,
        target: &str,
        challenge: &Challenge,
        default_scope: &str,
        auth: &RegistryAuth,
    ) -> Result<Option<String>, ProbeError> {
        #[derive(Deserialize)]
        struct TokenResponse {
            #[serde(default)]
            token: Option<String>,
            #[serde(default)]
            access_token: Option<String>,
        }
        let realm = challenge
            .params
            .get("realm")
            .ok_or_else(|| ProbeError::Protocol {
                target: target.to_string(),
                reason: "Bearer challenge without a realm".into(),
            })?;
        let mut url = Url::parse(realm).map_err(|e| ProbeError::Protocol {
            target: target.to_string(),
            reason: format!("token realm `{realm}` is not a URL: {e}"),
        })?;
        let realm_host = url.host_str().unwrap_or_default().to_string();
        let token_target = format!("token service `{realm_host}`");
        let credentials = match auth {
            RegistryAuth::Credentials(creds) => Some(creds),
            RegistryAuth::Anonymous => None,
        };
        // Never send a password in clear text to a host we were not told to trust.
        let host_port = match url.port() {
            Some(port) => format!("{realm_host}:{port}"),
            None => realm_host.clone(),
        };
        let trusted_plain = is_loopback(&host_port)
            || self
                .insecure
                .iter()
                .any(|i| i.eq_ignore_ascii_case(&host_port) || i.eq_ignore_ascii_case(&realm_host));
        if credentials.is_some() && url.scheme() != "https" && !trusted_plain {
            return Err(ProbeError::Protocol {
                target: target.to_string(),
                reason: format!("refusing to send credentials to plain-HTTP token realm `{realm}`"),
            });
        }
        let service = challenge.params.get("service");
        let scope = challenge
            .params
            .get("scope")
            .map(String::as_str)
            .unwrap_or(default_scope);
        let request = match credentials {
            Some(creds) if creds.is_identity_token() => {
                // Docker's OAuth flow: trade the stored refresh token for an access token.
                let mut form = Url::parse("http://form.invalid/").expect("static URL");
                {
                    let mut pairs = form.query_pairs_mut();
                    pairs
                        .append_pair("grant_type", "refresh_token")
                        .append_pair("refresh_token", creds.secret())
                        .append_pair("client_id", "learn-registry")
                        .append_pair("scope", scope);
                    if let Some(service) = service {
                        pairs.append_pair("service", service);
                    }
                }
                self.http
                    .post(url)
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(form.query().unwrap_or_default().to_string())
            }
            _ => {
                {
                    let mut pairs = url.query_pairs_mut();
                    if let Some(service) = service {
                        pairs.append_pair("service", service);
                    }
                    // `docker login` asks for no scope at all (it only checks the door).
                    if !scope.is_empty() {
                        pairs.append_pair("scope", scope);
                    }
                    if let Some(creds) = credentials {
                        pairs.append_pair("account", creds.username());
                    }
                }
                let request = self.http.get(url);
                match credentials {
                    Some(creds) => request.header(AUTHORIZATION, basic_value(creds)?),
                    None => request,
                }
            }
        };
        let response = request
            .send()
            .await
            .map_err(|e| http::transport_error(e, &token_target, self.timeout))?;
        match response.status() {
            StatusCode::OK => {}
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => return Ok(None),
            status => return Err(self.unexpected(status, response.headers(), &token_target)),
        }
        let body: TokenResponse = response.json().await.map_err(|e| ProbeError::Protocol {
            target: token_target.clone(),
            reason: format!("token response is not the expected JSON: {e}"),
        })?;
        body.token
            .or(body.access_token)
            .filter(|t| !t.is_empty())
            .map(Some)
            .ok_or_else(|| ProbeError::Protocol {
                target: token_target,
                reason: "token response has no `token`".into(),
            })
    }
}

fn basic_value(creds: &Credentials) -> Result<HeaderValue, ProbeError> {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        creds.username(),
        creds.secret()
    ));
    let mut value =
        HeaderValue::from_str(&format!("Basic {encoded}")).map_err(|_| ProbeError::Protocol {
            target: "credentials".into(),
            reason: "cannot be sent in a header".into(),
        })?;
    value.set_sensitive(true);
    Ok(value)
}

fn bearer_value(token: &str) -> Result<HeaderValue, ProbeError> {
    let mut value =
        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| ProbeError::Protocol {
            target: "token service".into(),
            reason: "the token cannot be sent in a header".into(),
        })?;
    value.set_sensitive(true);
    Ok(value)
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The target of `Link: <...>; rel="next"`.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| target.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenge_from_docker_hub() {
        let challenges = parse_challenges(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:alice/app:pull,push""#,
        );
        assert_eq!(challenges.len(), 1);
        let c = &challenges[0];
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.docker.io/token");
        assert_eq!(c.params["service"], "registry.docker.io");
        assert_eq!(c.params["scope"], "repository:alice/app:pull,push");
    }

    #[test]
    fn basic_challenges_escapes_and_several_schemes() {
        let c = parse_challenges(r#"Basic realm="Registry Realm""#);
        assert_eq!(c[0].scheme, "basic");
        assert_eq!(c[0].params["realm"], "Registry Realm");

        let c = parse_challenges(
            r#"Basic realm="a \"quoted\", realm", Bearer realm="http://127.0.0.1:5003/token", service=lab, error="insufficient_scope""#,
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].params["realm"], r#"a "quoted", realm"#);
        assert_eq!(c[1].scheme, "bearer");
        assert_eq!(c[1].params["service"], "lab");
        assert_eq!(c[1].params["error"], "insufficient_scope");
        assert!(parse_challenges("").is_empty());
    }

    #[test]
    fn link_pagination() {
        assert_eq!(
            next_link(r#"</v2/alice/app/tags/list?last=b&n=2>; rel="next""#).as_deref(),
            Some("/v2/alice/app/tags/list?last=b&n=2")
        );
        assert_eq!(next_link(r#"</x>; rel="prev""#), None);
    }

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

    #[test]
    fn auth_headers_are_sensitive() {
        let value = basic_value(&Credentials::new("alice", "alicepass")).unwrap();
        assert!(value.is_sensitive());
        assert_eq!(value.to_str().unwrap(), "Basic YWxpY2U6YWxpY2VwYXNz");
    }
}

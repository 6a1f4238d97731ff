//! Docker Hub's REST API (not the registry API): does an account exist, does a repository show on the
//! Hub and is it private, what does the Hub know about a tag. These are the things a learner sees on
//! hub.docker.com, so checks about "your account" and "your repository page" ask here. The base URL is a
//! constructor argument (`--hub-api`, `LEARN_REGISTRY_HUB_API`) so tests and classrooms can point it at a
//! fake. Names are validated before they go into a URL path, and percent-encoded anyway.
//!
//! Answers: 200 with the documented JSON is [`HubLookup::Found`], 404 is [`HubLookup::NotFound`] (the Hub
//! also hides private repositories from anonymous visitors this way). Everything else is "could not
//! verify", with its cause named: the Hub answers anonymous visitors 404, never 401 or 403, so a 401/403
//! or a page that is not the API's JSON comes from something in front of it (Cloudflare's bot filter or
//! its "Just a moment..." challenge, an export-control or region block, a proxy), never from the
//! repository; 429 carries the wait in `X-Retry-After` (a Unix time) and/or `Retry-After`; 5xx is down.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER, SERVER};
use reqwest::{StatusCode, Url};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use chrono::{DateTime, Utc};

use super::ProbeError;
use super::http::{self, REQUEST_TIMEOUT};
use super::reference::grammar::{is_path_component, is_tag};

/// Docker Hub's REST API.
pub const DEFAULT_HUB_API: &str = "https://hub.docker.com";

/// Docker Hub usernames: 4 to 30 lowercase letters and digits.
fn is_username(name: &str) -> bool {
    (4..=30).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The answer to a Hub lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubLookup<T> {
    Found(T),
    /// 404: no such user, repository or tag — or a private repository hidden from us.
    NotFound,
}

/// `/v2/users/{name}/`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HubUser {
    #[serde(default)]
    pub id: String,
    pub username: String,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub date_joined: Option<String>,
    /// `User` or `Organization`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// `/v2/namespaces/{ns}/repositories/{repo}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HubRepository {
    pub name: String,
    pub namespace: String,
    #[serde(default)]
    pub is_private: bool,
    #[serde(default)]
    pub pull_count: Option<u64>,
    #[serde(default)]
    pub last_updated: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// `/v2/namespaces/{ns}/repositories/{repo}/tags/{tag}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HubTag {
    pub name: String,
    /// The manifest (or index) digest, when the Hub reports one.
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub last_updated: Option<String>,
    #[serde(default)]
    pub images: Vec<HubTagImage>,
}

/// One platform image of a tag.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HubTagImage {
    #[serde(default)]
    pub architecture: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
}

/// A Docker Hub REST client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HubClient {
    base: Url,
    http: reqwest::Client,
    timeout: Duration,
}

impl HubClient {
    /// A client for the Hub API at `base_url` (normally [`DEFAULT_HUB_API`]).
    pub fn new(base_url: &str) -> Result<HubClient, ProbeError> {
        HubClient::with_timeout(base_url, REQUEST_TIMEOUT)
    }

    /// Same, with each request bounded by `timeout`.
    pub fn with_timeout(base_url: &str, timeout: Duration) -> Result<HubClient, ProbeError> {
        let base = Url::parse(base_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| ProbeError::InvalidName {
                what: "Docker Hub API URL",
                name: base_url.to_string(),
                reason: "expected an http:// or https:// URL".into(),
            })?;
        Ok(HubClient {
            base,
            http: http::client(timeout)?,
            timeout,
        })
    }

    /// The base URL in use.
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// Does the account `name` exist? `/v2/users/{name}/`.
    pub async fn user(&self, name: &str) -> Result<HubLookup<HubUser>, ProbeError> {
        check("Docker Hub username", name, is_username, USERNAME_RULE)?;
        // The trailing slash matters: the Hub redirects without it.
        self.get(&["v2", "users", name, ""]).await
    }

    /// Does the repository `ns/repo` show on the Hub, and is it private?
    pub async fn repository(
        &self,
        namespace: &str,
        repository: &str,
    ) -> Result<HubLookup<HubRepository>, ProbeError> {
        check("namespace", namespace, is_path_component, NAME_RULE)?;
        check("repository name", repository, is_path_component, NAME_RULE)?;
        self.get(&["v2", "namespaces", namespace, "repositories", repository])
            .await
    }

    /// What the Hub knows about `ns/repo:tag`.
    pub async fn tag(
        &self,
        namespace: &str,
        repository: &str,
        tag: &str,
    ) -> Result<HubLookup<HubTag>, ProbeError> {
        check("namespace", namespace, is_path_component, NAME_RULE)?;
        check("repository name", repository, is_path_component, NAME_RULE)?;
        check("tag", tag, is_tag, TAG_RULE)?;
        self.get(&[
            "v2",
            "namespaces",
            namespace,
            "repositories",
            repository,
            "tags",
            tag,
        ])
        .await
    }

    async fn get<T: DeserializeOwned>(
        &self,
        segments: &[&str],
    ) -> Result<HubLookup<T>, ProbeError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|_| ProbeError::InvalidName {
                what: "Docker Hub API URL",
                name: self.base.to_string(),
                reason: "cannot have a path".into(),
            })?
            .pop_if_empty()
            .extend(segments);
        let target = format!(
            "Docker Hub API `{}`",
            self.base.host_str().unwrap_or_default()
        );
        let response = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| http::transport_error(e, &target, self.timeout))?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(ProbeError::RateLimited {
                target,
                retry_after: hub_retry_after(response.headers(), Utc::now()),
            });
        }
        if let Some(err) = http::unverifiable_status(status, response.headers(), &target) {
            return Err(err);
        }
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| http::transport_error(e, &target, self.timeout))?;
        match status {
            StatusCode::OK => serde_json::from_slice(&body)
                .map(HubLookup::Found)
                .map_err(|_| ProbeError::Blocked {
                    target,
                    reason: refusal(status, &headers, &body),
                }),
            StatusCode::NOT_FOUND => Ok(HubLookup::NotFound),
            _ => Err(ProbeError::Blocked {
                target,
                reason: refusal(status, &headers, &body),
            }),
        }
    }
}

/// How long a Hub API 429 asks us to wait: `Retry-After` (seconds or a date) when sent, else
/// `X-Retry-After`, the documented header (a Unix time), else `X-RateLimit-Reset` (also a Unix time).
fn hub_retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let unix = |name: &str| -> Option<Duration> {
        let at: i64 = text(name)?.trim().parse().ok()?;
        Some(Duration::from_secs((at - now.timestamp()).max(0) as u64))
    };
    text(RETRY_AFTER.as_str())
        .and_then(|v| http::parse_retry_after(v, now))
        .or_else(|| unix("x-retry-after"))
        .or_else(|| unix("x-ratelimit-reset"))
}

/// Why an answer that is neither the API's JSON nor a 404 came: said from its headers and body, since
/// the Hub itself answers anonymous visitors 404 for anything they may not see.
fn refusal(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> String {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]).to_ascii_lowercase();
    let cloudflare = header(SERVER.as_str()).contains("cloudflare")
        || headers.contains_key("cf-ray")
        || headers.contains_key("cf-mitigated");
    let code = status.as_u16();
    if cloudflare && (header("cf-mitigated") == "challenge" || text.contains("just a moment")) {
        format!(
            "blocked by Cloudflare's browser check (HTTP {code}, a \"Just a moment...\" page); \
             try again later or from another network"
        )
    } else if cloudflare {
        let detail = text
            .trim()
            .strip_prefix("error code: ")
            .filter(|c| c.len() <= 8 && c.bytes().all(|b| b.is_ascii_digit()))
            .map(|c| format!(", `error code: {c}`"))
            .unwrap_or_default();
        format!(
            "blocked by Cloudflare (HTTP {code}{detail}), which sits in front of Docker Hub; \
             try again later or from another network"
        )
    } else if status == StatusCode::UNAVAILABLE_FOR_LEGAL_REASONS
        || ["export", "region", "country", "embargo", "sanction"]
            .iter()
            .any(|w| text.contains(w))
    {
        format!("refused (HTTP {code}): Docker Hub is blocked from this region or network")
    } else if status == StatusCode::OK {
        let kind = header(CONTENT_TYPE.as_str());
        let kind = kind.split(';').next().unwrap_or_default().trim();
        let kind = if kind.is_empty() {
            "no content type"
        } else {
            kind
        };
        format!(
            "the answer is not Docker Hub's JSON ({}): a proxy or a captive portal may be in the way",
            crate::text::line(kind)
        )
    } else {
        format!(
            "refused the request (HTTP {code}); Docker Hub answers visitors 404, so something \
             in front of it (a proxy, a firewall) refused"
        )
    }
}

const USERNAME_RULE: &str = "Docker Hub usernames are 4 to 30 lowercase letters and digits";
const NAME_RULE: &str =
    "use lowercase letters and digits, separated by single `.`, `_`, `__` or dashes";
const TAG_RULE: &str =
    "tags are up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`";

fn check(
    what: &'static str,
    name: &str,
    rule: impl Fn(&str) -> bool,
    explain: &str,
) -> Result<(), ProbeError> {
    if name.len() <= 255 && rule(name) {
        Ok(())
    } else {
        Err(ProbeError::InvalidName {
            what,
            name: name.to_string(),
            reason: explain.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_before_they_reach_a_url() {
        assert!(check("u", "alice2024", is_username, USERNAME_RULE).is_ok());
        for bad in ["bob", "Alice", "al/ice", "al%2Fice", "..", "a-lice", ""] {
            assert!(
                check("u", bad, is_username, USERNAME_RULE).is_err(),
                "{bad:?}"
            );
        }
        assert!(check("r", "python-canvas-client", is_path_component, NAME_RULE).is_ok());
        for bad in ["a/b", "..", "-a", "a-", "A", "a b", "a?b"] {
            assert!(
                check("r", bad, is_path_component, NAME_RULE).is_err(),
                "{bad:?}"
            );
        }
        assert!(check("t", "1.0", is_tag, TAG_RULE).is_ok());
        assert!(check("t", ".hidden", is_tag, TAG_RULE).is_err());
        assert!(check("t", "a/b", is_tag, TAG_RULE).is_err());
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn refusals_name_their_cause() {
        let forbidden = StatusCode::FORBIDDEN;
        let bot = refusal(
            forbidden,
            &headers(&[("server", "cloudflare"), ("content-type", "text/plain")]),
            b"error code: 1010",
        );
        assert!(
            bot.contains("Cloudflare") && bot.contains("`error code: 1010`"),
            "{bot}"
        );
        let challenge = refusal(
            forbidden,
            &headers(&[("server", "cloudflare"), ("cf-mitigated", "challenge")]),
            b"<html><title>Just a moment...</title></html>",
        );
        assert!(
            challenge.contains("Cloudflare's browser check"),
            "{challenge}"
        );
        let region = refusal(
            forbidden,
            &HeaderMap::new(),
            b"not available in your region",
        );
        assert!(region.contains("region"), "{region}");
        let html = refusal(
            StatusCode::OK,
            &headers(&[("content-type", "text/html; charset=utf-8")]),
            b"<html>Sign in to the hotel wifi</html>",
        );
        assert!(html.contains("not Docker Hub's JSON (text/html)"), "{html}");
        let other = refusal(StatusCode::UNAUTHORIZED, &HeaderMap::new(), b"{}");
        assert!(other.contains("refused the request (HTTP 401)"), "{other}");
    }

    #[test]
    fn the_hub_wait_comes_from_any_of_its_headers() {
        let now = Utc::now();
        let at = (now.timestamp() + 42).to_string();
        let wait = |pairs: &[(&'static str, &str)]| hub_retry_after(&headers(pairs), now);
        assert_eq!(
            wait(&[("x-retry-after", &at)]),
            Some(Duration::from_secs(42))
        );
        assert_eq!(
            wait(&[("retry-after", "40"), ("x-retry-after", &at)]),
            Some(Duration::from_secs(40)),
            "`Retry-After` first"
        );
        assert_eq!(
            wait(&[("x-ratelimit-reset", &at)]),
            Some(Duration::from_secs(42))
        );
        let past = (now.timestamp() - 5).to_string();
        assert_eq!(wait(&[("x-retry-after", &past)]), Some(Duration::ZERO));
        assert_eq!(wait(&[]), None);
    }

    #[test]
    fn base_url_must_be_http() {
        assert!(HubClient::new("https://hub.docker.com").is_ok());
        assert!(HubClient::new("http://127.0.0.1:9/").is_ok());
        assert!(HubClient::new("file:///etc/passwd").is_err());
        assert!(HubClient::new("hub.docker.com").is_err());
    }
}

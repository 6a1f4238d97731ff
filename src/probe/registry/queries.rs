//! What checks ask a registry: does a tag exist and under which digest, which image config a manifest
//! names, and which tags a repository has (following `Link` pagination).

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{
    Listed, MANIFEST_MEDIA_TYPES, MAX_TAG_PAGES, Memo, RegistryAuth, RegistryClient, TagList,
    TagStatus, header_text, remembered,
};
use crate::probe::ProbeError;
use crate::probe::http;
use crate::probe::reference::ImageRef;

impl RegistryClient {
    /// HEAD `/v2/<repo>/manifests/<tag or digest>`: is it there, and under which digest. Asked once
    /// per client when it is [`RegistryClient::remembering`].
    pub async fn head_manifest(
        &self,
        image: &ImageRef,
        auth: &RegistryAuth,
    ) -> Result<TagStatus, ProbeError> {
        match &self.memo {
            Some(memo) => {
                if self.list_first && self.repository_unknown(memo, image, auth).await? {
                    return Ok(TagStatus::Absent);
                }
                let key = self.memo_key(image, &["manifests", image.manifest_reference()], auth)?;
                remembered(&memo.manifests, key, self.ask_manifest(image, auth)).await
            }
            None => self.ask_manifest(image, auth).await,
        }
    }

    /// Whether the registry said it does not know `image`'s repository (`404 NAME_UNKNOWN` on its tag
    /// list, asked now if nobody has). An error asking is no answer: the manifest is asked after all.
    async fn repository_unknown(
        &self,
        memo: &Memo,
        image: &ImageRef,
        auth: &RegistryAuth,
    ) -> Result<bool, ProbeError> {
        let key = self.memo_key(image, &["tags", "list"], auth)?;
        // A list that could not be had once is not asked again before every manifest.
        if memo
            .unlisted
            .lock()
            .expect("no panics while holding the lock")
            .contains(&key)
        {
            return Ok(false);
        }
        match self.listed(image, auth).await {
            Ok(listed) => Ok(listed.name_unknown),
            Err(_) => {
                memo.unlisted
                    .lock()
                    .expect("no panics while holding the lock")
                    .insert(key);
                Ok(false)
            }
        }
    }

    /// The request behind a memo's key: URL and who asks.
    fn memo_key(
        &self,
        image: &ImageRef,
        segments: &[&str],
        auth: &RegistryAuth,
    ) -> Result<String, ProbeError> {
        Ok(format!(
            "{} {}",
            self.api_url(image, segments)?,
            super::auth::identity(auth)
        ))
    }

    async fn ask_manifest(
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
            .send_authorized(&target, image.registry(), &scope, auth, None, || {
                build(Method::HEAD)
            })
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
            .send_authorized(&target, image.registry(), &scope, auth, None, || {
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
    /// tag is ignored). Asked once per repository and client when it is
    /// [`RegistryClient::remembering`].
    pub async fn list_tags(
        &self,
        image: &ImageRef,
        auth: &RegistryAuth,
    ) -> Result<TagList, ProbeError> {
        self.listed(image, auth).await.map(|l| l.tags)
    }

    /// [`RegistryClient::list_tags`], with what its 404 said.
    async fn listed(&self, image: &ImageRef, auth: &RegistryAuth) -> Result<Listed, ProbeError> {
        match &self.memo {
            Some(memo) => {
                let key = self.memo_key(image, &["tags", "list"], auth)?;
                remembered(&memo.tags, key, self.ask_tags(image, auth)).await
            }
            None => self.ask_tags(image, auth).await,
        }
    }

    async fn ask_tags(&self, image: &ImageRef, auth: &RegistryAuth) -> Result<Listed, ProbeError> {
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
                .send_authorized(
                    &target,
                    image.registry(),
                    &scope,
                    auth,
                    authorization.clone(),
                    || self.http.get(page_url.clone()),
                )
                .await?;
            authorization = done.authorization;
            let response = done.response;
            match response.status() {
                StatusCode::OK => {}
                StatusCode::NOT_FOUND => {
                    let body = response.bytes().await.unwrap_or_default();
                    return Ok(Listed {
                        tags: TagList::NoSuchRepository,
                        name_unknown: names_unknown(&body),
                    });
                }
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                    return Ok(Listed {
                        tags: TagList::Unauthorized,
                        name_unknown: false,
                    });
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
                None => {
                    return Ok(Listed {
                        tags: TagList::Tags(tags),
                        name_unknown: false,
                    });
                }
            }
        }
        Err(ProbeError::Protocol {
            target,
            reason: format!("tags/list went on for more than {MAX_TAG_PAGES} pages"),
        })
    }
}

/// Whether an error body (`{"errors": [{"code": ...}]}`) says `NAME_UNKNOWN`.
fn names_unknown(body: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Errors {
        errors: Vec<Code>,
    }
    #[derive(Deserialize)]
    struct Code {
        code: String,
    }
    serde_json::from_slice::<Errors>(body)
        .is_ok_and(|e| e.errors.iter().any(|c| c.code == "NAME_UNKNOWN"))
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
    fn only_name_unknown_says_the_repository_is_not_there() {
        let body = br#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"a/b"}}]}"#;
        assert!(names_unknown(body));
        assert!(!names_unknown(
            br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#
        ));
        assert!(!names_unknown(b"404 page not found"));
        assert!(!names_unknown(b""));
    }

    #[test]
    fn link_pagination() {
        assert_eq!(
            next_link(r#"</v2/alice/app/tags/list?last=b&n=2>; rel="next""#).as_deref(),
            Some("/v2/alice/app/tags/list?last=b&n=2")
        );
        assert_eq!(next_link(r#"</x>; rel="prev""#), None);
    }
}

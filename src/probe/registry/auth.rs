//! Answering a registry's challenge: `Bearer` makes us fetch a token from the realm (anonymously, with
//! Basic credentials, or by trading a stored refresh token), `Basic` makes us send the credentials
//! themselves. Credentials never go in clear text to a host we were not told to trust.
//!
//! A remembering client keeps tokens per (registry, scope, identity) until shortly before their
//! `expires_in` (60 s when the realm does not say, as the distribution token spec defaults): the next
//! request for the same scope is sent with its token at once, and a 401 to it (revoked, expired
//! early) drops the token and answers the challenge as usual.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use reqwest::{StatusCode, Url};
use serde::Deserialize;

use super::{Challenge, RegistryAuth, RegistryClient, TagStatus, parse_challenges};
use crate::probe::ProbeError;
use crate::probe::docker_config::Credentials;
use crate::probe::http;
use crate::probe::reference::{ImageRef, is_loopback};

/// Bearer tokens by [`token_key`], each with the moment it stops being used.
#[derive(Debug, Default)]
pub(super) struct Tokens(Mutex<HashMap<String, (HeaderValue, Instant)>>);

impl Tokens {
    fn get(&self, key: &str) -> Option<HeaderValue> {
        let mut tokens = self.0.lock().expect("no panics while holding the lock");
        match tokens.get(key) {
            Some((value, until)) if Instant::now() < *until => Some(value.clone()),
            Some(_) => {
                tokens.remove(key);
                None
            }
            None => None,
        }
    }

    fn put(&self, key: String, value: HeaderValue, expires_in: Duration) {
        // A margin for the clock between the realm and us, and for the request in flight.
        let keep = expires_in.saturating_sub(Duration::from_secs(5).min(expires_in / 4));
        if keep.is_zero() {
            return;
        }
        let mut tokens = self.0.lock().expect("no panics while holding the lock");
        tokens.insert(key, (value, Instant::now() + keep));
    }

    fn forget(&self, key: &str) {
        self.0
            .lock()
            .expect("no panics while holding the lock")
            .remove(key);
    }
}

/// Who asks, as a key for remembered tokens and answers: `anonymous`, `saved` (the learner's saved
/// login, resolved per request), or a digest of the credentials (never the secret itself).
pub(super) fn identity(auth: &RegistryAuth) -> String {
    use sha2::{Digest, Sha256};
    match auth {
        RegistryAuth::Anonymous => "anonymous".into(),
        RegistryAuth::SavedLogin(_) => "saved".into(),
        RegistryAuth::Credentials(creds) => {
            let mut hash = Sha256::new();
            hash.update(creds.username().as_bytes());
            hash.update([0]);
            hash.update(creds.secret().as_bytes());
            format!("login:{}", hex::encode(hash.finalize()))
        }
    }
}

fn token_key(registry: &str, scope: &str, auth: &RegistryAuth) -> String {
    format!("{registry}\u{1f}{scope}\u{1f}{}", identity(auth))
}

/// The outcome of sending a request with whatever authentication the registry asked for.
pub(super) struct Authorized {
    pub(super) response: reqwest::Response,
    /// The `Authorization` value that worked, to reuse on follow-up requests (next pages).
    pub(super) authorization: Option<HeaderValue>,
    /// Credentials were sent and refused: by the token realm, or by a Basic registry with a 401.
    refused: bool,
}

impl RegistryClient {
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
        let base = crate::probe::reference::base_url(registry, &self.insecure);
        let url = Url::parse(&format!("{}/v2/", base.trim_end_matches('/'))).map_err(|e| {
            ProbeError::InvalidReference {
                reference: registry.to_string(),
                reason: format!("not a registry host: {e}"),
            }
        })?;
        let target = format!("registry `{registry}`");
        let auth = RegistryAuth::Credentials(credentials.clone());
        let done = self
            .send_authorized(&target, registry, "", &auth, None, || {
                self.http.get(url.clone())
            })
            .await?;
        match done.response.status() {
            StatusCode::OK => Ok(true),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Ok(false),
            status => Err(self.unexpected(status, done.response.headers(), &target)),
        }
    }

    /// Send a request to `registry` as `auth`. A saved login goes anonymously first and reads its
    /// secret only when the registry refuses (401/403); if the registry then refuses the secret too,
    /// that is [`ProbeError::LoginRefused`].
    pub(super) async fn send_authorized(
        &self,
        target: &str,
        registry: &str,
        default_scope: &str,
        auth: &RegistryAuth,
        authorization: Option<HeaderValue>,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Authorized, ProbeError> {
        let RegistryAuth::SavedLogin(config) = auth else {
            return self
                .send_answering(target, registry, default_scope, auth, authorization, &build)
                .await;
        };
        let anonymous = RegistryAuth::Anonymous;
        let first = self
            .send_answering(
                target,
                registry,
                default_scope,
                &anonymous,
                authorization,
                &build,
            )
            .await?;
        if !matches!(
            first.response.status(),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        ) {
            return Ok(first);
        }
        // A login that cannot be read is as good as none: the anonymous answer stands.
        let Ok(Some(credentials)) = config.credentials(registry).await else {
            return Ok(first);
        };
        let auth = RegistryAuth::Credentials(credentials);
        let done = self
            .send_answering(target, registry, default_scope, &auth, None, &build)
            .await?;
        if done.refused {
            return Err(ProbeError::LoginRefused {
                registry: registry.to_string(),
            });
        }
        Ok(done)
    }

    /// Send a request (with a kept token for its scope, if there is one); on 401, answer the
    /// registry's challenge and send it again. The request is built by `build` each time because a
    /// body-less request is cheap to rebuild and reqwest cannot clone every request.
    async fn send_answering(
        &self,
        target: &str,
        registry: &str,
        default_scope: &str,
        auth: &RegistryAuth,
        authorization: Option<HeaderValue>,
        build: &impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Authorized, ProbeError> {
        let key = token_key(registry, default_scope, auth);
        let kept = match (&authorization, &self.tokens) {
            (None, Some(tokens)) => tokens.get(&key),
            _ => None,
        };
        let authorization = authorization.or_else(|| kept.clone());
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
                refused: false,
            });
        }
        if let (Some(_), Some(tokens)) = (&kept, &self.tokens) {
            tokens.forget(&key);
        }
        let credentials = match auth {
            RegistryAuth::Credentials(creds) => Some(creds),
            _ => None,
        };
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
                    Some((token, expires_in)) => {
                        let value = bearer_value(&token)?;
                        let response = send(Some(value.clone())).await?;
                        // A token that opened nothing is not worth keeping.
                        if let Some(tokens) = &self.tokens
                            && !matches!(
                                response.status(),
                                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                            )
                        {
                            tokens.put(key, value.clone(), expires_in);
                        }
                        return Ok(Authorized {
                            response,
                            authorization: Some(value),
                            refused: false,
                        });
                    }
                    // The token endpoint refused these credentials: a definite "unauthorized".
                    None => {
                        return Ok(Authorized {
                            response,
                            authorization: None,
                            refused: credentials.is_some(),
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
                    refused: false,
                });
            }
        };
        let response = send(Some(value.clone())).await?;
        Ok(Authorized {
            // A Basic registry answers wrong credentials with 401; a token one with 401 at the realm.
            refused: response.status() == StatusCode::UNAUTHORIZED,
            response,
            authorization: Some(value),
        })
    }

    /// Ask the challenge's realm for a token and how long it lasts; `None` when it refuses (401/403)
    /// the credentials.
    async fn fetch_token(
        &self,
        target: &str,
        challenge: &Challenge,
        default_scope: &str,
        auth: &RegistryAuth,
    ) -> Result<Option<(String, Duration)>, ProbeError> {
        #[derive(Deserialize)]
        struct TokenResponse {
            #[serde(default)]
            token: Option<String>,
            #[serde(default)]
            access_token: Option<String>,
            #[serde(default)]
            expires_in: Option<u64>,
        }
        let realm = challenge
            .params
            .get("realm")
            .ok_or_else(|| ProbeError::Protocol {
                target: target.to_string(),
                reason: "Bearer challenge without a realm".into(),
            })?;
        let url = Url::parse(realm).map_err(|e| ProbeError::Protocol {
            target: target.to_string(),
            reason: format!("token realm `{realm}` is not a URL: {e}"),
        })?;
        let realm_host = url.host_str().unwrap_or_default().to_string();
        let token_target = format!("token service `{realm_host}`");
        let credentials = match auth {
            RegistryAuth::Credentials(creds) => Some(creds),
            RegistryAuth::Anonymous | RegistryAuth::SavedLogin(_) => None,
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
        let request = self.token_request(url, credentials, scope, service)?;
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
        // The token spec's default lifetime when the realm does not say.
        let expires_in = Duration::from_secs(body.expires_in.unwrap_or(60));
        body.token
            .or(body.access_token)
            .filter(|t| !t.is_empty())
            .map(|t| Some((t, expires_in)))
            .ok_or_else(|| ProbeError::Protocol {
                target: token_target,
                reason: "token response has no `token`".into(),
            })
    }
    /// The token request for `credentials` (none: anonymous): a refresh-token trade (POST, Docker's
    /// OAuth flow) for an identity token, else a GET with Basic credentials when there are any.
    fn token_request(
        &self,
        mut url: Url,
        credentials: Option<&Credentials>,
        scope: &str,
        service: Option<&String>,
    ) -> Result<reqwest::RequestBuilder, ProbeError> {
        Ok(match credentials {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_headers_are_sensitive() {
        let value = basic_value(&Credentials::new("alice", "alicepass")).unwrap();
        assert!(value.is_sensitive());
        assert_eq!(value.to_str().unwrap(), "Basic YWxpY2U6YWxpY2VwYXNz");
    }
}

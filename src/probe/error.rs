//! `ProbeError`: why a probe gave no answer. The split that matters to every caller is
//! [`ProbeError::is_unverifiable`]: an engine that is down, a registry that refuses connections, a timeout,
//! an HTTP 5xx or a 429 mean "could not verify" and must become `Unknown`, never a failure. The remaining
//! variants are the program or its input going wrong (a malformed reference, an unreadable config.json, a
//! response no registry should send). Definite answers such as "tag absent" or "not logged in" are not
//! errors at all: each probe returns them as data.

use std::time::Duration;

/// How long to wait after a 429 that did not say: Docker Hub's registry sends no `Retry-After`, and a
/// minute is long enough for a short burst's limit to pass without keeping a class waiting for long.
pub const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// Why a probe could not answer.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The other side could not be reached or answered with a server error (engine down, connection
    /// refused, socket missing, DNS failure, TLS failure, HTTP 5xx).
    #[error("could not reach {target}: {reason}")]
    Unavailable { target: String, reason: String },

    /// The other side took longer than we are willing to wait.
    #[error("{target} did not answer within {}s", .after.as_secs())]
    Timeout { target: String, after: Duration },

    /// HTTP 429. `retry_after` is the wait the server asked for (`Retry-After`, seconds or an HTTP date;
    /// the Hub API's `X-Retry-After`), `None` when it said nothing, as Docker Hub's registry does; then
    /// [`ProbeError::retry_after`] answers [`DEFAULT_RATE_LIMIT_WAIT`]. The message leaves the wait out:
    /// whoever shows the error says it once (`check::Outcome` carries it).
    #[error("{target} is rate limiting requests")]
    RateLimited {
        target: String,
        retry_after: Option<Duration>,
    },

    /// Something in front of the service refused to let the request through or answered with a page
    /// instead of the API (Cloudflare's bot filter or challenge, a region block, a proxy); `reason`
    /// names the cause. Could not verify: it says nothing about what was asked.
    #[error("{target}: {reason}")]
    Blocked { target: String, reason: String },

    /// The registry refused the learner's saved `docker login` (wrong or expired password or token).
    /// Could not verify: what the learner can see is unknown until they log in again.
    #[error("your saved login for {registry} was refused: run `{}` again", login_command(.registry))]
    LoginRefused { registry: String },

    /// An image reference that Docker would reject too.
    #[error("invalid image reference `{reference}`: {reason}")]
    InvalidReference { reference: String, reason: String },

    /// A name that must not be put in a URL (Hub user, namespace, repository or tag).
    #[error("invalid {what} `{name}`: {reason}")]
    InvalidName {
        what: &'static str,
        name: String,
        reason: String,
    },

    /// Docker's client configuration (config.json, a context's meta.json) exists but cannot be used.
    #[error("cannot use `{path}`: {reason}")]
    Config { path: String, reason: String },

    /// A `docker-credential-*` helper is missing or failed.
    #[error("credential helper `docker-credential-{helper}` failed: {reason}")]
    CredentialHelper { helper: String, reason: String },

    /// An answer that makes no sense for the request (unexpected status, malformed JSON or header).
    #[error("unexpected answer from {target}: {reason}")]
    Protocol { target: String, reason: String },
}

impl ProbeError {
    /// True when the error means "could not verify": the world may well be right, we just cannot see it
    /// now. Checks turn these into `Unknown`, never into `Fail`.
    pub fn is_unverifiable(&self) -> bool {
        matches!(
            self,
            ProbeError::Unavailable { .. }
                | ProbeError::Timeout { .. }
                | ProbeError::RateLimited { .. }
                | ProbeError::Blocked { .. }
                | ProbeError::LoginRefused { .. }
        )
    }

    /// How long to wait before asking again, for a 429: what the server said, else
    /// [`DEFAULT_RATE_LIMIT_WAIT`].
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ProbeError::RateLimited { retry_after, .. } => {
                Some(retry_after.unwrap_or(DEFAULT_RATE_LIMIT_WAIT))
            }
            _ => None,
        }
    }
}

/// `docker login`, naming the registry unless it is Docker Hub (the CLI's default).
pub fn login_command(registry: &str) -> String {
    if registry == super::reference::DOCKER_HUB {
        "docker login".to_string()
    } else {
        format!("docker login {registry}")
    }
}

/// Why a connection or request failed, said briefly: the underlying I/O error when there is one
/// ("connection refused"), else the innermost cause, instead of every wrapper's text.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost: &(dyn std::error::Error + 'static) = error;
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
                std::io::ErrorKind::ConnectionReset => "connection reset".into(),
                std::io::ErrorKind::PermissionDenied => "permission denied".into(),
                std::io::ErrorKind::NotFound => "not found".into(),
                _ => io.to_string(),
            };
        }
        innermost = e;
        current = e.source();
    }
    innermost.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unverifiable_split() {
        let down = ProbeError::Unavailable {
            target: "the Docker Engine".into(),
            reason: "connection refused".into(),
        };
        let limited = ProbeError::RateLimited {
            target: "`hub.docker.com`".into(),
            retry_after: Some(Duration::from_secs(30)),
        };
        let bad = ProbeError::InvalidReference {
            reference: "App".into(),
            reason: "repository name must be lowercase".into(),
        };
        assert!(down.is_unverifiable());
        assert!(limited.is_unverifiable());
        assert!(!bad.is_unverifiable());
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(30)));
        assert_eq!(
            limited.to_string(),
            "`hub.docker.com` is rate limiting requests",
            "the wait is said by whoever shows the error, once"
        );
        let silent = ProbeError::RateLimited {
            target: "`registry-1.docker.io`".into(),
            retry_after: None,
        };
        assert_eq!(silent.retry_after(), Some(DEFAULT_RATE_LIMIT_WAIT));
        let blocked = ProbeError::Blocked {
            target: "Docker Hub API `hub.docker.com`".into(),
            reason: "blocked by Cloudflare (HTTP 403)".into(),
        };
        assert!(blocked.is_unverifiable());
        assert_eq!(blocked.retry_after(), None);
    }
}

//! `ProbeError`: why a probe gave no answer. The split that matters to every caller is
//! [`ProbeError::is_unverifiable`]: an engine that is down, a registry that refuses connections, a timeout,
//! an HTTP 5xx or a 429 mean "could not verify" and must become `Unknown`, never a failure. The remaining
//! variants are the program or its input going wrong (a malformed reference, an unreadable config.json, a
//! response no registry should send). Definite answers such as "tag absent" or "not logged in" are not
//! errors at all: each probe returns them as data.

use std::time::Duration;

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

    /// HTTP 429. `retry_after` comes from `Retry-After` (seconds or an HTTP date) when the server sent one.
    #[error("{target} is rate limiting requests{}", retry_hint(.retry_after))]
    RateLimited {
        target: String,
        retry_after: Option<Duration>,
    },

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
                | ProbeError::LoginRefused { .. }
        )
    }

    /// How long the server asked us to wait, for a 429 that said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ProbeError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// `docker login`, naming the registry unless it is Docker Hub (the CLI's default).
fn login_command(registry: &str) -> String {
    if registry == super::reference::DOCKER_HUB {
        "docker login".to_string()
    } else {
        format!("docker login {registry}")
    }
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!("; retry after {}s", d.as_secs()),
        None => String::new(),
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
            "`hub.docker.com` is rate limiting requests; retry after 30s"
        );
    }
}

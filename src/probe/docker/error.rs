//! bollard's errors sorted into "could not verify" (engine down, refused, timeout, 5xx) and the rest, and
//! the timeout every call runs under.

use std::time::Duration;

use bollard::errors::Error as BollardError;

use super::TARGET;
use crate::probe::ProbeError;
use crate::probe::error::error_chain;

pub(super) enum NotFoundOr {
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
pub(super) async fn bounded<T>(
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
pub(super) fn engine_error(error: BollardError, host: &str, timeout: Duration) -> ProbeError {
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

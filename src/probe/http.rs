//! HTTP plumbing shared by the registry and Docker Hub probes: one way to build a client with bounded
//! timeouts, one way to turn transport failures and status codes into [`ProbeError`]s (refused, timeout
//! and 5xx become "could not verify"; 429 carries its `Retry-After`), so both probes classify the world
//! identically.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use tokio::runtime;

use super::ProbeError;

/// How long connecting may take: a registry that does not accept a connection in this time is down.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one whole request may take by default.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// A client with bounded timeouts and a user agent that names us, shared by the registry and the
/// Docker Hub clients: one per timeout and tokio runtime. Building one reads and parses the system's
/// trust store (every certificate of `SSL_CERT_FILE` and `SSL_CERT_DIR`, ~4 ms a time on the lab
/// machine, whose environment sets both), and clones share the connection pool. A pooled connection
/// is a task of the runtime that opened it and dies with it ("runtime dropped the dispatch task"), so
/// a client is shared within one runtime only: a command runs one; the tests run many, and a
/// runtime's client replaces the one another runtime had for that timeout. Outside a runtime every
/// call builds its own.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, ProbeError> {
    static CLIENTS: Mutex<Vec<(Duration, runtime::Id, reqwest::Client)>> = Mutex::new(Vec::new());
    let Ok(here) = runtime::Handle::try_current().map(|h| h.id()) else {
        return build(timeout);
    };
    let mut clients = CLIENTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, _, client)) = clients.iter().find(|(t, r, _)| *t == timeout && *r == here) {
        return Ok(client.clone());
    }
    let client = build(timeout)?;
    clients.retain(|(t, _, _)| *t != timeout);
    clients.push((timeout, here, client.clone()));
    Ok(client)
}

fn build(timeout: Duration) -> Result<reqwest::Client, ProbeError> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::limited(5))
        .user_agent(concat!("learn-registry/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ProbeError::Protocol {
            target: "the HTTP client".into(),
            reason: super::error::error_chain(&e),
        })
}

/// A transport failure: timeouts and connection failures are "could not verify", anything else (a body
/// we could not decode, a malformed URL) is a protocol error.
pub(crate) fn transport_error(
    error: reqwest::Error,
    target: &str,
    timeout: Duration,
) -> ProbeError {
    let reason = super::error::error_chain(&error);
    if error.is_timeout() {
        ProbeError::Timeout {
            target: target.to_string(),
            after: timeout,
        }
    } else if error.is_connect() || error.is_request() || error.is_body() {
        ProbeError::Unavailable {
            target: target.to_string(),
            reason,
        }
    } else {
        ProbeError::Protocol {
            target: target.to_string(),
            reason,
        }
    }
}

/// 429 and 5xx as errors ("could not verify"); `None` for every other status, which callers interpret.
pub(crate) fn unverifiable_status(
    status: StatusCode,
    headers: &HeaderMap,
    target: &str,
) -> Option<ProbeError> {
    if status == StatusCode::TOO_MANY_REQUESTS {
        let retry_after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, Utc::now()))
            .or_else(|| {
                // Docker Hub also says when the window resets, as a Unix time.
                let reset = headers.get("x-ratelimit-reset")?.to_str().ok()?;
                let reset: i64 = reset.trim().parse().ok()?;
                Some(Duration::from_secs(
                    (reset - Utc::now().timestamp()).max(0) as u64
                ))
            });
        return Some(ProbeError::RateLimited {
            target: target.to_string(),
            retry_after,
        });
    }
    if status.is_server_error() {
        return Some(ProbeError::Unavailable {
            target: target.to_string(),
            reason: format!("it answered {status}"),
        });
    }
    None
}

/// `Retry-After`: either delay-seconds or an HTTP date (RFC 9110 §10.2.3). A date in the past means
/// "now" (zero). `None` for anything unparseable.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|d| d.with_timezone(&Utc))
        // The obsolete asctime and RFC 850 forms, which HTTP still allows.
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(value, "%a %b %e %H:%M:%S %Y")
                .ok()
                .map(|d| d.and_utc())
        })
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(value, "%A, %d-%b-%y %H:%M:%S GMT")
                .ok()
                .map(|d| d.and_utc())
        })?;
    Some((when - now).to_std().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// Tests run side by side, each in a runtime of its own: one must not get a connection pooled by
    /// another, whose task only that runtime drives (and which dies with it). Here the first runtime
    /// is alive but idle while the second asks the same server.
    #[test]
    fn each_runtime_has_its_own_client() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut request = [0; 4096];
                    // One read is one small request; answer each, keeping the connection open.
                    while let Ok(1..) = stream.read(&mut request) {
                        let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                        if stream.write_all(ok).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        // A timeout no other test uses, so no other test's runtime shares the entry.
        let timeout = Duration::from_millis(2_321);
        let ask = || async {
            client(timeout)
                .unwrap()
                .get(format!("http://{addr}/v2/"))
                .send()
                .await?
                .text()
                .await
        };
        let runtime = || {
            runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
        };
        let first = runtime();
        assert_eq!(first.block_on(ask()).unwrap(), "ok");
        let second = runtime();
        assert_eq!(second.block_on(ask()).unwrap(), "ok");
        drop(first);
        assert_eq!(second.block_on(ask()).unwrap(), "ok");
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 0).unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wednesday, 21-Oct-15 07:28:30 GMT", now),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            parse_retry_after("Wed Oct 21 07:29:00 2015", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Tue, 20 Oct 2015 07:28:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means retry now"
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn statuses_that_mean_could_not_verify() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "30".parse().unwrap());
        let err = unverifiable_status(StatusCode::TOO_MANY_REQUESTS, &headers, "x").unwrap();
        assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
        let err = unverifiable_status(StatusCode::BAD_GATEWAY, &HeaderMap::new(), "x").unwrap();
        assert!(err.is_unverifiable());
        assert!(unverifiable_status(StatusCode::NOT_FOUND, &HeaderMap::new(), "x").is_none());
        assert!(unverifiable_status(StatusCode::UNAUTHORIZED, &HeaderMap::new(), "x").is_none());
    }
}

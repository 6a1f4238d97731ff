//! When to ask again. Grading a class sends many requests in a short time, so some answers are "could
//! not verify" for reasons that pass: a registry restarting (connection refused), a slow answer, a 5xx,
//! a 429. Those are retried with exponential backoff; a 429 is waited for once, if the wait is bounded,
//! and when the registry still refuses the cell stays `Unknown`, with the wait in its message. The wait
//! is the one the server gave (`Retry-After`, or the Hub API's `X-Retry-After`) or, for Docker Hub's
//! registry, which gives none, `probe::DEFAULT_RATE_LIMIT_WAIT`: the probe fills it in, so both forms
//! arrive here alike as `Outcome::Unknown { retry_after: Some(_) }`. A pass or a failure is an answer and is never retried.

use std::time::Duration;

use crate::check::Outcome;

/// How many times and how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included, for transient failures.
    pub attempts: u32,
    /// The first backoff; it doubles each time.
    pub base: Duration,
    /// The longest `Retry-After` we wait for; a longer one is reported at once.
    pub max_wait: Duration,
    /// How many `Retry-After` waits one check may take.
    pub rate_limit_waits: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            base: Duration::from_millis(200),
            // Long enough for the registry's default wait and the Hub API's usual one (under a minute).
            max_wait: Duration::from_secs(60),
            rate_limit_waits: 1,
        }
    }
}

/// What has happened so far to one check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tries {
    /// Transient failures seen (backoffs taken).
    pub transient: u32,
    /// `Retry-After` waits taken.
    pub rate_limited: u32,
}

impl RetryPolicy {
    /// `Some(wait)` to try again after `wait`, `None` to keep `outcome`. Updates `tries`.
    pub fn next(&self, outcome: &Outcome, tries: &mut Tries) -> Option<Duration> {
        match outcome {
            Outcome::Pass { .. } | Outcome::Fail { .. } => None,
            Outcome::Unknown {
                retry_after: Some(wait),
                ..
            } => {
                if tries.rate_limited >= self.rate_limit_waits || *wait > self.max_wait {
                    return None;
                }
                tries.rate_limited += 1;
                // A `Retry-After: 0` still deserves a moment.
                Some((*wait).max(self.base))
            }
            Outcome::Unknown { .. } => {
                if tries.transient + 1 >= self.attempts {
                    return None;
                }
                let wait = self.base.saturating_mul(1 << tries.transient.min(16));
                tries.transient += 1;
                Some(wait)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limited(secs: u64) -> Outcome {
        Outcome::Unknown {
            reason: "rate limited".into(),
            retry_after: Some(Duration::from_secs(secs)),
        }
    }

    #[test]
    fn answers_are_never_retried() {
        let p = RetryPolicy::default();
        let mut t = Tries::default();
        assert_eq!(p.next(&Outcome::pass("x"), &mut t), None);
        assert_eq!(p.next(&Outcome::fail("a", "b"), &mut t), None);
    }

    #[test]
    fn transient_failures_back_off_exponentially_then_stop() {
        let p = RetryPolicy {
            attempts: 4,
            ..RetryPolicy::default()
        };
        let mut t = Tries::default();
        let down = Outcome::unknown("could not reach 127.0.0.1:5000: connection refused");
        let waits: Vec<_> = std::iter::from_fn(|| p.next(&down, &mut t)).collect();
        assert_eq!(
            waits,
            [200, 400, 800].map(Duration::from_millis).to_vec(),
            "three retries after the first try"
        );
    }

    #[test]
    fn retry_after_is_waited_once_and_only_when_bounded() {
        let p = RetryPolicy::default();
        let mut t = Tries::default();
        assert_eq!(p.next(&limited(2), &mut t), Some(Duration::from_secs(2)));
        assert_eq!(
            p.next(&limited(2), &mut t),
            None,
            "still limited: keep Unknown"
        );
        let mut t = Tries::default();
        assert_eq!(
            p.next(&limited(3600), &mut t),
            None,
            "an hour is not waited for"
        );
        let mut t = Tries::default();
        assert_eq!(p.next(&limited(0), &mut t), Some(p.base));
    }

    #[test]
    fn both_rate_limit_forms_are_waited_for() {
        use crate::check::Outcome as O;
        use crate::probe::{DEFAULT_RATE_LIMIT_WAIT, ProbeError};
        let p = RetryPolicy::default();
        // Docker Hub's registry: 429 without `Retry-After`; the Hub API: `X-Retry-After` (42 s).
        for (retry_after, wait) in [
            (None, DEFAULT_RATE_LIMIT_WAIT),
            (Some(Duration::from_secs(42)), Duration::from_secs(42)),
        ] {
            let e = ProbeError::RateLimited {
                target: "`registry-1.docker.io`".into(),
                retry_after,
            };
            let mut t = Tries::default();
            assert_eq!(p.next(&O::from_probe(&e, "x"), &mut t), Some(wait));
        }
    }
}

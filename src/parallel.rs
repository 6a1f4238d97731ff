//! Independent work spread over the machine's cores, results in input order. `lint` reads, decodes
//! and validates each lesson file on its own, and YAML decoding is most of its time (issue 12: lint of
//! 100 lessons under 30 ms): plain scoped threads are enough for that, so no thread-pool crate.
//!
//! Items are handed out one at a time from a shared counter rather than in fixed chunks, so a core
//! that gets a slower share (a longer file, the other core busy with something else) takes fewer, and
//! the calling thread works too instead of waiting for the others.
//!
//! On Linux a helper thread first moves off the caller's core (`placement::away_from`), and the
//! caller yields once after starting its helpers. Linux often starts a new thread on its parent's
//! core, where it runs at the next scheduler tick (up to 4 ms later) and reaches the idle core later
//! still: traced on this project's 2-core machine, about half of 40 runs of `lint` of 100 lessons
//! (~20 ms) had the helper start 1–4 ms late or share the caller's core for a while; with both
//! measures none of 30 did (issue 12).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Below this many items a thread costs more than it saves.
const WORTH_A_THREAD: usize = 8;

/// `items.iter().map(f).collect()`, on up to as many threads as there are cores (the caller's among
/// them). A panic in `f` is resumed on the caller's thread, as if it had run there.
pub fn map<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(items.len() / WORTH_A_THREAD).max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let home = placement::current();
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let parts = thread::scope(|s| {
        let others: Vec<_> = (1..threads)
            .map(|_| {
                s.spawn(|| {
                    placement::away_from(home);
                    work()
                })
            })
            .collect();
        // A helper Linux started on this core runs only when this thread lets it (at the next
        // scheduler tick, up to 4 ms later): let it run now, and move away.
        thread::yield_now();
        let mut parts = vec![work()];
        for other in others {
            match other.join() {
                Ok(part) => parts.push(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        parts
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, r) in parts.into_iter().flatten() {
        slots[i] = Some(r);
    }
    // Every index below `items.len()` was taken by exactly one thread, and each ran to the end.
    slots.into_iter().flatten().collect()
}

/// Which core a thread runs on, and keeping a helper thread off one.
#[cfg(target_os = "linux")]
mod placement {
    use nix::sched::{CpuSet, sched_getaffinity, sched_getcpu, sched_setaffinity};
    use nix::unistd::Pid;

    /// The calling thread's core.
    pub(super) fn current() -> Option<usize> {
        sched_getcpu().ok()
    }

    /// Let the calling thread run on any core it may run on except `home` (the kernel moves it at once
    /// if it is there), for the rest of its life: a helper of `map` lives as long as the call. Nothing
    /// changes when `home` is the only core allowed or the calls fail.
    pub(super) fn away_from(home: Option<usize>) {
        let this_thread = Pid::from_raw(0);
        let Some(home) = home else { return };
        let Ok(mut allowed) = sched_getaffinity(this_thread) else {
            return;
        };
        if !allowed.is_set(home).unwrap_or(false) || cores(&allowed) < 2 {
            return;
        }
        if allowed.unset(home).is_ok() {
            let _ = sched_setaffinity(this_thread, &allowed);
        }
    }

    /// How many cores `set` allows.
    pub(super) fn cores(set: &CpuSet) -> usize {
        (0..CpuSet::count())
            .filter(|&i| set.is_set(i).unwrap_or(false))
            .count()
    }
}

#[cfg(not(target_os = "linux"))]
mod placement {
    pub(super) fn current() -> Option<usize> {
        None
    }

    pub(super) fn away_from(_: Option<usize>) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_input_order_on_any_number_of_items() {
        for n in [0, 1, 7, 8, 9, 100, 1001] {
            let items: Vec<usize> = (0..n).collect();
            let doubled = map(&items, |i| i * 2);
            assert_eq!(
                doubled,
                items.iter().map(|i| i * 2).collect::<Vec<_>>(),
                "{n}"
            );
        }
    }

    #[test]
    fn a_panic_reaches_the_caller() {
        let items: Vec<usize> = (0..64).collect();
        let caught =
            std::panic::catch_unwind(|| map(&items, |&i| if i == 40 { panic!("no") } else { i }));
        assert!(caught.is_err());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_helper_leaves_the_callers_core_unless_it_is_the_only_one() {
        use nix::sched::{CpuSet, sched_getaffinity, sched_getcpu, sched_setaffinity};
        use nix::unistd::Pid;
        let me = Pid::from_raw(0);
        // On threads of their own, so the test's thread keeps its cores.
        thread::spawn(move || {
            let allowed = sched_getaffinity(me).unwrap();
            let home = sched_getcpu().unwrap();
            placement::away_from(Some(home));
            let now = sched_getaffinity(me).unwrap();
            if placement::cores(&allowed) > 1 {
                assert!(!now.is_set(home).unwrap(), "still allowed on core {home}");
                assert_ne!(sched_getcpu().unwrap(), home);
                assert_eq!(placement::cores(&now), placement::cores(&allowed) - 1);
            } else {
                assert_eq!(now, allowed);
            }
        })
        .join()
        .unwrap();
        thread::spawn(move || {
            let home = sched_getcpu().unwrap();
            let mut only = CpuSet::new();
            only.set(home).unwrap();
            sched_setaffinity(me, &only).unwrap();
            placement::away_from(Some(home));
            assert_eq!(sched_getaffinity(me).unwrap(), only);
            assert_eq!(sched_getcpu().unwrap(), home);
        })
        .join()
        .unwrap();
    }
}

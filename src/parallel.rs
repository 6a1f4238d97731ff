//! Independent work spread over the machine's cores, results in input order. `lint` reads, decodes
//! and validates each lesson file on its own, and YAML decoding is most of its time (issue 12: lint of
//! 100 lessons under 30 ms): plain scoped threads are enough for that, so no thread-pool crate.
//!
//! Items are handed out one at a time from a shared counter rather than in fixed chunks, so a core
//! that gets a slower share (a longer file, the other core busy with something else) takes fewer, and
//! the calling thread works too instead of waiting for the others.

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
        let others: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
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
}

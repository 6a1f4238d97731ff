//! Independent work spread over the machine's cores, results in input order. `lint` decodes and
//! validates each lesson file on its own, and YAML decoding is most of its time (issue 12: lint of
//! 100 lessons under 30 ms): plain scoped threads, one contiguous chunk per core, are enough for
//! that, so no thread-pool crate.

use std::thread;

/// Below this many items a thread costs more than it saves.
const WORTH_A_THREAD: usize = 8;

/// `items.iter().map(f).collect()`, on up to as many threads as there are cores. A panic in `f`
/// is resumed on the caller's thread, as if it had run there.
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
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    thread::scope(|s| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for part in parts {
            match part.join() {
                Ok(results) => out.extend(results),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
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

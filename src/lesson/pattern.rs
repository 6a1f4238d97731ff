//! Lessons' regular expressions (`pattern:` of variables and checks), compiled once per process. Lint
//! of a course sees the same patterns in lesson after lesson, and `grade` checks every student's values
//! against the same few, so compiling each time was most of what both did with them; a compiled
//! `Regex` is cheap to clone and safe to share between threads.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use regex::Regex;

/// At most this many distinct patterns are kept; lessons have a handful, so this only bounds a
/// pathological folder.
const KEEP: usize = 1024;

static COMPILED: LazyLock<Mutex<HashMap<String, Result<Regex, regex::Error>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// `Regex::new(pattern)`, compiled once per process.
pub fn compiled(pattern: &str) -> Result<Regex, regex::Error> {
    if let Some(found) = COMPILED
        .lock()
        .expect("no panics while holding the lock")
        .get(pattern)
    {
        return found.clone();
    }
    // Compiled outside the lock: two threads may both compile a new pattern once, never wait on it.
    let result = Regex::new(pattern);
    let mut compiled = COMPILED.lock().expect("no panics while holding the lock");
    if compiled.len() < KEEP {
        compiled.insert(pattern.to_string(), result.clone());
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_answer_as_compiling_each_time() {
        for pattern in ["^[a-z0-9]{4,30}$", "(unclosed", "^a|b$"] {
            for _ in 0..2 {
                match (compiled(pattern), Regex::new(pattern)) {
                    (Ok(a), Ok(b)) => assert_eq!(a.as_str(), b.as_str()),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("{pattern}: {a:?} vs {b:?}"),
                }
            }
        }
        assert!(compiled("^[a-z0-9]{4,30}$").unwrap().is_match("alice"));
    }
}

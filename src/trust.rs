//! Trust for lessons from outside the shipped course: their `command` checks and setup actions run
//! only after the learner allowed that lesson once, like `direnv allow`. The allowance is for the
//! lesson's exact content (a SHA-256 of the file); a changed lesson asks again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::check::Check;
use crate::lesson::Lesson;
use crate::lesson::load::SourceFile;
use crate::lesson::model::SetupAction;

/// The state folder: `LEARN_REGISTRY_HOME`, or the platform's data folder.
pub fn home() -> PathBuf {
    match std::env::var_os("LEARN_REGISTRY_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => dirs::data_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("learn-registry"),
    }
}

pub fn content_hash(file: &SourceFile) -> String {
    hex::encode(Sha256::digest(file.text.as_bytes()))
}

fn store(home: &Path) -> PathBuf {
    home.join("trusted-lessons.json")
}

fn read(home: &Path) -> BTreeMap<String, String> {
    std::fs::read(store(home))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Has the learner allowed this exact content of the lesson?
pub fn is_allowed(home: &Path, lesson_id: &str, hash: &str) -> bool {
    read(home).get(lesson_id).is_some_and(|h| h == hash)
}

/// Remember that the learner allowed this content. Written atomically (temp file, then rename).
pub fn allow(home: &Path, lesson_id: &str, hash: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(home)?;
    let mut all = read(home);
    all.insert(lesson_id.to_string(), hash.to_string());
    let mut tmp = tempfile::NamedTempFile::new_in(home)?;
    serde_json::to_writer_pretty(&mut tmp, &all)?;
    tmp.persist(store(home)).map_err(|e| e.error)?;
    Ok(())
}

/// Every program the lesson would run, as written (variables not filled in), for the learner to read
/// before allowing it.
pub fn commands_of(lesson: &Lesson) -> Vec<String> {
    let mut out = Vec::new();
    for action in &lesson.setup {
        if let SetupAction::Command(c) = &action.value {
            out.push(shell_words::join(c.run.iter().map(|a| a.as_str())));
        }
    }
    for step in lesson.steps.iter() {
        for check in &step.checks {
            if let Check::Command(c) = &check.value {
                out.push(shell_words::join(c.run.iter().map(|a| a.as_str())));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowance_is_for_one_content() {
        let home = tempfile::tempdir().unwrap();
        assert!(!is_allowed(home.path(), "x", "h1"));
        allow(home.path(), "x", "h1").unwrap();
        assert!(is_allowed(home.path(), "x", "h1"));
        assert!(
            !is_allowed(home.path(), "x", "h2"),
            "a changed lesson must ask again"
        );
    }
}

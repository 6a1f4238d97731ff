//! Trust for lessons from outside the shipped course: their `command` checks and setup actions (builds
//! included, shown with their Dockerfiles) run only after the learner allowed that lesson once, like `direnv allow`. The allowance is for the
//! lesson's exact content (a SHA-256 of the file); a changed lesson asks again. The one question asked
//! on a terminal, [`confirm`], serves both `check` (the lesson's commands) and `test-lesson` (its
//! solutions too, remembered under a key of its own).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::check::Check;
use crate::lesson::load::SourceFile;
use crate::lesson::model::SetupAction;
use crate::lesson::source::{LoadedLesson, Origin};
use crate::lesson::{Lesson, Sp, template};
use crate::text;

/// The state folder: `LEARN_REGISTRY_HOME`, or the platform's data folder; created (0700) when
/// missing, and refused when someone other than the learner could write it or the files in it. Never
/// a shared temporary folder: another local user could pre-write `trusted-lessons.json` there and so
/// pre-trust a lesson, or plant a progress file. The error is the message to show.
pub fn home() -> Result<PathBuf, String> {
    let dir = match std::env::var_os("LEARN_REGISTRY_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => dirs::data_dir()
            .ok_or("there is no data folder for this user; set `LEARN_REGISTRY_HOME` to a folder of your own")?
            .join("learn-registry"),
    };
    crate::progress::private_folder(&dir, &[STORE, crate::progress::FILE_NAME])?;
    Ok(dir)
}

/// The trust store's name inside the state folder.
const STORE: &str = "trusted-lessons.json";

pub fn content_hash(file: &SourceFile) -> String {
    hex::encode(Sha256::digest(file.text.as_bytes()))
}

fn store(home: &Path) -> PathBuf {
    home.join(STORE)
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

/// Remember that the learner allowed this content. Written atomically, the way progress is.
pub fn allow(home: &Path, lesson_id: &str, hash: &str) -> std::io::Result<()> {
    let mut all = read(home);
    all.insert(lesson_id.to_string(), hash.to_string());
    let text = serde_json::to_vec_pretty(&all)?;
    crate::progress::write_atomic(&store(home), &text)
        .map_err(|e| std::io::Error::new(e.source.kind(), e.to_string()))
}

/// May this lesson do things to the machine (build its setup images, run its setup and check
/// commands)? Shipped lessons may; others with `--yes` or after the learner allowed this exact content,
/// having been shown everything it will do with `vars` filled in (`actions_of`).
pub fn commands_allowed(lesson: &LoadedLesson, yes: bool, vars: &BTreeMap<String, String>) -> bool {
    if lesson.origin == Origin::Shipped {
        return true;
    }
    let actions = actions_of(&lesson.lesson, vars);
    if actions.is_empty() || yes {
        return true;
    }
    confirm(
        lesson,
        lesson.lesson.id.as_str(),
        &actions,
        "wants to do this on your machine",
        "Allow this lesson to do it (asked again if the file changes)?",
    )
}

/// Has the learner allowed `commands` of `lesson` under `key`? If not yet, and on a terminal, show them
/// (`what`: "wants to run these commands") and ask `question`; a yes is remembered for this content.
/// Off a terminal the answer is no.
pub fn confirm(
    lesson: &LoadedLesson,
    key: &str,
    commands: &[String],
    what: &str,
    question: &str,
) -> bool {
    let home = match home() {
        Ok(home) => home,
        Err(e) => {
            eprintln!("error: {e}");
            return false;
        }
    };
    let hash = content_hash(&lesson.file);
    if is_allowed(&home, key, &hash) {
        return true;
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return false;
    }
    eprintln!(
        "lesson `{}` ({}) {what}:",
        lesson.lesson.id.as_str(),
        lesson.file.name
    );
    for c in commands {
        // Lesson text: escaped, and a Dockerfile indented under its action.
        eprintln!("  {}", text::block(c).replace('\n', "\n      "));
    }
    let allowed = dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .unwrap_or(false);
    if allowed && let Err(e) = allow(&home, key, &hash) {
        eprintln!("warning: could not remember the allowance: {e}");
    }
    allowed
}

/// Everything the lesson would do, as written (variables not filled in): see [`actions_of`].
pub fn commands_of(lesson: &Lesson) -> Vec<String> {
    actions_of(lesson, &BTreeMap::new())
}

/// Everything the lesson would do to the machine, for the learner to read before allowing it: each
/// setup build with its Dockerfile (and the names of the other files it copies), each setup command,
/// each command check. Variables in `vars` are filled in; unknown ones stay as `{{ name }}`.
pub fn actions_of(lesson: &Lesson, vars: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    let run = |argv: &[Sp<String>]| shell_words::join(argv.iter().map(|a| fill(a, vars)));
    for action in &lesson.setup {
        match &action.value {
            SetupAction::BuildImage(b) => {
                let others: Vec<String> = b
                    .files
                    .keys()
                    .filter(|n| *n != "Dockerfile")
                    .map(|n| format!("`{n}`"))
                    .chain(
                        b.assets
                            .iter()
                            .map(|a| format!("the program `{}`", a.name())),
                    )
                    .collect();
                let mut text = format!(
                    "build the image `{}` (no network), with this Dockerfile{}:",
                    fill(&b.tag, vars),
                    if others.is_empty() {
                        String::new()
                    } else {
                        format!(" and {}", others.join(", "))
                    }
                );
                let dockerfile = b
                    .files
                    .get("Dockerfile")
                    .map(|d| fill(d, vars))
                    .unwrap_or_default();
                for line in dockerfile.lines() {
                    text.push_str("\n  ");
                    text.push_str(line);
                }
                out.push(text);
            }
            SetupAction::Command(c) => out.push(format!("run `{}` (setup)", run(&c.run))),
        }
    }
    for step in lesson.steps.iter() {
        for check in &step.checks {
            if let Check::Command(c) = &check.check {
                out.push(format!(
                    "run `{}` (a check of step `{}`)",
                    run(&c.run),
                    *step.id
                ));
            }
        }
    }
    out
}

/// `text` with the known variables filled in and the others left as written.
fn fill(text: &str, vars: &BTreeMap<String, String>) -> String {
    match template::render(text, vars) {
        Ok(s) => s,
        Err(missing) => {
            let mut all = vars.clone();
            for name in missing {
                all.insert(name.clone(), format!("{{{{ {name} }}}}"));
            }
            template::render(text, &all).unwrap_or_else(|_| text.to_string())
        }
    }
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

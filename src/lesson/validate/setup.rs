//! Setup actions: an image built from inline files needs a valid tag and a `Dockerfile`; a command
//! needs something to run.

use std::collections::BTreeMap;

use super::{Flow, Lint, checks};
use crate::diagnostic::did_you_mean;
use crate::lesson::model::{BuildImage, SetupAction};

pub(super) fn actions(lint: &mut Lint<'_>, samples: &BTreeMap<String, String>) -> Flow {
    for action in &lint.lesson.setup {
        match &action.value {
            SetupAction::BuildImage(b) => {
                checks::image_ref(lint, &b.tag, samples)?;
                dockerfile(lint, b)?;
            }
            SetupAction::Command(c) => checks::empty_command(lint, &c.run)?,
        }
    }
    Flow::Continue(())
}

fn dockerfile(lint: &mut Lint<'_>, b: &BuildImage) -> Flow {
    if b.files.contains_key("Dockerfile") {
        return Flow::Continue(());
    }
    let message = "`build_image` has no `Dockerfile` among its files".to_string();
    // Point at a near miss (`dockerfile:`) when there is one, else at `files:`.
    let d = match did_you_mean("Dockerfile", b.files.keys().map(String::as_str)) {
        Some(near) => lint
            .at_text(&b.files, near, "missing-dockerfile", message)
            .label("did you mean `Dockerfile`?"),
        None => lint
            .at_key(&b.files, "files", "missing-dockerfile", message)
            .help("add `Dockerfile: \"FROM ...\"` under `files:`"),
    };
    lint.push(d)
}

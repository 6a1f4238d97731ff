//! The lesson's id and the lessons it requires: an id of lowercase words, and `requires` naming lessons
//! that exist and are not this one.

use std::collections::BTreeSet;

use super::{Flow, ID, Lint};
use crate::diagnostic::did_you_mean;

pub(super) fn lesson_id(lint: &mut Lint<'_>) -> Flow {
    let id = &lint.lesson.id;
    if ID.is_match(id) {
        return Flow::Continue(());
    }
    let d = lint
        .at(
            id,
            "invalid-id",
            format!("lesson id `{}` is not lowercase words joined by `-`", **id),
        )
        .help("for example `tag-an-image`");
    lint.push(d)
}

/// A lesson that names itself in `requires`.
pub(super) fn requires_itself(lint: &mut Lint<'_>) -> Flow {
    let lesson = lint.lesson;
    for req in &lesson.requires {
        if req.as_str() == lesson.id.as_str() {
            lint.push(lint.at(
                req,
                "requires-cycle",
                format!("lesson `{}` requires itself", **req),
            ))?;
        }
    }
    Flow::Continue(())
}

/// Required lessons that are not among `all_ids` (the set linted and the known ones).
pub(super) fn requires(lint: &mut Lint<'_>, all_ids: &BTreeSet<&str>) -> Flow {
    let lesson = lint.lesson;
    for req in &lesson.requires {
        if req.as_str() != lesson.id.as_str() && !all_ids.contains(req.as_str()) {
            let mut d = lint.at(
                req,
                "unknown-lesson",
                format!("required lesson `{}` does not exist", **req),
            );
            // A lesson cannot require itself, so its own id is no suggestion.
            let others = all_ids
                .iter()
                .copied()
                .filter(|id| *id != lesson.id.as_str());
            if let Some(best) = did_you_mean(req, others) {
                d = d.label(format!("did you mean `{best}`?"));
            }
            lint.push(d)?;
        }
    }
    Flow::Continue(())
}

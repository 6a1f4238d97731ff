//! `event_seen`: the learner did an action since the step began (`tag`, `push`, `pull`, `untag`,
//! `delete`), as the Docker Engine's image events tell it.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/event_seen.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// An image event the engine reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventAction {
    Tag,
    Untag,
    Push,
    Pull,
    Delete,
}

impl EventAction {
    pub fn as_str(self) -> &'static str {
        match self {
            EventAction::Tag => "tag",
            EventAction::Untag => "untag",
            EventAction::Push => "push",
            EventAction::Pull => "pull",
            EventAction::Delete => "delete",
        }
    }
}

/// The learner did an action since the step began.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSeen {
    /// Which action.
    pub action: EventAction,
    /// The image it must concern; any image when absent.
    #[serde(default)]
    pub image: Option<Sp<String>>,
}

impl CheckSpec for EventSeen {
    const KIND: &'static str = "event_seen";

    fn templates(&self) -> Vec<&Sp<String>> {
        self.image.iter().collect()
    }

    fn image_refs(&self) -> Vec<&Sp<String>> {
        self.image.iter().collect()
    }

    fn describe(&self) -> String {
        match &self.image {
            Some(i) => format!("`{}` of `{}`", self.action.as_str(), **i),
            None => format!("a `{}`", self.action.as_str()),
        }
    }
}

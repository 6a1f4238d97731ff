//! `container_ran`: a container from an image ran since the step began, stopped with an exit code, and
//! printed a text (the learner ran a pulled image and saw what it says).
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/container_ran.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// A container from an image ran since the step began (Engine events, and the containers the engine
/// still has), with the exit code and the output asked for.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerRan {
    /// The image, as the learner runs it (`docker run IMAGE`). A container run by this name counts,
    /// and so does one run from the same image by ID.
    pub image: Sp<String>,
    /// The exit code the container must have stopped with (`0`: the program succeeded). Without it,
    /// any container that started counts, even one still running.
    #[serde(default)]
    pub exit_code: Option<i64>,
    /// Text the container's output (stdout and stderr, from its logs) must contain. A container
    /// removed on exit (`docker run --rm`) takes its logs with it: then the output cannot be
    /// verified and the check says so (unknown) rather than pass or fail.
    #[serde(default)]
    pub output_contains: Option<Sp<String>>,
}

impl CheckSpec for ContainerRan {
    const KIND: &'static str = "container_ran";

    fn templates(&self) -> Vec<&Sp<String>> {
        let mut all = vec![&self.image];
        all.extend(self.output_contains.iter());
        all
    }

    fn image_refs(&self) -> Vec<&Sp<String>> {
        vec![&self.image]
    }
}

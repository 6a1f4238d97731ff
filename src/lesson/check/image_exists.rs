//! `image_exists`: a local image name exists in the engine.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/image_exists.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// A local image name exists in the engine.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageExists {
    /// The image reference, e.g. `{{ repository }}:1.0`.
    pub image: Sp<String>,
}

impl CheckSpec for ImageExists {
    const KIND: &'static str = "image_exists";

    fn templates(&self) -> Vec<&Sp<String>> {
        vec![&self.image]
    }

    fn image_refs(&self) -> Vec<&Sp<String>> {
        vec![&self.image]
    }

    fn describe(&self) -> String {
        format!("image `{}` on this machine", *self.image)
    }
}

//! `image_pulled`: the local image came from the registry and matches what the registry serves now.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/image_pulled.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// The local image came from the registry and matches what the registry serves now.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImagePulled {
    /// The image reference, e.g. `{{ repository }}:1.0`.
    pub image: Sp<String>,
}

impl CheckSpec for ImagePulled {
    const KIND: &'static str = "image_pulled";

    fn templates(&self) -> Vec<&Sp<String>> {
        vec![&self.image]
    }

    fn image_refs(&self) -> Vec<&Sp<String>> {
        vec![&self.image]
    }

    fn describe(&self) -> String {
        format!("`{}` pulled from the registry", *self.image)
    }
}

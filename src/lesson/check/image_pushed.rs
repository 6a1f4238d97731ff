//! `image_pushed`: the registry's digest for the tag equals the local image's digest for it.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/image_pushed.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// The registry's digest for the tag equals the local image's digest for it (RepoDigests).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImagePushed {
    /// The image reference, e.g. `{{ repository }}:1.0`.
    pub image: Sp<String>,
}

impl CheckSpec for ImagePushed {
    const KIND: &'static str = "image_pushed";

    fn templates(&self) -> Vec<&Sp<String>> {
        vec![&self.image]
    }

    fn image_refs(&self) -> Vec<&Sp<String>> {
        vec![&self.image]
    }

    fn describe(&self) -> String {
        format!("`{}` pushed", *self.image)
    }
}

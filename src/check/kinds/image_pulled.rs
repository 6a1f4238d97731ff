//! `image_pulled`: the local image came from the registry and matches what the registry serves now.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::check::CheckSpec;
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
}

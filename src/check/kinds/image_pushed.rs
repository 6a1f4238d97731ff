//! `image_pushed`: the registry's digest for the tag equals the local image's digest for it (RepoDigests).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::check::CheckSpec;
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
}

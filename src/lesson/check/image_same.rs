//! `image_same`: two local names point to the same image.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/image_same.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// Two local names point to the same image (same image ID).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageSame {
    /// The image reference, e.g. `{{ repository }}:1.0`.
    pub image: Sp<String>,
    /// The other name, e.g. `my-app:latest`.
    #[serde(rename = "as")]
    #[schemars(rename = "as")]
    pub same_as: Sp<String>,
}

impl CheckSpec for ImageSame {
    const KIND: &'static str = "image_same";

    fn templates(&self) -> Vec<&Sp<String>> {
        vec![&self.image, &self.same_as]
    }

    fn image_refs(&self) -> Vec<&Sp<String>> {
        vec![&self.image, &self.same_as]
    }

    fn describe(&self) -> String {
        format!(
            "`{}` names the same image as `{}`",
            *self.image, *self.same_as
        )
    }
}

//! `registry_tag`: the tag exists in the registry.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/registry_tag.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// The tag exists in the registry (a HEAD request for its manifest).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistryTag {
    /// The image reference, e.g. `{{ repository }}:1.0`.
    pub image: Sp<String>,
}

impl CheckSpec for RegistryTag {
    const KIND: &'static str = "registry_tag";

    fn templates(&self) -> Vec<&Sp<String>> {
        vec![&self.image]
    }

    fn image_refs(&self) -> Vec<&Sp<String>> {
        vec![&self.image]
    }

    fn remote(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        format!("tag `{}` in the registry", *self.image)
    }
}

//! `registry_digest`: what digest the registry serves for a tag, or that it still serves a digest.
//! With `capture` beside it, the digest is recorded for later steps; `equals` and `differs` compare it
//! with one recorded before (`{{ old_digest }}`); `image: "REPO@{{ old_digest }}"` asks whether that
//! digest is still served, whatever the tags say now.
//!
//! Its fields as a lesson writes them, and what lint needs to know; evaluating it is
//! `check/eval/registry_digest.rs` (docs/ARCHITECTURE.md says why the two halves live apart).

use schemars::JsonSchema;
use serde::Deserialize;

use super::CheckSpec;
use crate::lesson::Sp;

/// The registry serves the tag (its digest then compared or captured), or serves a digest by name.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistryDigest {
    /// `REPO:TAG` (the tag must exist; its digest is what `equals`, `differs` and `capture` see) or
    /// `REPO@sha256:…` / `REPO@{{ captured }}` (that manifest must still be served).
    pub image: Sp<String>,
    /// The tag's digest must be this one, e.g. `"{{ old_digest }}"`.
    #[serde(default)]
    pub equals: Option<Sp<String>>,
    /// The tag's digest must not be this one: the tag moved, e.g. `"{{ old_digest }}"`.
    #[serde(default)]
    pub differs: Option<Sp<String>>,
}

impl CheckSpec for RegistryDigest {
    const KIND: &'static str = "registry_digest";

    fn templates(&self) -> Vec<&Sp<String>> {
        let mut all = vec![&self.image];
        all.extend(self.equals.iter());
        all.extend(self.differs.iter());
        all
    }

    fn image_refs(&self) -> Vec<&Sp<String>> {
        vec![&self.image]
    }

    fn remote(&self) -> bool {
        true
    }

    fn captures(&self) -> Option<&'static str> {
        Some("the digest the registry serves")
    }

    fn describe(&self) -> String {
        let mut s = match self.image.split_once('@') {
            Some(_) => format!("the registry serves `{}`", *self.image),
            None => format!("tag `{}` in the registry", *self.image),
        };
        if let Some(d) = &self.equals {
            s.push_str(&format!(" at digest {}", **d));
        }
        if let Some(d) = &self.differs {
            s.push_str(&format!(" at another digest than {}", **d));
        }
        s
    }
}

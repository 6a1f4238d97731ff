//! `registry_tag`: the tag exists in the registry (a HEAD request for its manifest).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::check::diagnose;
use crate::check::{CheckSpec, Context, Outcome};
use crate::probe::registry::TagStatus;

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
}

impl RegistryTag {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        let image = match ctx.image(&self.image) {
            Ok(r) => r,
            Err(o) => return o,
        };
        let client = match ctx.registry_client().await {
            Ok(c) => c,
            Err(o) => return o,
        };
        let tag = image.manifest_reference().to_string();
        let expected = format!("tag `{tag}` in `{}`", image.familiar_name());
        let auth = ctx.registry_auth(&image).await;
        match client.head_manifest(&image, &auth).await {
            Ok(TagStatus::Present { digest, .. }) => Outcome::pass(format!(
                "`{}` in the registry, digest {digest}",
                image.familiar()
            )),
            Ok(TagStatus::Absent) => {
                let actual = diagnose::remote_tags(ctx, &image).await;
                Outcome::fail(expected, actual)
                    .with_hint(format!("push it: `docker push {}`", image.familiar()))
            }
            Ok(TagStatus::Unauthorized) => Outcome::fail(
                expected,
                format!("`{}` is private or does not exist", image.familiar_name()),
            )
            .with_hint("push it first; if it is private, only its owner (logged in) can see it"),
            Err(e) => Outcome::from_probe(&e, &expected),
        }
    }
}

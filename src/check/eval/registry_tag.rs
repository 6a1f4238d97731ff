//! `registry_tag`: the tag exists in the registry (a HEAD request for its manifest).
//!
//! How the check is evaluated; its fields are in `lesson/check/registry_tag.rs`.

use crate::check::diagnose;
use crate::check::{Context, Outcome};
use crate::lesson::check::RegistryTag;
use crate::probe::registry::TagStatus;

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
            // Refused to a stranger: private and missing look alike (`visibility`).
            Ok(TagStatus::Unauthorized)
                if matches!(auth, crate::probe::RegistryAuth::Anonymous) =>
            {
                Outcome::unknown(super::visibility::private_or_missing(
                    &image.familiar_name(),
                    image.registry(),
                    ctx,
                ))
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

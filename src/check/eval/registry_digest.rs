//! `registry_digest`: the digest the registry serves for a tag (recorded with `capture`, compared
//! with `equals` / `differs`), or, for `REPO@sha256:…`, that the registry still serves that manifest.
//! Both are one HEAD request, which Docker Hub does not count against pull limits.
//!
//! How the check is evaluated; its fields are in `lesson/check/registry_digest.rs`.

use crate::check::diagnose;
use crate::check::{Context, Outcome};
use crate::lesson::check::RegistryDigest;
use crate::probe::registry::TagStatus;

impl RegistryDigest {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        self.evaluate_valued(ctx).await.0
    }

    /// The outcome, and on a pass the digest served (what `capture` records).
    pub async fn evaluate_valued(&self, ctx: &Context) -> (Outcome, Option<String>) {
        let image = match ctx.image(&self.image) {
            Ok(r) => r,
            Err(o) => return (o, None),
        };
        let wanted = |field: &Option<crate::lesson::Sp<String>>| match field {
            Some(t) => ctx.render(t).map(|d| Some(d.trim().to_string())),
            None => Ok(None),
        };
        let (equals, differs) = match (wanted(&self.equals), wanted(&self.differs)) {
            (Ok(e), Ok(d)) => (e, d),
            (Err(o), _) | (_, Err(o)) => return (o, None),
        };
        let client = match ctx.registry_client().await {
            Ok(c) => c,
            Err(o) => return (o, None),
        };
        let name = image.familiar();
        let by_digest = image.digest().is_some();
        let expected = if by_digest {
            format!("the registry still serves `{name}`")
        } else {
            format!("tag `{name}` in the registry")
        };
        let auth = ctx.registry_auth(&image).await;
        let digest = match client.head_manifest(&image, &auth).await {
            Ok(TagStatus::Present { digest, .. }) => digest,
            Ok(TagStatus::Absent) if by_digest => {
                return (
                    Outcome::fail(
                        expected,
                        format!(
                            "`{}` no longer serves that digest (deleted, or its tag was the only thing keeping it)",
                            image.familiar_name()
                        ),
                    ),
                    None,
                );
            }
            Ok(TagStatus::Absent) => {
                let actual = diagnose::remote_tags(ctx, &image).await;
                return (
                    Outcome::fail(expected, actual)
                        .with_hint(format!("push it: `docker push {name}`")),
                    None,
                );
            }
            Ok(TagStatus::Unauthorized) => {
                return (
                    Outcome::fail(
                        expected,
                        format!("`{}` is private or does not exist", image.familiar_name()),
                    ),
                    None,
                );
            }
            Err(e) => return (Outcome::from_probe(&e, &expected), None),
        };
        if let Some(want) = equals.filter(|w| *w != digest) {
            let o = Outcome::fail(
                format!("`{name}` at digest {want}"),
                format!("it is at {digest}"),
            )
            .with_hint("the tag moved since that digest was recorded");
            return (o, None);
        }
        if let Some(old) = differs.filter(|d| *d == digest) {
            let o = Outcome::fail(
                format!("`{name}` at another digest than {old}"),
                format!("it is still at {old}"),
            )
            .with_hint(format!(
                "the tag has not moved: push another image as `{name}`"
            ));
            return (o, None);
        }
        let saw = if by_digest {
            format!("the registry serves `{name}`")
        } else {
            format!("`{name}` at {digest}")
        };
        (Outcome::pass(saw), Some(digest))
    }
}

//! `image_pulled`: the local image came from the registry and matches what the registry serves now.
//!
//! How the check is evaluated; its fields are in `lesson/check/image_pulled.rs`.

use crate::check::diagnose;
use crate::check::{Context, Outcome};
use crate::lesson::check::ImagePulled;
use crate::probe::registry::TagStatus;

impl ImagePulled {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        let image = match ctx.image(&self.image) {
            Ok(r) => r,
            Err(o) => return o,
        };
        let name = image.familiar();
        let expected = format!("`{name}` pulled from the registry");
        let local = match diagnose::local_image(
            ctx,
            &image,
            &expected,
            format!("no local image `{name}`"),
            format!("`docker pull {name}`"),
        )
        .await
        {
            Ok(info) => info,
            Err(o) => return o,
        };
        let local_digests = local.repo_digests_for(&image);
        // With the containerd image store every name of an image is listed as `NAME@ID` (the ID is the
        // manifest digest), pulled or not: only other digests record a pull or a push.
        let recorded: Vec<&String> = local_digests.iter().filter(|d| **d != local.id).collect();
        let built_here = || {
            Outcome::fail(
                expected.clone(),
                format!("`{name}` was built or tagged here, not pulled"),
            )
            .with_hint(format!(
                "remove it and pull it: `docker rmi {name}` then `docker pull {name}`"
            ))
        };
        if local_digests.is_empty() {
            return built_here();
        }
        let client = match ctx.registry_client().await {
            Ok(c) => c,
            Err(o) => return o,
        };
        let auth = ctx.registry_auth(&image).await;
        match client.head_manifest(&image, &auth).await {
            Ok(TagStatus::Present { digest, .. }) if local_digests.contains(&digest) => {
                Outcome::pass(format!("pull {name}, digest {digest}"))
            }
            // (With the containerd store a pulled image's ID is the digest it was pulled by, so an
            // image pulled before the tag moved and one tagged here look alike: both are told to pull.)
            Ok(TagStatus::Present { digest, .. }) => Outcome::fail(
                expected,
                format!(
                    "this machine has {}; the registry now serves {digest}",
                    recorded.first().copied().unwrap_or(&local_digests[0])
                ),
            )
            .with_hint(format!(
                "the tag moved since; pull again: `docker pull {name}`"
            )),
            Ok(TagStatus::Absent | TagStatus::Unauthorized) if recorded.is_empty() => built_here(),
            Ok(TagStatus::Absent | TagStatus::Unauthorized) => {
                Outcome::fail(expected, diagnose::remote_tags(ctx, &image).await)
            }
            Err(e) => Outcome::from_probe(&e, &expected),
        }
    }
}

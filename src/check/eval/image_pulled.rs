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
        let Some(local_digest) = local_digests.first().cloned() else {
            return Outcome::fail(
                expected,
                format!("`{name}` was built or tagged here, not pulled"),
            )
            .with_hint(format!(
                "remove it and pull it: `docker rmi {name}` then `docker pull {name}`"
            ));
        };
        let client = match ctx.registry_client().await {
            Ok(c) => c,
            Err(o) => return o,
        };
        let auth = ctx.registry_auth(&image).await;
        match client.head_manifest(&image, &auth).await {
            Ok(TagStatus::Present { digest, .. }) if local_digests.contains(&digest) => {
                Outcome::pass(format!("pull {name}, digest {digest}"))
            }
            Ok(TagStatus::Present { digest, .. }) => Outcome::fail(
                expected,
                format!("this machine has {local_digest}; the registry now serves {digest}"),
            )
            .with_hint(format!(
                "the tag moved since; pull again: `docker pull {name}`"
            )),
            Ok(TagStatus::Absent | TagStatus::Unauthorized) => {
                Outcome::fail(expected, diagnose::remote_tags(ctx, &image).await)
            }
            Err(e) => Outcome::from_probe(&e, &expected),
        }
    }
}

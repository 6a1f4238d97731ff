//! `image_pushed`: the registry's digest for the tag equals the local image's digest for it (RepoDigests,
//! or the image ID itself with the containerd image store: `docs/ARCHITECTURE.md`, "Image identity").
//!
//! How the check is evaluated; its fields are in `lesson/check/image_pushed.rs`.

use crate::check::diagnose;
use crate::check::{Context, Outcome};
use crate::lesson::check::ImagePushed;
use crate::probe::registry::TagStatus;

impl ImagePushed {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        let image = match ctx.image(&self.image) {
            Ok(r) => r,
            Err(o) => return o,
        };
        let name = image.familiar();
        let expected = format!("`{name}` pushed: the registry serves this machine's image");
        let local = match diagnose::local_image(
            ctx,
            &image,
            &expected,
            format!("no local image `{name}` to push"),
            format!("name an image `{name}` first: `docker tag SOURCE {name}`"),
        )
        .await
        {
            Ok(info) => info,
            Err(o) => return o,
        };
        let client = match ctx.registry_client().await {
            Ok(c) => c,
            Err(o) => return o,
        };
        let auth = ctx.registry_auth(&image).await;
        let remote = match client.head_manifest(&image, &auth).await {
            Ok(TagStatus::Present { digest, .. }) => digest,
            Ok(TagStatus::Absent) => {
                let o = Outcome::fail(expected, diagnose::remote_tags(ctx, &image).await);
                return match diagnose::pushed_elsewhere(&local, &image) {
                    Some(h) => o.with_hint(h),
                    None => o.with_hint(format!("`docker push {name}`")),
                };
            }
            Ok(TagStatus::Unauthorized) => {
                let o = Outcome::fail(
                    expected,
                    format!("`{}` is private or does not exist", image.familiar_name()),
                );
                return match diagnose::pushed_elsewhere(&local, &image) {
                    Some(h) => o.with_hint(h),
                    None => o.with_hint(format!("log in, then `docker push {name}`")),
                };
            }
            Err(e) => return Outcome::from_probe(&e, &expected),
        };
        // With the containerd image store the image ID is its manifest (or index) digest, and the engine
        // lists `NAME@ID` in RepoDigests for every name the image has, pushed or not: that entry records
        // no push. The registry serving that very digest does prove it serves this image.
        if remote == local.id {
            return Outcome::pass(format!("push {name}, digest {remote}"));
        }
        let pushed: Vec<String> = local
            .repo_digests_for(&image)
            .into_iter()
            .filter(|d| *d != local.id)
            .collect();
        if !pushed.is_empty()
            && !pushed.contains(&remote)
            && let Ok(Some(config)) = client.manifest_config_digest(&image, &auth).await
            && config == local.id
        {
            // This machine pushed to this repository, but Podman (and a re-compressing push in
            // general) may record another manifest digest than the registry stored; the image config
            // identifies the image whatever the compression. Without any record of a push from here,
            // the same image uploaded by someone else does not count.
            return Outcome::pass(format!(
                "push {name}: the registry serves this machine's image {} (manifest {remote})",
                super::image_exists::short(&local.id)
            ));
        }
        if pushed.contains(&remote) {
            return Outcome::pass(format!("push {name}, digest {remote}"));
        }
        // The name may have moved to another image after the push (retagged after pushing): another
        // local image is the one pushed, by its RepoDigests or (containerd store) by its ID. Asked
        // before trusting `pushed`: Podman lists a RepoDigest for an image it built and never pushed.
        // The engine answered above; `ctx.docker()` hands back the same connection.
        let docker = match ctx.docker().await {
            Ok(d) => d,
            Err(o) => return o,
        };
        let moved = docker.list_images().await.ok().and_then(|all| {
            all.into_iter().find(|i| {
                i.id != local.id && (i.id == remote || i.repo_digests_for(&image).contains(&remote))
            })
        });
        match (moved, pushed.first()) {
            (Some(_), _) => Outcome::fail(
                expected,
                format!("`{name}` now names another image than the one pushed ({remote})"),
            )
            .with_hint(format!(
                "you retagged after pushing; push again: `docker push {name}`"
            )),
            (None, Some(d)) => Outcome::fail(
                expected,
                format!("the registry has {remote}; this machine pushed {d}"),
            )
            .with_hint(format!(
                "`{name}` was pushed before the image changed; push again: `docker push {name}`"
            )),
            (None, None) => Outcome::fail(
                expected,
                format!("the registry has {remote}, which this machine did not push"),
            )
            .with_hint(format!("`docker push {name}`")),
        }
    }
}

//! Help for the mistakes learners make most, shared by the check kinds: tagged without the username,
//! pushed to the wrong registry or repository, retagged after pushing. Each function returns a hint
//! to attach to a failure, or nothing when it has no better idea.

use crate::check::{Context, Outcome};
use crate::probe::{ImageInfo, ImageRef};

/// Local names that look like what was asked for but are not it: the same last path component, any
/// registry, namespace or tag (`python-canvas-client:1.0` when `alice/python-canvas-client:1.0` was
/// asked, or `alice/python-canvas-client:2.0`).
pub async fn near_misses(ctx: &Context, wanted: &ImageRef) -> Vec<String> {
    let Ok(docker) = ctx.docker().await else {
        return Vec::new();
    };
    let Ok(images) = docker.list_images().await else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for tag in images.iter().flat_map(|i| i.repo_tags.iter()) {
        let Ok(r) = ImageRef::parse(tag) else {
            continue;
        };
        let same_name = r.base_name() == wanted.base_name();
        let same_repo = r.registry() == wanted.registry() && r.repository() == wanted.repository();
        if same_name && !(same_repo && r.tag() == wanted.tag()) {
            found.push(r.familiar());
        }
    }
    found.sort();
    found.dedup();
    found
}

/// The local image a check is about. When there is none, the failure says `actual` and points at the
/// near miss (see `missing_local_hint`), or else says `hint`: the usual first step of a check about an
/// image on this machine.
pub async fn local_image(
    ctx: &Context,
    image: &ImageRef,
    expected: &str,
    actual: String,
    hint: String,
) -> Result<ImageInfo, Outcome> {
    let docker = ctx.docker().await?;
    match docker.inspect_named(image).await {
        Ok(Some(info)) => Ok(info),
        Ok(None) => {
            let o = Outcome::fail(expected, actual);
            Err(match missing_local_hint(ctx, image).await {
                Some(h) => o.with_hint(h),
                None => o.with_hint(hint),
            })
        }
        Err(e) => Err(Outcome::from_probe(&e, expected)),
    }
}

/// A hint for a local name that does not exist, from the local name most like it (same last path
/// component): tagged without the namespace (`python-canvas-client:1.0` for
/// `alice/python-canvas-client:1.0`), for another registry, or with another tag. Names under another
/// namespace are someone else's (a classmate's image) and no hint.
pub async fn missing_local_hint(ctx: &Context, wanted: &ImageRef) -> Option<String> {
    let misses: Vec<ImageRef> = near_misses(ctx, wanted)
        .await
        .iter()
        .filter_map(|m| ImageRef::parse(m).ok())
        .collect();
    let (ns, last) = match wanted.repository().rsplit_once('/') {
        Some((ns, last)) => (Some(ns), last),
        None => (None, wanted.repository()),
    };
    let same_repo = |r: &ImageRef| r.repository() == wanted.repository();
    // `last`, or `library/last` as Docker Hub spells a name without a namespace.
    let lacks_namespace = |r: &ImageRef| {
        ns.is_some() && (r.repository() == last || r.repository() == format!("library/{last}"))
    };
    let other_registry = |r: &ImageRef| r.registry() != wanted.registry();
    let other_tag = |r: &ImageRef| r.tag() != wanted.tag();

    // The closest name: fewest differences, then the same tag, then the same registry.
    let best = misses
        .iter()
        .filter(|r| same_repo(r) || lacks_namespace(r))
        .min_by_key(|r| {
            let differences = [other_registry(r), lacks_namespace(r), other_tag(r)];
            (
                differences.iter().filter(|d| **d).count(),
                other_tag(r),
                other_registry(r),
                r.familiar(),
            )
        })?;
    // Only the tag differs: name every tag of the right repository there is.
    if !other_registry(best) && same_repo(best) {
        let tags: Vec<String> = misses
            .iter()
            .filter(|r| !other_registry(r) && same_repo(r))
            .map(|r| format!("`{}`", r.familiar()))
            .collect();
        return Some(format!(
            "you have {}; `{}` is another tag",
            tags.join(", "),
            wanted.familiar()
        ));
    }
    let mut what = Vec::new();
    if other_registry(best) {
        what.push(format!(
            "names another registry (`{}`, not `{}`)",
            best.registry(),
            wanted.registry()
        ));
    }
    if lacks_namespace(best) {
        what.push(format!(
            "lacks your namespace `{}/` in front",
            ns.unwrap_or_default()
        ));
    }
    if other_tag(best) {
        what.push(format!(
            "has tag `{}`, not `{}`",
            best.tag().unwrap_or("(none)"),
            wanted.tag().unwrap_or("(none)")
        ));
    }
    Some(format!(
        "you have `{}`, which {}; the name must be `{}`",
        best.familiar(),
        what.join(" and "),
        wanted.familiar()
    ))
}

/// Where the local image was pushed instead, from its RepoDigests: the same repository on another
/// registry, else a repository of the same name under another path. An image can carry digests of
/// many unrelated pushes (one image, many names), so anything less alike is no hint.
pub fn pushed_elsewhere(image: &ImageInfo, wanted: &ImageRef) -> Option<String> {
    let others: Vec<ImageRef> = image
        .repo_digests
        .iter()
        .filter_map(|d| ImageRef::parse(d).ok())
        .filter(|r| r.registry() != wanted.registry() || r.repository() != wanted.repository())
        .collect();
    let other = others
        .iter()
        .find(|r| r.repository() == wanted.repository())
        .or_else(|| others.iter().find(|r| r.base_name() == wanted.base_name()))?;
    Some(format!(
        "this image was pushed to `{}`, not to `{}`; push that name: `docker push {}`",
        other.familiar_name(),
        wanted.familiar(),
        wanted.familiar()
    ))
}

/// What the registry holds in `image`'s repository, for a failure's `actual`: `tags [latest]`, `no
/// repository alice/app`, or `not visible without a login`. A run's client asks once per repository;
/// a run whose reports show no `actual` (`grade`'s table) does not ask at all.
pub async fn remote_tags(ctx: &Context, image: &ImageRef) -> String {
    use crate::probe::registry::TagList;
    if !ctx.diagnoses() {
        return format!(
            "no tag `{}` in `{}`",
            image.manifest_reference(),
            image.familiar_name()
        );
    }
    let Ok(client) = ctx.registry_client().await else {
        return "nothing (registry unavailable)".into();
    };
    let auth = ctx.registry_auth(image).await;
    match client.list_tags(image, &auth).await {
        Ok(TagList::Tags(tags)) if tags.is_empty() => {
            format!("no tags in `{}`", image.familiar_name())
        }
        Ok(TagList::Tags(tags)) => format!(
            "tags in `{}`: {}",
            image.familiar_name(),
            tags.iter().take(20).cloned().collect::<Vec<_>>().join(", ")
        ),
        Ok(TagList::NoSuchRepository) => format!("no repository `{}`", image.familiar_name()),
        Ok(TagList::Unauthorized) => format!(
            "`{}` is not visible to us (private or missing)",
            image.familiar_name()
        ),
        Err(e) => format!("tag not found (tags unknown: {e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(digests: &[&str]) -> ImageInfo {
        ImageInfo {
            id: "sha256:00".into(),
            repo_tags: Vec::new(),
            repo_digests: digests.iter().map(|d| d.to_string()).collect(),
            created: None,
            size: None,
            architecture: None,
            os: None,
        }
    }

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn pushed_elsewhere_names_the_likeliest_push_only() {
        let wanted = ImageRef::parse("127.0.0.1:5000/alice/app:1.0").unwrap();
        // One image carries the digests of every name it was pushed under; unrelated ones are no hint.
        let pushes = [
            format!("127.0.0.1:5000/bob/other@{D}"),
            format!("127.0.0.1:5001/alice/app@{D}"),
        ];
        let hint = pushed_elsewhere(&image(&[&pushes[0], &pushes[1]]), &wanted).unwrap();
        assert!(
            hint.contains("pushed to `127.0.0.1:5001/alice/app`"),
            "{hint}"
        );
        let unrelated = format!("127.0.0.1:5000/bob/other@{D}");
        assert_eq!(pushed_elsewhere(&image(&[&unrelated]), &wanted), None);
        let same_name = format!("docker.io/alice2/app@{D}");
        let hint = pushed_elsewhere(&image(&[&unrelated, &same_name]), &wanted).unwrap();
        assert!(hint.contains("pushed to `alice2/app`"), "{hint}");
    }
}

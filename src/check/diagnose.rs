//! Help for the mistakes learners make most, shared by the check kinds: tagged without the username,
//! pushed to the wrong registry or repository, retagged after pushing. Each function returns a hint
//! to attach to a failure, or nothing when it has no better idea.

use crate::check::Context;
use crate::probe::{ImageInfo, ImageRef};

/// Local names that look like what was asked for but are not it: same last path component and tag
/// (`python-canvas-client:1.0` when `alice/python-canvas-client:1.0` was asked), or same repository
/// with another tag.
pub async fn near_misses(ctx: &Context, wanted: &ImageRef) -> Vec<String> {
    let Ok(docker) = ctx.docker().await else {
        return Vec::new();
    };
    let Ok(images) = docker.list_images().await else {
        return Vec::new();
    };
    let last = |r: &ImageRef| {
        r.repository()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let mut found = Vec::new();
    for tag in images.iter().flat_map(|i| i.repo_tags.iter()) {
        let Ok(r) = ImageRef::parse(tag) else {
            continue;
        };
        let same_name = last(&r) == last(wanted);
        let same_repo = r.registry() == wanted.registry() && r.repository() == wanted.repository();
        if same_name && !(same_repo && r.tag() == wanted.tag()) {
            found.push(r.familiar());
        }
    }
    found.sort();
    found.dedup();
    found
}

/// A hint for a local name that does not exist: the same image tagged without the namespace, for
/// another registry, or with another tag.
pub async fn missing_local_hint(ctx: &Context, wanted: &ImageRef) -> Option<String> {
    let misses: Vec<ImageRef> = near_misses(ctx, wanted)
        .await
        .iter()
        .filter_map(|m| ImageRef::parse(m).ok())
        .collect();
    let ns = wanted.repository().split('/').next().unwrap_or_default();
    let last = wanted.repository().rsplit('/').next().unwrap_or_default();
    if let Some(r) = misses.iter().find(|r| {
        r.registry() == wanted.registry()
            && r.repository().ends_with(last)
            && r.repository() != wanted.repository()
            && !r.repository().starts_with(&format!("{ns}/"))
    }) {
        return Some(format!(
            "you have `{}`; the name needs your namespace `{ns}/` in front, as in `{}`",
            r.familiar(),
            wanted.familiar()
        ));
    }
    if let Some(r) = misses
        .iter()
        .find(|r| r.registry() != wanted.registry() && r.repository() == wanted.repository())
    {
        return Some(format!(
            "you have `{}`, which names another registry; tag `{}` instead",
            r.familiar(),
            wanted.familiar()
        ));
    }
    let other_tags: Vec<String> = misses
        .iter()
        .filter(|r| r.registry() == wanted.registry() && r.repository() == wanted.repository())
        .map(|r| format!("`{}`", r.familiar()))
        .collect();
    (!other_tags.is_empty()).then(|| {
        format!(
            "you have {}; `{}` is another tag",
            other_tags.join(", "),
            wanted.familiar()
        )
    })
}

/// Where the local image was pushed instead, from its RepoDigests: the same repository name under
/// another registry or namespace (`docker.io/alice/app` when `127.0.0.1:5000/alice/app` was asked).
pub fn pushed_elsewhere(image: &ImageInfo, wanted: &ImageRef) -> Option<String> {
    let last = wanted.repository().rsplit('/').next().unwrap_or_default();
    let other = image.repo_digests.iter().find_map(|d| {
        let r = ImageRef::parse(d).ok()?;
        let same_name = r.repository().rsplit('/').next() == Some(last);
        let elsewhere = r.registry() != wanted.registry() || r.repository() != wanted.repository();
        (same_name && elsewhere).then(|| r.familiar_name())
    })?;
    Some(format!(
        "this image was pushed to `{other}`, not to `{}`; push that name: `docker push {}`",
        wanted.familiar_name(),
        wanted.familiar()
    ))
}

/// What the registry holds in `image`'s repository, for a failure's `actual`: `tags [latest]`, `no
/// repository alice/app`, or `not visible without a login`.
pub async fn remote_tags(ctx: &Context, image: &ImageRef) -> String {
    use crate::probe::registry::TagList;
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

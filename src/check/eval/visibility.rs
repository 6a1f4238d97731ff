//! Public or private: the one evaluation behind `repository_public` and `repository_private`, since
//! both ask the same questions (may strangers pull? does the repository exist?) and differ only in
//! which answer passes. Registries like Docker Hub refuse strangers alike for a private repository and
//! a missing one, so "private" is proven only with a login that may see the repository (the learner's,
//! or the instructor's under `grade --login`); without one it is Unknown, never a pass for nothing.

use crate::check::{Context, Outcome};
use crate::lesson::Sp;
use crate::probe::registry::{RegistryAuth, TagList, TagStatus};

pub async fn evaluate(repository: &Sp<String>, want_public: bool, ctx: &Context) -> Outcome {
    let image = match ctx.image(repository) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let client = match ctx.registry_client().await {
        Ok(c) => c,
        Err(o) => return o,
    };
    let repo = image.familiar_name();
    let expected = if want_public {
        format!("anyone can pull `{repo}` without logging in")
    } else {
        format!("`{repo}` exists and only the users it allows can pull it")
    };
    let anonymous = match client.head_manifest(&image, &RegistryAuth::Anonymous).await {
        Ok(s) => s,
        Err(e) => return Outcome::from_probe(&e, &expected),
    };
    let open = !matches!(anonymous, TagStatus::Unauthorized);
    // Public: an anonymous look must not be refused, and the repository must exist.
    if want_public {
        if !open {
            return Outcome::fail(
                expected,
                format!("anonymous pull of `{repo}` is refused (private, or not pushed yet)"),
            )
            .with_hint(
                "push the image first; on Docker Hub, make the repository public in its settings",
            );
        }
        return match client.list_tags(&image, &RegistryAuth::Anonymous).await {
            Ok(TagList::Tags(tags)) if !tags.is_empty() => Outcome::pass(format!(
                "anonymous pull of `{repo}` allowed (tags: {})",
                tags.join(", ")
            )),
            Ok(_) => Outcome::fail(expected, format!("`{repo}` has nothing to pull yet"))
                .with_hint("push a tag to it first"),
            Err(e) => Outcome::from_probe(&e, &expected),
        };
    }
    if open {
        return Outcome::fail(expected, format!("anyone can pull `{repo}`"))
                .with_hint("make the repository private in the registry's settings (Docker Hub: Settings → Visibility)");
    }
    // Refused to strangers. Refused also means "missing" on Docker Hub (and on registries like it):
    // only a login that may see the repository can tell private from not pushed.
    let auth = ctx.registry_auth(&image).await;
    if matches!(auth, RegistryAuth::Anonymous) {
        return Outcome::unknown(private_or_missing(&repo, image.registry(), ctx));
    }
    match client.list_tags(&image, &auth).await {
        Ok(TagList::Tags(tags)) => Outcome::pass(format!(
            "anonymous pull of `{repo}` refused; your login sees tags {}",
            tags.join(", ")
        )),
        Ok(TagList::NoSuchRepository) => Outcome::fail(
            expected,
            format!("`{repo}` does not exist, even for your login"),
        )
        .with_hint("push the image first"),
        Ok(TagList::Unauthorized) => Outcome::fail(
            expected,
            format!("`{repo}` is refused even to your login: not pushed, or not shared with it"),
        )
        .with_hint("push the image first"),
        Err(e) => Outcome::from_probe(&e, &expected),
    }
}

/// "private, or not pushed", and what would tell: the learner's own login, or `grade --login`.
pub(super) fn private_or_missing(repo: &str, registry: &str, ctx: &Context) -> String {
    if ctx.settings.use_docker_login {
        format!(
            "anonymous pull of `{repo}` is refused: it is private, or not pushed (from outside they \
             look alike), and there is no saved login for `{registry}` to tell: run `{login}`",
            login = crate::probe::login_command(registry)
        )
    } else {
        format!(
            "anonymous pull of `{repo}` is refused: it is private, or not pushed (from outside they \
             look alike); `grade --login` tells them apart with your own login"
        )
    }
}

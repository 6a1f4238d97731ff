//! `hub_repository`: the repository shows on Docker Hub, optionally with the visibility asked for. Only
//! a 200 with the Hub's JSON passes: a 401 or 403 comes from something in front of the Hub (Cloudflare,
//! a region block), never from the repository, and is "could not verify" (`probe::hub`).
//!
//! How the check is evaluated; its fields are in `lesson/check/hub_repository.rs`.

use crate::check::{Context, Outcome};
use crate::lesson::check::{HubRepository, Visibility};
use crate::probe::hub::HubLookup;

impl HubRepository {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        let full = match ctx.render(&self.repository) {
            Ok(n) => n,
            Err(o) => return o,
        };
        let Some((ns, repo)) = full.split_once('/') else {
            return Outcome::fail("a repository written `NAMESPACE/NAME`", format!("`{full}`"));
        };
        let hub = match ctx.hub().await {
            Ok(h) => h,
            Err(o) => return o,
        };
        let want = match self.visibility {
            Some(Visibility::Public) => "public ",
            Some(Visibility::Private) => "private ",
            None => "",
        };
        let expected = format!("a {want}repository `{full}` on Docker Hub");
        match hub.repository(ns, repo).await {
            Ok(HubLookup::Found(r)) => {
                let is = if r.is_private { "private" } else { "public" };
                match self.visibility {
                    Some(Visibility::Public) if r.is_private => {
                        Outcome::fail(expected, format!("`{full}` is private")).with_hint(
                            "open the repository's Settings on Docker Hub and make it public",
                        )
                    }
                    Some(Visibility::Private) if !r.is_private => {
                        Outcome::fail(expected, format!("`{full}` is public")).with_hint(
                            "open the repository's Settings on Docker Hub and make it private",
                        )
                    }
                    _ => Outcome::pass(format!("{is} repository `{full}` on Docker Hub")),
                }
            }
            // The Hub shows a private repository to nobody but its owner, and to visitors it looks
            // missing: a private one cannot be told from one that does not exist.
            Ok(HubLookup::NotFound) if self.visibility == Some(Visibility::Private) => {
                Outcome::unknown(format!(
                    "Docker Hub shows no `{full}` to visitors: it is private, or it does not exist \
                     (a `repository_private` check can tell, through the registry)"
                ))
            }
            Ok(HubLookup::NotFound) => {
                Outcome::fail(expected, format!("Docker Hub has no repository `{full}`")).with_hint(
                    "a repository appears on Docker Hub with its first push; a private one is \
                         hidden from everyone but its owner",
                )
            }
            Err(e) => Outcome::from_probe(&e, &expected),
        }
    }
}

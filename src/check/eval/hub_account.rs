//! `hub_account`: a Docker Hub account exists (Hub REST `/v2/users/{name}/`). That is all it proves: an
//! account exists from the moment its sign-up form is sent, before its e-mail address is confirmed, and
//! the Hub tells nobody whether it was. A refused or unreadable answer (Cloudflare, a block, a rate
//! limit) is "could not verify", never "no such user".
//!
//! How the check is evaluated; its fields are in `lesson/check/hub_account.rs`.

use crate::check::{Context, Outcome};
use crate::lesson::check::HubAccount;
use crate::probe::hub::HubLookup;

impl HubAccount {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        let name = match ctx.render(&self.username) {
            Ok(n) => n,
            Err(o) => return o,
        };
        let hub = match ctx.hub().await {
            Ok(h) => h,
            Err(o) => return o,
        };
        let expected = format!("a Docker Hub account `{name}`");
        match hub.user(&name).await {
            Ok(HubLookup::Found(user)) => Outcome::pass(format!(
                "Docker Hub account `{}`{}",
                user.username,
                user.date_joined
                    .map(|d| format!(", joined {}", d.get(..10).unwrap_or(&d)))
                    .unwrap_or_default()
            )),
            Ok(HubLookup::NotFound) => {
                Outcome::fail(expected, format!("Docker Hub has no user `{name}`"))
                    .with_hint("sign up at https://app.docker.com/signup; usernames are lowercase")
            }
            Err(e) => Outcome::from_probe(&e, &expected),
        }
    }
}

//! `hub_account`: a Docker Hub account exists (Hub REST `/v2/users/{name}/`).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::check::{CheckSpec, Context, Outcome};
use crate::probe::hub::HubLookup;

use crate::lesson::Sp;

/// A Docker Hub account exists (Hub REST `/v2/users/{name}/`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HubAccount {
    /// The Docker Hub username, e.g. `{{ username }}`.
    pub username: Sp<String>,
}

impl CheckSpec for HubAccount {
    const KIND: &'static str = "hub_account";

    fn templates(&self) -> Vec<&Sp<String>> {
        vec![&self.username]
    }

    fn remote(&self) -> bool {
        true
    }
}

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
                user.date_joined.map(|d| format!(", joined {}", d.get(..10).unwrap_or(&d))).unwrap_or_default()
            )),
            Ok(HubLookup::NotFound) => Outcome::fail(expected, format!("Docker Hub has no user `{name}`"))
                .with_hint("sign up at https://hub.docker.com/signup and verify your e-mail; usernames are lowercase"),
            Ok(HubLookup::Denied) => Outcome::unknown(format!("Docker Hub refused to tell whether `{name}` exists")),
            Err(e) => Outcome::from_probe(&e, &expected),
        }
    }
}

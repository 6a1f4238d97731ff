//! `logged_in`: `docker login` was done for a registry.
//!
//! Read from Docker's config.json (`auths`, `credsStore`, `credHelpers`); the secret itself is only read
//! when `verify: true` asks to prove the credentials work against the registry.
//!
//! How the check is evaluated; its fields are in `lesson/check/logged_in.rs`.

use crate::check::{Context, Outcome};
use crate::lesson::check::LoggedIn;
use crate::probe::LoginVia;
use crate::probe::reference::{DOCKER_HUB, normalize_registry};

impl LoggedIn {
    pub async fn evaluate(&self, ctx: &Context) -> Outcome {
        let registry = match &self.registry {
            Some(r) => match ctx.render(r) {
                Ok(r) => r,
                Err(o) => return o,
            },
            None => ctx.settings.registry.clone(),
        };
        let registry = normalize_registry(&registry);
        let config = match ctx.docker_config().await {
            Ok(c) => c,
            Err(o) => return o,
        };
        let expected = format!("`docker login` done for `{registry}`");
        let state = match config.login_state(&registry).await {
            Ok(s) => s,
            Err(e) => return Outcome::from_probe(&e, &expected),
        };
        match state {
            crate::probe::LoginState::LoggedIn { via, username } => {
                let who = username.map(|u| format!(" as `{u}`")).unwrap_or_default();
                let how = match via {
                    LoginVia::Auths => "config.json".to_string(),
                    LoginVia::CredsStore(s) => format!("credential store `{s}`"),
                    LoginVia::CredHelper(h) => format!("credential helper `{h}`"),
                    LoginVia::Environment => "`DOCKER_AUTH_CONFIG`".to_string(),
                };
                if self.verify {
                    return self
                        .verify(
                            ctx,
                            &registry,
                            &format!("logged in to `{registry}`{who} ({how})"),
                        )
                        .await;
                }
                Outcome::pass(format!("logged in to `{registry}`{who} ({how})"))
            }
            crate::probe::LoginState::NotLoggedIn => {
                let logins = config.logins().await.unwrap_or_default();
                // `localhost:5002` and `127.0.0.1:5002` are one registry to the learner (Podman can
                // only log in to the first), though Docker keys them apart in config.json.
                if let Some(alias) = logins
                    .iter()
                    .find(|l| same_loopback_registry(&l.registry, &registry))
                {
                    let who = alias
                        .username
                        .as_ref()
                        .map(|u| format!(" as `{u}`"))
                        .unwrap_or_default();
                    return Outcome::pass(format!(
                        "logged in to `{}`{who}, the same registry as `{registry}` on this machine",
                        alias.registry
                    ));
                }
                let others: Vec<String> = logins
                    .into_iter()
                    .map(|l| format!("`{}`", l.registry))
                    .collect();
                let login_cmd = if registry == DOCKER_HUB {
                    "docker login".to_string()
                } else {
                    format!("docker login {registry}")
                };
                if others.is_empty() {
                    Outcome::fail(expected, "no registry login in Docker's config".to_string())
                        .with_hint(format!("run `{login_cmd}`"))
                } else {
                    Outcome::fail(expected, format!("logged in to {} only", others.join(", ")))
                        .with_hint(format!("that is another registry; run `{login_cmd}`"))
                }
            }
        }
    }

    /// Prove the stored credentials work by asking the registry for a token with them. The secret goes
    /// from the credential store to the registry and nowhere else.
    async fn verify(&self, ctx: &Context, registry: &str, saw: &str) -> Outcome {
        let config = match ctx.docker_config().await {
            Ok(c) => c,
            Err(o) => return o,
        };
        let client = match ctx.registry_client().await {
            Ok(c) => c,
            Err(o) => return o,
        };
        let expected = format!("the login for `{registry}` is accepted by the registry");
        let creds = match config.credentials(registry).await {
            Ok(Some(c)) => c,
            Ok(None) => return Outcome::fail(expected, "no credentials stored".to_string()),
            Err(e) => return Outcome::from_probe(&e, &expected),
        };
        match client.verify_credentials(registry, &creds).await {
            Ok(true) => Outcome::pass(format!("{saw}, accepted by the registry")),
            Ok(false) => Outcome::fail(
                expected,
                "the registry refused the stored credentials".to_string(),
            )
            .with_hint(format!("log in again: `docker login {registry}`")),
            Err(e) => Outcome::from_probe(&e, &expected),
        }
    }
}

/// Two loopback names for the same port (`localhost:5002`, `127.0.0.1:5002`, `[::1]:5002`).
fn same_loopback_registry(a: &str, b: &str) -> bool {
    use crate::probe::reference::is_loopback;
    let port = |r: &str| {
        r.rsplit_once(':')
            .map(|(_, p)| p.to_string())
            .filter(|p| p.chars().all(|c| c.is_ascii_digit()))
    };
    a != b && is_loopback(a) && is_loopback(b) && port(a).is_some() && port(a) == port(b)
}

#[cfg(test)]
mod tests {
    use super::same_loopback_registry;

    #[test]
    fn loopback_aliases_are_one_registry() {
        assert!(same_loopback_registry("localhost:5002", "127.0.0.1:5002"));
        assert!(!same_loopback_registry("localhost:5002", "127.0.0.1:5000"));
        assert!(!same_loopback_registry(
            "registry.example:5002",
            "127.0.0.1:5002"
        ));
        assert!(!same_loopback_registry("localhost", "127.0.0.1"));
    }
}

//! What a login is, as the rest of the program sees it: where it is kept ([`LoginVia`]), whether there is
//! one ([`LoginState`], [`Login`]), and its secret ([`Credentials`], which never prints it).

use std::fmt;

/// Where a login is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginVia {
    /// `auths` in config.json itself (no credential store configured).
    Auths,
    /// The `credsStore` helper, by name (`desktop`, `pass`, `osxkeychain`, ...).
    CredsStore(String),
    /// A per-registry `credHelpers` helper, by name.
    CredHelper(String),
    /// The `DOCKER_AUTH_CONFIG` environment variable (a whole config.json, read by docker CLI >= 28.2),
    /// which takes precedence over the file and its helpers.
    Environment,
}

/// Whether `docker login` was done for a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginState {
    NotLoggedIn,
    LoggedIn {
        via: LoginVia,
        /// The user name, when the store tells it without revealing the secret.
        username: Option<String>,
    },
}

/// One registry the user is logged in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// Normalized registry name: `docker.io`, `localhost:5001`.
    pub registry: String,
    pub via: LoginVia,
    pub username: Option<String>,
}

/// A registry login's secret. `Debug` redacts it; there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    username: String,
    secret: String,
    identity_token: bool,
}

impl Credentials {
    /// A user name and password (or access token used as a password).
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials {
            username: username.into(),
            secret: password.into(),
            identity_token: false,
        }
    }

    /// An OAuth refresh token that Docker stored as `identitytoken` (exchanged at the token endpoint).
    pub fn identity_token(username: impl Into<String>, token: impl Into<String>) -> Credentials {
        Credentials {
            username: username.into(),
            secret: token.into(),
            identity_token: true,
        }
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password or token. Send it, compare it; never print or log it.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    pub fn is_identity_token(&self) -> bool {
        self.identity_token
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("secret", &"<redacted>")
            .field("identity_token", &self.identity_token)
            .finish()
    }
}

//! The outside world: the Docker Engine, registries, Docker Hub's REST API and Docker's client config.
//! Checks never build HTTP requests or parse Docker JSON themselves; they ask these probes.
//!
//! Every probe answers in one of three ways, mirroring a check's `Pass | Fail | Unknown`: a definite answer
//! returned as data (`TagStatus::Absent`, `LoginState::NotLoggedIn`, `HubLookup::NotFound`), or a
//! [`ProbeError`] that is either unverifiable ([`ProbeError::is_unverifiable`]: engine down, registry
//! unreachable, timeout, 5xx, 429) or a genuine error (bad input, broken config). All network calls are
//! bounded by timeouts so that a dead engine or registry answers "could not verify" quickly.

pub mod docker;
pub mod docker_config;
mod error;
pub mod http;
pub mod hub;
pub mod reference;
pub mod registry;

pub use docker::{DockerProbe, EngineInfo, ImageAction, ImageEvent, ImageInfo};
pub use docker_config::{Credentials, DockerConfig, Login, LoginState, LoginVia};
pub use error::{DEFAULT_RATE_LIMIT_WAIT, ProbeError, login_command};
pub use hub::{HubClient, HubLookup, HubRepository, HubTag, HubUser};
pub use reference::ImageRef;
pub use registry::{RegistryAuth, RegistryClient, TagList, TagStatus};

//! One file per check kind: its fields as written in a lesson, and what the linter needs to know.

mod command;
mod docker_running;
mod event_seen;
mod hub_account;
mod hub_repository;
mod image_exists;
mod image_pulled;
mod image_pushed;
mod image_same;
mod logged_in;
mod registry_tag;
mod repository_private;
mod repository_public;
mod visibility;

pub use command::CommandCheck;
pub use docker_running::DockerRunning;
pub use event_seen::{EventAction, EventSeen};
pub use hub_account::HubAccount;
pub use hub_repository::{HubRepository, Visibility};
pub use image_exists::ImageExists;
pub use image_pulled::ImagePulled;
pub use image_pushed::ImagePushed;
pub use image_same::ImageSame;
pub use logged_in::LoggedIn;
pub use registry_tag::RegistryTag;
pub use repository_private::RepositoryPrivate;
pub use repository_public::RepositoryPublic;

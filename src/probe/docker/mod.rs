//! The Docker Engine, through bollard: is it up, what images does it have, and what did the learner just
//! do (image events), and which containers ran from an image. We find the engine the way the `docker` CLI does — `DOCKER_HOST`, else the
//! `DOCKER_CONTEXT` or config.json `currentContext` context's endpoint, else the default socket — so the
//! tutor watches the same engine the learner types at, whether that is Docker from Debian (20.10, API
//! 1.41), a current Docker, or Podman's Docker-compatible service. The API version is always negotiated,
//! since bollard's default is newer than those engines accept. Every call is bounded by a timeout and a
//! missing socket or refused connection is reported as [`ProbeError::Unavailable`] at once, so a stopped
//! engine turns into "could not verify" rather than a hang.
//!
//! The jobs sit in their own files: [`endpoint`] (which engine), [`image`] (what it knows about an image),
//! [`events`] (what the learner did), [`containers`] (what ran, how it ended, what it printed), [`client`] (the connection and its calls), and `error` (bollard's
//! errors sorted into "could not verify" and the rest).

use std::time::Duration;

mod client;
pub mod containers;
pub mod endpoint;
mod error;
pub mod events;
pub mod image;

pub use client::{ContextFile, DockerProbe, EngineInfo};
pub use containers::{ContainerAction, ContainerEvent, ContainerInfo, ContainerListed};
pub use endpoint::{DEFAULT_DOCKER_HOST, Endpoint, EndpointSource, context_host};
pub use events::{ImageAction, ImageEvent};
pub use image::ImageInfo;

#[cfg(doc)]
use super::ProbeError;

/// How long one Engine API call may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How messages name the engine.
const TARGET: &str = "the Docker Engine";

//! The end of a run: every container a solution line made is removed (newest first, before the
//! images, which a container would keep in use), then every image name the run created is untagged,
//! newest first, so a second run starts from the same world; with `--keep` they are listed instead.
//! Containers that were there before the run are never touched: only those that appeared while a
//! `docker run` / `docker create` line ran, named by it, are the run's (`Session::track_containers`).

use std::path::PathBuf;

use super::Session;

/// What the cleanup did.
#[derive(Debug, Clone, Default)]
pub struct Cleanup {
    pub removed: Vec<String>,
    pub left: Vec<String>,
    /// Containers removed (their names, or IDs when they had none).
    pub containers_removed: Vec<String>,
    /// Containers left with `--keep`.
    pub containers_left: Vec<String>,
    pub failed: Vec<String>,
    pub config_kept: Option<PathBuf>,
}

impl Cleanup {
    /// Remove what the session created, or, with `keep`, only say what is left.
    pub async fn finish(session: &mut Session, keep: bool) -> Cleanup {
        let created = std::mem::take(&mut session.created);
        let containers = std::mem::take(&mut session.containers);
        let shown = |(id, name): &(String, String)| {
            if name.is_empty() {
                id.chars().take(12).collect()
            } else {
                name.clone()
            }
        };
        if keep {
            return Cleanup {
                left: created,
                containers_left: containers.iter().map(shown).collect(),
                ..Cleanup::default()
            };
        }
        let mut cleanup = Cleanup::default();
        for container in containers.iter().rev() {
            let name = shown(container);
            match session.docker.remove_container(&container.0).await {
                Ok(true) => cleanup.containers_removed.push(name),
                // Gone already (`docker run --rm`, or a later line removed it).
                Ok(false) => {}
                Err(e) => cleanup.failed.push(format!("container `{name}`: {e}")),
            }
        }
        for name in created.iter().rev() {
            match session.docker.remove_image(name).await {
                Ok(true) => cleanup.removed.push(name.clone()),
                Ok(false) => {}
                Err(e) => cleanup.failed.push(format!("`{name}`: {e}")),
            }
        }
        cleanup
    }
}

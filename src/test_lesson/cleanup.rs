//! The end of a run: every image name the run created is untagged, newest first, so a second run
//! starts from the same world; with `--keep` they are listed instead.

use std::path::PathBuf;

use super::Session;

/// What the cleanup did.
#[derive(Debug, Clone, Default)]
pub struct Cleanup {
    pub removed: Vec<String>,
    pub left: Vec<String>,
    pub failed: Vec<String>,
    pub config_kept: Option<PathBuf>,
}

impl Cleanup {
    /// Remove what the session created, or, with `keep`, only say what is left.
    pub async fn finish(session: &mut Session, keep: bool) -> Cleanup {
        let created = std::mem::take(&mut session.created);
        if keep {
            return Cleanup {
                left: created,
                ..Cleanup::default()
            };
        }
        let mut cleanup = Cleanup::default();
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

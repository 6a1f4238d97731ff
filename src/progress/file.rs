//! The one way this program replaces a file it owns (progress, the trusted-lessons list): atomically,
//! so a crash leaves the old file or the new one, never half of one. Also the moving aside of a progress
//! file that does not read, keeping its bytes for the learner.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;

use super::FILE_NAME;

/// A write that failed: what it was doing, to which path, and why.
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} `{}`: {source}", path.display())]
pub struct WriteError {
    pub action: &'static str,
    pub path: PathBuf,
    pub source: io::Error,
}

fn write_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> WriteError + use<> {
    let path = path.to_path_buf();
    move |source| WriteError {
        action,
        path,
        source,
    }
}

/// Make sure `dir` is a folder only its owner can write: create it (0700 on Unix) when missing, and
/// refuse it, or any of `files` in it, when group or others may write (on Unix; elsewhere the
/// permission model differs and this only creates the folder). The error is the message to show.
pub fn private_folder(dir: &Path, files: &[&str]) -> Result<(), String> {
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .map_err(|e| format!("cannot create the state folder `{}`: {e}", dir.display()))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let others_write = |path: &Path| -> Result<bool, String> {
            match std::fs::metadata(path) {
                Ok(m) => Ok(m.permissions().mode() & 0o022 != 0),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
                Err(e) => Err(format!("cannot read `{}`: {e}", path.display())),
            }
        };
        if others_write(dir)? {
            return Err(format!(
                "the state folder `{}` can be written by other users, who could plant progress or trust a lesson for you; make it yours alone (`chmod 700 {}`) or set `LEARN_REGISTRY_HOME` to a folder of your own",
                dir.display(),
                dir.display()
            ));
        }
        for name in files {
            let path = dir.join(name);
            if others_write(&path)? {
                return Err(format!(
                    "`{}` can be written by other users; make it yours alone (`chmod 600 {}`)",
                    path.display(),
                    path.display()
                ));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = files;
    Ok(())
}

/// Move a corrupt file to `progress.json.corrupt-<timestamp>` (never over an existing file), so the
/// learner can look at it or mend it. Rename keeps the bytes exactly; `expected` guards against moving a
/// good file a writer has just renamed into place since we read the bad one.
pub(super) fn move_aside(file: &Path, expected: &[u8]) -> io::Result<PathBuf> {
    if std::fs::read(file)? != expected {
        return Err(io::Error::other("it changed while being read"));
    }
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(FILE_NAME);
    for n in 0..100 {
        let suffix = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        let target = file.with_file_name(format!("{name}.corrupt-{stamp}{suffix}"));
        if target.exists() {
            continue;
        }
        std::fs::rename(file, &target)?;
        return Ok(target);
    }
    Err(io::Error::other("too many files moved aside already"))
}

/// Write `bytes` to `target` so that a crash at any point leaves either the old file or the new one:
/// a temp file in the same folder (rename is atomic only within one file system), fsync, rename, then
/// fsync the folder so the rename itself survives a power cut.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_atomic_with(target, bytes, |_| Ok(()))
}

/// [`write_atomic`], with `before_rename` called once the temp file is complete, so tests can stop midway.
pub(super) fn write_atomic_with(
    target: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(&Path) -> io::Result<()>,
) -> Result<(), WriteError> {
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(write_err("create", dir))?;
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file");
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(write_err("create a temporary file in", dir))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(write_err("write", tmp.path()))?;
    // On failure the temp file is dropped, which deletes it; the old file was never touched.
    before_rename(tmp.path()).map_err(write_err("write", target))?;
    tmp.persist(target)
        .map_err(|e| write_err("replace", target)(e.error))?;
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

//! The right to write progress: only writers take it, so `status` can read at any time.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::{Error, LOCK_NAME, Result, io_err};

/// so the next one can say who is in the way. Released when dropped (also when the process dies).
#[derive(Debug)]
pub struct ProgressLock {
    file: File,
    home: PathBuf,
}

impl ProgressLock {
    /// Take the lock without waiting; `Error::Locked` when another process (or handle) holds it.
    pub fn try_acquire(home: &Path) -> Result<ProgressLock> {
        std::fs::create_dir_all(home).map_err(io_err("create", home))?;
        let lock_path = home.join(LOCK_NAME);
        // Not truncated on open: until we hold the lock, the pid in it is the holder's.
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io_err("open", &lock_path))?;
        // Called through the trait: `File` has an inherent `try_lock` too (std, Rust 1.89).
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(Error::Locked {
                    pid: text.trim().parse().ok(),
                });
            }
            Err(fs4::TryLockError::Error(e)) => return Err(io_err("lock", &lock_path)(e)),
        }
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| writeln!(file, "{}", std::process::id()))
            .and_then(|()| file.sync_all())
            .map_err(io_err("write", &lock_path))?;
        Ok(ProgressLock {
            file,
            home: home.to_path_buf(),
        })
    }

    /// The state folder this lock is for.
    pub fn home(&self) -> &Path {
        &self.home
    }
}

impl Drop for ProgressLock {
    fn drop(&mut self) {
        // Clear the pid first so nobody reports a finished process; closing the file releases the lock.
        let _ = self.file.set_len(0);
        let _ = fs4::FileExt::unlock(&self.file);
    }
}

//! Where lessons come from: the course shipped inside the binary (so `cargo install` gives a working
//! tutor anywhere) and folders named with `--lessons-dir` or `LEARN_REGISTRY_LESSONS`.
//!
//! A folder's lessons are someone else's files, so they are linted as they load: one with lint errors
//! is refused as a whole (kept in `Catalog::refused` with its errors, for the command to show), never
//! half-used. The shipped course is linted by the test suite instead.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::lesson::Lesson;
use crate::lesson::load::{self, SourceFile};
use crate::lesson::validate::{self, Parsed};

static SHIPPED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/lessons");

/// Where a lesson came from. Only shipped lessons are trusted to run commands without asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Shipped,
    Dir(PathBuf),
}

/// A lesson file that parsed.
#[derive(Debug, Clone)]
pub struct LoadedLesson {
    pub file: SourceFile,
    pub lesson: Lesson,
    pub origin: Origin,
}

/// A lesson from a folder that parsed but has lint errors: not used, shown with its errors.
#[derive(Debug, Clone)]
pub struct Refused {
    pub id: String,
    pub file: SourceFile,
    /// Its lint errors (warnings are not a reason to refuse and are left to `lint`).
    pub errors: Vec<Diagnostic>,
}

/// Every lesson found, in course order; the files that did not parse; the lessons refused by lint.
#[derive(Debug, Default)]
pub struct Catalog {
    pub lessons: Vec<LoadedLesson>,
    pub broken: Vec<Diagnostic>,
    pub refused: Vec<Refused>,
}

impl Catalog {
    /// The refused lesson `id`, if there is one.
    pub fn refusal(&self, id: &str) -> Option<&Refused> {
        self.refused.iter().find(|r| r.id == id)
    }

    pub fn find(&self, id: &str) -> Option<&LoadedLesson> {
        self.lessons.iter().find(|l| l.lesson.id.as_str() == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.lessons.iter().map(|l| l.lesson.id.as_str())
    }
}

fn is_lesson_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// The shipped lesson files, in path order, named `lessons/...` as in the source tree.
pub fn shipped_files() -> Vec<SourceFile> {
    let mut files = Vec::new();
    fn walk(dir: &Dir<'static>, out: &mut Vec<SourceFile>) {
        for file in dir.files() {
            if is_lesson_file(file.path()) {
                let name = format!("lessons/{}", file.path().display());
                // Shipped files are checked by the test suite; decode anyway so nothing can panic.
                if let Ok(f) = load::decode(&name, file.contents()) {
                    out.push(f);
                }
            }
        }
        for sub in dir.dirs() {
            walk(sub, out);
        }
    }
    walk(&SHIPPED, &mut files);
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

/// Every lesson file under `path` (a file or a folder, recursively), in path order. A file that cannot
/// be read or decoded is returned as a diagnostic.
pub fn dir_files(path: &Path) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let (paths, mut problems) = lesson_paths(path);
    let mut files = Vec::new();
    for r in crate::parallel::map(&paths, |p| read_file(p)) {
        match r {
            Ok(f) => files.push(f),
            Err(d) => problems.push(d),
        }
    }
    (files, problems)
}

/// The lesson files under `path` (itself when it is a file), recursively, in path order; a folder
/// that cannot be listed is a diagnostic.
pub fn lesson_paths(path: &Path) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut paths = Vec::new();
    let mut problems = Vec::new();
    if path.is_dir() {
        // A symlink back up the tree is walked once, not forever.
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![path.to_path_buf()];
        while let Some(dir) = stack.pop() {
            if !seen.insert(std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone())) {
                continue;
            }
            match std::fs::read_dir(&dir) {
                Ok(entries) => {
                    for entry in entries.flatten() {
                        let p = entry.path();
                        // The entry's own type, without a stat; a symlink is followed to see what it is.
                        let is_dir = match entry.file_type() {
                            Ok(t) if t.is_symlink() => p.is_dir(),
                            Ok(t) => t.is_dir(),
                            Err(_) => p.is_dir(),
                        };
                        if is_dir {
                            stack.push(p);
                        } else if is_lesson_file(&p) {
                            paths.push(p);
                        }
                    }
                }
                Err(e) => problems.push(
                    Diagnostic::error("unreadable", format!("cannot read folder: {e}"))
                        .in_file(dir.display().to_string()),
                ),
            }
        }
    } else {
        paths.push(path.to_path_buf());
    }
    paths.sort();
    (paths, problems)
}

/// One lesson file read and decoded (see `load::decode`), or why not.
pub fn read_file(path: &Path) -> Result<SourceFile, Diagnostic> {
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => load::decode(&name, &bytes),
        Err(e) => Err(
            Diagnostic::error("unreadable", format!("cannot read lesson file: {e}")).in_file(name),
        ),
    }
}

/// The ids of the shipped lessons, read from each file's top-level `id:` line rather than by decoding
/// it: the shipped course is ours, written with a plain `id: NAME` line (the test suite checks these
/// are the ids a full decode gives), and `lint` of files outside it needs no more than their names.
pub fn shipped_ids() -> Vec<String> {
    shipped_files()
        .iter()
        .filter_map(|f| {
            f.text
                .lines()
                .find_map(|l| l.strip_prefix("id:"))
                .map(|id| id.trim().to_string())
        })
        .collect()
}

/// Load the shipped course and the lessons of `dirs`. Lessons from a folder come after the shipped ones.
pub fn catalog(dirs: &[PathBuf]) -> Catalog {
    let mut catalog = Catalog::default();
    let add = |files: Vec<SourceFile>, origin: Origin, catalog: &mut Catalog| {
        for file in files {
            match load::parse(&file) {
                Ok(lesson) => catalog.lessons.push(LoadedLesson {
                    file,
                    lesson,
                    origin: origin.clone(),
                }),
                Err(d) => catalog.broken.push(d),
            }
        }
    };
    add(shipped_files(), Origin::Shipped, &mut catalog);
    let shipped = catalog.lessons.len();
    for dir in dirs {
        let (files, problems) = dir_files(dir);
        catalog.broken.extend(problems);
        add(files, Origin::Dir(dir.clone()), &mut catalog);
    }
    refuse_unsound(&mut catalog, shipped);
    catalog
}

/// Lint the folder lessons (those after the first `shipped`) together, as `lint` would with the
/// shipped course known, and move each one with errors to `refused`.
fn refuse_unsound(catalog: &mut Catalog, shipped: usize) {
    let (course, folders) = catalog.lessons.split_at(shipped);
    if folders.is_empty() {
        return;
    }
    let mut known: BTreeSet<String> = course.iter().map(|l| l.lesson.id.to_string()).collect();
    for l in folders {
        known.remove(l.lesson.id.as_str());
    }
    let parsed: Vec<Parsed> = folders
        .iter()
        .map(|l| Parsed {
            file: &l.file,
            lesson: &l.lesson,
        })
        .collect();
    let errors: Vec<Diagnostic> = validate::validate_all(&parsed, &known)
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    if errors.is_empty() {
        return;
    }
    let folder_lessons = catalog.lessons.split_off(shipped);
    for l in folder_lessons {
        let mine: Vec<Diagnostic> = errors
            .iter()
            .filter(|d| d.file == l.file.name)
            .cloned()
            .collect();
        if mine.is_empty() {
            catalog.lessons.push(l);
        } else {
            catalog.refused.push(Refused {
                id: l.lesson.id.to_string(),
                file: l.file,
                errors: mine,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_ids_are_the_ids_a_full_decode_gives() {
        let decoded: Vec<String> = shipped_files()
            .iter()
            .map(|f| {
                load::parse(f)
                    .expect("shipped lessons decode")
                    .id
                    .to_string()
            })
            .collect();
        assert!(!decoded.is_empty());
        assert_eq!(shipped_ids(), decoded);
    }

    #[test]
    fn a_folder_that_links_back_up_is_walked_once() {
        let dir = std::env::temp_dir().join(format!("lr-loop-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/a.yaml"), "id: a\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&dir, dir.join("sub/up")).unwrap();
        let (paths, problems) = lesson_paths(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(paths.len(), 1, "{paths:?}");
    }
}

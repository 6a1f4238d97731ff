//! Where lessons come from: the course shipped inside the binary (so `cargo install` gives a working
//! tutor anywhere) and folders named with `--lessons-dir` or `LEARN_REGISTRY_LESSONS`.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::diagnostic::Diagnostic;
use crate::lesson::Lesson;
use crate::lesson::load::{self, SourceFile};

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

/// Every lesson found, in course order, and the files that did not parse.
#[derive(Debug, Default)]
pub struct Catalog {
    pub lessons: Vec<LoadedLesson>,
    pub broken: Vec<Diagnostic>,
}

impl Catalog {
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
    let mut paths = Vec::new();
    let mut problems = Vec::new();
    if path.is_dir() {
        let mut stack = vec![path.to_path_buf()];
        while let Some(dir) = stack.pop() {
            match std::fs::read_dir(&dir) {
                Ok(entries) => {
                    for entry in entries.flatten() {
                        let p = entry.path();
                        if p.is_dir() {
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
    let mut files = Vec::new();
    for p in paths {
        let name = p.display().to_string();
        match std::fs::read(&p) {
            Ok(bytes) => match load::decode(&name, &bytes) {
                Ok(f) => files.push(f),
                Err(d) => problems.push(d),
            },
            Err(e) => problems.push(
                Diagnostic::error("unreadable", format!("cannot read lesson file: {e}"))
                    .in_file(name),
            ),
        }
    }
    (files, problems)
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
    for dir in dirs {
        let (files, problems) = dir_files(dir);
        catalog.broken.extend(problems);
        add(files, Origin::Dir(dir.clone()), &mut catalog);
    }
    catalog
}

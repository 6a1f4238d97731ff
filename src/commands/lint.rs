//! `learn-registry lint [PATH...]`: every problem of every lesson file, rustc-style or as JSON.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::cli::{Global, LintFormat};
use crate::diagnostic::Diagnostic;
use crate::exit;
use crate::lesson::load::{self, SourceFile};
use crate::lesson::source;
use crate::lesson::validate::{self, Parsed};
use crate::lesson::{Lesson, Sp};
use crate::parallel;

/// Where a file to lint comes from: read already (the shipped course), or a path still to read.
enum Input {
    Read(SourceFile),
    Path(PathBuf),
}

/// Lint files (or, without paths, the shipped course and `--lessons-dir`) and return every diagnostic,
/// with the texts to render them against.
pub fn lint(
    global: &Global,
    paths: &[PathBuf],
) -> (Vec<Diagnostic>, BTreeMap<String, String>, usize) {
    let mut inputs: Vec<Input> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut known_ids = BTreeSet::new();
    let mut known = None;
    let targets: Vec<PathBuf> = if paths.is_empty() {
        inputs.extend(source::shipped_files().into_iter().map(Input::Read));
        global.lessons_dirs.clone()
    } else {
        // Lessons named on the command line may require the shipped ones and those of --lessons-dir.
        // The shipped ids are read off their `id:` lines; folder lessons must load (and lint) as they
        // would for `start`, on a thread of their own while the files named are decoded.
        known_ids.extend(source::shipped_ids());
        let dirs = global.lessons_dirs.clone();
        if !dirs.is_empty() {
            known = Some(std::thread::spawn(move || {
                let catalog = source::catalog(&dirs);
                catalog.ids().map(String::from).collect::<Vec<_>>()
            }));
        }
        paths.to_vec()
    };
    for path in &targets {
        if !path.exists() {
            diagnostics.push(
                Diagnostic::error("not-found", "no such file or folder")
                    .in_file(path.display().to_string()),
            );
            continue;
        }
        let (found, problems) = source::lesson_paths(path);
        diagnostics.extend(problems);
        inputs.extend(found.into_iter().map(Input::Path));
    }
    // Each file is read, decoded, parsed and checked alone on whichever core is free; files with
    // structural mistakes are checked for meaning too, as far as they still decode. What needs every
    // lesson (ids, `requires`) comes after.
    let decoded = parallel::map(&inputs, |input| {
        let file = match input {
            Input::Read(file) => file.clone(),
            Input::Path(path) => source::read_file(path)?,
        };
        let parsed = load::parse_all(&file);
        let alone = match &parsed {
            Ok(lesson) => validate::validate_one(&file, lesson, None),
            Err(r) => r.lesson.as_ref().map_or_else(Vec::new, |lesson| {
                validate::validate_one(&file, lesson, Some(&r.blanked))
            }),
        };
        // Only the header is looked at from here on; the rest is freed on this thread, now. So is
        // the text of a clean file read from disk: the rules over the whole set rarely find anything,
        // and what they find in such a file is shown after reading it again (`reread`).
        let parsed = parsed.map(Lesson::header).map_err(|mut r| {
            r.lesson = r.lesson.take().map(Lesson::header);
            r
        });
        let mut file = file;
        if alone.is_empty() && parsed.is_ok() && matches!(input, Input::Path(_)) {
            file.text = String::new();
        }
        Ok((file, parsed, alone))
    });
    // A file that could not even be decoded is still a file that was linted.
    let count = inputs.len();
    let mut files = Vec::with_capacity(count);
    let mut from = Vec::with_capacity(count);
    let mut lessons = Vec::with_capacity(count);
    let mut blanked = BTreeMap::new();
    for (d, input) in decoded.into_iter().zip(&inputs) {
        let (file, parsed, alone) = match d {
            Ok(ok) => ok,
            Err(problem) => {
                diagnostics.push(problem);
                continue;
            }
        };
        let lesson = match parsed {
            Ok(lesson) => Some(lesson),
            Err(recovered) => {
                let load::Recovered {
                    problems,
                    lesson,
                    blanked: what,
                } = *recovered;
                diagnostics.extend(problems);
                if lesson.is_some() {
                    blanked.insert(file.name.clone(), what);
                }
                lesson
            }
        };
        diagnostics.extend(alone);
        if let Some(lesson) = lesson {
            lessons.push((files.len(), lesson));
        }
        files.push(file);
        from.push(input);
    }
    if let Some(known) = known {
        match known.join() {
            Ok(ids) => known_ids.extend(ids),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    diagnostics.extend(across(&mut files, &from, &lessons, &blanked, known_ids));
    let texts = files
        .into_iter()
        .filter(|f| !f.text.is_empty())
        .map(|f| (f.name, f.text))
        .collect();
    (diagnostics, texts, count)
}

/// The rules across lessons (`validate::validate_set`) over the lessons decoded from `files` (each with
/// its file's index; `from` says where each file came from). A clean file's text was let go after its
/// own checks: when these rules find something in one, it is read again and they run once more with
/// texts to point into.
fn across(
    files: &mut [SourceFile],
    from: &[&Input],
    lessons: &[(usize, Lesson)],
    blanked: &BTreeMap<String, load::Blanked>,
    mut known_ids: BTreeSet<String>,
) -> Vec<Diagnostic> {
    // Lessons being linted shadow the known ones of the same id, rather than being duplicates of them.
    for (_, lesson) in lessons {
        known_ids.remove(lesson.id.as_str());
    }
    let run = |files: &[SourceFile]| {
        let parsed: Vec<Parsed> = lessons
            .iter()
            .map(|(i, lesson)| Parsed {
                file: &files[*i],
                lesson,
            })
            .collect();
        validate::validate_set(&parsed, blanked, &known_ids)
    };
    let set = run(files);
    // Lessons whose file's text was let go and that a rule across lessons points into.
    let again: Vec<&(usize, Lesson)> = lessons
        .iter()
        .filter(|(i, _)| files[*i].text.is_empty() && set.iter().any(|d| d.file == files[*i].name))
        .collect();
    if again.is_empty() {
        return set;
    }
    let mut out = Vec::new();
    for (i, lesson) in again {
        if let Input::Path(path) = from[*i] {
            out.extend(reread(&mut files[*i], path, lesson));
        }
    }
    // A file that changed meanwhile has that said of it instead.
    let changed = |name: &str| files.iter().any(|f| f.name == name && f.text.is_empty());
    out.extend(run(files).into_iter().filter(|d| !changed(&d.file)));
    out
}

/// Read a clean file's text again, for the rules over the whole set to point into. It must decode to
/// the same header, with the id and every `requires` entry where they were (what those rules point
/// at); if the file changed in the meantime, that is the problem reported instead.
fn reread(file: &mut SourceFile, path: &Path, header: &Lesson) -> Option<Diagnostic> {
    let at = |s: &Sp<String>| (s.value.clone(), s.loc);
    let same = |a: &Lesson| {
        at(&a.id) == at(&header.id) && a.requires.iter().map(at).eq(header.requires.iter().map(at))
    };
    match source::read_file(path).map(|again| (load::parse(&again), again)) {
        Ok((Ok(lesson), again)) if same(&lesson) => {
            file.text = again.text;
            None
        }
        _ => Some(
            Diagnostic::error(
                "changed-during-lint",
                "the file changed while lint was reading it",
            )
            .in_file(&file.name)
            .help("run `learn-registry lint` again"),
        ),
    }
}

/// A diagnostic as text for a terminal. The file is someone else's: when it (or a message quoting it)
/// holds characters a terminal would act on, the snippet is rendered plain and escaped with
/// `text::block`, so a raw ESC in a lesson can neither hide nor fake what lint says. Clean files keep
/// their colors.
pub fn render_safe(d: &Diagnostic, source: Option<&str>, color: bool) -> String {
    let unsafe_in = |s: &str| {
        s.chars()
            .any(|c| crate::text::is_unsafe(c) && !matches!(c, '\n' | '\t'))
    };
    let hostile = source.is_some_and(unsafe_in)
        || [
            Some(&d.message),
            Some(&d.file),
            d.label.as_ref(),
            d.help.as_ref(),
        ]
        .into_iter()
        .flatten()
        .any(|s| unsafe_in(s));
    if hostile {
        crate::text::block(&d.render(source, false)).into_owned()
    } else {
        d.render(source, color)
    }
}

pub fn run(global: &Global, paths: &[PathBuf], format: LintFormat) -> miette::Result<u8> {
    let (mut diagnostics, texts, count) = lint(global, paths);
    diagnostics.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match format {
        LintFormat::Json => {
            let out = json!({
                "files": count,
                "errors": errors,
                "warnings": warnings,
                "diagnostics": diagnostics,
            });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        LintFormat::Human => {
            let color = console::colors_enabled_stderr();
            for d in &diagnostics {
                eprintln!(
                    "{}\n",
                    render_safe(d, texts.get(&d.file).map(String::as_str), color)
                );
            }
            let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            if errors > 0 {
                eprintln!(
                    "error: {} and {} in {}",
                    plural(errors, "error"),
                    plural(warnings, "warning"),
                    plural(count, "file")
                );
            } else {
                eprintln!(
                    "ok: {} clean ({})",
                    plural(count, "lesson file"),
                    plural(warnings, "warning")
                );
            }
        }
    }
    Ok(if errors > 0 { exit::USAGE } else { exit::OK })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = "id: a\ntitle: A\nrequires: [b]\nsteps:\n  - id: s\n    title: S\n    body: x\n    checks:\n      - logged_in: {}\n";

    #[test]
    fn a_file_read_again_must_be_the_one_that_was_linted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, LESSON).expect("write");
        let name = path.display().to_string();
        let header = load::parse(&SourceFile {
            name: name.clone(),
            text: LESSON.into(),
        })
        .expect("the lesson decodes")
        .header();
        let mut file = SourceFile {
            name,
            text: String::new(),
        };
        assert!(reread(&mut file, &path, &header).is_none());
        assert_eq!(file.text, LESSON);

        // Edited meanwhile: a line above moves the `requires` entry the set rules point at.
        std::fs::write(&path, format!("# edited\n{LESSON}")).expect("write");
        file.text.clear();
        let d = reread(&mut file, &path, &header).expect("a problem");
        assert_eq!(d.code, "changed-during-lint");
        assert!(file.text.is_empty());
        std::fs::remove_file(&path).expect("remove");
        let d = reread(&mut file, &path, &header).expect("a problem");
        assert_eq!(d.code, "changed-during-lint");
    }
}

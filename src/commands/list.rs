//! `learn-registry list`: the lessons, one a line, id first; shipped ones and those of `--lessons-dir`.

use serde_json::json;

use crate::cli::{Global, ListFormat};
use crate::lesson::source::{self, Origin};
use crate::{exit, text};

pub fn run(global: &Global, format: ListFormat) -> miette::Result<u8> {
    let catalog = source::catalog(&global.lessons_dirs);
    for r in &catalog.refused {
        eprintln!(
            "warning: skipped lesson `{}` (`{}`), which has lint errors (run `learn-registry lint {}`)",
            text::line(&r.id),
            text::line(&r.file.name),
            text::line(&r.file.name)
        );
    }
    for broken in &catalog.broken {
        eprintln!(
            "warning: skipped `{}`, which does not load (run `learn-registry lint {}`)",
            text::line(&broken.file),
            text::line(&broken.file)
        );
    }
    match format {
        ListFormat::Text => {
            let width = catalog.ids().map(str::len).max().unwrap_or(0);
            for l in &catalog.lessons {
                println!(
                    "{:width$}  {}",
                    text::line(l.lesson.id.as_str()),
                    text::line(l.lesson.title.as_str())
                );
            }
        }
        ListFormat::Json => {
            let list: Vec<_> = catalog
                .lessons
                .iter()
                .map(|l| {
                    json!({
                        "id": l.lesson.id.as_str(),
                        "title": l.lesson.title.as_str(),
                        "summary": l.lesson.summary.as_ref().map(|s| s.as_str()),
                        "requires": l.lesson.requires.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                        "steps": l.lesson.steps.len(),
                        "file": l.file.name,
                        "shipped": l.origin == Origin::Shipped,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            );
        }
    }
    Ok(if catalog.broken.is_empty() && catalog.refused.is_empty() {
        exit::OK
    } else {
        exit::USAGE
    })
}

//! Arbitrary bytes through everything `lint` does with a lesson file: decode → parse → validate →
//! render. Nothing may panic, hang or run out of memory, whatever the file holds.
//!
//! An input may hold two files separated by a line `#8<`, so that what spans files (duplicate ids,
//! `requires` loops) is explored too.

#![no_main]

use std::collections::BTreeSet;

use learn_registry::diagnostic::Diagnostic;
use learn_registry::lesson::load::{self, SourceFile};
use learn_registry::lesson::validate::{self, Parsed};
use libfuzzer_sys::fuzz_target;

const SEPARATOR: &[u8] = b"\n#8<\n";

fn render(d: &Diagnostic, source: Option<&str>) {
    // Both renderers, as `lint` uses them on a terminal and in a pipe.
    std::hint::black_box(d.render(source, false));
    std::hint::black_box(d.render(source, true));
}

fuzz_target!(|data: &[u8]| {
    let parts: Vec<&[u8]> = match data.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        Some(i) => vec![&data[..i], &data[i + SEPARATOR.len()..]],
        None => vec![data],
    };
    let mut files: Vec<SourceFile> = Vec::new();
    for (i, bytes) in parts.iter().enumerate() {
        match load::decode(&format!("fuzz-{i}.yaml"), bytes) {
            Ok(file) => files.push(file),
            Err(d) => render(&d, None),
        }
    }
    let mut lessons = Vec::new();
    for file in &files {
        match load::parse(file) {
            Ok(lesson) => lessons.push((file, lesson)),
            Err(d) => render(&d, Some(&file.text)),
        }
    }
    let parsed: Vec<Parsed> = lessons
        .iter()
        .map(|(file, lesson)| Parsed { file, lesson })
        .collect();
    let known: BTreeSet<String> = ["docker-hub-account".to_string()].into();
    for d in validate::validate_all(&parsed, &known) {
        let source = files
            .iter()
            .find(|f| f.name == d.file)
            .map(|f| f.text.as_str());
        render(&d, source);
    }
});

//! `grade --format json`: the lesson objects of `check` (`{"lesson", "steps", "summary"}`, as
//! `docs/ARCHITECTURE.md` fixes them under "JSON report"), one per student × graded lesson, each with
//! `student`, `username` and `line` (the roster line). A roster line that could not be graded gives
//! one object per lesson with no steps and an `error` saying why, so a script sees every student.

use serde_json::{Value, json};

use crate::grade::Gradebook;

pub fn value(book: &Gradebook) -> Value {
    let mut lessons: Vec<(&str, &str)> = Vec::new();
    for c in &book.columns {
        if !lessons.iter().any(|(id, _)| *id == c.lesson) {
            lessons.push((&c.lesson, &c.lesson_title));
        }
    }
    let mut list = Vec::new();
    for student in &book.students {
        let who = |mut v: Value| {
            v["student"] = student.student.as_str().into();
            v["username"] = student.username.as_str().into();
            v["line"] = student.line.into();
            v
        };
        match &student.problem {
            Some(problem) => {
                for (id, title) in &lessons {
                    list.push(who(json!({
                        "lesson": id,
                        "title": title,
                        "steps": [],
                        "summary": { "pass": 0, "fail": 0, "unknown": 0, "pending": 0 },
                        "error": problem,
                    })));
                }
            }
            None => {
                for lesson in &student.lessons {
                    list.push(who(crate::report::lesson::json::lesson(lesson)));
                }
            }
        }
    }
    Value::Array(list)
}

pub fn render(book: &Gradebook) -> String {
    serde_json::to_string_pretty(&value(book)).unwrap_or_default() + "\n"
}

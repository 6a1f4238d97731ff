//! `check --format json`, in the shape `docs/ARCHITECTURE.md` fixes under "JSON report":
//! `{"lesson", "steps": [{"id", "status", "checks": [...]}], "summary"}`.

use serde_json::{Value, json};

use crate::check::report::LessonReport;

pub fn lesson(report: &LessonReport) -> Value {
    let s = report.summary();
    json!({
        "lesson": report.lesson,
        "title": report.title,
        "steps": report.steps.iter().map(|step| {
            let mut v = json!({
                "id": step.id,
                "title": step.title,
                "status": step.status,
                "checks": step.checks.iter().map(|c| c.to_json()).collect::<Vec<_>>(),
            });
            if let Some(note) = &step.note {
                v["note"] = note.as_str().into();
            }
            v
        }).collect::<Vec<_>>(),
        "summary": { "pass": s.pass, "fail": s.fail, "unknown": s.unknown, "pending": s.pending },
    })
}

/// One lesson object, or a list of them when the whole course was checked.
pub fn render(reports: &[LessonReport], as_list: bool) -> String {
    let value = if as_list || reports.len() != 1 {
        Value::Array(reports.iter().map(lesson).collect())
    } else {
        lesson(&reports[0])
    };
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

//! `grade --format html`: one self-contained page (inline CSS and script, no external assets, so it can
//! be mailed or opened offline) with a heatmap of students × graded steps, the class's completion per
//! step, and for each cell its checks: a failed cell's expected / actual on hover (the `title`
//! attribute) and, on click, in a detail panel.
//!
//! Everything a student controls (names, usernames, and messages quoting them) is escaped with
//! `html-escape` for the context it lands in (text or double-quoted attribute), and the script only
//! ever sets `textContent`. As a second line of defence, the page's Content-Security-Policy allows no
//! script but ours (by its SHA-256), so markup that slipped through still could not run. Our script
//! marks `<html data-ready="1">`, so a test can tell that it, and only it, ran.

use base64::Engine as _;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use sha2::{Digest, Sha256};

use crate::check::Outcome;
use crate::check::Status;
use crate::check::report::{StepReport, Summary};
use crate::grade::{Gradebook, StudentGrade, completion};

const STYLE: &str = r#"
:root { --pass: #2e9d57; --fail: #d64541; --unknown: #e0a526; --none: #c9ced6; --ink: #1d2330; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 24px; background: #f7f8fa; }
h1 { font-size: 20px; margin: 0 0 4px; }
.meta { color: #555; margin: 0 0 12px; }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -1px; margin-right: 4px; }
.wrap { overflow-x: auto; background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 8px; }
table { border-collapse: separate; border-spacing: 2px; }
th, td { padding: 3px 6px; }
thead th { font-weight: 600; font-size: 12px; vertical-align: bottom; }
th.lesson { text-align: center; border-bottom: 2px solid #dde1e7; }
th.step { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; max-height: 180px; }
th.name, td.user { text-align: left; white-space: nowrap; max-width: 260px; overflow: hidden; text-overflow: ellipsis; }
td.user { color: #555; font-family: ui-monospace, monospace; font-size: 12px; }
td.cell { width: 30px; height: 26px; text-align: center; border-radius: 3px; color: #fff; font-weight: 700; cursor: pointer; }
td.cell.pass { background: var(--pass); } td.cell.fail { background: var(--fail); }
td.cell.unknown { background: var(--unknown); } td.cell.pending, td.cell.none { background: var(--none); cursor: default; }
td.cell:focus, td.cell.selected { outline: 3px solid var(--ink); }
td.total { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.problem { color: var(--fail); font-family: ui-monospace, monospace; font-size: 12px; overflow: visible; }
td.problem div { width: 0; white-space: nowrap; }
tfoot td { font-size: 11px; text-align: center; vertical-align: top; }
.bar { height: 40px; width: 24px; margin: 0 auto 2px; background: #eef0f3; position: relative; border-radius: 2px; }
.bar b { position: absolute; bottom: 0; left: 0; right: 0; background: var(--pass); border-radius: 2px; }
#detail { position: fixed; right: 24px; top: 24px; width: min(520px, 90vw); max-height: 80vh; overflow: auto; background: #fff; border: 1px solid #c9ced6; border-radius: 6px; box-shadow: 0 6px 24px rgba(0,0,0,.15); padding: 12px 16px; }
#detail h2 { font-size: 15px; margin: 0 28px 8px 0; }
#detail pre { white-space: pre-wrap; word-break: break-word; font-size: 12px; margin: 0; }
#detail button { position: absolute; right: 8px; top: 6px; border: 0; background: none; font-size: 20px; cursor: pointer; }
"#;

const SCRIPT: &str = r#"
(function () {
  var panel = document.getElementById('detail');
  var title = document.getElementById('detail-title');
  var body = document.getElementById('detail-text');
  var selected = null;
  function show(cell) {
    if (selected) selected.classList.remove('selected');
    selected = cell;
    cell.classList.add('selected');
    title.textContent = cell.getAttribute('data-who') + ': ' + cell.getAttribute('data-step');
    body.textContent = cell.getAttribute('data-detail');
    panel.hidden = false;
  }
  document.querySelectorAll('td.cell[data-detail]').forEach(function (cell) {
    cell.addEventListener('click', function () { show(cell); });
    cell.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); show(cell); } });
  });
  document.documentElement.setAttribute('data-ready', '1');
  document.getElementById('detail-close').addEventListener('click', function () {
    panel.hidden = true;
    if (selected) selected.classList.remove('selected');
  });
})();
"#;

fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "✓",
        Status::Fail => "✗",
        Status::Unknown => "?",
        Status::Pending => "·",
    }
}

/// What a cell says on hover: for a failure, expected and actual; otherwise each check's message.
fn hover(step: &StepReport) -> String {
    step.checks
        .iter()
        .map(|c| match &c.outcome {
            Outcome::Fail {
                expected, actual, ..
            } => format!("{}: expected: {expected}\nactual: {actual}", c.kind),
            _ => format!("{}: {}", c.kind, c.message()),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The detail panel's text: every check with its status, expected / actual / hint.
fn detail(step: &StepReport) -> String {
    let mut out = format!("{} ({})\n", step.title, step.status.as_str());
    for c in &step.checks {
        out.push_str(&format!("\n{}: {}\n", c.kind, c.outcome.status().as_str()));
        match &c.outcome {
            Outcome::Pass { saw } => out.push_str(&format!("  saw:      {saw}\n")),
            Outcome::Fail {
                expected,
                actual,
                hint,
            } => {
                out.push_str(&format!("  expected: {expected}\n  actual:   {actual}\n"));
                if let Some(h) = hint {
                    out.push_str(&format!("  hint:     {h}\n"));
                }
            }
            Outcome::Unknown { .. } => out.push_str(&format!("  {}\n", c.message())),
        }
    }
    out
}

/// The page's head (with its Content-Security-Policy) and the summary above the heatmap.
fn page_head(h: &mut String, book: &Gradebook, total: &Summary) {
    let script_hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT));
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'\">\n"
    ));
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str(&format!(
        "<title>Grades: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        text(&book.roster)
    ));
    h.push_str("<h1>Class grades</h1>\n");
    h.push_str(&format!(
        "<p class=\"meta\">Roster <code>{}</code>, registry <code>{}</code>: {} students, {} graded steps. \
         {} passed, {} failed, {} could not be verified (never counted as failed).</p>\n",
        text(&book.roster),
        text(&book.registry),
        book.students.len(),
        book.columns.len(),
        total.pass,
        total.fail,
        total.unknown
    ));
    h.push_str(
        "<p class=\"legend\"><span><i style=\"background:var(--pass)\"></i>✓ passed</span>\
         <span><i style=\"background:var(--fail)\"></i>✗ failed</span>\
         <span><i style=\"background:var(--unknown)\"></i>? could not be verified</span>\
         <span><i style=\"background:var(--none)\"></i>not graded</span> \
         Hover a cell for what was expected and found; click it for details.</p>\n",
    );
}

/// The table's two header rows: a cell per lesson spanning its steps, then a cell per step.
fn table_head(h: &mut String, book: &Gradebook) {
    h.push_str("<div class=\"wrap\">\n<table id=\"heatmap\">\n<thead>\n<tr><th rowspan=\"2\" class=\"name\">Student</th><th rowspan=\"2\" class=\"name\">Username</th>");
    // One header cell per lesson, spanning its steps.
    let mut i = 0;
    while i < book.columns.len() {
        let lesson = &book.columns[i].lesson;
        let span = book.columns[i..]
            .iter()
            .take_while(|c| &c.lesson == lesson)
            .count();
        h.push_str(&format!(
            "<th class=\"lesson\" colspan=\"{span}\" title=\"{}\">{}</th>",
            attr(lesson),
            text(&book.columns[i].lesson_title)
        ));
        i += span;
    }
    h.push_str("<th rowspan=\"2\">Passed</th></tr>\n<tr>");
    for c in &book.columns {
        h.push_str(&format!(
            "<th class=\"step\" data-step=\"{}\" title=\"{}\">{}</th>",
            attr(&c.id()),
            attr(&c.step_title),
            text(&c.step)
        ));
    }
    h.push_str("</tr>\n</thead>\n<tbody>\n");
}

/// One student's row: a cell per graded step (or why the line was not graded) and their total.
fn student_row(h: &mut String, book: &Gradebook, student: &StudentGrade) {
    h.push_str(&format!(
        "<tr data-line=\"{}\"><th class=\"name\" scope=\"row\" title=\"{}\">{}</th><td class=\"user\">{}</td>",
        student.line,
        attr(&student.student),
        text(&student.student),
        text(&student.username)
    ));
    if let Some(problem) = &student.problem {
        h.push_str(&format!(
            "<td class=\"problem\" colspan=\"{}\"><div>not graded: {}</div></td></tr>\n",
            book.columns.len() + 1,
            text(problem)
        ));
        return;
    }
    for (c, cell) in book.columns.iter().zip(student.cells(&book.columns)) {
        match cell {
            Some(step) => h.push_str(&format!(
                "<td class=\"cell {status}\" tabindex=\"0\" data-status=\"{status}\" data-step=\"{id}\" data-who=\"{who}\" title=\"{hover}\" data-detail=\"{detail}\">{mark}</td>",
                status = step.status.as_str(),
                id = attr(&c.id()),
                who = attr(&student.student),
                hover = attr(&hover(step)),
                detail = attr(&detail(step)),
                mark = mark(step.status),
            )),
            None => h.push_str(&format!(
                "<td class=\"cell none\" data-status=\"none\" data-step=\"{}\"></td>",
                attr(&c.id())
            )),
        }
    }
    let s = student.summary();
    h.push_str(&format!(
        "<td class=\"total\">{}/{}</td></tr>\n",
        s.pass,
        s.pass + s.fail + s.unknown + s.pending
    ));
}

/// The footer: the class's completion per step, and the whole class's total.
fn table_foot(h: &mut String, book: &Gradebook, total: &Summary) {
    h.push_str("</tbody>\n<tfoot>\n<tr><th colspan=\"2\" class=\"name\">Class completion</th>");
    for (i, c) in book.columns.iter().enumerate() {
        let s = book.column_summary(i);
        let pct = completion(&s);
        h.push_str(&format!(
            "<td class=\"completion\" data-step=\"{}\" data-pass=\"{}\" data-graded=\"{}\" title=\"{} passed, {} failed, {} could not be verified\"><div class=\"bar\"><b style=\"height:{}%\"></b></div>{}</td>",
            attr(&c.id()),
            s.pass,
            s.pass + s.fail + s.unknown + s.pending,
            s.pass,
            s.fail,
            s.unknown,
            pct.unwrap_or(0),
            pct.map(|p| format!("{p}%")).unwrap_or_else(|| "–".into())
        ));
    }
    h.push_str(&format!(
        "<td class=\"total\">{}/{}</td></tr>\n</tfoot>\n</table>\n</div>\n",
        total.pass,
        total.pass + total.fail + total.unknown + total.pending
    ));
}

pub fn render(book: &Gradebook) -> String {
    let total = book.summary();
    let mut h = String::new();
    page_head(&mut h, book, &total);
    table_head(&mut h, book);
    for student in &book.students {
        student_row(&mut h, book, student);
    }
    table_foot(&mut h, book, &total);
    h.push_str("<aside id=\"detail\" hidden><button id=\"detail-close\" aria-label=\"Close\">×</button><h2 id=\"detail-title\"></h2><pre id=\"detail-text\"></pre></aside>\n");
    h.push_str(&format!("<script>{SCRIPT}</script>\n</body>\n</html>\n"));
    h
}

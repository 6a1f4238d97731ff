//! `grade --format table`, for people at a terminal: a row per student, a column per graded step
//! (numbered, with a legend below so forty steps still fit), marks ✓ ✗ ? (and `-` for a roster line
//! that was not graded), the student's total on the right and the class's per step at the bottom.
//! Colors only when asked (`color`: the caller knows whether the output is a terminal). Names come
//! from the roster, so control characters are shown escaped, never sent to the terminal.

use console::{Alignment, measure_text_width, pad_str, style, truncate_str};

use crate::check::Status;
use crate::check::report::Summary;
use crate::grade::{Gradebook, completion};
use crate::text;

/// The longest name shown; longer ones are cut with `…`.
const NAME_WIDTH: usize = 28;

fn mark(status: Option<Status>, color: bool) -> String {
    let s = match status {
        Some(Status::Pass) => style("✓").green(),
        Some(Status::Fail) => style("✗").red(),
        Some(Status::Unknown) => style("?").yellow(),
        Some(Status::Pending) => style("·").dim(),
        None => style("-").dim(),
    };
    s.force_styling(color).to_string()
}

fn cell(text: &str, width: usize, align: Alignment) -> String {
    let cut = truncate_str(text, width, "…");
    pad_str(&cut, width, align, None).into_owned()
}

/// The widths every row shares, and the texts they were measured on.
struct Layout {
    names: Vec<String>,
    users: Vec<String>,
    /// Width of the student and username columns.
    nw: usize,
    uw: usize,
    /// `PASSED/GRADED` per step, and each step column's width.
    column_totals: Vec<String>,
    cw: Vec<usize>,
}

impl Layout {
    fn of(book: &Gradebook) -> Layout {
        let names: Vec<String> = book
            .students
            .iter()
            .map(|s| text::line(&s.student).into_owned())
            .collect();
        let users: Vec<String> = book
            .students
            .iter()
            .map(|s| text::line(&s.username).into_owned())
            .collect();
        let width_of = |list: &[String], header: &str| {
            list.iter()
                .map(|n| measure_text_width(n))
                .chain([header.len()])
                .max()
                .unwrap_or(0)
                .min(NAME_WIDTH)
        };
        let (nw, uw) = (width_of(&names, "student"), width_of(&users, "username"));
        let column_totals: Vec<String> = (0..book.columns.len())
            .map(|i| {
                let s = book.column_summary(i);
                format!("{}/{}", s.pass, s.pass + s.fail + s.unknown + s.pending)
            })
            .collect();
        let cw: Vec<usize> = column_totals
            .iter()
            .enumerate()
            .map(|(i, t)| t.len().max((i + 1).to_string().len()))
            .collect();
        Layout {
            names,
            users,
            nw,
            uw,
            column_totals,
            cw,
        }
    }

    /// The header: the step numbers.
    fn header(&self, out: &mut String) {
        out.push_str(&cell("student", self.nw, Alignment::Left));
        out.push_str("  ");
        out.push_str(&cell("username", self.uw, Alignment::Left));
        for (i, w) in self.cw.iter().enumerate() {
            out.push_str("  ");
            out.push_str(&cell(&(i + 1).to_string(), *w, Alignment::Center));
        }
        out.push_str("  passed\n");
    }

    /// One student's row: a mark per step and their total.
    fn student_row(&self, out: &mut String, book: &Gradebook, index: usize, color: bool) {
        let student = &book.students[index];
        out.push_str(&cell(&self.names[index], self.nw, Alignment::Left));
        out.push_str("  ");
        out.push_str(&cell(&self.users[index], self.uw, Alignment::Left));
        let cells = student.cells(&book.columns);
        for (c, w) in cells.iter().zip(&self.cw) {
            out.push_str("  ");
            let m = mark(c.map(|s| s.status), color);
            // Pad around the mark by its visible width (one column), not its bytes.
            let left = (w - 1) / 2;
            out.push_str(&" ".repeat(left));
            out.push_str(&m);
            out.push_str(&" ".repeat(w - 1 - left));
        }
        if student.problem.is_some() {
            out.push_str("  not graded\n");
        } else {
            out.push_str(&format!("  {}\n", student_total(&student.summary())));
        }
    }

    /// The class's row: per step, how many passed.
    fn class_row(&self, out: &mut String, total: &Summary) {
        out.push_str(&cell("class", self.nw + 2 + self.uw, Alignment::Left));
        for (t, w) in self.column_totals.iter().zip(&self.cw) {
            out.push_str("  ");
            out.push_str(&cell(t, *w, Alignment::Center));
        }
        out.push_str(&format!(
            "  {}/{}\n",
            total.pass,
            total.pass + total.fail + total.unknown + total.pending
        ));
    }
}

/// `PASSED/COUNTED`, with the failed and unknown counts when there are any.
fn student_total(s: &Summary) -> String {
    let counted = s.pass + s.fail + s.unknown + s.pending;
    let mut extra = Vec::new();
    if s.fail > 0 {
        extra.push(format!("{} ✗", s.fail));
    }
    if s.unknown > 0 {
        extra.push(format!("{} ?", s.unknown));
    }
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(" ({})", extra.join(", "))
    };
    format!("{}/{counted}{extra}", s.pass)
}

/// The legend below the table: each step's number, id, completion and title.
fn legend(out: &mut String, book: &Gradebook) {
    out.push_str("\nsteps:\n");
    let iw = book.columns.len().to_string().len();
    let idw = book.columns.iter().map(|c| c.id().len()).max().unwrap_or(0);
    for (i, c) in book.columns.iter().enumerate() {
        let s = book.column_summary(i);
        let pct = completion(&s)
            .map(|p| format!("{p}% passed"))
            .unwrap_or_else(|| "not graded".into());
        out.push_str(&format!(
            "  {:>iw$}  {:idw$}  {pct} ({} ✓, {} ✗, {} ?)  {}\n",
            i + 1,
            c.id(),
            s.pass,
            s.fail,
            s.unknown,
            text::line(&c.step_title),
        ));
    }
}

pub fn render(book: &Gradebook, color: bool) -> String {
    let mut out = String::new();
    let total = book.summary();
    let graded = book.students.iter().filter(|s| s.problem.is_none()).count();
    out.push_str(&format!(
        "{} against {}: {} students ({} graded) × {} steps\n\n",
        text::line(&book.roster),
        text::line(&book.registry),
        book.students.len(),
        graded,
        book.columns.len()
    ));
    let layout = Layout::of(book);
    layout.header(&mut out);
    for index in 0..book.students.len() {
        layout.student_row(&mut out, book, index, color);
    }
    layout.class_row(&mut out, &total);
    legend(&mut out, book);
    let problems: Vec<&str> = book.problems().collect();
    if !problems.is_empty() {
        out.push_str("\nnot graded:\n");
        for p in problems {
            out.push_str(&format!("  {}\n", text::line(p)));
        }
    }
    out.push_str(&format!(
        "\n{} passed, {} failed, {} could not be verified\n",
        total.pass, total.fail, total.unknown
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(text::line("a\u{1b}[31mb\n"), "a\\e[31mb\\n");
        assert_eq!(text::line("Zoë <b>"), "Zoë <b>");
    }
}

//! The class roster: a CSV file with a header, one student a line. `student` (a display name) and
//! `username` (the learner's registry user) are required; every other column is a lesson variable
//! (`classmate`, or `repository` to override a default) or `registry` (that student's registry, instead
//! of `--registry`). Empty cells give no value, so a lesson's defaults apply. Lines starting with `#` are
//! comments; an Excel byte-order mark is ignored.
//!
//! Parsing never judges values: that is `crate::check::report::resolve_variables`' job, per lesson, so a
//! roster line with a bad username is reported at its line and the others still grade.

use std::collections::BTreeMap;

/// One student, as the roster gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// The line in the roster file (1-based; the header is line 1).
    pub line: u64,
    /// The display name (`student` column; the username when empty).
    pub student: String,
    /// The `username` column, as written.
    pub username: String,
    /// Every non-empty column but `student` and `registry`, `username` included: the variables.
    pub values: BTreeMap<String, String>,
    /// The `registry` column, when there is one and it is not empty.
    pub registry: Option<String>,
}

/// A parsed roster.
#[derive(Debug, Clone)]
pub struct Roster {
    /// The file name as the instructor wrote it, for messages (`roster.csv:4: ...`).
    pub name: String,
    /// The header's column names (trimmed, lowercase).
    pub columns: Vec<String>,
    pub entries: Vec<RosterEntry>,
}

/// Column names with a meaning of their own.
pub const STUDENT: &str = "student";
pub const USERNAME: &str = "username";
pub const REGISTRY: &str = "registry";

impl Roster {
    /// Parse roster text. `Err` is a message for the whole file (no header, a required column missing,
    /// a line that is not CSV), already prefixed with `NAME:LINE:` where there is a line.
    pub fn parse(name: &str, text: &str) -> Result<Roster, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| format!("{name}: not a CSV file: {e}"))?
            .clone();
        let columns: Vec<String> = headers.iter().map(|h| h.to_ascii_lowercase()).collect();
        if columns.iter().all(|c| c.is_empty()) {
            return Err(format!(
                "{name}: the roster is empty; its first line names the columns, e.g. `student,username`"
            ));
        }
        for required in [STUDENT, USERNAME] {
            if !columns.iter().any(|c| c == required) {
                return Err(format!(
                    "{name}:1: the roster has no `{required}` column (its columns: {})",
                    columns
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &columns {
            if !seen.insert(c) {
                return Err(format!("{name}:1: the column `{c}` appears twice"));
            }
        }
        let mut entries = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                format!("{name}:{line}: not CSV: {e}")
            })?;
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            // Comments are skipped here rather than by the csv reader, which would not count their
            // lines, and every later line number would be off.
            let start = record.position().map(|p| p.byte() as usize).unwrap_or(0);
            if text.get(start..).is_some_and(|rest| rest.starts_with('#')) {
                continue;
            }
            let mut values = BTreeMap::new();
            let mut student = String::new();
            let mut registry = None;
            for (column, value) in columns.iter().zip(record.iter()) {
                if value.is_empty() || column.is_empty() {
                    continue;
                }
                match column.as_str() {
                    STUDENT => student = value.to_string(),
                    REGISTRY => registry = Some(value.to_string()),
                    _ => {
                        values.insert(column.clone(), value.to_string());
                    }
                }
            }
            let username = values.get(USERNAME).cloned().unwrap_or_default();
            if student.is_empty() {
                student = username.clone();
            }
            if student.is_empty() && values.is_empty() && registry.is_none() {
                continue; // a line of empty cells (`,,`), as spreadsheets like to leave
            }
            entries.push(RosterEntry {
                line,
                student,
                username,
                values,
                registry,
            });
        }
        Ok(Roster {
            name: name.to_string(),
            columns,
            entries,
        })
    }

    /// The columns that are lesson variables (not `student`, not `registry`).
    pub fn variable_columns(&self) -> impl Iterator<Item = &str> {
        self.columns
            .iter()
            .map(String::as_str)
            .filter(|c| !c.is_empty() && *c != STUDENT && *c != REGISTRY)
    }
}

/// Whether `text` may be a registry address (`HOST[:PORT]`): it reaches URLs, so it is checked
/// before use like any variable.
pub fn valid_registry(text: &str) -> bool {
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (text, None),
    };
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && port
            .is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_lines_and_empty_cells() {
        let text = "\u{feff}Student, username ,classmate,registry\n\
                    # a comment\n\
                    Alice Liddell,alice1,bobby1,\n\
                    ,bobby1,,127.0.0.1:5999\n\
                    ,,,\n\
                    \"Carol, the third\",Bad<script>\n";
        let r = Roster::parse("roster.csv", text).unwrap();
        assert_eq!(r.columns, ["student", "username", "classmate", "registry"]);
        assert_eq!(r.entries.len(), 3);
        let a = &r.entries[0];
        assert_eq!(
            (a.line, a.student.as_str(), a.username.as_str()),
            (3, "Alice Liddell", "alice1")
        );
        assert_eq!(a.values["classmate"], "bobby1");
        assert_eq!(a.registry, None);
        let b = &r.entries[1];
        assert_eq!((b.line, b.student.as_str()), (4, "bobby1"));
        assert!(!b.values.contains_key("classmate"));
        assert_eq!(b.registry.as_deref(), Some("127.0.0.1:5999"));
        let c = &r.entries[2];
        assert_eq!(
            (c.line, c.student.as_str(), c.username.as_str()),
            (6, "Carol, the third", "Bad<script>")
        );
        assert_eq!(
            r.variable_columns().collect::<Vec<_>>(),
            ["username", "classmate"]
        );
    }

    #[test]
    fn required_columns() {
        let e = Roster::parse("r.csv", "name,username\nA,alice1\n").unwrap_err();
        assert_eq!(
            e,
            "r.csv:1: the roster has no `student` column (its columns: `name`, `username`)"
        );
        assert!(Roster::parse("r.csv", "").unwrap_err().contains("empty"));
        assert!(
            Roster::parse("r.csv", "student,username,username\n")
                .unwrap_err()
                .contains("twice")
        );
    }

    #[test]
    fn registry_addresses() {
        for ok in [
            "127.0.0.1:5000",
            "docker.io",
            "registry.example-1.org:443",
            "localhost",
        ] {
            assert!(valid_registry(ok), "{ok}");
        }
        for bad in [
            "", "http://x", "a b", "x:", "x:123456", "x/y", "<script>", ".x",
        ] {
            assert!(!valid_registry(bad), "{bad}");
        }
    }
}

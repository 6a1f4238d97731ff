//! Variables in lesson text: `{{ name }}`, where `name` is an identifier. Anything else in double braces
//! (`docker images --format '{{.ID}}'`) is Go template syntax meant for Docker and is left alone.

use std::collections::BTreeMap;
use std::ops::Range;

/// A `{{ name }}` occurrence: the name and its byte range (braces included) in the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef<'a> {
    pub name: &'a str,
    pub range: Range<usize>,
}

/// A variable's (or a capture's) name: a letter or `_`, then letters, digits and `_`.
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Every variable reference in `text`, in order.
pub fn references(text: &str) -> Vec<VarRef<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| i + from) {
        let Some(close) = text[open + 2..].find("}}").map(|i| i + open + 2) else {
            break;
        };
        let inner = text[open + 2..close].trim();
        if is_ident(inner) {
            found.push(VarRef {
                name: inner,
                range: open..close + 2,
            });
            from = close + 2;
        } else {
            from = open + 2;
        }
    }
    found
}

/// Fill in variables. Returns the names that had no value (the text keeps them as written).
pub fn render(text: &str, vars: &BTreeMap<String, String>) -> Result<String, Vec<String>> {
    let mut out = String::with_capacity(text.len());
    let mut missing = Vec::new();
    let mut last = 0;
    for r in references(text) {
        out.push_str(&text[last..r.range.start]);
        match vars.get(r.name) {
            Some(v) => out.push_str(v),
            None => {
                missing.push(r.name.to_string());
                out.push_str(&text[r.range.clone()]);
            }
        }
        last = r.range.end;
    }
    out.push_str(&text[last..]);
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_identifiers_and_leaves_go_templates() {
        let refs = references("docker tag {{ username }}/x:{{tag}} --format '{{.ID}}' {{ a b }}");
        let names: Vec<_> = refs.iter().map(|r| r.name).collect();
        assert_eq!(names, ["username", "tag"]);
        assert_eq!(refs[0].range, 11..25);
    }

    #[test]
    fn renders_and_reports_missing() {
        let vars = BTreeMap::from([("u".to_string(), "alice".to_string())]);
        assert_eq!(
            render("{{ u }}/app {{.ID}}", &vars).unwrap(),
            "alice/app {{.ID}}"
        );
        assert_eq!(
            render("{{ u }} {{ v }}", &vars).unwrap_err(),
            vec!["v".to_string()]
        );
    }

    #[test]
    fn unclosed_braces_are_text() {
        assert!(references("{{ u").is_empty());
        assert!(references("}} {{").is_empty());
    }
}

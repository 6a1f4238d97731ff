//! Variables in lesson text: `{{ name }}`, where `name` is an identifier, with optional spaces inside the
//! braces. Anything else in double braces is Go template syntax meant for Docker (`docker images --format
//! '{{.ID}}'`, `{{range .Mounts}}...{{end}}`) and is left alone: a dot, a pipe, arguments, the trim
//! markers `{{-` / `-}}`, and the Go template keywords (`{{end}}`, `{{else}}`, ...), which look like
//! identifiers but are actions Docker must see as written.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

use memchr::memmem;

/// A `{{ name }}` occurrence: the name and its byte range (braces included) in the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef<'a> {
    pub name: &'a str,
    pub range: Range<usize>,
}

/// Words that Go's `text/template` reads as actions or constants, never as a lesson variable: with them,
/// `{{end}}` or `{{else}}` in a `--format` string stays Docker's.
pub const GO_TEMPLATE_WORDS: &[&str] = &[
    "block", "break", "continue", "define", "else", "end", "false", "if", "nil", "range",
    "template", "true", "with",
];

/// A variable's (or a capture's) name: a letter or `_`, then letters, digits and `_`.
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// What between `{{` and `}}` names a lesson variable: an identifier that is not a Go template word,
/// with nothing but spaces around it (so `{{- name -}}`, `{{ .name }}`, `{{ name | x }}` are Docker's).
fn variable_name(inner: &str) -> Option<&str> {
    let name = inner.trim();
    (is_ident(name) && !GO_TEMPLATE_WORDS.contains(&name)).then_some(name)
}

/// Every variable reference in `text`, in order.
pub fn references(text: &str) -> Vec<VarRef<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = find_pair(text, from, &OPEN) {
        let Some(close) = find_pair(text, open + 2, &CLOSE) else {
            break;
        };
        if let Some(name) = variable_name(&text[open + 2..close]) {
            found.push(VarRef {
                name,
                range: open..close + 2,
            });
            from = close + 2;
        } else {
            from = open + 2;
        }
    }
    found
}

/// `{{` and `}}`, searched for in every string lint and the checks look at, most of which hold no
/// braces at all: memchr's substring searchers, built once per process rather than per call.
static OPEN: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new("{{"));
static CLOSE: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new("}}"));

/// Where `finder`'s pair next starts in `text` at or after `from`.
fn find_pair(text: &str, from: usize, finder: &memmem::Finder<'_>) -> Option<usize> {
    finder.find(text.as_bytes().get(from..)?).map(|i| i + from)
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

    fn names(text: &str) -> Vec<&str> {
        references(text).iter().map(|r| r.name).collect()
    }

    #[test]
    fn spaces_are_optional_around_a_name() {
        assert_eq!(names("{{u}} {{ u }} {{   u   }}"), ["u", "u", "u"]);
    }

    #[test]
    fn go_template_keywords_are_docker_s() {
        for word in GO_TEMPLATE_WORDS {
            assert_eq!(
                names(&format!("{{{{{word}}}}}")),
                Vec::<&str>::new(),
                "{word}"
            );
            assert_eq!(
                names(&format!("{{{{ {word} }}}}")),
                Vec::<&str>::new(),
                "{word}"
            );
        }
        let format =
            "docker inspect --format '{{range .Mounts}}{{.Source}}{{else}}none{{end}}' {{ repo }}";
        assert_eq!(names(format), ["repo"]);
        let vars = BTreeMap::from([("repo".to_string(), "alice/app".to_string())]);
        assert_eq!(
            render(format, &vars).unwrap(),
            "docker inspect --format '{{range .Mounts}}{{.Source}}{{else}}none{{end}}' alice/app"
        );
    }

    #[test]
    fn go_template_actions_with_arguments_are_docker_s() {
        for action in [
            "{{if .State.Running}}",
            "{{ if eq .Status \"up\" }}",
            "{{with .Config}}",
            "{{define \"t\"}}",
            "{{template \"t\" .}}",
            "{{block \"b\" .}}",
            "{{ json . }}",
            "{{ println repo }}",
            "{{ repo.Name }}",
            "{{.ID}}",
            "{{ .Repository }}",
            "{{ .Tag | printf \"%s\" }}",
            "{{ repo | upper }}",
            "{{ $v := .ID }}",
            "{{ $v }}",
        ] {
            assert_eq!(names(action), Vec::<&str>::new(), "{action}");
        }
    }

    #[test]
    fn trim_markers_are_docker_s() {
        for action in [
            "{{- repo -}}",
            "{{-repo}}",
            "{{ repo -}}",
            "{{- .ID }}",
            "{{- end -}}",
        ] {
            assert_eq!(names(action), Vec::<&str>::new(), "{action}");
        }
    }

    #[test]
    fn a_keyword_inside_a_longer_name_is_a_name() {
        assert_eq!(
            names("{{ end_tag }} {{ iffy }} {{ _end }}"),
            ["end_tag", "iffy", "_end"]
        );
    }

    #[test]
    fn unclosed_braces_are_text() {
        assert!(references("{{ u").is_empty());
        assert!(references("}} {{").is_empty());
    }
}

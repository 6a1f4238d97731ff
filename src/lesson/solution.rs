//! A step's `solution:`: the commands that solve it, shown to the learner on request and run by
//! `test-lesson`. Two forms, because a block of text is what authors write most, and a list is the
//! only place a line can say more about itself:
//!
//! ```yaml
//! solution: |                       # one command a line; `! ` before one that must fail
//!   docker logout {{ registry }}
//!   ! docker pull {{ repository }}:1.0
//! solution:                         # a list: commands, and `{ run, expect }` for a line that must fail
//!   - docker logout {{ registry }}
//!   - { run: "docker pull {{ repository }}:1.0", expect: fail }
//! ```
//!
//! Both keep where each command stood (`Sp`), so lint points at the line. The decoding is by hand:
//! serde's `untagged` buffers the value first and so loses serde-saphyr's locations; the schema is
//! derived from the same raw types (`RawSolution`, `RawItem`), marked untagged for schemars only.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::lesson::Sp;

/// What a solution line's command must do: exit 0 (`success`, the default) or not (`fail`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// The command must succeed (exit 0).
    #[default]
    Success,
    /// The command must fail (exit non-zero), as a pull after `docker logout` does.
    Fail,
}

/// `{ run, expect }`: one command of a solution and what it must do.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunLine {
    /// One command, run without a shell; may use `{{ name }}`.
    pub run: Sp<String>,
    /// `fail` when the command must fail (`test-lesson` then wants a non-zero exit), `success`
    /// (the default) when it must succeed.
    #[serde(default)]
    pub expect: Option<Sp<Expect>>,
}

/// A step's solution, as written.
#[derive(Debug, Clone)]
pub enum Solution {
    /// A block of text: one command a line, `! command` for one that must fail, `#` comments.
    Text(Sp<String>),
    /// A list of commands (each as a line of the text form) and `{ run, expect }` mappings.
    List(Vec<SolutionItem>),
}

/// One entry of a solution list.
#[derive(Debug, Clone)]
pub enum SolutionItem {
    /// A command as in the text form (`! ` before it when it must fail).
    Command(Sp<String>),
    /// `{ run, expect }`.
    Run(RunLine),
}

/// One command of a solution, unrendered, with where it was written.
#[derive(Debug, Clone, Copy)]
pub struct SolutionLine<'a> {
    /// The command (without the `! ` of a line that must fail), trimmed; may hold `{{ name }}`.
    pub command: &'a str,
    /// The line as written, `! ` included (what lint looks for in `written`).
    pub as_written: &'a str,
    /// The string it stands in: the text block, a list entry or a `run`.
    pub written: &'a Sp<String>,
    pub expect: Expect,
    /// Written as `{ run, expect }` (rather than a line of text).
    pub mapping: bool,
}

impl Solution {
    /// Every command, in order, without blank lines and `#` comments.
    pub fn lines(&self) -> Vec<SolutionLine<'_>> {
        let mut out = Vec::new();
        match self {
            Solution::Text(text) => text_lines(text, &mut out),
            Solution::List(items) => {
                for item in items {
                    match item {
                        SolutionItem::Command(text) => text_lines(text, &mut out),
                        SolutionItem::Run(r) => out.push(SolutionLine {
                            command: r.run.trim(),
                            as_written: r.run.trim(),
                            written: &r.run,
                            expect: r.expect.as_ref().map_or(Expect::Success, |e| **e),
                            mapping: true,
                        }),
                    }
                }
            }
        }
        out
    }

    /// Every templated string of the solution (the block, or each entry's command).
    pub fn templates(&self) -> Vec<&Sp<String>> {
        match self {
            Solution::Text(text) => vec![text],
            Solution::List(items) => items
                .iter()
                .map(|item| match item {
                    SolutionItem::Command(text) => text,
                    SolutionItem::Run(r) => &r.run,
                })
                .collect(),
        }
    }
}

impl SolutionLine<'_> {
    /// Must the command fail?
    pub fn must_fail(&self) -> bool {
        self.expect == Expect::Fail
    }
}

/// The commands of a text (the block, or a list entry written as text).
fn text_lines<'a>(text: &'a Sp<String>, out: &mut Vec<SolutionLine<'a>>) {
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (command, expect) = match expected_to_fail(line) {
            Some(rest) => (rest, Expect::Fail),
            None => (line, Expect::Success),
        };
        out.push(SolutionLine {
            command,
            as_written: line,
            written: text,
            expect,
            mapping: false,
        });
    }
}

/// A solution line that must fail, as written (`! docker pull ...`): the command without its `!`.
pub fn expected_to_fail(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('!')?;
    rest.starts_with([' ', '\t']).then(|| rest.trim_start())
}

// The schema of the `solution` field (`#[schemars(with)]`), never built: the decoding is by hand
// (`deserialize`). Its doc comments are the schema's descriptions.
/// A step's solution: one command a line, or a list of commands and `{ run, expect }` entries.
#[derive(JsonSchema)]
#[schemars(untagged, rename = "Solution")]
#[allow(dead_code)]
pub enum RawSolution {
    /// One command a line; a line that must fail starts with `! `.
    Text(String),
    /// Commands, and `{ run, expect }` for a command that must fail.
    List(Vec<Sp<RawItem>>),
}

/// One entry of a solution list.
#[derive(JsonSchema)]
#[schemars(untagged, rename = "SolutionItem")]
#[allow(dead_code)]
pub enum RawItem {
    /// A command (`! ` before it when it must fail).
    Command(String),
    /// A command and what it must do.
    Run(RunLine),
}

/// How to read a solution, for the `solution` field of a step: `#[serde(deserialize_with)]`.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Solution>, D::Error> {
    let Some(raw) = Option::<Sp<Decoded>>::deserialize(d)? else {
        return Ok(None);
    };
    let loc = raw.loc;
    Ok(Some(match raw.value {
        Decoded::Text(text) => Solution::Text(Sp { value: text, loc }),
        Decoded::List(items) => Solution::List(
            items
                .into_iter()
                .map(|item| match item.value {
                    DecodedItem::Command(text) => SolutionItem::Command(Sp {
                        value: text,
                        loc: item.loc,
                    }),
                    DecodedItem::Run(run) => SolutionItem::Run(run),
                })
                .collect(),
        ),
    }))
}

/// What the decoder reads, before the locations are moved onto the strings.
enum Decoded {
    Text(String),
    List(Vec<Sp<DecodedItem>>),
}

enum DecodedItem {
    Command(String),
    Run(RunLine),
}

const EXPECTING_SOLUTION: &str =
    "text, one command a line, or a list of commands and `{ run, expect }` entries";
const EXPECTING_ITEM: &str = "a command, or `{ run: COMMAND, expect: fail }`";

impl<'de> Deserialize<'de> for Decoded {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Decoded;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(EXPECTING_SOLUTION)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Decoded, E> {
                Ok(Decoded::Text(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Decoded, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Sp<DecodedItem>>()? {
                    items.push(item);
                }
                Ok(Decoded::List(items))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for DecodedItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DecodedItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(EXPECTING_ITEM)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DecodedItem, E> {
                Ok(DecodedItem::Command(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DecodedItem, A::Error> {
                RunLine::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(DecodedItem::Run)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::load::SourceFile;

    fn solution(yaml: &str) -> Result<Solution, String> {
        let text = format!(
            "id: t\ntitle: T\nsteps:\n  - id: s\n    title: S\n    human_only: true\n{yaml}"
        );
        let file = SourceFile {
            name: "t.yaml".into(),
            text,
        };
        crate::lesson::load::parse(&file)
            .map(|l| l.steps[0].solution.clone().expect("a solution"))
            .map_err(|d| d.message.clone())
    }

    #[test]
    fn both_forms_give_the_same_lines_with_where_they_stand() {
        let text = solution(
            "    solution: |\n      docker logout r\n      # then\n\n      ! docker pull r/a\n",
        )
        .unwrap();
        let list = solution(
            "    solution:\n      - docker logout r\n      - { run: docker pull r/a, expect: fail }\n",
        )
        .unwrap();
        let summary = |s: &Solution| {
            s.lines()
                .iter()
                .map(|l| (l.command.to_string(), l.must_fail(), l.mapping))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            summary(&text),
            [
                ("docker logout r".to_string(), false, false),
                ("docker pull r/a".to_string(), true, false)
            ]
        );
        assert_eq!(
            summary(&list),
            [
                ("docker logout r".to_string(), false, false),
                ("docker pull r/a".to_string(), true, true)
            ]
        );
        let lines = list.lines();
        assert_eq!((lines[0].written.line(), lines[0].written.column()), (8, 9));
        assert_eq!(
            (lines[1].written.line(), lines[1].written.column()),
            (9, 16)
        );
        assert_eq!(list.templates().len(), 2);
        let success = solution("    solution:\n      - { run: docker images, expect: success }\n");
        assert!(!success.unwrap().lines()[0].must_fail());
    }

    #[test]
    fn what_a_solution_cannot_be() {
        let e = solution("    solution:\n      - { run: x, expect: maybe }\n").unwrap_err();
        assert!(e.contains("`maybe`"), "{e}");
        let e = solution("    solution:\n      - { run: x, must: fail }\n").unwrap_err();
        assert!(e.contains("`must`"), "{e}");
        let e = solution("    solution:\n      - { expect: fail }\n").unwrap_err();
        assert!(e.contains("run"), "{e}");
        let e = solution("    solution: { run: x }\n").unwrap_err();
        assert!(e.contains("list"), "{e}");
    }

    #[test]
    fn a_line_that_must_fail_starts_with_a_bang() {
        assert_eq!(expected_to_fail("! docker pull x"), Some("docker pull x"));
        assert_eq!(
            expected_to_fail("  !\tdocker pull x"),
            Some("docker pull x")
        );
        assert_eq!(expected_to_fail("!docker pull x"), None);
        assert_eq!(expected_to_fail("docker pull x"), None);
    }
}

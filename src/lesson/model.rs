//! The lesson format, as Rust types. These types *are* the spec: `learn-registry schema` derives the
//! JSON Schema from them, and every field keeps its location (`Sp<T>`) so that lint can point at it.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::lesson::Sp;
use crate::lesson::check::CheckItem;
use crate::lesson::solution::{self, Solution};
use crate::lesson::unique;

/// One lesson: a YAML file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Unique id, lowercase words joined by `-` (e.g. `tag-an-image`).
    pub id: Sp<String>,
    /// Title shown in `list` and at the top of the lesson.
    pub title: Sp<String>,
    /// One or two sentences on what the learner will do.
    #[serde(default)]
    pub summary: Option<Sp<String>>,
    /// Lessons that must be done first (their ids).
    #[serde(default)]
    pub requires: Vec<Sp<String>>,
    /// Values asked for once (or derived from others) and used as `{{ name }}`; asked in this order.
    #[serde(default, deserialize_with = "unique::map")]
    pub variables: IndexMap<String, Sp<Variable>>,
    /// Actions run before the first step, with the learner's consent.
    #[serde(default)]
    pub setup: Vec<Sp<SetupAction>>,
    /// The steps, in order.
    pub steps: Sp<Vec<Step>>,
}

/// A value the lesson uses as `{{ name }}`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// The question asked when there is no value yet; without one, `default` must be given.
    #[serde(default)]
    pub prompt: Option<Sp<String>>,
    /// A regular expression the whole value must match (anchor it with `^...$`).
    #[serde(default)]
    pub pattern: Option<Sp<String>>,
    /// The default value; may use other variables (`{{ username }}/python-canvas-client`). With a
    /// `prompt`, it is offered as the answer (Enter takes it).
    #[serde(default)]
    pub default: Option<Sp<String>>,
    /// What the pattern means, shown when a value does not match it.
    #[serde(default)]
    pub help: Option<Sp<String>>,
}

/// Something done before the steps start.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SetupAction {
    /// Build an image offline from files given inline (a Dockerfile and what it copies).
    BuildImage(BuildImage),
    /// Run a program (argv, never a shell); needs the learner's consent for lessons from outside the course.
    Command(SetupCommand),
}

/// `build_image`: build an image through the Engine API from inline files.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildImage {
    /// The tag to give the image, e.g. `my-app:latest`.
    pub tag: Sp<String>,
    /// File name → content; must include `Dockerfile`. Contents may use `{{ name }}`
    /// (`greeting.txt: "Hello from {{ username }}!"`).
    #[serde(deserialize_with = "unique::spanned_map")]
    pub files: Sp<BTreeMap<String, Sp<String>>>,
    /// Programs learn-registry carries, added to the files under their own names, each built for the
    /// engine's architecture (amd64 or arm64) and executable, so that a `FROM scratch` image can run
    /// them: `assets: [greeter]` with `COPY greeter greeting.txt /` and `CMD ["/greeter"]`.
    #[serde(default)]
    pub assets: Vec<Sp<Asset>>,
    /// Skip the build when an image with this tag already exists (default true).
    #[serde(default = "yes")]
    pub if_missing: bool,
}

/// A program learn-registry carries for `build_image` (its source and build script are in the
/// repository: `assets/greeter/`, `scripts/build-greeter.sh`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Asset {
    /// A static program of 1 KB with no C library: prints the file `/greeting.txt` and exits 0, or
    /// says why not on stderr and exits 1.
    Greeter,
}

impl Asset {
    /// Its name in YAML, and the file name it gets in the build context.
    pub fn name(self) -> &'static str {
        match self {
            Asset::Greeter => "greeter",
        }
    }
}

/// `command`: run a program as setup.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupCommand {
    /// The program and its arguments.
    pub run: Sp<Vec<Sp<String>>>,
}

fn yes() -> bool {
    true
}

/// One step of a lesson.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique within the lesson (e.g. `push`).
    pub id: Sp<String>,
    /// Short title.
    pub title: Sp<String>,
    /// Markdown, rendered in the terminal; may use `{{ name }}`.
    #[serde(default)]
    pub body: Option<Sp<String>>,
    /// Commands to try, shown set apart from the text; may use `{{ name }}`.
    #[serde(default)]
    pub commands: Vec<Sp<String>>,
    /// What must hold for the step to be done; all must pass. Each is one key naming its kind, and
    /// optionally `capture`, `describe` and `hint` beside it.
    #[serde(default)]
    pub checks: Vec<Sp<CheckItem>>,
    /// Hints, revealed one at a time.
    #[serde(default)]
    pub hints: Vec<Sp<String>>,
    /// The commands that solve the step, one a line (shown on request; run by `test-lesson`). Each
    /// line is one command, run without a shell (no pipes, `&&`, `;`, redirections or `$(...)`); it
    /// may use `{{ name }}`, and values captured by earlier steps. A line that must fail starts with
    /// `! ` (as in a shell): `! docker pull {{ repository }}` after a logout; `test-lesson` then checks
    /// that it fails. Or a list: commands, and `{ run: COMMAND, expect: fail }` for one that must fail.
    #[serde(default, deserialize_with = "solution::deserialize")]
    #[schemars(with = "Option<solution::RawSolution>")]
    pub solution: Option<Solution>,
    /// No machine can verify this step fully (sign up in a browser): the learner confirms it. Any
    /// checks still run.
    #[serde(default)]
    pub human_only: bool,
    /// A later step changes what this one made, on purpose (moves the tag, logs out): once the
    /// progress says it passed, `check` reports it "done (earlier), changed since by step N" instead
    /// of failing.
    #[serde(default)]
    pub transient: bool,
    /// A page to open with `o` (e.g. the learner's repository on Docker Hub).
    #[serde(default)]
    pub link: Option<Sp<String>>,
    /// A question to answer (key notes become quizzes).
    #[serde(default)]
    pub quiz: Option<Sp<Quiz>>,
}

/// A multiple-choice question.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quiz {
    /// The question.
    pub question: Sp<String>,
    /// The choices, shown in this order.
    pub choices: Sp<Vec<Sp<String>>>,
    /// The right choice, written exactly as in `choices`.
    pub answer: Sp<String>,
    /// Why that is the answer, shown after answering.
    pub why: Sp<String>,
}

impl Lesson {
    /// The lesson's header alone (id, title, summary, `requires`), without its variables, setup and
    /// steps: what the rules across lessons look at, kept for each file while the rest of it is freed
    /// as soon as the file is checked alone (`lint` of many files then reuses the same memory).
    pub fn header(self) -> Lesson {
        Lesson {
            variables: IndexMap::new(),
            setup: Vec::new(),
            steps: Sp {
                value: Vec::new(),
                loc: self.steps.loc,
            },
            ..self
        }
    }

    /// Every templated string of the lesson, each with what it is (for messages).
    pub fn templates(&self) -> Vec<&Sp<String>> {
        let mut all = self.header_templates();
        for step in self.steps.iter() {
            all.extend(step.templates());
        }
        all
    }

    /// The templated strings outside the steps (summary, variables, setup): no capture has a value
    /// there yet.
    pub fn header_templates(&self) -> Vec<&Sp<String>> {
        let mut all: Vec<&Sp<String>> = Vec::new();
        all.extend(self.summary.iter());
        for var in self.variables.values() {
            all.extend(var.default.iter());
            all.extend(var.prompt.iter());
        }
        for action in &self.setup {
            match &action.value {
                SetupAction::BuildImage(b) => {
                    all.push(&b.tag);
                    all.extend(b.files.values());
                }
                SetupAction::Command(c) => all.extend(c.run.iter()),
            }
        }
        all
    }
}

impl Step {
    pub fn templates(&self) -> Vec<&Sp<String>> {
        let mut all = self.text_templates();
        for check in &self.checks {
            all.extend(check.templates());
        }
        all
    }

    /// The step's templated strings outside its checks (title, body, commands, hints, solution,
    /// link, quiz): what the learner reads before any of its checks ran.
    pub fn text_templates(&self) -> Vec<&Sp<String>> {
        let mut all: Vec<&Sp<String>> = vec![&self.title];
        all.extend(self.body.iter());
        all.extend(self.commands.iter());
        all.extend(self.hints.iter());
        all.extend(self.solution.iter().flat_map(Solution::templates));
        all.extend(self.link.iter());
        if let Some(quiz) = &self.quiz {
            all.push(&quiz.question);
            all.extend(quiz.choices.iter());
            all.push(&quiz.why);
        }
        all
    }

    /// A step is machine-verified when it has checks; a quiz is verified by answering it.
    pub fn has_something_to_do(&self) -> bool {
        !self.checks.is_empty() || self.quiz.is_some() || self.human_only
    }
}

/// Words a shell would treat specially. Solutions run without a shell, so a line using them cannot
/// mean what it says: lint refuses them, and so does `test-lesson`.
pub fn needs_a_shell(word: &str) -> bool {
    matches!(word, "|" | "||" | "&&" | ";" | "&" | "2>&1")
        || word.starts_with('>')
        || word.starts_with('<')
        || word.starts_with("2>")
        || word.starts_with('$')
        || word.starts_with('`')
        || word.ends_with(';')
        || word.contains("$(")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_found() {
        for word in [
            "|", "&&", ";", "ls;", ">out", "2>&1", "$(id)", "a$(id)", "`id`", "$HOME",
        ] {
            assert!(needs_a_shell(word), "{word}");
        }
        for word in ["docker", "--format", "{{.ID}}", "a:1.0", "!"] {
            assert!(!needs_a_shell(word), "{word}");
        }
    }
}

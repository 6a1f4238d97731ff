//! One line of a solution (or a setup command) turned into argv, never run through a shell. Planning
//! a line also learns what it will leave behind in the engine (names it tags, pulls or builds, names it
//! pushes), since the cleanup must remove exactly those, and whether it is a `docker login` that needs
//! the password on stdin.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::lesson::Step;
use crate::lesson::model::needs_a_shell;
use crate::lesson::solution::expected_to_fail;

/// One line of a solution (or a setup command), ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub argv: Vec<String>,
    /// `docker login` without a password of its own: it gets `--password-stdin` and the password.
    pub login: bool,
    /// Image names the command makes (tag targets, pulled and built names), for the cleanup.
    pub creates: Vec<String>,
    /// Names it pushes: Docker records a digest reference (`repo@sha256:...`) for each, which the
    /// cleanup removes too, or a re-run would find the step done.
    pub pushes: Vec<String>,
    /// `docker run` / `docker create`: the containers it makes are the cleanup's too.
    pub makes_container: bool,
    /// Written `! command` or `expect: fail`: the line must fail (a pull refused after a logout).
    pub expect_fail: bool,
    /// Written as `{ run, expect }` rather than as a line of text.
    pub mapping: bool,
}

/// Global `docker` options that take a value as the next word.
const DOCKER_GLOBAL_WITH_VALUE: &[&str] = &[
    "-H",
    "--host",
    "-c",
    "--context",
    "--config",
    "-l",
    "--log-level",
    "--tlscacert",
    "--tlscert",
    "--tlskey",
];

/// Options of `docker pull` / `docker build` that take a value (the rest are switches).
const PULL_WITH_VALUE: &[&str] = &["--platform"];
const BUILD_WITH_VALUE: &[&str] = &[
    "-f",
    "--file",
    "--build-arg",
    "--label",
    "--target",
    "--platform",
    "--network",
    "--iidfile",
    "--cache-from",
    "-m",
    "--memory",
    "--add-host",
];

impl Line {
    /// Turn a rendered line of a solution's text into argv, or say why it cannot run. `None` for blank
    /// lines and `#` comments; `! command` must fail.
    pub fn plan(rendered: &str) -> Result<Option<Line>, String> {
        let trimmed = rendered.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Ok(None);
        }
        match expected_to_fail(trimmed) {
            Some(command) => Line::command(command, true).map(Some),
            None => Line::command(trimmed, false).map(Some),
        }
    }

    /// Turn one rendered command into argv; `expect_fail` when it must fail.
    pub fn command(command: &str, expect_fail: bool) -> Result<Line, String> {
        let trimmed = command.trim();
        let mut argv =
            shell_words::split(trimmed).map_err(|e| format!("`{trimmed}` does not split: {e}"))?;
        if argv.is_empty() {
            return Err("a solution line has no command".into());
        }
        if let Some(word) = argv.iter().find(|w| needs_a_shell(w)) {
            return Err(format!(
                "`{trimmed}` uses `{word}`, but solutions run as one command without a shell; split \
                 it into lines of one command each"
            ));
        }
        let mut login = false;
        let mut creates = Vec::new();
        let mut pushes = Vec::new();
        let mut makes_container = false;
        if program(&argv) == "docker" {
            // Skip global options to find the subcommand.
            let mut i = 1;
            while i < argv.len() && argv[i].starts_with('-') {
                if DOCKER_GLOBAL_WITH_VALUE.contains(&argv[i].as_str()) {
                    i += 1;
                }
                i += 1;
            }
            let mut command: Vec<&str> = argv[i.min(argv.len())..]
                .iter()
                .take(2)
                .map(String::as_str)
                .collect();
            // `docker image tag` is `docker tag`, and so on.
            let rest_from = if matches!(command.first(), Some(&"image") | Some(&"buildx")) {
                command.remove(0);
                i + 2
            } else {
                i + 1
            };
            let rest = &argv[rest_from.min(argv.len())..];
            // The name in position `at` of the words that are not options, as Docker stores it.
            let nth = |with_value: &[&str], at: usize| {
                positionals(rest, with_value)
                    .get(at)
                    .map(|name| with_default_tag(name))
            };
            match command.first().copied() {
                Some("login") => {
                    let has_password = rest.iter().any(|w| {
                        matches!(w.as_str(), "--password-stdin" | "-p" | "--password")
                            || w.starts_with("--password=")
                            || (w.starts_with("-p") && w.len() > 2 && !w.starts_with("--"))
                    });
                    if !has_password {
                        login = true;
                        argv.push("--password-stdin".into());
                    }
                }
                Some("tag") => creates.extend(nth(&[], 1)),
                Some("push") => pushes.extend(nth(&[], 0)),
                Some("pull") => creates.extend(nth(PULL_WITH_VALUE, 0)),
                Some("build") => creates.extend(build_tags(rest)),
                Some("run" | "create") => makes_container = true,
                Some("container") if matches!(command.get(1), Some(&"run" | &"create")) => {
                    makes_container = true
                }
                _ => {}
            }
        }
        Ok(Line {
            argv,
            login,
            creates,
            pushes,
            makes_container,
            expect_fail,
            mapping: false,
        })
    }

    /// A step's solution lines, rendered with `vars` (the variables and the values captured so far)
    /// and planned. Problems are lesson errors; a name in `captures` (what the lesson's checks
    /// capture) without a value is one an earlier step did not record.
    pub fn solution(
        step: &Step,
        vars: &BTreeMap<String, String>,
        captures: &BTreeSet<String>,
    ) -> Result<Vec<Line>, String> {
        let Some(solution) = &step.solution else {
            return Ok(Vec::new());
        };
        let mut lines = Vec::new();
        for written in solution.lines() {
            let rendered =
                crate::lesson::template::render(written.command, vars).map_err(|missing| {
                    let name = &missing[0];
                    if captures.contains(name) {
                        format!(
                            "`{}` uses `{name}`, a value captured by an earlier step's check, \
                             but that check recorded none (it did not pass)",
                            written.as_written
                        )
                    } else {
                        format!(
                            "`{}` needs a value for `{name}`; pass --var {name}=VALUE",
                            written.as_written
                        )
                    }
                })?;
            let mut line = Line::command(&rendered, written.must_fail())?;
            line.mapping = written.mapping;
            lines.push(line);
        }
        Ok(lines)
    }

    /// The command as people read it (the password is never in argv).
    pub fn display(&self) -> String {
        let command = shell_words::join(&self.argv);
        if self.expect_fail && !self.mapping {
            format!("! {command}")
        } else {
            command
        }
    }

    /// Docker subcommands that only look: a step whose solution is made of these changes nothing, so
    /// it may pass before its solution ran.
    pub fn only_looks(&self) -> bool {
        if program(&self.argv) != "docker" {
            return false;
        }
        let words: Vec<&str> = self.argv[1..]
            .iter()
            .map(String::as_str)
            .filter(|w| !w.starts_with('-'))
            .take(2)
            .collect();
        matches!(
            words.as_slice(),
            [
                "images" | "inspect" | "ps" | "version" | "info" | "history" | "search",
                ..
            ] | ["image", "ls" | "list" | "inspect" | "history"]
                | ["system", "df" | "info"]
                | ["manifest", "inspect"]
        )
    }
}

/// The program's file name (`/usr/bin/docker` is `docker`).
fn program(argv: &[String]) -> &str {
    Path::new(&argv[0])
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}

/// A name as Docker stores it: without a tag or digest, the tag is `latest`. (A `:` before the last
/// `/` is a registry port, not a tag.)
fn with_default_tag(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    if name.contains('@') || last.contains(':') {
        name.to_string()
    } else {
        format!("{name}:latest")
    }
}

/// The words after the subcommand that are not options (skipping the values of `with_value` options).
fn positionals<'a>(words: &'a [String], with_value: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        if w.starts_with('-') && w.len() > 1 {
            if with_value.contains(&w) {
                i += 1;
            }
        } else {
            out.push(w);
        }
        i += 1;
    }
    out
}

/// The names `docker build` tags (`-t`, `--tag`, `--tag=`), as Docker stores them.
fn build_tags(words: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut j = 0;
    while j < words.len() {
        let w = words[j].as_str();
        if (w == "-t" || w == "--tag") && j + 1 < words.len() {
            out.push(with_default_tag(&words[j + 1]));
            j += 1;
        } else if let Some(v) = w.strip_prefix("--tag=") {
            out.push(with_default_tag(v));
        } else if BUILD_WITH_VALUE.contains(&w) {
            j += 1;
        }
        j += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(line: &str) -> Line {
        Line::plan(line).unwrap().unwrap()
    }

    #[test]
    fn names_made_by_tag_pull_and_build_are_found() {
        assert_eq!(
            plan("docker tag my-app:latest a/b:1.0").creates,
            ["a/b:1.0"]
        );
        assert_eq!(plan("docker image tag my-app a/b").creates, ["a/b:latest"]);
        assert_eq!(
            plan("docker pull --platform linux/amd64 127.0.0.1:5000/a/b:1.0").creates,
            ["127.0.0.1:5000/a/b:1.0"]
        );
        assert_eq!(
            plan("docker -H unix:///x.sock pull a/b").creates,
            ["a/b:latest"]
        );
        assert_eq!(
            plan("docker build -f Dockerfile -t x:1 --tag=y .").creates,
            ["x:1", "y:latest"]
        );
        assert_eq!(
            plan("docker pull 127.0.0.1:5000/a").creates,
            ["127.0.0.1:5000/a:latest"]
        );
        assert_eq!(plan("docker pull a@sha256:00").creates, ["a@sha256:00"]);
        assert!(plan("docker images").creates.is_empty());
        let push = plan("docker image push a/b:1.0");
        assert!(push.creates.is_empty());
        assert_eq!(push.pushes, ["a/b:1.0"]);
    }

    #[test]
    fn login_gets_the_password_on_stdin_unless_it_has_one() {
        let l = plan("docker login 127.0.0.1:5000 --username alice");
        assert!(l.login);
        assert_eq!(l.argv.last().unwrap(), "--password-stdin");
        assert!(!plan("docker login -u a --password-stdin r").login);
        assert!(!plan("docker login -u a -p secret r").login);
        assert!(!plan("docker logout r").login);
    }

    #[test]
    fn shell_syntax_blanks_and_comments() {
        assert!(Line::plan("  ").unwrap().is_none());
        assert!(Line::plan("# look around").unwrap().is_none());
        let e = Line::plan("docker images | grep app").unwrap_err();
        assert!(e.contains("`|`") && e.contains("without a shell"), "{e}");
        assert!(Line::plan("docker images > x").is_err());
        assert!(Line::plan("docker tag $IMG x").is_err());
        assert!(Line::plan("docker tag 'a").is_err());
        assert!(
            Line::plan("docker images --format '{{.ID}}'")
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn a_line_that_must_fail() {
        let l = plan("! docker pull 127.0.0.1:5000/a/b:1.0");
        assert!(l.expect_fail);
        assert_eq!(l.argv, ["docker", "pull", "127.0.0.1:5000/a/b:1.0"]);
        assert_eq!(l.display(), "! docker pull 127.0.0.1:5000/a/b:1.0");
        assert!(!plan("docker pull a").expect_fail);
        assert!(Line::plan("! docker images | grep a").is_err());
    }

    #[test]
    fn a_command_that_must_fail_and_one_that_makes_a_container() {
        let l = Line::command("docker pull 127.0.0.1:5000/a/b:1.0", true).unwrap();
        assert!(l.expect_fail);
        assert_eq!(l.argv[0], "docker");
        // A `{ run, expect: fail }` line has no `!` to show.
        let mapped = Line {
            mapping: true,
            ..l.clone()
        };
        assert_eq!(mapped.display(), "docker pull 127.0.0.1:5000/a/b:1.0");
        assert_eq!(l.display(), "! docker pull 127.0.0.1:5000/a/b:1.0");
        assert!(Line::command("  ", false).is_err());
        for line in [
            "docker run --name x my-app",
            "docker container run my-app",
            "docker create my-app",
            "docker -H unix:///x.sock container create my-app",
        ] {
            assert!(plan(line).makes_container, "{line}");
        }
        for line in ["docker images", "docker container ls", "docker start x"] {
            assert!(!plan(line).makes_container, "{line}");
        }
    }

    #[test]
    fn look_only_solutions() {
        for line in [
            "docker images",
            "docker image ls my-app",
            "docker inspect x",
            "docker ps -a",
        ] {
            assert!(plan(line).only_looks(), "{line}");
        }
        for line in ["docker tag a b", "docker pull a", "docker image rm a", "ls"] {
            assert!(!plan(line).only_looks(), "{line}");
        }
    }
}

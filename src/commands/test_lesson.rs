//! `learn-registry test-lesson LESSON`: prove a lesson solvable against a throwaway engine and
//! registry (`crate::test_lesson` does the work). This file refuses Docker Hub, finds the lesson, and
//! writes the report in the format asked for.

use std::io::{IsTerminal, Write as _};
use std::time::Duration;

use super::{select, usage};
use crate::cli::{Global, TestFormat};
use crate::probe::reference::{DOCKER_HUB, normalize_registry};
use crate::test_lesson::{self, Options, report};

pub fn run(global: &Global, args: crate::cli::TestLessonArgs) -> miette::Result<u8> {
    // What the registry receives stays there, so the real Hub needs saying so.
    if normalize_registry(&global.registry) == DOCKER_HUB && !args.allow_docker_hub {
        return usage(
            "`test-lesson` logs in, tags and pushes for real, and `--registry` is Docker Hub \
             (`docker.io`, the default): the pushes would go to the real Hub.\n  \
             Run it against a throwaway registry, e.g. `--registry 127.0.0.1:5000` \
             (`scripts/lab.sh up` starts one), or pass `--allow-docker-hub` if you really mean it.",
        );
    }
    let catalog = select::catalog(global);
    let target = match select::lesson(&catalog, &args.lesson) {
        Ok(target) => target,
        Err(e) => return usage(e),
    };
    let options = Options {
        yes: args.yes,
        keep: args.keep,
        no_requires: args.no_requires,
        wait: Duration::from_secs(args.wait),
        progress: args.format == TestFormat::Human && std::io::stderr().is_terminal(),
    };
    let settings = super::settings::of(global);
    let result = match test_lesson::run(&catalog, target, settings, &global.vars, &options)? {
        Ok(result) => result,
        Err(code) => return Ok(code),
    };

    let text = match args.format {
        // Outside strings (solution output, engine answers) in it: only our own colors reach the terminal.
        TestFormat::Human => {
            crate::text::terminal(&report::human(&result), console::colors_enabled()).into_owned()
        }
        TestFormat::Json => {
            serde_json::to_string_pretty(&report::json(&result)).unwrap_or_default() + "\n"
        }
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| miette::miette!("cannot write: {e}"))?;
    for problem in &result.cleanup.failed {
        eprintln!("warning: could not remove {problem}");
    }
    Ok(result.exit_code())
}

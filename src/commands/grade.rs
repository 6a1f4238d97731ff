//! `learn-registry grade --roster FILE`: judge a whole class from the registry's own state, as anyone
//! could from outside (no student's login is used; with `--login`, the instructor's own `docker login`,
//! which may see private repositories), and report it as a terminal table, CSV, JSON,
//! JUnit or a self-contained HTML heatmap. The grading itself is `crate::grade`; this file reads the
//! roster, picks the lessons, shows progress and writes the report.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{select, settings, usage};
use crate::cli::{Global, GradeFormat};
use crate::exit;
use crate::grade::{self, Gradebook, Options, RetryPolicy, Roster};
use crate::lesson::Lesson;
use crate::report as render;

/// A progress bar on stderr when it is a terminal; hidden otherwise (logs and pipes stay clean).
fn progress(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() || len == 0 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("grading {bar:40} {pos}/{len} checks, {elapsed} (eta {eta})")
            .expect("a valid template")
            .progress_chars("█▉▊▋▌▍▎▏ "),
    );
    bar
}

pub fn run(global: &Global, args: crate::cli::GradeArgs) -> miette::Result<u8> {
    let name = args.roster.display().to_string();
    let text = match std::fs::read(&args.roster) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                eprintln!("error: {name}: the roster is not UTF-8 text (save it as CSV UTF-8)");
                return Ok(exit::USAGE);
            }
        },
        Err(e) => {
            eprintln!("error: cannot read the roster `{name}`: {e}");
            return Ok(exit::USAGE);
        }
    };
    let roster = match Roster::parse(&name, &text) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };

    let catalog = select::catalog(global);
    // Without --lesson, every lesson of the course, as `check` does.
    let lessons = match select::lessons(&catalog, args.lesson.as_deref()) {
        Ok(lessons) => lessons,
        Err(e) => return usage(e),
    };
    let lesson_refs: Vec<&Lesson> = lessons.iter().map(|l| &l.lesson).collect();
    let (plan, nothing) = grade::plan(&lesson_refs, &settings::of(global));
    for id in &nothing {
        if args.lesson.is_some() {
            eprintln!(
                "error: lesson `{id}` has no check that can be verified from outside \
                 (registry_tag, repository_public, repository_private, hub_account, hub_repository)"
            );
            return Ok(exit::USAGE);
        }
        eprintln!(
            "note: lesson `{id}` has no check that can be verified from outside; it is not graded"
        );
    }
    if plan.is_empty() {
        eprintln!(
            "error: nothing to grade: no lesson here has a check that can be verified from outside"
        );
        return Ok(exit::USAGE);
    }
    for column in roster.variable_columns() {
        if !plan.iter().any(|g| g.lesson.variables.contains_key(column)) {
            eprintln!(
                "warning: {name}: no graded lesson has a variable `{column}`; the column is ignored"
            );
        }
    }

    let mut settings = settings::of(global);
    // Without `--login` the grader looks as anyone would; with it, as the instructor's own login may.
    settings.use_docker_login = args.login;
    let options = Options {
        settings,
        concurrency: args.concurrency.into(),
        retry: RetryPolicy::default(),
        // The table shows marks only: its failures need no `tags there: …`.
        diagnose: !matches!(args.format, GradeFormat::Table),
    };
    let bar = progress(grade::work(&plan, roster.entries.len()));
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| miette::miette!("cannot start: {e}"))?;
    let started = Instant::now();
    let students = runtime.block_on(grade::grade_class(&plan, &roster, &options, &bar));
    bar.finish_and_clear();
    let elapsed = started.elapsed();
    let book = Gradebook {
        roster: name,
        registry: global.registry.clone(),
        columns: grade::columns(&plan),
        students,
    };

    for problem in book.problems() {
        eprintln!("error: {}", crate::text::line(problem));
    }
    let text = match args.format {
        GradeFormat::Table => {
            let color = match &args.out {
                Some(_) => false,
                None => std::io::stdout().is_terminal() && console::colors_enabled(),
            };
            render::gradebook::table::render(&book, color)
        }
        GradeFormat::Csv => render::gradebook::csv::render(&book),
        GradeFormat::Json => render::gradebook::json::render(&book),
        GradeFormat::Junit => render::gradebook::junit::render(&book),
        GradeFormat::Html => render::gradebook::html::render(&book),
    };
    super::emit(args.out.as_deref(), &text)?;
    if std::env::var_os("LEARN_REGISTRY_TIMING").is_some() {
        eprintln!(
            "graded {} students in {:.0} ms",
            book.students.len(),
            elapsed.as_secs_f64() * 1000.0
        );
    }
    Ok(exit_code(&book))
}

/// The exit code of a grade (`docs/ARCHITECTURE.md`, "Exit codes"): a roster line that could not be
/// graded is an input error (2), even though the rest of the class was graded and reported; else the
/// worst cell decides, as for `check`: 1 when one failed, 3 when one could not be verified, 0 when
/// everything passed.
fn exit_code(book: &Gradebook) -> u8 {
    if book.problems().next().is_some() {
        exit::USAGE
    } else {
        crate::exit::for_summary(&book.summary())
    }
}

//! The command line, as clap types. Every command has examples in its `--help`; machine output goes to
//! stdout, everything meant for people to stderr.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "learn-registry",
    version,
    about = "Learn container registries by doing: tag, log in, push and pull for real, and watch each step unlock.",
    after_help = "Examples:\n  learn-registry list\n  learn-registry lint lessons/\n  learn-registry new my-first-lesson\n  learn-registry completions bash > ~/.local/share/bash-completion/completions/learn-registry"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// Also load lessons from this folder (repeatable; the shipped course is always there).
    #[arg(
        long = "lessons-dir",
        global = true,
        env = "LEARN_REGISTRY_LESSONS",
        value_delimiter = ':'
    )]
    pub lessons_dirs: Vec<PathBuf>,
    /// Do not color the output (also: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Set a lesson variable, e.g. `--var username=alice` (repeatable).
    #[arg(long = "var", global = true, value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// The registry the course runs against: `docker.io` (Docker Hub) or `HOST[:PORT]`.
    #[arg(
        long,
        global = true,
        env = "LEARN_REGISTRY_REGISTRY",
        default_value = "docker.io"
    )]
    pub registry: String,
    /// Talk plain HTTP to this registry too (loopback registries always may), like dockerd's
    /// `insecure-registries` (repeatable).
    #[arg(long = "insecure-registry", global = true, value_name = "HOST[:PORT]")]
    pub insecure_registries: Vec<String>,
    /// Base URL of Docker Hub's REST API (default: the Hub). Docker Hub checks (`hub_account`,
    /// `hub_repository`) run when the course's registry is Docker Hub, or when this is given.
    #[arg(
        long,
        global = true,
        env = "LEARN_REGISTRY_HUB_API",
        value_name = "URL"
    )]
    pub hub_api: Option<String>,
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not NAME=VALUE"))?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("`{name}` is not a variable name"));
    }
    Ok((name.to_string(), value.to_string()))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the lessons, one a line: id, then title.
    #[command(
        after_help = "Examples:\n  learn-registry list\n  learn-registry list --lessons-dir ./my-lessons\n  learn-registry list --format json"
    )]
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Check lesson files for mistakes (exit 0 when clean, 2 on any error).
    #[command(
        after_help = "Examples:\n  learn-registry lint                      # the shipped course and --lessons-dir\n  learn-registry lint lessons/my-course/\n  learn-registry lint 02-tag.yaml --format json"
    )]
    Lint {
        /// Lesson files or folders; default: the shipped lessons plus --lessons-dir.
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = LintFormat::Human)]
        format: LintFormat,
    },
    /// Print the JSON Schema of the lesson format (for editors: yaml-language-server).
    #[command(
        after_help = "Examples:\n  learn-registry schema > lesson.schema.json\n  # then, first line of a lesson: # yaml-language-server: $schema=lesson.schema.json"
    )]
    Schema,
    /// Write a new lesson that passes lint, to start from.
    #[command(
        after_help = "Examples:\n  learn-registry new tag-with-version\n  learn-registry new tag-with-version --dir lessons/my-course"
    )]
    New {
        /// The lesson id: lowercase words joined by `-`.
        id: String,
        /// Where to write `ID.yaml` (default: the current folder).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Verify now, without prompts: every step of a lesson (or of the whole course) against the
    /// engine, the registry and Docker Hub. Stored progress is never trusted.
    #[command(
        after_help = "Exit codes: 0 all passed, 1 something failed, 2 usage or lesson error, 3 something could not be verified.\n\nExamples:\n  learn-registry check tag-an-image --var username=alice\n  learn-registry check --registry 127.0.0.1:5000 --var username=alice --var classmate=bobby --format json\n  learn-registry check push-an-image --step push --format junit --out report.xml"
    )]
    Check(CheckArgs),
    /// Grade a class from the registry's own state: each student of a roster × each lesson step
    /// that can be verified from outside (registry tags, public or private repositories, Docker Hub
    /// accounts and repositories). No student's login is used; with `--login`, your own.
    #[command(
        after_help = "The roster is CSV with a header: `student` and `username` are required; other columns are lesson variables (e.g. `classmate`), or `registry` for a student on another registry than --registry. Steps whose checks all need the student's machine are not graded; a cell that could not be verified is `?`, never a failure.\n\nFrom outside, a private repository and one that was never pushed look alike, so such cells are `?` (\"private, or not pushed\"). With --login, your own `docker login` for the registry (from DOCKER_CONFIG, never printed) is used when a registry refuses anonymous access, and tells private, missing and public apart, as far as your login may see the students' repositories.\n\nExit codes: 0 all passed, 1 something failed, 2 usage or lesson error or a roster line that could not be graded (the others are still graded and reported), 3 something could not be verified.\n\nExamples:\n  learn-registry grade --roster class.csv\n  learn-registry grade --roster class.csv --lesson push-an-image --registry 127.0.0.1:5000\n  learn-registry grade --roster class.csv --format html --out grades.html\n  learn-registry grade --roster class.csv --format csv --concurrency 16 > grades.csv\n  learn-registry grade --roster class.csv --lesson push-an-image --login"
    )]
    Grade(GradeArgs),
    /// Learn interactively: a lesson's steps one at a time; you type real `docker` commands in another
    /// terminal and each step unlocks when its checks pass. Needs a terminal.
    #[command(
        after_help = "Keys while a step waits: c check now, h hint, s solution (after a failed check), o open the step's page, q quit (progress is kept), ? help.\nWithout LESSON, pick one from a list (default: where you left off).\n\nExit codes: 0 done or quit, 2 usage error, no terminal, or another runner holds the progress; 130 after Ctrl-C.\n\nExamples:\n  learn-registry start\n  learn-registry start tag-an-image\n  learn-registry start push-an-image --registry 127.0.0.1:5000 --var username=alice"
    )]
    Start {
        /// The lesson; without it, choose from the list.
        lesson: Option<String>,
    },
    /// Show the stored progress: each lesson's steps done and what comes next, and the variables
    /// remembered. It reads what the runner recorded; `check` is what verifies.
    #[command(
        after_help = "Examples:\n  learn-registry status\n  learn-registry status --format json\n  LEARN_REGISTRY_HOME=/tmp/class learn-registry status"
    )]
    Status {
        #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
        format: StatusFormat,
    },
    /// Forget stored progress (a step, a lesson, or everything), after showing what and asking.
    /// Images, tags and logins made during the lessons are left alone.
    #[command(
        after_help = "Without a terminal to ask on, `--yes` is needed.\n\nExamples:\n  learn-registry reset tag-an-image --step tag\n  learn-registry reset tag-an-image\n  learn-registry reset                      # everything, course-wide variables too\n  learn-registry reset push-an-image --yes"
    )]
    Reset(ResetArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  learn-registry completions bash > /etc/bash_completion.d/learn-registry\n  learn-registry completions zsh > \"${fpath[1]}/_learn-registry\""
    )]
    Completions { shell: clap_complete::Shell },
    /// For authors: prove a lesson solvable. Runs its setup, then each step's solution, asserting
    /// that the step fails before its solution and passes after it. It logs in, tags, pulls and
    /// pushes for real: use a throwaway engine (DOCKER_HOST) and registry (--registry) only.
    #[command(
        after_help = "The lessons it `requires` are run first (setup and solutions, untested). Solutions run as argv, never through a shell, with a temporary Docker config (your logins are neither used nor changed); `docker login` lines read the password from LEARN_REGISTRY_TEST_PASSWORD. Image names the run made are removed afterwards unless --keep; pushes stay in the registry. `--registry docker.io` (the default) is refused without --allow-docker-hub.\n\nExit codes: 0 every testable step passed, 1 something failed, 2 usage or lesson error, 3 something could not be verified.\n\nExamples:\n  LEARN_REGISTRY_TEST_PASSWORD=pass learn-registry test-lesson push-an-image --registry 127.0.0.1:5000 --var username=alice1\n  learn-registry test-lesson pull-an-image --registry 127.0.0.1:5000 --var username=alice1 --var classmate=bobby1 --format json\n  learn-registry test-lesson my-lesson --lessons-dir my-lessons --registry 127.0.0.1:5000 --yes --keep"
    )]
    TestLesson(TestLessonArgs),
}

/// `check`'s arguments.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The lesson; without it, every lesson of the course.
    pub lesson: Option<String>,
    /// Only this step.
    #[arg(long)]
    pub step: Option<String>,
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Write the report here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Allow lessons from outside the shipped course to run their commands, without asking.
    #[arg(long)]
    pub yes: bool,
}

/// `grade`'s arguments.
#[derive(Debug, Args)]
pub struct GradeArgs {
    /// The class: CSV with `student`, `username` and variable columns.
    #[arg(long)]
    pub roster: PathBuf,
    /// Only this lesson; without it, every lesson of the course.
    #[arg(long)]
    pub lesson: Option<String>,
    #[arg(long, value_enum, default_value_t = GradeFormat::Table)]
    pub format: GradeFormat,
    /// Write the report here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// At most this many requests in flight.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Use your own `docker login` for each registry (read from DOCKER_CONFIG, never printed) where
    /// anonymous access is refused, to tell private repositories from missing ones.
    #[arg(long)]
    pub login: bool,
}

/// `reset`'s arguments.
#[derive(Debug, Args)]
pub struct ResetArgs {
    /// The lesson to forget; without it, everything.
    pub lesson: Option<String>,
    /// Only this step of the lesson.
    #[arg(long, requires = "lesson")]
    pub step: Option<String>,
    /// Do not ask (needed without a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `test-lesson`'s arguments.
#[derive(Debug, Args)]
pub struct TestLessonArgs {
    /// The lesson to test.
    pub lesson: String,
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    /// Allow a lesson from outside the shipped course to run its solutions and commands, without asking.
    #[arg(long)]
    pub yes: bool,
    /// Leave what the run made: image names, and the temporary Docker config with its logins.
    #[arg(long)]
    pub keep: bool,
    /// Do not run the lessons this one `requires` first.
    #[arg(long)]
    pub no_requires: bool,
    /// How long to keep re-checking a step after its solution ran (events and registries settle).
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub wait: u64,
    /// Run even when --registry is Docker Hub: pushes and logins then go to the real Hub.
    #[arg(long)]
    pub allow_docker_hub: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum StatusFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CheckFormat {
    Human,
    Json,
    Junit,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GradeFormat {
    Table,
    Csv,
    Json,
    Junit,
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LintFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TestFormat {
    Human,
    Json,
}

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
    /// Base URL of Docker Hub's REST API.
    #[arg(
        long,
        global = true,
        env = "LEARN_REGISTRY_HUB_API",
        default_value = "https://hub.docker.com"
    )]
    pub hub_api: String,
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
    Check {
        /// The lesson; without it, every lesson of the course.
        lesson: Option<String>,
        /// Only this step.
        #[arg(long)]
        step: Option<String>,
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Write the report here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Allow lessons from outside the shipped course to run their commands, without asking.
        #[arg(long)]
        yes: bool,
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
    Reset {
        /// The lesson to forget; without it, everything.
        lesson: Option<String>,
        /// Only this step of the lesson.
        #[arg(long, requires = "lesson")]
        step: Option<String>,
        /// Do not ask (needed without a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  learn-registry completions bash > /etc/bash_completion.d/learn-registry\n  learn-registry completions zsh > \"${fpath[1]}/_learn-registry\""
    )]
    Completions { shell: clap_complete::Shell },
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
pub enum LintFormat {
    Human,
    Json,
}

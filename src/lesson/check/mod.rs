//! Checks as a lesson writes them: what a step asks of the world, as data.
//!
//! `Check` is one closed enum, one variant per kind, and each kind's fields sit in a file of their own
//! here (`image_pushed.rs` holds `ImagePushed`). This is the lesson model: it knows what a check says
//! and what lint needs from it (its templated strings, image references and patterns), but nothing of
//! how it is judged. Evaluation lives one layer up, in `crate::check::eval`, in a file named like the
//! kind's, so that the model, lint and the JSON Schema never depend on Docker or HTTP code
//! (docs/ARCHITECTURE.md lists every file a new kind touches).

mod command;
mod container_ran;
mod docker_running;
mod event_seen;
mod hub_account;
mod hub_repository;
mod image_exists;
mod image_pulled;
mod image_pushed;
mod image_same;
mod item;
mod logged_in;
mod not;
mod registry_digest;
mod registry_tag;
mod repository_private;
mod repository_public;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::lesson::Sp;

pub use command::{CommandCheck, ExitCode};
pub use container_ran::ContainerRan;
pub use docker_running::DockerRunning;
pub use event_seen::{EventAction, EventSeen};
pub use hub_account::HubAccount;
pub use hub_repository::{HubRepository, Visibility};
pub use image_exists::ImageExists;
pub use image_pulled::ImagePulled;
pub use image_pushed::ImagePushed;
pub use image_same::ImageSame;
pub use item::{CheckItem, ITEM_KEYS, TWO_KINDS};
pub use logged_in::LoggedIn;
pub use not::Not;
pub use registry_digest::RegistryDigest;
pub use registry_tag::RegistryTag;
pub use repository_private::RepositoryPrivate;
pub use repository_public::RepositoryPublic;

/// One check of a step. In YAML a check is a one-key mapping: `- image_exists: { image: "..." }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// The Docker Engine answers (ping and version).
    DockerRunning(DockerRunning),
    /// A local image name exists in the engine.
    ImageExists(ImageExists),
    /// Two local names point to the same image.
    ImageSame(ImageSame),
    /// `docker login` was done for a registry (the secret is not read unless `verify: true`).
    LoggedIn(LoggedIn),
    /// A tag exists in the registry (HEAD manifest; can be graded from outside).
    RegistryTag(RegistryTag),
    /// The registry's digest for a tag equals the local image's pushed digest.
    ImagePushed(ImagePushed),
    /// Anonymous pull of a repository is allowed.
    RepositoryPublic(RepositoryPublic),
    /// Anonymous pull of a repository is refused.
    RepositoryPrivate(RepositoryPrivate),
    /// A Docker Hub account exists (Hub REST API).
    HubAccount(HubAccount),
    /// A repository shows on Docker Hub (Hub REST API), optionally with a visibility.
    HubRepository(HubRepository),
    /// A local image came from the registry and matches it.
    ImagePulled(ImagePulled),
    /// The learner did an action (tag, push, pull, …) since the step began (Engine events).
    EventSeen(EventSeen),
    /// A command's exit code and output (argv, never a shell).
    Command(CommandCheck),
    /// A container from an image ran since the step began, with an exit code and output (Engine
    /// events, containers and their logs).
    ContainerRan(ContainerRan),
    /// The digest the registry serves for a tag (captured, or compared with one captured before), or
    /// that a digest is still served.
    RegistryDigest(RegistryDigest),
    /// The opposite of a check: `not: { logged_in: {} }`. Could-not-verify stays could-not-verify.
    Not(Not),
}

/// What every check kind tells the linter about itself.
pub trait CheckSpec {
    /// The kind's name as written in YAML.
    const KIND: &'static str;
    /// Every templated string of the check (for undefined-variable and syntax checks).
    fn templates(&self) -> Vec<&Sp<String>>;
    /// The strings that must be valid image references once variables are filled in.
    fn image_refs(&self) -> Vec<&Sp<String>> {
        Vec::new()
    }
    /// Regular expressions that must compile.
    fn patterns(&self) -> Vec<&Sp<String>> {
        Vec::new()
    }
    /// Whether `grade` can run it from outside the learner's machine (the `remote` column of the check
    /// table in docs/ARCHITECTURE.md).
    fn remote(&self) -> bool {
        false
    }
    /// What a passing check can record with `capture:` (for lint's message), or `None` when it
    /// records nothing.
    fn captures(&self) -> Option<&'static str> {
        None
    }
    /// What the check expects, from its own fields (still templated: the evaluation fills it in).
    /// `not:` says "not" and this; a failure's own `expected` says it with what was found.
    fn describe(&self) -> String {
        format!("`{}` to hold", Self::KIND)
    }
}

/// Run one expression on whichever kind a `Check` holds. The evaluation side (`crate::check::eval`)
/// uses it too, so a new kind is added to this one list and nowhere else.
macro_rules! dispatch {
    ($self:ident, $c:ident => $e:expr) => {
        match $self {
            $crate::lesson::check::Check::DockerRunning($c) => $e,
            $crate::lesson::check::Check::ImageExists($c) => $e,
            $crate::lesson::check::Check::ImageSame($c) => $e,
            $crate::lesson::check::Check::LoggedIn($c) => $e,
            $crate::lesson::check::Check::RegistryTag($c) => $e,
            $crate::lesson::check::Check::ImagePushed($c) => $e,
            $crate::lesson::check::Check::RepositoryPublic($c) => $e,
            $crate::lesson::check::Check::RepositoryPrivate($c) => $e,
            $crate::lesson::check::Check::HubAccount($c) => $e,
            $crate::lesson::check::Check::HubRepository($c) => $e,
            $crate::lesson::check::Check::ImagePulled($c) => $e,
            $crate::lesson::check::Check::EventSeen($c) => $e,
            $crate::lesson::check::Check::Command($c) => $e,
            $crate::lesson::check::Check::ContainerRan($c) => $e,
            $crate::lesson::check::Check::RegistryDigest($c) => $e,
            $crate::lesson::check::Check::Not($c) => $e,
        }
    };
}
pub(crate) use dispatch;

fn kind_of<T: CheckSpec>(_: &T) -> &'static str {
    T::KIND
}

impl Check {
    /// Every kind's YAML name, for did-you-mean suggestions and the docs.
    pub const KINDS: &'static [&'static str] = &[
        DockerRunning::KIND,
        ImageExists::KIND,
        ImageSame::KIND,
        LoggedIn::KIND,
        RegistryTag::KIND,
        ImagePushed::KIND,
        RepositoryPublic::KIND,
        RepositoryPrivate::KIND,
        HubAccount::KIND,
        HubRepository::KIND,
        ImagePulled::KIND,
        EventSeen::KIND,
        CommandCheck::KIND,
        ContainerRan::KIND,
        RegistryDigest::KIND,
        Not::KIND,
    ];

    pub fn kind(&self) -> &'static str {
        dispatch!(self, c => kind_of(c))
    }

    pub fn templates(&self) -> Vec<&Sp<String>> {
        dispatch!(self, c => c.templates())
    }

    pub fn image_refs(&self) -> Vec<&Sp<String>> {
        dispatch!(self, c => c.image_refs())
    }

    pub fn patterns(&self) -> Vec<&Sp<String>> {
        dispatch!(self, c => c.patterns())
    }

    pub fn remote(&self) -> bool {
        dispatch!(self, c => c.remote())
    }

    pub fn captures(&self) -> Option<&'static str> {
        dispatch!(self, c => c.captures())
    }

    pub fn describe(&self) -> String {
        dispatch!(self, c => c.describe())
    }

    /// Whether evaluating runs a program from the lesson (needs the learner's trust).
    pub fn runs_command(&self) -> bool {
        match self {
            Check::Command(_) => true,
            Check::Not(not) => not.0.runs_command(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_unique_and_snake_case() {
        let mut seen = std::collections::BTreeSet::new();
        for k in Check::KINDS {
            assert!(seen.insert(*k), "duplicate kind {k}");
            assert!(k.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{k}");
        }
        assert_eq!(seen.len(), 16);
    }

    #[test]
    fn every_kind_parses_from_yaml_by_its_name() {
        let samples = [
            "docker_running: {}",
            "image_exists: { image: a:1 }",
            "image_same: { image: a:1, as: b:2 }",
            "logged_in: {}",
            "registry_tag: { image: a/b:1 }",
            "image_pushed: { image: a/b:1 }",
            "repository_public: { repository: a/b }",
            "repository_private: { repository: a/b }",
            "hub_account: { username: alice }",
            "hub_repository: { repository: a/b, visibility: public }",
            "image_pulled: { image: a/b:1 }",
            "event_seen: { action: push }",
            "command: { run: [docker, images] }",
            "container_ran: { image: a/b:1, exit_code: 0, output_contains: Hello }",
            "registry_digest: { image: a/b:1 }",
            "not: { logged_in: {} }",
        ];
        for (yaml, kind) in samples.iter().zip(Check::KINDS) {
            let check: Check =
                serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"));
            assert_eq!(check.kind(), *kind);
        }
    }
}

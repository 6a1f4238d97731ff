//! The check settings every command that evaluates checks derives from the global options (`check`,
//! `grade`, `start`, `test-lesson`), in one place so that they all judge alike.

use crate::check::Settings;
use crate::cli::Global;

/// `--registry`, `--insecure-registry` and `--hub-api` as check settings. Docker Hub checks apply to
/// a course on Docker Hub or with an explicit `--hub-api`; a classroom registry needs no Hub account.
pub fn of(global: &Global) -> Settings {
    Settings {
        registry: global.registry.clone(),
        insecure: global.insecure_registries.clone(),
        hub_api: global
            .hub_api
            .clone()
            .unwrap_or_else(|| crate::probe::hub::DEFAULT_HUB_API.into()),
        hub_checks: global.hub_api.is_some()
            || crate::probe::reference::normalize_registry(&global.registry)
                == crate::probe::reference::DOCKER_HUB,
        use_docker_login: true,
    }
}

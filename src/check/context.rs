//! What checks evaluate against: the variables' values and lazily opened connections to the outside
//! world (the engine, Docker's client config, registries, Docker Hub's REST API). One `Context` serves
//! the runner, `check`, `grade` and `test-lesson`, so nothing re-implements a check.
//!
//! A run that judges many things at one moment (`check` of a course, `grade` of a class) gives its
//! contexts one [`Probes`]: one engine connection, one HTTP client (its connection pool and token
//! cache) and one memory of registry answers for the whole process, instead of one per lesson or per
//! student. The runner and `test-lesson` change the world between evaluations, so they keep the
//! default: probes of the context's own, nothing remembered beyond it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::{OnceCell, Semaphore, SemaphorePermit};

use crate::check::Outcome;
use crate::lesson::{Sp, template};
use crate::probe::hub::HubClient;
use crate::probe::reference::DOCKER_HUB;
use crate::probe::registry::{RegistryAuth, RegistryClient};
use crate::probe::{DockerConfig, DockerProbe, ImageRef, ProbeError};

/// The default Docker Hub REST API, defined once in the probe.
pub use crate::probe::hub::DEFAULT_HUB_API;

/// Where checks look.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `docker.io` or a `HOST[:PORT]` from `--registry`.
    pub registry: String,
    /// Registries that may be spoken to over plain HTTP besides loopback ones.
    pub insecure: Vec<String>,
    /// Base URL of Docker Hub's REST API (`--hub-api`, `LEARN_REGISTRY_HUB_API`).
    pub hub_api: String,
    /// Whether Docker Hub's REST checks apply: true for a course on Docker Hub, or when a Hub API was
    /// named; false for a classroom registry, whose users need no Hub account.
    pub hub_checks: bool,
    /// Use the learner's own registry login for registry checks (off for `grade`, which looks from
    /// outside, as anyone would).
    pub use_docker_login: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            registry: DOCKER_HUB.into(),
            insecure: Vec::new(),
            hub_api: DEFAULT_HUB_API.into(),
            hub_checks: true,
            use_docker_login: true,
        }
    }
}

/// The probes one run shares between all its contexts (`docs/ARCHITECTURE.md`, "A new probe"): the
/// engine connection, Docker's client config, one registry client that remembers its answers (the run
/// is a snapshot: a tag asked about by three checks and two students is asked once), Docker Hub
/// clients by base URL, and the bound on how many checks run at once. Cheap to clone.
#[derive(Clone)]
pub struct Probes {
    inner: Arc<SharedProbes>,
}

struct SharedProbes {
    docker: OnceCell<Result<DockerProbe, ProbeError>>,
    config: OnceCell<Result<DockerConfig, ProbeError>>,
    registry: OnceCell<Result<RegistryClient, ProbeError>>,
    hub: Mutex<HashMap<String, HubClient>>,
    limit: Semaphore,
    diagnose: bool,
    /// A class: ask each repository's tag list before its manifests
    /// ([`RegistryClient::listing_first`]).
    class: bool,
}

impl Probes {
    /// Probes for one run, with at most `concurrency` checks evaluated at a time (through
    /// [`Context::slot`]). `diagnose` says whether failures get their diagnosis (`tags there: …`, a
    /// second request): off when no report of the run shows it (`grade`'s table shows marks only).
    pub fn for_run(concurrency: usize, diagnose: bool) -> Probes {
        Probes::new(concurrency, diagnose, false)
    }

    /// Probes for grading a class (`for_run`, and each repository's tag list asked before its
    /// manifests: a repository the registry does not know costs one request, whatever its tags).
    pub fn for_class(concurrency: usize, diagnose: bool) -> Probes {
        Probes::new(concurrency, diagnose, true)
    }

    fn new(concurrency: usize, diagnose: bool, class: bool) -> Probes {
        Probes {
            inner: Arc::new(SharedProbes {
                docker: OnceCell::new(),
                config: OnceCell::new(),
                registry: OnceCell::new(),
                hub: Mutex::new(HashMap::new()),
                limit: Semaphore::new(concurrency.max(1)),
                diagnose,
                class,
            }),
        }
    }
}

/// Everything one evaluation needs.
pub struct Context {
    pub vars: BTreeMap<String, String>,
    pub settings: Settings,
    /// When the step began: `event_seen` counts only events after it.
    pub since: Option<DateTime<Utc>>,
    /// What to say about a name that has no value, instead of "pass --var": a derived variable names
    /// the input it comes from, a capture the step that records it (set by `check`).
    pub unfilled: BTreeMap<String, String>,
    /// Values the checks of this evaluation recorded (`capture:`), for the checks after them.
    captured: std::sync::RwLock<BTreeMap<String, String>>,
    docker: OnceCell<Result<DockerProbe, ProbeError>>,
    config: OnceCell<Result<DockerConfig, ProbeError>>,
    registry: OnceCell<Result<RegistryClient, ProbeError>>,
    hub: OnceCell<Result<HubClient, ProbeError>>,
    /// Environment changes for the programs checks and setup run (test-lesson's own Docker config).
    env: crate::process::Env,
    /// The run's shared probes, when there is a run; else each probe is this context's own.
    probes: Option<Probes>,
}

impl Context {
    pub fn new(vars: BTreeMap<String, String>, settings: Settings) -> Context {
        let mut vars = vars;
        let registry = crate::probe::reference::normalize_registry(&settings.registry);
        let prefix = if registry == DOCKER_HUB {
            String::new()
        } else {
            format!("{}/", settings.registry.trim_end_matches('/'))
        };
        vars.insert("registry".into(), settings.registry.clone());
        vars.insert("registry_prefix".into(), prefix);
        Context {
            vars,
            settings,
            since: None,
            unfilled: BTreeMap::new(),
            captured: Default::default(),
            docker: OnceCell::new(),
            config: OnceCell::new(),
            registry: OnceCell::new(),
            hub: OnceCell::new(),
            env: crate::process::Env::default(),
            probes: None,
        }
    }

    /// Open probes through the run's shared ones (an engine given by `with_docker` still wins).
    pub fn with_probes(mut self, probes: &Probes) -> Context {
        self.probes = Some(probes.clone());
        self
    }

    /// A turn to evaluate a check, when the run bounds how many run at once; `None` when it does not.
    pub async fn slot(&self) -> Option<SemaphorePermit<'_>> {
        let probes = self.probes.as_ref()?;
        Some(probes.inner.limit.acquire().await.expect("never closed"))
    }

    /// Whether a failure should fetch its diagnosis (see [`Probes::for_run`]).
    pub fn diagnoses(&self) -> bool {
        self.probes.as_ref().is_none_or(|p| p.inner.diagnose)
    }

    /// Use an already connected engine (the runner keeps one open).
    pub fn with_docker(self, docker: DockerProbe) -> Context {
        let _ = self.docker.set(Ok(docker));
        self
    }

    /// Use this Docker config instead of the one the environment names (test-lesson's own folder).
    pub fn with_docker_config(self, config: Result<DockerConfig, ProbeError>) -> Context {
        let _ = self.config.set(config);
        self
    }

    /// Give the programs checks and setup run these environment changes.
    pub fn with_env(mut self, env: crate::process::Env) -> Context {
        self.env = env;
        self
    }

    /// The environment changes for programs this context runs.
    pub fn env(&self) -> &crate::process::Env {
        &self.env
    }

    /// Keep a value a check recorded (`capture:`) for the checks evaluated after it.
    pub fn add_capture(&self, name: &str, value: &str) {
        if let Ok(mut c) = self.captured.write() {
            c.insert(name.to_string(), value.to_string());
        }
    }

    /// The variables and the values captured so far.
    fn values(&self) -> std::borrow::Cow<'_, BTreeMap<String, String>> {
        match self.captured.read() {
            Ok(c) if !c.is_empty() => {
                let mut all = self.vars.clone();
                all.extend(c.iter().map(|(k, v)| (k.clone(), v.clone())));
                std::borrow::Cow::Owned(all)
            }
            _ => std::borrow::Cow::Borrowed(&self.vars),
        }
    }

    /// Fill in a lesson string. A variable without a value means the check cannot be judged yet.
    pub fn render(&self, text: &Sp<String>) -> Result<String, Outcome> {
        template::render(text, &self.values()).map_err(|missing| {
            let first = &missing[0];
            if let Some(say) = self.unfilled.get(first) {
                return Outcome::unknown(say.clone());
            }
            Outcome::unknown(format!(
                "no value for {}; pass --var {}=VALUE",
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                first
            ))
        })
    }

    /// Fill in text for a message (`describe`, `hint`): a name without a value stays as written.
    pub fn fill(&self, text: &str) -> String {
        let values = self.values();
        template::render(text, &values).unwrap_or_else(|_| {
            // Fill what can be filled; `render` keeps the unfilled ones as written.
            let mut out = text.to_string();
            for r in template::references(text) {
                if let Some(v) = values.get(r.name) {
                    out = out.replace(&text[r.range.clone()], v);
                }
            }
            out
        })
    }

    /// Fill in and parse an image reference.
    pub fn image(&self, text: &Sp<String>) -> Result<ImageRef, Outcome> {
        let rendered = self.render(text)?;
        ImageRef::parse(&rendered).map_err(|e| Outcome::from_probe(&e, "a valid image reference"))
    }

    /// The engine, connected on first use. Unreachable → `Unknown`.
    pub async fn docker(&self) -> Result<&DockerProbe, Outcome> {
        let r = match (self.docker.get(), &self.probes) {
            (None, Some(p)) => p.inner.docker.get_or_init(DockerProbe::connect).await,
            _ => self.docker.get_or_init(DockerProbe::connect).await,
        };
        r.as_ref().map_err(|e| Outcome::unknown(e.to_string()))
    }

    /// Docker's client configuration (config.json).
    pub async fn docker_config(&self) -> Result<&DockerConfig, Outcome> {
        let load = || async { DockerConfig::load() };
        let r = match (self.config.get(), &self.probes) {
            (None, Some(p)) => p.inner.config.get_or_init(load).await,
            _ => self.config.get_or_init(load).await,
        };
        r.as_ref().map_err(|e| Outcome::unknown(e.to_string()))
    }

    /// The registry client: the run's (one HTTP client, its tokens and remembered answers for every
    /// context), else one of this context's own.
    pub async fn registry_client(&self) -> Result<&RegistryClient, Outcome> {
        let insecure = self.settings.insecure.clone();
        let r = self
            .registry
            .get_or_init(|| async move {
                let Some(probes) = &self.probes else {
                    return RegistryClient::new().map(|c| c.with_insecure(insecure));
                };
                let shared = probes
                    .inner
                    .registry
                    .get_or_init(|| async {
                        RegistryClient::new()
                            .map(|c| c.remembering().listing_first(probes.inner.class))
                    })
                    .await;
                match shared {
                    Ok(client) => Ok(client.clone().with_insecure(insecure)),
                    Err(_) => RegistryClient::new().map(|c| c.with_insecure(insecure)),
                }
            })
            .await;
        r.as_ref().map_err(|e| Outcome::unknown(e.to_string()))
    }

    /// Docker Hub's REST API at `settings.hub_api` (the run's client for that URL, when shared).
    pub async fn hub(&self) -> Result<&HubClient, Outcome> {
        let base = self.settings.hub_api.clone();
        let r = self
            .hub
            .get_or_init(|| async move {
                let Some(probes) = &self.probes else {
                    return HubClient::new(&base);
                };
                if let Some(client) = probes.inner.hub.lock().expect("no panics").get(&base) {
                    return Ok(client.clone());
                }
                let client = HubClient::new(&base)?;
                probes
                    .inner
                    .hub
                    .lock()
                    .expect("no panics")
                    .insert(base, client.clone());
                Ok(client)
            })
            .await;
        r.as_ref().map_err(|e| Outcome::unknown(e.to_string()))
    }

    /// How to authenticate to `image`'s registry: the learner's own `docker login` when allowed and
    /// present (read only if the registry refuses an anonymous request), anonymous otherwise. The
    /// secret stays inside the probe.
    pub async fn registry_auth(&self, image: &ImageRef) -> RegistryAuth {
        if !self.settings.use_docker_login {
            return RegistryAuth::Anonymous;
        }
        match self.docker_config().await {
            Ok(config) => RegistryAuth::saved_login(config, image.registry()),
            Err(_) => RegistryAuth::Anonymous,
        }
    }
}

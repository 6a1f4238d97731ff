//! Image references as Docker reads them. `alice/app` means `docker.io/alice/app:latest`, `app` means
//! `docker.io/library/app:latest`, and `localhost:5000/app:1.0` lives on another registry. Every probe
//! needs the same answers (which host to call, which repository path, which tag or digest, which key
//! `docker login` used in config.json), so they are computed here once.
//!
//! The grammar (what a valid name, tag or digest looks like) is the distribution package's, checked by the
//! byte-level parser in [`grammar`] (no regular expression to compile at start-up). The domain split is
//! Docker's `splitDockerDomain`, which differs from `oci-client`'s `Reference` in two places: a first
//! component with uppercase letters is a host (`Alice/app` is host `Alice`), and names that are not
//! lowercase are rejected with Docker's own message rather than a generic "invalid format". Docker
//! Hub is special twice: its API host is `registry-1.docker.io`, and `docker login` keys it in
//! config.json as `https://index.docker.io/v1/`.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use super::ProbeError;

pub mod grammar;

/// The registry name Docker uses for Docker Hub in normalized references.
pub const DOCKER_HUB: &str = "docker.io";
/// The host that serves Docker Hub's distribution API.
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";
/// The key `docker login` writes to config.json for Docker Hub.
pub const DOCKER_HUB_CONFIG_KEY: &str = "https://index.docker.io/v1/";

const DEFAULT_TAG: &str = "latest";
const OFFICIAL_PREFIX: &str = "library/";

/// A parsed, normalized image reference: `docker.io/library/app:latest`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

impl ImageRef {
    /// Parse a reference the way `docker tag`/`docker push` do, including the default tag `latest` when
    /// neither tag nor digest is given.
    pub fn parse(input: &str) -> Result<ImageRef, ProbeError> {
        let invalid = |reason: &str| ProbeError::InvalidReference {
            reference: input.to_string(),
            reason: reason.to_string(),
        };
        if input.is_empty() {
            return Err(invalid("the reference is empty"));
        }
        // Docker's `anchoredIdentifierRegexp` is lowercase hex; uppercase is a name that is not lowercase.
        if input.len() == 64
            && input
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(invalid(
                "a 64-character hexadecimal string is an image ID, not a repository name",
            ));
        }
        let (registry, remainder) = split_docker_domain(input);
        let remote_name = match remainder.find([':', '@']) {
            Some(end) => &remainder[..end],
            None => remainder.as_str(),
        };
        if remote_name.to_lowercase() != remote_name {
            return Err(invalid(&format!(
                "repository name `{remote_name}` must be lowercase"
            )));
        }
        // The grammar and the tag/digest split are the distribution package's; the domain split above is
        // Docker's `splitDockerDomain`, as in its `ParseNormalizedNamed`.
        let full = format!("{registry}/{remainder}");
        let parts = grammar::parse(&full).map_err(|e| invalid(&e.to_string()))?;
        let repository = remote_name.to_string();
        let tag = match (parts.tag, parts.digest) {
            (None, None) => Some(DEFAULT_TAG.to_string()),
            (tag, _) => tag.map(str::to_string),
        };
        let digest = parts.digest.map(str::to_string);
        Ok(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The registry as Docker names it in normalized references: `docker.io`, `localhost:5000`.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The host (and port) that serves the distribution API for this reference.
    pub fn api_host(&self) -> &str {
        api_host(&self.registry)
    }

    /// The repository path inside the registry: `library/app`, `alice/app`, `a/b`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag; `latest` when the reference named neither a tag nor a digest.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, when the reference pinned one (`...@sha256:...`).
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// What goes after `/manifests/` in an API path: the digest when there is one (Docker ignores the
    /// tag then), otherwise the tag.
    pub fn manifest_reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or(DEFAULT_TAG)
    }

    /// The key `docker login` uses for this reference's registry in config.json.
    pub fn config_key(&self) -> String {
        config_key(&self.registry)
    }

    /// True for Docker Hub references.
    pub fn is_docker_hub(&self) -> bool {
        self.registry == DOCKER_HUB
    }

    /// The same repository with another tag (and no digest).
    pub fn with_tag(&self, tag: &str) -> Result<ImageRef, ProbeError> {
        ImageRef::parse(&format!("{}/{}:{tag}", self.registry, self.repository))
    }

    /// The repository's last path component: `python-canvas-client` for
    /// `docker.io/alice/python-canvas-client`, the part people recognise across namespaces.
    pub fn base_name(&self) -> &str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(&self.repository)
    }

    /// The repository name as Docker prints it: `app`, `alice/app`, `localhost:5000/app` (no tag).
    pub fn familiar_name(&self) -> String {
        if self.is_docker_hub() {
            match self.repository.strip_prefix(OFFICIAL_PREFIX) {
                Some(rest) if !rest.contains('/') => rest.to_string(),
                _ => self.repository.clone(),
            }
        } else {
            format!("{}/{}", self.registry, self.repository)
        }
    }

    /// The reference as Docker prints it: `app:latest`, `alice/app:1.0`, `localhost:5000/app@sha256:...`.
    pub fn familiar(&self) -> String {
        let mut out = self.familiar_name();
        if let Some(tag) = &self.tag {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(digest);
        }
        out
    }

    /// The base URL of the registry's API: `https://registry-1.docker.io`, or plain `http://` for
    /// loopback hosts and hosts listed in `insecure` (as `host` or `host:port`).
    pub fn base_url(&self, insecure: &[String]) -> String {
        base_url(&self.registry, insecure)
    }
}

impl FromStr for ImageRef {
    type Err = ProbeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageRef::parse(s)
    }
}

impl fmt::Display for ImageRef {
    /// The fully qualified form: `docker.io/library/app:latest`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// Docker's `splitDockerDomain`: the first component is a host when it has a `.` or `:`, is `localhost`,
/// or has uppercase letters (repository paths cannot); otherwise the reference is on Docker Hub, where
/// single-component names live under `library/`.
fn split_docker_domain(name: &str) -> (String, String) {
    let (mut domain, mut remainder) = match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.to_lowercase() != first =>
        {
            (first.to_string(), rest.to_string())
        }
        _ => (DOCKER_HUB.to_string(), name.to_string()),
    };
    if domain == "index.docker.io" {
        domain = DOCKER_HUB.to_string();
    }
    if domain == DOCKER_HUB && !remainder.contains('/') {
        remainder = format!("{OFFICIAL_PREFIX}{remainder}");
    }
    (domain, remainder)
}

/// Normalize anything that names a registry (`docker.io`, `index.docker.io`,
/// `https://index.docker.io/v1/`, `https://localhost:5000/v2/`, `LOCALHOST:5000`) to the form used in
/// normalized references: `docker.io`, `localhost:5000`. This is how config.json keys are compared.
pub fn normalize_registry(name: &str) -> String {
    let trimmed = name.trim();
    let without_scheme = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .unwrap_or(trimmed);
    let host = without_scheme
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match host.as_str() {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            DOCKER_HUB.to_string()
        }
        _ => host,
    }
}

/// The config.json key `docker login REGISTRY` writes: `https://index.docker.io/v1/` for Docker Hub,
/// the bare `host[:port]` for everything else.
pub fn config_key(registry: &str) -> String {
    let registry = normalize_registry(registry);
    if registry == DOCKER_HUB {
        DOCKER_HUB_CONFIG_KEY.to_string()
    } else {
        registry
    }
}

/// The host that serves a registry's API: `registry-1.docker.io` for Docker Hub, the registry itself
/// otherwise.
pub fn api_host(registry: &str) -> &str {
    match registry {
        DOCKER_HUB | "index.docker.io" => DOCKER_HUB_API_HOST,
        other => other,
    }
}

/// The host part of `host`, `host:port`, `[::1]:port` or `::1`.
fn host_part(registry: &str) -> &str {
    if let Some(rest) = registry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    if registry.parse::<IpAddr>().is_ok() {
        return registry;
    }
    registry.rsplit_once(':').map_or(registry, |(h, _)| h)
}

/// True for `localhost`, 127.0.0.0/8 and `::1`, with or without a port: the only hosts Docker (and we)
/// talk plain HTTP to without being told.
pub fn is_loopback(registry: &str) -> bool {
    let host = host_part(registry);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.is_loopback(),
        Ok(IpAddr::V6(v6)) => v6.is_loopback() || v6.to_ipv4_mapped() == Some(Ipv4Addr::LOCALHOST),
        Err(_) => false,
    }
}

/// `http://` for loopback registries and those listed in `insecure` (as `host` or `host:port`),
/// `https://` for all others, followed by the API host.
pub fn base_url(registry: &str, insecure: &[String]) -> String {
    let host = api_host(registry);
    let plain = is_loopback(host)
        || insecure
            .iter()
            .any(|i| i.eq_ignore_ascii_case(host) || i.eq_ignore_ascii_case(host_part(host)));
    let scheme = if plain { "http" } else { "https" };
    format!("{scheme}://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// input, registry, repository, tag, digest, familiar form
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        &'a str,
    );

    #[test]
    #[rustfmt::skip]
    fn normalization_table() {
        let d = Some(DIGEST);
        let by_digest = format!("127.0.0.1:5000/a/b@{DIGEST}");
        let tag_and_digest = format!("alice/app:1.0@{DIGEST}");
        let cases: &[Case] = &[
            ("app", "docker.io", "library/app", Some("latest"), None, "app:latest"),
            ("alice/app", "docker.io", "alice/app", Some("latest"), None, "alice/app:latest"),
            ("alice/python-canvas-client:1.0", "docker.io", "alice/python-canvas-client", Some("1.0"), None, "alice/python-canvas-client:1.0"),
            ("docker.io/library/app:2.0", "docker.io", "library/app", Some("2.0"), None, "app:2.0"),
            ("index.docker.io/alice/app", "docker.io", "alice/app", Some("latest"), None, "alice/app:latest"),
            ("docker.io/app", "docker.io", "library/app", Some("latest"), None, "app:latest"),
            ("localhost:5000/app:1.0", "localhost:5000", "app", Some("1.0"), None, "localhost:5000/app:1.0"),
            ("localhost/app", "localhost", "app", Some("latest"), None, "localhost/app:latest"),
            (&by_digest, "127.0.0.1:5000", "a/b", None, d, &by_digest),
            (&tag_and_digest, "docker.io", "alice/app", Some("1.0"), d, &tag_and_digest),
            ("ghcr.io/org/team/app:v1", "ghcr.io", "org/team/app", Some("v1"), None, "ghcr.io/org/team/app:v1"),
            ("Registry.Example:443/app", "Registry.Example:443", "app", Some("latest"), None, "Registry.Example:443/app:latest"),
            // Docker treats an uppercase first component as a host; oci-client alone would not.
            ("Alice/app", "Alice", "app", Some("latest"), None, "Alice/app:latest"),
            ("app:Uppercase-Tag", "docker.io", "library/app", Some("Uppercase-Tag"), None, "app:Uppercase-Tag"),
        ];
        for (input, registry, repository, tag, digest, familiar) in cases {
            let r = ImageRef::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(r.registry(), *registry, "registry of {input}");
            assert_eq!(r.repository(), *repository, "repository of {input}");
            assert_eq!(r.tag(), *tag, "tag of {input}");
            assert_eq!(r.digest(), *digest, "digest of {input}");
            assert_eq!(r.familiar(), *familiar, "familiar form of {input}");
        }
    }

    #[test]
    fn rejects_what_docker_rejects() {
        for bad in [
            "",
            "App",
            "alice/App",
            "alice/app:",
            "alice/app:-bad",
            "alice//app",
            "alice/app@sha256:abc",
            "UPPER/Case/app",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "alice/app:tag with space",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let err = ImageRef::parse("alice/App").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid image reference `alice/App`: repository name `alice/App` must be lowercase"
        );
    }

    #[test]
    fn api_host_manifest_reference_and_display() {
        let hub = ImageRef::parse("alice/app").unwrap();
        assert_eq!(hub.api_host(), "registry-1.docker.io");
        assert_eq!(hub.manifest_reference(), "latest");
        assert_eq!(hub.to_string(), "docker.io/alice/app:latest");
        assert_eq!(hub.config_key(), "https://index.docker.io/v1/");
        assert!(hub.is_docker_hub());
        assert_eq!(hub.with_tag("2.0").unwrap().familiar(), "alice/app:2.0");

        let pinned = ImageRef::parse(&format!("localhost:5000/app:1.0@{DIGEST}")).unwrap();
        assert_eq!(pinned.manifest_reference(), DIGEST);
        assert_eq!(pinned.api_host(), "localhost:5000");
        assert_eq!(pinned.config_key(), "localhost:5000");
        assert_eq!(pinned.familiar_name(), "localhost:5000/app");
    }

    #[test]
    fn registry_normalization_and_config_keys() {
        for (input, normalized, key) in [
            ("docker.io", "docker.io", "https://index.docker.io/v1/"),
            (
                "index.docker.io",
                "docker.io",
                "https://index.docker.io/v1/",
            ),
            (
                "https://index.docker.io/v1/",
                "docker.io",
                "https://index.docker.io/v1/",
            ),
            (
                "registry-1.docker.io",
                "docker.io",
                "https://index.docker.io/v1/",
            ),
            ("localhost:5000", "localhost:5000", "localhost:5000"),
            ("http://localhost:5000", "localhost:5000", "localhost:5000"),
            (
                "https://registry.example.com/v1/",
                "registry.example.com",
                "registry.example.com",
            ),
            ("https://Ghcr.IO/v2/", "ghcr.io", "ghcr.io"),
            ("  127.0.0.1:5001  ", "127.0.0.1:5001", "127.0.0.1:5001"),
        ] {
            assert_eq!(normalize_registry(input), normalized, "normalize {input}");
            assert_eq!(config_key(input), key, "config key of {input}");
        }
    }

    #[test]
    fn plain_http_only_for_loopback_or_listed_hosts() {
        for (registry, insecure, url) in [
            ("localhost:5000", vec![], "http://localhost:5000"),
            ("127.0.0.1:5001", vec![], "http://127.0.0.1:5001"),
            ("127.8.9.10:5002", vec![], "http://127.8.9.10:5002"),
            ("[::1]:5000", vec![], "http://[::1]:5000"),
            ("docker.io", vec![], "https://registry-1.docker.io"),
            ("10.0.0.5:5000", vec![], "https://10.0.0.5:5000"),
            (
                "10.0.0.5:5000",
                vec!["10.0.0.5".to_string()],
                "http://10.0.0.5:5000",
            ),
            (
                "class.local:5000",
                vec!["class.local:5000".to_string()],
                "http://class.local:5000",
            ),
            ("localhost.evil.com", vec![], "https://localhost.evil.com"),
            ("128.0.0.1:5000", vec![], "https://128.0.0.1:5000"),
        ] {
            assert_eq!(base_url(registry, &insecure), url, "base url of {registry}");
        }
        assert!(is_loopback("::1"));
        assert!(is_loopback("LOCALHOST"));
        assert!(!is_loopback("example.com:5000"));
    }
}

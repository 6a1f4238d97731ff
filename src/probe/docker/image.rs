//! What the engine knows about one local image, and how its names compare with the name a lesson asks for
//! (normalized, with Podman's `localhost/NAME` counted as the short name `NAME`).

use chrono::{DateTime, Utc};

use crate::probe::reference::ImageRef;

/// What the engine knows about one local image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// `sha256:...`: the config digest with the classic store, the manifest digest with containerd.
    pub id: String,
    /// Names as the engine prints them: `my-app:latest`, `localhost:5000/app:1.0` (Podman fully qualifies:
    /// `localhost/my-app:latest`, `docker.io/alice/app:1.0`).
    pub repo_tags: Vec<String>,
    /// `name@sha256:...` for every registry the image was pushed to or pulled from.
    pub repo_digests: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    pub size: Option<i64>,
    pub architecture: Option<String>,
    pub os: Option<String>,
}

impl ImageInfo {
    /// Does the image carry the name `reference` (repository and tag)? Compares normalized forms, so
    /// `alice/app:1.0` and `docker.io/alice/app:1.0` match. Podman names images it built or loaded under a
    /// short name `localhost/NAME`, and resolves the short name to that first; such a tag matches
    /// `NAME` (that is, `docker.io/library/NAME` or `docker.io/NAME`) too.
    pub fn has_tag(&self, reference: &ImageRef) -> bool {
        self.repo_tags.iter().any(|t| {
            ImageRef::parse(t)
                .is_ok_and(|r| r.tag() == reference.tag() && same_repository(&r, reference))
        })
    }

    /// Does the image carry the name `reference`: its digest in that repository when the reference
    /// has one, else its tag?
    pub fn carries(&self, reference: &ImageRef) -> bool {
        match reference.digest() {
            Some(digest) => {
                self.id == digest || self.repo_digests_for(reference).iter().any(|d| d == digest)
            }
            None => self.has_tag(reference),
        }
    }

    /// The digests the image has in `reference`'s repository (from RepoDigests): where it was pushed to
    /// or pulled from. Docker lists one per repository; Podman may list several (one per manifest format
    /// it has pushed), so compare a registry digest with `contains`, not with the first.
    pub fn repo_digests_for(&self, reference: &ImageRef) -> Vec<String> {
        self.repo_digests
            .iter()
            .filter_map(|entry| {
                let parsed = ImageRef::parse(entry).ok()?;
                if parsed.registry() == reference.registry()
                    && parsed.repository() == reference.repository()
                {
                    parsed.digest().map(str::to_string)
                } else {
                    None
                }
            })
            .collect()
    }
}

/// Same registry and repository, counting Podman's `localhost/NAME` as the short name `NAME`.
pub(super) fn same_repository(local: &ImageRef, wanted: &ImageRef) -> bool {
    if local.registry() == wanted.registry() && local.repository() == wanted.repository() {
        return true;
    }
    local.registry() == "localhost"
        && wanted.is_docker_hub()
        && (wanted.repository() == local.repository()
            || wanted.repository().strip_prefix("library/") == Some(local.repository()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_digests_match_by_normalized_name() {
        let info = ImageInfo {
            id: "sha256:1".into(),
            repo_tags: vec!["alice/app:1.0".into(), "localhost/my-app:latest".into()],
            repo_digests: vec![
                "alice/app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                    .into(),
                "localhost:5000/app@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
                    .into(),
            ],
            created: None,
            size: None,
            architecture: None,
            os: None,
        };
        let hub = ImageRef::parse("docker.io/alice/app:1.0").unwrap();
        assert!(info.has_tag(&hub));
        assert!(!info.has_tag(&hub.with_tag("2.0").unwrap()));
        assert!(
            info.has_tag(&ImageRef::parse("my-app").unwrap()),
            "Podman's localhost/my-app is the short name my-app"
        );
        assert!(!info.has_tag(&ImageRef::parse("localhost:5000/my-app").unwrap()));
        assert_eq!(
            info.repo_digests_for(&hub),
            ["sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]
        );
        let lab = ImageRef::parse("localhost:5000/app:2.0").unwrap();
        assert!(info.repo_digests_for(&lab)[0].ends_with("bbbb"));
        assert!(
            info.repo_digests_for(&ImageRef::parse("127.0.0.1:5000/app").unwrap())
                .is_empty()
        );
    }
}

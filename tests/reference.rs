//! `ImageRef`'s byte-level parser against `oci-client`'s regular-expression `Reference`, on a corpus of
//! hand-picked edge cases and a few hundred generated references, valid and invalid. The two agree
//! everywhere except where `oci-client` departs from Docker's `reference` package (which `ImageRef`
//! follows); each of those places is named by [`Difference`] and asserted for what Docker does.

use learn_registry::probe::{ImageRef, ProbeError};
use oci_client::Reference;

const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Where `ImageRef` and `oci-client` are meant to disagree.
#[derive(Debug, PartialEq, Eq)]
enum Difference {
    /// A 64-character hexadecimal string is an image ID to Docker (`ParseNormalizedNamed`), a
    /// `library/` repository to `oci-client`.
    ImageId,
    /// A first component with uppercase letters is a registry host to Docker's `splitDockerDomain`
    /// (`Alice/app` is host `Alice`); `oci-client` keeps it on Docker Hub as repository `Alice/app`,
    /// which no registry would accept.
    UppercaseHost,
    /// An IPv6 host in brackets (`[::1]:5000/app`) is in Docker's domain grammar, not in `oci-client`'s.
    Ipv6Host,
    /// go-digest wants lowercase hex; `oci-client` checks only the length.
    UppercaseDigestHex,
    /// go-digest calls an uppercase algorithm (`SHA256:…`) malformed, `oci-client` unsupported; both
    /// reject it, with different words.
    DigestAlgorithmCase,
    /// Go's `\w` is ASCII; `oci-client`'s Rust regex has Unicode `\w`, so `app:é` is a tag there.
    UnicodeTag,
}

/// Which documented difference, if any, applies to `input`; decided from the input alone, not from
/// either parser.
fn difference(input: &str) -> Option<Difference> {
    if input.len() == 64
        && input
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Some(Difference::ImageId);
    }
    if input.contains('[') {
        return Some(Difference::Ipv6Host);
    }
    let (before_digest, digest) = match input.split_once('@') {
        Some((b, d)) => (b, Some(d)),
        None => (input, None),
    };
    let last = before_digest.rfind('/').map_or(0, |i| i + 1);
    let tag = before_digest[last..].split_once(':').map(|(_, t)| t);
    if tag.is_some_and(|t| !t.is_ascii()) {
        return Some(Difference::UnicodeTag);
    }
    if let Some((algorithm, hex)) = digest.and_then(|d| d.split_once(':')) {
        if hex.bytes().any(|b| b.is_ascii_uppercase()) {
            return Some(Difference::UppercaseDigestHex);
        }
        if algorithm.bytes().any(|b| b.is_ascii_uppercase()) {
            return Some(Difference::DigestAlgorithmCase);
        }
    }
    if let Some((first, _)) = input.split_once('/')
        && !first.contains(['.', ':'])
        && first != "localhost"
        && first.to_lowercase() != first
    {
        return Some(Difference::UppercaseHost);
    }
    None
}

fn reason(e: &ProbeError) -> String {
    match e {
        ProbeError::InvalidReference { reason, .. } => reason.clone(),
        other => panic!("not a reference error: {other}"),
    }
}

/// The comparison for one input; returns whether `ImageRef` accepted it.
fn compare(input: &str) -> bool {
    let mine = ImageRef::parse(input);
    let theirs = Reference::try_from(input);
    match difference(input) {
        None => match (&mine, &theirs) {
            (Ok(m), Ok(t)) => {
                assert_eq!(m.registry(), t.registry(), "registry of {input:?}");
                assert_eq!(m.repository(), t.repository(), "repository of {input:?}");
                assert_eq!(m.tag(), t.tag(), "tag of {input:?}");
                assert_eq!(m.digest(), t.digest(), "digest of {input:?}");
            }
            (Err(m), Err(t)) => {
                let m = reason(m);
                let t = t.to_string();
                // Digest and length errors are word for word the same; a format error is the same
                // sentence, with a detail or Docker's lowercase message.
                if t == "invalid reference format" {
                    assert!(
                        m.starts_with("invalid reference format")
                            || m.contains("must be lowercase")
                            || m == "the reference is empty",
                        "reason for {input:?}: {m}"
                    );
                } else if t.starts_with("repository name must have") {
                    assert_eq!(m, "the reference is empty", "reason for {input:?}");
                } else {
                    assert_eq!(m, t, "reason for {input:?}");
                }
            }
            _ => panic!("{input:?}: ImageRef says {mine:?}, oci-client says {theirs:?}"),
        },
        Some(Difference::ImageId) => {
            assert!(theirs.is_ok(), "{input:?}");
            assert!(
                reason(mine.as_ref().unwrap_err()).contains("image ID"),
                "{input:?}"
            );
        }
        Some(Difference::Ipv6Host) => assert!(theirs.is_err(), "{input:?}"),
        Some(Difference::UppercaseDigestHex) => assert!(mine.is_err(), "{input:?}"),
        Some(Difference::DigestAlgorithmCase) => {
            assert!(mine.is_err() && theirs.is_err(), "{input:?}")
        }
        Some(Difference::UnicodeTag) => assert!(mine.is_err(), "{input:?}"),
        Some(Difference::UppercaseHost) => {
            let (first, rest) = input.split_once('/').unwrap();
            // oci-client keeps such a name on Docker Hub, uppercase path and all.
            if let Ok(t) = &theirs {
                assert_eq!(t.registry(), "docker.io", "{input:?}");
                assert!(t.repository().starts_with(first), "{input:?}");
            }
            // Docker's answer is oci-client's for the same first component read as a host: give it a
            // port, which oci-client's domain grammar accepts with any valid host.
            let as_host = Reference::try_from(format!("{first}:1/{rest}").as_str());
            assert_eq!(
                mine.is_ok(),
                as_host.is_ok(),
                "{input:?}: {mine:?} / {as_host:?}"
            );
            if let (Ok(m), Ok(h)) = (&mine, &as_host) {
                assert_eq!(m.registry(), first, "{input:?}");
                assert_eq!(m.repository(), h.repository(), "{input:?}");
                assert_eq!((m.tag(), m.digest()), (h.tag(), h.digest()), "{input:?}");
            }
        }
    }
    mine.is_ok()
}

fn hand_picked() -> Vec<String> {
    let long = "a".repeat(250);
    let mut v: Vec<String> = [
        "app",
        "app:1.0",
        "alice/app",
        "alice/app:latest",
        "docker.io/app",
        "docker.io/library/app:2.0",
        "index.docker.io/alice/app",
        "localhost/app",
        "localhost:5000/app:1.0",
        "localhost:5000/a/b/c/d",
        "127.0.0.1:5000/a/b",
        "registry.example.com/team/app:v1.2.3",
        "Registry.Example:443/app",
        "a.b-c.d/e",
        "a-/b",
        "-a.b/c",
        "a..b/c",
        "a:/b",
        "a:x/b",
        "a:5000",
        "test.com:tag",
        "test.com:5000",
        "test:5000/repo",
        "Alice/app",
        "Alice/app:Tag",
        "LOCALHOST/app",
        "A_b/app",
        "UPPER/Case/app",
        "App",
        "alice/App",
        "alice/app:",
        "alice/app:-bad",
        "alice/app:.bad",
        "alice/app:_ok",
        "alice/app:tag with space",
        "alice/app:Uppercase-Tag",
        "alice//app",
        "/app",
        "app/",
        "alice/app@",
        "alice/app@sha256:abc",
        "alice/app@@sha256",
        "a__b/c",
        "a___b/c",
        "a._b/c",
        "a-_b/c",
        "a---b/c",
        "a.b_c/d",
        "a_b.c/app",
        "app:é",
        "app:tagé",
        "é/app",
        "app/é",
        "",
        " ",
        "app ",
        "[::1]:5000/app",
        "[::1]/app",
        "[2001:db8::1]:5000/a/b:1.0",
        "[::1]",
        "[g::1]:5000/app",
        "[::1/app",
        "a:1:2/app",
        "a.b:123456789/app",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for digest in [
        format!("sha256:{HEX}"),
        format!("sha256:{}", HEX.to_uppercase()),
        format!("sha256:{}", &HEX[..63]),
        format!("sha384:{HEX}{}", &HEX[..32]),
        format!("sha512:{HEX}{HEX}"),
        format!("sha512:{HEX}"),
        format!("md5:{}", &HEX[..32]),
        format!("SHA256:{HEX}"),
        format!("sha256+b64:{HEX}"),
        format!("1sha:{HEX}"),
        format!("sha256:{}", &HEX[..31]),
        format!("sha256:{}g", &HEX[..63]),
    ] {
        v.push(format!("alice/app@{digest}"));
        v.push(format!("localhost:5000/app:1.0@{digest}"));
    }
    v.push(HEX.to_string());
    v.push(HEX.to_uppercase());
    v.push(format!("{HEX}:1.0"));
    v.push(HEX[..63].to_string());
    v.push(format!("alice/app:{}", "t".repeat(128)));
    v.push(format!("alice/app:{}", "t".repeat(129)));
    // Around the 255-byte path limit, on Docker Hub (where `library/` counts) and elsewhere.
    for n in [245, 246, 247, 254, 255, 256] {
        v.push(format!("ghcr.io/{}", "a".repeat(n)));
        v.push(format!("{}/b", &long[..n.min(250)]));
        v.push("a".repeat(n));
    }
    v
}

/// A small deterministic generator (xorshift), so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn pick_mostly_valid<'a>(&mut self, (valid, invalid): (&[&'a str], &[&'a str])) -> &'a str {
        if self.next().is_multiple_of(4) {
            self.pick(invalid)
        } else {
            self.pick(valid)
        }
    }
}

fn generated(count: usize) -> Vec<String> {
    // Valid pieces three times in four, so that both outcomes are frequent.
    let domains: (&[&str], &[&str]) = (
        &[
            "",
            "",
            "",
            "docker.io",
            "index.docker.io",
            "localhost",
            "localhost:5000",
            "ghcr.io",
            "127.0.0.1:5001",
            "Registry.Example:443",
            "a-b.example",
            "x:1",
            "[::1]:5000",
            "[fe80::1]",
            "Alice",
            "UP.io",
        ],
        &[
            "a_b.c", "-bad.io", "bad-.io", "a..b", "host:", "[::1", "A_b",
        ],
    );
    let components: (&[&str], &[&str]) = (
        &[
            "app",
            "alice",
            "a",
            "a1",
            "library",
            "a.b",
            "a_b",
            "a__b",
            "a-b",
            "a--b",
            "python-canvas-client",
            "0",
        ],
        &[
            "App", "a.", "_a", "a___b", "a..b", "a-", "a b", "é", "", "a:b",
        ],
    );
    let tags: (&[&str], &[&str]) = (
        &["", "", "", "1.0", "latest", "v1.2.3-rc_1", "A", "_x", "x."],
        &["-x", ".x", "é", "has space", "a:b"],
    );
    let digests: (&[&str], &[&str]) = (
        &["", "", "", "", "sha256:HEX", "sha512:HEXHEX"],
        &[
            "sha256:UPPER",
            "sha512:HEX",
            "md5:HEX",
            "sha256:short",
            "SHA256:HEX",
        ],
    );
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let mut s = String::new();
        let domain = rng.pick_mostly_valid(domains);
        if !domain.is_empty() {
            s.push_str(domain);
            s.push('/');
        }
        let depth = 1 + rng.next() % 3;
        for i in 0..depth {
            if i > 0 {
                s.push('/');
            }
            s.push_str(rng.pick_mostly_valid(components));
        }
        let tag = rng.pick_mostly_valid(tags);
        if !tag.is_empty() {
            s.push(':');
            s.push_str(tag);
        }
        let digest = rng.pick_mostly_valid(digests);
        if !digest.is_empty() {
            let digest = digest
                .replace("UPPER", &HEX.to_uppercase())
                .replace("HEX", HEX)
                .replace("short", &HEX[..20]);
            s.push('@');
            s.push_str(&digest);
        }
        // One in eight gets a stray character somewhere.
        if rng.next().is_multiple_of(8) && !s.is_empty() {
            let stray = rng.pick(&["/", ":", "@", ".", "-", "_", "A", " ", "é", "["]);
            let mut at = (rng.next() % s.len() as u64) as usize;
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            s.insert_str(at, stray);
        }
        out.push(s);
    }
    out
}

#[test]
fn hand_picked_edge_cases_agree_with_oci_client_or_docker() {
    let corpus = hand_picked();
    let accepted = corpus.iter().filter(|s| compare(s)).count();
    // Both kinds are well represented, so agreement is not agreement on rejecting everything.
    assert!(
        accepted > 30 && corpus.len() - accepted > 30,
        "{accepted} of {}",
        corpus.len()
    );
}

#[test]
fn generated_references_agree_with_oci_client_or_docker() {
    let corpus = generated(600);
    let accepted = corpus.iter().filter(|s| compare(s)).count();
    let differences = corpus.iter().filter(|s| difference(s).is_some()).count();
    assert!(
        accepted > 100 && corpus.len() - accepted > 100,
        "{accepted} of {}",
        corpus.len()
    );
    assert!(
        differences > 20,
        "only {differences} inputs exercise a documented difference"
    );
}

/// What Docker accepts where `oci-client` does not, spelled out.
#[test]
fn docker_only_forms() {
    let v6 = ImageRef::parse("[2001:db8::1]:5000/a/b:1.0").unwrap();
    assert_eq!(
        (v6.registry(), v6.repository(), v6.tag()),
        ("[2001:db8::1]:5000", "a/b", Some("1.0"))
    );
    assert_eq!(ImageRef::parse("[::1]/app").unwrap().registry(), "[::1]");
    for bad in [
        "[g::1]:5000/app",
        "[::1/app",
        "[]:5000/app",
        "[::1]x/app",
        "[::1]:/app",
    ] {
        assert!(ImageRef::parse(bad).is_err(), "{bad}");
    }
    let upper = ImageRef::parse("Alice/app").unwrap();
    assert_eq!((upper.registry(), upper.repository()), ("Alice", "app"));
    let e = reason(&ImageRef::parse(&format!("app@sha256:{}", HEX.to_uppercase())).unwrap_err());
    assert_eq!(e, "invalid checksum digest format");
    let e = reason(&ImageRef::parse("app:é").unwrap_err());
    assert!(e.starts_with("invalid reference format: tag `é`"), "{e}");
}

/// The reasons say which part broke, in Docker's words first.
#[test]
fn reasons_name_the_broken_part() {
    for (input, want) in [
        (
            "alice//app",
            "invalid reference format: empty path component",
        ),
        (
            "alice/app:",
            "invalid reference format: empty tag after `:`",
        ),
        (
            "alice/app@",
            "invalid reference format: empty digest after `@`",
        ),
        ("a@b@c", "invalid reference format: more than one `@`"),
        (
            "alice/a..b",
            "invalid reference format: path component `a..b` may only hold",
        ),
        (
            "-bad.io/app",
            "invalid reference format: `-bad.io` is neither a registry host",
        ),
        (
            "alice/app:-x",
            "invalid reference format: tag `-x` may only hold",
        ),
        (
            "alice/app@sha256:abc",
            "invalid reference format: digest `sha256:abc` is not",
        ),
        ("alice/App", "repository name `alice/App` must be lowercase"),
    ] {
        let got = reason(&ImageRef::parse(input).unwrap_err());
        assert!(got.starts_with(want), "{input:?}: {got}");
    }
    let long = format!("ghcr.io/{}", "a".repeat(256));
    assert_eq!(
        reason(&ImageRef::parse(&long).unwrap_err()),
        "repository name must not be more than 255 characters"
    );
}

//! The distribution grammar of image references (Docker's `reference` package: `regexp.go`,
//! `reference.go`, and `go-digest` for the digest), checked byte by byte. `oci-spec` checks the same
//! grammar with a Unicode regular expression whose compilation cost every `lint` and `check` process
//! about 45 ms before it had parsed a single name; this parser costs nothing to start and a few hundred
//! nanoseconds a reference. The productions, in the package's own words:
//!
//! ```text
//! reference       := name [ ":" tag ] [ "@" digest ]
//! name            := [ domain-and-port "/" ] path-component ( "/" path-component )*
//! domain-and-port := ( domain-name | "[" [a-fA-F0-9:]+ "]" ) [ ":" [0-9]+ ]
//! domain-name     := domain-component ( "." domain-component )*
//! domain-component:= [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//! path-component  := [a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )*
//! tag             := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//! digest          := algorithm ":" [0-9a-fA-F]{32,}
//! algorithm       := [A-Za-z][A-Za-z0-9]* ( [-_+.] [A-Za-z][A-Za-z0-9]* )*
//! ```
//!
//! A path longer than 255 bytes is refused, and a digest must then also satisfy `go-digest`: a known
//! algorithm (`sha256`, `sha384`, `sha512`) with exactly its length of lowercase hex.

use std::fmt;

/// The longest repository path the distribution package accepts (`RepositoryNameTotalLengthMax`).
pub const PATH_MAX: usize = 255;
/// The longest tag (`[\w][\w.-]{0,127}`).
pub const TAG_MAX: usize = 128;

/// What a reference is made of, as slices of the input. `domain` is what the package's anchored name
/// expression captures: the first component when it is a valid domain and more components follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts<'a> {
    pub name: &'a str,
    pub domain: Option<&'a str>,
    pub path: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Why a reference does not parse. The messages are the distribution package's (which `oci-spec` shares),
/// with a detail where the package's "invalid reference format" leaves the reader guessing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrammarError {
    /// `ErrNameEmpty`.
    NameEmpty,
    /// `ErrReferenceInvalidFormat`, with the part of the reference that broke the grammar.
    InvalidFormat(Detail),
    /// `ErrNameContainsUppercase`: the reference parses once lowercased.
    NameContainsUppercase,
    /// `ErrNameTooLong`.
    NameTooLong,
    /// go-digest's `ErrDigestInvalidFormat`.
    DigestInvalidFormat,
    /// go-digest's `ErrDigestInvalidLength`.
    DigestInvalidLength,
    /// go-digest's `ErrDigestUnsupported`.
    DigestUnsupported,
}

/// Which production an invalid reference broke, so that a message can say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// More than one `@`.
    TwoDigests,
    /// An empty path component (`a//b`, a leading or trailing `/`).
    EmptyComponent,
    /// A path component outside `[a-z0-9]` with `.`, `_`, `__` or `-` between.
    Component(String),
    /// A first component that is neither a domain nor a path component.
    Domain(String),
    /// A tag outside `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    Tag(String),
    /// A digest outside `algorithm:hex` with at least 32 hex digits.
    Digest(String),
}

impl fmt::Display for GrammarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrammarError::NameEmpty => {
                f.write_str("repository name must have at least one component")
            }
            GrammarError::InvalidFormat(detail) => {
                f.write_str("invalid reference format")?;
                match detail {
                    Detail::TwoDigests => f.write_str(": more than one `@`"),
                    Detail::EmptyComponent => f.write_str(": empty path component"),
                    Detail::Component(c) => write!(
                        f,
                        ": path component `{c}` may only hold lowercase letters and digits, \
                         separated by `.`, `_`, `__` or dashes"
                    ),
                    Detail::Domain(d) => {
                        write!(f, ": `{d}` is neither a registry host nor a path component")
                    }
                    Detail::Tag(t) if t.is_empty() => f.write_str(": empty tag after `:`"),
                    Detail::Digest(d) if d.is_empty() => f.write_str(": empty digest after `@`"),
                    Detail::Tag(t) => write!(
                        f,
                        ": tag `{t}` may only hold letters, digits, `_`, `.` and `-` \
                         (at most 128, not starting with `.` or `-`)"
                    ),
                    Detail::Digest(d) => write!(
                        f,
                        ": digest `{d}` is not `algorithm:hex` with at least 32 hexadecimal digits"
                    ),
                }
            }
            GrammarError::NameContainsUppercase => f.write_str("repository name must be lowercase"),
            GrammarError::NameTooLong => {
                write!(
                    f,
                    "repository name must not be more than {PATH_MAX} characters"
                )
            }
            GrammarError::DigestInvalidFormat => f.write_str("invalid checksum digest format"),
            GrammarError::DigestInvalidLength => f.write_str("invalid checksum digest length"),
            GrammarError::DigestUnsupported => f.write_str("unsupported digest algorithm"),
        }
    }
}

/// The distribution package's `Parse`: the grammar, then the path length, then go-digest.
pub fn parse(s: &str) -> Result<Parts<'_>, GrammarError> {
    if s.is_empty() {
        return Err(GrammarError::NameEmpty);
    }
    let parts = match split(s) {
        Ok(parts) => parts,
        Err(detail) => {
            // The package reports uppercase only when lowercasing alone would have made it valid.
            let lower = s.to_ascii_lowercase();
            if lower != s && split(&lower).is_ok() {
                return Err(GrammarError::NameContainsUppercase);
            }
            return Err(GrammarError::InvalidFormat(detail));
        }
    };
    if parts.path.len() > PATH_MAX {
        return Err(GrammarError::NameTooLong);
    }
    if let Some(digest) = parts.digest {
        validate_digest(digest)?;
    }
    Ok(parts)
}

/// The anchored `ReferencePattern` with its captures. Only the domain/path split is ambiguous in the
/// grammar; like the package's leftmost-first match, a valid domain followed by more components is taken
/// as the domain.
fn split(s: &str) -> Result<Parts<'_>, Detail> {
    let (rest, digest) = match s.split_once('@') {
        Some((_, d)) if d.contains('@') => return Err(Detail::TwoDigests),
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest
        && !is_digest(d)
    {
        return Err(Detail::Digest(d.to_string()));
    }
    // Neither a tag nor a path component holds `/` or `:`, so a tag is a `:` after the last `/`.
    let last = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last..].find(':') {
        Some(i) => (&rest[..last + i], Some(&rest[last + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag
        && !is_tag(t)
    {
        return Err(Detail::Tag(t.to_string()));
    }
    let (domain, path) = match name.split_once('/') {
        // A valid domain is the domain; the path interpretation would need the same remainder anyway.
        Some((first, rest)) if is_domain(first) => {
            check_remote_name(rest)?;
            (Some(first), rest)
        }
        Some(("", _)) => return Err(Detail::EmptyComponent),
        Some((first, _)) if !is_path_component(first) => {
            return Err(Detail::Domain(first.to_string()));
        }
        _ => {
            check_remote_name(name)?;
            (None, name)
        }
    };
    Ok(Parts {
        name,
        domain,
        path,
        tag,
        digest,
    })
}

/// `path-component ( "/" path-component )*`, naming the first component that breaks it.
fn check_remote_name(s: &str) -> Result<(), Detail> {
    for component in s.split('/') {
        if component.is_empty() {
            return Err(Detail::EmptyComponent);
        }
        if !is_path_component(component) {
            return Err(Detail::Component(component.to_string()));
        }
    }
    Ok(())
}

/// `[a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )*`.
pub fn is_path_component(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut i = 0;
    loop {
        // A run of letters and digits, at least one.
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        // One separator: `.`, `_`, `__`, or any number of dashes.
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if b.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while b.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

/// `( domain-name | "[" [a-fA-F0-9:]+ "]" ) [ ":" [0-9]+ ]`.
pub fn is_domain(s: &str) -> bool {
    let (host_ok, port) = if let Some(inner) = s.strip_prefix('[') {
        match inner.split_once(']') {
            Some((v6, after)) => (
                !v6.is_empty() && v6.bytes().all(|c| c.is_ascii_hexdigit() || c == b':'),
                match after {
                    "" => None,
                    _ => match after.strip_prefix(':') {
                        Some(p) => Some(p),
                        None => return false,
                    },
                },
            ),
            None => return false,
        }
    } else {
        let (host, port) = match s.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        };
        (host.split('.').all(is_domain_component), port)
    };
    host_ok && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
}

/// `[a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`.
fn is_domain_component(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        }
        _ => false,
    }
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`: Go's `\w` is ASCII only.
pub fn is_tag(s: &str) -> bool {
    let b = s.as_bytes();
    let word = |c: &u8| c.is_ascii_alphanumeric() || *c == b'_';
    !b.is_empty()
        && b.len() <= TAG_MAX
        && word(&b[0])
        && b[1..].iter().all(|c| word(c) || *c == b'.' || *c == b'-')
}

/// `algorithm ":" [0-9a-fA-F]{32,}` with `algorithm := [A-Za-z][A-Za-z0-9]* ( [-_+.] [A-Za-z][A-Za-z0-9]* )*`.
fn is_digest(s: &str) -> bool {
    let Some((algorithm, hex)) = s.split_once(':') else {
        return false;
    };
    let algorithm_ok = algorithm.split(['-', '_', '+', '.']).all(|part| {
        let b = part.as_bytes();
        !b.is_empty() && b[0].is_ascii_alphabetic() && b.iter().all(u8::is_ascii_alphanumeric)
    });
    algorithm_ok && hex.len() >= 32 && hex.bytes().all(|c| c.is_ascii_hexdigit())
}

/// go-digest's `Digest.Validate` on a digest that already matched the grammar: only `sha256`, `sha384`
/// and `sha512` are available, each with exactly its length of lowercase hex.
fn validate_digest(digest: &str) -> Result<(), GrammarError> {
    let (algorithm, hex) = digest.split_once(':').unwrap_or((digest, ""));
    let length = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        // go-digest's own digest expression has a lowercase algorithm; other spellings are malformed.
        other if other.bytes().all(|c| !c.is_ascii_uppercase()) => {
            return Err(GrammarError::DigestUnsupported);
        }
        _ => return Err(GrammarError::DigestInvalidFormat),
    };
    if hex.len() != length {
        return Err(GrammarError::DigestInvalidLength);
    }
    if hex
        .bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    {
        Ok(())
    } else {
        Err(GrammarError::DigestInvalidFormat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn path_components() {
        for ok in [
            "a",
            "a1",
            "a.b",
            "a_b",
            "a__b",
            "a-b",
            "a---b",
            "a.b-c_d__e",
            "0",
        ] {
            assert!(is_path_component(ok), "{ok}");
        }
        for bad in [
            "", "A", "a.", ".a", "a..b", "a___b", "a._b", "a-_b", "_a", "a-", "a b", "é",
        ] {
            assert!(!is_path_component(bad), "{bad}");
        }
    }

    #[test]
    fn domains() {
        for ok in [
            "localhost",
            "a",
            "Registry.Example",
            "a-b.c",
            "a:5000",
            "1.2.3.4:1",
            "[::1]",
            "[::1]:5000",
            "[2001:DB8::1]",
        ] {
            assert!(is_domain(ok), "{ok}");
        }
        for bad in [
            "", "-a", "a-", "a..b", "a:", "a:x", "[]", "[::1", "[::1]x", "[g::1]", "a_b", "[::1]:",
        ] {
            assert!(!is_domain(bad), "{bad}");
        }
    }

    #[test]
    fn tags_and_digests() {
        assert!(is_tag("A_1.0-rc"));
        assert!(is_tag(&"a".repeat(128)));
        assert!(!is_tag(&"a".repeat(129)));
        assert!(!is_tag("-a") && !is_tag(".a") && !is_tag("") && !is_tag("é"));
        assert!(is_digest(&format!("sha256:{HEX}")));
        assert!(is_digest(&format!("a+b.c-d_e:{}", &HEX[..32])));
        assert!(!is_digest(&format!("1a:{HEX}")) && !is_digest("sha256:abc"));
        assert_eq!(validate_digest(&format!("sha256:{HEX}")), Ok(()));
        let upper = format!("sha256:{}", HEX.to_uppercase());
        assert_eq!(
            validate_digest(&upper),
            Err(GrammarError::DigestInvalidFormat)
        );
        assert_eq!(
            validate_digest(&format!("md5:{HEX}")),
            Err(GrammarError::DigestUnsupported)
        );
        assert_eq!(
            validate_digest(&format!("SHA256:{HEX}")),
            Err(GrammarError::DigestInvalidFormat)
        );
        assert_eq!(
            validate_digest(&format!("sha512:{HEX}")),
            Err(GrammarError::DigestInvalidLength)
        );
    }

    #[test]
    fn parts_and_errors() {
        let p = parse("localhost:5000/a/b:1.0").unwrap();
        assert_eq!(
            (p.domain, p.path, p.tag),
            (Some("localhost:5000"), "a/b", Some("1.0"))
        );
        let p = parse("a_b.c/app").unwrap(); // not a domain, so the whole name is the path
        assert_eq!((p.domain, p.path), (None, "a_b.c/app"));
        assert_eq!(parse(""), Err(GrammarError::NameEmpty));
        assert_eq!(
            parse("docker.io/App"),
            Err(GrammarError::NameContainsUppercase)
        );
        assert_eq!(
            parse(&format!("a/{}", "b".repeat(256))),
            Err(GrammarError::NameTooLong)
        );
        assert!(matches!(
            parse("a//b"),
            Err(GrammarError::InvalidFormat(Detail::EmptyComponent))
        ));
        assert!(matches!(
            parse("a@b@c"),
            Err(GrammarError::InvalidFormat(Detail::TwoDigests))
        ));
    }
}

//! Reading `WWW-Authenticate`, which may hold several challenges (`Basic realm="x", Bearer
//! realm="y",service="z"`), with the `http-auth` crate's RFC 7235 parser rather than one of our own.
//! Registries use the parameter form only (`realm`, `service`, `scope`, `error`).

use std::collections::BTreeMap;

use http_auth::parser::ChallengeParser;

/// One `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Lowercased: `bearer`, `basic`.
    pub scheme: String,
    /// Lowercased parameter names; values unquoted.
    pub params: BTreeMap<String, String>,
}

/// Parse a `WWW-Authenticate` value. Quoted values may contain commas and `\"`. A syntax error ends the
/// list: the challenges before it still count, as a lenient client would read them.
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    ChallengeParser::new(header)
        .map_while(Result::ok)
        .map(|c| Challenge {
            scheme: c.scheme.to_ascii_lowercase(),
            params: c
                .params
                .iter()
                .map(|(name, value)| (name.to_ascii_lowercase(), value.to_unescaped()))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenge_from_docker_hub() {
        let challenges = parse_challenges(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:alice/app:pull,push""#,
        );
        assert_eq!(challenges.len(), 1);
        let c = &challenges[0];
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.docker.io/token");
        assert_eq!(c.params["service"], "registry.docker.io");
        assert_eq!(c.params["scope"], "repository:alice/app:pull,push");
    }

    #[test]
    fn basic_challenges_escapes_and_several_schemes() {
        let c = parse_challenges(r#"Basic realm="Registry Realm""#);
        assert_eq!(c[0].scheme, "basic");
        assert_eq!(c[0].params["realm"], "Registry Realm");

        let c = parse_challenges(
            r#"Basic realm="a \"quoted\", realm", Bearer realm="http://127.0.0.1:5003/token", service=lab, error="insufficient_scope""#,
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].params["realm"], r#"a "quoted", realm"#);
        assert_eq!(c[1].scheme, "bearer");
        assert_eq!(c[1].params["service"], "lab");
        assert_eq!(c[1].params["error"], "insufficient_scope");
        assert!(parse_challenges("").is_empty());
    }
}

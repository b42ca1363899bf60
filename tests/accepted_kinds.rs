//! `accept_only_verified`, the library's one rule of which credential kinds count as verified,
//! as a table over every combination of JWT verifier, introspection client and API key store,
//! and every kind of credential a request can carry.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use axum_userinfo::test_util::{TestKey, TokenBuilder};
use axum_userinfo::{
    ConfigError, CredentialKind, ResolveError, Resolver, api_keys::ApiKeyList,
    introspect::IntrospectionClient, verify::JwtVerifier,
};
use http::{HeaderMap, HeaderValue};

const ISSUER: &str = "https://issuer.example.com";
const KEY: &str = "sk-known-0001";

/// What a credential came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// A user.
    User,
    /// Refused because its kind is not accepted.
    NotAccepted,
    /// Its kind is accepted, and the thing that verifies it refused it or could not answer
    /// here (an introspection call needs `resolve_async`).
    Checked,
}
use Outcome::{Checked, NotAccepted, User};

fn signed_jwt() -> String {
    TokenBuilder::new(ISSUER, TestKey::Ec)
        .subject("alice")
        .sign()
}

/// Every credential a request can carry, by name.
fn credentials() -> Vec<(&'static str, HeaderMap)> {
    let header = |name: &'static str, value: String| {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::try_from(value).unwrap());
        headers
    };
    // {"alg":"none"}.{"iss":ISSUER,"sub":"mallory","label":"ci-robot","scope":"admin"}.
    let unsigned = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlLmNvbSIsInN1YiI6Im1hbGxvcnkiLCJsYWJlbCI6ImNpLXJvYm90Iiwic2NvcGUiOiJhZG1pbiJ9.";
    vec![
        ("basic", header("authorization", "Basic eDp5".into())),
        ("cookie", header("cookie", "nat-session=anything".into())),
        (
            "unsigned jwt",
            header("authorization", format!("Bearer {unsigned}")),
        ),
        (
            "signed jwt",
            header("authorization", format!("Bearer {}", signed_jwt())),
        ),
        ("known key, x-api-key", header("x-api-key", KEY.into())),
        (
            "known key, bearer",
            header("authorization", format!("Bearer {KEY}")),
        ),
        (
            "unknown key, x-api-key",
            header("x-api-key", "sk-unknown".into()),
        ),
    ]
}

fn resolver(jwt: bool, introspection: bool, keys: bool) -> Result<Resolver, ConfigError> {
    let mut builder = Resolver::builder().accept_only_verified();
    if jwt {
        let key = TestKey::Ec.verification_key();
        let verifier = JwtVerifier::builder(ISSUER).with_key(key).build()?;
        builder = builder.with_verifier(verifier);
    }
    if introspection {
        let client = IntrospectionClient::builder("https://auth.example.com")
            .with_endpoint("https://auth.example.com/introspect")
            .with_client_credentials("api", "a secret")
            .build()?;
        builder = builder.with_introspection(client);
    }
    if keys {
        builder = builder.with_api_keys(ApiKeyList::parse(&format!("{KEY} robot\n"))?);
    }
    builder.build()
}

fn outcome(result: Result<Option<axum_userinfo::UserInfo>, ResolveError>) -> Outcome {
    match result {
        Ok(Some(_)) => User,
        Ok(None) => panic!("a credential was sent"),
        Err(ResolveError::NotAccepted(_)) => NotAccepted,
        Err(_) => Checked,
    }
}

#[test]
fn only_what_something_verifies_is_accepted() {
    // (verifier, introspection, key store) → the outcome of each credential of `credentials()`:
    // basic, cookie, unsigned jwt, signed jwt, known key (x-api-key), known key (bearer),
    // unknown key.
    #[rustfmt::skip]
    let table = [
        ((true, false, false),  [NotAccepted, NotAccepted, Checked, User, NotAccepted, NotAccepted, NotAccepted]),
        ((false, true, false),  [NotAccepted, NotAccepted, Checked, Checked, NotAccepted, Checked, NotAccepted]),
        ((false, false, true),  [NotAccepted, NotAccepted, NotAccepted, NotAccepted, User, User, Checked]),
        ((true, true, false),   [NotAccepted, NotAccepted, Checked, User, NotAccepted, Checked, NotAccepted]),
        ((true, false, true),   [NotAccepted, NotAccepted, Checked, User, User, User, Checked]),
        ((false, true, true),   [NotAccepted, NotAccepted, Checked, Checked, User, Checked, Checked]),
        ((true, true, true),    [NotAccepted, NotAccepted, Checked, User, User, Checked, Checked]),
    ];
    for ((jwt, introspection, keys), expected) in table {
        let resolver = resolver(jwt, introspection, keys).unwrap();
        let accepted = resolver.accepted_kinds();
        assert_eq!(accepted.contains(CredentialKind::Jwt), jwt);
        assert_eq!(
            accepted.contains(CredentialKind::OpaqueToken),
            introspection
        );
        assert_eq!(accepted.contains(CredentialKind::ApiKey), keys);
        assert!(!accepted.contains(CredentialKind::Basic));
        assert!(!accepted.contains(CredentialKind::SessionCookie));
        for ((name, headers), expected) in credentials().into_iter().zip(expected) {
            let got = outcome(resolver.resolve(&headers));
            assert_eq!(
                got, expected,
                "{name} with verifier={jwt} introspection={introspection} keys={keys}"
            );
        }
    }
}

#[test]
fn nothing_that_verifies_is_a_configuration_error() {
    assert_eq!(
        resolver(false, false, false).err(),
        Some(ConfigError::NothingVerifies)
    );
    let message = ConfigError::NothingVerifies.to_string();
    for fix in ["with_verifier", "with_introspection", "with_api_keys"] {
        assert!(message.contains(fix), "{message}");
    }
    let both = Resolver::builder()
        .with_api_keys(ApiKeyList::parse("k robot\n").unwrap())
        .with_accepted_kinds([CredentialKind::ApiKey])
        .accept_only_verified()
        .build();
    assert_eq!(both.err(), Some(ConfigError::AcceptedKindsTwice));
    let header = Resolver::builder()
        .with_identity_header("x-user")
        .with_api_keys(ApiKeyList::parse("k robot\n").unwrap())
        .accept_only_verified()
        .build();
    assert_eq!(
        header.err(),
        Some(ConfigError::IdentityHeaderWithAcceptedKinds)
    );
}

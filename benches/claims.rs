//! `Claims<T>` on a cached token, beside `Extension<UserInfo>`: the claims of a ~1 KB
//! Keycloak access token into a 6-field struct (`claims/typed`), against the clone of the
//! request's `UserInfo` that `Extension<UserInfo>` (and `Claims<T>` itself) takes
//! (`claims/extension`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;

use axum_userinfo::test_util::{TestKey, TokenBuilder};
use axum_userinfo::verify::JwtVerifier;
use axum_userinfo::{Resolver, UserInfo};
use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue};
use serde_json::json;

const ISS: &str = "https://sso.example.com/realms/main";

/// Six fields an application reads of a Keycloak token.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Keycloak {
    sub: String,
    preferred_username: String,
    email: String,
    realm_access: Roles,
    resource_access: std::collections::HashMap<String, Roles>,
    exp: u64,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Roles {
    roles: Vec<String>,
}

fn user() -> UserInfo {
    let key = TestKey::Rsa1;
    let token = TokenBuilder::new(ISS, key)
        .subject("f2a7d6d2-a32a-5029-b4af-78c8ff784830")
        .claim("exp", 4_000_000_000_u64)
        .claim("iat", 1_700_000_000_u64)
        .claim("jti", "0b5f7a4e-6c1b-4d8f-9e1a-2f3c4d5e6f70")
        .claim("typ", "Bearer")
        .claim("azp", "web-app")
        .claim("session_state", "8d1b2c3e-4f50-6172-8394-a5b6c7d8e9f0")
        .claim("acr", "1")
        .claim("allowed-origins", json!(["https://app.example.com"]))
        .claim("realm_access", json!({"roles": ["offline_access", "uma_authorization", "default-roles-main", "admin"]}))
        .claim("resource_access", json!({"api": {"roles": ["orders:read", "orders:write"]}, "account": {"roles": ["manage-account", "view-profile"]}}))
        .claim("scope", "openid profile email")
        .claim("sid", "8d1b2c3e-4f50-6172-8394-a5b6c7d8e9f0")
        .claim("email_verified", true)
        .claim("name", "Ada Lovelace")
        .claim("preferred_username", "ada")
        .claim("given_name", "Ada")
        .claim("family_name", "Lovelace")
        .claim("email", "ada@example.com")
        .sign();
    let verifier = JwtVerifier::builder(ISS)
        .with_key(key.verification_key())
        .allow_any_audience()
        .build()
        .unwrap();
    let resolver = Resolver::builder().with_verifier(verifier).build().unwrap();
    let mut headers = HeaderMap::new();
    let bearer = HeaderValue::try_from(format!("Bearer {token}")).unwrap();
    headers.insert("authorization", bearer);
    assert!(token.len() > 900, "a ~1 KB token: {}", token.len());
    resolver.resolve(&headers).unwrap().unwrap()
}

fn claims(c: &mut Criterion) {
    let user = user();
    let mut extensions = http::Extensions::new();
    extensions.insert(user.clone());
    let typed: Keycloak = user.claims_as().unwrap();
    assert_eq!(typed.preferred_username, "ada");
    let mut group = c.benchmark_group("claims");
    group.bench_function("extension", |b| {
        b.iter(|| black_box(&extensions).get::<UserInfo>().cloned())
    });
    group.bench_function("typed", |b| {
        b.iter(|| black_box(&user).claims_as::<Keycloak>().unwrap())
    });
    // The anchor: serde_json alone on the payload's text (what the typed claims are read from).
    let payload = user.claims().unwrap().claims().clone();
    let text = serde_json::to_string(&payload).unwrap();
    group.bench_function("serde_json_alone", |b| {
        b.iter(|| serde_json::from_str::<Keycloak>(black_box(&text)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, claims);
criterion_main!(benches);

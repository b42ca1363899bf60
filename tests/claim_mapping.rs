//! Claim mapping: each provider's preset against a token shaped as that provider documents it
//! (`tests/fixtures/claims/*.json`, the source named in each), in the library and through the
//! demo's guards over real HTTP; a missing path or a wrong type grants nothing; without a
//! mapping, the reference's fields are untouched.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../examples/server/app.rs"]
#[allow(dead_code, unreachable_pub)]
mod app;

use std::net::SocketAddr;

use axum_userinfo::identity::{ClaimMapping, ClaimPath};
use axum_userinfo::test_util::TestIdp;
use axum_userinfo::{Guard, Resolver, UserInfo};
use http::{HeaderMap, HeaderValue};
use serde_json::{Map, Value};

/// A fixture's claims (without its `_source`).
fn fixture(name: &str) -> Map<String, Value> {
    let path = format!(
        "{}/tests/fixtures/claims/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let mut claims: Map<String, Value> = serde_json::from_str(&text).unwrap();
    assert!(
        claims.remove("_source").is_some(),
        "{name} names its source"
    );
    claims
}

/// `claims` signed by `idp` (its `iss`).
fn token(idp: &TestIdp, claims: &Map<String, Value>) -> String {
    let mut token = idp.token();
    for (name, value) in claims {
        token = token.claim(name, value.clone());
    }
    token.sign()
}

async fn user(
    idp: &TestIdp,
    mapping: Option<ClaimMapping>,
    claims: &Map<String, Value>,
) -> UserInfo {
    let mut verifier = idp.verifier().allow_any_audience();
    if let Some(mapping) = mapping {
        verifier = verifier.with_claim_mapping(mapping);
    }
    let resolver = Resolver::builder()
        .with_verifier(verifier.build().unwrap())
        .build()
        .unwrap();
    let mut headers = HeaderMap::new();
    let bearer = HeaderValue::try_from(format!("Bearer {}", token(idp, claims))).unwrap();
    headers.insert("authorization", bearer);
    resolver.resolve_async(&headers).await.unwrap().unwrap()
}

#[tokio::test]
async fn each_preset_reads_its_providers_token() {
    let idp = TestIdp::start().await;
    let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    // (fixture, preset, scopes, roles, groups)
    #[allow(clippy::type_complexity)]
    let cases: [(&str, ClaimMapping, &[&str], &[&str], &[&str]); 6] = [
        (
            "keycloak",
            ClaimMapping::keycloak(None),
            &["openid", "profile", "email"],
            &["offline_access", "uma_authorization", "default-roles-main"],
            &["/admins"],
        ),
        (
            "keycloak",
            "keycloak:orders-api".parse().unwrap(),
            &["openid", "profile", "email"],
            &["orders:write"],
            &["/admins"],
        ),
        (
            "auth0",
            "auth0:https://example.com/".parse().unwrap(),
            &["orders:read", "orders:write"],
            &["admin"],
            &[],
        ),
        (
            "cognito",
            ClaimMapping::cognito(),
            &["aws.cognito.signin.user.admin", "orders/read"],
            &[],
            &["admins"],
        ),
        (
            "entra",
            ClaimMapping::entra(),
            &["User.Read", "Orders.Read"],
            &["Orders.Write"],
            &["7b4b5c2a-6d4e-4f3a-9c1b-0a2b3c4d5e6f"],
        ),
        (
            "okta",
            ClaimMapping::okta(),
            &["openid", "orders.read"],
            &[],
            &["Everyone", "Admins"],
        ),
    ];
    for (name, mapping, scopes, roles, groups) in cases {
        let claims = fixture(name);
        let mapped = user(&idp, Some(mapping), &claims).await;
        assert_eq!(mapped.granted_scopes(), strings(scopes), "{name} scopes");
        assert_eq!(mapped.granted_roles(), strings(roles), "{name} roles");
        assert_eq!(mapped.granted_groups(), strings(groups), "{name} groups");
        // The reference's fields are the reference's, mapping or not.
        let plain = user(&idp, None, &claims).await;
        assert_eq!(mapped.jwt(), plain.jwt(), "{name}");
        assert_eq!(mapped.user_id(), plain.user_id(), "{name}");
    }
}

#[tokio::test]
async fn a_missing_path_or_a_wrong_type_grants_nothing() {
    let idp = TestIdp::start().await;
    let guard = Guard::new("writers").any_role(["orders:write"]).unwrap();
    let mut claims = fixture("keycloak");
    let mapping = || "keycloak:orders-api".parse::<ClaimMapping>().unwrap();
    assert!(
        guard
            .authorize(Some(&user(&idp, Some(mapping()), &claims).await))
            .is_ok()
    );
    // Another client: the path is missing.
    let other = "keycloak:billing".parse::<ClaimMapping>().unwrap();
    assert!(
        guard
            .authorize(Some(&user(&idp, Some(other), &claims).await))
            .is_err()
    );
    // The roles of another type: a string list with a number in it, an object.
    for wrong in [
        serde_json::json!(["orders:write", 7]),
        serde_json::json!({"a": 1}),
    ] {
        claims.insert(
            "resource_access".into(),
            serde_json::json!({"orders-api": {"roles": wrong}}),
        );
        let user = user(&idp, Some(mapping()), &claims).await;
        assert!(user.granted_roles().is_empty());
        assert!(guard.authorize(Some(&user)).is_err());
    }
    // Paths are read as JSON Pointer writes them, and the first present one wins.
    let path: ClaimPath = "https:~1~1example.com~1roles".parse().unwrap();
    assert_eq!(path.to_string(), "https:~1~1example.com~1roles");
    assert!("".parse::<ClaimPath>().is_err() && "a//b".parse::<ClaimPath>().is_err());
    assert!(
        "nope".parse::<ClaimMapping>().is_err() && "keycloak:".parse::<ClaimMapping>().is_err()
    );
    let mapping = ClaimMapping::new()
        .with_roles("absent".parse().unwrap())
        .with_roles("https:~1~1example.com~1roles".parse().unwrap());
    let user = user(&idp, Some(mapping), &fixture("auth0")).await;
    assert_eq!(user.granted_roles(), ["admin"]);
}

async fn serve(options: &app::Options) -> SocketAddr {
    let app = app::app(options).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// The demo's guards (`/whoami?role=…&group=…&scope=…`) read the mapped grants: a Keycloak
/// client role, an Auth0 permission, a Cognito group and an Entra app role each pass, and a
/// requirement they do not meet is 403.
#[tokio::test]
async fn the_demos_guards_use_the_mapped_grants() {
    let idp = TestIdp::start().await;
    let http = reqwest::Client::new();
    let cases = [
        (
            "keycloak",
            "keycloak:orders-api",
            "role=orders:write",
            "role=admin",
        ),
        (
            "auth0",
            "auth0:https://example.com/",
            "scope=orders:write",
            "scope=orders:delete",
        ),
        ("cognito", "cognito", "group=admins", "group=users"),
        ("entra", "entra", "role=Orders.Write", "role=Orders.Admin"),
        (
            "okta",
            "okta",
            "group=Admins&scope=orders.read",
            "scope=orders.write",
        ),
    ];
    for (name, preset, passes, refused) in cases {
        let options = app::Options {
            oidc_issuers: vec![idp.issuer().to_owned()],
            allow_http_loopback: true,
            claim_mapping: Some(preset.parse().unwrap()),
            claim_headers: vec![("roles".to_owned(), "X-User-Roles".to_owned())],
            ..app::Options::default()
        };
        let addr = serve(&options).await;
        let token = token(&idp, &fixture(name));
        let ask = |query: &str| {
            http.get(format!("http://{addr}/whoami?{query}"))
                .bearer_auth(&token)
                .send()
        };
        let ok = ask(passes).await.unwrap();
        assert_eq!(ok.status(), 200, "{name}: {passes}");
        let roles = ok.headers()["x-user-roles"].to_str().unwrap().to_owned();
        let body: Value = ok.json().await.unwrap();
        assert_eq!(
            roles,
            body["granted"]["roles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(","),
            "{name}: the roles header shows the mapped roles"
        );
        assert_eq!(
            ask(refused).await.unwrap().status(),
            403,
            "{name}: {refused}"
        );
    }
}

/// An introspection client maps its answers' grants the same way (but for `scp` and `azp`,
/// which an answer never carries for the crate: RFC 7662 has `scope` and `client_id`).
#[tokio::test]
async fn an_introspection_client_maps_its_answers() {
    let idp = TestIdp::start().await;
    let client = idp
        .introspection_client()
        .allow_any_audience()
        .with_claim_mapping(ClaimMapping::entra())
        .build()
        .unwrap();
    let resolver = Resolver::builder()
        .with_introspection(client)
        .build()
        .unwrap();
    let mut opaque = idp.opaque_token();
    for (name, value) in fixture("entra") {
        opaque = opaque.claim(&name, value);
    }
    let mut headers = HeaderMap::new();
    let bearer = HeaderValue::try_from(format!("Bearer {}", opaque.mint())).unwrap();
    headers.insert("authorization", bearer);
    let user = resolver.resolve_async(&headers).await.unwrap().unwrap();
    assert_eq!(user.granted_roles(), ["Orders.Write"]);
    assert_eq!(
        user.granted_groups(),
        ["7b4b5c2a-6d4e-4f3a-9c1b-0a2b3c4d5e6f"]
    );
    // RFC 7662 names scopes `scope`: an answer's `scp` is never read (as in the reference).
    assert!(user.granted_scopes().is_empty());
}

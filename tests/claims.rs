//! `Claims<T>` over real HTTP on 127.0.0.1: a verified or introspected token's claims as the
//! handler's own type; anything unverified, and claims that do not fit, are 401 naming the
//! field and never its value.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use axum_userinfo::test_util::TestIdp;
use axum_userinfo::{Claims, Resolver, UserInfoLayer};
use serde_json::{Value, json};

/// A 1 KB-ish Keycloak access token's fields an application reads.
#[derive(serde::Deserialize)]
struct Keycloak {
    sub: String,
    preferred_username: String,
    realm_access: Roles,
    resource_access: std::collections::HashMap<String, Roles>,
    tenant: u32,
}

#[derive(serde::Deserialize)]
struct Roles {
    roles: Vec<String>,
}

async fn me(Claims(token): Claims<Keycloak>) -> axum::Json<Value> {
    axum::Json(json!({
        "sub": token.sub,
        "username": token.preferred_username,
        "realm": token.realm_access.roles,
        "api": token.resource_access.get("api").map(|r| r.roles.clone()),
        "tenant": token.tenant,
    }))
}

async fn serve(resolver: Resolver) -> SocketAddr {
    let app = Router::new()
        .route("/me", get(me))
        .layer(UserInfoLayer::new(resolver));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn keycloak_claims(tenant: Value) -> Vec<(&'static str, Value)> {
    vec![
        ("preferred_username", json!("ada")),
        (
            "realm_access",
            json!({"roles": ["offline_access", "admin"]}),
        ),
        (
            "resource_access",
            json!({"api": {"roles": ["orders:read"]}}),
        ),
        ("tenant", tenant),
    ]
}

#[tokio::test]
async fn a_verified_tokens_claims_as_the_handlers_type() {
    let idp = TestIdp::start().await;
    let resolver = Resolver::builder()
        .with_verifier(idp.verifier().build().unwrap())
        .with_introspection(idp.introspection_client().build().unwrap())
        .build()
        .unwrap();
    let addr = serve(resolver).await;
    let http = reqwest::Client::new();
    let get = |auth: String| {
        http.get(format!("http://{addr}/me"))
            .header("authorization", auth)
            .send()
    };

    let mut token = idp.token().subject("ada-id");
    for (name, value) in keycloak_claims(json!(7)) {
        token = token.claim(name, value);
    }
    let ok = get(format!("Bearer {}", token.sign())).await.unwrap();
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body["sub"], "ada-id");
    assert_eq!(body["api"], json!(["orders:read"]));
    assert_eq!(body["tenant"], 7);

    // An introspected token's answer, read in place.
    let mut opaque = idp.opaque_token().subject("ada-id");
    for (name, value) in keycloak_claims(json!(8)) {
        opaque = opaque.claim(name, value);
    }
    let ok = get(format!("Bearer {}", opaque.mint())).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<Value>().await.unwrap()["tenant"], 8);

    // Claims that do not fit: 401 naming the field, never its value.
    let mut misfit = idp.token().subject("ada-id");
    for (name, value) in keycloak_claims(json!("s3cr3t-tenant")) {
        misfit = misfit.claim(name, value);
    }
    let refused = get(format!("Bearer {}", misfit.sign())).await.unwrap();
    assert_eq!(refused.status(), 401);
    let challenge = refused.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = refused.text().await.unwrap();
    assert!(body.contains("'tenant'"), "{body}");
    assert!(
        !body.contains("s3cr3t") && !challenge.contains("s3cr3t"),
        "{body} {challenge}"
    );
    let partial = idp.token().subject("ada-id").sign();
    let refused = get(format!("Bearer {partial}")).await.unwrap();
    assert_eq!(refused.status(), 401);
    let body = refused.text().await.unwrap();
    assert!(body.contains("'preferred_username'"), "{body}");

    // No user: 401.
    let anonymous = http.get(format!("http://{addr}/me")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

/// Claims nothing verified never reach `Claims<T>`: an unverified JWT (a resolver without
/// verifiers decodes it) and an API key are 401.
#[tokio::test]
async fn unverified_claims_are_refused() {
    let idp = TestIdp::start().await;
    let addr = serve(Resolver::new()).await;
    let http = reqwest::Client::new();
    let mut token = idp.token().subject("ada-id");
    for (name, value) in keycloak_claims(json!(7)) {
        token = token.claim(name, value);
    }
    for auth in [
        format!("Bearer {}", token.sign()),
        "Bearer sk-service-abc123".to_owned(),
    ] {
        let refused = http
            .get(format!("http://{addr}/me"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 401, "{auth}");
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("no verified token claims")
        );
    }
}

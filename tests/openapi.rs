//! The OpenAPI document's security schemes come from the resolver (feature `utoipa`): one
//! scheme for each credential kind the resolver accepts and nothing else, the OIDC discovery
//! document of a verifier that uses it, a guard's scopes as a route's requirement.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use axum_userinfo::mtls::ClientCertificates;
use axum_userinfo::test_util::TestIdp;
use axum_userinfo::{CredentialKind, Guard, Resolver};
use serde_json::{Value, json};
use utoipa::openapi::OpenApiBuilder;

/// The document's security schemes, as JSON.
fn schemes(resolver: &Resolver) -> serde_json::Map<String, Value> {
    let mut openapi = OpenApiBuilder::new().build();
    resolver.document_security(&mut openapi);
    let document = serde_json::to_value(&openapi).unwrap();
    document["components"]["securitySchemes"]
        .as_object()
        .unwrap()
        .clone()
}

/// The scheme names a credential kind gives (besides the OIDC ones).
fn expected(resolver: &Resolver) -> BTreeSet<&'static str> {
    let mut names = BTreeSet::new();
    for kind in resolver.accepted_kinds().iter() {
        names.insert(match kind {
            CredentialKind::Jwt => "bearer",
            CredentialKind::OpaqueToken if resolver.introspects() => "bearer",
            CredentialKind::OpaqueToken => continue,
            CredentialKind::ApiKey => "api_key",
            CredentialKind::SessionCookie => "session",
            CredentialKind::Basic => "basic",
            _ => panic!("a new kind: give it a scheme"),
        });
    }
    names
}

#[tokio::test]
async fn the_schemes_are_what_the_resolver_accepts() {
    let idp = TestIdp::start().await;
    let verifying = Resolver::builder()
        .with_verifier(idp.verifier().build().unwrap())
        .with_introspection(idp.introspection_client().build().unwrap())
        .with_api_keys(
            axum_userinfo::api_keys::ApiKeyList::parse("sk-ci ci-robot orders:read\n").unwrap(),
        )
        .with_token_cookie("__Host-access_token")
        .with_client_certificates(ClientCertificates::from_connection())
        .accept_only_verified()
        .build()
        .unwrap();
    let found = schemes(&verifying);
    let names: BTreeSet<&str> = found.keys().map(String::as_str).collect();
    let mut want = expected(&verifying);
    want.extend(["oidc", "token_cookie", "mutual_tls"]);
    assert_eq!(names, want);
    // Opaque tokens too: a bearer token of no declared format.
    assert_eq!(found["bearer"], json!({"type": "http", "scheme": "bearer"}));
    assert_eq!(
        found["oidc"]["openIdConnectUrl"],
        format!("{}/.well-known/openid-configuration", idp.issuer())
    );
    assert_eq!(
        found["api_key"],
        json!({"type": "apiKey", "in": "header", "name": "X-API-Key"})
    );
    assert_eq!(found["token_cookie"]["in"], "cookie");
    assert_eq!(found["mutual_tls"]["type"], "mutualTLS");

    // A guard's scopes, on the OIDC scheme; any one scheme satisfies the route.
    let guard = Guard::new("readers")
        .require_scopes(["orders:read"])
        .unwrap();
    let requirements = serde_json::to_value(guard.security_requirements(&verifying)).unwrap();
    let requirements = requirements.as_array().unwrap();
    assert!(
        requirements.contains(&json!({"oidc": ["orders:read"]})),
        "{requirements:?}"
    );
    assert!(
        requirements.contains(&json!({"bearer": []})),
        "{requirements:?}"
    );
    assert_eq!(requirements.len(), want.len());

    // The default resolver: every kind, JWTs undeclared but for their format.
    let default = Resolver::new();
    let found = schemes(&default);
    let names: BTreeSet<&str> = found.keys().map(String::as_str).collect();
    assert_eq!(names, expected(&default));
    assert_eq!(found["bearer"]["bearerFormat"], "JWT");
    assert_eq!(found["basic"], json!({"type": "http", "scheme": "basic"}));
    assert_eq!(found["session"]["name"], "nat-session");

    // A trusted identity header: no client presents a credential.
    let proxied = Resolver::builder()
        .with_identity_header("x-user")
        .build()
        .unwrap();
    let mut openapi = OpenApiBuilder::new().build();
    proxied.document_security(&mut openapi);
    assert!(proxied.security_schemes().is_empty());
    let document = serde_json::to_value(&openapi).unwrap();
    let none = &document["components"]["securitySchemes"];
    assert!(none.is_null() || none == &json!({}), "{none}");
}

/// With discovery, the issuer's OAuth 2 endpoints: the client-credentials flow the test
/// provider offers, its scopes, a guard's scopes required on it; a token from that endpoint
/// resolves; a provider that cannot answer is an error, never a document without it.
#[tokio::test]
async fn oauth2_flows_come_from_the_issuers_discovery_document() {
    let idp = TestIdp::start().await;
    idp.set_scopes_supported(&["tools", "deploy"]);
    let resolver = Resolver::builder()
        .with_verifier(
            idp.verifier()
                .with_audience("https://mcp.example")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let schemes = resolver.discover_security_schemes().await.unwrap();
    let oauth2 = &schemes.iter().find(|(name, _)| name == "oauth2").unwrap().1;
    let oauth2 = serde_json::to_value(oauth2).unwrap();
    assert_eq!(oauth2["type"], "oauth2");
    let flow = &oauth2["flows"]["clientCredentials"];
    assert_eq!(flow["tokenUrl"], idp.token_url());
    assert_eq!(flow["scopes"], json!({"tools": "", "deploy": ""}));
    assert!(
        oauth2["flows"].get("authorizationCode").is_none(),
        "{oauth2}"
    );
    // The synchronous schemes are all there too.
    for (name, _) in resolver.security_schemes() {
        assert!(schemes.iter().any(|(n, _)| *n == name), "{name}");
    }

    let deployers = Guard::new("deployers").require_scopes(["deploy"]).unwrap();
    let requirements = serde_json::to_value(deployers.security_requirements_in(&schemes)).unwrap();
    assert!(
        requirements
            .as_array()
            .unwrap()
            .contains(&json!({"oauth2": ["deploy"]})),
        "{requirements}"
    );

    // The flow works: a client-credentials token for this resource resolves to the client.
    let answer: Value = reqwest::Client::new()
        .post(idp.token_url())
        .basic_auth(TestIdp::CLIENT_ID, Some(TestIdp::CLIENT_SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            form_urlencoded::Serializer::new(String::new())
                .append_pair("grant_type", "client_credentials")
                .append_pair("scope", "deploy")
                .append_pair("resource", "https://mcp.example")
                .finish(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["scope"], "deploy");
    let mut headers = http::HeaderMap::new();
    let bearer = format!("Bearer {}", answer["access_token"].as_str().unwrap());
    headers.insert("authorization", bearer.parse().unwrap());
    let user = resolver.resolve_async(&headers).await.unwrap().unwrap();
    assert_eq!(user.granted_scopes(), ["deploy"]);

    idp.set_down(true);
    let Err(error) = resolver.discover_security_schemes().await else {
        panic!("a provider that cannot answer is an error");
    };
    assert_eq!(error.issuer(), idp.issuer());
}

//! The driver of guard instruction counts (`benches/README.md`, "Route guards"):
//! `callgrind_guard MODE N` runs one operation N times. Modes, all with one verified HS256 token
//! (a token-cache hit after the first) holding scopes and groups: `cached` (the resolve),
//! `guarded` (the resolve, then a guard's check of a scope and a group), and the token's
//! request through `UserInfoLayer`: `request` (unguarded), `request_noop` (behind a route layer
//! that does nothing: axum's own cost of one), `request_guarded` (behind a `GuardLayer`).
//! Run each at two N and halve the difference, so that start-up cancels out:
//!
//! ```text
//! cargo build --release --example callgrind_guard
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/callgrind_guard guarded 2000
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
use axum::{Router, body::Body, routing::get};
use axum_userinfo::test_util::{TestKey, TokenBuilder};
use axum_userinfo::{
    Guard, GuardLayer, Resolver, UserInfoLayer, verify::JwtVerifier, verify::VerificationKey,
};
use http::{HeaderMap, HeaderValue, Request};
use tower::ServiceExt as _;

const SECRET: [u8; 32] = [7; 32];
const ISS: &str = "https://issuer.test";

fn token() -> String {
    TokenBuilder::new(ISS, TestKey::Rsa1)
        .subject("ada")
        .claim("exp", 4_000_000_000_u64)
        .claim("scope", "openid orders:read orders:write")
        .claim("groups", serde_json::json!(["eng", "ops"]))
        .sign_hmac(&SECRET)
}

fn resolver() -> Resolver {
    let verifier = JwtVerifier::builder(ISS)
        .with_key(VerificationKey::from_secret(SECRET).unwrap())
        .allow_any_audience()
        .build()
        .unwrap();
    Resolver::builder().with_verifier(verifier).build().unwrap()
}

fn guard() -> Guard {
    Guard::new("orders")
        .require_scopes(["orders:write"])
        .unwrap()
        .any_group(["eng"])
        .unwrap()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap();
    let n: usize = args.next().unwrap().parse().unwrap();
    let bearer = format!("Bearer {}", token());
    match mode.as_str() {
        "cached" | "guarded" => {
            let resolver = resolver();
            let mut headers = HeaderMap::new();
            headers.insert("authorization", HeaderValue::try_from(bearer).unwrap());
            let guard = (mode == "guarded").then(guard);
            for _ in 0..n {
                let user = resolver.resolve(&headers).unwrap();
                if let Some(guard) = &guard {
                    assert!(guard.authorize(user.as_ref()).is_ok());
                }
            }
        }
        "request" | "request_noop" | "request_guarded" => {
            let route = get(|| async { "ok" });
            let route = match mode.as_str() {
                "request_noop" => route.route_layer(tower::layer::layer_fn(|service| service)),
                "request_guarded" => route.route_layer(GuardLayer::new(guard())),
                _ => route,
            };
            let app = Router::new()
                .route("/", route)
                .layer(UserInfoLayer::new(resolver()));
            for _ in 0..n {
                let req = Request::get("/")
                    .header("authorization", bearer.as_str())
                    .body(Body::empty())
                    .unwrap();
                let res = app.clone().oneshot(req).await.unwrap();
                assert!(res.status().is_success());
            }
        }
        _ => panic!("unknown mode {mode}"),
    }
}

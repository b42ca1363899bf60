//! The driver of `benches/callgrind.sh`: `callgrind MODE N` runs one operation N times, for
//! instruction counts (the script runs it at two N and halves the difference, so start-up
//! cancels out). Modes: `bare` (a router, an API-key request), `layer` (the same behind
//! `UserInfoLayer`), `cached` (a verified HS256 token, a token-cache hit), `cold` (the same
//! with the token cache off: a signature check), `unverified` (an RS256 JWT decoded, not
//! verified), `miss` (an RS256 token whose `kid` the fetched keys lack, the synchronous miss),
//! `fresh` / `fresh-uncached` (a new HS256 token each time, the token cache on / off). It names only API that older
//! commits have too, so that one driver measures both sides.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
use axum::{Router, body::Body, routing::get};
use axum_userinfo::{Resolver, UserInfoLayer, verify::JwtVerifier, verify::VerificationKey};
use http::{HeaderMap, HeaderValue, Request};
use tower::ServiceExt as _;

const SECRET: [u8; 32] = [7; 32];
const ISS: &str = "https://issuer.test";

fn hs256() -> String {
    axum_userinfo::test_util::TokenBuilder::new(ISS, axum_userinfo::test_util::TestKey::Rsa1)
        .subject("ada")
        .claim("exp", 4_000_000_000_u64)
        .sign_hmac(&SECRET)
}

fn bearer(token: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    let value = HeaderValue::try_from(format!("Bearer {token}")).unwrap();
    h.insert("authorization", value);
    h
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap();
    let n: usize = args.next().unwrap().parse().unwrap();
    match mode.as_str() {
        "layer" | "bare" => {
            let router = Router::new().route("/", get(|| async { "ok" }));
            let app = if mode == "layer" {
                router.layer(UserInfoLayer::new(Resolver::new()))
            } else {
                router
            };
            for _ in 0..n {
                let req = Request::get("/")
                    .header("x-api-key", "sk-1")
                    .body(Body::empty())
                    .unwrap();
                let res = app.clone().oneshot(req).await.unwrap();
                assert!(res.status().is_success());
            }
        }
        "cached" | "cold" => {
            let v = JwtVerifier::builder(ISS)
                .with_key(VerificationKey::from_secret(SECRET).unwrap())
                .allow_any_audience()
                .build()
                .unwrap();
            let mut r = Resolver::builder().with_verifier(v);
            if mode == "cold" {
                r = r.with_token_cache_bytes(0);
            }
            let r = r.build().unwrap();
            let h = bearer(&hs256());
            for _ in 0..n {
                assert!(r.resolve(&h).unwrap().is_some());
            }
        }
        "fresh" | "fresh-uncached" => {
            // A token never seen before at each iteration: the cold path with its cache insert
            // (`fresh`), or with the token cache off (`fresh-uncached`). The tokens are signed
            // before the loop; run with `--toggle-collect='*Resolver*resolve*'` to count the
            // resolutions alone.
            let v = JwtVerifier::builder(ISS)
                .with_key(VerificationKey::from_secret(SECRET).unwrap())
                .allow_any_audience()
                .build()
                .unwrap();
            let mut r = Resolver::builder().with_verifier(v);
            if mode == "fresh-uncached" {
                r = r.with_token_cache_bytes(0);
            }
            let r = r.build().unwrap();
            let tokens: Vec<HeaderMap> = (0..n)
                .map(|i| {
                    let token = axum_userinfo::test_util::TokenBuilder::new(
                        ISS,
                        axum_userinfo::test_util::TestKey::Rsa1,
                    )
                    .subject(&format!("user-{i}"))
                    .claim("exp", 4_000_000_000_u64)
                    .sign_hmac(&SECRET);
                    bearer(&token)
                })
                .collect();
            for h in &tokens {
                assert!(r.resolve(h).unwrap().is_some());
            }
        }
        "fresh-rs256" => {
            // A new RS256 token each time (static key, cache on): the cold path of the issue's
            // figure. Signing dominates the run: count with `--toggle-collect`.
            let key = axum_userinfo::test_util::TestKey::Rsa1;
            let v = JwtVerifier::builder(ISS)
                .with_key(key.verification_key())
                .allow_any_audience()
                .build()
                .unwrap();
            let r = Resolver::builder().with_verifier(v).build().unwrap();
            let tokens: Vec<HeaderMap> = (0..n)
                .map(|i| {
                    let token = axum_userinfo::test_util::TokenBuilder::new(ISS, key)
                        .subject(&format!("user-{i}"))
                        .claim("exp", 4_000_000_000_u64)
                        .sign();
                    bearer(&token)
                })
                .collect();
            for h in &tokens {
                assert!(r.resolve(h).unwrap().is_some());
            }
        }
        "unverified" => {
            let token = axum_userinfo::test_util::TokenBuilder::new(
                ISS,
                axum_userinfo::test_util::TestKey::Rsa1,
            )
            .claim("email", "ada@example.com")
            .claim(
                "realm_access",
                serde_json::json!({"roles": ["a", "b", "c"]}),
            )
            .sign();
            let r = Resolver::new();
            let h = bearer(&token);
            for _ in 0..n {
                assert!(r.resolve(&h).unwrap().is_some());
            }
        }
        "miss" => {
            let idp = axum_userinfo::test_util::TestIdp::start().await;
            let v = idp.verifier().build().unwrap();
            let r = Resolver::builder().with_verifier(v).build().unwrap();
            assert!(r.load_keys().await);
            let token = idp
                .token()
                .key(axum_userinfo::test_util::TestKey::Rsa2)
                .sign();
            let h = bearer(&token);
            for _ in 0..n {
                assert!(r.resolve(&h).is_err());
            }
        }
        _ => panic!(),
    }
}

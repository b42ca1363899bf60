//! What the request benches share: one poll of a request through a service, and a resolver
//! with a verified HS256 token.

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use axum::body::Body;
use axum::response::Response;
use axum_userinfo::Resolver;
use http::Request;
use tower::{Service, ServiceExt};

/// Runs a request to completion with one poll (a trivial handler, a body in memory).
pub(crate) fn run<S>(app: &S, request: Request<Body>) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone,
{
    let mut future = pin!(app.clone().oneshot(request));
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(Ok(response)) => response,
        Poll::Ready(Err(never)) => match never {},
        Poll::Pending => unreachable!("a trivial handler completes on its first poll"),
    }
}

/// A resolver that verifies HS256 tokens, and a `Bearer` token of it (a token-cache hit after
/// the first) with these claims besides `sub` and `exp`.
pub(crate) fn verified(claims: &[(&str, serde_json::Value)]) -> (Resolver, String) {
    const SECRET: [u8; 32] = [7; 32];
    const ISS: &str = "https://issuer.test";
    let verifier = axum_userinfo::verify::JwtVerifier::builder(ISS)
        .with_key(axum_userinfo::verify::VerificationKey::from_secret(SECRET).unwrap())
        .allow_any_audience()
        .build()
        .unwrap();
    let resolver = Resolver::builder().with_verifier(verifier).build().unwrap();
    let mut token =
        axum_userinfo::test_util::TokenBuilder::new(ISS, axum_userinfo::test_util::TestKey::Rsa1)
            .subject("ada")
            .claim("exp", 4_000_000_000_u64);
    for (name, value) in claims {
        token = token.claim(name, value.clone());
    }
    (resolver, format!("Bearer {}", token.sign_hmac(&SECRET)))
}

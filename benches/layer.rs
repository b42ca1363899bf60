//! The layer's own cost: one `Router` with a trivial handler, driven with `oneshot`, so the
//! overhead per request is a difference within one run. Four variants:
//! - `bare`: the router alone;
//! - `noop_route_layer`: `Router::layer` with a layer that does nothing, which is axum's own
//!   cost of layering routes (it boxes and clones each route's service per request);
//! - `route_layer`: `Router::layer(UserInfoLayer)`, the usual way;
//! - `wrapped`: `UserInfoLayer` around the whole router, without axum's per-route boxing.
//!
//! And a guard's cost (`guard/…`): a verified token's request through the layer with and
//! without a [`GuardLayer`](axum_userinfo::GuardLayer) requiring a scope and a group, and the
//! resolve alone beside the resolve and the guard's check.
//!
//! Each request is polled once with a no-op waker (a trivial handler completes at once), so no
//! runtime adds its noise.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "common/mod.rs"]
mod common;

use std::convert::Infallible;

use axum::Router;
use axum::body::Body;
use axum::response::Response;
use axum::routing::get;
use axum_userinfo::{Resolver, UserInfoLayer};
use common::{run, verified};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use http::Request;
use tower::{Layer, Service};

const KEYCLOAK_JWT: &str = "Bearer eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.eyJleHAiOjE4OTM0NTYwMDAsImlhdCI6MTcwMDAwMDAwMCwiYXV0aF90aW1lIjoxNzAwMDAwMDAwLCJqdGkiOiIwZjFlMmQzYy00YjVhLTY5NzgtODc5Ni1hNWI0YzNkMmUxZjAiLCJpc3MiOiJodHRwczovL3Nzby5leGFtcGxlLmNvbS9yZWFsbXMvYWdlbnRzIiwiYXVkIjpbImFjY291bnQiLCJhZ2VudC1hcGkiXSwic3ViIjoiZjNiMmMxZDAtMTIzNC00YWJjLTlkZWYtMDEyMzQ1Njc4OWFiIiwidHlwIjoiQmVhcmVyIiwiYXpwIjoiYWdlbnQtdWkiLCJzZXNzaW9uX3N0YXRlIjoiNWU2ZjdhOGIiLCJhY3IiOiIxIiwiYWxsb3dlZC1vcmlnaW5zIjpbImh0dHBzOi8vdWkuZXhhbXBsZS5jb20iXSwicmVhbG1fYWNjZXNzIjp7InJvbGVzIjpbIm9mZmxpbmVfYWNjZXNzIiwidW1hX2F1dGhvcml6YXRpb24iLCJhZ2VudC11c2VyIl19LCJyZXNvdXJjZV9hY2Nlc3MiOnsiYWNjb3VudCI6eyJyb2xlcyI6WyJtYW5hZ2UtYWNjb3VudCIsInZpZXctcHJvZmlsZSJdfX0sInNjb3BlIjoib3BlbmlkIGVtYWlsIHByb2ZpbGUiLCJzaWQiOiI1ZTZmN2E4YiIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlLCJuYW1lIjoiQWRhIExvdmVsYWNlIiwicHJlZmVycmVkX3VzZXJuYW1lIjoiYWRhIiwiZ2l2ZW5fbmFtZSI6IkFkYSIsImZhbWlseV9uYW1lIjoiTG92ZWxhY2UiLCJlbWFpbCI6ImFkYUBleGFtcGxlLmNvbSIsImdyb3VwcyI6WyIvZW5naW5lZXJpbmciLCIvZW5naW5lZXJpbmcvYWdlbnRzIl19.lYvqIojC4jwpx8mK-DTZKyzYeJXswVHfBeqDw2iirtc";

fn bench<S>(c: &mut Criterion, id: &str, app: &S, request: &dyn Fn() -> Request<Body>)
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone,
{
    assert_eq!(run(app, request()).status(), 200, "{id}");
    c.bench_function(id, |b| {
        b.iter_batched(request, |request| run(app, request), BatchSize::SmallInput);
    });
}

fn layer(c: &mut Criterion) {
    let bare = Router::new().route("/", get(|| async { "ok" }));
    let noop = bare
        .clone()
        .layer(tower::layer::layer_fn(|service| service));
    let layer = UserInfoLayer::new(Resolver::new());
    let route_layer = bare.clone().layer(layer.clone());
    let wrapped = layer.layer(bare.clone());

    let requests: [(&str, Option<(&str, &str)>); 3] = [
        ("anonymous", None),
        ("api_key", Some(("x-api-key", "sk-service-abc123"))),
        ("jwt_keycloak_full", Some(("authorization", KEYCLOAK_JWT))),
    ];
    for (name, header) in requests {
        let request = move || {
            let mut request = Request::get("/");
            if let Some((name, value)) = header {
                request = request.header(name, value);
            }
            request.body(Body::empty()).unwrap()
        };
        bench(c, &format!("layer/bare/{name}"), &bare, &request);
        bench(
            c,
            &format!("layer/noop_route_layer/{name}"),
            &noop,
            &request,
        );
        bench(
            c,
            &format!("layer/route_layer/{name}"),
            &route_layer,
            &request,
        );
        bench(c, &format!("layer/wrapped/{name}"), &wrapped, &request);
    }
}

fn guard(c: &mut Criterion) {
    use axum_userinfo::{Guard, GuardLayer};
    let (resolver, bearer) = verified(&[
        ("scope", "openid orders:read orders:write".into()),
        ("groups", serde_json::json!(["eng", "ops"])),
    ]);
    let guard = Guard::new("orders")
        .require_scopes(["orders:write"])
        .unwrap()
        .any_group(["eng"])
        .unwrap();
    let route = || get(|| async { "ok" });
    let unguarded = Router::new()
        .route("/", route())
        .layer(UserInfoLayer::new(resolver.clone()));
    // axum's own cost of a route layer (it boxes the layered route), without a guard.
    let noop = Router::new()
        .route(
            "/",
            route().route_layer(tower::layer::layer_fn(|service| service)),
        )
        .layer(UserInfoLayer::new(resolver.clone()));
    let guarded = Router::new()
        .route("/", route().route_layer(GuardLayer::new(guard.clone())))
        .layer(UserInfoLayer::new(resolver.clone()));
    let request = || {
        Request::get("/")
            .header("authorization", bearer.as_str())
            .body(Body::empty())
            .unwrap()
    };
    bench(c, "guard/request/unguarded", &unguarded, &request);
    bench(c, "guard/request/noop_route_layer", &noop, &request);
    bench(c, "guard/request/guarded", &guarded, &request);

    let mut headers = http::HeaderMap::new();
    headers.insert("authorization", bearer.parse().unwrap());
    c.bench_function("guard/resolve/alone", |b| {
        b.iter(|| resolver.resolve(std::hint::black_box(&headers)).unwrap());
    });
    c.bench_function("guard/resolve/and_check", |b| {
        b.iter(|| {
            let user = resolver.resolve(std::hint::black_box(&headers)).unwrap();
            guard.authorize(user.as_ref()).unwrap();
            user
        });
    });
}

criterion_group!(benches, layer, guard);
criterion_main!(benches);

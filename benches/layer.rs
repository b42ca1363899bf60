//! The layer's own cost: one `Router` with a trivial handler, driven with `oneshot`, bare and
//! behind `UserInfoLayer`, so the overhead per request is the difference within one run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use axum_userinfo::{Resolver, UserInfoLayer};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use http::Request;
use tower::ServiceExt;

const KEYCLOAK_JWT: &str = "Bearer eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.eyJleHAiOjE4OTM0NTYwMDAsImlhdCI6MTcwMDAwMDAwMCwiYXV0aF90aW1lIjoxNzAwMDAwMDAwLCJqdGkiOiIwZjFlMmQzYy00YjVhLTY5NzgtODc5Ni1hNWI0YzNkMmUxZjAiLCJpc3MiOiJodHRwczovL3Nzby5leGFtcGxlLmNvbS9yZWFsbXMvYWdlbnRzIiwiYXVkIjpbImFjY291bnQiLCJhZ2VudC1hcGkiXSwic3ViIjoiZjNiMmMxZDAtMTIzNC00YWJjLTlkZWYtMDEyMzQ1Njc4OWFiIiwidHlwIjoiQmVhcmVyIiwiYXpwIjoiYWdlbnQtdWkiLCJzZXNzaW9uX3N0YXRlIjoiNWU2ZjdhOGIiLCJhY3IiOiIxIiwiYWxsb3dlZC1vcmlnaW5zIjpbImh0dHBzOi8vdWkuZXhhbXBsZS5jb20iXSwicmVhbG1fYWNjZXNzIjp7InJvbGVzIjpbIm9mZmxpbmVfYWNjZXNzIiwidW1hX2F1dGhvcml6YXRpb24iLCJhZ2VudC11c2VyIl19LCJyZXNvdXJjZV9hY2Nlc3MiOnsiYWNjb3VudCI6eyJyb2xlcyI6WyJtYW5hZ2UtYWNjb3VudCIsInZpZXctcHJvZmlsZSJdfX0sInNjb3BlIjoib3BlbmlkIGVtYWlsIHByb2ZpbGUiLCJzaWQiOiI1ZTZmN2E4YiIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlLCJuYW1lIjoiQWRhIExvdmVsYWNlIiwicHJlZmVycmVkX3VzZXJuYW1lIjoiYWRhIiwiZ2l2ZW5fbmFtZSI6IkFkYSIsImZhbWlseV9uYW1lIjoiTG92ZWxhY2UiLCJlbWFpbCI6ImFkYUBleGFtcGxlLmNvbSIsImdyb3VwcyI6WyIvZW5naW5lZXJpbmciLCIvZW5naW5lZXJpbmcvYWdlbnRzIl19.lYvqIojC4jwpx8mK-DTZKyzYeJXswVHfBeqDw2iirtc";

fn layer(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let bare = Router::new().route("/", get(|| async { "ok" }));
    let layered = bare.clone().layer(UserInfoLayer::new(Resolver::new()));
    let requests: [(&str, Option<(&str, &str)>); 3] = [
        ("anonymous", None),
        ("api_key", Some(("x-api-key", "sk-service-abc123"))),
        ("jwt_keycloak_full", Some(("authorization", KEYCLOAK_JWT))),
    ];
    let mut group = c.benchmark_group("layer");
    for (name, header) in requests {
        let request = move || {
            let mut request = Request::get("/");
            if let Some((name, value)) = header {
                request = request.header(name, value);
            }
            request.body(Body::empty()).unwrap()
        };
        for (variant, app) in [("bare", &bare), ("layered", &layered)] {
            let response = runtime.block_on(app.clone().oneshot(request())).unwrap();
            assert_eq!(response.status(), 200, "{variant}/{name}");
            group.bench_function(format!("{variant}/{name}"), |b| {
                b.iter_batched(
                    request,
                    |request| runtime.block_on(app.clone().oneshot(request)),
                    BatchSize::SmallInput,
                );
            });
        }
    }
    group.finish();
}

criterion_group!(benches, layer);
criterion_main!(benches);

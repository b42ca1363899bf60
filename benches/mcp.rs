//! An MCP `tools/call` through the identity layer alone (`unguarded`) and through the layer,
//! the header check and the per-operation policy (`guarded`), with a verified HS256 token (a
//! token-cache hit after the first) and a 2026-07-28 body; and the header check's own cost per
//! KiB of body (`check_body/…`, the pure function: parse and compare).
//!
//! Each request is polled once with a no-op waker (the body is in memory, the handler
//! trivial), so no runtime adds its noise.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "common/mod.rs"]
mod common;

use axum::Router;
use axum::body::Body;
use axum::routing::post;
use axum_userinfo::UserInfoLayer;
use axum_userinfo::layer::{McpHeaderCheck, McpPolicyLayer};
use axum_userinfo::mcp::{McpPolicy, check_body};
use common::{run, verified};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use http::{HeaderMap, Request};
use serde_json::json;

/// A `tools/call` of `deploy_prod` whose arguments pad the body to about `bytes`.
fn body(bytes: usize) -> String {
    json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "deploy_prod", "arguments": {"pad": "x".repeat(bytes.saturating_sub(160))},
            "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}},
    })
    .to_string()
}

fn headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("mcp-protocol-version", "2026-07-28".parse().unwrap());
    headers.insert("mcp-method", "tools/call".parse().unwrap());
    headers.insert("mcp-name", "deploy_prod".parse().unwrap());
    headers
}

fn tools_call(c: &mut Criterion) {
    let (resolver, bearer) = verified(&[("scope", "tools deploy".into())]);
    let policy = McpPolicy::new()
        .with_scopes("tools/call", None, ["tools"])
        .unwrap()
        .with_scopes("tools/call", Some("deploy_*"), ["deploy"])
        .unwrap();
    let handler = || post(|| async { "ok" });
    let unguarded = Router::new()
        .route("/mcp", handler())
        .layer(UserInfoLayer::new(resolver.clone()));
    let guarded = Router::new()
        .route("/mcp", handler())
        .route_layer(McpPolicyLayer::new(policy))
        .route_layer(McpHeaderCheck::new())
        .layer(UserInfoLayer::new(resolver));
    let payload = body(512);
    let request = || {
        let mut request = Request::post("/mcp")
            .header("authorization", bearer.as_str())
            .header("content-type", "application/json")
            .body(Body::from(payload.clone()))
            .unwrap();
        request.headers_mut().extend(headers());
        request
    };
    for (id, app) in [
        ("mcp/tools_call/unguarded", &unguarded),
        ("mcp/tools_call/guarded", &guarded),
    ] {
        assert_eq!(run(app, request()).status(), 200, "{id}");
        c.bench_function(id, |b| {
            b.iter_batched(request, |request| run(app, request), BatchSize::SmallInput);
        });
    }
}

fn body_check(c: &mut Criterion) {
    let headers = headers();
    let mut group = c.benchmark_group("mcp/check_body");
    for kib in [1, 16, 64] {
        let payload = body(kib * 1024);
        assert!(check_body(&headers, payload.as_bytes()).is_ok());
        group.throughput(Throughput::Bytes(payload.len() as u64));
        group.bench_function(format!("{kib}KiB"), |b| {
            b.iter(|| check_body(&headers, std::hint::black_box(payload.as_bytes())));
        });
    }
    group.finish();
}

criterion_group!(benches, tools_call, body_check);
criterion_main!(benches);

//! Opaque tokens through the resolver, beside a verified JWT and beside the Python reference:
//!
//! - `introspect/cached/opaque`: one introspected token again and again (answered from the
//!   client's cache by its SHA-256), beside `introspect/cached/jwt`, one RS256 token again
//!   and again (the token cache);
//! - `introspect/first/opaque`: a token whose answer is not cached (the cache off): one RFC
//!   7662 call to the test kit's endpoint on loopback, its answer checked.
//!
//! After criterion's runs it times the reference's `BearerTokenValidator.verify` on the same
//! token and endpoint (benches/introspect.py, in the reference venv, when it is there) and
//! prints both side by side, with the ratio.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use axum_userinfo::Resolver;
use axum_userinfo::test_util::TestIdp;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::try_from(format!("Bearer {token}")).unwrap();
    headers.insert(AUTHORIZATION, value);
    headers
}

fn median_us(c: &str) -> Option<f64> {
    let path = format!(
        "{}/target/criterion/introspect/{}/new/estimates.json",
        env!("CARGO_MANIFEST_DIR"),
        c.replace('/', "_")
    );
    let estimates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    Some(estimates["median"]["point_estimate"].as_f64()? / 1000.0)
}

fn introspect(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _guard = runtime.enter();
    let idp = runtime.block_on(TestIdp::start());
    let opaque = idp
        .opaque_token()
        .subject("ada")
        .audience("api")
        .scope("read")
        .mint();
    let jwt = idp.token().subject("ada").audience("api").sign();
    let client = |ttl: Duration| {
        idp.introspection_client()
            .with_audience("api")
            .with_max_cache_ttl(ttl)
            .build()
            .unwrap()
    };
    let verifier = idp.verifier().with_audience("api").build().unwrap();
    let cached = Resolver::builder()
        .with_verifier(verifier)
        .with_introspection(client(Duration::from_secs(300)))
        .build()
        .unwrap();
    let uncached = Resolver::builder()
        .with_introspection(client(Duration::ZERO))
        .build()
        .unwrap();
    let (opaque_headers, jwt_headers) = (bearer(&opaque), bearer(&jwt));
    runtime.block_on(async {
        assert!(
            cached
                .resolve_async(&opaque_headers)
                .await
                .unwrap()
                .is_some()
        );
        assert!(cached.resolve_async(&jwt_headers).await.unwrap().is_some());
    });

    let mut group = c.benchmark_group("introspect");
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("cached/opaque", |b| {
        b.iter(|| black_box(cached.resolve(black_box(&opaque_headers)).unwrap()))
    });
    group.bench_function("cached/jwt", |b| {
        b.iter(|| black_box(cached.resolve(black_box(&jwt_headers)).unwrap()))
    });
    group.bench_function("first/opaque", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let user = uncached.resolve_async(black_box(&opaque_headers)).await;
                    black_box(user.unwrap());
                }
                start.elapsed()
            })
        })
    });
    group.finish();

    // The reference, on the same token and endpoint, while the provider still serves.
    let python =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/reference-venv/bin/python");
    if !python.exists() {
        eprintln!("introspect: no reference venv (scripts/reference-venv.sh): Python not timed");
        return;
    }
    let spec = serde_json::json!({
        "endpoint": idp.introspection_url(), "issuer": idp.issuer(), "audience": "api",
        "client_id": TestIdp::CLIENT_ID, "client_secret": TestIdp::CLIENT_SECRET, "token": opaque,
    });
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/introspect.py");
    let reference = runtime.block_on(tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let mut child = std::process::Command::new(python)
            .arg(script)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(spec.to_string().as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    }));
    let reference = reference.unwrap();
    println!(
        "introspect: medians, this run (Python {})",
        reference["python"]
    );
    for (case, python) in [("first/opaque", "first_us"), ("cached/opaque", "cached_us")] {
        let ours = median_us(case).unwrap_or(f64::NAN);
        let theirs = reference[python].as_f64().unwrap_or(f64::NAN);
        println!(
            "  {case:<14} crate {ours:>9.2} µs   reference {theirs:>9.2} µs   {:>7.1}x faster",
            theirs / ours
        );
    }
    if let Some(jwt) = median_us("cached/jwt") {
        println!("  cached/jwt     crate {jwt:>9.2} µs");
    }
}

criterion_group!(benches, introspect);
criterion_main!(benches);

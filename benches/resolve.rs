//! The resolver alone on the header sets of `../shared/bench/cases.json`, the same inputs the
//! Python reference is timed on: one benchmark per case, `resolve/<case name>`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::path::PathBuf;

use axum_userinfo::Resolver;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

fn cases() -> Vec<(String, HeaderMap)> {
    let path = std::env::var_os("BENCH_CASES").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/cases.json"),
        PathBuf::from,
    );
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {} ({e}); set BENCH_CASES", path.display()));
    let file: Value = serde_json::from_str(&text).unwrap();
    file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            let mut headers = HeaderMap::new();
            for pair in case["headers"].as_array().unwrap() {
                let name = HeaderName::from_bytes(pair[0].as_str().unwrap().as_bytes()).unwrap();
                let value = HeaderValue::from_str(pair[1].as_str().unwrap()).unwrap();
                headers.append(name, value);
            }
            (case["name"].as_str().unwrap().to_owned(), headers)
        })
        .collect()
}

fn resolve(c: &mut Criterion) {
    let resolver = Resolver::new();
    let mut group = c.benchmark_group("resolve");
    for (name, headers) in cases() {
        // Every case resolves as expected before it is timed.
        let outcome = resolver.resolve(&headers).unwrap();
        assert_eq!(outcome.is_none(), name == "none_no_headers", "{name}");
        group.bench_function(name, |b| b.iter(|| resolver.resolve(black_box(&headers))));
    }
    group.finish();
}

criterion_group!(benches, resolve);
criterion_main!(benches);

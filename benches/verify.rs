//! Verified JWTs (RS256, ES256, EdDSA) through the resolver, beside `jsonwebtoken::decode`
//! alone on the same tokens and keys:
//!
//! - `verify/<alg>/cold/…`: a token never seen before at each iteration (a fresh resolver per
//!   sample, so its token cache starts empty and every token misses it);
//! - `verify/<alg>/warm/…`: one token again and again (the resolver answers from its cache;
//!   jsonwebtoken has none and verifies each time).
//!
//! It also writes the tokens and keys to `target/bench-verify/tokens.json`, for
//! `benches/pyjwt.py` to time PyJWT on the same ones (`benches/verify.sh` runs both and prints
//! the ratios).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use axum_userinfo::Resolver;
use axum_userinfo::test_util::{TestIdp, TestKey};
use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
use jsonwebtoken::{DecodingKey, Validation, decode};

/// Distinct tokens per algorithm: more than a sample's iterations, so none repeats in one.
const POOL: usize = 8192;

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::try_from(format!("Bearer {token}")).unwrap();
    headers.insert(AUTHORIZATION, value);
    headers
}

fn verify(c: &mut Criterion) {
    // jsonwebtoken::decode, the anchor, uses jsonwebtoken's process-wide provider, which it
    // cannot pick with both backends enabled: name the one the crate verifies with.
    #[cfg(feature = "aws-lc-rs")]
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    #[cfg(not(feature = "aws-lc-rs"))]
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _guard = runtime.enter();
    let idp = runtime.block_on(TestIdp::start());
    let keys = [TestKey::Rsa1, TestKey::Ec, TestKey::Ed];
    idp.publish(&keys);
    let verifier = idp.verifier().with_audience("api").build().unwrap();
    // A token cache far smaller than the pool of tokens cycled through (≈ 400 entries of
    // these 700-byte tokens): a cold check is a signature check and a cache insert, never a
    // hit, as with the entry-count cache of before.
    const COLD_CACHE: usize = 1024 * 1024;
    let resolver = || {
        Resolver::builder()
            .with_verifier(verifier.clone())
            .with_token_cache_bytes(COLD_CACHE)
            .build()
            .unwrap()
    };
    // The same, requiring two of the tokens' scopes: the scope check beside none.
    let scoped_verifier = (idp.verifier().with_audience("api"))
        .with_required_scope("openid")
        .with_required_scope("email")
        .build()
        .unwrap();
    let scoped = || {
        Resolver::builder()
            .with_verifier(scoped_verifier.clone())
            .with_token_cache_bytes(COLD_CACHE)
            .build()
            .unwrap()
    };
    assert!(runtime.block_on(scoped().load_keys()));
    assert!(
        runtime.block_on(resolver().load_keys()),
        "the keys are warm"
    );

    let mut dump = Vec::new();
    let mut group = c.benchmark_group("verify");
    group.measurement_time(Duration::from_secs(3));
    for key in keys {
        let mint = |sub: String| {
            (idp.token().key(key).subject(&sub).audience("api"))
                .claim("email", format!("{sub}@example.com"))
                .claim("scope", "openid profile email")
                .sign()
        };
        let tokens: Vec<String> = (0..POOL).map(|i| mint(format!("user-{i}"))).collect();
        let headers: Vec<HeaderMap> = tokens.iter().map(|t| bearer(t)).collect();
        let decoding_key = DecodingKey::from_jwk(&key.jwk()).unwrap();
        let mut validation = Validation::new(key.algorithm());
        validation.set_audience(&["api"]);
        validation.set_issuer(&[idp.issuer()]);
        let decoded = |token: &str| decode::<serde_json::Value>(token, &decoding_key, &validation);
        assert!(decoded(&tokens[0]).is_ok());
        assert!(resolver().resolve(&headers[0]).unwrap().is_some());
        let alg = format!("{:?}", key.algorithm());

        // Each measurement starts from a fresh resolver: an empty token cache.
        let cold = |group: &mut criterion::BenchmarkGroup<'_, _>,
                    name: String,
                    make: &dyn Fn() -> Resolver| {
            group.bench_function(name, |b| {
                b.iter_custom(|iters| {
                    let resolver = make();
                    let start = Instant::now();
                    for i in 0..iters {
                        let headers = &headers[usize::try_from(i).unwrap() % POOL];
                        black_box(resolver.resolve(black_box(headers)).unwrap());
                    }
                    start.elapsed()
                })
            });
        };
        cold(&mut group, format!("{alg}/cold/resolver"), &resolver);
        if key == TestKey::Rsa1 {
            assert!(scoped().resolve(&headers[0]).unwrap().is_some());
            cold(&mut group, format!("{alg}/cold/resolver_scoped"), &scoped);
        }
        group.bench_function(format!("{alg}/cold/jsonwebtoken_decode"), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % POOL;
                black_box(decoded(black_box(&tokens[i])).unwrap())
            })
        });
        let warm = resolver();
        group.bench_function(format!("{alg}/warm/resolver"), |b| {
            b.iter(|| black_box(warm.resolve(black_box(&headers[0])).unwrap()))
        });
        group.bench_function(format!("{alg}/warm/jsonwebtoken_decode"), |b| {
            b.iter(|| black_box(decoded(black_box(&tokens[0])).unwrap()))
        });
        dump.push(serde_json::json!({
            "alg": alg,
            "jwk": key.jwk(),
            "tokens": &tokens[..1024],
        }));
    }
    group.finish();
    let dump = serde_json::json!({ "issuer": idp.issuer(), "audience": "api", "cases": dump });
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-verify");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("tokens.json"), dump.to_string()).unwrap();
}

criterion_group!(benches, verify);
criterion_main!(benches);

//! Verified JWTs with a warm key cache, beside `jsonwebtoken::decode` alone on the same token:
//! `verify/<alg>/resolver` against `verify/<alg>/jsonwebtoken_decode`. The difference is the
//! crate's overhead over the signature check itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;

use axum_userinfo::Resolver;
use axum_userinfo::test_util::{TestIdp, TestKey};
use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
use jsonwebtoken::{DecodingKey, Validation, decode};

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
    idp.publish(&[TestKey::Rsa1, TestKey::Ec]);
    let verifier = idp.verifier().with_audience("api").build().unwrap();
    let resolver = Resolver::builder().with_verifier(verifier).build().unwrap();
    assert!(
        runtime.block_on(resolver.load_keys()),
        "the key cache is warm"
    );

    let mut group = c.benchmark_group("verify");
    for key in [TestKey::Rsa1, TestKey::Ec] {
        let token = idp
            .token()
            .key(key)
            .subject("alice")
            .audience("api")
            .claim("email", "alice@example.com")
            .claim("scope", "openid profile email")
            .sign();
        let mut headers = HeaderMap::new();
        let value = HeaderValue::try_from(format!("Bearer {token}")).unwrap();
        headers.insert(AUTHORIZATION, value);
        assert!(resolver.resolve(&headers).unwrap().is_some());

        let decoding_key = DecodingKey::from_jwk(&key.jwk()).unwrap();
        let mut validation = Validation::new(key.algorithm());
        validation.set_audience(&["api"]);
        validation.set_issuer(&[idp.issuer()]);
        decode::<serde_json::Value>(&token, &decoding_key, &validation).unwrap();

        let alg = format!("{:?}", key.algorithm());
        group.bench_function(format!("{alg}/resolver"), |b| {
            b.iter(|| resolver.resolve(black_box(&headers)))
        });
        group.bench_function(format!("{alg}/jsonwebtoken_decode"), |b| {
            b.iter(|| decode::<serde_json::Value>(black_box(&token), &decoding_key, &validation))
        });
    }
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);

//! DPoP (RFC 9449) beside its anchors, in one run:
//!
//! - `dpop/bearer`: an unbound RS256 token of the same issuer again (the token cache), the
//!   request a DPoP one adds to;
//! - `dpop/request_memory`: the bound token again (cached) with a fresh ES256 proof each time
//!   (one signature check, a thumbprint, a `jti` recorded in the in-memory store);
//! - `dpop/request_redis`: the same with the Redis store, on a `redis-server` on loopback
//!   (when `/usr/bin/redis-server` is there; the bench starts and stops it);
//! - `dpop/proof_only`: `DpopChecker::check` alone, the in-memory store.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use axum_userinfo::dpop::{DpopChecker, DpopRequest, MemoryReplayStore, RedisReplayStore};
use axum_userinfo::test_util::{TestIdp, TestKey};
use axum_userinfo::{RequestView, Resolver};
use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue, Method, Uri};

/// Fresh proofs per sample: more than a sample's iterations.
const POOL: usize = 4096;
const URL: &str = "https://api.example.com/orders";

fn headers(scheme: &str, token: &str, proof: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::try_from(format!("{scheme} {token}")).unwrap();
    headers.insert(http::header::AUTHORIZATION, value);
    if let Some(proof) = proof {
        headers.insert("dpop", HeaderValue::try_from(proof).unwrap());
    }
    headers
}

fn dpop(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _guard = runtime.enter();
    let idp = runtime.block_on(TestIdp::start());
    let key = TestKey::Ec;
    let bound = idp.token().subject("ada").bound_to(key).sign();
    let unbound = idp.token().subject("ada").sign();
    let proofs: Vec<HeaderMap> = (0..POOL)
        .map(|_| {
            let proof = key.dpop_proof("GET", URL).access_token(&bound).sign();
            headers("DPoP", &bound, Some(&proof))
        })
        .collect();
    let verifier = idp.verifier().allow_any_audience().build().unwrap();
    let resolver = |checker: DpopChecker| {
        Resolver::builder()
            .with_verifier(verifier.clone())
            .with_dpop(checker)
            .with_public_url("https://api.example.com")
            .build()
            .unwrap()
    };
    let (method, uri): (Method, Uri) = (Method::GET, "/orders".parse().unwrap());
    fn view<'a>(headers: &'a HeaderMap, (method, uri): (&'a Method, &'a Uri)) -> RequestView<'a> {
        RequestView::new(headers).target(method, uri)
    }
    let target = (&method, &uri);
    let plain = resolver(DpopChecker::new(MemoryReplayStore::new()));
    let bearer = headers("Bearer", &unbound, None);
    runtime.block_on(async {
        assert!(
            plain
                .resolve_async(view(&bearer, target))
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            plain
                .resolve_async(view(&proofs[0], target))
                .await
                .unwrap()
                .is_some()
        );
    });

    let mut group = c.benchmark_group("dpop");
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("bearer", |b| {
        b.iter(|| black_box(plain.resolve(view(black_box(&bearer), target)).unwrap()))
    });
    let requests = |group: &mut criterion::BenchmarkGroup<'_, _>,
                    name: &str,
                    store: &dyn Fn(usize) -> DpopChecker| {
        let mut sample = 0;
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let (mut elapsed, mut done) = (Duration::ZERO, 0);
                    while done < iters {
                        // A fresh store for every POOL proofs: none seen yet. The bound
                        // token is verified (and cached) first, untimed: its Bearer use is
                        // refused after the check.
                        sample += 1;
                        let resolver = resolver(store(sample));
                        let warm = headers("Bearer", &bound, None);
                        let _ = resolver.resolve_async(view(&warm, target)).await;
                        let batch = (iters - done).min(POOL as u64);
                        let start = Instant::now();
                        for headers in &proofs[..usize::try_from(batch).unwrap()] {
                            let user = resolver.resolve_async(view(headers, target)).await;
                            black_box(user.unwrap());
                        }
                        elapsed += start.elapsed();
                        done += batch;
                    }
                    elapsed
                })
            })
        });
    };
    requests(&mut group, "request_memory", &|_| {
        DpopChecker::new(MemoryReplayStore::new())
    });
    let redis = std::path::Path::new("/usr/bin/redis-server")
        .exists()
        .then(|| {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let child = std::process::Command::new("/usr/bin/redis-server")
                .args([
                    "--port",
                    &port.to_string(),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(300));
            (child, port)
        });
    if let Some((_, port)) = &redis {
        let url = format!("redis://127.0.0.1:{port}/");
        requests(&mut group, "request_redis", &|sample| {
            let store = RedisReplayStore::new(&url).unwrap();
            DpopChecker::new(store.with_prefix(format!("bench:{sample}:")))
        });
    } else {
        eprintln!("dpop: no /usr/bin/redis-server: request_redis not measured");
    }
    let proof_texts: Vec<String> = (proofs.iter())
        .map(|headers| headers["dpop"].to_str().unwrap().to_owned())
        .collect();
    let jkt = key.thumbprint();
    group.bench_function("proof_only", |b| {
        b.iter_custom(|iters| {
            let request = DpopRequest {
                method: "GET",
                uri: URL,
            };
            runtime.block_on(async {
                let (mut elapsed, mut done) = (Duration::ZERO, 0);
                while done < iters {
                    let checker = DpopChecker::new(MemoryReplayStore::new());
                    let batch = (iters - done).min(POOL as u64);
                    let start = Instant::now();
                    for proof in &proof_texts[..usize::try_from(batch).unwrap()] {
                        checker.check(proof, request, &bound, &jkt).await.unwrap();
                    }
                    elapsed += start.elapsed();
                    done += batch;
                }
                elapsed
            })
        })
    });
    group.finish();
    if let Some((mut child, _)) = redis {
        let _ = child.kill();
        let _ = child.wait();
    }
}

criterion_group!(benches, dpop);
criterion_main!(benches);

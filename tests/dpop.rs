//! DPoP proofs (RFC 9449) checked against their requests and bound tokens: every rule on its
//! own, replays within one process and across two stores sharing a real `redis-server`, the
//! store down, and proofs made by a widely used third-party client (npm's `dpop`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "common/debian.rs"]
mod debian;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum_userinfo::dpop::{DpopChecker, DpopRequest, MemoryReplayStore, RedisReplayStore};
use axum_userinfo::error::{DpopError, ReplayStoreError};
use axum_userinfo::test_util::TestKey;

const URI: &str = "https://api.example.com/orders";
const TOKEN: &str = "an-access-token";
const GET: DpopRequest<'static> = DpopRequest {
    method: "GET",
    uri: URI,
};

fn checker() -> DpopChecker {
    DpopChecker::new(MemoryReplayStore::new())
}

fn invalid(rule: &'static str) -> Result<(), DpopError> {
    Err(DpopError::InvalidProof(rule))
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn a_valid_proof_passes_once() {
    let checker = checker();
    for key in [TestKey::Ec, TestKey::Ed, TestKey::Rsa1] {
        let proof = key.dpop_proof("GET", URI).access_token(TOKEN).sign();
        let jkt = key.thumbprint();
        assert_eq!(
            checker.check(&proof, GET, TOKEN, &jkt).await,
            Ok(()),
            "{key:?}"
        );
        assert_eq!(
            checker.check(&proof, GET, TOKEN, &jkt).await,
            Err(DpopError::Replayed),
            "{key:?} replayed"
        );
    }
    // The URI as the client wrote it, normalised: case, default port, query, dot segments.
    let proof = TestKey::Ec
        .dpop_proof("GET", "HTTPS://API.example.com:443/x/../orders?page=2")
        .access_token(TOKEN)
        .sign();
    let jkt = TestKey::Ec.thumbprint();
    assert_eq!(checker.check(&proof, GET, TOKEN, &jkt).await, Ok(()));
    // RFC 9864's name for EdDSA over Ed25519, which current client libraries send.
    let proof = (TestKey::Ed.dpop_proof("GET", URI).access_token(TOKEN))
        .header("alg", "Ed25519")
        .sign();
    let jkt = TestKey::Ed.thumbprint();
    assert_eq!(checker.check(&proof, GET, TOKEN, &jkt).await, Ok(()));
}

/// Each proof breaks exactly one rule.
#[tokio::test]
async fn every_rule_refuses_on_its_own() {
    let checker = checker();
    let key = TestKey::Ec;
    let jkt = key.thumbprint();
    let good = || key.dpop_proof("GET", URI).access_token(TOKEN);
    let check = |proof: String| {
        let checker = checker.clone();
        let jkt = jkt.clone();
        async move { checker.check(&proof, GET, TOKEN, &jkt).await }
    };
    assert_eq!(
        check(good().header("typ", "JWT").sign()).await,
        invalid("typ is not dpop+jwt")
    );
    assert_eq!(
        check(good().header("typ", serde_json::Value::Null).sign()).await,
        invalid("typ is not dpop+jwt")
    );
    assert_eq!(
        check(good().header("jwk", serde_json::Value::Null).sign()).await,
        invalid("the header has no jwk")
    );
    assert_eq!(
        check(good().jwk_of(TestKey::Ed).sign()).await,
        invalid("alg does not fit the jwk")
    );
    // Signed by another RSA key than the one in its header.
    let forged = TestKey::Rsa2
        .dpop_proof("GET", URI)
        .access_token(TOKEN)
        .jwk_of(TestKey::Rsa1);
    assert_eq!(
        checker
            .check(&forged.sign(), GET, TOKEN, &TestKey::Rsa1.thumbprint())
            .await,
        invalid("the signature does not verify")
    );
    assert_eq!(
        check(good().claim("htm", "POST").sign()).await,
        invalid("htm is not the request's method")
    );
    assert_eq!(
        check(good().claim("htu", "https://api.example.com/other").sign()).await,
        invalid("htu is not the request's URI")
    );
    assert_eq!(
        check(good().claim("htu", "http://api.example.com/orders").sign()).await,
        invalid("htu is not the request's URI")
    );
    assert_eq!(
        check(good().claim("iat", now() - 120).sign()).await,
        invalid("iat is outside the window")
    );
    assert_eq!(
        check(good().claim("iat", now() + 120).sign()).await,
        invalid("iat is outside the window")
    );
    assert_eq!(
        check(good().claim("iat", "now").sign()).await,
        invalid("iat is not a number")
    );
    assert_eq!(
        check(good().claim("jti", serde_json::Value::Null).sign()).await,
        invalid("jti is missing")
    );
    assert_eq!(
        check(good().claim("ath", serde_json::Value::Null).sign()).await,
        invalid("ath is not the access token's hash")
    );
    assert_eq!(
        check(good().access_token("another-token").sign()).await,
        invalid("ath is not the access token's hash")
    );
    assert_eq!(
        checker
            .check(&good().sign(), GET, TOKEN, &TestKey::Ed.thumbprint())
            .await,
        Err(DpopError::KeyMismatch)
    );
    assert_eq!(check("a.b".to_owned()).await, invalid("not a compact JWS"));
    assert_eq!(
        check("x".repeat(9000)).await,
        invalid("the proof is too large")
    );

    // A private key in the header, HMAC, none, and crit.
    let ed_jkt = TestKey::Ed.thumbprint();
    let ed = || TestKey::Ed.dpop_proof("GET", URI).access_token(TOKEN);
    let mut private = serde_json::to_value(TestKey::Ed.jwk()).unwrap();
    private["d"] = "bm90LWEtcmVhbC1rZXk".into();
    assert_eq!(
        checker
            .check(&ed().header("jwk", private).sign(), GET, TOKEN, &ed_jkt)
            .await,
        invalid("the jwk holds a private key")
    );
    let mut ed448 = serde_json::to_value(TestKey::Ed.jwk()).unwrap();
    ed448["crv"] = "Ed448".into();
    assert_eq!(
        checker
            .check(&ed().header("jwk", ed448).sign(), GET, TOKEN, &ed_jkt)
            .await,
        invalid("an OKP jwk must be Ed25519")
    );
    for alg in ["none", "HS256"] {
        assert_eq!(
            checker
                .check(&ed().header("alg", alg).sign(), GET, TOKEN, &ed_jkt)
                .await,
            invalid("alg is not an allowed asymmetric algorithm"),
            "{alg}"
        );
    }
    let critical = ed().header("crit", serde_json::json!(["exp"])).sign();
    assert_eq!(
        checker.check(&critical, GET, TOKEN, &ed_jkt).await,
        invalid("critical header extensions are not supported")
    );
    // An algorithm the checker does not allow.
    let es_only = checker.clone().with_algorithms(["ES256"]).unwrap();
    let proof = TestKey::Ed
        .dpop_proof("GET", URI)
        .access_token(TOKEN)
        .sign();
    assert_eq!(
        es_only.check(&proof, GET, TOKEN, &ed_jkt).await,
        invalid("alg is not an allowed asymmetric algorithm")
    );
    assert!(checker.clone().with_algorithms(["HS256"]).is_err());
    assert!(checker.clone().with_algorithms(["none"]).is_err());
}

/// A `redis-server` on a free loopback port, stopped when dropped; installed with apt when
/// the machine has none.
struct Redis {
    child: Child,
    port: u16,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn redis_binary() -> PathBuf {
    debian::binary(
        "redis-server",
        &["/usr/bin/redis-server", "/usr/local/bin/redis-server"],
    )
}

impl Redis {
    async fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(port).await
    }

    /// A redis-server without persistence on `port`.
    async fn start_on(port: u16) -> Self {
        let child = Command::new(redis_binary())
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let redis = Self { child, port }; // killed and waited for when dropped
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return redis;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server did not listen on {port}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Marks the instance's birth for `prefix`'s stores, then waits for the next second: a
    /// proof made within the second of the mark is refused (it may predate it).
    async fn mark_birth(&self, prefix: &str) {
        let store = RedisReplayStore::new(&self.url())
            .unwrap()
            .with_prefix(prefix);
        store.connect().await.unwrap();
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
}

/// Two replicas, each with its own store on one Redis: a proof one accepted, the other
/// refuses. Redis down: 503, never accepted.
#[tokio::test]
async fn replicas_sharing_redis_refuse_each_others_replays_and_an_outage_is_a_503() {
    let redis = Redis::start().await;
    redis.mark_birth("test:dpop:").await;
    let replica = || {
        DpopChecker::new(
            RedisReplayStore::new(&redis.url())
                .unwrap()
                .with_prefix("test:dpop:"),
        )
    };
    let (first, second) = (replica(), replica());
    let key = TestKey::Ec;
    let jkt = key.thumbprint();
    let proof = key.dpop_proof("GET", URI).access_token(TOKEN).sign();
    assert_eq!(first.check(&proof, GET, TOKEN, &jkt).await, Ok(()));
    assert_eq!(
        second.check(&proof, GET, TOKEN, &jkt).await,
        Err(DpopError::Replayed)
    );
    assert_eq!(
        first.check(&proof, GET, TOKEN, &jkt).await,
        Err(DpopError::Replayed)
    );
    let fresh = key.dpop_proof("GET", URI).access_token(TOKEN).sign();
    assert_eq!(second.check(&fresh, GET, TOKEN, &jkt).await, Ok(()));

    drop(redis);
    let after = key.dpop_proof("GET", URI).access_token(TOKEN).sign();
    let started = std::time::Instant::now();
    let outage = first.check(&after, GET, TOKEN, &jkt).await;
    assert_eq!(
        outage,
        Err(DpopError::ReplayStore(ReplayStoreError::Unavailable))
    );
    assert_eq!(
        outage.unwrap_err().status(),
        http::StatusCode::SERVICE_UNAVAILABLE
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "bounded by the timeout"
    );
    // A store that never connected (nothing listening) answers 503 too.
    let never = DpopChecker::new(
        RedisReplayStore::new("redis://127.0.0.1:9/")
            .unwrap()
            .with_timeout(Duration::from_millis(300)),
    );
    assert_eq!(
        never.check(&after, GET, TOKEN, &jkt).await,
        Err(DpopError::ReplayStore(ReplayStoreError::Unavailable))
    );
}

/// H5: Redis restarted without persistence forgets every proof; the store notices the new
/// instance (its birth mark is gone) and refuses the proofs made before it, so none of the
/// last window can be replayed; proofs made after pass.
#[tokio::test]
async fn a_restarted_redis_does_not_let_old_proofs_replay() {
    let redis = Redis::start().await;
    redis.mark_birth("test:dpop:").await;
    let port = redis.port;
    let checker = DpopChecker::new(
        RedisReplayStore::new(&redis.url())
            .unwrap()
            .with_prefix("test:dpop:"),
    );
    let key = TestKey::Ec;
    let jkt = key.thumbprint();
    let proof = key.dpop_proof("GET", URI).access_token(TOKEN).sign();
    assert_eq!(checker.check(&proof, GET, TOKEN, &jkt).await, Ok(()));
    drop(redis); // killed: every key is gone
    let _restarted = Redis::start_on(port).await;
    let mut replayed = checker.check(&proof, GET, TOKEN, &jkt).await;
    for _ in 0..20 {
        // The connection manager reconnects: the first answers may be 503.
        if replayed != Err(DpopError::ReplayStore(ReplayStoreError::Unavailable)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        replayed = checker.check(&proof, GET, TOKEN, &jkt).await;
    }
    assert_eq!(
        replayed,
        Err(DpopError::Replayed),
        "a replay after the restart"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let fresh = key.dpop_proof("GET", URI).access_token(TOKEN).sign();
    assert_eq!(checker.check(&fresh, GET, TOKEN, &jkt).await, Ok(()));
    assert_eq!(
        checker.check(&fresh, GET, TOKEN, &jkt).await,
        Err(DpopError::Replayed)
    );
}

/// The npm package `dpop` (panva's, RFC 9449 proofs for JavaScript runtimes), installed into
/// `target/npm-dpop` by the test itself.
fn npm_dpop() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/npm-dpop");
    if !dir.join("node_modules/dpop/package.json").exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg("dpop@2.1.2")
            .status()
            .expect("npm runs");
        assert!(status.success(), "npm install dpop failed");
    }
    dir
}

/// Proofs made by npm's `dpop` for ES256 and Ed25519 (EdDSA) keys pass, bound by the
/// thumbprint `dpop` itself computes; a replay of one is refused.
#[tokio::test]
async fn proofs_made_by_npm_dpop_pass() {
    let dir = npm_dpop();
    let script = r#"
import { generateKeyPair, generateProof, calculateThumbprint } from 'dpop';
const out = [];
for (const alg of ['ES256', 'Ed25519', 'PS256']) {
  const keypair = await generateKeyPair(alg, { extractable: true });
  const proof = await generateProof(keypair, process.argv[2], 'POST', undefined, process.argv[3]);
  out.push({ alg, proof, jkt: await calculateThumbprint(keypair.publicKey) });
}
console.log(JSON.stringify(out));
"#;
    std::fs::write(dir.join("proofs.mjs"), script).unwrap();
    let uri = "https://api.example.com/tools/call";
    let output = Command::new("node")
        .arg(dir.join("proofs.mjs"))
        .args([uri, TOKEN])
        .current_dir(&dir)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let proofs: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(proofs.len(), 3);
    let checker = checker();
    let post = DpopRequest {
        method: "POST",
        uri,
    };
    for made in &proofs {
        let (proof, jkt) = (
            made["proof"].as_str().unwrap(),
            made["jkt"].as_str().unwrap(),
        );
        assert_eq!(
            checker.check(proof, post, TOKEN, jkt).await,
            Ok(()),
            "{}",
            made["alg"]
        );
        assert_eq!(
            checker.check(proof, post, TOKEN, jkt).await,
            Err(DpopError::Replayed)
        );
    }
}

/// A service behind the layer: `/me` answers the user's id and source.
async fn service(resolver: axum_userinfo::Resolver, listener: tokio::net::TcpListener) {
    use axum::routing::get;
    let app = axum::Router::new()
        .route(
            "/me",
            get(|user: axum_userinfo::UserInfo| async move { user.source().to_string() }),
        )
        .route(
            "/me/{*rest}",
            get(|user: axum_userinfo::UserInfo| async move { user.source().to_string() }),
        )
        .layer(axum_userinfo::UserInfoLayer::new(resolver));
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
}

/// Through the layer, over HTTP: a bound JWT with its proof passes once; its replay, the
/// token as `Bearer`, a proof missing, an unbound token with a proof are refused with the
/// RFC 9449 challenges; an opaque token bound in its introspection answer passes too.
#[tokio::test]
async fn the_layer_checks_dpop_bound_tokens() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let resolver = axum_userinfo::Resolver::builder()
        .with_verifier(idp.verifier().allow_any_audience().build().unwrap())
        .with_introspection(idp.introspection_client().build().unwrap())
        .with_dpop(checker())
        .with_public_url(&base)
        .build()
        .unwrap();
    service(resolver, listener).await;
    let http = reqwest::Client::new();
    let url = format!("{base}/me");
    let key = TestKey::Ec;
    let bound = idp.token().subject("ada").bound_to(key).sign();
    let call = |scheme: &str, token: &str, proof: Option<&str>| {
        let mut request = http
            .get(&url)
            .header("authorization", format!("{scheme} {token}"));
        if let Some(proof) = proof {
            request = request.header("dpop", proof);
        }
        request.send()
    };
    let challenge = |response: &reqwest::Response| {
        (response.headers().get_all("www-authenticate").iter())
            .map(|value| value.to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join(" | ")
    };

    let proof = key.dpop_proof("GET", &url).access_token(&bound).sign();
    let response = call("DPoP", &bound, Some(&proof)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "jwt");

    let replayed = call("DPoP", &bound, Some(&proof)).await.unwrap();
    assert_eq!(replayed.status(), 401);
    let text = challenge(&replayed);
    assert!(
        text.contains(r#"DPoP error="invalid_dpop_proof""#),
        "{text}"
    );
    assert!(
        text.contains(r#"algs="ES256 EdDSA Ed25519 RS256 PS256""#),
        "{text}"
    );

    let downgraded = call("Bearer", &bound, None).await.unwrap();
    assert_eq!(downgraded.status(), 401, "a bound token is no bearer token");
    let text = challenge(&downgraded);
    assert!(text.contains(r#"Bearer error="invalid_token""#), "{text}");
    assert!(text.contains("DPoP algs="), "{text}");

    let no_proof = call("DPoP", &bound, None).await.unwrap();
    assert_eq!(no_proof.status(), 401);
    assert!(challenge(&no_proof).contains("invalid_dpop_proof"));

    let unbound = idp.token().subject("bob").sign();
    let proof = key.dpop_proof("GET", &url).access_token(&unbound).sign();
    assert_eq!(
        call("DPoP", &unbound, Some(&proof)).await.unwrap().status(),
        401
    );
    // An unbound token as Bearer still works, with or without a DPoP header beside it.
    assert_eq!(call("Bearer", &unbound, None).await.unwrap().status(), 200);
    assert_eq!(
        call("Bearer", &unbound, Some(&proof))
            .await
            .unwrap()
            .status(),
        200
    );

    // A proof for another URL of the same service.
    let elsewhere = key
        .dpop_proof("GET", &format!("{base}/other"))
        .access_token(&bound)
        .sign();
    assert_eq!(
        call("DPoP", &bound, Some(&elsewhere))
            .await
            .unwrap()
            .status(),
        401
    );

    // H4: a proof for /ping at /me/../ping (which the router routes to /me/{*rest}, raw):
    // the path with dot segments is refused, whatever their encoding.
    for path in ["/me/../ping", "/me/%2e%2e/ping", "/me/./ping"] {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let for_ping = key
            .dpop_proof("GET", &format!("{base}/ping"))
            .access_token(&bound)
            .sign();
        let host = base.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: DPoP {bound}\r\n\
             DPoP: {for_ping}\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 401"), "{path}: {answer}");
    }

    // An opaque token, bound by its introspection answer's cnf.jkt.
    let opaque = idp
        .opaque_token()
        .claim("cnf", serde_json::json!({"jkt": TestKey::Ed.thumbprint()}))
        .mint();
    let proof = TestKey::Ed
        .dpop_proof("GET", &url)
        .access_token(&opaque)
        .sign();
    let response = call("DPoP", &opaque, Some(&proof)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "opaque_token");
    assert_eq!(call("Bearer", &opaque, None).await.unwrap().status(), 401);
}

/// The replay store down, through the layer: 503 with `Retry-After`, never a pass.
#[tokio::test]
async fn a_replay_store_outage_is_a_503_through_the_layer() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let store = RedisReplayStore::new("redis://127.0.0.1:9/")
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    let resolver = axum_userinfo::Resolver::builder()
        .with_verifier(idp.verifier().allow_any_audience().build().unwrap())
        .with_dpop(DpopChecker::new(store))
        .with_public_url(&base)
        .build()
        .unwrap();
    service(resolver, listener).await;
    let url = format!("{base}/me");
    let token = idp.token().bound_to(TestKey::Ec).sign();
    let proof = TestKey::Ec
        .dpop_proof("GET", &url)
        .access_token(&token)
        .sign();
    let response = reqwest::Client::new()
        .get(&url)
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", proof)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
}

/// The demo server built beside this test (`cargo test` builds the examples; `cargo test
/// --test dpop` alone does not: `cargo build --examples --all-features` first).
fn demo_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap(); // target/<profile>/deps/dpop-…
    let dir: PathBuf = exe.parent().and_then(|deps| deps.parent()).unwrap().into();
    let path = dir.join("examples").join("server");
    assert!(path.exists(), "{} is built by `cargo test`", path.display());
    path
}

/// A demo server process, stopped when dropped.
struct Demo(Child, String);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Demo {
    async fn start(args: &[&str]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(demo_binary())
            .args(["--addr", &addr])
            .args(args)
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the demo starts");
        let demo = Self(child, format!("http://{addr}"));
        for _ in 0..200 {
            if let Ok(response) = reqwest::get(format!("{}/readyz", demo.1)).await {
                if response.status() == 200 {
                    return demo;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the demo did not get ready on {addr}");
    }
}

/// Two demo server processes (two replicas behind one public URL) sharing a real
/// `redis-server`: a proof one accepted, the other refuses; with Redis gone, 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_share_the_replay_store() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let redis = Redis::start().await;
    redis.mark_birth("axum-userinfo:dpop:").await; // the demo's prefix
    let public = "https://api.example.com";
    let args = [
        "--oidc",
        idp.issuer(),
        "--allow-http-loopback",
        "--dpop",
        "--dpop-replay",
        &redis.url(),
        "--public-url",
        public,
    ];
    let (first, second) = (Demo::start(&args).await, Demo::start(&args).await);
    let key = TestKey::Ed;
    let token = idp.token().subject("ada").bound_to(key).sign();
    let proof = key
        .dpop_proof("GET", &format!("{public}/whoami"))
        .access_token(&token)
        .sign();
    let http = reqwest::Client::new();
    let whoami = |demo: &Demo| {
        http.get(format!("{}/whoami", demo.1))
            .header("authorization", format!("DPoP {token}"))
            .header("dpop", &proof)
            .send()
    };
    let accepted = whoami(&first).await.unwrap();
    assert_eq!(accepted.status(), 200);
    let replayed = whoami(&second).await.unwrap();
    assert_eq!(
        replayed.status(),
        401,
        "the other replica saw the proof in Redis"
    );
    let challenge = all_challenges(replayed.headers());
    assert!(challenge.contains("invalid_dpop_proof"), "{challenge}");
    assert!(!challenge.contains(&token));

    drop(redis);
    let fresh = key
        .dpop_proof("GET", &format!("{public}/whoami"))
        .access_token(&token)
        .sign();
    let response = http
        .get(format!("{}/whoami", second.1))
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        503,
        "Redis down: never accepted unchecked"
    );
}

/// Server nonces, on: a proof without one gets 401 `use_dpop_nonce` and a fresh nonce in
/// `DPoP-Nonce`; the retry with it passes; a nonce of another secret does not.
#[tokio::test]
async fn the_nonce_flow() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let secret = b"the replicas' shared nonce secret";
    let nonced = checker()
        .with_nonces(secret, Duration::from_secs(60))
        .unwrap();
    assert!(
        checker()
            .with_nonces(b"short", Duration::from_secs(60))
            .is_err()
    );
    let resolver = axum_userinfo::Resolver::builder()
        .with_verifier(idp.verifier().allow_any_audience().build().unwrap())
        .with_dpop(nonced)
        .with_public_url(&base)
        .build()
        .unwrap();
    service(resolver, listener).await;
    let url = format!("{base}/me");
    let key = TestKey::Ec;
    let token = idp.token().bound_to(key).sign();
    let http = reqwest::Client::new();
    let call = |proof: String| {
        http.get(&url)
            .header("authorization", format!("DPoP {token}"))
            .header("dpop", proof)
            .send()
    };
    let first = call(key.dpop_proof("GET", &url).access_token(&token).sign())
        .await
        .unwrap();
    assert_eq!(first.status(), 401);
    let challenge = all_challenges(first.headers());
    assert!(
        challenge.contains(r#"DPoP error="use_dpop_nonce""#),
        "{challenge}"
    );
    let nonce = first.headers()["dpop-nonce"].to_str().unwrap().to_owned();
    let proof = key
        .dpop_proof("GET", &url)
        .access_token(&token)
        .claim("nonce", nonce.as_str())
        .sign();
    assert_eq!(call(proof).await.unwrap().status(), 200);
    let foreign = DpopChecker::new(MemoryReplayStore::new())
        .with_nonces(b"another secret, of 32 bytes too.", Duration::from_secs(60))
        .unwrap();
    let Err(DpopError::UseNonce { nonce: stranger }) = foreign
        .check(
            &key.dpop_proof("GET", URI).access_token(TOKEN).sign(),
            GET,
            TOKEN,
            &key.thumbprint(),
        )
        .await
    else {
        panic!("a nonce is required");
    };
    let proof = key
        .dpop_proof("GET", &url)
        .access_token(&token)
        .claim("nonce", stranger.as_str())
        .sign();
    let refused = call(proof).await.unwrap();
    assert_eq!(refused.status(), 401);
    assert!(refused.headers().contains_key("dpop-nonce"));
}

/// Every `WWW-Authenticate` value of a response, joined: a refusal carries `Bearer` and `DPoP`.
fn all_challenges(headers: &reqwest::header::HeaderMap) -> String {
    (headers.get_all("www-authenticate").iter())
        .map(|value| value.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(" | ")
}

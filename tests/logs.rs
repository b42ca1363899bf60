//! No secret reaches the logs, at any level. A test binary of its own: `tracing` caches which
//! callsites are enabled, and tests on other threads touching the same callsites without a
//! subscriber would race with the one installed here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

#[path = "../examples/server/app.rs"]
#[allow(dead_code, unreachable_pub)]
mod app;

use axum_userinfo::test_util::{TestKey, TokenBuilder};
use axum_userinfo::{Resolver, UserInfoLayer, verify::JwtVerifier};
use common::{call, routes};
use tracing_subscriber::layer::SubscriberExt as _;

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every event at every level, and every span as it closes (with its fields), into a buffer, on this thread until the guard drops.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn no_secret_reaches_the_logs() {
    let (captured, _guard) = capture();

    let app = routes().layer(UserInfoLayer::new(Resolver::new()));
    let requests: &[(&str, &str)] = &[
        ("x-api-key", "sk-secret-key-1"),
        ("authorization", "Bearer sk-secret-key-2"),
        ("authorization", "Basic c2VjcmV0LXVzZXI6c2VjcmV0LXB3"), // secret-user:secret-pw
        ("authorization", "Basic c2VjcmV0LXB3LW5vLWNvbG9u"),     // secret-pw-no-colon
        (
            "authorization",
            "Bearer eyJzZWNyZXQiOjF9.e30.c2VjcmV0LXNpZw",
        ),
        ("cookie", "nat-session=secret-cookie"),
    ];
    for header in requests {
        call(&app, "/optional", &[*header]).await;
        call(
            &app,
            "/optional?session=secret-session;",
            &[
                ("upgrade", "websocket"),
                ("connection", "upgrade"),
                ("sec-websocket-version", "13"),
                ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
                *header,
            ],
        )
        .await;
    }
    let frame = r#"{"type":"auth_message","payload":{"method":"basic","username":"u","password":"secret-pw"}}"#;
    let _ = Resolver::new().handle_auth_frame(frame);

    // Key URLs with credentials: a fetch that fails is logged, and so is the demo's start-up
    // line, without the URLs' userinfo or query.
    let jwks = "http://jwks-user:secret-pw@127.0.0.1:9/jwks?token=secret-token";
    let issuer = "https://issuer-user:secret-pw@idp.example/realm?secret-q=1";
    let verifier = JwtVerifier::builder(issuer)
        .with_jwks_url(jwks)
        .allow_http_loopback()
        .allow_any_audience()
        .build()
        .unwrap();
    tracing::info!(?verifier, "verifier");
    let resolver = Resolver::builder().with_verifier(verifier).build().unwrap();
    tracing::info!(?resolver, "resolver");
    let token = TokenBuilder::new(issuer, TestKey::Rsa1).sign();
    let mut headers = http::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    assert!(resolver.resolve_async(&headers).await.is_err());
    let options = app::Options {
        oidc_issuers: vec![issuer.to_owned()],
        jwks: vec![(issuer.to_owned(), jwks.to_owned())],
        ..app::Options::default()
    };
    tracing::info!(?options, "listening");

    // A claim that is not a valid header value: left out, logged without its value.
    let forward = axum_userinfo::forward_auth::ForwardAuthHeaders::new()
        .with_claim("email", "X-User-Email")
        .unwrap();
    let claims = serde_json::json!({"iss": "https://i", "sub": "u", "email": "secret\r\nX: 1"});
    let claims =
        axum_userinfo::identity::JwtUserInfo::from_claims(claims.as_object().unwrap().clone());
    let user = axum_userinfo::UserInfo::from_claims_unchecked(claims.unwrap()).unwrap();
    assert_eq!(forward.headers(&user)["x-user-email"], "");

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("user resolved") && logs.contains("request refused"),
        "{logs}"
    );
    assert!(
        logs.contains("fetching verification keys failed") && logs.contains("127.0.0.1:9/jwks"),
        "{logs}"
    );
    assert!(
        logs.contains("not a valid header value") && logs.contains("x-user-email"),
        "{logs}"
    );
    for secret in ["secret", "c2VjcmV0"] {
        assert!(!logs.contains(secret), "the logs hold {secret:?}:\n{logs}");
    }
}

/// The demo's filter keeps tungstenite's frame logging (auth messages verbatim) below `trace`,
/// even under `RUST_LOG=trace`, unless `RUST_LOG` names tungstenite.
#[test]
fn the_demo_never_logs_websocket_frames() {
    let enabled = |rust_log: &str, target_trace: fn() -> bool| {
        let subscriber = tracing_subscriber::registry().with(app::log_filter(Some(rust_log)));
        tracing::subscriber::with_default(subscriber, target_trace)
    };
    let tungstenite = || tracing::enabled!(target: "tungstenite::protocol", tracing::Level::TRACE);
    let tokio_tungstenite =
        || tracing::enabled!(target: "tokio_tungstenite", tracing::Level::TRACE);
    let ours = || tracing::enabled!(target: "axum_userinfo", tracing::Level::TRACE);
    assert!(!enabled("trace", tungstenite));
    assert!(!enabled("trace", tokio_tungstenite));
    assert!(enabled("trace", ours));
    assert!(enabled("trace,tungstenite=trace", tungstenite)); // asked for by name
    assert!(enabled("trace,tungstenite::protocol=trace", tungstenite));
    assert!(enabled("info,tungstenite", tungstenite));
    // G5: a directive that merely mentions the name lifts nothing.
    for rust_log in [
        "trace,tokio_tungstenite=off",
        "trace,tokio_tungstenite=info",
        "trace,my_tungstenite_wrapper=trace",
        "trace,tungstenite_extra=trace",
    ] {
        assert!(!enabled(rust_log, tungstenite), "{rust_log}");
    }
    assert!(!enabled("trace,tokio_tungstenite=off", tokio_tungstenite));
    assert!(!enabled(
        "trace,my_tungstenite_wrapper=trace",
        tokio_tungstenite
    ));
    assert!(enabled("trace,tokio_tungstenite=trace", tokio_tungstenite));
}

/// A one-line HTTP server on 127.0.0.1 that answers OIDC discovery properly (its `jwks_uri`
/// carries a token in its query) and every other path with `broken`, raw bytes, then closes.
async fn broken_idp(broken: &'static [u8]) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&request);
            if text.starts_with("GET /.well-known/openid-configuration") {
                let body = format!(
                    r#"{{"issuer":"http://{addr}","jwks_uri":"http://{addr}/jwks?access_token=secret-discovered"}}"#
                );
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
            } else {
                let _ = stream.write_all(broken).await;
            }
        }
    });
    addr
}

/// G2: however the identity provider's answer breaks (no answer, a garbage status line, a bad
/// header, two `Content-Length`s), the fetch warning names neither the URL's userinfo nor its
/// query, for a configured JWKS URL and for a discovered `jwks_uri`.
#[tokio::test]
async fn key_fetch_errors_never_log_url_secrets() {
    let (captured, _guard) = capture();

    let answers: [&'static [u8]; 4] = [
        b"",
        b"HTTP/1.1 abc what\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon in this header line\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 7\r\n\r\n{}",
    ];
    for broken in answers {
        let addr = broken_idp(broken).await;
        let configured = JwtVerifier::builder("https://issuer.example")
            .with_jwks_url(format!(
                "http://jwks-user:secret-pw@{addr}/jwks?access_token=secret-token"
            ))
            .allow_http_loopback()
            .allow_any_audience()
            .build()
            .unwrap();
        let discovered = JwtVerifier::builder(format!("http://{addr}"))
            .with_oidc_discovery()
            .allow_http_loopback()
            .allow_any_audience()
            .build()
            .unwrap();
        for verifier in [configured, discovered] {
            let resolver = Resolver::builder().with_verifier(verifier).build().unwrap();
            assert!(!resolver.load_keys().await, "{broken:?} gives no keys");
        }
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let failures = logs.matches("fetching verification keys failed").count();
    assert_eq!(failures, 8, "{logs}");
    for secret in ["secret", "access_token", "jwks-user"] {
        assert!(!logs.contains(secret), "the logs hold {secret:?}:\n{logs}");
    }
}

/// The demo's request log shows at most 256 bytes of a path (an anonymous client can send
/// 64 KiB), cut on a character boundary.
#[test]
fn the_request_log_caps_paths() {
    assert_eq!(app::logged_path("/whoami"), "/whoami");
    let long = format!("/{}", "a".repeat(65_000));
    let logged = app::logged_path(&long);
    assert!(logged.len() <= 256 + '…'.len_utf8(), "{}", logged.len());
    assert!(logged.ends_with('…'));
    let wide = format!("/{}", "é".repeat(1000)); // two bytes each: 256 falls inside one
    assert!(app::logged_path(&wide).ends_with('…'));
}

/// One `resolve` span per resolution, opened and closed in the engine, with its source and
/// outcome class (and a verified token's issuer, redacted), whatever carried the credential.
#[tokio::test]
async fn one_span_per_resolution() {
    let (captured, _guard) = capture();
    let only_jwt = Resolver::builder()
        .with_accepted_kinds([axum_userinfo::CredentialKind::Jwt])
        .build()
        .unwrap();
    let app = routes().layer(UserInfoLayer::new(only_jwt.clone()));
    call(&app, "/optional", &[("x-api-key", "sk-secret-key-1")]).await;
    call(&app, "/optional", &[]).await;
    let unverified = TokenBuilder::new("https://any.test", TestKey::Rsa1).sign();
    let bearer = format!("Bearer {unverified}");
    call(&app, "/optional", &[("authorization", &bearer)]).await;
    let frame = r#"{"type":"auth_message","payload":{"method":"basic","username":"u","password":"secret-pw"}}"#;
    let _ = only_jwt.handle_auth_frame(frame);
    // An OAuth preference is no resolution: no span.
    let preference =
        r#"{"type":"auth_message","payload":{"method":"oauth_mode_preference","mode":"popup"}}"#;
    assert!(only_jwt.handle_auth_frame(preference).is_some());

    let issuer = "https://user:secret-pw@issuer.test/realm?x=secret-q";
    let verifier = JwtVerifier::builder(issuer)
        .with_key(TestKey::Rsa1.verification_key())
        .allow_any_audience()
        .build()
        .unwrap();
    let verified = TokenBuilder::new(issuer, TestKey::Rsa1).sign();
    let resolver = Resolver::builder().with_verifier(verifier).build().unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {verified}").parse().unwrap(),
    );
    assert!(resolver.resolve(&headers).unwrap().is_some());

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let spans: Vec<&str> = text
        .lines()
        .filter(|line| line.contains(" resolve") && line.contains(" close "))
        .collect();
    let want = [
        "source=\"api_key\" outcome=\"not_accepted\"",
        "source=\"none\" outcome=\"anonymous\"",
        "source=\"jwt\" outcome=\"user\"",
        "source=\"basic\" outcome=\"not_accepted\"",
        "source=\"jwt\" issuer=\"https://…@issuer.test/realm\" outcome=\"user\"",
    ];
    assert_eq!(spans.len(), want.len(), "{text}");
    for (span, want) in spans.iter().zip(want) {
        assert!(span.contains(&format!("resolve{{{want}}}")), "{span}");
    }
    assert!(!text.contains("secret"), "{text}");
}

/// `--resource` without `--audience`: the demo says at start-up that tokens must name the
/// resource as their audience (the resolver requires it); with the audience it says nothing
/// of the kind.
#[tokio::test]
async fn the_demo_says_a_resource_is_the_audience() {
    let (captured, _guard) = capture();
    let options = |audience: Option<&str>| app::Options {
        resource: Some("https://api.example.com/mcp".to_owned()),
        audience: audience.map(str::to_owned),
        // An authorization server (the resource must name one), never called here.
        introspection: Some(app::Introspection::new(
            "https://sso.example.com",
            Some("https://sso.example.com/introspect".to_owned()),
            "api",
            "a secret".into(),
        )),
        ..app::Options::default()
    };
    let _app = app::app(&options(None)).unwrap();
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("INFO") && text.contains("--resource without --audience: tokens must name"),
        "{text}"
    );
    captured.0.lock().unwrap().clear();
    let _app = app::app(&options(Some("https://api.example.com/mcp"))).unwrap();
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(!text.contains("--audience"), "{text}");
}

/// Introspection failures are logged with what went wrong (the client credentials refused,
/// the server down, an endpoint with a secret in its query), never the token, the client
/// secret or the endpoint's query; and the refusal is a 503.
#[tokio::test]
async fn introspection_failures_are_logged_without_secrets() {
    use axum_userinfo::test_util::TestIdp;
    let (captured, _guard) = capture();
    let idp = TestIdp::start().await;
    let token = idp.opaque_token().subject("logged-subject").mint();
    let headers = {
        let mut headers = http::HeaderMap::new();
        let bearer = format!("Bearer {token}");
        headers.insert(http::header::AUTHORIZATION, bearer.parse().unwrap());
        headers
    };
    let wrong_secret = idp
        .introspection_client()
        .with_client_credentials(TestIdp::CLIENT_ID, "wrong-client-secret-value")
        .build()
        .unwrap();
    let resolver = Resolver::builder()
        .with_introspection(wrong_secret)
        .build()
        .unwrap();
    let refusal = resolver.resolve_async(&headers).await.unwrap_err();
    assert_eq!(refusal.status(), http::StatusCode::SERVICE_UNAVAILABLE);

    let with_secrets_in_url = axum_userinfo::introspect::IntrospectionClient::builder(idp.issuer())
        .with_endpoint(format!(
            "http://{}?access_token=url-token",
            idp.introspection_url().trim_start_matches("http://")
        ))
        .with_client_credentials(TestIdp::CLIENT_ID, TestIdp::CLIENT_SECRET)
        .allow_http_loopback()
        .build()
        .unwrap();
    let resolver = Resolver::builder()
        .with_introspection(with_secrets_in_url)
        .build()
        .unwrap();
    idp.set_down(true);
    assert!(resolver.resolve_async(&headers).await.is_err());

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("the authorization server refused the client credentials (status 401"),
        "{logs}"
    );
    assert!(logs.contains("status 503"), "{logs}");
    let secrets = [
        token.as_str(),
        "wrong-client-secret-value",
        TestIdp::CLIENT_SECRET,
        "url-token",
        "logged-subject",
    ];
    for secret in secrets {
        assert!(!logs.contains(secret), "the logs hold {secret:?}:\n{logs}");
    }
}

/// DPoP requests (accepted, replayed, with the replay store down) log neither the token nor
/// the proof, at any level.
#[tokio::test]
async fn dpop_requests_never_log_the_token_or_the_proof() {
    use axum_userinfo::dpop::{DpopChecker, MemoryReplayStore, RedisReplayStore};
    use axum_userinfo::test_util::{TestIdp, TestKey};
    let (captured, _guard) = capture();
    let idp = TestIdp::start().await;
    let token = idp
        .token()
        .subject("dpop-subject")
        .bound_to(TestKey::Ec)
        .sign();
    let url = "https://api.example.com/whoami";
    let resolver = |checker: DpopChecker| {
        Resolver::builder()
            .with_verifier(idp.verifier().allow_any_audience().build().unwrap())
            .with_dpop(checker)
            .with_public_url("https://api.example.com")
            .build()
            .unwrap()
    };
    let memory = resolver(DpopChecker::new(MemoryReplayStore::new()));
    let down = resolver(DpopChecker::new(
        RedisReplayStore::new("redis://:redis-password@127.0.0.1:9/")
            .unwrap()
            .with_timeout(std::time::Duration::from_millis(200)),
    ));
    let proof = TestKey::Ec
        .dpop_proof("GET", url)
        .access_token(&token)
        .sign();
    let (method, uri) = (http::Method::GET, "/whoami".parse::<http::Uri>().unwrap());
    let mut headers = http::HeaderMap::new();
    headers.insert("authorization", format!("DPoP {token}").parse().unwrap());
    headers.insert("dpop", proof.parse().unwrap());
    let view = || axum_userinfo::RequestView::new(&headers).target(&method, &uri);
    assert!(memory.resolve_async(view()).await.is_ok());
    assert!(memory.resolve_async(view()).await.is_err(), "a replay");
    assert!(down.resolve_async(view()).await.is_err(), "Redis down");
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("DPoP replay store (Redis)"), "{logs}");
    let signature = proof.rsplit('.').next().unwrap();
    for secret in [
        token.as_str(),
        proof.as_str(),
        signature,
        "redis-password",
        "dpop-subject",
    ] {
        assert!(!logs.contains(secret), "the logs hold {secret:?}:\n{logs}");
    }
}

/// H7: a refusal names every requirement of the query; a 60 KB one is cut in the request log
/// as a long path is, never written whole.
#[tokio::test]
async fn a_long_requirement_is_cut_in_the_request_log() {
    use tower::ServiceExt as _;
    let (captured, _guard) = capture();
    let app = app::app(&app::Options::default()).unwrap();
    let role = "r".repeat(60_000);
    let request = http::Request::get(format!("/whoami?role={role}"))
        .header("x-api-key", "sk-1")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 403);
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = text
        .lines()
        .find(|line| line.contains("status=403"))
        .unwrap();
    assert!(line.len() < 2_000, "{} bytes", line.len());
    assert!(line.contains('…'), "{line}");
}

/// `/whoami/?scope=…` (a trailing slash) reads no requirement, by design for Envoy's
/// `path_prefix`; the demo warns, so that an nginx or Traefik operator who typed the slash
/// learns it.
#[tokio::test]
async fn requirements_under_the_prefix_are_warned_of() {
    use tower::ServiceExt as _;
    let (captured, _guard) = capture();
    let app = app::app(&app::Options::default()).unwrap();
    let request = http::Request::get("/whoami/?scope=orders:read")
        .header("x-api-key", "sk-1")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.oneshot(request).await.unwrap().status(), 200);
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("WARN") && text.contains("without a trailing slash"),
        "{text}"
    );
}

//! The demo server, started on 127.0.0.1:0, driven by a real HTTP client and a real WebSocket
//! client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../examples/server/app.rs"]
#[allow(dead_code, unreachable_pub)]
mod app;

use std::net::SocketAddr;

use app::Options;
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Message, http::HeaderValue};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const JWT_SUB_USER_123: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.X08jIeU5P5VPI8jihJwg08B-5dOZk9z6b6japrnNSzs";
const JWT_WS_USER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ3cy11c2VyIiwiZW1haWwiOiJ3c0BleGFtcGxlLmNvbSJ9.F_davh-r9umUl9viiduYW3fWcuYQN_4WG9aBvuplMkI";

struct Server {
    addr: SocketAddr,
    http: reqwest::Client,
}

async fn serve(options: Options) -> Server {
    let app = app::app(&options).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        addr,
        http: reqwest::Client::new(),
    }
}

impl Server {
    async fn whoami(
        &self,
        headers: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut request = self.http.get(format!("http://{}/whoami", self.addr));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.json().await.unwrap();
        (status, headers, body)
    }

    /// `/metrics`, in Prometheus text.
    async fn metrics(&self) -> String {
        let response = self.http.get(format!("http://{}/metrics", self.addr));
        response.send().await.unwrap().text().await.unwrap()
    }

    async fn socket(&self, path_and_query: &str, headers: &[(&str, &str)]) -> Ws {
        let mut request = format!("ws://{}{path_and_query}", self.addr)
            .into_client_request()
            .unwrap();
        for (name, value) in headers {
            let name =
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes())
                    .unwrap();
            request
                .headers_mut()
                .append(name, HeaderValue::from_str(value).unwrap());
        }
        let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
        assert_eq!(response.status(), 101);
        socket
    }
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Headers<'a> = &'a [(&'a str, &'a str)];

async fn next_json(socket: &mut Ws) -> Value {
    match socket.next().await.unwrap().unwrap() {
        Message::Text(text) => serde_json::from_str(&text).unwrap(),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

async fn ask(socket: &mut Ws, frame: Value) -> Value {
    socket
        .send(Message::Text(frame.to_string().into()))
        .await
        .unwrap();
    next_json(socket).await
}

async fn expect_close(socket: &mut Ws, reason: &str) {
    match socket.next().await.unwrap().unwrap() {
        Message::Close(Some(frame)) => {
            assert_eq!(frame.code, CloseCode::Policy);
            assert_eq!(frame.reason.as_str(), reason);
        }
        other => panic!("expected close 1008, got {other:?}"),
    }
}

/// The demo's introspection at the test kit's provider, as its own client.
fn introspection_at(idp: &axum_userinfo::test_util::TestIdp) -> app::Introspection {
    use axum_userinfo::test_util::TestIdp;
    let secret = TestIdp::CLIENT_SECRET.into();
    app::Introspection::new(
        idp.issuer(),
        Some(idp.introspection_url()),
        TestIdp::CLIENT_ID,
        secret,
    )
}

fn id(key: &str) -> String {
    axum_userinfo::identity::user_id_of_key(key).to_string()
}

#[tokio::test]
async fn every_credential_kind_over_http() {
    let server = serve(Options::default()).await;
    let bearer_jwt = format!("Bearer {JWT_SUB_USER_123}");
    let cases: [(Headers<'_>, &str, &str); 6] = [
        (
            &[("cookie", "theme=dark; nat-session=abc")],
            "session_cookie",
            "152f5ceb-ed84-5d9b-9777-f31c9251b83d",
        ),
        (
            &[("authorization", &bearer_jwt)],
            "jwt",
            "4cb70924-7641-5fa4-af14-de06c4d6ca2c",
        ),
        (
            &[("authorization", "Bearer sk-service-abc123")],
            "api_key",
            "06d2b7c6-c9cf-58f3-a90b-ed272501211d",
        ),
        (
            &[("x-api-key", "sk-service-abc123")],
            "api_key",
            "06d2b7c6-c9cf-58f3-a90b-ed272501211d",
        ),
        (
            &[("authorization", "Basic YWxpY2U6czNjcmV0")],
            "basic",
            "acc6fc5a-2d86-52ef-b55f-6e20b1bbc2ce",
        ),
        (
            &[("authorization", "Digest x"), ("x-api-key", "k2")],
            "api_key",
            "a879b9cd-2637-58f4-97fe-e3649ccc19aa",
        ),
    ];
    for (headers, source, user_id) in cases {
        let (status, response_headers, body) = server.whoami(headers).await;
        assert_eq!(status, 200, "{headers:?}");
        assert_eq!(body["outcome"], "user");
        assert_eq!(body["source"], source);
        assert_eq!(body["user_id"], user_id);
        assert_eq!(response_headers["x-user-id"], user_id);
        assert_eq!(response_headers["x-user-source"], source);
        let text = body.to_string();
        for secret in [
            "sk-service",
            "s3cret",
            "YWxpY2U6czNjcmV0",
            "nat-session",
            "abc\"",
        ] {
            assert!(!text.contains(secret), "{text} holds {secret}");
        }
    }
    let (_, _, body) = server.whoami(&[("authorization", &bearer_jwt)]).await;
    assert_eq!(body["jwt"]["subject"], "user-123");
    let (_, _, body) = server
        .whoami(&[("authorization", "Basic YWxpY2U6czNjcmV0")])
        .await;
    assert_eq!(body["basic"], json!({"username": "alice"}));
}

#[tokio::test]
async fn optional_and_required_modes() {
    let optional = serve(Options::default()).await;
    let (status, headers, body) = optional.whoami(&[]).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"outcome": "anonymous"}))
    );
    assert!(headers.get("x-user-id").is_none());

    let required = serve(Options {
        require: true,
        ..Options::default()
    })
    .await;
    let (status, headers, body) = required.whoami(&[]).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, json!({"outcome": "anonymous"}))
    );
    let challenges: Vec<_> = headers
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(
        challenges,
        ["Bearer", r#"Basic realm="api", charset="UTF-8""#]
    );
    let (status, _, _) = required.whoami(&[("x-api-key", "k")]).await;
    assert_eq!(status, 200);
    // Health checks never need a credential.
    let health = required
        .http
        .get(format!("http://{}/healthz", required.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn bad_credentials_get_the_error_body_and_a_challenge() {
    let server = serve(Options::default()).await;
    let cases = [
        (
            "authorization",
            "Bearer a.b.secretsig",
            "Bearer error=\"invalid_token\"",
        ),
        (
            "authorization",
            "Bearer eyJhbGciOiJub25lIn0.e30.",
            "Bearer error=\"invalid_token\"",
        ),
        (
            "authorization",
            "Basic c2VjcmV0LW5vLWNvbG9u",
            "Basic realm=\"api\"",
        ),
        ("authorization", "Basic secret!!", "Basic realm=\"api\""),
    ];
    for (name, value, challenge) in cases {
        let (status, headers, body) = server.whoami(&[(name, value)]).await;
        assert_eq!(status, 401, "{value}");
        assert_eq!(body["code"], "user_auth_error");
        assert_eq!(body["message"], "Authentication failed");
        assert!(body["details"].as_str().is_some_and(|d| !d.is_empty()));
        let www = headers["www-authenticate"].to_str().unwrap();
        assert!(www.starts_with(challenge), "{www}");
        let everything = format!("{body} {headers:?}");
        for secret in [
            "secretsig",
            "c2VjcmV0LW5vLWNvbG9u",
            "secret!!",
            "secret-no-colon",
        ] {
            assert!(!everything.contains(secret), "{everything} holds {secret}");
        }
    }
}

#[tokio::test]
async fn policy_and_identity_header() {
    let only_jwt = serve(Options {
        accept: Some("jwt".parse().unwrap()),
        ..Options::default()
    })
    .await;
    let (status, _, body) = only_jwt.whoami(&[("x-api-key", "k")]).await;
    assert_eq!(status, 401);
    assert_eq!(
        body["details"],
        "identity credential type 'api_key' is not accepted"
    );
    let (status, _, _) = only_jwt
        .whoami(&[("authorization", &format!("Bearer {JWT_SUB_USER_123}"))])
        .await;
    assert_eq!(status, 200);

    let proxied = serve(Options {
        identity_header: Some("X-Forwarded-User".into()),
        ..Options::default()
    })
    .await;
    let (status, _, body) = proxied.whoami(&[("x-forwarded-user", " alice ")]).await;
    assert_eq!(status, 200);
    assert_eq!(body["user_id"], "970689e0-10dd-55c4-a1ae-b67263f049eb");
    assert_eq!(body["source"], "identity_header");
    let (status, _, body) = proxied.whoami(&[("x-api-key", "k")]).await;
    assert_eq!(status, 401);
    assert_eq!(
        body["details"],
        "configured identity header 'x-forwarded-user' is missing"
    );
}

#[tokio::test]
async fn websocket_identity_from_headers_and_session_query() {
    let server = serve(Options::default()).await;
    let identity = json!({"type": "whoami"});

    let mut socket = server.socket("/websocket", &[]).await;
    assert_eq!(
        ask(&mut socket, identity.clone()).await,
        json!({"type": "identity", "user_id": null, "source": null})
    );

    let mut socket = server.socket("/websocket?session=s-query-1", &[]).await;
    let reply = ask(&mut socket, identity.clone()).await;
    assert_eq!(reply["user_id"], "4dac49d3-9eb5-5fd3-a1f3-9b4d39723681");
    assert_eq!(reply["source"], "session_cookie");

    // A session cookie wins over the query.
    let mut socket = server
        .socket(
            "/websocket?session=s-query-2",
            &[("cookie", "nat-session=from-cookie")],
        )
        .await;
    assert_eq!(
        ask(&mut socket, identity.clone()).await["user_id"],
        "7cdeca08-14ff-5874-ab00-10475fded3da"
    );

    let bearer = format!("Bearer {JWT_SUB_USER_123}");
    let headers: [(&str, &str); 3] = [
        ("authorization", &bearer),
        ("authorization", "Basic YWxpY2U6czNjcmV0"),
        ("x-api-key", "sk-service-abc123"),
    ];
    let expected = [
        "4cb70924-7641-5fa4-af14-de06c4d6ca2c",
        "acc6fc5a-2d86-52ef-b55f-6e20b1bbc2ce",
        "06d2b7c6-c9cf-58f3-a90b-ed272501211d",
    ];
    for (header, want) in headers.into_iter().zip(expected) {
        let mut socket = server.socket("/websocket", &[header]).await;
        assert_eq!(
            ask(&mut socket, identity.clone()).await["user_id"],
            want,
            "{header:?}"
        );
    }
}

#[tokio::test]
async fn websocket_refusals_close_with_1008() {
    let server = serve(Options::default()).await;

    let mut socket = server
        .socket("/websocket?session=a%3Bnat-session%3Db", &[])
        .await;
    expect_close(&mut socket, "Invalid session ID").await;

    let mut socket = server
        .socket("/websocket", &[("authorization", "Bearer a.b.c")])
        .await;
    let reply = next_json(&mut socket).await;
    assert_eq!(reply["type"], "auth_response_message");
    assert_eq!(reply["status"], "error");
    assert_eq!(reply["payload"]["code"], "user_auth_error");
    expect_close(&mut socket, "Identity credential was rejected").await;

    let only_jwt = serve(Options {
        accept: Some("jwt".parse().unwrap()),
        ..Options::default()
    })
    .await;
    let mut socket = only_jwt
        .socket("/websocket", &[("cookie", "nat-session=c")])
        .await;
    assert_eq!(
        next_json(&mut socket).await["payload"]["details"],
        "identity credential type 'session_cookie' is not accepted"
    );
    expect_close(&mut socket, "Identity credential was rejected").await;
}

#[tokio::test]
async fn websocket_auth_messages() {
    let server = serve(Options::default()).await;
    let mut socket = server.socket("/websocket", &[]).await;

    let reply = ask(
        &mut socket,
        json!({"type": "auth_message", "payload": {"method": "jwt", "token": JWT_WS_USER}}),
    )
    .await;
    assert_eq!(reply["type"], "auth_response_message");
    assert_eq!(reply["status"], "success");
    assert_eq!(reply["user_id"], "636f0726-83b2-5c9c-80f9-6aaf4d3b72de");
    assert_eq!(reply["payload"], Value::Null);
    assert!(
        reply["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with("+00:00"))
    );
    // The resolved identity replaces the anonymous one for the rest of the socket.
    let identity = ask(&mut socket, json!({"type": "whoami"})).await;
    assert_eq!(
        (identity["user_id"].as_str(), identity["source"].as_str()),
        (Some("636f0726-83b2-5c9c-80f9-6aaf4d3b72de"), Some("jwt"))
    );

    let reply = ask(&mut socket, json!({"type": "auth_message", "payload": {"method": "basic", "username": "alice", "password": "s3cret"}})).await;
    assert_eq!(reply["user_id"], "acc6fc5a-2d86-52ef-b55f-6e20b1bbc2ce");

    let reply = ask(
        &mut socket,
        json!({"type": "auth_message", "payload": {"method": "jwt", "token": "not-a-jwt"}}),
    )
    .await;
    assert_eq!(
        (reply["status"].as_str(), reply["payload"]["code"].as_str()),
        (Some("error"), Some("user_auth_error"))
    );
    assert_eq!(reply["payload"]["message"], "Authentication failed");
    // A failed auth message leaves the identity as it was.
    assert_eq!(
        ask(&mut socket, json!({"type": "x"})).await["source"],
        "basic"
    );

    let reply = ask(
        &mut socket,
        json!({"type": "auth_message", "payload": {"method": "api_key", "token": "k", "extra": 1}}),
    )
    .await;
    assert_eq!(reply["payload"]["code"], "invalid_message");

    // An OAuth mode preference takes no reply: the next frame answered is the identity.
    socket.send(Message::Text(json!({"type": "auth_message", "payload": {"method": "oauth_mode_preference", "mode": "popup"}}).to_string().into())).await.unwrap();
    assert_eq!(
        ask(&mut socket, json!({"type": "x"})).await["type"],
        "identity"
    );

    let reply = ask(
        &mut socket,
        json!({"type": "auth_message", "payload": {"method": "api_key", "token": "sk-ws-key"}}),
    )
    .await;
    assert_eq!(reply["user_id"], id("sk-ws-key"));
    assert!(!reply.to_string().contains("sk-ws-key"));
}

#[tokio::test]
async fn cookie_websockets_need_an_allowed_origin() {
    let server = serve(Options {
        allowed_origins: vec!["https://app.example.com".into()],
        ..Options::default()
    })
    .await;
    let cookie = ("cookie", "nat-session=from-cookie");
    let whoami = json!({"type": "whoami"});

    // Basic credentials are ambient too: browsers replay cached ones (RFC 6455 10.5).
    let basic = ("authorization", "Basic YWxpY2U6czNjcmV0");
    // Ambient credentials from another origin, or none: refused.
    for (credential, origin) in [cookie, basic]
        .into_iter()
        .flat_map(|c| [(c, Some("https://evil.example")), (c, None)])
    {
        let headers: Vec<_> = std::iter::once(credential)
            .chain(origin.map(|o| ("origin", o)))
            .collect();
        let mut socket = server.socket("/websocket", &headers).await;
        // Asked who it is, an accepted socket would answer with a user: it must be refused.
        let _ = socket.send(Message::Text(whoami.to_string().into())).await;
        let reply = next_json(&mut socket).await;
        assert_eq!(
            reply["payload"]["details"],
            "WebSocket upgrade from an origin that is not allowed"
        );
        expect_close(&mut socket, "Identity credential was rejected").await;
    }
    let allowed = ("origin", "https://app.example.com");
    let mut socket = server.socket("/websocket", &[basic, allowed]).await;
    assert_eq!(ask(&mut socket, whoami.clone()).await["source"], "basic");
    let mut socket = server.socket("/websocket", &[cookie, allowed]).await;
    assert_eq!(
        ask(&mut socket, whoami.clone()).await["user_id"],
        "7cdeca08-14ff-5874-ab00-10475fded3da"
    );

    // Not ambient credentials: an explicit session id and an API key need no origin.
    let mut socket = server
        .socket(
            "/websocket?session=s-query-1",
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(
        ask(&mut socket, whoami.clone()).await["source"],
        "session_cookie"
    );
    let mut socket = server
        .socket(
            "/websocket",
            &[("x-api-key", "k"), ("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(ask(&mut socket, whoami).await["source"], "api_key");
}

#[tokio::test]
async fn anonymous_sockets_must_authenticate_in_time() {
    let timeout = std::time::Duration::from_millis(300);
    let server = serve(Options {
        auth_timeout: Some(timeout),
        ..Options::default()
    })
    .await;
    let whoami = json!({"type": "whoami"});

    // Anonymous and silent: closed when the time is up, frames or not.
    let started = std::time::Instant::now();
    let mut socket = server.socket("/websocket", &[]).await;
    assert_eq!(
        ask(&mut socket, whoami.clone()).await["user_id"],
        Value::Null
    );
    expect_close(&mut socket, "Authentication timed out").await;
    assert!(started.elapsed() >= timeout);

    // Authenticated in time by an auth message, or at connect: no deadline any more.
    let mut socket = server.socket("/websocket", &[]).await;
    let auth = json!({"type": "auth_message", "payload": {"method": "api_key", "token": "k"}});
    assert_eq!(ask(&mut socket, auth).await["status"], "success");
    let mut authenticated = server.socket("/websocket", &[("x-api-key", "k")]).await;
    tokio::time::sleep(timeout * 2).await;
    assert_eq!(ask(&mut socket, whoami.clone()).await["source"], "api_key");
    assert_eq!(ask(&mut authenticated, whoami).await["source"], "api_key");
}

#[tokio::test]
async fn the_identity_header_counts_only_from_trusted_proxies() {
    let options = |ranges: &[&str]| Options {
        identity_header: Some("X-Forwarded-User".into()),
        trusted_proxies: ranges.iter().map(|r| (*r).to_owned()).collect(),
        ..Options::default()
    };
    let header = [("x-forwarded-user", "alice")];

    let loopback = serve(options(&["127.0.0.0/8"])).await;
    let (status, _, body) = loopback.whoami(&header).await;
    assert_eq!(status, 200);
    assert_eq!(body["user_id"], "970689e0-10dd-55c4-a1ae-b67263f049eb");

    let elsewhere = serve(options(&["10.0.0.0/8", "fd00::/8"])).await;
    let (status, headers, body) = elsewhere.whoami(&header).await;
    assert_eq!(status, 403);
    assert_eq!(
        body["details"],
        "the identity header is only accepted from the trusted proxies"
    );
    assert!(headers.get("www-authenticate").is_none());
}

#[tokio::test]
async fn oversized_frames_are_refused() {
    let server = serve(Options::default()).await;
    let mut socket = server.socket("/websocket", &[("x-api-key", "k")]).await;
    let frame = "x".repeat(axum_userinfo::limits::DEFAULT_MAX_AUTH_FRAME_LEN + 1);
    // The server refuses the frame and closes the socket (1009, message too big).
    let _ = socket.send(Message::Text(frame.into())).await;
    match socket.next().await {
        Some(Ok(Message::Close(Some(close)))) => assert_eq!(close.code, CloseCode::Size),
        Some(Ok(Message::Close(None))) | Some(Err(_)) | None => {}
        other => panic!("expected the socket to close, got {other:?}"),
    }
}

#[tokio::test]
async fn verified_jwts_with_oidc_discovery() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let server = serve(Options {
        oidc_issuers: vec![idp.issuer().to_owned()],
        audience: Some("api".to_owned()),
        allow_http_loopback: true,
        ..Options::default()
    })
    .await;
    let scoped = axum_userinfo::identity::user_id_of_key(&format!("{}\u{1f}alice", idp.issuer()))
        .to_string();

    let token = idp.token().subject("alice").audience("api").sign();
    let (status, _, body) = server
        .whoami(&[("authorization", &format!("Bearer {token}"))])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user_id"], scoped.as_str());

    // The unverified token the other tests use is refused now: it has no issuer.
    let (status, headers, _) = server
        .whoami(&[("authorization", &format!("Bearer {JWT_SUB_USER_123}"))])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let challenge = headers["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );

    // A WebSocket auth message is verified the same way.
    let mut socket = server.socket("/websocket", &[]).await;
    let frame =
        |token: &str| json!({"type": "auth_message", "payload": {"method": "jwt", "token": token}});
    let reply = ask(&mut socket, frame(&token)).await;
    assert_eq!(
        (reply["status"].as_str(), reply["user_id"].as_str()),
        (Some("success"), Some(scoped.as_str()))
    );
    let wrong_audience = idp.token().audience("other").sign();
    let reply = ask(&mut socket, frame(&wrong_audience)).await;
    assert_eq!(reply["status"], "error");
    assert_eq!(reply["payload"]["code"], "user_auth_error");
    assert_eq!(idp.jwks_requests(), 1);
}

/// `/readyz`: 503 naming the issuers without keys (cold: the identity provider is down at
/// start-up), 200 once keys are fetched without any request needing them (warm); `/healthz`
/// stays 200 throughout. Claims become `/whoami` headers with `--claim-header`.
#[tokio::test]
async fn readiness_cold_and_warm_and_claim_headers() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    idp.set_down(true);
    let server = serve(Options {
        oidc_issuers: vec![idp.issuer().to_owned()],
        allow_http_loopback: true,
        key_refetch_interval: Some(std::time::Duration::from_millis(100)),
        claim_headers: vec![
            ("email".to_owned(), "X-User-Email".to_owned()),
            ("groups".to_owned(), "X-User-Groups".to_owned()),
        ],
        ..Options::default()
    })
    .await;
    let get = |path: &str| {
        server
            .http
            .get(format!("http://{}{path}", server.addr))
            .send()
    };
    let cold = get("/readyz").await.unwrap();
    assert_eq!(cold.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = cold.json().await.unwrap();
    assert_eq!(body["waiting_for_keys"], json!([idp.issuer()]));
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);

    idp.set_down(false); // no request asks for keys: the server fetches them on its own
    let mut ready = false;
    for _ in 0..50 {
        if get("/readyz").await.unwrap().status() == StatusCode::OK {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "ready once the identity provider answers");
    assert!(idp.jwks_requests() >= 1);

    let token = (idp.token().subject("ada"))
        .claim("email", "ada@example.com")
        .claim("groups", json!(["eng", "ops"]))
        .sign();
    let bearer = format!("Bearer {token}");
    let (status, headers, _) = server
        .whoami(&[("authorization", &bearer), ("x-user-email", "admin@evil")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-user-email"], "ada@example.com");
    assert_eq!(headers["x-user-groups"], "eng,ops");
    assert_eq!(headers["x-user-source"], "jwt");
    // Envoy's ext_authz asks for `path_prefix` + the original path.
    let response = (server.http)
        .get(format!("http://{}/whoami/app/data?x=1", server.addr))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-user-email"], "ada@example.com");

    // Issuers are named without URL credentials.
    let secret = serve(Options {
        jwks: vec![(
            "https://user:s3cret@issuer.example/realm?token=t".to_owned(),
            "http://127.0.0.1:9/jwks".to_owned(), // loopback only: nothing listens there
        )],
        allow_http_loopback: true,
        ..Options::default()
    })
    .await;
    let response = (secret.http)
        .get(format!("http://{}/readyz", secret.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = response.text().await.unwrap();
    assert!(body.contains("issuer.example/realm"), "{body}");
    assert!(
        !body.contains("s3cret") && !body.contains("token=t"),
        "{body}"
    );
}

/// `/metrics`: the crate's counters in Prometheus text, labelled by source, outcome, issuer and
/// result, and never by a credential, a user id or a claim value.
#[tokio::test]
async fn metrics_count_without_credentials() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let server = serve(Options {
        oidc_issuers: vec![idp.issuer().to_owned()],
        allow_http_loopback: true,
        accept: Some("jwt,api_key".parse().unwrap()),
        ..Options::default()
    })
    .await;
    let key = "sk-metrics-secret-key";
    let token = idp
        .token()
        .subject("metrics-user")
        .claim("email", "m@example.com")
        .sign();
    let bearer = format!("Bearer {token}");
    for _ in 0..2 {
        server.whoami(&[("x-api-key", key)]).await;
        server.whoami(&[("authorization", &bearer)]).await; // a miss, then a cache hit
    }
    server.whoami(&[("authorization", "Bearer a.b.c")]).await;
    let text = server.metrics().await;
    let has = |metric: &str, labels: &[&str]| {
        text.lines()
            .any(|line| line.starts_with(metric) && labels.iter().all(|label| line.contains(label)))
    };
    assert!(
        has(
            "userinfo_resolutions_total",
            &[r#"source="api_key""#, r#"outcome="user""#]
        ),
        "{text}"
    );
    assert!(has(
        "userinfo_resolutions_total",
        &[r#"source="jwt""#, r#"outcome="user""#]
    ));
    assert!(has(
        "userinfo_resolutions_total",
        &[r#"outcome="malformed_jwt""#]
    ));
    let issuer = format!(r#"issuer="{}""#, idp.issuer());
    assert!(
        has("userinfo_key_fetches_total", &[&issuer, r#"result="ok""#]),
        "{text}"
    );
    assert!(has(
        "userinfo_key_cache_total",
        &[&issuer, r#"result="hit""#]
    ));
    assert!(has("userinfo_token_cache_total", &[r#"result="hit""#]));
    assert!(has("userinfo_token_cache_total", &[r#"result="miss""#]));
    let user =
        axum_userinfo::identity::user_id_of_key(&format!("{}\u{1f}metrics-user", idp.issuer()));
    for secret in [
        key,
        &token,
        "metrics-user",
        "m@example.com",
        &user.to_string(),
    ] {
        assert!(!text.contains(secret), "{secret} in /metrics");
    }
}

/// G1: the gateway recipe (`--require` with `--oidc`) lets only verified JWTs through: every
/// credential that nothing verifies is refused unless `--accept` names its kind.
#[tokio::test]
async fn a_verifying_demo_accepts_only_jwts_unless_told_otherwise() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let options = Options {
        require: true,
        oidc_issuers: vec![idp.issuer().to_owned()],
        allow_http_loopback: true,
        ..Options::default()
    };
    let server = serve(options.clone()).await;
    let unverified: Headers<'_> = &[
        ("x-api-key", "anything"),
        ("authorization", "Bearer not-a-jwt"),
        ("authorization", "Bearer a.b"),
        ("authorization", "Bearer a.b.c.d"),
        ("authorization", "Bearer a.b.c.d.e"),
        ("authorization", "Basic eDp5"), // x:y
        ("cookie", "nat-session=x"),
    ];
    for header in unverified {
        let (status, headers, body) = server.whoami(&[*header]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{header:?}: {body}");
        assert!(headers.get("x-user-id").is_none(), "{header:?}");
        assert_eq!(body["code"], "user_auth_error", "{header:?}: {body}");
        let details = body["details"].as_str().unwrap_or_default();
        assert!(details.contains("not accepted"), "{header:?}: {body}");
    }
    let token = idp.token().subject("alice").sign();
    let (status, headers, _) = server
        .whoami(&[("authorization", &format!("Bearer {token}"))])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("x-user-id").is_some());

    // An operator's explicit choice is honoured.
    let wider = serve(Options {
        accept: Some("jwt,api_key".parse().unwrap()),
        ..options
    })
    .await;
    let (status, headers, _) = wider.whoami(&[("x-api-key", "sk-1")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-user-id"], id("sk-1").as_str());
    let (status, _, _) = wider.whoami(&[("authorization", "Basic eDp5")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// H1: a gateway for the API keys you issue (`--require --api-keys FILE`, no `--accept`)
/// accepts only the keys of its list: Basic credentials, any session cookie and an unsigned
/// JWT (whose `label` and `scope` claims once filled the claim headers a known key's entry
/// fills) are refused.
#[tokio::test]
async fn a_gateway_for_api_keys_accepts_only_its_keys() {
    let keys = std::env::temp_dir().join(format!("demo-h1-keys-{}.txt", std::process::id()));
    std::fs::write(&keys, "sk-ci-robot ci-robot orders:read\n").unwrap();
    let server = serve(Options {
        require: true,
        api_keys: Some(keys.clone()),
        claim_headers: vec![
            ("label".to_owned(), "x-key-label".to_owned()),
            ("scope".to_owned(), "x-key-scope".to_owned()),
        ],
        ..Options::default()
    })
    .await;
    std::fs::remove_file(&keys).unwrap();
    // {"alg":"none"}.{"sub":"mallory","label":"ci-robot","scope":"orders:read"}.
    let unsigned = "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5IiwibGFiZWwiOiJjaS1yb2JvdCIsInNjb3BlIjoib3JkZXJzOnJlYWQifQ.";
    for header in [
        ("authorization", "Basic eDp5"),
        ("cookie", "nat-session=anything"),
        ("authorization", unsigned),
    ] {
        let (status, headers, body) = server.whoami(&[header]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{header:?}: {body}");
        assert!(headers.get("x-user-id").is_none(), "{header:?}");
        assert!(headers.get("x-key-label").is_none(), "{header:?}");
    }
    let (status, headers, body) = server.whoami(&[("x-api-key", "sk-ci-robot")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["x-key-label"], "ci-robot");
    assert_eq!(headers["x-user-id"], id("sk-ci-robot").as_str());
}

/// The RFC 9728 document names every issuer the demo trusts, introspection's included (it
/// named none with `--introspection-issuer` alone); a resource with no issuer at all, or with
/// route syntax in its path, is a configuration error, never a panic or a literal `{x}`.
#[tokio::test]
async fn the_resource_names_every_issuer_and_refuses_route_syntax() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let server = serve(Options {
        introspection: Some(introspection_at(&idp)),
        resource: Some("HTTP://127.0.0.1:3000/MCP".to_owned()),
        audience: Some("http://127.0.0.1:3000/MCP".to_owned()),
        allow_http_loopback: true,
        ..Options::default()
    })
    .await;
    let url = format!(
        "http://{}/.well-known/oauth-protected-resource/MCP",
        server.addr
    );
    let document: Value = server
        .http
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(document["authorization_servers"], json!([idp.issuer()]));
    assert_eq!(document["resource"], "http://127.0.0.1:3000/MCP");

    let resource_alone = |resource: &str| Options {
        resource: Some(resource.to_owned()),
        ..Options::default()
    };
    assert_eq!(
        app::app(&resource_alone("http://127.0.0.1:3000/mcp")).err(),
        Some(axum_userinfo::ConfigError::ResourceWithoutAuthorizationServer)
    );
    for bad in [
        "http://127.0.0.1:3000/{x}",
        "http://127.0.0.1:3000/:x",
        "http://127.0.0.1:3000/*x",
        "http://127.0.0.1:70000/mcp",
    ] {
        let options = Options {
            oidc_issuers: vec![idp.issuer().to_owned()],
            allow_http_loopback: true,
            ..resource_alone(bad)
        };
        assert_eq!(
            app::app(&options).err(),
            Some(axum_userinfo::ConfigError::InvalidResource),
            "{bad}"
        );
    }
}

/// The settings the library has, through the demo's options: the token type, the leeway,
/// DPoP nonces, `client_secret_post` and the introspection cache's lifetimes.
#[tokio::test]
async fn the_demo_reaches_every_setting() {
    use axum_userinfo::test_util::{TestIdp, TestKey};
    let idp = TestIdp::start().await;
    let verifying = Options {
        oidc_issuers: vec![idp.issuer().to_owned()],
        allow_http_loopback: true,
        token_type: Some("at+jwt".to_owned()),
        leeway: Some(std::time::Duration::from_secs(0)),
        ..Options::default()
    };
    let server = serve(verifying.clone()).await;
    let bearer = |token: &str| format!("Bearer {token}");
    let plain = idp.token().subject("ada").sign();
    let (status, _, _) = server.whoami(&[("authorization", &bearer(&plain))]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "typ JWT, not at+jwt");
    let typed = idp.token().subject("ada").typ("at+jwt").sign();
    let (status, _, _) = server.whoami(&[("authorization", &bearer(&typed))]).await;
    assert_eq!(status, StatusCode::OK);
    // Expired 10 s ago: within the default leeway, not within a leeway of 0.
    let late = idp
        .token()
        .subject("ada")
        .typ("at+jwt")
        .expires_in(-10)
        .sign();
    let (status, _, _) = server.whoami(&[("authorization", &bearer(&late))]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // DPoP nonces: a proof without one gets 401 use_dpop_nonce and a nonce to use.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app::app(&Options {
        dpop: true,
        public_url: Some(format!("http://{addr}")),
        dpop_nonces: Some((
            "a nonce secret of at least 32 bytes".into(),
            std::time::Duration::from_secs(60),
        )),
        token_type: None,
        ..verifying
    })
    .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let key = TestKey::Ec;
    let bound = idp.token().subject("ada").bound_to(key).sign();
    let url = format!("http://{addr}/whoami");
    let send = |proof: String| {
        (server.http.get(&url))
            .header("authorization", format!("DPoP {bound}"))
            .header("dpop", proof)
            .send()
    };
    let proof = key.dpop_proof("GET", &url).access_token(&bound).sign();
    let response = send(proof).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let nonce = response.headers()["dpop-nonce"].to_str().unwrap();
    let proof = (key.dpop_proof("GET", &url).access_token(&bound))
        .claim("nonce", nonce)
        .sign();
    let response = send(proof).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // client_secret_post, and an introspection cache turned off: one call per request.
    let mut introspection = introspection_at(&idp);
    introspection.client_auth = axum_userinfo::introspect::ClientAuth::ClientSecretPost;
    introspection.cache_ttl = Some(std::time::Duration::ZERO);
    let introspecting = serve(Options {
        introspection: Some(introspection),
        allow_http_loopback: true,
        ..Options::default()
    })
    .await;
    let opaque = idp.opaque_token().subject("ada").mint();
    for _ in 0..2 {
        let (status, _, body) = introspecting
            .whoami(&[("authorization", &bearer(&opaque))])
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(idp.introspection_calls(), 2);
}

/// G8: `/whoami`, `/whoami/` and `/whoami/…` answer every method alike (gateways forward the
/// original method; Envoy's `path_prefix` sends `/whoami/` for a request to `/`).
#[tokio::test]
async fn whoami_answers_every_method_and_path() {
    let server = serve(Options::default()).await;
    for path in ["/whoami", "/whoami/", "/whoami/app/data"] {
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"] {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let response = (server.http)
                .request(method.clone(), format!("http://{}{path}", server.addr))
                .header("x-api-key", "sk-1")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{method} {path}");
            assert_eq!(
                response.headers()["x-user-id"],
                id("sk-1").as_str(),
                "{method} {path}"
            );
        }
    }
}

/// G12: a token that waits for a refetch counts one key-cache look-up, not two (8 unknown-kid
/// requests counted 16 misses).
#[tokio::test]
async fn a_refetched_key_miss_counts_once() {
    use axum_userinfo::test_util::{TestIdp, TestKey};
    let idp = TestIdp::start().await;
    idp.publish(&[TestKey::Rsa1]);
    let server = serve(Options {
        oidc_issuers: vec![idp.issuer().to_owned()],
        allow_http_loopback: true,
        ..Options::default()
    })
    .await;
    let unknown = idp.token().key(TestKey::Rsa2).sign(); // a kid the issuer does not publish
    for _ in 0..8 {
        let (status, _, _) = server
            .whoami(&[("authorization", &format!("Bearer {unknown}"))])
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let text = server.metrics().await;
    let issuer = format!(r#"issuer="{}""#, idp.issuer());
    let misses = text
        .lines()
        .find(|line| {
            line.starts_with("userinfo_key_cache_total")
                && line.contains(&issuer)
                && line.contains(r#"result="miss""#)
        })
        .unwrap_or_else(|| panic!("no miss counter:\n{text}"));
    assert!(misses.ends_with(" 8"), "{misses}");
}

/// G11: keys fetched, but every one of them left out (a 1024-bit RSA key, an encryption key,
/// a symmetric key): not ready, since no token can be verified.
#[tokio::test]
async fn a_key_set_without_a_usable_key_is_not_ready() {
    use axum_userinfo::test_util::{TestIdp, TestKey};
    let idp = TestIdp::start().await;
    let weak: Value = serde_json::from_str(include_str!("keys/rsa-1024.jwk.json")).unwrap();
    let mut enc = serde_json::to_value(TestKey::Ed.jwk()).unwrap();
    enc["use"] = "enc".into();
    enc["kid"] = "enc".into();
    let oct =
        json!({"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA", "kid": "hmac"});
    let body = json!({ "keys": [weak, enc, oct] });
    idp.set_jwks_body(Some(body.to_string().into_bytes()));
    let server = serve(Options {
        oidc_issuers: vec![idp.issuer().to_owned()],
        allow_http_loopback: true,
        key_refetch_interval: Some(std::time::Duration::from_millis(100)),
        ..Options::default()
    })
    .await;
    let readyz = || async {
        (server.http.get(format!("http://{}/readyz", server.addr)))
            .send()
            .await
            .unwrap()
    };
    // Wait for the start-up fetch, then: still not ready.
    for _ in 0..50 {
        if idp.jwks_requests() > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(idp.jwks_requests() > 0, "the keys were fetched");
    let response = readyz().await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["waiting_for_keys"], json!([idp.issuer()]));

    // Once a usable key is published and fetched, ready.
    idp.set_jwks_body(None);
    idp.publish(&[TestKey::Rsa1]);
    let mut ready = false;
    for _ in 0..40 {
        if readyz().await.status() == StatusCode::OK {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "ready once a usable key is published");
}

/// `--required-scope`: a valid token without the scopes gets 403 with the RFC 6750 §3.1
/// challenge naming them; one with them, 200; a refused token stays 401 `invalid_token`.
#[tokio::test]
async fn required_scopes_answer_403_insufficient_scope() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let server = serve(Options {
        oidc_issuers: vec![idp.issuer().to_owned()],
        allow_http_loopback: true,
        required_scopes: vec!["orders:read".to_owned(), "orders:write".to_owned()],
        ..Options::default()
    })
    .await;
    let bearer = |token: String| format!("Bearer {token}");
    let granted = idp
        .token()
        .claim("scope", "orders:read orders:write")
        .sign();
    let (status, _, _) = server.whoami(&[("authorization", &bearer(granted))]).await;
    assert_eq!(status, StatusCode::OK);

    let lacking = idp.token().claim("scope", "orders:read").sign();
    let (status, headers, body) = server.whoami(&[("authorization", &bearer(lacking))]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(headers.get("x-user-id").is_none());
    let challenge = headers["www-authenticate"].to_str().unwrap();
    // Parsed: the scheme, then auth-params (RFC 9110 §11.2).
    let (scheme, params) = challenge.split_once(' ').unwrap();
    assert_eq!(scheme, "Bearer");
    let params: std::collections::HashMap<&str, &str> = params
        .split(", ")
        .map(|param| {
            let (name, value) = param.split_once('=').unwrap();
            (name, value.trim_matches('"'))
        })
        .collect();
    assert_eq!(params["error"], "insufficient_scope");
    assert_eq!(params["scope"], "orders:read orders:write");
    assert_eq!(params.len(), 2, "{challenge}");

    let expired = idp.token().claim("scope", "orders:read orders:write");
    let (status, headers, _) = server
        .whoami(&[("authorization", &bearer(expired.expires_in(-3600).sign()))])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let challenge = headers["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with(r#"Bearer error="invalid_token""#),
        "{challenge}"
    );
}

/// `/whoami?scope=&role=&group=`: one forward-auth endpoint for every route of a gateway.
#[tokio::test]
async fn whoami_takes_the_routes_requirements_from_its_query() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let server = serve(Options {
        oidc_issuers: vec![idp.issuer().to_owned()],
        allow_http_loopback: true,
        claim_headers: vec![],
        ..Options::default()
    })
    .await;
    let get = |query: &str, token: Option<String>| {
        let mut request = server
            .http
            .get(format!("http://{}/whoami{query}", server.addr));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.unwrap() }
    };
    let reader = || {
        Some(
            idp.token()
                .subject("ada")
                .claim("scope", "orders:read")
                .claim("groups", json!(["eng"]))
                .sign(),
        )
    };
    let both = || {
        Some(
            idp.token()
                .subject("ada")
                .claim("scope", "orders:read orders:write")
                .sign(),
        )
    };

    let query = "?scope=orders:read&scope=orders:write";
    let ok = get(query, both()).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.headers().contains_key("x-user-id"));
    let lacking = get(query, reader()).await;
    assert_eq!(lacking.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        lacking.headers()["www-authenticate"],
        r#"Bearer error="insufficient_scope", scope="orders:read orders:write""#
    );
    assert!(!lacking.headers().contains_key("x-user-id"));
    let body: Value = lacking.json().await.unwrap();
    assert_eq!(body["code"], "insufficient_scope");
    // Without a credential: 401 (even though the demo's /whoami is optional by default).
    let anonymous = get(query, None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    // No requirement: the optional /whoami of before.
    assert_eq!(get("", None).await.status(), StatusCode::OK);
    // Groups and roles: any one of them.
    assert_eq!(
        get("?group=ops&group=eng", reader()).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        get("?group=ops", reader()).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get("?role=admin", reader()).await.status(),
        StatusCode::FORBIDDEN
    );
    // Under /whoami/… (Envoy's path_prefix) the query is the original request's: no requirement.
    let prefixed = server
        .http
        .get(format!("http://{}/whoami/app?scopes=x&x=1", server.addr))
        .bearer_auth(reader().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(prefixed.status(), StatusCode::OK);
    // A typo, an empty or a malformed requirement is never dropped silently.
    // H8: a value that is not UTF-8 once decoded is refused, never taken as U+FFFD.
    for bad in [
        "?scopes=orders:read",
        "?scope=",
        "?scope=a%20b",
        "?group=",
        "?group=%FF",
        "?group=%C3%28",
        "?role=%80",
    ] {
        assert_eq!(
            get(bad, both()).await.status(),
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    let metrics = server.metrics().await;
    assert!(
        metrics.contains(r#"userinfo_authorizations_total{guard="whoami",outcome="insufficient"}"#),
        "{metrics}"
    );
}

/// `--resource`: the RFC 9728 document at both well-known paths, and every 401 and guard 403
/// pointing to it.
#[tokio::test]
async fn the_protected_resource_metadata_and_its_challenges() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let server = serve(Options {
        oidc_issuers: vec![idp.issuer().to_owned()],
        allow_http_loopback: true,
        audience: Some("http://127.0.0.1:1/mcp".to_owned()),
        required_scopes: vec!["tools:call".to_owned()],
        resource: Some("http://127.0.0.1:1/mcp".to_owned()),
        resource_name: Some("Demo tools".to_owned()),
        ..Options::default()
    })
    .await;
    let base = format!("http://{}", server.addr);
    let metadata_url = "http://127.0.0.1:1/.well-known/oauth-protected-resource/mcp";
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let response = server
            .http
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["content-type"], "application/json");
        assert!(response.headers().contains_key("cache-control"));
        let document: Value = response.json().await.unwrap();
        assert_eq!(
            document,
            json!({
                "resource": "http://127.0.0.1:1/mcp",
                "authorization_servers": [idp.issuer()],
                "scopes_supported": ["tools:call"],
                "bearer_methods_supported": ["header"],
                "resource_name": "Demo tools",
            })
        );
    }
    let challenges = |response: &reqwest::Response| -> Vec<String> {
        (response.headers().get_all("www-authenticate").iter())
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    };
    // No credential, a refused one, a lacking one: each Bearer challenge names the metadata.
    let anonymous = server
        .http
        .get(format!("{base}/whoami?scope=tools:call"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    // Only the schemes this demo accepts: it verifies JWTs, so no Basic (whose browser
    // password prompt could never succeed); the scopes every token needs (MCP: a client asks
    // for the right token the first time).
    assert_eq!(
        challenges(&anonymous),
        [format!(
            r#"Bearer resource_metadata="{metadata_url}", scope="tools:call""#
        )]
    );
    let wrong_audience = idp
        .token()
        .audience("other")
        .claim("scope", "tools:call")
        .sign();
    let refused = server
        .http
        .get(format!("{base}/whoami"))
        .bearer_auth(wrong_audience)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let refused = challenges(&refused);
    assert!(
        refused[0].starts_with(r#"Bearer error="invalid_token""#),
        "{refused:?}"
    );
    assert!(
        refused[0].ends_with(&format!(
            r#", resource_metadata="{metadata_url}", scope="tools:call""#
        )),
        "{refused:?}"
    );
    let token = idp
        .token()
        .audience("http://127.0.0.1:1/mcp")
        .claim("scope", "tools:call")
        .sign();
    let lacking = server
        .http
        .get(format!("{base}/whoami?scope=tools:call&scope=tools:admin"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(lacking.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        challenges(&lacking),
        [format!(
            r#"Bearer error="insufficient_scope", scope="tools:call tools:admin", resource_metadata="{metadata_url}""#
        )]
    );
    let ok = server
        .http
        .get(format!("{base}/whoami?scope=tools:call"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
}

/// `--introspection-*` and `--api-keys`: opaque tokens introspected, API keys checked against
/// the list, the rest refused; the authorization server down is a 503 with `Retry-After`.
#[tokio::test]
async fn the_demo_introspects_opaque_tokens_and_checks_api_keys() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let keys = std::env::temp_dir().join(format!("demo-api-keys-{}.txt", std::process::id()));
    let digest = axum_userinfo::api_keys::ApiKeyDigest::of("sk-known");
    std::fs::write(&keys, format!("{digest} ci-robot orders:read\n")).unwrap();
    let server = serve(Options {
        introspection: Some(introspection_at(&idp)),
        api_keys: Some(keys.clone()),
        audience: Some("api".to_owned()),
        allow_http_loopback: true,
        claim_headers: vec![("username".to_owned(), "x-user-name".to_owned())],
        ..Options::default()
    })
    .await;
    std::fs::remove_file(&keys).unwrap();
    let token = idp
        .opaque_token()
        .subject("ada")
        .audience("api")
        .claim("username", "ada@example.com")
        .mint();
    let bearer = format!("Bearer {token}");
    let (status, headers, body) = server.whoami(&[("authorization", &bearer)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["source"], "opaque_token");
    assert_eq!(body["introspection"]["subject"], "ada", "{body}");
    assert_eq!(headers["x-user-source"], "opaque_token");
    assert_eq!(headers["x-user-name"], "ada@example.com");

    let (status, _, body) = server.whoami(&[("x-api-key", "sk-known")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user_id"], id("sk-known"));
    let (status, headers, _) = server.whoami(&[("x-api-key", "sk-unknown")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    let (status, _, _) = server.whoami(&[("authorization", "Basic YTpi")]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "Basic is not a verified kind"
    );

    let fresh = idp.opaque_token().audience("api").mint();
    idp.set_down(true);
    let bearer = format!("Bearer {fresh}");
    let (status, headers, _) = server.whoami(&[("authorization", &bearer)]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(headers.contains_key("retry-after"));
    let metrics = server.metrics().await;
    assert!(
        metrics.contains("userinfo_introspections_total{result=\"error\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("userinfo_introspections_total{result=\"active\"}"));
    // Two tokens seen once each: two look-ups, two misses (not one per look-up inside the call).
    let line = (metrics.lines())
        .find(|line| line.starts_with("userinfo_introspection_cache_total{result=\"miss\"}"));
    assert_eq!(
        line.and_then(|line| line.split(' ').nth(1)),
        Some("2"),
        "{metrics}"
    );
}

/// `--cors-allow-origin`: a browser of an allowed origin gets its preflight answered before
/// any credential is asked for (the MCP headers and `Authorization` allowed), and can read the
/// 401's `WWW-Authenticate`; another origin gets no CORS answer; without the flag, none.
#[tokio::test]
async fn cors_lets_allowed_browsers_read_the_challenge() {
    let allowed = "https://inspector.example";
    let server = serve(Options {
        require: true,
        cors_allow_origins: vec![allowed.to_owned()],
        ..Options::default()
    })
    .await;
    let url = format!("http://{}/whoami", server.addr);
    let preflight = |origin: &'static str| {
        (server.http)
            .request(reqwest::Method::OPTIONS, &url)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, mcp-method, mcp-name",
            )
            .send()
    };
    let answer = preflight(allowed).await.unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
    assert_eq!(answer.headers()["access-control-allow-origin"], allowed);
    let headers = answer.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        headers.contains("authorization") && headers.contains("mcp-name"),
        "{headers}"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());

    let anonymous = (server.http)
        .get(&url)
        .header("origin", allowed)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let exposed = anonymous.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(exposed.contains("www-authenticate"), "{exposed}");

    let plain = serve(Options {
        require: true,
        ..Options::default()
    })
    .await;
    let answer = (plain.http)
        .get(format!("http://{}/whoami", plain.addr))
        .header("origin", allowed)
        .send()
        .await
        .unwrap();
    assert!(
        answer
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

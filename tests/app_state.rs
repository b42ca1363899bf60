//! An application that keeps its `Resolver` in a state struct, with a verifier and a policy:
//! its extractors must never resolve with anything but that resolver. Without a layer (or an
//! `Extension`) they refuse with 500; with the documented ways, the configured resolver is used.
//! A real server on 127.0.0.1, a real HTTP client and a real WebSocket client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::net::SocketAddr;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRef, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use axum_userinfo::test_util::TestKey;
use axum_userinfo::test_util::TokenBuilder;
use axum_userinfo::{
    CredentialKind, Resolver, UserInfo, UserInfoLayer, WebSocketAuth, verify::JwtVerifier,
    verify::VerificationKey,
};
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

const ISSUER: &str = "https://sso.example.com/realms/agents";
const SECRET: &[u8] = b"an HS256 secret of 32 bytes, ok!";
/// `{"alg":"HS256","typ":"JWT"}.{"sub":"ada","iss":ISSUER}`, unsigned-forged (wrong signature).
const FORGED_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGEiLCJpc3MiOiJodHRwczovL3Nzby5leGFtcGxlLmNvbS9yZWFsbXMvYWdlbnRzIn0.c2lnbmF0dXJl";

/// The application's state: its resolver among its other configuration.
#[derive(Clone)]
struct AppState {
    resolver: Resolver,
    #[allow(dead_code, reason = "the rest of the application's configuration")]
    name: &'static str,
}

impl FromRef<AppState> for Resolver {
    fn from_ref(state: &AppState) -> Self {
        state.resolver.clone()
    }
}

fn state() -> AppState {
    let verifier = JwtVerifier::builder(ISSUER)
        .with_key(VerificationKey::from_secret(SECRET).unwrap())
        .allow_any_audience()
        .build()
        .unwrap();
    let resolver = Resolver::builder()
        .with_verifier(verifier)
        .with_accepted_kinds([CredentialKind::Jwt, CredentialKind::Basic])
        .build()
        .unwrap();
    AppState {
        resolver,
        name: "app",
    }
}

fn valid_jwt() -> String {
    TokenBuilder::new(ISSUER, TestKey::Rsa1)
        .subject("ada")
        .sign_hmac(SECRET)
}

async fn required(State(_): State<AppState>, user: UserInfo) -> String {
    user.user_id().to_string()
}

async fn optional(State(_): State<AppState>, user: Option<UserInfo>) -> String {
    user.map_or("anonymous".to_owned(), |user| user.user_id().to_string())
}

async fn socket(ws: WebSocketUpgrade, auth: WebSocketAuth) -> Response {
    ws.on_upgrade(|mut socket| async move {
        let Some(identity) = auth.accept(&mut socket).await else {
            return;
        };
        let reply = identity
            .user()
            .map_or("anonymous".to_owned(), |user| user.user_id().to_string());
        let _ = socket
            .send(axum::extract::ws::Message::Text(reply.into()))
            .await;
    })
}

fn routes() -> Router<AppState> {
    Router::new()
        .route("/required", get(required))
        .route("/optional", get(optional))
        .route("/ws", get(socket))
}

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// The six requests of the report: a forged JWT, an API key and a session cookie (the last two
/// refused by the policy), on each of the two HTTP extractors.
fn refused_requests() -> [(&'static str, String); 3] {
    [
        ("authorization", format!("Bearer {FORGED_JWT}")),
        ("x-api-key", "sk-service-abc123".to_owned()),
        ("cookie", "nat-session=abc".to_owned()),
    ]
}

async fn get_status(addr: SocketAddr, path: &str, header: Option<(&str, &str)>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(format!("http://{addr}{path}"));
    if let Some((name, value)) = header {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn ws_connect(
    addr: SocketAddr,
    header: (&str, &str),
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    u16,
> {
    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    let name: tokio_tungstenite::tungstenite::http::HeaderName = header.0.parse().unwrap();
    request
        .headers_mut()
        .insert(name, header.1.parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(WsError::Http(response)) => Err(response.status().as_u16()),
        Err(other) => panic!("unexpected WebSocket error {other}"),
    }
}

#[tokio::test]
async fn without_a_layer_every_extractor_refuses_with_500() {
    let addr = serve(routes().with_state(state())).await;
    for (name, value) in refused_requests() {
        for path in ["/required", "/optional"] {
            let (status, body) = get_status(addr, path, Some((name, &value))).await;
            assert_eq!(status, 500, "{path} with {name}");
            assert!(body.contains("UserInfoLayer::new(resolver)"), "{body}");
        }
        assert_eq!(ws_connect(addr, (name, &value)).await.err(), Some(500));
    }
    // Even a valid token and an anonymous request: there is no resolver to judge them.
    let valid = format!("Bearer {}", valid_jwt());
    assert_eq!(
        get_status(addr, "/required", Some(("authorization", &valid)))
            .await
            .0,
        500
    );
    assert_eq!(get_status(addr, "/optional", None).await.0, 500);
}

#[tokio::test]
async fn with_the_layer_from_the_state_the_configured_resolver_is_used() {
    let state = state();
    let app = routes()
        .layer(UserInfoLayer::new(Resolver::from_ref(&state)))
        .with_state(state);
    let addr = serve(app).await;
    for (name, value) in refused_requests() {
        for path in ["/required", "/optional"] {
            assert_eq!(
                get_status(addr, path, Some((name, &value))).await.0,
                401,
                "{path} with {name}"
            );
        }
        assert_eq!(ws_connect(addr, (name, &value)).await.err(), Some(401));
    }
    let scoped = axum_userinfo::identity::user_id_of_key(&format!("{ISSUER}\u{1f}ada")).to_string();
    let valid = format!("Bearer {}", valid_jwt());
    for path in ["/required", "/optional"] {
        assert_eq!(
            get_status(addr, path, Some(("authorization", &valid))).await,
            (200, scoped.clone())
        );
    }
    let mut socket = ws_connect(addr, ("authorization", &valid)).await.unwrap();
    assert_eq!(
        socket.next().await.unwrap().unwrap(),
        Message::Text(scoped.into())
    );
}

#[tokio::test]
async fn with_an_extension_the_extractors_resolve_with_the_configured_resolver() {
    let state = state();
    let app = routes()
        .layer(Extension(state.resolver.clone()))
        .with_state(state);
    let addr = serve(app).await;
    for (name, value) in refused_requests() {
        for path in ["/required", "/optional"] {
            assert_eq!(
                get_status(addr, path, Some((name, &value))).await.0,
                401,
                "{path} with {name}"
            );
        }
        // WebSocketAuth answers on the socket: the error reply, then close 1008.
        let mut socket = ws_connect(addr, (name, &value)).await.unwrap();
        let Message::Text(reply) = socket.next().await.unwrap().unwrap() else {
            panic!("an error reply");
        };
        assert!(reply.contains(r#""status":"error""#), "{reply}");
        match socket.next().await.unwrap().unwrap() {
            Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Policy),
            other => panic!("expected close 1008, got {other:?}"),
        }
        socket.close(None).await.ok();
    }
    let scoped = axum_userinfo::identity::user_id_of_key(&format!("{ISSUER}\u{1f}ada")).to_string();
    let valid = format!("Bearer {}", valid_jwt());
    assert_eq!(
        get_status(addr, "/required", Some(("authorization", &valid))).await,
        (200, scoped)
    );
}

//! `SocketIdentity` over a real WebSocket on 127.0.0.1: a verified JWT's expiry closes the
//! socket unless an auth message renews it, an anonymous socket's replies are bounded by its
//! auth deadline, and configured durations never overflow.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message as AxumMessage, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use axum_userinfo::test_util::TestIdp;
use axum_userinfo::{Resolver, UserInfoLayer, WebSocketAuth};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Answers `whoami` with the socket's user id (or `anonymous`), through `recv`.
async fn socket(ws: WebSocketUpgrade, auth: WebSocketAuth) -> Response {
    ws.on_upgrade(|mut socket| async move {
        let Some(mut identity) = auth.accept(&mut socket).await else {
            return;
        };
        while let Some(message) = identity.recv(&mut socket).await {
            if let AxumMessage::Text(text) = message {
                if text.as_str() == "whoami" {
                    let who = identity
                        .user()
                        .map_or("anonymous".to_owned(), |user| user.user_id().to_string());
                    if socket.send(AxumMessage::Text(who.into())).await.is_err() {
                        return;
                    }
                }
            }
        }
    })
}

async fn serve(resolver: Resolver) -> SocketAddr {
    let app = Router::new()
        .route("/ws", get(socket))
        .layer(UserInfoLayer::new(resolver));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

async fn connect(addr: SocketAddr, bearer: Option<&str>) -> Ws {
    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    if let Some(token) = bearer {
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

async fn whoami(socket: &mut Ws) -> String {
    socket.send(Message::Text("whoami".into())).await.unwrap();
    match socket.next().await.unwrap().unwrap() {
        Message::Text(text) => text.to_string(),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

async fn auth_message(socket: &mut Ws, token: &str) -> Value {
    let frame = json!({"type": "auth_message", "payload": {"method": "jwt", "token": token}});
    socket
        .send(Message::Text(frame.to_string().into()))
        .await
        .unwrap();
    match socket.next().await.unwrap().unwrap() {
        Message::Text(text) => serde_json::from_str(&text).unwrap(),
        other => panic!("expected the auth reply, got {other:?}"),
    }
}

async fn expect_close(socket: &mut Ws, reason: &str, within: Duration) {
    let next = tokio::time::timeout(within, socket.next()).await;
    match next
        .expect("the socket is closed in time")
        .unwrap()
        .unwrap()
    {
        Message::Close(Some(frame)) => {
            assert_eq!(frame.code, CloseCode::Policy);
            assert_eq!(frame.reason.as_str(), reason);
        }
        other => panic!("expected close 1008, got {other:?}"),
    }
}

/// A resolver for the provider's tokens with no leeway, so that `exp` is exact.
fn exact(idp: &TestIdp) -> Resolver {
    let verifier = idp
        .verifier()
        .allow_any_audience()
        .with_leeway(Duration::ZERO);
    Resolver::builder()
        .with_verifier(verifier.build().unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_socket_closes_when_its_verified_token_expires() {
    let idp = TestIdp::start().await;
    let resolver = exact(&idp);
    resolver.load_keys().await;
    let addr = serve(resolver).await;
    let short = idp.token().subject("ada").expires_in(2).sign();
    let ada =
        axum_userinfo::identity::user_id_of_key(&format!("{}\u{1f}ada", idp.issuer())).to_string();

    // Authenticated on the upgrade.
    let mut socket = connect(addr, Some(&short)).await;
    assert_eq!(whoami(&mut socket).await, ada);
    expect_close(
        &mut socket,
        "Authentication expired",
        Duration::from_secs(4),
    )
    .await;

    // Authenticated by an auth message.
    let short = idp.token().subject("ada").expires_in(2).sign();
    let mut socket = connect(addr, None).await;
    assert_eq!(auth_message(&mut socket, &short).await["status"], "success");
    assert_eq!(whoami(&mut socket).await, ada);
    expect_close(
        &mut socket,
        "Authentication expired",
        Duration::from_secs(4),
    )
    .await;
}

#[tokio::test]
async fn a_fresh_auth_message_renews_the_socket() {
    let idp = TestIdp::start().await;
    let resolver = exact(&idp);
    resolver.load_keys().await;
    let addr = serve(resolver).await;
    let short = idp.token().subject("ada").expires_in(2).sign();
    let long = idp.token().subject("ada").expires_in(600).sign();
    let mut socket = connect(addr, Some(&short)).await;
    assert_eq!(auth_message(&mut socket, &long).await["status"], "success");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let ada =
        axum_userinfo::identity::user_id_of_key(&format!("{}\u{1f}ada", idp.issuer())).to_string();
    assert_eq!(whoami(&mut socket).await, ada, "still open, as ada");
}

#[tokio::test]
async fn a_peer_that_never_reads_is_dropped_at_the_auth_deadline() {
    let resolver = Resolver::builder()
        .with_websocket_auth_timeout(Some(Duration::from_millis(500)))
        .build()
        .unwrap();
    let addr = serve(resolver).await;
    // A small receive buffer, so that unread replies fill it soon.
    let tcp = tokio::net::TcpSocket::new_v4().unwrap();
    tcp.set_recv_buffer_size(4096).unwrap();
    let stream = tcp.connect(addr).await.unwrap();
    let request = format!("ws://{addr}/ws").into_client_request().unwrap();
    let (mut socket, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream))
        .await
        .unwrap();
    // Bad auth messages, each answered with an error reply that is never read.
    let bad = json!({"type": "auth_message", "payload": {"method": "api_key", "token": ""}});
    let bad = Message::Text(bad.to_string().into());
    let flood = async {
        for _ in 0..2_000_000 {
            if socket.send(bad.clone()).await.is_err() {
                return true; // the server dropped the connection
            }
        }
        false
    };
    let dropped = tokio::time::timeout(Duration::from_secs(10), flood).await;
    assert_eq!(
        dropped,
        Ok(true),
        "the server must drop a peer that never reads"
    );
}

#[tokio::test]
async fn durations_past_the_clock_never_panic() {
    let resolver = Resolver::builder()
        .with_websocket_auth_timeout(Some(Duration::MAX))
        .build()
        .unwrap();
    let addr = serve(resolver).await;
    let mut socket = connect(addr, None).await;
    assert_eq!(whoami(&mut socket).await, "anonymous");
    let frame = json!({"type": "auth_message", "payload": {"method": "api_key", "token": "sk-1"}});
    socket
        .send(Message::Text(frame.to_string().into()))
        .await
        .unwrap();
    let Message::Text(reply) = socket.next().await.unwrap().unwrap() else {
        panic!("a reply");
    };
    assert!(reply.contains(r#""status":"success""#), "{reply}");
}

/// G6: once the key that verified a socket's token leaves its issuer's key set (and the
/// server has refetched), the socket's identity ends at its next message, as HTTP refuses the
/// token from then on; opened with the token on the upgrade or by an auth message alike.
#[tokio::test]
async fn a_socket_closes_when_its_key_is_revoked() {
    use axum_userinfo::test_util::TestKey;
    use axum_userinfo::verify::CachePolicy;
    let idp = TestIdp::start().await;
    idp.publish(&[TestKey::Rsa1, TestKey::Rsa2]);
    let policy = CachePolicy {
        refetch_interval: Duration::ZERO, // the revocation may be fetched at once
        ..CachePolicy::default()
    };
    let verifier = (idp.verifier().allow_any_audience())
        .with_cache_policy(policy)
        .build()
        .unwrap();
    let resolver = Resolver::builder().with_verifier(verifier).build().unwrap();
    assert!(resolver.load_keys().await);
    let addr = serve(resolver.clone()).await;
    let token = idp.token().key(TestKey::Rsa1).subject("ada").sign();
    let ada =
        axum_userinfo::identity::user_id_of_key(&format!("{}\u{1f}ada", idp.issuer())).to_string();

    let mut upgraded = connect(addr, Some(&token)).await;
    assert_eq!(whoami(&mut upgraded).await, ada);
    let mut by_message = connect(addr, None).await;
    assert_eq!(
        auth_message(&mut by_message, &token).await["status"],
        "success"
    );
    assert_eq!(whoami(&mut by_message).await, ada);
    // A socket of the key that stays is not touched.
    let other = idp.token().key(TestKey::Rsa2).subject("bob").sign();
    let mut staying = connect(addr, Some(&other)).await;
    let bob =
        axum_userinfo::identity::user_id_of_key(&format!("{}\u{1f}bob", idp.issuer())).to_string();
    assert_eq!(whoami(&mut staying).await, bob);

    idp.publish(&[TestKey::Rsa2]); // rsa-1 revoked
    assert!(resolver.load_keys().await);
    let mut headers = http::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    assert!(
        resolver.resolve(&headers).is_err(),
        "HTTP refuses it at once"
    );

    for socket in [&mut upgraded, &mut by_message] {
        socket.send(Message::Text("whoami".into())).await.unwrap();
        expect_close(socket, "Authentication revoked", Duration::from_secs(2)).await;
    }
    assert_eq!(whoami(&mut staying).await, bob);
}

/// A guard on the upgrade's route: an upgrade whose user lacks what it requires is refused
/// (403) before the upgrade; an anonymous upgrade is refused (401) unless the route lets
/// anonymous upgrades through, and then an auth message whose user fails the guard gets an
/// error reply and leaves the identity as it was.
#[tokio::test]
async fn a_guarded_socket_takes_only_users_who_pass() {
    use axum_userinfo::{Guard, GuardLayer};
    let idp = TestIdp::start().await;
    let resolver = Resolver::builder()
        .with_verifier(idp.verifier().allow_any_audience().build().unwrap())
        .build()
        .unwrap();
    let eng = Guard::new("eng").any_group(["eng"]).unwrap();
    let by_message = GuardLayer::new(eng.clone()).allow_anonymous_upgrades();
    let app = Router::new()
        .route("/ws", get(socket).route_layer(by_message))
        .route("/closed", get(socket).route_layer(GuardLayer::new(eng)))
        .layer(UserInfoLayer::new(resolver));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let engineer = idp
        .token()
        .subject("ada")
        .claim("groups", json!(["eng"]))
        .sign();
    let outsider = idp
        .token()
        .subject("eve")
        .claim("groups", json!(["ops"]))
        .sign();

    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    let bearer = format!("Bearer {outsider}").parse().unwrap();
    request.headers_mut().insert("authorization", bearer);
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
        }
        other => panic!("the upgrade must be refused, got {:?}", other.map(|_| ())),
    }

    let closed = format!("ws://{addr}/closed").into_client_request().unwrap();
    match tokio_tungstenite::connect_async(closed).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401);
        }
        other => panic!(
            "an anonymous upgrade is refused, got {:?}",
            other.map(|_| ())
        ),
    }

    let mut socket = connect(addr, None).await;
    assert_eq!(whoami(&mut socket).await, "anonymous");
    let refused = auth_message(&mut socket, &outsider).await;
    assert_eq!(refused["status"], "error");
    assert_eq!(refused["payload"]["code"], "forbidden");
    assert_eq!(whoami(&mut socket).await, "anonymous", "identity unchanged");
    let accepted = auth_message(&mut socket, &engineer).await;
    assert_eq!(accepted["status"], "success");
    let ada = accepted["user_id"].as_str().unwrap().to_owned();
    // Renewed to a user who fails the guard: refused, the socket stays ada's.
    let renewal = auth_message(&mut socket, &outsider).await;
    assert_eq!(renewal["status"], "error");
    assert_eq!(whoami(&mut socket).await, ada);

    let mut socket = connect(addr, Some(&engineer)).await;
    assert_eq!(whoami(&mut socket).await, ada);
}

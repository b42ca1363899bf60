//! Token locations over real HTTP and a real WebSocket client on 127.0.0.1: a named cookie, a
//! named header and an upgrade's `access_token` query each alone; agreeing with
//! `Authorization`, or disagreeing (401, never a pick); a cookie token on a cross-origin
//! WebSocket refused; nothing changes without them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::net::SocketAddr;

use axum::Router;
use axum::extract::ws::{Message as AxumMessage, WebSocketUpgrade};
use axum::routing::get;
use axum_userinfo::test_util::TestIdp;
use axum_userinfo::{ConfigError, Resolver, UserInfo, UserInfoLayer, WebSocketAuth};
use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

async fn socket(ws: WebSocketUpgrade, auth: WebSocketAuth) -> axum::response::Response {
    ws.on_upgrade(|mut socket| async move {
        let Some(mut identity) = auth.accept(&mut socket).await else {
            return;
        };
        while let Some(message) = identity.recv(&mut socket).await {
            if let AxumMessage::Text(text) = message {
                if text.as_str() == "whoami" {
                    let who = (identity.user())
                        .map_or("anonymous".to_owned(), |user| user.user_id().to_string());
                    let _ = socket.send(AxumMessage::Text(who.into())).await;
                }
            }
        }
    })
}

async fn serve(resolver: Resolver) -> SocketAddr {
    let app = Router::new()
        .route(
            "/me",
            get(|user: UserInfo| async move { user.user_id().to_string() }),
        )
        .route("/ws", get(socket))
        .layer(UserInfoLayer::new(resolver));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn located(idp: &TestIdp) -> Resolver {
    Resolver::builder()
        .with_verifier(idp.verifier().build().unwrap())
        .with_token_cookie("__Host-access_token")
        .with_token_header("x-access-token")
        .with_websocket_token_query()
        .with_allowed_origins(["https://app.example.com"])
        .build()
        .unwrap()
}

#[tokio::test]
async fn each_location_alone_and_together() {
    let idp = TestIdp::start().await;
    let addr = serve(located(&idp)).await;
    let (ada, bob) = (
        idp.token().subject("ada").sign(),
        idp.token().subject("bob").sign(),
    );
    let http = reqwest::Client::new();
    let me = |headers: Vec<(&str, String)>| {
        let mut request = http.get(format!("http://{addr}/me"));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send()
    };
    let by_bearer = me(vec![("authorization", format!("Bearer {ada}"))])
        .await
        .unwrap();
    assert_eq!(by_bearer.status(), 200);
    let ada_id = by_bearer.text().await.unwrap();
    let cookie = |token: &str| ("cookie", format!("theme=dark; __Host-access_token={token}"));
    #[allow(clippy::type_complexity)]
    let cases: Vec<(&str, Vec<(&str, String)>, u16)> = vec![
        ("the cookie alone", vec![cookie(&ada)], 200),
        (
            "a quoted cookie",
            vec![("cookie", format!("__Host-access_token=\"{ada}\""))],
            200,
        ),
        (
            "the header alone",
            vec![("x-access-token", ada.clone())],
            200,
        ),
        (
            "cookie and header agree",
            vec![cookie(&ada), ("x-access-token", ada.clone())],
            200,
        ),
        (
            "cookie and Authorization agree",
            vec![cookie(&ada), ("authorization", format!("Bearer {ada}"))],
            200,
        ),
        (
            "cookie and header differ",
            vec![cookie(&ada), ("x-access-token", bob.clone())],
            401,
        ),
        (
            "cookie and Authorization differ",
            vec![cookie(&ada), ("authorization", format!("Bearer {bob}"))],
            401,
        ),
        (
            "the header repeated, differing",
            vec![
                ("x-access-token", ada.clone()),
                ("x-access-token", bob.clone()),
            ],
            401,
        ),
        (
            "cookie and Basic",
            vec![cookie(&ada), ("authorization", "Basic YWRhOnB3".to_owned())],
            401,
        ),
        (
            "cookie and another X-API-Key",
            vec![cookie(&ada), ("x-api-key", "sk-other".to_owned())],
            401,
        ),
        (
            "an escaped cookie value",
            vec![("cookie", "__Host-access_token=\"a\\\"b\"".to_owned())],
            401,
        ),
        ("the query on a plain request", vec![], 401),
    ];
    for (name, headers, status) in cases {
        let url_query = name == "the query on a plain request";
        let response = if url_query {
            http.get(format!("http://{addr}/me?access_token={ada}"))
                .send()
                .await
                .unwrap()
        } else {
            me(headers).await.unwrap()
        };
        assert_eq!(response.status(), status, "{name}");
        let body = response.text().await.unwrap();
        if status == 200 {
            assert_eq!(body, ada_id, "{name}: the same user as by Bearer");
        } else if !url_query {
            assert!(body.contains("token location"), "{name}: {body}");
        }
    }
}

#[tokio::test]
async fn websockets_take_the_query_and_check_a_cookies_origin() {
    let idp = TestIdp::start().await;
    let addr = serve(located(&idp)).await;
    let ada = idp.token().subject("ada").sign();
    let whoami = |mut request: http::Request<()>, origin: Option<&'static str>| async move {
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("origin", origin.parse().unwrap());
        }
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await?;
        ws.send(Message::Text("whoami".into())).await?;
        let Some(Ok(Message::Text(who))) = ws.next().await else {
            panic!("an answer");
        };
        Ok::<_, tokio_tungstenite::tungstenite::Error>(who.to_string())
    };
    // The query, on an upgrade.
    let request = format!("ws://{addr}/ws?access_token={ada}")
        .into_client_request()
        .unwrap();
    let by_query = whoami(request, None).await.unwrap();
    assert_eq!(by_query.len(), 36, "{by_query}");
    // A cookie token: from the allowed origin, the same user; from another, refused.
    let with_cookie = || {
        let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
        let cookie = format!("__Host-access_token={ada}").parse().unwrap();
        request.headers_mut().insert("cookie", cookie);
        request
    };
    assert_eq!(
        whoami(with_cookie(), Some("https://app.example.com"))
            .await
            .unwrap(),
        by_query
    );
    let refused = whoami(with_cookie(), Some("https://evil.example")).await;
    assert!(
        refused.is_err(),
        "a cookie token from another origin: {refused:?}"
    );
}

#[tokio::test]
async fn nothing_changes_without_locations_and_bad_ones_are_refused() {
    let idp = TestIdp::start().await;
    let plain = Resolver::builder()
        .with_verifier(idp.verifier().build().unwrap())
        .build()
        .unwrap();
    let addr = serve(plain).await;
    let ada = idp.token().subject("ada").sign();
    let response = reqwest::Client::new()
        .get(format!("http://{addr}/me"))
        .header("cookie", format!("__Host-access_token={ada}"))
        .header("x-access-token", &ada)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        401,
        "anonymous: the cookie and header are not read"
    );
    for (builder, why) in [
        (
            Resolver::builder().with_token_header("authorization"),
            "a reference header",
        ),
        (
            Resolver::builder().with_token_header("x api"),
            "not a header name",
        ),
        (
            Resolver::builder().with_token_cookie("nat-session"),
            "the session cookie",
        ),
        (
            Resolver::builder().with_token_cookie("a;b"),
            "not a cookie name",
        ),
        (
            Resolver::builder()
                .with_identity_header("x-user")
                .with_token_cookie("t"),
            "beside a trusted identity header",
        ),
    ] {
        assert!(
            matches!(builder.build(), Err(ConfigError::InvalidTokenLocation(_))),
            "{why}"
        );
    }
}

//! Route guards over real HTTP: a server on 127.0.0.1 and reqwest, each kind of requirement
//! allowing and refusing, 401 against 403, and the challenges parsed (RFC 9110 §11.6.1).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::Router;
use axum::routing::get;
use axum_userinfo::test_util::{TestKey, TokenBuilder};
use axum_userinfo::{
    Authorized, Guard, GuardLayer, Resolver, RouteGuard, UserInfo, UserInfoLayer,
    verify::JwtVerifier, verify::VerificationKey,
};
use serde_json::{Value, json};

const ISS: &str = "https://issuer.test";
const SECRET: [u8; 32] = [9; 32];

fn verifier() -> JwtVerifier {
    JwtVerifier::builder(ISS)
        .with_key(VerificationKey::from_secret(SECRET).unwrap())
        .allow_any_audience()
        .build()
        .unwrap()
}

fn resolver() -> Resolver {
    Resolver::builder()
        .with_verifier(verifier())
        .build()
        .unwrap()
}

fn token(claims: Value) -> String {
    let mut builder = TokenBuilder::new(ISS, TestKey::Rsa1).subject("ada");
    for (name, value) in claims.as_object().unwrap() {
        builder = builder.claim(name, value.clone());
    }
    builder.sign_hmac(&SECRET)
}

struct OrdersWrite;
impl RouteGuard for OrdersWrite {
    fn guard() -> &'static Guard {
        static GUARD: LazyLock<Guard> = LazyLock::new(|| {
            Guard::new("orders-write")
                .require_scopes(["orders:read", "orders:write"])
                .unwrap()
        });
        &GUARD
    }
}

async fn orders(Authorized(user, ..): Authorized<OrdersWrite>) -> String {
    user.user_id().to_string()
}

/// `/scoped` (layer), `/admin` (a role), `/eng` (a group), `/ada` (a predicate), `/orders`
/// (the extractor), behind one `UserInfoLayer`; `/unguarded` without a layer in front.
async fn serve() -> String {
    let scoped = Guard::new("scoped").require_scopes(["read"]).unwrap();
    let admin = Guard::new("admin").any_role(["admin", "root"]).unwrap();
    let eng = Guard::new("eng").any_group(["eng"]).unwrap();
    let ada = Guard::new("ada").require("is-ada", |user: &UserInfo| {
        user.jwt().and_then(|jwt| jwt.subject()) == Some("ada")
    });
    let ok = || get(|| async { "ok" });
    let guarded = Router::new()
        .route("/scoped", ok().route_layer(GuardLayer::new(scoped)))
        .route("/admin", ok().route_layer(GuardLayer::new(admin)))
        .route("/eng", ok().route_layer(GuardLayer::new(eng.clone())))
        .route("/ada", ok().route_layer(GuardLayer::new(ada)))
        .route("/orders", get(orders))
        .layer(UserInfoLayer::new(resolver()));
    let app =
        guarded.merge(Router::new().route("/unguarded", ok().route_layer(GuardLayer::new(eng))));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

/// One challenge: its scheme and its auth-params (RFC 9110 §11.2), quoted strings unquoted.
fn parse_challenge(header: &str) -> (String, BTreeMap<String, String>) {
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    let mut params = BTreeMap::new();
    let mut rest = rest.trim_start();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=').expect("name=value");
        let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next().expect("a closing quote") {
                    (i, '"') => break i + 1,
                    (_, '\\') => value.push(chars.next().unwrap().1),
                    (_, c) => value.push(c),
                }
            };
            (value, &quoted[end..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].to_owned(), &after[end..])
        };
        assert!(
            params.insert(name.trim().to_owned(), value).is_none(),
            "{header}"
        );
        rest = after
            .trim_start()
            .strip_prefix(',')
            .unwrap_or(after)
            .trim_start();
    }
    (scheme.to_owned(), params)
}

struct Answer {
    status: u16,
    challenges: Vec<(String, BTreeMap<String, String>)>,
    body: Value,
}

async fn get_with(base: &str, path: &str, bearer: Option<&str>) -> Answer {
    let mut request = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenges = (response.headers().get_all("www-authenticate").iter())
        .map(|value| parse_challenge(value.to_str().unwrap()))
        .collect();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        challenges,
        body,
    }
}

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn each_guard_allows_and_refuses() {
    let base = serve().await;
    let cases: [(&str, Value, u16); 14] = [
        ("/scoped", json!({"scope": "read write"}), 200),
        ("/scoped", json!({"scp": ["read"]}), 200),
        ("/scoped", json!({"scope": "", "scp": "read"}), 200), // `scope or scp`
        ("/scoped", json!({"scope": "write"}), 403),
        ("/scoped", json!({"scope": "write", "scp": "read"}), 403), // a truthy scope wins
        ("/admin", json!({"roles": ["root"]}), 200),
        ("/admin", json!({"realm_access": {"roles": ["admin"]}}), 200), // Keycloak
        ("/admin", json!({"roles": ["user"]}), 403),
        ("/eng", json!({"groups": ["ops", "eng"]}), 200),
        ("/eng", json!({"groups": ["ops"]}), 403),
        ("/ada", json!({}), 200),
        ("/orders", json!({"scope": "orders:read orders:write"}), 200),
        ("/orders", json!({"scope": "orders:read"}), 403),
        ("/orders", json!({"scp": ["orders:write"]}), 403),
    ];
    for (path, claims, status) in cases {
        let answer = get_with(&base, path, Some(&token(claims.clone()))).await;
        assert_eq!(answer.status, status, "{path} {claims}: {}", answer.body);
    }
    // A predicate sees the user: another subject fails it, and the body names it.
    let bob = TokenBuilder::new(ISS, TestKey::Rsa1)
        .subject("bob")
        .sign_hmac(&SECRET);
    let answer = get_with(&base, "/ada", Some(&bob)).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.body["code"], "forbidden");
    assert!(answer.body["details"].as_str().unwrap().contains("is-ada"));
}

#[tokio::test]
async fn no_credential_is_401_a_bad_one_401_invalid_token_a_lacking_user_403() {
    let base = serve().await;
    let anonymous = get_with(&base, "/scoped", None).await;
    assert_eq!(anonymous.status, 401);
    let schemes: Vec<&str> = anonymous
        .challenges
        .iter()
        .map(|(s, _)| s.as_str())
        .collect();
    assert_eq!(schemes, ["Bearer", "Basic"]);
    assert_eq!(get_with(&base, "/orders", None).await.status, 401);

    let forged = TokenBuilder::new(ISS, TestKey::Rsa1)
        .subject("ada")
        .claim("scope", "read")
        .sign_hmac(&[1; 32]);
    let refused = get_with(&base, "/scoped", Some(&forged)).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.challenges[0].1["error"], "invalid_token");

    let lacking = get_with(
        &base,
        "/orders",
        Some(&token(json!({"scope": "orders:read"}))),
    )
    .await;
    assert_eq!(lacking.status, 403);
    assert_eq!(
        lacking.challenges,
        [(
            "Bearer".to_owned(),
            params(&[
                ("error", "insufficient_scope"),
                ("scope", "orders:read orders:write")
            ])
        )]
    );
    assert_eq!(lacking.body["code"], "insufficient_scope");
    assert_eq!(lacking.body["message"], "Access denied");
    let details = lacking.body["details"].as_str().unwrap();
    assert!(
        details.contains("orders:write") && !details.contains("eyJ"),
        "{details}"
    );

    // Roles missing: forbidden, and no scope attribute (the guard requires no scope).
    let no_role = get_with(&base, "/admin", Some(&token(json!({"roles": ["user"]})))).await;
    assert_eq!(no_role.body["code"], "forbidden");
    assert_eq!(
        no_role.challenges,
        [(
            "Bearer".to_owned(),
            params(&[("error", "insufficient_scope")])
        )]
    );
}

#[tokio::test]
async fn what_is_not_verified_grants_nothing() {
    let base = serve().await;
    // An API key (and so Basic, a cookie) has no scope, role or group.
    let response = reqwest::Client::new()
        .get(format!("{base}/eng"))
        .header("x-api-key", "sk-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    // A token signed with another key is refused before any guard.
    let other = TokenBuilder::new(ISS, TestKey::Rsa1)
        .subject("ada")
        .claim("groups", json!(["eng"]))
        .sign_hmac(&[1; 32]);
    assert_eq!(get_with(&base, "/eng", Some(&other)).await.status, 401);
}

#[tokio::test]
async fn a_guard_without_the_layer_fails_closed() {
    let base = serve().await;
    let answer = get_with(
        &base,
        "/unguarded",
        Some(&token(json!({"groups": ["eng"]}))),
    )
    .await;
    assert_eq!(answer.status, 500);
    assert!(
        answer
            .body
            .as_str()
            .unwrap()
            .contains("UserInfoLayer::new(resolver)")
    );
}

#[test]
fn guards_refuse_what_no_user_could_meet() {
    assert!(Guard::new("g").require_scopes(["two words"]).is_err());
    assert!(Guard::new("g").require_scopes([""]).is_err());
    assert!(Guard::new("g").any_role(Vec::<String>::new()).is_err());
    assert!(Guard::new("g").any_group(Vec::<String>::new()).is_err());
}

#[test]
fn claims_of_a_jwt_decoded_unverified_grant_nothing() {
    let claims = json!({"iss": ISS, "sub": "ada", "groups": ["eng"], "scope": "read"});
    let jwt =
        axum_userinfo::identity::JwtUserInfo::from_claims(claims.as_object().unwrap().clone())
            .unwrap();
    let guard = Guard::new("eng").any_group(["eng"]).unwrap();
    let scoped = Guard::new("read").require_scopes(["read"]).unwrap();
    let unverified = UserInfo::from_unverified_jwt(jwt.clone()).unwrap();
    assert!(guard.authorize(Some(&unverified)).is_err());
    assert!(scoped.authorize(Some(&unverified)).is_err());
    let trusted = UserInfo::from_claims_unchecked(jwt).unwrap();
    assert!(guard.authorize(Some(&trusted)).is_ok());
    assert!(scoped.authorize(Some(&trusted)).is_ok());
    assert!(guard.authorize(None).is_err());
}

/// With a protected resource configured, the layer's 401, a guard's 403 and an extractor's
/// 401 (behind the layer, or resolving on its own) all point to its metadata.
#[tokio::test]
async fn challenges_point_to_the_resource_metadata() {
    use axum::Extension;
    let resource =
        axum_userinfo::authorize::ProtectedResource::new("https://api.example.com/mcp", [ISS])
            .unwrap();
    let metadata =
        r#"resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp""#;
    let resolver = Resolver::builder()
        .with_verifier(verifier())
        .with_protected_resource(resource)
        .build()
        .unwrap();
    let eng = Guard::new("eng").any_group(["eng"]).unwrap();
    let app = Router::new()
        .route(
            "/eng",
            get(|| async { "ok" }).route_layer(GuardLayer::new(eng)),
        )
        .route("/orders", get(orders))
        .layer(UserInfoLayer::new(resolver.clone()))
        .merge(
            Router::new()
                .route("/alone", get(orders))
                .layer(Extension(resolver)),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let no_group = token(json!({"groups": ["ops"]}));
    for (path, bearer, status) in [
        ("/eng", None, 401),
        ("/eng", Some(no_group.as_str()), 403),
        ("/orders", None, 401),
        ("/orders", Some(no_group.as_str()), 403),
        ("/alone", None, 401),
        ("/alone", Some(no_group.as_str()), 403),
    ] {
        let answer = get_with(&base, path, bearer).await;
        assert_eq!(answer.status, status, "{path}");
        let (_, params) = &answer.challenges[0];
        let expected = metadata.split_once('=').unwrap().1.trim_matches('"');
        assert_eq!(params["resource_metadata"], expected, "{path} {bearer:?}");
    }
}

/// A resource that names no authorization server cannot be configured: its metadata would not
/// say where to get a token.
#[test]
fn a_resource_needs_an_authorization_server() {
    let none: [&str; 0] = [];
    let resource =
        axum_userinfo::authorize::ProtectedResource::new("https://api.example.com/mcp", none);
    assert_eq!(
        resource.err(),
        Some(axum_userinfo::ConfigError::ResourceWithoutAuthorizationServer)
    );
}

/// One raw HTTP/1.1 request, as an attacker writes it: the status and the body.
async fn raw(addr: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("Content-Length: 0\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0; 4096];
    // The head, then the body its Content-Length announces (none for HEAD or a 101).
    let complete = |answer: &[u8]| {
        let text = String::from_utf8_lossy(answer);
        let Some(end) = text.find("\r\n\r\n") else {
            return false;
        };
        let length = (text[..end].lines())
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        method == "HEAD" || text.starts_with("HTTP/1.1 101") || answer.len() >= end + 4 + length
    };
    while !complete(&answer) {
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut buffer));
        match read.await {
            Ok(Ok(n)) if n > 0 => answer.extend_from_slice(&buffer[..n]),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .get(9..12)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// H2: a guard is never bypassed by an `Upgrade` header. Anonymous requests to guarded plain
/// handlers carry every method and every combination of handshake headers, over raw HTTP: each
/// is 401 and no handler runs. A route that opts in to anonymous upgrades (a WebSocket route)
/// lets a complete handshake through, and nothing less.
#[tokio::test]
async fn no_upgrade_header_reaches_a_guarded_plain_handler() {
    use axum::extract::ws::WebSocketUpgrade;
    use axum::routing::{any, post};
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RAN: AtomicUsize = AtomicUsize::new(0);
    let writers = Guard::new("writers")
        .require_scopes(["orders:write"])
        .unwrap();
    let admins = Guard::new("admins").any_role(["admin"]).unwrap();
    let handler = || async {
        RAN.fetch_add(1, Ordering::SeqCst);
        "placed"
    };
    let socket = |ws: WebSocketUpgrade| async move { ws.on_upgrade(|_socket| async {}) };
    let app = Router::new()
        .route(
            "/orders",
            post(handler).route_layer(GuardLayer::new(writers)),
        )
        .route(
            "/admin",
            any(handler).layer(GuardLayer::new(admins.clone())),
        )
        .route(
            "/ws",
            get(socket).route_layer(GuardLayer::new(admins).allow_anonymous_upgrades()),
        )
        .layer(UserInfoLayer::new(resolver()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let handshake: [(&str, &str); 4] = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    let forwarded = [
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-For", "127.0.0.1"),
        ("X-Forwarded-Host", "internal"),
    ];
    // Every subset of the handshake headers, with and without X-Forwarded-*, a repeated or
    // case-changed Upgrade, on every method.
    let mut header_sets: Vec<Vec<(&str, &str)>> = Vec::new();
    for mask in 0..16_u32 {
        let subset: Vec<_> = (handshake.iter().enumerate())
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, pair)| *pair)
            .collect();
        let mut with_forwarded = subset.clone();
        with_forwarded.extend(forwarded);
        header_sets.push(subset);
        header_sets.push(with_forwarded);
    }
    let mut odd = handshake.to_vec();
    odd[0] = ("UPGRADE", "WebSocket");
    header_sets.push(odd);
    let mut repeated = handshake.to_vec();
    repeated.push(("Upgrade", "websocket"));
    header_sets.push(repeated);
    for path in ["/orders", "/admin"] {
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"] {
            for headers in &header_sets {
                let (status, text) = raw(&addr, method, path, headers).await;
                assert!(
                    status == 401 || status == 405,
                    "{method} {path} {headers:?}: {text}"
                );
            }
        }
    }
    assert_eq!(RAN.load(Ordering::SeqCst), 0, "no guarded handler ran");

    // The WebSocket route that opts in: a complete handshake opens (101); anything less is a
    // plain anonymous request, refused.
    let (status, _) = raw(&addr, "GET", "/ws", &handshake).await;
    assert_eq!(status, 101);
    for method in ["POST", "PUT"] {
        let (status, text) = raw(&addr, method, "/ws", &handshake).await;
        assert!(status == 401 || status == 405, "{method}: {text}");
    }
    let (status, _) = raw(&addr, "GET", "/ws", &handshake[..2]).await;
    assert_eq!(status, 401);
}

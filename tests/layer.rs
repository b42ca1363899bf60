//! The layer and the extractors, driven with `tower::ServiceExt::oneshot`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Router};
use axum_userinfo::{CredentialKind, Resolver, UserInfo, UserInfoLayer, UserInfoRejection};
use http::StatusCode;

mod common;

use common::{call, optional, routes};

const API_KEY_ID: &str = "06d2b7c6-c9cf-58f3-a90b-ed272501211d";
const KEY: (&str, &str) = ("x-api-key", "sk-service-abc123");
const BAD: (&str, &str) = ("authorization", "Basic !!");

#[tokio::test]
async fn extractors_without_a_resolver_refuse_with_500() {
    // Never resolved with a default resolver (which would decode JWTs unverified).
    let app = routes();
    for path in ["/required", "/optional"] {
        let (status, body) = call(&app, path, &[KEY]).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains("UserInfoLayer::new(resolver)"), "{body}");
        assert_eq!(
            call(&app, path, &[]).await.0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}

#[tokio::test]
async fn extractors_without_the_layer_resolve_on_their_own() {
    let app = routes().layer(Extension(Resolver::new()));
    assert_eq!(
        call(&app, "/required", &[KEY]).await,
        (StatusCode::OK, API_KEY_ID.to_owned())
    );
    assert_eq!(
        call(&app, "/optional", &[KEY]).await,
        (StatusCode::OK, API_KEY_ID.to_owned())
    );
    assert_eq!(
        call(&app, "/optional", &[]).await,
        (StatusCode::OK, "anonymous".to_owned())
    );
    let (status, body) = call(&app, "/required", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("authentication required"), "{body}");
    // Option<UserInfo> is None for anonymous, and still refuses a bad credential.
    assert_eq!(
        call(&app, "/optional", &[BAD]).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Extension<UserInfo> needs the layer; axum says so with a 500.
    assert_eq!(
        call(&app, "/extension", &[KEY]).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

#[tokio::test]
async fn extractors_take_the_resolver_from_an_extension_or_the_state() {
    let only_jwt = Resolver::builder()
        .with_accepted_kinds([CredentialKind::Jwt])
        .build()
        .unwrap();

    let app = routes().layer(Extension(only_jwt.clone()));
    let (status, body) = call(&app, "/optional", &[KEY]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("not accepted"), "{body}");

    let app =
        Router::new()
            .route(
                "/",
                get(
                    |State(_): State<Resolver>, user: Option<UserInfo>| async move {
                        optional(user).await
                    },
                ),
            )
            .with_state(only_jwt);
    assert_eq!(call(&app, "/", &[KEY]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        call(&app, "/", &[]).await,
        (StatusCode::OK, "anonymous".to_owned())
    );
}

#[tokio::test]
async fn the_layer_resolves_once_for_every_extractor() {
    let app = routes().layer(UserInfoLayer::new(Resolver::new()));
    for path in ["/required", "/optional", "/extension"] {
        assert_eq!(
            call(&app, path, &[KEY]).await,
            (StatusCode::OK, API_KEY_ID.to_owned()),
            "{path}"
        );
    }
    assert_eq!(
        call(&app, "/optional", &[]).await,
        (StatusCode::OK, "anonymous".to_owned())
    );
    assert_eq!(
        call(&app, "/required", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    // The layer refuses a bad credential before the handler runs.
    let (status, body) = call(&app, "/optional", &[BAD]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body.starts_with(
            r#"{"code":"user_auth_error","message":"Authentication failed","details":"#
        ),
        "{body}"
    );

    // The layer's policy is the one the extractors see.
    let only_jwt = Resolver::builder()
        .with_accepted_kinds([CredentialKind::Jwt])
        .build()
        .unwrap();
    let app = routes().layer(UserInfoLayer::new(only_jwt));
    assert_eq!(
        call(&app, "/optional", &[KEY]).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn required_mode_and_custom_rejections() {
    let app = routes().layer(UserInfoLayer::new(Resolver::new()).required());
    assert_eq!(
        call(&app, "/optional", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(call(&app, "/optional", &[KEY]).await.0, StatusCode::OK);

    let layer = UserInfoLayer::new(Resolver::new())
        .required()
        .with_rejection(|rejection: UserInfoRejection| {
            let kind = if rejection.is_missing_credentials() {
                "anonymous"
            } else {
                "refused"
            };
            (StatusCode::FORBIDDEN, kind).into_response()
        });
    let app = routes().layer(layer);
    assert_eq!(
        call(&app, "/optional", &[]).await,
        (StatusCode::FORBIDDEN, "anonymous".to_owned())
    );
    assert_eq!(
        call(&app, "/optional", &[BAD]).await,
        (StatusCode::FORBIDDEN, "refused".to_owned())
    );
}

#[tokio::test]
async fn websocket_upgrades_resolve_their_session_query() {
    let app = routes().layer(UserInfoLayer::new(Resolver::new()));
    // A complete handshake: an `Upgrade` header alone is a plain request.
    let upgrade = [
        ("connection", "upgrade"),
        ("upgrade", "websocket"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    let (status, body) = call(&app, "/optional?session=s-query-1", &upgrade).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "4dac49d3-9eb5-5fd3-a1f3-9b4d39723681")
    );
    // An unsafe session id is refused before the upgrade.
    let (status, body) = call(&app, "/optional?session=a;b", &upgrade).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains(r#""code":"invalid_message""#), "{body}");
    // A plain request's query is not a session.
    assert_eq!(
        call(&app, "/optional?session=a;b", &[]).await,
        (StatusCode::OK, "anonymous".to_owned())
    );
}

#[tokio::test]
async fn credential_headers_are_marked_sensitive() {
    async fn sensitive(headers: http::HeaderMap) -> String {
        let names = ["authorization", "cookie", "x-api-key", "dpop", "accept"];
        let flags: Vec<String> = names
            .iter()
            .flat_map(|name| {
                headers
                    .get_all(*name)
                    .iter()
                    .map(move |v| format!("{name}={}", v.is_sensitive()))
            })
            .collect();
        flags.join(",")
    }
    let app = axum::Router::new()
        .route("/", axum::routing::get(sensitive))
        .layer(UserInfoLayer::new(Resolver::new()));
    let headers = [
        ("authorization", "Bearer sk-1"),
        ("cookie", "a=1"),
        ("cookie", "nat-session=s"),
        ("x-api-key", "k"),
        ("dpop", "a.proof.jws"),
        ("accept", "text/plain"),
    ];
    let (status, body) = call(&app, "/", &headers).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        "authorization=true,cookie=true,cookie=true,x-api-key=true,dpop=true,accept=false"
    );
}

#[tokio::test]
async fn oversized_credentials_are_refused_unread() {
    let resolver = Resolver::builder()
        .with_max_credential_len(16)
        .build()
        .unwrap();
    let app = routes().layer(UserInfoLayer::new(resolver));
    let fits = "k".repeat(16);
    let over = "k".repeat(17);
    let cases = [
        ("x-api-key", fits.clone(), StatusCode::OK),
        (
            "x-api-key",
            over.clone(),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        ),
        (
            "authorization",
            format!("Bearer {}", &over[..9]),
            StatusCode::OK,
        ),
        (
            "authorization",
            format!("Bearer {over}"),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        ),
        (
            "cookie",
            format!("nat-session={}", &over[..4]),
            StatusCode::OK,
        ),
        (
            "cookie",
            format!("nat-session={over}"),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        ),
    ];
    for (name, value, want) in cases {
        let (status, body) = call(&app, "/optional", &[(name, value.as_str())]).await;
        assert_eq!(status, want, "{name}: {value}");
        if want != StatusCode::OK {
            assert!(body.contains(r#""code":"invalid_message""#), "{body}");
            assert!(
                body.contains("16-byte limit") && !body.contains("kkk"),
                "{body}"
            );
        }
    }
    // The defaults still resolve the conformance vectors' 21 KB JWT (checked there) and a 4 KB cookie.
    let app = routes().layer(UserInfoLayer::new(Resolver::new()));
    let cookie = format!("nat-session={}", "c".repeat(4096));
    assert_eq!(
        call(&app, "/required", &[("cookie", cookie.as_str())])
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_layer_refuses_cross_site_cookie_upgrades_with_403() {
    let resolver = Resolver::builder()
        .with_allowed_origins(["https://app.example.com"])
        .build()
        .unwrap();
    let app = routes().layer(UserInfoLayer::new(resolver));
    let upgrade = [
        ("connection", "upgrade"),
        ("upgrade", "websocket"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("cookie", "nat-session=s"),
    ];
    let from = |origin: &'static str| {
        let [a, b, c, d, e] = upgrade;
        [a, b, c, d, e, ("origin", origin)]
    };
    assert_eq!(
        call(&app, "/optional", &from("https://app.example.com"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, "/optional", &from("https://evil.example"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, "/optional", &upgrade).await.0,
        StatusCode::FORBIDDEN
    );
    // A plain request with the same cookie is CORS's and SameSite's business, not this check's.
    assert_eq!(
        call(
            &app,
            "/optional",
            &[upgrade[2], ("origin", "https://evil.example")]
        )
        .await
        .0,
        StatusCode::OK
    );
}

/// The layer over a plain tower service whose body is not axum's (as a tonic server's is not):
/// the default refusal keeps its status and challenge, a custom one answers in that body type.
#[tokio::test]
async fn the_layer_serves_a_stack_with_its_own_body_type() {
    use std::convert::Infallible;
    use tower::{Layer, ServiceExt, service_fn};

    let inner = service_fn(|request: http::Request<()>| async move {
        let user = request
            .extensions()
            .get::<UserInfo>()
            .map(UserInfo::user_id);
        Ok::<_, Infallible>(http::Response::new(format!("{user:?}")))
    });
    let request = |headers: &[(&'static str, &str)]| {
        let mut request = http::Request::get("/").body(()).unwrap();
        for &(name, value) in headers {
            request
                .headers_mut()
                .insert(name, http::HeaderValue::from_str(value).unwrap());
        }
        request
    };

    let service = UserInfoLayer::new(Resolver::new()).required().layer(inner);
    let response = service.clone().oneshot(request(&[KEY])).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.into_body(), format!("Some({API_KEY_ID})"));
    let refused = service.clone().oneshot(request(&[])).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.headers().contains_key("www-authenticate"));
    assert!(
        !refused.headers().contains_key("content-type"),
        "the body is empty"
    );
    assert_eq!(refused.into_body(), "");
    assert_eq!(
        service.oneshot(request(&[BAD])).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    // A gRPC-shaped refusal: 200 with grpc-status 16 (UNAUTHENTICATED), in the stack's body type.
    let grpc = UserInfoLayer::new(Resolver::new())
        .required()
        .with_rejection(|rejection| {
            http::Response::builder()
                .header("content-type", "application/grpc")
                .header("grpc-status", "16")
                .header("grpc-message", rejection.to_string())
                .body(String::new())
                .unwrap()
        })
        .layer(inner);
    let refused = grpc.oneshot(request(&[])).await.unwrap();
    assert_eq!(refused.status(), StatusCode::OK);
    assert_eq!(refused.headers()["grpc-status"], "16");
}

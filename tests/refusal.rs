//! One refusal, whichever adapter sends it: the layer, the extractor without a layer, a guard
//! behind the layer and the `Authorized` extractor answer each refused request with the same
//! status, headers and body, built by the resolver (`Resolver::refusal`); a WebSocket auth
//! message's error reply carries the same body. And `with_rejection` reaches guards.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::body::Body;
use axum::response::IntoResponse;
use axum::routing::get;
use axum_userinfo::dpop::{BoxFuture, DpopChecker, MemoryReplayStore, ProofRecord, ReplayStore};
use axum_userinfo::error::ReplayStoreError;
use axum_userinfo::refusal::Reason;
use axum_userinfo::test_util::{TestIdp, TestKey};
use axum_userinfo::websocket::HandledAuthMessage;
use axum_userinfo::{
    Authorized, Guard, GuardLayer, Resolver, RouteGuard, UserInfo, UserInfoLayer,
    authorize::ProtectedResource,
};
use http::{HeaderMap, Request, StatusCode};
use tower::ServiceExt as _;

/// A memory store that can be made to fail, as a Redis that went away.
#[derive(Debug, Default)]
struct Flaky {
    down: AtomicBool,
    memory: MemoryReplayStore,
}

impl ReplayStore for Flaky {
    fn first_use<'a>(
        &'a self,
        proof: ProofRecord<'a>,
    ) -> BoxFuture<'a, Result<bool, ReplayStoreError>> {
        if self.down.load(Ordering::SeqCst) {
            return Box::pin(async { Err(ReplayStoreError::Unavailable) });
        }
        self.memory.first_use(proof)
    }
}

struct Orders;

impl RouteGuard for Orders {
    fn guard() -> &'static Guard {
        static GUARD: std::sync::LazyLock<Guard> = std::sync::LazyLock::new(|| {
            Guard::new("orders")
                .require_scopes(["orders:read"])
                .unwrap()
        });
        &GUARD
    }
}

const PUBLIC: &str = "https://api.example.com";

/// A resolver that verifies JWTs (only: no Basic, no cookies) requiring `orders:read`,
/// checks DPoP proofs in `store`, and describes a protected resource.
async fn resolver(idp: &TestIdp, store: Arc<Flaky>) -> Resolver {
    let verifier = idp
        .verifier()
        .with_required_scope("orders:read")
        .build()
        .unwrap();
    let resource = ProtectedResource::new(PUBLIC, [idp.issuer()]).unwrap();
    let resolver = Resolver::builder()
        .with_verifier(verifier)
        .accept_only_verified()
        .with_dpop(DpopChecker::new(store))
        .with_public_url(PUBLIC)
        .with_protected_resource(resource)
        .build()
        .unwrap();
    assert!(resolver.load_keys().await);
    resolver
}

/// The four adapters, each on its own path.
fn adapters(resolver: &Resolver) -> Router {
    let ok = || get(|| async { "ok" });
    let layered = Router::new()
        .route("/layer", ok())
        .route(
            "/guard",
            ok().route_layer(GuardLayer::new(Orders::guard().clone())),
        )
        .route_layer(UserInfoLayer::new(resolver.clone()).required());
    let guarded = Router::new()
        .route(
            "/guard-anonymous",
            ok().route_layer(GuardLayer::new(Orders::guard().clone())),
        )
        .layer(UserInfoLayer::new(resolver.clone()));
    let extracted = Router::new()
        .route("/extractor", get(|_: UserInfo| async { "ok" }))
        .route("/authorized", get(|_: Authorized<Orders>| async { "ok" }))
        .layer(axum::Extension(resolver.clone()));
    layered.merge(guarded).merge(extracted)
}

/// What a client sees of a response: status, headers, body.
async fn seen(app: &Router, path: &str, headers: &HeaderMap) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(path).body(Body::empty()).unwrap();
    *request.headers_mut() = headers.clone();
    let response = app.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap()
        .to_vec();
    (parts.status, parts.headers, body)
}

#[tokio::test]
async fn every_adapter_sends_the_resolvers_refusal() {
    let idp = TestIdp::start().await;
    let store = Arc::new(Flaky::default());
    let resolver = resolver(&idp, Arc::clone(&store)).await;
    let app = adapters(&resolver);
    let key = TestKey::Ec;
    let scoped = |token: &str| {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        headers
    };
    let dpop = |token: &str, proof: &str| {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", format!("DPoP {token}").parse().unwrap());
        headers.insert("dpop", proof.parse().unwrap());
        headers
    };
    // Issued for the resource (its identifier is every token's required audience).
    let unscoped = idp.token().subject("ada").audience(PUBLIC).sign();
    let bound = (idp.token().subject("ada").audience(PUBLIC))
        .claim("scope", "orders:read")
        .bound_to(key)
        .sign();
    let mut basic = HeaderMap::new();
    basic.insert("authorization", "Basic YWxpY2U6cHc=".parse().unwrap());
    let paths = ["/layer", "/guard", "/extractor", "/authorized"];
    // (name, headers for a path, expected status, whether the replay store is down)
    type Headers = Box<dyn Fn(&str) -> HeaderMap>;
    let cases: Vec<(&str, Headers, u16, bool)> = vec![
        ("missing", Box::new(|_| HeaderMap::new()), 401, false),
        (
            "invalid",
            Box::new(move |_| scoped("e30.e30.c2ln")),
            401,
            false,
        ),
        ("not accepted", Box::new(move |_| basic.clone()), 401, false),
        (
            "insufficient scope",
            Box::new(move |_| scoped(&unscoped)),
            403,
            false,
        ),
        (
            "DPoP proof for another URI",
            Box::new({
                let bound = bound.clone();
                move |_| {
                    let proof = (key.dpop_proof("GET", &format!("{PUBLIC}/elsewhere")))
                        .access_token(&bound)
                        .sign();
                    dpop(&bound, &proof)
                }
            }),
            401,
            false,
        ),
        (
            "replay store down",
            Box::new({
                let bound = bound.clone();
                move |path| {
                    let proof = (key.dpop_proof("GET", &format!("{PUBLIC}{path}")))
                        .access_token(&bound)
                        .sign();
                    dpop(&bound, &proof)
                }
            }),
            503,
            true,
        ),
    ];
    for (name, headers, status, down) in &cases {
        store.down.store(*down, Ordering::SeqCst);
        let answers = {
            let mut answers = Vec::new();
            for path in paths {
                answers.push((path, seen(&app, path, &headers(path)).await));
            }
            answers
        };
        let (_, first) = &answers[0];
        assert_eq!(first.0.as_u16(), *status, "{name}: {first:?}");
        for (path, answer) in &answers {
            assert_eq!(answer, first, "{name}: {path} answers as /layer does");
        }
        // Every challenge points to the resource's metadata; Basic is never offered.
        let challenges: Vec<_> = (first.1.get_all("www-authenticate").iter())
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            challenges.is_empty(),
            *status == 503,
            "{name}: {challenges:?}"
        );
        for challenge in &challenges {
            assert!(!challenge.starts_with("Basic"), "{name}: {challenge}");
            assert!(
                challenge.contains(r#"resource_metadata="https://api.example.com/.well-known/oauth-protected-resource""#),
                "{name}: {challenge}"
            );
        }
        if *status == 401 {
            assert!(
                challenges
                    .iter()
                    .any(|c| c.starts_with("DPoP ") && c.contains("algs=")),
                "{name}: {challenges:?}"
            );
        }
    }
    store.down.store(false, Ordering::SeqCst);

    // The core's refusal is what was sent.
    let (status, headers, body) = seen(&app, "/guard-anonymous", &HeaderMap::new()).await;
    let (core_status, core_headers, core_body) =
        resolver.refusal(Reason::MissingCredentials).into_parts();
    assert_eq!((status, body), (core_status, core_body));
    for (name, value) in &core_headers {
        assert!(headers.get_all(name).iter().any(|v| v == value), "{name}");
    }

    // A WebSocket auth message's error reply carries the same body.
    let (_, _, body) = seen(&app, "/layer", &scoped("e30.e30.c2ln")).await;
    let frame = r#"{"type":"auth_message","payload":{"method":"jwt","token":"e30.e30.c2ln"}}"#;
    let Some(HandledAuthMessage::Rejected { response, .. }) = resolver.handle_auth_frame(frame)
    else {
        panic!("refused");
    };
    let reply: serde_json::Value = serde_json::from_str(&response.to_json()).unwrap();
    let http: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(reply["payload"], http);
}

/// `with_rejection` answers a guard's refusals: the guard's own, or the layer's in front.
#[tokio::test]
async fn with_rejection_reaches_guards() {
    let idp = TestIdp::start().await;
    let resolver = resolver(&idp, Arc::new(Flaky::default())).await;
    let guard = || GuardLayer::new(Orders::guard().clone());
    let teapot = |rejection: axum_userinfo::UserInfoRejection| {
        (StatusCode::IM_A_TEAPOT, rejection.status().to_string()).into_response()
    };
    let by_layer = Router::new()
        .route("/", get(|| async { "ok" }).route_layer(guard()))
        .layer(UserInfoLayer::new(resolver.clone()).with_rejection(teapot));
    let by_guard = Router::new()
        .route(
            "/",
            get(|| async { "ok" }).route_layer(guard().with_rejection(teapot)),
        )
        .layer(UserInfoLayer::new(resolver.clone()));
    for app in [by_layer, by_guard] {
        let (status, _, body) = seen(&app, "/", &HeaderMap::new()).await;
        assert_eq!(status, StatusCode::IM_A_TEAPOT);
        assert_eq!(body, b"401 Unauthorized");
    }
}

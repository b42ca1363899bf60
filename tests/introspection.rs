//! Opaque tokens checked by RFC 7662 introspection, against the test kit's identity provider
//! (a real HTTP server on 127.0.0.1 whose introspection calls are counted).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::time::Duration;

use axum_userinfo::error::{IntrospectionError, VerifyError};
use axum_userinfo::introspect::IntrospectionClientBuilder;
use axum_userinfo::test_util::TestIdp;
use axum_userinfo::{
    ConfigError, CredentialKind, ResolveError, Resolver, Source, introspect::ClientAuth,
};
use http::{HeaderMap, HeaderValue, StatusCode, header::AUTHORIZATION};

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::try_from(format!("Bearer {token}")).unwrap();
    headers.insert(AUTHORIZATION, value);
    headers
}

fn resolver_with(client: IntrospectionClientBuilder) -> Resolver {
    Resolver::builder()
        .with_introspection(client.build().unwrap())
        .build()
        .unwrap()
}

/// The provider's client, audience `api`, scope `read` required.
fn resolver(idp: &TestIdp) -> Resolver {
    resolver_with(
        idp.introspection_client()
            .with_audience("api")
            .with_required_scope("read"),
    )
}

async fn resolve(
    resolver: &Resolver,
    token: &str,
) -> Result<axum_userinfo::UserInfo, ResolveError> {
    resolver
        .resolve_async(&bearer(token))
        .await
        .map(|user| user.expect("a credential"))
}

const INACTIVE: ResolveError = ResolveError::Introspection(IntrospectionError::Inactive);
const UNAVAILABLE: ResolveError = ResolveError::Introspection(IntrospectionError::Unavailable);

#[tokio::test]
async fn an_active_token_and_a_jwt_of_the_same_user_give_one_id() {
    let idp = TestIdp::start().await;
    let opaque = idp
        .opaque_token()
        .subject("ada")
        .audience("api")
        .scope("read write")
        .mint();
    let verifier = idp.verifier().with_audience("api").build().unwrap();
    let resolver = Resolver::builder()
        .with_verifier(verifier)
        .with_introspection(
            idp.introspection_client()
                .with_audience("api")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let user = resolve(&resolver, &opaque).await.unwrap();
    assert_eq!(user.source(), Source::OPAQUE_TOKEN);
    let claims = user.introspected().unwrap();
    assert_eq!(claims.subject(), Some("ada"));
    assert_eq!(claims.scopes(), ["read", "write"]);
    assert_eq!(claims.client_id(), Some("test-client"));
    assert!(user.valid_until().is_some() && user.is_still_valid());
    let jwt = idp.token().subject("ada").audience("api").sign();
    let jwt_user = resolve(&resolver, &jwt).await.unwrap();
    assert_eq!(jwt_user.source(), Source::JWT);
    assert_eq!(jwt_user.user_id(), user.user_id(), "one user, one id");
    assert_eq!(
        idp.introspection_calls(),
        1,
        "the JWT was verified, not introspected"
    );
}

#[tokio::test]
async fn each_refusal_is_named() {
    let idp = TestIdp::start().await;
    let resolver = resolver(&idp);
    let good = || idp.opaque_token().audience("api").scope("read");
    assert!(resolve(&resolver, &good().mint()).await.is_ok());

    let unknown = resolve(&resolver, "idp-access-token-never-minted").await;
    assert_eq!(unknown, Err(INACTIVE));
    let revoked = good().mint();
    idp.set_introspection_answer(&revoked, serde_json::json!({"active": false}));
    assert_eq!(resolve(&resolver, &revoked).await, Err(INACTIVE));
    let string_active = good().claim("active", "true").mint();
    assert_eq!(resolve(&resolver, &string_active).await, Err(INACTIVE));

    let expired = good().expires_in(-120).mint();
    let refusal = resolve(&resolver, &expired).await.unwrap_err();
    assert_eq!(refusal, ResolveError::Verification(VerifyError::Expired));
    assert_eq!(refusal.status(), StatusCode::UNAUTHORIZED);
    let elsewhere = good().audience("web").mint();
    assert_eq!(
        resolve(&resolver, &elsewhere).await,
        Err(ResolveError::Verification(VerifyError::AudienceMismatch))
    );
    let narrow = good().scope("write").mint();
    let refusal = resolve(&resolver, &narrow).await.unwrap_err();
    assert!(matches!(
        refusal,
        ResolveError::Verification(VerifyError::InsufficientScope { .. })
    ));
    assert_eq!(refusal.status(), StatusCode::FORBIDDEN);
    let refresh = good().claim("token_type", "refresh_token").mint();
    assert_eq!(
        resolve(&resolver, &refresh).await,
        Err(ResolveError::Introspection(
            IntrospectionError::RefreshToken
        ))
    );
    let other_issuer = good().claim("iss", "https://elsewhere.example").mint();
    assert_eq!(
        resolve(&resolver, &other_issuer).await,
        Err(ResolveError::Verification(VerifyError::UnknownIssuer))
    );
    let nobody = good()
        .claim("sub", serde_json::Value::Null)
        .claim("client_id", serde_json::Value::Null)
        .mint();
    assert_eq!(
        resolve(&resolver, &nobody).await,
        Err(ResolveError::Introspection(IntrospectionError::NoIdentity))
    );
    // A machine client's own token names only `client_id`: its user is the client, the one its
    // JWT (`sub` = the client id, RFC 9068 §2.2) names.
    let machine = good().claim("sub", serde_json::Value::Null).mint();
    let machine = resolve(&resolver, &machine).await.unwrap();
    assert_eq!(machine.introspected().unwrap().subject(), None);
    let client_jwt = format!(
        "Bearer {}",
        idp.token().subject("test-client").audience("api").sign()
    );
    let mut headers = http::HeaderMap::new();
    headers.insert("authorization", client_jwt.parse().unwrap());
    let jwt_resolver = Resolver::builder()
        .with_verifier(idp.verifier().with_audience("api").build().unwrap())
        .build()
        .unwrap();
    let jwt_user = jwt_resolver.resolve_async(&headers).await.unwrap().unwrap();
    assert_eq!(machine.user_id(), jwt_user.user_id());
    let by_username = good()
        .claim("sub", serde_json::Value::Null)
        .claim("username", "ada")
        .mint();
    assert!(resolve(&resolver, &by_username).await.is_ok());
}

#[tokio::test]
async fn the_server_down_or_refusing_the_client_is_a_503_never_an_answer() {
    let idp = TestIdp::start().await;
    let resolver = resolver(&idp);
    let token = idp.opaque_token().audience("api").scope("read").mint();
    idp.set_down(true);
    let refusal = resolve(&resolver, &token).await.unwrap_err();
    assert_eq!(refusal, UNAVAILABLE);
    assert_eq!(refusal.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Errors are never cached: once it is back, the same token passes.
    idp.set_down(false);
    assert!(resolve(&resolver, &token).await.is_ok());
    assert_eq!(idp.introspection_calls(), 2);

    let wrong_secret = resolver_with(
        idp.introspection_client()
            .with_client_credentials(TestIdp::CLIENT_ID, "not-the-secret")
            .with_audience("api"),
    );
    assert_eq!(resolve(&wrong_secret, &token).await, Err(UNAVAILABLE));

    // A garbage answer.
    let garbage = idp.opaque_token().mint();
    idp.set_introspection_answer(&garbage, serde_json::json!(["active", true]));
    assert_eq!(resolve(&resolver, &garbage).await, Err(UNAVAILABLE));

    // Nothing listening.
    let gone = resolver_with(
        axum_userinfo::introspect::IntrospectionClient::builder(idp.issuer())
            .with_endpoint("http://127.0.0.1:9/introspect")
            .with_client_credentials("id", "secret")
            .allow_http_loopback(),
    );
    assert_eq!(resolve(&gone, &token).await, Err(UNAVAILABLE));

    // Slower than the timeout.
    idp.set_introspection_delay(Duration::from_millis(600));
    let impatient = resolver_with(
        idp.introspection_client()
            .with_audience("api")
            .with_timeouts(Duration::from_millis(200), Duration::from_millis(200)),
    );
    assert_eq!(resolve(&impatient, &token).await, Err(UNAVAILABLE));
}

/// The reference keys its cache by the token's first 10 characters: two tokens of a
/// prefixing server share an answer there. Here, each has its own.
#[tokio::test]
async fn tokens_sharing_a_prefix_resolve_to_their_own_users() {
    let idp = TestIdp::start().await;
    let resolver = resolver(&idp);
    let ada = idp
        .opaque_token()
        .subject("ada")
        .audience("api")
        .scope("read")
        .mint();
    let bob = idp
        .opaque_token()
        .subject("bob")
        .audience("api")
        .scope("read")
        .mint();
    assert_eq!(ada[..17], bob[..17]);
    let first = resolve(&resolver, &ada).await.unwrap();
    let second = resolve(&resolver, &bob).await.unwrap();
    assert_ne!(first.user_id(), second.user_id());
    assert_eq!(second.introspected().unwrap().subject(), Some("bob"));
    // Both cached now, each its own answer.
    assert_eq!(resolver.resolve(&bearer(&ada)).unwrap().unwrap(), first);
    assert_eq!(resolver.resolve(&bearer(&bob)).unwrap().unwrap(), second);
    assert_eq!(idp.introspection_calls(), 2);
}

#[tokio::test]
async fn answers_are_cached_and_the_sync_path_reads_only_the_cache() {
    let idp = TestIdp::start().await;
    let resolver = resolver(&idp);
    let token = idp.opaque_token().audience("api").scope("read").mint();
    assert_eq!(
        resolver.resolve(&bearer(&token)),
        Err(ResolveError::Introspection(IntrospectionError::NeedsAsync))
    );
    assert!(!resolver.begin(&bearer(&token)).is_ready());
    assert_eq!(idp.introspection_calls(), 0);
    resolve(&resolver, &token).await.unwrap();
    assert!(resolver.begin(&bearer(&token)).is_ready());
    assert!(resolver.resolve(&bearer(&token)).unwrap().is_some());
    // A revocation shows once the answer's cache time is over (at most 5 min), not before.
    idp.set_introspection_answer(&token, serde_json::json!({"active": false}));
    assert!(resolve(&resolver, &token).await.is_ok());
    assert_eq!(idp.introspection_calls(), 1);
    // An inactive answer is cached too: a flood of one bad token costs one call.
    for _ in 0..20 {
        assert_eq!(
            resolve(&resolver, "idp-access-token-bad").await,
            Err(INACTIVE)
        );
    }
    assert_eq!(idp.introspection_calls(), 2);
}

#[tokio::test]
async fn an_active_answer_is_cached_no_longer_than_the_ttl() {
    let idp = TestIdp::start().await;
    let resolver = resolver_with(
        idp.introspection_client()
            .with_audience("api")
            .with_max_cache_ttl(Duration::from_millis(300))
            .with_inactive_cache_ttl(Duration::ZERO),
    );
    let token = idp.opaque_token().audience("api").mint();
    resolve(&resolver, &token).await.unwrap();
    idp.set_introspection_answer(&token, serde_json::json!({"active": false}));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(resolve(&resolver, &token).await, Err(INACTIVE));
    assert_eq!(resolve(&resolver, &token).await, Err(INACTIVE));
    assert_eq!(
        idp.introspection_calls(),
        3,
        "inactive answers not cached at a zero TTL"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_requests_for_one_token_make_one_call() {
    let idp = TestIdp::start().await;
    idp.set_introspection_delay(Duration::from_millis(300));
    let resolver = resolver(&idp);
    let token = Arc::new(idp.opaque_token().audience("api").scope("read").mint());
    let requests: Vec<_> = (0..100)
        .map(|_| {
            let (resolver, token) = (resolver.clone(), Arc::clone(&token));
            tokio::spawn(async move { resolve(&resolver, &token).await })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for request in requests {
        ids.insert(request.await.unwrap().unwrap().user_id());
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(idp.introspection_calls(), 1);
}

/// H6: a flood of junk tokens against a slow server (1.5 s a call) takes every slot, and a
/// valid new token waits its turn instead of a 503 at once; the server never sees more calls at
/// once than the bound. Past the time one call may take, a waiting call is refused (503).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_waits_its_turn_within_the_bound() {
    let idp = TestIdp::start().await;
    idp.set_introspection_delay(Duration::from_millis(1500));
    let valid = idp.opaque_token().subject("ada").mint();
    let resolver = resolver_with(idp.introspection_client().with_max_in_flight(4));
    let flood: Vec<_> = (0..8)
        .map(|n| {
            let resolver = resolver.clone();
            tokio::spawn(async move { resolve(&resolver, &format!("junk-{n}")).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await; // the flood holds every slot
    let started = std::time::Instant::now();
    let user = resolve(&resolver, &valid).await.unwrap();
    assert_eq!(user.source(), Source::OPAQUE_TOKEN);
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "it waited"
    );
    for request in flood {
        assert_eq!(request.await.unwrap().unwrap_err(), INACTIVE);
    }
    assert_eq!(idp.introspection_calls(), 9);
    assert_eq!(
        idp.introspection_peak(),
        4,
        "never more than the bound at once"
    );

    // The wait is bounded by the time one call may take: one slot, a 300 ms timeout, a
    // server that takes 1.5 s. The call behind waits at most 300 ms for the slot, then has
    // its own 300 ms: 503 either way, never an unbounded queue.
    let short = resolver_with(
        idp.introspection_client()
            .with_max_in_flight(1)
            .with_timeouts(Duration::from_millis(300), Duration::from_millis(300)),
    );
    let first = tokio::spawn({
        let short = short.clone();
        async move { resolve(&short, "junk-slow").await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    let behind = resolve(&short, "junk-behind").await.unwrap_err();
    assert_eq!(behind.status(), StatusCode::SERVICE_UNAVAILABLE, "{behind}");
    assert!(started.elapsed() < Duration::from_millis(1200), "bounded");
    assert_eq!(
        first.await.unwrap().unwrap_err(),
        UNAVAILABLE,
        "the call timed out"
    );
    let status = ResolveError::Introspection(IntrospectionError::Overloaded).status();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

/// A server that answers a token it does not know with 400 `invalid_token` or
/// `unsupported_token_type` refuses the token (401, remembered as inactive); any other 400 is
/// the server's failure (503).
#[tokio::test]
async fn an_oauth_error_about_the_token_refuses_it() {
    let idp = TestIdp::start().await;
    let resolver = resolver_with(idp.introspection_client());
    for code in ["invalid_token", "unsupported_token_type"] {
        idp.set_unknown_token_error(Some(code));
        let token = format!("unknown-{code}");
        assert_eq!(
            resolve(&resolver, &token).await.unwrap_err(),
            INACTIVE,
            "{code}"
        );
        assert_eq!(INACTIVE.status(), StatusCode::UNAUTHORIZED);
    }
    let calls = idp.introspection_calls();
    assert_eq!(
        resolve(&resolver, "unknown-invalid_token")
            .await
            .unwrap_err(),
        INACTIVE
    );
    assert_eq!(idp.introspection_calls(), calls, "remembered");
    idp.set_unknown_token_error(Some("invalid_request"));
    assert_eq!(
        resolve(&resolver, "unknown-other").await.unwrap_err(),
        UNAVAILABLE
    );
}

/// An introspected token's refusal names the check that failed, and does not call the token a
/// JWT.
#[tokio::test]
async fn an_introspected_refusal_is_not_called_a_jwt() {
    let idp = TestIdp::start().await;
    let token = idp.opaque_token().audience("other").scope("read").mint();
    let refusal = resolve(&resolver(&idp), &token).await.unwrap_err();
    assert_eq!(
        refusal,
        ResolveError::Verification(VerifyError::AudienceMismatch)
    );
    let message = refusal.to_string();
    assert!(message.contains("audience not accepted"), "{message}");
    assert!(!message.contains("JWT"), "{message}");
}

/// An answer whose `exp` has passed but is within the leeway is accepted, and remembered: one
/// call, not one a request.
#[tokio::test]
async fn an_answer_within_the_leeway_is_cached() {
    let idp = TestIdp::start().await;
    let token = idp.opaque_token().subject("ada").expires_in(-10).mint();
    let resolver = resolver_with(idp.introspection_client());
    for _ in 0..3 {
        assert!(resolve(&resolver, &token).await.is_ok());
    }
    assert_eq!(idp.introspection_calls(), 1);
}

#[tokio::test]
async fn which_tokens_are_introspected() {
    let idp = TestIdp::start().await;
    let verifier = idp.verifier().allow_any_audience().build().unwrap();
    let resolver = Resolver::builder()
        .with_verifier(verifier)
        .with_introspection(idp.introspection_client().build().unwrap())
        .build()
        .unwrap();
    // A JWT of the configured issuer that fails its checks is not introspected.
    let expired = idp.token().claim("exp", 1_000_000).sign();
    let refusal = resolve(&resolver, &expired).await.unwrap_err();
    assert_eq!(refusal, ResolveError::Verification(VerifyError::Expired));
    assert_eq!(idp.introspection_calls(), 0);
    // A JWT-shaped token of an unknown issuer, or that does not decode, is.
    let foreign = axum_userinfo::test_util::TokenBuilder::new(
        "https://foreign.example",
        axum_userinfo::test_util::TestKey::Rsa1,
    )
    .sign();
    assert_eq!(resolve(&resolver, &foreign).await, Err(INACTIVE));
    assert_eq!(resolve(&resolver, "not.a.jwt").await, Err(INACTIVE));
    assert_eq!(idp.introspection_calls(), 2);
    // X-API-Key stays an API key.
    let mut headers = HeaderMap::new();
    headers.insert("x-api-key", HeaderValue::from_static("sk-1"));
    let user = resolver.resolve_async(&headers).await.unwrap().unwrap();
    assert_eq!(user.source(), Source::API_KEY);
    // The accepted kinds apply: opaque tokens refused when not accepted.
    let only_jwt = Resolver::builder()
        .with_introspection(idp.introspection_client().build().unwrap())
        .with_accepted_kinds([CredentialKind::Jwt])
        .build()
        .unwrap();
    let opaque = idp.opaque_token().mint();
    assert_eq!(
        resolve(&only_jwt, &opaque).await,
        Err(ResolveError::NotAccepted(CredentialKind::OpaqueToken))
    );
    // Without introspection, an opaque token is an API key, as in the reference.
    let plain = Resolver::new();
    assert_eq!(
        resolve(&plain, &opaque).await.unwrap().source(),
        Source::API_KEY
    );
}

#[tokio::test]
async fn client_secret_post_and_discovery() {
    let idp = TestIdp::start().await;
    let token = idp.opaque_token().mint();
    let post = resolver_with(
        idp.introspection_client()
            .with_client_auth(ClientAuth::ClientSecretPost),
    );
    assert!(resolve(&post, &token).await.is_ok());
    let discovered = resolver_with(
        axum_userinfo::introspect::IntrospectionClient::builder(idp.issuer())
            .with_oidc_discovery()
            .with_client_credentials(TestIdp::CLIENT_ID, TestIdp::CLIENT_SECRET)
            .allow_http_loopback(),
    );
    assert!(resolve(&discovered, &token).await.is_ok());
    assert_eq!(idp.discovery_requests(), 1);
    assert_eq!(idp.introspection_calls(), 2);
}

#[test]
fn configuration_is_checked() {
    let builder = || axum_userinfo::introspect::IntrospectionClient::builder("https://as.example");
    let with_secret = |b: IntrospectionClientBuilder| b.with_client_credentials("id", "secret");
    assert_eq!(
        with_secret(builder()).build().err(),
        Some(ConfigError::NoIntrospectionEndpoint)
    );
    let endpoint = |b: IntrospectionClientBuilder| b.with_endpoint("https://as.example/i");
    assert_eq!(
        endpoint(builder()).build().err(),
        Some(ConfigError::MissingClientCredentials)
    );
    assert_eq!(
        endpoint(builder())
            .with_client_credentials("id", " ")
            .build()
            .err(),
        Some(ConfigError::MissingClientCredentials)
    );
    assert_eq!(
        with_secret(builder().with_endpoint("http://as.example/i"))
            .build()
            .err(),
        Some(ConfigError::InsecureUrl)
    );
    assert_eq!(
        with_secret(endpoint(builder()))
            .with_max_in_flight(0)
            .build()
            .err(),
        Some(ConfigError::ZeroLimit("introspection calls in flight"))
    );
    assert_eq!(
        with_secret(builder().with_endpoint("https://u:p@as.example/i"))
            .build()
            .err(),
        Some(ConfigError::CredentialsInUrl)
    );
    let client = with_secret(endpoint(builder())).build().unwrap();
    assert!(!format!("{client:?}").contains("secret\""));
    let header = Resolver::builder()
        .with_identity_header("x-user")
        .with_introspection(client)
        .build();
    assert_eq!(
        header.err(),
        Some(ConfigError::IdentityHeaderWithVerification)
    );
}

/// A WebSocket auth message's token goes through the same engine: an opaque token sent as a
/// `jwt` message is introspected, once, and its user holds until its `exp`.
#[tokio::test]
async fn auth_messages_are_introspected_too() {
    use axum_userinfo::websocket::HandledAuthMessage;
    let idp = TestIdp::start().await;
    let resolver = resolver_with(idp.introspection_client());
    let token = idp.opaque_token().subject("ws-user").mint();
    let frame =
        format!(r#"{{"type":"auth_message","payload":{{"method":"jwt","token":"{token}"}}}}"#);
    assert!(
        matches!(
            resolver.handle_auth_frame(&frame),
            Some(HandledAuthMessage::Rejected { .. })
        ),
        "the synchronous path cannot call the server"
    );
    let Some(HandledAuthMessage::Resolved { user, .. }) =
        resolver.handle_auth_frame_async(&frame).await
    else {
        panic!("an opaque token in a jwt message is introspected");
    };
    assert_eq!(user.source(), Source::OPAQUE_TOKEN);
    assert!(user.is_still_valid());
    let expired = idp.opaque_token().expires_in(-30).mint(); // within the leeway: accepted
    let frame =
        format!(r#"{{"type":"auth_message","payload":{{"method":"jwt","token":"{expired}"}}}}"#);
    let Some(HandledAuthMessage::Resolved { user, .. }) =
        resolver.handle_auth_frame_async(&frame).await
    else {
        panic!("within the leeway");
    };
    assert!(user.is_still_valid());
    assert_eq!(idp.introspection_calls(), 2);
}

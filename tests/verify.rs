//! JWT verification against the test kit's identity provider: a real HTTP server on
//! 127.0.0.1 whose JWKS and discovery requests are counted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use axum_userinfo::error::VerifyError;
use axum_userinfo::test_util::{TestIdp, TestKey, TokenBuilder};
use axum_userinfo::verify::Algorithm;
use axum_userinfo::verify::CachePolicy;
use axum_userinfo::{
    ResolveError, Resolver, Source, UserInfo, UserInfoLayer, identity::user_id_of_key,
    verify::JwtVerifier, verify::VerificationKey,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};

const HMAC_ISSUER: &str = "https://hmac.example";
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        HeaderValue::try_from(format!("Bearer {token}")).unwrap(),
    );
    headers
}

/// The provider's verifier (audience `api`) and a static HMAC issuer.
fn resolver(idp: &TestIdp) -> Resolver {
    let fetched = idp.verifier().with_audience("api").build().unwrap();
    let hmac = JwtVerifier::builder(HMAC_ISSUER)
        .with_key(VerificationKey::from_secret(SECRET).unwrap())
        .allow_any_audience()
        .build()
        .unwrap();
    Resolver::builder()
        .with_verifier(fetched)
        .with_verifier(hmac)
        .build()
        .unwrap()
}

/// The provider's verifier, any audience, refetching on every miss (no interval).
fn eager(idp: &TestIdp) -> Resolver {
    let policy = CachePolicy {
        refetch_interval: Duration::ZERO,
        ..CachePolicy::default()
    };
    let verifier = idp
        .verifier()
        .allow_any_audience()
        .with_cache_policy(policy);
    Resolver::builder()
        .with_verifier(verifier.build().unwrap())
        .build()
        .unwrap()
}

async fn verify(resolver: &Resolver, token: &str) -> Result<UserInfo, ResolveError> {
    resolver
        .resolve_async(&bearer(token))
        .await
        .map(|user| user.expect("a token is not anonymous"))
}

fn refused(error: VerifyError) -> Result<(), ResolveError> {
    Err(ResolveError::Verification(error))
}

async fn outcome(resolver: &Resolver, token: &str) -> Result<(), ResolveError> {
    verify(resolver, token).await.map(|_| ())
}

#[tokio::test]
async fn valid_tokens_of_every_key_type() {
    let idp = TestIdp::start().await;
    idp.publish(&[TestKey::Rsa1, TestKey::Ec, TestKey::Ed]);
    let resolver = resolver(&idp);
    for key in [TestKey::Rsa1, TestKey::Ec, TestKey::Ed] {
        let token = idp
            .token()
            .key(key)
            .subject(" alice ")
            .audience("api")
            .sign();
        let user = verify(&resolver, &token).await.unwrap();
        assert_eq!(user.source(), Source::JWT);
        // Issuer-scoped: iss U+001F trimmed identity.
        let expected = user_id_of_key(&format!("{}\u{1f}alice", idp.issuer()));
        assert_eq!(user.user_id(), expected, "{key:?}");
    }
    assert_eq!(idp.discovery_requests(), 1);
    assert_eq!(idp.jwks_requests(), 1);

    // HS256 with the static secret of the other issuer.
    let token = TokenBuilder::new(HMAC_ISSUER, TestKey::Rsa1)
        .kid(None)
        .sign_hmac(SECRET);
    let user = verify(&resolver, &token).await.unwrap();
    assert_eq!(
        user.user_id(),
        user_id_of_key(&format!("{HMAC_ISSUER}\u{1f}test-user"))
    );
    // A kid that the static key does not have: refused, as the reference refuses a kid its
    // key set lacks (no kid-less key stands in; that accepted what the reference refuses).
    let token = TokenBuilder::new(HMAC_ISSUER, TestKey::Rsa1)
        .kid(Some("other"))
        .sign_hmac(SECRET);
    assert_eq!(
        outcome(&resolver, &token).await,
        refused(VerifyError::UnknownKey)
    );
}

#[tokio::test]
async fn claims_are_checked_and_required() {
    let idp = TestIdp::start().await;
    let resolver = resolver(&idp);
    let token = || idp.token().audience("api");
    let cases = [
        (
            token().expires_in(-120).sign(),
            refused(VerifyError::Expired),
        ),
        // Within the 60 s leeway.
        (token().expires_in(-30).sign(), Ok(())),
        (
            token().not_before_in(120).sign(),
            refused(VerifyError::NotYetValid),
        ),
        (token().not_before_in(30).sign(), Ok(())),
        (
            idp.token().audience("other").sign(),
            refused(VerifyError::AudienceMismatch),
        ),
        (
            idp.token().sign(),
            refused(VerifyError::MissingClaim("aud")),
        ),
        (
            token().claim("aud", serde_json::json!(["x", "api"])).sign(),
            Ok(()),
        ),
        (
            token().without_claim("exp").sign(),
            refused(VerifyError::MissingClaim("exp")),
        ),
        (
            token().claim("exp", "9999999999").sign(),
            refused(VerifyError::ClaimType("exp")),
        ),
        (
            token().claim("nbf", true).sign(),
            refused(VerifyError::ClaimType("nbf")),
        ),
        (
            token().claim("iat", "now").sign(),
            refused(VerifyError::ClaimType("iat")),
        ),
        // The reference (authlib) refuses a null nbf or iat: so does the crate.
        (
            token().claim("nbf", serde_json::Value::Null).sign(),
            refused(VerifyError::ClaimType("nbf")),
        ),
        (
            token().claim("iat", serde_json::Value::Null).sign(),
            refused(VerifyError::ClaimType("iat")),
        ),
        (
            idp.token().claim("aud", serde_json::json!({})).sign(),
            refused(VerifyError::ClaimType("aud")),
        ),
        (
            token().claim("aud", serde_json::json!(["api", 1])).sign(),
            refused(VerifyError::ClaimType("aud")),
        ),
        (
            token().claim("iss", 123).sign(),
            refused(VerifyError::ClaimType("iss")),
        ),
        (
            token().claim("iss", "https://unknown.example").sign(),
            refused(VerifyError::UnknownIssuer),
        ),
        (
            token().without_claim("iss").sign(),
            Err(ResolveError::MissingIssuer),
        ),
        (
            token().without_claim("sub").sign(),
            Err(ResolveError::NoIdentityClaim),
        ),
    ];
    for (i, (token, expected)) in cases.into_iter().enumerate() {
        assert_eq!(outcome(&resolver, &token).await, expected, "case {i}");
    }
}

#[tokio::test]
async fn forged_tokens_are_refused() {
    let idp = TestIdp::start().await;
    let resolver = resolver(&idp);
    let valid = idp.token().audience("api").sign();
    assert_eq!(outcome(&resolver, &valid).await, Ok(()));
    let parts: Vec<&str> = valid.split('.').collect();

    // alg: none, with and without a signature.
    let none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"rsa-1"}"#);
    for signature in ["", parts[2]] {
        let token = format!("{none}.{}.{signature}", parts[1]);
        assert_eq!(
            outcome(&resolver, &token).await,
            refused(VerifyError::AlgorithmNotAllowed)
        );
    }

    // Algorithm confusion: HS256 "signed" with the RSA public key as the secret.
    let public_pem = {
        let jwk = TestKey::Rsa1.jwk();
        serde_json::to_vec(&jwk).unwrap()
    };
    let confused = idp.token().audience("api").sign_hmac(&public_pem);
    assert_eq!(
        outcome(&resolver, &confused).await,
        refused(VerifyError::AlgorithmNotAllowed)
    );

    // A token of one issuer cannot be verified by another's key: the HMAC secret, claiming
    // the provider as issuer.
    let cross = idp.token().audience("api").kid(None).sign_hmac(SECRET);
    assert_eq!(
        outcome(&resolver, &cross).await,
        refused(VerifyError::AlgorithmNotAllowed)
    );

    // Tampered payload: the signature no longer matches.
    let tampered_claims = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap())
        .unwrap()
        .replace("test-user", "admin");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(tampered_claims),
        parts[2]
    );
    assert_eq!(
        outcome(&resolver, &tampered).await,
        refused(VerifyError::InvalidSignature)
    );

    // RS256 header, signed with another RSA key under the published kid.
    let wrong_key = idp
        .token()
        .audience("api")
        .key(TestKey::Rsa2)
        .kid(Some("rsa-1"))
        .sign();
    assert_eq!(
        outcome(&resolver, &wrong_key).await,
        refused(VerifyError::InvalidSignature)
    );

    // An RSA key does not verify PS256 when its JWK says RS256.
    let ps = idp
        .token()
        .audience("api")
        .algorithm(Algorithm::PS256)
        .sign();
    assert_eq!(
        outcome(&resolver, &ps).await,
        refused(VerifyError::AlgorithmNotAllowed)
    );
}

#[tokio::test]
async fn headers_rfc_8725() {
    let idp = TestIdp::start().await;
    let typed = idp
        .verifier()
        .with_audience("api")
        .with_type("at+jwt")
        .build()
        .unwrap();
    let resolver = Resolver::builder().with_verifier(typed).build().unwrap();
    let token = || idp.token().audience("api");
    assert_eq!(
        outcome(&resolver, &token().typ("at+jwt").sign()).await,
        Ok(())
    );
    assert_eq!(
        outcome(&resolver, &token().typ("application/at+jwt").sign()).await,
        Ok(())
    );
    assert_eq!(
        outcome(&resolver, &token().typ("JWT").sign()).await,
        refused(VerifyError::TypeMismatch)
    );
    assert_eq!(
        outcome(&resolver, &token().sign()).await,
        refused(VerifyError::TypeMismatch)
    );

    // Headers the builder cannot make: re-sign a hand-made header with the HMAC issuer.
    let hmac = Resolver::builder()
        .with_verifier(
            JwtVerifier::builder(HMAC_ISSUER)
                .with_key(VerificationKey::from_secret(SECRET).unwrap())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let claims = format!(r#"{{"iss":"{HMAC_ISSUER}","sub":"u","exp":9999999999}}"#);
    let sign = |header: &str| hmac_token(header, &claims);
    assert_eq!(outcome(&hmac, &sign(r#"{"alg":"HS256"}"#)).await, Ok(()));
    // A crit that even decoding refuses (PyJWT's rule), and one that only verification does.
    let crit_exp = sign(r#"{"alg":"HS256","crit":["exp"],"exp":1}"#);
    assert_eq!(
        outcome(&hmac, &crit_exp).await,
        Err(ResolveError::MalformedJwt(
            axum_userinfo::error::JwtError::UnsupportedCrit
        ))
    );
    let cases = [
        (
            r#"{"alg":"HS256","crit":["b64"],"b64":true}"#,
            VerifyError::UnsupportedCrit,
        ),
        (r#"{"alg":"HS256","cty":"JWT"}"#, VerifyError::Nested),
        (r#"{"alg":"HS256","enc":"A128GCM"}"#, VerifyError::Encrypted),
        (r#"{"alg":"none"}"#, VerifyError::AlgorithmNotAllowed),
    ];
    for (header, error) in cases {
        assert_eq!(
            outcome(&hmac, &sign(header)).await,
            refused(error),
            "{header}"
        );
    }
    // A five-segment JWE is refused, not taken for an API key.
    let jwe = format!(
        "{}.a.b.c.d",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#)
    );
    assert_eq!(outcome(&hmac, &jwe).await, refused(VerifyError::Encrypted));
    // Without verifiers it stays what the reference makes of it: an API key.
    let plain = Resolver::new().resolve(&bearer(&jwe)).unwrap().unwrap();
    assert_eq!(plain.source(), Source::API_KEY);
}

#[tokio::test]
async fn unknown_kid_burst_shares_one_refetch_and_rotation_needs_no_restart() {
    let idp = TestIdp::start().await;
    let interval = Duration::from_millis(500);
    let verifier = idp
        .verifier()
        .with_audience("api")
        .with_cache_policy(CachePolicy {
            refetch_interval: interval,
            ..CachePolicy::default()
        })
        .build()
        .unwrap();
    let resolver = Resolver::builder().with_verifier(verifier).build().unwrap();
    assert!(resolver.load_keys().await);
    assert_eq!(idp.jwks_requests(), 1);
    tokio::time::sleep(interval).await;

    // Rotation: the provider now signs with rsa-2; a burst of 100 concurrent requests with
    // the new kid shares exactly one refetch.
    idp.publish(&[TestKey::Rsa2]);
    let token = idp.token().audience("api").sign();
    let burst: Vec<_> = (0..100)
        .map(|_| {
            let (resolver, token) = (resolver.clone(), token.clone());
            tokio::spawn(async move { outcome(&resolver, &token).await })
        })
        .collect();
    for request in burst {
        assert_eq!(request.await.unwrap(), Ok(()));
    }
    assert_eq!(idp.jwks_requests(), 2, "one refetch for the burst");
    // The rotated-out key is gone.
    let old = idp.token().key(TestKey::Rsa1).audience("api").sign();
    assert_eq!(
        outcome(&resolver, &old).await,
        refused(VerifyError::UnknownKey)
    );
    assert_eq!(
        idp.jwks_requests(),
        2,
        "within the refetch interval: no fetch"
    );
}

/// The verified-token cache: a token answered from it is refused once the key that verified
/// it leaves the identity provider's key set (revocation), and its hits cost no fetch.
#[tokio::test]
async fn a_cached_token_is_refused_once_its_key_is_gone() {
    let idp = TestIdp::start().await;
    idp.publish(&[TestKey::Rsa1, TestKey::Rsa2]);
    let resolver = eager(&idp);
    let token = idp.token().key(TestKey::Rsa2).subject("ada").sign();
    let user = verify(&resolver, &token).await.unwrap();
    for _ in 0..3 {
        assert_eq!(verify(&resolver, &token).await.unwrap(), user); // cached
    }
    assert_eq!(idp.jwks_requests(), 1);

    idp.publish(&[TestKey::Rsa1]); // rsa-2 revoked
    assert!(resolver.load_keys().await); // the refetch a rotation or a new kid would bring
    assert_eq!(
        outcome(&resolver, &token).await,
        refused(VerifyError::UnknownKey),
        "never answered from the cache once its key is gone"
    );
    // A token of the remaining key is unaffected.
    let other = idp.token().key(TestKey::Rsa1).subject("ada").sign();
    assert_eq!(verify(&resolver, &other).await.unwrap(), user);
}

/// A user-built reqwest client fetches the keys (discovery and JWKS), with the crate's limits.
#[tokio::test]
async fn keys_are_fetched_with_the_users_http_client() {
    let idp = TestIdp::start().await;
    let client = reqwest::Client::builder()
        .user_agent("custom-client/1")
        .build()
        .unwrap();
    let verifier = idp.verifier().allow_any_audience().with_http_client(client);
    let resolver = Resolver::builder()
        .with_verifier(verifier.build().unwrap())
        .build()
        .unwrap();
    assert_eq!(resolver.issuers_awaiting_keys(), [idp.issuer()]);
    let token = idp.token().subject("ada").sign();
    assert!(verify(&resolver, &token).await.is_ok());
    assert!(resolver.issuers_awaiting_keys().is_empty());
    let agents = idp.user_agents();
    assert_eq!(
        agents,
        ["custom-client/1", "custom-client/1"],
        "discovery, then the JWKS"
    );

    // The crate's own client otherwise.
    let own = TestIdp::start().await;
    let resolver = eager(&own);
    assert!(resolver.load_keys().await);
    assert!(
        own.user_agents()
            .iter()
            .all(|agent| agent != "custom-client/1")
    );
    // The https rule still holds for a user's client: http is refused off loopback.
    let remote = JwtVerifier::builder("https://issuer.example")
        .with_jwks_url("http://issuer.example/jwks")
        .with_http_client(reqwest::Client::new())
        .build();
    assert_eq!(remote.err(), Some(axum_userinfo::ConfigError::InsecureUrl));
}

#[tokio::test]
async fn random_kid_flood_costs_one_fetch_per_interval() {
    let idp = TestIdp::start().await;
    let verifier = idp
        .verifier()
        .allow_any_audience()
        .with_cache_policy(CachePolicy {
            refetch_interval: Duration::from_millis(300),
            ..CachePolicy::default()
        })
        .build()
        .unwrap();
    let resolver = Resolver::builder().with_verifier(verifier).build().unwrap();
    let valid = idp.token().sign();
    assert_eq!(outcome(&resolver, &valid).await, Ok(()));
    let (_, claims_and_signature) = valid.split_once('.').unwrap();
    let start = std::time::Instant::now();
    let mut slowest_valid = Duration::ZERO;
    for i in 0..10_000 {
        // The kid is looked up before the signature is checked: no need to sign.
        let header = format!(r#"{{"alg":"RS256","kid":"random-{i}"}}"#);
        let forged = format!("{}.{claims_and_signature}", URL_SAFE_NO_PAD.encode(header));
        assert_eq!(
            outcome(&resolver, &forged).await,
            refused(VerifyError::UnknownKey)
        );
        if i % 1000 == 0 {
            let t = std::time::Instant::now();
            assert_eq!(outcome(&resolver, &valid).await, Ok(()));
            slowest_valid = slowest_valid.max(t.elapsed());
        }
    }
    let intervals = start.elapsed().as_millis() / 300 + 1;
    let fetches = idp.jwks_requests() - 1;
    assert!(
        fetches as u128 <= intervals,
        "{fetches} fetches in {intervals} intervals"
    );
    // Valid tokens never wait for the flood (RSA verification in a debug build is slow, so
    // the bound is loose; the point is that no fetch is in their path).
    assert!(slowest_valid < Duration::from_secs(1), "{slowest_valid:?}");
}

#[tokio::test]
async fn provider_down_warm_keeps_verifying_cold_is_503() {
    let idp = TestIdp::start().await;
    let warm = eager(&idp);
    let token = idp.token().sign();
    assert_eq!(outcome(&warm, &token).await, Ok(()));
    idp.set_down(true);
    // A refetch (a new kid) fails, and the last good keys keep serving.
    let unknown = idp.token().kid(Some("new")).sign();
    assert_eq!(
        outcome(&warm, &unknown).await,
        refused(VerifyError::UnknownKey)
    );
    assert_eq!(outcome(&warm, &token).await, Ok(()));

    // Cold: the server starts and answers; the token fails with 503 until the keys arrive.
    let cold = eager(&idp);
    let app = Router::new()
        .route(
            "/",
            get(|user: UserInfo| async move { user.user_id().to_string() }),
        )
        .layer(UserInfoLayer::new(cold).required());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::new();
    let get = |token: String| {
        client
            .get(format!("http://{addr}/"))
            .bearer_auth(token)
            .send()
    };
    let response = get(token.clone()).await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "30");

    idp.set_down(false);
    let response = get(token.clone()).await.unwrap();
    assert_eq!(response.status(), 200);
    let expected = user_id_of_key(&format!("{}\u{1f}test-user", idp.issuer()));
    assert_eq!(response.text().await.unwrap(), expected.to_string());

    // A bad token: 401 with RFC 6750's invalid_token.
    let response = get(idp.token().expires_in(-3600).sign()).await.unwrap();
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with(r#"Bearer error="invalid_token", error_description="#),
        "{challenge}"
    );
    assert!(challenge.contains("token expired"), "{challenge}");
}

#[tokio::test]
async fn oversized_or_malformed_jwks_is_not_used() {
    let idp = TestIdp::start().await;
    let token = idp.token().sign();
    let resolver = eager(&idp);
    let mut big = br#"{"keys":[],"padding":""#.to_vec();
    big.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    big.extend(br#""}"#);
    for body in [big, b"not json".to_vec(), br#"{"keys":{}}"#.to_vec()] {
        idp.set_jwks_body(Some(body));
        assert_eq!(
            outcome(&resolver, &token).await,
            refused(VerifyError::KeysUnavailable)
        );
    }
    idp.set_jwks_body(None);
    assert_eq!(outcome(&resolver, &token).await, Ok(()));
}

#[tokio::test]
async fn discovery_must_name_the_configured_issuer() {
    let idp = TestIdp::start().await;
    // The same server under another name (localhost rather than 127.0.0.1): its discovery
    // document names 127.0.0.1, so the keys are never used.
    let alias = idp.issuer().replace("127.0.0.1", "localhost");
    let verifier = JwtVerifier::builder(&alias)
        .with_oidc_discovery()
        .allow_http_loopback()
        .allow_any_audience()
        .build()
        .unwrap();
    let resolver = Resolver::builder().with_verifier(verifier).build().unwrap();
    let token = idp.token().claim("iss", alias.as_str()).sign();
    assert_eq!(
        outcome(&resolver, &token).await,
        refused(VerifyError::KeysUnavailable)
    );
    assert_eq!(idp.jwks_requests(), 0);

    // A direct JWKS URL works, and https is required elsewhere.
    let direct = JwtVerifier::builder(idp.issuer())
        .with_jwks_url(idp.jwks_url())
        .allow_http_loopback()
        .allow_any_audience()
        .build()
        .unwrap();
    let resolver = Resolver::builder().with_verifier(direct).build().unwrap();
    assert_eq!(outcome(&resolver, &idp.token().sign()).await, Ok(()));
    let insecure = JwtVerifier::builder(idp.issuer())
        .with_jwks_url(idp.jwks_url())
        .build();
    assert_eq!(
        insecure.err(),
        Some(axum_userinfo::ConfigError::InsecureUrl)
    );
}

#[tokio::test]
async fn websocket_auth_messages_are_verified_the_same_way() {
    let idp = TestIdp::start().await;
    let resolver = resolver(&idp);
    let frame = |token: &str| {
        format!(r#"{{"type":"auth_message","payload":{{"method":"jwt","token":"{token}"}}}}"#)
    };
    let good = idp.token().audience("api").sign();
    let Some(axum_userinfo::websocket::HandledAuthMessage::Resolved { user, response }) =
        resolver.handle_auth_frame_async(&frame(&good)).await
    else {
        panic!("a valid token resolves");
    };
    assert_eq!(
        user.user_id(),
        user_id_of_key(&format!("{}\u{1f}test-user", idp.issuer()))
    );
    assert!(response.to_json().contains(r#""status":"success""#));
    let bad = idp.token().sign(); // no aud
    let Some(axum_userinfo::websocket::HandledAuthMessage::Rejected { error, .. }) =
        resolver.handle_auth_frame_async(&frame(&bad)).await
    else {
        panic!("a token without aud is refused");
    };
    assert_eq!(
        error,
        ResolveError::Verification(VerifyError::MissingClaim("aud"))
    );
}

#[test]
fn configuration_is_checked() {
    let hmac = || {
        JwtVerifier::builder(HMAC_ISSUER)
            .with_key(VerificationKey::from_secret(SECRET).unwrap())
            .build()
            .unwrap()
    };
    let twice = Resolver::builder()
        .with_verifier(hmac())
        .with_verifier(hmac())
        .build();
    assert_eq!(twice.err(), Some(axum_userinfo::ConfigError::InvalidIssuer));
    let with_header = Resolver::builder()
        .with_identity_header("x-user")
        .with_verifier(hmac())
        .build();
    assert_eq!(
        with_header.err(),
        Some(axum_userinfo::ConfigError::IdentityHeaderWithVerification)
    );
    assert_eq!(
        JwtVerifier::builder(HMAC_ISSUER).build().err(),
        Some(axum_userinfo::ConfigError::NoKeySource)
    );
    // Leeway is clamped to 300 s: a token expired 301 s ago (+ clock) fails even with 1 h.
    let lenient = JwtVerifier::builder(HMAC_ISSUER)
        .with_key(VerificationKey::from_secret(SECRET).unwrap())
        .with_leeway(Duration::from_secs(3600))
        .build()
        .unwrap();
    let resolver = Resolver::builder().with_verifier(lenient).build().unwrap();
    let token = TokenBuilder::new(HMAC_ISSUER, TestKey::Rsa1)
        .expires_in(-400)
        .sign_hmac(SECRET);
    assert_eq!(
        resolver.resolve(&bearer(&token)),
        Err(ResolveError::Verification(VerifyError::Expired))
    );
    let token = TokenBuilder::new(HMAC_ISSUER, TestKey::Rsa1)
        .expires_in(-200)
        .sign_hmac(SECRET);
    assert!(resolver.resolve(&bearer(&token)).is_ok());
    // Other credential kinds are not affected by verification.
    let mut headers = HeaderMap::new();
    headers.insert("x-api-key", HeaderValue::from_static("sk-1"));
    assert_eq!(
        resolver.resolve(&headers).unwrap().unwrap().user_id(),
        user_id_of_key("sk-1")
    );
    let _ = Arc::new(());
}

/// jsonwebtoken's own signing and JWK functions (for what the test kit cannot mint) use its
/// process-wide provider, which it cannot pick with both backends enabled (`--all-features`):
/// the test installs the one the crate verifies with, as an application would.
fn jsonwebtoken_provider() {
    #[cfg(feature = "aws-lc-rs")]
    let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
    #[cfg(not(feature = "aws-lc-rs"))]
    let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
    let _ = provider.install_default(); // once a process: later calls find it installed
}

const RSA_512_PUB: &str = include_str!("keys/rsa-512.pub.pem");
const RSA_1024_PUB: &str = include_str!("keys/rsa-1024.pub.pem");

/// The JWK of the weak 1024-bit test key, with `kid` `weak`.
fn weak_jwk() -> serde_json::Value {
    serde_json::from_str(include_str!("keys/rsa-1024.jwk.json")).unwrap()
}

#[test]
fn weak_keys_are_refused_when_built() {
    let weak = |key: Result<VerificationKey, axum_userinfo::ConfigError>| matches!(key, Err(axum_userinfo::ConfigError::InvalidKey(reason)) if reason.contains("2048") || reason.contains("32 bytes"));
    assert!(weak(VerificationKey::from_rsa_pem(RSA_512_PUB)));
    assert!(weak(VerificationKey::from_rsa_pem(RSA_1024_PUB)));
    assert!(weak(VerificationKey::from_jwk_json(
        &weak_jwk().to_string()
    )));
    assert!(weak(VerificationKey::from_secret(b"k")));
    assert!(weak(VerificationKey::from_secret([b'k'; 31])));
    // The test kit's 2048-bit key, as PEM and as JWK, is fine.
    let jwk = serde_json::to_string(&TestKey::Rsa1.jwk()).unwrap();
    assert!(VerificationKey::from_jwk_json(&jwk).is_ok());
}

#[tokio::test]
async fn weak_jwks_keys_are_skipped() {
    let idp = TestIdp::start().await;
    let strong = serde_json::to_value(TestKey::Rsa1.jwk()).unwrap();
    let body = serde_json::json!({ "keys": [weak_jwk(), strong] });
    idp.set_jwks_body(Some(body.to_string().into_bytes()));
    let resolver = resolver(&idp);
    // A token naming the weak key: refused, its key was left out of the set (so no signature
    // of it is ever checked, and aws-lc-rs would not sign with a 1024-bit key anyway).
    let token = idp
        .token()
        .subject("mallory")
        .audience("api")
        .kid(Some("weak"))
        .sign();
    assert_eq!(
        outcome(&resolver, &token).await,
        refused(VerifyError::UnusableKey)
    );
    // The strong key beside it still verifies.
    let good = idp.token().subject("ada").audience("api").sign();
    assert!(verify(&resolver, &good).await.is_ok());
}

/// G10 and the reference's key choice (authlib's `KeySet.find_by_kid`): one token is checked
/// against one key at most. A token without `kid` among several keys that all have one is
/// refused (the old code tried every key, and accepted it); the only key of an issuer takes
/// a token without `kid`; an unknown `kid` never falls back to another key.
#[tokio::test]
async fn one_token_one_key() {
    let idp = TestIdp::start().await;
    idp.publish(&[TestKey::Rsa1, TestKey::Rsa2]);
    let two = resolver(&idp);
    let kidless = idp.token().audience("api").kid(None).sign();
    assert_eq!(
        outcome(&two, &kidless).await,
        refused(VerifyError::UnknownKey)
    );
    let named = idp.token().audience("api").sign();
    assert!(outcome(&two, &named).await.is_ok());

    let single = TestIdp::start().await;
    single.publish(&[TestKey::Rsa1]);
    let one = resolver(&single);
    let kidless = single.token().audience("api").kid(None).sign();
    assert!(outcome(&one, &kidless).await.is_ok(), "the only key");
    let other_kid = single.token().audience("api").kid(Some("k-other")).sign();
    assert_eq!(
        outcome(&one, &other_kid).await,
        refused(VerifyError::UnknownKey)
    );
}

/// A padded signature segment is refused when tokens are verified (the reference's authlib
/// accepts it; the unverified path tolerates padding as PyJWT does): a deliberate hardening,
/// RFC 7515 §2's base64url has no padding, and a second spelling of one token is a second
/// key for every cache keyed by tokens.
#[tokio::test]
async fn a_padded_signature_is_refused_when_verified() {
    let idp = TestIdp::start().await;
    let resolver = resolver(&idp);
    let token = idp.token().audience("api").sign();
    let signature = token.rsplit('.').next().unwrap();
    assert_eq!(signature.len() % 4, 2, "an RS256 signature pads with ==");
    assert!(outcome(&resolver, &token).await.is_ok());
    let padded = format!("{token}==");
    assert_eq!(
        outcome(&resolver, &padded).await,
        refused(VerifyError::InvalidSignature)
    );
    // Without a verifier, the same padded token decodes (unverified), as in the reference.
    assert!(Resolver::new().resolve(&bearer(&padded)).unwrap().is_some());
}

/// An HS256 token of `HMAC_ISSUER` whose claims are exactly this JSON text.
fn raw_hmac_token(claims: &str) -> String {
    hmac_token(r#"{"alg":"HS256"}"#, claims)
}

/// A token whose header and claims are exactly these JSON texts, signed with HS256 by
/// `HMAC_ISSUER`'s secret (whatever the header says).
fn hmac_token(header: &str, claims: &str) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    jsonwebtoken_provider();
    let key = jsonwebtoken::EncodingKey::from_secret(SECRET);
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &key, Algorithm::HS256).unwrap();
    format!("{input}.{signature}")
}

/// A resolver for `HMAC_ISSUER`'s tokens that requires these scopes.
fn scoped_resolver(scopes: &[&str]) -> Resolver {
    let mut verifier = JwtVerifier::builder(HMAC_ISSUER)
        .with_key(VerificationKey::from_secret(SECRET).unwrap())
        .allow_any_audience();
    for scope in scopes {
        verifier = verifier.with_required_scope(*scope);
    }
    let verifier = verifier.build().unwrap();
    Resolver::builder().with_verifier(verifier).build().unwrap()
}

/// The reference's verified policy (`BearerTokenValidator._verify_jwt_token`, its
/// `TokenValidationResult`): required scopes, claim types it refuses, `iat` in the future,
/// a BOM before the claims. Each of these the crate accepted before.
#[tokio::test]
async fn the_reference_verified_policy() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let exp = now + 3600;
    let with = |extra: &str| {
        let comma = if extra.is_empty() { "" } else { "," };
        raw_hmac_token(&format!(
            r#"{{"iss":"{HMAC_ISSUER}","sub":"u","exp":{exp}{comma}{extra}}}"#
        ))
    };
    let plain = scoped_resolver(&[]);
    let scoped = scoped_resolver(&["orders:read", "orders:write"]);
    let insufficient = || {
        refused(VerifyError::InsufficientScope {
            required: vec!["orders:read".to_owned(), "orders:write".to_owned()],
        })
    };

    // Scopes: a string split on whitespace, a list as it is, `scp` when `scope` is falsy.
    for granted in [
        r#""scope":"orders:write orders:read extra""#,
        r#""scope":["orders:read","orders:write"]"#,
        r#""scp":"orders:read orders:write""#,
        r#""scope":"","scp":["orders:write","orders:read"]"#,
        "\"scope\":\"orders:read\\u001forders:write\"", // Python's whitespace includes U+001F
    ] {
        assert_eq!(outcome(&scoped, &with(granted)).await, Ok(()), "{granted}");
    }
    for lacking in [
        "",
        r#""scope":"orders:read""#,
        r#""scope":"orders:read,orders:write""#, // a comma is no separator
        r#""scope":"Orders:Read Orders:Write""#, // case-sensitive
        r#""scope":"orders:read","scp":"orders:write""#, // scope wins when truthy
        r#""scope":[]"#,
        r#""scope":"   ""#,
    ] {
        assert_eq!(
            outcome(&scoped, &with(lacking)).await,
            insufficient(),
            "{lacking}"
        );
    }

    // Types the result model refuses, with or without a requirement.
    for bad in [
        (r#""scope":5"#, "scope"),
        (r#""scope":true"#, "scope"),
        (r#""scope":{"a":1}"#, "scope"),
        (r#""scope":["a",1]"#, "scope"),
        (r#""scp":7"#, "scope"),
        (r#""jti":5"#, "jti"),
        (r#""azp":true"#, "azp"),
        (r#""azp":"","client_id":5"#, "azp"),
    ] {
        for resolver in [&plain, &scoped] {
            assert_eq!(
                outcome(resolver, &with(bad.0)).await,
                refused(VerifyError::ClaimType(bad.1)),
                "{}",
                bad.0
            );
        }
    }
    // Falsy scopes of another type are none (`x or None`): fine without a requirement.
    for falsy in [
        r#""scope":0"#,
        r#""scope":false"#,
        r#""scope":{}"#,
        r#""scope":null"#,
    ] {
        assert_eq!(outcome(&plain, &with(falsy)).await, Ok(()), "{falsy}");
    }
    let numeric_sub = raw_hmac_token(&format!(
        r#"{{"iss":"{HMAC_ISSUER}","sub":5,"email":"u@example.com","exp":{exp}}}"#
    ));
    assert_eq!(
        outcome(&plain, &numeric_sub).await,
        refused(VerifyError::ClaimType("sub"))
    );
    assert_eq!(outcome(&plain, &with(r#""azp":0,"jti":"j""#)).await, Ok(()));

    // Time claims are integers in pydantic's sense.
    let at = |exp: &str, extra: &str| {
        raw_hmac_token(&format!(
            r#"{{"iss":"{HMAC_ISSUER}","sub":"u","exp":{exp}{extra}}}"#
        ))
    };
    assert_eq!(outcome(&plain, &at(&format!("{exp}.0"), "")).await, Ok(()));
    assert_eq!(outcome(&plain, &at(&format!("{exp}e0"), "")).await, Ok(()));
    assert_eq!(
        outcome(&plain, &at(&format!("{exp}.5"), "")).await,
        refused(VerifyError::ClaimType("exp"))
    );
    assert_eq!(
        outcome(&plain, &at("1e20", "")).await,
        refused(VerifyError::ClaimType("exp"))
    );
    assert_eq!(
        outcome(&plain, &at(&exp.to_string(), r#","nbf":1.5"#)).await,
        refused(VerifyError::ClaimType("nbf"))
    );
    // `iat` in the future beyond the leeway (60 s) refuses; within it, fine.
    let iat = |offset: u64| format!(r#","iat":{}"#, now + offset);
    assert_eq!(
        outcome(&plain, &at(&exp.to_string(), &iat(120))).await,
        refused(VerifyError::IssuedInFuture)
    );
    assert_eq!(
        outcome(&plain, &at(&exp.to_string(), &iat(30))).await,
        Ok(())
    );

    // A BOM before the claims: refused when verifying (the unverified path keeps its rule).
    let bom = raw_hmac_token(&format!(
        "\u{feff}{{\"iss\":\"{HMAC_ISSUER}\",\"sub\":\"u\",\"exp\":{exp}}}"
    ));
    assert_eq!(
        outcome(&plain, &bom).await,
        Err(ResolveError::MalformedJwt(
            axum_userinfo::error::JwtError::NotJson(axum_userinfo::error::Segment::Payload)
        ))
    );

    // A required scope must be a scope token.
    for bad in ["", "a b", "a\"b", "é"] {
        let built = JwtVerifier::builder(HMAC_ISSUER)
            .with_key(VerificationKey::from_secret(SECRET).unwrap())
            .with_required_scope(bad)
            .build();
        assert_eq!(
            built.err(),
            Some(axum_userinfo::ConfigError::InvalidScope),
            "{bad}"
        );
    }
}

//! The verified path: tokens through a resolver with an HMAC issuer and an Ed25519 issuer (static
//! keys), so that header and claim checks run, not only the decoder. The first byte picks the
//! mode: 0, the input as the token; 1 and 2, the input cut in two (header JSON, claims JSON),
//! base64url-encoded and *correctly signed* (HS256 with the HMAC secret, or EdDSA), so that
//! mutations of the header and the claims get past the signature to every check behind it.
#![no_main]

use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

use axum_userinfo::test_util::TestKey;
use axum_userinfo::{Resolver, Source, verify::JwtVerifier, verify::VerificationKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
use jsonwebtoken::{Algorithm, EncodingKey, crypto};
use libfuzzer_sys::fuzz_target;

const HMAC_ISSUER: &str = "https://hmac.fuzz";
const ED_ISSUER: &str = "https://ed.fuzz";
const SECRET: &[u8] = b"a fuzzing secret of 32 bytes ...";

static RESOLVER: LazyLock<Resolver> = LazyLock::new(|| {
    let hmac = JwtVerifier::builder(HMAC_ISSUER)
        .with_key(VerificationKey::from_secret(SECRET).expect("32 bytes"))
        .with_audience("api")
        .build()
        .expect("a valid verifier");
    let ed = JwtVerifier::builder(ED_ISSUER)
        .with_key(TestKey::Ed.verification_key())
        .allow_any_audience()
        .with_required_exp(false)
        .build()
        .expect("a valid verifier");
    Resolver::builder()
        .with_verifier(hmac)
        .with_verifier(ed)
        .build()
        .expect("a valid resolver")
});
static HMAC_KEY: LazyLock<EncodingKey> = LazyLock::new(|| EncodingKey::from_secret(SECRET));
static ED_KEY: LazyLock<EncodingKey> = LazyLock::new(|| {
    EncodingKey::from_ed_pem(TestKey::Ed.private_pem().as_bytes()).expect("the test key parses")
});

fuzz_target!(|data: &[u8]| {
    let Some((&mode, data)) = data.split_first() else {
        return;
    };
    let token = match mode % 3 {
        0 => data.to_vec(),
        signed => {
            let Some((&cut, data)) = data.split_first() else {
                return;
            };
            let (header, claims) = data.split_at(usize::from(cut) % (data.len() + 1));
            let input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header),
                URL_SAFE_NO_PAD.encode(claims)
            );
            let (key, alg) = if signed == 1 {
                (&*HMAC_KEY, Algorithm::HS256)
            } else {
                (&*ED_KEY, Algorithm::EdDSA)
            };
            let signature = crypto::sign(input.as_bytes(), key, alg).expect("the key signs");
            format!("{input}.{signature}").into_bytes()
        }
    };
    let Ok(value) = HeaderValue::from_bytes(&[b"Bearer ".as_slice(), &token].concat()) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, value);
    if let Ok(Some(user)) = RESOLVER.resolve(&headers) {
        if user.source() != Source::JWT {
            // Not JWT-shaped (other than two dots): an API key, as without verifiers.
            assert_eq!(user.source(), Source::API_KEY);
            assert_ne!(token.iter().filter(|&&b| b == b'.').count(), 2);
            return;
        }
        // Only a verified JWT of a configured issuer resolves, with an issuer-scoped id.
        let jwt = user.jwt().expect("a JWT user");
        let issuer = jwt.issuer().expect("a verified token has an issuer");
        assert!(issuer == HMAC_ISSUER || issuer == ED_ISSUER, "{issuer}");
        let identity = jwt.identity_claim().expect("an identity");
        let key = format!("{issuer}\u{1f}{identity}");
        assert_eq!(
            user.user_id(),
            axum_userinfo::identity::user_id_of_key(&key)
        );
        // It passed `exp + leeway > now`; `None` only when no SystemTime holds `exp`.
        if let Some(until) = user.valid_until() {
            assert!(until + Duration::from_secs(1) > SystemTime::now());
        }
    }
});

//! One DPoP proof checked against its request (RFC 9449 §4.3), all but the replay: the JWS
//! header (`typ`, `alg`, a public `jwk`, no `crit`), the signature by that key, then `htm`,
//! `htu`, `iat` within the window, `jti`, `ath` and the key's thumbprint against `cnf.jkt`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use sha2::Digest as _;

use crate::dpop::htu::normalized;
use crate::dpop::thumbprint::jwk_thumbprint;
use crate::error::DpopError;
use crate::verify::{Algorithm, Jwk, VerificationKey};

/// JWK members that only a private key has: a proof's `jwk` holding one is refused.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The longest proof read (a 4096-bit RSA key's proof is under 2 KiB).
const MAX_PROOF_LEN: usize = 8 * 1024;

/// The request a proof must have been made for.
#[derive(Debug, Clone, Copy)]
pub struct DpopRequest<'a> {
    /// The request's method, as sent (`GET`).
    pub method: &'a str,
    /// The request's absolute URI as the client addressed it (`https://api.example.com/x`):
    /// behind a gateway, the public scheme and host, not the ones the service sees.
    pub uri: &'a str,
}

/// A proof that passed every check but the replay: the digest its `jti` is remembered by.
#[derive(Debug)]
pub(crate) struct Passed {
    pub(crate) replay_key: [u8; 32],
    /// The SHA-256 of the proof key's thumbprint: whose proof it is.
    pub(crate) holder: [u8; 32],
    /// The proof's `iat`, in whole seconds since the epoch (0 for one before it).
    pub(crate) issued_at: u64,
    /// The proof's `nonce`, when it has one (checked when nonces are required).
    pub(crate) nonce: Option<String>,
}

/// What a proof is checked with.
pub(crate) struct Rules<'a> {
    pub(crate) algorithms: &'a [&'static str],
    pub(crate) window: f64,
    pub(crate) now: f64,
}

fn invalid(rule: &'static str) -> DpopError {
    DpopError::InvalidProof(rule)
}

fn segment(text: &str, rule: &'static str) -> Result<Vec<u8>, DpopError> {
    URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid(rule))
}

fn object(bytes: &[u8], rule: &'static str) -> Result<Map<String, Value>, DpopError> {
    serde_json::from_slice(bytes).map_err(|_| invalid(rule))
}

/// Checks `proof` for `request` and `access_token`, bound to the key thumbprint `jkt`.
pub(crate) fn check(
    proof: &str,
    request: DpopRequest<'_>,
    access_token: &str,
    jkt: &str,
    rules: &Rules<'_>,
) -> Result<Passed, DpopError> {
    if proof.len() > MAX_PROOF_LEN {
        return Err(invalid("the proof is too large"));
    }
    let mut parts = proof.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid("not a compact JWS"));
    };
    let header = object(&segment(header, "malformed header")?, "malformed header")?;
    let typ = header.get("typ").and_then(Value::as_str);
    if !typ.is_some_and(|typ| typ.eq_ignore_ascii_case("dpop+jwt")) {
        return Err(invalid("typ is not dpop+jwt"));
    }
    if header.contains_key("crit") {
        return Err(invalid("critical header extensions are not supported"));
    }
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !rules.algorithms.contains(&alg) {
        return Err(invalid("alg is not an allowed asymmetric algorithm"));
    }
    let algorithm = match alg {
        "Ed25519" | "EdDSA" => Algorithm::EdDSA,
        other => other.parse().map_err(|_| invalid("alg is not allowed"))?,
    };
    let Some(Value::Object(jwk)) = header.get("jwk") else {
        return Err(invalid("the header has no jwk"));
    };
    if PRIVATE_MEMBERS
        .iter()
        .any(|member| jwk.contains_key(*member))
    {
        return Err(invalid("the jwk holds a private key"));
    }
    if jwk.get("kty").and_then(Value::as_str) == Some("OKP")
        && jwk.get("crv").and_then(Value::as_str) != Some("Ed25519")
    {
        return Err(invalid("an OKP jwk must be Ed25519"));
    }
    let key: Jwk =
        serde_json::from_value(Value::Object(jwk.clone())).map_err(|_| invalid("malformed jwk"))?;
    let key = VerificationKey::from_jwk(&key).map_err(|_| invalid("the jwk cannot verify"))?;
    if !key.algorithms().contains(&algorithm) {
        return Err(invalid("alg does not fit the jwk"));
    }
    let signing_input = proof
        .get(..proof.len() - signature.len() - 1)
        .unwrap_or_default();
    let signature = segment(signature, "malformed signature")?;
    if !key.verifies(&signature, signing_input.as_bytes(), algorithm) {
        return Err(invalid("the signature does not verify"));
    }
    let claims = object(&segment(payload, "malformed claims")?, "malformed claims")?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    if text("htm") != Some(request.method) {
        return Err(invalid("htm is not the request's method"));
    }
    let htu = text("htu").and_then(normalized);
    if htu.is_none() || htu != normalized(request.uri) {
        return Err(invalid("htu is not the request's URI"));
    }
    let iat = claims
        .get("iat")
        .filter(|iat| !iat.is_boolean())
        .and_then(Value::as_f64)
        .ok_or_else(|| invalid("iat is not a number"))?;
    if (iat - rules.now).abs() > rules.window {
        return Err(invalid("iat is outside the window"));
    }
    let jti = text("jti").filter(|jti| !jti.is_empty() && jti.len() <= 512);
    let Some(jti) = jti else {
        return Err(invalid("jti is missing"));
    };
    let ath = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(access_token.as_bytes()));
    if text("ath") != Some(ath.as_str()) {
        return Err(invalid("ath is not the access token's hash"));
    }
    let thumbprint = jwk_thumbprint(jwk).ok_or_else(|| invalid("the jwk has no thumbprint"))?;
    if thumbprint != jkt {
        return Err(DpopError::KeyMismatch);
    }
    let holder: [u8; 32] = sha2::Sha256::digest(thumbprint.as_bytes()).into();
    let mut digest = sha2::Sha256::new();
    digest.update(thumbprint.as_bytes());
    digest.update([0x1f]);
    digest.update(jti.as_bytes());
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "iat is within the window of now, a float of a few billion seconds"
    )]
    let issued_at = iat.max(0.0) as u64;
    Ok(Passed {
        replay_key: digest.finalize().into(),
        holder,
        issued_at,
        nonce: text("nonce").map(str::to_owned),
    })
}

//! The crate's verified path against the reference's (nvidia-nat-core 1.9:
//! `BearerTokenValidator` with authlib, through
//! `UserManager.extract_user_from_connection_with_verification`), on tokens generated from a
//! seed and minted against one loopback identity provider (the test kit's, whose JWKS also
//! publishes an `oct` key): algorithms (RS256/384/512, PS256/384/512, ES256, EdDSA, HS256 with
//! the published secret, `none`), `kid` present, missing and unknown, issuers (exact, other, empty, missing,
//! a trailing slash), audiences, time claims of every shape, scopes of every shape with and
//! without a requirement, identity claims, client ids and `jti`s.
//!
//! Every difference must be one where the crate refuses and the reference accepts, recognised
//! by a named hardening rule on the token's inputs ([`HARDENING`]); the crate accepting what
//! the reference refuses, or both accepting with different ids, fails the test.
//!
//! The reference's Python is `REFERENCE_PYTHON`, else `target/reference-venv/bin/python`
//! (`scripts/reference-venv.sh` makes it); without it the test passes with a note, except in
//! CI (`CI` set). The seed is printed; replay with `DIFFERENTIAL_SEED=…`; the number of tokens
//! is `DIFFERENTIAL_VERIFIED_COUNT` (default 480).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "common/reference.rs"]
mod reference;

use axum_userinfo::test_util::{TestIdp, TestKey, TokenBuilder};
use axum_userinfo::verify::Algorithm;
use axum_userinfo::{ResolveError, Resolver, UserInfo};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reference::{Rng, now, reference_python};
use serde_json::{Value, json};

/// The secret of the `oct` key the provider publishes (kid `hmac`).
const OCT_SECRET: [u8; 32] = *b"a published oct key, 32 bytes...";

/// How a token is signed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Signer {
    Key(TestKey),
    /// The first RSA key, under another RSA algorithm than the RS256 its JWK declares.
    Rsa(Algorithm),
    Hmac,
    None,
}

/// A generated token and what it was made of (the hardening rules read these).
#[derive(Debug)]
struct Case {
    token: String,
    required: Vec<&'static str>,
    signer: Signer,
    claims: serde_json::Map<String, Value>,
}

impl Case {
    fn claim(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }
}

/// Where the crate deliberately refuses what the reference accepts: its name (README,
/// "Deliberate differences") and the rule that recognises a token it explains.
type Hardening = (&'static str, fn(&Case) -> bool);

const HARDENING: &[Hardening] = &[
    ("HMAC with an oct key published in a JWKS", |case| {
        case.signer == Signer::Hmac
    }),
    (
        "a header alg other than the JWK's declared alg (RS384, RS512, PS* with a key published for RS256)",
        |case| matches!(case.signer, Signer::Rsa(_)),
    ),
    ("an aud list with a non-string item is refused", |case| {
        case.claim("aud")
            .and_then(Value::as_array)
            .is_some_and(|items| items.iter().any(|item| !item.is_string()))
    }),
];

impl Rng {
    /// One of `valid` most of the time, else one of `faults`: most tokens have no fault or
    /// one, so that accepted tokens are common and each fault is seen on its own too.
    fn axis<T: Clone>(&mut self, valid: &[T], faults: &[T]) -> T {
        if faults.is_empty() || self.chance(88) {
            self.pick(valid)
        } else {
            self.pick(faults)
        }
    }
}

/// One token of `issuer`, drawn from `rng`.
fn draw(rng: &mut Rng, issuer: &str) -> Case {
    let now = now();
    let signer = rng.axis(
        &[
            Signer::Key(TestKey::Rsa1),
            Signer::Key(TestKey::Rsa2),
            Signer::Key(TestKey::Ec),
            Signer::Key(TestKey::Ed),
            Signer::Rsa(Algorithm::PS256),
        ],
        &[
            Signer::Hmac,
            Signer::None,
            Signer::Rsa(Algorithm::RS384),
            Signer::Rsa(Algorithm::RS512),
            Signer::Rsa(Algorithm::PS384),
            Signer::Rsa(Algorithm::PS512),
        ],
    );
    let key = match signer {
        Signer::Key(key) => key,
        _ => TestKey::Rsa1,
    };
    let mut token = TokenBuilder::new(issuer, key).key(key);
    if let Signer::Rsa(algorithm) = signer {
        token = token.algorithm(algorithm);
    }
    if signer == Signer::Hmac {
        token = token.kid(Some("hmac"));
    }
    match rng.axis(&[0], &[1, 2]) {
        1 => token = token.kid(None),
        2 => token = token.kid(Some("unknown")),
        _ => {}
    }
    let mut claims = serde_json::Map::new();
    // `None` leaves the claim out; `Some(Value::Null)` is an explicit `null`.
    let mut set = |name: &str, value: Option<Value>| match value {
        Some(value) => {
            claims.insert(name.to_owned(), value);
        }
        None => {
            claims.remove(name);
        }
    };
    // None: the claim is left out.
    let iss = rng.axis(
        &[Some(json!(issuer))],
        &[
            Some(json!("https://other.example")),
            Some(json!("")),
            None,
            Some(json!(format!("{issuer}/"))),
        ],
    );
    set("iss", iss);
    let aud = rng.axis(
        &[Some(json!("api")), Some(json!(["x", "api"]))],
        &[
            Some(json!(["api", 1])),
            None,
            Some(json!("wrong")),
            Some(json!([])),
            Some(json!(["wrong", 2])),
        ],
    );
    set("aud", aud);
    let exp = rng.axis(
        &[
            Some(json!(now + 3600)),
            Some(json!(now - 30)), // within the leeway
            Some(json!(now as f64 + 3600.0)),
        ],
        &[
            None,
            Some(json!(now - 3600)),
            Some(json!(now - 120)),
            Some(json!(true)),
            Some(json!("2000000000")),
            Some(json!(now as f64 + 3600.5)),
            Some(json!(1e20)),
        ],
    );
    set("exp", exp);
    let nbf = rng.axis(
        &[None, None, Some(json!(now - 10)), Some(json!(now + 30))],
        &[
            Some(json!(now + 120)),
            Some(json!(true)),
            Some(json!(false)),
            Some(json!("x")),
            Some(json!(now as f64 - 10.5)),
        ],
    );
    set("nbf", nbf);
    let iat = rng.axis(
        &[
            Some(json!(now)),
            None,
            Some(json!(now + 30)),
            Some(json!(now as f64)),
        ],
        &[
            Some(json!(now + 120)),
            Some(json!(now as f64 - 0.5)),
            Some(json!(false)),
            Some(json!(true)),
            Some(json!("1")),
        ],
    );
    set("iat", iat);
    let scope = rng.axis(
        &[
            None,
            Some(json!("read write")),
            Some(json!(["read", "write"])),
            Some(json!("read")),
            Some(json!("write")),
            Some(json!("")),
            Some(json!(0)),
            Some(json!("read,write")),
        ],
        &[
            Some(json!(5)),
            Some(json!(true)),
            Some(json!({"a": 1})),
            Some(json!(["read", 1])),
        ],
    );
    let name = if rng.chance(25) { "scp" } else { "scope" };
    set(name, scope);
    if rng.chance(10) {
        set("scp", Some(json!("read")));
    }
    let (sub, email, username) = rng.axis(
        &[
            (Some(json!("alice")), None, None),
            (Some(json!("bob")), Some(json!("b@example.com")), None),
            (Some(json!(" bob ")), None, None),
            (None, Some(json!("ada@example.com")), None),
            (None, None, Some(json!("ada"))),
            (Some(json!("  ")), Some(json!("ada@example.com")), None),
        ],
        &[
            (None, None, None),
            (Some(json!(" ")), None, None),
            (Some(json!(5)), Some(json!("ada@example.com")), None),
        ],
    );
    set("sub", sub);
    set("email", email);
    set("preferred_username", username);
    let (azp, client_id) = rng.axis(
        &[
            (None, None),
            (Some(json!("client")), None),
            (Some(json!("")), Some(json!("c"))),
        ],
        &[
            (Some(json!(true)), None),
            (Some(json!(5)), None),
            (Some(json!("")), Some(json!(7))),
        ],
    );
    set("azp", azp);
    set("client_id", client_id);
    let jti = rng.axis(&[None, Some(json!("j-1"))], &[Some(json!(5))]);
    set("jti", jti);
    // Every JSON type in every registered and identity claim: one claim of the token, now and
    // then, takes a value of a type drawn from all of them.
    if rng.chance(20) {
        let name = rng.pick(&[
            "iss",
            "sub",
            "aud",
            "exp",
            "nbf",
            "iat",
            "jti",
            "email",
            "preferred_username",
            "azp",
            "client_id",
            "scope",
            "scp",
        ]);
        let value = rng.pick(&[
            Value::Null,
            json!(true),
            json!(false),
            json!(0),
            json!(now),
            json!(1.5),
            json!(now as f64 + 0.25),
            json!(""),
            json!("text"),
            json!([]),
            json!(["a"]),
            json!([1, "a"]),
            json!({}),
            json!({"a": "b"}),
        ]);
        set(name, Some(value));
    }
    for name in ["iss", "aud", "exp", "iat", "sub"] {
        token = token.without_claim(name);
    }
    for (name, value) in &claims {
        token = token.claim(name, value.clone());
    }
    let required = if rng.chance(50) { vec![] } else { vec!["read"] };
    let token = match signer {
        Signer::Hmac => token.sign_hmac(&OCT_SECRET),
        Signer::None => {
            let signed = token.sign();
            let payload = signed.split('.').nth(1).unwrap().to_owned();
            let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
            format!("{header}.{payload}.")
        }
        _ => token.sign(),
    };
    Case {
        token,
        required,
        signer,
        claims,
    }
}

/// The JWKS the provider serves: the test kit's four keys and an `oct` key.
fn jwks() -> Vec<u8> {
    let mut keys: Vec<Value> = [TestKey::Rsa1, TestKey::Rsa2, TestKey::Ec, TestKey::Ed]
        .iter()
        .map(|key| serde_json::to_value(key.jwk()).unwrap())
        .collect();
    keys.push(json!({
        "kty": "oct", "kid": "hmac", "use": "sig", "alg": "HS256",
        "k": URL_SAFE_NO_PAD.encode(OCT_SECRET),
    }));
    json!({ "keys": keys }).to_string().into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verified_path_agrees_with_the_reference() {
    let Some(python) = reference_python() else {
        let message = "differential_verified: no Python reference (scripts/reference-venv.sh)";
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("{message}: skipped");
        return;
    };
    let seed = reference::seed();
    let count = std::env::var("DIFFERENTIAL_VERIFIED_COUNT")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(480usize);
    eprintln!(
        "differential_verified: seed {seed}, {count} tokens (replay: DIFFERENTIAL_SEED={seed})"
    );
    let idp = TestIdp::start().await;
    idp.set_jwks_body(Some(jwks()));
    let mut rng = Rng(seed.max(1));
    let cases: Vec<Case> = (0..count).map(|_| draw(&mut rng, idp.issuer())).collect();

    // The reference, on every token.
    let spec = json!({
        "issuer": idp.issuer(),
        "jwks_uri": idp.jwks_url(),
        "audience": "api",
        "cases": cases.iter().map(|case| json!({"token": case.token, "required": case.required})).collect::<Vec<_>>(),
    });
    let answers = reference::run_reference(python, "differential_verified.py", spec).await;
    let answers = answers.as_array().unwrap();
    assert_eq!(answers.len(), cases.len());

    // The crate, configured as the reference is.
    let resolver = |required: &[&str]| {
        let mut verifier = idp.verifier().with_audience("api");
        for scope in required {
            verifier = verifier.with_required_scope(*scope);
        }
        let verifier = verifier.build().unwrap();
        Resolver::builder().with_verifier(verifier).build().unwrap()
    };
    let (plain, scoped) = (resolver(&[]), resolver(&["read"]));
    let (mut agreed, mut hardened, mut failures) = (0, Vec::new(), Vec::new());
    for (case, answer) in cases.iter().zip(answers) {
        let resolver = if case.required.is_empty() {
            &plain
        } else {
            &scoped
        };
        let mut headers = http::HeaderMap::new();
        let bearer = format!("Bearer {}", case.token);
        headers.insert("authorization", bearer.parse().unwrap());
        let ours: Result<Option<UserInfo>, ResolveError> = resolver.resolve_async(&headers).await;
        let theirs = answer["user_id"].as_str();
        match (&ours, theirs) {
            (Ok(Some(user)), Some(id)) if user.user_id().to_string() == id => agreed += 1,
            (Err(_), None) => agreed += 1,
            (Err(error), Some(_)) => match HARDENING.iter().find(|(_, rule)| rule(case)) {
                Some((name, _)) => hardened.push(*name),
                None => failures.push(format!(
                    "the crate refuses ({error}), the reference accepts: {:?} signed {:?} required {:?}",
                    case.claims, case.signer, case.required
                )),
            },
            _ => failures.push(format!(
                "the crate answers {ours:?}, the reference {answer}: {:?} signed {:?} required {:?}",
                case.claims, case.signer, case.required
            )),
        }
    }
    let named = reference::tally(&hardened);
    let accepted = answers.iter().filter(|a| a["outcome"] == "user").count();
    eprintln!(
        "differential_verified: {agreed} agree ({accepted} accepted by the reference), {} hardened {named:?}, {} failed",
        hardened.len(),
        failures.len()
    );
    assert!(
        accepted >= count / 10,
        "the generator draws valid tokens too: {accepted}"
    );
    assert!(failures.is_empty(), "seed {seed}:\n{}", failures.join("\n"));
}

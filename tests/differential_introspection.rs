//! The crate's introspection path against the reference's (nvidia-nat-core 1.9:
//! `BearerTokenValidator.verify` with authlib's RFC 7662 client), on introspection answers
//! generated from a seed and served by one loopback identity provider (the test kit's):
//! `active` of every shape, token types, issuers, audiences, time claims, scopes with and
//! without a requirement, subjects and usernames, client ids.
//!
//! Every difference must be one where the crate refuses and the reference accepts, recognised
//! by a named hardening rule on the answer ([`HARDENING`]); the crate accepting what the
//! reference refuses, or both accepting with a different subject, fails the test. The
//! reference is run twice per token: with a validator of its own, which the crate must match,
//! and with one validator shared by all tokens, whose cache is keyed by the token's first 10
//! characters: every token here shares its first 17 with the others, so the shared validator
//! answers for one token with another's answer (counted and printed as "the prefix cache").
//!
//! The reference's Python is `REFERENCE_PYTHON`, else `target/reference-venv/bin/python`
//! (`scripts/reference-venv.sh` makes it); without it the test passes with a note, except in
//! CI (`CI` set). The seed is printed; replay with `DIFFERENTIAL_SEED=…`; the number of
//! answers is `DIFFERENTIAL_INTROSPECTION_COUNT` (default 200).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "common/reference.rs"]
mod reference;

use axum_userinfo::error::IntrospectionError;
use axum_userinfo::test_util::TestIdp;
use axum_userinfo::{ResolveError, Resolver};
use reference::{Rng, now, reference_python};
use serde_json::{Map, Value, json};

impl Rng {
    /// One of `valid` most of the time, else one of `faults`.
    fn axis<T: Clone>(&mut self, valid: &[T], faults: &[T]) -> T {
        if faults.is_empty() || self.chance(90) {
            self.pick(valid)
        } else {
            self.pick(faults)
        }
    }
}

/// Where the crate deliberately refuses what the reference accepts: its name (README,
/// "Deliberate differences") and the rule that recognises an answer it explains.
type Hardening = (&'static str, fn(&Map<String, Value>) -> bool);

const HARDENING: &[Hardening] = &[
    (
        "active must be JSON true (the reference takes any truthy value, \"false\" included)",
        |answer| answer.get("active") != Some(&Value::Bool(true)),
    ),
    ("a refresh token is not an access token", |answer| {
        answer.get("token_type") == Some(&json!("refresh_token"))
    }),
    (
        "an answer that names no subject (sub, username, client_id) names no user",
        |answer| {
            let named = |member: &str| {
                answer
                    .get(member)
                    .and_then(Value::as_str)
                    .is_some_and(|text| !text.trim().is_empty())
            };
            !named("sub") && !named("username") && !named("client_id")
        },
    ),
    ("an aud list with a non-string item is refused", |answer| {
        answer
            .get("aud")
            .and_then(Value::as_array)
            .is_some_and(|items| items.iter().any(|item| !item.is_string()))
    }),
    (
        "a scope that is neither a string nor a list of strings is refused",
        |answer| {
            matches!(answer.get("scope"), Some(Value::Number(n)) if n.as_f64() != Some(0.0))
                || matches!(
                    answer.get("scope"),
                    Some(Value::Bool(true) | Value::Object(_))
                )
        },
    ),
    (
        "iat in the future (beyond the leeway) is refused",
        |answer| {
            answer
                .get("iat")
                .and_then(Value::as_f64)
                .is_some_and(|iat| iat > now() as f64 + 60.0)
        },
    ),
];

/// One introspection answer of `issuer`, drawn from `rng`; `None` leaves a member out.
fn draw(rng: &mut Rng, issuer: &str) -> Map<String, Value> {
    let now = now();
    let mut answer = Map::new();
    let mut set = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            answer.insert(name.to_owned(), value);
        }
    };
    let active = rng.axis(
        &[Some(json!(true))],
        &[
            Some(json!(false)),
            None,
            Some(json!("true")),
            Some(json!("false")),
            Some(json!(1)),
        ],
    );
    set("active", active);
    let token_type = rng.axis(
        &[None, Some(json!("Bearer")), Some(json!("access_token"))],
        &[
            Some(json!("refresh_token")),
            Some(Value::Null),
            Some(json!(5)),
        ],
    );
    set("token_type", token_type);
    let iss = rng.axis(
        &[Some(json!(issuer))],
        &[
            None,
            Some(json!("https://other.example")),
            Some(json!(5)),
            Some(json!(format!("{issuer}/"))),
        ],
    );
    set("iss", iss);
    let aud = rng.axis(
        &[Some(json!("api")), Some(json!(["x", "api"]))],
        &[
            None,
            Some(json!("wrong")),
            Some(json!(["api", 1])),
            Some(json!([])),
        ],
    );
    set("aud", aud);
    let exp = rng.axis(
        &[
            None,
            Some(json!(now + 3600)),
            Some(json!(now - 30)),
            Some(json!(now as f64 + 3600.0)),
        ],
        &[
            Some(json!(now - 3600)),
            Some(json!("2000000000")),
            Some(json!(true)),
            Some(json!(now as f64 + 3600.5)),
        ],
    );
    set("exp", exp);
    let nbf = rng.axis(
        &[None, None, Some(json!(now - 10)), Some(json!(now + 30))],
        &[Some(json!(now + 120)), Some(json!("x"))],
    );
    set("nbf", nbf);
    let iat = rng.axis(
        &[None, Some(json!(now))],
        &[Some(json!(now + 120)), Some(json!(now as f64 - 0.5))],
    );
    set("iat", iat);
    let scope = rng.axis(
        &[
            None,
            Some(json!("read write")),
            Some(json!(["read", "write"])),
            Some(json!("write")),
            Some(json!("")),
        ],
        &[Some(json!(5)), Some(json!(["read", 1])), Some(json!(0))],
    );
    set("scope", scope);
    if rng.chance(10) {
        set("scp", Some(json!("read")));
    }
    let (sub, username) = rng.axis(
        &[
            (Some(json!("alice")), None),
            (Some(json!(" bob ")), Some(json!("bob@example.com"))),
            (None, Some(json!("ada"))),
            (Some(json!("")), Some(json!("ada"))),
        ],
        &[
            (None, None),
            (Some(json!(5)), None),
            (Some(json!("carol")), Some(json!(5))),
            (Some(json!("  ")), None),
        ],
    );
    set("sub", sub);
    set("username", username);
    let client_id = rng.axis(&[None, Some(json!("client"))], &[Some(json!(5))]);
    set("client_id", client_id);
    let jti = rng.axis(&[None, Some(json!("j-1"))], &[Some(json!(5))]);
    set("jti", jti);
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_introspection_path_agrees_with_the_reference() {
    let Some(python) = reference_python() else {
        let message = "differential_introspection: no Python reference (scripts/reference-venv.sh)";
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("{message}: skipped");
        return;
    };
    let seed = reference::seed();
    let count = std::env::var("DIFFERENTIAL_INTROSPECTION_COUNT")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(200usize);
    eprintln!(
        "differential_introspection: seed {seed}, {count} answers (replay: DIFFERENTIAL_SEED={seed})"
    );
    let idp = TestIdp::start().await;
    let mut rng = Rng(seed.max(1));
    let cases: Vec<(String, Map<String, Value>, Vec<&str>)> = (0..count)
        .map(|_| {
            let answer = draw(&mut rng, idp.issuer());
            let token = idp.opaque_token().mint();
            idp.set_introspection_answer(&token, Value::Object(answer.clone()));
            let required = if rng.chance(50) { vec![] } else { vec!["read"] };
            (token, answer, required)
        })
        .collect();

    let spec = json!({
        "endpoint": idp.introspection_url(),
        "issuer": idp.issuer(),
        "audience": "api",
        "client_id": TestIdp::CLIENT_ID,
        "client_secret": TestIdp::CLIENT_SECRET,
        "cases": cases.iter().map(|(token, _, required)| json!({"token": token, "required": required})).collect::<Vec<_>>(),
    });
    let answers = reference::run_reference(python, "differential_introspection.py", spec).await;
    let answers = answers.as_array().unwrap();
    assert_eq!(answers.len(), cases.len());

    // The crate, configured as the reference is.
    let resolver = |required: &[&str]| {
        let mut client = idp.introspection_client().with_audience("api");
        for scope in required {
            client = client.with_required_scope(*scope);
        }
        Resolver::builder()
            .with_introspection(client.build().unwrap())
            .build()
            .unwrap()
    };
    let (plain, scoped) = (resolver(&[]), resolver(&["read"]));
    let (mut agreed, mut hardened, mut failures, mut prefix_cache) = (0, Vec::new(), Vec::new(), 0);
    for ((token, answer, required), theirs) in cases.iter().zip(answers) {
        let resolver = if required.is_empty() { &plain } else { &scoped };
        let mut headers = http::HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        let ours = resolver.resolve_async(&headers).await;
        let fresh = &theirs["fresh"];
        if theirs["shared"] != *fresh {
            prefix_cache += 1;
        }
        match (&ours, fresh["active"].as_bool().unwrap()) {
            (
                Err(ResolveError::Introspection(
                    IntrospectionError::Unavailable | IntrospectionError::Overloaded,
                )),
                _,
            ) => failures.push(format!("the crate could not ask: {ours:?} for {answer:?}")),
            (Ok(Some(user)), true) => {
                let claims = user.introspected().unwrap();
                let username = claims.claims().get("username").cloned().unwrap_or(Value::Null);
                if claims.subject().map(Value::from).unwrap_or(Value::Null) == fresh["subject"]
                    && username == fresh["username"]
                {
                    agreed += 1;
                } else {
                    failures.push(format!("subjects differ: {fresh} for {answer:?}"));
                }
            }
            (Err(_), false) => agreed += 1,
            (Err(error), true) => match HARDENING.iter().find(|(_, rule)| rule(answer)) {
                Some((name, _)) => hardened.push(*name),
                None => failures.push(format!(
                    "the crate refuses ({error}), the reference accepts: {answer:?} required {required:?}"
                )),
            },
            _ => failures.push(format!(
                "the crate answers {ours:?}, the reference {fresh}: {answer:?} required {required:?}"
            )),
        }
    }
    let named = reference::tally(&hardened);
    let accepted = answers
        .iter()
        .filter(|a| a["fresh"]["active"] == true)
        .count();
    eprintln!(
        "differential_introspection: {agreed} agree ({accepted} accepted by the reference), {} hardened {named:?}, {} failed; the reference's shared validator answered {prefix_cache} tokens otherwise than its own validator (the prefix cache: another token's answer)",
        hardened.len(),
        failures.len()
    );
    assert!(
        accepted >= count / 10,
        "the generator draws valid answers too: {accepted}"
    );
    assert!(failures.is_empty(), "seed {seed}:\n{}", failures.join("\n"));
}

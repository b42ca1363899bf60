//! API keys checked against a store: only known keys resolve, to the reference's ids, with
//! their entries' labels and scopes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use axum_userinfo::error::Challenge;
use axum_userinfo::forward_auth::ForwardAuthHeaders;
use axum_userinfo::websocket::HandledAuthMessage;
use axum_userinfo::{
    ConfigError, Guard, ResolveError, Resolver, Source, UserInfo, api_keys::ApiKeyDigest,
    api_keys::ApiKeyList,
};
use http::{HeaderMap, HeaderValue, StatusCode, header::AUTHORIZATION};

const LIST: &str = "\
# the CI robot, by its digest; ops by its key
sha256:a4f5fe6b7fc4a9f1df8d2e8cf5fba86b65f8ec1c7ae0a1d8a57f3b1f1de8b1a3 stale-entry
sk-ops-0001 ops admin:write
";

fn list() -> ApiKeyList {
    let robot = format!(
        "{} ci-robot orders:read orders:write\n",
        ApiKeyDigest::of("sk-ci-42")
    );
    ApiKeyList::parse(&format!("{LIST}{robot}")).unwrap()
}

fn x_api_key(key: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-api-key", HeaderValue::try_from(key).unwrap());
    headers
}

#[test]
fn only_known_keys_resolve_and_keep_the_reference_id() {
    let resolver = Resolver::builder().with_api_keys(list()).build().unwrap();
    let user = resolver.resolve(&x_api_key("sk-ci-42")).unwrap().unwrap();
    assert_eq!(user.source(), Source::API_KEY);
    assert_eq!(
        user,
        UserInfo::from_api_key("sk-ci-42").unwrap(),
        "the reference's id"
    );
    let entry = user.api_key_entry().unwrap();
    assert_eq!(entry.label(), "ci-robot");
    assert_eq!(entry.scopes(), ["orders:read", "orders:write"]);

    // A Bearer key goes through the same store.
    let mut bearer = HeaderMap::new();
    bearer.insert(
        AUTHORIZATION,
        HeaderValue::from_static("Bearer sk-ops-0001"),
    );
    let ops = resolver.resolve(&bearer).unwrap().unwrap();
    assert_eq!(ops.api_key_entry().unwrap().label(), "ops");

    let unknown = resolver.resolve(&x_api_key("sk-ci-43")).unwrap_err();
    assert_eq!(unknown, ResolveError::UnknownApiKey);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.challenge(), Challenge::InvalidToken);
    // Without a store, any key is a user, as in the reference; with no entry.
    let open = Resolver::new()
        .resolve(&x_api_key("sk-ci-43"))
        .unwrap()
        .unwrap();
    assert!(open.api_key_entry().is_none());
}

#[test]
fn auth_messages_use_the_store_too() {
    let resolver = Resolver::builder().with_api_keys(list()).build().unwrap();
    let frame = |key: &str| {
        format!(r#"{{"type":"auth_message","payload":{{"method":"api_key","token":"{key}"}}}}"#)
    };
    let Some(HandledAuthMessage::Resolved { user, .. }) =
        resolver.handle_auth_frame(&frame("sk-ci-42"))
    else {
        panic!("a known key resolves");
    };
    assert_eq!(user.api_key_entry().unwrap().label(), "ci-robot");
    let Some(HandledAuthMessage::Rejected { error, .. }) =
        resolver.handle_auth_frame(&frame("nope"))
    else {
        panic!("an unknown key is refused");
    };
    assert_eq!(error, ResolveError::UnknownApiKey);
}

#[test]
fn a_known_key_is_granted_its_scopes_and_shows_them_to_claim_headers() {
    let resolver = Resolver::builder().with_api_keys(list()).build().unwrap();
    let robot = resolver.resolve(&x_api_key("sk-ci-42")).unwrap().unwrap();
    let ops = resolver
        .resolve(&x_api_key("sk-ops-0001"))
        .unwrap()
        .unwrap();
    let guard = Guard::new("orders")
        .require_scopes(["orders:read"])
        .unwrap();
    assert!(guard.authorize(Some(&robot)).is_ok());
    assert!(guard.authorize(Some(&ops)).is_err());
    // An unchecked key is granted nothing.
    let unchecked = UserInfo::from_api_key("sk-ci-42").unwrap();
    assert!(guard.authorize(Some(&unchecked)).is_err());

    let headers = ForwardAuthHeaders::new()
        .with_claim("label", "x-key-label")
        .unwrap()
        .with_claim("scope", "x-key-scopes")
        .unwrap()
        .headers(&robot);
    assert_eq!(headers["x-key-label"], "ci-robot");
    assert_eq!(headers["x-key-scopes"], "orders:read orders:write");
}

#[test]
fn a_reload_replaces_the_keys_for_every_clone_and_a_bad_list_changes_nothing() {
    let keys = list();
    let resolver = Resolver::builder()
        .with_api_keys(keys.clone())
        .build()
        .unwrap();
    assert!(resolver.resolve(&x_api_key("sk-ci-42")).is_ok());
    keys.replace("sk-new-1 newcomer\n").unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(
        resolver.resolve(&x_api_key("sk-ci-42")),
        Err(ResolveError::UnknownApiKey)
    );
    assert!(resolver.resolve(&x_api_key("sk-new-1")).is_ok());
    let bad = keys.replace("sk-1 a\nsk-1 b\n");
    assert_eq!(
        bad,
        Err(ConfigError::InvalidApiKeyLine {
            line: 2,
            reason: "this key is listed twice"
        })
    );
    assert!(
        resolver.resolve(&x_api_key("sk-new-1")).is_ok(),
        "the old keys stay"
    );

    let path = std::env::temp_dir().join(format!("api-keys-{}.txt", std::process::id()));
    std::fs::write(&path, "sk-file-1 from-file\n").unwrap();
    keys.reload(&path).unwrap();
    assert!(resolver.resolve(&x_api_key("sk-file-1")).is_ok());
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(
        keys.reload(&path),
        Err(ConfigError::ApiKeyFile(_))
    ));
}

#[test]
fn malformed_lines_are_refused_without_quoting_them() {
    let cases = [
        ("sk-lonely-key", "expected a key or digest, then a label"),
        ("sha256:abc label", "a digest is sha256: and 64 hex digits"),
        (
            "sk-1 label bad\"scope",
            "a scope is not an RFC 6749 scope token",
        ),
    ];
    for (line, reason) in cases {
        let error = ApiKeyList::parse(&format!("\n{line}\n")).unwrap_err();
        assert_eq!(error, ConfigError::InvalidApiKeyLine { line: 2, reason });
        assert!(!error.to_string().contains("sk-"), "{error}");
    }
    let digest = ApiKeyDigest::of("sk-1");
    assert_eq!(digest.to_string().parse::<ApiKeyDigest>().unwrap(), digest);
    assert_ne!(ApiKeyDigest::of("sk-2"), digest);
    assert!(ApiKeyList::parse("# nothing\n\n").unwrap().is_empty());
}

//! Property tests: no input panics the resolver, and what it returns is consistent.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use axum_userinfo::websocket::{AuthMessage, HandledAuthMessage};
use axum_userinfo::{
    CredentialKind, RequestView, ResolveError, Resolver, identity::UserDetails,
    identity::user_id_of_key,
};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;
use secrecy::ExposeSecret;

/// Bytes a header value may hold: visible ASCII, space, tab and obs-text (0x80..=0xff).
fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => 0x20u8..0x7f,
        1 => Just(b'\t'),
        1 => 0x80u8..=0xff,
        2 => prop::sample::select(b" ;=\".\\:".to_vec()),
    ];
    prop::collection::vec(byte, 0..64)
}

/// A JWT-shaped token: three segments that are base64url of arbitrary (often JSON-ish) bytes.
fn jwt_like() -> impl Strategy<Value = Vec<u8>> {
    let json_ish = prop_oneof![
        Just(br#"{"sub":"x"}"#.to_vec()),
        Just(br#"{"alg":"none","kid":"k"}"#.to_vec()),
        "\\{\"(sub|email|aud|roles|exp|crit|b64|kid)\":(\"[ a-z]{0,4}\"|[0-9]{1,3}|true|null|\\[\\]|\\[1\\]|\\[\"b64\"\\]|false)\\}"
            .prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..24),
    ];
    (
        json_ish.clone(),
        json_ish,
        prop::collection::vec(any::<u8>(), 0..8),
    )
        .prop_map(|(header, payload, signature)| {
            format!(
                "{}.{}.{}",
                URL_SAFE_NO_PAD.encode(header),
                URL_SAFE_NO_PAD.encode(payload),
                URL_SAFE_NO_PAD.encode(signature)
            )
            .into_bytes()
        })
}

fn header_name() -> impl Strategy<Value = HeaderName> {
    prop::sample::select(vec![
        "cookie",
        "authorization",
        "x-api-key",
        "x-forwarded-user",
        "accept",
    ])
    .prop_map(HeaderName::from_static)
}

fn value_for(name: &HeaderName) -> BoxedStrategy<Vec<u8>> {
    match name.as_str() {
        "authorization" => prop_oneof![
            header_bytes(),
            (
                prop::sample::select(vec!["Bearer ", "bearer\t", "Basic ", "BASIC  "]),
                header_bytes()
            )
                .prop_map(|(scheme, rest)| [scheme.as_bytes(), &rest].concat()),
            jwt_like().prop_map(|token| [b"Bearer ".as_slice(), &token].concat()),
            prop::collection::vec(any::<u8>(), 0..24).prop_map(|raw| format!(
                "Basic {}",
                STANDARD.encode(raw)
            )
            .into_bytes()),
        ]
        .boxed(),
        "cookie" => prop_oneof![
            header_bytes(),
            header_bytes().prop_map(|v| [b"nat-session=".as_slice(), &v].concat()),
        ]
        .boxed(),
        _ => header_bytes().boxed(),
    }
}

fn headers() -> impl Strategy<Value = HeaderMap> {
    let pair = header_name().prop_flat_map(|name| (Just(name.clone()), value_for(&name)));
    prop::collection::vec(pair, 0..5).prop_map(|pairs| {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_bytes(&value) {
                map.append(name, value);
            }
        }
        map
    })
}

fn resolvers() -> Vec<Resolver> {
    vec![
        Resolver::new(),
        Resolver::builder()
            .with_accepted_kinds([CredentialKind::Jwt, CredentialKind::Basic])
            .build()
            .unwrap(),
        Resolver::builder()
            .with_identity_header("X-Forwarded-User")
            .build()
            .unwrap(),
    ]
}

/// The credentials a request carries, as text, to look for in error messages.
fn secrets(headers: &HeaderMap) -> Vec<String> {
    headers
        .iter()
        .filter(|(name, _)| name.as_str() != "accept" && name.as_str() != "x-forwarded-user")
        .filter_map(|(_, value)| {
            let text = String::from_utf8_lossy(value.as_bytes());
            let credential = text
                .rsplit([' ', '='])
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
            (credential.len() >= 6).then_some(credential)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn resolving_never_panics_and_is_consistent(headers in headers(), query in "[a-z=&;%0-9~.+-]{0,24}") {
        for resolver in resolvers() {
            let first = resolver.resolve(&headers);
            // Deterministic: the same request resolves the same way.
            prop_assert_eq!(&first, &resolver.resolve(&headers));
            let _ = resolver.resolve(RequestView::new(&headers).websocket(Some(&query)));
            match first {
                Ok(Some(user)) => {
                    let key = match user.details() {
                        UserDetails::ApiKey(key) | UserDetails::SessionCookie(key) => {
                            Some(key.expose_secret().to_owned())
                        }
                        UserDetails::Basic(basic) => Some(basic.credential().expose_secret().to_owned()),
                        _ => None,
                    };
                    if let Some(key) = key {
                        prop_assert_eq!(user.user_id(), user_id_of_key(&key));
                    }
                }
                Ok(None) => {}
                Err(error) => {
                    let message = error.to_string();
                    for secret in secrets(&headers) {
                        prop_assert!(!message.contains(&secret), "{message:?} leaks {secret:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn auth_frames_never_panic(frame in prop_oneof![
        ".{0,80}",
        "\\{\"type\":\"auth_message\",\"payload\":\\{\"method\":\"(jwt|api_key|basic|oauth_mode_preference|x)\"(,\"(token|username|password|mode|extra)\":(\"[a-z.]{0,12}\"|1|null|\\[\\]))*\\}(,\"timestamp\":(\"t\"|1))?\\}",
    ]) {
        for resolver in resolvers() {
            match resolver.handle_auth_frame(&frame) {
                None => prop_assert!(AuthMessage::parse(&frame).is_none()),
                Some(HandledAuthMessage::Resolved { user, response }) => {
                    prop_assert_eq!(response.user_id(), Some(user.user_id()));
                }
                Some(HandledAuthMessage::Rejected { error, response }) => {
                    prop_assert!(response.user_id().is_none());
                    let json = response.to_json();
                    prop_assert!(json.contains(&serde_json::to_string(&error.to_string()).unwrap()));
                }
                Some(_) => {}
            }
        }
    }

    #[test]
    fn session_ids_are_url_safe_or_refused(id in ".{0,16}") {
        let query = form_urlencoded::Serializer::new(String::new()).append_pair("session", &id).finish();
        match Resolver::new().resolve(RequestView::new(&HeaderMap::new()).websocket(Some(&query))) {
            Ok(Some(user)) => {
                prop_assert!(id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b)));
                prop_assert_eq!(user.user_id(), user_id_of_key(&id));
            }
            Ok(None) => prop_assert!(id.is_empty()),
            Err(error) => prop_assert_eq!(error, ResolveError::InvalidSessionId),
        }
    }
}

/// Valid credentials of every kind, as (header, value).
fn valid_credentials() -> Vec<(&'static str, String)> {
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ3cy11c2VyIiwiZW1haWwiOiJ3c0BleGFtcGxlLmNvbSJ9.F_davh-r9umUl9viiduYW3fWcuYQN_4WG9aBvuplMkI";
    vec![
        ("authorization", format!("Bearer {jwt}")),
        ("authorization", "Bearer sk-service-abc123".to_owned()),
        ("authorization", "Basic YWxpY2U6czNjcmV0".to_owned()),
        ("x-api-key", "sk-header-key-1".to_owned()),
        ("cookie", "nat-session=2b6c7a3e-0c1f-4a8e".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// A credential with one byte changed resolves to another id or is refused; when it keeps
    /// its id (a JWT's signature is not verified) it keeps its source too.
    #[test]
    fn a_mutated_credential_is_another_user_or_none(
        which in 0..5usize,
        position in any::<prop::sample::Index>(),
        byte in prop_oneof![0x20u8..0x7f, 0x80u8..=0xff, Just(b'\t')],
    ) {
        let resolver = Resolver::new();
        let (name, value) = &valid_credentials()[which];
        let header = |value: &[u8]| {
            let mut headers = HeaderMap::new();
            headers.insert(HeaderName::from_static(name), HeaderValue::from_bytes(value).unwrap());
            headers
        };
        let original = resolver.resolve(&header(value.as_bytes())).unwrap().unwrap();
        // Mutate the credential, not the scheme or cookie name before it.
        let start = value.find([' ', '=']).map_or(0, |i| i + 1);
        let mut mutated = value.clone().into_bytes();
        let at = start + position.index(mutated.len() - start);
        prop_assume!(mutated[at] != byte);
        mutated[at] = byte;
        match resolver.resolve(&header(&mutated)) {
            Ok(Some(user)) if user.user_id() == original.user_id() => {
                prop_assert_eq!(user.source(), original.source());
                prop_assert_eq!(original.source().as_str(), "jwt", "only a JWT's unverified parts may change");
            }
            _ => {}
        }
    }
}

proptest! {
    /// No MCP routing headers or body panic the header parsing, the body check or a policy:
    /// each answers, and a body the check accepts names the operation its headers do.
    #[test]
    fn mcp_headers_and_bodies_never_panic(
        method in header_bytes(),
        name in prop_oneof![
            header_bytes(),
            "[A-Za-z0-9+/=]{0,16}".prop_map(|b| format!("=?base64?{b}?=").into_bytes()),
        ],
        version in prop_oneof![Just(b"2026-07-28".to_vec()), Just(b"2025-11-25".to_vec()), header_bytes()],
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            "\\{\"(id|method|params)\":(\"tools/call\"|\\{\"name\":\"[a-z_]{0,6}\"\\}|\\[\\]|1|null)\\}"
                .prop_map(String::into_bytes),
        ],
    ) {
        use axum_userinfo::mcp::{McpOperation, McpPolicy, check_body};
        let mut headers = HeaderMap::new();
        for (header, value) in [("mcp-method", &method), ("mcp-name", &name), ("mcp-protocol-version", &version)] {
            if let Ok(value) = HeaderValue::from_bytes(value) {
                headers.insert(HeaderName::from_static(header), value);
            }
        }
        let from_headers = McpOperation::from_headers(&headers);
        let policy = McpPolicy::new().with_scopes("tools/call", Some("a*"), ["a"]).unwrap();
        let _ = policy.authorize_headers(&headers, None);
        if let Ok(checked) = check_body(&headers, &body) {
            if let (Ok(Some(header_op)), Some(body_op)) = (from_headers, checked.operation) {
                prop_assert_eq!(header_op.method(), body_op.method());
            }
        }
    }
}

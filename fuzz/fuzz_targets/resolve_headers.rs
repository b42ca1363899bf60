//! The resolver over arbitrary header maps: each input line is `name: value` (the name one of
//! the credential headers or another, the value raw bytes); the first byte picks the
//! configuration.
#![no_main]

use axum_userinfo::{CredentialKind, RequestView, Resolver};
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&config, data)) = data.split_first() else {
        return;
    };
    let resolver = match config % 4 {
        0 => Resolver::new(),
        1 => Resolver::builder()
            .with_accepted_kinds([CredentialKind::Jwt])
            .build()
            .unwrap(),
        2 => Resolver::builder()
            .with_identity_header("x-forwarded-user")
            .build()
            .unwrap(),
        _ => Resolver::builder()
            .with_allowed_origins(["https://a.example"])
            .with_max_credential_len(256)
            .build()
            .unwrap(),
    };
    let mut headers = HeaderMap::new();
    let mut query = None;
    for line in data.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let value = value.strip_prefix(b" ").unwrap_or(value);
        if name == b"?" {
            query = Some(String::from_utf8_lossy(value).into_owned());
            continue;
        }
        let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        else {
            continue;
        };
        headers.append(name, value);
    }
    let first = resolver.resolve(&headers);
    assert_eq!(
        first,
        resolver.resolve(&headers),
        "resolution is deterministic"
    );
    if let Ok(Some(user)) = &first {
        // Reading every field of a JWT user builds them from the kept payload: it must not fail.
        if let Some(jwt) = user.jwt() {
            let _ = (
                jwt.claims().len(),
                jwt.roles(),
                jwt.audience(),
                jwt.identity_claim(),
            );
        }
    }
    let _ = resolver.resolve(RequestView::new(&headers).websocket(query.as_deref()));
});

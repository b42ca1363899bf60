//! The JWT decoder, through `Authorization: Bearer`. The first byte picks the mode: the input
//! as the token, or the input cut in three at two points and each part base64url-encoded, so
//! that mutations reach the JSON of the header and payload.
#![no_main]

use axum_userinfo::{Resolver, Source};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, data)) = data.split_first() else {
        return;
    };
    let token = if mode % 2 == 0 {
        data.to_vec()
    } else {
        let Some((&cut, data)) = data.split_first() else {
            return;
        };
        let first = usize::from(cut) % (data.len() + 1);
        let (header, rest) = data.split_at(first);
        let second = rest.iter().position(|&b| b == 0xff).unwrap_or(rest.len());
        let (payload, signature) = rest.split_at(second);
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(signature)
        )
        .into_bytes()
    };
    let Ok(value) = HeaderValue::from_bytes(&[b"Bearer ".as_slice(), &token].concat()) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, value);
    if let Ok(Some(user)) = Resolver::new().resolve(&headers) {
        if user.source() == Source::JWT {
            let jwt = user.jwt().unwrap();
            // The lazily built fields agree with the id resolved in one pass.
            let identity = jwt
                .identity_claim()
                .expect("a resolved JWT has an identity");
            assert_eq!(
                user.user_id(),
                axum_userinfo::identity::user_id_of_key(identity)
            );
        }
    }
});

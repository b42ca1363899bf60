//! The Basic decoder, through `Authorization: Basic`: the input as the credential, or
//! base64-encoded (first byte picks), so that mutations reach the UTF-8 and colon checks.
#![no_main]

use axum_userinfo::{Resolver, UserInfo, identity::BasicUserInfo};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
use libfuzzer_sys::fuzz_target;
use secrecy_free::expose;

mod secrecy_free {
    /// The password, for comparing ids.
    pub fn expose(basic: &axum_userinfo::identity::BasicUserInfo) -> String {
        use secrecy::ExposeSecret;
        basic.password().expose_secret().to_owned()
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, data)) = data.split_first() else {
        return;
    };
    let credential = if mode % 2 == 0 {
        data.to_vec()
    } else {
        STANDARD.encode(data).into_bytes()
    };
    let Ok(value) = HeaderValue::from_bytes(&[b"Basic ".as_slice(), &credential].concat()) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, value);
    if let Ok(Some(user)) = Resolver::new().resolve(&headers) {
        let basic = user
            .basic()
            .expect("a Basic credential resolves to a Basic user");
        // The id from the credential as sent equals the id derived from its parts.
        let again =
            UserInfo::from_basic(BasicUserInfo::new(basic.username(), expose(basic)).unwrap());
        assert_eq!(user.user_id(), again.user_id());
    }
});

//! WebSocket auth message frames, under every kind of resolver.
#![no_main]

use axum_userinfo::Resolver;
use axum_userinfo::websocket::HandledAuthMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(frame) = std::str::from_utf8(data) else {
        return;
    };
    for resolver in [
        Resolver::new(),
        Resolver::builder()
            .with_identity_header("x-user")
            .build()
            .unwrap(),
        Resolver::builder()
            .with_max_auth_frame_len(64)
            .build()
            .unwrap(),
    ] {
        match resolver.handle_auth_frame(frame) {
            Some(HandledAuthMessage::Resolved { user, response }) => {
                assert_eq!(response.user_id(), Some(user.user_id()));
            }
            Some(HandledAuthMessage::Rejected { response, .. }) => {
                assert!(response.user_id().is_none())
            }
            _ => {}
        }
    }
});

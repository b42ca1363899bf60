//! No secret reaches the logs, at any level. A test binary of its own: `tracing` caches which
//! callsites are enabled, and tests on other threads touching the same callsites without a
//! subscriber would race with the one installed here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use axum_userinfo::{Resolver, UserInfoLayer};
use common::{call, routes};

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_reaches_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = routes().layer(UserInfoLayer::new(Resolver::new()));
    let requests: &[(&str, &str)] = &[
        ("x-api-key", "sk-secret-key-1"),
        ("authorization", "Bearer sk-secret-key-2"),
        ("authorization", "Basic c2VjcmV0LXVzZXI6c2VjcmV0LXB3"), // secret-user:secret-pw
        ("authorization", "Basic c2VjcmV0LXB3LW5vLWNvbG9u"),     // secret-pw-no-colon
        (
            "authorization",
            "Bearer eyJzZWNyZXQiOjF9.e30.c2VjcmV0LXNpZw",
        ),
        ("cookie", "nat-session=secret-cookie"),
    ];
    for header in requests {
        call(&app, "/optional", &[*header]).await;
        call(
            &app,
            "/optional?session=secret-session;",
            &[("upgrade", "websocket"), *header],
        )
        .await;
    }
    let frame = r#"{"type":"auth_message","payload":{"method":"basic","username":"u","password":"secret-pw"}}"#;
    let _ = Resolver::new().handle_auth_frame(frame);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("user resolved") && logs.contains("request refused"),
        "{logs}"
    );
    for secret in ["secret", "c2VjcmV0"] {
        assert!(!logs.contains(secret), "the logs hold {secret:?}:\n{logs}");
    }
}

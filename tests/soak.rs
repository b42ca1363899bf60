//! Soak: the demo server on 127.0.0.1 under a mix of valid, invalid, oversized and garbage
//! requests and WebSocket sessions. Bounded in time and count; asserts no 5xx, no failed
//! connection (a panicking handler would drop its connection) and memory that stays flat.
//!
//! CI runs it for a few seconds. Run it longer with
//! `SOAK_SECS=600 cargo test --release --test soak -- --nocapture`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../examples/server/app.rs"]
#[allow(dead_code, unreachable_pub)]
mod app;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

const JWT: &str = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.X08jIeU5P5VPI8jihJwg08B-5dOZk9z6b6japrnNSzs";

/// Resident memory of this process, in KiB (Linux).
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4
}

/// The i-th request of the mix: a header set, some of it hostile.
fn headers(i: u64) -> Vec<(String, String)> {
    let pick = |items: &[&str]| items[(i as usize / 11) % items.len()].to_owned();
    match i % 11 {
        0 => vec![],
        1 => vec![("x-api-key".into(), format!("sk-{i}"))],
        2 => vec![("authorization".into(), JWT.into())],
        3 => vec![("authorization".into(), "Basic YWxpY2U6czNjcmV0".into())],
        4 => vec![("cookie".into(), format!("a=1; nat-session=s{i}"))],
        5 => vec![(
            "authorization".into(),
            pick(&[
                "Bearer a.b.c",
                "Basic !!",
                "Basic OnB3",
                "Bearer ..",
                "Basic Zm9v",
            ]),
        )],
        6 => vec![(
            "authorization".into(),
            format!("Bearer {}", "k".repeat(40 * 1024)),
        )],
        7 => vec![(
            "cookie".into(),
            format!("nat-session={}", "c".repeat(40 * 1024)),
        )],
        8 => vec![(
            "authorization".into(),
            format!("Bearer {}.{}.x", "e".repeat(300), "[".repeat(200)),
        )],
        9 => vec![(
            "cookie".into(),
            pick(&["nat-session=\"\\\\\\\"", ";;;=;", "nat-session=\"", "=\"\""]),
        )],
        _ => vec![(
            "authorization".into(),
            pick(&["Bearer", "Basic", "Digest x", "   ", "bearer \t x"]),
        )],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak() {
    let seconds: u64 = std::env::var("SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let app = app::app(&app::Options::default()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let max_requests = 2_000_000;
    let sent = Arc::new(AtomicU64::new(0));
    let mut memory = Vec::new();

    let mut workers = Vec::new();
    for worker in 0..4u64 {
        let sent = Arc::clone(&sent);
        workers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut statuses = std::collections::BTreeMap::<u16, u64>::new();
            let mut i = worker;
            while Instant::now() < deadline && sent.fetch_add(1, Ordering::Relaxed) < max_requests {
                let mut request = http.get(format!("http://{addr}/whoami"));
                for (name, value) in headers(i) {
                    request = request.header(name, value);
                }
                let status = request
                    .send()
                    .await
                    .expect("the server answers every request")
                    .status();
                *statuses.entry(status.as_u16()).or_default() += 1;
                i += 4;
            }
            statuses
        }));
    }
    // WebSocket sessions alongside: auth messages, garbage, and hangups.
    let sockets = tokio::spawn(async move {
        let mut sessions = 0u64;
        while Instant::now() < deadline {
            let (mut socket, _) = tokio_tungstenite::connect_async(format!(
                "ws://{addr}/websocket?session=s{sessions}"
            ))
            .await
            .expect("the upgrade succeeds");
            for frame in [
                r#"{"type":"auth_message","payload":{"method":"api_key","token":"k"}}"#,
                r#"{"type":"auth_message","payload":{"method":"jwt","token":"a.b.c"}}"#,
                r#"{"type":"auth_message","payload":[]}"#,
                "not json at all",
            ] {
                socket.send(Message::Text(frame.into())).await.unwrap();
                assert!(matches!(socket.next().await, Some(Ok(Message::Text(_)))));
            }
            sessions += 1;
        }
        sessions
    });

    let start = Instant::now();
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        memory.push(rss_kib());
    }
    let mut statuses = std::collections::BTreeMap::<u16, u64>::new();
    for worker in workers {
        for (status, count) in worker.await.unwrap() {
            *statuses.entry(status).or_default() += count;
        }
    }
    let sessions = sockets.await.unwrap();
    let total: u64 = statuses.values().sum();
    println!(
        "soak: {total} requests and {sessions} WebSocket sessions in {:?}; statuses {statuses:?}; RSS KiB {memory:?}",
        start.elapsed()
    );

    assert!(total > 0 && sessions > 0);
    for status in statuses.keys() {
        assert!(
            [200, 401, 431].contains(status),
            "unexpected status {status}"
        );
    }
    // Flat memory: after the first second's warm-up, RSS grows by less than 16 MiB.
    let warm = memory.get(4).or(memory.last()).copied().unwrap_or(0);
    let last = memory.last().copied().unwrap_or(0);
    assert!(
        last < warm + 16 * 1024,
        "RSS grew from {warm} KiB to {last} KiB"
    );
}

//! The command lines of the demo server and of `resolve`, run as the built example binaries:
//! `--help`, environment fallbacks (`USERINFO_…`), and exit code 2 for malformed flags.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// An example binary `cargo test` built beside this test (`target/<profile>/examples/`): the
/// whole `cargo test` builds the examples; `cargo test --test cli` alone does not (build them
/// first with `cargo build --examples --all-features`).
fn example(name: &str) -> Command {
    let exe = std::env::current_exe().unwrap(); // target/<profile>/deps/cli-…
    let dir: PathBuf = exe.parent().and_then(|deps| deps.parent()).unwrap().into();
    let path = dir.join("examples").join(name);
    assert!(path.exists(), "{} is built by `cargo test`", path.display());
    let mut command = Command::new(path);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("USERINFO_") {
            command.env_remove(key); // only the fallbacks a test sets
        }
    }
    command
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_server_has_help_env_fallbacks_and_exit_code_2() {
    let help = example("server").arg("--help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--claim-header <CLAIM=HEADER>",
        "--introspection-issuer <ISSUER>",
        "--api-keys <PATH>",
        "--oidc",
        "[env: USERINFO_ADDR=]",
        // Every setting the library has that an operator needs.
        "--dpop-nonce-secret-file <PATH>",
        "--dpop-nonce-lifetime <SECS>",
        "--introspection-cache-ttl <SECS>",
        "--introspection-inactive-ttl <SECS>",
        "--introspection-client-auth <METHOD>",
        "--leeway <SECS>",
        "--token-type <TYP>",
    ] {
        assert!(text.contains(flag), "--help shows {flag}:\n{text}");
    }
    // Every credential kind is named where --accept is explained.
    let accept = text.split("--accept").nth(1).unwrap_or_default();
    let accept = accept.split("\n      --").next().unwrap_or_default();
    for kind in ["session_cookie", "jwt", "opaque_token", "api_key", "basic"] {
        assert!(
            accept.contains(kind),
            "--accept's help names {kind}:\n{accept}"
        );
    }
    let unknown_kind = example("server")
        .args(["--accept", "jwt,nope"])
        .output()
        .unwrap();
    assert_eq!(unknown_kind.status.code(), Some(2));
    assert!(
        stderr(&unknown_kind).contains("opaque_token"),
        "the refusal lists the kinds: {}",
        stderr(&unknown_kind)
    );
    let no_secret = example("server")
        .args([
            "--dpop",
            "--public-url",
            "https://a.example",
            "--dpop-nonces",
        ])
        .output()
        .unwrap();
    assert_eq!(no_secret.status.code(), Some(2));
    assert!(
        stderr(&no_secret).contains("USERINFO_DPOP_NONCE_SECRET"),
        "{}",
        stderr(&no_secret)
    );

    let bad_flag = example("server").args(["--addr", "nope"]).output().unwrap();
    assert_eq!(bad_flag.status.code(), Some(2));
    assert!(
        stderr(&bad_flag).contains("--addr"),
        "{}",
        stderr(&bad_flag)
    );

    let bad_env = example("server")
        .env("USERINFO_ACCEPT", "bogus")
        .output()
        .unwrap();
    assert_eq!(
        bad_env.status.code(),
        Some(2),
        "the fallback is parsed as the flag is"
    );
    assert!(stderr(&bad_env).contains("unknown credential kind"));

    let bad_pair = example("server")
        .env("USERINFO_CLAIM_HEADER", "email")
        .output()
        .unwrap();
    assert_eq!(bad_pair.status.code(), Some(2));
    let bad_header = (example("server").args(["--claim-header", "email=X User"]))
        .output()
        .unwrap();
    assert_eq!(bad_header.status.code(), Some(2), "{}", stderr(&bad_header));
    assert!(stderr(&bad_header).contains("invalid configuration"));

    let unknown = example("server").arg("--frobnicate").output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn resolve_reads_flags_and_fallbacks() {
    let user = example("resolve")
        .args(["-H", "X-API-Key: sk-service-abc123"])
        .output()
        .unwrap();
    assert!(user.status.success());
    let outcome: serde_json::Value = serde_json::from_slice(&user.stdout).unwrap();
    assert_eq!(outcome["user_id"], "06d2b7c6-c9cf-58f3-a90b-ed272501211d");

    // USERINFO_ACCEPT=jwt refuses the API key: outcome error, exit 1.
    let refused = example("resolve")
        .args(["-H", "X-API-Key: sk-service-abc123"])
        .env("USERINFO_ACCEPT", "jwt")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let outcome: serde_json::Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(outcome["outcome"], "error");

    let from_env = example("resolve")
        .env(
            "USERINFO_HEADER",
            "Cookie: theme=dark; nat-session=s1\nX-API-Key: sk-2",
        )
        .output()
        .unwrap();
    assert!(from_env.status.success(), "{}", stderr(&from_env));
    let outcome: serde_json::Value = serde_json::from_slice(&from_env.stdout).unwrap();
    assert_eq!(
        outcome["source"], "session_cookie",
        "two headers, one a line"
    );

    let malformed = example("resolve")
        .args(["-H", "no colon"])
        .output()
        .unwrap();
    assert_eq!(malformed.status.code(), Some(2));
}

/// `resolve --api-key-line`: the key from standard input, its digest line on standard output.
#[test]
fn resolve_prints_an_api_key_line_from_stdin() {
    use std::io::Write as _;
    let mut child = example("resolve")
        .args(["--api-key-line", "ci-robot", "--scope", "orders:read"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"sk-ci-42\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let line = String::from_utf8(output.stdout).unwrap();
    let digest = axum_userinfo::api_keys::ApiKeyDigest::of("sk-ci-42");
    assert_eq!(line, format!("{digest} ci-robot orders:read\n"));
    assert!(!line.contains("sk-ci-42"));
    let list = axum_userinfo::api_keys::ApiKeyList::parse(&line).unwrap();
    use axum_userinfo::api_keys::ApiKeyStore as _;
    assert_eq!(list.find(&digest).unwrap().label(), "ci-robot");
}

/// `GET /whoami` with an `X-API-Key`, over a plain TCP connection: the status.
fn whoami_status(port: u16, key: &str) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let request =
        format!("GET /whoami HTTP/1.1\r\nHost: x\r\nX-API-Key: {key}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// The demo reloads `--api-keys` on SIGHUP (it used to die of it); a bad file keeps the keys
/// loaded before.
#[cfg(unix)]
#[test]
fn the_server_reloads_its_api_keys_on_sighup() {
    let dir = std::env::temp_dir().join(format!("cli-sighup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let keys = dir.join("keys.txt");
    std::fs::write(&keys, "sk-first robot\n").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = example("server")
        .args(["--require", "--addr", &format!("127.0.0.1:{port}")])
        .arg("--api-keys")
        .arg(&keys)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "the server starts");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let hangup = |child: &std::process::Child| {
        let status = Command::new("kill")
            .args(["-HUP", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    assert_eq!(whoami_status(port, "sk-first"), 200);
    assert_eq!(whoami_status(port, "sk-second"), 401);
    std::fs::write(&keys, "sk-second robot\n").unwrap();
    hangup(&child);
    assert_eq!(whoami_status(port, "sk-second"), 200, "reloaded");
    assert_eq!(whoami_status(port, "sk-first"), 401);
    std::fs::write(&keys, "sha256:not-hex robot\n").unwrap();
    hangup(&child);
    assert!(child.try_wait().unwrap().is_none(), "still running");
    assert_eq!(
        whoami_status(port, "sk-second"),
        200,
        "a bad file keeps the old keys"
    );
    child.kill().unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

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
    let digest = axum_userinfo::ApiKeyDigest::of("sk-ci-42");
    assert_eq!(line, format!("{digest} ci-robot orders:read\n"));
    assert!(!line.contains("sk-ci-42"));
    let list = axum_userinfo::ApiKeyList::parse(&line).unwrap();
    use axum_userinfo::ApiKeyStore as _;
    assert_eq!(list.find(&digest).unwrap().label(), "ci-robot");
}

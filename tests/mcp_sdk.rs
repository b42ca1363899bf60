//! The official MCP SDK clients against the example server (`examples/mcp_server.rs`) and the
//! test kit's identity provider, on 127.0.0.1: the TypeScript SDK (npm
//! `@modelcontextprotocol/sdk`, revision 2025-11-25, no routing headers) and the Python SDK
//! (PyPI `mcp`, revision 2026-07-28, with them). Each follows the 401 to the RFC 9728 metadata
//! and the authorization server, gets a token by client credentials (for the resource, RFC
//! 8707), lists the tools, calls the allowed one, is refused the other with 403
//! `insufficient_scope` naming its scopes, steps up, and succeeds; both name one user.
//!
//! The test installs the pinned SDKs itself (`target/mcp-sdk-node`, `target/mcp-sdk-venv`).
//! The example binary is built by `cargo test` (alone: `cargo build --examples --all-features`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use axum_userinfo::test_util::TestIdp;
use serde_json::Value;

/// The pinned SDK versions.
const TYPESCRIPT_SDK: &str = "@modelcontextprotocol/sdk@1.32.2";
const PYTHON_SDK: &str = "mcp==2.3.0";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The TypeScript SDK, with the test's client script beside it (Node resolves the SDK from
/// the script's folder).
fn typescript_client() -> PathBuf {
    let dir = root().join("target/mcp-sdk-node");
    let marker = dir.join("node_modules/@modelcontextprotocol/sdk/package.json");
    let installed = std::fs::read_to_string(&marker)
        .is_ok_and(|package| package.contains("\"version\": \"1.32.2\""));
    if !installed {
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(TYPESCRIPT_SDK)
            .status()
            .expect("npm runs");
        assert!(status.success(), "npm install {TYPESCRIPT_SDK} failed");
    }
    let script = dir.join("ts_client.mjs");
    std::fs::copy(root().join("tests/mcp_clients/ts_client.mjs"), &script).unwrap();
    script
}

/// The Python SDK's interpreter, in a venv of its own.
fn python_client() -> PathBuf {
    let venv = root().join("target/mcp-sdk-venv");
    let python = venv.join("bin/python");
    let installed = Command::new(&python)
        .args([
            "-c",
            "import importlib.metadata as m; assert m.version('mcp') == '2.3.0'",
        ])
        .status()
        .is_ok_and(|status| status.success());
    if !installed {
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap();
        assert!(status.success(), "python3 -m venv failed");
        let status = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                PYTHON_SDK,
            ])
            .status()
            .unwrap();
        assert!(status.success(), "pip install {PYTHON_SDK} failed");
    }
    python
}

/// The example server, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `examples/mcp_server` for `issuer`: `tools/call` needs `tools`, `deploy_*` also
/// `deploy`; `tools` is the scope clients ask for first.
fn start_server(issuer: &str) -> Server {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let binary = dir.join("examples/mcp_server");
    assert!(
        binary.exists(),
        "{} is built by `cargo test`",
        binary.display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/mcp");
    let mut child = Command::new(binary)
        .args(["--addr", &format!("127.0.0.1:{port}"), "--oidc", issuer])
        .args([
            "--allow-http-loopback",
            "--resource",
            &url,
            "--scopes-supported",
            "tools",
        ])
        .args([
            "--mcp-scope",
            "tools/call=tools",
            "--mcp-scope",
            "tools/call:deploy_*=deploy",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening on"), "{line}");
    Server { child, url }
}

/// Runs a client to completion: its JSON lines.
fn run(command: &mut Command) -> Vec<Value> {
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The flow every client must have gone through; the user id its tools ran for.
fn check_flow(name: &str, steps: &[Value], metadata: &str) -> String {
    let of =
        |wanted: &str| -> Vec<&Value> { steps.iter().filter(|s| s["step"] == wanted).collect() };
    let challenged = of("challenged");
    // The first answer: 401, pointing to the metadata.
    assert_eq!(challenged[0]["status"], 401, "{name}: {steps:?}");
    let first = challenged[0]["challenge"].as_str().unwrap();
    assert!(
        first.contains(&format!("resource_metadata=\"{metadata}\"")),
        "{name}: {first}"
    );
    assert_eq!(of("token")[0]["scope"], "tools", "{name}");
    assert_eq!(
        of("listed")[0]["tools"],
        serde_json::json!(["deploy_prod", "read_file"])
    );
    let called = of("called");
    assert_eq!(
        (&called[0]["tool"], &called[0]["error"]),
        (&"read_file".into(), &false.into()),
        "{name}"
    );
    // The other tool: 403 insufficient_scope naming every scope of the operation …
    let refused = challenged
        .iter()
        .find(|c| c["status"] == 403)
        .expect("a 403");
    let refused = refused["challenge"].as_str().unwrap();
    assert!(
        refused.contains("insufficient_scope") && refused.contains(r#"scope="tools deploy""#),
        "{name}: {refused}"
    );
    // … then, stepped up, it runs.
    assert_eq!(
        (&called[1]["tool"], &called[1]["error"]),
        (&"deploy_prod".into(), &false.into()),
        "{name}"
    );
    assert_eq!(called[1]["scope"], "tools deploy", "{name}");
    // The client found the authorization server through the metadata and its RFC 8414 document.
    let urls = of("requests")[0]["urls"].to_string();
    assert!(
        urls.contains("/.well-known/oauth-protected-resource/mcp") && urls.contains("/token"),
        "{name}: {urls}"
    );
    let text = called[0]["text"].as_str().unwrap();
    text.rsplit(' ').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_official_sdk_clients_complete_the_flow() {
    let idp = TestIdp::start().await;
    let server = start_server(idp.issuer());
    let metadata = server
        .url
        .replace("/mcp", "/.well-known/oauth-protected-resource/mcp");
    let credentials = [idp.issuer(), TestIdp::CLIENT_ID, TestIdp::CLIENT_SECRET];

    let script = typescript_client();
    let (url, ts_script) = (server.url.clone(), script.clone());
    let args: Vec<String> = credentials.iter().map(|s| (*s).to_owned()).collect();
    let ts = tokio::task::spawn_blocking(move || {
        run(Command::new("node").arg(ts_script).arg(url).args(args))
    })
    .await
    .unwrap();
    let ts_user = check_flow("typescript", &ts, &metadata);

    let python = python_client();
    let (url, args) = (server.url.clone(), credentials.map(str::to_owned));
    let client = root().join("tests/mcp_clients/python_client.py");
    let py = tokio::task::spawn_blocking(move || {
        run(Command::new(python).arg(client).arg(url).args(args))
    })
    .await
    .unwrap();
    let py_user = check_flow("python", &py, &metadata);

    // One client, one user, whichever SDK and revision it speaks.
    assert_eq!(ts_user, py_user);
    assert!(
        idp.token_requests() >= 4,
        "each client got a token and stepped up"
    );
}

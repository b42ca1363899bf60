//! A real nginx with `auth_request` on 127.0.0.1 in front of an echo upstream, the demo server
//! as its auth endpoint: what the upstream receives. nginx is installed with apt when the
//! machine lacks it (as CI does).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "common/debian.rs"]
mod debian;

#[path = "../examples/server/app.rs"]
#[allow(dead_code, unreachable_pub)]
mod app;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::any;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// nginx's binary, installed with apt when it is missing.
fn nginx_binary() -> PathBuf {
    debian::binary(
        "nginx",
        &["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"],
    )
}

/// An nginx process, stopped when dropped.
struct Nginx {
    child: Child,
    addr: SocketAddr,
    _dir: TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// nginx on 127.0.0.1: every request is first sent to `auth`'s `/whoami`; on 2xx it goes on
/// to `upstream` with the identity headers the auth answer set, replacing the client's own.
async fn start_nginx(auth: SocketAddr, upstream: SocketAddr) -> Nginx {
    start_nginx_with(NGINX_CONF, auth, upstream).await
}

/// nginx on 127.0.0.1 with the server block `conf` (`{auth}`, `{upstream}` filled in).
async fn start_nginx_with(server: &str, auth: SocketAddr, upstream: SocketAddr) -> Nginx {
    start_nginx_files(server, auth, upstream, &[]).await
}

/// As [`start_nginx_with`], with `files` (name, content) written to its directory first
/// (`{dir}` in `server` names it).
async fn start_nginx_files(
    server: &str,
    auth: SocketAddr,
    upstream: SocketAddr,
    files: &[(&str, &str)],
) -> Nginx {
    let binary = nginx_binary();
    let dir = std::env::temp_dir().join(format!("axum-userinfo-nginx-{}", free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, content) in files {
        std::fs::write(dir.join(name), content).unwrap();
    }
    let port = free_port();
    // A server block with a `listen` of its own (TLS) replaces the plain one.
    let http = if server.contains("listen ") {
        NGINX_HTTP.replace("listen 127.0.0.1:{port};", "")
    } else {
        NGINX_HTTP.to_owned()
    };
    let conf = http
        .replace("{server}", server)
        .replace("{dir}", dir.to_str().unwrap())
        .replace("{port}", &port.to_string())
        .replace("{auth}", &auth.to_string())
        .replace("{upstream}", &upstream.to_string());
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new(binary)
        .args(["-p", dir.to_str().unwrap(), "-c", "nginx.conf"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let nginx = Nginx {
        child,
        addr: ([127, 0, 0, 1], port).into(),
        _dir: TempDir(dir.clone()),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(nginx.addr).await.is_ok() {
            return nginx;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nginx did not start: {}", log(&dir));
}

fn log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
}

/// nginx's process and `http` settings, around a `{server}` block.
const NGINX_HTTP: &str = r#"
daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {
        listen 127.0.0.1:{port};
        {server}
    }
}
"#;

/// The gateway a deployment writes (`forward_auth`'s "Behind a gateway"), on loopback ports.
const NGINX_CONF: &str = r#"
        location = /_auth {
            internal;
            proxy_pass http://{auth}/whoami;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }
        location / {
            auth_request /_auth;
            auth_request_set $user_id $upstream_http_x_user_id;
            auth_request_set $user_source $upstream_http_x_user_source;
            auth_request_set $user_email $upstream_http_x_user_email;
            auth_request_set $user_groups $upstream_http_x_user_groups;
            proxy_set_header X-User-Id $user_id;
            proxy_set_header X-User-Source $user_source;
            proxy_set_header X-User-Email $user_email;
            proxy_set_header X-User-Groups $user_groups;
            proxy_pass http://{upstream};
        }
"#;

/// Per-route requirements (`forward_auth`'s recipe): one `internal` auth location per set,
/// proxied to `/whoami?scope=…`.
const NGINX_ROUTES_CONF: &str = r#"
        location = /_auth_orders {
            internal;
            proxy_pass http://{auth}/whoami?scope=orders:read;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }
        location = /_auth_admin {
            internal;
            proxy_pass http://{auth}/whoami?scope=admin:write&group=admins;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }
        location /orders/ {
            auth_request /_auth_orders;
            auth_request_set $user_id $upstream_http_x_user_id;
            proxy_set_header X-User-Id $user_id;
            proxy_pass http://{upstream};
        }
        location /admin/ {
            auth_request /_auth_admin;
            auth_request_set $user_id $upstream_http_x_user_id;
            proxy_set_header X-User-Id $user_id;
            proxy_pass http://{upstream};
        }
"#;

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// An upstream that answers with the request headers it received, as JSON.
fn echo() -> Router {
    Router::new().fallback(any(|headers: HeaderMap| async move {
        let map: serde_json::Map<String, Value> = headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), Value::String(value))
            })
            .collect();
        axum::Json(Value::Object(map))
    }))
}

/// An unverified JWT of these claims (the demo decodes without verifying unless `--oidc`).
fn jwt(claims: &Value) -> String {
    let part = |json: &Value| URL_SAFE_NO_PAD.encode(json.to_string());
    format!("{}.{}.c2ln", part(&json!({"alg": "HS256"})), part(claims))
}

#[tokio::test]
async fn nginx_auth_request_passes_the_identity_and_only_it() {
    let auth = serve(
        app::app(&app::Options {
            require: true,
            claim_headers: vec![
                ("email".to_owned(), "X-User-Email".to_owned()),
                ("groups".to_owned(), "X-User-Groups".to_owned()),
            ],
            ..app::Options::default()
        })
        .unwrap(),
    )
    .await;
    let upstream = serve(echo()).await;
    let nginx = start_nginx(auth, upstream).await;
    let http = reqwest::Client::new();
    let get = |headers: &[(&str, &str)]| {
        let mut request = http.get(format!("http://{}/app/data", nginx.addr));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };

    // An API key: the upstream gets its id and source, never the client's own X-User-Id.
    let response = get(&[("x-api-key", "sk-service-abc123"), ("x-user-id", "admin")])
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let seen: Value = response.json().await.unwrap();
    assert_eq!(seen["x-user-id"], "06d2b7c6-c9cf-58f3-a90b-ed272501211d");
    assert_eq!(seen["x-user-source"], "api_key");
    assert!(seen.get("x-user-email").is_none());

    // No credential, only a forged identity header: refused before the upstream.
    let forged = get(&[("x-user-id", "admin"), ("x-user-source", "jwt")])
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    // A bad credential: 401 too.
    let bad = get(&[("authorization", "Bearer a.b.c")]).await.unwrap();
    assert_eq!(bad.status(), 401);

    // What the upstream sees for a JWT of these claims, sent with a forged X-User-Email.
    let upstream_sees = async |claims: Value| -> Value {
        let bearer = format!("Bearer {}", jwt(&claims));
        let response = get(&[
            ("authorization", &bearer),
            ("x-user-email", "root@example.com"),
        ])
        .await
        .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    };

    // Claims become headers; the client's own X-User-Email is replaced.
    let seen =
        upstream_sees(json!({"sub": "ada", "email": "ada@example.com", "groups": ["eng", "ops"]}))
            .await;
    assert_eq!(
        seen["x-user-id"],
        axum_userinfo::identity::user_id_of_key("ada").to_string()
    );
    assert_eq!(seen["x-user-source"], "jwt");
    assert_eq!(seen["x-user-email"], "ada@example.com");
    assert_eq!(seen["x-user-groups"], "eng,ops");

    // A claim that would inject a header is left out, and the forged one is not passed.
    let seen =
        upstream_sees(json!({"sub": "eve", "email": "eve@example.com\r\nX-User-Id: admin"})).await;
    assert_eq!(
        seen["x-user-id"],
        axum_userinfo::identity::user_id_of_key("eve").to_string()
    );
    assert!(seen.get("x-user-email").is_none(), "{seen}");

    // G3: a group named "eng,admin" does not read upstream as membership of admin.
    let seen = upstream_sees(json!({"sub": "mallory", "groups": ["eng,admin", "ops"]})).await;
    assert_eq!(
        seen["x-user-id"],
        axum_userinfo::identity::user_id_of_key("mallory").to_string()
    );
    let groups = seen.get("x-user-groups").and_then(Value::as_str);
    assert!(groups.is_none_or(str::is_empty), "{seen}");
    let honest = upstream_sees(json!({"sub": "ada", "groups": ["eng", "admin", "ops"]})).await;
    assert_eq!(honest["x-user-groups"], "eng,admin,ops");
}

#[tokio::test]
async fn nginx_routes_with_different_requirements() {
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let auth = serve(
        app::app(&app::Options {
            oidc_issuers: vec![idp.issuer().to_owned()],
            allow_http_loopback: true,
            ..app::Options::default()
        })
        .unwrap(),
    )
    .await;
    let upstream = serve(echo()).await;
    let nginx = start_nginx_with(NGINX_ROUTES_CONF, auth, upstream).await;
    let http = reqwest::Client::new();
    let status = async |path: &str, token: Option<&str>| {
        let mut request = http.get(format!("http://{}{path}", nginx.addr));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap().status().as_u16()
    };
    let reader = idp
        .token()
        .subject("ada")
        .claim("scope", "orders:read")
        .sign();
    let admin = (idp.token().subject("root"))
        .claim("scope", "admin:write")
        .claim("groups", json!(["admins"]))
        .sign();
    assert_eq!(status("/orders/1", Some(&reader)).await, 200);
    assert_eq!(status("/admin/users", Some(&reader)).await, 403);
    assert_eq!(status("/admin/users", Some(&admin)).await, 200);
    assert_eq!(status("/orders/1", Some(&admin)).await, 403);
    assert_eq!(status("/orders/1", None).await, 401);
    assert_eq!(status("/admin/users", None).await, 401);
}

/// DPoP behind nginx (`forward_auth`'s recipe): the auth subrequest passes the original
/// method and URI, and the public scheme and host, fixed (never the client's own `Host`),
/// which the demo reads from its trusted proxy only.
const NGINX_DPOP_CONF: &str = r#"
        location = /_auth {
            internal;
            proxy_pass http://{auth}/whoami;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-Method $request_method;
            proxy_set_header X-Original-URI $request_uri;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-Host api.example.com;
        }
        location / {
            auth_request /_auth;
            auth_request_set $user_id $upstream_http_x_user_id;
            proxy_set_header X-User-Id $user_id;
            proxy_pass http://{upstream};
        }
"#;

#[tokio::test]
async fn nginx_passes_the_original_request_to_check_dpop_proofs() {
    use axum_userinfo::test_util::{TestIdp, TestKey};
    let idp = TestIdp::start().await;
    let auth = serve(
        app::app(&app::Options {
            oidc_issuers: vec![idp.issuer().to_owned()],
            allow_http_loopback: true,
            dpop: true,
            trusted_proxies: vec!["127.0.0.1/32".to_owned()],
            ..app::Options::default()
        })
        .unwrap(),
    )
    .await;
    let upstream = serve(echo()).await;
    let nginx = start_nginx_with(NGINX_DPOP_CONF, auth, upstream).await;
    let key = TestKey::Ec;
    let token = idp.token().subject("ada").bound_to(key).sign();
    // The client reaches nginx here; it signs for the public URL the gateway names.
    let url = format!("http://{}/tools/call?id=7", nginx.addr);
    let public = "https://api.example.com/tools/call?id=7";
    let http = reqwest::Client::new();
    let post = |proof: &str| {
        http.post(&url)
            .header("authorization", format!("DPoP {token}"))
            .header("dpop", proof)
            .body("{}")
            .send()
    };
    // H3: a proof for the host the client typed (its own Host header) is not the public URL.
    let for_client_host = key.dpop_proof("POST", &url).access_token(&token).sign();
    assert_eq!(post(&for_client_host).await.unwrap().status(), 401);
    let evil = key
        .dpop_proof("POST", "http://evil.example/tools/call")
        .access_token(&token)
        .sign();
    let with_evil_host = http
        .post(&url)
        .header("host", "evil.example")
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", &evil)
        .send()
        .await
        .unwrap();
    assert_eq!(with_evil_host.status(), 401, "a proof for another service");
    let proof = key.dpop_proof("POST", public).access_token(&token).sign();
    let response = post(&proof).await.unwrap();
    assert_eq!(response.status(), 200);
    let seen: Value = response.json().await.unwrap();
    let id = seen["x-user-id"].as_str().unwrap();
    assert!(id.parse::<uuid::Uuid>().is_ok(), "{seen}");
    assert_eq!(post(&proof).await.unwrap().status(), 401, "a replay");
    let for_get = key.dpop_proof("GET", public).access_token(&token).sign();
    assert_eq!(
        post(&for_get).await.unwrap().status(),
        401,
        "another method"
    );
    let elsewhere = "https://api.example.com/other";
    let for_other = key
        .dpop_proof("POST", elsewhere)
        .access_token(&token)
        .sign();
    assert_eq!(post(&for_other).await.unwrap().status(), 401, "another URI");
}

/// TLS with optional client certificates of any issuer (RFC 8705 §2.2's self-signed ones
/// included), the certificate forwarded to the auth endpoint as nginx escapes it.
const NGINX_MTLS_CONF: &str = r#"
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {dir}/server.pem;
        ssl_certificate_key {dir}/server.key;
        ssl_verify_client optional_no_ca;
        location = /_auth {
            internal;
            proxy_pass http://{auth}/whoami;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;
        }
        location / {
            auth_request /_auth;
            auth_request_set $user_id $upstream_http_x_user_id;
            proxy_set_header X-User-Id $user_id;
            proxy_pass http://{upstream};
        }
"#;

/// Certificate-bound tokens behind nginx: the client's certificate, checked by nginx's TLS and
/// forwarded URL-encoded, must be the token's; a forged header, a certificate from an
/// untrusted peer, another certificate or none are refused.
#[tokio::test]
async fn nginx_forwards_the_client_certificate_for_bound_tokens() {
    use axum_userinfo::mtls::{CertificateFormat, ClientCertificate};
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let demo = |trusted: &str| app::Options {
        oidc_issuers: vec![idp.issuer().to_owned()],
        allow_http_loopback: true,
        trusted_proxies: vec![trusted.to_owned()],
        client_cert_header: Some((
            "X-SSL-Client-Cert".to_owned(),
            CertificateFormat::PemUrlEncoded,
        )),
        ..app::Options::default()
    };
    let self_signed =
        |name: &str| rcgen::generate_simple_self_signed(vec![name.to_owned()]).unwrap();
    let (server, alice, mallory) = (
        self_signed("localhost"),
        self_signed("alice"),
        self_signed("mallory"),
    );
    let files = [
        ("server.pem", server.cert.pem()),
        ("server.key", server.signing_key.serialize_pem()),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, c)| (*n, c.as_str())).collect();
    let upstream = serve(echo()).await;
    let trusting = serve(app::app(&demo("127.0.0.1/32")).unwrap()).await;
    let nginx = start_nginx_files(NGINX_MTLS_CONF, trusting, upstream, &files).await;
    let distrusting = serve(app::app(&demo("10.0.0.0/8")).unwrap()).await;
    let untrusted = start_nginx_files(NGINX_MTLS_CONF, distrusting, upstream, &files).await;

    let thumbprint = ClientCertificate::from_der(alice.cert.der().to_vec()).thumbprint();
    let token = idp
        .token()
        .subject("ada")
        .bound_to_certificate(&thumbprint)
        .sign();
    let client = |nginx: &Nginx, identity: Option<&rcgen::CertifiedKey<rcgen::KeyPair>>| {
        let ca = reqwest::Certificate::from_pem(server.cert.pem().as_bytes()).unwrap();
        let mut builder = reqwest::Client::builder()
            .tls_certs_only([ca])
            .resolve("localhost", nginx.addr)
            .no_proxy();
        if let Some(key) = identity {
            let pem = format!("{}{}", key.cert.pem(), key.signing_key.serialize_pem());
            builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
        }
        builder.build().unwrap()
    };
    let url = |nginx: &Nginx| format!("https://localhost:{}/app", nginx.addr.port());
    let as_alice = client(&nginx, Some(&alice));
    let ok = as_alice
        .get(url(&nginx))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200, "{}", log(&nginx._dir.0));
    let echoed: Value = ok.json().await.unwrap();
    assert!(
        echoed["x-user-id"]
            .as_str()
            .is_some_and(|id| id.len() == 36),
        "{echoed}"
    );
    // Alice's token is no use to anyone else, with a certificate or without one.
    let as_mallory = client(&nginx, Some(&mallory));
    let refused = as_mallory
        .get(url(&nginx))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401, "another certificate");
    let anonymous = client(&nginx, None);
    let refused = anonymous
        .get(url(&nginx))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401, "no certificate");
    // A client that writes the header itself: nginx replaces it with its own (empty: none).
    let forged = percent_encoding::utf8_percent_encode(
        &alice.cert.pem(),
        percent_encoding::NON_ALPHANUMERIC,
    )
    .to_string();
    let refused = anonymous
        .get(url(&nginx))
        .bearer_auth(&token)
        .header("X-SSL-Client-Cert", forged)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401, "a forged certificate header");
    // The same certificate through a proxy the demo does not trust: the header is ignored.
    let through_untrusted = client(&untrusted, Some(&alice));
    let refused = through_untrusted
        .get(url(&untrusted))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401, "a header from an untrusted peer");
}

/// An MCP server behind nginx (`forward_auth`'s MCP recipe): the auth subrequest carries the
/// original request's headers (`Mcp-Method`, `Mcp-Name`, `MCP-Protocol-Version`), never its
/// body; the MCP server behind checks the headers against the body.
const NGINX_MCP_CONF: &str = r#"
        location = /_auth {
            internal;
            proxy_pass http://{auth}/whoami;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }
        location /mcp {
            auth_request /_auth;
            auth_request_set $user_id $upstream_http_x_user_id;
            # nginx passes a 401's challenge by itself; a 403's (insufficient_scope, with the
            # operation's scopes) only when told to.
            auth_request_set $auth_challenge $upstream_http_www_authenticate;
            error_page 403 = @insufficient_scope;
            proxy_set_header X-User-Id $user_id;
            proxy_pass http://{upstream};
        }
        location @insufficient_scope {
            add_header WWW-Authenticate $auth_challenge always;
            return 403;
        }
"#;

#[tokio::test]
async fn nginx_authorizes_each_mcp_operation_and_the_server_checks_the_body() {
    use axum_userinfo::layer::McpHeaderCheck;
    use axum_userinfo::test_util::TestIdp;
    let idp = TestIdp::start().await;
    let auth = serve(
        app::app(&app::Options {
            oidc_issuers: vec![idp.issuer().to_owned()],
            allow_http_loopback: true,
            mcp_rules: vec![
                "tools/call=tools".parse().unwrap(),
                "tools/call:deploy_*=deploy".parse().unwrap(),
            ],
            scope_implies: vec![("admin".into(), vec!["tools".into(), "deploy".into()])],
            ..app::Options::default()
        })
        .unwrap(),
    )
    .await;
    // The MCP server: the body check, then a handler that answers with the tool it ran.
    let mcp = Router::new()
        .route(
            "/mcp",
            axum::routing::post(|body: axum::Json<Value>| async move {
                axum::Json(json!({"ran": body["params"]["name"]}))
            }),
        )
        .route_layer(McpHeaderCheck::new());
    let upstream = serve(mcp).await;
    let nginx = start_nginx_with(NGINX_MCP_CONF, auth, upstream).await;
    let http = reqwest::Client::new();
    let call = async |token: Option<&str>, header_name: Option<&str>, body_name: &str| {
        let body = json!({
            "jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": body_name,
                "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}},
        });
        let mut request = http
            .post(format!("http://{}/mcp", nginx.addr))
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call")
            .json(&body);
        if let Some(name) = header_name {
            request = request.header("mcp-name", name);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let challenge = (response.headers().get("www-authenticate"))
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        (status, challenge, body)
    };
    let tools = idp.token().claim("scope", "tools").sign();
    let admin = idp.token().claim("scope", "admin").sign();

    let (status, _, body) = call(Some(&tools), Some("read_file"), "read_file").await;
    assert_eq!((status, &body["ran"]), (200, &json!("read_file")));
    let (status, challenge, _) = call(Some(&tools), Some("deploy_prod"), "deploy_prod").await;
    assert_eq!(status, 403);
    assert!(challenge.contains(r#"scope="tools deploy""#), "{challenge}");
    // `admin` implies both (the hierarchy), at the gateway too.
    assert_eq!(
        call(Some(&admin), Some("deploy_prod"), "deploy_prod")
            .await
            .0,
        200
    );
    // Anonymous: 401, nginx passes the challenge with the operation's scopes.
    let (status, challenge, _) = call(None, Some("deploy_prod"), "deploy_prod").await;
    assert_eq!(status, 401);
    assert!(challenge.contains(r#"scope="tools deploy""#), "{challenge}");
    // No Mcp-Name on a tools/call: the gateway refuses (its 400 becomes nginx's 500).
    let (status, _, _) = call(Some(&admin), None, "deploy_prod").await;
    assert!(!(200..300).contains(&status), "{status}");
    // The gateway cannot see the body: a header that says read_file passes it; the server
    // behind refuses the mismatch.
    let (status, _, body) = call(Some(&tools), Some("read_file"), "deploy_prod").await;
    assert_eq!((status, &body["error"]["code"]), (400, &json!(-32020)));
    // A Base64 name is what the gateway judges.
    let encoded = "=?base64?ZGVwbG95X3Byb2Q=?=";
    assert_eq!(
        call(Some(&tools), Some(encoded), "deploy_prod").await.0,
        403
    );
}

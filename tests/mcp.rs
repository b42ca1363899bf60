//! MCP servers to the 2026-07-28 revision, as an attacker would try them: scope hierarchies
//! (broad grants narrow, never the reverse), the protected resource as the audience (RFC 8707
//! comparison), a machine client's introspected token, and the per-operation policy with the
//! header check over real HTTP (reqwest on 127.0.0.1): mismatched names, methods and versions,
//! Base64 names, oversized bodies, clients without routing headers, 401 and 403 challenges
//! naming every scope of the operation, CORS on the metadata.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::net::SocketAddr;

use axum::Router;
use axum::routing::post;
use axum_userinfo::api_keys::ApiKeyList;
use axum_userinfo::authorize::{ProtectedResource, ScopeHierarchy};
use axum_userinfo::layer::{McpHeaderCheck, McpPolicyLayer, resource_metadata_routes};
use axum_userinfo::mcp::McpPolicy;
use axum_userinfo::test_util::TestIdp;
use axum_userinfo::{Guard, Resolver, UserInfoLayer};
use http::{HeaderMap, HeaderValue};
use serde_json::{Value, json};

const RESOURCE: &str = "http://127.0.0.1:9/mcp";

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::try_from(format!("Bearer {token}")).unwrap();
    headers.insert("authorization", value);
    headers
}

fn hierarchy() -> ScopeHierarchy {
    ScopeHierarchy::new()
        .with_implied("files", ["files:read", "files:write"])
        .unwrap()
        .with_separator(':')
        .unwrap()
}

/// A broad scope passes a narrow requirement (guards, a verifier's required scope, a known
/// API key's scopes), never the reverse; without a hierarchy, matching is exact (as before).
#[tokio::test]
async fn scope_hierarchies_grant_narrow_from_broad_never_the_reverse() {
    let idp = TestIdp::start().await;
    let resolver = |hierarchy: Option<ScopeHierarchy>, required: Option<&str>| {
        let mut verifier = idp.verifier().allow_any_audience();
        if let Some(scope) = required {
            verifier = verifier.with_required_scope(scope);
        }
        let mut builder = Resolver::builder().with_verifier(verifier.build().unwrap());
        if let Some(hierarchy) = hierarchy {
            builder = builder.with_scope_hierarchy(hierarchy);
        }
        builder.build().unwrap()
    };
    let token = |scope: &str| idp.token().claim("scope", scope).sign();
    let user = |resolver: &Resolver, scope: &str| {
        let resolver = resolver.clone();
        let headers = bearer(&token(scope));
        async move { resolver.resolve_async(&headers).await }
    };

    let with = resolver(Some(hierarchy()), None);
    let exact = resolver(None, None);
    let readers = Guard::new("readers")
        .require_scopes(["files:read"])
        .unwrap();
    let broad = Guard::new("broad").require_scopes(["files"]).unwrap();
    let deep = Guard::new("deep").require_scopes(["a:b:c"]).unwrap();
    let sibling = Guard::new("sibling").require_scopes(["a:bc"]).unwrap();

    let files = user(&with, "files").await.unwrap().unwrap();
    assert!(readers.authorize(Some(&files)).is_ok());
    assert!(files.has_scope("files:write") && files.has_scope("files:read:meta"));
    let reader = user(&with, "files:read").await.unwrap().unwrap();
    let denied = broad.authorize(Some(&reader)).unwrap_err();
    assert!(
        denied.to_string().contains("missing scope files"),
        "{denied}"
    );
    let ab = user(&with, "a:b").await.unwrap().unwrap();
    assert!(deep.authorize(Some(&ab)).is_ok());
    assert!(
        sibling.authorize(Some(&ab)).is_err(),
        "a:b never implies a:bc"
    );
    // Exact matching without a hierarchy: the same token passes nothing narrower.
    let plain = user(&exact, "files").await.unwrap().unwrap();
    assert!(readers.authorize(Some(&plain)).is_err());

    // A verifier's required scope is judged by the resolver's hierarchy too.
    let required = resolver(Some(hierarchy()), Some("files:read"));
    assert!(user(&required, "files").await.is_ok());
    assert!(user(&required, "files:write").await.is_err());
    let required_exact = resolver(None, Some("files:read"));
    assert!(user(&required_exact, "files").await.is_err());

    // A known API key's scopes.
    let keys = Resolver::builder()
        .with_api_keys(ApiKeyList::parse("sk-robot robot files\n").unwrap())
        .with_scope_hierarchy(hierarchy())
        .build()
        .unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("x-api-key", HeaderValue::from_static("sk-robot"));
    let robot = keys.resolve(&headers).unwrap().unwrap();
    assert!(readers.authorize(Some(&robot)).is_ok());
}

/// With a protected resource, a verifier (or introspection client) that names no audience
/// requires the resource: scheme and host in any case, a trailing slash or none; a token for
/// another service, or for none, is refused. `allow_any_audience` stays a choice.
#[tokio::test]
async fn the_resource_is_the_audience() {
    let idp = TestIdp::start().await;
    let resource = ProtectedResource::new(RESOURCE, [idp.issuer()]).unwrap();
    let resolver = |verifier: axum_userinfo::verify::JwtVerifierBuilder| {
        Resolver::builder()
            .with_verifier(verifier.build().unwrap())
            .with_protected_resource(resource.clone())
            .build()
            .unwrap()
    };
    let strict = resolver(idp.verifier());
    let any = resolver(idp.verifier().allow_any_audience());
    let resolve = |resolver: &Resolver, aud: Option<&str>| {
        let mut token = idp.token().subject("ada");
        if let Some(aud) = aud {
            token = token.audience(aud);
        }
        let resolver = resolver.clone();
        let headers = bearer(&token.sign());
        async move { resolver.resolve_async(&headers).await }
    };
    for same in [
        RESOURCE,
        "HTTP://127.0.0.1:9/mcp",
        "http://127.0.0.1:9/mcp/",
    ] {
        assert!(resolve(&strict, Some(same)).await.is_ok(), "{same}");
    }
    for other in [
        "http://127.0.0.1:9/other",
        "http://127.0.0.1:9/MCP",
        "http://127.0.0.1:10/mcp",
        "https://127.0.0.1:9/mcp",
    ] {
        let refused = resolve(&strict, Some(other)).await.unwrap_err();
        assert_eq!(refused.status(), 401, "{other}: {refused}");
    }
    assert!(
        resolve(&strict, None).await.is_err(),
        "a token for no audience"
    );
    assert!(
        resolve(&any, Some("http://elsewhere.example"))
            .await
            .is_ok()
    );

    // The same for an introspection client, whose answers name the audience.
    let introspecting = Resolver::builder()
        .with_introspection(idp.introspection_client().build().unwrap())
        .with_protected_resource(resource.clone())
        .build()
        .unwrap();
    let for_us = idp
        .opaque_token()
        .audience("HTTP://127.0.0.1:9/mcp/")
        .mint();
    let for_them = idp.opaque_token().audience("https://other.example").mint();
    assert!(introspecting.resolve_async(&bearer(&for_us)).await.is_ok());
    assert!(
        introspecting
            .resolve_async(&bearer(&for_them))
            .await
            .is_err()
    );
}

/// An MCP endpoint behind the identity layer (optional), the header check and the policy:
/// `tools/call` needs `tools`, `deploy_*` also `deploy`, `resources/read` of
/// `file:///secret/*` needs `secrets:read`. The handler echoes the body it got.
async fn serve(idp: &TestIdp, check_body: bool) -> SocketAddr {
    let resource = ProtectedResource::new(RESOURCE, [idp.issuer()])
        .unwrap()
        .with_scopes_supported(["tools"])
        .unwrap();
    let resolver = Resolver::builder()
        .with_verifier(idp.verifier().allow_any_audience().build().unwrap())
        .with_protected_resource(resource.clone())
        .with_scope_hierarchy(ScopeHierarchy::new().with_separator(':').unwrap())
        .build()
        .unwrap();
    let policy = McpPolicy::new()
        .with_scopes("tools/call", None, ["tools"])
        .unwrap()
        .with_scopes("tools/call", Some("deploy_*"), ["deploy"])
        .unwrap()
        .with_scopes("resources/read", Some("file:///secret/*"), ["secrets:read"])
        .unwrap();
    let mut mcp = Router::new()
        .route("/mcp", post(|body: String| async move { body }))
        .route_layer(McpPolicyLayer::new(policy));
    if check_body {
        mcp = mcp.route_layer(McpHeaderCheck::new().with_body_limit(4096));
    }
    let app = mcp
        .layer(UserInfoLayer::new(resolver))
        .merge(resource_metadata_routes(&resource));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// A JSON-RPC request of the 2026-07-28 revision (`params._meta` names it), or of an older
/// one.
fn message(method: &str, params: Value, modern: bool) -> String {
    let mut params = params;
    if modern {
        params["_meta"] = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28"});
    }
    json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}).to_string()
}

struct Answer {
    status: u16,
    challenge: String,
    body: Value,
}

async fn post_mcp(
    addr: SocketAddr,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: String,
) -> Answer {
    let mut request = reqwest::Client::new()
        .post(format!("http://{addr}/mcp"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = (response.headers().get_all("www-authenticate").iter())
        .map(|value| value.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(" | ");
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        challenge,
        body,
    }
}

const V: (&str, &str) = ("mcp-protocol-version", "2026-07-28");
const CALL: (&str, &str) = ("mcp-method", "tools/call");

#[tokio::test]
async fn the_policy_judges_each_operation_and_the_body_must_match_the_headers() {
    let idp = TestIdp::start().await;
    let addr = serve(&idp, true).await;
    let tools = idp.token().claim("scope", "tools").sign();
    let deployer = idp.token().claim("scope", "tools deploy").sign();
    let call = |name: &str| message("tools/call", json!({"name": name}), true);

    // Anonymous: 401, the operation's every scope in the Bearer challenge.
    let anonymous = post_mcp(
        addr,
        None,
        &[V, CALL, ("mcp-name", "deploy_prod")],
        call("deploy_prod"),
    )
    .await;
    assert_eq!(anonymous.status, 401);
    assert!(
        anonymous.challenge.contains(r#"scope="tools deploy""#),
        "{}",
        anonymous.challenge
    );
    assert!(
        anonymous.challenge.contains("resource_metadata="),
        "{}",
        anonymous.challenge
    );

    // The allowed tool passes, body unchanged; the other needs `deploy`: 403 naming both.
    let read = post_mcp(
        addr,
        Some(&tools),
        &[V, CALL, ("mcp-name", "read_file")],
        call("read_file"),
    )
    .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["params"]["name"], "read_file");
    let deploy = post_mcp(
        addr,
        Some(&tools),
        &[V, CALL, ("mcp-name", "deploy_prod")],
        call("deploy_prod"),
    )
    .await;
    assert_eq!(deploy.status, 403);
    assert!(
        deploy.challenge.contains("insufficient_scope"),
        "{}",
        deploy.challenge
    );
    assert!(
        deploy.challenge.contains(r#"scope="tools deploy""#),
        "{}",
        deploy.challenge
    );
    let stepped_up = post_mcp(
        addr,
        Some(&deployer),
        &[V, CALL, ("mcp-name", "deploy_prod")],
        call("deploy_prod"),
    )
    .await;
    assert_eq!(stepped_up.status, 200);

    // A header that says read_file over a body that deletes: 400, -32020, the body's id.
    let lying = post_mcp(
        addr,
        Some(&tools),
        &[V, CALL, ("mcp-name", "read_file")],
        call("deploy_prod"),
    )
    .await;
    assert_eq!(lying.status, 400);
    assert_eq!(lying.body["error"]["code"], -32020);
    assert_eq!(lying.body["id"], 7);
    // Another method, another version, no name, a repeated name: the same.
    let cases: [&[(&str, &str)]; 5] = [
        &[V, ("mcp-method", "tools/list"), ("mcp-name", "deploy_prod")],
        &[
            ("mcp-protocol-version", "2026-09-01"),
            CALL,
            ("mcp-name", "deploy_prod"),
        ],
        &[CALL, ("mcp-name", "deploy_prod")],
        &[V, CALL],
        &[
            V,
            CALL,
            ("mcp-name", "deploy_prod"),
            ("mcp-name", "deploy_prod"),
        ],
    ];
    for headers in cases {
        let refused = post_mcp(addr, Some(&deployer), headers, call("deploy_prod")).await;
        assert_eq!(
            (refused.status, refused.body["error"]["code"].as_i64()),
            (400, Some(-32020)),
            "{headers:?}"
        );
    }
    // A Base64 name is decoded: the policy sees deploy_prod, and so does the check.
    let encoded = ("mcp-name", "=?base64?ZGVwbG95X3Byb2Q=?=");
    let hidden = post_mcp(addr, Some(&tools), &[V, CALL, encoded], call("deploy_prod")).await;
    assert_eq!(hidden.status, 403, "{}", hidden.body);
    // A name that only matches after decoding passes the check.
    let padded = ("mcp-name", "=?base64?IHBhZGRlZCA=?=");
    let spaced = post_mcp(addr, Some(&tools), &[V, CALL, padded], call(" padded ")).await;
    assert_eq!(spaced.status, 200, "{}", spaced.body);
    let malformed = post_mcp(
        addr,
        Some(&tools),
        &[V, CALL, ("mcp-name", "=?base64?%%?=")],
        call("x"),
    )
    .await;
    assert_eq!(malformed.status, 400);
    // Resources by URI pattern.
    let secret = message("resources/read", json!({"uri": "file:///secret/key"}), true);
    let headers = [
        V,
        ("mcp-method", "resources/read"),
        ("mcp-name", "file:///secret/key"),
    ];
    assert_eq!(
        post_mcp(addr, Some(&tools), &headers, secret).await.status,
        403
    );

    // Over the body limit: 413, never read further.
    let big = message(
        "tools/call",
        json!({"name": "read_file", "arguments": {"x": "a".repeat(8000)}}),
        true,
    );
    let too_large = post_mcp(
        addr,
        Some(&tools),
        &[V, CALL, ("mcp-name", "read_file")],
        big,
    )
    .await;
    assert_eq!(too_large.status, 413);
    // Not JSON.
    let garbage = post_mcp(
        addr,
        Some(&tools),
        &[V, CALL, ("mcp-name", "read_file")],
        "{".into(),
    )
    .await;
    assert_eq!(
        (garbage.status, garbage.body["error"]["code"].as_i64()),
        (400, Some(-32700))
    );

    // A client of 2025-11-25 sends no routing headers: the body's operation is judged.
    let legacy = |name: &str| message("tools/call", json!({"name": name}), false);
    let old = [("mcp-protocol-version", "2025-11-25")];
    assert_eq!(
        post_mcp(addr, Some(&tools), &old, legacy("read_file"))
            .await
            .status,
        200
    );
    assert_eq!(
        post_mcp(addr, Some(&tools), &old, legacy("deploy_prod"))
            .await
            .status,
        403
    );
    // …and may not send headers that contradict it.
    let contradicting = [old[0], CALL, ("mcp-name", "read_file")];
    assert_eq!(
        post_mcp(addr, Some(&tools), &contradicting, legacy("deploy_prod"))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn without_the_body_check_headers_are_trusted_only_from_the_new_revision() {
    let idp = TestIdp::start().await;
    let addr = serve(&idp, false).await;
    let tools = idp.token().claim("scope", "tools").sign();
    let call = message("tools/call", json!({"name": "deploy_prod"}), false);
    // No routing headers at all: refused (never "no requirement").
    assert_eq!(
        post_mcp(addr, Some(&tools), &[], call.clone()).await.status,
        400
    );
    // Routing headers of an older revision are not trusted: the same.
    let old = [
        ("mcp-protocol-version", "2025-11-25"),
        CALL,
        ("mcp-name", "read_file"),
    ];
    assert_eq!(
        post_mcp(addr, Some(&tools), &old, call.clone())
            .await
            .status,
        400
    );
    let modern = [V, CALL, ("mcp-name", "deploy_prod")];
    assert_eq!(
        post_mcp(addr, Some(&tools), &modern, call).await.status,
        403
    );
}

#[tokio::test]
async fn the_metadata_answers_browsers_of_any_origin() {
    let idp = TestIdp::start().await;
    let addr = serve(&idp, true).await;
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/.well-known/oauth-protected-resource/mcp");
    let preflight = client
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "https://inspector.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    let methods = preflight.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        methods.contains("GET") && methods.contains("HEAD"),
        "{methods}"
    );
    for method in [
        reqwest::Method::GET,
        reqwest::Method::HEAD,
        reqwest::Method::OPTIONS,
    ] {
        let answer = client
            .request(method.clone(), &url)
            .header("origin", "https://inspector.example")
            .send()
            .await
            .unwrap();
        assert!(
            answer.status().is_success(),
            "{method}: {}",
            answer.status()
        );
        assert_eq!(
            answer.headers()["access-control-allow-origin"],
            "*",
            "{method}"
        );
    }
    let document: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(document["authorization_servers"][0], idp.issuer());
    assert!(
        !document["scopes_supported"]
            .to_string()
            .contains("offline_access")
    );
}

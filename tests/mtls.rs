//! Certificate-bound access tokens (RFC 8705): the resolver's rules on every source, and a
//! service that terminates TLS itself (rustls) with real client certificates, through the
//! layer, a guard and the extractor without a layer. (nginx forwarding the certificate:
//! tests/nginx.rs.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::routing::get;
use axum_userinfo::error::{CertificateError, DpopError};
use axum_userinfo::mtls::{CertificateFormat, ClientCertificate, ClientCertificates};
use axum_userinfo::test_util::TestIdp;
use axum_userinfo::{
    ConfigError, Guard, GuardLayer, RequestView, ResolveError, Resolver, UserInfo, UserInfoLayer,
};
use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use rcgen::{CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tower::ServiceExt as _;

/// A test CA, and certificates it signs.
struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate, its key, and what the resolver sees of it.
struct Issued {
    pem: String,
    key_pem: String,
    der: Vec<u8>,
}

impl Issued {
    fn certificate(&self) -> ClientCertificate {
        ClientCertificate::from_der(self.der.clone())
    }

    fn thumbprint(&self) -> String {
        self.certificate().thumbprint()
    }

    /// nginx's `$ssl_client_escaped_cert`.
    fn escaped(&self) -> String {
        utf8_percent_encode(&self.pem, NON_ALPHANUMERIC).to_string()
    }
}

impl Pki {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Self { ca }
    }

    fn issue(&self, name: &str) -> Issued {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec![name.to_owned()])
            .unwrap()
            .signed_by(&key, &self.ca)
            .unwrap();
        Issued {
            pem: cert.pem(),
            key_pem: key.serialize_pem(),
            der: cert.der().to_vec(),
        }
    }
}

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::try_from(format!("Bearer {token}")).unwrap();
    headers.insert(AUTHORIZATION, value);
    headers
}

async fn verifying(idp: &TestIdp, source: Option<ClientCertificates>) -> Resolver {
    let mut builder = Resolver::builder().with_verifier(idp.verifier().build().unwrap());
    if let Some(source) = source {
        if matches!(source, ClientCertificates::Header { .. }) {
            builder = builder.with_trusted_proxies(["10.0.0.0/8"]);
        }
        builder = builder.with_client_certificates(source);
    }
    let resolver = builder.build().unwrap();
    assert!(resolver.load_keys().await);
    resolver
}

fn class(outcome: Result<Option<UserInfo>, ResolveError>) -> String {
    match outcome {
        Ok(Some(user)) => format!("user {}", user.user_id()),
        Ok(None) => "anonymous".to_owned(),
        Err(error) => error.class().to_owned(),
    }
}

/// The connection's certificate: the right one passes, another or none is refused, an unbound
/// token needs none; without a configured source a bound token is refused as any bound token
/// presented as a bearer one.
#[tokio::test]
async fn a_bound_token_needs_its_certificate() {
    let idp = TestIdp::start().await;
    let pki = Pki::new();
    let (alice, mallory) = (pki.issue("alice"), pki.issue("mallory"));
    let resolver = verifying(&idp, Some(ClientCertificates::from_connection())).await;
    let bound = idp
        .token()
        .subject("ada")
        .bound_to_certificate(&alice.thumbprint())
        .sign();
    let plain = idp.token().subject("ada").sign();
    let (alice_cert, mallory_cert) = (alice.certificate(), mallory.certificate());
    let headers = bearer(&bound);
    let resolve = |headers, certificate: Option<&ClientCertificate>| {
        let mut view = RequestView::new(headers);
        if let Some(certificate) = certificate {
            view = view.client_certificate(certificate);
        }
        resolver.resolve(view)
    };
    let plain_headers = bearer(&plain);
    let user = resolve(&headers, Some(&alice_cert)).unwrap().unwrap();
    assert_eq!(
        Ok(Some(user.clone())),
        resolve(&plain_headers, Some(&alice_cert)),
        "one user, bound or not"
    );
    assert_eq!(
        resolve(&headers, Some(&mallory_cert)),
        Err(ResolveError::Certificate(CertificateError::Mismatch))
    );
    assert_eq!(
        resolve(&headers, None),
        Err(ResolveError::Certificate(CertificateError::Missing))
    );
    assert_eq!(
        class(resolve(&plain_headers, None)),
        format!("user {}", user.user_id())
    );
    // The async path too.
    let view = RequestView::new(&headers).client_certificate(&mallory_cert);
    assert_eq!(
        resolver.resolve_async(view).await,
        Err(ResolveError::Certificate(CertificateError::Mismatch))
    );

    // No source configured: never accepted, whatever the request carries.
    let unconfigured = verifying(&idp, None).await;
    let view = RequestView::new(&headers).client_certificate(&alice_cert);
    assert_eq!(
        unconfigured.resolve(view),
        Err(ResolveError::Certificate(CertificateError::Missing))
    );

    // A token bound by both a DPoP key and a certificate is refused as a bearer token (one
    // binding is checked at a time; such a token is nobody's to present as Bearer).
    let both = idp
        .token()
        .subject("ada")
        .claim(
            "cnf",
            serde_json::json!({"jkt": "abc", "x5t#S256": alice.thumbprint()}),
        )
        .sign();
    let both = bearer(&both);
    let view = RequestView::new(&both).client_certificate(&alice_cert);
    assert_eq!(
        resolver.resolve(view).map(|user| user.is_some()),
        Err(ResolveError::Dpop(DpopError::BoundTokenAsBearer))
    );

    // WebSocket auth messages carry no certificate: a bound token there is refused.
    let frame =
        format!(r#"{{"type":"auth_message","payload":{{"method":"jwt","token":"{bound}"}}}}"#);
    let handled = resolver.handle_auth_frame(&frame).unwrap();
    assert!(matches!(
        handled,
        axum_userinfo::websocket::HandledAuthMessage::Rejected {
            error: ResolveError::Certificate(CertificateError::Missing),
            ..
        }
    ));
}

/// An introspection answer's `cnf.x5t#S256` binds the opaque token the same way.
#[tokio::test]
async fn an_introspected_token_is_bound_too() {
    let idp = TestIdp::start().await;
    let pki = Pki::new();
    let (alice, mallory) = (pki.issue("alice"), pki.issue("mallory"));
    let resolver = Resolver::builder()
        .with_introspection(idp.introspection_client().build().unwrap())
        .with_client_certificates(ClientCertificates::from_connection())
        .build()
        .unwrap();
    let token = idp
        .opaque_token()
        .subject("ada")
        .bound_to_certificate(&alice.thumbprint())
        .mint();
    let headers = bearer(&token);
    let (alice_cert, mallory_cert) = (alice.certificate(), mallory.certificate());
    let with = |certificate| RequestView::new(&headers).client_certificate(certificate);
    assert!(
        resolver
            .resolve_async(with(&alice_cert))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        resolver.resolve_async(with(&mallory_cert)).await,
        Err(ResolveError::Certificate(CertificateError::Mismatch))
    );
    assert_eq!(
        resolver.resolve_async(RequestView::new(&headers)).await,
        Err(ResolveError::Certificate(CertificateError::Missing))
    );
    assert_eq!(
        idp.introspection_calls(),
        1,
        "the answer is cached, the binding is not"
    );
}

/// A trusted proxy's header: read from its peers only, once, in its format.
#[tokio::test]
async fn a_proxys_header_counts_from_trusted_proxies_only() {
    let idp = TestIdp::start().await;
    let pki = Pki::new();
    let (alice, mallory) = (pki.issue("alice"), pki.issue("mallory"));
    let nginx =
        ClientCertificates::from_header("x-ssl-client-cert", CertificateFormat::default()).unwrap();
    let resolver = verifying(&idp, Some(nginx.clone())).await;
    let token = idp
        .token()
        .subject("ada")
        .bound_to_certificate(&alice.thumbprint())
        .sign();
    let with = |values: &[&str]| {
        let mut headers = bearer(&token);
        for value in values {
            headers.append("x-ssl-client-cert", HeaderValue::try_from(*value).unwrap());
        }
        headers
    };
    let proxy = "10.1.2.3".parse().unwrap();
    let outsider = "192.0.2.1".parse().unwrap();
    let (alice_header, mallory_header) = (alice.escaped(), mallory.escaped());
    let truncated = alice_header.replace("END", "");
    let cases: [(&[&str], _, &str); 7] = [
        (&[&alice_header], proxy, "user"),
        (&[&mallory_header], proxy, "certificate_mismatch"),
        (&[], proxy, "certificate_missing"),
        (&[&alice_header], outsider, "certificate_missing"),
        (
            &[&alice_header, &alice_header],
            proxy,
            "certificate_malformed",
        ),
        (&["garbage"], proxy, "certificate_malformed"),
        (&[truncated.as_str()], proxy, "certificate_malformed"),
    ];
    for (values, peer, expected) in cases {
        let headers = with(values);
        let outcome = class(resolver.resolve(RequestView::new(&headers).peer(peer)));
        assert!(
            outcome.starts_with(expected),
            "{values:?} from {peer}: {outcome}"
        );
    }
    // The header needs trusted proxies: without them anyone could name any certificate.
    assert_eq!(
        Resolver::builder()
            .with_client_certificates(nginx)
            .build()
            .err(),
        Some(ConfigError::CertificateHeaderWithoutTrustedProxies)
    );
}

/// A service that terminates TLS itself with rustls, optional client certificates from the test
/// CA, the peer's certificate put in each request's extensions: served by hyper on 127.0.0.1.
async fn tls_service(pki: &Pki, app: Router) -> SocketAddr {
    use tokio_rustls::rustls;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca.der().clone()).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .allow_unauthenticated()
    .build()
    .unwrap();
    let server = pki.issue("localhost");
    let key = rustls::pki_types::PrivateKeyDer::try_from(
        KeyPair::from_pem(&server.key_pem).unwrap().serialize_der(),
    )
    .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![server.der.clone().into()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, peer)) = listener.accept().await else {
                continue;
            };
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let certificate = (tls.get_ref().1.peer_certificates())
                    .and_then(|chain| chain.first())
                    .map(|leaf| ClientCertificate::from_der(leaf.to_vec()));
                let service = hyper::service::service_fn(move |mut request: http::Request<_>| {
                    let extensions = request.extensions_mut();
                    extensions.insert(ConnectInfo(peer));
                    if let Some(certificate) = &certificate {
                        extensions.insert(certificate.clone());
                    }
                    app.clone().oneshot(request.map(axum::body::Body::new))
                });
                let io = hyper_util::rt::TokioIo::new(tls);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    addr
}

/// An HTTPS client of `addr` as `localhost`, trusting the test CA, with `identity` as its
/// client certificate.
fn client(pki: &Pki, addr: SocketAddr, identity: Option<&Issued>) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(pki.ca.pem().as_bytes()).unwrap();
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([ca])
        .resolve("localhost", addr)
        .no_proxy();
    if let Some(identity) = identity {
        let pem = format!("{}{}", identity.pem, identity.key_pem);
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

/// Real TLS, real client certificates: the layer, a guard behind it, and the extractor with no
/// layer all honour the binding.
#[tokio::test]
async fn a_rustls_service_checks_the_peer_certificate() {
    let idp = TestIdp::start().await;
    let pki = Pki::new();
    let (alice, mallory) = (pki.issue("alice"), pki.issue("mallory"));
    let resolver = verifying(&idp, Some(ClientCertificates::from_connection())).await;
    let whoami = || get(|user: UserInfo| async move { user.user_id().to_string() });
    let layered = Router::new()
        .route("/layer", whoami())
        .route(
            "/guarded",
            whoami().route_layer(GuardLayer::new(
                Guard::new("orders")
                    .require_scopes(["orders:read"])
                    .unwrap(),
            )),
        )
        .layer(UserInfoLayer::new(resolver.clone()));
    let app = Router::new()
        .route("/extractor", whoami())
        .layer(axum::Extension(resolver))
        .merge(layered);
    let addr = tls_service(&pki, app).await;
    let bound = idp
        .token()
        .subject("ada")
        .bound_to_certificate(&alice.thumbprint())
        .claim("scope", "orders:read")
        .sign();
    let as_alice = client(&pki, addr, Some(&alice));
    let as_mallory = client(&pki, addr, Some(&mallory));
    let anonymous = client(&pki, addr, None);
    for path in ["/layer", "/guarded", "/extractor"] {
        let url = format!("https://localhost:{}{path}", addr.port());
        let send = |client: &reqwest::Client| client.get(&url).bearer_auth(&bound).send();
        let ok = send(&as_alice).await.unwrap();
        assert_eq!(ok.status(), 200, "{path}");
        for (who, client) in [("mallory", &as_mallory), ("no certificate", &anonymous)] {
            let refused = send(client).await.unwrap();
            assert_eq!(refused.status(), 401, "{path} as {who}");
            let challenge = refused.headers()["www-authenticate"].to_str().unwrap();
            assert!(
                challenge.contains(r#"error="invalid_token""#),
                "{path}: {challenge}"
            );
        }
    }
}

/// A socket keeps its upgrade's certificate: an auth message's certificate-bound token passes
/// on a socket whose trusted proxy forwarded that certificate, and is refused on any other.
#[tokio::test]
async fn a_socket_binds_auth_messages_to_its_upgrades_certificate() {
    use axum::extract::ws::{Message as AxumMessage, WebSocketUpgrade};
    use futures_util::{SinkExt as _, StreamExt as _};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

    let idp = TestIdp::start().await;
    let pki = Pki::new();
    let (alice, mallory) = (pki.issue("alice"), pki.issue("mallory"));
    let nginx =
        ClientCertificates::from_header("x-ssl-client-cert", CertificateFormat::default()).unwrap();
    let resolver = Resolver::builder()
        .with_verifier(idp.verifier().build().unwrap())
        .with_client_certificates(nginx)
        .with_trusted_proxies(["127.0.0.1/32"])
        .build()
        .unwrap();
    assert!(resolver.load_keys().await);
    let socket = |ws: WebSocketUpgrade, auth: axum_userinfo::WebSocketAuth| async move {
        ws.on_upgrade(|mut socket| async move {
            let Some(mut identity) = auth.accept(&mut socket).await else {
                return;
            };
            while let Some(message) = identity.recv(&mut socket).await {
                if let AxumMessage::Text(text) = message {
                    if text.as_str() == "whoami" {
                        let who = (identity.user())
                            .map_or("anonymous".to_owned(), |user| user.user_id().to_string());
                        let _ = socket.send(AxumMessage::Text(who.into())).await;
                    }
                }
            }
        })
    };
    let app = Router::new()
        .route("/ws", get(socket))
        .layer(UserInfoLayer::new(resolver));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let token = idp
        .token()
        .subject("ada")
        .bound_to_certificate(&alice.thumbprint())
        .sign();
    let frame =
        format!(r#"{{"type":"auth_message","payload":{{"method":"jwt","token":"{token}"}}}}"#);
    for (who, certificate, accepted) in [
        ("alice", Some(alice.escaped()), true),
        ("mallory", Some(mallory.escaped()), false),
        ("nobody", None, false),
    ] {
        let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
        if let Some(certificate) = certificate {
            let value = certificate.parse().unwrap();
            request.headers_mut().insert("x-ssl-client-cert", value);
        }
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        ws.send(Message::Text(frame.clone().into())).await.unwrap();
        let Some(Ok(Message::Text(reply))) = ws.next().await else {
            panic!("{who}: a reply");
        };
        let reply: serde_json::Value = serde_json::from_str(&reply).unwrap();
        assert_eq!(reply["status"] == "success", accepted, "{who}: {reply}");
        if accepted {
            ws.send(Message::Text("whoami".into())).await.unwrap();
            let Some(Ok(Message::Text(id))) = ws.next().await else {
                panic!("whoami");
            };
            assert_eq!(id.len(), 36, "{id}");
        } else {
            assert!(
                reply.to_string().contains("client certificate"),
                "{who}: {reply}"
            );
        }
    }
}

//! tonic: the identity layer in front of a real tonic server (`tonic::transport::Server`), a
//! guard on one gRPC method, and a real tonic client over HTTP/2 on 127.0.0.1. A refusal
//! reaches the client as a gRPC status (`UserInfoRejection::into_grpc`), with the challenge in
//! its metadata; an accepted call's handler finds the `UserInfo` in the request's extensions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::Router;
use axum_userinfo::test_util::TestIdp;
use axum_userinfo::{Guard, GuardLayer, Resolver, UserInfo, UserInfoLayer, UserInfoRejection};
use http::uri::PathAndQuery;
use tonic::Code;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Endpoint, Server};
use tonic_prost::ProstCodec;

/// The request of both methods: nothing.
#[derive(Clone, PartialEq, prost::Message)]
struct Empty {}

/// Who the handler saw.
#[derive(Clone, PartialEq, prost::Message)]
struct Caller {
    #[prost(string, tag = "1")]
    user_id: String,
    #[prost(string, tag = "2")]
    source: String,
}

/// The unary handler of both methods: the caller from the request's extensions.
#[derive(Clone, Copy)]
struct WhoAmI;

impl tonic::server::UnaryService<Empty> for WhoAmI {
    type Response = Caller;
    type Future = std::future::Ready<Result<tonic::Response<Caller>, tonic::Status>>;

    fn call(&mut self, request: tonic::Request<Empty>) -> Self::Future {
        std::future::ready(match request.extensions().get::<UserInfo>() {
            Some(user) => Ok(tonic::Response::new(Caller {
                user_id: user.user_id().to_string(),
                source: format!("{:?}", user.source()),
            })),
            None => Err(tonic::Status::internal("no UserInfo in the extensions")),
        })
    }
}

/// A gRPC method as a tower service (what tonic's codegen writes for each method).
#[derive(Clone, Copy)]
struct Method;

impl tower::Service<http::Request<axum::body::Body>> for Method {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<axum::body::Body>) -> Self::Future {
        Box::pin(async move {
            let mut grpc = tonic::server::Grpc::new(ProstCodec::<Caller, Empty>::default());
            Ok(grpc.unary(WhoAmI, request).await)
        })
    }
}

/// A tonic server on 127.0.0.1: `demo.Who/WhoAmI` for any user, `demo.Who/Deploy` behind a
/// guard requiring the scope `deploy`; every method behind the required identity layer.
async fn serve(resolver: Resolver) -> SocketAddr {
    let deploy = Guard::new("deploy").require_scopes(["deploy"]).unwrap();
    let methods = Router::new()
        .route_service("/demo.Who/Deploy", Method)
        .route_layer(
            GuardLayer::new(deploy)
                .with_rejection(UserInfoRejection::into_grpc::<axum::body::Body>),
        )
        .route_service("/demo.Who/WhoAmI", Method);
    let layer = UserInfoLayer::new(resolver)
        .required()
        .with_rejection(UserInfoRejection::into_grpc::<tonic::body::Body>);
    let incoming = TcpIncoming::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = incoming.local_addr().unwrap();
    let router = Server::builder()
        .layer(layer)
        .add_routes(tonic::service::Routes::from(methods));
    tokio::spawn(router.serve_with_incoming(incoming));
    addr
}

async fn channel(addr: SocketAddr) -> Channel {
    Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

/// Calls `method` with `authorization` (if any) from a real tonic client.
async fn call(
    channel: &Channel,
    method: &'static str,
    authorization: Option<&str>,
) -> Result<Caller, tonic::Status> {
    let mut client = tonic::client::Grpc::new(channel.clone());
    client.ready().await.unwrap();
    let mut request = tonic::Request::new(Empty {});
    if let Some(value) = authorization {
        request
            .metadata_mut()
            .insert("authorization", value.parse().unwrap());
    }
    let codec = ProstCodec::<Empty, Caller>::default();
    client
        .unary(request, PathAndQuery::from_static(method), codec)
        .await
        .map(tonic::Response::into_inner)
}

fn challenge(status: &tonic::Status) -> String {
    status
        .metadata()
        .get("www-authenticate")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_tonic_service_behind_the_layer_and_a_guard() {
    let idp = TestIdp::start().await;
    let resolver = Resolver::builder()
        .with_verifier(idp.verifier().allow_any_audience().build().unwrap())
        .build()
        .unwrap();
    let expected = resolver
        .resolve_async(&{
            let mut headers = http::HeaderMap::new();
            let bearer = format!("Bearer {}", idp.token().subject("alice").sign());
            headers.insert("authorization", bearer.parse().unwrap());
            headers
        })
        .await
        .unwrap()
        .unwrap();
    let channel = channel(serve(resolver).await).await;

    // A verified JWT: the handler sees the UserInfo the resolver gives for it.
    let plain = format!("Bearer {}", idp.token().subject("alice").sign());
    let caller = call(&channel, "/demo.Who/WhoAmI", Some(&plain))
        .await
        .unwrap();
    assert_eq!(caller.user_id, expected.user_id().to_string());
    assert_eq!(caller.source, format!("{:?}", expected.source()));

    // No credential, and a token that does not verify: UNAUTHENTICATED, with the challenge.
    let status = call(&channel, "/demo.Who/WhoAmI", None).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    assert!(challenge(&status).starts_with("Bearer"), "{status:?}");
    // The refusal's own text, from `grpc-status`/`grpc-message` (not tonic's reading of an
    // HTTP 401).
    assert_eq!(status.message(), "authentication required");
    let forged = format!(
        "Bearer {}",
        idp.token().subject("alice").sign_hmac(b"forged")
    );
    let status = call(&channel, "/demo.Who/WhoAmI", Some(&forged))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    assert!(challenge(&status).contains("invalid_token"), "{status:?}");
    assert!(
        status.message().starts_with("token verification failed"),
        "{status:?}"
    );
    assert!(
        !status.message().contains(&forged[7..]),
        "no token in the message"
    );

    // The guarded method without its scope: PERMISSION_DENIED, `insufficient_scope`, `deploy`.
    let status = call(&channel, "/demo.Who/Deploy", Some(&plain))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    let insufficient = challenge(&status);
    assert!(
        insufficient.contains("insufficient_scope"),
        "{insufficient}"
    );
    assert!(insufficient.contains("scope=\"deploy\""), "{insufficient}");
    assert_eq!(
        status.message(),
        "guard 'deploy' refused: missing scope deploy"
    );
    // …and with it, the handler runs.
    let scoped = format!(
        "Bearer {}",
        idp.token().subject("alice").claim("scope", "deploy").sign()
    );
    let caller = call(&channel, "/demo.Who/Deploy", Some(&scoped))
        .await
        .unwrap();
    assert_eq!(caller.user_id, expected.user_id().to_string());
    // Anonymous on the guarded method: the layer refuses first.
    let status = call(&channel, "/demo.Who/Deploy", None).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
}

//! The MCP layers: [`McpPolicyLayer`] (per-operation authorization behind
//! [`UserInfoLayer`](crate::UserInfoLayer)) and [`McpHeaderCheck`] (the routing headers
//! against the body, for the server that reads it). See [`mcp`](crate::mcp).

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::IntoResponse;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use crate::adapter::layer::ResponseFuture;
use crate::adapter::on_rejection::LayerRejection;
use crate::adapter::rejection::UserInfoRejection;
use crate::adapter::request::{layer_challenges, layer_user};
use crate::mcp::{
    BodyRefusal, HEADER_MISMATCH, McpHeaderError, McpOperation, McpPolicy, McpRefusal, check_body,
    error_body,
};

/// Left by [`McpHeaderCheck`] on a request whose headers match its body: the body's operation
/// (`None` for a message without a method, a JSON-RPC response), which the policy then judges
/// instead of the headers (a client of an older revision sends none).
#[derive(Debug, Clone)]
pub(crate) struct BodyOperation(pub(crate) Option<McpOperation>);

/// A JSON-RPC error response: `status`, `{"jsonrpc":"2.0","id":…,"error":{…}}`.
fn jsonrpc_error(
    status: StatusCode,
    id: &serde_json::Value,
    code: i64,
    message: &str,
) -> Response<Body> {
    let mut response = Response::new(Body::from(error_body(id, code, message)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The `400` of MCP routing headers that cannot be read: JSON-RPC error `-32020`
/// (`HeaderMismatch`, "headers missing or malformed"), `id` `null`. What
/// [`McpPolicyLayer`] answers with, for a forward-auth endpoint of your own too.
#[must_use]
pub fn mcp_header_refusal(error: &McpHeaderError) -> Response<Body> {
    jsonrpc_error(
        StatusCode::BAD_REQUEST,
        &serde_json::Value::Null,
        HEADER_MISMATCH,
        &error.to_string(),
    )
}

impl UserInfoRejection {
    /// An [`McpPolicy`]'s refusal as a rejection: a 401 naming every scope of the operation,
    /// or a 403; `Err` gives back the routing-header error of a `400`
    /// ([`mcp_header_refusal`]).
    ///
    /// # Errors
    /// The [`McpHeaderError`] of [`McpRefusal::BadHeaders`].
    pub fn from_mcp(refusal: McpRefusal) -> Result<Self, McpHeaderError> {
        match refusal {
            McpRefusal::BadHeaders(error) => Err(error),
            McpRefusal::MissingCredential { scopes } => Ok(Self::missing_credentials_for(&scopes)),
            McpRefusal::Denied(denied) => Ok(Self::denied(*denied)),
        }
    }
}

/// A tower [`Layer`] that authorizes each MCP operation by an [`McpPolicy`]: behind
/// [`UserInfoLayer`](crate::UserInfoLayer), in front of the MCP endpoint.
///
/// A `POST` is judged by its operation: the body's when [`McpHeaderCheck`] stands in front
/// (it checked the headers against it), else the routing headers (`Mcp-Method`, `Mcp-Name`;
/// missing or malformed: `400`, JSON-RPC `-32020`, or as
/// [`WithoutHeaders`](crate::mcp::WithoutHeaders) says). Other methods (the `GET` of an
/// event stream, the `DELETE` of a session) carry no operation: the policy's default guard.
/// A refusal is the layer's resolver's 401 (its `Bearer` challenge naming the operation's
/// scopes) or 403 (`insufficient_scope`, every scope of the operation), answered by the
/// layer's rejection handler when it has one. Put the `UserInfoLayer` in front in its
/// optional mode, so that an anonymous request reaches the policy and learns the scopes it
/// needs.
///
/// ```
/// use axum::{Router, routing::post};
/// use axum_userinfo::layer::{McpHeaderCheck, McpPolicyLayer};
/// use axum_userinfo::mcp::McpPolicy;
/// use axum_userinfo::{Resolver, UserInfoLayer};
///
/// let policy = McpPolicy::new()
///     .with_scopes("tools/call", Some("deploy_*"), ["deploy"])?
///     .with_scopes("tools/call", None, ["tools"])?;
/// let app: Router = Router::new()
///     .route("/mcp", post(|| async { "…" }))
///     .route_layer(McpPolicyLayer::new(policy)) // innermost: judges the operation
///     .route_layer(McpHeaderCheck::new()) // the body against the headers, first
///     .layer(UserInfoLayer::new(Resolver::new())); // who is calling, first of all
/// # Ok::<(), axum_userinfo::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct McpPolicyLayer {
    policy: Arc<McpPolicy>,
}

impl McpPolicyLayer {
    /// The layer of `policy`.
    #[must_use]
    pub fn new(policy: McpPolicy) -> Self {
        Self {
            policy: Arc::new(policy),
        }
    }
}

impl<S> Layer<S> for McpPolicyLayer {
    type Service = McpPolicyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        McpPolicyService {
            inner,
            policy: Arc::clone(&self.policy),
        }
    }
}

/// The service of [`McpPolicyLayer`].
#[derive(Debug, Clone)]
pub struct McpPolicyService<S> {
    inner: S,
    policy: Arc<McpPolicy>,
}

impl<S, B> Service<Request<B>> for McpPolicyService<S>
where
    S: Service<Request<B>, Response = Response<Body>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, Body, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let extensions = request.extensions();
        let Some(user) = layer_user(extensions) else {
            return ResponseFuture::rejected(UserInfoRejection::missing_layer().into_response());
        };
        let outcome = if request.method() != Method::POST {
            self.policy.authorize_default(user)
        } else {
            match extensions.get::<BodyOperation>() {
                Some(BodyOperation(Some(operation))) => {
                    self.policy.authorize(Some(operation), user)
                }
                Some(BodyOperation(None)) => self.policy.authorize_default(user),
                None => self.policy.authorize_headers(request.headers(), user),
            }
        };
        let Err(refusal) = outcome else {
            return ResponseFuture::inner(self.inner.call(request));
        };
        let rejection = match UserInfoRejection::from_mcp(refusal) {
            Ok(rejection) => rejection,
            Err(error) => {
                tracing::debug!(%error, "MCP request refused: routing headers");
                return ResponseFuture::rejected(mcp_header_refusal(&error));
            }
        };
        let rejection = rejection.with_challenges(layer_challenges(extensions));
        tracing::debug!(
            status = rejection.status().as_u16(),
            "MCP operation refused"
        );
        let response = match extensions.get::<LayerRejection<Body>>() {
            Some(handler) => handler.0.on_rejection(rejection),
            None => rejection.into_response(),
        };
        ResponseFuture::rejected(response)
    }
}

/// The default body limit of [`McpHeaderCheck`]: 4 MiB.
pub const DEFAULT_MCP_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// A tower [`Layer`] for the MCP server that reads the body (an in-process server): checks
/// that the routing headers match the JSON-RPC body ([`check_body`]), answers `400` with
/// JSON-RPC error `-32020` (`HeaderMismatch`) when they do not (`-32700` for a body that is
/// not JSON, `-32600` for one that is not a message), `413` past the body limit, and hands the
/// body on unchanged, with its operation for an [`McpPolicyLayer`] behind it. Only `POST`s are
/// read; other methods pass as they are.
///
/// Without it, a token allowed `read_file` calls `delete_file` by sending
/// `Mcp-Name: read_file`: a gateway (or the policy) decides on the headers, the server acts on
/// the body. See [`McpPolicyLayer`] for the order of the layers.
#[derive(Debug, Clone, Copy)]
pub struct McpHeaderCheck {
    limit: usize,
}

impl Default for McpHeaderCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl McpHeaderCheck {
    /// The check, with a body limit of [`DEFAULT_MCP_BODY_LIMIT`].
    #[must_use]
    pub fn new() -> Self {
        Self {
            limit: DEFAULT_MCP_BODY_LIMIT,
        }
    }

    /// Refuses bodies over `limit` bytes with `413`.
    #[must_use]
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }
}

impl<S> Layer<S> for McpHeaderCheck {
    type Service = McpHeaderCheckService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        McpHeaderCheckService {
            inner,
            limit: self.limit,
        }
    }
}

/// The service of [`McpHeaderCheck`].
#[derive(Clone)]
pub struct McpHeaderCheckService<S> {
    inner: S,
    limit: usize,
}

impl<S: fmt::Debug> fmt::Debug for McpHeaderCheckService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("McpHeaderCheckService")
            .field("inner", &self.inner)
            .field("limit", &self.limit)
            .finish()
    }
}

/// The future of [`McpHeaderCheckService`].
pub type McpHeaderCheckFuture =
    Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

impl<S> Service<Request<Body>> for McpHeaderCheckService<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = McpHeaderCheckFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // The clone that was driven to readiness serves this request (tower's usual swap).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        if request.method() != Method::POST {
            return Box::pin(inner.call(request));
        }
        let limit = self.limit;
        Box::pin(async move {
            let too_large = || {
                let message = format!("the request body exceeds {limit} bytes");
                jsonrpc_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &serde_json::Value::Null,
                    -32600,
                    &message,
                )
            };
            let announced = (request.headers().get(CONTENT_LENGTH))
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.parse::<u64>().ok());
            if announced.is_some_and(|length| length > limit as u64) {
                return Ok(too_large());
            }
            let (mut parts, body) = request.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
                return Ok(too_large());
            };
            match check_body(&parts.headers, &bytes) {
                Ok(checked) => {
                    parts.extensions.insert(BodyOperation(checked.operation));
                    inner
                        .call(Request::from_parts(parts, Body::from(bytes)))
                        .await
                }
                Err(BodyRefusal { code, message, id }) => {
                    tracing::debug!(code, "MCP request refused: headers against the body");
                    Ok(jsonrpc_error(StatusCode::BAD_REQUEST, &id, code, &message))
                }
            }
        })
    }
}

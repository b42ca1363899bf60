//! [`UserInfoLayer`]: resolve every request and hand the [`UserInfo`] to handlers.
//!
//! ```
//! use axum::{Extension, Router, routing::get};
//! use axum_userinfo::{Resolver, UserInfo, UserInfoLayer};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let app = Router::new()
//!     .route("/", get(|Extension(user): Extension<UserInfo>| async move { user.user_id().to_string() }))
//!     .layer(UserInfoLayer::new(Resolver::new()).required());
//!
//! let request = http::Request::get("/").header("x-api-key", "sk-1").body(axum::body::Body::empty()).unwrap();
//! assert_eq!(app.clone().oneshot(request).await.unwrap().status(), 200);
//!
//! let anonymous = http::Request::get("/").body(axum::body::Body::empty()).unwrap();
//! assert_eq!(app.oneshot(anonymous).await.unwrap().status(), 401);
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderMap, Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::adapter::on_rejection::{DefaultRejection, OnRejection};
use crate::adapter::rejection::UserInfoRejection;
use crate::adapter::request::{Anonymous, is_websocket_upgrade, request_view};
use crate::resolve::{DPOP, Resolver, X_API_KEY};

/// A tower [`Layer`] that resolves every request with a [`Resolver`].
///
/// A resolved user is inserted into the request's extensions, so handlers take
/// `Extension<UserInfo>`, `UserInfo` or `Option<UserInfo>`. A bad credential is refused with a
/// [`UserInfoRejection`] before the handler runs: 401, or 400 for a malformed request, 403 for
/// a refused origin or an untrusted proxy, 431 for an oversized credential, 503 when an
/// issuer's keys cannot be had ([`UserInfoRejection::status`]). In the
/// default *optional* mode anonymous requests pass without a user; in *required* mode
/// ([`required`](Self::required)) they are refused with 401. A WebSocket upgrade is resolved like
/// any request, its `?session=` id included.
///
/// The layer serves any tower stack whose responses are `http::Response<B>`: axum's, tonic's
/// (`B` = `tonic::body::Body`) or your own. Refusals are answered by `R`, an [`OnRejection`]:
/// [`DefaultRejection`] unless [`with_rejection`](Self::with_rejection) gave one.
#[must_use]
pub struct UserInfoLayer<R = DefaultRejection> {
    config: Arc<Config<R>>,
}

impl<R> Clone for UserInfoLayer<R> {
    fn clone(&self) -> Self {
        Self {
            config: Arc::clone(&self.config),
        }
    }
}

struct Config<R> {
    resolver: Resolver,
    required: bool,
    on_rejection: Arc<R>,
}

impl<R> Clone for Config<R> {
    fn clone(&self) -> Self {
        Self {
            resolver: self.resolver.clone(),
            required: self.required,
            on_rejection: Arc::clone(&self.on_rejection),
        }
    }
}

impl UserInfoLayer {
    /// A layer in optional mode: anonymous requests pass.
    pub fn new(resolver: Resolver) -> Self {
        Self {
            config: Arc::new(Config {
                resolver,
                required: false,
                on_rejection: Arc::new(DefaultRejection),
            }),
        }
    }
}

impl<R> UserInfoLayer<R> {
    /// Required mode: anonymous requests are refused with 401.
    ///
    /// ```
    /// # use axum_userinfo::{Resolver, UserInfoLayer};
    /// let layer = UserInfoLayer::new(Resolver::new()).required();
    /// assert!(layer.is_required());
    /// ```
    pub fn required(self) -> Self {
        self.with_required(true)
    }

    /// Sets the mode: `true` refuses anonymous requests, `false` lets them pass.
    ///
    /// ```
    /// # use axum_userinfo::{Resolver, UserInfoLayer};
    /// assert!(!UserInfoLayer::new(Resolver::new()).with_required(false).is_required());
    /// ```
    pub fn with_required(self, required: bool) -> Self {
        self.map_config(|config| config.required = required)
    }

    /// Replaces the response to a refused request: a closure from the [`UserInfoRejection`] to
    /// the stack's own response type.
    ///
    /// ```
    /// # use axum_userinfo::{Resolver, UserInfoLayer};
    /// use axum::response::IntoResponse;
    /// let layer = UserInfoLayer::new(Resolver::new())
    ///     .with_rejection(|rejection| (rejection.status(), "go away").into_response());
    /// ```
    ///
    /// A tonic server answers with a gRPC status instead (its body type is tonic's), as
    /// [`UserInfoRejection::into_grpc`] writes it:
    ///
    /// ```text
    /// let layer = UserInfoLayer::new(resolver)
    ///     .required()
    ///     .with_rejection(UserInfoRejection::into_grpc::<tonic::body::Body>);
    /// tonic::transport::Server::builder().layer(layer).add_service(service);
    /// ```
    pub fn with_rejection<F, B>(self, on_rejection: F) -> UserInfoLayer<F>
    where
        F: Fn(UserInfoRejection) -> Response<B> + Send + Sync + 'static,
    {
        let config = &*self.config;
        UserInfoLayer {
            config: Arc::new(Config {
                resolver: config.resolver.clone(),
                required: config.required,
                on_rejection: Arc::new(on_rejection),
            }),
        }
    }

    /// Whether anonymous requests are refused.
    #[must_use]
    pub fn is_required(&self) -> bool {
        self.config.required
    }

    /// The resolver.
    #[must_use]
    pub fn resolver(&self) -> &Resolver {
        &self.config.resolver
    }

    fn map_config(self, change: impl FnOnce(&mut Config<R>)) -> Self {
        let mut config = Config::clone(&self.config);
        change(&mut config);
        Self {
            config: Arc::new(config),
        }
    }
}

impl<R> fmt::Debug for UserInfoLayer<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserInfoLayer")
            .field("resolver", &self.config.resolver)
            .field("required", &self.config.required)
            .field("on_rejection", &std::any::type_name::<R>())
            .finish()
    }
}

impl<S, R> Layer<S> for UserInfoLayer<R> {
    type Service = UserInfoService<S, R>;

    fn layer(&self, inner: S) -> Self::Service {
        UserInfoService {
            inner,
            config: Arc::clone(&self.config),
        }
    }
}

/// The service of [`UserInfoLayer`].
pub struct UserInfoService<S, R = DefaultRejection> {
    inner: S,
    config: Arc<Config<R>>,
}

impl<S: Clone, R> Clone for UserInfoService<S, R> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            config: Arc::clone(&self.config),
        }
    }
}

impl<S, R> UserInfoService<S, R> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The wrapped service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: fmt::Debug, R> fmt::Debug for UserInfoService<S, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserInfoService")
            .field("inner", &self.inner)
            .field("required", &self.config.required)
            .finish_non_exhaustive()
    }
}

impl<S, R, B, ResBody> Service<Request<B>> for UserInfoService<S, R>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    ResBody: Default + Send + 'static,
    R: OnRejection<ResBody> + Send + Sync + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let config = &*self.config;
        mark_sensitive(request.headers_mut());
        let upgrade = is_websocket_upgrade(request.method(), request.headers());
        let pending = config.resolver.begin(view(upgrade, &request));
        #[cfg(feature = "verify")] // without it, a resolution is always ready
        if !pending.is_ready() {
            // A verified JWT missed its issuer's fetched keys: it waits for the refetch,
            // parsed, and the request goes on once it is finished.
            let config = Arc::clone(&self.config);
            let clone = self.inner.clone();
            let mut inner = std::mem::replace(&mut self.inner, clone);
            return ResponseFuture::boxed(Box::pin(async move {
                let outcome = pending.finish().await;
                match admit(&config, &mut request, upgrade, outcome) {
                    Ok(()) => inner.call(request).await,
                    Err(response) => Ok(response),
                }
            }));
        }
        let outcome = pending.now();
        match admit(config, &mut request, upgrade, outcome) {
            Ok(()) => ResponseFuture::inner(self.inner.call(request)),
            Err(response) => ResponseFuture::rejected(response),
        }
    }
}

/// The request as the resolver sees it.
fn view<B>(upgrade: bool, request: &Request<B>) -> crate::resolve::request::RequestView<'_> {
    request_view(
        upgrade,
        (request.method(), request.uri()),
        request.headers(),
        request.extensions(),
    )
}

/// Lets a resolved request through (its user, or the anonymous marker, in its extensions), or
/// refuses it with the rejection's response.
#[allow(
    clippy::result_large_err,
    reason = "tower-http's pass-or-refuse shape; boxing would allocate per refusal"
)]
fn admit<B, R, ResBody>(
    config: &Config<R>,
    request: &mut Request<B>,
    upgrade: bool,
    outcome: Result<Option<crate::identity::user_info::UserInfo>, crate::error::ResolveError>,
) -> Result<(), Response<ResBody>>
where
    R: OnRejection<ResBody> + Send + Sync + 'static,
    ResBody: 'static,
{
    let rejection = match outcome {
        Ok(user) if user.is_some() || !config.required => {
            let extensions = request.extensions_mut();
            // Guards behind the layer answer with its rejection handler, when it has one.
            if !crate::adapter::on_rejection::is_default::<R>() {
                let handler = Arc::clone(&config.on_rejection);
                extensions.insert(crate::adapter::on_rejection::LayerRejection::<ResBody>(
                    handler,
                ));
            }
            match user {
                Some(user) => {
                    tracing::debug!(user_id = %user.user_id(), source = %user.source(), "user resolved");
                    extensions.insert(user);
                }
                None => {
                    tracing::debug!("anonymous request");
                    extensions.insert(Anonymous);
                }
            }
            // Guards and extractors behind the layer refuse with its resolver's challenges.
            let challenges = &config.resolver.config().challenges;
            if !challenges.is_default() {
                let by = crate::adapter::request::LayerChallenges(Arc::clone(challenges));
                extensions.insert(by);
            }
            // A WebSocket upgrade also carries the resolver, for the socket's auth messages.
            #[cfg(feature = "ws")]
            if upgrade {
                extensions.insert(crate::adapter::request::UpgradeResolver(
                    config.resolver.clone(),
                ));
            }
            #[cfg(not(feature = "ws"))]
            let _ = upgrade;
            return Ok(());
        }
        Ok(_) => UserInfoRejection::missing_credentials(),
        Err(error) => UserInfoRejection::refused(error),
    }
    .with_resolver(&config.resolver);
    tracing::debug!(status = rejection.status().as_u16(), reason = %rejection, "request refused");
    Err(config.on_rejection.on_rejection(rejection))
}

/// Marks the credential headers sensitive, so that what logs a request's headers after this
/// layer (with `Debug`) shows `Sensitive` rather than the credential, and HTTP/2 never indexes
/// them.
fn mark_sensitive(headers: &mut HeaderMap) {
    // One pass over a request's few headers costs less than three map lookups.
    for (name, value) in headers.iter_mut() {
        if name == AUTHORIZATION || name == COOKIE || name == X_API_KEY || name == DPOP {
            value.set_sensitive(true);
        }
    }
}

/// What a refusal's future answers if it is polled again after it completed: 500, never the
/// empty 200 of a default response.
fn polled_after_completion<B: Default>() -> Response<B> {
    tracing::error!("UserInfoService's response future polled after completion");
    let mut response = Response::new(B::default());
    *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
    response
}

/// The boxed future of a request that waits for its issuer's keys.
type AwaitingKeys<B, E> = Pin<Box<dyn Future<Output = Result<Response<B>, E>> + Send>>;

pin_project! {
    /// The response future of [`UserInfoService`]: the inner service's, a ready rejection, or
    /// (rarely: a verified JWT waiting for its issuer's keys) a boxed one.
    pub struct ResponseFuture<F, B = axum::body::Body, E = std::convert::Infallible> {
        #[pin]
        kind: Kind<F, B, E>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F, B, E> {
        Inner { #[pin] future: F },
        Rejected { response: Option<Response<B>> },
        AwaitingKeys { future: AwaitingKeys<B, E> },
    }
}

impl<F, B, E> ResponseFuture<F, B, E> {
    pub(crate) fn inner(future: F) -> Self {
        Self {
            kind: Kind::Inner { future },
        }
    }

    pub(crate) fn rejected(response: Response<B>) -> Self {
        Self {
            kind: Kind::Rejected {
                response: Some(response),
            },
        }
    }

    #[cfg(feature = "verify")]
    fn boxed(future: AwaitingKeys<B, E>) -> Self {
        Self {
            kind: Kind::AwaitingKeys { future },
        }
    }
}

impl<F, B, E> fmt::Debug for ResponseFuture<F, B, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, B: Default, E> Future for ResponseFuture<F, B, E>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Inner { future } => future.poll(cx),
            // Polled after it completed (a caller's bug): never a success in place of the
            // refusal it already gave, and no panic.
            KindProj::Rejected { response } => {
                Poll::Ready(Ok(response.take().unwrap_or_else(polled_after_completion)))
            }
            KindProj::AwaitingKeys { future } => future.as_mut().poll(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[test]
    fn a_refusal_polled_again_is_never_a_success() {
        let refusal = UserInfoRejection::missing_credentials().into_response();
        let mut future: ResponseFuture<
            std::future::Ready<Result<Response<axum::body::Body>, ()>>,
            axum::body::Body,
            (),
        > = ResponseFuture::rejected(refusal);
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut future = Pin::new(&mut future);
        let Poll::Ready(Ok(first)) = future.as_mut().poll(&mut cx) else {
            panic!("a refusal is ready");
        };
        assert_eq!(first.status(), 401);
        let Poll::Ready(Ok(again)) = future.as_mut().poll(&mut cx) else {
            panic!("ready again");
        };
        assert_eq!(
            again.status(),
            500,
            "never the empty 200 of Response::default()"
        );
    }
}

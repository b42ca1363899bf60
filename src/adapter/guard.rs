//! A [`Guard`] in an axum app: [`GuardLayer`] on a route or a router, or the
//! [`Authorized`] extractor in a handler.
//!
//! Both read the user [`UserInfoLayer`](crate::UserInfoLayer) resolved. Without a credential
//! they answer 401 with the layer's challenges; a user who lacks what the guard requires gets
//! 403 with `WWW-Authenticate: Bearer error="insufficient_scope"` (and `scope="…"` when the
//! guard requires scopes) and the reference's error body, code `insufficient_scope` or
//! `forbidden`. A guard with no resolution in front of it fails closed: 500, naming the fix.
//!
//! **WebSockets.** On an upgrade route the guard checks the upgrade's user: one who lacks what
//! it requires is refused (403) before the upgrade, and, by default, an *anonymous* upgrade is
//! refused (401) like any anonymous request. A socket that authenticates by an auth message
//! after it opens needs its anonymous upgrade let through: that is an explicit choice,
//! [`GuardLayer::allow_anonymous_upgrades`], for a route whose handler is a WebSocket handler
//! (it must never reach a plain handler, which would run with no user). Only a complete
//! handshake counts as an upgrade (`GET` with `Upgrade: websocket`, `Connection: upgrade`,
//! `Sec-WebSocket-Version: 13` and a `Sec-WebSocket-Key`, or HTTP/2's extended `CONNECT`): an
//! `Upgrade` header on any other request changes nothing. The guard goes with the socket
//! ([`WebSocketAuth`](crate::WebSocketAuth) takes it), and a user an auth message resolves must
//! pass it too. One who does not gets an error reply (code `insufficient_scope` or
//! `forbidden`) and **the socket's identity stays as it was** (still anonymous, closed at its
//! auth deadline; or the user it had). The same holds when an auth message would renew a
//! socket's user to one who fails the guard.
//!
//! ```
//! use axum::{Router, routing::get};
//! use axum_userinfo::{Guard, GuardLayer, Resolver, UserInfoLayer};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let admins = Guard::new("admins").any_role(["admin"])?;
//! let app = Router::new()
//!     .route("/admin", get(|| async { "hello, admin" }))
//!     .route_layer(GuardLayer::new(admins))
//!     .layer(UserInfoLayer::new(Resolver::new()));
//!
//! let request = |key: Option<&str>| {
//!     let request = http::Request::get("/admin");
//!     let request = match key { Some(key) => request.header("x-api-key", key), None => request };
//!     request.body(axum::body::Body::empty()).unwrap()
//! };
//! assert_eq!(app.clone().oneshot(request(None)).await?.status(), 401); // who are you?
//! let refused = app.oneshot(request(Some("sk-1"))).await?; // an API key has no role
//! assert_eq!(refused.status(), 403);
//! assert_eq!(refused.headers()["www-authenticate"], r#"Bearer error="insufficient_scope""#);
//! # Ok(())
//! # }
//! ```
//!
//! The extractor names its guard by a type:
//!
//! ```
//! use std::sync::LazyLock;
//! use axum::{Router, routing::post};
//! use axum_userinfo::{Authorized, Guard, RouteGuard, UserInfoLayer, Resolver};
//!
//! struct OrdersWrite;
//! impl RouteGuard for OrdersWrite {
//!     fn guard() -> &'static Guard {
//!         static GUARD: LazyLock<Guard> = LazyLock::new(|| {
//!             Guard::new("orders-write").require_scopes(["orders:write"]).expect("a scope token")
//!         });
//!         &GUARD
//!     }
//! }
//!
//! async fn create_order(Authorized(user, ..): Authorized<OrdersWrite>) -> String {
//!     format!("order placed by {}", user.user_id())
//! }
//!
//! let app: Router = Router::new()
//!     .route("/orders", post(create_order))
//!     .layer(UserInfoLayer::new(Resolver::new()));
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::FromRequestParts;
use http::request::Parts;
use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::adapter::extract::{user_of, with_resource};
use crate::adapter::layer::ResponseFuture;
use crate::adapter::on_rejection::{DefaultRejection, LayerRejection, OnRejection, is_default};
use crate::adapter::rejection::UserInfoRejection;
#[cfg(feature = "ws")]
use crate::adapter::request::UpgradeResolver;
use crate::adapter::request::{layer_challenges, layer_user};
use crate::authorize::Guard;
use crate::identity::user_info::UserInfo;

/// A tower [`Layer`] that lets a request through only when its user passes a [`Guard`]. Put
/// it behind [`UserInfoLayer`](crate::UserInfoLayer) (`route_layer` on the routes it guards,
/// then `layer(UserInfoLayer…)`).
///
/// A refusal is the layer's resolver's (the same status, challenges and body as the layer's
/// own), answered by `R`: [`DefaultRejection`] unless
/// [`with_rejection`](Self::with_rejection) gave one.
#[derive(Clone)]
#[must_use]
pub struct GuardLayer<R = DefaultRejection> {
    guard: Guard,
    #[cfg_attr(not(feature = "ws"), allow(dead_code, reason = "only sockets use it"))]
    anonymous_upgrades: bool,
    on_rejection: Arc<R>,
}

impl<R> fmt::Debug for GuardLayer<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardLayer")
            .field("guard", &self.guard)
            .field("anonymous_upgrades", &self.anonymous_upgrades)
            .finish_non_exhaustive()
    }
}

impl GuardLayer {
    /// The layer of `guard`. Anonymous requests, WebSocket upgrades included, are refused
    /// with 401.
    pub fn new(guard: Guard) -> Self {
        Self {
            guard,
            anonymous_upgrades: false,
            on_rejection: Arc::new(DefaultRejection),
        }
    }
}

impl<R> GuardLayer<R> {
    /// Replaces the response to a refused request, as
    /// [`UserInfoLayer::with_rejection`](crate::UserInfoLayer::with_rejection) does (the same
    /// closure fits both).
    ///
    /// ```
    /// use axum::response::IntoResponse;
    /// use axum_userinfo::{Guard, GuardLayer};
    /// let guard = Guard::new("orders").require_scopes(["orders:read"]).unwrap();
    /// let layer = GuardLayer::new(guard)
    ///     .with_rejection(|rejection| (rejection.status(), "no entry").into_response());
    /// ```
    pub fn with_rejection<F, B>(self, on_rejection: F) -> GuardLayer<F>
    where
        F: Fn(UserInfoRejection) -> Response<B> + Send + Sync + 'static,
    {
        GuardLayer {
            guard: self.guard,
            anonymous_upgrades: self.anonymous_upgrades,
            on_rejection: Arc::new(on_rejection),
        }
    }

    /// Lets an anonymous WebSocket upgrade (a complete handshake, and nothing else) through to
    /// the handler, whose socket must then authenticate with an auth message that passes the
    /// guard ([`WebSocketAuth`](crate::WebSocketAuth) and
    /// [`SocketIdentity`](crate::SocketIdentity) enforce it; an anonymous socket is closed at
    /// its auth deadline). Use it only on routes whose handler takes
    /// [`WebSocketUpgrade`](axum::extract::ws::WebSocketUpgrade): a plain handler behind it
    /// would run for a request with no user.
    #[cfg(feature = "ws")]
    pub fn allow_anonymous_upgrades(mut self) -> Self {
        self.anonymous_upgrades = true;
        self
    }

    /// The guard.
    #[must_use]
    pub fn guard(&self) -> &Guard {
        &self.guard
    }
}

impl<S, R> Layer<S> for GuardLayer<R> {
    type Service = GuardService<S, R>;

    fn layer(&self, inner: S) -> Self::Service {
        GuardService {
            inner,
            guard: self.guard.clone(),
            anonymous_upgrades: self.anonymous_upgrades,
            on_rejection: Arc::clone(&self.on_rejection),
        }
    }
}

/// The service of [`GuardLayer`].
pub struct GuardService<S, R = DefaultRejection> {
    inner: S,
    guard: Guard,
    #[cfg_attr(not(feature = "ws"), allow(dead_code, reason = "only sockets use it"))]
    anonymous_upgrades: bool,
    on_rejection: Arc<R>,
}

impl<S: Clone, R> Clone for GuardService<S, R> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            guard: self.guard.clone(),
            anonymous_upgrades: self.anonymous_upgrades,
            on_rejection: Arc::clone(&self.on_rejection),
        }
    }
}

impl<S: fmt::Debug, R> fmt::Debug for GuardService<S, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardService")
            .field("inner", &self.inner)
            .field("guard", &self.guard)
            .finish_non_exhaustive()
    }
}

impl<S, R, B, ResBody> Service<Request<B>> for GuardService<S, R>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    R: OnRejection<ResBody> + 'static,
    ResBody: Default + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    #[cfg_attr(
        not(feature = "ws"),
        allow(unused_mut, reason = "only an upgrade is changed")
    )]
    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let extensions = request.extensions();
        // The layer marks an upgrade it let through (cheaper than reading its headers again).
        #[cfg(feature = "ws")]
        let upgrade = extensions.get::<UpgradeResolver>().is_some();
        let refusal = match layer_user(extensions) {
            // No UserInfoLayer in front: a configuration error, never a pass.
            None => UserInfoRejection::missing_layer(),
            // An anonymous WebSocket upgrade may still authenticate with an auth message, when
            // the route says so: the socket checks that message's user against the guard.
            #[cfg(feature = "ws")]
            Some(None) if upgrade && self.anonymous_upgrades => {
                self.pass_to_socket(&mut request);
                return ResponseFuture::inner(self.inner.call(request));
            }
            Some(user) => match self.guard.authorize(user) {
                Ok(()) => {
                    #[cfg(feature = "ws")]
                    if upgrade {
                        self.pass_to_socket(&mut request);
                    }
                    return ResponseFuture::inner(self.inner.call(request));
                }
                Err(error) => UserInfoRejection::for_guard(error, &self.guard)
                    .with_challenges(layer_challenges(extensions)),
            },
        };
        tracing::debug!(
            guard = self.guard.name(),
            status = refusal.status().as_u16(),
            "request refused by a guard"
        );
        // A guard without a handler of its own answers with the layer's, when it has one.
        let layer_handler = (is_default::<R>())
            .then(|| request.extensions().get::<LayerRejection<ResBody>>())
            .flatten();
        let response = match layer_handler {
            Some(handler) => handler.0.on_rejection(refusal),
            None => self.on_rejection.on_rejection(refusal),
        };
        ResponseFuture::rejected(response)
    }
}

impl<S, R> GuardService<S, R> {
    /// Leaves the guard on an upgrade, for the socket's auth messages ([`SocketGuards`]).
    #[cfg(feature = "ws")]
    fn pass_to_socket<B>(&self, request: &mut Request<B>) {
        let extensions = request.extensions_mut();
        match extensions.get_mut::<SocketGuards>() {
            Some(guards) => guards.0.push(self.guard.clone()),
            None => {
                extensions.insert(SocketGuards(vec![self.guard.clone()]));
            }
        }
    }
}

/// The guards of a WebSocket upgrade's route, left by [`GuardService`]: a user an auth message
/// resolves must pass them all to become the socket's.
#[cfg(feature = "ws")]
#[derive(Debug, Clone, Default)]
pub(crate) struct SocketGuards(pub(crate) Vec<Guard>);

#[cfg(feature = "ws")]
impl SocketGuards {
    /// What `user` lacks, by the first guard that refuses it.
    pub(crate) fn check(&self, user: &UserInfo) -> Result<(), Box<crate::authorize::Denied>> {
        self.0
            .iter()
            .try_for_each(|guard| guard.authorize_user(user))
    }
}

/// A guard named by a type, for the [`Authorized`] extractor.
pub trait RouteGuard: Send + Sync + 'static {
    /// The guard (built once, e.g. in a `static LazyLock`).
    fn guard() -> &'static Guard;
}

/// The request's user, when it passes `G`'s guard: an extractor. Refuses as [`GuardLayer`]
/// does; resolves the request itself when no layer did, as the `UserInfo` extractor does.
pub struct Authorized<G>(pub UserInfo, pub PhantomData<G>);

impl<G> fmt::Debug for Authorized<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Authorized").field(&self.0).finish()
    }
}

impl<G: RouteGuard, S: Send + Sync + 'static> FromRequestParts<S> for Authorized<G> {
    type Rejection = UserInfoRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = user_of(parts, state).await?;
        let refused = |rejection| with_resource(rejection, parts, state);
        G::guard()
            .authorize(user.as_ref())
            .map_err(|error| refused(UserInfoRejection::for_guard(error, G::guard())))?;
        // `authorize` refused the request without a user: always there.
        user.map(|user| Self(user, PhantomData)).ok_or_else(|| {
            refused(UserInfoRejection::missing_credentials_for(
                G::guard().required_scopes(),
            ))
        })
    }
}

//! WebSockets: the identity of an upgrade, and auth messages on the open socket.
//!
//! Browsers cannot read an HTTP 401 on a WebSocket upgrade, so, as in the reference, the
//! [`WebSocketAuth`] extractor never refuses the upgrade: it resolves it (headers and
//! `?session=`), and [`WebSocketAuth::accept`] then either hands back the socket's
//! [`SocketIdentity`] or sends the error reply and closes the socket with code 1008.
//! On the open socket, [`SocketIdentity::recv`] answers every `auth_message` frame (or
//! [`SocketIdentity::on_text`], for a loop of your own); an identity resolved from one replaces
//! the socket's identity for the rest of the socket, and an anonymous socket that sends none in
//! time is closed with 1008.
//!
//! ```no_run
//! use axum::extract::ws::{Message, WebSocketUpgrade};
//! use axum::{Router, response::Response, routing::get};
//! use axum_userinfo::WebSocketAuth;
//!
//! async fn socket(ws: WebSocketUpgrade, auth: WebSocketAuth) -> Response {
//!     ws.on_upgrade(|mut socket| async move {
//!         let Some(mut identity) = auth.accept(&mut socket).await else { return };
//!         // Auth messages are answered inside recv(); an anonymous socket has 10 s to send one.
//!         while let Some(message) = identity.recv(&mut socket).await {
//!             if let Message::Text(_text) = message { /* identity.user() is the caller */ }
//!         }
//!     })
//! }
//! let app: Router = Router::new().route("/ws", get(socket));
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use axum::extract::FromRequestParts;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use http::request::Parts;
use tokio::time::Instant;

use crate::adapter::extract::resolver_for;
use crate::adapter::guard::SocketGuards;
use crate::adapter::rejection::UserInfoRejection;
use crate::adapter::request::{UpgradeResolver, request_view, resolve_parts, resolved_by_layer};
use crate::error::ResolveError;
use crate::identity::user_info::UserInfo;
use crate::mtls::PresentedCertificate;
use crate::resolve::Resolver;
use crate::websocket::{AuthResponse, HandledAuthMessage};

/// The close reason for an anonymous socket that did not authenticate in time.
const TIMED_OUT: &str = "Authentication timed out";
/// The close reason for a socket whose verified JWT expired without a renewal.
const EXPIRED: &str = "Authentication expired";
/// The close reason for a socket whose verified JWT's key left its issuer's key set.
const REVOKED: &str = "Authentication revoked";

/// How long a socket being refused may take to accept the close frame (or an error reply)
/// before it is dropped without the close handshake: a peer that does not read cannot pin
/// the task and its buffers.
const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// The furthest deadline computed: a configured duration past it (`Duration::MAX`, say) is
/// saturated to it rather than overflow an `Instant`.
const FAR_FUTURE: Duration = Duration::from_secs(30 * 365 * 24 * 60 * 60);

/// `now + after`, saturated at [`FAR_FUTURE`]; never panics. Should even that not fit, the
/// deadline is now (fail closed).
fn deadline_in(after: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(after.min(FAR_FUTURE)).unwrap_or(now)
}

/// Sends a close frame with code 1008 (policy violation), waiting [`CLOSE_GRACE`] at most. A
/// peer already gone needs none.
async fn close_policy(socket: &mut WebSocket, reason: &'static str) {
    let close = CloseFrame {
        code: crate::error::WEBSOCKET_CLOSE_POLICY,
        reason: reason.into(),
    };
    let send = socket.send(Message::Close(Some(close)));
    let _ = tokio::time::timeout(CLOSE_GRACE, send).await;
}

/// The resolved identity of a WebSocket upgrade, not yet judged.
///
/// Browsers cannot read an HTTP 401 on a WebSocket upgrade, so, as in the reference, this
/// extractor never refuses the upgrade: [`accept`](Self::accept) either hands back the socket's
/// [`SocketIdentity`] or sends the error reply and closes the socket with code 1008.
///
/// Behind a [`UserInfoLayer`](crate::UserInfoLayer) it takes the layer's result (the layer has
/// already refused bad credentials, before the upgrade); otherwise it resolves the upgrade with
/// the resolver found as for the `UserInfo` extractor. Without any resolver the upgrade is
/// refused with 500: never resolved with a default.
#[derive(Debug, Clone)]
pub struct WebSocketAuth {
    outcome: Result<Option<UserInfo>, ResolveError>,
    resolver: Resolver,
    guards: SocketGuards,
    /// The upgrade's client certificate, for the socket's certificate-bound tokens.
    certificate: Option<PresentedCertificate>,
}

impl<S> FromRequestParts<S> for WebSocketAuth
where
    S: Send + Sync + 'static,
{
    /// Only a missing resolver refuses the upgrade (500, see
    /// [`UserInfoRejection::missing_resolver`]); a refused credential is answered on the socket.
    type Rejection = UserInfoRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let resolver = match parts.extensions.get::<UpgradeResolver>() {
            Some(layer_resolver) => layer_resolver.0.clone(),
            None => resolver_for(parts, state)?,
        };
        let outcome = match resolved_by_layer(&parts.extensions) {
            Some(user) => Ok(user),
            None => resolve_parts(&resolver, parts).await,
        };
        let guards = parts
            .extensions
            .get::<SocketGuards>()
            .cloned()
            .unwrap_or_default();
        let view = request_view(
            true,
            (&parts.method, &parts.uri),
            &parts.headers,
            &parts.extensions,
        );
        let certificate = resolver.upgrade_certificate(view);
        Ok(Self {
            outcome,
            resolver,
            guards,
            certificate,
        })
    }
}

impl WebSocketAuth {
    /// The upgrade's outcome: the user (`None` when anonymous), or why it was refused.
    ///
    /// # Errors
    /// The [`ResolveError`] of a refused upgrade.
    pub fn resolution(&self) -> Result<Option<&UserInfo>, &ResolveError> {
        self.outcome.as_ref().map(Option::as_ref)
    }

    /// Starts the socket: its [`SocketIdentity`], or `None` after refusing it as the reference
    /// does: an unsafe `?session=` id closes with 1008 "Invalid session ID"; a refused
    /// credential gets the `auth_response_message` error reply, then a close with 1008.
    pub async fn accept(self, socket: &mut WebSocket) -> Option<SocketIdentity> {
        match self.outcome {
            Ok(user) => {
                let mut identity = SocketIdentity::new(self.resolver, user);
                identity.guards = self.guards;
                identity.certificate = self.certificate;
                Some(identity)
            }
            Err(error) => {
                let reason = error.close_reason();
                if error != ResolveError::InvalidSessionId {
                    let reply = AuthResponse::error(&error).to_json();
                    // A peer that is gone needs no reply; one that does not read gets none.
                    let send = socket.send(Message::Text(reply.into()));
                    if tokio::time::timeout(CLOSE_GRACE, send).await.is_err() {
                        return None;
                    }
                }
                tracing::debug!(reason, error = %error, "WebSocket refused");
                close_policy(socket, reason).await;
                None
            }
        }
    }
}

/// The identity of an open WebSocket, updated by auth messages.
///
/// An identity from a verified JWT lasts until the token's `exp` (plus the verifier's leeway,
/// [`UserInfo::valid_until`]): past it, [`user`](Self::user) is `None` and
/// [`recv`](Self::recv) closes the socket with 1008 "Authentication expired", unless an auth
/// message renewed the identity before. It ends with its key too: once the key that verified
/// the token has left its issuer's key set (rotated out or revoked, and refetched), the next
/// message closes the socket with 1008 "Authentication revoked", as HTTP refuses the token
/// from then on ([`UserInfo::is_still_valid`]).
#[derive(Clone)]
pub struct SocketIdentity {
    resolver: Resolver,
    user: Option<UserInfo>,
    /// When an anonymous socket must have authenticated by.
    deadline: Option<Instant>,
    /// When the user's verified JWT expires.
    expires: Option<Instant>,
    /// The guards of the upgrade's route ([`GuardLayer`](crate::GuardLayer)): a user an auth
    /// message resolves must pass them to become the socket's.
    guards: SocketGuards,
    /// The upgrade's client certificate (RFC 8705): what an auth message's certificate-bound
    /// token must name.
    certificate: Option<PresentedCertificate>,
}

/// What [`SocketIdentity::on_text`] made of a text frame.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TextFrameAction {
    /// Not an auth message: the frame is the application's.
    NotAuthMessage,
    /// An auth message: send this `auth_response_message` back.
    Reply(Message),
    /// An auth message that takes no reply (an OAuth mode preference).
    NoReply,
}

/// When a user's identity expires, as a deadline on the runtime's clock.
fn expiry_of(user: Option<&UserInfo>) -> Option<Instant> {
    let valid_until = user?.valid_until()?;
    let left = valid_until
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO);
    Some(deadline_in(left))
}

impl SocketIdentity {
    /// A socket's identity: `user` is `None` for an anonymous socket, which then has the
    /// resolver's [`websocket_auth_timeout`](Resolver::websocket_auth_timeout) to authenticate
    /// (a timeout too long for the clock is saturated, never a panic).
    #[must_use]
    pub fn new(resolver: Resolver, user: Option<UserInfo>) -> Self {
        let timeout = resolver.websocket_auth_timeout().filter(|_| user.is_none());
        let deadline = timeout.map(deadline_in);
        let expires = expiry_of(user.as_ref());
        Self {
            resolver,
            user,
            deadline,
            expires,
            guards: SocketGuards::default(),
            certificate: None,
        }
    }

    /// The socket's next frame for the application: auth messages are answered here, an
    /// anonymous socket that has not authenticated by the deadline is closed with 1008
    /// "Authentication timed out", and one whose verified JWT expired with 1008
    /// "Authentication expired". `None` when the socket is closed or fails.
    ///
    /// Until an anonymous socket authenticates, everything it costs is bounded by its
    /// deadline, replies included: a peer that sends auth messages and never reads the replies
    /// is dropped at the deadline, without waiting for a close handshake.
    ///
    /// ```no_run
    /// # use axum::extract::ws::{Message, WebSocket};
    /// # use axum_userinfo::SocketIdentity;
    /// # async fn serve(mut socket: WebSocket, mut identity: SocketIdentity) {
    /// while let Some(message) = identity.recv(&mut socket).await {
    ///     if let Message::Text(text) = message {
    ///         // The application's frame; identity.user() is the caller.
    ///     }
    /// }
    /// # }
    /// ```
    pub async fn recv(&mut self, socket: &mut WebSocket) -> Option<Message> {
        loop {
            let next = match self.wake_at() {
                Some(wake) => match tokio::time::timeout_at(wake, socket.recv()).await {
                    Ok(next) => next,
                    Err(_elapsed) => {
                        self.close_for_time(socket).await;
                        return None;
                    }
                },
                None => socket.recv().await,
            };
            let message = next?.ok()?;
            if self.is_expired() {
                self.close_for_time(socket).await;
                return None;
            }
            if let Message::Text(text) = &message {
                let frame = self
                    .bounded(
                        (self.resolver).handle_auth_frame_on_async(text, self.certificate.clone()),
                    )
                    .await?;
                match self.apply(frame) {
                    TextFrameAction::Reply(reply) => {
                        self.bounded(socket.send(reply)).await?.ok()?;
                        continue;
                    }
                    TextFrameAction::NoReply => continue,
                    TextFrameAction::NotAuthMessage => {}
                }
            }
            return Some(message);
        }
    }

    /// The socket's current user: `None` when it is anonymous, and once its verified JWT has
    /// expired or its key has left its issuer's key set.
    #[must_use]
    pub fn user(&self) -> Option<&UserInfo> {
        if self.is_expired() {
            return None;
        }
        self.user.as_ref()
    }

    /// Whether the user's identity has ended (and no auth message renewed it): its verified
    /// JWT has expired, or the key that verified it has left its issuer's key set.
    #[must_use]
    pub fn is_expired(&self) -> bool {
        self.has_timed_out() || self.is_revoked()
    }

    /// The verified JWT's `exp` (with the leeway) has passed.
    fn has_timed_out(&self) -> bool {
        self.expires.is_some_and(|at| Instant::now() >= at)
    }

    /// The key that verified the user's token is no longer its issuer's.
    fn is_revoked(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|user| !user.is_still_valid())
    }

    /// Handles a text frame: an `auth_message` is answered (and, when it resolves, becomes the
    /// socket's identity); any other frame is left to the application.
    ///
    /// A verified JWT whose issuer's fetched keys miss is refused here;
    /// [`recv`](Self::recv) waits for the refetch instead. A loop of your own must also check
    /// [`is_expired`](Self::is_expired) (or [`user`](Self::user)), which `recv` does for you.
    pub fn on_text(&mut self, text: &str) -> TextFrameAction {
        let frame = (self.resolver).handle_auth_frame_on(text, self.certificate.clone());
        self.apply(frame)
    }

    /// The first of the auth deadline and the expiry.
    fn wake_at(&self) -> Option<Instant> {
        match (self.deadline, self.expires) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Closes a socket whose auth deadline or expiry has passed, or whose key was revoked.
    async fn close_for_time(&self, socket: &mut WebSocket) {
        let reason = if self.has_timed_out() {
            EXPIRED
        } else if self.is_revoked() {
            REVOKED
        } else {
            TIMED_OUT
        };
        tracing::debug!(reason, "WebSocket closed");
        close_policy(socket, reason).await;
    }

    /// Runs `work` within the auth deadline of an anonymous socket: `None` once it passes
    /// (the caller drops the socket).
    async fn bounded<T>(&self, work: impl std::future::Future<Output = T>) -> Option<T> {
        match self.deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, work).await.ok(),
            None => Some(work.await),
        }
    }

    fn apply(&mut self, frame: Option<HandledAuthMessage>) -> TextFrameAction {
        match frame {
            None => TextFrameAction::NotAuthMessage,
            Some(HandledAuthMessage::Resolved { user, response }) => {
                if let Err(denied) = self.guards.check(&user) {
                    // Refused by the route's guard: an error reply, the identity unchanged.
                    tracing::debug!(guard = %denied.guard, "WebSocket auth message refused by a guard");
                    let reply = AuthResponse::denied(&denied).to_json();
                    return TextFrameAction::Reply(Message::Text(reply.into()));
                }
                tracing::debug!(user_id = %user.user_id(), source = %user.source(), "WebSocket auth message resolved");
                self.expires = expiry_of(Some(&user));
                self.user = Some(user);
                self.deadline = None;
                TextFrameAction::Reply(Message::Text(response.to_json().into()))
            }
            Some(HandledAuthMessage::Rejected { error, response }) => {
                tracing::debug!(error = %error, "WebSocket auth message refused");
                TextFrameAction::Reply(Message::Text(response.to_json().into()))
            }
            Some(_) => TextFrameAction::NoReply,
        }
    }
}

impl fmt::Debug for SocketIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketIdentity")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

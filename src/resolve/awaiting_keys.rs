//! The asynchronous face of the [`Resolver`]: what the layer, the extractors and WebSocket
//! sockets use.
//!
//! Resolution itself never waits. The one exception is a JWT whose issuer's keys are fetched
//! (feature `jwks`) and miss its `kid` (or are not loaded yet): then the request waits for the
//! issuer's refetch, which it shares with every other request that missed, at most one per
//! refetch interval, and is resolved again. Without fetched keys these are the synchronous
//! methods, ready at once.

use http::HeaderMap;

use crate::websocket::HandledAuthMessage;
use crate::{RequestView, ResolveError, Resolver, UserInfo};

impl Resolver {
    /// As [`resolve`](Self::resolve), waiting for the issuer's keys when a verified JWT needs
    /// them (an unknown `kid`, a cold cache): at most one refetch, shared with every request
    /// that missed the same issuer.
    ///
    /// # Errors
    /// As [`resolve`](Self::resolve).
    pub async fn resolve_async<'a>(
        &self,
        request: impl Into<RequestView<'a>>,
    ) -> Result<Option<UserInfo>, ResolveError> {
        let request = request.into();
        let outcome = self.resolve(request);
        if let Err(error) = &outcome {
            if self.refetch_keys(error, request.headers).await {
                return self.resolve(request);
            }
        }
        outcome
    }

    /// As [`handle_auth_frame`](Self::handle_auth_frame), waiting for the issuer's keys when
    /// the message's JWT needs them.
    pub async fn handle_auth_frame_async(&self, frame: &str) -> Option<HandledAuthMessage> {
        let handled = self.handle_auth_frame(frame);
        if let Some(HandledAuthMessage::Rejected { error, .. }) = &handled {
            if self.refetch_keys_for_frame(error, frame).await {
                return self.handle_auth_frame(frame);
            }
        }
        handled
    }

    /// After `error` on a request: when it is a miss on fetched keys, waits for the refetch
    /// and returns `true` (resolve again).
    async fn refetch_keys(&self, error: &ResolveError, headers: &HeaderMap) -> bool {
        #[cfg(feature = "verify")]
        {
            use crate::parse::authorization::{Authorization, authorization};
            if let Ok(Some(Authorization::Bearer(token))) =
                authorization(headers, self.max_credential_len())
            {
                return self.refetch_for(error, token).await;
            }
        }
        let _ = (error, headers);
        false
    }

    /// As [`refetch_keys`](Self::refetch_keys), for an auth message's JWT.
    async fn refetch_keys_for_frame(&self, error: &ResolveError, frame: &str) -> bool {
        #[cfg(feature = "verify")]
        if let Some(Ok(crate::websocket::AuthMessage::Jwt { token })) =
            crate::websocket::AuthMessage::parse(frame)
        {
            use secrecy::ExposeSecret;
            return self
                .refetch_for(error, token.expose_secret().as_bytes())
                .await;
        }
        let _ = (error, frame);
        false
    }

    /// Waits for the refetch of `token`'s issuer's keys when `error` is a miss on them.
    #[cfg(feature = "verify")]
    async fn refetch_for(&self, error: &ResolveError, token: &[u8]) -> bool {
        if !self.may_refetch(error) {
            return false;
        }
        match self.issuers().cache_to_refetch(token) {
            Some(cache) => {
                cache.refetch().await;
                true
            }
            None => false,
        }
    }

    /// Whether `error` is a miss on an issuer's keys that a refetch may cure (the layer's test
    /// before it boxes a request's future).
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn may_refetch(&self, error: &ResolveError) -> bool {
        self.verifies_jwts()
            && matches!(
                error,
                ResolveError::Verification(
                    crate::error::VerifyError::UnknownKey
                        | crate::error::VerifyError::KeysUnavailable
                )
            )
    }
}

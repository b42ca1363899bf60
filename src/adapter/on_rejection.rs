//! [`OnRejection`]: what [`UserInfoLayer`](crate::UserInfoLayer) answers a refused request with,
//! for any response body.

use std::any::Any;

use axum::response::IntoResponse;
use http::Response;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};

use crate::adapter::rejection::UserInfoRejection;

/// Turns a [`UserInfoRejection`] into the wrapped service's response type.
///
/// Implemented for [`DefaultRejection`] and for every `Fn(UserInfoRejection) ->
/// http::Response<B>`, so [`UserInfoLayer::with_rejection`](crate::UserInfoLayer::with_rejection)
/// takes a closure that answers in the stack's own body type: axum's `Body`, tonic's, or any
/// other.
pub trait OnRejection<B> {
    /// The response to a refused request.
    fn on_rejection(&self, rejection: UserInfoRejection) -> Response<B>;
}

impl<B, F> OnRejection<B> for F
where
    F: Fn(UserInfoRejection) -> Response<B>,
{
    fn on_rejection(&self, rejection: UserInfoRejection) -> Response<B> {
        self(rejection)
    }
}

/// The layer's own answer: [`UserInfoRejection`]'s response (status, `WWW-Authenticate`, JSON
/// body) when the stack's body is axum's `Body`.
///
/// Any other body type gets the same status and headers with an empty body (its `Default`), and
/// no `Content-Type`. In front of a tonic service, answer with a gRPC status instead:
/// [`with_rejection(UserInfoRejection::into_grpc)`](crate::UserInfoRejection::into_grpc) (a
/// gRPC client reads `grpc-status`; from a bare HTTP 401 it learns only "grpc-status header
/// missing").
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultRejection;

impl<B: Default + 'static> OnRejection<B> for DefaultRejection {
    fn on_rejection(&self, rejection: UserInfoRejection) -> Response<B> {
        let (mut parts, body) = rejection.into_response().into_parts();
        // Monomorphised away: for axum's own body this is the rejection's JSON, unchanged.
        let mut body = Some(body);
        if let Some(body) = <dyn Any>::downcast_mut::<Option<B>>(&mut body).and_then(Option::take) {
            return Response::from_parts(parts, body);
        }
        parts.headers.remove(CONTENT_TYPE);
        parts.headers.remove(CONTENT_LENGTH);
        Response::from_parts(parts, B::default())
    }
}

/// Left by [`UserInfoLayer`](crate::UserInfoLayer) when it has a rejection handler of its own
/// ([`with_rejection`](crate::UserInfoLayer::with_rejection)): the handler, so that guards
/// behind it that have none answer their refusals with it too.
pub(crate) struct LayerRejection<B>(pub(crate) std::sync::Arc<dyn OnRejection<B> + Send + Sync>);

impl<B> Clone for LayerRejection<B> {
    fn clone(&self) -> Self {
        Self(std::sync::Arc::clone(&self.0))
    }
}

/// Whether `R` is [`DefaultRejection`] (no handler of one's own).
pub(crate) fn is_default<R: 'static>() -> bool {
    std::any::TypeId::of::<R>() == std::any::TypeId::of::<DefaultRejection>()
}

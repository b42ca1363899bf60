//! A refusal as a gRPC client reads it: a trailers-only response (HTTP 200, `content-type:
//! application/grpc`, `grpc-status` and `grpc-message` in the headers, no body), with the
//! refusal's `WWW-Authenticate` challenges kept as metadata. No tonic in the crate's tree: the
//! response is plain `http`, in the stack's own body type.

use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderValue, Response, StatusCode};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::adapter::rejection::UserInfoRejection;

/// What gRPC's `grpc-message` leaves as it is: printable ASCII but `%` (the gRPC over HTTP/2
/// spec's "Percent-Encoded" rule).
const GRPC_MESSAGE: &AsciiSet = &CONTROLS.add(b'%');

impl UserInfoRejection {
    /// The gRPC status code of this refusal: 16 `UNAUTHENTICATED` for a missing or refused
    /// credential (401), 7 `PERMISSION_DENIED` for a guard's refusal, a refused origin or an
    /// untrusted peer (403), 14 `UNAVAILABLE` when a check cannot be answered (503), 3
    /// `INVALID_ARGUMENT` for a malformed or oversized credential (400, 431), 13 `INTERNAL`
    /// for a missing resolver (500), 2 `UNKNOWN` otherwise.
    ///
    /// ```
    /// use axum_userinfo::UserInfoRejection;
    /// assert_eq!(UserInfoRejection::missing_credentials().grpc_code(), 16);
    /// ```
    #[must_use]
    pub fn grpc_code(&self) -> u16 {
        match self.status() {
            StatusCode::UNAUTHORIZED => 16,
            StatusCode::FORBIDDEN => 7,
            StatusCode::SERVICE_UNAVAILABLE => 14,
            StatusCode::BAD_REQUEST | StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => 3,
            StatusCode::INTERNAL_SERVER_ERROR => 13,
            _ => 2,
        }
    }

    /// The refusal as a gRPC trailers-only response, in any body type with a `Default` (an
    /// empty body: tonic's, axum's): `grpc-status` from [`grpc_code`](Self::grpc_code),
    /// `grpc-message` the refusal's text (percent-encoded, never a secret), and every
    /// `WWW-Authenticate` challenge, which a tonic client finds in its `Status::metadata()`.
    ///
    /// Pass it as the rejection handler of a layer or guard in front of a tonic service:
    ///
    /// ```
    /// use axum_userinfo::{Guard, GuardLayer, Resolver, UserInfoLayer, UserInfoRejection};
    /// # type TonicBody = axum::body::Body;
    /// // `TonicBody` is `tonic::body::Body` in front of `tonic::transport::Server`.
    /// let layer = UserInfoLayer::new(Resolver::new())
    ///     .required()
    ///     .with_rejection(UserInfoRejection::into_grpc::<TonicBody>);
    /// // A guard inside an axum router of gRPC methods (`tonic::service::Routes::from(router)`).
    /// let guard = GuardLayer::new(Guard::new("deploy").require_scopes(["deploy"])?)
    ///     .with_rejection(UserInfoRejection::into_grpc::<axum::body::Body>);
    /// # let _ = (layer, guard);
    ///
    /// let response = UserInfoRejection::missing_credentials().into_grpc::<axum::body::Body>();
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.headers()["grpc-status"], "16");
    /// # Ok::<(), axum_userinfo::ConfigError>(())
    /// ```
    #[must_use]
    pub fn into_grpc<B: Default>(self) -> Response<B> {
        let mut response = Response::new(B::default());
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
        headers.insert("grpc-status", HeaderValue::from(self.grpc_code()));
        let message = utf8_percent_encode(&self.to_string(), GRPC_MESSAGE).to_string();
        if let Ok(message) = HeaderValue::try_from(message) {
            headers.insert("grpc-message", message);
        }
        for challenge in self.challenges() {
            headers.append(WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ResolveError;
    use crate::authorize::Denied;

    fn grpc(rejection: UserInfoRejection) -> Response<()> {
        rejection.into_grpc()
    }

    #[test]
    fn codes_follow_the_refusals_status() {
        let missing = grpc(UserInfoRejection::missing_credentials());
        assert_eq!(missing.status(), StatusCode::OK);
        assert_eq!(missing.headers()["grpc-status"], "16");
        assert_eq!(missing.headers()["content-type"], "application/grpc");
        assert!(missing.headers().contains_key(WWW_AUTHENTICATE));

        let denied = UserInfoRejection::denied(Denied {
            guard: "deploy".to_owned(),
            required_scopes: vec!["deploy".to_owned()],
            missing_scopes: vec!["deploy".to_owned()],
            missing_roles: Vec::new(),
            missing_groups: Vec::new(),
            failed_predicates: Vec::new(),
        });
        assert_eq!(denied.grpc_code(), 7);
        let insufficient = grpc(denied);
        let challenge = insufficient.headers()[WWW_AUTHENTICATE]
            .to_str()
            .unwrap_or("");
        assert!(challenge.contains("insufficient_scope"), "{challenge}");

        assert_eq!(UserInfoRejection::missing_resolver().grpc_code(), 13);
        let oversized = UserInfoRejection::refused(ResolveError::CredentialTooLarge { limit: 8 });
        assert_eq!(oversized.grpc_code(), 3);
    }

    #[test]
    fn the_message_is_percent_encoded() {
        // A guard's name is the application's: any text.
        let response = grpc(UserInfoRejection::denied(Denied {
            guard: "100% naïve\nguard".to_owned(),
            required_scopes: Vec::new(),
            missing_scopes: Vec::new(),
            missing_roles: vec!["admin".to_owned()],
            missing_groups: Vec::new(),
            failed_predicates: Vec::new(),
        }));
        let message = response.headers()["grpc-message"].to_str().unwrap_or("");
        assert!(message.contains("'100%25 na%C3%AFve%0Aguard'"), "{message}");
    }
}

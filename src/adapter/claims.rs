//! [`Claims<T>`]: the claims of the request's verified (or introspected) token, as the
//! handler's own type.

use axum::extract::FromRequestParts;
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::adapter::extract::{user_of, with_resource};
use crate::adapter::rejection::UserInfoRejection;
use crate::error::ResolveError;

/// The claims of the request's verified JWT or introspected token, deserialized into `T`: an
/// extractor (see [`UserInfo::claims_as`](crate::UserInfo::claims_as)). It refuses with 401 a
/// request without a user, a user whose claims nothing verified (a JWT decoded without
/// verification, an API key, a cookie, …), and claims that do not fit `T` (the message names
/// the field, never its value). It reads the user as the `UserInfo` extractor does: the
/// layer's, or the request resolved with the application's resolver.
///
/// ```
/// use axum::{Router, routing::get};
/// use axum_userinfo::{Claims, Resolver, UserInfoLayer};
///
/// #[derive(serde::Deserialize)]
/// struct Token {
///     sub: String,
///     #[serde(default)]
///     email: Option<String>,
/// }
///
/// async fn me(Claims(token): Claims<Token>) -> String {
///     token.email.unwrap_or(token.sub)
/// }
///
/// # fn app(resolver: Resolver) -> Router {
/// Router::new().route("/me", get(me)).layer(UserInfoLayer::new(resolver))
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Claims<T>(pub T);

impl<T, S> FromRequestParts<S> for Claims<T>
where
    T: DeserializeOwned,
    S: Send + Sync + 'static,
{
    type Rejection = UserInfoRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let refused = |rejection| with_resource(rejection, parts, state);
        let user = user_of(parts, state)
            .await?
            .ok_or_else(|| refused(UserInfoRejection::missing_credentials()))?;
        user.claims_as()
            .map(Claims)
            .map_err(|error| refused(UserInfoRejection::refused(ResolveError::Claims(error))))
    }
}

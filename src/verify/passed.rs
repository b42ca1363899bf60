//! A token that passed its issuer's checks, made a user: its claims, its expiry, the key it
//! rests on, and its place in the resolver's token cache. The one tail of the first pass and of
//! a token that waited for keys.

use std::sync::Arc;

use crate::identity::jwt_claims::JwtUserInfo;
use crate::identity::user_info::UserInfo;
use crate::verify::header::TokenHeader;
use crate::verify::key_binding::KeyBinding;
use crate::verify::token_cache::{Entry, TokenCache};
use crate::verify::verifier::{JwtVerifier, Passed};

/// The user of a token `verifier` passed (`id` derived from its claims, which `payload`
/// holds), remembered in `cache` when the resolver keeps one.
pub(crate) fn passed_user(
    verifier: &JwtVerifier,
    id: uuid::Uuid,
    payload: String,
    passed: Passed,
    header: &TokenHeader,
    token: &[u8],
    cache: Option<&TokenCache>,
) -> UserInfo {
    let payload_len = payload.len();
    let jwt = JwtUserInfo::from_checked_payload(payload);
    let valid_until = verifier.valid_until(&passed);
    let binding = Arc::new(KeyBinding::new(verifier, header.kid(), header.alg, passed));
    let rules = verifier.grant_rules();
    let user = UserInfo::from_verified_checked_jwt(id, jwt, valid_until, binding.clone(), rules);
    if let Some(cache) = cache {
        cache.insert(token, Entry::new(&user, binding, token.len(), payload_len));
    }
    user
}

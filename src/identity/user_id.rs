//! Deterministic user ids: `uuid5(USER_ID_NAMESPACE, identity_key)`, byte for byte the reference's.
//!
//! | source | identity key |
//! | --- | --- |
//! | API key | the key |
//! | session cookie | the cookie value |
//! | Basic | `base64(username ":" password)` (standard alphabet, padded) |
//! | JWT | the identity claim (`sub`, `email`, `preferred_username`), trimmed |
//! | verified JWT | `iss` `U+001F` identity claim |
//! | trusted identity header | `"trusted-header:"` lower-case header name `U+001F` trimmed value |
//!
//! **No forged ids.** The composite keys are built from public values (an issuer URL, a header
//! name), so a key from a source that is neither verified nor trusted (a cookie value, an API
//! key, the identity claim of an unverified JWT) must never be able to spell one: such a key
//! holding `U+001F`, another C0 control character or DEL is refused
//! ([`ResolveError::ControlCharacter`]). A Basic key is base64 and cannot hold one. This is a
//! deliberate divergence from the reference, which lets a cookie `"https://issuer\037alice"`
//! take the id of the verified `alice` of that issuer.

use sha1::{Digest, Sha1};
use uuid::{Builder, Uuid};

/// The namespace of every user id: `uuid5(NAMESPACE_DNS, "nemo-agent-toolkit")`,
/// that is `a75ed83e-6f4f-5304-b93a-44ed1114749e`.
pub const USER_ID_NAMESPACE: Uuid = Uuid::from_bytes([
    0xa7, 0x5e, 0xd8, 0x3e, 0x6f, 0x4f, 0x53, 0x04, 0xb9, 0x3a, 0x44, 0xed, 0x11, 0x14, 0x74, 0x9e,
]);

/// The separator between the parts of a composite identity key (ASCII unit separator).
pub(crate) const UNIT_SEPARATOR: char = '\u{1f}';

/// The user id of an identity key: `uuid5(USER_ID_NAMESPACE, key)` over the key's UTF-8 bytes.
/// It checks nothing: the [`UserInfo`](crate::UserInfo) constructors refuse an untrusted key
/// that could spell a verified or trusted identity's key (a control character); this is the
/// bare derivation, for comparing ids or matching the reference's.
///
/// ```
/// let id = axum_userinfo::identity::user_id_of_key("sk-service-abc123");
/// assert_eq!(id.to_string(), "06d2b7c6-c9cf-58f3-a90b-ed272501211d");
/// ```
#[must_use]
pub fn user_id_of_key(identity_key: &str) -> Uuid {
    uuid5(&[identity_key.as_bytes()])
}

/// Refuses an identity key from an unverified, untrusted source that could spell a composite
/// key: one holding a C0 control character (`U+0000..=U+001F`, the separator among them) or DEL.
#[inline]
pub(crate) fn check_untrusted_key(
    key: &str,
    kind: crate::identity::kinds::CredentialKind,
) -> Result<(), crate::error::ResolveError> {
    // Branchless, so that it vectorises: keys are short and almost never hold one.
    let control = (key.bytes()).fold(false, |found, b| found | (b < 0x20) | (b == 0x7f));
    if control {
        Err(crate::error::ResolveError::ControlCharacter(kind))
    } else {
        Ok(())
    }
}

/// The user id of the composite key `prefix` `U+001F` `identity`, hashed without building it.
pub(crate) fn user_id_of_pair(prefix: &str, identity: &str) -> Uuid {
    let mut separator = [0; 4];
    let separator = UNIT_SEPARATOR.encode_utf8(&mut separator).as_bytes();
    uuid5(&[prefix.as_bytes(), separator, identity.as_bytes()])
}

/// The user id of a verified JWT: its issuer `U+001F` its identity claim. Without a non-empty
/// issuer the id cannot be scoped, and the token is refused.
pub(crate) fn verified_jwt_user_id(
    issuer: Option<&str>,
    identity: &str,
) -> Result<Uuid, crate::error::ResolveError> {
    match issuer {
        Some(issuer) if !issuer.is_empty() => Ok(user_id_of_pair(issuer, identity)),
        _ => Err(crate::error::ResolveError::MissingIssuer),
    }
}

/// The user id of a trusted identity header: `"trusted-header:"` its lower-case name
/// `U+001F` its (trimmed) value, hashed without building the key.
pub(crate) fn identity_header_user_id(header: &http::HeaderName, identity: &str) -> Uuid {
    let mut separator = [0; 4];
    let separator = UNIT_SEPARATOR.encode_utf8(&mut separator).as_bytes();
    let name = header.as_str().as_bytes(); // `HeaderName`s are lower case
    uuid5(&[b"trusted-header:", name, separator, identity.as_bytes()])
}

/// RFC 9562 UUIDv5: SHA-1 over the namespace and the name, version and variant bits set.
fn uuid5(name: &[&[u8]]) -> Uuid {
    let mut hasher = Sha1::new();
    hasher.update(USER_ID_NAMESPACE.as_bytes());
    for part in name {
        hasher.update(part);
    }
    let digest: [u8; 20] = hasher.finalize().into();
    let (first16, _) = digest.split_first_chunk::<16>().unwrap_or((&[0; 16], &[]));
    Builder::from_sha1_bytes(*first16).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid5() {
        // uuid5(NAMESPACE_DNS, "nemo-agent-toolkit") per RFC 9562, as Python computes it.
        assert_eq!(
            USER_ID_NAMESPACE.to_string(),
            "a75ed83e-6f4f-5304-b93a-44ed1114749e"
        );
        let id = user_id_of_key("sk-service-abc123");
        assert_eq!(id.to_string(), "06d2b7c6-c9cf-58f3-a90b-ed272501211d");
        assert_eq!(id.get_version_num(), 5);
        assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(
            user_id_of_key("").to_string(),
            "b83c02c8-bbd4-5a5e-9471-18974fbd9ae1"
        );
    }

    #[test]
    fn untrusted_keys_cannot_hold_control_characters() {
        use crate::{CredentialKind::ApiKey, ResolveError::ControlCharacter};
        for key in ["a\u{1f}b", "\u{0}", "tab\there", "del\u{7f}", "\r\n"] {
            assert_eq!(
                check_untrusted_key(key, ApiKey),
                Err(ControlCharacter(ApiKey))
            );
        }
        // C1 controls and other Latin-1 are ordinary characters of a Latin-1 header value.
        for key in ["sk-1", "caf\u{e9}", "\u{85}\u{a0}", "with space", ""] {
            assert_eq!(check_untrusted_key(key, ApiKey), Ok(()));
        }
    }

    #[test]
    fn pair_key_uses_the_unit_separator() {
        let header = http::HeaderName::from_static("x-forwarded-user");
        assert_eq!(
            identity_header_user_id(&header, "alice"),
            user_id_of_key("trusted-header:x-forwarded-user\u{1f}alice")
        );
        assert_eq!(user_id_of_pair("a", "b"), user_id_of_key("a\u{1f}b"));
        assert_ne!(user_id_of_pair("a", "b"), user_id_of_key("a b"));
    }
}

//! An issuer's published keys, in their document's order, and the one key a token's `kid`
//! picks among them: the reference's rule (authlib's `KeySet.find_by_kid`), so that one
//! token costs at most one signature check, however many keys an issuer publishes.
//!
//! - A token **with** a `kid`: the first key (in order: the configured keys, then the fetched
//!   ones as their document lists them) whose `kid` is that one. No key falls in for another.
//! - A token **without** a `kid`: the issuer's only key when it publishes exactly one (with a
//!   `kid` or not); otherwise the first key without a `kid`.
//! - A key the crate leaves out of a JWKS (weak, not for signatures, symmetric, malformed:
//!   `jwks.rs`) keeps its place: a token that picks it is refused
//!   ([`VerifyError::UnusableKey`]), never verified by a later key of the same `kid`, which the
//!   reference would not try either.
//! - At most [`MAX_PUBLISHED_KEYS`] entries of one document are kept; the rest are dropped and
//!   logged.

use crate::error::VerifyError;
use crate::verify::VerificationKey;

/// The most entries taken from one JWK Set document. Identity providers publish a handful
/// (the current key, the next, the last); past this, a document is a mistake or an attack.
pub const MAX_PUBLISHED_KEYS: usize = 100;

/// One entry of a key set document, in its place: its `kid`, and the usable key it gave
/// (`None` when the crate left it out).
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    kid: Option<Box<str>>,
    key: Option<usize>,
}

/// The keys a source published: the usable ones, and every entry's place.
#[derive(Debug, Clone, Default)]
pub(crate) struct PublishedKeys {
    keys: Vec<VerificationKey>,
    slots: Vec<Slot>,
    /// Why entries were left out (`kid: reason`), for the logs.
    skipped: Vec<String>,
}

impl PublishedKeys {
    /// Keys that are all usable, in this order.
    #[cfg(test)]
    pub(crate) fn from_keys(keys: Vec<VerificationKey>) -> Self {
        let mut published = Self::default();
        for key in keys {
            published.push_key(key);
        }
        published
    }

    /// Adds the next entry of the document: a usable key.
    #[cfg_attr(not(feature = "jwks"), allow(dead_code))]
    pub(crate) fn push_key(&mut self, key: VerificationKey) {
        self.slots.push(Slot {
            kid: key.kid().map(Box::from),
            key: Some(self.keys.len()),
        });
        self.keys.push(key);
    }

    /// Adds the next entry of the document: one left out, with its `kid` and the reason.
    #[cfg_attr(not(feature = "jwks"), allow(dead_code))]
    pub(crate) fn push_skipped(&mut self, kid: Option<&str>, reason: &str) {
        self.skipped
            .push(format!("{}: {reason}", kid.unwrap_or("(no kid)")));
        self.slots.push(Slot {
            kid: kid.map(Box::from),
            key: None,
        });
    }

    /// The usable keys.
    pub(crate) fn keys(&self) -> &[VerificationKey] {
        &self.keys
    }

    /// Why entries were left out.
    pub(crate) fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// How many entries the document had (usable or not).
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }
}

/// The one key a token of `kid` may be verified with, among `configured` keys followed by
/// `fetched` ones. `Ok(None)`: no entry has that `kid` (a miss: the fetched keys may be
/// refetched).
///
/// # Errors
/// [`VerifyError::UnusableKey`] when the entry it picks was left out.
pub(crate) fn pick<'a>(
    configured: &'a [VerificationKey],
    fetched: &'a PublishedKeys,
    kid: Option<&str>,
) -> Result<Option<&'a VerificationKey>, VerifyError> {
    let total = configured.len() + fetched.len();
    if kid.is_none() && total == 1 {
        // The only key, whatever its kid.
        if let Some(key) = configured.first() {
            return Ok(Some(key));
        }
        return fetched
            .slots
            .first()
            .map(|slot| fetched.key_of(slot))
            .transpose();
    }
    if let Some(key) = configured.iter().find(|key| key.kid() == kid) {
        return Ok(Some(key));
    }
    let slot = fetched.slots.iter().find(|slot| slot.kid.as_deref() == kid);
    slot.map(|slot| fetched.key_of(slot)).transpose()
}

impl PublishedKeys {
    /// The usable key of an entry, or [`VerifyError::UnusableKey`] for one left out.
    fn key_of(&self, slot: &Slot) -> Result<&VerificationKey, VerifyError> {
        (slot.key.and_then(|i| self.keys.get(i))).ok_or(VerifyError::UnusableKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8, kid: Option<&str>) -> VerificationKey {
        let key = VerificationKey::from_secret([byte; 32]).unwrap();
        match kid {
            Some(kid) => key.with_kid(kid),
            None => key,
        }
    }

    fn material(picked: Result<Option<&VerificationKey>, VerifyError>) -> Option<u64> {
        picked.unwrap().map(VerificationKey::material)
    }

    #[test]
    fn the_reference_rule_one_key_a_token() {
        let a = key(1, Some("a"));
        let a2 = key(2, Some("a"));
        let bare = key(3, None);
        let bare2 = key(4, None);
        let fetched = PublishedKeys::from_keys(vec![a.clone(), a2, bare.clone(), bare2]);
        // The first of a kid, never a later one.
        assert_eq!(material(pick(&[], &fetched, Some("a"))), Some(a.material()));
        // No kid among several keys: the first without a kid.
        assert_eq!(material(pick(&[], &fetched, None)), Some(bare.material()));
        // An unknown kid: a miss, never a key of another kid or without one.
        assert_eq!(material(pick(&[], &fetched, Some("zz"))), None);
        // No kid, several keys, none without a kid: nothing.
        let named = PublishedKeys::from_keys(vec![a.clone(), key(5, Some("b"))]);
        assert_eq!(material(pick(&[], &named, None)), None);
        // The only key, with a kid, verifies a token without one.
        let only = PublishedKeys::from_keys(vec![a.clone()]);
        assert_eq!(material(pick(&[], &only, None)), Some(a.material()));
        assert_eq!(
            material(pick(
                std::slice::from_ref(&a),
                &PublishedKeys::default(),
                None
            )),
            Some(a.material())
        );
        // Configured keys come first.
        let configured = [key(9, Some("a"))];
        assert_eq!(
            material(pick(&configured, &fetched, Some("a"))),
            Some(configured[0].material())
        );
    }

    #[test]
    fn a_skipped_entry_keeps_its_place() {
        let mut fetched = PublishedKeys::default();
        fetched.push_skipped(Some("a"), "RSA key under 2048 bits");
        fetched.push_key(key(1, Some("a")));
        assert_eq!(
            pick(&[], &fetched, Some("a")).err(),
            Some(VerifyError::UnusableKey)
        );
        assert_eq!(fetched.skipped(), ["a: RSA key under 2048 bits"]);
        let mut only = PublishedKeys::default();
        only.push_skipped(None, "not for signatures");
        assert_eq!(pick(&[], &only, None).err(), Some(VerifyError::UnusableKey));
    }
}

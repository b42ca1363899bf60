//! [`Challenges`]: what a resolver's `WWW-Authenticate` challenges offer.

use std::sync::Arc;

use crate::identity::kinds::{AcceptedKinds, CredentialKind};

/// The challenges a resolver's refusals carry, from its configuration: `Bearer` when it takes
/// tokens or API keys, `Basic` only when it accepts Basic credentials (a browser prompts for a
/// password on `Basic`, which would never succeed otherwise), `DPoP` with the proof algorithms
/// when it checks DPoP proofs, and `resource_metadata` (RFC 9728 §5.1) on `Bearer` and `DPoP`
/// when it describes a protected resource, and the scopes every token must have as the
/// `scope="…"` of a 401's `Bearer` challenge (the MCP authorization spec: a client then asks
/// for the right token the first time). [`Resolver::challenges`](crate::Resolver::challenges)
/// gives a resolver's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenges {
    pub(crate) bearer: bool,
    pub(crate) basic: bool,
    pub(crate) dpop_algs: Option<Arc<str>>,
    pub(crate) resource_metadata: Option<Arc<str>>,
    /// The scopes every token must have (its verifiers' and introspection client's required
    /// scopes), for the `scope="…"` of a 401's `Bearer` challenge; never `offline_access`.
    pub(crate) scopes: Vec<String>,
}

impl Default for Challenges {
    /// A resolver's with every kind accepted, no DPoP and no protected resource: `Bearer` and
    /// `Basic`.
    fn default() -> Self {
        Self {
            bearer: true,
            basic: true,
            dpop_algs: None,
            resource_metadata: None,
            scopes: Vec::new(),
        }
    }
}

impl Challenges {
    /// The challenges of a resolver that accepts `accepted` (`None`: a trusted identity
    /// header, which no client can answer with a credential: `Bearer`), with these DPoP
    /// algorithms and this RFC 9728 metadata URL.
    pub(crate) fn new(
        accepted: Option<AcceptedKinds>,
        dpop_algorithms: Option<&[&str]>,
        resource_metadata: Option<&str>,
        scopes: Vec<String>,
    ) -> Self {
        let takes = |kind| accepted.is_none_or(|kinds| kinds.contains(kind));
        let basic = accepted.is_some() && takes(CredentialKind::Basic);
        let tokens = [
            CredentialKind::Jwt,
            CredentialKind::OpaqueToken,
            CredentialKind::ApiKey,
        ];
        // A 401 always carries a challenge (RFC 9110 §15.5.2): `Bearer` when nothing else is.
        let bearer = tokens.into_iter().any(takes) || !basic;
        Self {
            bearer,
            basic,
            dpop_algs: dpop_algorithms.map(|algs| algs.join(" ").into()),
            resource_metadata: resource_metadata.map(Into::into),
            scopes,
        }
    }

    /// Whether they are the default ones (what a guard assumes when no layer said otherwise).
    #[cfg_attr(not(feature = "axum"), allow(dead_code, reason = "the layer's"))]
    pub(crate) fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

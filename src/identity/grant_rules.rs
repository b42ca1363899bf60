//! [`GrantRules`]: how a trusted user's grants are read and judged: where its token's
//! scopes, roles and groups are (its verifier's [`ClaimMapping`]), and which scopes imply which
//! (its resolver's [`ScopeHierarchy`]). A user carries them, so that every guard judges it
//! the same way.

use std::sync::Arc;

use crate::authorize::ScopeHierarchy;
use crate::identity::ClaimMapping;

/// Where a user's grants are read, and how its scopes are judged (none: the reference's
/// fields, exact matching).
#[derive(Debug, Clone, Default)]
pub(crate) struct GrantRules {
    pub(crate) mapping: Option<Arc<ClaimMapping>>,
    pub(crate) hierarchy: Option<Arc<ScopeHierarchy>>,
}

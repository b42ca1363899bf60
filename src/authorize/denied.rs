//! Why a guard refused: no user, or a user who lacks what the route needs.

use std::fmt;

/// What a user lacked, by requirement (only those that failed are set). Names the
/// requirements, never a token or a claim's value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Denied {
    /// The guard's name.
    pub guard: String,
    /// Every scope the guard requires, whatever else is missing (the challenge's `scope`).
    pub required_scopes: Vec<String>,
    /// The required scopes the user lacks.
    pub missing_scopes: Vec<String>,
    /// The roles of which the user has none (the route needs any one).
    pub missing_roles: Vec<String>,
    /// The groups of which the user has none (the route needs any one).
    pub missing_groups: Vec<String>,
    /// The names of the predicates the user failed.
    pub failed_predicates: Vec<String>,
}

impl Denied {
    /// Whether scopes are among what is missing (RFC 6750's `insufficient_scope`), rather than
    /// only roles, groups or predicates (`forbidden`).
    #[must_use]
    pub fn lacks_scopes(&self) -> bool {
        !self.missing_scopes.is_empty()
    }
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "guard '{}' refused:", self.guard)?;
        let mut parts = Vec::new();
        if !self.missing_scopes.is_empty() {
            parts.push(format!("missing scope {}", self.missing_scopes.join(" ")));
        }
        if !self.missing_roles.is_empty() {
            parts.push(format!(
                "needs one of the roles {}",
                self.missing_roles.join(", ")
            ));
        }
        if !self.missing_groups.is_empty() {
            parts.push(format!(
                "needs one of the groups {}",
                self.missing_groups.join(", ")
            ));
        }
        if !self.failed_predicates.is_empty() {
            parts.push(format!("failed {}", self.failed_predicates.join(", ")));
        }
        write!(f, " {}", parts.join("; "))
    }
}

impl std::error::Error for Denied {}

/// Why [`Guard::authorize`](crate::authorize::Guard::authorize) refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorizeError {
    /// The request has no user (401): it presented no credential.
    #[error("authentication required")]
    MissingCredential,
    /// The user lacks what the route needs (403).
    #[error(transparent)]
    Denied(Box<Denied>),
}

impl crate::error::AuthErrorPayload {
    /// The payload of a [`Guard`](crate::Guard)'s refusal: `insufficient_scope` when scopes
    /// are missing, else `forbidden`; the details name what was missing.
    #[must_use]
    pub fn denied(denied: &Denied) -> Self {
        let code = if denied.lacks_scopes() {
            crate::error::ErrorCode::InsufficientScope
        } else {
            crate::error::ErrorCode::Forbidden
        };
        Self {
            code,
            message: "Access denied",
            details: denied.to_string(),
        }
    }
}

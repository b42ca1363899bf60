//! [`ScopeHierarchy`]: which scopes a broader one implies, so that a token granted `files`
//! passes a route that requires `files:read` (the MCP authorization spec: "servers MUST account
//! for scope hierarchies"). Judged wherever a scope is: guards, the required scopes of
//! verifiers and introspection clients, MCP per-operation policies.

use std::collections::BTreeMap;

use crate::error::ConfigError;
use crate::parse::scope::{is_scope_token, scope_tokens};

/// Which scopes imply which: explicit implications (`files` implies `files:read` and
/// `files:write`), and an opt-in separator rule (with `:`, `a` implies `a:b`, which implies
/// `a:b:c`; `a:b` never implies `a:bc`). Implications chain (`files` → `files:read` →
/// `files:read:meta`), across both rules. A granted broad scope satisfies a narrow
/// requirement, never the reverse. The empty hierarchy (the default) is exact matching.
///
/// Configure it on the resolver
/// ([`ResolverBuilder::with_scope_hierarchy`](crate::ResolverBuilder::with_scope_hierarchy)):
/// its users then carry it to every guard, and its verifiers and introspection client judge
/// their required scopes by it.
///
/// ```
/// use axum_userinfo::authorize::ScopeHierarchy;
/// let hierarchy = ScopeHierarchy::new()
///     .with_implied("files", ["files:read", "files:write"])?
///     .with_separator(':')?;
/// assert!(hierarchy.implies("files", "files:read"));
/// assert!(hierarchy.implies("files:read", "files:read:meta")); // by the separator
/// assert!(hierarchy.implies("files", "files:read:meta")); // chained
/// assert!(!hierarchy.implies("files:read", "files")); // never the reverse
/// assert!(!hierarchy.implies("files:read", "files:readme"));
/// assert!(hierarchy.satisfies(&["files"], "files:write"));
/// # Ok::<(), axum_userinfo::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeHierarchy {
    /// Each broad scope's direct implications.
    implied: BTreeMap<String, Vec<String>>,
    separator: Option<char>,
}

impl ScopeHierarchy {
    /// Exact matching: no scope implies another.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// `broad` implies each of `narrower` (and what they imply).
    ///
    /// # Errors
    /// [`ConfigError::InvalidScope`] for a scope that is not an RFC 6749 scope token.
    pub fn with_implied<I, S>(
        mut self,
        broad: impl Into<String>,
        narrower: I,
    ) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let broad = broad.into();
        if !is_scope_token(&broad) {
            return Err(ConfigError::InvalidScope);
        }
        let narrower = scope_tokens(narrower)?;
        let entry = self.implied.entry(broad).or_default();
        for scope in narrower {
            if !entry.contains(&scope) {
                entry.push(scope);
            }
        }
        Ok(self)
    }

    /// The separator rule: a scope implies every scope that extends it by `separator` and
    /// more (`a` implies `a:b` and `a:b:c`, not `ab` nor `a:`).
    ///
    /// # Errors
    /// [`ConfigError::InvalidScopeSeparator`] for a character a scope token cannot hold (not
    /// printable ASCII, a space, `"` or `\`).
    pub fn with_separator(mut self, separator: char) -> Result<Self, ConfigError> {
        let mut buffer = [0; 4];
        if !is_scope_token(separator.encode_utf8(&mut buffer)) {
            return Err(ConfigError::InvalidScopeSeparator);
        }
        self.separator = Some(separator);
        Ok(self)
    }

    /// Whether no scope implies another (exact matching).
    #[must_use]
    pub fn is_exact(&self) -> bool {
        self.implied.is_empty() && self.separator.is_none()
    }

    /// The separator, when the separator rule is on.
    #[must_use]
    pub fn separator(&self) -> Option<char> {
        self.separator
    }

    /// Whether a token granted `broad` may do what `narrow` allows: the same scope, or one
    /// `broad` implies.
    #[must_use]
    pub fn implies(&self, broad: &str, narrow: &str) -> bool {
        if broad == narrow {
            return true;
        }
        if self.is_exact() {
            return false;
        }
        // The scopes `broad` reaches through explicit implications, and the configured broad
        // scopes it reaches by the separator rule (whose implications then apply too).
        let mut seen: Vec<&str> = vec![broad];
        let mut next = 0;
        while let Some(&scope) = seen.get(next) {
            next += 1;
            if scope == narrow || self.extends(scope, narrow) {
                return true;
            }
            let explicit = self.implied.get(scope).into_iter().flatten();
            let by_separator = (self.implied.keys()).filter(|key| self.extends(scope, key));
            for reached in explicit.chain(by_separator) {
                if !seen.contains(&reached.as_str()) {
                    seen.push(reached);
                }
            }
        }
        false
    }

    /// Whether `granted` scopes satisfy `required`: one of them implies it.
    #[must_use]
    pub fn satisfies<S: AsRef<str>>(&self, granted: &[S], required: &str) -> bool {
        (granted.iter()).any(|scope| self.implies(scope.as_ref(), required))
    }

    /// The scopes of `required` that `granted` does not satisfy, in order.
    #[must_use]
    pub fn missing<S: AsRef<str>>(&self, granted: &[S], required: &[String]) -> Vec<String> {
        (required.iter())
            .filter(|scope| !self.satisfies(granted, scope))
            .cloned()
            .collect()
    }

    /// The separator rule: `narrow` is `broad`, the separator, and at least one more character.
    fn extends(&self, broad: &str, narrow: &str) -> bool {
        let Some(separator) = self.separator else {
            return false;
        };
        (narrow.strip_prefix(broad))
            .and_then(|rest| rest.strip_prefix(separator))
            .is_some_and(|rest| !rest.is_empty())
    }
}

/// Whether `granted` satisfies `required` under `hierarchy` (exact matching without one).
pub(crate) fn satisfied<S: AsRef<str>>(
    hierarchy: Option<&ScopeHierarchy>,
    granted: &[S],
    required: &str,
) -> bool {
    match hierarchy {
        Some(hierarchy) => hierarchy.satisfies(granted, required),
        None => granted.iter().any(|scope| scope.as_ref() == required),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hierarchy() -> ScopeHierarchy {
        ScopeHierarchy::new()
            .with_implied("files", ["files:read", "files:write"])
            .and_then(|h| h.with_implied("admin", ["files", "deploy"]))
            .and_then(|h| h.with_separator(':'))
            .unwrap_or_default()
    }

    #[test]
    fn broad_grants_narrow_never_the_reverse() {
        let h = hierarchy();
        assert!(h.implies("admin", "files:read"));
        assert!(h.implies("admin", "deploy"));
        assert!(h.implies("files", "files:read:meta"));
        assert!(!h.implies("files", "admin"));
        assert!(!h.implies("files:read", "files"));
        assert!(!h.implies("deploy", "admin"));
        assert!(!h.implies("a:b", "a:bc"));
        assert!(h.implies("a:b", "a:b:c"));
        assert!(!h.implies("a", "a:"));
        assert!(!h.implies("a", "ab"));
    }

    #[test]
    fn the_separator_rule_reaches_configured_implications() {
        // `org` implies `org:files` by the separator; `org:files` implies `backups` explicitly.
        let h = ScopeHierarchy::new()
            .with_implied("org:files", ["backups"])
            .and_then(|h| h.with_separator(':'))
            .unwrap_or_default();
        assert!(h.implies("org", "backups"));
        assert!(!h.implies("backups", "org"));
    }

    #[test]
    fn cycles_end() {
        let h = ScopeHierarchy::new()
            .with_implied("a", ["b"])
            .and_then(|h| h.with_implied("b", ["a"]))
            .unwrap_or_default();
        assert!(h.implies("a", "b") && h.implies("b", "a"));
        assert!(!h.implies("a", "c"));
    }

    #[test]
    fn exact_without_rules() {
        let h = ScopeHierarchy::new();
        assert!(h.is_exact());
        assert!(!h.implies("files", "files:read"));
        assert_eq!(h.missing(&["a"], &["a".into(), "b".into()]), ["b"]);
        assert!(satisfied(None, &["files"], "files"));
        assert!(!satisfied(None, &["files"], "files:read"));
    }

    #[test]
    fn configuration_is_checked() {
        assert_eq!(
            ScopeHierarchy::new().with_implied("a b", ["c"]),
            Err(ConfigError::InvalidScope)
        );
        assert_eq!(
            ScopeHierarchy::new().with_implied("a", ["c\""]),
            Err(ConfigError::InvalidScope)
        );
        for bad in [' ', '"', '\\', 'é', '\n'] {
            assert_eq!(
                ScopeHierarchy::new().with_separator(bad),
                Err(ConfigError::InvalidScopeSeparator),
                "{bad:?}"
            );
        }
    }
}

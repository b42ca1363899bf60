//! [`ApiKeyEntry`]: what a store knows of a key.

use serde_json::{Map, Value};

use crate::error::ConfigError;

/// A known API key's label and scopes.
///
/// ```
/// use axum_userinfo::api_keys::ApiKeyEntry;
/// let entry = ApiKeyEntry::new("ci-bot").with_scopes(["orders:read"])?;
/// assert_eq!(entry.label(), "ci-bot");
/// assert_eq!(entry.scopes(), ["orders:read"]);
/// # Ok::<(), axum_userinfo::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ApiKeyEntry {
    label: String,
    scopes: Vec<String>,
    claims: Map<String, Value>,
}

impl ApiKeyEntry {
    /// An entry labelled `label` (who holds the key: logs and claim headers show it), with no
    /// scopes.
    pub fn new(label: impl Into<String>) -> Self {
        let label = label.into();
        let mut claims = Map::new();
        claims.insert("label".to_owned(), Value::String(label.clone()));
        Self {
            label,
            scopes: Vec::new(),
            claims,
        }
    }

    /// The entry with these scopes, granted to the key's user.
    ///
    /// # Errors
    /// [`ConfigError::InvalidScope`] for one that is not an RFC 6749 scope token.
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = crate::parse::scope::scope_tokens(scopes)?;
        if !self.scopes.is_empty() {
            let scope = Value::String(self.scopes.join(" "));
            self.claims.insert("scope".to_owned(), scope);
        }
        Ok(self)
    }

    /// The label.
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The scopes granted.
    #[must_use]
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The entry as claims (`label`, and `scope` when it has scopes), for claim headers.
    #[must_use]
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }
}

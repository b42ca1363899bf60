//! [`ApiKeyList`]: known keys from lines of text, held as digests; reloadable.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use crate::api_keys::{ApiKeyDigest, ApiKeyEntry, ApiKeyStore};
use crate::error::ConfigError;

/// Digests by their first bytes; each bucket compared in full, in constant time.
type Table = HashMap<u64, Vec<(ApiKeyDigest, Arc<ApiKeyEntry>)>>;

/// The known API keys of a list, one a line: `<key or sha256:digest> <label> [scope …]`.
/// Blank lines and lines starting with `#` are skipped. A key is hashed as the list is read
/// and never kept; write digests (`resolve --api-key-digest` prints a key's line) so that
/// the file holds no key at all. Clones share the list: [`reload`](Self::reload) one and
/// every resolver holding it sees the new keys.
///
/// ```
/// use axum_userinfo::{api_keys::ApiKeyDigest, api_keys::ApiKeyList, api_keys::ApiKeyStore};
/// let list = ApiKeyList::parse(
///     "# who holds which key\n\
///      sk-service-abc123 ci-bot orders:read\n\
///      sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae ops\n",
/// )?;
/// let entry = list.find(&ApiKeyDigest::of("sk-service-abc123")).unwrap();
/// assert_eq!((entry.label(), entry.scopes()), ("ci-bot", &["orders:read".to_owned()][..]));
/// assert_eq!(list.find(&ApiKeyDigest::of("foo")).unwrap().label(), "ops");
/// assert!(list.find(&ApiKeyDigest::of("sk-guess")).is_none());
/// # Ok::<(), axum_userinfo::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ApiKeyList(Arc<RwLock<Arc<Table>>>);

impl ApiKeyList {
    /// The keys of `text`.
    ///
    /// # Errors
    /// [`ConfigError::InvalidApiKeyLine`] for a line without a label, with a malformed
    /// digest or a scope that is not a scope token, or a key listed twice.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        Ok(Self(Arc::new(RwLock::new(Arc::new(table(text)?)))))
    }

    /// The keys of the file at `path`.
    ///
    /// # Errors
    /// As [`parse`](Self::parse); [`ConfigError::ApiKeyFile`] when the file cannot be read.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self, ConfigError> {
        Self::parse(&read(path.as_ref())?)
    }

    /// Replaces the keys with those of `text`, at once for every clone. On error the old
    /// keys stay.
    ///
    /// # Errors
    /// As [`parse`](Self::parse).
    pub fn replace(&self, text: &str) -> Result<(), ConfigError> {
        let table = Arc::new(table(text)?);
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = table;
        Ok(())
    }

    /// Reads the file at `path` again (on `SIGHUP`, say); on error the old keys stay.
    ///
    /// # Errors
    /// As [`load`](Self::load).
    pub fn reload(&self, path: impl AsRef<std::path::Path>) -> Result<(), ConfigError> {
        self.replace(&read(path.as_ref())?)
    }

    /// How many keys are known.
    #[must_use]
    pub fn len(&self) -> usize {
        self.table().values().map(Vec::len).sum()
    }

    /// Whether no key is known (every key is then refused).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn table(&self) -> Arc<Table> {
        Arc::clone(&self.0.read().unwrap_or_else(PoisonError::into_inner))
    }
}

impl ApiKeyStore for ApiKeyList {
    fn find(&self, digest: &ApiKeyDigest) -> Option<Arc<ApiKeyEntry>> {
        let table = self.table();
        let bucket = table.get(&digest.bucket())?;
        // Every entry of the bucket is compared, in constant time.
        let mut found = None;
        for (known, entry) in bucket {
            if known == digest {
                found = Some(Arc::clone(entry));
            }
        }
        found
    }
}

fn read(path: &std::path::Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|err| ConfigError::ApiKeyFile(err.kind()))
}

fn table(text: &str) -> Result<Table, ConfigError> {
    let mut table = Table::new();
    for (index, line) in text.lines().enumerate() {
        let invalid = |reason| ConfigError::InvalidApiKeyLine {
            line: index + 1,
            reason,
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_ascii_whitespace();
        let (Some(key), Some(label)) = (fields.next(), fields.next()) else {
            return Err(invalid("expected a key or digest, then a label"));
        };
        let digest = if key.starts_with("sha256:") {
            key.parse()
                .map_err(|_| invalid("a digest is sha256: and 64 hex digits"))?
        } else {
            ApiKeyDigest::of(key)
        };
        let entry = ApiKeyEntry::new(label)
            .with_scopes(fields)
            .map_err(|_| invalid("a scope is not an RFC 6749 scope token"))?;
        let bucket = table.entry(digest.bucket()).or_default();
        if bucket.iter().any(|(known, _)| *known == digest) {
            return Err(invalid("this key is listed twice"));
        }
        bucket.push((digest, Arc::new(entry)));
    }
    Ok(table)
}

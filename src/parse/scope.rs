//! Scopes as configured: each an RFC 6749 §3.3 scope token, so that a `scope="…"` challenge
//! can carry it as it is.

/// An RFC 6749 §3.3 scope token (non-empty printable ASCII without space, `"` or `\`): what
/// a `scope="…"` challenge can carry as it is. Required scopes are checked against it when
/// they are configured.
pub(crate) fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty() && (scope.bytes()).all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// `scopes` each once, in their first order (a union of requirements).
pub(crate) fn distinct<'a>(scopes: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut once: Vec<String> = Vec::new();
    for scope in scopes {
        if !once.contains(scope) {
            once.push(scope.clone());
        }
    }
    once
}

/// `scopes` as required or supported scopes: each an RFC 6749 scope token.
///
/// # Errors
/// [`ConfigError::InvalidScope`](crate::error::ConfigError::InvalidScope) for one that is not.
pub(crate) fn scope_tokens<I, S>(scopes: I) -> Result<Vec<String>, crate::error::ConfigError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let scopes: Vec<String> = scopes.into_iter().map(Into::into).collect();
    if scopes.iter().all(|scope| is_scope_token(scope)) {
        Ok(scopes)
    } else {
        Err(crate::error::ConfigError::InvalidScope)
    }
}

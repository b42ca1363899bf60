//! A token's confirmation (`cnf`, RFC 7800): what a sender-constrained token is bound to.
//! Verified JWTs and introspection answers read it; the engine's binding step checks it.

/// What a token's `cnf` claim (RFC 7800) binds it to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Confirmation {
    /// No `cnf`: a bearer token.
    #[default]
    None,
    /// `cnf.jkt` (RFC 9449): the thumbprint of the DPoP key the token is bound to.
    Jkt(Box<str>),
    /// `cnf.x5t#S256` (RFC 8705): the thumbprint of the client certificate the token is bound
    /// to.
    X5tS256(Box<str>),
    /// A `cnf` of another kind, both kinds at once, or a malformed one: sender-constrained by
    /// something this crate does not check, so never usable as a bearer token.
    Other,
}

impl Confirmation {
    /// The `cnf` member of claims.
    pub(crate) fn of(claims: &serde_json::Map<String, serde_json::Value>) -> Self {
        match claims.get("cnf") {
            None => Self::None,
            Some(cnf) => {
                let member = |name| {
                    (cnf.get(name).and_then(serde_json::Value::as_str)).filter(|v| !v.is_empty())
                };
                match (member("jkt"), member("x5t#S256")) {
                    (Some(jkt), None) => Self::Jkt(jkt.into()),
                    (None, Some(x5t)) => Self::X5tS256(x5t.into()),
                    _ => Self::Other,
                }
            }
        }
    }

    /// The `cnf` member of a checked payload, read only when the payload names it.
    pub(crate) fn of_payload(payload: &str) -> Self {
        if memchr::memmem::find(payload.as_bytes(), b"\"cnf\"").is_none() {
            return Self::None;
        }
        match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(payload) {
            Ok(claims) => Self::of(&claims),
            Err(_) => Self::Other,
        }
    }
}

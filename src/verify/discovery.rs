//! An issuer's OIDC discovery document (`{issuer}/.well-known/openid-configuration`, feature
//! `jwks`): fetched within the size limit from the issuer's origin, and refused unless its
//! `issuer` is this one. Keys and introspection endpoints are located from it
//! ([`located`](super::located)); the OpenAPI schemes read its OAuth 2 endpoints.

use std::fmt;

use reqwest::{Client, Url};
use serde_json::{Map, Value};

use crate::error::ConfigError;
use crate::verify::fetch::{HttpOptions, discovery_document, get_document};
use crate::verify::redacted_url;

/// The discovery document of `issuer` at `document`, checked.
pub(crate) async fn fetch_discovery(
    client: &Client,
    document: &Url,
    issuer: &str,
    options: HttpOptions,
) -> Result<Map<String, Value>, String> {
    let (body, _) = get_document(client, document, options)
        .await
        .map_err(|reason| format!("discovery: {reason}"))?;
    let discovery: Map<String, Value> =
        serde_json::from_slice(&body).map_err(|_| "malformed discovery document".to_owned())?;
    if discovery.get("issuer").and_then(Value::as_str) != Some(issuer) {
        return Err("the discovery document names another issuer".to_owned());
    }
    Ok(discovery)
}

/// Where a verifier that discovers its keys reads its issuer's document again.
pub(crate) struct Discovery {
    client: Client,
    options: HttpOptions,
    issuer: String,
    document: Url,
}

impl Discovery {
    pub(crate) fn new(
        issuer: &str,
        client: Client,
        options: HttpOptions,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            client,
            options,
            issuer: issuer.to_owned(),
            document: discovery_document(issuer, options)?,
        })
    }

    /// The document, fetched now.
    #[cfg_attr(not(feature = "utoipa"), allow(dead_code))]
    pub(crate) async fn document(&self) -> Result<Map<String, Value>, String> {
        fetch_discovery(&self.client, &self.document, &self.issuer, self.options).await
    }

    /// Whether `url` (an endpoint the document names) is one the verifier's rules allow
    /// (`https`, or `http` on loopback when allowed).
    #[cfg_attr(not(feature = "utoipa"), allow(dead_code))]
    pub(crate) fn allows(&self, url: &str) -> bool {
        crate::verify::fetch::allowed_url(url, self.options).is_ok()
    }
}

impl fmt::Debug for Discovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Discovery")
            .field(&redacted_url(self.document.as_str()))
            .finish()
    }
}

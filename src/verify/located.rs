//! A URL an issuer's client calls (its JWKS, its introspection endpoint): given in the
//! configuration, or found in the issuer's OIDC discovery document
//! (`{issuer}/.well-known/openid-configuration`, whose `issuer` must be this one), remembered
//! once found and looked up again after a failure. The key source and the introspection
//! client both locate theirs here.

use std::fmt;
use std::sync::Mutex;

use reqwest::{Client, Url};

use crate::error::ConfigError;
use crate::verify::discovery::fetch_discovery;
use crate::verify::fetch::{HttpOptions, discovery_document};
use crate::verify::redacted_url;

/// Where the URL is, as configured.
#[derive(Clone)]
pub(crate) enum Location {
    /// This URL.
    Given(String),
    /// The discovery document's member.
    Discovered,
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Given(url) => f.debug_tuple("Given").field(&redacted_url(url)).finish(),
            Self::Discovered => f.write_str("Discovered"),
        }
    }
}

/// Checks a URL the configuration or a discovery document gives.
pub(crate) type UrlRule = fn(&str, HttpOptions) -> Result<Url, ConfigError>;

/// The URL, checked: given, or to be discovered.
pub(crate) struct Located {
    at: At,
    rule: UrlRule,
}

enum At {
    Given(Url),
    Discovered {
        issuer: String,
        document: Url,
        /// The discovery document's member that names the URL (`jwks_uri`, …).
        member: &'static str,
        /// The URL, once discovered.
        found: Mutex<Option<Url>>,
    },
}

impl Located {
    /// `location` for `issuer`, its URL (given or discovered, in `member`) checked by `rule`.
    pub(crate) fn new(
        location: Location,
        issuer: &str,
        member: &'static str,
        rule: UrlRule,
        options: HttpOptions,
    ) -> Result<Self, ConfigError> {
        let at = match location {
            Location::Given(url) => At::Given(rule(&url, options)?),
            Location::Discovered => At::Discovered {
                issuer: issuer.to_owned(),
                document: discovery_document(issuer, options)?,
                member,
                found: Mutex::new(None),
            },
        };
        Ok(Self { at, rule })
    }

    /// The URL: given, remembered, or discovered now.
    pub(crate) async fn url(&self, client: &Client, options: HttpOptions) -> Result<Url, String> {
        let At::Discovered {
            issuer,
            document,
            member,
            found,
        } = &self.at
        else {
            let At::Given(url) = &self.at else {
                return Err("no URL".to_owned());
            };
            return Ok(url.clone());
        };
        if let Some(url) = found.lock().ok().and_then(|url| url.clone()) {
            return Ok(url);
        }
        let discovery = fetch_discovery(client, document, issuer, options).await?;
        let named = (discovery.get(*member).and_then(serde_json::Value::as_str))
            .ok_or_else(|| format!("the discovery document has no {member}"))?;
        let url =
            (self.rule)(named, options).map_err(|_| format!("{member} is not an allowed URL"))?;
        if let Ok(mut found) = found.lock() {
            *found = Some(url.clone());
        }
        Ok(url)
    }

    /// The URL given, or the discovery document's, redacted (for logs).
    pub(crate) fn shown(&self) -> String {
        match &self.at {
            At::Given(url) | At::Discovered { document: url, .. } => redacted_url(url.as_str()),
        }
    }

    /// Forgets a discovered URL after a failure: it is discovered again next time.
    pub(crate) fn forget(&self) {
        if let At::Discovered { found, .. } = &self.at {
            if let Ok(mut found) = found.lock() {
                *found = None;
            }
        }
    }
}

impl fmt::Debug for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            At::Given(url) => f
                .debug_tuple("Given")
                .field(&redacted_url(url.as_str()))
                .finish(),
            At::Discovered { document, .. } => f
                .debug_tuple("Discovered")
                .field(&redacted_url(document.as_str()))
                .finish(),
        }
    }
}

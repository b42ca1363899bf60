//! Keys fetched over HTTP (feature `jwks`): the JWKS of a URL given, or found by OIDC
//! discovery; the key cache's source.

use std::fmt;

use reqwest::Client;

use crate::error::ConfigError;
use crate::verify::fetch::{HttpOptions, allowed_url, get_document};
use crate::verify::jwks::signing_keys;
use crate::verify::key_cache::{BoxFuture, Fetched, KeySource};
use crate::verify::located::{Located, Location};

/// Keys fetched over HTTP. Its `Debug` (in the fetch warnings) shows redacted URLs.
pub(crate) struct HttpKeySource {
    client: Client,
    options: HttpOptions,
    jwks: Located,
}

impl fmt::Debug for HttpKeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpKeySource")
            .field("jwks", &self.jwks)
            .finish_non_exhaustive()
    }
}

impl HttpKeySource {
    /// A source of the JWKS at `location`, fetched by `client` with `options`' timeouts and
    /// redirect policy.
    pub(crate) fn new(
        location: Location,
        issuer: &str,
        options: HttpOptions,
        client: Client,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            client,
            options,
            jwks: Located::new(location, issuer, "jwks_uri", allowed_url, options)?,
        })
    }

    async fn fetch_keys(&self) -> Result<Fetched, String> {
        let url = self.jwks.url(&self.client, self.options).await?;
        let fetched = get_document(&self.client, &url, self.options).await;
        let result = fetched.and_then(|(body, max_age)| {
            Ok(Fetched {
                keys: signing_keys(&body)?,
                max_age,
            })
        });
        if result.is_err() {
            self.jwks.forget();
        }
        result
    }
}

impl KeySource for HttpKeySource {
    fn fetch(&self) -> BoxFuture<'_, Result<Fetched, String>> {
        Box::pin(self.fetch_keys())
    }
}

//! Documents fetched over HTTP (feature `jwks`): JWKS, discovery documents; the rules every
//! URL an issuer's client calls is held to.
//!
//! `https` only (plain `http` to loopback when allowed, for development and tests); connect
//! timeout 2 s and total 5 s by default; documents over 1 MiB refused; redirects followed only
//! on the same host and scheme, three at most. `Cache-Control: max-age` is passed to the cache.

use std::time::Duration;

use reqwest::{Client, Url, redirect};

use crate::error::ConfigError;

/// The HTTP client's limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HttpOptions {
    pub(crate) allow_http_loopback: bool,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) max_body: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            allow_http_loopback: false,
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            max_body: 1024 * 1024,
        }
    }
}

/// GETs a JSON document, within the size limit; with its `max-age`. A client of the user's
/// may follow redirects anywhere: the answer must come from the URL's origin, by an allowed
/// scheme.
pub(crate) async fn get_document(
    client: &Client,
    url: &Url,
    options: HttpOptions,
) -> Result<(Vec<u8>, Option<Duration>), String> {
    let response = client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .timeout(options.timeout)
        .send()
        .await
        .map_err(|err| format!("request failed: {}", without_url(&err, url)))?;
    let answered = response.url();
    if !same_origin(answered, url) || allowed_url(answered.as_str(), options).is_err() {
        return Err("redirected to another origin".to_owned());
    }
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()));
    }
    let max_age = response
        .headers()
        .get(reqwest::header::CACHE_CONTROL)
        .and_then(|value| value.to_str().ok())
        .and_then(max_age);
    let body = read_body(response, url, options.max_body).await?;
    Ok((body, max_age))
}

/// A response's body, refused past `max` bytes (announced or read).
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    url: &Url,
    max: usize,
) -> Result<Vec<u8>, String> {
    if response
        .content_length()
        .is_some_and(|len| len > max as u64)
    {
        return Err("document too large".to_owned());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| format!("reading failed: {}", without_url(&err, url)))?
    {
        if body.len() + chunk.len() > max {
            return Err("document too large".to_owned());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The OIDC discovery document of `issuer`: `{issuer}/.well-known/openid-configuration`.
pub(crate) fn discovery_document(issuer: &str, options: HttpOptions) -> Result<Url, ConfigError> {
    let base = issuer.trim_end_matches('/');
    allowed_url(&format!("{base}/.well-known/openid-configuration"), options)
}

/// The user's client when given, else the crate's own.
pub(crate) fn client_or_own(
    client: Option<Client>,
    options: HttpOptions,
) -> Result<Client, ConfigError> {
    match client {
        Some(client) => Ok(client),
        None => own_client(options),
    }
}

/// The crate's own client: `options`' timeouts, `https` only (unless loopback `http` is
/// allowed), redirects only within the origin, three at most.
fn own_client(options: HttpOptions) -> Result<Client, ConfigError> {
    let allow_http = options.allow_http_loopback;
    let policy = redirect::Policy::custom(move |attempt| {
        let within =
            (attempt.previous().first()).is_some_and(|first| same_origin(first, attempt.url()));
        if attempt.previous().len() > 3 || !within {
            attempt.stop()
        } else {
            attempt.follow()
        }
    });
    Client::builder()
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout)
        .redirect(policy)
        .https_only(!allow_http)
        .build()
        .map_err(|_| ConfigError::HttpClient)
}

pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// What went wrong, by the error's kind and the causes below it: never the error's own
/// `Display`, which names the URL (its userinfo and query, where credentials hide).
pub(crate) fn without_url(err: &reqwest::Error, url: &Url) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_redirect() {
        "redirect refused"
    } else if err.is_body() {
        "the body could not be read"
    } else if err.is_decode() {
        "the response could not be decoded"
    } else if err.is_request() {
        "the request failed"
    } else {
        "the HTTP exchange failed"
    };
    // The causes are hyper's, std's and rustls' errors, about the exchange and never the URL;
    // the URL is on the reqwest error alone, which is skipped.
    let mut text = kind.to_owned();
    let mut cause = std::error::Error::source(err);
    while let Some(error) = cause {
        text.push_str(": ");
        text.push_str(&error.to_string());
        cause = error.source();
    }
    // Should a cause ever quote the URL, its secret parts must still not reach the logs.
    let secrets = [url.password(), url.query(), Some(url.username())];
    if secrets
        .into_iter()
        .flatten()
        .any(|secret| !secret.is_empty() && text.contains(secret))
    {
        return kind.to_owned();
    }
    text
}

/// `max-age` of a `Cache-Control` value; `no-store` / `no-cache` count as zero.
fn max_age(cache_control: &str) -> Option<Duration> {
    cache_control.split(',').find_map(|directive| {
        let directive = directive.trim();
        if directive.eq_ignore_ascii_case("no-store") || directive.eq_ignore_ascii_case("no-cache")
        {
            return Some(Duration::ZERO);
        }
        let (name, value) = directive.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("max-age") {
            return None;
        }
        value
            .trim()
            .trim_matches('"')
            .parse()
            .ok()
            .map(Duration::from_secs)
    })
}

/// A key URL as the policy allows: `https`, or `http` to loopback when allowed.
pub(crate) fn allowed_url(url: &str, options: HttpOptions) -> Result<Url, ConfigError> {
    let url = Url::parse(url).map_err(|_| ConfigError::InsecureUrl)?;
    let host = url.host_str().unwrap_or_default();
    let loopback = crate::parse::host::is_loopback(host);
    match url.scheme() {
        "https" if !host.is_empty() => Ok(url),
        "http" if options.allow_http_loopback && loopback => Ok(url),
        _ => Err(ConfigError::InsecureUrl),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_cache_control() {
        let strict = HttpOptions::default();
        let dev = HttpOptions {
            allow_http_loopback: true,
            ..strict
        };
        assert!(allowed_url("https://idp.example/jwks", strict).is_ok());
        assert!(allowed_url("http://127.0.0.1:8080/jwks", strict).is_err());
        assert!(allowed_url("http://127.0.0.1:8080/jwks", dev).is_ok());
        assert!(allowed_url("http://[::1]/jwks", dev).is_ok());
        assert!(allowed_url("http://localhost/jwks", dev).is_ok());
        assert!(allowed_url("http://idp.example/jwks", dev).is_err());
        assert!(allowed_url("ftp://127.0.0.1/jwks", dev).is_err());
        assert_eq!(
            max_age("public, max-age=600"),
            Some(Duration::from_secs(600))
        );
        assert_eq!(max_age("no-store"), Some(Duration::ZERO));
        assert_eq!(max_age("public"), None);
    }
}

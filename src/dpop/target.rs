//! The request a proof must have been made for, as the client sent it: its method, and its
//! URI with the public scheme and host.
//!
//! Behind a gateway the service sees neither the client's scheme nor its host. They come from
//! the configured public URL, or, from a trusted proxy only, from `X-Forwarded-Proto` and
//! `X-Forwarded-Host`; a forward-auth subrequest's original method and URI come from
//! `X-Original-Method` and `X-Original-URI`, from a trusted proxy only. An untrusted peer's
//! headers are never read.

use http::{HeaderMap, HeaderName, Method, Uri};
use url::Url;

use crate::error::DpopError;

const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_ORIGINAL_METHOD: HeaderName = HeaderName::from_static("x-original-method");
const X_ORIGINAL_URI: HeaderName = HeaderName::from_static("x-original-uri");

/// A request's public method and URI.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) method: Box<str>,
    pub(crate) uri: Box<str>,
}

fn unknown(rule: &'static str) -> DpopError {
    DpopError::InvalidProof(rule)
}

/// The one value of a header, as text.
fn single<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<&'h str> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    values.next().is_none().then_some(())?;
    value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

/// The public method and URI of a request the service received as `method` and `uri`, with
/// `headers`, from a peer that is a trusted proxy or not.
pub(crate) fn target(
    (method, uri): (&Method, &Uri),
    headers: &HeaderMap,
    trusted: bool,
    public_url: Option<&Url>,
) -> Result<Target, DpopError> {
    let forwarded = |name: &HeaderName| trusted.then(|| single(headers, name)).flatten();
    let method = forwarded(&X_ORIGINAL_METHOD).unwrap_or(method.as_str());
    let path = match forwarded(&X_ORIGINAL_URI) {
        Some(original) if original.starts_with("http://") || original.starts_with("https://") => {
            return Ok(Target {
                method: method.into(),
                uri: original.into(),
            });
        }
        Some(original) => original,
        None => uri.path(),
    };
    let base = match (forwarded(&X_FORWARDED_PROTO), forwarded(&X_FORWARDED_HOST)) {
        (Some(proto), Some(host)) if matches!(proto, "http" | "https") => {
            format!("{proto}://{host}")
        }
        _ => {
            let url = public_url.ok_or_else(|| {
                unknown("the request's public URL is unknown (configure with_public_url)")
            })?;
            url.as_str().trim_end_matches('/').to_owned()
        }
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let separator = if path.starts_with('/') { "" } else { "/" };
    Ok(Target {
        method: method.into(),
        uri: format!("{base}{separator}{path}").into(),
    })
}

/// A public URL as configured: absolute `http(s)`, with no userinfo, query or fragment.
pub(crate) fn public_url(url: &str) -> Option<Url> {
    let url = Url::parse(url).ok()?;
    let plain = url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some() && plain).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, http::HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn public_urls_and_forwarded_headers() {
        let public = public_url("https://api.example.com/prefix/").unwrap();
        let uri: Uri = "/orders?x=1".parse().unwrap();
        let get = (&Method::GET, &uri);
        let plain = target(get, &HeaderMap::new(), false, Some(&public)).unwrap();
        assert_eq!(&*plain.uri, "https://api.example.com/prefix/orders");
        assert_eq!(&*plain.method, "GET");
        let forwarded = headers(&[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "edge.example.com"),
            ("x-original-method", "POST"),
            ("x-original-uri", "/tools/call?y=2"),
        ]);
        let trusted = target(get, &forwarded, true, None).unwrap();
        assert_eq!(&*trusted.uri, "https://edge.example.com/tools/call");
        assert_eq!(&*trusted.method, "POST");
        // From an untrusted peer the headers are not read.
        let untrusted = target(get, &forwarded, false, Some(&public)).unwrap();
        assert_eq!(&*untrusted.uri, "https://api.example.com/prefix/orders");
        assert_eq!(&*untrusted.method, "GET");
        assert!(target(get, &forwarded, false, None).is_err());
        // Repeated headers are not taken.
        let twice = headers(&[("x-original-method", "POST"), ("x-original-method", "PUT")]);
        assert_eq!(
            &*target(get, &twice, true, Some(&public)).unwrap().method,
            "GET"
        );
        assert!(public_url("https://u:p@api.example.com").is_none());
        assert!(public_url("https://api.example.com/?q").is_none());
        assert!(public_url("/relative").is_none());
    }
}

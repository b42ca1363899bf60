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
use crate::parse::host::is_host_and_port;

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
///
/// - A configured public URL pins the scheme and host (and path prefix): forwarded headers never
///   replace it. Without one, a trusted proxy's `X-Forwarded-Proto` (`http` or `https`) and
///   `X-Forwarded-Host` (`host[:port]` and nothing else) give them.
/// - A trusted proxy's `X-Original-URI` must be a path (`/…`, origin-form): an absolute URI
///   would bypass the public URL, and is refused.
/// - A path with dot segments (`.` or `..`, percent-encoded or not) is refused: the proof's
///   `htu` is compared after RFC 3986 normalisation, but the service routes the raw path, so a
///   proof for `/ping` would pass at `/admin/../ping`.
pub(crate) fn target(
    (method, uri): (&Method, &Uri),
    headers: &HeaderMap,
    trusted: bool,
    public_url: Option<&Url>,
) -> Result<Target, DpopError> {
    let forwarded = |name: &HeaderName| trusted.then(|| single(headers, name)).flatten();
    let method = forwarded(&X_ORIGINAL_METHOD).unwrap_or(method.as_str());
    let path = match forwarded(&X_ORIGINAL_URI) {
        Some(original) if !original.starts_with('/') || original.starts_with("//") => {
            return Err(unknown("X-Original-URI is not a path (origin-form)"));
        }
        Some(original) => original,
        None => uri.path(),
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if has_dot_segment(path) {
        return Err(unknown("the request path has dot segments"));
    }
    let base = match public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None => {
            let proto = forwarded(&X_FORWARDED_PROTO).filter(|p| matches!(*p, "http" | "https"));
            let host = forwarded(&X_FORWARDED_HOST).filter(|host| is_host_and_port(host));
            match (proto, host) {
                (Some(proto), Some(host)) => format!("{proto}://{host}"),
                _ => {
                    return Err(unknown(
                        "the request's public URL is unknown (configure with_public_url)",
                    ));
                }
            }
        }
    };
    let separator = if path.starts_with('/') { "" } else { "/" };
    Ok(Target {
        method: method.into(),
        uri: format!("{base}{separator}{path}").into(),
    })
}

/// Whether `path` has a `.` or `..` segment, its dots percent-encoded or not (`%2e`, `%2E`):
/// decoded as `htu` is (`.` is unreserved), then split.
fn has_dot_segment(path: &str) -> bool {
    crate::dpop::htu::percent_normalized(path)
        .split('/')
        .any(|segment| segment == "." || segment == "..")
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
        // H3: a configured public URL pins scheme and host; the path still comes from the proxy.
        let pinned = target(get, &forwarded, true, Some(&public)).unwrap();
        assert_eq!(&*pinned.uri, "https://api.example.com/prefix/tools/call");
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

    /// H3: an absolute `X-Original-URI` is refused; a forwarded host is `host[:port]` only.
    #[test]
    fn forwarded_values_are_parsed_strictly() {
        let public = public_url("https://api.example.com").unwrap();
        let uri: Uri = "/whoami".parse().unwrap();
        let get = (&Method::GET, &uri);
        for original in ["https://evil.example/ping", "//evil.example/ping", "ping"] {
            let map = {
                let mut map = HeaderMap::new();
                map.insert("x-original-uri", original.parse().unwrap());
                map
            };
            assert!(
                target(get, &map, true, Some(&public)).is_err(),
                "{original}"
            );
        }
        for (host, ok) in [
            ("api.example.com", true),
            ("api.example.com:8443", true),
            ("[::1]:3000", true),
            ("[::1]", true),
            ("a@evil.example", false),
            ("evil.example/path", false),
            ("api.example.com:99999", false),
            ("api.example.com:0", false),
            ("api.example.com:", false),
            ("[::1]x", false),
            ("", false),
        ] {
            let mut map = HeaderMap::new();
            map.insert("x-forwarded-proto", "https".parse().unwrap());
            if let Ok(value) = host.parse() {
                map.insert("x-forwarded-host", value);
            }
            assert_eq!(target(get, &map, true, None).is_ok(), ok, "{host}");
        }
    }

    /// H4: a path with dot segments is refused, whatever their encoding.
    #[test]
    fn dot_segments_are_refused() {
        let public = public_url("https://api.example.com").unwrap();
        for path in [
            "/whoami/../ping",
            "/whoami/%2e%2e/ping",
            "/whoami/%2E%2e/ping",
            "/whoami/.%2e/ping",
            "/./ping",
            "/ping/..",
        ] {
            let uri: Uri = path.parse().unwrap();
            let result = target(
                (&Method::GET, &uri),
                &HeaderMap::new(),
                false,
                Some(&public),
            );
            assert!(result.is_err(), "{path}");
        }
        let uri: Uri = "/a.b/..c/%2e%2ex".parse().unwrap();
        assert!(
            target(
                (&Method::GET, &uri),
                &HeaderMap::new(),
                false,
                Some(&public)
            )
            .is_ok()
        );
    }
}

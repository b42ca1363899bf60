//! The URI a DPoP proof was made for (`htu`), compared as RFC 9449 §4.3 says: without query
//! and fragment, after RFC 3986 §6.2.2 syntax-based normalisation (scheme and host in lower
//! case, the default port dropped, dot segments removed, percent-encodings in upper case and
//! unreserved characters decoded; an empty path is `/`).

use url::Url;

/// `uri` normalised, without its query and fragment; `None` when it is not an absolute
/// `http(s)` URI.
pub(crate) fn normalized(uri: &str) -> Option<String> {
    // The WHATWG parser lower-cases scheme and host, drops the default port, removes dot
    // segments and gives an empty path as `/`.
    let mut url = Url::parse(uri).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    url.set_query(None);
    url.set_fragment(None);
    let path = percent_normalized(url.path());
    url.set_path(&path);
    Some(url.to_string())
}

/// Percent-encodings in upper case, and those of unreserved characters (RFC 3986 §2.3)
/// decoded.
pub(crate) fn percent_normalized(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let escaped = (byte == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(decoded) if decoded.is_ascii_alphanumeric() || b"-._~".contains(&decoded) => {
                out.push(char::from(decoded));
                i += 3;
            }
            Some(decoded) => {
                out.push_str(&format!("%{decoded:02X}"));
                i += 3;
            }
            None => {
                // The URL's path is ASCII: the parser percent-encoded the rest.
                out.push(char::from(byte));
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalent_uris_normalise_alike() {
        let canonical = normalized("https://api.example.com/a/b").unwrap();
        for uri in [
            "https://api.example.com/a/b",
            "HTTPS://API.Example.COM/a/b",
            "https://api.example.com:443/a/b",
            "https://api.example.com/a/./c/../b",
            "https://api.example.com/%61/b",
            "https://api.example.com/a/b?x=1#frag",
        ] {
            assert_eq!(normalized(uri).unwrap(), canonical, "{uri}");
        }
        assert_eq!(
            normalized("https://api.example.com").unwrap(),
            "https://api.example.com/"
        );
        assert_eq!(
            normalized("https://api.example.com/a%2fb").unwrap(),
            "https://api.example.com/a%2Fb"
        );
        for other in [
            "https://api.example.com/A/b",
            "http://api.example.com/a/b",
            "https://api.example.com:8443/a/b",
            "https://api.example.com/a/b/",
        ] {
            assert_ne!(normalized(other).unwrap(), canonical, "{other}");
        }
        assert_eq!(normalized("/a/b"), None);
        assert_eq!(normalized("ftp://api.example.com/a"), None);
    }
}

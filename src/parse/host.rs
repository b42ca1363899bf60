//! A host and port as written in a URL's authority or a `Host`-like header: the one rule the
//! protected resource's URL and a trusted proxy's `X-Forwarded-Host` are both read by; and the
//! one loopback rule every `http` URL allowed on loopback is read by (key and introspection
//! endpoints, the protected resource).

/// A port as written: digits only, 1–65535.
pub(crate) fn port(text: &str) -> Option<u16> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    text.parse().ok().filter(|port| digits && *port != 0)
}

/// Whether `text` is `host[:port]` and nothing else: a registered name (letters, digits, `-`,
/// `.`) or a bracketed IPv6 literal, and a [`port`]; no userinfo, path or anything else.
#[cfg_attr(
    not(feature = "dpop"),
    allow(dead_code, reason = "DPoP's forwarded host")
)]
pub(crate) fn is_host_and_port(text: &str) -> bool {
    let (name_ok, port_text) = if let Some(rest) = text.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        let port_text = match after {
            "" => None,
            after => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => return false,
            },
        };
        (v6.parse::<std::net::Ipv6Addr>().is_ok(), port_text)
    } else {
        let (host, port_text) = match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        };
        let name_ok = !host.is_empty()
            && host.len() <= 253
            && (host.bytes()).all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        (name_ok, port_text)
    };
    name_ok && port_text.is_none_or(|text| port(text).is_some())
}

/// Whether a URL's host names this machine: `localhost` (any case) or a loopback address
/// (`127.0.0.0/8`, `::1`; an IPv6 literal in brackets or not).
pub(crate) fn is_loopback(host: &str) -> bool {
    let ip = host
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(host);
    host.eq_ignore_ascii_case("localhost")
        || ip
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback() {
        for host in [
            "localhost",
            "LocalHost",
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "localhost.example",
            "128.0.0.1",
            "[::2]",
            "",
            "[::1",
            "0.0.0.0",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn ports() {
        assert_eq!(port("8443"), Some(8443));
        for bad in ["", "0", "65536", "99999", "+80", "8a", " 80"] {
            assert_eq!(port(bad), None, "{bad}");
        }
    }
}

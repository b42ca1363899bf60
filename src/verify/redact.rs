//! URLs as logs and `Debug` show them: without userinfo (`user:password@`), query and fragment,
//! where credentials and tokens hide (`https://user:pw@idp/jwks?token=…`).

/// `scheme://host[:port]/path` of `url`, with any userinfo, query and fragment left out: how
/// this crate prints issuer and key URLs, for an application's own logs of its configuration.
///
/// Works on text, so a URL that does not parse is redacted all the same.
///
/// ```
/// use axum_userinfo::verify::redacted_url;
/// let url = "https://user:pw@idp.example/jwks?token=t";
/// assert_eq!(redacted_url(url), "https://…@idp.example/jwks");
/// ```
#[must_use]
pub fn redacted_url(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let url = url.get(..end).unwrap_or_default();
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let elided = if host.len() == authority.len() {
        ""
    } else {
        "…@"
    };
    match scheme {
        Some(scheme) => format!("{scheme}://{elided}{host}{path}"),
        None => format!("{elided}{host}{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_queries_are_left_out() {
        let cases = [
            ("https://idp.example/jwks", "https://idp.example/jwks"),
            (
                "https://user:pw@idp.example:8443/realms/a/jwks?token=t#f",
                "https://…@idp.example:8443/realms/a/jwks",
            ),
            ("https://pw@idp.example", "https://…@idp.example"),
            ("https://idp.example/a@b?x=1", "https://idp.example/a@b"),
            ("not a url?secret", "not a url"),
            ("u:p@host/path", "…@host/path"),
        ];
        for (url, want) in cases {
            assert_eq!(redacted_url(url), want, "{url}");
        }
    }
}

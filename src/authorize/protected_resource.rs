//! [`ProtectedResource`]: RFC 9728 protected-resource metadata, so that a client (an MCP
//! client, for one) that gets a 401 finds the authorization server by itself.

use http::Uri;
use serde_json::{Value, json};

use crate::error::ConfigError;
use crate::parse::scope::scope_tokens;

/// The scope that asks for a refresh token (OpenID Connect): never a resource's requirement,
/// so never in its `scopes_supported` nor in a challenge's `scope` (the MCP authorization
/// spec).
pub(crate) const OFFLINE_ACCESS: &str = "offline_access";

/// The well-known path RFC 9728 §3 registers.
pub const WELL_KNOWN_PATH: &str = "/.well-known/oauth-protected-resource";

/// A protected resource as RFC 9728 describes it: its identifier, the authorization servers
/// whose tokens it takes, the scopes it knows. Configure it on the resolver
/// ([`ResolverBuilder::with_protected_resource`](crate::ResolverBuilder::with_protected_resource)):
/// every 401 challenge, and the 403 of a guard, then carries
/// `resource_metadata="<metadata URL>"` (RFC 9728 §5.1), and the axum adapter serves the
/// document ([`resource_metadata_routes`](crate::layer::resource_metadata_routes)).
///
/// A resource must accept only tokens issued for it: require its identifier as the audience
/// ([`JwtVerifierBuilder::with_audience`](crate::verify::JwtVerifierBuilder::with_audience),
/// RFC 8707).
///
/// ```
/// use axum_userinfo::authorize::ProtectedResource;
/// let resource = ProtectedResource::new("https://api.example.com/mcp", ["https://sso.example.com"])?
///     .with_scopes_supported(["tools:call"])?;
/// assert_eq!(
///     resource.metadata_url(),
///     "https://api.example.com/.well-known/oauth-protected-resource/mcp"
/// );
/// assert_eq!(resource.document()["authorization_servers"][0], "https://sso.example.com");
/// # Ok::<(), axum_userinfo::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedResource {
    resource: String,
    metadata_url: String,
    metadata_path: String,
    authorization_servers: Vec<String>,
    scopes_supported: Vec<String>,
    resource_name: Option<String>,
}

impl ProtectedResource {
    /// The resource identified by `resource`, an `https` URL (or `http` on a loopback host,
    /// for local development) without query or fragment, whose tokens come from
    /// `authorization_servers` (their issuers; at least one, RFC 9728 and the MCP spec: a
    /// client finds where to get a token there). Its scheme and host are kept in lower case
    /// (`HTTPS://API.example.com/mcp` is `https://api.example.com/mcp`), the one form the
    /// metadata and every challenge show.
    ///
    /// # Errors
    /// [`ConfigError::ResourceWithoutAuthorizationServer`] when `authorization_servers` names
    /// none (or only blank ones); [`ConfigError::InvalidResource`] for a resource that is not
    /// such a URL: a URL with a character that cannot be quoted in a challenge, a port outside
    /// 1–65535, or route syntax in its path (`{`, `}`, a segment starting with `:` or `*`),
    /// which the metadata route would otherwise read as a capture.
    pub fn new<I, S>(
        resource: impl Into<String>,
        authorization_servers: I,
    ) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let authorization_servers: Vec<String> =
            authorization_servers.into_iter().map(Into::into).collect();
        if authorization_servers.is_empty()
            || authorization_servers
                .iter()
                .any(|server| server.trim().is_empty())
        {
            return Err(ConfigError::ResourceWithoutAuthorizationServer);
        }
        let resource = resource.into();
        let uri: Uri = resource.parse().map_err(|_| ConfigError::InvalidResource)?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(ConfigError::InvalidResource);
        };
        let scheme = scheme.to_ascii_lowercase();
        let host = authority.host().to_ascii_lowercase();
        let loopback = crate::parse::host::is_loopback(&host);
        let quotable = resource
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
        // What follows the host: nothing, or `:` and a port (`Authority::port` gives none for
        // a port it cannot read, 99999 say).
        let after_host =
            (authority.as_str().rsplit_once(authority.host())).map_or("", |(_, after)| after);
        let port = match after_host.strip_prefix(':') {
            None if after_host.is_empty() => String::new(),
            Some(text) => match crate::parse::host::port(text) {
                Some(number) => format!(":{number}"),
                None => return Err(ConfigError::InvalidResource),
            },
            None => return Err(ConfigError::InvalidResource),
        };
        let route_syntax = uri.path().contains(['{', '}'])
            || (uri.path().split('/')).any(|segment| segment.starts_with([':', '*']));
        if !(scheme == "https" || (scheme == "http" && loopback))
            || uri.query().is_some()
            || resource.contains('#')
            || !quotable
            || authority.as_str().contains('@')
            || route_syntax
        {
            return Err(ConfigError::InvalidResource);
        }
        let origin = format!("{scheme}://{host}{port}");
        // RFC 9728 §3.1: the well-known path goes between the host and the resource's path.
        let path = match uri.path() {
            "/" => "",
            path => path,
        };
        let metadata_path = format!("{WELL_KNOWN_PATH}{path}");
        // The resource as given, but for its scheme and host's case: its path as written (a
        // query and a fragment are refused above) follows `scheme://authority`.
        let written = scheme.len() + "://".len() + authority.as_str().len();
        let resource = format!("{origin}{}", resource.get(written..).unwrap_or_default());
        Ok(Self {
            metadata_url: format!("{origin}{metadata_path}"),
            metadata_path,
            resource,
            authorization_servers,
            scopes_supported: Vec::new(),
            resource_name: None,
        })
    }

    /// The authorization servers named so far.
    #[must_use]
    pub fn authorization_servers(&self) -> &[String] {
        &self.authorization_servers
    }

    /// More authorization servers (issuers) whose tokens the resource takes.
    #[must_use]
    pub fn with_authorization_servers<I, S>(mut self, servers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.authorization_servers
            .extend(servers.into_iter().map(Into::into));
        self
    }

    /// The scopes the resource knows (`scopes_supported`): those a client asks for when no
    /// challenge names any (the MCP spec's minimal set for basic use).
    ///
    /// # Errors
    /// [`ConfigError::InvalidScope`] for a scope that is not an RFC 6749 scope token,
    /// [`ConfigError::OfflineAccessInScopesSupported`] for `offline_access` (refresh tokens
    /// are not the resource's requirement).
    pub fn with_scopes_supported<I, S>(mut self, scopes: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let scopes = scope_tokens(scopes)?;
        if scopes.iter().any(|scope| scope == OFFLINE_ACCESS) {
            return Err(ConfigError::OfflineAccessInScopesSupported);
        }
        self.scopes_supported.extend(scopes);
        Ok(self)
    }

    /// A name for people (`resource_name`).
    #[must_use]
    pub fn with_resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// The resource identifier.
    #[must_use]
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// Where the metadata document is served (RFC 9728 §3.1), the URL challenges point to.
    #[must_use]
    pub fn metadata_url(&self) -> &str {
        &self.metadata_url
    }

    /// The path of [`metadata_url`](Self::metadata_url).
    #[must_use]
    pub fn metadata_path(&self) -> &str {
        &self.metadata_path
    }

    /// The metadata document: `resource`, `authorization_servers` and `scopes_supported` (when
    /// configured), `bearer_methods_supported: ["header"]`, and `resource_name` when given.
    #[must_use]
    pub fn document(&self) -> Value {
        let mut document = json!({
            "resource": self.resource,
            "bearer_methods_supported": ["header"],
        });
        if let Value::Object(map) = &mut document {
            if !self.authorization_servers.is_empty() {
                map.insert(
                    "authorization_servers".into(),
                    json!(self.authorization_servers),
                );
            }
            if !self.scopes_supported.is_empty() {
                map.insert("scopes_supported".into(), json!(self.scopes_supported));
            }
            if let Some(name) = &self.resource_name {
                map.insert("resource_name".into(), json!(name));
            }
        }
        document
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AS: &str = "https://sso.example.com";

    #[test]
    fn an_authorization_server_is_required_and_offline_access_refused() {
        let none: [&str; 0] = [];
        let resource = "https://api.example.com/mcp";
        assert_eq!(
            ProtectedResource::new(resource, none),
            Err(ConfigError::ResourceWithoutAuthorizationServer)
        );
        assert_eq!(
            ProtectedResource::new(resource, [" "]),
            Err(ConfigError::ResourceWithoutAuthorizationServer)
        );
        let ok = ProtectedResource::new(resource, [AS]).unwrap();
        assert_eq!(ok.document()["authorization_servers"][0], AS);
        assert_eq!(
            ok.clone()
                .with_scopes_supported(["tools", "offline_access"]),
            Err(ConfigError::OfflineAccessInScopesSupported)
        );
    }

    #[test]
    fn metadata_urls_and_refusals() {
        let url = |resource: &str| {
            ProtectedResource::new(resource, [AS]).map(|r| r.metadata_url().to_owned())
        };
        assert_eq!(
            url("https://api.example.com").unwrap(),
            "https://api.example.com/.well-known/oauth-protected-resource"
        );
        assert_eq!(
            url("https://api.example.com/").unwrap(),
            "https://api.example.com/.well-known/oauth-protected-resource"
        );
        assert_eq!(
            url("https://api.example.com:8443/a/b").unwrap(),
            "https://api.example.com:8443/.well-known/oauth-protected-resource/a/b"
        );
        assert_eq!(
            url("http://127.0.0.1:3000/mcp").unwrap(),
            "http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp"
        );
        for bad in [
            "https://api.example.com/{x}",
            "https://api.example.com/:x",
            "https://api.example.com/a/*x",
            "https://api.example.com/a}",
            "https://api.example.com:99999/",
            "https://api.example.com:0/",
            "http://api.example.com",
            "https://api.example.com/?x=1",
            "https://api.example.com/#f",
            "https://user:pw@api.example.com/",
            "/relative",
            "https://api.example.com/a\"b",
            "",
        ] {
            assert_eq!(url(bad), Err(ConfigError::InvalidResource), "{bad}");
        }
        // One canonical form: scheme and host in lower case, wherever they are shown.
        let upper = ProtectedResource::new("HTTPS://API.Example.com:8443/MCP", [AS]).unwrap();
        assert_eq!(upper.resource(), "https://api.example.com:8443/MCP");
        assert_eq!(
            upper.metadata_url(),
            "https://api.example.com:8443/.well-known/oauth-protected-resource/MCP"
        );
        assert_eq!(
            upper.document()["resource"],
            "https://api.example.com:8443/MCP"
        );
        let root = ProtectedResource::new("https://API.example.com", [AS]).unwrap();
        assert_eq!(root.resource(), "https://api.example.com");
    }
}

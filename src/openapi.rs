//! OpenAPI security schemes derived from the resolver you configured (feature `utoipa`), so that
//! a published document says what the service accepts, and cannot drift from it.
//!
//! | scheme name | type | when |
//! | --- | --- | --- |
//! | `bearer` | `http`, `bearer` (`bearerFormat: JWT` when only JWTs are) | JWTs or opaque tokens accepted |
//! | `oidc`, `oidc-2`, … | `openIdConnect`, the issuer's discovery document | a verifier whose keys come by OIDC discovery |
//! | `oauth2`, `oauth2-2`, … | `oauth2`: the authorization-code and client-credentials flows, the issuer's endpoints and scopes | the same, read from the document by [`Resolver::discover_security_schemes`] (async) |
//! | `api_key` | `apiKey` in the `X-API-Key` header | API keys accepted |
//! | `session` | `apiKey` in the `nat-session` cookie | session cookies accepted |
//! | `basic` | `http`, `basic` | Basic credentials accepted |
//! | `token_cookie`, `token_header` | `apiKey` in that cookie or header | [token locations](crate::ResolverBuilder::with_token_cookie) |
//! | `mutual_tls` | `mutualTLS` | [client certificates](crate::ResolverBuilder::with_client_certificates) |
//!
//! A [`Guard`]'s scopes become a route's security requirement on the token schemes.
//!
//! ```
//! use axum_userinfo::{CredentialKind, Guard, Resolver};
//! use utoipa::openapi::OpenApiBuilder;
//!
//! let resolver = Resolver::builder()
//!     .with_accepted_kinds([CredentialKind::Jwt, CredentialKind::ApiKey])
//!     .build()?;
//! let mut openapi = OpenApiBuilder::new().build();
//! resolver.document_security(&mut openapi);
//! let schemes = &openapi.components.as_ref().unwrap().security_schemes;
//! assert!(schemes.contains_key("bearer") && schemes.contains_key("api_key"));
//! assert!(!schemes.contains_key("basic"));
//!
//! let writers = Guard::new("writers").require_scopes(["orders:write"])?;
//! let requirements = writers.security_requirements(&resolver);
//! assert!(!requirements.is_empty());
//! # Ok::<(), axum_userinfo::ConfigError>(())
//! ```

use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, OpenIdConnect, SecurityRequirement,
    SecurityScheme,
};
#[cfg(feature = "jwks")]
use utoipa::openapi::security::{AuthorizationCode, ClientCredentials, Flow, OAuth2, Scopes};

use crate::authorize::Guard;
use crate::identity::kinds::CredentialKind;
use crate::resolve::Resolver;

impl Resolver {
    /// The security schemes of what this resolver accepts, by name (see [the
    /// module](crate::openapi)); none for a trusted identity header (no client presents one).
    #[must_use]
    pub fn security_schemes(&self) -> Vec<(String, SecurityScheme)> {
        let config = self.config();
        if config.identity_header.is_some() {
            return Vec::new();
        }
        let accepts = |kind| config.accepted.contains(kind);
        let mut schemes = Vec::new();
        let jwt = accepts(CredentialKind::Jwt);
        let opaque = accepts(CredentialKind::OpaqueToken) && self.introspects();
        if jwt || opaque {
            let mut bearer = HttpBuilder::new().scheme(HttpAuthScheme::Bearer);
            if !opaque {
                bearer = bearer.bearer_format("JWT");
            }
            schemes.push(("bearer".to_owned(), SecurityScheme::Http(bearer.build())));
        }
        if jwt {
            for (n, issuer) in discovery_issuers(self).into_iter().enumerate() {
                let name = numbered("oidc", n);
                let document = format!(
                    "{}/.well-known/openid-configuration",
                    issuer.trim_end_matches('/')
                );
                schemes.push((
                    name,
                    SecurityScheme::OpenIdConnect(OpenIdConnect::new(document)),
                ));
            }
        }
        let mut api_key = |name: &str, key: ApiKey| {
            schemes.push((name.to_owned(), SecurityScheme::ApiKey(key)));
        };
        if accepts(CredentialKind::ApiKey) {
            api_key("api_key", ApiKey::Header(ApiKeyValue::new("X-API-Key")));
        }
        if accepts(CredentialKind::SessionCookie) {
            api_key(
                "session",
                ApiKey::Cookie(ApiKeyValue::new(crate::SESSION_COOKIE)),
            );
        }
        if let Some(locations) = &config.token_locations {
            if let Some(cookie) = &locations.cookie {
                api_key("token_cookie", ApiKey::Cookie(ApiKeyValue::new(cookie)));
            }
            if let Some(header) = &locations.header {
                api_key(
                    "token_header",
                    ApiKey::Header(ApiKeyValue::new(header.as_str())),
                );
            }
        }
        if accepts(CredentialKind::Basic) {
            let basic = HttpBuilder::new().scheme(HttpAuthScheme::Basic).build();
            schemes.push(("basic".to_owned(), SecurityScheme::Http(basic)));
        }
        if config.client_certificates.is_some() {
            let mtls = SecurityScheme::MutualTls {
                description: Some("certificate-bound access tokens (RFC 8705)".to_owned()),
                extensions: None,
            };
            schemes.push(("mutual_tls".to_owned(), mtls));
        }
        schemes
    }

    /// Adds [`security_schemes`](Self::security_schemes) to `openapi`'s components (made when
    /// it has none), replacing schemes of the same names.
    pub fn document_security(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_schemes_from_iter(self.security_schemes());
    }
}

impl Guard {
    /// The route's security requirements under `resolver`'s schemes: any one of them, with
    /// this guard's scopes on the OpenID Connect and OAuth 2 schemes (an OpenAPI 3.0 reader
    /// expects scopes there only) and none elsewhere.
    #[must_use]
    pub fn security_requirements(&self, resolver: &Resolver) -> Vec<SecurityRequirement> {
        self.security_requirements_in(&resolver.security_schemes())
    }

    /// The same under schemes already derived (say by
    /// [`Resolver::discover_security_schemes`], with its `oauth2` schemes).
    #[must_use]
    pub fn security_requirements_in(
        &self,
        schemes: &[(String, SecurityScheme)],
    ) -> Vec<SecurityRequirement> {
        let scopes = self.required_scopes();
        (schemes.iter())
            .map(|(name, scheme)| match scheme {
                SecurityScheme::OpenIdConnect(_) | SecurityScheme::OAuth2(_) => {
                    SecurityRequirement::new(name, scopes.iter())
                }
                _ => SecurityRequirement::new(name, Vec::<String>::new()),
            })
            .collect()
    }
}

/// The issuers of the resolver's verifiers whose keys come by OIDC discovery.
fn discovery_issuers(resolver: &Resolver) -> Vec<String> {
    #[cfg(feature = "jwks")]
    return (resolver.config().issuers.verifiers())
        .filter(|verifier| verifier.discovery().is_some())
        .map(|verifier| verifier.issuer().to_owned())
        .collect();
    #[cfg(not(feature = "jwks"))]
    {
        let _ = resolver;
        Vec::new()
    }
}

/// The `n`th (from 0) scheme named `base`: `base`, `base-2`, …
fn numbered(base: &str, n: usize) -> String {
    if n == 0 {
        base.to_owned()
    } else {
        format!("{base}-{}", n + 1)
    }
}

/// An issuer's discovery document could not be read into an OAuth 2 scheme
/// ([`Resolver::discover_security_schemes`]): the issuer, and why (no URL's userinfo or query,
/// no secret).
#[cfg(feature = "jwks")]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the OIDC discovery document of {issuer}: {reason}")]
pub struct DiscoveryError {
    issuer: String,
    reason: String,
}

#[cfg(feature = "jwks")]
impl DiscoveryError {
    /// The issuer whose document failed.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
}

#[cfg(feature = "jwks")]
impl Resolver {
    /// [`security_schemes`](Self::security_schemes), and an `oauth2` scheme (`oauth2-2`, … for
    /// more) for each verifier whose keys come by OIDC discovery and whose issuer's document
    /// names a `token_endpoint`: the `authorizationCode` flow when it names an
    /// `authorization_endpoint` and its `grant_types_supported` (RFC 8414's default:
    /// `authorization_code`, `implicit`) has `authorization_code`, the `clientCredentials` flow
    /// when they have `client_credentials`, with its `scopes_supported` (feature `jwks`).
    ///
    /// # Errors
    /// [`DiscoveryError`] when a document cannot be fetched, names another issuer, or names an
    /// endpoint the verifier's URL rules refuse (`https`, or loopback `http` when allowed):
    /// a document is never published with a guess.
    pub async fn discover_security_schemes(
        &self,
    ) -> Result<Vec<(String, SecurityScheme)>, DiscoveryError> {
        let mut schemes = self.security_schemes();
        if !self.config().accepted.contains(CredentialKind::Jwt)
            || self.config().identity_header.is_some()
        {
            return Ok(schemes);
        }
        let discovering = (self.config().issuers.verifiers())
            .filter_map(|verifier| Some((verifier.issuer(), verifier.discovery()?)));
        let mut n = 0;
        for (issuer, discovery) in discovering {
            let failed = |reason: String| DiscoveryError {
                issuer: issuer.to_owned(),
                reason,
            };
            let document = discovery.document().await.map_err(failed)?;
            let endpoint = |member: &str| -> Result<Option<String>, DiscoveryError> {
                match document.get(member) {
                    None => Ok(None),
                    Some(serde_json::Value::String(url)) if discovery.allows(url) => {
                        Ok(Some(url.clone()))
                    }
                    Some(_) => Err(failed(format!("{member} is not an allowed URL"))),
                }
            };
            if let Some(flows) = oauth2_flows(
                &document,
                endpoint("token_endpoint")?,
                endpoint("authorization_endpoint")?,
            ) {
                schemes.push((
                    numbered("oauth2", n),
                    SecurityScheme::OAuth2(OAuth2::new(flows)),
                ));
                n += 1;
            }
        }
        Ok(schemes)
    }
}

/// The OAuth 2 flows a discovery document offers (see
/// [`Resolver::discover_security_schemes`]); `None` when it offers none.
#[cfg(feature = "jwks")]
fn oauth2_flows(
    document: &serde_json::Map<String, serde_json::Value>,
    token: Option<String>,
    authorization: Option<String>,
) -> Option<Vec<Flow>> {
    let token = token?;
    let strings = |member: &str| -> Option<Vec<&str>> {
        let values = document.get(member)?.as_array()?;
        Some(
            values
                .iter()
                .filter_map(serde_json::Value::as_str)
                .collect(),
        )
    };
    let grants =
        strings("grant_types_supported").unwrap_or_else(|| vec!["authorization_code", "implicit"]);
    let scopes = || {
        let names = strings("scopes_supported").unwrap_or_default();
        Scopes::from_iter(names.into_iter().map(|name| (name, "")))
    };
    let mut flows = Vec::new();
    if let Some(authorization) = authorization.filter(|_| grants.contains(&"authorization_code")) {
        flows.push(Flow::AuthorizationCode(AuthorizationCode::new(
            authorization,
            token.clone(),
            scopes(),
        )));
    }
    if grants.contains(&"client_credentials") {
        flows.push(Flow::ClientCredentials(ClientCredentials::new(
            token,
            scopes(),
        )));
    }
    (!flows.is_empty()).then_some(flows)
}

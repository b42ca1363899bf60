//! OpenAPI security schemes derived from the resolver you configured (feature `utoipa`), so that
//! a published document says what the service accepts, and cannot drift from it.
//!
//! | scheme name | type | when |
//! | --- | --- | --- |
//! | `bearer` | `http`, `bearer` (`bearerFormat: JWT` when only JWTs are) | JWTs or opaque tokens accepted |
//! | `oidc`, `oidc-2`, … | `openIdConnect`, the issuer's discovery document | a verifier whose keys come by OIDC discovery |
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
                let name = if n == 0 {
                    "oidc".to_owned()
                } else {
                    format!("oidc-{}", n + 1)
                };
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
    /// this guard's scopes on the OpenID Connect schemes (an OpenAPI 3.0 reader expects scopes
    /// there only) and none elsewhere.
    #[must_use]
    pub fn security_requirements(&self, resolver: &Resolver) -> Vec<SecurityRequirement> {
        let scopes = self.required_scopes();
        (resolver.security_schemes().into_iter())
            .map(|(name, scheme)| match scheme {
                SecurityScheme::OpenIdConnect(_) => SecurityRequirement::new(name, scopes.iter()),
                _ => SecurityRequirement::new(name, Vec::<String>::new()),
            })
            .collect()
    }
}

/// The issuers of the resolver's verifiers whose keys come by OIDC discovery.
fn discovery_issuers(resolver: &Resolver) -> Vec<String> {
    #[cfg(feature = "verify")]
    return (resolver.config().issuers.verifiers())
        .filter(|verifier| verifier.uses_discovery())
        .map(|verifier| verifier.issuer().to_owned())
        .collect();
    #[cfg(not(feature = "verify"))]
    {
        let _ = resolver;
        Vec::new()
    }
}

//! Where a token's scopes, roles and groups are: [`ClaimMapping`], per verifier and per
//! introspection client, with presets written from each identity provider's documented token
//! shape. Guards (and the demo's `/whoami?role=…`) read the mapped grants; [`JwtUserInfo`]'s
//! own fields stay the reference's model.
//!
//! [`JwtUserInfo`]: crate::identity::JwtUserInfo

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde_json::{Map, Value};

/// A path into a token's claims: its segments, so that `cognito:groups` and
/// `https://example.com/roles` are one segment each. Written as text, segments are separated
/// by `/`, with `~1` for a `/` inside one and `~0` for `~`, as JSON Pointer does (without its
/// leading `/`).
///
/// ```
/// use axum_userinfo::identity::ClaimPath;
/// let client_roles: ClaimPath = "resource_access/my-api/roles".parse().unwrap();
/// assert_eq!(client_roles.segments(), ["resource_access", "my-api", "roles"]);
/// let auth0: ClaimPath = "https:~1~1example.com~1roles".parse().unwrap();
/// assert_eq!(auth0.segments(), ["https://example.com/roles"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClaimPath(Arc<[String]>);

impl ClaimPath {
    /// The path of these segments.
    ///
    /// # Errors
    /// [`InvalidClaimPath`] for no segment, or an empty one.
    pub fn new<I, S>(segments: I) -> Result<Self, InvalidClaimPath>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let segments: Vec<String> = segments.into_iter().map(Into::into).collect();
        if segments.is_empty() || segments.iter().any(String::is_empty) {
            return Err(InvalidClaimPath);
        }
        Ok(Self(segments.into()))
    }

    /// Its segments.
    #[must_use]
    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// The value at this path of `claims`, when the path leads to one.
    pub(crate) fn value<'c>(&self, claims: &'c Map<String, Value>) -> Option<&'c Value> {
        let (first, rest) = self.0.split_first()?;
        let mut value = claims.get(first)?;
        for segment in rest {
            value = value.as_object()?.get(segment)?;
        }
        Some(value)
    }

    /// The strings a claim's value grants: a list of strings, or a space-separated string.
    /// `None` for anything else (a list with a non-string item included): a wrong type grants
    /// nothing.
    pub(crate) fn strings(value: &Value) -> Option<Vec<String>> {
        match value {
            Value::String(text) => Some(text.split_whitespace().map(str::to_owned).collect()),
            Value::Array(items) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect(),
            _ => None,
        }
    }
}

impl FromStr for ClaimPath {
    type Err = InvalidClaimPath;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::new(
            text.split('/')
                .map(|segment| segment.replace("~1", "/").replace("~0", "~")),
        )
    }
}

impl fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let escaped: Vec<String> = (self.0.iter())
            .map(|segment| segment.replace('~', "~0").replace('/', "~1"))
            .collect();
        f.write_str(&escaped.join("/"))
    }
}

/// A claim path or a preset that is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid claim path or preset (a path: segments separated by '/', none empty; a preset: keycloak[:CLIENT], auth0[:NAMESPACE], cognito, entra, okta)"
)]
pub struct InvalidClaimPath;

/// Where scopes, roles and groups are read from. For each, the first of its paths that is
/// present in the claims wins; with no path, the reference's rule (scopes: `scope`, else
/// `scp`; roles: `roles`, else `realm_access.roles`; groups: `groups`).
///
/// ```
/// use axum_userinfo::identity::ClaimMapping;
/// use axum_userinfo::verify::{JwtVerifier, VerificationKey};
/// let verifier = JwtVerifier::builder("https://sso.example.com/realms/main")
///     .with_key(VerificationKey::from_secret(b"a secret of at least 32 bytes....")?)
///     .with_claim_mapping(ClaimMapping::keycloak(Some("my-api"))) // the client's roles
///     .build()?;
/// # Ok::<(), axum_userinfo::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimMapping {
    scopes: Vec<ClaimPath>,
    roles: Vec<ClaimPath>,
    groups: Vec<ClaimPath>,
}

/// A path written by hand, known to be valid.
fn path(segments: &[&str]) -> ClaimPath {
    ClaimPath(segments.iter().map(|s| (*s).to_owned()).collect())
}

impl ClaimMapping {
    /// The reference's rules for all three (no paths).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads scopes from `path` too (the first present path wins, in the order added).
    #[must_use]
    pub fn with_scopes(mut self, path: ClaimPath) -> Self {
        self.scopes.push(path);
        self
    }

    /// Reads roles from `path` too.
    #[must_use]
    pub fn with_roles(mut self, path: ClaimPath) -> Self {
        self.roles.push(path);
        self
    }

    /// Reads groups from `path` too.
    #[must_use]
    pub fn with_groups(mut self, path: ClaimPath) -> Self {
        self.groups.push(path);
        self
    }

    /// Keycloak: roles from `realm_access.roles`, or, for a named client, that client's roles
    /// (`resource_access.<client>.roles`); groups from `groups` (the "Group Membership"
    /// mapper's claim); scopes from `scope`.
    #[must_use]
    pub fn keycloak(client: Option<&str>) -> Self {
        let roles = match client {
            Some(client) => ClaimPath(
                ["resource_access", client, "roles"]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
            ),
            None => path(&["realm_access", "roles"]),
        };
        Self::new()
            .with_roles(roles)
            .with_groups(path(&["groups"]))
            .with_scopes(path(&["scope"]))
    }

    /// Auth0: RBAC permissions (`permissions`, a list) as scopes, else `scope`; roles from a
    /// namespaced claim (`<namespace>roles`, set by an Action: Auth0 requires custom claims to be
    /// namespaced, e.g. `https://example.com/roles`) when a namespace is given.
    #[must_use]
    pub fn auth0(namespace: Option<&str>) -> Self {
        let mapping = Self::new()
            .with_scopes(path(&["permissions"]))
            .with_scopes(path(&["scope"]));
        match namespace {
            Some(namespace) => {
                mapping.with_roles(ClaimPath(vec![format!("{namespace}roles")].into()))
            }
            None => mapping,
        }
    }

    /// Amazon Cognito: groups from `cognito:groups`, scopes from `scope` (access tokens).
    #[must_use]
    pub fn cognito() -> Self {
        Self::new()
            .with_groups(path(&["cognito:groups"]))
            .with_scopes(path(&["scope"]))
    }

    /// Microsoft Entra ID: app roles from `roles`, delegated scopes from `scp`, groups from
    /// `groups` (object ids).
    #[must_use]
    pub fn entra() -> Self {
        Self::new()
            .with_roles(path(&["roles"]))
            .with_scopes(path(&["scp"]))
            .with_groups(path(&["groups"]))
    }

    /// Okta: groups from `groups` (a custom claim of the authorization server), scopes from
    /// `scp` (a list).
    #[must_use]
    pub fn okta() -> Self {
        Self::new()
            .with_groups(path(&["groups"]))
            .with_scopes(path(&["scp"]))
    }

    /// The paths scopes are read from (in order; empty: the reference's rule).
    #[must_use]
    pub fn scopes(&self) -> &[ClaimPath] {
        &self.scopes
    }

    /// The paths roles are read from.
    #[must_use]
    pub fn roles(&self) -> &[ClaimPath] {
        &self.roles
    }

    /// The paths groups are read from.
    #[must_use]
    pub fn groups(&self) -> &[ClaimPath] {
        &self.groups
    }

    /// The grants of `claims`, each `None` where this mapping has no path for it (the
    /// reference's rule applies), or the first present path's strings (empty when none is
    /// present, or it holds another type).
    pub(crate) fn grants(&self, claims: &Map<String, Value>) -> MappedGrants {
        let first = |paths: &[ClaimPath]| {
            (!paths.is_empty()).then(|| {
                (paths.iter())
                    .find_map(|path| path.value(claims))
                    .and_then(ClaimPath::strings)
                    .unwrap_or_default()
            })
        };
        MappedGrants {
            scopes: first(&self.scopes),
            roles: first(&self.roles),
            groups: first(&self.groups),
        }
    }
}

impl FromStr for ClaimMapping {
    type Err = InvalidClaimPath;

    /// A preset by name: `keycloak`, `keycloak:CLIENT`, `auth0`, `auth0:NAMESPACE`, `cognito`,
    /// `entra`, `okta`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, argument) = match text.split_once(':') {
            Some((name, argument)) if !argument.is_empty() => (name, Some(argument)),
            Some(_) => return Err(InvalidClaimPath),
            None => (text, None),
        };
        Ok(match (name, argument) {
            ("keycloak", client) => Self::keycloak(client),
            ("auth0", namespace) => Self::auth0(namespace),
            ("cognito", None) => Self::cognito(),
            ("entra", None) => Self::entra(),
            ("okta", None) => Self::okta(),
            _ => return Err(InvalidClaimPath),
        })
    }
}

/// Mapped grants, computed once per user.
#[derive(Debug, Clone, Default)]
pub(crate) struct MappedGrants {
    pub(crate) scopes: Option<Vec<String>>,
    pub(crate) roles: Option<Vec<String>>,
    pub(crate) groups: Option<Vec<String>>,
}

//! [`Guard`]: what a route needs of its user, and the one check.

use std::fmt;
use std::sync::Arc;

use crate::authorize::denied::{AuthorizeError, Denied};
use crate::authorize::granted;
use crate::error::ConfigError;
use crate::identity::user_info::UserInfo;
use crate::metrics::{GuardLabel, GuardOutcome};
use crate::parse::scope::scope_tokens;

type Predicate = dyn Fn(&UserInfo) -> bool + Send + Sync;

/// What a route needs of its user: every required scope, one of the roles, one of the groups,
/// and every predicate. Cheap to clone (shared).
///
/// ```
/// use axum_userinfo::{Guard, UserInfo};
///
/// let guard = Guard::new("orders-write")
///     .require_scopes(["orders:write"])?
///     .require("has-email", |user: &UserInfo| user.jwt().and_then(|jwt| jwt.email()).is_some());
/// // An API key grants no scope: refused, and told what was missing.
/// let user = UserInfo::from_api_key("sk-1")?;
/// let denied = guard.authorize(Some(&user)).unwrap_err();
/// assert_eq!(denied.to_string(), "guard 'orders-write' refused: missing scope orders:write; failed has-email");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Guard {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    name: String,
    scopes: Vec<String>,
    roles: Vec<String>,
    groups: Vec<String>,
    predicates: Vec<(String, Arc<Predicate>)>,
    label: GuardLabel,
}

impl Guard {
    /// A guard that needs nothing but a user; `name` labels its metrics and errors (a fixed
    /// name of your code, never user data).
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        Self {
            inner: Arc::new(Inner {
                label: GuardLabel::new(&name),
                name,
                scopes: Vec::new(),
                roles: Vec::new(),
                groups: Vec::new(),
                predicates: Vec::new(),
            }),
        }
    }

    /// Requires every one of `scopes` (added to those already required).
    ///
    /// # Errors
    /// [`ConfigError::InvalidScope`] for a scope that is not an RFC 6749 scope token (empty, or
    /// holding a space, `"`, `\` or a character outside printable ASCII): it must fit the
    /// challenge's `scope="…"` as it is.
    pub fn require_scopes<I, S>(mut self, scopes: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let scopes = scope_tokens(scopes)?;
        self.inner_mut().scopes.extend(scopes);
        Ok(self)
    }

    /// Requires one of `roles` (added to the roles already accepted).
    ///
    /// # Errors
    /// [`ConfigError::EmptyRequirement`] for an empty list, which no user could meet.
    pub fn any_role<I, S>(mut self, roles: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let roles = non_empty(roles)?;
        self.inner_mut().roles.extend(roles);
        Ok(self)
    }

    /// Requires one of `groups` (added to the groups already accepted).
    ///
    /// # Errors
    /// [`ConfigError::EmptyRequirement`] for an empty list, which no user could meet.
    pub fn any_group<I, S>(mut self, groups: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let groups = non_empty(groups)?;
        self.inner_mut().groups.extend(groups);
        Ok(self)
    }

    /// Requires `predicate` to hold for the user; `name` says which failed in errors.
    #[must_use]
    pub fn require<F>(mut self, name: impl Into<String>, predicate: F) -> Self
    where
        F: Fn(&UserInfo) -> bool + Send + Sync + 'static,
    {
        let predicate: Arc<Predicate> = Arc::new(predicate);
        self.inner_mut().predicates.push((name.into(), predicate));
        self
    }

    /// The guard's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The scopes the guard requires (all of them).
    #[must_use]
    pub fn required_scopes(&self) -> &[String] {
        &self.inner.scopes
    }

    /// Whether `user` may pass, `None` being a request without a user; records the outcome
    /// (`userinfo_authorizations_total`).
    ///
    /// # Errors
    /// [`AuthorizeError::MissingCredential`] without a user, [`AuthorizeError::Denied`] naming
    /// what the user lacks.
    pub fn authorize(&self, user: Option<&UserInfo>) -> Result<(), AuthorizeError> {
        let inner = &*self.inner;
        let Some(user) = user else {
            inner.label.count(GuardOutcome::MissingCredential);
            return Err(AuthorizeError::MissingCredential);
        };
        self.authorize_user(user).map_err(AuthorizeError::Denied)
    }

    /// Whether a user may pass, what it lacks if not; records the outcome.
    pub(crate) fn authorize_user(&self, user: &UserInfo) -> Result<(), Box<Denied>> {
        let outcome = self.check(user);
        self.inner.label.count(match outcome {
            Ok(()) => GuardOutcome::Allowed,
            Err(_) => GuardOutcome::Insufficient,
        });
        outcome
    }

    /// What `user` lacks, if anything. Allocates only for a refusal.
    fn check(&self, user: &UserInfo) -> Result<(), Box<Denied>> {
        let inner = &*self.inner;
        let grants = granted::grants(user);
        let mut missing_scopes = Vec::new();
        let hierarchy = user.scope_hierarchy();
        for scope in &inner.scopes {
            if !super::satisfied(hierarchy, grants.scopes, scope) {
                missing_scopes.push(scope.clone());
            }
        }
        let lacks_any = |wanted: &[String], granted: &[String]| {
            !wanted.is_empty() && !wanted.iter().any(|w| granted.contains(w))
        };
        let lacks_role = lacks_any(&inner.roles, grants.roles);
        let lacks_group = lacks_any(&inner.groups, grants.groups);
        let mut failed_predicates = Vec::new();
        for (name, predicate) in &inner.predicates {
            if !predicate(user) {
                failed_predicates.push(name.clone());
            }
        }
        if missing_scopes.is_empty() && !lacks_role && !lacks_group && failed_predicates.is_empty()
        {
            return Ok(());
        }
        let if_lacking = |lacks: bool, wanted: &[String]| {
            if lacks { wanted.to_vec() } else { Vec::new() }
        };
        Err(Box::new(Denied {
            guard: inner.name.clone(),
            required_scopes: inner.scopes.clone(),
            missing_scopes,
            missing_roles: if_lacking(lacks_role, &inner.roles),
            missing_groups: if_lacking(lacks_group, &inner.groups),
            failed_predicates,
        }))
    }

    fn inner_mut(&mut self) -> &mut Inner {
        Arc::make_mut(&mut self.inner)
    }
}

/// An any-of list, refused when empty.
fn non_empty<I, S>(items: I) -> Result<Vec<String>, ConfigError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let items: Vec<String> = items.into_iter().map(Into::into).collect();
    if items.is_empty() {
        Err(ConfigError::EmptyRequirement)
    } else {
        Ok(items)
    }
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let predicates: Vec<&str> = inner
            .predicates
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        f.debug_struct("Guard")
            .field("name", &inner.name)
            .field("scopes", &inner.scopes)
            .field("roles", &inner.roles)
            .field("groups", &inner.groups)
            .field("predicates", &predicates)
            .finish()
    }
}

//! [`McpPolicy`]: per-operation authorization for an MCP server. Rules from a JSON-RPC method
//! (and a tool, prompt or resource name pattern) to a [`Guard`]; every rule that matches an
//! operation applies (all must pass), the default guard when none does.

use std::fmt;
use std::str::FromStr;

use http::HeaderMap;

use crate::authorize::{AuthorizeError, Denied, Guard};
use crate::error::ConfigError;
use crate::identity::user_info::UserInfo;
use crate::mcp::name_pattern;
use crate::mcp::operation::{
    MCP_PROTOCOL_VERSION, McpHeaderError, McpOperation, is_routing_revision, single,
};
use crate::parse::scope::distinct;

/// What the policy does with a request that carries no `Mcp-Method` (a client of a revision
/// before 2026-07-28, which sends no routing headers). Never "no requirement".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WithoutHeaders {
    /// `400` (`-32020`): the headers are required in this revision. The default, and the
    /// right choice at a gateway, which cannot read the body.
    #[default]
    Refuse,
    /// The request must pass every rule and the default guard: the strictest reading of an
    /// operation the policy cannot see. For a server that still serves older clients without
    /// the body check in front (which gives the policy the body's operation).
    RequireEveryRule,
}

/// One rule: `method` (and a name pattern) → `guard`.
#[derive(Debug, Clone)]
struct Rule {
    method: String,
    name: Option<String>,
    guard: Guard,
}

/// Per-operation authorization for an MCP server (the MCP 2026-07-28 revision's routing
/// headers, or the operation the body check read): which guard each operation needs.
///
/// An operation passes when it passes **every** rule that matches it (a method-only rule
/// matches every name of that method; a name pattern's `*` matches any run of characters),
/// or, when no rule matches, the default guard (by default: any authenticated user). A
/// refusal names every scope the operation needs in one challenge (the MCP spec).
///
/// ```
/// use axum_userinfo::mcp::{McpOperation, McpPolicy, McpRefusal};
/// let policy = McpPolicy::new()
///     .with_scopes("tools/call", Some("deploy_*"), ["deploy"])?
///     .with_scopes("tools/call", None, ["tools"])?;
/// let deploy = McpOperation::new("tools/call", Some("deploy_prod".into()));
/// assert_eq!(policy.required_scopes(Some(&deploy)), ["deploy", "tools"]);
/// let refused = policy.authorize(Some(&deploy), None).unwrap_err();
/// assert_eq!(refused.status(), 401);
/// # Ok::<(), axum_userinfo::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct McpPolicy {
    rules: Vec<Rule>,
    default: Guard,
    without_headers: WithoutHeaders,
}

impl Default for McpPolicy {
    fn default() -> Self {
        Self::new()
    }
}

/// Why the policy refused an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum McpRefusal {
    /// The routing headers are missing or malformed: `400`, JSON-RPC `-32020`.
    BadHeaders(McpHeaderError),
    /// No user, and the operation needs one: `401`, its scopes in the challenge.
    MissingCredential {
        /// Every scope the operation needs.
        scopes: Vec<String>,
    },
    /// The user lacks what the operation needs: `403`, `insufficient_scope` when scopes are
    /// missing.
    Denied(Box<Denied>),
}

impl McpRefusal {
    /// 400, 401 or 403.
    #[must_use]
    pub fn status(&self) -> http::StatusCode {
        match self {
            Self::BadHeaders(_) => http::StatusCode::BAD_REQUEST,
            Self::MissingCredential { .. } => http::StatusCode::UNAUTHORIZED,
            Self::Denied(_) => http::StatusCode::FORBIDDEN,
        }
    }
}

impl fmt::Display for McpRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadHeaders(error) => error.fmt(f),
            Self::MissingCredential { .. } => f.write_str("authentication required"),
            Self::Denied(denied) => denied.fmt(f),
        }
    }
}

impl std::error::Error for McpRefusal {}

impl McpPolicy {
    /// No rules; every operation needs an authenticated user; requests without routing
    /// headers are refused.
    #[must_use]
    pub fn new() -> Self {
        Self {
            rules: Vec::new(),
            default: Guard::new("mcp"),
            without_headers: WithoutHeaders::default(),
        }
    }

    /// Adds a rule: operations of `method` (named as `name`, a pattern with `*`, when given)
    /// need `guard`.
    #[must_use]
    pub fn with_rule(
        mut self,
        method: impl Into<String>,
        name: Option<&str>,
        guard: Guard,
    ) -> Self {
        self.rules.push(Rule {
            method: method.into(),
            name: name.map(str::to_owned),
            guard,
        });
        self
    }

    /// Adds a rule whose guard requires `scopes` (all of them).
    ///
    /// # Errors
    /// [`ConfigError::InvalidScope`] for a scope that is not an RFC 6749 scope token.
    pub fn with_scopes<I, S>(
        self,
        method: &str,
        name: Option<&str>,
        scopes: I,
    ) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let label = match name {
            Some(name) => format!("mcp {method} {name}"),
            None => format!("mcp {method}"),
        };
        let guard = Guard::new(label).require_scopes(scopes)?;
        Ok(self.with_rule(method, name, guard))
    }

    /// Adds a rule written as the demo's `--mcp-scope` takes it (see [`McpScopeRule`]).
    #[must_use]
    pub fn with_scope_rule(self, rule: McpScopeRule) -> Self {
        let McpScopeRule {
            method,
            name,
            guard,
        } = rule;
        self.with_rule(method, name.as_deref(), guard)
    }

    /// The guard of operations no rule matches (default: any authenticated user).
    #[must_use]
    pub fn with_default(mut self, guard: Guard) -> Self {
        self.default = guard;
        self
    }

    /// What to do with requests without routing headers (default: refuse).
    #[must_use]
    pub fn without_headers(mut self, choice: WithoutHeaders) -> Self {
        self.without_headers = choice;
        self
    }

    /// The guards `operation` must pass (`None`: a request without routing headers).
    ///
    /// # Errors
    /// [`McpHeaderError::MissingMethod`] without an operation when such requests are
    /// refused.
    pub fn guards(&self, operation: Option<&McpOperation>) -> Result<Vec<&Guard>, McpHeaderError> {
        let Some(operation) = operation else {
            return match self.without_headers {
                WithoutHeaders::Refuse => Err(McpHeaderError::MissingMethod),
                WithoutHeaders::RequireEveryRule => Ok((self.rules.iter())
                    .map(|rule| &rule.guard)
                    .chain([&self.default])
                    .collect()),
            };
        };
        let matching: Vec<&Guard> = (self.rules.iter())
            .filter(|rule| rule.method == operation.method())
            .filter(|rule| match (&rule.name, operation.name()) {
                (None, _) => true,
                (Some(pattern), Some(name)) => name_pattern::matches(pattern, name),
                (Some(_), None) => false,
            })
            .map(|rule| &rule.guard)
            .collect();
        Ok(if matching.is_empty() {
            vec![&self.default]
        } else {
            matching
        })
    }

    /// Every scope `operation` needs (each once, in rule order); empty when it cannot be
    /// read.
    #[must_use]
    pub fn required_scopes(&self, operation: Option<&McpOperation>) -> Vec<String> {
        scopes_of(&self.guards(operation).unwrap_or_default())
    }

    /// Whether `user` (`None`: anonymous) may perform `operation`.
    ///
    /// # Errors
    /// [`McpRefusal`]: what is missing, with every scope of the operation.
    pub fn authorize(
        &self,
        operation: Option<&McpOperation>,
        user: Option<&UserInfo>,
    ) -> Result<(), McpRefusal> {
        let guards = self.guards(operation).map_err(McpRefusal::BadHeaders)?;
        judge(&guards, user)
    }

    /// Whether `user` passes the default guard (a request that names no operation: a
    /// JSON-RPC response, an event stream's `GET`).
    ///
    /// # Errors
    /// As [`authorize`](Self::authorize).
    pub fn authorize_default(&self, user: Option<&UserInfo>) -> Result<(), McpRefusal> {
        judge(&[&self.default], user)
    }

    /// [`authorize`](Self::authorize) for the operation a request's routing headers name.
    /// Headers of a request whose `MCP-Protocol-Version` is absent or older than 2026-07-28
    /// are not trusted (no server validates them against the body: the spec's advice to
    /// intermediaries): such a request is one without routing headers ([`WithoutHeaders`]).
    ///
    /// # Errors
    /// As [`authorize`](Self::authorize), and [`McpRefusal::BadHeaders`] for headers that
    /// cannot be read.
    pub fn authorize_headers(
        &self,
        headers: &HeaderMap,
        user: Option<&UserInfo>,
    ) -> Result<(), McpRefusal> {
        let operation = McpOperation::from_headers(headers).map_err(McpRefusal::BadHeaders)?;
        let version = single(headers, &MCP_PROTOCOL_VERSION, "MCP-Protocol-Version")
            .map_err(McpRefusal::BadHeaders)?;
        let trusted = operation.filter(|_| version.is_some_and(is_routing_revision));
        self.authorize(trusted.as_ref(), user)
    }
}

/// Every scope `guards` require, each once.
fn scopes_of(guards: &[&Guard]) -> Vec<String> {
    distinct(guards.iter().flat_map(|guard| guard.required_scopes()))
}

/// Whether `user` passes every one of `guards`; a refusal names every scope they require
/// (computed only for a refusal).
fn judge(guards: &[&Guard], user: Option<&UserInfo>) -> Result<(), McpRefusal> {
    let mut denials = Vec::new();
    for guard in guards {
        match guard.authorize(user) {
            Ok(()) => {}
            Err(AuthorizeError::MissingCredential) => {
                return Err(McpRefusal::MissingCredential {
                    scopes: scopes_of(guards),
                });
            }
            Err(AuthorizeError::Denied(denied)) => denials.push(*denied),
        }
    }
    let mut denials = denials.into_iter();
    let Some(first) = denials.next() else {
        return Ok(());
    };
    Err(McpRefusal::Denied(merged(
        first,
        denials,
        scopes_of(guards),
    )))
}

/// The denials of several guards as one: every scope the operation needs, what was missing.
fn merged(
    first: Denied,
    rest: impl Iterator<Item = Denied>,
    required_scopes: Vec<String>,
) -> Box<Denied> {
    let mut all = Box::new(first);
    for denied in rest {
        all.guard = format!("{}, {}", all.guard, denied.guard);
        for scope in denied.missing_scopes {
            if !all.missing_scopes.contains(&scope) {
                all.missing_scopes.push(scope);
            }
        }
        all.missing_roles.extend(denied.missing_roles);
        all.missing_groups.extend(denied.missing_groups);
        all.failed_predicates.extend(denied.failed_predicates);
    }
    all.required_scopes = required_scopes;
    all
}

/// A rule as written on a command line: `METHOD[:NAME_PATTERN]=SCOPE[ SCOPE…]`, the scopes after
/// the last `=`, the method before the first `:` (`tools/call:deploy_*=deploy`,
/// `resources/read:file:///secret/*=secrets:read`, `tools/call=tools`).
///
/// ```
/// use axum_userinfo::mcp::McpScopeRule;
/// let rule: McpScopeRule = "resources/read:file:///secret/*=secrets:read audit".parse()?;
/// assert_eq!(rule.method(), "resources/read");
/// assert_eq!(rule.name_pattern(), Some("file:///secret/*"));
/// assert_eq!(rule.scopes(), ["secrets:read", "audit"]);
/// # Ok::<(), axum_userinfo::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct McpScopeRule {
    method: String,
    name: Option<String>,
    guard: Guard,
}

impl McpScopeRule {
    /// The method.
    #[must_use]
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The name pattern, when given.
    #[must_use]
    pub fn name_pattern(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The scopes required.
    #[must_use]
    pub fn scopes(&self) -> &[String] {
        self.guard.required_scopes()
    }
}

impl FromStr for McpScopeRule {
    type Err = ConfigError;

    /// # Errors
    /// [`ConfigError::InvalidMcpRule`] without `=`, a method or a scope;
    /// [`ConfigError::InvalidScope`] for a scope that is not a scope token.
    fn from_str(text: &str) -> Result<Self, ConfigError> {
        let (operation, scopes) = text.rsplit_once('=').ok_or(ConfigError::InvalidMcpRule)?;
        let (method, name) = match operation.split_once(':') {
            Some((method, name)) => (method, Some(name)),
            None => (operation, None),
        };
        let scopes: Vec<&str> = scopes.split_whitespace().collect();
        if method.trim().is_empty()
            || method.trim() != method
            || scopes.is_empty()
            || name == Some("")
        {
            return Err(ConfigError::InvalidMcpRule);
        }
        let policy = McpPolicy::new().with_scopes(method, name, scopes)?;
        let rule = policy
            .rules
            .into_iter()
            .next()
            .ok_or(ConfigError::InvalidMcpRule)?;
        Ok(Self {
            method: rule.method,
            name: rule.name,
            guard: rule.guard,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> McpPolicy {
        McpPolicy::new()
            .with_scopes("tools/call", Some("deploy_*"), ["deploy"])
            .and_then(|p| p.with_scopes("tools/call", None, ["tools"]))
            .and_then(|p| {
                p.with_scopes("resources/read", Some("file:///secret/*"), ["secrets:read"])
            })
            .unwrap_or_default()
    }

    fn op(method: &str, name: Option<&str>) -> McpOperation {
        McpOperation::new(method, name.map(str::to_owned))
    }

    #[test]
    fn every_matching_rule_applies() {
        let p = policy();
        assert_eq!(
            p.required_scopes(Some(&op("tools/call", Some("deploy_x")))),
            ["deploy", "tools"]
        );
        assert_eq!(
            p.required_scopes(Some(&op("tools/call", Some("read_file")))),
            ["tools"]
        );
        assert_eq!(
            p.required_scopes(Some(&op("resources/read", Some("file:///secret/k")))),
            ["secrets:read"]
        );
        // No rule: the default guard (authentication only).
        assert!(
            p.required_scopes(Some(&op("resources/read", Some("file:///pub/k"))))
                .is_empty()
        );
        assert!(p.required_scopes(Some(&op("tools/list", None))).is_empty());
        assert_eq!(
            p.authorize(Some(&op("tools/list", None)), None),
            Err(McpRefusal::MissingCredential { scopes: Vec::new() })
        );
    }

    #[test]
    fn without_headers_is_a_choice_never_a_pass() {
        let p = policy();
        assert_eq!(
            p.authorize(None, None),
            Err(McpRefusal::BadHeaders(McpHeaderError::MissingMethod))
        );
        let strict = policy().without_headers(WithoutHeaders::RequireEveryRule);
        assert_eq!(
            strict.required_scopes(None),
            ["deploy", "tools", "secrets:read"]
        );
    }

    #[test]
    fn rules_parse_as_the_demo_writes_them() {
        let rule: McpScopeRule = "tools/call:deploy_*=deploy"
            .parse()
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(
            (rule.method(), rule.name_pattern(), rule.scopes()),
            ("tools/call", Some("deploy_*"), &["deploy".to_owned()][..])
        );
        let method_only: McpScopeRule = "tools/call=tools admin"
            .parse()
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(method_only.name_pattern(), None);
        assert_eq!(method_only.scopes(), ["tools", "admin"]);
        for bad in [
            "tools/call",
            "=x",
            "tools/call=",
            "tools/call:=x",
            " tools/call=x",
        ] {
            assert!(bad.parse::<McpScopeRule>().is_err(), "{bad}");
        }
        assert_eq!(
            "tools/call=a\"b".parse::<McpScopeRule>().err(),
            Some(ConfigError::InvalidScope)
        );
    }
}

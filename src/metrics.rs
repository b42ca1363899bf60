//! Counters through the [`metrics`](https://docs.rs/metrics) facade (feature `metrics`; without
//! it these are no-ops). Install any recorder (e.g. `metrics-exporter-prometheus`) to read them.
//!
//! | counter | labels |
//! | --- | --- |
//! | `userinfo_resolutions_total` | `source` (`jwt`, `api_key`, …, or `none`), `outcome` (`user`, `anonymous`, or the error's [class](crate::ResolveError::class)) |
//! | `userinfo_key_fetches_total` | `issuer` (redacted: no userinfo, query or fragment), `result` (`ok`, `error`) |
//! | `userinfo_key_cache_total` | `issuer`, `result` (`hit`: the token's key was there; `miss`) |
//! | `userinfo_token_cache_total` | `result` (`hit`, `miss`) |
//! | `userinfo_introspections_total` | `result` (`active`, `inactive`, `refused`: an answer failing a check, `error`: no answer, `overloaded`: not made) |
//! | `userinfo_introspection_cache_total` | `result` (`hit`, `miss`) |
//! | `userinfo_authorizations_total` | `guard` (the [`Guard`](crate::Guard)'s name), `outcome` (`allowed`, `missing_credential`, `insufficient`) |
//!
//! No label ever holds a credential, a user id or a claim value: sources, outcomes and results
//! are fixed names, issuers are the configured ones, redacted, and guards are named in code.

#[cfg(feature = "verify")]
use std::sync::Arc;

use crate::error::ResolveError;
use crate::identity::user_info::UserInfo;

/// A counter's key built at compile time: counting it allocates nothing, which matters on the
/// hot path when no recorder is installed (the `counter!` macro builds a label vector).
#[cfg(feature = "metrics")]
macro_rules! static_key {
    ($name:literal, $($label:literal => $value:literal),+) => {{
        static LABELS: &[metrics::Label] = &[$(metrics::Label::from_static_parts($label, $value)),+];
        static KEY: metrics::Key = metrics::Key::from_static_parts($name, LABELS);
        &KEY
    }};
}

/// Adds one to the counter `key`.
#[cfg(feature = "metrics")]
fn increment(key: &metrics::Key) {
    static METADATA: metrics::Metadata<'static> =
        metrics::Metadata::new(module_path!(), metrics::Level::INFO, Some(module_path!()));
    metrics::with_recorder(|recorder| recorder.register_counter(key, &METADATA).increment(1));
}

/// One finished resolution (a request, an upgrade, an auth message).
pub(crate) fn resolution(outcome: Result<Option<&UserInfo>, &ResolveError>) {
    #[cfg(feature = "metrics")]
    {
        use crate::identity::user_info::Source;
        let key = match outcome {
            Ok(Some(user)) => match user.source() {
                Source::SESSION_COOKIE => {
                    static_key!("userinfo_resolutions_total", "source" => "session_cookie", "outcome" => "user")
                }
                Source::JWT => {
                    static_key!("userinfo_resolutions_total", "source" => "jwt", "outcome" => "user")
                }
                Source::OPAQUE_TOKEN => {
                    static_key!("userinfo_resolutions_total", "source" => "opaque_token", "outcome" => "user")
                }
                Source::API_KEY => {
                    static_key!("userinfo_resolutions_total", "source" => "api_key", "outcome" => "user")
                }
                Source::BASIC => {
                    static_key!("userinfo_resolutions_total", "source" => "basic", "outcome" => "user")
                }
                Source::IdentityHeader => {
                    static_key!("userinfo_resolutions_total", "source" => "identity_header", "outcome" => "user")
                }
            },
            Ok(None) => {
                static_key!("userinfo_resolutions_total", "source" => "none", "outcome" => "anonymous")
            }
            Err(error) => {
                // Refusals are rarer than successes, and already cost more: a built key.
                let labels = [("source", "none"), ("outcome", error.class())];
                metrics::counter!("userinfo_resolutions_total", &labels).increment(1);
                return;
            }
        };
        increment(key);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = outcome;
}

/// An issuer's label: its URL redacted, shared by its counters.
#[cfg(feature = "verify")]
#[derive(Debug, Clone)]
pub(crate) struct IssuerLabel(#[cfg_attr(not(feature = "metrics"), allow(dead_code))] Arc<str>);

#[cfg(feature = "verify")]
impl IssuerLabel {
    /// The label of an issuer whose URL is already redacted.
    pub(crate) fn new(redacted_issuer: String) -> Self {
        Self(redacted_issuer.into())
    }

    /// A fetch of this issuer's keys.
    pub(crate) fn key_fetch(&self, ok: bool) {
        self.count(
            "userinfo_key_fetches_total",
            if ok { "ok" } else { "error" },
        );
    }

    /// A token's look-up in this issuer's fetched keys.
    pub(crate) fn key_lookup(&self, hit: bool) {
        self.count("userinfo_key_cache_total", if hit { "hit" } else { "miss" });
    }

    fn count(&self, name: &'static str, result: &'static str) {
        #[cfg(feature = "metrics")]
        metrics::counter!(name, "issuer" => Arc::clone(&self.0), "result" => result).increment(1);
        #[cfg(not(feature = "metrics"))]
        let _ = (name, result);
    }
}

/// A verified token's look-up in the token cache: `hit` when it answered.
#[cfg(feature = "verify")]
pub(crate) fn token_lookup(hit: bool) {
    #[cfg(feature = "metrics")]
    increment(if hit {
        static_key!("userinfo_token_cache_total", "result" => "hit")
    } else {
        static_key!("userinfo_token_cache_total", "result" => "miss")
    });
    #[cfg(not(feature = "metrics"))]
    let _ = hit;
}

/// An opaque token's look-up in its introspection client's cache: `hit` when it answered.
#[cfg(feature = "introspection")]
pub(crate) fn introspection_cache(hit: bool) {
    #[cfg(feature = "metrics")]
    increment(if hit {
        static_key!("userinfo_introspection_cache_total", "result" => "hit")
    } else {
        static_key!("userinfo_introspection_cache_total", "result" => "miss")
    });
    #[cfg(not(feature = "metrics"))]
    let _ = hit;
}

/// One introspection call's result: `active`, `inactive`, `refused` (an answer that fails a
/// check), `error` (no answer), or `overloaded` (not made: too many in flight).
#[cfg(feature = "introspection")]
pub(crate) fn introspection_call(result: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!("userinfo_introspections_total", "result" => result).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = result;
}

/// What a guard answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GuardOutcome {
    Allowed,
    MissingCredential,
    Insufficient,
}

/// A guard's counters, their keys built once (a guarded request allocates no label).
#[derive(Debug, Clone)]
pub(crate) struct GuardLabel {
    #[cfg(feature = "metrics")]
    keys: [metrics::Key; 3],
}

impl GuardLabel {
    /// The counters of the guard `name`.
    pub(crate) fn new(name: &str) -> Self {
        #[cfg(feature = "metrics")]
        {
            let key = |outcome: &'static str| {
                let labels = vec![
                    metrics::Label::new("guard", name.to_owned()),
                    metrics::Label::new("outcome", outcome),
                ];
                metrics::Key::from_parts("userinfo_authorizations_total", labels)
            };
            Self {
                keys: [
                    key("allowed"),
                    key("missing_credential"),
                    key("insufficient"),
                ],
            }
        }
        #[cfg(not(feature = "metrics"))]
        {
            let _ = name;
            Self {}
        }
    }

    /// One answer of the guard.
    pub(crate) fn count(&self, outcome: GuardOutcome) {
        #[cfg(feature = "metrics")]
        {
            let [allowed, missing, insufficient] = &self.keys;
            increment(match outcome {
                GuardOutcome::Allowed => allowed,
                GuardOutcome::MissingCredential => missing,
                GuardOutcome::Insufficient => insufficient,
            });
        }
        #[cfg(not(feature = "metrics"))]
        let _ = outcome;
    }
}

//! [`TestIdp`]: an OIDC provider on 127.0.0.1 serving discovery and a JWKS, counting requests.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use jsonwebtoken::jwk::JwkSet;

use crate::test_util::{TestKey, TokenBuilder};
use crate::verify::JwtVerifier;
use crate::verify::JwtVerifierBuilder;

/// A local identity provider: `GET /.well-known/openid-configuration` and `GET /jwks`, on
/// `http://127.0.0.1:PORT`. It starts publishing [`TestKey::Rsa1`]. Dropping it stops it.
#[derive(Debug)]
pub struct TestIdp {
    addr: SocketAddr,
    state: Arc<IdpState>,
    server: tokio::task::JoinHandle<()>,
}

#[derive(Debug, Default)]
struct IdpState {
    issuer: String,
    keys: Mutex<Vec<TestKey>>,
    jwks_body: Mutex<Option<Vec<u8>>>,
    max_age: Mutex<Option<u64>>,
    down: AtomicBool,
    jwks_requests: AtomicUsize,
    discovery_requests: AtomicUsize,
    user_agents: Mutex<Vec<String>>,
}

impl IdpState {
    /// Records who asked (the `User-Agent` of each request).
    fn record(&self, headers: &http::HeaderMap) {
        let agent = headers
            .get(http::header::USER_AGENT)
            .and_then(|agent| agent.to_str().ok())
            .unwrap_or_default();
        self.user_agents
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(agent.to_owned());
    }
}

impl TestIdp {
    /// Starts a provider on a free loopback port.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub async fn start() -> Self {
        #[allow(clippy::expect_used)]
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        #[allow(clippy::expect_used)]
        let addr = listener.local_addr().expect("a bound address");
        let state = Arc::new(IdpState {
            issuer: format!("http://{addr}"),
            keys: Mutex::new(vec![TestKey::Rsa1]),
            ..IdpState::default()
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .with_state(Arc::clone(&state));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            state,
            server,
        }
    }

    /// The issuer: `http://127.0.0.1:PORT`, the `iss` of its tokens.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.state.issuer
    }

    /// The JWKS URL.
    #[must_use]
    pub fn jwks_url(&self) -> String {
        format!("http://{}/jwks", self.addr)
    }

    /// A verifier builder for this provider: OIDC discovery, `http` on loopback allowed.
    pub fn verifier(&self) -> JwtVerifierBuilder {
        JwtVerifier::builder(self.issuer())
            .with_oidc_discovery()
            .allow_http_loopback()
    }

    /// A token of this provider signed with its first published key.
    pub fn token(&self) -> TokenBuilder {
        let key = self.lock_keys().first().copied().unwrap_or(TestKey::Rsa1);
        TokenBuilder::new(self.issuer(), key)
    }

    /// Publishes these keys from now on (a rotation).
    pub fn publish(&self, keys: &[TestKey]) {
        *self.lock_keys() = keys.to_vec();
    }

    /// Serves this body as the JWKS instead of the keys (malformed or oversized documents);
    /// `None` goes back to the keys.
    pub fn set_jwks_body(&self, body: Option<Vec<u8>>) {
        *self
            .state
            .jwks_body
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = body;
    }

    /// Sends `Cache-Control: max-age` with the JWKS.
    pub fn set_max_age(&self, seconds: Option<u64>) {
        *self
            .state
            .max_age
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = seconds;
    }

    /// Down: every request gets 503.
    pub fn set_down(&self, down: bool) {
        self.state.down.store(down, Ordering::SeqCst);
    }

    /// How many JWKS requests it has served (or refused while down).
    #[must_use]
    pub fn jwks_requests(&self) -> usize {
        self.state.jwks_requests.load(Ordering::SeqCst)
    }

    /// How many discovery requests it has served (or refused while down).
    #[must_use]
    pub fn discovery_requests(&self) -> usize {
        self.state.discovery_requests.load(Ordering::SeqCst)
    }

    /// The `User-Agent` of every request so far (discovery and JWKS, in order): which HTTP
    /// client fetched the keys.
    #[must_use]
    pub fn user_agents(&self) -> Vec<String> {
        self.state
            .user_agents
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn lock_keys(&self) -> std::sync::MutexGuard<'_, Vec<TestKey>> {
        self.state
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for TestIdp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn discovery(State(state): State<Arc<IdpState>>, headers: http::HeaderMap) -> Response {
    state.discovery_requests.fetch_add(1, Ordering::SeqCst);
    state.record(&headers);
    if state.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let document = serde_json::json!({
        "issuer": state.issuer,
        "jwks_uri": format!("{}/jwks", state.issuer),
        "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
    });
    ([(CONTENT_TYPE, "application/json")], document.to_string()).into_response()
}

async fn jwks(State(state): State<Arc<IdpState>>, headers: http::HeaderMap) -> Response {
    state.jwks_requests.fetch_add(1, Ordering::SeqCst);
    state.record(&headers);
    if state.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let body = state
        .jwks_body
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let body = body.unwrap_or_else(|| {
        let keys = state.keys.lock().unwrap_or_else(PoisonError::into_inner);
        let set = JwkSet {
            keys: keys.iter().map(|key| key.jwk()).collect(),
        };
        serde_json::to_vec(&set).unwrap_or_default()
    });
    let max_age = *state.max_age.lock().unwrap_or_else(PoisonError::into_inner);
    let mut response = ([(CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(max_age) = max_age {
        if let Ok(value) = format!("max-age={max_age}").parse() {
            response.headers_mut().insert(CACHE_CONTROL, value);
        }
    }
    response
}

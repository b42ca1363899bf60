//! [`TestIdp`]: an OIDC provider on 127.0.0.1 serving discovery, a JWKS and RFC 7662
//! introspection, counting requests.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use jsonwebtoken::jwk::JwkSet;

use crate::test_util::token_endpoint;
use crate::test_util::{TestKey, TokenBuilder};
use crate::verify::JwtVerifier;
use crate::verify::JwtVerifierBuilder;

/// A local identity provider: `GET /.well-known/openid-configuration` (and the same document
/// as RFC 8414's `/.well-known/oauth-authorization-server`), `GET /jwks`, `POST /introspect`
/// (RFC 7662, for the opaque tokens it [mints](Self::opaque_token)) and `POST /token` (the
/// `client_credentials` grant: a JWT with `sub` and `client_id` the client, `aud` the
/// requested `resource`, `scope` the requested scopes); the client authenticates as
/// [`CLIENT_ID`](Self::CLIENT_ID) and [`CLIENT_SECRET`](Self::CLIENT_SECRET), by
/// `client_secret_basic` or `client_secret_post`, on `http://127.0.0.1:PORT`. It starts publishing [`TestKey::Rsa1`]. Dropping it stops it.
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
    token_requests: AtomicUsize,
    /// The discovery document's `scopes_supported`, when set.
    scopes_supported: Mutex<Option<Vec<String>>>,
    user_agents: Mutex<Vec<String>>,
    /// The introspection answer of each opaque token minted.
    answers: Mutex<std::collections::HashMap<String, serde_json::Value>>,
    minted: AtomicUsize,
    introspection_calls: AtomicUsize,
    introspection_delay: Mutex<std::time::Duration>,
    /// Introspection calls under way, and the most there ever were at once.
    introspection_in_flight: AtomicUsize,
    introspection_peak: AtomicUsize,
    /// The OAuth error a token it never minted gets (with 400), instead of `active: false`.
    unknown_token_error: Mutex<Option<String>>,
}

/// Counts an introspection call in flight while it lives.
struct InFlight<'a>(&'a IdpState);

impl<'a> InFlight<'a> {
    fn new(state: &'a IdpState) -> Self {
        let now = state.introspection_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.introspection_peak.fetch_max(now, Ordering::SeqCst);
        Self(state)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0
            .introspection_in_flight
            .fetch_sub(1, Ordering::SeqCst);
    }
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
            .route("/introspect", post(introspect))
            .route("/.well-known/oauth-authorization-server", get(discovery))
            .route("/token", post(token))
            .route(
                "/authorize",
                get(|| async {
                    token_endpoint::oauth_error(
                        StatusCode::BAD_REQUEST,
                        "unsupported_response_type",
                    )
                }),
            )
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

    /// The token endpoint (`client_credentials`, see [the module](crate::test_util)).
    #[must_use]
    pub fn token_url(&self) -> String {
        format!("{}/token", self.state.issuer)
    }

    /// How many token requests it has answered.
    #[must_use]
    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }

    /// Names `scopes` in its discovery document's `scopes_supported` (none by default).
    pub fn set_scopes_supported(&self, scopes: &[&str]) {
        let scopes = scopes.iter().map(|scope| (*scope).to_owned()).collect();
        *self
            .state
            .scopes_supported
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(scopes);
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

    /// The client id the introspection endpoint accepts.
    pub const CLIENT_ID: &'static str = "resource-server";
    /// The client secret the introspection endpoint accepts.
    pub const CLIENT_SECRET: &'static str = "resource-server-secret";

    /// The introspection endpoint's URL.
    #[must_use]
    pub fn introspection_url(&self) -> String {
        format!("http://{}/introspect", self.addr)
    }

    /// An introspection client builder for this provider: its endpoint, its client
    /// credentials, `http` on loopback allowed.
    pub fn introspection_client(&self) -> crate::introspect::IntrospectionClientBuilder {
        crate::introspect::IntrospectionClient::builder(self.issuer())
            .with_endpoint(self.introspection_url())
            .with_client_credentials(Self::CLIENT_ID, Self::CLIENT_SECRET)
            .allow_http_loopback()
    }

    /// Mints an opaque access token, active, with `sub` `test-user`, `iss` the provider,
    /// `token_type` `Bearer`, `iat` now and `exp` in five minutes; change its answer with
    /// the returned builder, then [`mint`](OpaqueTokenBuilder::mint) it. Every token it mints
    /// begins with the same 17 characters (`idp-access-token-`), as real servers prefix theirs.
    pub fn opaque_token(&self) -> OpaqueTokenBuilder<'_> {
        let now = crate::verify::claims::now().floor();
        let answer = serde_json::json!({
            "active": true,
            "iss": self.issuer(),
            "sub": "test-user",
            "token_type": "Bearer",
            "client_id": "test-client",
            "iat": now,
            "exp": now + 300.0,
        });
        OpaqueTokenBuilder { idp: self, answer }
    }

    /// Sets the introspection answer of `token` as it is (a revocation: `{"active": false}`;
    /// or any JSON, malformed answers included).
    pub fn set_introspection_answer(&self, token: &str, answer: serde_json::Value) {
        self.state
            .answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(token.to_owned(), answer);
    }

    /// How many introspection calls it has had (answered, refused or while down).
    #[must_use]
    pub fn introspection_calls(&self) -> usize {
        self.state.introspection_calls.load(Ordering::SeqCst)
    }

    /// The most introspection calls that were ever under way at once.
    #[must_use]
    pub fn introspection_peak(&self) -> usize {
        self.state.introspection_peak.load(Ordering::SeqCst)
    }

    /// Answers a token it never minted with 400 and this OAuth error (`invalid_token`,
    /// `unsupported_token_type`, …), as some servers do, instead of `{"active": false}`;
    /// `None` goes back to the RFC 7662 answer.
    pub fn set_unknown_token_error(&self, error: Option<&str>) {
        *self
            .state
            .unknown_token_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = error.map(str::to_owned);
    }

    /// Answers introspection calls after this delay (a slow server).
    pub fn set_introspection_delay(&self, delay: std::time::Duration) {
        *self
            .state
            .introspection_delay
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = delay;
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
    let mut document = serde_json::json!({
        "issuer": state.issuer,
        "jwks_uri": format!("{}/jwks", state.issuer),
        "introspection_endpoint": format!("{}/introspect", state.issuer),
        "token_endpoint": format!("{}/token", state.issuer),
        // No interactive flow: clients whose metadata model requires the member find it, and
        // `/authorize` refuses every request.
        "authorization_endpoint": format!("{}/authorize", state.issuer),
        "response_types_supported": ["code"],
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
    });
    let scopes = state
        .scopes_supported
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let (Some(scopes), Some(document)) = (&*scopes, document.as_object_mut()) {
        document.insert("scopes_supported".to_owned(), scopes.clone().into());
    }
    ([(CONTENT_TYPE, "application/json")], document.to_string()).into_response()
}

async fn token(
    State(state): State<Arc<IdpState>>,
    headers: http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    state.token_requests.fetch_add(1, Ordering::SeqCst);
    if state.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let form: std::collections::HashMap<String, String> =
        form_urlencoded::parse(&body).into_owned().collect();
    let key = (state.keys.lock().unwrap_or_else(PoisonError::into_inner))
        .first()
        .copied()
        .unwrap_or(TestKey::Rsa1);
    token_endpoint::client_credentials(&state.issuer, key, &headers, &form)
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

/// An opaque token being minted by a [`TestIdp`]: its introspection answer.
#[derive(Debug)]
#[must_use]
pub struct OpaqueTokenBuilder<'a> {
    idp: &'a TestIdp,
    answer: serde_json::Value,
}

impl OpaqueTokenBuilder<'_> {
    /// Sets `sub`.
    pub fn subject(self, sub: &str) -> Self {
        self.claim("sub", sub)
    }

    /// Sets `aud`.
    pub fn audience(self, aud: &str) -> Self {
        self.claim("aud", aud)
    }

    /// Sets `scope` (space-separated).
    pub fn scope(self, scope: &str) -> Self {
        self.claim("scope", scope)
    }

    /// Sets `exp` this many seconds from now (negative: in the past).
    pub fn expires_in(self, seconds: i64) -> Self {
        #[allow(clippy::cast_precision_loss)]
        let exp = crate::verify::claims::now().floor() + seconds as f64;
        self.claim("exp", exp)
    }

    /// Binds the token to a client certificate (RFC 8705): the answer's `cnf.x5t#S256`.
    pub fn bound_to_certificate(self, thumbprint: &str) -> Self {
        self.claim("cnf", serde_json::json!({ "x5t#S256": thumbprint }))
    }

    /// Sets any member of the answer (`null` removes it).
    pub fn claim(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
        if let serde_json::Value::Object(answer) = &mut self.answer {
            match value.into() {
                serde_json::Value::Null => answer.remove(name),
                value => answer.insert(name.to_owned(), value),
            };
        }
        self
    }

    /// The token; the provider answers for it from now on.
    pub fn mint(self) -> String {
        use sha2::Digest as _;
        let n = self.idp.state.minted.fetch_add(1, Ordering::SeqCst);
        let seed = format!("{} {n} {:?}", self.idp.addr, std::time::SystemTime::now());
        let digest = sha2::Sha256::digest(seed.as_bytes());
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        let token = format!("idp-access-token-{hex}");
        self.idp.set_introspection_answer(&token, self.answer);
        token
    }
}

/// `POST /introspect`: the client authenticated (Basic or post), then the token's answer
/// (`{"active": false}` for a token it did not mint).
async fn introspect(
    State(state): State<Arc<IdpState>>,
    headers: http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    state.introspection_calls.fetch_add(1, Ordering::SeqCst);
    let _in_flight = InFlight::new(&state);
    let delay = *state
        .introspection_delay
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if state.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let form: std::collections::HashMap<String, String> =
        form_urlencoded::parse(&body).into_owned().collect();
    if !token_endpoint::is_client(&headers, &form) {
        return token_endpoint::oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let Some(token) = form.get("token") else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let known = state
        .answers
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(token)
        .cloned();
    let unknown_error = state
        .unknown_token_error
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let answer = match (known, unknown_error) {
        (Some(answer), _) => answer,
        (None, Some(error)) => {
            return token_endpoint::oauth_error(StatusCode::BAD_REQUEST, &error);
        }
        (None, None) => serde_json::json!({"active": false}),
    };
    ([(CONTENT_TYPE, "application/json")], answer.to_string()).into_response()
}

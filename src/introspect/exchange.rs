//! The RFC 7662 call: `POST` of the token to the introspection endpoint, the client
//! authenticated, the answer bounded, every failure logged without the token or the secret.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::{Client, Url};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{ConfigError, IntrospectionError};
use crate::verify::fetch::{HttpOptions, allowed_url, client_or_own, read_body, without_url};
use crate::verify::located::{Located, Location};
use crate::verify::redacted_url;

/// How the resolver authenticates to the introspection endpoint (RFC 7662 §2.1, with the
/// client authentication methods of RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientAuth {
    /// `client_secret_basic`: `Authorization: Basic` of the form-encoded id and secret. The
    /// default, and the one RFC 6749 requires servers to support.
    #[default]
    ClientSecretBasic,
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    ClientSecretPost,
}

/// One authorization server's introspection endpoint, and how to call it.
pub(crate) struct Exchange {
    client: Client,
    options: HttpOptions,
    endpoint: Located,
    client_id: String,
    secret: SecretString,
    auth: ClientAuth,
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret; URLs redacted.
        f.debug_struct("Exchange")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

/// Why a call failed, for the log (never the token, the secret or the answer's content).
type Failed = String;

impl Exchange {
    /// The exchange of `endpoint` for `issuer`, as `credentials` (id, secret, method).
    pub(crate) fn new(
        endpoint: Location,
        issuer: &str,
        credentials: (String, SecretString, ClientAuth),
        options: HttpOptions,
        client: Option<Client>,
    ) -> Result<Self, ConfigError> {
        let endpoint = Located::new(
            endpoint,
            issuer,
            "introspection_endpoint",
            endpoint_url,
            options,
        )?;
        let (client_id, secret, auth) = credentials;
        Ok(Self {
            client: client_or_own(client, options)?,
            options,
            endpoint,
            client_id,
            secret,
            auth,
        })
    }

    /// The answer's members, or [`IntrospectionError::Unavailable`] (logged).
    pub(crate) async fn introspect(
        &self,
        token: &[u8],
    ) -> Result<Map<String, Value>, IntrospectionError> {
        let url = match self.endpoint.url(&self.client, self.options).await {
            Ok(url) => url,
            Err(reason) => return Err(self.failed(None, &reason)),
        };
        match self.call(&url, token).await {
            Ok(answer) => Ok(answer),
            Err(reason) => {
                self.endpoint.forget(); // a discovered endpoint is discovered again
                Err(self.failed(Some(&url), &reason))
            }
        }
    }

    fn failed(&self, url: Option<&Url>, reason: &str) -> IntrospectionError {
        let endpoint = url.map_or_else(|| self.endpoint.shown(), |url| redacted_url(url.as_str()));
        tracing::warn!(
            target: "axum_userinfo",
            %endpoint,
            %reason,
            "token introspection failed: the request is refused with 503 (the token may be fine)"
        );
        IntrospectionError::Unavailable
    }

    async fn call(&self, url: &Url, token: &[u8]) -> Result<Map<String, Value>, Failed> {
        let mut form = String::from("token=");
        form.extend(form_urlencoded::byte_serialize(token));
        form.push_str("&token_type_hint=access_token");
        let mut request = self
            .client
            .post(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .timeout(self.options.timeout);
        match self.auth {
            ClientAuth::ClientSecretBasic => {
                // RFC 6749 §2.3.1: the id and secret form-encoded, then Basic.
                let id = form_encoded(self.client_id.as_bytes());
                let secret = form_encoded(self.secret.expose_secret().as_bytes());
                let basic = STANDARD.encode(format!("{id}:{secret}"));
                let mut value = http::HeaderValue::try_from(format!("Basic {basic}"))
                    .map_err(|_| "the client credentials are not a valid header".to_owned())?;
                value.set_sensitive(true);
                request = request.header(reqwest::header::AUTHORIZATION, value);
            }
            ClientAuth::ClientSecretPost => {
                form.push_str("&client_id=");
                form.push_str(&form_encoded(self.client_id.as_bytes()));
                form.push_str("&client_secret=");
                form.push_str(&form_encoded(self.secret.expose_secret().as_bytes()));
            }
        }
        let response = request
            .body(form)
            .send()
            .await
            .map_err(|err| format!("request failed: {}", without_url(&err, url)))?;
        if response.url() != url {
            return Err("the introspection call was redirected".to_owned());
        }
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(format!(
                "the authorization server refused the client credentials (status {status})"
            ));
        }
        if status == reqwest::StatusCode::BAD_REQUEST {
            // RFC 6749 §5.2's error object: some servers answer a token they do not know with
            // `invalid_token` or `unsupported_token_type` rather than `active: false`.
            let body = read_body(response, url, self.options.max_body).await?;
            let code = oauth_error(&body);
            return match code.as_deref() {
                Some("invalid_token" | "unsupported_token_type") => {
                    let mut inactive = Map::new();
                    inactive.insert("active".to_owned(), Value::Bool(false));
                    Ok(inactive)
                }
                Some(code) => Err(format!("status {status}, error {code}")),
                None => Err(format!("status {status}, no OAuth error code")),
            };
        }
        if status != reqwest::StatusCode::OK {
            return Err(format!("status {status}"));
        }
        let body = read_body(response, url, self.options.max_body).await?;
        serde_json::from_slice::<Map<String, Value>>(&body)
            .map_err(|_| "the answer is not a JSON object".to_owned())
    }
}

/// An endpoint as the policy allows (`https`, or loopback `http` when allowed), without
/// userinfo: reqwest would send it as a second `Authorization` header.
fn endpoint_url(url: &str, options: HttpOptions) -> Result<Url, ConfigError> {
    let url = allowed_url(url, options)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::CredentialsInUrl);
    }
    Ok(url)
}

/// The `error` of an OAuth error answer, when it is an RFC 6749 error code (printable ASCII
/// without `"` and `\\`, at most 64 characters): safe to log, and nothing else of the answer is.
fn oauth_error(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct ErrorAnswer {
        error: String,
    }
    let answer: ErrorAnswer = serde_json::from_slice(body).ok()?;
    let code = answer.error;
    let printable = (code.bytes()).all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\');
    (printable && !code.is_empty() && code.len() <= 64).then_some(code)
}

fn form_encoded(bytes: &[u8]) -> String {
    form_urlencoded::byte_serialize(bytes).collect()
}

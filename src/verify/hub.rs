//! A JupyterHub's REST API and a user server's contents API, as an admin token sees them.
//!
//! Input: the hub's base URL and an API token; output: the calls `verify` needs (create the
//! test user, start and stop its server, read its files). Every call has a timeout; an answer
//! the hub refuses is an [`Error::Hub`] that quotes it.

use std::time::{Duration, Instant};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use crate::error::Error;

/// How long one HTTP request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The hub at `base` (`https://hub.example.org`, no trailing slash), called with `token`.
pub(crate) struct Hub {
    pub(crate) base: String,
    token: String,
    agent: ureq::Agent,
    /// The CA certificates (DER) to trust instead of the public roots (`--cacert`).
    pub(crate) ca: Vec<Vec<u8>>,
}

/// The certificates of a PEM file (`--cacert`), in DER.
pub(crate) fn read_pem(pem: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(cert)) => certs.push(cert.der().to_vec()),
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    if certs.is_empty() {
        return Err("no PEM certificate (`-----BEGIN CERTIFICATE-----`) in it".to_owned());
    }
    Ok(certs)
}

/// One answer: the status and the body as text.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Result<Value, Error> {
        serde_json::from_str(&self.body)
            .map_err(|e| Error::Hub(format!("expected JSON, got {e}: {}", excerpt(&self.body))))
    }
}

/// The first 300 characters of an answer, for a message.
pub(crate) fn excerpt(body: &str) -> String {
    let text: String = body.chars().take(300).collect();
    text.trim().to_owned()
}

/// What a URI path segment keeps as it is: RFC 3986's unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path segment, percent-encoded (user names, file names).
pub(crate) fn segment(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// A relative path, each segment percent-encoded, the slashes kept.
pub(crate) fn path_of(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(segment)
        .collect::<Vec<_>>()
        .join("/")
}

impl Hub {
    /// The hub at `base`; `ca`: the only CA certificates (DER) its HTTPS is trusted with, when
    /// not the public roots.
    pub(crate) fn new(base: &str, token: &str, ca: Vec<Vec<u8>>) -> Self {
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(REQUEST_TIMEOUT))
            .http_status_as_error(false);
        if !ca.is_empty() {
            let certs: Vec<_> = ca
                .iter()
                .map(|der| ureq::tls::Certificate::from_der(der).to_owned())
                .collect();
            config = config.tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::new_with_certs(&certs))
                    .build(),
            );
        }
        Self {
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            agent: config.build().into(),
            ca,
        }
    }

    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// `METHOD base+path` with the token, and a JSON body when given.
    pub(crate) fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, Error> {
        let url = format!("{}{path}", self.base);
        let auth = format!("token {}", self.token);
        let result = match (method, body) {
            ("GET", _) => self.agent.get(&url).header("Authorization", &auth).call(),
            ("DELETE", _) => self
                .agent
                .delete(&url)
                .header("Authorization", &auth)
                .call(),
            ("POST", Some(body)) => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .content_type("application/json")
                .send(body.to_string()),
            ("POST", None) => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .send_empty(),
            _ => return Err(Error::Internal(format!("no HTTP method {method}"))),
        };
        let mut response = result.map_err(|e| Error::Hub(format!("{method} {url}: {e}")))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| Error::Hub(format!("{method} {url}: reading the answer: {e}")))?;
        Ok(Answer { status, body })
    }

    /// Fails unless the answer's status is one of `ok`.
    fn expect(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        ok: &[u16],
    ) -> Result<Answer, Error> {
        let answer = self.call(method, path, body)?;
        if ok.contains(&answer.status) {
            return Ok(answer);
        }
        let hint = match answer.status {
            401 | 403 => {
                " (the token is not an admin's, or has expired: make one as an admin on the hub's /hub/token page)"
            }
            _ => "",
        };
        Err(Error::Hub(format!(
            "{method} {}{path}: HTTP {}{hint}: {}",
            self.base,
            answer.status,
            excerpt(&answer.body)
        )))
    }

    /// The hub answers and the token is valid: who it belongs to.
    pub(crate) fn whoami(&self) -> Result<String, Error> {
        let answer = self.expect("GET", "/hub/api/user", None, &[200])?;
        Ok(answer.json()?["name"].as_str().unwrap_or("?").to_owned())
    }

    /// Creates `user` unless the hub has it already.
    pub(crate) fn ensure_user(&self, user: &str) -> Result<(), Error> {
        self.expect(
            "POST",
            &format!("/hub/api/users/{}", segment(user)),
            None,
            &[201, 409],
        )?;
        Ok(())
    }

    /// The user's default server: `Some(url)` once ready (the path below the hub, `/user/NAME/`).
    fn server(&self, user: &str) -> Result<(Option<String>, bool), Error> {
        let answer = self.expect(
            "GET",
            &format!("/hub/api/users/{}", segment(user)),
            None,
            &[200],
        )?;
        let model = answer.json()?;
        let server = &model["servers"][""];
        let pending = !model["pending"].is_null() || server["pending"].as_str().is_some();
        if server["ready"].as_bool() == Some(true) {
            return Ok((server["url"].as_str().map(str::to_owned), pending));
        }
        Ok((None, pending || server.is_object()))
    }

    /// Starts the user's default server and waits until it is ready: its URL path.
    pub(crate) fn start_server(&self, user: &str, timeout: Duration) -> Result<String, Error> {
        let path = format!("/hub/api/users/{}/server", segment(user));
        let answer = self.call("POST", &path, None)?;
        // 201 started, 202 starting, 400 already running (JupyterHub's answer for a running server)
        if answer.status == 429 {
            return Err(Error::Hub(format!(
                "the hub refused to start {user}'s server: its limit of active servers (users.count) is reached; run verify while fewer students are active: {}",
                excerpt(&answer.body)
            )));
        }
        if ![201, 202, 400].contains(&answer.status) {
            return Err(Error::Hub(format!(
                "POST {}{path}: HTTP {}: {}",
                self.base,
                answer.status,
                excerpt(&answer.body)
            )));
        }
        let start = Instant::now();
        loop {
            let (url, pending) = self.server(user)?;
            if let Some(url) = url {
                return Ok(url);
            }
            if !pending && answer.status == 400 {
                return Err(Error::Hub(format!(
                    "the hub refused to start {user}'s server: {}",
                    excerpt(&answer.body)
                )));
            }
            if start.elapsed() > timeout {
                return Err(Error::Hub(format!(
                    "{user}'s server was not ready after {} s (the hub's log says why)",
                    timeout.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    /// Stops the user's default server (the home stays).
    pub(crate) fn stop_server(&self, user: &str) -> Result<(), Error> {
        let path = format!("/hub/api/users/{}/server", segment(user));
        self.expect("DELETE", &path, None, &[202, 204, 400])?;
        Ok(())
    }

    /// A contents-API model of the user's server (`server` is its URL path, `/user/NAME/`):
    /// `None` when the path does not exist.
    pub(crate) fn contents(&self, server: &str, path: &str) -> Result<Option<Value>, Error> {
        let url = format!("{}api/contents/{}?content=1", server, path_of(path));
        let answer = self.expect("GET", &url, None, &[200, 404])?;
        if answer.status == 404 {
            return Ok(None);
        }
        answer.json().map(Some)
    }
}

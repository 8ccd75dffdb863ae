//! One Jupyter kernel on a user server: started through the kernels API, driven over its
//! websocket channels (Jupyter's messaging protocol, the JSON form the server speaks when the
//! client asks for no subprotocol), shut down at the end.
//!
//! Input: the hub (its base URL and token) and the server's URL path; output: what each
//! executed cell did (its standard output, its error, or the kernel's death).

use std::fmt::Write as _;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::client::IntoClientRequest as _;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use super::hub::{Hub, excerpt, segment};
use crate::error::Error;

/// What one `execute_request` ended with.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The cell ran to its end.
    Ok,
    /// The cell raised: the exception's name, value and traceback (ANSI colours removed).
    Raised {
        ename: String,
        evalue: String,
        traceback: String,
    },
    /// The kernel died while it ran (killed, e.g. for memory): the server's word for it.
    Died(String),
    /// No answer in time.
    TimedOut,
}

/// A cell's result: how it ended and what it printed to standard output.
#[derive(Debug)]
pub(crate) struct Executed {
    pub(crate) outcome: Outcome,
    pub(crate) stdout: String,
}

pub(crate) struct Kernel<'h> {
    hub: &'h Hub,
    server: String,
    pub(crate) id: String,
    session: String,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    counter: u64,
}

/// A random hex id (message and session ids).
fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // an id only needs to differ from the others of this run: the clock will do without randomness
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = nanos.to_le_bytes();
    }
    bytes.iter().fold(String::new(), |mut id, b| {
        let _ = write!(id, "{b:02x}");
        id
    })
}

/// Removes ANSI escape sequences (IPython colours its tracebacks).
pub(crate) fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// The websocket, over TLS with the hub's own CA when `--cacert` gave one, else as tungstenite
/// connects (the public roots).
fn connect(
    hub: &Hub,
    request: tungstenite::handshake::client::Request,
) -> Result<
    (
        WebSocket<MaybeTlsStream<TcpStream>>,
        tungstenite::handshake::client::Response,
    ),
    String,
> {
    if hub.ca.is_empty() || request.uri().scheme_str() != Some("wss") {
        return tungstenite::connect(request).map_err(|e| e.to_string());
    }
    let mut roots = rustls::RootCertStore::empty();
    for der in &hub.ca {
        roots
            .add(rustls::pki_types::CertificateDer::from(der.clone()))
            .map_err(|e| format!("the --cacert certificate: {e}"))?;
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let host = request
        .uri()
        .host()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']');
    let port = request.uri().port_u16().unwrap_or(443);
    let tcp = TcpStream::connect((host, port)).map_err(|e| format!("{host}:{port}: {e}"))?;
    let connector = tungstenite::Connector::Rustls(std::sync::Arc::new(config));
    tungstenite::client_tls_with_config(request, tcp, None, Some(connector))
        .map_err(|e| e.to_string())
}

/// How long a new kernel may take to answer its first `kernel_info_request`: a loaded machine
/// starts kernels slowly, and the server closes channels whose kernel has not answered within
/// its own `kernel_info_timeout` (60 s by default), so the client connects again meanwhile.
const KERNEL_READY: Duration = Duration::from_secs(180);

/// Connects to the kernel's channels and waits until the kernel answers a `kernel_info_request`,
/// as Jupyter's own clients do before they run code. A connection the server closes before that
/// answer is opened again (no code has been sent yet, so nothing runs twice), until
/// [`KERNEL_READY`] has passed.
fn ready_channels(
    hub: &Hub,
    request: &tungstenite::handshake::client::Request,
    session: &str,
) -> Result<WebSocket<MaybeTlsStream<TcpStream>>, String> {
    let start = Instant::now();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut socket = connect(hub, request.clone())?.0;
        set_timeout(&mut socket, Duration::from_secs(1));
        let msg_id = format!("{session}-ready-{attempt}");
        let info = json!({
            "header": {
                "msg_id": msg_id, "msg_type": "kernel_info_request", "username": "atlasod-verify",
                "session": session, "version": "5.3",
            },
            "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell", "buffers": [],
        });
        let mut why = match socket.send(Message::text(info.to_string())) {
            Ok(()) => String::new(),
            Err(e) => e.to_string(),
        };
        while why.is_empty() {
            if start.elapsed() > KERNEL_READY {
                return Err(format!(
                    "the kernel did not answer within {} s",
                    KERNEL_READY.as_secs()
                ));
            }
            match socket.read() {
                Ok(Message::Text(text)) => {
                    let Ok(msg) = serde_json::from_str::<Value>(&text) else {
                        continue;
                    };
                    if msg["header"]["msg_type"] == "kernel_info_reply"
                        && msg["parent_header"]["msg_id"] == msg_id.as_str()
                    {
                        return Ok(socket);
                    }
                }
                Ok(Message::Close(frame)) => {
                    why = frame.map_or_else(|| "closed".to_owned(), |f| f.reason.to_string());
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => why = e.to_string(),
            }
        }
        if start.elapsed() > KERNEL_READY {
            return Err(format!("closed before the kernel answered ({why})"));
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn set_timeout(socket: &mut WebSocket<MaybeTlsStream<TcpStream>>, timeout: Duration) {
    let tcp = match socket.get_mut() {
        MaybeTlsStream::Plain(tcp) => tcp,
        MaybeTlsStream::Rustls(tls) => tls.get_mut(),
        _ => return,
    };
    let _ = tcp.set_read_timeout(Some(timeout));
}

impl<'h> Kernel<'h> {
    /// Starts a kernel of `name` whose working directory is `cwd` (relative to the server's root)
    /// and connects to its channels.
    pub(crate) fn start(hub: &'h Hub, server: &str, name: &str, cwd: &str) -> Result<Self, Error> {
        let path = format!("{server}api/kernels");
        let answer = hub.call("POST", &path, Some(&json!({"name": name, "path": cwd})))?;
        if answer.status != 201 {
            return Err(Error::Hub(format!(
                "starting a `{name}` kernel (POST {}{path}): HTTP {}: {}",
                hub.base,
                answer.status,
                excerpt(&answer.body)
            )));
        }
        let id = answer.json()?["id"]
            .as_str()
            .ok_or_else(|| {
                Error::Hub(format!(
                    "the new kernel has no id: {}",
                    excerpt(&answer.body)
                ))
            })?
            .to_owned();
        let session = random_id();
        let ws_base = if let Some(rest) = hub.base.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = hub.base.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            return Err(Error::Usage(format!(
                "`{}` is not an http(s) URL",
                hub.base
            )));
        };
        let url = format!(
            "{ws_base}{server}api/kernels/{}/channels?session_id={session}",
            segment(&id)
        );
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| Error::Hub(format!("{url}: {e}")))?;
        let auth = format!("token {}", hub.token())
            .parse()
            .map_err(|_| Error::Usage("the token is not valid header text".to_owned()))?;
        request.headers_mut().insert("Authorization", auth);
        let socket = ready_channels(hub, &request, &session)
            .map_err(|e| Error::Hub(format!("the kernel's channels ({url}): {e}")))?;
        Ok(Self {
            hub,
            server: server.to_owned(),
            id,
            session,
            socket,
            counter: 0,
        })
    }

    /// Runs `code` and waits for its end (the reply and the kernel back to idle), at most `timeout`.
    pub(crate) fn execute(&mut self, code: &str, timeout: Duration) -> Result<Executed, Error> {
        self.counter += 1;
        let msg_id = format!("{}-{}", self.session, self.counter);
        let request = json!({
            "header": {
                "msg_id": msg_id, "msg_type": "execute_request", "username": "atlasod-verify",
                "session": self.session, "version": "5.3",
            },
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {
                "code": code, "silent": false, "store_history": true,
                "user_expressions": {}, "allow_stdin": false, "stop_on_error": true,
            },
        });
        self.socket
            .send(Message::text(request.to_string()))
            .map_err(|e| Error::Hub(format!("sending to the kernel: {e}")))?;
        let start = Instant::now();
        let (mut stdout, mut replied, mut idle) = (String::new(), None, false);
        loop {
            if start.elapsed() > timeout {
                return Ok(Executed {
                    outcome: Outcome::TimedOut,
                    stdout,
                });
            }
            let message = match self.socket.read() {
                Ok(Message::Text(text)) => text,
                Ok(Message::Close(frame)) => {
                    let why = frame.map_or_else(|| "closed".to_owned(), |f| f.reason.to_string());
                    return Ok(Executed {
                        outcome: Outcome::Died(format!("the kernel's channels closed ({why})")),
                        stdout,
                    });
                }
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue;
                }
                Err(e) => {
                    return Ok(Executed {
                        outcome: Outcome::Died(format!("the kernel's channels failed: {e}")),
                        stdout,
                    });
                }
            };
            let Ok(msg) = serde_json::from_str::<Value>(&message) else {
                continue;
            };
            if let Some(died) = on_message(&msg, &msg_id, &mut stdout, &mut replied, &mut idle) {
                return Ok(Executed {
                    outcome: died,
                    stdout,
                });
            }
            if idle {
                if let Some(outcome) = replied.take() {
                    return Ok(Executed { outcome, stdout });
                }
            }
        }
    }

    /// Shuts the kernel down (its memory goes back).
    pub(crate) fn shutdown(mut self) {
        let _ = self.socket.close(None);
        let path = format!("{}api/kernels/{}", self.server, segment(&self.id));
        let _ = self.hub.call("DELETE", &path, None);
    }
}

/// Takes one message from the channels into the cell's state (its standard output, its reply,
/// whether the kernel is idle again); `Some` when the server says the kernel died.
fn on_message(
    msg: &Value,
    msg_id: &str,
    stdout: &mut String,
    replied: &mut Option<Outcome>,
    idle: &mut bool,
) -> Option<Outcome> {
    let kind = msg["header"]["msg_type"].as_str().unwrap_or("");
    let content = &msg["content"];
    // the server's own status messages for a kernel that died (no parent)
    if kind == "status" {
        let state = content["execution_state"].as_str().unwrap_or("");
        if state == "restarting" || state == "dead" {
            return Some(Outcome::Died(format!(
                "the kernel died (the server reports it {state})"
            )));
        }
    }
    if msg["parent_header"]["msg_id"].as_str() != Some(msg_id) {
        return None;
    }
    let text = |key: &str, default: &str| content[key].as_str().unwrap_or(default).to_owned();
    match kind {
        "stream" if content["name"] == "stdout" => stdout.push_str(&text("text", "")),
        "error" => {
            let traceback = content["traceback"]
                .as_array()
                .map(|lines| {
                    lines
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            replied.get_or_insert(Outcome::Raised {
                ename: text("ename", ""),
                evalue: text("evalue", ""),
                traceback: strip_ansi(&traceback),
            });
        }
        "execute_reply" if content["status"] == "ok" => {
            replied.get_or_insert(Outcome::Ok);
        }
        "execute_reply" => {
            replied.get_or_insert(Outcome::Raised {
                ename: text("ename", "error"),
                evalue: text("evalue", ""),
                traceback: String::new(),
            });
        }
        "status" if content["execution_state"] == "idle" => *idle = true,
        _ => {}
    }
    None
}

//! Turning a reply (HTTP status + body bytes) into data or an [`Error`].
//!
//! Bank+ answers errors with 200, 400, 401 or 404 and different body shapes
//! depending on which system produced them, so the body's `code` decides,
//! never the HTTP status. Public so tests can feed document samples through
//! exactly the path the client uses.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;
use crate::wire::AgentBlock;

/// A successful reply's envelope: `code` "00", `message`, `data`, and the
/// extras some endpoints add.
#[derive(Debug, Clone)]
pub struct Envelope<T> {
    pub message: String,
    pub data: T,
    pub agent: Option<AgentBlock>,
    pub session_id: Option<String>,
}

#[derive(Deserialize)]
struct RawEnvelope {
    code: Option<Value>,
    #[serde(default)]
    message: Option<Value>,
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    agent: Option<Value>,
    #[serde(default)]
    session_id: Option<String>,
}

/// A short, printable, secret-free piece of a bad body for the error message.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(80)
        .collect();
    flat.trim().to_owned()
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Decodes any Bank+ or switcher reply.
pub fn decode<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<Envelope<T>, Error> {
    let raw: RawEnvelope = serde_json::from_slice(body).map_err(|e| Error::Malformed {
        status,
        detail: if body.is_empty() {
            "empty body".to_owned()
        } else {
            format!("not JSON ({e}): {}", snippet(body))
        },
    })?;
    let code = raw
        .code
        .as_ref()
        .map(text_of)
        .ok_or_else(|| Error::Malformed {
            status,
            detail: "the reply has no code".to_owned(),
        })?;
    let message = raw.message.as_ref().map(text_of).unwrap_or_default();
    if code != "00" {
        return Err(match code.as_str() {
            "SESSION_NOT_FOUND" => Error::SessionExpired,
            "INVALID_PIN" => Error::InvalidPin { message },
            "2102" => Error::BadLogin { message },
            "NOT_FOUND" => Error::NotFound { message },
            _ => Error::Refused {
                trace_code: raw
                    .data
                    .as_ref()
                    .and_then(|d| d.get("trace_code"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                code,
                message,
            },
        });
    }
    let data = raw.data.unwrap_or(Value::Null);
    let data: T = serde_json::from_value(data).map_err(|e| Error::Malformed {
        status,
        detail: format!("unexpected data: {e}"),
    })?;
    let agent = match raw.agent {
        Some(a) if !a.is_null() => {
            Some(serde_json::from_value(a).map_err(|e| Error::Malformed {
                status,
                detail: format!("unexpected agent block: {e}"),
            })?)
        }
        _ => None,
    };
    Ok(Envelope {
        message,
        data,
        agent,
        session_id: raw.session_id,
    })
}

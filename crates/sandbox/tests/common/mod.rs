//! Helpers shared by the integration tests: start a sandbox, call it over
//! real HTTP, log in, make sids.
// Each test file uses its own subset of these helpers.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

pub async fn start() -> Sandbox {
    start_with(SandboxConfig::default()).await
}

pub async fn start_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config, "127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("the sandbox starts")
}

/// What came back: the HTTP status and the body as JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or("")
    }
}

/// A POST with a raw body and optional `sessionid` / `sid` headers.
pub async fn post_raw(
    sb: &Sandbox,
    path: &str,
    session: Option<&str>,
    sid: Option<&str>,
    body: Vec<u8>,
) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(format!("{}{path}", sb.base_url()))
        .header("content-type", "application/json")
        .body(body);
    if let Some(s) = session {
        req = req.header("sessionid", s);
    }
    if let Some(s) = sid {
        req = req.header("sid", s);
    }
    req.send().await.expect("the sandbox answers")
}

pub async fn call(
    sb: &Sandbox,
    path: &str,
    session: Option<&str>,
    sid: Option<&str>,
    body: Value,
) -> Reply {
    let resp = post_raw(sb, path, session, sid, body.to_string().into_bytes()).await;
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.expect("a body");
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{path}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    Reply { status, body }
}

/// Logs the demo agent in; the session id.
pub async fn login(sb: &Sandbox) -> String {
    login_as(sb, sandbox::demo::USERNAME, sandbox::demo::PASSWORD).await
}

pub async fn login_as(sb: &Sandbox, username: &str, password: &str) -> String {
    let r = call(
        sb,
        "/bankplus/users/auth",
        None,
        None,
        json!({"username": username, "password": password}),
    )
    .await;
    assert_eq!(r.code(), "00", "login: {:?}", r.body);
    r.body["session_id"]
        .as_str()
        .expect("a session_id")
        .to_owned()
}

/// A fresh sid in the switcher's 16-digit refnum shape, unique per process.
pub fn sid() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:012}{:04}", nanos % 1_000_000_000_000, n % 10_000)
}

pub fn rp(rupiah: i64) -> money::Rupiah {
    money::Rupiah::from_rupiah(rupiah).expect("small")
}

pub fn balance(sb: &Sandbox, bank: &str, account: &str) -> money::Rupiah {
    sb.balance(bank, account).expect("the account exists")
}

/// A deposit of `rupiah` from the demo agent to `to`.
pub async fn deposit(
    sb: &Sandbox,
    session: &str,
    sid: &str,
    to: &str,
    rupiah: i64,
    pin: &str,
) -> Reply {
    call(
        sb,
        "/bankplus/bsa/depositAccount",
        Some(session),
        Some(sid),
        json!({"toAccount": to, "name": "ardha", "amount": rupiah.to_string(),
               "narration": "test", "pin_transaksi": pin}),
    )
    .await
}

/// The demo agent's balance after spending `rupiah` since seeding.
pub fn agent_after(rupiah: i64) -> money::Rupiah {
    sandbox::demo::AGENT_OPENING_BALANCE
        .checked_sub(rp(rupiah))
        .expect("small")
}

//! The four bank-statement providers, imitated on the sandbox ledger so the
//! agent's statement shows the terminal's own deposits and transfers (with
//! their fees): Mutasibank v1 (`/api/v1/…`), Moota v2 (`/api/v2/…`), BRI
//! Info Mutasi v2.0 (`/oauth/…`, `/v2.0/statement`) and Bank Raya SNAP
//! (`/snap/v1.0/…`). Each checks the same tokens and signatures as the real
//! provider (verified here independently of the client crate) and answers
//! with the documented shapes and codes. Credentials are in [`crate::demo`].

#![allow(clippy::result_large_err)]

mod bankraya;
mod bri;
mod moota;
mod mutasibank;

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::routing::{delete, get, post};
use axum::Router;
use chrono::{DateTime, NaiveDate, Utc};

use crate::ledger::{AgentAccount, StatementRow};
use crate::routes::Shared;
use crate::state::{lock, AppState};

/// How long an issued BRI / Bank Raya access token lives.
const TOKEN_LIFE: Duration = Duration::from_secs(900);

/// What the providers remember between requests (memory only, like the
/// sessions: a restart forgets tokens, notes, tags and dummy mutations).
#[derive(Default)]
pub(crate) struct ProviderState {
    bri_tokens: Mutex<HashMap<String, Instant>>,
    bri_external_ids: Mutex<HashSet<String>>,
    raya_tokens: Mutex<HashMap<String, Instant>>,
    raya_external_ids: Mutex<HashSet<String>>,
    moota: Mutex<moota::MootaExtras>,
    /// Statement lines without the terminal's sid, as most real statements
    /// are (`POST /_sandbox/providers/references {"carry": false}`): the
    /// imitation the rule of evidence must hold against.
    no_references: std::sync::atomic::AtomicBool,
}

impl ProviderState {
    fn issue(map: &Mutex<HashMap<String, Instant>>) -> Option<String> {
        let token = crate::ids::session_id()
            .ok()?
            .chars()
            .take(28)
            .collect::<String>();
        let mut m = lock(map);
        let now = Instant::now();
        m.retain(|_, until| *until > now);
        m.insert(token.clone(), now + TOKEN_LIFE);
        Some(token)
    }

    fn valid(map: &Mutex<HashMap<String, Instant>>, token: &str) -> bool {
        lock(map)
            .get(token)
            .is_some_and(|until| *until > Instant::now())
    }

    /// Records a request id; false when it was used before.
    fn first_use(set: &Mutex<HashSet<String>>, id: &str) -> bool {
        lock(set).insert(id.to_owned())
    }
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        // Mutasibank v1
        .route("/api/v1/user", get(mutasibank::user))
        .route("/api/v1/accounts", get(mutasibank::accounts))
        .route(
            "/api/v1/account/{id}/statements",
            get(mutasibank::statements),
        )
        .route("/api/v1/account/{id}/match", post(mutasibank::match_one))
        .route(
            "/api/v1/account/{id}/match_multiple",
            post(mutasibank::match_multiple),
        )
        .route(
            "/api/v1/transaction/{id}/validate",
            post(mutasibank::validate),
        )
        // Moota v2
        .route("/api/v2/mutation", get(moota::list))
        .route("/api/v2/mutation/store/{bank_id}", post(moota::store))
        .route("/api/v2/mutation/destroy", post(moota::destroy))
        .route("/api/v2/mutation/{id}/note", post(moota::note))
        .route("/api/v2/mutation/{id}/webhook", post(moota::push_webhook))
        .route(
            "/api/v2/tagging/mutation/{id}",
            post(moota::attach).put(moota::update),
        )
        .route("/api/tagging/mutation/{id}", delete(moota::detach))
        // BRI
        .route("/oauth/client_credential/accesstoken", post(bri::token))
        .route("/v2.0/statement", post(bri::statement))
        // Bank Raya SNAP
        .route("/snap/v1.0/access-token/b2b", post(bankraya::token))
        .route("/snap/v1.0/bank-statement", post(bankraya::statement))
        .route("/_sandbox/providers/references", post(set_references))
}

/// Whether statement lines carry the transaction's refnum (the sid).
async fn set_references(
    axum::extract::State(st): axum::extract::State<Shared>,
    axum::Json(body): axum::Json<serde_json::Value>,
) -> axum::http::StatusCode {
    let carry = body
        .get("carry")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(true);
    st.providers
        .no_references
        .store(!carry, std::sync::atomic::Ordering::SeqCst);
    axum::http::StatusCode::NO_CONTENT
}

/// A description without its 16-digit refnums.
fn without_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() != 16 {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The agent accounts and their lines in a range of WIB days.
async fn lines_of(
    st: &AppState,
    account: AgentAccount,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<StatementRow>, crate::ledger::LedgerError> {
    let (lo, hi) = utc_bounds(from, to);
    let mut rows = st
        .db(move |l| l.statement(&account.bank, &account.number, lo, hi))
        .await?;
    if st
        .providers
        .no_references
        .load(std::sync::atomic::Ordering::SeqCst)
    {
        for r in &mut rows {
            r.description = without_references(&r.description);
        }
    }
    Ok(rows)
}

async fn agent_accounts(st: &AppState) -> Result<Vec<AgentAccount>, crate::ledger::LedgerError> {
    st.db(|l| l.agent_accounts()).await
}

/// 00:00 WIB of `from` to 00:00 WIB after `to`, in UTC.
fn utc_bounds(from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map(|n| n.and_utc() - chrono::Duration::hours(7))
            .unwrap_or_default()
    };
    (start(from), start(to + chrono::Duration::days(1)))
}

/// A provider-local time (WIB) as the documents write it.
fn wib_text(t: DateTime<Utc>, fmt: &str) -> String {
    t.with_timezone(&crate::wire::wib()).format(fmt).to_string()
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// Whether two account numbers name the same account (leading zeros aside).
fn same_account(a: &str, b: &str) -> bool {
    a.trim().trim_start_matches('0') == b.trim().trim_start_matches('0')
}

/// Inclusive day count of a range.
fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days() + 1
}

/// The bearer token of a request.
fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    crate::wire::header_text(headers, "authorization")
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// Constant-time comparison of a presented secret with the expected one.
fn same_secret(a: &str, b: &str) -> bool {
    crate::ledger::same_secret(a, b)
}

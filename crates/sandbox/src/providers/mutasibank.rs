//! Mutasibank REST API v1: bearer token; `{"error": false, "data": …}`,
//! 401 `{"error": true, "message": "User not found"}` for a bad token.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use money::Rupiah;
use serde_json::{json, Value};

use super::{agent_accounts, bearer, lines_of, parse_day, same_secret, wib_text};
use crate::demo;
use crate::ledger::{AgentAccount, StatementRow};
use crate::routes::Shared;
use crate::state::AppState;
use crate::wire::{amount_json, json_reply};

fn refuse(status: StatusCode, message: &str) -> Response {
    json_reply(status, &json!({"error": true, "message": message}))
}

fn ok(data: Value) -> Response {
    json_reply(StatusCode::OK, &json!({"error": false, "data": data}))
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::warn!("mutasibank imitation: {e}");
    refuse(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
}

fn authorized(headers: &HeaderMap) -> Result<(), Response> {
    match bearer(headers) {
        Some(t) if same_secret(t, demo::MUTASIBANK_TOKEN) => Ok(()),
        _ => Err(refuse(StatusCode::UNAUTHORIZED, "User not found")),
    }
}

/// A statement line id in the document's UUID shape, stable per posting.
pub(super) fn line_id(row: &StatementRow) -> String {
    format!("5e1c0a2d-0000-4000-8000-{:012x}", row.id)
}

fn line_json(row: &StatementRow, with_time: bool) -> Value {
    json!({
        "id": line_id(row),
        "unique_id": format!("TRX{}{:06}", wib_text(row.at, "%Y%m%d"), row.id),
        // Statements give the date (as the document's sample); webhooks the time.
        "transaction_date": wib_text(row.at, if with_time { "%Y-%m-%d %H:%M:%S" } else { "%Y-%m-%d" }),
        "description": row.description,
        "type": if row.credit { "CR" } else { "DB" },
        "amount": amount_json(row.amount),
        "balance": amount_json(row.balance_after),
    })
}

async fn account_by_id(st: &AppState, id: &str) -> Result<AgentAccount, Response> {
    let id: i64 = id
        .parse()
        .map_err(|_| refuse(StatusCode::NOT_FOUND, "Account not found"))?;
    agent_accounts(st)
        .await
        .map_err(internal)?
        .into_iter()
        .find(|a| a.user_id == id)
        .ok_or_else(|| refuse(StatusCode::NOT_FOUND, "Account not found"))
}

pub(super) async fn user(State(st): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = authorized(&headers) {
        return r;
    }
    let _ = &st;
    ok(json!({
        "name": demo::AGENT_NAME,
        "email": "agen@loket.sandbox",
        "saldo": 100000,
        "jenis_akun": "advance",
    }))
}

pub(super) async fn accounts(State(st): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = authorized(&headers) {
        return r;
    }
    let accounts = match agent_accounts(&st).await {
        Ok(a) => a,
        Err(e) => return internal(e),
    };
    let now = chrono::Utc::now();
    ok(Value::Array(
        accounts
            .iter()
            .map(|a| {
                json!({
                    "id": a.user_id,
                    "unique_id": format!("acc{:06}", a.user_id),
                    "bank_name": format!("Bank {} Personal", a.bank),
                    "account_name": a.name,
                    "account_number": a.number,
                    "is_active": true,
                    "last_check": wib_text(now, "%Y-%m-%d %H:%M:%S"),
                    "last_balance": amount_json(a.balance),
                    "status": "online",
                })
            })
            .collect(),
    ))
}

pub(super) async fn statements(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Err(r) = authorized(&headers) {
        return r;
    }
    let account = match account_by_id(&st, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let day = |k: &str| q.get(k).and_then(|v| parse_day(v));
    let (Some(from), Some(to)) = (day("start_date"), day("end_date")) else {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "start_date and end_date are required (Y-m-d)",
        );
    };
    if to < from {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "end_date must be after start_date",
        );
    }
    match lines_of(&st, account, from, to).await {
        Ok(rows) => ok(Value::Array(
            rows.iter().map(|r| line_json(r, false)).collect(),
        )),
        Err(e) => internal(e),
    }
}

/// Lines of this account (last 90 days) with this amount, newest first.
async fn by_amount(
    st: &AppState,
    headers: &HeaderMap,
    id: &str,
    body: &[u8],
) -> Result<Vec<StatementRow>, Response> {
    authorized(headers)?;
    let account = account_by_id(st, id).await?;
    let amount = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("amount").cloned())
        .and_then(|v| serde_json::from_value::<Rupiah>(v).ok())
        .filter(|a| a.is_positive())
        .ok_or_else(|| refuse(StatusCode::UNPROCESSABLE_ENTITY, "amount is required"))?;
    let today = chrono::Utc::now()
        .with_timezone(&crate::wire::wib())
        .date_naive();
    let rows = lines_of(st, account, today - chrono::Duration::days(90), today)
        .await
        .map_err(internal)?;
    Ok(rows
        .into_iter()
        .rev()
        .filter(|r| r.amount == amount)
        .collect())
}

pub(super) async fn match_one(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    match by_amount(&st, &headers, &id, &body).await {
        Ok(rows) => match rows.first() {
            Some(r) => ok(line_json(r, true)),
            None => json_reply(
                StatusCode::OK,
                &json!({"error": true, "message": "Transaction not found"}),
            ),
        },
        Err(r) => r,
    }
}

pub(super) async fn match_multiple(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    match by_amount(&st, &headers, &id, &body).await {
        Ok(rows) => ok(Value::Array(
            rows.iter().map(|r| line_json(r, true)).collect(),
        )),
        Err(r) => r,
    }
}

pub(super) async fn validate(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authorized(&headers) {
        return r;
    }
    let accounts = match agent_accounts(&st).await {
        Ok(a) => a,
        Err(e) => return internal(e),
    };
    let today = chrono::Utc::now()
        .with_timezone(&crate::wire::wib())
        .date_naive();
    for account in accounts {
        let rows = match lines_of(&st, account, today - chrono::Duration::days(366), today).await {
            Ok(r) => r,
            Err(e) => return internal(e),
        };
        if let Some(r) = rows.iter().find(|r| line_id(r) == id) {
            let mut v = line_json(r, true);
            v["valid"] = json!(true);
            return ok(v);
        }
    }
    refuse(StatusCode::NOT_FOUND, "Transaction not found")
}

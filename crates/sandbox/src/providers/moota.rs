//! Moota API v2 mutations: bearer token (401 `Unauthenticated.`), the list
//! with every documented filter and Laravel pagination (`per_page` comes
//! back as a string, as in the sample), dummy mutations, notes, webhook
//! push, destroy and tagging. Refusals are Laravel-shaped (422 with `errors`).

use std::collections::{HashMap, HashSet};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use money::Rupiah;
use serde_json::{json, Value};

use super::{agent_accounts, bearer, lines_of, parse_day, same_secret, wib_text};
use crate::demo;
use crate::routes::Shared;
use crate::state::{lock, AppState};
use crate::wire::json_reply;

/// The demo user's tags.
const TAGS: &[(&str, &str)] = &[
    ("setoran", "M1Z6zK0jJDY"),
    ("transfer", "Q8w2LkP0aRt"),
    ("cek", "Z3x9VbN7mQe"),
];

#[derive(Default)]
pub(super) struct MootaExtras {
    notes: HashMap<String, String>,
    tags: HashMap<String, Vec<String>>,
    dummies: Vec<Dummy>,
    destroyed: HashSet<String>,
}

#[derive(Clone)]
struct Dummy {
    id: String,
    bank_id: String,
    account_number: String,
    date: NaiveDate,
    amount: Rupiah,
    credit: bool,
    note: String,
    created: chrono::DateTime<Utc>,
}

fn message(status: StatusCode, text: &str) -> Response {
    json_reply(status, &json!({"message": text}))
}

fn invalid(field: &str, why: &str) -> Response {
    json_reply(
        StatusCode::UNPROCESSABLE_ENTITY,
        &json!({"message": "The given data was invalid.", "errors": {field: [why]}}),
    )
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::warn!("moota imitation: {e}");
    message(StatusCode::INTERNAL_SERVER_ERROR, "Server Error")
}

fn authorized(headers: &HeaderMap) -> Result<(), Response> {
    match bearer(headers) {
        Some(t) if same_secret(t, demo::MOOTA_TOKEN) => Ok(()),
        _ => Err(message(StatusCode::UNAUTHORIZED, "Unauthenticated.")),
    }
}

/// Moota's `bank_id` of an agent account (11 characters, like the sample's).
fn bank_id(number: &str) -> String {
    format!("bk{number:0>9}")
}

fn mutation_id(posting: i64) -> String {
    format!("mt{posting:09}")
}

/// One mutation as the list shows it (before filtering).
struct Item {
    json: Value,
    id: String,
    bank_id: String,
    credit: bool,
    amount: Rupiah,
    note: String,
    tags: Vec<String>,
    at: chrono::DateTime<Utc>,
}

fn taggings(names: &[String]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|n| {
                let id = TAGS.iter().find(|(t, _)| t == n).map_or("", |(_, id)| id);
                json!({"name": n, "tag_id": id})
            })
            .collect(),
    )
}

async fn items(st: &AppState, from: NaiveDate, to: NaiveDate) -> Result<Vec<Item>, Response> {
    let accounts = agent_accounts(st).await.map_err(internal)?;
    let mut out = Vec::new();
    let extras_snapshot = {
        let x = lock(&st.providers.moota);
        (
            x.notes.clone(),
            x.tags.clone(),
            x.dummies.clone(),
            x.destroyed.clone(),
        )
    };
    let (notes, tags, dummies, destroyed) = extras_snapshot;
    for a in accounts {
        let bank = bank_id(&a.number);
        let bank_json = json!({
            "corporate_id": null,
            "username": "moota.co",
            "atas_nama": a.name,
            "balance": a.balance.to_plain_string_2(),
            "account_number": a.number,
            "bank_type": a.bank.to_ascii_lowercase(),
            "login_retry": 0,
            "is_active": true,
            "interval_refresh": 15,
            "token": bank,
            "bank_id": bank,
            "label": a.bank,
        });
        let number = a.number.clone();
        for r in lines_of(st, a, from, to).await.map_err(internal)? {
            let id = mutation_id(r.id);
            if destroyed.contains(&id) {
                continue;
            }
            let note = notes.get(&id).cloned().unwrap_or_default();
            let t = tags.get(&id).cloned().unwrap_or_default();
            let created = crate::wire::iso(r.at);
            out.push(Item {
                json: json!({
                    "account_number": number,
                    "date": wib_text(r.at, "%Y-%m-%d %H:%M:%S"),
                    "description": r.description,
                    "amount": r.amount.to_plain_string_2(),
                    "type": if r.credit { "CR" } else { "DB" },
                    "note": note,
                    "balance": r.balance_after.to_plain_string_2(),
                    "created_at": created,
                    "updated_at": created,
                    "mutation_id": id,
                    "token": id,
                    "bank_id": bank,
                    "taggings": taggings(&t),
                    "bank": bank_json,
                }),
                id,
                bank_id: bank.clone(),
                credit: r.credit,
                amount: r.amount,
                note,
                tags: t,
                at: r.at,
            });
        }
    }
    for d in dummies {
        if d.date < from || d.date > to || destroyed.contains(&d.id) {
            continue;
        }
        let note = notes.get(&d.id).cloned().unwrap_or(d.note.clone());
        let t = tags.get(&d.id).cloned().unwrap_or_default();
        // A dummy stored for today is booked now (a reversal credit after
        // its debit); one for another day at the start of that day.
        let created_wib = d.created.with_timezone(&crate::wire::wib());
        let (date_text, at) = if created_wib.date_naive() == d.date {
            (
                created_wib.format("%Y-%m-%d %H:%M:%S").to_string(),
                d.created,
            )
        } else {
            (
                format!("{} 00:00:00", d.date),
                super::utc_bounds(d.date, d.date).0,
            )
        };
        out.push(Item {
            json: json!({
                "account_number": d.account_number,
                "date": date_text,
                "description": "DUMMY MUTATION",
                "amount": d.amount.to_plain_string_2(),
                "type": if d.credit { "CR" } else { "DB" },
                "note": note,
                "balance": "0.00",
                "created_at": crate::wire::iso(d.created),
                "updated_at": crate::wire::iso(d.created),
                "mutation_id": d.id,
                "token": d.id,
                "bank_id": d.bank_id,
                "taggings": taggings(&t),
            }),
            id: d.id.clone(),
            bank_id: d.bank_id.clone(),
            credit: d.credit,
            amount: d.amount,
            note,
            tags: t,
            at,
        });
    }
    // Newest first, as a mutation list reads.
    out.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
    Ok(out)
}

trait TwoDecimals {
    fn to_plain_string_2(&self) -> String;
}

impl TwoDecimals for Rupiah {
    /// `"100123.00"`, as Moota writes amounts.
    fn to_plain_string_2(&self) -> String {
        let abs = self.sen().unsigned_abs();
        let sign = if self.sen() < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

pub(super) async fn list(
    State(st): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = authorized(&headers) {
        return r;
    }
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let today = Utc::now().with_timezone(&crate::wire::wib()).date_naive();
    let day = |k: &str| -> Result<Option<NaiveDate>, Response> {
        match get(k) {
            None => Ok(None),
            Some(v) => parse_day(v)
                .map(Some)
                .ok_or_else(|| invalid(k, &format!("The {k} does not match the format Y-m-d."))),
        }
    };
    let (from, to) = match (day("start_date"), day("end_date")) {
        (Ok(f), Ok(t)) => (
            f.unwrap_or(today - chrono::Duration::days(30)),
            t.unwrap_or(today),
        ),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let kind = match get("type") {
        None => None,
        Some("CR") => Some(true),
        Some("DB") => Some(false),
        Some(_) => return invalid("type", "The selected type is invalid."),
    };
    let amount = match get("amount") {
        None => None,
        Some(v) => match Rupiah::parse_wire(v) {
            Ok(a) => Some(a),
            Err(_) => return invalid("amount", "The amount must be a number."),
        },
    };
    let num = |k: &str, default: u64| -> Result<u64, Response> {
        match get(k) {
            None => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| invalid(k, &format!("The {k} must be at least 1."))),
        }
    };
    let (page, per_page) = match (num("page", 1), num("per_page", 20)) {
        (Ok(p), Ok(n)) => (p, n.min(500)),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let wanted_tags: Vec<String> = get("tag")
        .map(|t| {
            t.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let all = match items(&st, from, to).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let filtered: Vec<&Item> = all
        .iter()
        .filter(|i| kind.is_none_or(|c| i.credit == c))
        .filter(|i| get("bank").is_none_or(|b| i.bank_id == b))
        .filter(|i| amount.is_none_or(|a| i.amount == a))
        .filter(|i| get("note").is_none_or(|n| i.note.to_lowercase().contains(&n.to_lowercase())))
        .filter(|i| wanted_tags.is_empty() || i.tags.iter().any(|t| wanted_tags.contains(t)))
        .collect();
    let total = filtered.len() as u64;
    let last_page = total.div_ceil(per_page).max(1);
    let start = ((page - 1) * per_page) as usize;
    let data: Vec<Value> = filtered
        .iter()
        .skip(start)
        .take(per_page as usize)
        .map(|i| i.json.clone())
        .collect();
    let base = "/api/v2/mutation";
    let url = |p: u64| format!("{base}?page={p}");
    json_reply(
        StatusCode::OK,
        &json!({
            "current_page": page,
            "data": data,
            "first_page_url": url(1),
            "from": if data.is_empty() { Value::Null } else { json!(start + 1) },
            "last_page": last_page,
            "last_page_url": url(last_page),
            "next_page_url": if page < last_page { json!(url(page + 1)) } else { Value::Null },
            "path": base,
            "per_page": per_page.to_string(),
            "prev_page_url": if page > 1 { json!(url(page - 1)) } else { Value::Null },
            "to": if data.is_empty() { Value::Null } else { json!(start + data.len()) },
            "total": total,
        }),
    )
}

fn body_json(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

pub(super) async fn store(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(bank): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = authorized(&headers) {
        return r;
    }
    let b = body_json(&body);
    let date = b.get("date").and_then(Value::as_str).and_then(parse_day);
    let kind = b.get("type").and_then(Value::as_str);
    let mut errors = serde_json::Map::new();
    if date.is_none() {
        errors.insert(
            "date".into(),
            json!(["The date does not match the format Y-m-d."]),
        );
    }
    if !matches!(kind, Some("CR" | "DB")) {
        errors.insert("type".into(), json!(["The selected type is invalid."]));
    }
    let amount = b
        .get("amount")
        .cloned()
        .and_then(|v| serde_json::from_value::<Rupiah>(v).ok())
        .filter(|a| a.is_positive());
    if amount.is_none() {
        errors.insert("amount".into(), json!(["The amount must be a number."]));
    }
    let (Some(date), Some(amount), true) = (date, amount, errors.is_empty()) else {
        return json_reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({"message": "The given data was invalid.", "errors": errors}),
        );
    };
    let accounts = match agent_accounts(&st).await {
        Ok(a) => a,
        Err(e) => return internal(e),
    };
    let Some(account) = accounts.iter().find(|a| bank_id(&a.number) == bank) else {
        return message(StatusCode::NOT_FOUND, "Data not found");
    };
    let mut x = lock(&st.providers.moota);
    let id = format!("dm{:09}", x.dummies.len() + 1);
    x.dummies.push(Dummy {
        id,
        bank_id: bank.clone(),
        account_number: account.number.clone(),
        date,
        amount,
        credit: kind == Some("CR"),
        note: b
            .get("note")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        created: Utc::now(),
    });
    json_reply(
        StatusCode::OK,
        &json!({"error": false, "mutation": {"total": 1, "new": 1}}),
    )
}

/// Whether a mutation id exists (a ledger line of an agent account, or a dummy).
async fn exists(st: &AppState, id: &str) -> Result<bool, Response> {
    if lock(&st.providers.moota).destroyed.contains(id) {
        return Ok(false);
    }
    let today = Utc::now().with_timezone(&crate::wire::wib()).date_naive();
    let all = items(
        st,
        today - chrono::Duration::days(366),
        today + chrono::Duration::days(1),
    )
    .await?;
    Ok(all.iter().any(|i| i.id == id))
}

pub(super) async fn note(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = authorized(&headers) {
        return r;
    }
    match exists(&st, &id).await {
        Ok(true) => {}
        Ok(false) => return message(StatusCode::NOT_FOUND, "Data not found"),
        Err(r) => return r,
    }
    let text = body_json(&body)
        .get("note")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    lock(&st.providers.moota).notes.insert(id, text);
    message(StatusCode::OK, "OK")
}

pub(super) async fn push_webhook(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authorized(&headers) {
        return r;
    }
    match exists(&st, &id).await {
        // No webhook URL is configured in the sandbox: accepted, nothing sent.
        Ok(true) => message(StatusCode::OK, "OK"),
        Ok(false) => message(StatusCode::NOT_FOUND, "Data not found"),
        Err(r) => r,
    }
}

pub(super) async fn destroy(State(st): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = authorized(&headers) {
        return r;
    }
    let Some(ids) = body_json(&body)
        .get("mutations")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
    else {
        return invalid("mutations", "The mutations must be an array.");
    };
    lock(&st.providers.moota).destroyed.extend(ids);
    message(StatusCode::OK, "OK")
}

enum TagOp {
    Attach,
    Update,
    Detach,
}

async fn tagging(
    st: &AppState,
    headers: &HeaderMap,
    id: String,
    body: &[u8],
    op: TagOp,
) -> Response {
    if let Err(r) = authorized(headers) {
        return r;
    }
    let Some(names) = body_json(body)
        .get("name")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
    else {
        return invalid("name", "The name must be an array.");
    };
    if names.is_empty() || !names.iter().all(|n| TAGS.iter().any(|(t, _)| t == n)) {
        return message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "User tidak memiliki tag ini",
        );
    }
    match exists(st, &id).await {
        Ok(true) => {}
        Ok(false) => return message(StatusCode::NOT_FOUND, "Data not found"),
        Err(r) => return r,
    }
    let mut x = lock(&st.providers.moota);
    let tags = x.tags.entry(id).or_default();
    let text = match op {
        TagOp::Attach => {
            for n in names {
                if !tags.contains(&n) {
                    tags.push(n);
                }
            }
            "Tag berhasil ditambahkan ke mutasi"
        }
        TagOp::Update => {
            *tags = names;
            "Tag berhasil diupdate ke mutasi"
        }
        TagOp::Detach => {
            tags.retain(|t| !names.contains(t));
            "Tag berhasil dihapus dari mutasi"
        }
    };
    message(StatusCode::OK, text)
}

pub(super) async fn attach(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    tagging(&st, &headers, id, &body, TagOp::Attach).await
}

pub(super) async fn update(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    tagging(&st, &headers, id, &body, TagOp::Update).await
}

pub(super) async fn detach(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    tagging(&st, &headers, id, &body, TagOp::Detach).await
}

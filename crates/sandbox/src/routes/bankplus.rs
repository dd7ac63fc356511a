//! Bank+ endpoints that move no money: login and logout, the five
//! dashboards, wilayah, master lists, bank list and change password.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use serde_json::{json, Value};

use super::{bp_internal, session_user, Shared};
use crate::banks;
use crate::calendar::Month;
use crate::ledger::WilayahQuery;
use crate::seed;
use crate::wire::{self, Fields};

type Reply = Result<Response, Response>;

fn fields(body: &Bytes, query: Option<&str>) -> Result<Fields, Response> {
    Fields::parse(body, query).map_err(|e| wire::bp_format_error(&e))
}

pub(super) async fn auth(State(st): State<Shared>, body: Bytes) -> Reply {
    let f = fields(&body, None)?;
    let (Some(username), Some(password)) = (f.text("username"), f.text("password")) else {
        return Ok(wire::login_failed());
    };
    let user = st
        .db(move |l| l.login(&username, &password))
        .await
        .map_err(bp_internal)?
        .ok_or_else(wire::login_failed)?;
    let session_id = st.sessions.create(user.id).map_err(bp_internal)?;
    Ok(wire::json_reply(
        StatusCode::OK,
        &json!({
            "code": "00",
            "message": "Login berhasil",
            "data": user.profile,
            "session_id": session_id,
        }),
    ))
}

pub(super) async fn logout(State(st): State<Shared>, headers: HeaderMap) -> Reply {
    session_user(&st, &headers).await?;
    if let Some(id) = wire::header_text(&headers, "sessionid") {
        st.sessions.forget(id);
    }
    Ok(wire::bp_ok("Ok.", json!({}), None))
}

/// The requested month (`{"month":"YYYY-MM"}` or `?month=`), default the
/// current WIB month.
fn month(f: &Fields) -> Result<Month, Response> {
    match f.text("month") {
        None => Ok(Month::of(Utc::now())),
        Some(text) => Month::parse(&text).ok_or_else(|| {
            wire::bp_format_error(&wire::FormatError(format!(
                "month must be YYYY-MM, got {text:?}"
            )))
        }),
    }
}

fn found(data: Value) -> Response {
    wire::bp_ok("Data ditemukan!", data, None)
}

fn graph(rows: &[(String, i64)]) -> Value {
    rows.iter()
        .map(|(title, count)| json!({"graph_title": title, "graph_count": count}))
        .collect()
}

pub(super) async fn dashboard_bsa(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Reply {
    session_user(&st, &headers).await?;
    let month = month(&fields(&body, query.as_deref())?)?;
    let (from, to) = (wire::iso(month.start()), wire::iso(month.end()));
    let counts = st
        .db(move |l| l.bsa_counts(&from, &to))
        .await
        .map_err(bp_internal)?;
    if counts == Default::default() {
        return Ok(wire::dashboard_not_found());
    }
    Ok(found(json!([
        {"graph_id": 1, "graph_title": "Buka Rekening", "graph_count": counts.open_account},
        {"graph_id": 2, "graph_title": "Setor Tunai", "graph_count": counts.deposit},
        {"graph_id": 3, "graph_title": "Customer Balance", "graph_count": counts.customer_balance},
    ])))
}

async fn board(
    st: Shared,
    headers: HeaderMap,
    query: Option<String>,
    body: Bytes,
    name: &'static str,
) -> Reply {
    session_user(&st, &headers).await?;
    let month = month(&fields(&body, query.as_deref())?)?.label();
    let rows = st
        .db(move |l| l.board(name, &month))
        .await
        .map_err(bp_internal)?;
    if rows.is_empty() {
        return Ok(wire::dashboard_not_found());
    }
    Ok(found(graph(&rows)))
}

pub(super) async fn dashboard_bill(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Reply {
    board(st, headers, query, body, "bill").await
}

pub(super) async fn dashboard_purchase(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Reply {
    board(st, headers, query, body, "purchase").await
}

/// New agents per month over the twelve months up to the requested one.
pub(super) async fn agent_growth(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Reply {
    session_user(&st, &headers).await?;
    let month = month(&fields(&body, query.as_deref())?)?;
    let months: Vec<String> = (0..12)
        .rev()
        .map(|back| month.offset(-back).label())
        .collect();
    let rows = st
        .db(move |l| l.agent_growth(&months))
        .await
        .map_err(bp_internal)?;
    if rows.iter().all(|(_, n)| *n == 0) {
        return Ok(wire::dashboard_not_found());
    }
    Ok(found(graph(&rows)))
}

/// Agents per province as of the end of the requested month.
pub(super) async fn agent_spread(
    State(st): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Reply {
    session_user(&st, &headers).await?;
    let month = month(&fields(&body, query.as_deref())?)?.label();
    let rows = st
        .db(move |l| l.agent_spread(&month))
        .await
        .map_err(bp_internal)?;
    if rows.is_empty() {
        return Ok(wire::dashboard_not_found());
    }
    Ok(found(graph(&rows)))
}

pub(super) async fn wilayah(State(st): State<Shared>, headers: HeaderMap, body: Bytes) -> Reply {
    session_user(&st, &headers).await?;
    let f = fields(&body, None)?;
    let q = WilayahQuery {
        propinsi: f.text("propinsi"),
        jenis: f.text("jenis"),
        kabupaten: f.text("kabupaten"),
        kecamatan: f.text("kecamatan"),
        kelurahan: f.text("kelurahan"),
    };
    let not_found = || {
        wire::plain_error(
            "NOT_FOUND",
            "Mohon maaf data wilayah tidak ditemukan",
            StatusCode::NOT_FOUND,
        )
    };
    // An empty filter would list the whole country; the platform refuses.
    if q.kelurahan.is_none() && q.kecamatan.is_none() && q.kabupaten.is_none() {
        return Ok(not_found());
    }
    let codes = st.db(move |l| l.wilayah(&q)).await.map_err(bp_internal)?;
    if codes.is_empty() {
        return Ok(not_found());
    }
    let data: Value = codes.iter().map(|k| json!({"kodepos": k})).collect();
    Ok(wire::bp_ok("Data wilayah di temukan", data, None))
}

async fn master(st: Shared, headers: HeaderMap, list: &[(i64, &str)]) -> Reply {
    session_user(&st, &headers).await?;
    let data: Value = list
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect();
    Ok(wire::bp_ok("Menampilkan data", data, None))
}

pub(super) async fn jobs(State(st): State<Shared>, headers: HeaderMap) -> Reply {
    master(st, headers, seed::JOBS).await
}

pub(super) async fn educations(State(st): State<Shared>, headers: HeaderMap) -> Reply {
    master(st, headers, seed::EDUCATIONS).await
}

pub(super) async fn salaries(State(st): State<Shared>, headers: HeaderMap) -> Reply {
    master(st, headers, seed::SALARIES).await
}

pub(super) async fn transaction_ranges(State(st): State<Shared>, headers: HeaderMap) -> Reply {
    master(st, headers, seed::TRANSACTION_RANGES).await
}

pub(super) async fn bank_list(State(st): State<Shared>, headers: HeaderMap) -> Reply {
    session_user(&st, &headers).await?;
    let data: Value = banks::LIST
        .iter()
        .map(|b| json!({"bank_code": b.code, "bank_name": b.list_name}))
        .collect();
    Ok(wire::json_reply(
        StatusCode::OK,
        &json!({
            "code": "00",
            "message": "Berhasil menampilkan list bank",
            "data": data,
            "count": banks::LIST.len(),
        }),
    ))
}

pub(super) async fn change_password(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let user = session_user(&st, &headers).await?;
    let f = fields(&body, None)?;
    let update_none = || {
        wire::plain_error(
            "UPDATE_NONE",
            "Password tidak sesuai, coba ulangi kembali",
            StatusCode::BAD_REQUEST,
        )
    };
    let old = f.text("old").ok_or_else(update_none)?;
    let new = f.required("new").map_err(|e| wire::bp_format_error(&e))?;
    let changed = st
        .db(move |l| l.change_password(user.id, &old, &new, Utc::now()))
        .await
        .map_err(bp_internal)?;
    if !changed {
        return Ok(update_none());
    }
    Ok(wire::bp_ok(
        "Perubahan password berhasil dilakukan",
        json!({}),
        None,
    ))
}

//! BRI API Info Mutasi v2.0: an OAuth2 client-credentials token, then
//! `POST /v2.0/statement` checked in the order a gateway would: token
//! (0601), signature (0602), `BRI-External-Id` (0603), body (0999), account
//! length (0103) and existence (0104), dates (0101), range over 30 days
//! (0105), nothing found (0102). Errors are HTTP 400, as documented.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ring::hmac;
use serde_json::{json, Value};

use super::{
    agent_accounts, days, lines_of, parse_day, same_account, same_secret, wib_text, ProviderState,
};
use crate::demo;
use crate::routes::Shared;
use crate::wire::{header_text, json_reply};

const PATH: &str = "/v2.0/statement";

fn reply(code: &str, desc: &str) -> Response {
    let status = if code == "0000" {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    json_reply(status, &json!({"responseCode": code, "responseDesc": desc}))
}

pub(super) async fn token(State(st): State<Shared>, body: Bytes) -> Response {
    let form = String::from_utf8_lossy(&body).into_owned();
    let field = |k: &str| {
        form.split('&').find_map(|kv| {
            let (key, v) = kv.split_once('=')?;
            (key == k).then(|| crate::wire::percent_decode(v))
        })
    };
    let ok = field("client_id").is_some_and(|v| same_secret(&v, demo::BRI_CLIENT_ID))
        && field("client_secret").is_some_and(|v| same_secret(&v, demo::BRI_CLIENT_SECRET));
    if !ok {
        return json_reply(
            StatusCode::UNAUTHORIZED,
            &json!({"status": {"code": "401", "desc": "Invalid client identifier"}}),
        );
    }
    let Some(token) = ProviderState::issue(&st.providers.bri_tokens) else {
        return reply("0999", "General Error");
    };
    json_reply(
        StatusCode::OK,
        &json!({
            "refresh_token_expires_in": "0",
            "api_product_list": "[informasi-rekening]",
            "organization_name": "bri",
            "token_type": "BearerToken",
            "issued_at": chrono::Utc::now().timestamp_millis().to_string(),
            "client_id": demo::BRI_CLIENT_ID,
            "access_token": token,
            "application_name": "loket-sandbox",
            "scope": "",
            "expires_in": super::TOKEN_LIFE.as_secs().to_string(),
            "refresh_count": "0",
            "status": "approved",
        }),
    )
}

pub(super) async fn statement(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(token) = super::bearer(&headers).map(str::to_owned) else {
        return reply("0601", "Invalid Token");
    };
    if !ProviderState::valid(&st.providers.bri_tokens, &token) {
        return reply("0601", "Invalid Token");
    }
    let timestamp = header_text(&headers, "bri-timestamp").unwrap_or("");
    let signature = header_text(&headers, "bri-signature").unwrap_or("");
    let payload = format!(
        "path={PATH}&verb=POST&token=Bearer {token}&timestamp={timestamp}&body={}",
        String::from_utf8_lossy(&body)
    );
    let key = hmac::Key::new(hmac::HMAC_SHA256, demo::BRI_CLIENT_SECRET.as_bytes());
    let signed = !timestamp.is_empty()
        && B64
            .decode(signature)
            .is_ok_and(|tag| hmac::verify(&key, payload.as_bytes(), &tag).is_ok());
    if !signed {
        return reply("0602", "Invalid Signature");
    }
    let external = header_text(&headers, "bri-external-id").unwrap_or("");
    if external.len() != 9
        || !external.bytes().all(|b| b.is_ascii_alphanumeric())
        || !ProviderState::first_use(&st.providers.bri_external_ids, external)
    {
        return reply("0603", "Invalid BRI-External-Id");
    }
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return reply("0999", "General Error");
    };
    let text = |k: &str| req.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let account = text("accountNumber");
    if account.len() != 15 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return reply("0103", "Account length must be 15 character");
    }
    let accounts = match agent_accounts(&st).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!("bri imitation: {e}");
            return reply("0999", "General Error");
        }
    };
    let Some(acct) = accounts
        .into_iter()
        .find(|a| same_account(&a.number, &account))
    else {
        return reply("0104", "Invalid Account");
    };
    let (Some(from), Some(to)) = (parse_day(&text("startDate")), parse_day(&text("endDate")))
    else {
        return reply("0101", "invalid Time Range");
    };
    if to < from {
        return reply("0101", "invalid Time Range");
    }
    if days(from, to) > 30 {
        return reply("0105", "Maximum range in 30 days");
    }
    let rows = match lines_of(&st, acct, from, to).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!("bri imitation: {e}");
            return reply("0999", "General Error");
        }
    };
    if rows.is_empty() {
        return reply("0102", "No data found");
    }
    let data: Vec<Value> = rows
        .iter()
        .map(|r| {
            let amount = format!("{}.{:02}", r.amount.sen() / 100, r.amount.sen() % 100);
            let signed = if r.credit {
                r.amount.sen()
            } else {
                -r.amount.sen()
            };
            let start = r.balance_after.sen() - signed;
            let two = |sen: i64| format!("{}.{:02}", sen / 100, (sen % 100).abs());
            json!({
                "transactionTime": wib_text(r.at, "%Y-%m-%d %H:%M:%S"),
                "debitAmount": if r.credit { "0.00".to_owned() } else { amount.clone() },
                "creditAmount": if r.credit { amount.clone() } else { "0.00".to_owned() },
                "typeAmount": if r.credit { "Credit" } else { "Debit" },
                "remark": format!("{} ", r.description),
                "startBalance": two(start),
                "endBalance": two(r.balance_after.sen()),
                "referenceId": null,
                // The document's quirk: trailing spaces.
                "transactionId": format!("{} ", r.id),
            })
        })
        .collect();
    json_reply(
        StatusCode::OK,
        &json!({"responseCode": "0000", "responseDesc": "Transaction Success", "data": data}),
    )
}

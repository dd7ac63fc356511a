//! Bank Raya SNAP: the B2B access token (SHA256withRSA over
//! `clientId|X-TIMESTAMP`, verified with the partner's public key) and
//! `POST /snap/v1.0/bank-statement` (HMAC-SHA512 over
//! `POST:/snap/v1.0/bank-statement:token:sha256hex(minified body):X-TIMESTAMP`),
//! with the document's response codes; the HTTP status is the code's first
//! three digits. A range with no transactions answers with the last day of
//! the month that has some, as the document describes.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chrono::{Datelike, NaiveDate};
use money::Rupiah;
use ring::{digest, hmac, signature};
use serde_json::{json, Value};

use super::{
    agent_accounts, days, lines_of, parse_day, same_account, same_secret, wib_text, ProviderState,
};
use crate::demo;
use crate::routes::Shared;
use crate::wire::{header_text, json_reply};

const PATH: &str = "/snap/v1.0/bank-statement";

fn reply(code: &str, message: &str) -> Response {
    let status = code
        .get(..3)
        .and_then(|s| s.parse::<u16>().ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_reply(
        status,
        &json!({"responseCode": code, "responseMessage": message}),
    )
}

/// The partner's public key, PKCS#1 DER, from the demo PEM.
fn public_key_der() -> Option<Vec<u8>> {
    let pem = demo::BANKRAYA_PUBLIC_KEY_PEM;
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    B64.decode(body).ok()
}

pub(super) async fn token(State(st): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let client = header_text(&headers, "x-client-key").unwrap_or("");
    if !same_secret(client, demo::BANKRAYA_CLIENT_ID) {
        return reply("4017300", "Unauthorized. [Unknown client]");
    }
    let Some(timestamp) = header_text(&headers, "x-timestamp") else {
        return reply("4007302", "Invalid Mandatory Field [X-TIMESTAMP]");
    };
    let sig = header_text(&headers, "x-signature").unwrap_or("");
    let verified = match (public_key_der(), B64.decode(sig)) {
        (Some(key), Ok(sig)) => {
            signature::UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, key)
                .verify(format!("{client}|{timestamp}").as_bytes(), &sig)
                .is_ok()
        }
        _ => false,
    };
    if !verified {
        return reply("4017300", "Unauthorized. [Signature]");
    }
    let grant = serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
        v.get("grantType")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    if grant.as_deref() != Some("client_credentials") {
        return reply("4007301", "Invalid Field Format [grantType]");
    }
    let Some(token) = ProviderState::issue(&st.providers.raya_tokens) else {
        return reply("5007300", "Internal Server Error");
    };
    json_reply(
        StatusCode::OK,
        &json!({
            "responseCode": "2007300",
            "responseMessage": "Successful",
            "accessToken": token,
            "tokenType": "Bearer",
            "expiresIn": super::TOKEN_LIFE.as_secs().to_string(),
        }),
    )
}

fn amount(value: Rupiah) -> Value {
    json!({"value": format!("{}.{:02}", value.sen() / 100, (value.sen() % 100).abs()), "currency": "IDR"})
}

pub(super) async fn statement(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = super::bearer(&headers).unwrap_or("").to_owned();
    let partner = header_text(&headers, "x-partner-id").unwrap_or("");
    if !ProviderState::valid(&st.providers.raya_tokens, &token)
        || !same_secret(partner, demo::BANKRAYA_CLIENT_ID)
    {
        return reply("4011400", "Unauthorized Client");
    }
    let timestamp = header_text(&headers, "x-timestamp").unwrap_or("");
    let minified = match serde_json::from_slice::<Value>(&body) {
        Ok(v) => v.to_string(),
        Err(_) => String::from_utf8_lossy(&body).into_owned(),
    };
    let body_hash = hex_lower(digest::digest(&digest::SHA256, minified.as_bytes()).as_ref());
    let to_sign = format!("POST:{PATH}:{token}:{body_hash}:{timestamp}");
    let key = hmac::Key::new(hmac::HMAC_SHA512, demo::BANKRAYA_CLIENT_SECRET.as_bytes());
    let signed = !timestamp.is_empty()
        && B64
            .decode(header_text(&headers, "x-signature").unwrap_or(""))
            .is_ok_and(|tag| hmac::verify(&key, to_sign.as_bytes(), &tag).is_ok());
    if !signed {
        return reply("4011400", "Unauthorized Signature");
    }
    let external = header_text(&headers, "x-external-id").unwrap_or("");
    if external.is_empty() || external.len() > 36 || !external.bytes().all(|b| b.is_ascii_digit()) {
        return reply("4001401", "Invalid Format Field X-EXTERNAL-ID");
    }
    if !ProviderState::first_use(&st.providers.raya_external_ids, external) {
        return reply("4091400", "Conflict");
    }
    if header_text(&headers, "channel-id").is_none() {
        return reply("4001402", "Invalid Mandatory Field CHANNEL-ID");
    }
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return reply("5001401", "Internal Server Error");
    };
    let field = |k: &str| {
        req.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let Some(account) = field("accountNo") else {
        return reply("4001402", "Invalid Mandatory Field accountNo");
    };
    if account.len() != 15 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return reply("4001401", "Invalid Field Format accountNo");
    }
    let date = |k: &str| -> Result<NaiveDate, Response> {
        let v =
            field(k).ok_or_else(|| reply("4001402", &format!("Invalid Mandatory Field {k}")))?;
        parse_day(v).ok_or_else(|| reply("4001401", &format!("Invalid Field Format {k}")))
    };
    let (from, to) = match (date("fromDateTime"), date("toDateTime")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let accounts = match agent_accounts(&st).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!("bank raya imitation: {e}");
            return reply("5001401", "Internal Server Error");
        }
    };
    let Some(acct) = accounts
        .into_iter()
        .find(|a| same_account(&a.number, account))
    else {
        return reply(
            "4031415",
            "Transaction Not Permitted. Don`t Have Access At This Account",
        );
    };
    if to < from {
        return reply(
            "4031415",
            "Transaction Not Permitted. fromDateTime should be lower than toDateTime",
        );
    }
    if days(from, to) > 30 {
        return reply(
            "4031415",
            "Transaction Not Permitted. Maximum Statement Should Be 30 Days!",
        );
    }
    let mut rows = match lines_of(&st, acct.clone(), from, to).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!("bank raya imitation: {e}");
            return reply("5001401", "Internal Server Error");
        }
    };
    if rows.is_empty() {
        // The document: no transactions in the range answers with those of
        // the last date of the month entered that has any.
        let month_start = NaiveDate::from_ymd_opt(to.year(), to.month(), 1).unwrap_or(to);
        let next = if to.month() == 12 {
            NaiveDate::from_ymd_opt(to.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(to.year(), to.month() + 1, 1)
        };
        let month_end = next.map_or(to, |n| n - chrono::Duration::days(1));
        if let Ok(month) = lines_of(&st, acct, month_start, month_end).await {
            if let Some(last) = month.last() {
                let last_day = last.at.with_timezone(&crate::wire::wib()).date_naive();
                rows = month
                    .into_iter()
                    .filter(|r| r.at.with_timezone(&crate::wire::wib()).date_naive() == last_day)
                    .collect();
            }
        }
    }
    if rows.is_empty() {
        return reply("4041401", "Transaction Not Found");
    }
    let (mut credits, mut debits) = ((0u32, 0i64), (0u32, 0i64));
    let detail: Vec<Value> = rows
        .iter()
        .map(|r| {
            let signed = if r.credit { r.amount.sen() } else { -r.amount.sen() };
            if r.credit {
                credits = (credits.0 + 1, credits.1 + r.amount.sen());
            } else {
                debits = (debits.0 + 1, debits.1 + r.amount.sen());
            }
            json!({
                "detailBalance": {
                    "startAmount": [{"amount": amount(Rupiah::from_sen(r.balance_after.sen() - signed))}],
                    "endAmount": [{"amount": amount(r.balance_after)}],
                },
                "amount": amount(r.amount),
                "transactionDate": wib_text(r.at, "%Y-%m-%d %H:%M:%S"),
                "remark": r.description,
                "transactionId": format!("{:021}", r.id),
                "type": if r.credit { "Credit" } else { "Debit" },
            })
        })
        .collect();
    let whole = |sen: i64| Rupiah::from_sen(sen).to_plain_string();
    json_reply(
        StatusCode::OK,
        &json!({
            "responseCode": "2001400",
            "responseDescription": "Successful",
            "totalCreditEntries": {
                "numberOfEntries": credits.0.to_string(),
                "amount": {"value": whole(credits.1), "currency": "IDR"},
            },
            "totalDebitEntries": {
                "numberOfEntries": debits.0.to_string(),
                "amount": {"value": whole(debits.1), "currency": "IDR"},
            },
            "detailData": detail,
        }),
    )
}

fn hex_lower(bytes: &[u8]) -> String {
    crate::wire::hex(bytes)
}

//! Bank Raya SNAP bank-statement: a SNAP B2B access token
//! (`POST /snap/v1.0/access-token/b2b`, `X-CLIENT-KEY`, `X-TIMESTAMP` and an
//! SHA256withRSA `X-SIGNATURE` over `clientId|timestamp`), then
//! `POST /snap/v1.0/bank-statement` with the symmetric HMAC-SHA512
//! `X-SIGNATURE`, `X-TIMESTAMP`, `X-PARTNER-ID`, `X-EXTERNAL-ID` and
//! `CHANNEL-ID`. Ranges over 30 days ("Maximum Statement Should Be 30
//! Days!") are split. `4041401 Transaction Not Found` is an empty window.

use std::time::{Duration, Instant};

use chrono::Utc;
use money::Rupiah;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::http::{self, Reply};
use crate::sign::{self, RsaSigner};
use crate::{
    time, BankRayaSettings, BoxFuture, DateRange, Direction, MutasiError, Progress, ProgressFn,
    ProviderKind, RefusalKind, Secret, StatementLine, StatementSource,
};

const P: ProviderKind = ProviderKind::Bankraya;
pub const BANKRAYA_MAX_DAYS: i64 = 30;
const STATEMENT_PATH: &str = "/snap/v1.0/bank-statement";
const TOKEN_PATH: &str = "/snap/v1.0/access-token/b2b";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenReply {
    response_code: String,
    #[serde(default)]
    response_message: Option<String>,
    #[serde(default)]
    /// The secret type: `Debug` (this struct derives it) prints `***`.
    access_token: Option<Secret>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatementRequest<'a> {
    account_no: &'a str,
    from_date_time: String,
    to_date_time: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RayaAmount {
    pub value: String,
    #[serde(default)]
    pub currency: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RayaAmountBox {
    pub amount: RayaAmount,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RayaBalance {
    #[serde(default)]
    pub start_amount: Vec<RayaAmountBox>,
    #[serde(default)]
    pub end_amount: Vec<RayaAmountBox>,
}

/// One `detailData` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RayaDetail {
    #[serde(default)]
    pub detail_balance: Option<RayaBalance>,
    pub amount: RayaAmount,
    pub transaction_date: String,
    #[serde(default)]
    pub remark: String,
    pub transaction_id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

impl RayaDetail {
    /// The one conversion to a normalized line.
    pub fn to_line(&self, account: &str) -> Result<StatementLine, MutasiError> {
        let bad = |what: &str, v: &str| MutasiError::Malformed {
            provider: P,
            reason: format!("{what} {v:?}"),
        };
        let (posted_at, date_only) = time::parse_local(&self.transaction_date)
            .ok_or_else(|| bad("transactionDate", &self.transaction_date))?;
        let amount = Rupiah::parse_wire(&self.amount.value)
            .map_err(|_| bad("amount.value", &self.amount.value))?;
        let kind = Direction::parse(&self.kind).ok_or_else(|| bad("type", &self.kind))?;
        let (direction, amount) = crate::direction_and_amount(Some(kind), amount);
        let balance = match self
            .detail_balance
            .as_ref()
            .and_then(|b| b.end_amount.first())
        {
            Some(b) => Some(
                Rupiah::parse_wire(&b.amount.value)
                    .map_err(|_| bad("endAmount", &b.amount.value))?,
            ),
            None => None,
        };
        Ok(StatementLine {
            provider: P,
            account: account.to_owned(),
            posted_at,
            date_only,
            direction,
            amount,
            balance,
            description: self.remark.trim().to_owned(),
            provider_id: self.transaction_id.trim().to_owned(),
            reference: None,
        })
    }
}

/// The statement reply.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RayaStatementReply {
    pub response_code: String,
    /// Success replies say `responseDescription`, errors `responseMessage`.
    #[serde(default, alias = "responseDescription")]
    pub response_message: Option<String>,
    #[serde(default)]
    pub detail_data: Vec<RayaDetail>,
    /// How many credit lines the statement has (003, lines 143–149).
    #[serde(default)]
    pub total_credit_entries: Option<RayaTotal>,
    /// How many debit lines the statement has (003, lines 150–156).
    #[serde(default)]
    pub total_debit_entries: Option<RayaTotal>,
}

/// `totalCreditEntries` / `totalDebitEntries`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RayaTotal {
    pub number_of_entries: String,
}

impl RayaStatementReply {
    /// Refuses a reply whose detail lines are fewer than its own totals
    /// announce: a truncated statement would make booked transactions look
    /// journal-only (and hide a debit the rule of evidence needs to see).
    fn check_complete(&self) -> Result<(), MutasiError> {
        let count = |t: &Option<RayaTotal>| -> Result<Option<usize>, MutasiError> {
            match t {
                None => Ok(None),
                Some(t) => t.number_of_entries.trim().parse().map(Some).map_err(|_| {
                    MutasiError::Malformed {
                        provider: P,
                        reason: format!("numberOfEntries {:?}", t.number_of_entries),
                    }
                }),
            }
        };
        let (credits, debits) = (
            count(&self.total_credit_entries)?,
            count(&self.total_debit_entries)?,
        );
        let got = |d: Direction| {
            self.detail_data
                .iter()
                .filter(|x| Direction::parse(&x.kind) == Some(d))
                .count()
        };
        for (want, d, name) in [
            (credits, Direction::Credit, "kredit / credit"),
            (debits, Direction::Debit, "debit / debit"),
        ] {
            if let Some(want) = want {
                let have = got(d);
                if have < want {
                    return Err(MutasiError::Malformed {
                        provider: P,
                        reason: format!(
                            "mutasi terpotong: {have} dari {want} baris {name} diterima / \
                             truncated statement: {have} of {want} {name} lines received"
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

/// What a `responseCode` means (HTTP status, service 14, case).
pub(crate) fn code_kind(code: &str, message: &str) -> RefusalKind {
    let m = message.to_ascii_lowercase();
    match code {
        "4011400" if m.contains("signature") => RefusalKind::Signature,
        "4011400" | "4017300" => RefusalKind::Credentials,
        "4001401" if m.contains("x-external-id") => RefusalKind::RequestId,
        "4091400" => RefusalKind::RequestId,
        "4001401" | "4001402" if m.contains("account") => RefusalKind::Account,
        "4001401" | "4001402" => RefusalKind::Range,
        "4031415" if m.contains("access") => RefusalKind::Account,
        "4031415" => RefusalKind::Range,
        c if c.starts_with("500") => RefusalKind::Provider,
        _ => RefusalKind::Other,
    }
}

struct Token {
    value: Secret,
    until: Instant,
}

pub struct BankRaya {
    http: reqwest::Client,
    base: String,
    client_id: String,
    client_secret: Secret,
    signer: RsaSigner,
    channel_id: String,
    token: Mutex<Option<Token>>,
}

impl std::fmt::Debug for BankRaya {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BankRaya {{ base: {:?}, client_id: {:?}, client_secret: ***, private_key: *** }}",
            self.base, self.client_id
        )
    }
}

impl BankRaya {
    pub fn new(s: &BankRayaSettings) -> Result<BankRaya, MutasiError> {
        if s.client_id.trim().is_empty()
            || s.client_secret.is_empty()
            || s.channel_id.trim().is_empty()
        {
            return Err(MutasiError::Settings(words::text!(
                "[bankraya] client_id, client_secret dan channel_id wajib",
                "[bankraya] client_id, client_secret and channel_id are required"
            )));
        }
        let signer = RsaSigner::from_pem(s.private_key_pem.expose()).map_err(|e| {
            let e = format!("“{e}”");
            MutasiError::Settings(words::text!(
                "[bankraya] private_key_pem tidak terbaca: {e}",
                "[bankraya] private_key_pem is unreadable: {e}"
            ))
        })?;
        Ok(BankRaya {
            http: http::client(P)?,
            base: http::base(P, &s.base_url)?,
            client_id: s.client_id.trim().to_owned(),
            client_secret: s.client_secret.clone(),
            signer,
            channel_id: s.channel_id.trim().to_owned(),
            token: Mutex::new(None),
        })
    }

    async fn token(&self, fresh: bool) -> Result<Secret, MutasiError> {
        let mut slot = self.token.lock().await;
        if !fresh {
            if let Some(t) = slot.as_ref().filter(|t| t.until > Instant::now()) {
                return Ok(t.value.clone());
            }
        }
        let timestamp = time::snap_timestamp(Utc::now());
        let signature =
            sign::snap_asymmetric(&self.signer, &self.client_id, &timestamp).map_err(|e| {
                let e = format!("“{e}”");
                MutasiError::Settings(words::text!(
                    "[bankraya] private_key_pem tidak terbaca: {e}",
                    "[bankraya] private_key_pem is unreadable: {e}"
                ))
            })?;
        let req = self
            .http
            .post(format!("{}{TOKEN_PATH}", self.base))
            .header("X-TIMESTAMP", timestamp)
            .header("X-CLIENT-KEY", &self.client_id)
            .header("X-SIGNATURE", signature)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(r#"{"grantType":"client_credentials"}"#);
        let reply = http::send(P, req).await?;
        let t: TokenReply = reply.json(P)?;
        if !t.response_code.starts_with("200") {
            let message = t.response_message.unwrap_or_default();
            return Err(MutasiError::refused(
                P,
                if message.to_ascii_lowercase().contains("signature") {
                    RefusalKind::Signature
                } else {
                    RefusalKind::Credentials
                },
                t.response_code,
                message,
            ));
        }
        let value =
            t.access_token
                .filter(|v| !v.is_empty())
                .ok_or_else(|| MutasiError::Malformed {
                    provider: P,
                    reason: "no accessToken".into(),
                })?;
        let secs = match t.expires_in {
            Some(serde_json::Value::String(s)) => s.trim().parse().unwrap_or(0),
            Some(serde_json::Value::Number(n)) => n.as_u64().unwrap_or(0),
            _ => 0,
        };
        *slot = Some(Token {
            value: value.clone(),
            until: Instant::now() + Duration::from_secs(secs.saturating_sub(30).max(1)),
        });
        Ok(value)
    }

    async fn post_statement(
        &self,
        token: &Secret,
        body: &str,
    ) -> Result<RayaStatementReply, MutasiError> {
        let timestamp = time::snap_timestamp(Utc::now());
        let signature = sign::snap_symmetric(
            self.client_secret.expose(),
            "POST",
            STATEMENT_PATH,
            token.expose(),
            body,
            &timestamp,
        );
        let req = self
            .http
            .post(format!("{}{STATEMENT_PATH}", self.base))
            .bearer_auth(token.expose())
            .header("X-SIGNATURE", signature)
            .header("X-TIMESTAMP", timestamp)
            .header("X-PARTNER-ID", &self.client_id)
            .header("X-EXTERNAL-ID", super::external_id(16))
            .header("CHANNEL-ID", &self.channel_id)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned());
        let reply: Reply = http::send(P, req).await?;
        reply.json(P)
    }

    /// One `POST /snap/v1.0/bank-statement` for at most 30 days.
    pub async fn statement(
        &self,
        account: &str,
        range: DateRange,
    ) -> Result<Vec<RayaDetail>, MutasiError> {
        let padded = super::pad15(account)?;
        // A single day sends fromDateTime equal to toDateTime. 003 line 248
        // lists "fromDateTime should be lower than toDateTime", but the
        // document's own request example (lines 119–128) uses the same date
        // for both: we follow the example, which the provider documents as
        // a working request.
        // serde_json writes minified JSON: exactly what the signature hashes.
        let body = serde_json::to_string(&StatementRequest {
            account_no: &padded,
            from_date_time: range.from.format("%Y-%m-%d").to_string(),
            to_date_time: range.to.format("%Y-%m-%d").to_string(),
        })
        .map_err(|e| {
            let e = format!("“{e}”");
            MutasiError::Input(words::text!(
                "permintaan tidak bisa disusun: {e}",
                "the request cannot be written: {e}"
            ))
        })?;
        let mut token = self.token(false).await?;
        let mut reply = self.post_statement(&token, &body).await?;
        if reply.response_code == "4011400"
            && reply
                .response_message
                .as_deref()
                .is_some_and(|m| m.contains("Client"))
        {
            // Token no longer known: one new token, one retry (a read moves no money).
            token = self.token(true).await?;
            reply = self.post_statement(&token, &body).await?;
        }
        match reply.response_code.as_str() {
            c if c.starts_with("200") => {
                reply.check_complete()?;
                Ok(reply.detail_data)
            }
            "4041401" => Ok(Vec::new()),
            code => {
                let message = reply.response_message.unwrap_or_default();
                Err(MutasiError::refused(
                    P,
                    code_kind(code, &message),
                    code,
                    message,
                ))
            }
        }
    }
}

impl StatementSource for BankRaya {
    fn kind(&self) -> ProviderKind {
        P
    }

    fn fetch<'a>(
        &'a self,
        account: &'a str,
        range: DateRange,
        progress: ProgressFn<'a>,
    ) -> BoxFuture<'a, Result<Vec<StatementLine>, MutasiError>> {
        Box::pin(async move {
            let windows = range.split(BANKRAYA_MAX_DAYS);
            let mut lines = Vec::new();
            for (i, w) in windows.iter().enumerate() {
                // "A date with no transactions answers with the last date of
                // the month": keep only what falls inside the window asked for.
                let (lo, hi) = w.utc_bounds();
                for raw in self.statement(account, *w).await? {
                    let line = raw.to_line(account)?;
                    if line.posted_at >= lo && line.posted_at < hi {
                        lines.push(line);
                    }
                }
                progress(Progress {
                    done: i + 1,
                    total: windows.len(),
                    lines: lines.len(),
                });
            }
            lines.sort_by_key(|l| l.posted_at);
            Ok(lines)
        })
    }
}

#[cfg(test)]
mod token_tests {
    use super::TokenReply;

    #[test]
    fn a_token_reply_never_prints_its_token() {
        let t: TokenReply = serde_json::from_str(
            r#"{"responseCode":"2007300","accessToken":"SeCrEtToKeN123","expiresIn":"900"}"#,
        )
        .expect("a token reply");
        let shown = format!("{t:?}");
        assert!(!shown.contains("SeCrEtToKeN123"), "{shown}");
    }
}

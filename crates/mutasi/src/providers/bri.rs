//! BRI API Info Mutasi v2.0: an OAuth2 client-credentials token
//! (`POST /oauth/client_credential/accesstoken?grant_type=client_credentials`),
//! then `POST /v2.0/statement` with `BRI-Signature`, `BRI-Timestamp` (UTC,
//! milliseconds) and `BRI-External-Id` (9 characters, unique per request).
//! The account is zero-padded to 15 digits; a range over 30 days is split
//! into several requests. Every documented `responseCode` maps to an error
//! kind; `0102 No data found` is an empty window, not an error.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::http::{self, Reply};
use crate::{
    sign, time, BoxFuture, BriSettings, DateRange, Direction, MutasiError, Progress, ProgressFn,
    ProviderKind, RefusalKind, Secret, StatementLine, StatementSource,
};

const P: ProviderKind = ProviderKind::Bri;
/// "Maximum range in 30 days" (0105).
pub const BRI_MAX_DAYS: i64 = 30;
const STATEMENT_PATH: &str = "/v2.0/statement";
const TOKEN_PATH: &str = "/oauth/client_credential/accesstoken";

#[derive(Debug, Deserialize)]
struct TokenReply {
    /// The secret type: `Debug` (this struct derives it) prints `***`.
    access_token: Option<Secret>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatementRequest<'a> {
    account_number: &'a str,
    start_date: String,
    end_date: String,
}

/// The statement reply.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BriStatementReply {
    pub response_code: String,
    #[serde(default)]
    pub response_desc: Option<String>,
    #[serde(default)]
    pub data: Option<Vec<BriLine>>,
}

/// One transaction as BRI sends it (amounts as decimal strings).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BriLine {
    pub transaction_time: String,
    pub debit_amount: String,
    pub credit_amount: String,
    pub type_amount: String,
    #[serde(default)]
    pub remark: String,
    #[serde(default)]
    pub start_balance: Option<String>,
    #[serde(default)]
    pub end_balance: Option<String>,
    /// May be null.
    #[serde(default)]
    pub reference_id: Option<String>,
    /// Has trailing spaces, and is not unique (the sample repeats `"2 "`).
    #[serde(default)]
    pub transaction_id: Option<String>,
}

impl BriLine {
    /// The one conversion. BRI's `transactionId` is not unique, so the
    /// provider id adds the time and the balance after, which are.
    pub fn to_line(&self, account: &str) -> Result<StatementLine, MutasiError> {
        let bad = |what: &str, v: &str| MutasiError::Malformed {
            provider: P,
            reason: format!("{what} {v:?}"),
        };
        let (posted_at, date_only) = time::parse_local(&self.transaction_time)
            .ok_or_else(|| bad("transactionTime", &self.transaction_time))?;
        let debit = money::Rupiah::parse_wire(&self.debit_amount)
            .map_err(|_| bad("debitAmount", &self.debit_amount))?;
        let credit = money::Rupiah::parse_wire(&self.credit_amount)
            .map_err(|_| bad("creditAmount", &self.credit_amount))?;
        let direction = Direction::parse(&self.type_amount).unwrap_or(if debit.is_positive() {
            Direction::Debit
        } else {
            Direction::Credit
        });
        let amount = match direction {
            Direction::Debit => debit,
            Direction::Credit => credit,
        };
        let (direction, amount) = crate::direction_and_amount(Some(direction), amount);
        let balance = match self.end_balance.as_deref() {
            Some(b) => Some(money::Rupiah::parse_wire(b).map_err(|_| bad("endBalance", b))?),
            None => None,
        };
        let tid = self.transaction_id.as_deref().unwrap_or("").trim();
        let provider_id = format!(
            "{tid}@{}#{}",
            posted_at.format("%Y%m%d%H%M%S"),
            balance.map(|b| b.to_plain_string()).unwrap_or_default()
        );
        Ok(StatementLine {
            provider: P,
            account: account.to_owned(),
            posted_at,
            date_only,
            direction,
            amount,
            balance,
            description: self.remark.trim().to_owned(),
            provider_id,
            reference: self
                .reference_id
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
        })
    }
}

/// What a `responseCode` means.
pub(crate) fn code_kind(code: &str) -> RefusalKind {
    match code {
        "0101" | "0105" => RefusalKind::Range,
        "0103" | "0104" => RefusalKind::Account,
        "0601" => RefusalKind::Credentials,
        "0602" => RefusalKind::Signature,
        "0603" => RefusalKind::RequestId,
        "0999" => RefusalKind::Provider,
        _ => RefusalKind::Other,
    }
}

struct Token {
    value: Secret,
    until: Instant,
}

pub struct Bri {
    http: reqwest::Client,
    base: String,
    client_id: String,
    client_secret: Secret,
    token: Mutex<Option<Token>>,
}

impl std::fmt::Debug for Bri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Bri {{ base: {:?}, client_id: {:?}, client_secret: *** }}",
            self.base, self.client_id
        )
    }
}

impl Bri {
    pub fn new(s: &BriSettings) -> Result<Bri, MutasiError> {
        if s.client_id.trim().is_empty() || s.client_secret.is_empty() {
            return Err(MutasiError::Settings(words::text!(
                "[bri] client_id dan client_secret wajib",
                "[bri] client_id and client_secret are required"
            )));
        }
        Ok(Bri {
            http: http::client(P)?,
            base: http::base(P, &s.base_url)?,
            client_id: s.client_id.trim().to_owned(),
            client_secret: s.client_secret.clone(),
            token: Mutex::new(None),
        })
    }

    /// A valid access token, fetched when there is none or it expired.
    async fn token(&self, fresh: bool) -> Result<Secret, MutasiError> {
        let mut slot = self.token.lock().await;
        if !fresh {
            if let Some(t) = slot.as_ref().filter(|t| t.until > Instant::now()) {
                return Ok(t.value.clone());
            }
        }
        let req = self
            .http
            .post(format!("{}{TOKEN_PATH}", self.base))
            .query(&[("grant_type", "client_credentials")])
            .form(&[
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.expose()),
            ]);
        let reply = http::send(P, req).await?;
        if reply.status >= 400 {
            return Err(MutasiError::refused(
                P,
                RefusalKind::Credentials,
                format!("HTTP {}", reply.status),
                "client_id / client_secret not accepted",
            ));
        }
        let t: TokenReply = reply.json(P)?;
        let value =
            t.access_token
                .filter(|v| !v.is_empty())
                .ok_or_else(|| MutasiError::Malformed {
                    provider: P,
                    reason: "no access_token".into(),
                })?;
        let secs = match t.expires_in {
            Some(serde_json::Value::String(s)) => s.trim().parse().unwrap_or(0),
            Some(serde_json::Value::Number(n)) => n.as_u64().unwrap_or(0),
            _ => 0,
        };
        // Renew a little early so a token never expires mid-request.
        let until = Instant::now() + Duration::from_secs(secs.saturating_sub(30).max(1));
        *slot = Some(Token {
            value: value.clone(),
            until,
        });
        Ok(value)
    }

    async fn post_statement(
        &self,
        token: &Secret,
        body: &str,
    ) -> Result<BriStatementReply, MutasiError> {
        let timestamp = time::bri_timestamp(Utc::now());
        let signature = sign::bri_signature(
            self.client_secret.expose(),
            STATEMENT_PATH,
            "POST",
            token.expose(),
            &timestamp,
            body,
        );
        let req = self
            .http
            .post(format!("{}{STATEMENT_PATH}", self.base))
            .bearer_auth(token.expose())
            .header("BRI-Signature", signature)
            .header("BRI-Timestamp", timestamp)
            .header("BRI-External-Id", super::external_id(9))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned());
        let reply: Reply = http::send(P, req).await?;
        reply.json(P)
    }

    /// One `POST /v2.0/statement` for at most 30 days: the raw lines.
    pub async fn statement(
        &self,
        account: &str,
        range: DateRange,
    ) -> Result<Vec<BriLine>, MutasiError> {
        let padded = super::pad15(account)?;
        let body = serde_json::to_string(&StatementRequest {
            account_number: &padded,
            start_date: range.from.format("%Y-%m-%d").to_string(),
            end_date: range.to.format("%Y-%m-%d").to_string(),
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
        if reply.response_code == "0601" {
            // The token expired early on BRI's side: one new token, one retry
            // (a statement read moves no money).
            token = self.token(true).await?;
            reply = self.post_statement(&token, &body).await?;
        }
        match reply.response_code.as_str() {
            "0000" => Ok(reply.data.unwrap_or_default()),
            "0102" => Ok(Vec::new()),
            code => Err(MutasiError::refused(
                P,
                code_kind(code),
                code,
                reply.response_desc.unwrap_or_default(),
            )),
        }
    }
}

impl StatementSource for Bri {
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
            let windows = range.split(BRI_MAX_DAYS);
            let mut lines = Vec::new();
            for (i, w) in windows.iter().enumerate() {
                for raw in self.statement(account, *w).await? {
                    lines.push(raw.to_line(account)?);
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
        let t: TokenReply =
            serde_json::from_str(r#"{"access_token":"SeCrEtToKeN123","expires_in":"899"}"#)
                .expect("a token reply");
        let shown = format!("{t:?}");
        assert!(!shown.contains("SeCrEtToKeN123"), "{shown}");
    }
}

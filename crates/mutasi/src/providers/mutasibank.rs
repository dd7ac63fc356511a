//! Mutasibank REST API v1: `Authorization: Bearer {token}` on every call;
//! replies `{"error": false, "data": …}` or `{"error": true, "message": …}`
//! (401 `User not found` for a bad token).

use money::Rupiah;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::http::{self, Reply};
use crate::{
    time, BoxFuture, DateRange, Direction, MutasiError, MutasibankSettings, Progress, ProgressFn,
    ProviderKind, RefusalKind, Secret, StatementLine, StatementSource,
};

const P: ProviderKind = ProviderKind::Mutasibank;

#[derive(Debug, Deserialize)]
struct Envelope<T> {
    error: bool,
    #[serde(default)]
    message: Option<String>,
    data: Option<T>,
}

/// `GET /api/v1/user`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MbUser {
    pub name: String,
    pub email: String,
    pub saldo: Rupiah,
    pub jenis_akun: String,
}

/// One of `GET /api/v1/accounts`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MbAccount {
    pub id: i64,
    pub unique_id: String,
    pub bank_name: String,
    pub account_name: String,
    pub account_number: String,
    pub is_active: bool,
    pub last_check: Option<String>,
    pub last_balance: Option<Rupiah>,
    pub status: Option<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// One of `GET /api/v1/account/{id}/statements` (and of match/validate).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MbStatement {
    pub id: String,
    #[serde(default)]
    pub unique_id: Option<String>,
    pub transaction_date: String,
    /// Mutasibank sends `null` for a line without a description.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub description: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub amount: Rupiah,
    #[serde(default)]
    pub balance: Option<Rupiah>,
}

impl MbStatement {
    /// The one conversion to a normalized line.
    pub fn to_line(&self, account: &str) -> Result<StatementLine, MutasiError> {
        let (posted_at, date_only) =
            time::parse_local(&self.transaction_date).ok_or_else(|| MutasiError::Malformed {
                provider: P,
                reason: format!("transaction_date {:?}", self.transaction_date),
            })?;
        let kind = Direction::parse(&self.kind).ok_or_else(|| MutasiError::Malformed {
            provider: P,
            reason: format!("type {:?}", self.kind),
        })?;
        let (direction, amount) = crate::direction_and_amount(Some(kind), self.amount);
        Ok(StatementLine {
            provider: P,
            account: account.to_owned(),
            posted_at,
            date_only,
            direction,
            amount,
            balance: self.balance,
            description: self.description.trim().to_owned(),
            provider_id: self.id.clone(),
            reference: None,
        })
    }
}

pub struct Mutasibank {
    http: reqwest::Client,
    base: String,
    token: Secret,
}

impl std::fmt::Debug for Mutasibank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mutasibank {{ base: {:?}, token: *** }}", self.base)
    }
}

impl Mutasibank {
    pub fn new(s: &MutasibankSettings) -> Result<Mutasibank, MutasiError> {
        if s.token.is_empty() {
            return Err(MutasiError::Settings(words::text!(
                "[mutasibank] token kosong",
                "[mutasibank] token is empty"
            )));
        }
        Ok(Mutasibank {
            http: http::client(P)?,
            base: http::base(P, &s.base_url)?,
            token: s.token.clone(),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    fn open<T: DeserializeOwned>(reply: &Reply) -> Result<Option<T>, MutasiError> {
        let env: Envelope<T> = match reply.json(P) {
            Ok(env) => env,
            Err(e) => {
                // A refusal may carry no data shape at all. Data that is
                // there but cannot be read is an error, never "no data": an
                // empty statement would report every transaction as
                // journal-only.
                let Ok(bare) = reply.json::<Envelope<serde_json::Value>>(P) else {
                    return Err(e);
                };
                let no_data = bare.data.as_ref().is_none_or(serde_json::Value::is_null);
                if !(bare.error || reply.status >= 400 || no_data) {
                    return Err(e);
                }
                Envelope {
                    error: bare.error,
                    message: bare.message,
                    data: None,
                }
            }
        };
        if env.error || reply.status >= 400 {
            let message = env.message.unwrap_or_else(|| "error".into());
            let kind = match reply.status {
                401 | 403 => RefusalKind::Credentials,
                404 => RefusalKind::Account,
                422 | 400 => RefusalKind::Range,
                s if s >= 500 => RefusalKind::Provider,
                _ if message.to_ascii_lowercase().contains("not found") => {
                    return Ok(None);
                }
                _ => RefusalKind::Other,
            };
            return Err(MutasiError::refused(
                P,
                kind,
                format!("HTTP {}", reply.status),
                message,
            ));
        }
        Ok(env.data)
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Option<T>, MutasiError> {
        let req = self
            .http
            .get(self.url(path))
            .bearer_auth(self.token.expose())
            .query(query);
        Self::open(&http::send(P, req).await?)
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> Result<Option<T>, MutasiError> {
        let req = self
            .http
            .post(self.url(path))
            .bearer_auth(self.token.expose())
            .json(&body);
        Self::open(&http::send(P, req).await?)
    }

    /// `GET /api/v1/user`.
    pub async fn user(&self) -> Result<MbUser, MutasiError> {
        self.get("/user", &[]).await?.ok_or_else(|| missing("data"))
    }

    /// `GET /api/v1/accounts`.
    pub async fn accounts(&self) -> Result<Vec<MbAccount>, MutasiError> {
        Ok(self.get("/accounts", &[]).await?.unwrap_or_default())
    }

    /// `GET /api/v1/account/{id}/statements?start_date&end_date` (Y-m-d).
    pub async fn statements(
        &self,
        account_id: i64,
        range: DateRange,
    ) -> Result<Vec<MbStatement>, MutasiError> {
        let raw: Vec<serde_json::Value> = self
            .get(
                &format!("/account/{account_id}/statements"),
                &[
                    ("start_date", range.from.format("%Y-%m-%d").to_string()),
                    ("end_date", range.to.format("%Y-%m-%d").to_string()),
                ],
            )
            .await?
            .unwrap_or_default();
        // Each line on its own, so a line that cannot be read fails the
        // whole fetch with its position and reason (nothing partial).
        raw.into_iter()
            .enumerate()
            .map(|(i, v)| {
                let id = v.get("id").map(ToString::to_string).unwrap_or_default();
                serde_json::from_value::<MbStatement>(v).map_err(|e| MutasiError::Malformed {
                    provider: P,
                    reason: format!(
                        "baris ke-{} (id {id}) tidak terbaca / line {} (id {id}) cannot be read: {e}",
                        i + 1,
                        i + 1
                    ),
                })
            })
            .collect()
    }

    /// `POST /api/v1/account/{id}/match`: one transaction of this amount, if any.
    pub async fn match_amount(
        &self,
        account_id: i64,
        amount: Rupiah,
    ) -> Result<Option<MbStatement>, MutasiError> {
        self.post(
            &format!("/account/{account_id}/match"),
            json!({"amount": amount_number(amount)}),
        )
        .await
    }

    /// `POST /api/v1/account/{id}/match_multiple`: every transaction of this amount.
    pub async fn match_multiple(
        &self,
        account_id: i64,
        amount: Rupiah,
    ) -> Result<Vec<MbStatement>, MutasiError> {
        Ok(self
            .post(
                &format!("/account/{account_id}/match_multiple"),
                json!({"amount": amount_number(amount)}),
            )
            .await?
            .unwrap_or_default())
    }

    /// `POST /api/v1/transaction/{id}/validate`: the transaction, if it exists.
    pub async fn validate(&self, transaction_id: &str) -> Result<Option<MbStatement>, MutasiError> {
        let id = transaction_id.trim();
        if id.is_empty() || id.contains('/') {
            return Err(MutasiError::Input(words::text!(
                "id transaksi {id:?} tidak valid",
                "invalid transaction id {id:?}"
            )));
        }
        self.post(&format!("/transaction/{id}/validate"), json!({}))
            .await
    }

    /// The account id Mutasibank gave this account number.
    pub async fn account_id(&self, account: &str) -> Result<i64, MutasiError> {
        let digits = super::account_digits(account)?;
        self.accounts()
            .await?
            .into_iter()
            .find(|a| super::same_account(&a.account_number, &digits))
            .map(|a| a.id)
            .ok_or_else(|| {
                MutasiError::refused(
                    P,
                    RefusalKind::Account,
                    "ACCOUNT_NOT_REGISTERED",
                    format!("account {digits} is not registered in Mutasibank"),
                )
            })
    }
}

/// The document sends amounts as JSON numbers (`150000`).
fn amount_number(amount: Rupiah) -> serde_json::Value {
    match amount.whole_rupiah() {
        Some(r) => json!(r),
        None => json!(amount.to_plain_string()),
    }
}

fn missing(what: &str) -> MutasiError {
    MutasiError::Malformed {
        provider: P,
        reason: format!("no {what}"),
    }
}

impl StatementSource for Mutasibank {
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
            let id = self.account_id(account).await?;
            progress(Progress {
                done: 1,
                total: 2,
                lines: 0,
            });
            let raw = self.statements(id, range).await?;
            let mut lines = raw
                .iter()
                .map(|s| s.to_line(account))
                .collect::<Result<Vec<_>, _>>()?;
            lines.sort_by_key(|l| l.posted_at);
            progress(Progress {
                done: 2,
                total: 2,
                lines: lines.len(),
            });
            Ok(lines)
        })
    }
}

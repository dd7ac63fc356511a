//! Moota API v2 mutations: `GET /api/v2/mutation` with every documented
//! filter (`type`, `bank`, `amount`, `note`, `start_date`, `end_date`,
//! `tag`, `page`, `per_page`), fetched page by page until `last_page`;
//! store dummy mutation, note, push webhook, destroy, and tagging.
//! Refusals are Laravel-shaped: `{"message": …, "errors": {…}}`.

use chrono::NaiveDate;
use money::Rupiah;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use crate::http::{self, Reply};
use crate::{
    time, BoxFuture, DateRange, Direction, MootaSettings, MutasiError, Progress, ProgressFn,
    ProviderKind, RefusalKind, Secret, StatementLine, StatementSource,
};

const P: ProviderKind = ProviderKind::Moota;
/// Rows per page we ask for; the provider may give fewer.
const PER_PAGE: u32 = 100;
/// A guard against a provider whose `last_page` keeps growing.
const MAX_PAGES: u32 = 10_000;

/// The list filters, all optional, named as the document names them.
#[derive(Debug, Clone, Default)]
pub struct MootaQuery {
    /// `type`: CR or DB.
    pub kind: Option<Direction>,
    /// `bank`: the bank account's `bank_id`.
    pub bank: Option<String>,
    pub amount: Option<Rupiah>,
    pub note: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// `tag`: names, sent comma-separated.
    pub tag: Vec<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl MootaQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(k) = self.kind {
            q.push(("type", k.as_str().to_owned()));
        }
        if let Some(b) = &self.bank {
            q.push(("bank", b.clone()));
        }
        if let Some(a) = self.amount {
            q.push(("amount", a.to_plain_string()));
        }
        if let Some(n) = &self.note {
            q.push(("note", n.clone()));
        }
        if let Some(d) = self.start_date {
            q.push(("start_date", d.format("%Y-%m-%d").to_string()));
        }
        if let Some(d) = self.end_date {
            q.push(("end_date", d.format("%Y-%m-%d").to_string()));
        }
        if !self.tag.is_empty() {
            q.push(("tag", self.tag.join(",")));
        }
        if let Some(p) = self.page {
            q.push(("page", p.to_string()));
        }
        if let Some(p) = self.per_page {
            q.push(("per_page", p.to_string()));
        }
        q
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MootaTagging {
    pub name: String,
    pub tag_id: String,
}

/// One mutation of the list.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MootaMutation {
    pub account_number: String,
    pub date: String,
    #[serde(default)]
    pub description: String,
    pub amount: Rupiah,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub balance: Option<Rupiah>,
    pub mutation_id: String,
    #[serde(default)]
    pub bank_id: Option<String>,
    #[serde(default)]
    pub taggings: Vec<MootaTagging>,
    /// The monitored bank account the mutation belongs to (001, line 100).
    #[serde(default)]
    pub bank: Option<MootaBankRef>,
}

/// The `bank` object of a mutation: which of the user's accounts it is on.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct MootaBankRef {
    #[serde(default)]
    pub account_number: Option<String>,
}

impl MootaMutation {
    /// The account the mutation is on: `bank.account_number`. The
    /// mutation's own `account_number` can be another party's (the
    /// document's second sample: 7650583974 on account 0144050); it is used
    /// only when a reply carries no `bank` object.
    pub fn monitored_account(&self) -> &str {
        self.bank
            .as_ref()
            .and_then(|b| b.account_number.as_deref())
            .unwrap_or(&self.account_number)
    }
}

impl MootaMutation {
    /// The one conversion to a normalized line. Moota writes `00:00:00`
    /// for banks that give only a date; such a line is date-only.
    pub fn to_line(&self, account: &str) -> Result<StatementLine, MutasiError> {
        let (posted_at, date_only) =
            time::parse_local(&self.date).ok_or_else(|| MutasiError::Malformed {
                provider: P,
                reason: format!("date {:?}", self.date),
            })?;
        let midnight = self.date.trim().ends_with("00:00:00");
        let kind = Direction::parse(&self.kind).ok_or_else(|| MutasiError::Malformed {
            provider: P,
            reason: format!("type {:?}", self.kind),
        })?;
        let (direction, amount) = crate::direction_and_amount(Some(kind), self.amount);
        Ok(StatementLine {
            provider: P,
            account: account.to_owned(),
            posted_at,
            date_only: date_only || midnight,
            direction,
            amount,
            balance: self.balance,
            description: self.description.trim().to_owned(),
            provider_id: self.mutation_id.clone(),
            reference: None,
        })
    }
}

/// One page of the list (Laravel pagination; `per_page` arrives as a string).
#[derive(Debug, Clone, Deserialize)]
pub struct MootaPage {
    #[serde(deserialize_with = "lenient_u32")]
    pub current_page: u32,
    pub data: Vec<MootaMutation>,
    #[serde(deserialize_with = "lenient_u32")]
    pub last_page: u32,
    #[serde(default)]
    pub next_page_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_u32")]
    pub total: Option<u32>,
}

fn lenient_u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    lenient_opt_u32(d)?.ok_or_else(|| serde::de::Error::custom("a page number"))
}

fn lenient_opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

#[derive(Debug, Deserialize)]
struct Refusal {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `POST /api/v2/mutation/store/{bank_id}`'s `mutation` counts.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub struct MootaStored {
    pub total: u32,
    pub new: u32,
}

pub struct Moota {
    http: reqwest::Client,
    base: String,
    token: Secret,
    bank: Option<String>,
}

impl std::fmt::Debug for Moota {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Moota {{ base: {:?}, token: *** }}", self.base)
    }
}

impl Moota {
    pub fn new(s: &MootaSettings) -> Result<Moota, MutasiError> {
        if s.token.is_empty() {
            return Err(MutasiError::Settings(words::text!(
                "[moota] token kosong",
                "[moota] token is empty"
            )));
        }
        Ok(Moota {
            http: http::client(P)?,
            base: http::base(P, &s.base_url)?,
            token: s.token.clone(),
            bank: s.bank.clone(),
        })
    }

    fn check(reply: &Reply) -> Result<(), MutasiError> {
        if reply.status < 400 {
            return Ok(());
        }
        let r: Refusal = reply.json(P).unwrap_or(Refusal {
            message: None,
            errors: None,
        });
        let mut message = r.message.unwrap_or_else(|| "error".into());
        if let Some(errors) = r.errors {
            let detail: Vec<String> = errors
                .iter()
                .flat_map(|(k, v)| {
                    v.as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|m| m.as_str())
                        .map(move |m| format!("{k}: {m}"))
                })
                .collect();
            if !detail.is_empty() {
                message = format!("{message} ({})", detail.join("; "));
            }
        }
        let kind = match reply.status {
            401 | 403 => RefusalKind::Credentials,
            404 => RefusalKind::Other,
            422 => RefusalKind::Range,
            s if s >= 500 => RefusalKind::Provider,
            _ => RefusalKind::Other,
        };
        Err(MutasiError::refused(
            P,
            kind,
            format!("HTTP {}", reply.status),
            message,
        ))
    }

    async fn call(&self, req: reqwest::RequestBuilder) -> Result<Reply, MutasiError> {
        let reply = http::send(P, req.bearer_auth(self.token.expose())).await?;
        Self::check(&reply)?;
        Ok(reply)
    }

    /// `GET /api/v2/mutation` with these filters: one page.
    pub async fn mutations(&self, q: &MootaQuery) -> Result<MootaPage, MutasiError> {
        let req = self
            .http
            .get(format!("{}/api/v2/mutation", self.base))
            .query(&q.pairs());
        self.call(req).await?.json(P)
    }

    /// Every page from `q.page` (default 1) to the last.
    pub async fn all_mutations(
        &self,
        q: &MootaQuery,
        progress: ProgressFn<'_>,
    ) -> Result<Vec<MootaMutation>, MutasiError> {
        let mut q = q.clone();
        let first = q.page.unwrap_or(1).max(1);
        let mut page = first;
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        loop {
            q.page = Some(page);
            let got = self.mutations(&q).await?;
            // Pages run newest first: a mutation that arrives between two
            // page fetches pushes a line onto the next page again. Keep one.
            for m in got.data {
                if seen.insert(m.mutation_id.clone()) {
                    out.push(m);
                }
            }
            let last = got.last_page.min(MAX_PAGES);
            progress(Progress {
                done: (page - first + 1) as usize,
                total: (last.max(page) - first + 1) as usize,
                lines: out.len(),
            });
            if page >= last {
                break;
            }
            page += 1;
        }
        Ok(out)
    }

    /// `POST /api/v2/mutation/store/{bank_id}`: a dummy mutation for testing.
    pub async fn store_dummy(
        &self,
        bank_id: &str,
        date: NaiveDate,
        note: &str,
        amount: Rupiah,
        kind: Direction,
    ) -> Result<MootaStored, MutasiError> {
        #[derive(Deserialize)]
        struct Reply {
            mutation: MootaStored,
        }
        let req = self
            .http
            .post(format!(
                "{}/api/v2/mutation/store/{}",
                self.base,
                path_segment(bank_id)?
            ))
            .json(&json!({
                "date": date.format("%Y-%m-%d").to_string(),
                "note": note,
                "amount": amount.to_plain_string(),
                "type": kind.as_str(),
            }));
        Ok(self.call(req).await?.json::<Reply>(P)?.mutation)
    }

    /// `POST /api/v2/mutation/{mutation_id}/note`.
    pub async fn add_note(&self, mutation_id: &str, note: &str) -> Result<(), MutasiError> {
        let req = self
            .http
            .post(format!(
                "{}/api/v2/mutation/{}/note",
                self.base,
                path_segment(mutation_id)?
            ))
            .json(&json!({ "note": note }));
        self.call(req).await.map(|_| ())
    }

    /// `POST /api/v2/mutation/{mutation_id}/webhook`: push it again.
    pub async fn push_webhook(&self, mutation_id: &str) -> Result<(), MutasiError> {
        let req = self.http.post(format!(
            "{}/api/v2/mutation/{}/webhook",
            self.base,
            path_segment(mutation_id)?
        ));
        self.call(req).await.map(|_| ())
    }

    /// `POST /api/v2/mutation/destroy` with `mutations: [ids]`.
    pub async fn destroy(&self, mutation_ids: &[String]) -> Result<(), MutasiError> {
        let req = self
            .http
            .post(format!("{}/api/v2/mutation/destroy", self.base))
            .json(&json!({ "mutations": mutation_ids }));
        self.call(req).await.map(|_| ())
    }

    /// `POST /api/v2/tagging/mutation/{mutation_id}` with `name: [tags]`.
    pub async fn attach_tags(
        &self,
        mutation_id: &str,
        names: &[String],
    ) -> Result<String, MutasiError> {
        self.tagging(reqwest::Method::POST, "/api/v2", mutation_id, names)
            .await
    }

    /// `PUT /api/v2/tagging/mutation/{mutation_id}` with `name: [tags]`.
    pub async fn update_tags(
        &self,
        mutation_id: &str,
        names: &[String],
    ) -> Result<String, MutasiError> {
        self.tagging(reqwest::Method::PUT, "/api/v2", mutation_id, names)
            .await
    }

    /// `DELETE /api/tagging/mutation/{mutation_id}` (the document's path has no `/v2`).
    pub async fn detach_tags(
        &self,
        mutation_id: &str,
        names: &[String],
    ) -> Result<String, MutasiError> {
        self.tagging(reqwest::Method::DELETE, "/api", mutation_id, names)
            .await
    }

    async fn tagging(
        &self,
        method: reqwest::Method,
        prefix: &str,
        mutation_id: &str,
        names: &[String],
    ) -> Result<String, MutasiError> {
        #[derive(Deserialize)]
        struct Reply {
            message: String,
        }
        let req = self
            .http
            .request(
                method,
                format!(
                    "{}{prefix}/tagging/mutation/{}",
                    self.base,
                    path_segment(mutation_id)?
                ),
            )
            .json(&json!({ "name": names }));
        Ok(self.call(req).await?.json::<Reply>(P)?.message)
    }
}

fn path_segment(id: &str) -> Result<&str, MutasiError> {
    let id = id.trim();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(MutasiError::Input(words::text!(
            "id {id:?} tidak valid",
            "invalid id {id:?}"
        )));
    }
    Ok(id)
}

impl StatementSource for Moota {
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
            let digits = super::account_digits(account)?;
            let q = MootaQuery {
                bank: self.bank.clone(),
                start_date: Some(range.from),
                end_date: Some(range.to),
                per_page: Some(PER_PAGE),
                ..MootaQuery::default()
            };
            let all = self.all_mutations(&q, progress).await?;
            // The list spans every bank account of the user: keep this one's.
            let mut lines = all
                .iter()
                .filter(|m| super::same_account(m.monitored_account(), &digits))
                .map(|m| m.to_line(account))
                .collect::<Result<Vec<_>, _>>()?;
            lines.sort_by_key(|l| l.posted_at);
            Ok(lines)
        })
    }
}

//! Reading the journal back: history search with filters and pages, the day
//! summary a supervisor closes the day with, and CSV export. All of it works
//! offline and stays fast on a journal of millions of rows (indexes on time,
//! kind, state and account; a trigram index for substring search).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use money::Rupiah;
use rusqlite::types::Value;
use serde::Serialize;

use crate::model::{Kind, State, TransactionRecord};
use crate::{record, sid::wib, Journal, JournalError, Result, COLUMNS};

/// A history search. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// Inclusive start, UTC.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive end, UTC.
    pub to: Option<DateTime<Utc>>,
    pub kind: Option<Kind>,
    pub state: Option<State>,
    /// Exact destination account number.
    pub account: Option<String>,
    /// Part of a sid, an account number or a name (case-insensitive).
    pub search: Option<String>,
    /// Rows per page (default 50, at most 1000).
    pub limit: Option<u32>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// One page of history, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryPage {
    pub rows: Vec<TransactionRecord>,
    /// Pass as `after` for the next page; `None` on the last page.
    pub next: Option<String>,
}

/// Totals of one kind of transaction over a day.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KindSummary {
    pub succeeded: u64,
    pub failed: u64,
    pub unknown: u64,
    pub reversed: u64,
    #[serde(serialize_with = "plain")]
    pub amount: Rupiah,
    #[serde(serialize_with = "plain")]
    pub admin_fee: Rupiah,
    #[serde(serialize_with = "plain")]
    pub total: Rupiah,
}

/// The day's close: per kind, and the cash the agent should hold.
#[derive(Debug, Clone, Serialize)]
pub struct DaySummary {
    /// The day, in WIB.
    pub date: NaiveDate,
    pub kinds: Vec<(Kind, KindSummary)>,
    /// Admin fees of succeeded transactions.
    #[serde(serialize_with = "plain")]
    pub admin_fees: Rupiah,
    /// Cash taken from customers for succeeded money-moving transactions
    /// (amount + fee): what the agent's drawer should have gained.
    #[serde(serialize_with = "plain")]
    pub cash_in: Rupiah,
    /// Transactions still in doubt that day; their cash is not counted above.
    pub in_doubt: u64,
    #[serde(serialize_with = "plain")]
    pub in_doubt_total: Rupiah,
}

fn plain<S: serde::Serializer>(v: &Rupiah, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_plain_string())
}

/// The UTC bounds of a WIB calendar day.
pub fn wib_day_bounds(date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    let end = start + chrono::Duration::days(1);
    let to_utc = |naive| {
        wib()
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    (to_utc(start), to_utc(end))
}

/// Builds the WHERE clause shared by history and export.
fn filters(q: &HistoryQuery, clauses: &mut Vec<String>, args: &mut Vec<Value>) {
    if let Some(from) = q.from {
        args.push(Value::Integer(from.timestamp_millis()));
        clauses.push(format!("t.created_at >= ?{}", args.len()));
    }
    if let Some(to) = q.to {
        args.push(Value::Integer(to.timestamp_millis()));
        clauses.push(format!("t.created_at < ?{}", args.len()));
    }
    if let Some(kind) = q.kind {
        args.push(Value::Text(kind.as_str().into()));
        clauses.push(format!("t.kind = ?{}", args.len()));
    }
    if let Some(state) = q.state {
        args.push(Value::Text(state.as_str().into()));
        clauses.push(format!("t.state = ?{}", args.len()));
    }
    if let Some(account) = q
        .account
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        args.push(Value::Text(account.into()));
        clauses.push(format!("t.dest_account = ?{}", args.len()));
    }
    if let Some(text) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if text.chars().count() >= 3 {
            // The trigram index answers substring searches of three or more characters.
            args.push(Value::Text(format!("\"{}\"", text.replace('"', "\"\""))));
            clauses.push(format!(
                "t.rowid IN (SELECT rowid FROM tx_search WHERE tx_search MATCH ?{})",
                args.len()
            ));
        } else {
            let pattern = format!(
                "%{}%",
                text.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            args.push(Value::Text(pattern));
            let n = args.len();
            clauses.push(format!(
                "(t.sid LIKE ?{n} ESCAPE '\\' OR t.dest_account LIKE ?{n} ESCAPE '\\' \
                 OR t.dest_name LIKE ?{n} ESCAPE '\\')"
            ));
        }
    }
}

fn parse_cursor(cursor: &str) -> Option<(i64, String)> {
    let (ms, sid) = cursor.split_once(':')?;
    Some((ms.parse().ok()?, sid.to_owned()))
}

impl Journal {
    /// A page of history, newest first.
    pub fn history(&self, q: &HistoryQuery) -> Result<HistoryPage> {
        let limit = q.limit.unwrap_or(50).clamp(1, 1000) as usize;
        let mut clauses = Vec::new();
        let mut args = Vec::new();
        filters(q, &mut clauses, &mut args);
        if let Some(cursor) = q.after.as_deref() {
            let (ms, sid) = parse_cursor(cursor).ok_or_else(|| {
                JournalError::Export(format!("{cursor:?} is not a history cursor"))
            })?;
            args.push(Value::Integer(ms));
            let a = args.len();
            args.push(Value::Text(sid));
            let b = args.len();
            clauses.push(format!(
                "(t.created_at < ?{a} OR (t.created_at = ?{a} AND t.sid < ?{b}))"
            ));
        }
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let columns = COLUMNS
            .split(", ")
            .map(|c| format!("t.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns} FROM transactions t {where_sql} \
             ORDER BY t.created_at DESC, t.sid DESC LIMIT {}",
            limit + 1
        );
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), record)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last()
                .map(|r| format!("{}:{}", r.created_at.timestamp_millis(), r.sid))
        } else {
            None
        };
        Ok(HistoryPage { rows, next })
    }

    /// Counts and totals of one WIB day.
    pub fn day_summary(&self, date: NaiveDate) -> Result<DaySummary> {
        let (from, to) = wib_day_bounds(date);
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT kind, state, count(*), coalesce(sum(amount_sen),0), coalesce(sum(fee_sen),0), \
             coalesce(sum(total_sen),0) FROM transactions \
             WHERE created_at >= ?1 AND created_at < ?2 GROUP BY kind, state",
        )?;
        let mut per_kind: Vec<(Kind, KindSummary)> = Vec::new();
        let mut summary = DaySummary {
            date,
            kinds: Vec::new(),
            admin_fees: Rupiah::ZERO,
            cash_in: Rupiah::ZERO,
            in_doubt: 0,
            in_doubt_total: Rupiah::ZERO,
        };
        let rows = stmt.query_map([from.timestamp_millis(), to.timestamp_millis()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        for row in rows {
            let (kind, state, count, amount, fee, total) = row?;
            let (Some(kind), Some(state)) = (Kind::parse(&kind), State::parse(&state)) else {
                continue;
            };
            let idx = match per_kind.iter().position(|(k, _)| *k == kind) {
                Some(i) => i,
                None => {
                    per_kind.push((kind, KindSummary::default()));
                    per_kind.len() - 1
                }
            };
            let entry = &mut per_kind[idx].1;
            let count = count.max(0) as u64;
            match state {
                State::Succeeded => {
                    entry.succeeded += count;
                    entry.amount = add(entry.amount, amount);
                    entry.admin_fee = add(entry.admin_fee, fee);
                    entry.total = add(entry.total, total);
                    summary.admin_fees = add(summary.admin_fees, fee);
                    if kind.moves_money() {
                        summary.cash_in = add(summary.cash_in, total);
                    }
                }
                State::Failed => entry.failed += count,
                State::Reversed => entry.reversed += count,
                State::Unknown => {
                    entry.unknown += count;
                    if kind.moves_money() {
                        summary.in_doubt += count;
                        summary.in_doubt_total = add(summary.in_doubt_total, total);
                    }
                }
                _ => {}
            }
        }
        per_kind.sort_by_key(|(k, _)| *k);
        summary.kinds = per_kind;
        Ok(summary)
    }

    /// Writes every transaction matching `q` (ignoring its page fields) as
    /// CSV, oldest first, streaming row by row. Returns the rows written.
    pub fn export_csv<W: std::io::Write>(&self, q: &HistoryQuery, out: W) -> Result<u64> {
        let mut clauses = Vec::new();
        let mut args = Vec::new();
        filters(q, &mut clauses, &mut args);
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT t.sid, t.created_at, t.kind, t.state, t.amount_sen, t.fee_sen, t.total_sen, \
             t.dest_bank_code, t.dest_bank_name, t.dest_account, t.dest_name, t.bank_reference, \
             t.bank_code, t.bank_message, t.operator FROM transactions t {where_sql} \
             ORDER BY t.created_at, t.sid"
        );
        let export = |e: csv::Error| JournalError::Export(e.to_string());
        let mut writer = csv::Writer::from_writer(out);
        writer
            .write_record([
                "sid",
                "waktu_wib",
                "jenis",
                "status",
                "nominal",
                "biaya_admin",
                "total",
                "kode_bank",
                "nama_bank",
                "rekening",
                "nama",
                "referensi",
                "kode_respon",
                "pesan",
                "operator",
            ])
            .map_err(export)?;
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        let mut written = 0u64;
        let money = |v: Option<i64>| {
            v.map(|s| Rupiah::from_sen(s).to_plain_string())
                .unwrap_or_default()
        };
        while let Some(r) = rows.next()? {
            let at = crate::millis(r.get(1)?)
                .with_timezone(&wib())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string();
            let text = |i: usize| -> rusqlite::Result<String> {
                Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
            };
            writer
                .write_record([
                    text(0)?,
                    at,
                    text(2)?,
                    text(3)?,
                    money(r.get(4)?),
                    money(r.get(5)?),
                    money(r.get(6)?),
                    text(7)?,
                    text(8)?,
                    text(9)?,
                    text(10)?,
                    text(11)?,
                    text(12)?,
                    text(13)?,
                    text(14)?,
                ])
                .map_err(export)?;
            written += 1;
        }
        writer
            .flush()
            .map_err(|e| JournalError::Export(e.to_string()))?;
        Ok(written)
    }
}

fn add(a: Rupiah, sen: i64) -> Rupiah {
    a.checked_add(Rupiah::from_sen(sen)).unwrap_or(a)
}

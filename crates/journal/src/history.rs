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
    /// Leaves out read-only look-ups (account checks, customer and agent
    /// balance checks) unless `kind` asks for one: the list shows money first.
    pub hide_lookups: bool,
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
    /// Succeeded that day, including ones reversed since (they did succeed then).
    pub succeeded: u64,
    pub failed: u64,
    pub unknown: u64,
    /// Of `succeeded`, how many have been reversed since (a note; the money
    /// going back is counted on the reversal's own day).
    pub reversed: u64,
    #[serde(serialize_with = "plain")]
    pub amount: Rupiah,
    #[serde(serialize_with = "plain")]
    pub admin_fee: Rupiah,
    #[serde(serialize_with = "plain")]
    pub total: Rupiah,
}

/// The day's close: per kind, and the cash the agent should hold.
///
/// A day's summary is what happened that day, so a closed day's figures
/// never change later: a transaction is counted on its own day as it
/// happened (a later reversal leaves it counted there as succeeded), and a
/// succeeded reversal is counted on the reversal's day as money going back
/// to the customer and a fee refunded.
#[derive(Debug, Clone, Serialize)]
pub struct DaySummary {
    /// The day, in WIB.
    pub date: NaiveDate,
    pub kinds: Vec<(Kind, KindSummary)>,
    /// Admin fees of the day's succeeded money-moving transactions
    /// (including ones reversed on a later day).
    #[serde(serialize_with = "plain")]
    pub admin_fees: Rupiah,
    /// Cash taken from customers for the day's succeeded money-moving
    /// transactions (amount + fee): what the agent's drawer gained.
    #[serde(serialize_with = "plain")]
    pub cash_in: Rupiah,
    /// Fees given back by reversals booked this day (never earned).
    #[serde(serialize_with = "plain")]
    pub fees_refunded: Rupiah,
    /// Cash handed back to customers by reversals booked this day (amount + fee).
    #[serde(serialize_with = "plain")]
    pub cash_returned: Rupiah,
    /// `admin_fees - fees_refunded`: the fees the day actually earned.
    #[serde(serialize_with = "plain")]
    pub net_admin_fees: Rupiah,
    /// `cash_in - cash_returned`: what the drawer should hold more than at the start.
    #[serde(serialize_with = "plain")]
    pub net_cash: Rupiah,
    /// Transactions (and reversals) still in doubt that day; their cash is not counted above.
    pub in_doubt: u64,
    #[serde(serialize_with = "plain")]
    pub in_doubt_total: Rupiah,
    /// Payments of the day whose reply gave another fee than the quote
    /// (`fee_differs`): each is worth a look at the bank's statement.
    pub fee_differences: u64,
}

fn plain<S: serde::Serializer>(v: &Rupiah, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_plain_string())
}

/// The first day a history, summary or export may ask about. Loket did not
/// exist before; anything earlier is a typing mistake.
pub const FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The last day one may ask about: far beyond any real row, far before the
/// calendar arithmetic limits (`+262142-12-31` used to panic the journal).
pub const LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2099, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// `date` when it lies within [`FIRST_DAY`]..=[`LAST_DAY`], else a clear error.
pub fn check_day(date: NaiveDate) -> Result<NaiveDate> {
    if (FIRST_DAY..=LAST_DAY).contains(&date) {
        Ok(date)
    } else {
        Err(JournalError::DateOutOfRange(
            date.to_string(),
            FIRST_DAY,
            LAST_DAY,
        ))
    }
}

/// Checks a UTC instant handed to a history or export query.
fn check_instant(at: DateTime<Utc>) -> Result<()> {
    let (first, _) = wib_day_bounds(FIRST_DAY);
    let (_, last) = wib_day_bounds(LAST_DAY);
    if (first..=last).contains(&at) {
        Ok(())
    } else {
        Err(JournalError::DateOutOfRange(
            at.to_rfc3339(),
            FIRST_DAY,
            LAST_DAY,
        ))
    }
}

/// The UTC bounds of a WIB calendar day. Never panics: a day outside
/// [`FIRST_DAY`]..=[`LAST_DAY`] is clamped into it (callers that take a
/// person's date check it with [`check_day`] first, and the queries refuse
/// out-of-range bounds, so clamping never silently answers a wrong question).
pub fn wib_day_bounds(date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let date = date.clamp(FIRST_DAY, LAST_DAY);
    let start = date.and_time(chrono::NaiveTime::MIN);
    let end = start
        .checked_add_signed(chrono::Duration::days(1))
        .unwrap_or(start);
    let to_utc = |naive| {
        wib()
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    (to_utc(start), to_utc(end))
}

/// Refuses history/export bounds outside the journal's date range.
fn check_query(q: &HistoryQuery) -> Result<()> {
    for at in [q.from, q.to].into_iter().flatten() {
        check_instant(at)?;
    }
    Ok(())
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
    if q.hide_lookups && q.kind.is_none() {
        // Fixed words, not input: no argument needed.
        let lookups = Kind::ALL
            .iter()
            .filter(|k| k.is_lookup())
            .map(|k| format!("'{}'", k.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        clauses.push(format!("t.kind NOT IN ({lookups})"));
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
        check_query(q)?;
        let limit = q.limit.unwrap_or(50).clamp(1, 1000) as usize;
        let mut clauses = Vec::new();
        let mut args = Vec::new();
        filters(q, &mut clauses, &mut args);
        if let Some(cursor) = q.after.as_deref() {
            let (ms, sid) = parse_cursor(cursor).ok_or_else(|| {
                JournalError::BadQuery(format!(
                    "{:?} bukan penanda halaman riwayat / is not a history cursor",
                    money::preview(cursor)
                ))
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

    /// Counts and totals of one WIB day (see [`DaySummary`] for what counts).
    ///
    /// Sums are taken row by row in `i128`: SQL `SUM` on INTEGER fails with an
    /// overflow error, and journal rows are never deleted, so one absurd row
    /// (written before amounts were bounded) must not break a day for ever.
    pub fn day_summary(&self, date: NaiveDate) -> Result<DaySummary> {
        let date = check_day(date)?;
        let (from, to) = wib_day_bounds(date);
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT kind, state, amount_sen, fee_sen, total_sen, fee_differs FROM transactions \
             WHERE created_at >= ?1 AND created_at < ?2",
        )?;
        #[derive(Default)]
        struct Sums {
            amount: i128,
            fee: i128,
            total: i128,
        }
        let mut per_kind: Vec<(Kind, KindSummary, Sums)> = Vec::new();
        let (mut fees, mut cash_in, mut refunded, mut returned, mut doubt_total) =
            (0i128, 0i128, 0i128, 0i128, 0i128);
        let (mut in_doubt, mut fee_differences) = (0u64, 0u64);
        let rows = stmt.query_map([from.timestamp_millis(), to.timestamp_millis()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, i64>(5)? != 0,
            ))
        })?;
        for row in rows {
            let (kind, state, amount, fee, total, differs) = row?;
            if differs {
                fee_differences += 1;
            }
            let (Some(kind), Some(state)) = (Kind::parse(&kind), State::parse(&state)) else {
                continue;
            };
            let amount = i128::from(amount.unwrap_or(0));
            let fee = i128::from(fee.unwrap_or(0));
            let total = total.map(i128::from).unwrap_or(amount + fee);
            let idx = match per_kind.iter().position(|(k, _, _)| *k == kind) {
                Some(i) => i,
                None => {
                    per_kind.push((kind, KindSummary::default(), Sums::default()));
                    per_kind.len() - 1
                }
            };
            let (_, entry, sums) = &mut per_kind[idx];
            // A `reversed` original happened (succeeded) on its own day; the
            // reversal is counted on the reversal's day, so this day's figures
            // stay as they were closed.
            let happened = match state {
                State::Succeeded => {
                    entry.succeeded += 1;
                    true
                }
                State::Reversed => {
                    entry.succeeded += 1;
                    entry.reversed += 1;
                    true
                }
                State::Failed => {
                    entry.failed += 1;
                    false
                }
                State::Unknown => {
                    entry.unknown += 1;
                    if kind.moves_money() || kind == Kind::Reversal {
                        in_doubt += 1;
                        doubt_total += total;
                    }
                    false
                }
                _ => false,
            };
            if happened {
                sums.amount += amount;
                sums.fee += fee;
                sums.total += total;
                if kind.moves_money() {
                    fees += fee;
                    cash_in += total;
                } else if kind == Kind::Reversal {
                    refunded += fee;
                    returned += total;
                }
            }
        }
        per_kind.sort_by_key(|(k, _, _)| *k);
        let kinds = per_kind
            .into_iter()
            .map(|(k, mut entry, sums)| {
                entry.amount = rupiah(sums.amount);
                entry.admin_fee = rupiah(sums.fee);
                entry.total = rupiah(sums.total);
                (k, entry)
            })
            .collect();
        Ok(DaySummary {
            date,
            kinds,
            admin_fees: rupiah(fees),
            cash_in: rupiah(cash_in),
            fees_refunded: rupiah(refunded),
            cash_returned: rupiah(returned),
            net_admin_fees: rupiah(fees - refunded),
            net_cash: rupiah(cash_in - returned),
            in_doubt,
            in_doubt_total: rupiah(doubt_total),
            fee_differences,
        })
    }

    /// Writes every transaction matching `q` (ignoring its page fields) as
    /// CSV, oldest first, streaming row by row. Returns the rows written.
    ///
    /// Written for an Indonesian-locale spreadsheet, which is where the file
    /// is opened: a UTF-8 byte-order mark (so names keep their letters), `;`
    /// between cells (id-ID uses the comma as the decimal separator, so a
    /// comma file opens as one column) and a decimal comma in money. Every
    /// cell is made safe to open: see [`safe_cell`].
    pub fn export_csv<W: std::io::Write>(&self, q: &HistoryQuery, mut out: W) -> Result<u64> {
        check_query(q)?;
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
        out.write_all("\u{feff}".as_bytes())
            .map_err(|e| JournalError::Export(e.to_string()))?;
        let mut writer = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
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
        // Plain digits with a decimal comma (`1400000,50`): what an id-ID
        // spreadsheet reads as a number.
        let money = |v: Option<i64>| {
            v.map(|s| Rupiah::from_sen(s).to_plain_string().replace('.', ","))
                .unwrap_or_default()
        };
        while let Some(r) = rows.next()? {
            let at = crate::millis(r.get(1)?)
                .with_timezone(&wib())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string();
            let text = |i: usize| -> rusqlite::Result<String> {
                Ok(safe_cell(
                    &r.get::<_, Option<String>>(i)?.unwrap_or_default(),
                    false,
                ))
            };
            // Identifiers: digits that must stay text (a 16-digit sid loses
            // its last digit as a number, a bank code its leading zero).
            let id = |i: usize| -> rusqlite::Result<String> {
                Ok(safe_cell(
                    &r.get::<_, Option<String>>(i)?.unwrap_or_default(),
                    true,
                ))
            };
            writer
                .write_record([
                    id(0)?,
                    at,
                    text(2)?,
                    text(3)?,
                    money(r.get(4)?),
                    money(r.get(5)?),
                    money(r.get(6)?),
                    id(7)?,
                    text(8)?,
                    id(9)?,
                    text(10)?,
                    id(11)?,
                    id(12)?,
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

/// A cell as a spreadsheet must show it, never run it.
///
/// A cell starting with `= + - @`, a tab or a carriage return is a formula
/// (or becomes one) in Excel and LibreOffice, so a customer's name like
/// `=HYPERLINK(…)` would run on the supervisor's PC: such cells get a leading
/// apostrophe, the neutralization spreadsheets themselves use for "this is
/// text" (OWASP's CSV-injection advice). An identifier made of digits gets
/// the same apostrophe so it stays text. We do not write `="…"`, which is
/// itself a formula, nor a leading tab, which some importers strip.
pub fn safe_cell(value: &str, identifier: bool) -> String {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let numeric = identifier && !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    if formula || numeric {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// A sum as rupiah. Amounts are bounded (`Rupiah::MAX_TRANSACTION`), so a
/// sum beyond `i64` can only come from rows written before that bound; it is
/// shown as the largest amount rather than failing the whole day.
fn rupiah(sen: i128) -> Rupiah {
    Rupiah::from_sen(i64::try_from(sen).unwrap_or(if sen < 0 { i64::MIN } else { i64::MAX }))
}

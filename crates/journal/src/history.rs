//! Reading the journal back: history search with filters and pages, the day
//! summary a supervisor closes the day with, and CSV export. All of it works
//! offline and stays fast on a journal of millions of rows (indexes on time,
//! kind, state and account; a trigram index for substring search).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use money::Rupiah;
use rusqlite::types::Value;
use rusqlite::OptionalExtension;
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

/// How many trigram matches a search may have and still be taken whole
/// and sorted; beyond it the search is broad (see [`walk_broad`]).
pub const NARROW: usize = 2_000;

/// Rows of the time order read per step of a broad search.
const CHUNK: usize = 1_024;

/// Steps of [`CHUNK`] rows a broad search walks before it takes all its
/// matches instead (matches that cluster in old rows: correct, slower).
const WALK_STEPS: usize = 64;

/// Rows a search of one or two characters reads per page at most.
pub const SHORT_SCAN: usize = 2_048;

/// The newest `want` rows matching the filters whose sid, account or name
/// holds `text` (ASCII case-insensitive, as SQL `LIKE`), reading at most
/// [`SHORT_SCAN`] rows. Returns the rows, and the cursor of the last row
/// read when the budget ran out first.
fn walk_short(
    conn: &rusqlite::Connection,
    text: &str,
    clauses: &[String],
    args: &[Value],
    mut cursor: Option<(i64, String)>,
    want: usize,
) -> Result<(Vec<TransactionRecord>, Option<String>)> {
    let needle = text.to_ascii_lowercase();
    let holds = |v: &Option<String>| {
        v.as_deref()
            .is_some_and(|s| s.to_ascii_lowercase().contains(&needle))
    };
    let mut found: Vec<i64> = Vec::with_capacity(want);
    let mut read = 0;
    loop {
        let mut c = clauses.to_vec();
        let mut a = args.to_vec();
        if let Some((ms, sid)) = cursor.clone() {
            push_cursor(&mut c, &mut a, ms, sid);
        }
        let sql = format!(
            "SELECT t.rowid, t.created_at, t.sid, t.dest_account, t.dest_name \
             FROM transactions t {} ORDER BY t.created_at DESC, t.sid DESC LIMIT {CHUNK}",
            where_of(&c)
        );
        type Candidate = (i64, i64, Option<String>, Option<String>, Option<String>);
        let chunk: Vec<Candidate> = conn
            .prepare_cached(&sql)?
            .query_map(rusqlite::params_from_iter(a.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (rowid, _, sid, account, name) in &chunk {
            if holds(sid) || holds(account) || holds(name) {
                found.push(*rowid);
                if found.len() == want {
                    return Ok((fetch(conn, &found)?, None));
                }
            }
        }
        let Some(last) = chunk.last().filter(|_| chunk.len() == CHUNK) else {
            return Ok((fetch(conn, &found)?, None));
        };
        let key = (last.1, last.2.clone().unwrap_or_default());
        read += chunk.len();
        if read >= SHORT_SCAN {
            let next = format!("{}:{}", key.0, key.1);
            return Ok((fetch(conn, &found)?, Some(next)));
        }
        cursor = Some(key);
    }
}

/// The trigram MATCH phrase of a search of three characters or more.
fn search_phrase(q: &HistoryQuery) -> Option<String> {
    let text = q
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())?;
    (text.chars().count() >= 3).then(|| format!("\"{}\"", text.replace('"', "\"\"")))
}

/// Whether more than [`NARROW`] rows match `phrase`.
fn is_broad(conn: &rusqlite::Connection, phrase: &str) -> Result<bool> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM (SELECT rowid FROM tx_search WHERE tx_search MATCH ?1 LIMIT ?2)",
        )?
        .query_row(rusqlite::params![phrase, NARROW as i64 + 1], |r| r.get(0))?;
    Ok(n > NARROW as i64)
}

/// The keyset condition "older than the cursor row", written so the time
/// index bounds the walk (`created_at <= ms`) instead of filtering it.
fn push_cursor(clauses: &mut Vec<String>, args: &mut Vec<Value>, ms: i64, sid: String) {
    args.push(Value::Integer(ms));
    let a = args.len();
    args.push(Value::Text(sid));
    let b = args.len();
    clauses.push(format!(
        "t.created_at <= ?{a} AND (t.created_at < ?{a} OR t.sid < ?{b})"
    ));
}

/// A page of rows matching `clauses`, newest first.
fn page_sql(clauses: &[String], limit: usize) -> String {
    format!(
        "SELECT {} FROM transactions t {} ORDER BY t.created_at DESC, t.sid DESC LIMIT {limit}",
        t_columns(),
        where_of(clauses)
    )
}

/// The SQL of the first page of `q` and its arguments (plan tests).
#[cfg(test)]
pub(crate) fn first_page_sql(q: &HistoryQuery) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    filters(q, &mut clauses, &mut args);
    if let Some((ms, sid)) = q.after.as_deref().and_then(parse_cursor) {
        push_cursor(&mut clauses, &mut args, ms, sid);
    }
    (page_sql(&clauses, 51), args)
}

/// The day summary's query: a day's rows grouped by kind and state, from
/// the covering time index. A row without a total counts amount + fee.
pub(crate) const DAY_SQL: &str = "SELECT kind, state, count(*), sum(coalesce(amount_sen, 0)), \
     sum(coalesce(fee_sen, 0)), \
     sum(coalesce(total_sen, coalesce(amount_sen, 0) + coalesce(fee_sen, 0))), sum(fee_differs) \
     FROM transactions WHERE created_at >= ?1 AND created_at < ?2 GROUP BY kind, state";

/// The same day row by row, summed in i128 when SQLite's sums overflow.
const DAY_ROWS_SQL: &str = "SELECT kind, state, 1, amount_sen, fee_sen, total_sen, fee_differs \
     FROM transactions WHERE created_at >= ?1 AND created_at < ?2";

/// A day's rows of one kind and state (or one row), summed.
struct DayGroup {
    kind: String,
    state: String,
    count: u64,
    amount: i128,
    fee: i128,
    total: i128,
    differs: u64,
}

fn where_of(clauses: &[String]) -> String {
    if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    }
}

fn t_columns() -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The newest `want` rows matching the other filters and the broad
/// trigram `phrase`, newest first: the time order is read in chunks
/// (through whichever index the filters pick, in page order) and each
/// chunk keeps the rows the trigram index names within the chunk's rowid
/// range. Exact: the same rows, in the same order, as the whole query.
fn walk_broad(
    conn: &rusqlite::Connection,
    phrase: &str,
    clauses: &[String],
    args: &[Value],
    mut cursor: Option<(i64, String)>,
    want: usize,
) -> Result<Vec<TransactionRecord>> {
    let mut found: Vec<i64> = Vec::with_capacity(want);
    let mut matches = conn.prepare_cached(
        "SELECT rowid FROM tx_search WHERE tx_search MATCH ?1 AND rowid >= ?2 AND rowid <= ?3",
    )?;
    let mut steps = 0;
    loop {
        let mut c = clauses.to_vec();
        let mut a = args.to_vec();
        if let Some((ms, sid)) = cursor.clone() {
            push_cursor(&mut c, &mut a, ms, sid);
        }
        let sql = format!(
            "SELECT t.rowid, t.created_at, t.sid FROM transactions t {} \
             ORDER BY t.created_at DESC, t.sid DESC LIMIT {CHUNK}",
            where_of(&c)
        );
        let chunk: Vec<(i64, i64, String)> = conn
            .prepare_cached(&sql)?
            .query_map(rusqlite::params_from_iter(a.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some(last) = chunk.last() else { break };
        let lo = chunk.iter().map(|r| r.0).min().unwrap_or(0);
        let hi = chunk.iter().map(|r| r.0).max().unwrap_or(0);
        let hits: std::collections::HashSet<i64> = matches
            .query_map(rusqlite::params![phrase, lo, hi], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for (rowid, _, _) in &chunk {
            if hits.contains(rowid) {
                found.push(*rowid);
                if found.len() == want {
                    break;
                }
            }
        }
        if found.len() == want || chunk.len() < CHUNK {
            break;
        }
        cursor = Some((last.1, last.2.clone()));
        steps += 1;
        if steps == WALK_STEPS {
            // The matches lie far back: take them whole (still exact).
            let mut rows = fetch(conn, &found)?;
            rows.extend(take_whole(
                conn,
                phrase,
                clauses,
                args,
                cursor,
                want - found.len(),
            )?);
            return Ok(rows);
        }
    }
    fetch(conn, &found)
}

/// Rows by rowid, in the order given.
fn fetch(conn: &rusqlite::Connection, rowids: &[i64]) -> Result<Vec<TransactionRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM transactions t WHERE t.rowid = ?1",
        t_columns()
    ))?;
    let mut rows = Vec::with_capacity(rowids.len());
    for rowid in rowids {
        if let Some(row) = stmt.query_row([rowid], record).optional()? {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// The newest `want` rows matching the filters, the cursor and `phrase`,
/// taking every match and sorting them.
fn take_whole(
    conn: &rusqlite::Connection,
    phrase: &str,
    clauses: &[String],
    args: &[Value],
    cursor: Option<(i64, String)>,
    want: usize,
) -> Result<Vec<TransactionRecord>> {
    let mut c = clauses.to_vec();
    let mut a = args.to_vec();
    if let Some((ms, sid)) = cursor {
        push_cursor(&mut c, &mut a, ms, sid);
    }
    a.push(Value::Text(phrase.to_owned()));
    c.push(format!(
        "t.rowid IN (SELECT rowid FROM tx_search WHERE tx_search MATCH ?{})",
        a.len()
    ));
    let sql = format!(
        "SELECT {} FROM transactions t {} ORDER BY t.created_at DESC, t.sid DESC LIMIT {want}",
        t_columns(),
        where_of(&c)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(a.iter()), record)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

impl Journal {
    /// A page of history, newest first.
    ///
    /// Every page streams from an index in the page's order (time, then
    /// sid), reading about one page of rows. A substring search (three
    /// characters or more) asks the trigram index how many rows match, up to
    /// [`NARROW`]: a narrow search takes all its matches and sorts them (at
    /// most [`NARROW`]); a broad one (a common name, `BUDI`) walks the time
    /// order newest-first in chunks and keeps the rows the trigram index
    /// matches within each chunk's rowid range, so the newest page of
    /// 100,000 matches costs a page, not 100,000 rows. A search of one or
    /// two characters (no index can answer it) reads at most [`SHORT_SCAN`]
    /// rows per page: a page may then hold fewer rows than asked, even none,
    /// with a `next` cursor that goes on from the last row read.
    pub fn history(&self, q: &HistoryQuery) -> Result<HistoryPage> {
        check_query(q)?;
        let limit = q.limit.unwrap_or(50).clamp(1, 1000) as usize;
        let mut clauses = Vec::new();
        let mut args = Vec::new();
        let conn = self.conn()?;
        let broad = match search_phrase(q) {
            Some(phrase) => is_broad(&conn, &phrase)?.then_some(phrase),
            None => None,
        };
        let short = q
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| (1..3).contains(&s.chars().count()));
        if broad.is_some() || short.is_some() {
            let plain = HistoryQuery {
                search: None,
                ..q.clone()
            };
            filters(&plain, &mut clauses, &mut args);
        } else {
            filters(q, &mut clauses, &mut args);
        }
        let cursor = match q.after.as_deref() {
            Some(cursor) => Some(parse_cursor(cursor).ok_or_else(|| {
                let cursor = money::preview(cursor);
                JournalError::BadQuery(words::text!(
                    "{cursor:?} bukan penanda halaman riwayat",
                    "{cursor:?} is not a history cursor"
                ))
            })?),
            None => None,
        };
        let mut scan_next = None;
        let mut rows = match (&broad, short) {
            (Some(phrase), _) => {
                walk_broad(&conn, phrase, &clauses, &args, cursor.clone(), limit + 1)?
            }
            (None, Some(text)) => {
                let (rows, next) = walk_short(&conn, text, &clauses, &args, cursor, limit + 1)?;
                scan_next = next;
                rows
            }
            (None, None) => {
                if let Some((ms, sid)) = cursor {
                    push_cursor(&mut clauses, &mut args, ms, sid);
                }
                let mut stmt = conn.prepare_cached(&page_sql(&clauses, limit + 1))?;
                let rows = stmt
                    .query_map(rusqlite::params_from_iter(args.iter()), record)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                rows
            }
        };
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last()
                .map(|r| format!("{}:{}", r.created_at.timestamp_millis(), r.sid))
        } else {
            scan_next
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
        // SQLite groups the day's rows from the covering time index; its
        // SUM fails on an i64 overflow (one absurd old row), and then the
        // rows are summed one by one in i128 instead.
        let args = [from.timestamp_millis(), to.timestamp_millis()];
        let group = |r: &rusqlite::Row<'_>| -> rusqlite::Result<DayGroup> {
            let amount = i128::from(r.get::<_, Option<i64>>(3)?.unwrap_or(0));
            let fee = i128::from(r.get::<_, Option<i64>>(4)?.unwrap_or(0));
            Ok(DayGroup {
                kind: r.get(0)?,
                state: r.get(1)?,
                count: r.get::<_, i64>(2)?.max(0) as u64,
                amount,
                fee,
                total: r
                    .get::<_, Option<i64>>(5)?
                    .map(i128::from)
                    .unwrap_or(amount + fee),
                differs: r.get::<_, i64>(6)?.max(0) as u64,
            })
        };
        let grouped: rusqlite::Result<Vec<DayGroup>> = conn
            .prepare_cached(DAY_SQL)
            .and_then(|mut stmt| stmt.query_map(args, group)?.collect());
        let groups = match grouped {
            Ok(groups) => groups,
            Err(e) if e.to_string().contains("overflow") => conn
                .prepare_cached(DAY_ROWS_SQL)?
                .query_map(args, group)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
            Err(e) => return Err(e.into()),
        };
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
        for g in groups {
            fee_differences += g.differs;
            let (Some(kind), Some(state)) = (Kind::parse(&g.kind), State::parse(&g.state)) else {
                continue;
            };
            let (n, amount, fee, total) = (g.count, g.amount, g.fee, g.total);
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
                    entry.succeeded += n;
                    true
                }
                State::Reversed => {
                    entry.succeeded += n;
                    entry.reversed += n;
                    true
                }
                State::Failed => {
                    entry.failed += n;
                    false
                }
                State::Unknown => {
                    entry.unknown += n;
                    if kind.moves_money() || kind == Kind::Reversal {
                        in_doubt += n;
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

//! Reading the fleet (through the read-only viewer role): every terminal's
//! status, every transaction in doubt, and the day's summary per agent
//! computed with the journal's own day-summary rules, so the fleet's totals
//! equal the sum of the terminals' own summaries to the sen.

use chrono::{DateTime, NaiveDate, Utc};
use journal::{DaySummary, Kind, KindSummary, State};
use money::Rupiah;
use serde::Serialize;
pub use tokio_postgres::Client;

use crate::central::check_schema;
use crate::connect::FleetUrl;
use crate::error::{from_pg, FleetError};

/// One terminal as `loket fleet status` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TerminalStatus {
    pub terminal_id: String,
    pub label: String,
    pub agent_code: Option<String>,
    pub last_event_at: Option<DateTime<Utc>>,
    pub last_contact_at: Option<DateTime<Utc>>,
    /// The last `seq` the fleet holds.
    pub shipped_seq: i64,
    /// The terminal's newest `seq` when it last made contact.
    pub local_seq: i64,
    /// Events the terminal had that the fleet has not (as of the last contact).
    pub lag_events: i64,
    /// Seconds since the terminal's last contact (`None`: never shipped).
    pub lag_seconds: Option<i64>,
    pub open_doubts: i64,
}

/// One transaction in doubt somewhere in the fleet.
#[derive(Debug, Clone, Serialize)]
pub struct FleetDoubt {
    pub terminal_id: String,
    pub label: String,
    pub agent_code: String,
    pub sid: String,
    pub kind: String,
    pub amount_sen: Option<i64>,
    pub fee_sen: Option<i64>,
    pub total_sen: Option<i64>,
    pub dest_bank_code: Option<String>,
    pub dest_account: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One agent's day across its terminals.
#[derive(Debug, Clone, Serialize)]
pub struct AgentDay {
    pub agent_code: String,
    pub terminals: i64,
    pub summary: DaySummary,
}

/// `loket fleet summary --date D`.
#[derive(Debug, Clone, Serialize)]
pub struct FleetDay {
    pub date: NaiveDate,
    pub agents: Vec<AgentDay>,
    /// The sum over every agent.
    pub total: DaySummary,
}

/// Connects as a viewer and checks the schema.
pub async fn viewer(url: &FleetUrl) -> Result<Client, FleetError> {
    let client = url.connect().await?;
    check_schema(&client).await?;
    Ok(client)
}

pub async fn status(client: &Client) -> Result<Vec<TerminalStatus>, FleetError> {
    let rows = client
        .query(
            "SELECT t.terminal_id::text, t.label, t.agent_code, t.last_event_at, t.last_contact_at, \
               t.last_seq, t.local_seq, \
               floor(extract(epoch FROM now() - t.last_contact_at))::bigint, \
               (SELECT count(*) FROM loket_fleet.transactions x \
                 WHERE x.terminal_id = t.terminal_id AND x.state = 'unknown') \
             FROM loket_fleet.terminals t ORDER BY t.label, t.terminal_id",
            &[],
        )
        .await
        .map_err(from_pg)?;
    Ok(rows
        .iter()
        .map(|r| {
            let shipped: i64 = r.get(5);
            let local: i64 = r.get(6);
            TerminalStatus {
                terminal_id: r.get(0),
                label: r.get(1),
                agent_code: r.get(2),
                last_event_at: r.get(3),
                last_contact_at: r.get(4),
                shipped_seq: shipped,
                local_seq: local,
                lag_events: (local - shipped).max(0),
                lag_seconds: r.get(7),
                open_doubts: r.get(8),
            }
        })
        .collect())
}

/// How many doubts a screen or `fleet doubt` shows by default (oldest
/// first); [`doubt_count`] says how many there are in all.
pub const DOUBT_PAGE: i64 = 200;

/// How many transactions are in doubt across the fleet.
pub async fn doubt_count(client: &Client) -> Result<i64, FleetError> {
    Ok(client
        .query_one(
            "SELECT count(*) FROM loket_fleet.transactions WHERE state = 'unknown'",
            &[],
        )
        .await
        .map_err(from_pg)?
        .get(0))
}

/// The oldest `limit` transactions in doubt (the partial index on
/// `state = 'unknown'` in `created_at` order: no scan of the rest).
pub async fn doubts(client: &Client, limit: i64) -> Result<Vec<FleetDoubt>, FleetError> {
    let rows = client
        .query(
            "SELECT x.terminal_id::text, t.label, x.agent_code, x.sid, x.kind, x.amount_sen, \
               x.fee_sen, x.total_sen, x.dest_bank_code, x.dest_account, x.created_at, x.updated_at \
             FROM loket_fleet.transactions x JOIN loket_fleet.terminals t USING (terminal_id) \
             WHERE x.state = 'unknown' ORDER BY x.created_at, x.terminal_id, x.sid LIMIT $1",
            &[&limit.max(1)],
        )
        .await
        .map_err(from_pg)?;
    Ok(rows
        .iter()
        .map(|r| FleetDoubt {
            terminal_id: r.get(0),
            label: r.get(1),
            agent_code: r.get(2),
            sid: r.get(3),
            kind: r.get(4),
            amount_sen: r.get(5),
            fee_sen: r.get(6),
            total_sen: r.get(7),
            dest_bank_code: r.get(8),
            dest_account: r.get(9),
            created_at: r.get(10),
            updated_at: r.get(11),
        })
        .collect())
}

/// Sums per (agent, kind, state) of the transactions created on the WIB
/// day, read from the `daily` rollup `ship()` keeps (a few rows per
/// terminal and day), folded with the same rules as `Journal::day_summary`.
pub async fn summary(client: &Client, date: NaiveDate) -> Result<FleetDay, FleetError> {
    let date = journal::check_day(date)?;
    // Both in one round trip (the driver pipelines concurrent queries).
    let day: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&date];
    let (rows, terminals) = tokio::try_join!(
        client.query(
            "SELECT agent_code, kind, state, sum(n)::bigint, sum(fee_differs)::bigint, \
               sum(amount_sen)::text, sum(fee_sen)::text, sum(total_sen)::text \
             FROM loket_fleet.daily WHERE day = $1 AND n > 0 \
             GROUP BY agent_code, kind, state ORDER BY agent_code, kind, state",
            &day,
        ),
        client.query(
            "SELECT agent_code, count(DISTINCT terminal_id) FROM loket_fleet.daily \
             WHERE day = $1 AND n > 0 GROUP BY agent_code",
            &day,
        )
    )
    .map_err(from_pg)?;
    let mut groups: Vec<(String, Vec<Group>)> = Vec::new();
    let mut all = Vec::new();
    for r in &rows {
        let agent: String = r.get(0);
        let g = Group {
            kind: r.get(1),
            state: r.get(2),
            count: r.get::<_, i64>(3) as u64,
            fee_differs: r.get::<_, i64>(4) as u64,
            amount: num(r.get(5)),
            fee: num(r.get(6)),
            total: num(r.get(7)),
        };
        all.push(g.clone());
        match groups.last_mut() {
            Some((a, v)) if *a == agent => v.push(g),
            _ => groups.push((agent, vec![g])),
        }
    }
    let agents = groups
        .into_iter()
        .map(|(agent_code, gs)| AgentDay {
            terminals: terminals
                .iter()
                .find(|r| r.get::<_, String>(0) == agent_code)
                .map(|r| r.get(1))
                .unwrap_or(0),
            summary: fold(date, &gs),
            agent_code,
        })
        .collect();
    Ok(FleetDay {
        date,
        agents,
        total: fold(date, &all),
    })
}

#[derive(Debug, Clone)]
struct Group {
    kind: String,
    state: String,
    count: u64,
    fee_differs: u64,
    amount: i128,
    fee: i128,
    total: i128,
}

fn num(text: String) -> i128 {
    text.parse().unwrap_or(0)
}

fn rupiah(sen: i128) -> Rupiah {
    Rupiah::from_sen(i64::try_from(sen).unwrap_or(if sen < 0 { i64::MIN } else { i64::MAX }))
}

/// The journal's day-summary rules (crates/journal history.rs) over groups.
fn fold(date: NaiveDate, groups: &[Group]) -> DaySummary {
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
        fee_differences += g.fee_differs;
        let (Some(kind), Some(state)) = (Kind::parse(&g.kind), State::parse(&g.state)) else {
            continue;
        };
        let idx = match per_kind.iter().position(|(k, _, _)| *k == kind) {
            Some(i) => i,
            None => {
                per_kind.push((kind, KindSummary::default(), Sums::default()));
                per_kind.len() - 1
            }
        };
        let (_, entry, sums) = &mut per_kind[idx];
        let happened = match state {
            State::Succeeded => {
                entry.succeeded += g.count;
                true
            }
            State::Reversed => {
                entry.succeeded += g.count;
                entry.reversed += g.count;
                true
            }
            State::Failed => {
                entry.failed += g.count;
                false
            }
            State::Unknown => {
                entry.unknown += g.count;
                if kind.moves_money() || kind == Kind::Reversal {
                    in_doubt += g.count;
                    doubt_total += g.total;
                }
                false
            }
            _ => false,
        };
        if happened {
            sums.amount += g.amount;
            sums.fee += g.fee;
            sums.total += g.total;
            if kind.moves_money() {
                fees += g.fee;
                cash_in += g.total;
            } else if kind == Kind::Reversal {
                refunded += g.fee;
                returned += g.total;
            }
        }
    }
    per_kind.sort_by_key(|(k, _, _)| *k);
    DaySummary {
        date,
        kinds: per_kind
            .into_iter()
            .map(|(k, mut e, s)| {
                e.amount = rupiah(s.amount);
                e.admin_fee = rupiah(s.fee);
                e.total = rupiah(s.total);
                (k, e)
            })
            .collect(),
        admin_fees: rupiah(fees),
        cash_in: rupiah(cash_in),
        fees_refunded: rupiah(refunded),
        cash_returned: rupiah(returned),
        net_admin_fees: rupiah(fees - refunded),
        net_cash: rupiah(cash_in - returned),
        in_doubt,
        in_doubt_total: rupiah(doubt_total),
        fee_differences,
    }
}

/// Adds day summaries (of several terminals' own journals) the way the
/// fleet does: what the fleet total must equal.
pub fn add_summaries(date: NaiveDate, parts: &[DaySummary]) -> DaySummary {
    let s =
        |f: &dyn Fn(&DaySummary) -> i64| -> i128 { parts.iter().map(|p| i128::from(f(p))).sum() };
    let mut kinds: Vec<(Kind, KindSummary)> = Vec::new();
    for p in parts {
        for (k, e) in &p.kinds {
            match kinds.iter_mut().find(|(kk, _)| kk == k) {
                Some((_, acc)) => {
                    acc.succeeded += e.succeeded;
                    acc.failed += e.failed;
                    acc.unknown += e.unknown;
                    acc.reversed += e.reversed;
                    acc.amount = rupiah(i128::from(acc.amount.sen()) + i128::from(e.amount.sen()));
                    acc.admin_fee =
                        rupiah(i128::from(acc.admin_fee.sen()) + i128::from(e.admin_fee.sen()));
                    acc.total = rupiah(i128::from(acc.total.sen()) + i128::from(e.total.sen()));
                }
                None => kinds.push((*k, e.clone())),
            }
        }
    }
    kinds.sort_by_key(|(k, _)| *k);
    DaySummary {
        date,
        kinds,
        admin_fees: rupiah(s(&|p| p.admin_fees.sen())),
        cash_in: rupiah(s(&|p| p.cash_in.sen())),
        fees_refunded: rupiah(s(&|p| p.fees_refunded.sen())),
        cash_returned: rupiah(s(&|p| p.cash_returned.sen())),
        net_admin_fees: rupiah(s(&|p| p.net_admin_fees.sen())),
        net_cash: rupiah(s(&|p| p.net_cash.sen())),
        in_doubt: parts.iter().map(|p| p.in_doubt).sum(),
        in_doubt_total: rupiah(s(&|p| p.in_doubt_total.sen())),
        fee_differences: parts.iter().map(|p| p.fee_differences).sum(),
    }
}

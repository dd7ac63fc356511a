//! Reconciliation of the terminal's journal against the agent's bank
//! statement: which transactions the bank booked as the terminal did
//! (matched), which the terminal booked and the bank did not (journal-only),
//! and which the bank booked without the terminal (statement-only, a
//! question for the supervisor). A transaction still in doubt whose debit
//! is on the statement is listed as resolvable, with its line.
//!
//! Pairing runs in linear time (a sort only for input out of time order,
//! which providers and the journal do not give): first by reference (a
//! journal sid carried in a line's description or reference, which also
//! gathers a fee booked as a separate line), then by hash buckets of
//! (direction, amount including the fee) walked in time order with one
//! cursor per bucket, inside a time window around the journal time.

mod evidence;

use std::collections::HashMap;

pub use evidence::{judge, same_account, Judgement, Verdict, Why};

use chrono::{DateTime, Duration, Utc};
use journal::{Kind, State, TransactionRecord};
use money::Rupiah;
use mutasi::{Direction, StatementLine};
use serde::Serialize;

/// One journal transaction as the statement should show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    pub sid: String,
    pub kind: Kind,
    pub state: State,
    pub created_at: DateTime<Utc>,
    /// Debit for money out of the agent's account, credit for a reversal.
    #[serde(rename = "type")]
    pub direction: Direction,
    /// Amount plus admin fee: what the account moved by.
    pub total: Rupiah,
}

impl JournalEntry {
    /// The entry a journal row should leave on the statement; `None` for
    /// rows that move no money or never did (failed, cancelled, drafts).
    pub fn from_record(r: &TransactionRecord) -> Option<JournalEntry> {
        let direction = match r.kind {
            Kind::OpenAccount
            | Kind::Deposit
            | Kind::IntrabankTransfer
            | Kind::InterbankTransfer => Direction::Debit,
            Kind::Reversal => Direction::Credit,
            _ => return None,
        };
        let counts = match r.kind {
            Kind::Reversal => r.state == State::Succeeded,
            _ => matches!(r.state, State::Succeeded | State::Reversed | State::Unknown),
        };
        if !counts {
            return None;
        }
        let total = r.total.or(r.amount)?;
        if !total.is_positive() {
            return None;
        }
        Some(JournalEntry {
            sid: r.sid.clone(),
            kind: r.kind,
            state: r.state,
            created_at: r.created_at,
            direction,
            total,
        })
    }

    fn signed_sen(&self) -> i64 {
        match self.direction {
            Direction::Credit => self.total.sen(),
            Direction::Debit => -self.total.sen(),
        }
    }
}

/// How far a line's booking time may be from the journal time.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// A line booked up to this long before the journal time (clock skew).
    pub before: Duration,
    /// A line booked up to this long after (banks book late, across days).
    pub after: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            before: Duration::minutes(10),
            after: Duration::days(3),
        }
    }
}

/// How a pair was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// The line carries the journal sid.
    Reference,
    /// Same direction and amount, inside the time window.
    AmountAndTime,
}

/// A journal transaction and the statement line(s) that show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    pub entry: JournalEntry,
    pub lines: Vec<StatementLine>,
    pub by: MatchedBy,
}

/// Debit and credit totals of one side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SideTotals {
    pub count: usize,
    pub debit: Rupiah,
    pub credit: Rupiah,
}

impl SideTotals {
    fn add(&mut self, direction: Direction, amount: Rupiah) {
        self.count += 1;
        let slot = match direction {
            Direction::Debit => &mut self.debit,
            Direction::Credit => &mut self.credit,
        };
        *slot = slot.checked_add(amount).unwrap_or(*slot);
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub journal: SideTotals,
    pub statement: SideTotals,
    pub matched: SideTotals,
    pub journal_only: SideTotals,
    pub statement_only: SideTotals,
}

/// The outcome of a reconciliation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub matched: Vec<Pair>,
    /// In doubt in the journal, and its debit is on the statement: can be
    /// resolved as succeeded from the line.
    pub resolvable: Vec<Pair>,
    /// Booked by the terminal, not (yet) by the bank.
    pub journal_only: Vec<JournalEntry>,
    /// Booked by the bank, not by this terminal.
    pub statement_only: Vec<StatementLine>,
    pub totals: Totals,
}

impl Report {
    /// Nothing on one side only (resolvable doubts count as unmatched until resolved).
    pub fn is_clean(&self) -> bool {
        self.journal_only.is_empty() && self.statement_only.is_empty() && self.resolvable.is_empty()
    }
}

/// Every run of exactly 16 digits in a text: the sids (refnums) it carries.
fn references(text: &str, out: &mut Vec<String>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 16 {
                out.push(text[start..i].to_owned());
            }
        } else {
            i += 1;
        }
    }
}

/// The span of time a line may have been booked in: a date-only line could
/// be any time that WIB day.
fn line_span(l: &StatementLine) -> (DateTime<Utc>, DateTime<Utc>) {
    if l.date_only {
        (l.posted_at, l.posted_at + Duration::days(1))
    } else {
        (l.posted_at, l.posted_at)
    }
}

/// Pairs `records` (journal rows) with `lines` (one account's statement).
pub fn reconcile(records: &[TransactionRecord], lines: &[StatementLine], opts: &Options) -> Report {
    let mut entries: Vec<JournalEntry> = records
        .iter()
        .filter_map(JournalEntry::from_record)
        .collect();
    // The journal hands rows over in time order already: sort only if not.
    let key = |e: &JournalEntry| (e.created_at, e.sid.clone());
    if !entries.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
        entries.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.sid.cmp(&b.sid)));
    }
    reconcile_entries(entries, lines, opts)
}

/// A fast hash for keys that are already well spread (amounts, sids as
/// numbers, provider ids): the default SipHash costs more than the pairing
/// itself at a million lines, and these keys come from the agent's own
/// statement and journal, not from an attacker choosing collisions.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        // The multiply-rotate steps leave the low bits of the state
        // depending only on the low bits of each word, and the map picks
        // buckets by the low bits: provider ids like "L1".."L999999" (the
        // same first byte) then fell into a few dozen buckets and a million
        // lines took seconds. A full avalanche (splitmix64's finalizer)
        // spreads every input bit over the low bits.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
}

type FxBuild = std::hash::BuildHasherDefault<Fx>;

/// "No line": the end of a chain of line indices.
const NONE: u32 = u32::MAX;

/// A sid of exactly 16 digits as a number (every reference is one).
fn sid_number(sid: &str) -> Option<u64> {
    (sid.len() == 16 && sid.bytes().all(|b| b.is_ascii_digit()))
        .then(|| sid.parse().ok())
        .flatten()
}

/// Lines sharing a key, as a chain through `next` in the order they were
/// added; `cursor` walks it (pass 2).
#[derive(Clone, Copy)]
struct Chain {
    head: u32,
    tail: u32,
    cursor: u32,
}

impl Chain {
    fn push(chain: Option<&mut Chain>, next: &mut [u32], at: u32) -> Option<Chain> {
        match chain {
            Some(c) => {
                next[c.tail as usize] = at;
                c.tail = at;
                None
            }
            None => Some(Chain {
                head: at,
                tail: at,
                cursor: at,
            }),
        }
    }
}

/// [`reconcile`] from entries already made (and sorted by time).
///
/// Linear: the lines are indexed once by hash (no per-bucket sort when the
/// statement is in time order, as providers give it; one sort of the line
/// indices otherwise), the lines themselves are never copied except into the
/// report, and the working memory is a few words per line.
pub fn reconcile_entries(
    mut entries: Vec<JournalEntry>,
    lines: &[StatementLine],
    opts: &Options,
) -> Report {
    // A line repeated (Moota pages shift when a mutation arrives between
    // fetches) is one line: reconcile the de-duplicated list.
    let unique: Vec<&StatementLine> = {
        let mut seen: std::collections::HashSet<(mutasi::ProviderKind, &str), FxBuild> =
            std::collections::HashSet::with_capacity_and_hasher(lines.len(), FxBuild::default());
        lines
            .iter()
            .filter(|l| seen.insert((l.provider, l.provider_id.as_str())))
            .collect()
    };
    let lines = unique.as_slice();
    let mut report = Report::default();
    for e in &entries {
        report.totals.journal.add(e.direction, e.total);
    }
    for l in lines {
        report.totals.statement.add(l.direction, l.amount);
    }
    let Ok(count) = u32::try_from(lines.len()) else {
        // Four billion lines of one account do not happen; refuse to pair
        // rather than pair wrongly.
        for e in entries {
            report.totals.journal_only.add(e.direction, e.total);
            report.journal_only.push(e);
        }
        return report;
    };

    let mut used = vec![false; lines.len()];
    // Pass 1: by reference. sid (as a number) -> chain of (line) occurrences.
    let mut by_ref: HashMap<u64, Chain, FxBuild> = HashMap::default();
    let mut occ_line: Vec<u32> = Vec::new();
    let mut occ_next: Vec<u32> = Vec::new();
    let mut refs = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        refs.clear();
        references(&l.description, &mut refs);
        if let Some(r) = &l.reference {
            references(r, &mut refs);
        }
        refs.dedup();
        for r in refs.drain(..) {
            let Some(n) = sid_number(&r) else { continue };
            let at = occ_line.len() as u32;
            occ_line.push(i as u32);
            occ_next.push(NONE);
            if let Some(new) = Chain::push(by_ref.get_mut(&n), &mut occ_next, at) {
                by_ref.insert(n, new);
            }
        }
    }
    let mut pending: Vec<JournalEntry> = Vec::with_capacity(entries.len());
    let mut group: Vec<usize> = Vec::new();
    for e in entries.drain(..) {
        group.clear();
        if let Some(chain) = sid_number(&e.sid).and_then(|n| by_ref.get(&n)) {
            let mut at = chain.head;
            while at != NONE {
                let i = occ_line[at as usize] as usize;
                if !used[i] && !group.contains(&i) {
                    group.push(i);
                }
                at = occ_next[at as usize];
            }
        }
        let net: i64 = group.iter().map(|&i| lines[i].signed_sen()).sum();
        if !group.is_empty() && net == e.signed_sen() {
            for &i in &group {
                used[i] = true;
            }
            let pair = Pair {
                lines: group.iter().map(|&i| lines[i].clone()).collect(),
                entry: e,
                by: MatchedBy::Reference,
            };
            push_pair(&mut report, pair);
        } else {
            pending.push(e);
        }
    }
    drop((by_ref, occ_line, occ_next));

    // Pass 2: by (direction, amount), in time order, one cursor per bucket.
    // Each bucket is a chain of line indices in booking order: the
    // statement's own order when it is in time order (checked in one pass),
    // else the indices sorted once.
    let span_key = |i: u32| {
        let l = lines[i as usize];
        (line_span(l).1, l.posted_at)
    };
    let mut order: Vec<u32> = (0..count).filter(|&i| !used[i as usize]).collect();
    if !order.windows(2).all(|w| span_key(w[0]) <= span_key(w[1])) {
        order.sort_by_key(|&i| span_key(i));
    }
    let mut next = vec![NONE; lines.len()];
    let mut buckets: HashMap<(Direction, i64), Chain, FxBuild> = HashMap::default();
    for &i in &order {
        let l = lines[i as usize];
        let key = (l.direction, l.amount.sen());
        if let Some(new) = Chain::push(buckets.get_mut(&key), &mut next, i) {
            buckets.insert(key, new);
        }
    }
    drop(order);
    // Booked transactions pair before doubts: a line of the same amount is
    // more likely a booked one's than a doubt's (which may never have
    // reached the bank), and the display must not hand a succeeded
    // transaction's debit to a doubt. Settling is judged apart, by
    // [`judge`]. Both walks are in time order (a stable partition of
    // entries already in time order; sorted only if they are not).
    if !pending
        .windows(2)
        .all(|w| w[0].created_at <= w[1].created_at)
    {
        pending.sort_by_key(|e| e.created_at);
    }
    let (booked, doubts): (Vec<JournalEntry>, Vec<JournalEntry>) =
        pending.into_iter().partition(|e| e.state != State::Unknown);
    for (walk, list) in [booked, doubts].into_iter().enumerate() {
        if walk == 1 {
            // The second, time-ordered walk (doubts) starts its cursors over.
            for chain in buckets.values_mut() {
                chain.cursor = chain.head;
            }
        }
        for e in list {
            let lo = e.created_at - opts.before;
            let hi = e.created_at + opts.after;
            let mut found = None;
            if let Some(chain) = buckets.get_mut(&(e.direction, e.total.sen())) {
                // Lines that ended before this entry's window end before every
                // later entry's window too: the cursor never moves back.
                while chain.cursor != NONE {
                    let i = chain.cursor as usize;
                    if used[i] || line_span(lines[i]).1 < lo {
                        chain.cursor = next[i];
                    } else {
                        break;
                    }
                }
                if chain.cursor != NONE {
                    let i = chain.cursor as usize;
                    if line_span(lines[i]).0 <= hi {
                        used[i] = true;
                        chain.cursor = next[i];
                        found = Some(i);
                    }
                }
            }
            match found {
                Some(i) => push_pair(
                    &mut report,
                    Pair {
                        entry: e,
                        lines: vec![lines[i].clone()],
                        by: MatchedBy::AmountAndTime,
                    },
                ),
                None => {
                    report.totals.journal_only.add(e.direction, e.total);
                    report.journal_only.push(e);
                }
            }
        }
    }
    for (i, l) in lines.iter().enumerate() {
        if !used[i] {
            report.totals.statement_only.add(l.direction, l.amount);
            report.statement_only.push((*l).clone());
        }
    }
    report
}

fn push_pair(report: &mut Report, pair: Pair) {
    if pair.entry.state == State::Unknown {
        report.resolvable.push(pair);
    } else {
        report
            .totals
            .matched
            .add(pair.entry.direction, pair.entry.total);
        report.matched.push(pair);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use journal::Destination;
    use mutasi::ProviderKind;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 5, h, m, 0).unwrap()
    }

    /// The keys the pairing hashes (provider ids sharing their first bytes,
    /// amounts in whole rupiah, sids a step apart) spread over the low bits
    /// the map picks buckets by. Without a finalizer, 4,096 ids "L0".."L4095"
    /// hashed as (provider, id) took 32 of 4,096 low-bit values and a
    /// million lines took 7 s instead of well under one.
    #[test]
    fn the_fast_hash_spreads_look_alike_keys_over_the_low_bits() {
        use std::hash::BuildHasher;
        let build = FxBuild::default();
        let low = |h: u64| h & 0xfff;
        let distinct = |hashes: Vec<u64>| {
            hashes
                .into_iter()
                .map(low)
                .collect::<std::collections::HashSet<_>>()
                .len()
        };
        let ids = distinct(
            (0..4096)
                .map(|i| build.hash_one((ProviderKind::Bri, format!("L{i}").as_str())))
                .collect(),
        );
        let amounts = distinct(
            (0..4096i64)
                .map(|i| build.hash_one((Direction::Debit, 1_000_000 + i * 100)))
                .collect(),
        );
        let sids = distinct(
            (0..4096u64)
                .map(|i| build.hash_one(2_601_010_000_000_000 + i * 10))
                .collect(),
        );
        // A random function gives about 2,590 of 4,096; ask for well over half.
        for (what, n) in [("ids", ids), ("amounts", amounts), ("sids", sids)] {
            assert!(n > 2_300, "{what}: {n} of 4096 low-bit values");
        }
    }

    fn record(
        sid: &str,
        kind: Kind,
        state: State,
        total: i64,
        t: DateTime<Utc>,
    ) -> TransactionRecord {
        TransactionRecord {
            sid: sid.into(),
            kind,
            state,
            created_at: t,
            updated_at: t,
            operator: "op".into(),
            agent_code: "A".into(),
            amount: Some(Rupiah::from_sen(total)),
            admin_fee: None,
            total: Some(Rupiah::from_sen(total)),
            destination: Destination::default(),
            narration: None,
            inquiry_ref: None,
            bank_reference: None,
            bank_code: None,
            bank_message: None,
            override_of: None,
            resolution: None,
            resolution_note: None,
            resolved_by: None,
        }
    }

    fn line(id: &str, dir: Direction, sen: i64, t: DateTime<Utc>, desc: &str) -> StatementLine {
        StatementLine {
            provider: ProviderKind::Bri,
            account: "4447".into(),
            posted_at: t,
            date_only: false,
            direction: dir,
            amount: Rupiah::from_sen(sen),
            balance: None,
            description: desc.into(),
            provider_id: id.into(),
            reference: None,
        }
    }

    #[test]
    fn pairs_by_reference_then_amount_and_time() {
        let records = vec![
            record(
                "2601051200000001",
                Kind::Deposit,
                State::Succeeded,
                2_600_000,
                at(5, 0),
            ),
            record(
                "2601051200000002",
                Kind::InterbankTransfer,
                State::Succeeded,
                5_650_000,
                at(6, 0),
            ),
            record(
                "2601051200000003",
                Kind::Deposit,
                State::Unknown,
                1_000_000,
                at(7, 0),
            ),
            record(
                "2601051200000004",
                Kind::Deposit,
                State::Succeeded,
                900_000,
                at(8, 0),
            ),
            record(
                "2601051200000005",
                Kind::Deposit,
                State::Failed,
                700_000,
                at(8, 30),
            ),
        ];
        let lines = vec![
            // The deposit with its fee as two lines carrying the sid.
            line(
                "a",
                Direction::Debit,
                2_500_000,
                at(5, 0),
                "SETOR 2601051200000001",
            ),
            line(
                "b",
                Direction::Debit,
                100_000,
                at(5, 0),
                "BIAYA ADMIN 2601051200000001",
            ),
            // No reference: matched on amount and time.
            line("c", Direction::Debit, 5_650_000, at(6, 2), "TRF"),
            // The doubtful deposit's debit.
            line(
                "d",
                Direction::Debit,
                1_000_000,
                at(7, 0),
                "SETOR 2601051200000003",
            ),
            // Not the terminal's.
            line("e", Direction::Credit, 10_000_000, at(9, 0), "TOPUP"),
        ];
        let r = reconcile(&records, &lines, &Options::default());
        assert_eq!(r.matched.len(), 2);
        assert_eq!(r.matched[0].by, MatchedBy::Reference);
        assert_eq!(r.matched[0].lines.len(), 2);
        assert_eq!(r.matched[1].by, MatchedBy::AmountAndTime);
        assert_eq!(r.resolvable.len(), 1);
        assert_eq!(r.resolvable[0].entry.sid, "2601051200000003");
        assert_eq!(r.journal_only.len(), 1);
        assert_eq!(r.journal_only[0].sid, "2601051200000004");
        assert_eq!(r.statement_only.len(), 1);
        assert_eq!(r.statement_only[0].provider_id, "e");
        assert_eq!(r.totals.journal.count, 4);
        assert_eq!(r.totals.statement.credit, Rupiah::from_sen(10_000_000));
        assert!(!r.is_clean());
    }

    #[test]
    fn outside_the_window_does_not_pair() {
        let records = vec![record(
            "2601051200000009",
            Kind::Deposit,
            State::Succeeded,
            500,
            at(10, 0),
        )];
        let early = vec![line("x", Direction::Debit, 500, at(9, 0), "")];
        let r = reconcile(&records, &early, &Options::default());
        assert_eq!(
            (
                r.matched.len(),
                r.journal_only.len(),
                r.statement_only.len()
            ),
            (0, 1, 1)
        );
        // A date-only line of the same WIB day pairs.
        let mut day = line(
            "y",
            Direction::Debit,
            500,
            at(0, 0) - Duration::hours(7),
            "",
        );
        day.date_only = true;
        let r = reconcile(&records, &[day], &Options::default());
        assert_eq!(r.matched.len(), 1);
    }

    #[test]
    fn equal_amounts_pair_one_to_one_in_time_order() {
        let records: Vec<_> = (0..3)
            .map(|i| {
                record(
                    &format!("26010512000001{i:02}"),
                    Kind::Deposit,
                    State::Succeeded,
                    100,
                    at(10 + i, 0),
                )
            })
            .collect();
        let lines: Vec<_> = (0..3)
            .map(|i| line(&format!("l{i}"), Direction::Debit, 100, at(10 + i, 1), ""))
            .collect();
        let r = reconcile(&records, &lines, &Options::default());
        assert_eq!(r.matched.len(), 3);
        for (i, p) in r.matched.iter().enumerate() {
            assert_eq!(p.lines[0].provider_id, format!("l{i}"));
        }
        assert!(r.is_clean());
    }
}

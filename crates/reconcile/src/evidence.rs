//! The rule of evidence: when a statement line may settle a transaction in
//! doubt as succeeded. This is the one place the CLI (`loket reconcile
//! --resolve`) and the desktop (F11) both go through, via
//! `teller::Teller::resolve_from_statement`.
//!
//! A line settles a doubt only when it can be nobody else's:
//! - it is on the agent's own account (the one the terminal is bound to);
//! - it carries the doubt's sid (settles first, principal and fee lines
//!   together when they net to the total), or else it is one debit of
//!   exactly the transaction's total inside the transaction's window;
//! - it was never used as evidence before (the journal keeps used lines);
//! - no credit of the same amount follows it inside the window (a reversal);
//! - it is the only candidate: no second line could match the doubt, and no
//!   other transaction (in doubt or succeeded) of the same total could claim
//!   the line. Otherwise nothing is settled and every candidate is shown.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use journal::{State, TransactionRecord, UsedLine};
use mutasi::{Direction, StatementLine};
use serde::Serialize;

use crate::{line_span, references, JournalEntry, MatchedBy, Options};

/// Why a doubt is not settled from the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// No line of the agent's account could be its debit.
    NoLine,
    /// Lines carry its sid but do not add up to its total.
    ReferenceMismatch,
    /// Its line was already used as evidence for another transaction.
    Used,
    /// More than one line could be its debit.
    SeveralLines,
    /// Another transaction of the same total could claim the line.
    OtherTransaction,
    /// A credit of the same amount follows the debit: it was undone.
    Reversed,
}

impl Why {
    /// In words for the supervisor, Bahasa Indonesia first.
    pub fn text(self) -> words::Text {
        match self {
            Why::NoLine => {
                words::text!("tidak ada baris debit yang cocok", "no matching debit line")
            }
            Why::ReferenceMismatch => {
                words::text!(
                    "baris dengan sid ini tidak berjumlah total transaksi",
                    "the lines carrying this sid do not add up to its total"
                )
            }
            Why::Used => {
                words::text!(
                    "baris ini sudah dipakai sebagai bukti",
                    "the line was already used as evidence"
                )
            }
            Why::SeveralLines => {
                words::text!(
                    "lebih dari satu baris bisa cocok",
                    "more than one line could match"
                )
            }
            Why::OtherTransaction => {
                words::text!(
                    "transaksi lain dengan total sama bisa memiliki baris ini",
                    "another transaction of the same total could claim the line"
                )
            }
            Why::Reversed => {
                words::text!(
                    "debit diikuti kredit yang sama (dibatalkan)",
                    "the debit is followed by an equal credit (undone)"
                )
            }
        }
    }
}

/// What the rule decides for one transaction in doubt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// These lines (one, or principal and fee carrying the sid) settle it.
    Settle {
        lines: Vec<StatementLine>,
        by: MatchedBy,
    },
    /// Not settled: the supervisor sees every candidate line and every
    /// other transaction that could claim them.
    Undecided {
        why: Why,
        candidates: Vec<StatementLine>,
        rivals: Vec<String>,
    },
}

/// One transaction in doubt and the rule's verdict on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judgement {
    pub entry: JournalEntry,
    #[serde(flatten)]
    pub verdict: Verdict,
}

impl Judgement {
    pub fn settles(&self) -> bool {
        matches!(self.verdict, Verdict::Settle { .. })
    }
}

/// Whether two account numbers name the same account: digits only, leading
/// zeros aside (BRI pads to 15 digits).
pub fn same_account(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let d: String = s.chars().filter(char::is_ascii_alphanumeric).collect();
        d.trim_start_matches('0').to_owned()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

/// A line's key in the journal's evidence table.
fn key(l: &StatementLine) -> (String, String) {
    (l.provider.as_str().to_owned(), l.provider_id.clone())
}

fn overlaps(l: &StatementLine, lo: DateTime<Utc>, hi: DateTime<Utc>) -> bool {
    let (s0, s1) = line_span(l);
    s1 >= lo && s0 <= hi
}

fn window(e: &JournalEntry, opts: &Options) -> (DateTime<Utc>, DateTime<Utc>) {
    (e.created_at - opts.before, e.created_at + opts.after)
}

/// Applies the rule to every transaction in doubt in `records`.
///
/// `records` must hold every journal row whose window could reach the lines
/// (the caller reads the journal `opts.after` before the first line's day
/// through `opts.before` after the last); `lines` is one provider's
/// statement; `own_account` the account the terminal is bound to; `used`
/// the lines the journal already used as evidence.
pub fn judge(
    records: &[TransactionRecord],
    lines: &[StatementLine],
    own_account: &str,
    used: &[UsedLine],
    opts: &Options,
) -> Vec<Judgement> {
    // The same line twice (a page repeated, a cache merged) is one line.
    let mut seen = HashSet::new();
    let own: Vec<&StatementLine> = lines
        .iter()
        .filter(|l| same_account(&l.account, own_account))
        .filter(|l| seen.insert(key(l)))
        .collect();
    let used_keys: HashSet<(String, String)> = used
        .iter()
        .map(|u| (u.provider.clone(), u.provider_id.clone()))
        .collect();
    let claimed: HashSet<&str> = used.iter().map(|u| u.sid.as_str()).collect();
    let journal_sids: HashSet<&str> = records.iter().map(|r| r.sid.as_str()).collect();

    // sids each line carries, and lines by sid.
    let mut refs_of: Vec<Vec<String>> = Vec::with_capacity(own.len());
    let mut by_ref: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, l) in own.iter().enumerate() {
        let mut refs = Vec::new();
        references(&l.description, &mut refs);
        if let Some(r) = &l.reference {
            references(r, &mut refs);
        }
        refs.sort();
        refs.dedup();
        for r in &refs {
            by_ref.entry(r.clone()).or_default().push(i);
        }
        refs_of.push(refs);
    }

    let entries: Vec<JournalEntry> = records
        .iter()
        .filter_map(JournalEntry::from_record)
        .collect();
    // Transactions that may own a debit line: booked, or perhaps booked.
    // One whose sid is on a line, or that was settled from a line before,
    // is accounted for by that line and claims no other.
    let mut rivals_by_total: HashMap<i64, Vec<&JournalEntry>> = HashMap::new();
    for e in &entries {
        if e.direction == Direction::Debit
            && matches!(e.state, State::Unknown | State::Succeeded | State::Reversed)
            && !claimed.contains(e.sid.as_str())
            && !by_ref.contains_key(&e.sid)
        {
            rivals_by_total.entry(e.total.sen()).or_default().push(e);
        }
    }

    let mut out = Vec::new();
    for e in &entries {
        if e.state != State::Unknown || e.direction != Direction::Debit {
            continue;
        }
        let undecided = |why, candidates: Vec<StatementLine>, rivals: Vec<String>| Judgement {
            entry: e.clone(),
            verdict: Verdict::Undecided {
                why,
                candidates,
                rivals,
            },
        };
        // 1. Lines carrying the sid decide alone.
        if let Some(group) = by_ref.get(&e.sid) {
            let lines: Vec<StatementLine> = group.iter().map(|&i| own[i].clone()).collect();
            let net: i64 = lines.iter().map(StatementLine::signed_sen).sum();
            let verdict = if lines.iter().any(|l| used_keys.contains(&key(l))) {
                undecided(Why::Used, lines, Vec::new())
            } else if net == -e.total.sen() {
                Judgement {
                    entry: e.clone(),
                    verdict: Verdict::Settle {
                        lines,
                        by: MatchedBy::Reference,
                    },
                }
            } else {
                undecided(Why::ReferenceMismatch, lines, Vec::new())
            };
            out.push(verdict);
            continue;
        }
        // 2. A debit of exactly the total inside the window, carrying no
        // other transaction's sid.
        let (lo, hi) = window(e, opts);
        let mut fresh = Vec::new();
        let mut spent = Vec::new();
        for (i, l) in own.iter().enumerate() {
            if l.direction != Direction::Debit
                || l.amount != e.total
                || !overlaps(l, lo, hi)
                || refs_of[i]
                    .iter()
                    .any(|r| r != &e.sid && journal_sids.contains(r.as_str()))
            {
                continue;
            }
            if used_keys.contains(&key(l)) {
                spent.push((*l).clone());
            } else {
                fresh.push((*l).clone());
            }
        }
        let line = match fresh.len() {
            0 if spent.is_empty() => {
                out.push(undecided(Why::NoLine, Vec::new(), Vec::new()));
                continue;
            }
            0 => {
                out.push(undecided(Why::Used, spent, Vec::new()));
                continue;
            }
            1 => fresh.remove(0),
            _ => {
                out.push(undecided(Why::SeveralLines, fresh, Vec::new()));
                continue;
            }
        };
        // Undone: a credit of the same amount at or after the debit, inside
        // the window.
        let reversal: Vec<StatementLine> = own
            .iter()
            .filter(|c| {
                c.direction == Direction::Credit
                    && c.amount == line.amount
                    && line_span(c).1 >= line.posted_at
                    && line_span(c).0 <= hi
            })
            .map(|c| (*c).clone())
            .collect();
        if !reversal.is_empty() {
            let mut candidates = vec![line];
            candidates.extend(reversal);
            out.push(undecided(Why::Reversed, candidates, Vec::new()));
            continue;
        }
        let rivals: Vec<String> = rivals_by_total
            .get(&e.total.sen())
            .into_iter()
            .flatten()
            .filter(|r| r.sid != e.sid)
            .filter(|r| {
                let (rlo, rhi) = window(r, opts);
                overlaps(&line, rlo, rhi)
            })
            .map(|r| r.sid.clone())
            .collect();
        if !rivals.is_empty() {
            out.push(undecided(Why::OtherTransaction, vec![line], rivals));
            continue;
        }
        out.push(Judgement {
            entry: e.clone(),
            verdict: Verdict::Settle {
                lines: vec![line],
                by: MatchedBy::AmountAndTime,
            },
        });
    }
    out
}

//! The rule of evidence (issue 11): the review's cases as examples, and a
//! property test over generated journals and statements showing the rule
//! never settles a transaction from a line another could claim and never
//! uses one line twice.

use std::collections::HashSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use journal::{Destination, Kind, State, TransactionRecord, UsedLine};
use money::Rupiah;
use mutasi::{Direction, ProviderKind, StatementLine};
use proptest::prelude::*;
use reconcile::{judge, same_account, Judgement, MatchedBy, Options, Verdict, Why};

const OWN: &str = "4447";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 3, 0, 0).unwrap()
}

fn record(sid: &str, state: State, total: i64, t: DateTime<Utc>) -> TransactionRecord {
    TransactionRecord {
        sid: sid.into(),
        kind: Kind::Deposit,
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

fn line(id: &str, account: &str, dir: Direction, sen: i64, t: DateTime<Utc>) -> StatementLine {
    StatementLine {
        provider: ProviderKind::Mutasibank,
        account: account.into(),
        posted_at: t,
        date_only: false,
        direction: dir,
        amount: Rupiah::from_sen(sen),
        balance: None,
        description: "TRF".into(),
        provider_id: id.into(),
        reference: None,
    }
}

fn verdict_of<'a>(js: &'a [Judgement], sid: &str) -> &'a Verdict {
    &js.iter()
        .find(|j| j.entry.sid == sid)
        .expect("judged")
        .verdict
}

const A: &str = "2601051000000001";
const B: &str = "2601051000000002";
const C: &str = "2601051000000003";

#[test]
fn another_transactions_debit_does_not_settle_a_doubt() {
    // A: Rp250.000 in doubt (never reached the bank); B: the same retried
    // with --override, succeeded; only B's debit is on the statement.
    let records = vec![
        record(A, State::Unknown, 25_000_000, t0()),
        record(B, State::Succeeded, 25_000_000, t0() + Duration::minutes(2)),
    ];
    let lines = vec![line(
        "b",
        OWN,
        Direction::Debit,
        25_000_000,
        t0() + Duration::minutes(2),
    )];
    let js = judge(&records, &lines, OWN, &[], &Options::default());
    match verdict_of(&js, A) {
        Verdict::Undecided {
            why,
            candidates,
            rivals,
        } => {
            assert_eq!(*why, Why::OtherTransaction);
            assert_eq!(candidates[0].provider_id, "b");
            assert_eq!(rivals, &vec![B.to_owned()]);
        }
        v => panic!("{v:?}"),
    }
    // And the display pairs B with its own line, not A.
    let r = reconcile::reconcile(&records, &lines, &Options::default());
    assert_eq!(r.matched.len(), 1);
    assert_eq!(r.matched[0].entry.sid, B);
    assert!(r.resolvable.is_empty());
}

#[test]
fn a_reversed_debit_does_not_settle() {
    let records = vec![record(C, State::Unknown, 15_000_000, t0())];
    let lines = vec![
        line("d", OWN, Direction::Debit, 15_000_000, t0()),
        line(
            "r",
            OWN,
            Direction::Credit,
            15_000_000,
            t0() + Duration::hours(1),
        ),
    ];
    let js = judge(&records, &lines, OWN, &[], &Options::default());
    assert!(matches!(
        verdict_of(&js, C),
        Verdict::Undecided {
            why: Why::Reversed,
            ..
        }
    ));
}

#[test]
fn another_accounts_debit_does_not_settle() {
    let records = vec![record(A, State::Unknown, 25_000_000, t0())];
    let lines = vec![line("atm", "5555", Direction::Debit, 25_000_000, t0())];
    let js = judge(&records, &lines, OWN, &[], &Options::default());
    assert!(matches!(
        verdict_of(&js, A),
        Verdict::Undecided {
            why: Why::NoLine,
            ..
        }
    ));
    // BRI pads account numbers to 15 digits: still the same account.
    assert!(same_account("000000000004447", OWN));
    assert!(!same_account("", ""));
}

#[test]
fn the_only_candidate_settles_and_a_used_line_never_again() {
    let records = vec![record(A, State::Unknown, 25_000_000, t0())];
    let lines = vec![line(
        "a",
        OWN,
        Direction::Debit,
        25_000_000,
        t0() + Duration::minutes(1),
    )];
    let js = judge(&records, &lines, OWN, &[], &Options::default());
    assert!(matches!(
        verdict_of(&js, A),
        Verdict::Settle {
            by: MatchedBy::AmountAndTime,
            ..
        }
    ));
    let used = vec![UsedLine {
        provider: "mutasibank".into(),
        provider_id: "a".into(),
        sid: "2601040000000009".into(),
    }];
    let js = judge(&records, &lines, OWN, &used, &Options::default());
    assert!(matches!(
        verdict_of(&js, A),
        Verdict::Undecided { why: Why::Used, .. }
    ));
}

#[test]
fn two_lines_for_one_doubt_settle_nothing_and_the_sid_settles_first() {
    let records = vec![record(A, State::Unknown, 100, t0())];
    let mut lines = vec![
        line("x", OWN, Direction::Debit, 100, t0()),
        line("y", OWN, Direction::Debit, 100, t0() + Duration::hours(2)),
    ];
    let js = judge(&records, &lines, OWN, &[], &Options::default());
    assert!(matches!(
        verdict_of(&js, A),
        Verdict::Undecided {
            why: Why::SeveralLines,
            ..
        }
    ));
    lines[1].description = format!("SETOR {A}");
    let js = judge(&records, &lines, OWN, &[], &Options::default());
    match verdict_of(&js, A) {
        Verdict::Settle { lines, by } => {
            assert_eq!(*by, MatchedBy::Reference);
            assert_eq!(lines[0].provider_id, "y");
        }
        v => panic!("{v:?}"),
    }
}

#[test]
fn a_repeated_line_is_one_line() {
    // Moota pages newest first: a line can come twice. It is one candidate.
    let records = vec![record(A, State::Unknown, 100, t0())];
    let l = line("m1", OWN, Direction::Debit, 100, t0());
    let js = judge(&records, &[l.clone(), l], OWN, &[], &Options::default());
    assert!(
        verdict_of(&js, A).clone()
            != Verdict::Undecided {
                why: Why::SeveralLines,
                candidates: vec![],
                rivals: vec![]
            }
    );
    assert!(js[0].settles());
}

// ---- property test ----

#[derive(Debug, Clone)]
struct GenTx {
    state: State,
    total: i64,
    minutes: i64,
}

#[derive(Debug, Clone)]
struct GenLine {
    own: bool,
    credit: bool,
    total: i64,
    minutes: i64,
    /// Carries the sid of this generated transaction (index), if any.
    carries: Option<usize>,
    repeat: bool,
}

fn gen_tx() -> impl Strategy<Value = GenTx> {
    (
        prop_oneof![
            Just(State::Unknown),
            Just(State::Unknown),
            Just(State::Succeeded),
            Just(State::Failed),
            Just(State::Reversed)
        ],
        prop_oneof![Just(100i64), Just(200), Just(300)],
        0i64..(6 * 24 * 60),
    )
        .prop_map(|(state, total, minutes)| GenTx {
            state,
            total,
            minutes,
        })
}

fn gen_line() -> impl Strategy<Value = GenLine> {
    (
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.2),
        prop_oneof![Just(100i64), Just(200), Just(300)],
        -30i64..(7 * 24 * 60),
        prop::option::weighted(0.2, 0usize..8),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(own, credit, total, minutes, carries, repeat)| GenLine {
            own,
            credit,
            total,
            minutes,
            carries,
            repeat,
        })
}

fn sid(i: usize) -> String {
    format!("26010510{i:08}")
}

/// Who could own `l` as its debit: the oracle, written apart from the rule.
fn claimants(
    l: &StatementLine,
    records: &[TransactionRecord],
    lines: &[StatementLine],
    used: &[UsedLine],
    opts: &Options,
) -> Vec<String> {
    records
        .iter()
        .filter(|r| matches!(r.state, State::Unknown | State::Succeeded | State::Reversed))
        .filter(|r| r.total == Some(l.amount))
        .filter(|r| !used.iter().any(|u| u.sid == r.sid))
        .filter(|r| {
            !lines
                .iter()
                .any(|x| same_account(&x.account, OWN) && x.description.contains(&r.sid))
        })
        .filter(|r| {
            l.posted_at >= r.created_at - opts.before && l.posted_at <= r.created_at + opts.after
        })
        .map(|r| r.sid.clone())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn never_settles_from_a_line_another_could_claim_and_never_twice(
        txs in prop::collection::vec(gen_tx(), 1..8),
        gen_lines in prop::collection::vec(gen_line(), 0..12),
    ) {
        let opts = Options::default();
        let mut records: Vec<TransactionRecord> = txs
            .iter()
            .enumerate()
            .map(|(i, t)| record(&sid(i), t.state, t.total, t0() + Duration::minutes(t.minutes)))
            .collect();
        let mut lines = Vec::new();
        for (i, g) in gen_lines.iter().enumerate() {
            let mut l = line(
                &format!("L{i}"),
                if g.own { OWN } else { "5555" },
                if g.credit { Direction::Credit } else { Direction::Debit },
                g.total,
                t0() + Duration::minutes(g.minutes),
            );
            if let Some(k) = g.carries.filter(|k| *k < txs.len()) {
                l.description = format!("SETOR {}", sid(k));
            }
            lines.push(l.clone());
            if g.repeat {
                lines.push(l);
            }
        }
        let mut used: Vec<UsedLine> = Vec::new();
        // Settle round after round, as a supervisor would, until nothing moves.
        for _round in 0..4 {
            let js = judge(&records, &lines, OWN, &used, &opts);
            let mut this_round: HashSet<String> = HashSet::new();
            let mut settled = Vec::new();
            for j in &js {
                let Verdict::Settle { lines: ev, by } = &j.verdict else { continue };
                prop_assert_eq!(j.entry.state, State::Unknown);
                let net: i64 = ev.iter().map(StatementLine::signed_sen).sum();
                prop_assert_eq!(net, -j.entry.total.sen());
                for l in ev {
                    prop_assert!(same_account(&l.account, OWN), "another account's line: {:?}", l);
                    prop_assert!(!used.iter().any(|u| u.provider_id == l.provider_id), "line used twice: {:?}", l);
                    prop_assert!(this_round.insert(l.provider_id.clone()), "one line, two settlements: {:?}", l);
                }
                if *by == MatchedBy::AmountAndTime {
                    let l = &ev[0];
                    prop_assert_eq!(l.direction, Direction::Debit);
                    let who = claimants(l, &records, &lines, &used, &opts);
                    prop_assert_eq!(who, vec![j.entry.sid.clone()], "line {:?} could be another's", l);
                    // No second fresh debit of the total in its window.
                    let (lo, hi) = (j.entry.created_at - opts.before, j.entry.created_at + opts.after);
                    let others: HashSet<&str> = lines
                        .iter()
                        .filter(|x| same_account(&x.account, OWN) && x.direction == Direction::Debit)
                        .filter(|x| x.amount == j.entry.total && x.posted_at >= lo && x.posted_at <= hi)
                        .filter(|x| !used.iter().any(|u| u.provider_id == x.provider_id))
                        .map(|x| x.provider_id.as_str())
                        .collect();
                    prop_assert!(others.len() <= 1 || others.iter().all(|id| *id == l.provider_id) ||
                        // Lines carrying another journal sid are that one's.
                        others.iter().filter(|id| **id != l.provider_id).all(|id| {
                            lines.iter().any(|x| x.provider_id == *id && records.iter().any(|r| r.sid != j.entry.sid && x.description.contains(&r.sid)))
                        }),
                        "two lines could match {}: {:?}", j.entry.sid, others);
                    // Not undone by a later credit in the window.
                    prop_assert!(!lines.iter().any(|c| same_account(&c.account, OWN)
                        && c.direction == Direction::Credit && c.amount == l.amount
                        && c.posted_at >= l.posted_at && c.posted_at <= hi));
                } else {
                    for l in ev {
                        prop_assert!(l.description.contains(&j.entry.sid));
                    }
                }
                settled.push((j.entry.sid.clone(), ev.clone()));
            }
            if settled.is_empty() {
                break;
            }
            for (s, ev) in settled {
                for l in ev {
                    used.push(UsedLine { provider: l.provider.as_str().into(), provider_id: l.provider_id, sid: s.clone() });
                }
                if let Some(r) = records.iter_mut().find(|r| r.sid == s) {
                    r.state = State::Succeeded;
                }
            }
        }
    }
}

//! Regression tests for issue 10 on a real SQLite file: recovery leaves
//! rows of live owners alone, one reversal at a time per original, a
//! succeeded reversal reverses its original, corrections are their own
//! event, the quoted and the replied fee are both kept, and racing first
//! starts and writers all succeed.

use journal::{
    Destination, EventKind, Journal, JournalError, Kind, NewTransaction, State, StepFacts,
};
use money::Rupiah;

fn rp(r: i64) -> Rupiah {
    Rupiah::from_rupiah(r).unwrap()
}

fn transfer(amount: i64, fee: i64) -> NewTransaction {
    NewTransaction {
        kind: Some(Kind::InterbankTransfer),
        operator: "BNIUS100294".into(),
        agent_code: "BNI014100294".into(),
        amount: Some(rp(amount)),
        admin_fee: Some(rp(fee)),
        destination: Destination {
            bank_code: Some("008".into()),
            account_number: Some("1234567890".into()),
            ..Destination::default()
        },
        ..NewTransaction::default()
    }
}

fn walk(j: &Journal, sid: &str, path: &[State]) {
    let mut from = j.get(sid).unwrap().unwrap().state;
    for &to in path {
        j.step(sid, from, to, "test", None, StepFacts::default())
            .unwrap();
        from = to;
    }
}

#[test]
fn recovery_leaves_rows_of_a_live_owner_alone_and_takes_those_of_a_gone_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let a = Journal::open(&path).unwrap();
    let b = Journal::open(&path).unwrap();
    let sid = a.begin(transfer(50_000, 6_500)).unwrap();
    walk(&a, &sid, &[State::Authorized, State::Sending]);
    // B (another owner, alive) and A itself both leave the row in flight alone.
    assert!(b.recover("other").unwrap().is_empty());
    assert!(a.recover("me").unwrap().is_empty());
    assert_eq!(a.get(&sid).unwrap().unwrap().state, State::Sending);
    // A's owner ends (its lease is released): now the row is abandoned.
    drop(a);
    assert_eq!(b.recover("other").unwrap(), vec![sid.clone()]);
    assert_eq!(b.get(&sid).unwrap().unwrap().state, State::Unknown);
}

#[test]
fn one_reversal_at_a_time_and_its_success_reverses_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let j = Journal::open(&path).unwrap();
    let other = Journal::open(&path).unwrap();
    let orig = j.begin(transfer(50_000, 6_500)).unwrap();
    walk(
        &j,
        &orig,
        &[State::Authorized, State::Sending, State::Succeeded],
    );
    let reversal = || NewTransaction {
        kind: Some(Kind::Reversal),
        ..transfer(50_000, 6_500)
    };
    let first = j.begin_reversal(&orig, reversal()).unwrap();
    // A second one, from this or another handle, is refused while the first could book.
    for h in [&j, &other] {
        assert!(matches!(
            h.begin_reversal(&orig, reversal()),
            Err(JournalError::ReversalPending { .. })
        ));
    }
    walk(&j, &first, &[State::Sending, State::Unknown]);
    assert!(matches!(
        other.begin_reversal(&orig, reversal()),
        Err(JournalError::ReversalPending { .. })
    ));
    // A known failure releases the original.
    walk(&j, &first, &[State::Failed]);
    let second = other.begin_reversal(&orig, reversal()).unwrap();
    walk(&other, &second, &[State::Sending, State::Unknown]);
    assert_eq!(j.get(&orig).unwrap().unwrap().state, State::Succeeded);
    // Settled later as succeeded (check, statement, supervisor): the original follows.
    walk(&other, &second, &[State::Succeeded]);
    assert_eq!(j.get(&orig).unwrap().unwrap().state, State::Reversed);
    assert_eq!(
        j.flags(&orig).unwrap().unwrap().reversal_sid.as_deref(),
        Some(second.as_str())
    );
}

#[test]
fn a_failed_row_proven_booked_is_corrected_loudly_as_its_own_event() {
    let j = Journal::open_in_memory().unwrap();
    let sid = j.begin(transfer(50_000, 6_500)).unwrap();
    walk(
        &j,
        &sid,
        &[State::Authorized, State::Sending, State::Failed],
    );
    // Not an ordinary move.
    assert!(j
        .step(
            &sid,
            State::Failed,
            State::Succeeded,
            "t",
            None,
            StepFacts::default()
        )
        .is_err());
    let r = j
        .correct_failed_to_succeeded(&sid, "t", "switcher check: booked", StepFacts::default())
        .unwrap();
    assert_eq!(r.state, State::Succeeded);
    assert!(j.flags(&sid).unwrap().unwrap().corrected);
    assert_eq!(j.corrections().unwrap().len(), 1);
    let last = j.events(&sid).unwrap().pop().unwrap();
    assert_eq!(last.kind, EventKind::Correction);
    assert_eq!(
        (last.from, last.to),
        (Some(State::Failed), State::Succeeded)
    );
    // Only failed rows can be corrected.
    assert!(j
        .correct_failed_to_succeeded(&sid, "t", "again", StepFacts::default())
        .is_err());
}

#[test]
fn a_reply_with_a_zero_fee_keeps_the_quoted_fee_and_is_flagged() {
    let j = Journal::open_in_memory().unwrap();
    let sid = j.begin(transfer(50_000, 6_500)).unwrap();
    walk(&j, &sid, &[State::Authorized, State::Sending]);
    let r = j
        .step(
            &sid,
            State::Sending,
            State::Succeeded,
            "t",
            None,
            StepFacts {
                amount: Some(rp(50_000)),
                replied_fee: Some(Rupiah::ZERO),
                replied_total: Some(rp(50_000)),
                ..StepFacts::default()
            },
        )
        .unwrap();
    assert_eq!(r.admin_fee, Some(rp(6_500)), "the larger known fee");
    assert_eq!(r.total, Some(rp(56_500)), "what left the agent");
    let f = j.flags(&sid).unwrap().unwrap();
    assert!(f.fee_differs);
    assert_eq!(f.quoted_fee, Some(rp(6_500)));
    assert_eq!(f.replied_fee, Some(Rupiah::ZERO));
    assert_eq!(f.replied_total, Some(rp(50_000)));
}

#[test]
fn racing_first_starts_and_writers_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let opens: Vec<_> = (0..8)
        .map(|_| {
            let p = path.clone();
            std::thread::spawn(move || Journal::open(&p).map(|_| ()))
        })
        .collect();
    for h in opens {
        h.join().unwrap().expect("every first start succeeds");
    }
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let p = path.clone();
            std::thread::spawn(move || -> Result<(), JournalError> {
                let j = Journal::open(&p)?;
                for _ in 0..20 {
                    let sid = j.begin(transfer(10_000, 0))?;
                    for (from, to) in [
                        (State::Draft, State::Authorized),
                        (State::Authorized, State::Sending),
                        (State::Sending, State::Succeeded),
                    ] {
                        j.step(&sid, from, to, "t", None, StepFacts::default())?;
                    }
                }
                Ok(())
            })
        })
        .collect();
    for h in writers {
        h.join()
            .unwrap()
            .expect("no write fails with 'database is locked'");
    }
    assert_eq!(Journal::open(&path).unwrap().count().unwrap(), 160);
}

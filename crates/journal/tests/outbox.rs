//! Migration 8 (issue 14): the terminal id and the fleet outbox, on a real
//! SQLite file. The outbox is the chain's own sequence; the migration keeps
//! the chain and its checkpoint valid.

use journal::{Destination, Integrity, Journal, Kind, NewTransaction, State, StepFacts};
use money::Rupiah;

fn deposit(n: i64) -> NewTransaction {
    NewTransaction {
        kind: Some(Kind::Deposit),
        operator: "BNIUS100294".into(),
        agent_code: "BNI014100294".into(),
        amount: Rupiah::from_rupiah(n),
        admin_fee: Some(Rupiah::ZERO),
        destination: Destination {
            account_number: Some(format!("{n:010}")),
            ..Destination::default()
        },
        ..NewTransaction::default()
    }
}

#[test]
fn the_terminal_id_is_made_once_and_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.db");
    let first = Journal::open(&path)
        .expect("journal")
        .terminal_identity()
        .expect("id");
    let id = &first.terminal_id;
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(id.as_bytes()[14], b'4', "version 4 UUID: {id}");
    assert!(
        matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
        "{id}"
    );
    let j = Journal::open(&path).expect("reopen");
    assert_eq!(j.terminal_identity().expect("id").terminal_id, *id);
    j.set_terminal_label(Some("Toko Sinar / BNI014100294"))
        .expect("label");
    assert_eq!(
        j.terminal_identity().expect("id").label.as_deref(),
        Some("Toko Sinar / BNI014100294")
    );
    // A shell cannot change the id.
    let shell = rusqlite::Connection::open(&path).expect("shell");
    assert!(shell
        .execute("UPDATE fleet_terminal SET terminal_id = 'x'", [])
        .is_err());
    let other = Journal::open(&dir.path().join("other.db")).expect("other");
    assert_ne!(other.terminal_identity().expect("id").terminal_id, *id);
}

#[test]
fn the_outbox_is_the_chain_in_order_and_the_ack_only_moves_forward() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.db");
    let j = Journal::open(&path).expect("journal");
    let sid = j.begin(deposit(50_000)).expect("begin");
    j.step(
        &sid,
        State::Draft,
        State::Sending,
        "BNIUS100294",
        None,
        StepFacts::default(),
    )
    .expect("sending");
    j.step(
        &sid,
        State::Sending,
        State::Succeeded,
        "BNIUS100294",
        None,
        StepFacts {
            bank_reference: Some("REF1".into()),
            ..StepFacts::default()
        },
    )
    .expect("succeeded");
    j.record_authorization("settings", "BNIUS100294", "Budi", "printer")
        .expect("authorization");
    let shell = rusqlite::Connection::open(&path).expect("shell");
    journal::chain::register(&shell).expect("register");
    shell
        .execute(
            "INSERT INTO supervisors (name, phc, created_at, created_by) VALUES ('Budi', '$argon2id$SECRET', 5, NULL)",
            [],
        )
        .expect("supervisor");

    let last = j.last_seq().expect("last");
    let all = j.outbox(0, 100).expect("outbox");
    assert_eq!(all.len() as i64, last);
    let seqs: Vec<i64> = all.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=last).collect::<Vec<_>>(), "gap-free, in order");
    let events: Vec<_> = all.iter().filter(|e| e.source == "events").collect();
    assert_eq!(events.len(), 3);
    assert_eq!(events[2].row["to_state"], "succeeded");
    let snap = events[0].transaction.as_ref().expect("snapshot");
    assert_eq!(snap.amount_sen, Some(5_000_000));
    assert_eq!(snap.kind, "deposit");
    assert!(all.iter().any(|e| e.source == "authorizations"));
    let sup = all
        .iter()
        .find(|e| e.source == "supervisors")
        .expect("supervisor row");
    assert_eq!(sup.row["name"], "Budi");
    let text = serde_json::to_string(&all).expect("json");
    assert!(!text.contains("SECRET"), "a PIN hash never leaves: {text}");

    // Batches continue where the last one ended.
    let page = j.outbox(2, 2).expect("page");
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 4]);

    assert_eq!(j.fleet_acked().expect("acked"), 0);
    j.fleet_ack(3).expect("ack");
    j.fleet_ack(2).expect("older ack is ignored");
    assert_eq!(j.fleet_acked().expect("acked"), 3);
    assert!(shell
        .execute("UPDATE fleet_ack SET acked_seq = 1", [])
        .is_err());

    let report = Integrity::verify(&j).expect("verify");
    assert!(report.is_clean(), "{report:?}");
    let start = Integrity::verify_at_start(&j).expect("verify at start");
    assert!(start.is_clean(), "{start:?}");
}

#[test]
fn a_journal_at_version_7_upgrades_with_its_chain_and_checkpoint_intact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.db");
    {
        let j = Journal::open(&path).expect("journal");
        j.begin(deposit(10_000)).expect("begin");
        assert!(Integrity::verify_at_start(&j).expect("verify").is_clean());
    }
    // Back to version 7, as a journal written before migration 8.
    let shell = rusqlite::Connection::open(&path).expect("shell");
    shell
        .execute_batch(
            "DROP TRIGGER fleet_terminal_id_is_kept; DROP TRIGGER fleet_terminal_is_kept;
             DROP TRIGGER fleet_ack_moves_forward; DROP TRIGGER fleet_ack_is_kept;
             DROP TABLE fleet_terminal; DROP TABLE fleet_ack; PRAGMA user_version = 7;",
        )
        .expect("downgrade");
    drop(shell);
    let j = Journal::open(&path).expect("upgrade");
    assert_eq!(j.terminal_identity().expect("id").terminal_id.len(), 36);
    assert_eq!(j.fleet_acked().expect("acked"), 0);
    let start = Integrity::verify_at_start(&j).expect("verify");
    assert!(start.is_clean(), "{start:?}");
    assert!(Integrity::verify(&j).expect("full").is_clean());
    assert_eq!(
        j.outbox(0, 10).expect("outbox").len() as i64,
        j.last_seq().expect("last")
    );
}

//! The tamper-evident chain (issue 10, defect 23) on a real SQLite file:
//! rows Loket writes are chained and verify; a `sqlite3`-style connection
//! (no `loket_chain` function) cannot insert or update chained rows; edits
//! after dropping triggers are named; verifying 100k rows is fast.

use std::time::Instant;

use journal::{Destination, Integrity, Journal, Kind, NewTransaction};
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
fn rows_are_chained_and_shell_edits_are_refused_or_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.db");
    let j = Journal::open(&path).expect("journal");
    j.begin(deposit(1)).expect("begin");
    j.record_authorization("settings", "agent", "spv", "server: - -> https://x")
        .expect("authorization");
    let report = Integrity::verify(&j).expect("verify");
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.chained, 2);

    // The shell has no loket_chain: inserts into chained tables fail.
    let shell = rusqlite::Connection::open(&path).expect("shell");
    let e = shell
        .execute(
            "INSERT INTO authorizations (at, action, actor, authorized_by, detail) VALUES (1, 'x', 'a', 'b', NULL)",
            [],
        )
        .expect_err("refused");
    assert!(e.to_string().contains("loket_chain"), "{e}");
    // Dropping the triggers lets edits through, and verification names them.
    shell
        .execute_batch(
            "DROP TRIGGER authorizations_are_append_only_u;
             UPDATE authorizations SET authorized_by = 'agent' WHERE id = 1;
             DROP TRIGGER chain_events;
             INSERT INTO events (sid, at, to_state, actor) SELECT sid, 5, 'draft', 'x' FROM transactions;",
        )
        .expect("shell edits");
    let report = Integrity::verify(&j).expect("verify");
    let all = report.problems.join("\n");
    assert!(
        all.contains("authorizations row 1 (chain seq 2) was changed"),
        "{all}"
    );
    assert!(all.contains("trigger chain_events was removed"), "{all}");
    assert!(
        all.contains("events row 2 was added outside Loket"),
        "{all}"
    );
}

/// Verification is one pass; measured on 100k chained rows.
#[test]
fn verifying_100k_rows_is_linear_and_fast() {
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::open(&dir.path().join("journal.db")).expect("journal");
    let shell = rusqlite::Connection::open(dir.path().join("journal.db")).expect("conn");
    journal::chain::register(&shell).expect("register");
    let started = Instant::now();
    shell
        .execute_batch(
            "BEGIN;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
             INSERT INTO authorizations (at, action, actor, authorized_by, detail)
             SELECT i, 'settings', 'agent', 'spv', 'row ' || i FROM n;
             COMMIT;",
        )
        .expect("100k rows");
    let fill = started.elapsed();
    let started = Instant::now();
    let report = Integrity::verify(&j).expect("verify");
    let took = started.elapsed();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.chained, 100_000);
    eprintln!("chain: 100k rows written in {fill:?}, verified in {took:?}");
    assert!(took.as_secs_f64() < 5.0, "verification took {took:?}");
}

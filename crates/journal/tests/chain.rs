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
    assert_eq!(report.chained, 3); // the lockout row, the event, the authorization

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
        all.contains("authorizations row 1 (chain seq 3) was changed"),
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
    let path = dir.path().join("journal.db");
    let j = Journal::open(&path).expect("journal");
    let started = Instant::now();
    fill(&path, 100_000);
    let fill = started.elapsed();
    let started = Instant::now();
    let report = Integrity::verify(&j).expect("verify");
    let took = started.elapsed();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.chained, 100_001);
    eprintln!("chain: 100k rows written in {fill:?}, verified in {took:?}");
    assert!(took.as_secs_f64() < 5.0, "verification took {took:?}");
}

/// A journal from before the chain (schema 3, with rows and a supervisor)
/// is chained by the upgrade and verifies clean.
#[test]
fn an_upgraded_journal_starts_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.db");
    {
        let old = rusqlite::Connection::open(&path).expect("old");
        old.execute_batch(
            "CREATE TABLE transactions (sid TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL,
               created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, operator TEXT NOT NULL,
               agent_code TEXT NOT NULL, amount_sen INTEGER, fee_sen INTEGER, total_sen INTEGER,
               dest_bank_code TEXT, dest_bank_name TEXT, dest_account TEXT, dest_name TEXT,
               narration TEXT, inquiry_ref TEXT, bank_reference TEXT, bank_code TEXT, bank_message TEXT,
               override_of TEXT, resolution TEXT, resolution_note TEXT, resolved_by TEXT) STRICT;
             CREATE TABLE events (id INTEGER PRIMARY KEY, sid TEXT NOT NULL, at INTEGER NOT NULL,
               from_state TEXT, to_state TEXT NOT NULL, actor TEXT NOT NULL, note TEXT,
               kind TEXT NOT NULL DEFAULT 'state', authorized_by TEXT) STRICT;
             CREATE TRIGGER events_are_append_only_u BEFORE UPDATE ON events
             BEGIN SELECT RAISE(ABORT, 'x'); END;
             CREATE TRIGGER events_are_append_only_d BEFORE DELETE ON events
             BEGIN SELECT RAISE(ABORT, 'x'); END;
             CREATE TABLE authorizations (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, action TEXT NOT NULL,
               actor TEXT NOT NULL, authorized_by TEXT NOT NULL, detail TEXT) STRICT;
             CREATE TRIGGER authorizations_are_append_only_u BEFORE UPDATE ON authorizations
             BEGIN SELECT RAISE(ABORT, 'x'); END;
             CREATE TRIGGER authorizations_are_append_only_d BEFORE DELETE ON authorizations
             BEGIN SELECT RAISE(ABORT, 'x'); END;
             CREATE TABLE supervisors (name TEXT PRIMARY KEY COLLATE NOCASE, phc TEXT NOT NULL,
               created_at INTEGER NOT NULL, created_by TEXT) STRICT;
             CREATE TABLE supervisor_lockout (id INTEGER PRIMARY KEY CHECK (id = 1),
               failures INTEGER NOT NULL, locked_until INTEGER) STRICT;
             INSERT INTO supervisor_lockout VALUES (1, 2, NULL);
             INSERT INTO supervisors VALUES ('Budi', '$argon2id$x', 1, NULL);
             INSERT INTO events (sid, at, to_state, actor) VALUES ('2611290000000001', 1, 'draft', 'a');
             INSERT INTO authorizations (at, action, actor, authorized_by) VALUES (2, 'settings', 'a', 'Budi');",
        )
        .expect("old schema");
    }
    // The real upgrade path needs migrations 1-3 marked as done.
    rusqlite::Connection::open(&path)
        .expect("old")
        .pragma_update(None, "user_version", 3)
        .expect("version");
    let j = Journal::open(&path).expect("upgrade");
    let report = Integrity::verify(&j).expect("verify");
    assert!(report.is_clean(), "{report:?}");
    assert!(report.ever_had_supervisor);
    assert_eq!(report.chained, 4);
}

/// Fills a journal with `n` chained authorization rows the fast way.
fn fill(path: &std::path::Path, n: u32) {
    let shell = rusqlite::Connection::open(path).expect("conn");
    journal::chain::register(&shell).expect("register");
    shell
        .execute_batch(&format!(
            "BEGIN;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
             INSERT INTO authorizations (at, action, actor, authorized_by, detail)
             SELECT i, 'settings', 'agent', 'spv', 'row ' || i FROM n;
             COMMIT;"
        ))
        .expect("rows");
}

/// The start-up check verifies the rows after its checkpoint: an edit of a
/// newer row is named; an old row edited by someone who restores the
/// trigger exactly is left to the full verification, which names it; a
/// supervisor deleted long before the checkpoint is still named at start.
#[test]
fn a_start_verifies_since_the_checkpoint_and_the_full_verify_catches_old_edits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.db");
    let j = Journal::open(&path).expect("journal");
    fill(&path, 50);
    let first = Integrity::verify_at_start(&j).expect("verify");
    assert!(first.is_clean(), "{first:?}");
    let cp: (i64, String) = rusqlite::Connection::open(&path)
        .expect("conn")
        .query_row("SELECT seq, hash FROM verify_checkpoint", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("a checkpoint");
    assert_eq!(cp.0, first.chained);
    fill(&path, 10);
    let again = Integrity::verify_at_start(&j).expect("verify");
    assert!(again.is_clean(), "{again:?}");
    assert_eq!(again.chained, first.chained + 10);

    // An old row (before the checkpoint), edited with the append-only
    // trigger dropped and put back exactly as it was.
    let shell = rusqlite::Connection::open(&path).expect("shell");
    let trigger: String = shell
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'authorizations_are_append_only_u'",
            [],
            |r| r.get(0),
        )
        .expect("trigger sql");
    shell
        .execute_batch(&format!(
            "DROP TRIGGER authorizations_are_append_only_u;
             UPDATE authorizations SET authorized_by = 'agent' WHERE id = 3;
             {trigger};"
        ))
        .expect("old edit");
    let start = Integrity::verify_at_start(&j).expect("verify");
    assert!(start.is_clean(), "left to the full verify: {start:?}");
    let full = Integrity::verify(&j).expect("full");
    assert!(
        full.problems
            .iter()
            .any(|p| p.contains("authorizations row 3") && p.contains("was changed")),
        "{full:?}"
    );

    // A newer row (after the checkpoint) edited the same way: named at start.
    let newest: i64 = shell
        .query_row("SELECT max(id) FROM authorizations", [], |r| r.get(0))
        .expect("id");
    fill(&path, 1);
    shell
        .execute_batch(&format!(
            "DROP TRIGGER authorizations_are_append_only_u;
             UPDATE authorizations SET detail = 'x' WHERE id = {};
             {trigger};",
            newest + 1
        ))
        .expect("new edit");
    let start = Integrity::verify_at_start(&j).expect("verify");
    let all = start.problems.join("\n");
    assert!(
        all.contains(&format!("authorizations row {}", newest + 1)),
        "{all}"
    );
    // A finding makes the start verify everything, so the old edit is named too.
    assert!(all.contains("authorizations row 3 "), "{all}");
}

/// The checkpoint cannot be moved by the shell (its triggers need Loket's
/// function); dropping them is named; a checkpoint whose hash is not the
/// chain's at its seq is named, and the whole chain is verified.
#[test]
fn a_forged_checkpoint_is_caught() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.db");
    let j = Journal::open(&path).expect("journal");
    fill(&path, 20);
    assert!(Integrity::verify_at_start(&j).expect("verify").is_clean());

    let shell = rusqlite::Connection::open(&path).expect("shell");
    let e = shell
        .execute("UPDATE verify_checkpoint SET seq = seq + 100", [])
        .expect_err("refused");
    assert!(e.to_string().contains("loket_chain"), "{e}");

    // Someone with the function (a script of their own) points the
    // checkpoint at another hash: named, and the old edit found by the full pass.
    let script = rusqlite::Connection::open(&path).expect("script");
    journal::chain::register(&script).expect("register");
    script
        .execute_batch(
            "DROP TRIGGER authorizations_are_append_only_u;
             UPDATE authorizations SET actor = 'x' WHERE id = 2;
             CREATE TRIGGER authorizations_are_append_only_u BEFORE UPDATE ON authorizations
             BEGIN SELECT RAISE(ABORT, 'authorizations are append-only'); END;
             UPDATE verify_checkpoint SET hash = 'f00d';",
        )
        .expect("forge");
    let report = Integrity::verify_at_start(&j).expect("verify");
    let all = report.problems.join("\n");
    assert!(all.contains("verification checkpoint"), "{all}");
    assert!(all.contains("authorizations row 2 "), "{all}");

    // The shell drops the checkpoint's triggers to forge it: named.
    shell
        .execute_batch(
            "DROP TRIGGER checkpoint_by_loket_u;
             UPDATE verify_checkpoint SET seq = 5;",
        )
        .expect("drop");
    let report = Integrity::verify_at_start(&j).expect("verify");
    let all = report.problems.join("\n");
    assert!(
        all.contains("trigger checkpoint_by_loket_u was removed"),
        "{all}"
    );
}

/// A row slipped in after the checkpoint without the chain (its trigger
/// dropped and put back) is named at start, as is one with an id below 1.
#[test]
fn rows_added_outside_loket_after_the_checkpoint_are_named_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.db");
    let j = Journal::open(&path).expect("journal");
    fill(&path, 30);
    assert!(Integrity::verify_at_start(&j).expect("verify").is_clean());
    let shell = rusqlite::Connection::open(&path).expect("shell");
    let trigger: String = shell
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'chain_authorizations'",
            [],
            |r| r.get(0),
        )
        .expect("trigger sql");
    shell
        .execute_batch(&format!(
            "DROP TRIGGER chain_authorizations;
             INSERT INTO authorizations (id, at, action, actor, authorized_by) VALUES (-7, 1, 'x', 'a', 'b');
             INSERT INTO authorizations (at, action, actor, authorized_by) VALUES (1, 'x', 'a', 'b');
             {trigger};"
        ))
        .expect("slipped in");
    let report = Integrity::verify_at_start(&j).expect("verify");
    let all = report.problems.join("\n");
    assert!(
        all.contains("authorizations row -7 was added outside Loket"),
        "{all}"
    );
    assert!(
        all.contains("authorizations row 31 was added outside Loket"),
        "{all}"
    );
}

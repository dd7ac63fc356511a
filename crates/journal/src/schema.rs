//! The journal's schema, as numbered migrations from the first release on.
//! `PRAGMA user_version` holds how many have run; each runs in its own
//! transaction, so a crash mid-migration leaves the previous version intact.

use rusqlite::{Connection, TransactionBehavior};

const MIGRATIONS: &[&str] = &[
    // 1: the current-state rows, the append-only events, and what history needs.
    r#"
    CREATE TABLE transactions (
        sid              TEXT PRIMARY KEY,
        kind             TEXT NOT NULL,
        state            TEXT NOT NULL,
        created_at       INTEGER NOT NULL,  -- Unix ms, UTC
        updated_at       INTEGER NOT NULL,
        operator         TEXT NOT NULL,
        agent_code       TEXT NOT NULL,
        amount_sen       INTEGER,
        fee_sen          INTEGER,
        total_sen        INTEGER,
        dest_bank_code   TEXT,
        dest_bank_name   TEXT,
        dest_account     TEXT,
        dest_name        TEXT,
        narration        TEXT,
        inquiry_ref      TEXT,
        bank_reference   TEXT,
        bank_code        TEXT,
        bank_message     TEXT,
        override_of      TEXT,
        resolution       TEXT,
        resolution_note  TEXT,
        resolved_by      TEXT
    ) STRICT;

    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        sid         TEXT NOT NULL REFERENCES transactions(sid),
        at          INTEGER NOT NULL,
        from_state  TEXT,
        to_state    TEXT NOT NULL,
        actor       TEXT NOT NULL,
        note        TEXT
    ) STRICT;

    CREATE TRIGGER events_are_append_only_u BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END;
    CREATE TRIGGER events_are_append_only_d BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END;
    CREATE TRIGGER transactions_are_kept BEFORE DELETE ON transactions
    BEGIN SELECT RAISE(ABORT, 'journal transactions are never deleted'); END;

    CREATE INDEX events_by_sid ON events(sid, id);
    CREATE INDEX tx_by_time ON transactions(created_at, sid);
    CREATE INDEX tx_by_kind_time ON transactions(kind, created_at);
    CREATE INDEX tx_by_state_time ON transactions(state, created_at);
    CREATE INDEX tx_by_account ON transactions(dest_account, created_at);
    CREATE INDEX tx_open ON transactions(state) WHERE state IN ('draft','inquired','authorized','sending','unknown');

    -- Substring search over names, accounts and sids without a full scan.
    -- rowid = transactions.rowid; text = sid, account number and name.
    CREATE VIRTUAL TABLE tx_search USING fts5(
        text, content='', contentless_delete=1, tokenize='trigram'
    );
    "#,
    // 2: what an event is (a state change, or a receipt reprint that leaves
    // the state as it is) and which supervisor authorized it.
    r#"
    ALTER TABLE events ADD COLUMN kind TEXT NOT NULL DEFAULT 'state';
    ALTER TABLE events ADD COLUMN authorized_by TEXT;
    CREATE INDEX events_by_sid_kind ON events(sid, kind);
    "#,
    // 3: supervisor-approved actions that belong to no transaction (a
    // settings change): who did it, who authorized it, what changed.
    r#"
    CREATE TABLE authorizations (
        id            INTEGER PRIMARY KEY,
        at            INTEGER NOT NULL,
        action        TEXT NOT NULL,
        actor         TEXT NOT NULL,
        authorized_by TEXT NOT NULL,
        detail        TEXT
    ) STRICT;
    CREATE TRIGGER authorizations_are_append_only_u BEFORE UPDATE ON authorizations
    BEGIN SELECT RAISE(ABORT, 'journal authorizations are append-only'); END;
    CREATE TRIGGER authorizations_are_append_only_d BEFORE DELETE ON authorizations
    BEGIN SELECT RAISE(ABORT, 'journal authorizations are append-only'); END;
    "#,
    // 4: statement lines used as evidence to settle a transaction in doubt,
    // keyed by the provider's own line id so one line settles at most one
    // transaction, ever (issue 11).
    r#"
    CREATE TABLE statement_evidence (
        provider     TEXT NOT NULL,
        provider_id  TEXT NOT NULL,
        sid          TEXT NOT NULL REFERENCES transactions(sid),
        account      TEXT NOT NULL,
        posted_at    INTEGER NOT NULL,  -- Unix ms, UTC
        date_only    INTEGER NOT NULL,
        direction    TEXT NOT NULL,
        amount_sen   INTEGER NOT NULL,
        description  TEXT NOT NULL,
        approved_by  TEXT NOT NULL,
        at           INTEGER NOT NULL,
        PRIMARY KEY (provider, provider_id)
    ) STRICT;
    CREATE INDEX statement_evidence_by_sid ON statement_evidence(sid);
    CREATE TRIGGER statement_evidence_is_append_only_u BEFORE UPDATE ON statement_evidence
    BEGIN SELECT RAISE(ABORT, 'statement evidence is append-only'); END;
    CREATE TRIGGER statement_evidence_is_append_only_d BEFORE DELETE ON statement_evidence
    BEGIN SELECT RAISE(ABORT, 'statement evidence is append-only'); END;
    "#,
    // 5 (core): who owns a row in flight (the lease of the process that began
    // it; recovery leaves rows of live owners alone), one reversal at a time
    // per original, the quoted beside the replied fee, and corrections.
    r#"
    ALTER TABLE transactions ADD COLUMN owner TEXT;
    ALTER TABLE transactions ADD COLUMN reversal_sid TEXT;
    ALTER TABLE transactions ADD COLUMN reversal_of TEXT;
    ALTER TABLE transactions ADD COLUMN quoted_fee_sen INTEGER;
    ALTER TABLE transactions ADD COLUMN replied_fee_sen INTEGER;
    ALTER TABLE transactions ADD COLUMN replied_total_sen INTEGER;
    ALTER TABLE transactions ADD COLUMN fee_differs INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE transactions ADD COLUMN corrected INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX tx_corrected ON transactions(created_at) WHERE corrected = 1;
    "#,
    // 6 (authority): the tamper-evident chain over events, authorizations,
    // supervisors, the lockout and integrity notes; see crate::chain.
    crate::chain::MIGRATION,
    // 7 (verify checkpoint): how far the chain was last verified, so a start
    // checks only the rows added since; see crate::chain.
    crate::chain::CHECKPOINT_MIGRATION,
    // 8 (fleet, issue 14): the terminal id and the last acknowledged chain
    // seq; see crate::outbox.
    crate::outbox::MIGRATION,
    // 9 (issue 16, a million rows): indexes that answer every history query,
    // the day summary and the hold on a repeat without reading the table.
    // - tx_by_time covers the day summary (no row lookups for a day's
    //   thousands of rows) and lets kind/state filters be tested in the
    //   index while walking newest-first.
    // - The kind, state and account indexes end in sid, the history order's
    //   tie-break, so a page streams from the index with no sort.
    // - tx_in_doubt and events_to_unknown: `in_doubt_like` (the hold on a
    //   repeat, before every payment) reads only rows in doubt or on their
    //   way (authorized, sending) and rows whose last event put them in
    //   doubt (an edited row may hide one), not every row of a busy account.
    // Recovery at start reads rows in flight through tx_by_state_time.
    r#"
    DROP INDEX IF EXISTS tx_by_time;
    CREATE INDEX tx_by_time ON transactions(created_at, sid, kind, state,
        amount_sen, fee_sen, total_sen, fee_differs);
    DROP INDEX IF EXISTS tx_by_kind_time;
    CREATE INDEX tx_by_kind_time ON transactions(kind, created_at, sid);
    DROP INDEX IF EXISTS tx_by_state_time;
    CREATE INDEX tx_by_state_time ON transactions(state, created_at, sid);
    CREATE INDEX IF NOT EXISTS tx_by_kind_state_time ON transactions(kind, state, created_at, sid);
    DROP INDEX IF EXISTS tx_by_account;
    CREATE INDEX tx_by_account ON transactions(dest_account, created_at, sid);
    DROP INDEX IF EXISTS tx_in_doubt;
    CREATE INDEX tx_in_doubt ON transactions(dest_account, amount_sen)
        WHERE state IN ('unknown', 'authorized', 'sending');
    CREATE INDEX IF NOT EXISTS events_to_unknown ON events(sid) WHERE to_state = 'unknown';
    "#,
];

/// Runs the migrations not yet run. Each takes the write lock first
/// (`BEGIN IMMEDIATE`, waiting on the busy timeout) and re-reads the version
/// inside it, so two first starts racing on a new journal both succeed: the
/// second sees the first one's work and skips it.
pub(crate) fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    migrate_until(conn, latest())
}

/// Runs the migrations up to version `target` (tests build old journals with it).
pub(crate) fn migrate_until(conn: &mut Connection, target: i64) -> rusqlite::Result<()> {
    loop {
        let done: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if done >= target {
            return Ok(());
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let index = done.max(0) as usize;
        if let Some(sql) = MIGRATIONS.get(index) {
            tx.execute_batch(sql)?;
            if std::ptr::eq(*sql, crate::chain::MIGRATION) {
                crate::chain::create_chain_triggers(&tx)?;
                // Rows written before the chain existed join it now, in order.
                crate::chain::adopt_existing(&tx)?;
            }
            tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        }
        // The crash points of `crate::commit`, around a migration's commit.
        failpoint::hit_args(format_args!("journal.migrate.v{}.before_commit", index + 1));
        tx.commit()?;
        failpoint::hit_args(format_args!("journal.migrate.v{}.after_commit", index + 1));
    }
}

/// The newest schema version this build knows.
pub(crate) fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

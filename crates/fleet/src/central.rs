//! The central schema (`loket_fleet`), its versioned migrations and its roles.
//!
//! - `terminals`: one row per terminal (its UUID, label, the PostgreSQL role
//!   allowed to ship as it, the last `seq` received).
//! - `events`: every shipped journal row, append-only, keyed by
//!   `(terminal_id, seq)`, partitioned by month of the event's time (a
//!   default partition catches anything outside the months `init` made).
//! - `transactions`: the current state of each `(terminal_id, sid)`,
//!   maintained by `ship()` in the same database transaction as the event
//!   insert, by the journal's state order: an event that arrives late
//!   never moves a transaction back.
//!
//! Roles: `loket_fleet_terminal` (members may only call `ship()`, a
//! `SECURITY DEFINER` function that checks the caller is the role
//! registered for that terminal id; no table privileges at all, so a
//! terminal can neither read nor write another's rows) and
//! `loket_fleet_viewer` (read-only on every table, for staff screens).

use chrono::{Datelike, NaiveDate, Utc};
use tokio_postgres::Client;

use crate::connect::FleetUrl;
use crate::error::{from_pg, FleetError};

/// The schema version this build knows.
pub const SCHEMA_VERSION: i32 = 2;

/// The group role terminals log in under.
pub const TERMINAL_ROLE: &str = "loket_fleet_terminal";
/// The read-only group role for staff and supervisors.
pub const VIEWER_ROLE: &str = "loket_fleet_viewer";

/// Migration `n` is `MIGRATIONS[n - 1]`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE loket_fleet.terminals (
    terminal_id      uuid PRIMARY KEY,
    db_role          name NOT NULL UNIQUE,
    label            text NOT NULL,
    agent_code       text,
    registered_at    timestamptz NOT NULL DEFAULT now(),
    last_seq         bigint NOT NULL DEFAULT 0,
    local_seq        bigint NOT NULL DEFAULT 0,
    last_event_at    timestamptz,
    last_contact_at  timestamptz
);

CREATE TABLE loket_fleet.events (
    terminal_id  uuid NOT NULL,
    seq          bigint NOT NULL,
    at           timestamptz NOT NULL,
    source       text NOT NULL,
    source_id    bigint NOT NULL,
    sid          text,
    to_state     text,
    row          jsonb NOT NULL,
    hash         text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (terminal_id, seq, at)
) PARTITION BY RANGE (at);
CREATE TABLE loket_fleet.events_default PARTITION OF loket_fleet.events DEFAULT;
CREATE INDEX events_by_sid ON loket_fleet.events (terminal_id, sid);

CREATE TABLE loket_fleet.transactions (
    terminal_id     uuid NOT NULL REFERENCES loket_fleet.terminals,
    sid             text NOT NULL,
    kind            text NOT NULL,
    state           text NOT NULL,
    state_rank      int NOT NULL,
    state_seq       bigint NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    operator        text NOT NULL,
    agent_code      text NOT NULL,
    amount_sen      bigint,
    fee_sen         bigint,
    total_sen       bigint,
    fee_differs     boolean NOT NULL DEFAULT false,
    dest_bank_code  text,
    dest_account    text,
    dest_name       text,
    bank_reference  text,
    reversal_of     text,
    PRIMARY KEY (terminal_id, sid)
);
CREATE INDEX transactions_by_day ON loket_fleet.transactions (created_at);
CREATE INDEX transactions_in_doubt ON loket_fleet.transactions (created_at) WHERE state = 'unknown';

-- The journal's state order (crates/journal State::can_move_to): a move
-- only ever goes up this rank, or sideways at the same rank later in the
-- terminal's sequence (a failed row corrected to succeeded).
CREATE FUNCTION loket_fleet.state_rank(s text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE s WHEN 'draft' THEN 0 WHEN 'inquired' THEN 1 WHEN 'authorized' THEN 2
    WHEN 'sending' THEN 3 WHEN 'unknown' THEN 4 WHEN 'succeeded' THEN 5 WHEN 'failed' THEN 5
    WHEN 'cancelled' THEN 5 WHEN 'reversed' THEN 6 ELSE -1 END
$$;

-- Appends a batch of one terminal's events, in order, exactly once: seqs
-- already here are skipped (a re-sent batch), a gap is refused. Returns
-- the last seq now held for the terminal.
CREATE FUNCTION loket_fleet.ship(p_terminal uuid, p_local_seq bigint, p_agent text, p_events jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  t loket_fleet.terminals%ROWTYPE;
  e jsonb;
  tx jsonb;
  s bigint;
  last bigint;
  ev_at timestamptz;
  newest timestamptz;
BEGIN
  SELECT * INTO t FROM loket_fleet.terminals WHERE terminal_id = p_terminal FOR UPDATE;
  IF NOT FOUND OR t.db_role <> session_user THEN
    RAISE EXCEPTION 'terminal % is not registered for role %', p_terminal, session_user
      USING ERRCODE = '42501';
  END IF;
  last := t.last_seq;
  newest := t.last_event_at;
  FOR e IN SELECT value FROM jsonb_array_elements(p_events) LOOP
    s := (e->>'seq')::bigint;
    ev_at := to_timestamp((e->>'at_ms')::bigint / 1000.0);
    IF s <= last THEN
      -- Already here (a re-sent batch): it must be the same row, or two
      -- journals claim this terminal id (a copied or restored data folder).
      IF NOT EXISTS (SELECT 1 FROM loket_fleet.events x WHERE x.terminal_id = p_terminal
                     AND x.seq = s AND x.at = ev_at AND x.hash = e->>'hash') THEN
        RAISE EXCEPTION 'terminal % seq % differs from the row already held: two journals use this terminal id', p_terminal, s
          USING ERRCODE = '23505';
      END IF;
      CONTINUE;
    END IF;
    IF s <> last + 1 THEN
      RAISE EXCEPTION 'terminal % sent seq % after %: a gap', p_terminal, s, last
        USING ERRCODE = '22023';
    END IF;
    INSERT INTO loket_fleet.events (terminal_id, seq, at, source, source_id, sid, to_state, row, hash)
    VALUES (p_terminal, s, ev_at, e->>'source', (e->>'source_id')::bigint,
            e->'row'->>'sid', e->'row'->>'to_state', e->'row', e->>'hash');
    tx := e->'transaction';
    IF e->>'source' = 'events' AND jsonb_typeof(tx) = 'object' THEN
      INSERT INTO loket_fleet.transactions AS cur (terminal_id, sid, kind, state, state_rank, state_seq,
          created_at, updated_at, operator, agent_code, amount_sen, fee_sen, total_sen, fee_differs,
          dest_bank_code, dest_account, dest_name, bank_reference, reversal_of)
      VALUES (p_terminal, e->'row'->>'sid', tx->>'kind', e->'row'->>'to_state',
          loket_fleet.state_rank(e->'row'->>'to_state'), s,
          to_timestamp((tx->>'created_at_ms')::bigint / 1000.0), ev_at,
          tx->>'operator', tx->>'agent_code', (tx->>'amount_sen')::bigint, (tx->>'fee_sen')::bigint,
          (tx->>'total_sen')::bigint, coalesce((tx->>'fee_differs')::boolean, false),
          tx->>'dest_bank_code', tx->>'dest_account', tx->>'dest_name', tx->>'bank_reference',
          tx->>'reversal_of')
      ON CONFLICT (terminal_id, sid) DO UPDATE SET
          state = EXCLUDED.state, state_rank = EXCLUDED.state_rank, state_seq = EXCLUDED.state_seq,
          updated_at = EXCLUDED.updated_at, amount_sen = EXCLUDED.amount_sen,
          fee_sen = EXCLUDED.fee_sen, total_sen = EXCLUDED.total_sen,
          fee_differs = EXCLUDED.fee_differs, dest_bank_code = EXCLUDED.dest_bank_code,
          dest_account = EXCLUDED.dest_account, dest_name = EXCLUDED.dest_name,
          bank_reference = EXCLUDED.bank_reference, reversal_of = EXCLUDED.reversal_of
      WHERE EXCLUDED.state_rank > cur.state_rank
         OR (EXCLUDED.state_rank = cur.state_rank AND EXCLUDED.state_seq > cur.state_seq);
    END IF;
    IF (e->>'at_ms')::bigint > 0 AND (newest IS NULL OR ev_at > newest) THEN
      newest := ev_at;
    END IF;
    last := s;
  END LOOP;
  UPDATE loket_fleet.terminals
     SET last_seq = last, local_seq = greatest(p_local_seq, last), last_event_at = newest,
         last_contact_at = now(), agent_code = coalesce(nullif(p_agent, ''), agent_code)
   WHERE terminal_id = p_terminal;
  RETURN last;
END
$$;
"#,
    MIGRATION_2,
];

/// The signature of the current `ship()` (for its grant).
const SHIP_SIGNATURE: &str = "loket_fleet.ship(uuid, bigint, text, bigint[], timestamptz[], text[], \
    bigint[], jsonb[], text[], text[], timestamptz[], text[], text[], bigint[], bigint[], bigint[], \
    boolean[], text[], text[], text[], text[], text[])";

/// Migration 2: a set-based `ship()` (the batch arrives as arrays: one
/// `INSERT … SELECT FROM unnest` for the events, one upsert of each sid's
/// winning event, one upsert of the day's rollup — instead of a
/// row-at-a-time loop), and `daily`, the per (WIB day, terminal, agent,
/// kind, state) sums that `fleet summary` reads, kept in the same
/// transaction as the event insert. The doubt indexes cover the staff
/// queries (oldest doubts first; open doubts per terminal).
const MIGRATION_2: &str = r#"
DROP FUNCTION loket_fleet.ship(uuid, bigint, text, jsonb);

-- The WIB (UTC+7, no daylight saving) calendar day of a time.
CREATE FUNCTION loket_fleet.wib_day(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$ SELECT ((ts AT TIME ZONE 'UTC') + interval '7 hours')::date $$;

CREATE TABLE loket_fleet.daily (
    day          date NOT NULL,
    agent_code   text NOT NULL,
    kind         text NOT NULL,
    state        text NOT NULL,
    terminal_id  uuid NOT NULL,
    n            bigint NOT NULL,
    fee_differs  bigint NOT NULL,
    amount_sen   bigint NOT NULL,
    fee_sen      bigint NOT NULL,
    total_sen    bigint NOT NULL,
    PRIMARY KEY (day, agent_code, kind, state, terminal_id)
);
INSERT INTO loket_fleet.daily
SELECT loket_fleet.wib_day(created_at), agent_code, kind, state, terminal_id, count(*),
       count(*) FILTER (WHERE fee_differs), coalesce(sum(amount_sen), 0), coalesce(sum(fee_sen), 0),
       coalesce(sum(coalesce(total_sen, coalesce(amount_sen, 0) + coalesce(fee_sen, 0))), 0)
FROM loket_fleet.transactions GROUP BY 1, 2, 3, 4, 5;

DROP INDEX loket_fleet.transactions_in_doubt;
CREATE INDEX transactions_in_doubt ON loket_fleet.transactions (created_at, terminal_id, sid)
    WHERE state = 'unknown';
CREATE INDEX transactions_doubts_by_terminal ON loket_fleet.transactions (terminal_id)
    WHERE state = 'unknown';

-- Appends a batch of one terminal's events (consecutive seqs, as arrays
-- of equal length), exactly once: seqs already here are checked (same
-- time and hash) and skipped, a gap is refused. Returns the last seq now
-- held for the terminal. `p_kind` is null for an event without a
-- transaction row.
CREATE FUNCTION loket_fleet.ship(
    p_terminal uuid, p_local_seq bigint, p_agent text,
    p_seq bigint[], p_at timestamptz[], p_source text[], p_source_id bigint[], p_row jsonb[],
    p_hash text[], p_kind text[], p_created timestamptz[], p_operator text[], p_tx_agent text[],
    p_amount bigint[], p_fee bigint[], p_total bigint[], p_fee_differs boolean[],
    p_dest_bank_code text[], p_dest_account text[], p_dest_name text[], p_bank_reference text[],
    p_reversal_of text[])
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_t loket_fleet.terminals%ROWTYPE;
  v_n int := coalesce(cardinality(p_seq), 0);
  v_last bigint;
  v_newest timestamptz;
BEGIN
  SELECT * INTO v_t FROM loket_fleet.terminals WHERE terminal_id = p_terminal FOR UPDATE;
  IF NOT FOUND OR v_t.db_role <> session_user THEN
    RAISE EXCEPTION 'terminal % is not registered for role %', p_terminal, session_user
      USING ERRCODE = '42501';
  END IF;
  v_last := v_t.last_seq;
  IF v_n > 0 THEN
    IF coalesce(cardinality(p_at), 0) <> v_n OR coalesce(cardinality(p_source), 0) <> v_n
       OR coalesce(cardinality(p_source_id), 0) <> v_n OR coalesce(cardinality(p_row), 0) <> v_n
       OR coalesce(cardinality(p_hash), 0) <> v_n OR coalesce(cardinality(p_kind), 0) <> v_n
       OR coalesce(cardinality(p_created), 0) <> v_n OR coalesce(cardinality(p_operator), 0) <> v_n
       OR coalesce(cardinality(p_tx_agent), 0) <> v_n OR coalesce(cardinality(p_amount), 0) <> v_n
       OR coalesce(cardinality(p_fee), 0) <> v_n OR coalesce(cardinality(p_total), 0) <> v_n
       OR coalesce(cardinality(p_fee_differs), 0) <> v_n
       OR coalesce(cardinality(p_dest_bank_code), 0) <> v_n
       OR coalesce(cardinality(p_dest_account), 0) <> v_n
       OR coalesce(cardinality(p_dest_name), 0) <> v_n
       OR coalesce(cardinality(p_bank_reference), 0) <> v_n
       OR coalesce(cardinality(p_reversal_of), 0) <> v_n THEN
      RAISE EXCEPTION 'terminal % sent a malformed batch', p_terminal USING ERRCODE = '22023';
    END IF;
    IF p_seq[1] > v_last + 1 OR EXISTS (
         SELECT 1 FROM unnest(p_seq) WITH ORDINALITY u(s, i) WHERE u.s <> p_seq[1] + u.i - 1) THEN
      RAISE EXCEPTION 'terminal % sent seq % after %: a gap', p_terminal,
        (SELECT min(u.s) FROM unnest(p_seq) u(s) WHERE u.s > v_last), v_last
        USING ERRCODE = '22023';
    END IF;
    -- Already here (a re-sent batch): each must be the same row, or two
    -- journals claim this terminal id (a copied or restored data folder).
    IF p_seq[1] <= v_last AND EXISTS (
         SELECT 1 FROM unnest(p_seq, p_at, p_hash) u(s, a, h)
         WHERE u.s <= v_last AND NOT EXISTS (
           SELECT 1 FROM loket_fleet.events x
           WHERE x.terminal_id = p_terminal AND x.seq = u.s AND x.at = u.a AND x.hash = u.h)) THEN
      RAISE EXCEPTION 'terminal % seq % differs from the row already held: two journals use this terminal id',
        p_terminal, p_seq[1] USING ERRCODE = '23505';
    END IF;
    IF p_seq[v_n] > v_last THEN
      INSERT INTO loket_fleet.events (terminal_id, seq, at, source, source_id, sid, to_state, row, hash)
      SELECT p_terminal, u.s, u.a, u.src, u.src_id, u.r->>'sid', u.r->>'to_state', u.r, u.h
      FROM unnest(p_seq, p_at, p_source, p_source_id, p_row, p_hash) u(s, a, src, src_id, r, h)
      WHERE u.s > v_last;

      -- Each sid's winning event in this batch (highest state rank, then
      -- latest seq) is applied once, by the same rule as applying them
      -- one by one; the rollup moves by (new row) - (old row).
      WITH b AS (
        SELECT DISTINCT ON (u.r->>'sid') u.r->>'sid' AS sid, u.k, u.r->>'to_state' AS st,
               loket_fleet.state_rank(u.r->>'to_state') AS rk, u.s, u.a, u.c, u.op, u.ag, u.am,
               u.fe, u.tot, coalesce(u.fd, false) AS fd, u.dbc, u.dac, u.dn, u.br, u.ro
        FROM unnest(p_seq, p_at, p_source, p_row, p_kind, p_created, p_operator, p_tx_agent,
                    p_amount, p_fee, p_total, p_fee_differs, p_dest_bank_code, p_dest_account,
                    p_dest_name, p_bank_reference, p_reversal_of)
             u(s, a, src, r, k, c, op, ag, am, fe, tot, fd, dbc, dac, dn, br, ro)
        WHERE u.s > v_last AND u.src = 'events' AND u.k IS NOT NULL AND u.r->>'sid' IS NOT NULL
        ORDER BY u.r->>'sid', loket_fleet.state_rank(u.r->>'to_state') DESC, u.s DESC
      ), old AS (
        SELECT o.sid, o.created_at, o.agent_code, o.kind, o.state, o.fee_differs, o.amount_sen,
               o.fee_sen, o.total_sen
        FROM loket_fleet.transactions o JOIN b ON o.terminal_id = p_terminal AND o.sid = b.sid
      ), up AS (
        INSERT INTO loket_fleet.transactions AS cur (terminal_id, sid, kind, state, state_rank,
            state_seq, created_at, updated_at, operator, agent_code, amount_sen, fee_sen, total_sen,
            fee_differs, dest_bank_code, dest_account, dest_name, bank_reference, reversal_of)
        SELECT p_terminal, b.sid, b.k, b.st, b.rk, b.s, b.c, b.a, b.op, b.ag, b.am, b.fe, b.tot,
               b.fd, b.dbc, b.dac, b.dn, b.br, b.ro
        FROM b
        ON CONFLICT (terminal_id, sid) DO UPDATE SET
            state = EXCLUDED.state, state_rank = EXCLUDED.state_rank, state_seq = EXCLUDED.state_seq,
            updated_at = EXCLUDED.updated_at, amount_sen = EXCLUDED.amount_sen,
            fee_sen = EXCLUDED.fee_sen, total_sen = EXCLUDED.total_sen,
            fee_differs = EXCLUDED.fee_differs, dest_bank_code = EXCLUDED.dest_bank_code,
            dest_account = EXCLUDED.dest_account, dest_name = EXCLUDED.dest_name,
            bank_reference = EXCLUDED.bank_reference, reversal_of = EXCLUDED.reversal_of
        WHERE EXCLUDED.state_rank > cur.state_rank
           OR (EXCLUDED.state_rank = cur.state_rank AND EXCLUDED.state_seq > cur.state_seq)
        RETURNING cur.sid, cur.created_at, cur.agent_code, cur.kind, cur.state, cur.fee_differs,
                  cur.amount_sen, cur.fee_sen, cur.total_sen
      ), delta AS (
        SELECT up.created_at, up.agent_code, up.kind, up.state, 1 AS m, up.fee_differs,
               up.amount_sen, up.fee_sen, up.total_sen
        FROM up
        UNION ALL
        SELECT old.created_at, old.agent_code, old.kind, old.state, -1, old.fee_differs,
               old.amount_sen, old.fee_sen, old.total_sen
        FROM old JOIN up ON up.sid = old.sid
      )
      INSERT INTO loket_fleet.daily AS d (day, agent_code, kind, state, terminal_id, n, fee_differs,
          amount_sen, fee_sen, total_sen)
      SELECT loket_fleet.wib_day(x.created_at), x.agent_code, x.kind, x.state, p_terminal, sum(x.m),
             sum(CASE WHEN x.fee_differs THEN x.m ELSE 0 END),
             sum(x.m * coalesce(x.amount_sen, 0)), sum(x.m * coalesce(x.fee_sen, 0)),
             sum(x.m * coalesce(x.total_sen, coalesce(x.amount_sen, 0) + coalesce(x.fee_sen, 0)))
      FROM delta x
      GROUP BY 1, 2, 3, 4
      ON CONFLICT (day, agent_code, kind, state, terminal_id) DO UPDATE SET
          n = d.n + EXCLUDED.n, fee_differs = d.fee_differs + EXCLUDED.fee_differs,
          amount_sen = d.amount_sen + EXCLUDED.amount_sen, fee_sen = d.fee_sen + EXCLUDED.fee_sen,
          total_sen = d.total_sen + EXCLUDED.total_sen;

      -- The lockout row has no time of its own (at 0): it never counts as the newest event.
      SELECT max(u.a) INTO v_newest FROM unnest(p_seq, p_at) u(s, a)
       WHERE u.s > v_last AND u.a > 'epoch'::timestamptz;
      v_last := p_seq[v_n];
    END IF;
  END IF;
  UPDATE loket_fleet.terminals
     SET last_seq = v_last, local_seq = greatest(p_local_seq, v_last),
         last_event_at = greatest(last_event_at, v_newest),
         last_contact_at = now(), agent_code = coalesce(nullif(p_agent, ''), agent_code)
   WHERE terminal_id = p_terminal;
  RETURN v_last;
END
$$;
"#;

/// Role and grant statements, run by every `init` (idempotent): roles are
/// cluster-wide, so they are created when missing, not by a migration.
const ROLES: &str = r#"
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'loket_fleet_terminal') THEN
    CREATE ROLE loket_fleet_terminal NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'loket_fleet_viewer') THEN
    CREATE ROLE loket_fleet_viewer NOLOGIN;
  END IF;
END $$;
REVOKE ALL ON SCHEMA loket_fleet FROM PUBLIC;
GRANT USAGE ON SCHEMA loket_fleet TO loket_fleet_terminal, loket_fleet_viewer;
REVOKE ALL ON ALL TABLES IN SCHEMA loket_fleet FROM loket_fleet_terminal;
-- The schema version only: a terminal checks it speaks this schema.
GRANT SELECT ON loket_fleet.meta TO loket_fleet_terminal;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA loket_fleet FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loket_fleet.state_rank(text) TO loket_fleet_viewer;
GRANT SELECT ON ALL TABLES IN SCHEMA loket_fleet TO loket_fleet_viewer;
"#;

/// The schema version in the database (`None`: no fleet schema).
pub async fn schema_version(client: &Client) -> Result<Option<i32>, FleetError> {
    let row = client
        .query_one("SELECT to_regclass('loket_fleet.meta') IS NOT NULL", &[])
        .await
        .map_err(from_pg)?;
    if !row.get::<_, bool>(0) {
        return Ok(None);
    }
    let row = client
        .query_opt("SELECT version FROM loket_fleet.meta WHERE id = 1", &[])
        .await
        .map_err(from_pg)?;
    Ok(row.map(|r| r.get(0)))
}

/// Checks the database's schema is the one this build speaks.
pub async fn check_schema(client: &Client) -> Result<(), FleetError> {
    match schema_version(client).await? {
        None => Err(FleetError::NoSchema),
        Some(v) if v > SCHEMA_VERSION => Err(FleetError::SchemaTooNew {
            found: v,
            known: SCHEMA_VERSION,
        }),
        Some(v) if v < SCHEMA_VERSION => Err(FleetError::SchemaTooOld {
            found: v,
            known: SCHEMA_VERSION,
        }),
        Some(_) => Ok(()),
    }
}

/// What `init` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InitReport {
    pub from_version: i32,
    pub version: i32,
    /// Monthly partitions that exist now (`events_YYYYMM`).
    pub partitions: Vec<String>,
}

/// Creates or migrates the central schema (idempotent; concurrent runs
/// serialize on an advisory lock), the roles and grants, and the monthly
/// partitions from three months back to twelve ahead. Run it again (e.g.
/// monthly) to add months; anything outside lands in the default partition.
pub async fn init(url: &FleetUrl) -> Result<InitReport, FleetError> {
    init_to(url, SCHEMA_VERSION).await
}

/// [`init`], stopping at schema version `target` (tests of an upgrade
/// from an older fleet).
#[doc(hidden)]
pub async fn init_to(url: &FleetUrl, target: i32) -> Result<InitReport, FleetError> {
    let target = target.clamp(1, SCHEMA_VERSION);
    let mut client = url.connect().await?;
    let tx = client.transaction().await.map_err(from_pg)?;
    tx.batch_execute("SELECT pg_advisory_xact_lock(7714140001)")
        .await
        .map_err(from_pg)?;
    tx.batch_execute(
        "CREATE SCHEMA IF NOT EXISTS loket_fleet;
         CREATE TABLE IF NOT EXISTS loket_fleet.meta (
             id int PRIMARY KEY CHECK (id = 1), version int NOT NULL, migrated_at timestamptz NOT NULL);
         INSERT INTO loket_fleet.meta (id, version, migrated_at) VALUES (1, 0, now())
         ON CONFLICT (id) DO NOTHING;",
    )
    .await
    .map_err(from_pg)?;
    let from: i32 = tx
        .query_one("SELECT version FROM loket_fleet.meta WHERE id = 1", &[])
        .await
        .map_err(from_pg)?
        .get(0);
    if from > SCHEMA_VERSION {
        return Err(FleetError::SchemaTooNew {
            found: from,
            known: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(from.max(0) as usize)
    {
        tx.batch_execute(sql).await.map_err(from_pg)?;
        tx.execute(
            "UPDATE loket_fleet.meta SET version = $1, migrated_at = now() WHERE id = 1",
            &[&(i as i32 + 1)],
        )
        .await
        .map_err(from_pg)?;
    }
    let today = Utc::now().date_naive();
    let mut partitions = Vec::new();
    for k in -3..=12 {
        let start = month_start(today, k);
        let end = month_start(today, k + 1);
        let name = format!("events_{}", start.format("%Y%m"));
        tx.batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS loket_fleet.{name} PARTITION OF loket_fleet.events \
             FOR VALUES FROM ('{start}') TO ('{end}')"
        ))
        .await
        .map_err(from_pg)?;
        partitions.push(name);
    }
    tx.batch_execute(ROLES).await.map_err(from_pg)?;
    let ship = if target >= 2 {
        SHIP_SIGNATURE
    } else {
        "loket_fleet.ship(uuid, bigint, text, jsonb)"
    };
    tx.batch_execute(&format!(
        "GRANT EXECUTE ON FUNCTION {ship} TO {TERMINAL_ROLE}"
    ))
    .await
    .map_err(from_pg)?;
    if target >= 2 {
        tx.batch_execute(&format!(
            "GRANT EXECUTE ON FUNCTION loket_fleet.wib_day(timestamptz) TO {VIEWER_ROLE}"
        ))
        .await
        .map_err(from_pg)?;
    }
    tx.commit().await.map_err(from_pg)?;
    Ok(InitReport {
        from_version: from,
        version: target.max(from),
        partitions,
    })
}

/// The first day of the month `k` months from `day`'s month.
fn month_start(day: NaiveDate, k: i32) -> NaiveDate {
    let m0 = day.year() * 12 + day.month0() as i32 + k;
    NaiveDate::from_ymd_opt(m0.div_euclid(12), m0.rem_euclid(12) as u32 + 1, 1).unwrap_or(day)
}

/// The login role name for a terminal id.
pub fn terminal_role_name(terminal_id: &str) -> String {
    format!("loket_t_{}", terminal_id.replace('-', ""))
}

/// Creates (or re-keys) the login role of one terminal, registers the
/// terminal, and returns the terminal's own URL (same server, its role).
/// Run with an admin URL; the admin URL itself is never stored.
pub async fn enroll(
    admin: &FleetUrl,
    terminal_id: &str,
    label: &str,
    password: &str,
) -> Result<FleetUrl, FleetError> {
    let uuid_ok = terminal_id.len() == 36
        && terminal_id
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == '-');
    if !uuid_ok {
        return Err(FleetError::Settings(words::text!(
            "id terminal tidak sah: {terminal_id}",
            "not a terminal id: {terminal_id}"
        )));
    }
    let role = terminal_role_name(terminal_id);
    let mut client = admin.connect().await?;
    check_schema(&client).await?;
    let tx = client.transaction().await.map_err(from_pg)?;
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&role],
        )
        .await
        .map_err(from_pg)?
        .get(0);
    let verb = if exists { "ALTER" } else { "CREATE" };
    // The role name is built from hex digits only; the password is quoted
    // by the server's own quote_literal.
    let quoted: String = tx
        .query_one("SELECT quote_literal($1)", &[&password])
        .await
        .map_err(from_pg)?
        .get(0);
    tx.batch_execute(&format!(
        "{verb} ROLE {role} LOGIN PASSWORD {quoted} CONNECTION LIMIT 8"
    ))
    .await
    .map_err(from_pg)?;
    tx.batch_execute(&format!("GRANT {TERMINAL_ROLE} TO {role}"))
        .await
        .map_err(from_pg)?;
    tx.execute(
        "INSERT INTO loket_fleet.terminals (terminal_id, db_role, label) VALUES ($1::text::uuid, $2, $3) \
         ON CONFLICT (terminal_id) DO UPDATE SET label = EXCLUDED.label, db_role = EXCLUDED.db_role",
        &[&terminal_id, &role, &label],
    )
    .await
    .map_err(from_pg)?;
    tx.commit().await.map_err(from_pg)?;
    Ok(admin.with_credentials(&role, password))
}

/// Creates (or re-keys) a read-only viewer login for staff screens.
pub async fn add_viewer(
    admin: &FleetUrl,
    name: &str,
    password: &str,
) -> Result<FleetUrl, FleetError> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(FleetError::Settings(words::text!(
            "nama viewer: huruf kecil, angka, _",
            "viewer name: lowercase letters, digits, _"
        )));
    }
    let client = admin.connect().await?;
    check_schema(&client).await?;
    let exists: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&name],
        )
        .await
        .map_err(from_pg)?
        .get(0);
    let quoted: String = client
        .query_one("SELECT quote_literal($1)", &[&password])
        .await
        .map_err(from_pg)?
        .get(0);
    let verb = if exists { "ALTER" } else { "CREATE" };
    client
        .batch_execute(&format!(
            "{verb} ROLE {name} LOGIN PASSWORD {quoted}; GRANT {VIEWER_ROLE} TO {name}"
        ))
        .await
        .map_err(from_pg)?;
    Ok(admin.with_credentials(name, password))
}

/// A random password for a new role (hex, 32 characters).
pub fn random_password() -> Result<String, FleetError> {
    let mut b = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b).map_err(|_| {
        FleetError::Settings(words::text!(
            "acak sistem gagal",
            "the system random source failed"
        ))
    })?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

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
pub const SCHEMA_VERSION: i32 = 1;

/// The group role terminals log in under.
pub const TERMINAL_ROLE: &str = "loket_fleet_terminal";
/// The read-only group role for staff and supervisors.
pub const VIEWER_ROLE: &str = "loket_fleet_viewer";

/// Migration `n` is `MIGRATIONS[n - 1]`.
const MIGRATIONS: &[&str] = &[r#"
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
"#];

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
GRANT EXECUTE ON FUNCTION loket_fleet.ship(uuid, bigint, text, jsonb) TO loket_fleet_terminal;
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
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
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
    tx.commit().await.map_err(from_pg)?;
    Ok(InitReport {
        from_version: from,
        version: SCHEMA_VERSION,
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
        return Err(FleetError::Settings(format!(
            "id terminal tidak sah / not a terminal id: {terminal_id}"
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
        return Err(FleetError::Settings(
            "nama viewer: huruf kecil, angka, _ / viewer name: lowercase letters, digits, _".into(),
        ));
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
        FleetError::Settings("acak sistem gagal / the system random source failed".into())
    })?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

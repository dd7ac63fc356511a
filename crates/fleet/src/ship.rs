//! The shipper: sends this terminal's outbox to the central database, in
//! order, in batches, and records the acknowledgement in the journal only
//! after PostgreSQL committed.
//!
//! Delivery is at-least-once, the effect exactly-once: `ship()` on the
//! server skips every `seq` it already holds (checking the hash matches)
//! and refuses a gap. A crash between the central commit and the local
//! acknowledgement re-sends that batch, which changes nothing; the next
//! run learns the server's mark and acknowledges it.
//!
//! The journal is touched only in short synchronous calls between network
//! steps (one read of a batch, one small write of the mark): no journal
//! lock is ever held while waiting on the network, and a teller flow in
//! another process never waits for the shipper.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use journal::{Journal, OutboxEvent};
use serde::Serialize;
use tokio_postgres::{Client, Statement};

use crate::central::check_schema;
use crate::connect::FleetUrl;
use crate::error::{from_pg, FleetError};

/// The one statement a batch is: `ship()` with the batch as arrays.
pub const SHIP_SQL: &str = "SELECT loket_fleet.ship($1::text::uuid, $2, $3, $4::bigint[], \
    $5::timestamptz[], $6::text[], $7::bigint[], $8::jsonb[], $9::text[], $10::text[], \
    $11::timestamptz[], $12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::bigint[], \
    $17::boolean[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[])";

/// Events per batch by default: large enough to amortize a round trip,
/// small enough to keep one server transaction short.
pub const DEFAULT_BATCH: usize = 500;

/// What one shipping run did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ShipReport {
    pub terminal_id: String,
    /// Events sent in this run (re-sent ones included).
    pub sent: u64,
    pub batches: u64,
    /// The last `seq` the central database holds (and this journal acknowledged).
    pub acked: i64,
    /// The newest `seq` in the journal when the run ended.
    pub local: i64,
}

impl ShipReport {
    /// Events not yet acknowledged ("tertunda N").
    pub fn pending(&self) -> i64 {
        (self.local - self.acked).max(0)
    }
}

/// The agent code to show for this terminal: the latest transaction's.
fn agent_of(batch: &[OutboxEvent]) -> String {
    batch
        .iter()
        .rev()
        .find_map(|e| e.transaction.as_ref().map(|t| t.agent_code.clone()))
        .unwrap_or_default()
}

fn time_of(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Sends one batch (consecutive seqs) as one `ship()` call, i.e. one
/// server transaction: when it returns `Ok`, it committed. Returns the
/// last `seq` the central database now holds for the terminal. The
/// driver's error is returned as is (tests read the server's words).
pub async fn send_batch(
    client: &Client,
    stmt: &Statement,
    terminal_id: &str,
    local_seq: i64,
    events: &[OutboxEvent],
) -> Result<i64, tokio_postgres::Error> {
    let agent = agent_of(events);
    fn tx(e: &OutboxEvent) -> Option<&journal::TransactionSnapshot> {
        if e.source == "events" {
            e.transaction.as_ref()
        } else {
            None
        }
    }
    let seq: Vec<i64> = events.iter().map(|e| e.seq).collect();
    let at: Vec<DateTime<Utc>> = events.iter().map(|e| time_of(e.at_ms)).collect();
    let source: Vec<&str> = events.iter().map(|e| e.source.as_str()).collect();
    let source_id: Vec<i64> = events.iter().map(|e| e.source_id).collect();
    let row: Vec<&serde_json::Value> = events.iter().map(|e| &e.row).collect();
    let hash: Vec<&str> = events.iter().map(|e| e.hash.as_str()).collect();
    let kind: Vec<Option<&str>> = events
        .iter()
        .map(|e| tx(e).map(|t| t.kind.as_str()))
        .collect();
    let created: Vec<Option<DateTime<Utc>>> = events
        .iter()
        .map(|e| tx(e).map(|t| time_of(t.created_at_ms)))
        .collect();
    let operator: Vec<Option<&str>> = events
        .iter()
        .map(|e| tx(e).map(|t| t.operator.as_str()))
        .collect();
    let tx_agent: Vec<Option<&str>> = events
        .iter()
        .map(|e| tx(e).map(|t| t.agent_code.as_str()))
        .collect();
    let amount: Vec<Option<i64>> = events
        .iter()
        .map(|e| tx(e).and_then(|t| t.amount_sen))
        .collect();
    let fee: Vec<Option<i64>> = events
        .iter()
        .map(|e| tx(e).and_then(|t| t.fee_sen))
        .collect();
    let total: Vec<Option<i64>> = events
        .iter()
        .map(|e| tx(e).and_then(|t| t.total_sen))
        .collect();
    let fee_differs: Vec<Option<bool>> = events
        .iter()
        .map(|e| tx(e).map(|t| t.fee_differs))
        .collect();
    fn text<'a>(
        events: &'a [OutboxEvent],
        tx: impl Fn(&'a OutboxEvent) -> Option<&'a journal::TransactionSnapshot>,
        f: fn(&journal::TransactionSnapshot) -> &Option<String>,
    ) -> Vec<Option<&'a str>> {
        events
            .iter()
            .map(|e| tx(e).and_then(|t| f(t).as_deref()))
            .collect()
    }
    let dest_bank_code = text(events, tx, |t| &t.dest_bank_code);
    let dest_account = text(events, tx, |t| &t.dest_account);
    let dest_name = text(events, tx, |t| &t.dest_name);
    let bank_reference = text(events, tx, |t| &t.bank_reference);
    let reversal_of = text(events, tx, |t| &t.reversal_of);
    Ok(client
        .query_one(
            stmt,
            &[
                &terminal_id,
                &local_seq,
                &agent,
                &seq,
                &at,
                &source,
                &source_id,
                &row,
                &hash,
                &kind,
                &created,
                &operator,
                &tx_agent,
                &amount,
                &fee,
                &total,
                &fee_differs,
                &dest_bank_code,
                &dest_account,
                &dest_name,
                &bank_reference,
                &reversal_of,
            ],
        )
        .await?
        .get(0))
}

/// One open connection to the fleet, as this terminal.
pub struct Connection {
    client: Client,
    stmt: Statement,
    terminal_id: String,
}

impl Connection {
    /// Connects, checks the schema and prepares `ship()`.
    pub async fn open(journal: &Journal, url: &FleetUrl) -> Result<Connection, FleetError> {
        let me = journal.terminal_identity()?;
        let client = url.connect().await?;
        check_schema(&client).await?;
        let stmt = client.prepare(SHIP_SQL).await.map_err(from_pg)?;
        Ok(Connection {
            client,
            stmt,
            terminal_id: me.terminal_id,
        })
    }

    /// Whether the server side has gone (then reconnect).
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// Ships everything the journal holds now, in batches. The journal is
    /// read and the mark written only between network steps.
    pub async fn ship_pending(
        &self,
        journal: &Journal,
        batch: usize,
    ) -> Result<ShipReport, FleetError> {
        let batch = batch.clamp(1, 10_000);
        let mut report = ShipReport {
            terminal_id: self.terminal_id.clone(),
            ..ShipReport::default()
        };
        loop {
            let acked = journal.fleet_acked()?;
            let events = journal.outbox(acked, batch)?;
            let local = journal.last_seq()?;
            failpoint::hit("fleet.ship.before_commit");
            let central = send_batch(&self.client, &self.stmt, &self.terminal_id, local, &events)
                .await
                .map_err(from_pg)?;
            failpoint::hit("fleet.ship.after_commit");
            if central > local {
                return Err(FleetError::Database(format!(
                    "the fleet holds seq {central} for terminal {} but this journal ends at {local}: \
                     a journal restored from an older backup or copied from another terminal; ask support",
                    self.terminal_id
                )));
            }
            if central > acked {
                journal.fleet_ack(central)?;
            }
            report.sent += events.len() as u64;
            report.acked = central;
            report.local = local;
            if events.is_empty() {
                break;
            }
            report.batches += 1;
            if events.len() < batch && central >= local {
                break;
            }
        }
        Ok(report)
    }
}

/// Ships everything the journal holds now (one connection), then returns.
pub async fn ship_once(
    journal: &Journal,
    url: &FleetUrl,
    batch: usize,
) -> Result<ShipReport, FleetError> {
    Connection::open(journal, url)
        .await?
        .ship_pending(journal, batch)
        .await
}

/// How `--follow` and the desktop's shipper wait.
#[derive(Debug, Clone, Copy)]
pub struct FollowOptions {
    /// How often the journal is looked at when nothing was pending (a
    /// local read only; the network is used only when there is something
    /// to send, or for the heartbeat).
    pub idle: Duration,
    /// A contact with nothing to send, so the fleet sees the terminal alive.
    pub heartbeat: Duration,
    /// The longest wait after failures (backoff doubles from 1 s up to this).
    pub max_backoff: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            idle: Duration::from_secs(2),
            heartbeat: Duration::from_secs(60),
            max_backoff: Duration::from_secs(60),
        }
    }
}

/// What the shipper is doing, for a status line ("Armada: tersinkron",
/// "Armada: tertunda N", offline with the next try).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ShipperStatus {
    /// `starting`, `synced`, `pending` or `offline`.
    pub state: String,
    /// Events in the journal the fleet does not hold yet.
    pub pending: i64,
    pub acked: i64,
    pub local: i64,
    /// The last failure's code and message (none once shipping works again).
    pub error_code: Option<String>,
    pub error: Option<words::Text>,
    /// Seconds until the next try after a failure.
    pub retry_in_secs: Option<u64>,
    /// When the fleet last confirmed a batch (RFC 3339).
    pub last_shipped_at: Option<String>,
}

/// A handle on a running [`Shipper`]: its status, and a way to wake it
/// (after a teller flow wrote the journal) without waiting for `idle`.
#[derive(Clone, Default)]
pub struct ShipperHandle {
    status: Arc<Mutex<ShipperStatus>>,
    wake: Arc<tokio::sync::Notify>,
}

impl ShipperHandle {
    pub fn status(&self) -> ShipperStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Never waits: at most it marks the shipper to look again now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    fn set(&self, f: impl FnOnce(&mut ShipperStatus)) {
        f(&mut self.status.lock().unwrap_or_else(|p| p.into_inner()));
    }
}

/// The shipping loop the CLI's `fleet ship --follow` and the desktop app
/// both run: keeps one connection while it works, looks at the journal
/// every `idle` (or when woken), ships what is pending, and after a
/// failure backs off (1 s, 2 s, 4 s … `max_backoff`), then catches up in
/// order. It owns its journal handle (its own SQLite connection), so it
/// shares no lock with the teller's handle; it never holds a journal
/// transaction across a network call.
pub struct Shipper {
    journal: Arc<Journal>,
    url: FleetUrl,
    batch: usize,
    opts: FollowOptions,
    handle: ShipperHandle,
}

impl Shipper {
    pub fn new(journal: Arc<Journal>, url: FleetUrl, batch: usize, opts: FollowOptions) -> Shipper {
        let handle = ShipperHandle::default();
        handle.set(|s| s.state = "starting".into());
        Shipper {
            journal,
            url,
            batch,
            opts,
            handle,
        }
    }

    pub fn handle(&self) -> ShipperHandle {
        self.handle.clone()
    }

    /// The journal's own view (no network): how much is pending.
    fn local_marks(&self) -> Result<(i64, i64), FleetError> {
        Ok((self.journal.fleet_acked()?, self.journal.last_seq()?))
    }

    /// Runs until `stop` resolves. `on_run` sees every shipping attempt.
    pub async fn run<F, S>(self, mut on_run: F, stop: S)
    where
        F: FnMut(&Result<ShipReport, FleetError>),
        S: std::future::Future<Output = ()>,
    {
        tokio::pin!(stop);
        let mut conn: Option<Connection> = None;
        let mut backoff = Duration::from_secs(1);
        let mut last_contact: Option<Instant> = None;
        let mut failing = false;
        let mut next_try = Instant::now();
        loop {
            // Every look starts with the journal's own marks (a local read),
            // so "tertunda N" counts payments made while offline at once.
            let marks = self.local_marks();
            if let Ok((acked, local)) = marks {
                self.handle.set(|s| {
                    s.acked = acked;
                    s.local = local;
                    s.pending = (local - acked).max(0);
                    if s.state == "synced" && s.pending > 0 {
                        s.state = "pending".into();
                    }
                    if failing {
                        s.retry_in_secs =
                            Some(next_try.saturating_duration_since(Instant::now()).as_secs());
                    }
                });
            }
            let due = match &marks {
                Ok((acked, local)) => {
                    local > acked
                        || failing
                        || last_contact.is_none_or(|t| t.elapsed() >= self.opts.heartbeat)
                }
                Err(_) => true,
            };
            if due && Instant::now() >= next_try {
                let result = match marks {
                    Err(e) => Err(e),
                    Ok(_) => self.attempt(&mut conn).await,
                };
                match &result {
                    Ok(r) => {
                        failing = false;
                        backoff = Duration::from_secs(1);
                        last_contact = Some(Instant::now());
                        let now = Utc::now().to_rfc3339();
                        self.handle.set(|s| {
                            *s = ShipperStatus {
                                state: if r.pending() == 0 {
                                    "synced"
                                } else {
                                    "pending"
                                }
                                .into(),
                                pending: r.pending(),
                                acked: r.acked,
                                local: r.local,
                                error_code: None,
                                error: None,
                                retry_in_secs: None,
                                last_shipped_at: Some(now),
                            }
                        });
                    }
                    Err(e) => {
                        failing = true;
                        conn = None;
                        let wait = backoff.min(self.opts.max_backoff);
                        backoff = (backoff * 2).min(self.opts.max_backoff);
                        next_try = Instant::now() + wait;
                        let (acked, local) = self.local_marks().unwrap_or((0, 0));
                        self.handle.set(|s| {
                            s.state = "offline".into();
                            s.acked = acked;
                            s.local = local;
                            s.pending = (local - acked).max(0);
                            s.error_code = Some(e.code().into());
                            s.error = Some(words::Say::say(&e));
                            s.retry_in_secs = Some(wait.as_secs());
                        });
                    }
                }
                on_run(&result);
            }
            let wait = if failing {
                next_try
                    .saturating_duration_since(Instant::now())
                    .min(self.opts.idle)
            } else {
                self.opts.idle
            };
            tokio::select! {
                _ = &mut stop => return,
                _ = self.handle.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    async fn attempt(&self, conn: &mut Option<Connection>) -> Result<ShipReport, FleetError> {
        if conn.as_ref().is_none_or(Connection::is_closed) {
            *conn = Some(Connection::open(&self.journal, &self.url).await?);
        }
        match conn {
            Some(c) => c.ship_pending(&self.journal, self.batch).await,
            None => Err(FleetError::NotConfigured),
        }
    }
}

/// Ships for ever (until `stop` resolves); see [`Shipper`]. `on_run` sees
/// every outcome (the status line).
pub async fn follow<F, S>(
    journal: Arc<Journal>,
    url: &FleetUrl,
    batch: usize,
    opts: FollowOptions,
    on_run: F,
    stop: S,
) where
    F: FnMut(&Result<ShipReport, FleetError>),
    S: std::future::Future<Output = ()>,
{
    Shipper::new(journal, url.clone(), batch, opts)
        .run(on_run, stop)
        .await
}

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

use std::time::Duration;

use journal::Journal;
use serde::Serialize;

use crate::central::check_schema;
use crate::connect::FleetUrl;
use crate::error::{from_pg, FleetError};

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
fn agent_of(batch: &[journal::OutboxEvent]) -> String {
    batch
        .iter()
        .rev()
        .find_map(|e| e.transaction.as_ref().map(|t| t.agent_code.clone()))
        .unwrap_or_default()
}

/// Ships everything the journal holds now (one connection), then returns.
pub async fn ship_once(
    journal: &Journal,
    url: &FleetUrl,
    batch: usize,
) -> Result<ShipReport, FleetError> {
    let batch = batch.clamp(1, 10_000);
    let me = journal.terminal_identity()?;
    let client = url.connect().await?;
    check_schema(&client).await?;
    let stmt = client
        .prepare("SELECT loket_fleet.ship($1::text::uuid, $2, $3, $4)")
        .await
        .map_err(from_pg)?;
    let mut report = ShipReport {
        terminal_id: me.terminal_id.clone(),
        ..ShipReport::default()
    };
    loop {
        let acked = journal.fleet_acked()?;
        let events = journal.outbox(acked, batch)?;
        let local = journal.last_seq()?;
        let payload =
            serde_json::to_value(&events).map_err(|e| FleetError::Database(e.to_string()))?;
        let agent = agent_of(&events);
        failpoint::hit("fleet.ship.before_commit");
        // One statement = one server transaction: when it returns, it committed.
        let central: i64 = client
            .query_one(&stmt, &[&me.terminal_id, &local, &agent, &payload])
            .await
            .map_err(from_pg)?
            .get(0);
        failpoint::hit("fleet.ship.after_commit");
        if central > local {
            return Err(FleetError::Database(format!(
                "the fleet holds seq {central} for terminal {} but this journal ends at {local}: \
                 a journal restored from an older backup or copied from another terminal; ask support",
                me.terminal_id
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

/// How `--follow` waits.
#[derive(Debug, Clone, Copy)]
pub struct FollowOptions {
    /// Between runs when everything was shipped.
    pub idle: Duration,
    /// The longest wait after failures (backoff doubles from 1 s up to this).
    pub max_backoff: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            idle: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
        }
    }
}

/// Ships for ever (until `stop` resolves): after each clean run waits
/// `idle`; after a failure backs off (1 s, 2 s, 4 s … `max_backoff`) and
/// tries again, catching up in order. `on_run` sees every outcome (the
/// status line, the desktop's "tersinkron / tertunda N").
pub async fn follow<F, S>(
    journal: &Journal,
    url: &FleetUrl,
    batch: usize,
    opts: FollowOptions,
    mut on_run: F,
    stop: S,
) where
    F: FnMut(&Result<ShipReport, FleetError>),
    S: std::future::Future<Output = ()>,
{
    tokio::pin!(stop);
    let mut backoff = Duration::from_secs(1);
    loop {
        let result = ship_once(journal, url, batch).await;
        let wait = match &result {
            Ok(_) => {
                backoff = Duration::from_secs(1);
                opts.idle
            }
            Err(_) => {
                let w = backoff;
                backoff = (backoff * 2).min(opts.max_backoff);
                w.min(opts.max_backoff)
            }
        };
        on_run(&result);
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

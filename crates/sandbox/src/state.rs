//! The state every request handler shares: the ledger, the sessions, the
//! fault dice and the fee schedule.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use money::Rupiah;

use crate::faults::{Decision, FaultEngine, FaultPlan};
use crate::ledger::{Ledger, LedgerError};

/// Locks a mutex even if a panicking thread poisoned it. Sound here: the
/// session map and fault dice hold no invariant a half-done update could
/// break, and the ledger's SQLite transaction rolls back when dropped.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) struct AppState {
    pub ledger: Arc<Ledger>,
    pub sessions: Sessions,
    pub faults: Mutex<FaultEngine>,
    pub intrabank_fee: Rupiah,
    pub interbank_fee: Rupiah,
    /// Tokens and request ids of the statement-provider imitations.
    pub providers: crate::providers::ProviderState,
    /// Requests received per endpoint path (admin ones excluded), so a test
    /// can prove how many times something was sent, e.g. one `/reversal`.
    pub requests: Mutex<HashMap<String, u64>>,
}

impl AppState {
    /// Runs a ledger operation on the blocking pool: SQLite waits for the
    /// disk, and a started operation then finishes (commits or rolls back)
    /// even if the client goes away mid-request.
    pub async fn db<T, F>(&self, f: F) -> Result<T, LedgerError>
    where
        T: Send + 'static,
        F: FnOnce(&Ledger) -> Result<T, LedgerError> + Send + 'static,
    {
        let ledger = Arc::clone(&self.ledger);
        tokio::task::spawn_blocking(move || f(&ledger))
            .await
            .map_err(|e| LedgerError::Internal(format!("ledger task failed: {e}")))?
    }

    pub fn set_faults(&self, plan: FaultPlan) {
        *lock(&self.faults) = FaultEngine::new(plan);
    }

    /// Counts one request to `path`.
    pub fn count_request(&self, path: &str) {
        *lock(&self.requests).entry(path.to_owned()).or_default() += 1;
    }

    /// Requests received so far, per path.
    pub fn request_counts(&self) -> HashMap<String, u64> {
        lock(&self.requests).clone()
    }

    pub fn decide_fault(&self, path: &str) -> Decision {
        lock(&self.faults).decide(path)
    }
}

struct Session {
    user_id: i64,
    last_seen: Instant,
}

/// Logged-in sessions, in memory only: a restart logs everyone out, as a
/// real platform restart would.
pub(crate) struct Sessions {
    idle: Duration,
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    pub fn new(idle: Duration) -> Self {
        Sessions {
            idle,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// A new session for a user; its 80-character id.
    pub fn create(&self, user_id: i64) -> Result<String, getrandom::Error> {
        let id = crate::ids::session_id()?;
        let mut map = lock(&self.map);
        let now = Instant::now();
        // Sweep the expired ones so the map does not grow without bound.
        map.retain(|_, s| now.duration_since(s.last_seen) <= self.idle);
        map.insert(
            id.clone(),
            Session {
                user_id,
                last_seen: now,
            },
        );
        Ok(id)
    }

    /// The user of a live session, refreshing its idle timer; an idle
    /// session is forgotten here.
    pub fn touch(&self, id: &str) -> Option<i64> {
        let mut map = lock(&self.map);
        let now = Instant::now();
        let session = map.get_mut(id)?;
        if now.duration_since(session.last_seen) > self.idle {
            map.remove(id);
            return None;
        }
        session.last_seen = now;
        Some(session.user_id)
    }

    pub fn forget(&self, id: &str) {
        lock(&self.map).remove(id);
    }

    pub fn clear(&self) {
        lock(&self.map).clear();
    }
}

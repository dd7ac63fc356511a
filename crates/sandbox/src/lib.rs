//! The Loket sandbox: a faithful, stateful simulator of the Bank+ H2H API
//! and its branchless switcher, on loopback, with a real SQLite ledger and
//! deterministic fault injection.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sandbox::SandboxError> {
//! let sandbox = sandbox::Sandbox::start(
//!     sandbox::SandboxConfig::default(),
//!     "127.0.0.1:0".parse().expect("an address"),
//! )
//! .await?;
//! println!("Bank+ at {}/bankplus/users/auth", sandbox.base_url());
//! sandbox.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! Module map: [`faults`] (plans, CLI syntax, dice), `ledger` (the books),
//! `seed` (the demo bank), `routes` (Bank+ and switcher endpoints), `admin`
//! (`/_sandbox/…`), `server` (accept loop and fault layer), `wire` (reply
//! shapes and formats), [`demo`] (credentials), `providers` (the four
//! bank-statement providers on the same ledger).

mod admin;
mod banks;
mod calendar;
pub mod demo;
pub mod faults;
mod ids;
mod ledger;
mod providers;
mod routes;
mod seed;
mod server;
mod state;
mod wire;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use money::Rupiah;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use faults::{Fault, FaultPlan, FaultRule, FaultRuleError};
pub use routes::ENDPOINTS;

use ledger::Ledger;
use state::{AppState, Sessions};

/// Rp1.000, the intrabank fee the document quotes.
pub const DEFAULT_INTRABANK_FEE: Rupiah = Rupiah::from_sen(1_000 * 100);
/// Rp6.500, the interbank fee the document quotes.
pub const DEFAULT_INTERBANK_FEE: Rupiah = Rupiah::from_sen(6_500 * 100);

/// Where the ledger lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerLocation {
    /// Forgotten when the sandbox stops.
    Memory,
    /// A SQLite file, kept across restarts (created and seeded if new).
    File(PathBuf),
}

/// How to run the sandbox.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub ledger: LedgerLocation,
    /// Wipe and re-seed an existing ledger.
    pub reset: bool,
    /// Inactivity after which a session expires.
    pub session_idle: Duration,
    pub intrabank_fee: Rupiah,
    pub interbank_fee: Rupiah,
    pub faults: FaultPlan,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            ledger: LedgerLocation::Memory,
            reset: false,
            session_idle: Duration::from_secs(15 * 60),
            intrabank_fee: DEFAULT_INTRABANK_FEE,
            interbank_fee: DEFAULT_INTERBANK_FEE,
            faults: FaultPlan::default(),
        }
    }
}

/// Why the sandbox could not start (or reset).
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot listen on {addr}: {source}; choose another port, or port 0 for any free one")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the sandbox ledger at {location}: {reason}")]
    Ledger { location: String, reason: String },
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
}

/// A running sandbox. Dropping it stops the server too (without waiting);
/// [`Sandbox::shutdown`] stops it cleanly.
pub struct Sandbox {
    addr: SocketAddr,
    state: Arc<AppState>,
    stop: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<()>>>,
}

fn describe(location: &LedgerLocation) -> String {
    match location {
        LedgerLocation::Memory => "memory".to_owned(),
        LedgerLocation::File(p) => p.display().to_string(),
    }
}

impl Sandbox {
    /// Binds `listen` (port 0 = a free port), opens (or seeds) the ledger and
    /// serves in a background task of the current tokio runtime.
    pub async fn start(config: SandboxConfig, listen: SocketAddr) -> Result<Sandbox, SandboxError> {
        if config.intrabank_fee.is_negative() || config.interbank_fee.is_negative() {
            return Err(SandboxError::Config("fees cannot be negative".into()));
        }
        config
            .faults
            .validate()
            .map_err(|e| SandboxError::Config(e.to_string()))?;

        // Bind first: a taken port is the likelier mistake and costs nothing
        // to find out, while seeding a new ledger file writes to disk.
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: listen,
            source,
        })?;

        let location = config.ledger.clone();
        let reset = config.reset;
        let ledger = tokio::task::spawn_blocking(move || Ledger::open(&location, reset))
            .await
            .map_err(|e| SandboxError::Ledger {
                location: describe(&config.ledger),
                reason: e.to_string(),
            })?
            .map_err(|e| SandboxError::Ledger {
                location: describe(&config.ledger),
                reason: match &config.ledger {
                    LedgerLocation::File(_) if matches!(e, ledger::LedgerError::Sql(_)) => format!(
                        "{e}; check that the folder exists and is writable and that the file is a \
                         sandbox ledger, or use an in-memory ledger"
                    ),
                    _ => e.to_string(),
                },
            })?;

        let state = Arc::new(AppState {
            ledger: Arc::new(ledger),
            sessions: Sessions::new(config.session_idle),
            faults: Mutex::new(faults::FaultEngine::new(config.faults)),
            intrabank_fee: config.intrabank_fee,
            interbank_fee: config.interbank_fee,
            providers: providers::ProviderState::default(),
            requests: Mutex::new(Default::default()),
        });
        let (stop, stopped) = watch::channel(false);
        let app = routes::router(Arc::clone(&state));
        let task = tokio::spawn(server::serve(listener, app, stopped));
        tracing::debug!(%addr, "sandbox listening");
        Ok(Sandbox {
            addr,
            state,
            stop,
            task: Mutex::new(Some(task)),
        })
    }

    /// `http://127.0.0.1:PORT`: Bank+ is under `/bankplus/…`, the switcher
    /// at `/inquiry`, `/transfer`, `/reversal`, `/check`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces the fault plan (the dice start again from the plan's seed).
    /// Out-of-range probabilities are clamped; unknown endpoints never match.
    pub fn set_faults(&self, plan: FaultPlan) {
        self.state.set_faults(plan);
    }

    /// How many requests `path` has received (faulted ones included).
    pub fn requests_to(&self, path: &str) -> u64 {
        self.state.request_counts().get(path).copied().unwrap_or(0)
    }

    /// Forgets every session now.
    pub fn expire_sessions(&self) {
        self.state.sessions.clear();
    }

    /// Wipes the ledger and seeds it again (sessions stay valid: the seeded
    /// users keep their ids).
    pub fn reset(&self) -> Result<(), SandboxError> {
        self.state.ledger.reset().map_err(|e| SandboxError::Ledger {
            location: "the running sandbox".into(),
            reason: e.to_string(),
        })
    }

    /// An account's balance, for tests: `bank` as `"BNI"`, `"008"` or
    /// `"BMRIIDJA"`.
    pub fn balance(&self, bank: &str, account_number: &str) -> Option<Rupiah> {
        let bank = banks::resolve(bank)?;
        match self.state.ledger.account(bank, account_number) {
            Ok(account) => account.map(|a| a.balance),
            Err(e) => {
                tracing::warn!("balance lookup failed: {e}");
                None
            }
        }
    }

    /// How many ledger transactions carry this sid/refnum: 1 after a payment,
    /// never 2 (to prove "debited once").
    pub fn postings_for_sid(&self, sid: &str) -> usize {
        self.state
            .ledger
            .transactions_with_refnum(sid)
            .unwrap_or_else(|e| {
                tracing::warn!("refnum lookup failed: {e}");
                0
            })
    }

    /// Stops accepting, lets in-flight requests finish (a few seconds at
    /// most), closes the connections and flushes the ledger to its file.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let task = state::lock(&self.task).take();
        if let Some(task) = task {
            let _ = task.await;
        }
        let ledger = Arc::clone(&self.state.ledger);
        let _ = tokio::task::spawn_blocking(move || ledger.checkpoint()).await;
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

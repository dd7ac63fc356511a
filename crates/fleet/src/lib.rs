//! Fleet replication (issue 14): every terminal's journal, appended to a
//! central PostgreSQL the bank already runs, and the bank's fleet views on
//! top of it.
//!
//! The journal stays the source of truth on each counter; the replica is
//! optional, append-only and off by default (no URL: nothing changes).
//! [`ship`] sends the journal's outbox (its chain sequence), [`central`]
//! owns the PostgreSQL schema and roles, [`read`] answers `fleet status`,
//! `fleet doubt` and `fleet summary`, [`store`] keeps the terminal's
//! connection string sealed. No Tauri dependency: the CLI and the desktop
//! shell both use it.
//!
//! Client: tokio-postgres (+ tokio-postgres-rustls). It is the plain async
//! driver under the other choices: no compile-time database, no macros, a
//! small dependency tree on the tokio and rustls the workspace already has;
//! one connection per shipper is all a terminal needs, so no pool.

pub mod central;
pub mod connect;
pub mod error;
pub mod read;
pub mod ship;
pub mod store;
#[cfg(feature = "test-support")]
pub mod testpg;

pub use connect::FleetUrl;
pub use error::FleetError;
pub use store::FleetStore;

/// The default terminal label: the agent code and the host name.
pub fn default_label(agent_code: Option<&str>) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_else(|| "terminal".into());
    match agent_code.map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => format!("{a}@{host}"),
        None => host,
    }
}

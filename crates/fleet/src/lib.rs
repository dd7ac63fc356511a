//! Fleet replication (issue 14): every terminal's journal, appended to a
//! central PostgreSQL, and the bank's fleet views read from it.

#[cfg(feature = "test-support")]
pub mod testpg;

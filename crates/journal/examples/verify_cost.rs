//! What verifying the journal chain costs at start, with and without the
//! checkpoint: `cargo run -p journal --example verify_cost [ROWS]` (default
//! 100000; a second argument keeps the journal in that directory, e.g. to
//! time `loket --data-dir DIR history` on it). Prints timings; asserts
//! nothing about speed.

use std::time::Instant;

use journal::{Integrity, Journal};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u32 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let path = match std::env::args().nth(2) {
        Some(keep) => std::path::PathBuf::from(keep).join("journal.db"),
        None => dir.path().join("journal.db"),
    };
    let j = Journal::open(&path)?;
    let fill = |n: u32| -> rusqlite::Result<()> {
        let c = rusqlite::Connection::open(&path)?;
        journal::chain::register(&c)?;
        c.execute_batch(&format!(
            "BEGIN;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
             INSERT INTO authorizations (at, action, actor, authorized_by, detail)
             SELECT i, 'settings', 'agent', 'spv', 'row ' || i FROM n;
             COMMIT;"
        ))
    };
    let t = Instant::now();
    fill(rows)?;
    println!("wrote {rows} chained rows in {:?}", t.elapsed());
    let t = Instant::now();
    let r = Integrity::verify(&j)?;
    println!("full verify ({} rows): {:?}", r.chained, t.elapsed());
    let t = Instant::now();
    let r = Integrity::verify_at_start(&j)?;
    println!(
        "start, no checkpoint yet ({} rows, then saves one): {:?}",
        r.chained,
        t.elapsed()
    );
    let t = Instant::now();
    Integrity::verify_at_start(&j)?;
    println!("start, nothing new since the checkpoint: {:?}", t.elapsed());
    fill(100)?;
    let t = Instant::now();
    Integrity::verify_at_start(&j)?;
    println!(
        "start, 100 rows new since the checkpoint: {:?}",
        t.elapsed()
    );
    Ok(())
}

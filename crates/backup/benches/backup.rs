//! Backup and restore of a 1,000,000-row journal: seconds and megabytes,
//! measured in one run. `cargo bench -p backup --bench backup` (`make
//! bench`); `BACKUP_BENCH_ROWS` changes the size.

use std::time::Instant;

fn main() {
    let rows: u64 = std::env::var("BACKUP_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    let t = Instant::now();
    journal::bench_fixture::generate(&data.join("journal.db"), rows);
    let journal_mb = std::fs::metadata(data.join("journal.db"))
        .map(|m| m.len())
        .unwrap_or(0) as f64
        / 1e6;
    println!(
        "generated {rows} rows in {:.1} s; journal file {journal_mb:.0} MB",
        t.elapsed().as_secs_f64()
    );

    let archive = dir.path().join("b.tar.gz");
    let t = Instant::now();
    let report = backup::create(&data, &archive).expect("backup");
    let took = t.elapsed().as_secs_f64();
    println!(
        "backup (online copy + integrity_check + gzip + read-back check): {took:.2} s; archive {:.0} MB of {:.0} MB data ({:.0}%)",
        report.bytes as f64 / 1e6,
        report.data_bytes as f64 / 1e6,
        100.0 * report.bytes as f64 / report.data_bytes.max(1) as f64
    );
    let t = Instant::now();
    backup::verify(&archive).expect("verify");
    println!("verify: {:.2} s", t.elapsed().as_secs_f64());
    let target = dir.path().join("restored");
    let t = Instant::now();
    backup::restore(&archive, &target).expect("restore");
    println!(
        "restore (checks, then swap in): {:.2} s",
        t.elapsed().as_secs_f64()
    );
}

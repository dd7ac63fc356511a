//! Reconciliation time for 10k, 100k and 1M lines on each side; the ratios
//! between sizes show the growth (linear: about 10x per 10x).

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use money::Rupiah;
use mutasi::{Direction, ProviderKind, StatementLine};
use reconcile::{reconcile_entries, JournalEntry, Options};

fn data(n: usize) -> (Vec<JournalEntry>, Vec<StatementLine>) {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut entries = Vec::with_capacity(n);
    let mut lines = Vec::with_capacity(n);
    for i in 0..n {
        let at = t0 + Duration::seconds(i as i64 * 7);
        let sen = 1_000_000 + (i as i64 * 7919) % 5_000_000 * 100;
        let sid = format!("26{:014}", i);
        entries.push(JournalEntry {
            sid: sid.clone(),
            kind: journal::Kind::Deposit,
            state: journal::State::Succeeded,
            created_at: at,
            direction: Direction::Debit,
            total: Rupiah::from_sen(sen),
        });
        // Half the lines carry the sid, half pair on amount and time.
        let description = if i % 2 == 0 {
            format!("SETOR TUNAI {sid}")
        } else {
            "SETOR TUNAI".into()
        };
        lines.push(StatementLine {
            provider: ProviderKind::Bri,
            account: "4447".into(),
            posted_at: at + Duration::seconds(30),
            date_only: false,
            direction: Direction::Debit,
            amount: Rupiah::from_sen(sen),
            balance: None,
            description,
            provider_id: format!("L{i}"),
            reference: None,
        });
    }
    (entries, lines)
}

/// This thread's time on a CPU so far (Linux's schedstat), when known: on a
/// shared, loaded machine the wall time also counts the waits for a core.
fn cpu_secs() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn main() {
    let mut last: Option<f64> = None;
    println!(
        "reconcile (lines per side, wall seconds, ratio to the previous size, CPU seconds of the thread)"
    );
    for n in [10_000usize, 100_000, 1_000_000] {
        let (entries, lines) = data(n);
        let cpu0 = cpu_secs();
        let start = Instant::now();
        let report = reconcile_entries(entries, &lines, &Options::default());
        let secs = start.elapsed().as_secs_f64();
        let cpu = cpu0
            .zip(cpu_secs())
            .map(|(a, b)| format!("{:.3} s CPU", b - a))
            .unwrap_or_default();
        assert_eq!(report.matched.len(), n);
        let ratio = last
            .map(|p| format!("{:.1}x", secs / p))
            .unwrap_or_else(|| "-".into());
        println!("{n:>9} {secs:>9.3} s  {ratio:>6}  {cpu}");
        last = Some(secs);
    }
}

//! History on a journal of 1,000,000 rows: median and p95 of each query the
//! history screen and the CLI make, the day summary, and CSV export of every
//! row. Run with `cargo bench -p journal --bench history` (`make bench`);
//! `JOURNAL_BENCH_ROWS` changes the size.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use journal::{HistoryQuery, Journal, Kind, State};

fn measure(label: &str, runs: usize, mut f: impl FnMut() -> usize) {
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        rows = f();
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[runs / 2];
    let p95 = times[(runs * 95 / 100).min(runs - 1)];
    println!(
        "{label:<44} median {:>8.2} ms   p95 {:>8.2} ms   ({rows} rows)",
        median.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3
    );
}

fn main() {
    let rows: u64 = std::env::var("JOURNAL_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.db");
    let t = Instant::now();
    journal::bench_fixture::generate(&path, rows);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "generated {rows} rows in {:.1} s; journal file {:.0} MB",
        t.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );
    let j = &Journal::open(&path).expect("open");
    let runs = 41;
    let page = |q: HistoryQuery| move || j.history(&q).expect("history").rows.len();

    measure("latest page (50)", runs, page(HistoryQuery::default()));
    let day = journal::wib_day_bounds(NaiveDate::from_ymd_opt(2026, 8, 1).unwrap());
    measure(
        "one WIB day, first page",
        runs,
        page(HistoryQuery {
            from: Some(day.0),
            to: Some(day.1),
            ..Default::default()
        }),
    );
    measure(
        "in doubt (state=unknown), first page",
        runs,
        page(HistoryQuery {
            state: Some(State::Unknown),
            ..Default::default()
        }),
    );
    measure(
        "interbank + failed, first page",
        runs,
        page(HistoryQuery {
            kind: Some(Kind::InterbankTransfer),
            state: Some(State::Failed),
            ..Default::default()
        }),
    );
    measure(
        "account = 12345",
        runs,
        page(HistoryQuery {
            account: Some("12345".into()),
            ..Default::default()
        }),
    );
    measure(
        "search name 'herdi' (trigram), first page",
        runs,
        page(HistoryQuery {
            search: Some("herdi".into()),
            ..Default::default()
        }),
    );
    measure(
        "search sid fragment '0500123'",
        runs,
        page(HistoryQuery {
            search: Some("0500123".into()),
            ..Default::default()
        }),
    );
    measure(
        "search 'herdi' in one day",
        runs,
        page(HistoryQuery {
            search: Some("herdi".into()),
            from: Some(day.0),
            to: Some(day.1),
            ..Default::default()
        }),
    );
    let deep = {
        let mut after = None;
        for _ in 0..200 {
            after = j
                .history(&HistoryQuery {
                    after: after.clone(),
                    ..Default::default()
                })
                .expect("page")
                .next;
        }
        after
    };
    measure(
        "page 201 (keyset cursor)",
        runs,
        page(HistoryQuery {
            after: deep,
            ..Default::default()
        }),
    );
    measure("get by sid", runs, || {
        usize::from(j.get("2605010000500000").expect("get").is_some())
    });
    measure("day summary", runs, || {
        j.day_summary(NaiveDate::from_ymd_opt(2026, 8, 1).unwrap())
            .expect("summary")
            .kinds
            .len()
    });

    let out = dir.path().join("export.csv");
    let t = Instant::now();
    let file = std::io::BufWriter::new(std::fs::File::create(&out).expect("csv file"));
    let n = j
        .export_csv(&HistoryQuery::default(), file)
        .expect("export");
    let secs = t.elapsed().as_secs_f64();
    let csv_size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    println!(
        "CSV export of {n} rows: {secs:.2} s ({:.0} rows/s, {:.0} MB)",
        n as f64 / secs,
        csv_size as f64 / 1e6
    );
}

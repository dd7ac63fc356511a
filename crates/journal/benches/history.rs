//! History on a journal of 1,000,000 rows: median and p95 of each query the
//! history screen and the CLI make, the day summary, and CSV export of every
//! row. Run with `cargo bench -p journal --bench history` (`make bench`);
//! `JOURNAL_BENCH_ROWS` changes the size.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use journal::{HistoryQuery, Journal, Kind, State};

/// Runs `f` `runs` times; prints and returns (median, p95) in ms.
fn measure(label: &str, runs: usize, mut f: impl FnMut() -> usize) -> (f64, f64) {
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
        "{label:<48} p50  {:>8.2} ms   p95 {:>8.2} ms   ({rows} rows)",
        median.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3
    );
    (median.as_secs_f64() * 1e3, p95.as_secs_f64() * 1e3)
}

fn main() {
    let rows: u64 = std::env::var("JOURNAL_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    // JOURNAL_BENCH_FILE keeps the generated journal for the next run
    // (generating a million chained rows takes minutes).
    let kept = std::env::var_os("JOURNAL_BENCH_FILE").map(std::path::PathBuf::from);
    let path = kept
        .clone()
        .unwrap_or_else(|| dir.path().join("journal.db"));
    let t = Instant::now();
    if !path.exists() {
        journal::bench_fixture::generate(&path, rows);
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "generated {rows} rows in {:.1} s; journal file {:.0} MB",
        t.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );
    // Start-up on this journal against an empty one: open (the soundness
    // check, the schema) plus recovery, which must read only unfinished rows.
    let empty_dir = tempfile::tempdir().expect("tempdir");
    let empty_path = empty_dir.path().join("journal.db");
    drop(Journal::open(&empty_path).expect("empty journal"));
    let start_up = |p: &std::path::Path| {
        let j = Journal::open(p).expect("open");
        j.recover("bench").expect("recover").len()
    };
    let runs = 21;
    let empty = measure("open + recover, empty journal", runs, || {
        start_up(&empty_path)
    });
    let full = measure(&format!("open + recover, {rows} rows"), runs, || {
        start_up(&path)
    });
    println!(
        "{:<48} ratio {:.2} (median), {:.2} (p95)",
        "start-up, full / empty",
        full.0 / empty.0,
        full.1 / empty.1
    );

    let j = &Journal::open(&path).expect("open");
    let runs = 41;
    let page = |q: HistoryQuery| move || j.history(&q).expect("history").rows.len();
    let day = journal::wib_day_bounds(NaiveDate::from_ymd_opt(2026, 8, 1).unwrap());
    let in_day = |q: HistoryQuery| HistoryQuery {
        from: Some(day.0),
        to: Some(day.1),
        ..q
    };
    let text = |s: &str| HistoryQuery {
        search: Some(s.into()),
        ..Default::default()
    };
    let second = |q: HistoryQuery| HistoryQuery {
        after: j.history(&q).expect("page 1").next,
        ..q
    };
    let mut worst: f64 = 0.0;
    let mut m = |label: &str, f: &mut dyn FnMut() -> usize| {
        let (_, p95) = measure(label, runs, f);
        worst = worst.max(p95);
    };

    m("latest page (50)", &mut page(HistoryQuery::default()));
    m(
        "latest page, page 2",
        &mut page(second(HistoryQuery::default())),
    );
    m(
        "one WIB day, first page",
        &mut page(in_day(HistoryQuery::default())),
    );
    m(
        "kind = deposit, first page",
        &mut page(HistoryQuery {
            kind: Some(Kind::Deposit),
            ..Default::default()
        }),
    );
    m(
        "in doubt (state=unknown), first page",
        &mut page(HistoryQuery {
            state: Some(State::Unknown),
            ..Default::default()
        }),
    );
    m(
        "state = failed, one day",
        &mut page(in_day(HistoryQuery {
            state: Some(State::Failed),
            ..Default::default()
        })),
    );
    m(
        "interbank + failed, first page",
        &mut page(HistoryQuery {
            kind: Some(Kind::InterbankTransfer),
            state: Some(State::Failed),
            ..Default::default()
        }),
    );
    m(
        "interbank + failed, page 2",
        &mut page(second(HistoryQuery {
            kind: Some(Kind::InterbankTransfer),
            state: Some(State::Failed),
            ..Default::default()
        })),
    );
    m(
        "account = 12345",
        &mut page(HistoryQuery {
            account: Some("12345".into()),
            ..Default::default()
        }),
    );
    m(
        "search name 'herdi' (1 row in 8), first page",
        &mut page(text("herdi")),
    );
    m("search 'herdi', page 2", &mut page(second(text("herdi"))));
    m(
        "search 'herdi' + state=unknown",
        &mut page(HistoryQuery {
            state: Some(State::Unknown),
            ..text("herdi")
        }),
    );
    m(
        "search 'herdi' in one day",
        &mut page(in_day(text("herdi"))),
    );
    m(
        "search 'budi santoso' (full name)",
        &mut page(text("budi santoso")),
    );
    m("search sid fragment '0500123'", &mut page(text("0500123")));
    m("search account '12345'", &mut page(text("12345")));
    m("search '2605' (every sid)", &mut page(text("2605")));
    m("search with no match 'zzzq'", &mut page(text("zzzq")));
    m("search 2 chars 'ha' (LIKE)", &mut page(text("ha")));
    m(
        "search 2 chars 'zq' (LIKE, no match)",
        &mut page(text("zq")),
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
    m(
        "page 201 (keyset cursor)",
        &mut page(HistoryQuery {
            after: deep,
            ..Default::default()
        }),
    );
    m("get by sid", &mut || {
        usize::from(j.get("2605010000500000").expect("get").is_some())
    });
    m("hold check (in_doubt_like), no doubt", &mut || {
        usize::from(
            j.in_doubt_like(Some("BNI"), "12345", money::Rupiah::from_sen(100_000))
                .expect("doubt")
                .is_some(),
        )
    });
    let (summary_p50, summary_p95) = measure("day summary", runs, || {
        j.day_summary(NaiveDate::from_ymd_opt(2026, 8, 1).unwrap())
            .expect("summary")
            .kinds
            .len()
    });
    println!(
        "worst history p95 {worst:.2} ms (target <= 20); day summary p50 {summary_p50:.2} / p95 {summary_p95:.2} ms (target <= 5)"
    );
    measure("every row in doubt (recovery's list)", 5, || {
        j.in_doubt().expect("in doubt").len()
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

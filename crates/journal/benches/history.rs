//! History on a journal of 1,000,000 rows: median and p95 of each query the
//! history screen and the CLI make, the day summary, and CSV export of every
//! row. Run with `cargo bench -p journal --bench history` (`make bench`);
//! `JOURNAL_BENCH_ROWS` changes the size.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use journal::{HistoryQuery, Journal, Kind, State};

const NAMES: [&str; 8] = [
    "ARDHA HERDIANTO",
    "BUDI SANTOSO",
    "CITRA LESTARI",
    "DEWI ANGGRAINI",
    "EKO PRASETYO",
    "FITRI HANDAYANI",
    "GILANG RAMADHAN",
    "HENDRA WIJAYA",
];

/// Fills a fresh journal file with `rows` transactions over 200 days,
/// through the journal's own schema, in one SQLite transaction.
fn generate(path: &std::path::Path, rows: u64) {
    drop(Journal::open(path).expect("schema"));
    let mut conn = rusqlite::Connection::open(path).expect("open");
    conn.pragma_update(None, "synchronous", "OFF").ok();
    let tx = conn.transaction().expect("tx");
    {
        let mut ins_tx = tx
            .prepare(
                "INSERT INTO transactions (sid, kind, state, created_at, updated_at, operator, agent_code, \
                 amount_sen, fee_sen, total_sen, dest_bank_code, dest_account, dest_name) \
                 VALUES (?1, ?2, ?3, ?4, ?4, 'BNIUS100294', 'BNI014100294', ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .expect("prepare");
        let mut ins_ev = tx
            .prepare("INSERT INTO events (sid, at, from_state, to_state, actor) VALUES (?1, ?2, NULL, ?3, 'bench')")
            .expect("prepare");
        let mut ins_fts = tx
            .prepare("INSERT INTO tx_search (rowid, text) VALUES (last_insert_rowid(), ?1)")
            .expect("prepare");
        let start = Utc
            .with_ymd_and_hms(2026, 5, 1, 0, 0, 0)
            .unwrap()
            .timestamp_millis();
        let span = 200 * 86_400_000_i64;
        let kinds = [
            Kind::Deposit,
            Kind::IntrabankTransfer,
            Kind::InterbankTransfer,
            Kind::CheckAccount,
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..rows {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let at = start + (i as i64 * span / rows as i64);
            let sid = format!("{:016}", 2_605_010_000_000_000u64 + i);
            let kind = kinds[(x % 4) as usize];
            let state = match x % 100 {
                0 => State::Unknown,
                1..=4 => State::Failed,
                _ => State::Succeeded,
            };
            // Steps of Rp1.000, in sen.
            let amount = ((x >> 8) % 5_000 + 1) as i64 * 100_000;
            let fee = match kind {
                Kind::IntrabankTransfer => 100_000,
                Kind::InterbankTransfer => 650_000,
                _ => 0,
            };
            let account = format!("{}", 10_000 + (x >> 20) % 50_000);
            let name = NAMES[((x >> 40) % 8) as usize];
            let bank = if kind == Kind::InterbankTransfer {
                "008"
            } else {
                "BNI"
            };
            ins_tx
                .execute(rusqlite::params![
                    sid,
                    kind.as_str(),
                    state.as_str(),
                    at,
                    amount,
                    fee,
                    amount + fee,
                    bank,
                    account,
                    name
                ])
                .expect("insert");
            ins_fts
                .execute([format!("{sid} {account} {name}")])
                .expect("fts");
            ins_ev
                .execute(rusqlite::params![sid, at, state.as_str()])
                .expect("event");
        }
    }
    tx.commit().expect("commit");
}

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
    generate(&path, rows);
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

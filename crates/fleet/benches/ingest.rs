//! Central ingest and read figures on a private cluster (issue 14):
//! `FLEET_BENCH_EVENTS` events (default 1,000,000) from `FLEET_BENCH_TERMINALS`
//! simulated terminals (default 100) shipped through `loket_fleet.ship()`
//! in batches of 500, four terminals at a time, as events/s; then the same
//! number of rows `COPY`ed into the same table (other terminal ids) in the
//! same run, and the ratio; then `fleet doubt` and `fleet summary` p95.
//! Prints numbers; asserts nothing about speed.

use std::time::{Duration, Instant};

use fleet::central;
use fleet::read;
use fleet::ship;
use fleet::testpg::Cluster;
use fleet::FleetUrl;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const STATES: [&str; 3] = ["draft", "sending", "succeeded"];

/// The `k`th event (seq k+1) of a synthetic terminal: deposits walked
/// draft -> sending -> succeeded (every 50th left unknown).
fn event(k: usize, day_ms: i64) -> journal::OutboxEvent {
    let tx = k / 3;
    let mut to = STATES[k % 3];
    if tx % 50 == 49 && to == "succeeded" {
        to = "unknown";
    }
    let sid = format!("2611290{:09}", tx);
    let at = day_ms + (k as i64) * 1000;
    journal::OutboxEvent {
        seq: k as i64 + 1,
        source: "events".into(),
        source_id: k as i64 + 1,
        at_ms: at,
        hash: format!("{:064x}", k),
        row: serde_json::json!({"sid": sid, "at": at, "from_state": null, "to_state": to,
            "actor": "BNIUS100294", "note": null, "kind": "state", "authorized_by": null}),
        transaction: Some(journal::TransactionSnapshot {
            kind: "deposit".into(),
            state: to.into(),
            created_at_ms: day_ms + (tx as i64) * 3000,
            operator: "BNIUS100294".into(),
            agent_code: "BNI014100294".into(),
            amount_sen: Some(5_000_000),
            fee_sen: Some(250_000),
            total_sen: Some(5_250_000),
            fee_differs: false,
            dest_bank_code: Some("BNI".into()),
            dest_account: Some("0000014048".into()),
            dest_name: None,
            bank_reference: None,
            reversal_of: None,
        }),
    }
}

fn p95(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[(v.len() * 95 / 100).min(v.len() - 1)]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let total = env("FLEET_BENCH_EVENTS", 1_000_000);
    let terminals = env("FLEET_BENCH_TERMINALS", 100).max(1);
    let per = total / terminals;
    let c = Cluster::start().expect("cluster");
    let admin = FleetUrl::parse(&c.admin_url()).expect("url");
    central::init(&admin).await.expect("init");
    let day_ms = chrono::Utc::now().timestamp_millis() - 3_600_000;

    let mut urls = Vec::new();
    for t in 0..terminals {
        let id = format!("00000000-0000-4000-8000-{t:012}");
        let u = central::enroll(&admin, &id, &format!("T{t:03}"), "bench-password")
            .await
            .expect("enroll");
        urls.push((id, u));
    }
    let started = Instant::now();
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = Vec::new();
    for (id, url) in urls {
        let sem = sem.clone();
        tasks.push(tokio::spawn(async move {
            let _p = sem.acquire_owned().await.expect("sem");
            let client = url.connect().await.expect("connect");
            let stmt = client.prepare(ship::SHIP_SQL).await.expect("prepare");
            let mut k = 0;
            while k < per {
                let end = (k + 500).min(per);
                let batch: Vec<_> = (k..end).map(|i| event(i, day_ms)).collect();
                ship::send_batch(&client, &stmt, &id, end as i64, &batch)
                    .await
                    .expect("ship");
                k = end;
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let ship_secs = started.elapsed().as_secs_f64();
    let shipped = per * terminals;
    println!(
        "fleet ingest via ship(): {shipped} events from {terminals} terminals in {ship_secs:.1} s = {:.0} events/s",
        shipped as f64 / ship_secs
    );

    // COPY of the same rows (other terminal ids) into the same table.
    let csv = c.socket_dir().join("copy.csv");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).expect("csv"));
        for t in 0..terminals {
            let id = format!("00000000-0000-4000-9000-{t:012}");
            for k in 0..per {
                let e = event(k, day_ms);
                let at = chrono::DateTime::from_timestamp_millis(e.at_ms)
                    .unwrap_or_default()
                    .to_rfc3339();
                let row = e.row.to_string().replace('"', "\"\"");
                writeln!(
                    f,
                    "{id},{},{at},events,{},{},{},\"{row}\",{}",
                    k + 1,
                    k + 1,
                    e.row["sid"].as_str().unwrap_or(""),
                    e.row["to_state"].as_str().unwrap_or(""),
                    e.hash
                )
                .expect("write");
            }
        }
    }
    let copy_started = Instant::now();
    let out = c.psql(
        fleet::testpg::SUPERUSER,
        c.password(),
        &format!(
            "\\copy loket_fleet.events (terminal_id, seq, at, source, source_id, sid, to_state, row, hash) FROM '{}' WITH (FORMAT csv)",
            csv.display()
        ),
    );
    let copy_secs = copy_started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "COPY of the same rows: {shipped} events in {copy_secs:.1} s = {:.0} events/s; ship()/COPY = {:.2}",
        shipped as f64 / copy_secs,
        copy_secs / ship_secs
    );
    println!("(COPY fills events only; ship() also maintains transactions and terminals.)");

    // Fresh statistics, as autovacuum would have them on a live server.
    let out = c.psql(fleet::testpg::SUPERUSER, c.password(), "ANALYZE");
    assert!(out.status.success());
    let viewer = read::viewer(&admin).await.expect("viewer");
    let today = chrono::Utc::now()
        .with_timezone(&journal::wib())
        .date_naive();
    let (mut d, mut s) = (Vec::new(), Vec::new());
    for _ in 0..40 {
        let t = Instant::now();
        let n = read::doubts(&viewer, read::DOUBT_PAGE)
            .await
            .expect("doubts")
            .len();
        d.push(t.elapsed());
        let t = Instant::now();
        read::summary(&viewer, today).await.expect("summary");
        s.push(t.elapsed());
        assert!(n > 0);
    }
    println!(
        "on {} events: fleet doubt p95 {:.1} ms, fleet summary p95 {:.1} ms",
        shipped * 2,
        p95(d).as_secs_f64() * 1000.0,
        p95(s).as_secs_f64() * 1000.0
    );
}

//! A full deposit through the teller core (quote with checkAccount, PIN,
//! depositAccount, and the journal writes the money rules need to be
//! durable: begin, authorize+send, outcome; see the journal's module docs)
//! against its floor: the same two HTTP calls made bare plus exactly as many
//! fsynced single-row SQLite writes (WAL, synchronous=FULL) in a file on the
//! same file system. Core, floor and bare calls are interleaved in one run.
//! `cargo bench -p teller --bench deposit`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bankplus::{Password, Pin};
use journal::{Journal, State};
use money::Rupiah;
use sandbox::{demo, Sandbox, SandboxConfig};
use teller::{DepositForm, Teller, TellerConfig};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let sandbox = Sandbox::start(
        SandboxConfig::default(),
        "127.0.0.1:0".parse().expect("addr"),
    )
    .await
    .expect("sandbox");
    let base = sandbox.base_url();
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = Arc::new(Journal::open(&dir.path().join("journal.db")).expect("journal"));
    let teller = Teller::new(
        &TellerConfig {
            server: base.clone(),
            switcher: None,
            timeout: Duration::from_secs(10),
        },
        journal,
    )
    .expect("teller");
    teller
        .login(demo::USERNAME, &Password::new(demo::PASSWORD))
        .await
        .expect("login");
    let pin = Pin::new(demo::PIN).expect("pin");

    let bare = reqwest::Client::new();
    let login: serde_json::Value = serde_json::from_slice(
        &bare
            .post(format!("{base}/bankplus/users/auth"))
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"username":"{}","password":"{}"}}"#,
                demo::USERNAME,
                demo::PASSWORD
            ))
            .send()
            .await
            .expect("login")
            .bytes()
            .await
            .expect("body"),
    )
    .expect("json");
    let session = login["session_id"].as_str().expect("session").to_owned();

    // The floor's writes: one row per durable journal write of a deposit,
    // each its own fsynced transaction, in the journal's folder.
    const DURABLE_WRITES: usize = 3;
    let floor_db = rusqlite::Connection::open(dir.path().join("floor.db")).expect("floor db");
    floor_db
        .pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    floor_db
        .pragma_update(None, "synchronous", "FULL")
        .expect("full");
    floor_db
        .execute_batch("CREATE TABLE w (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, note TEXT)")
        .expect("floor table");

    let rounds = 300;
    let mut n: u64 = 0;
    let mut bare_sid = || {
        n += 1;
        // A sid space of its own for the bare calls (a day in 2030), unique per call.
        format!("30010112{:08}", n)
    };
    let (mut core_t, mut bare_t, mut floor_t) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..rounds + 20 {
        let t = Instant::now();
        let q = teller
            .quote_deposit(&DepositForm {
                to_account: "14047".into(),
                amount: Rupiah::from_rupiah(1_000 + i).expect("amount"),
                name: None,
                narration: None,
            })
            .await
            .expect("quote");
        let out = teller.pay(&q.sid, &pin, None).await.expect("pay");
        assert_eq!(out.record.state, State::Succeeded);
        let core = t.elapsed();

        let t = Instant::now();
        for (path, body) in [
            (
                "/bankplus/bsa/checkAccount",
                r#"{"accountNum":"14047"}"#.to_owned(),
            ),
            (
                "/bankplus/bsa/depositAccount",
                format!(
                    r#"{{"toAccount":"14047","name":"x","amount":"{}","narration":"n","pin_transaksi":"{}"}}"#,
                    1_000 + i,
                    demo::PIN
                ),
            ),
        ] {
            let reply = bare
                .post(format!("{base}{path}"))
                .header("content-type", "application/json")
                .header("sessionid", &session)
                .header("sid", bare_sid())
                .body(body)
                .send()
                .await
                .expect("bare");
            let bytes = reply.bytes().await.expect("bytes");
            assert!(bytes.starts_with(b"{"), "bare call answered");
        }
        let bare_time = t.elapsed();

        // The floor: the same calls, with the durable writes placed where
        // the core makes them (one before the inquiry, one before the
        // payment, one after its reply).
        let t = Instant::now();
        let write = |n: usize| {
            floor_db
                .execute("INSERT INTO w (at, note) VALUES (?1, 'floor')", [n as i64])
                .expect("floor write");
        };
        write(0);
        for (k, (path, body)) in [
            (
                "/bankplus/bsa/checkAccount",
                r#"{"accountNum":"14047"}"#.to_owned(),
            ),
            (
                "/bankplus/bsa/depositAccount",
                format!(
                    r#"{{"toAccount":"14047","name":"x","amount":"{}","narration":"n","pin_transaksi":"{}"}}"#,
                    1_000 + i,
                    demo::PIN
                ),
            ),
        ]
        .into_iter()
        .enumerate()
        {
            if k == 1 {
                write(1);
            }
            let reply = bare
                .post(format!("{base}{path}"))
                .header("content-type", "application/json")
                .header("sessionid", &session)
                .header("sid", bare_sid())
                .body(body)
                .send()
                .await
                .expect("floor");
            let bytes = reply.bytes().await.expect("bytes");
            assert!(bytes.starts_with(b"{"), "floor call answered");
        }
        write(2);
        let floor_time = t.elapsed();
        if i >= 20 {
            core_t.push(core);
            bare_t.push(bare_time);
            floor_t.push(floor_time);
        }
    }
    let (c, b, f) = (median(core_t), median(bare_t), median(floor_t));
    println!("full deposit, median of {rounds} interleaved rounds:");
    println!(
        "  bare HTTP (checkAccount + depositAccount)         {:>8.2} ms",
        b.as_secs_f64() * 1e3
    );
    println!(
        "  floor (same calls + {DURABLE_WRITES} fsynced single-row writes)   {:>8.2} ms",
        f.as_secs_f64() * 1e3
    );
    println!(
        "  teller core (same calls + journal, {DURABLE_WRITES} durable)      {:>8.2} ms",
        c.as_secs_f64() * 1e3
    );
    println!(
        "  ratio core/floor                                  {:>8.2}   (target <= 1.2)",
        c.as_secs_f64() / f.as_secs_f64()
    );
    println!(
        "  ratio core/bare                                   {:>8.2}",
        c.as_secs_f64() / b.as_secs_f64()
    );
    sandbox.shutdown().await;
}

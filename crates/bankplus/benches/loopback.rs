//! The sandbox's throughput on loopback, and what the typed client adds over
//! a bare HTTP request, measured in one run. `cargo bench -p bankplus --bench loopback`.
//!
//! - throughput: 8 concurrent callers, checkAccount calls per second and
//!   intrabank inquiry+payment pairs per second (each pair really moves money
//!   in the SQLite ledger);
//! - overhead: the same checkAccount request sent (a) bare with reqwest, body
//!   bytes read and nothing parsed, and (b) through `BankplusClient`
//!   (serialize, send, decode, convert to domain types), interleaved,
//!   median per call and the ratio b/a.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use bankplus::{BankplusClient, ClientConfig, Password, Pin, Sid, TransferOrder};
use money::Rupiah;
use sandbox::{demo, Sandbox, SandboxConfig};

fn sid() -> Sid {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    // Spread over seconds as well so 10,000+ sids stay unique in one run.
    let now = chrono::Utc::now().with_timezone(&bankplus::wib())
        + chrono::Duration::seconds(i64::from(n / 10_000));
    Sid::from_wib(now, (n % 10_000) as u16).expect("a sid for now")
}

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
    let client = BankplusClient::new(ClientConfig::new(base.clone())).expect("client");
    let login = client
        .login(demo::USERNAME, &Password::new(demo::PASSWORD))
        .await
        .expect("login");
    let session = login.session;
    let pin = Pin::new(demo::PIN).expect("pin");

    // Warm up connections and the ledger.
    for _ in 0..200 {
        client
            .check_account(&session, &sid(), "14047")
            .await
            .expect("warm");
    }

    // --- Throughput ---
    let callers = 8;
    let calls_each = 500;
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..callers {
        let (client, session) = (client.clone(), session.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..calls_each {
                client
                    .check_account(&session, &sid(), "14047")
                    .await
                    .expect("check");
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let check_rps = (callers * calls_each) as f64 / t.elapsed().as_secs_f64();

    let pairs_each = 150;
    let t = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..callers {
        let (client, session, pin) = (client.clone(), session.clone(), pin.clone());
        tasks.push(tokio::spawn(async move {
            let dest = ["14048", "14049", "14050", "14051"][i % 4];
            for _ in 0..pairs_each {
                let q = client
                    .intrabank_inquiry(&session, &sid(), dest)
                    .await
                    .expect("inquiry");
                let order = TransferOrder {
                    account_number: q.account_number,
                    account_name: q.account_name,
                    amount: Rupiah::from_rupiah(1_000).expect("amount"),
                    admin_fee: q.admin_fee,
                    bank_code: None,
                    bank_name: None,
                    transaction_id: None,
                };
                client
                    .intrabank_payment(&session, &sid(), &order, &pin)
                    .await
                    .expect("payment");
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let pair_ps = (callers * pairs_each) as f64 / t.elapsed().as_secs_f64();

    // --- Client overhead versus a bare request, interleaved ---
    let bare = reqwest::Client::new();
    let url = format!("{base}/bankplus/bsa/checkAccount");
    // The session id is only readable through the client; log in bare too.
    let bare_login: serde_json::Value = serde_json::from_slice(
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
            .expect("bare login")
            .bytes()
            .await
            .expect("body"),
    )
    .expect("json");
    let bare_session = bare_login["session_id"]
        .as_str()
        .expect("session")
        .to_owned();
    let rounds = 2_000;
    let (mut bare_times, mut client_times) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        let reply = bare
            .post(&url)
            .header("content-type", "application/json")
            .header("sessionid", &bare_session)
            .header("sid", sid().as_str())
            .body(r#"{"accountNum":"14047"}"#)
            .send()
            .await
            .expect("bare");
        let body = reply.bytes().await.expect("bare body");
        assert!(!body.is_empty());
        bare_times.push(t.elapsed());

        let t = Instant::now();
        client
            .check_account(&session, &sid(), "14047")
            .await
            .expect("client");
        client_times.push(t.elapsed());
    }
    let (b, c) = (median(bare_times), median(client_times));

    println!("sandbox throughput on loopback ({callers} concurrent callers):");
    println!("  checkAccount                      {check_rps:>8.0} requests/s");
    println!(
        "  intrabank inquiry+payment pairs   {pair_ps:>8.0} pairs/s ({:.0} requests/s)",
        pair_ps * 2.0
    );
    println!("client overhead, checkAccount, median of {rounds} interleaved calls:");
    println!(
        "  bare HTTP request                 {:>8.1} us",
        b.as_secs_f64() * 1e6
    );
    println!(
        "  BankplusClient::check_account     {:>8.1} us",
        c.as_secs_f64() * 1e6
    );
    println!(
        "  ratio client/bare                 {:>8.2}  (client adds {:.1} us per call)",
        c.as_secs_f64() / b.as_secs_f64(),
        (c.as_secs_f64() - b.as_secs_f64()) * 1e6
    );
    sandbox.shutdown().await;
}

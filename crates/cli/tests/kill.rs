//! The CLI killed with SIGKILL in the middle of a payment, at several
//! points: while the inquiry is out, while the payment is out (slow bank),
//! and while an intrabank payment is out. The next run recovers every row:
//! none is left half-way, none is lost, and whatever the bank booked is in
//! the journal exactly once.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{http, Sandbox, Terminal};

fn slow(sb: &Sandbox, endpoint: &str, ms: u64) {
    sb.rule(endpoint, serde_json::json!({"kind": "latency", "ms": ms}));
}

/// Starts `loket ARGS`, waits `after`, then SIGKILLs it (std's `kill` is SIGKILL on Unix).
fn kill_during(t: &Terminal, args: &[&str], after: Duration) {
    let mut child = t
        .cmd(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("loket starts");
    std::thread::sleep(after);
    let still_running = child.try_wait().expect("wait").is_none();
    assert!(
        still_running,
        "loket {args:?} ended before it could be killed"
    );
    child.kill().expect("SIGKILL");
    let _ = child.wait();
}

fn switcher_knows(sb: &Sandbox, sid: &str) -> bool {
    let (_, body) = http(
        &sb.base,
        "POST",
        "/check",
        Some(&format!(r#"{{"refnum":"{sid}"}}"#)),
    );
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    v["code"] == "00"
}

#[test]
fn a_killed_payment_is_recovered_on_the_next_run_never_lost_or_doubled() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let opening = sb.balance("BNI", "4447");

    // 1. Killed while the check-account inquiry is out.
    slow(&sb, "/bankplus/bsa/checkAccount", 3_000);
    kill_during(
        &t,
        &["deposit", "--to", "14047", "--amount", "11000"],
        Duration::from_millis(900),
    );
    // 2. Killed while the deposit payment is out (sid journaled as sending).
    slow(&sb, "/bankplus/bsa/depositAccount", 1_500);
    kill_during(
        &t,
        &[
            "deposit",
            "--to",
            "14048",
            "--amount",
            "12000",
            "--name",
            "SITI RAHAYU",
        ],
        Duration::from_millis(900),
    );
    // 3. Killed while an intrabank payment is out.
    slow(&sb, "/bankplus/bsa/transfer/intrabank/payment", 1_500);
    kill_during(
        &t,
        &["transfer", "--to", "14049", "--amount", "13000", "--yes"],
        Duration::from_millis(1_100),
    );
    // Let the slow bank finish whatever it was still doing.
    std::thread::sleep(Duration::from_millis(1_500));

    // The next run (an ordinary balance check) recovers: no row is left
    // draft/inquired/authorized/sending; once the settle time has passed,
    // with the switcher configured, nothing stays in doubt.
    let next = t.run(&["balance"]);
    assert_eq!(next.code, 0, "{}", next.stderr);
    // A payment killed on the wire that the switcher does not know yet stays
    // in doubt: "refnum not found" only counts once the settle time has passed
    // since the request left (the bank may still book a request in flight).
    let early = t.run(&["--json", "history", "--limit", "100"]);
    for r in early.json()["rows"].as_array().cloned().expect("rows") {
        let sid = r["sid"].as_str().expect("sid");
        let state = r["status"].as_str().or(r["state"].as_str());
        let payment = matches!(r["kind"].as_str(), Some("deposit" | "intrabank_transfer"));
        if payment && state == Some("failed") {
            panic!("{sid} recorded failed before the settle time: {r:#}");
        }
    }
    // Later (the settle time passed: LOKET_CHECK_SETTLE_SECS=0 stands for
    // waiting it out), the next run settles every doubt with the switcher.
    let mut later = t.cmd(&["balance"]);
    later.env("LOKET_CHECK_SETTLE_SECS", "0");
    let later = t.run_cmd(later);
    assert_eq!(later.code, 0, "{}", later.stderr);
    let history = t.run(&["--json", "history", "--limit", "100"]);
    assert_eq!(history.code, 0, "{}", history.stderr);
    let rows = history.json()["rows"].as_array().cloned().expect("rows");
    let attempts: Vec<_> = rows
        .iter()
        .filter(|r| {
            matches!(
                r["kind"].as_str(),
                Some("deposit") | Some("intrabank_transfer")
            )
        })
        .collect();
    assert_eq!(attempts.len(), 3, "every attempt has its row: {rows:#?}");
    let mut debited = 0i64;
    for r in &attempts {
        let sid = r["sid"].as_str().expect("sid");
        let state = r["status"].as_str().or(r["state"].as_str()).expect("state");
        let booked = switcher_knows(&sb, sid);
        match state {
            "succeeded" => {
                assert!(booked, "{sid} succeeded in the journal and is booked");
                debited += r["total"].as_i64().expect("total");
            }
            "failed" | "cancelled" => {
                assert!(!booked, "{sid} is {state} and the bank has no record")
            }
            other => panic!("{sid} left {other} after recovery"),
        }
    }
    // The inquiry-time kill never sent a payment.
    let first = attempts
        .iter()
        .find(|r| r["account_number"] == "14047")
        .expect("first");
    assert_eq!(
        first["status"].as_str().or(first["state"].as_str()),
        Some("cancelled")
    );
    assert_eq!(
        sb.balance("BNI", "4447"),
        opening - debited,
        "the ledger and the journal agree: nothing lost, nothing doubled"
    );
}

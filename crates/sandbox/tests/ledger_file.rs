//! A file ledger remembers balances and used sids across restarts, and a
//! reset brings the seed back.

mod common;

use common::{balance, deposit, login, rp, sid, start_with};
use money::Rupiah;
use sandbox::{demo, LedgerLocation, SandboxConfig};

fn file_config(path: &std::path::Path, reset: bool) -> SandboxConfig {
    SandboxConfig {
        ledger: LedgerLocation::File(path.to_owned()),
        reset,
        ..SandboxConfig::default()
    }
}

#[tokio::test]
async fn balances_and_used_sids_survive_a_restart_until_reset() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("ledger.db");
    let s = sid();

    let sb = start_with(file_config(&path, false)).await;
    let session = login(&sb).await;
    let r = deposit(&sb, &session, &s, demo::CUSTOMER_ACCOUNT, 25_000, demo::PIN).await;
    assert_eq!(r.code(), "00");
    let customer = balance(&sb, "BNI", demo::CUSTOMER_ACCOUNT);
    sb.shutdown().await;

    let sb = start_with(file_config(&path, false)).await;
    let after = common::agent_after(25_000);
    assert_eq!(balance(&sb, "BNI", demo::AGENT_ACCOUNT), after);
    assert_eq!(balance(&sb, "BNI", demo::CUSTOMER_ACCOUNT), customer);
    assert_eq!(sb.postings_for_sid(&s), 1);
    // The bank forgot the session (memory only) but not the sid.
    let session = login(&sb).await;
    let again = deposit(&sb, &session, &s, demo::CUSTOMER_ACCOUNT, 25_000, demo::PIN).await;
    assert_eq!(again.message(), "[94] DUPLICATE TRANSMISSION");
    assert_eq!(balance(&sb, "BNI", demo::AGENT_ACCOUNT), after);
    sb.shutdown().await;

    let sb = start_with(file_config(&path, true)).await;
    assert_eq!(
        balance(&sb, "BNI", demo::AGENT_ACCOUNT),
        demo::AGENT_OPENING_BALANCE
    );
    assert_eq!(sb.postings_for_sid(&s), 0);
    let session = login(&sb).await;
    let r = deposit(&sb, &session, &s, demo::CUSTOMER_ACCOUNT, 1_000, demo::PIN).await;
    assert_eq!(r.code(), "00", "after a reset the sid is free again");

    // The admin reset does the same on a running sandbox.
    let resp = reqwest::Client::new()
        .post(format!("{}/_sandbox/reset", sb.base_url()))
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        balance(&sb, "BNI", demo::AGENT_ACCOUNT),
        demo::AGENT_OPENING_BALANCE
    );
    let resp = reqwest::Client::new()
        .get(format!("{}/_sandbox/accounts/BNI/4447", sb.base_url()))
        .send()
        .await
        .expect("answers");
    let v: serde_json::Value =
        serde_json::from_slice(&resp.bytes().await.expect("body")).expect("JSON");
    assert_eq!(
        v,
        serde_json::json!({"bank": "BNI", "account_number": "4447",
                           "account_name": "ARDHA HERDIANTO", "balance": "202696682"})
    );
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/_sandbox/accounts/002/888801000157508",
            sb.base_url()
        ))
        .send()
        .await
        .expect("answers");
    let v: serde_json::Value =
        serde_json::from_slice(&resp.bytes().await.expect("body")).expect("JSON");
    assert_eq!(v["balance"], "18309905.40");
    assert_eq!(rp(0), Rupiah::ZERO);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_ledger_that_cannot_be_opened_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = file_config(&dir.path().join("no-such-dir").join("ledger.db"), false);
    let err = sandbox::Sandbox::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .err()
        .expect("refused");
    let text = err.to_string();
    assert!(text.contains("cannot open the sandbox ledger"), "{text}");
    assert!(text.contains("writable"), "{text}");

    // Another program's database is never wiped, even with reset.
    let foreign = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&foreign).expect("open");
        conn.execute_batch("CREATE TABLE precious (x INTEGER); INSERT INTO precious VALUES (1);")
            .expect("create");
    }
    let err = sandbox::Sandbox::start(
        file_config(&foreign, true),
        "127.0.0.1:0".parse().expect("addr"),
    )
    .await
    .err()
    .expect("refused");
    assert!(err.to_string().contains("not a sandbox ledger"), "{err}");
    let conn = rusqlite::Connection::open(&foreign).expect("open");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM precious", [], |r| r.get(0))
        .expect("still there");
    assert_eq!(n, 1);

    // A taken port too.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let err = sandbox::Sandbox::start(SandboxConfig::default(), taken.local_addr().expect("addr"))
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("cannot listen on"), "{err}");
}

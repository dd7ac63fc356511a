//! Every fault kind, as a client sees it and as the ledger records it, and
//! the determinism of the dice.

mod common;

use std::time::{Duration, Instant};

use common::{balance, call, deposit, login, post_raw, sid, start, start_with};
use sandbox::{demo, Fault, FaultPlan, FaultRule, SandboxConfig};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn plan(seed: u64, rules: &[&str]) -> FaultPlan {
    FaultPlan {
        seed,
        rules: rules
            .iter()
            .map(|r| r.parse::<FaultRule>().expect("a valid rule"))
            .collect(),
    }
}

fn deposit_body() -> serde_json::Value {
    json!({"toAccount": demo::CUSTOMER_ACCOUNT, "name": "ardha", "amount": "25000",
           "narration": "test", "pin_transaksi": demo::PIN})
}

#[tokio::test]
async fn latency_delays_then_answers_normally() {
    let sb = start().await;
    let session = login(&sb).await;
    sb.set_faults(plan(0, &["/bankplus/master/jobs=latency:400"]));
    let started = Instant::now();
    let r = call(
        &sb,
        "/bankplus/master/jobs",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.code(), "00");
    // Other endpoints are not delayed.
    let started = Instant::now();
    call(
        &sb,
        "/bankplus/master/educations",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    assert!(started.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn error_reply_and_html_502_do_not_run_the_handler() {
    let sb = start().await;
    let session = login(&sb).await;
    sb.set_faults(plan(
        0,
        &[
            // Spent after one reply; the message ends before "x1".
            "bsa/depositAccount=error-reply:-1:[91] ISSUER OR SWITCH INOPERATIVEx1",
            "bsa/depositAccount=html-502",
        ],
    ));
    let s = sid();
    let r = deposit(&sb, &session, &s, demo::CUSTOMER_ACCOUNT, 25_000, demo::PIN).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.code(), "-1");
    assert_eq!(r.message(), "[91] ISSUER OR SWITCH INOPERATIVE");
    assert_eq!(
        r.body["data"]["message"],
        "[91] ISSUER OR SWITCH INOPERATIVE"
    );
    assert_eq!(r.body["debug"]["from"], "bankplus_platform_core");

    // The error-reply rule is spent; the HTML one fires now.
    let resp = post_raw(
        &sb,
        "/bankplus/bsa/depositAccount",
        Some(&session),
        Some(&s),
        deposit_body().to_string().into_bytes(),
    )
    .await;
    assert_eq!(resp.status(), 502);
    assert!(resp.headers()["content-type"]
        .to_str()
        .is_ok_and(|c| c.starts_with("text/html")));
    let text = resp.text().await.expect("a body");
    assert!(text.contains("<title>502 Bad Gateway</title>"), "{text}");

    assert_eq!(
        balance(&sb, "BNI", demo::AGENT_ACCOUNT),
        demo::AGENT_OPENING_BALANCE
    );
    assert_eq!(sb.postings_for_sid(&s), 0);

    // Switcher endpoints get the switcher's error shape.
    sb.set_faults(plan(0, &["/check=error-reply:-1:Service unavailable"]));
    let r = call(&sb, "/check", None, None, json!({"refnum": s})).await;
    assert_eq!(
        r.body,
        json!({"code": "-1", "message": "Service unavailable", "debug": {"from": "branchless_switcher"}})
    );
}

#[tokio::test]
async fn malformed_json_commits_then_sends_a_broken_body() {
    let sb = start().await;
    let session = login(&sb).await;
    sb.set_faults(plan(0, &["bsa/depositAccount=malformed-json"]));
    let s = sid();
    let resp = post_raw(
        &sb,
        "/bankplus/bsa/depositAccount",
        Some(&session),
        Some(&s),
        deposit_body().to_string().into_bytes(),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let bytes = resp.bytes().await.expect("a body");
    assert!(!bytes.is_empty());
    assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_err());
    assert_eq!(sb.postings_for_sid(&s), 1, "the ledger committed");
    assert_eq!(
        balance(&sb, "BNI", demo::AGENT_ACCOUNT),
        common::agent_after(25_000)
    );
}

#[tokio::test]
async fn session_expiry_drops_the_session_and_posts_nothing() {
    let sb = start().await;
    let session = login(&sb).await;
    sb.set_faults(plan(0, &["bsa/depositAccount=session-expiry"]));
    let s = sid();
    let r = deposit(&sb, &session, &s, demo::CUSTOMER_ACCOUNT, 25_000, demo::PIN).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.code(), "SESSION_NOT_FOUND");
    assert_eq!(sb.postings_for_sid(&s), 0);
    sb.set_faults(FaultPlan::default());
    let r = call(
        &sb,
        "/bankplus/account/balance",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    assert_eq!(r.code(), "SESSION_NOT_FOUND", "the session is really gone");
}

#[tokio::test]
async fn commit_then_drop_posts_and_closes_without_a_byte() {
    let sb = start().await;
    let session = login(&sb).await;
    sb.set_faults(plan(0, &["bsa/depositAccount=commit-then-drop"]));
    let s = sid();

    let body = deposit_body().to_string();
    let request = format!(
        "POST /bankplus/bsa/depositAccount HTTP/1.1\r\nHost: {}\r\ncontent-type: application/json\r\n\
         sessionid: {session}\r\nsid: {s}\r\ncontent-length: {}\r\n\r\n{body}",
        sb.local_addr(),
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(sb.local_addr())
        .await
        .expect("connects");
    stream.write_all(request.as_bytes()).await.expect("sends");
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut received))
        .await
        .expect("the sandbox closes the connection instead of hanging");
    // A clean close (0 bytes) or a reset: either way, not one response byte.
    assert!(
        received.is_empty(),
        "got {:?}",
        String::from_utf8_lossy(&received)
    );
    if let Err(e) = read {
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
    }
    assert_eq!(sb.postings_for_sid(&s), 1, "the ledger committed");

    // An HTTP client sees a failed request...
    let s2 = sid();
    let err = reqwest::Client::new()
        .post(format!("{}/bankplus/bsa/depositAccount", sb.base_url()))
        .header("sessionid", &session)
        .header("sid", &s2)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect_err("no response");
    assert!(!err.is_status() && !err.is_timeout(), "{err}");
    assert_eq!(sb.postings_for_sid(&s2), 1);
    assert_eq!(
        balance(&sb, "BNI", demo::AGENT_ACCOUNT),
        common::agent_after(50_000)
    );

    // ...and finds out through the switcher what happened.
    sb.set_faults(FaultPlan::default());
    let c = call(&sb, "/check", None, None, json!({"refnum": s2})).await;
    assert_eq!(c.body["data"]["info"], "Transfer success");
}

async fn outcomes(seed: u64) -> Vec<u16> {
    let sb = start_with(SandboxConfig {
        faults: plan(
            seed,
            &["/bankplus/master/jobs=html-502@0.5", "*=latency:1@0.5"],
        ),
        ..SandboxConfig::default()
    })
    .await;
    let session = login(&sb).await;
    let mut statuses = Vec::new();
    for _ in 0..24 {
        let resp = post_raw(
            &sb,
            "/bankplus/master/jobs",
            Some(&session),
            None,
            b"{}".to_vec(),
        )
        .await;
        statuses.push(resp.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults() {
    let a = outcomes(7).await;
    let b = outcomes(7).await;
    assert_eq!(a, b);
    assert!(a.contains(&200) && a.contains(&502), "{a:?}");
    assert_ne!(a, outcomes(8).await, "another seed, other dice");
}

#[tokio::test]
async fn the_admin_endpoint_sets_and_clears_the_plan() {
    let sb = start().await;
    let session = login(&sb).await;
    let client = reqwest::Client::new();
    let url = format!("{}/_sandbox/faults", sb.base_url());
    let resp = client
        .post(&url)
        .body(r#"{"seed":1,"rules":[{"endpoint":"master/jobs","fault":{"kind":"html-502"},"times":2}]}"#)
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), 200);
    let jobs = || {
        post_raw(
            &sb,
            "/bankplus/master/jobs",
            Some(&session),
            None,
            b"{}".to_vec(),
        )
    };
    assert_eq!(jobs().await.status(), 502);
    assert_eq!(jobs().await.status(), 502);
    assert_eq!(jobs().await.status(), 200, "spent after two");

    let bad = client
        .post(&url)
        .body(r#"{"rules":[{"endpoint":"nowhere","fault":{"kind":"html-502"}}]}"#)
        .send()
        .await
        .expect("answers");
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.expect("text").contains("unknown endpoint"));

    client
        .post(&url)
        .body(r#"{"rules":[{"endpoint":"*","fault":{"kind":"html-502"}}]}"#)
        .send()
        .await
        .expect("answers");
    assert_eq!(jobs().await.status(), 502);
    // Admin endpoints are never faulted, so the plan can always be cleared.
    let resp = client.delete(&url).send().await.expect("answers");
    assert_eq!(resp.status(), 200);
    assert_eq!(jobs().await.status(), 200);
}

#[test]
fn fault_rules_parse_from_the_cli_syntax() {
    let r: FaultRule = "bsa/depositAccount=commit-then-drop"
        .parse()
        .expect("valid");
    assert_eq!(r.endpoint, "/bankplus/bsa/depositAccount");
    assert_eq!(r.fault, Fault::CommitThenDrop);
    let r: FaultRule = "bsa/transfer/interbank/payment=zero-fee-reply"
        .parse()
        .expect("valid");
    assert_eq!(r.fault, Fault::ZeroFeeReply);
    assert_eq!(
        r.to_string().parse::<FaultRule>().expect("again").fault,
        Fault::ZeroFeeReply
    );
    let r: FaultRule = "/check=latency:250@0.5".parse().expect("valid");
    assert_eq!((r.fault, r.probability), (Fault::Latency { ms: 250 }, 0.5));
    let r: FaultRule = "*=html-502@0.1x3".parse().expect("valid");
    assert_eq!((r.endpoint.as_str(), r.times), ("*", Some(3)));
    let r: FaultRule = "bsa/checkAccount=error-reply:-1:[91] ISSUER OR SWITCH INOPERATIVE"
        .parse()
        .expect("valid");
    assert_eq!(
        r.fault,
        Fault::ErrorReply {
            code: "-1".into(),
            message: "[91] ISSUER OR SWITCH INOPERATIVE".into()
        }
    );

    let e = "bsa/depositAccount=explode"
        .parse::<FaultRule>()
        .expect_err("unknown kind");
    let text = e.to_string();
    assert!(text.contains("unknown fault kind \"explode\""), "{text}");
    assert!(
        text.contains("commit-then-drop"),
        "the kinds are listed: {text}"
    );
    assert!("no-equals-sign".parse::<FaultRule>().is_err());
    assert!("/check=html-502@2".parse::<FaultRule>().is_err());
}

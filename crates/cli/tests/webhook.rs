//! `loket webhook serve` end to end (issue 11, defect 10): the running
//! binary, its secret from the sealed provider settings, and signed, forged
//! and replayed deliveries over real HTTP. Only the signed one is stored,
//! once.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

#[allow(unused_imports)]
use common::*;

const SECRET: &str = "rahasia-webhook-agen-4447";

fn body(id: &str) -> String {
    format!(
        r#"{{"api_key":"x","account_id":1,"module":"bni","account_name":"AGEN","account_number":"4447","balance":5150000,"data_mutasi":[{{"id":"{id}","transaction_date":"2026-01-05 14:30:00","description":"TRANSFER MASUK","type":"CR","amount":150000,"balance":5150000}}]}}"#
    )
}

/// POSTs `body` to the webhook URL with the given signature → (status, reply).
fn push(url: &str, body: &str, signature: &str) -> (u16, String) {
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').expect("a path");
    let ts = chrono::Utc::now().timestamp();
    http_raw(
        host,
        "POST",
        &format!("/{path}"),
        &format!("X-Mutasibank-Timestamp: {ts}\r\nX-Mutasibank-Signature: {signature}\r\n"),
        body,
    )
}

fn stored(dir: &std::path::Path) -> usize {
    let cache = mutasi::cache::StatementCache::open(&dir.join("statements.db")).expect("cache");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    cache
        .lines(
            Some(mutasi::ProviderKind::Mutasibank),
            "4447",
            mutasi::DateRange::new(day, day).unwrap(),
        )
        .expect("lines")
        .len()
}

#[test]
fn the_served_webhook_stores_signed_pushes_once_and_refuses_forged_ones() {
    let dir = tempfile::tempdir().unwrap();
    let serve = |d: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_loket"))
            .arg("--data-dir")
            .arg(d)
            .args(["webhook", "serve", "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("loket runs")
    };
    // No sealed secret: refused, nothing listens.
    let out = serve(dir.path()).wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");

    mutasi::ProviderStore::new(dir.path())
        .save(mutasi::ProviderForm {
            kind: mutasi::ProviderKind::Mutasibank,
            base_url: "https://mutasibank.co.id".into(),
            client_id: None,
            channel_id: None,
            token: Some(mutasi::Secret::new("token-x")),
            client_secret: None,
            private_key_pem: None,
            webhook_secret: Some(mutasi::Secret::new(SECRET)),
        })
        .unwrap();
    let mut child = serve(dir.path());
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url = lines.next().expect("a line").expect("readable");
    assert!(url.ends_with("/webhook/mutasibank"), "{url}");

    let good = body("mb-1");
    let sig = mutasi::sign::mutasibank_webhook_signature(SECRET, good.as_bytes());
    // Forged: signed with another secret; and a body changed after signing.
    let forged = mutasi::sign::mutasibank_webhook_signature("not-the-secret", good.as_bytes());
    let (status, reply) = push(&url, &good, &forged);
    assert_eq!(status, 401, "{reply}");
    let (status, reply) = push(&url, &body("mb-2"), &sig);
    assert_eq!(status, 401, "{reply}");
    assert_eq!(stored(dir.path()), 0);
    // Signed: stored.
    let (status, reply) = push(&url, &good, &sig);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(stored(dir.path()), 1);
    // Replayed with a fresh timestamp: accepted as a duplicate, nothing stored again.
    let (status, reply) = push(&url, &good, &sig);
    assert_eq!(status, 200, "{reply}");
    assert!(reply.contains("duplicate"), "{reply}");
    assert_eq!(stored(dir.path()), 1);

    let _ = child.kill();
    let _ = child.wait();
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    assert!(!err.contains(SECRET), "the secret was printed");
}

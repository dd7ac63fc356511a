//! Issue 11, wrong data: provider answers the sandbox does not give, served
//! over real HTTP by a small canned imitation, and what the client makes of
//! them.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, Utc};
use mutasi::providers::{Moota, Mutasibank};
use mutasi::{
    no_progress, DateRange, MootaSettings, MutasiError, MutasibankSettings, Secret, StatementSource,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves `routes` (path without query -> JSON body, status 200) on
/// loopback; answers 404 to anything else.
async fn canned(routes: HashMap<&'static str, String>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let routes = Arc::new(routes);
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let routes = routes.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = s.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                let head = String::from_utf8_lossy(&got).to_string();
                let target = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                // A paged list: `path#page=N` wins over `path`.
                let page = query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("page="))
                    .map(|n| format!("{path}#page={n}"));
                let found = page
                    .and_then(|k| routes.get(k.as_str()))
                    .or_else(|| routes.get(path));
                let (status, body) = match found {
                    Some(b) => ("200 OK", b.clone()),
                    None => (
                        "404 Not Found",
                        r#"{"error":true,"message":"not found"}"#.into(),
                    ),
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(reply.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

fn today_range() -> DateRange {
    let d = Utc::now().with_timezone(&mutasi::wib()).date_naive();
    DateRange::new(d - Duration::days(1), d).unwrap()
}

const ACCOUNTS: &str = r#"{"error":false,"data":[{"id":7,"unique_id":"u7","bank_name":"BNI","account_name":"AGEN","account_number":"4447","is_active":true,"last_check":null,"last_balance":null,"status":"active"}]}"#;

#[tokio::test]
async fn a_mutasibank_line_that_cannot_be_read_fails_the_fetch_with_its_position() {
    // Line 2 has no description (null): readable. Line 3 has no amount.
    let statements = r#"{"error":false,"data":[
        {"id":"a1","transaction_date":"2026-01-05 10:00:00","description":"SETOR","type":"DB","amount":"25000.00","balance":"1000000.00"},
        {"id":"a2","transaction_date":"2026-01-05 11:00:00","description":null,"type":"CR","amount":"5000","balance":null},
        {"id":"a3","transaction_date":"2026-01-05 12:00:00","description":"X","type":"DB","amount":null}
    ]}"#;
    let base = canned(HashMap::from([
        ("/api/v1/accounts", ACCOUNTS.to_owned()),
        ("/api/v1/account/7/statements", statements.to_owned()),
    ]))
    .await;
    let mb = Mutasibank::new(&MutasibankSettings {
        base_url: base,
        token: Secret::new("t"),
        webhook_secret: None,
    })
    .unwrap();
    match mb.fetch("4447", today_range(), &no_progress).await {
        Err(MutasiError::Malformed { reason, .. }) => {
            assert!(reason.contains("line 3"), "{reason}");
            assert!(reason.contains("a3"), "{reason}");
        }
        other => panic!("a silent statement: {other:?}"),
    }
}

#[tokio::test]
async fn a_null_description_is_an_empty_one() {
    let statements = r#"{"error":false,"data":[
        {"id":"a2","transaction_date":"2026-01-05 11:00:00","description":null,"type":"CR","amount":"5000","balance":null}
    ]}"#;
    let base = canned(HashMap::from([
        ("/api/v1/accounts", ACCOUNTS.to_owned()),
        ("/api/v1/account/7/statements", statements.to_owned()),
    ]))
    .await;
    let mb = Mutasibank::new(&MutasibankSettings {
        base_url: base,
        token: Secret::new("t"),
        webhook_secret: None,
    })
    .unwrap();
    let lines = mb.fetch("4447", today_range(), &no_progress).await.unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].description, "");
}

fn moota_item(id: &str, account: &str, monitored: &str, amount: &str, kind: &str) -> String {
    format!(
        r#"{{"account_number":"{account}","date":"2026-01-05 10:00:00","description":"d","amount":"{amount}","type":"{kind}","note":"","balance":"0.00","mutation_id":"{id}","token":"{id}","bank_id":"bk","taggings":[],"bank":{{"account_number":"{monitored}","bank_type":"bca"}}}}"#
    )
}

fn moota_page(page: u32, last: u32, items: &[String]) -> String {
    format!(
        r#"{{"current_page":{page},"data":[{}],"last_page":{last},"per_page":2,"total":4}}"#,
        items.join(",")
    )
}

#[tokio::test]
async fn moota_keeps_a_line_repeated_across_pages_once_and_filters_on_the_monitored_account() {
    // Newest first; m2 is pushed onto page 2 again by a new mutation. m9 is
    // on another monitored account although its own account_number is ours.
    let base = canned(HashMap::from([
        (
            "/api/v2/mutation#page=1",
            moota_page(
                1,
                2,
                &[
                    moota_item("m1", "7650583974", "0144050", "100.00", "DB"),
                    moota_item("m2", "7650583974", "0144050", "200.00", "DB"),
                ],
            ),
        ),
        (
            "/api/v2/mutation#page=2",
            moota_page(
                2,
                2,
                &[
                    moota_item("m2", "7650583974", "0144050", "200.00", "DB"),
                    moota_item("m9", "0144050", "999999", "300.00", "DB"),
                ],
            ),
        ),
    ]))
    .await;
    let m = Moota::new(&MootaSettings {
        base_url: base,
        token: Secret::new("t"),
        bank: None,
    })
    .unwrap();
    let lines = m
        .fetch("0144050", today_range(), &no_progress)
        .await
        .unwrap();
    let ids: Vec<&str> = lines.iter().map(|l| l.provider_id.as_str()).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&"m1") && ids.contains(&"m2"), "{ids:?}");
}

#[tokio::test]
async fn a_negative_amount_is_mapped_to_its_type_once_and_cached() {
    let statements = r#"{"error":false,"data":[
        {"id":"n1","transaction_date":"2026-01-05 11:00:00","description":"TARIK","type":"DB","amount":"-150000.00","balance":null}
    ]}"#;
    let base = canned(HashMap::from([
        ("/api/v1/accounts", ACCOUNTS.to_owned()),
        ("/api/v1/account/7/statements", statements.to_owned()),
    ]))
    .await;
    let mb = Mutasibank::new(&MutasibankSettings {
        base_url: base,
        token: Secret::new("t"),
        webhook_secret: None,
    })
    .unwrap();
    let lines = mb.fetch("4447", today_range(), &no_progress).await.unwrap();
    assert_eq!(lines[0].direction, mutasi::Direction::Debit);
    assert_eq!(lines[0].amount, money::Rupiah::from_sen(15_000_000));
    let dir = tempfile::tempdir().unwrap();
    let cache = mutasi::cache::StatementCache::open(&dir.path().join("s.db")).unwrap();
    cache.store(&lines, mutasi::cache::Via::Fetch).unwrap();
}

#[tokio::test]
async fn a_bank_raya_statement_shorter_than_its_totals_is_refused() {
    let line = r#"{"amount":{"value":"25000.00","currency":"IDR"},"transactionDate":"2026-01-05 10:00:00","remark":"SETOR","transactionId":"000000000000000000001","type":"Debit"}"#;
    let statement = format!(
        r#"{{"responseCode":"2001400","responseDescription":"Successful","totalCreditEntries":{{"numberOfEntries":"0","amount":{{"value":"0","currency":"IDR"}}}},"totalDebitEntries":{{"numberOfEntries":"2","amount":{{"value":"50000","currency":"IDR"}}}},"detailData":[{line}]}}"#
    );
    let base = canned(HashMap::from([
        (
            "/snap/v1.0/access-token/b2b",
            r#"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"tok","tokenType":"Bearer","expiresIn":"900"}"#.to_owned(),
        ),
        ("/snap/v1.0/bank-statement", statement),
    ]))
    .await;
    let raya = mutasi::providers::BankRaya::new(&mutasi::BankRayaSettings {
        base_url: base,
        client_id: sandbox::demo::BANKRAYA_CLIENT_ID.into(),
        client_secret: Secret::new(sandbox::demo::BANKRAYA_CLIENT_SECRET),
        private_key_pem: Secret::new(sandbox::demo::BANKRAYA_PRIVATE_KEY_PEM),
        channel_id: sandbox::demo::BANKRAYA_CHANNEL_ID.into(),
    })
    .unwrap();
    match raya.fetch("4447", today_range(), &no_progress).await {
        Err(MutasiError::Malformed { reason, .. }) => {
            assert!(reason.contains("1 of 2"), "{reason}")
        }
        other => panic!("a short statement was taken as whole: {other:?}"),
    }
}

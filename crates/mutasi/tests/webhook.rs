//! The Mutasibank webhook over real HTTP: signed, unsigned, wrongly
//! signed, stale (over 300 s) and replayed bodies. Only the good one is
//! stored, once.

use std::sync::Arc;

use mutasi::cache::StatementCache;
use mutasi::webhook::{self, WebhookIntake};
use mutasi::{sign, Secret};

const SECRET: &str = sandbox::demo::MUTASIBANK_WEBHOOK_SECRET;

fn body(id: &str) -> String {
    format!(
        r#"{{"api_key":"x","account_id":1,"module":"bni","account_name":"ARDHA HERDIANTO","account_number":"4447","balance":5150000,"data_mutasi":[{{"id":"{id}","transaction_date":"2025-10-02 14:30:00","description":"TRANSFER FROM CUSTOMER ORDER-12345","type":"CR","amount":150000,"balance":5150000}}]}}"#
    )
}

#[tokio::test]
async fn only_the_good_push_is_stored_once() {
    let cache = Arc::new(StatementCache::open_in_memory().unwrap());
    let intake = Arc::new(WebhookIntake::new(Secret::new(SECRET), Arc::clone(&cache)));
    assert!(!format!("{intake:?}").contains(SECRET));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = webhook::url(listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(webhook::serve(listener, intake, async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    let now = chrono::Utc::now().timestamp();
    let post = |body: String, sig: Option<String>, ts: Option<i64>| {
        let mut req = http.post(&url).body(body);
        if let Some(s) = sig {
            req = req.header(webhook::SIGNATURE_HEADER, s);
        }
        if let Some(t) = ts {
            req = req.header(webhook::TIMESTAMP_HEADER, t.to_string());
        }
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let good = body("uuid-tx-1");
    let good_sig = sign::mutasibank_webhook_signature(SECRET, good.as_bytes());

    // Unsigned, wrongly signed, signed with another secret, stale, future, no timestamp.
    let (s, _) = post(good.clone(), None, Some(now)).await;
    assert_eq!(s, 401);
    let (s, t) = post(good.clone(), Some("00".repeat(32)), Some(now)).await;
    assert_eq!((s, t.contains("Invalid signature")), (401, true));
    let other = sign::mutasibank_webhook_signature("another-secret", good.as_bytes());
    assert_eq!(post(good.clone(), Some(other), Some(now)).await.0, 401);
    let (s, t) = post(good.clone(), Some(good_sig.clone()), Some(now - 310)).await;
    assert_eq!((s, t.contains("Request expired")), (401, true));
    assert_eq!(
        post(good.clone(), Some(good_sig.clone()), Some(now + 310))
            .await
            .0,
        401
    );
    assert_eq!(
        post(good.clone(), Some(good_sig.clone()), None).await.0,
        401
    );
    // A body changed after signing.
    let tampered = good.replace("150000,\"balance\"", "950000,\"balance\"");
    assert_ne!(tampered, good);
    assert_eq!(
        post(tampered, Some(good_sig.clone()), Some(now)).await.0,
        401
    );
    assert_eq!(
        cache.count().unwrap(),
        0,
        "nothing stored before a good push"
    );

    // The good one (290 s off is still inside the window).
    let (s, t) = post(good.clone(), Some(good_sig.clone()), Some(now - 290)).await;
    assert_eq!(s, 200, "{t}");
    assert!(t.contains("\"new\":1"), "{t}");
    // Replayed, even with a fresh timestamp: accepted, ignored.
    let (s, t) = post(good.clone(), Some(good_sig.clone()), Some(now)).await;
    assert_eq!(s, 200);
    assert!(t.contains("duplicate"), "{t}");
    assert_eq!(cache.count().unwrap(), 1);

    // A well-signed body that is not a webhook: refused after verification.
    let junk = "{\"data_mutasi\": 5}".to_owned();
    let junk_sig = sign::mutasibank_webhook_signature(SECRET, junk.as_bytes());
    assert_eq!(post(junk, Some(junk_sig), Some(now)).await.0, 400);
    assert_eq!(cache.count().unwrap(), 1);

    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

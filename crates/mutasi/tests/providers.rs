//! Each provider client over real HTTP against the sandbox's imitation:
//! success, paging / range splitting, documented error codes, a bad token,
//! and a wrong signature refused by the imitation.

use chrono::{Duration, NaiveDate, Utc};
use money::Rupiah;
use mutasi::providers::{BankRaya, Bri, Moota, MootaQuery, Mutasibank};
use mutasi::{
    no_progress, BankRayaSettings, BriSettings, DateRange, Direction, MootaSettings, MutasiError,
    MutasibankSettings, RefusalKind, Secret, StatementSource,
};
use sandbox::{demo, Sandbox, SandboxConfig};
use serde_json::json;

async fn start() -> Sandbox {
    Sandbox::start(SandboxConfig::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn today() -> NaiveDate {
    Utc::now().with_timezone(&mutasi::wib()).date_naive()
}

fn last_days(n: i64) -> DateRange {
    DateRange::new(today() - Duration::days(n - 1), today()).unwrap()
}

fn mb(base: &str, token: &str) -> Mutasibank {
    Mutasibank::new(&MutasibankSettings {
        base_url: base.into(),
        token: Secret::new(token),
        webhook_secret: None,
    })
    .unwrap()
}

fn moota(base: &str, token: &str) -> Moota {
    Moota::new(&MootaSettings {
        base_url: base.into(),
        token: Secret::new(token),
        bank: None,
    })
    .unwrap()
}

fn bri(base: &str, secret: &str) -> Bri {
    Bri::new(&BriSettings {
        base_url: base.into(),
        client_id: demo::BRI_CLIENT_ID.into(),
        client_secret: Secret::new(secret),
    })
    .unwrap()
}

fn raya(base: &str, client_secret: &str, key: &str) -> BankRaya {
    BankRaya::new(&BankRayaSettings {
        base_url: base.into(),
        client_id: demo::BANKRAYA_CLIENT_ID.into(),
        client_secret: Secret::new(client_secret),
        private_key_pem: Secret::new(key),
        channel_id: demo::BANKRAYA_CHANNEL_ID.into(),
    })
    .unwrap()
}

fn refusal(e: MutasiError) -> (RefusalKind, String) {
    match e {
        MutasiError::Refused { kind, code, .. } => (kind, code),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The seeded history spans the last six months: every provider sees the
/// same lines of the agent account over the same range.
#[tokio::test]
async fn all_four_agree_on_the_seeded_statement() {
    let sb = start().await;
    let base = sb.base_url();
    let range = last_days(75);
    let sources: Vec<Box<dyn StatementSource>> = vec![
        Box::new(mb(&base, demo::MUTASIBANK_TOKEN)),
        Box::new(moota(&base, demo::MOOTA_TOKEN)),
        Box::new(bri(&base, demo::BRI_CLIENT_SECRET)),
        Box::new(raya(
            &base,
            demo::BANKRAYA_CLIENT_SECRET,
            demo::BANKRAYA_PRIVATE_KEY_PEM,
        )),
    ];
    let mut counts = Vec::new();
    for s in &sources {
        let progress = std::sync::Mutex::new(Vec::new());
        let lines = s
            .fetch(demo::AGENT_ACCOUNT, range, &|p| {
                progress.lock().unwrap().push(p)
            })
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", s.kind()));
        assert!(!lines.is_empty(), "{}", s.kind());
        assert!(lines
            .iter()
            .all(|l| l.amount.is_positive() && l.account == demo::AGENT_ACCOUNT));
        let debits: i64 = lines
            .iter()
            .filter(|l| l.direction == Direction::Debit)
            .map(|l| l.amount.sen())
            .sum();
        counts.push((s.kind(), lines.len(), debits));
        let p = progress.into_inner().unwrap();
        let last = p.last().copied().unwrap();
        assert_eq!(last.done, last.total, "{}", s.kind());
        match s.kind() {
            // 75 days = three windows of at most 30.
            mutasi::ProviderKind::Bri | mutasi::ProviderKind::Bankraya => assert_eq!(last.total, 3),
            // 100 per page: more than one page only with a long history; at least one.
            _ => assert!(last.total >= 1),
        }
    }
    let (_, n0, d0) = counts[0];
    for (kind, n, d) in &counts {
        assert_eq!((*n, *d), (n0, d0), "{kind} disagrees: {counts:?}");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn mutasibank_endpoints_and_refusals() {
    let sb = start().await;
    let base = sb.base_url();
    let c = mb(&base, demo::MUTASIBANK_TOKEN);
    let user = c.user().await.unwrap();
    assert_eq!(user.jenis_akun, "advance");
    let accounts = c.accounts().await.unwrap();
    let id = accounts
        .iter()
        .find(|a| a.account_number == demo::AGENT_ACCOUNT)
        .unwrap()
        .id;
    let lines = c.statements(id, last_days(60)).await.unwrap();
    let first = lines.first().unwrap().clone();
    let matched = c.match_amount(id, first.amount).await.unwrap().unwrap();
    assert_eq!(matched.amount, first.amount);
    let many = c.match_multiple(id, first.amount).await.unwrap();
    assert!(many.iter().any(|m| m.id == first.id));
    assert!(c
        .match_amount(id, Rupiah::from_sen(123))
        .await
        .unwrap()
        .is_none());
    assert_eq!(c.validate(&first.id).await.unwrap().unwrap().id, first.id);

    let (kind, code) = refusal(mb(&base, "wrong").accounts().await.unwrap_err());
    assert_eq!(
        (kind, code.as_str()),
        (RefusalKind::Credentials, "HTTP 401")
    );
    let (kind, _) = refusal(c.statements(9999, last_days(2)).await.unwrap_err());
    assert_eq!(kind, RefusalKind::Account);
    let (kind, _) = refusal(
        c.fetch("99999", last_days(2), &no_progress)
            .await
            .unwrap_err(),
    );
    assert_eq!(kind, RefusalKind::Account);
    sb.shutdown().await;
}

#[tokio::test]
async fn moota_filters_pages_and_extras() {
    let sb = start().await;
    let base = sb.base_url();
    let c = moota(&base, demo::MOOTA_TOKEN);
    let range = last_days(90);
    let q = MootaQuery {
        start_date: Some(range.from),
        end_date: Some(range.to),
        per_page: Some(3),
        ..MootaQuery::default()
    };
    let first = c.mutations(&q).await.unwrap();
    assert!(
        first.last_page > 2,
        "want several pages, got {}",
        first.last_page
    );
    let all = c.all_mutations(&q, &no_progress).await.unwrap();
    assert_eq!(all.len() as u32, first.total.unwrap());
    let mut ids: Vec<_> = all.iter().map(|m| m.mutation_id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "paging repeated or lost a line");

    // Filters: type and amount.
    let debit = all.iter().find(|m| m.kind == "DB").unwrap().clone();
    let only = c
        .all_mutations(
            &MootaQuery {
                kind: Some(Direction::Debit),
                amount: Some(debit.amount),
                ..q.clone()
            },
            &no_progress,
        )
        .await
        .unwrap();
    assert!(only
        .iter()
        .all(|m| m.kind == "DB" && m.amount == debit.amount));
    assert!(only.iter().any(|m| m.mutation_id == debit.mutation_id));

    // Note, then filter by note; tags, then filter by tag.
    c.add_note(&debit.mutation_id, "cek supervisor")
        .await
        .unwrap();
    c.attach_tags(&debit.mutation_id, &["setoran".into()])
        .await
        .unwrap();
    for (note, tag) in [
        (Some("supervisor".to_owned()), vec![]),
        (None, vec!["setoran".to_owned()]),
    ] {
        let got = c
            .all_mutations(
                &MootaQuery {
                    note,
                    tag,
                    ..q.clone()
                },
                &no_progress,
            )
            .await
            .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].mutation_id, debit.mutation_id);
    }
    assert_eq!(
        c.update_tags(&debit.mutation_id, &["cek".into()])
            .await
            .unwrap(),
        "Tag berhasil diupdate ke mutasi"
    );
    assert_eq!(
        c.detach_tags(&debit.mutation_id, &["cek".into()])
            .await
            .unwrap(),
        "Tag berhasil dihapus dari mutasi"
    );
    let e = c
        .attach_tags(&debit.mutation_id, &["nope".into()])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("User tidak memiliki tag ini"), "{e}");
    let e = c.add_note("mt999999999", "x").await.unwrap_err();
    assert!(e.to_string().contains("Data not found"), "{e}");

    // A dummy mutation shows up; a bad one is refused with Laravel's errors.
    let bank = all[0].bank_id.clone().unwrap();
    let stored = c
        .store_dummy(
            &bank,
            today(),
            "uji",
            Rupiah::from_sen(1_234_500),
            Direction::Credit,
        )
        .await
        .unwrap();
    assert_eq!((stored.total, stored.new), (1, 1));
    let with_dummy = c.all_mutations(&q, &no_progress).await.unwrap();
    assert_eq!(with_dummy.len(), all.len() + 1);
    let bad = reqwest::Client::new()
        .post(format!("{base}/api/v2/mutation/store/{bank}"))
        .bearer_auth(demo::MOOTA_TOKEN)
        .json(&json!({"date": "05-10-2021", "type": "XX", "amount": "1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let v: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(
        v["errors"]["date"][0],
        "The date does not match the format Y-m-d."
    );
    assert_eq!(v["errors"]["type"][0], "The selected type is invalid.");

    // Destroy hides a mutation.
    c.destroy(std::slice::from_ref(&debit.mutation_id))
        .await
        .unwrap();
    let after = c.all_mutations(&q, &no_progress).await.unwrap();
    assert!(!after.iter().any(|m| m.mutation_id == debit.mutation_id));
    c.push_webhook(&all[1].mutation_id).await.unwrap();

    let (kind, code) = refusal(moota(&base, "wrong").mutations(&q).await.unwrap_err());
    assert_eq!(
        (kind, code.as_str()),
        (RefusalKind::Credentials, "HTTP 401")
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn bri_splits_ranges_and_maps_every_code() {
    let sb = start().await;
    let base = sb.base_url();
    let c = bri(&base, demo::BRI_CLIENT_SECRET);
    // Range splitting: 95 days is four requests; the imitation refuses more than 30.
    let long = last_days(95);
    let n = std::sync::atomic::AtomicUsize::new(0);
    c.fetch(demo::AGENT_ACCOUNT, long, &|_| {
        n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    })
    .await
    .unwrap();
    assert_eq!(n.into_inner(), 4);

    // 0105 straight from the imitation, for a raw 31-day request.
    let (kind, code) = refusal(
        c.statement(demo::AGENT_ACCOUNT, last_days(31))
            .await
            .unwrap_err(),
    );
    assert_eq!((kind, code.as_str()), (RefusalKind::Range, "0105"));
    // 0104: not an account of ours.
    let (kind, code) = refusal(c.statement("77777", last_days(2)).await.unwrap_err());
    assert_eq!((kind, code.as_str()), (RefusalKind::Account, "0104"));
    // 0102 is an empty window, not an error.
    let old = DateRange::new(today() - Duration::days(400), today() - Duration::days(399)).unwrap();
    assert!(c
        .statement(demo::AGENT_ACCOUNT, old)
        .await
        .unwrap()
        .is_empty());
    // Wrong client secret: the token is refused first.
    let (kind, _) = refusal(
        bri(&base, "wrong")
            .statement(demo::AGENT_ACCOUNT, last_days(2))
            .await
            .unwrap_err(),
    );
    assert_eq!(kind, RefusalKind::Credentials);

    // Raw requests for the codes a correct client never provokes.
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!(
            "{base}/oauth/client_credential/accesstoken?grant_type=client_credentials"
        ))
        .form(&[
            ("client_id", demo::BRI_CLIENT_ID),
            ("client_secret", demo::BRI_CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let send = |body: String, token: String, sig_secret: &'static str, ext: String| {
        let http = http.clone();
        let base = base.clone();
        async move {
            let ts = Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
            let sig = mutasi::sign::bri_signature(
                sig_secret,
                "/v2.0/statement",
                "POST",
                &token,
                &ts,
                &body,
            );
            let r = http
                .post(format!("{base}/v2.0/statement"))
                .bearer_auth(&token)
                .header("BRI-Signature", sig)
                .header("BRI-Timestamp", ts)
                .header("BRI-External-Id", ext)
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let v: serde_json::Value = r.json().await.unwrap();
            (status, v["responseCode"].as_str().unwrap_or("").to_owned())
        }
    };
    let body = |acct: &str, from: &str, to: &str| {
        json!({"accountNumber": acct, "startDate": from, "endDate": to}).to_string()
    };
    let d = |n: i64| (today() - Duration::days(n)).format("%Y-%m-%d").to_string();
    let good = body("000000000004447", &d(29), &d(0));
    let cases = [
        (
            good.clone(),
            token.clone(),
            demo::BRI_CLIENT_SECRET,
            "100000001",
            "0000",
        ),
        (
            good.clone(),
            "not-a-token".into(),
            demo::BRI_CLIENT_SECRET,
            "100000002",
            "0601",
        ),
        (
            good.clone(),
            token.clone(),
            "wrong-secret",
            "100000003",
            "0602",
        ),
        (
            good.clone(),
            token.clone(),
            demo::BRI_CLIENT_SECRET,
            "12",
            "0603",
        ),
        // A reused BRI-External-Id.
        (
            good.clone(),
            token.clone(),
            demo::BRI_CLIENT_SECRET,
            "100000001",
            "0603",
        ),
        (
            "{not json".into(),
            token.clone(),
            demo::BRI_CLIENT_SECRET,
            "100000004",
            "0999",
        ),
        (
            body("4447", &d(1), &d(0)),
            token.clone(),
            demo::BRI_CLIENT_SECRET,
            "100000005",
            "0103",
        ),
        (
            body("000000000004447", &d(0), &d(1)),
            token.clone(),
            demo::BRI_CLIENT_SECRET,
            "100000006",
            "0101",
        ),
        (
            body("000000000004447", "2021/01/01", &d(0)),
            token.clone(),
            demo::BRI_CLIENT_SECRET,
            "100000007",
            "0101",
        ),
        (
            body("000000000004447", &d(40), &d(0)),
            token.clone(),
            demo::BRI_CLIENT_SECRET,
            "100000008",
            "0105",
        ),
    ];
    for (b, t, s, ext, want) in cases {
        let (status, code) = send(b, t, s, ext.into()).await;
        assert_eq!(code, want);
        assert_eq!(status, if want == "0000" { 200 } else { 400 }, "{want}");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn bank_raya_token_signature_and_codes() {
    let sb = start().await;
    let base = sb.base_url();
    let c = raya(
        &base,
        demo::BANKRAYA_CLIENT_SECRET,
        demo::BANKRAYA_PRIVATE_KEY_PEM,
    );
    let n = std::sync::atomic::AtomicUsize::new(0);
    let lines = c
        .fetch(demo::AGENT_ACCOUNT, last_days(61), &|_| {
            n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        })
        .await
        .unwrap();
    assert!(!lines.is_empty());
    assert_eq!(n.into_inner(), 3);
    let (kind, code) = refusal(
        c.statement(demo::AGENT_ACCOUNT, last_days(31))
            .await
            .unwrap_err(),
    );
    assert_eq!((kind, code.as_str()), (RefusalKind::Range, "4031415"));
    let (kind, code) = refusal(c.statement("77777", last_days(2)).await.unwrap_err());
    assert_eq!((kind, code.as_str()), (RefusalKind::Account, "4031415"));

    // Wrong client secret: the token is fine, the HMAC-SHA512 X-SIGNATURE is refused.
    let wrong = raya(&base, "wrong", demo::BANKRAYA_PRIVATE_KEY_PEM);
    let (kind, code) = refusal(
        wrong
            .statement(demo::AGENT_ACCOUNT, last_days(2))
            .await
            .unwrap_err(),
    );
    assert_eq!((kind, code.as_str()), (RefusalKind::Signature, "4011400"));
    // Another private key: the token request's RSA signature is refused.
    let other_key = include_str!("other_key.pem");
    let (kind, code) = refusal(
        raya(&base, demo::BANKRAYA_CLIENT_SECRET, other_key)
            .statement(demo::AGENT_ACCOUNT, last_days(2))
            .await
            .unwrap_err(),
    );
    assert_eq!((kind, code.as_str()), (RefusalKind::Signature, "4017300"));

    // Raw requests for the remaining documented codes.
    let http = reqwest::Client::new();
    let ts = Utc::now()
        .with_timezone(&mutasi::wib())
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    let signer = mutasi::sign::RsaSigner::from_pem(demo::BANKRAYA_PRIVATE_KEY_PEM).unwrap();
    let tok: serde_json::Value = http
        .post(format!("{base}/snap/v1.0/access-token/b2b"))
        .header("X-CLIENT-KEY", demo::BANKRAYA_CLIENT_ID)
        .header("X-TIMESTAMP", &ts)
        .header(
            "X-SIGNATURE",
            mutasi::sign::snap_asymmetric(&signer, demo::BANKRAYA_CLIENT_ID, &ts).unwrap(),
        )
        .json(&json!({"grantType": "client_credentials"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tok["responseCode"], "2007300");
    let token = tok["accessToken"].as_str().unwrap().to_owned();
    let d = |n: i64| (today() - Duration::days(n)).format("%Y-%m-%d").to_string();
    let send = |body: String, ext: &'static str, token: String| {
        let http = http.clone();
        let base = base.clone();
        let ts = ts.clone();
        async move {
            let sig = mutasi::sign::snap_symmetric(
                demo::BANKRAYA_CLIENT_SECRET,
                "POST",
                "/snap/v1.0/bank-statement",
                &token,
                &mutasi::sign::minify_json(&body),
                &ts,
            );
            let r = http
                .post(format!("{base}/snap/v1.0/bank-statement"))
                .bearer_auth(&token)
                .header("X-SIGNATURE", sig)
                .header("X-TIMESTAMP", &ts)
                .header("X-PARTNER-ID", demo::BANKRAYA_CLIENT_ID)
                .header("X-EXTERNAL-ID", ext)
                .header("CHANNEL-ID", demo::BANKRAYA_CHANNEL_ID)
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let v: serde_json::Value = r.json().await.unwrap();
            (
                status,
                v["responseCode"].as_str().unwrap_or("").to_owned(),
                v["responseMessage"].as_str().unwrap_or("").to_owned(),
            )
        }
    };
    let b = |acct: Option<&str>, from: Option<&str>, to: Option<&str>| {
        let mut v = json!({});
        if let Some(a) = acct {
            v["accountNo"] = json!(a);
        }
        if let Some(f) = from {
            v["fromDateTime"] = json!(f);
        }
        if let Some(t) = to {
            v["toDateTime"] = json!(t);
        }
        // Pretty-printed on purpose: the signature is over the minified body.
        serde_json::to_string_pretty(&v).unwrap()
    };
    let acct = Some("000000000004447");
    let (d1, d0, d40) = (d(1), d(0), d(40));
    let cases: Vec<(String, &'static str, String, &str, &str)> = vec![
        (
            b(acct, Some(&d1), Some(&d0)),
            "2001",
            token.clone(),
            "2001400",
            "",
        ),
        (
            b(acct, Some(&d1), Some(&d0)),
            "2002",
            "bad".into(),
            "4011400",
            "Unauthorized Client",
        ),
        (
            b(acct, Some(&d1), Some(&d0)),
            "x-1",
            token.clone(),
            "4001401",
            "Invalid Format Field X-EXTERNAL-ID",
        ),
        (
            b(acct, Some(&d1), Some(&d0)),
            "2001",
            token.clone(),
            "4091400",
            "Conflict",
        ),
        (
            b(None, Some(&d1), Some(&d0)),
            "2003",
            token.clone(),
            "4001402",
            "Invalid Mandatory Field accountNo",
        ),
        (
            b(Some("4447"), Some(&d1), Some(&d0)),
            "2004",
            token.clone(),
            "4001401",
            "Invalid Field Format accountNo",
        ),
        (
            b(acct, None, Some(&d0)),
            "2005",
            token.clone(),
            "4001402",
            "Invalid Mandatory Field fromDateTime",
        ),
        (
            b(acct, Some(&d1), None),
            "2006",
            token.clone(),
            "4001402",
            "Invalid Mandatory Field toDateTime",
        ),
        (
            b(acct, Some("17-12-2016"), Some(&d0)),
            "2007",
            token.clone(),
            "4001401",
            "Invalid Field Format fromDateTime",
        ),
        (
            b(acct, Some(&d1), Some("x")),
            "2008",
            token.clone(),
            "4001401",
            "Invalid Field Format toDateTime",
        ),
        (
            b(acct, Some(&d0), Some(&d1)),
            "2009",
            token.clone(),
            "4031415",
            "Transaction Not Permitted. fromDateTime should be lower than toDateTime",
        ),
        (
            b(acct, Some(&d40), Some(&d0)),
            "2010",
            token.clone(),
            "4031415",
            "Transaction Not Permitted. Maximum Statement Should Be 30 Days!",
        ),
        (
            "{oops".into(),
            "2011",
            token.clone(),
            "5001401",
            "Internal Server Error",
        ),
    ];
    for (body, ext, tok, want, msg) in cases {
        let (status, code, message) = send(body, ext, tok).await;
        assert_eq!(code, want, "{message}");
        if !msg.is_empty() {
            assert_eq!(message, msg);
        }
        assert_eq!(status.to_string(), want[..3]);
    }
    // 4041401: a month with nothing at all (the seeded history is six months).
    let (_, code, msg) = send(
        b(acct, Some("2020-08-18"), Some("2020-08-20")),
        "2012",
        token.clone(),
    )
    .await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("4041401", "Transaction Not Found")
    );
    sb.shutdown().await;
}

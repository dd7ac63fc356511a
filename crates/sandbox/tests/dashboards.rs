//! Dashboards count what happened; master lists, bank list and wilayah are
//! as documented.

mod common;

use common::{call, deposit, login, sid, start};
use sandbox::demo;
use serde_json::json;

fn count(body: &serde_json::Value, title: &str) -> i64 {
    body["data"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["graph_title"] == title))
        .and_then(|r| r["graph_count"].as_i64())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_new_deposit_shows_in_the_bsa_setor_tunai_count() {
    let sb = start().await;
    let session = login(&sb).await;
    let before = call(
        &sb,
        "/bankplus/dashboard/bsa",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    assert_eq!(
        before.message(),
        "Data ditemukan!",
        "the seeded history covers this month"
    );
    let rows = before.body["data"].as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["graph_id"], 1);
    assert_eq!(rows[0]["graph_title"], "Buka Rekening");
    assert_eq!(rows[1]["graph_title"], "Setor Tunai");
    assert_eq!(rows[2]["graph_title"], "Customer Balance");

    let r = deposit(
        &sb,
        &session,
        &sid(),
        demo::CUSTOMER_ACCOUNT,
        25_000,
        demo::PIN,
    )
    .await;
    assert_eq!(r.code(), "00");
    let after = call(
        &sb,
        "/bankplus/dashboard/bsa",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    assert_eq!(
        count(&after.body, "Setor Tunai"),
        count(&before.body, "Setor Tunai") + 1
    );
    assert_eq!(
        count(&after.body, "Buka Rekening"),
        count(&before.body, "Buka Rekening")
    );

    // A refused deposit does not count.
    deposit(
        &sb,
        &session,
        &sid(),
        demo::CUSTOMER_ACCOUNT,
        25_000,
        "000000",
    )
    .await;
    let again = call(
        &sb,
        "/bankplus/dashboard/bsa",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    assert_eq!(
        count(&again.body, "Setor Tunai"),
        count(&after.body, "Setor Tunai")
    );
}

#[tokio::test]
async fn every_dashboard_has_recent_months_and_not_found_for_an_empty_one() {
    let sb = start().await;
    let session = login(&sb).await;
    // Dashboard months are WIB months.
    let wib_now = chrono::Utc::now() + chrono::Duration::hours(7);
    let this_month = wib_now.format("%Y-%m").to_string();
    for path in [
        "/bankplus/dashboard/bsa",
        "/bankplus/dashboard/bill",
        "/bankplus/dashboard/purchase",
        "/bankplus/dashboard/agentGrowth",
        "/bankplus/dashboard/agentSpread",
    ] {
        let r = call(&sb, path, Some(&session), None, json!({})).await;
        assert_eq!(r.code(), "00", "{path}: {:?}", r.body);
        let rows = r.body["data"].as_array().expect("rows");
        assert!(!rows.is_empty(), "{path}");
        assert!(rows.iter().all(|r| r["graph_count"].is_i64()), "{path}");

        let old = call(&sb, path, Some(&session), None, json!({"month": "2001-01"})).await;
        assert_eq!(old.status, 404, "{path}");
        assert_eq!(
            old.body,
            json!({"code": "NOT_FOUND", "message": "Data tidak ditemukan!", "data": {}}),
            "{path}"
        );
    }
    // Five months back still has BSA data (six months of history).
    let five_back = {
        let now = wib_now;
        let index = now.format("%Y").to_string().parse::<i32>().expect("year") * 12
            + now.format("%m").to_string().parse::<i32>().expect("month")
            - 1
            - 5;
        format!("{:04}-{:02}", index / 12, index % 12 + 1)
    };
    let r = call(
        &sb,
        "/bankplus/dashboard/bsa",
        Some(&session),
        None,
        json!({"month": five_back}),
    )
    .await;
    assert_eq!(r.code(), "00", "{five_back}");

    let bill = call(
        &sb,
        "/bankplus/dashboard/bill",
        Some(&session),
        None,
        json!({"month": this_month}),
    )
    .await;
    let titles: Vec<&str> = bill.body["data"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["graph_title"].as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "BPJS KS VA",
            "PDAM",
            "Mobile Postpaid",
            "BPJS TK BPU",
            "BPJS TK PU",
            "Indihome"
        ]
    );

    let growth = call(
        &sb,
        "/bankplus/dashboard/agentGrowth",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    let last = growth.body["data"]
        .as_array()
        .and_then(|r| r.last())
        .expect("a month");
    assert_eq!(last["graph_title"], this_month.as_str());

    let spread = call(
        &sb,
        "/bankplus/dashboard/agentSpread",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    assert!(
        count(&spread.body, "Jawa Timur") >= 1,
        "the demo agent is in Jawa Timur"
    );

    // GET with the month in the query works too.
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/bankplus/dashboard/bsa?month=2001-01",
            sb.base_url()
        ))
        .header("sessionid", &session)
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), 404);

    let bad = call(
        &sb,
        "/bankplus/dashboard/bsa",
        Some(&session),
        None,
        json!({"month": "January"}),
    )
    .await;
    assert_eq!(bad.message(), "[30] FORMAT ERROR");
}

#[tokio::test]
async fn master_lists_and_bank_list_are_as_documented() {
    let sb = start().await;
    let session = login(&sb).await;
    let jobs = call(
        &sb,
        "/bankplus/master/jobs",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    assert_eq!(jobs.message(), "Menampilkan data");
    assert_eq!(jobs.body["data"][3], json!({"id": 4, "name": "EXECUTIV"}));
    assert_eq!(jobs.body["data"].as_array().map(Vec::len), Some(7));
    let edu = call(
        &sb,
        "/bankplus/master/educations",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    assert_eq!(edu.body["data"][4], json!({"id": 5, "name": "S1/D4"}));
    let sal = call(
        &sb,
        "/bankplus/master/salaries",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    assert_eq!(
        sal.body["data"][0],
        json!({"id": 1, "name": "< Rp 2,5 juta"})
    );
    assert_eq!(sal.body["data"].as_array().map(Vec::len), Some(8));
    let tx = call(
        &sb,
        "/bankplus/master/transactions",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    assert_eq!(
        tx.body["data"][4],
        json!({"id": 5, "name": "> Rp 1 Miliar"})
    );

    let banks = call(&sb, "/bankplus/bank/list", Some(&session), None, json!({})).await;
    assert_eq!(banks.message(), "Berhasil menampilkan list bank");
    assert_eq!(banks.body["count"], 10);
    assert_eq!(
        banks.body["data"][1],
        json!({"bank_code": "008", "bank_name": "BANK MANDIRI"})
    );
    assert_eq!(
        banks.body["data"][9],
        json!({"bank_code": "023", "bank_name": "BANK UOB INDONESIA"})
    );
}

#[tokio::test]
async fn wilayah_finds_postal_codes() {
    let sb = start().await;
    let session = login(&sb).await;
    let r = call(
        &sb,
        "/bankplus/wilayah/get",
        Some(&session),
        None,
        json!({"propinsi": "DKI Jakarta", "jenis": "Kota", "kabupaten": "Jakarta Pusat",
               "kecamatan": "Gambir", "kelurahan": "Gambir"}),
    )
    .await;
    assert_eq!(
        r.body,
        json!({"code": "00", "message": "Data wilayah di temukan", "data": [{"kodepos": 10110}]})
    );
    let r = call(
        &sb,
        "/bankplus/wilayah/get",
        Some(&session),
        None,
        json!({"propinsi": "Jawa Timur", "jenis": "Kabupaten", "kabupaten": "Sidoarjo",
               "kecamatan": "Krian", "kelurahan": "Jatikalang"}),
    )
    .await;
    assert_eq!(r.body["data"], json!([{"kodepos": 61262}]));
    let r = call(
        &sb,
        "/bankplus/wilayah/get",
        Some(&session),
        None,
        json!({"propinsi": "Atlantis", "kabupaten": "Nowhere"}),
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body,
        json!({"code": "NOT_FOUND", "message": "Mohon maaf data wilayah tidak ditemukan", "data": {}})
    );
}

//! Bank+ money movements against the ledger: exact balances, PINs, sids,
//! fees, and refusals that post nothing.

mod common;

use common::{balance, call, deposit, login, post_raw, rp, sid, start};
use sandbox::demo;
use serde_json::json;

const FEE: &str = "9990000001";

#[tokio::test]
async fn a_deposit_moves_exactly_the_amount_and_replies_as_documented() {
    let sb = start().await;
    let session = login(&sb).await;
    assert_eq!(
        balance(&sb, "BNI", demo::AGENT_ACCOUNT),
        demo::AGENT_OPENING_BALANCE
    );
    let customer_before = balance(&sb, "BNI", demo::CUSTOMER_ACCOUNT);

    let s = sid();
    let r = deposit(&sb, &session, &s, demo::CUSTOMER_ACCOUNT, 25_000, demo::PIN).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.code(), "00", "{:?}", r.body);
    assert_eq!(
        r.message(),
        "Transaksi a.n Ardha Herdianto Rp.25.000 , admin Rp.0 berhasil dilakukan "
    );
    let data = &r.body["data"];
    assert_eq!(data["amount"], "25.000");
    assert_eq!(data["admin"], "0");
    assert_eq!(data["total"], "25.000");
    assert_eq!(data["deposit_amount"], 25000);
    assert_eq!(data["account_number_customer"], demo::CUSTOMER_ACCOUNT);
    assert_eq!(data["bank_code"], "BNI");
    let when = data["date_time"].as_str().expect("date_time");
    assert!(when.ends_with('Z') && when.len() == 24, "{when}");
    assert_eq!(
        r.body["agent"],
        json!({"kode_agen": "BNI014100294", "nama": "Ardha Herdianto",
               "alamat": "Perumahan Gateway 02/02 Jatikalang Kab_Sidoarjo, Jawa Timur"})
    );

    assert_eq!(
        balance(&sb, "BNI", demo::AGENT_ACCOUNT),
        common::agent_after(25_000)
    );
    assert_eq!(
        balance(&sb, "BNI", demo::CUSTOMER_ACCOUNT),
        customer_before.checked_add(rp(25_000)).expect("small")
    );
    assert_eq!(sb.postings_for_sid(&s), 1);

    // The other amount forms of the documents work too.
    for amount in [json!(10000), json!("10.000"), json!("10000.00")] {
        let r = call(
            &sb,
            "/bankplus/bsa/depositAccount",
            Some(&session),
            Some(&sid()),
            json!({"toAccount": demo::CUSTOMER_ACCOUNT, "amount": amount, "narration": "x",
                   "pin_transaksi": demo::PIN}),
        )
        .await;
        assert_eq!(r.body["data"]["amount"], "10.000", "{amount}");
    }
}

#[tokio::test]
async fn a_wrong_pin_posts_nothing() {
    let sb = start().await;
    let session = login(&sb).await;
    let agent = balance(&sb, "BNI", demo::AGENT_ACCOUNT);
    let s = sid();
    let r = deposit(&sb, &session, &s, demo::CUSTOMER_ACCOUNT, 25_000, "000000").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"code": "INVALID_PIN", "message": "Mohon maaf PIN transaksi anda salah", "data": {},
               "debug": {"from": "bankplus_platform_core", "status": 400, "name": "INVALID_PIN", "info": {}}})
    );
    assert_eq!(balance(&sb, "BNI", demo::AGENT_ACCOUNT), agent);
    assert_eq!(sb.postings_for_sid(&s), 0);

    // The sid was not used up by the refusal.
    let r = deposit(&sb, &session, &s, demo::CUSTOMER_ACCOUNT, 25_000, demo::PIN).await;
    assert_eq!(r.code(), "00");
}

#[tokio::test]
async fn a_reused_sid_is_refused_and_posts_nothing() {
    let sb = start().await;
    let session = login(&sb).await;
    let s = sid();
    let r = deposit(&sb, &session, &s, demo::CUSTOMER_ACCOUNT, 25_000, demo::PIN).await;
    assert_eq!(r.code(), "00");
    let agent = balance(&sb, "BNI", demo::AGENT_ACCOUNT);

    let again = deposit(&sb, &session, &s, demo::CUSTOMER_ACCOUNT, 25_000, demo::PIN).await;
    assert_eq!(again.code(), "-1");
    assert_eq!(again.message(), "[94] DUPLICATE TRANSMISSION");
    assert_eq!(again.body["data"]["status"], false);
    assert!(again.body["data"]["trace_code"]
        .as_str()
        .is_some_and(|t| t.starts_with("BLB") && t.len() == 20));

    // Another kind of payment with the same sid is refused as well.
    let transfer = call(
        &sb,
        "/bankplus/bsa/transfer/intrabank/payment",
        Some(&session),
        Some(&s),
        json!({"account_number": "14048", "account_name": "SITI RAHAYU", "amount": 50000,
               "admin_fee": 1000, "pin": demo::PIN}),
    )
    .await;
    assert_eq!(transfer.message(), "[94] DUPLICATE TRANSMISSION");
    assert_eq!(balance(&sb, "BNI", demo::AGENT_ACCOUNT), agent);
    assert_eq!(sb.postings_for_sid(&s), 1);
}

#[tokio::test]
async fn bad_requests_are_format_errors_never_panics() {
    let sb = start().await;
    let session = login(&sb).await;
    let agent = balance(&sb, "BNI", demo::AGENT_ACCOUNT);
    for body in [
        b"{not json".to_vec(),
        b"[1,2,3]".to_vec(),
        b"\xff\xfe".to_vec(),
        br#"{"toAccount":"14047","amount":"25,000.00","pin_transaksi":"359569"}"#.to_vec(),
        br#"{"toAccount":"14047","amount":"-5000","pin_transaksi":"359569"}"#.to_vec(),
        br#"{"toAccount":"14047","pin_transaksi":"359569"}"#.to_vec(),
    ] {
        let resp = post_raw(
            &sb,
            "/bankplus/bsa/depositAccount",
            Some(&session),
            Some(&sid()),
            body.clone(),
        )
        .await;
        assert_eq!(resp.status(), 200);
        let v: serde_json::Value =
            serde_json::from_slice(&resp.bytes().await.expect("body")).expect("JSON");
        assert_eq!(v["code"], "-1", "{}", String::from_utf8_lossy(&body));
        let m = v["message"].as_str().unwrap_or("");
        assert!(
            m == "[30] FORMAT ERROR" || m == "[13] INVALID AMOUNT",
            "{m}"
        );
    }
    // No sid header on a payment.
    let r = call(
        &sb,
        "/bankplus/bsa/depositAccount",
        Some(&session),
        None,
        json!({"toAccount": "14047", "amount": 1000, "pin_transaksi": demo::PIN}),
    )
    .await;
    assert_eq!(r.message(), "[30] FORMAT ERROR");
    assert_eq!(balance(&sb, "BNI", demo::AGENT_ACCOUNT), agent);
}

#[tokio::test]
async fn unknown_accounts_and_insufficient_funds_are_refused() {
    let sb = start().await;
    let session = login(&sb).await;
    let r = deposit(
        &sb,
        &session,
        &sid(),
        demo::MISSING_ACCOUNT,
        25_000,
        demo::PIN,
    )
    .await;
    assert_eq!(r.message(), "[0108] NO SUCH ACCOUNT");
    assert_eq!(r.body["data"]["bank_code"], "BNI");
    assert_eq!(r.body["debug"]["from"], "bankplus_platform_core");

    let s = sid();
    let r = deposit(
        &sb,
        &session,
        &s,
        demo::CUSTOMER_ACCOUNT,
        300_000_000,
        demo::PIN,
    )
    .await;
    assert_eq!(r.message(), "[51] INSUFFICIENT FUNDS");
    assert_eq!(
        balance(&sb, "BNI", demo::AGENT_ACCOUNT),
        demo::AGENT_OPENING_BALANCE
    );
    assert_eq!(sb.postings_for_sid(&s), 0);

    let r = call(
        &sb,
        "/bankplus/bsa/checkAccount",
        Some(&session),
        Some(&sid()),
        json!({"accountNum": demo::MISSING_ACCOUNT}),
    )
    .await;
    assert_eq!(r.message(), "[0108] NO SUCH ACCOUNT");
}

#[tokio::test]
async fn inquiries_show_the_documented_shapes() {
    let sb = start().await;
    let session = login(&sb).await;
    let r = call(
        &sb,
        "/bankplus/bsa/checkAccount",
        Some(&session),
        Some(&sid()),
        json!({"accountNum": "4447"}),
    )
    .await;
    assert_eq!(r.message(), "Inquiry result.");
    let d = &r.body["data"];
    assert_eq!(d["account_name"], "ARDHA HERDIANTO");
    assert_eq!(d["account_balance"], 202_696_682);
    assert_eq!(d["phone_mobile"], "089689677052");
    assert_eq!(d["phoneNumber"], "08968967xxxx");
    assert_eq!(d["kodeAgen"], "BNI014100294");
    assert_eq!(d["admin"], 0);

    let r = call(
        &sb,
        "/bankplus/account/balance",
        Some(&session),
        Some(&sid()),
        json!({}),
    )
    .await;
    assert_eq!(r.message(), "Balance Agen");
    assert_eq!(r.body["data"]["account_balance"], 202_696_682);
    assert_eq!(r.body["data"]["balance"], "202.696.682");
    // GET works for an endpoint without a request body.
    let resp = reqwest::Client::new()
        .get(format!("{}/bankplus/account/balance", sb.base_url()))
        .header("sessionid", &session)
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.headers()["content-type"], "application/json");

    let r = call(
        &sb,
        "/bankplus/bsa/customerbalance",
        Some(&session),
        Some(&sid()),
        json!({"pin_platform": demo::AGENT_ACCOUNT_PIN, "accountNum": "4447"}),
    )
    .await;
    assert!(
        r.message()
            .starts_with("Transaksi a.n ARDHA HERDIANTO, pada "),
        "{}",
        r.message()
    );
    assert!(r.message().ends_with(" berhasil dilakukan."));
    assert_eq!(r.body["data"]["phone_home"], "9999xxxx");
    assert_eq!(r.body["data"]["phone_office"], "xxxx");

    let r = call(
        &sb,
        "/bankplus/bsa/customerbalance",
        Some(&session),
        Some(&sid()),
        json!({"pin_platform": demo::PIN, "accountNum": demo::CUSTOMER_ACCOUNT}),
    )
    .await;
    assert_eq!(
        r.code(),
        "INVALID_PIN",
        "the customer's PIN, not the agent's"
    );
    let r = call(
        &sb,
        "/bankplus/bsa/customerbalance",
        Some(&session),
        Some(&sid()),
        json!({"pin_platform": demo::CUSTOMER_PIN, "accountNum": demo::CUSTOMER_ACCOUNT}),
    )
    .await;
    assert_eq!(r.code(), "00");
}

#[tokio::test]
async fn an_intrabank_transfer_charges_amount_plus_fee() {
    let sb = start().await;
    let session = login(&sb).await;
    let r = call(
        &sb,
        "/bankplus/bsa/transfer/intrabank/inquiry",
        Some(&session),
        Some(&sid()),
        json!({"account_number": "14048"}),
    )
    .await;
    assert_eq!(r.message(), "Success intrabank transfer Inquiry!");
    assert_eq!(r.body["data"]["admin_fee"], 1000);
    assert_eq!(r.body["data"]["account_name"], "SITI RAHAYU");

    let dest = balance(&sb, "BNI", "14048");
    let fee_income = balance(&sb, "BNI", FEE);
    let r = call(
        &sb,
        "/bankplus/bsa/transfer/intrabank/payment",
        Some(&session),
        Some(&sid()),
        json!({"account_number": "14048", "account_name": "SITI RAHAYU", "amount": 50000,
               "admin_fee": 0, "pin": demo::PIN}),
    )
    .await;
    assert_eq!(r.message(), "Berhasil transfer antar BNI!");
    assert_eq!(r.body["data"]["admin_fee"], 1000);
    assert_eq!(r.body["data"]["total"], 51000);
    assert_eq!(
        balance(&sb, "BNI", demo::AGENT_ACCOUNT),
        common::agent_after(51_000)
    );
    assert_eq!(
        balance(&sb, "BNI", "14048"),
        dest.checked_add(rp(50_000)).expect("small")
    );
    assert_eq!(
        balance(&sb, "BNI", FEE),
        fee_income.checked_add(rp(1_000)).expect("small")
    );
}

#[tokio::test]
async fn an_interbank_payment_charges_the_fee_quoted_at_inquiry() {
    let sb = start().await;
    let session = login(&sb).await;
    let s = sid();
    let q = call(
        &sb,
        "/bankplus/bsa/transfer/interbank/inquiry",
        Some(&session),
        Some(&s),
        json!({"bank_code": "008", "account_number": "114451186"}),
    )
    .await;
    assert_eq!(q.message(), "Success interbank transfer Inquiry!");
    let d = &q.body["data"];
    assert_eq!(d["admin_fee"], 6500);
    assert_eq!(d["bank_name"], "MANDRI");
    assert_eq!(d["account_name"], "Ardha Herdianto");
    let tid = d["transaction_id"]
        .as_str()
        .expect("a string id")
        .to_owned();
    assert!(
        tid.len() == 9 && tid.bytes().all(|b| b.is_ascii_digit()),
        "{tid}"
    );

    let dest = balance(&sb, "008", "114451186");
    // A wrong PIN posts nothing and leaves the inquiry usable.
    let wrong = call(
        &sb,
        "/bankplus/bsa/transfer/interbank/payment",
        Some(&session),
        Some(&s),
        json!({"transaction_id": tid, "bank_code": "008", "account_number": "114451186",
               "amount": 10000, "admin_fee": 0, "pin": "000000"}),
    )
    .await;
    assert_eq!(wrong.code(), "INVALID_PIN");
    assert_eq!(balance(&sb, "008", "114451186"), dest);
    // The document's sample: admin_fee 0 after a 6500 quote. The same sid
    // as the inquiry is fine: only payments use a sid up.
    let p = call(
        &sb,
        "/bankplus/bsa/transfer/interbank/payment",
        Some(&session),
        Some(&s),
        json!({"transaction_id": tid, "bank_code": "008", "bank_name": "MANDRI",
               "account_number": "114451186", "account_name": "Ardha Herdianto",
               "amount": 10000, "admin_fee": 0, "pin": demo::PIN}),
    )
    .await;
    assert_eq!(p.message(), "Berhasil transfer antar bank!", "{:?}", p.body);
    assert_eq!(p.body["data"]["admin_fee"], 6500);
    assert_eq!(p.body["data"]["total"], 16500);
    assert_eq!(p.body["data"]["amount"], 10000);
    assert_eq!(
        balance(&sb, "BNI", demo::AGENT_ACCOUNT),
        common::agent_after(16_500)
    );
    assert_eq!(
        balance(&sb, "BMRIIDJA", "114451186"),
        dest.checked_add(rp(10_000)).expect("small")
    );

    // The inquiry is spent.
    let again = call(
        &sb,
        "/bankplus/bsa/transfer/interbank/payment",
        Some(&session),
        Some(&sid()),
        json!({"transaction_id": tid, "bank_code": "008", "account_number": "114451186",
               "amount": 10000, "admin_fee": 0, "pin": demo::PIN}),
    )
    .await;
    assert_eq!(again.message(), "[12] INVALID TRANSACTION");

    let bad = call(
        &sb,
        "/bankplus/bsa/transfer/interbank/inquiry",
        Some(&session),
        Some(&sid()),
        json!({"bank_code": "008", "account_number": "000"}),
    )
    .await;
    assert_eq!(bad.message(), "[76] Invalid account");
    assert_eq!(bad.body["data"]["message"], "[76] Invalid account");
}

#[tokio::test]
async fn opening_an_account_creates_it_with_the_first_deposit() {
    let sb = start().await;
    let session = login(&sb).await;
    let r = call(
        &sb,
        "/bankplus/bsa/openAccount",
        Some(&session),
        Some(&sid()),
        json!({
            "pin_transaksi": demo::PIN, "name": "gabymars yofie", "email": "gaby@email.com",
            "mother_name": "mamih", "profession": "karyawan swasta", "last_education": "sma",
            "status_nikah": "Lajang", "pob": "sby", "dob": "1997-08-01", "ktp": "12345678900876",
            "gender": "l", "address": "waru", "rt": "022", "rw": "001", "zip_code": "12345",
            "kelurahan": "waru", "kecamatan": "waru", "city": "sidoarjo", "state": "jatim",
            "hp": "08998321234", "phone": "0319909221", "income": "1", "jumlah_transaksi": "1",
            "deposit": "100000",
            "image": {"ktp": "pendaftaran/LMG_1234123412341234_KTP_20181005221057.jpg",
                      "foto": "pendaftaran/LMG_1234123412341234_20181005221057.png"}
        }),
    )
    .await;
    assert_eq!(
        r.message(),
        "Transaksi Buka Rekening berhasil dilakukan.",
        "{:?}",
        r.body
    );
    let d = &r.body["data"];
    let number = d["account_number_customer"]
        .as_str()
        .expect("a number")
        .to_owned();
    assert_eq!(d["account_number_agent"], "4447");
    assert_eq!(d["born_date"], "01-08-1997");
    assert_eq!(d["first_deposit"], 100000);
    assert_eq!(d["phone_office"], "0319909221");
    assert_eq!(
        d["image_national_id"],
        "pendaftaran/LMG_1234123412341234_20181005221057.png"
    );
    assert_eq!(balance(&sb, "BNI", &number), rp(100_000));
    assert_eq!(
        balance(&sb, "BNI", demo::AGENT_ACCOUNT),
        common::agent_after(100_000)
    );
    // The new customer's PIN is the documented default.
    let r = call(
        &sb,
        "/bankplus/bsa/customerbalance",
        Some(&session),
        Some(&sid()),
        json!({"pin_platform": demo::NEW_ACCOUNT_PIN, "accountNum": number}),
    )
    .await;
    assert_eq!(r.body["data"]["account_balance"], 100000);
}

//! The switcher shares the ledger with Bank+: inquiry, transfer, status
//! check by refnum (also of Bank+ payments by their sid) and reversal.

mod common;

use common::{balance, call, deposit, login, rp, sid, start};
use sandbox::demo;
use serde_json::json;

#[tokio::test]
async fn check_finds_a_bankplus_payment_by_its_sid() {
    let sb = start().await;
    let session = login(&sb).await;
    let s = sid();
    let r = deposit(&sb, &session, &s, demo::CUSTOMER_ACCOUNT, 25_000, demo::PIN).await;
    assert_eq!(r.code(), "00");

    let c = call(&sb, "/check", None, None, json!({"refnum": s})).await;
    assert_eq!(c.message(), "Check success", "{:?}", c.body);
    assert_eq!(c.body["debug"], json!({"from": "branchless_switcher"}));
    let d = &c.body["data"];
    assert_eq!(d["refnum"], s.as_str());
    assert_eq!(d["sourceBank"], "BNINIDJA");
    assert_eq!(d["sourceAccount"], "4447");
    assert_eq!(d["sourceName"], "ARDHA HERDIANTO");
    assert_eq!(d["beneficiaryAccount"], demo::CUSTOMER_ACCOUNT);
    assert_eq!(d["beneficiaryName"], "Ardha Herdianto");
    assert_eq!(d["amount"], 25000);
    assert_eq!(d["remark"], "test");
    assert_eq!(d["info"], "Transfer success");
    assert!(d["journal"]
        .as_str()
        .is_some_and(|j| j.parse::<u32>().is_ok_and(|n| n >= 1001)));

    let missing = call(
        &sb,
        "/check",
        None,
        None,
        json!({"refnum": "2004211931426110"}),
    )
    .await;
    assert_eq!(
        missing.body,
        json!({"code": "-1", "message": "refnum provided was not found",
               "debug": {"from": "branchless_switcher"}})
    );
}

#[tokio::test]
async fn a_reversal_refunds_once_then_says_already_executed() {
    let sb = start().await;
    let session = login(&sb).await;
    let s = sid();
    let customer = balance(&sb, "BNI", "14048");
    let r = call(
        &sb,
        "/bankplus/bsa/transfer/intrabank/payment",
        Some(&session),
        Some(&s),
        json!({"account_number": "14048", "amount": 50000, "admin_fee": 1000, "pin": demo::PIN}),
    )
    .await;
    assert_eq!(r.code(), "00");
    let journal = call(&sb, "/check", None, None, json!({"refnum": s}))
        .await
        .body["data"]["journal"]
        .as_str()
        .expect("journal")
        .to_owned();

    let rev = call(
        &sb,
        "/reversal",
        None,
        None,
        json!({"refnum": "", "refnumTarget": s, "journal": journal}),
    )
    .await;
    assert_eq!(rev.message(), "Reversal success", "{:?}", rev.body);
    let d = &rev.body["data"];
    assert_eq!(d["sourceAccount"], "14048");
    assert_eq!(d["beneficiaryAccount"], "4447");
    assert_eq!(d["amount"], 50000);
    assert_eq!(d["remark"], "Reversal from 14048 to 4447");
    assert_eq!(
        d["refnum"].as_str().map(str::len),
        Some(16),
        "a refnum is made up"
    );
    assert_ne!(d["journal"], journal.as_str());

    // Amount and fee are back.
    assert_eq!(
        balance(&sb, "BNI", demo::AGENT_ACCOUNT),
        demo::AGENT_OPENING_BALANCE
    );
    assert_eq!(balance(&sb, "BNI", "14048"), customer);

    let again = call(
        &sb,
        "/reversal",
        None,
        None,
        json!({"refnum": sid(), "refnumTarget": s, "journal": journal}),
    )
    .await;
    assert_eq!(
        again.body,
        json!({"code": "-1", "message": "Reversal already executed",
               "debug": {"from": "branchless_switcher"}})
    );
    assert_eq!(
        balance(&sb, "BNI", demo::AGENT_ACCOUNT),
        demo::AGENT_OPENING_BALANCE
    );

    let checked = call(&sb, "/check", None, None, json!({"refnum": s})).await;
    assert_eq!(checked.body["data"]["info"], "Transfer reversed");

    let unknown = call(
        &sb,
        "/reversal",
        None,
        None,
        json!({"refnum": "", "refnumTarget": "1", "journal": "1"}),
    )
    .await;
    assert_eq!(unknown.message(), "refnum provided was not found");
}

#[tokio::test]
async fn inquiry_then_transfer_moves_money_with_increasing_journals() {
    let sb = start().await;
    let q = call(
        &sb,
        "/inquiry",
        None,
        None,
        json!({"refnum": sid(), "bank": "BRINIDJA", "account": demo::SWITCHER_ACCOUNT}),
    )
    .await;
    assert_eq!(q.message(), "Inquiry success");
    let d = &q.body["data"];
    assert_eq!(d["name"], "BRIAPI SANDBOX");
    assert_eq!(d["balance"].to_string(), "602577171334.84");
    assert_eq!(d["status"], "Rekening Aktif");
    assert_eq!(d["bank"], "BRINIDJA");
    let code = d["paymentCode"].as_str().expect("paymentCode").to_owned();
    assert!(code.len() == 32 && code.bytes().all(|b| b.is_ascii_hexdigit()));

    let source = balance(&sb, "002", demo::SWITCHER_SOURCE_ACCOUNT);
    let mut journals = Vec::new();
    for _ in 0..2 {
        let refnum = sid();
        let t = call(
            &sb,
            "/transfer",
            None,
            None,
            json!({"refnum": refnum, "paymentCode": code, "sourceBank": "BRINIDJA",
                   "sourceAccount": demo::SWITCHER_SOURCE_ACCOUNT, "amount": 1000,
                   "remark": "Narration Test"}),
        )
        .await;
        assert_eq!(t.message(), "Transfer success", "{:?}", t.body);
        assert_eq!(t.body["data"]["sourceName"], "ALOYSIUS AGUS WARI Z");
        assert_eq!(t.body["data"]["beneficiaryName"], "BRIAPI SANDBOX");
        assert_eq!(t.body["data"]["beneficiaryBank"], "BRINIDJA");
        journals.push(
            t.body["data"]["journal"]
                .as_str()
                .expect("journal")
                .parse::<u32>()
                .expect("digits"),
        );
        assert_eq!(sb.postings_for_sid(&refnum), 1);

        let dup = call(
            &sb,
            "/transfer",
            None,
            None,
            json!({"refnum": refnum, "paymentCode": code, "sourceBank": "BRINIDJA",
                   "sourceAccount": demo::SWITCHER_SOURCE_ACCOUNT, "amount": 1000, "remark": "x"}),
        )
        .await;
        assert_eq!(dup.code(), "-1");
    }
    assert_eq!(
        journals,
        [1001, 1002],
        "journals count up from 1001 on a fresh ledger"
    );
    assert_eq!(
        balance(&sb, "002", demo::SWITCHER_SOURCE_ACCOUNT),
        source.checked_sub(rp(2_000)).expect("small")
    );

    let failed = call(
        &sb,
        "/transfer",
        None,
        None,
        json!({"refnum": sid(), "paymentCode": "00000000000000000000000000000000",
               "sourceBank": "BRINIDJA", "sourceAccount": "88880100000330021", "amount": 1000,
               "remark": "x"}),
    )
    .await;
    assert_eq!(failed.code(), "0101");
    assert_eq!(
        failed.body["data"]["errorDescription"],
        "InqRekAsal: Nomor Rekening Tidak Dikenal & InqRekTujuan: VA number not found"
    );
    assert_eq!(
        failed.body["data"]["Data"]["sourceAccount"],
        "88880100000330021"
    );

    let unknown = call(
        &sb,
        "/inquiry",
        None,
        None,
        json!({"refnum": sid(), "bank": "BRINIDJA", "account": "88880100000330021"}),
    )
    .await;
    assert_eq!(unknown.code(), "0101");
    assert_eq!(
        unknown.body["data"]["responseDescription"],
        "Inquiry failed"
    );
}

//! Every sample response body of the Bank+ document, verbatim (copied into
//! `fixtures/`), fed through the same decode-and-convert path the client
//! uses, with the converted values checked.

use bankplus::decode::decode;
use bankplus::{wire, AccountInfo, AgentProfile, DepositDone, Error, GraphPoint, Role, Sid};
use bankplus::{OpenedAccount, SwitcherAccount, SwitcherTransfer, TransferDone, TransferQuote};
use chrono::{TimeZone, Utc};
use money::Rupiah;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn rp(r: i64) -> Rupiah {
    Rupiah::from_rupiah(r).unwrap()
}

fn ok<T: serde::de::DeserializeOwned>(name: &str) -> bankplus::decode::Envelope<T> {
    decode::<T>(200, &fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn fail(name: &str, status: u16) -> Error {
    match decode::<serde_json::Value>(status, &fixture(name)) {
        Ok(_) => panic!("{name} must decode as an error"),
        Err(e) => e,
    }
}

#[test]
fn every_fixture_decodes_as_what_its_name_says() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let body = std::fs::read(&path).unwrap();
        let decoded = decode::<serde_json::Value>(200, &body);
        if name.ends_with(".ok") {
            assert!(decoded.is_ok(), "{name}: {decoded:?}");
        } else {
            let e = decoded.expect_err(&name);
            assert!(
                e.outcome_known(),
                "{name}: a documented refusal is a known outcome"
            );
        }
        count += 1;
    }
    assert_eq!(count, 53, "every sample of the document is a fixture");
}

#[test]
fn login_profile_and_agent_code() {
    let reply = ok::<wire::LoginData>("users_auth.ok");
    assert_eq!(
        reply.session_id.as_deref().map(str::len),
        Some(80),
        "the session id is read"
    );
    let p = AgentProfile::from_wire(reply.data).unwrap();
    assert_eq!(p.name, "Ardha Herdianto");
    assert_eq!(p.agent_code.0, "BNI014100294");
    assert_eq!(p.role, Role::Agent);
    assert_eq!(p.bank_colour.as_deref(), Some("#ff6f00"));
    assert_eq!(p.bank_name.as_deref(), Some("BNI"));
    assert_eq!(
        p.password_updated_at,
        Some(Utc.with_ymd_and_hms(2020, 4, 16, 7, 19, 37).unwrap())
    );
    assert!(p
        .address
        .starts_with("Perumahan Gateway, 02/02, Jatikalang, Krian"));

    match fail("users_auth.fail", 401) {
        Error::BadLogin { message } => assert!(message.starts_with("Username dan Password")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn session_errors_and_not_found() {
    for name in [
        "dashboard_bill.fail",
        "dashboard_purchase.fail",
        "dashboard_agentGrowth.fail",
        "dashboard_agentSpread.fail",
        "master_jobs.fail",
        "master_educations.fail",
        "master_salaries.fail",
        "master_transactions.fail",
        "bank_list.fail",
        "account_balance.fail",
    ] {
        assert_eq!(fail(name, 401), Error::SessionExpired, "{name}");
    }
    assert!(
        matches!(fail("dashboard_bsa.fail", 404), Error::NotFound { message } if message == "Data tidak ditemukan!")
    );
    assert!(
        matches!(fail("wilayah_get.fail", 404), Error::NotFound { message } if message == "Mohon maaf data wilayah tidak ditemukan")
    );
}

#[test]
fn dashboards_master_lists_banks_and_postal_codes() {
    let bsa: Vec<GraphPoint> = ok::<Vec<wire::GraphItem>>("dashboard_bsa.ok")
        .data
        .into_iter()
        .map(|g| GraphPoint::from_wire(g).unwrap())
        .collect();
    assert_eq!(bsa[1].title, "Setor Tunai");
    assert_eq!(bsa[2].count, 9);
    let growth = ok::<Vec<wire::GraphItem>>("dashboard_agentGrowth.ok").data;
    assert_eq!(growth.len(), 5);
    assert_eq!(growth[0].graph_title, "2019-01");
    for name in [
        "dashboard_bill.ok",
        "dashboard_purchase.ok",
        "dashboard_agentSpread.ok",
    ] {
        assert!(!ok::<Vec<wire::GraphItem>>(name).data.is_empty(), "{name}");
    }
    let jobs = ok::<Vec<wire::MasterItem>>("master_jobs.ok").data;
    assert_eq!(
        (jobs[0].id.as_str(), jobs[0].name.as_str()),
        ("1", "AKUNTING / KEUANGAN")
    );
    assert_eq!(
        ok::<Vec<wire::MasterItem>>("master_educations.ok")
            .data
            .len(),
        7
    );
    assert_eq!(
        ok::<Vec<wire::MasterItem>>("master_salaries.ok").data[7].name,
        "> Rp 50 juta"
    );
    assert_eq!(
        ok::<Vec<wire::MasterItem>>("master_transactions.ok")
            .data
            .len(),
        5
    );
    let banks = ok::<Vec<wire::BankItem>>("bank_list.ok").data;
    assert_eq!(banks.len(), 10);
    assert_eq!(
        (banks[1].bank_code.as_str(), banks[1].bank_name.as_str()),
        ("008", "BANK MANDIRI")
    );
    let postal = ok::<Vec<wire::PostalCode>>("wilayah_get.ok").data;
    assert_eq!(postal[0].kodepos, "10110", "a numeric kodepos becomes text");
}

#[test]
fn account_replies_in_every_amount_form() {
    let balance = ok::<wire::AccountData>("account_balance.ok");
    assert_eq!(
        balance.data.balance.as_ref().unwrap().to_rupiah(),
        Ok(rp(202_696_682)),
        "\"202.696.682\""
    );
    let info = AccountInfo::from_wire(balance.data, balance.agent).unwrap();
    assert_eq!(info.balance, Some(rp(202_696_682)));
    assert_eq!(
        info.at,
        Some(
            Utc.with_ymd_and_hms(2020, 4, 16, 3, 20, 34).unwrap()
                + chrono::Duration::milliseconds(568)
        )
    );

    let check = ok::<wire::AccountData>("bsa_checkAccount.ok");
    let info = AccountInfo::from_wire(check.data, check.agent).unwrap();
    assert_eq!(info.account_name, "ARDHA HERDIANTO");
    assert_eq!(info.balance, Some(rp(202_696_682)));
    assert_eq!(info.admin_fee, Some(Rupiah::ZERO));
    assert_eq!(info.reference.as_deref(), Some("BLB20041614464117828"));
    // Documented as WIB, sent as UTC: 07:46:43.845Z is 14:46:43 WIB.
    let at = info.at.unwrap();
    assert_eq!(
        at,
        Utc.with_ymd_and_hms(2020, 4, 16, 7, 46, 43).unwrap() + chrono::Duration::milliseconds(845)
    );
    assert_eq!(
        at.with_timezone(&bankplus::wib())
            .format("%H:%M:%S")
            .to_string(),
        "14:46:43"
    );
    assert_eq!(info.agent.unwrap().agent_code, "BNI014100294");

    match fail("bsa_checkAccount.fail", 200) {
        e @ Error::Refused { .. } => {
            assert_eq!(e.bank_reason(), Some("0108"));
            assert_eq!(e.code(), "-1");
            let Error::Refused {
                message,
                trace_code,
                ..
            } = e
            else {
                unreachable!()
            };
            assert_eq!(message, "[0108] NO SUCH ACCOUNT");
            assert_eq!(trace_code.as_deref(), Some("BLB20041614483274585"));
        }
        other => panic!("{other:?}"),
    }

    let cb = ok::<wire::AccountData>("bsa_customerbalance.ok");
    assert!(cb.message.starts_with("Transaksi a.n ARDHA HERDIANTO"));
    assert_eq!(
        AccountInfo::from_wire(cb.data, cb.agent).unwrap().balance,
        Some(rp(202_696_682))
    );
    assert!(
        matches!(fail("bsa_customerbalance.fail", 400), Error::InvalidPin { message } if message == "Mohon maaf PIN transaksi anda salah")
    );
}

#[test]
fn deposit_and_open_account() {
    let d = ok::<wire::DepositData>("bsa_depositAccount.ok");
    assert_eq!(
        d.data.deposit_amount.as_ref().unwrap().to_rupiah(),
        Ok(rp(25_000))
    );
    let done = DepositDone::from_wire(d.data, d.message, d.agent).unwrap();
    assert_eq!(
        done.amount,
        rp(25_000),
        "\"amount\": \"25.000\" is Rp25.000"
    );
    assert_eq!(done.admin_fee, Rupiah::ZERO);
    assert_eq!(done.total, rp(25_000));
    assert_eq!(done.account_number, "14047");
    assert!(
        matches!(fail("bsa_depositAccount.fail", 200), Error::Refused { ref message, .. } if message == "[0108] NO SUCH ACCOUNT")
    );

    let o = ok::<wire::OpenAccountData>("bsa_openAccount.ok");
    let opened = OpenedAccount::from_wire(o.data, o.agent).unwrap();
    assert_eq!(opened.account_number, "123456789");
    assert_eq!(opened.first_deposit, Some(rp(100_000)));
    assert_eq!(opened.agent_account_number.as_deref(), Some("4447"));
    assert!(matches!(
        fail("bsa_openAccount.fail", 400),
        Error::InvalidPin { .. }
    ));
}

#[test]
fn transfers_intrabank_and_interbank() {
    let q = ok::<wire::TransferInquiryData>("bsa_transfer_intrabank_inquiry.ok");
    let quote = TransferQuote::from_wire(q.data, q.agent).unwrap();
    assert_eq!(quote.admin_fee, rp(1_000));
    assert_eq!(quote.account_name, "ARDHA HERDIANTO");
    assert!(quote.transaction_id.is_none());
    let p = ok::<wire::TransferPaymentData>("bsa_transfer_intrabank_payment.ok");
    let paid = TransferDone::from_wire(p.data, p.message, p.agent).unwrap();
    assert_eq!(
        (paid.amount, paid.admin_fee, paid.total),
        (rp(50_000), rp(1_000), rp(51_000))
    );
    assert_eq!(paid.message, "Berhasil transfer antar BNI!");
    assert!(matches!(
        fail("bsa_transfer_intrabank_inquiry.fail", 200),
        Error::Refused { .. }
    ));
    assert!(matches!(
        fail("bsa_transfer_intrabank_payment.fail", 400),
        Error::InvalidPin { .. }
    ));

    let q = ok::<wire::TransferInquiryData>("bsa_transfer_interbank_inquiry.ok");
    let quote = TransferQuote::from_wire(q.data, q.agent).unwrap();
    assert_eq!(quote.admin_fee, rp(6_500));
    assert_eq!(quote.transaction_id.as_deref(), Some("781262992"));
    assert_eq!(quote.bank_name.as_deref(), Some("MANDRI"));
    let p = ok::<wire::TransferPaymentData>("bsa_transfer_interbank_payment.ok");
    let paid = TransferDone::from_wire(p.data, p.message, p.agent).unwrap();
    // The document's quirk: admin_fee 0 after a 6500 quote; the reply is what counts.
    assert_eq!(
        (paid.amount, paid.admin_fee, paid.total),
        (rp(10_000), Rupiah::ZERO, rp(10_000))
    );
    let e = fail("bsa_transfer_interbank_inquiry.fail", 200);
    assert_eq!(e.bank_reason(), Some("76"));
    assert!(matches!(e, Error::Refused { ref message, .. } if message == "[76] Invalid account"));
    assert!(matches!(
        fail("bsa_transfer_interbank_payment.fail", 400),
        Error::InvalidPin { .. }
    ));
}

#[test]
fn password_change_and_logout() {
    assert!(ok::<serde_json::Value>("account_changepass.ok")
        .message
        .contains("berhasil"));
    assert!(
        matches!(fail("account_changepass.fail", 400), Error::Refused { ref code, .. } if code == "UPDATE_NONE")
    );
    assert_eq!(ok::<serde_json::Value>("users_logout.ok").message, "Ok.");
}

#[test]
fn switcher_replies() {
    let i = ok::<wire::SwitcherInquiryData>("inquiry.ok");
    let acct = SwitcherAccount::from_wire(i.data).unwrap();
    assert_eq!(
        acct.balance,
        Some(Rupiah::from_sen(60_257_717_133_484)),
        "602577171334.84 exactly"
    );
    assert_eq!(acct.payment_code, "ab9f2b37db210c6f04f43ca229cbceb6");
    assert!(
        Sid::parse(&acct.refnum).is_ok(),
        "the sample refnum is 16 digits"
    );
    assert!(matches!(fail("inquiry.fail", 200), Error::Refused { ref code, .. } if code == "0101"));

    for name in ["transfer.ok", "reversal.ok", "check.ok"] {
        let t = ok::<wire::SwitcherTransferData>(name);
        let tr = SwitcherTransfer::from_wire(t.data, t.message).unwrap();
        assert_eq!(tr.amount, rp(1_000), "{name}");
        assert!(Sid::parse(&tr.refnum).is_ok(), "{name}");
        assert!(tr.journal.is_some(), "{name}");
    }
    let c = ok::<wire::SwitcherTransferData>("check.ok");
    assert_eq!(c.data.info.as_deref(), Some("Transfer success"));
    assert!(
        matches!(fail("transfer.fail", 200), Error::Refused { ref code, .. } if code == "0101")
    );
    assert!(
        matches!(fail("reversal.fail", 200), Error::Refused { ref message, .. } if message == "Reversal already executed")
    );
    assert!(
        matches!(fail("check.fail", 200), Error::Refused { ref message, .. } if message == "refnum provided was not found")
    );
}

#[test]
fn replies_that_are_not_the_documented_json() {
    let html = b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>";
    let e = decode::<serde_json::Value>(502, html).unwrap_err();
    assert!(
        matches!(e, Error::Malformed { status: 502, ref detail } if detail.contains("502 Bad Gateway")),
        "{e:?}"
    );
    assert!(!e.outcome_known());
    let e = decode::<serde_json::Value>(200, br#"{"code":"00","message":"Berhasil"#).unwrap_err();
    assert!(matches!(e, Error::Malformed { status: 200, .. }));
    let e = decode::<wire::DepositData>(200, br#"{"code":"00","message":"ok"}"#).unwrap_err();
    assert!(
        matches!(e, Error::Malformed { ref detail, .. } if detail.contains("unexpected data")),
        "missing data: {e:?}"
    );
    let e = decode::<serde_json::Value>(200, b"").unwrap_err();
    assert!(matches!(e, Error::Malformed { ref detail, .. } if detail == "empty body"));
    let e = decode::<serde_json::Value>(200, br#"{"message":"no code"}"#).unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }));
    let e = decode::<wire::DepositData>(
        200,
        br#"{"code":"00","message":"x","data":{"amount":"25.0.0","account_number_customer":"1","account_name":"A"}}"#,
    )
    .map(|env| DepositDone::from_wire(env.data, env.message, env.agent));
    assert!(
        matches!(e, Ok(Err(Error::Malformed { .. }))),
        "an ambiguous amount is refused: {e:?}"
    );
}

#[test]
fn naive_times_are_read_as_wib() {
    let t = bankplus::parse_time("2020-04-16 14:50:35").unwrap();
    assert_eq!(t, Utc.with_ymd_and_hms(2020, 4, 16, 7, 50, 35).unwrap());
    assert!(bankplus::parse_time("yesterday").is_err());
}

//! Every sample response body of the Bank+ document, verbatim (copied into
//! `fixtures/`, success and failure), fed through the `bankplus::decode`
//! functions the clients call on every reply, with the converted values
//! checked. No server needed.

use bankplus::decode::{self, decode};
use bankplus::{wire, Error, Role, Sid};
use chrono::{DateTime, TimeZone, Utc};
use money::Rupiah;

/// The HTTP status each failure sample comes with (its `debug.status`
/// where it has one; the switcher and `-1` refusals come with 200).
fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn rp(r: i64) -> Rupiah {
    Rupiah::from_rupiah(r).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The error a failure sample decodes to, through the given decoder.
fn fails<T: std::fmt::Debug>(
    read: fn(u16, &[u8]) -> Result<T, Error>,
    name: &str,
    status: u16,
) -> Error {
    match read(status, &fixture(name)) {
        Ok(v) => panic!("{name} must decode as an error, got {v:?}"),
        Err(e) => e,
    }
}

fn refused(e: &Error) -> (&str, &str, Option<&str>) {
    match e {
        Error::Refused {
            code,
            message,
            trace_code,
        } => (code, message, trace_code.as_deref()),
        other => panic!("expected Refused, got {other:?}"),
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
            assert!(!e.nothing_sent(), "{name}: the bank answered");
        }
        count += 1;
    }
    // 55 samples in the document, two of them the repeated bank list.
    assert_eq!(count, 53, "every sample of the document is a fixture");
}

#[test]
fn login_profile_session_and_agent_code() {
    let login = decode::login(200, &fixture("users_auth.ok")).unwrap();
    assert!(login
        .session
        .is("pAUvTI7MKmexnAw4vwO5nbOiwluGIaRJopdS7eZAI3M13AM3FPHDAkzYp3iNEIsG032Gu30mX5W6tUxI"));
    let p = login.profile;
    assert_eq!(p.name, "Ardha Herdianto");
    assert_eq!(p.username, "BNIUS100294");
    assert_eq!(
        p.agent_code.0, "BNI014100294",
        "kode_mitra + kode_cabang + kode_loket"
    );
    assert_eq!(p.agent_code.to_string(), "BNI014100294");
    assert_eq!(p.role, Role::Agent, "kelompok_id 4");
    assert_eq!(
        p.bank_colour.as_deref(),
        Some("#ff6f00"),
        "warna_bank ff6f00"
    );
    assert_eq!(p.bank_name.as_deref(), Some("BNI"));
    assert_eq!(p.bank_code.as_deref(), Some("BNI"));
    assert_eq!(p.email.as_deref(), Some("ardha2.008@gmail.com"));
    assert_eq!(p.phone.as_deref(), Some("081332758961"));
    assert_eq!(p.agent_type.as_deref(), Some("lakupandai,ePayment,lkd"));
    assert_eq!(p.password_updated_at, Some(utc("2020-04-16T07:19:37Z")));
    assert_eq!(p.pin_updated_at, Some(utc("2020-03-30T08:45:03Z")));
    assert_eq!(
        p.address,
        "Perumahan Gateway, 02/02, Jatikalang, Krian, Kab_Sidoarjo, Jawa Timur"
    );

    // Staff: any other kelompok_id, with its group_id.
    let staff = String::from_utf8(fixture("users_auth.ok"))
        .unwrap()
        .replace("\"kelompok_id\": \"4\"", "\"kelompok_id\": \"0\"")
        .replace("\"group_id\": \"\"", "\"group_id\": \"5\"");
    let staff = decode::login(200, staff.as_bytes()).unwrap().profile;
    assert_eq!(
        staff.role,
        Role::Staff {
            group_id: Some("5".into())
        }
    );

    let e = fails(decode::login, "users_auth.fail", 401);
    assert!(
        matches!(e, Error::BadLogin { ref message } if message == "Username dan Password yang Anda masukkan tidak ditemukan. Silakan periksa dan coba kembali"),
        "{e:?}"
    );
    assert_eq!(e.code(), "2102");
}

#[test]
fn logout_and_password_change() {
    assert_eq!(decode::nothing(200, &fixture("users_logout.ok")), Ok(()));
    assert_eq!(
        decode::nothing(200, &fixture("account_changepass.ok")),
        Ok(())
    );
    let e = fails(decode::nothing, "account_changepass.fail", 400);
    assert_eq!(
        refused(&e),
        (
            "UPDATE_NONE",
            "Password tidak sesuai, coba ulangi kembali",
            None
        )
    );
    assert_eq!(e.bank_reason(), None);
}

#[test]
fn dashboards() {
    let bsa = decode::graph(200, &fixture("dashboard_bsa.ok")).unwrap();
    let bsa: Vec<(&str, i64)> = bsa.iter().map(|g| (g.title.as_str(), g.count)).collect();
    assert_eq!(
        bsa,
        [
            ("Buka Rekening", 3),
            ("Setor Tunai", 3),
            ("Customer Balance", 9)
        ]
    );
    let bill = decode::graph(200, &fixture("dashboard_bill.ok")).unwrap();
    assert_eq!(bill.len(), 6);
    assert_eq!((bill[5].title.as_str(), bill[5].count), ("Indihome", 18));
    let purchase = decode::graph(200, &fixture("dashboard_purchase.ok")).unwrap();
    assert_eq!(
        (purchase[0].title.as_str(), purchase[0].count),
        ("GoPay", 36)
    );
    let growth = decode::graph(200, &fixture("dashboard_agentGrowth.ok")).unwrap();
    assert_eq!(growth.len(), 5);
    assert_eq!((growth[0].title.as_str(), growth[0].count), ("2019-01", 8));
    let spread = decode::graph(200, &fixture("dashboard_agentSpread.ok")).unwrap();
    assert_eq!(
        (spread[4].title.as_str(), spread[4].count),
        ("DI Yogyakarta", 15)
    );

    assert_eq!(
        fails(decode::graph, "dashboard_bsa.fail", 404),
        Error::NotFound {
            message: "Data tidak ditemukan!".into()
        }
    );
    for name in [
        "dashboard_bill.fail",
        "dashboard_purchase.fail",
        "dashboard_agentGrowth.fail",
        "dashboard_agentSpread.fail",
    ] {
        assert_eq!(
            fails(decode::graph, name, 401),
            Error::SessionExpired,
            "{name}"
        );
    }
}

#[test]
fn wilayah_master_lists_and_banks() {
    assert_eq!(
        decode::postal_codes(200, &fixture("wilayah_get.ok")).unwrap(),
        ["10110"],
        "a numeric kodepos becomes text"
    );
    assert_eq!(
        fails(decode::postal_codes, "wilayah_get.fail", 404),
        Error::NotFound {
            message: "Mohon maaf data wilayah tidak ditemukan".into()
        }
    );

    let jobs = decode::master_list(200, &fixture("master_jobs.ok")).unwrap();
    assert_eq!(jobs.len(), 7);
    assert_eq!(
        (jobs[0].id.as_str(), jobs[0].name.as_str()),
        ("1", "AKUNTING / KEUANGAN")
    );
    let educations = decode::master_list(200, &fixture("master_educations.ok")).unwrap();
    assert_eq!(
        (educations[4].id.as_str(), educations[4].name.as_str()),
        ("5", "S1/D4")
    );
    let salaries = decode::master_list(200, &fixture("master_salaries.ok")).unwrap();
    assert_eq!(salaries.len(), 8);
    assert_eq!(salaries[7].name, "> Rp 50 juta");
    let ranges = decode::master_list(200, &fixture("master_transactions.ok")).unwrap();
    assert_eq!(ranges.len(), 5);
    assert_eq!(ranges[4].name, "> Rp 1 Miliar");
    for name in [
        "master_jobs.fail",
        "master_educations.fail",
        "master_salaries.fail",
        "master_transactions.fail",
    ] {
        assert_eq!(
            fails(decode::master_list, name, 401),
            Error::SessionExpired,
            "{name}"
        );
    }

    let banks = decode::banks(200, &fixture("bank_list.ok")).unwrap();
    assert_eq!(banks.len(), 10);
    assert_eq!(
        (banks[0].code.as_str(), banks[0].name.as_str()),
        ("002", "BRI")
    );
    assert_eq!(
        (banks[1].code.as_str(), banks[1].name.as_str()),
        ("008", "BANK MANDIRI"),
        "bank codes keep their leading zeros"
    );
    assert_eq!(
        fails(decode::banks, "bank_list.fail", 401),
        Error::SessionExpired
    );
}

#[test]
fn check_account_and_times() {
    let info = decode::account(200, &fixture("bsa_checkAccount.ok")).unwrap();
    assert_eq!(info.account_number, "4447");
    assert_eq!(info.account_name, "ARDHA HERDIANTO");
    assert_eq!(info.currency.as_deref(), Some("IDR"));
    assert_eq!(info.balance, Some(rp(202_696_682)));
    assert_eq!(info.admin_fee, Some(Rupiah::ZERO));
    assert_eq!(info.reference.as_deref(), Some("BLB20041614464117828"));
    // Documented as WIB, sent as UTC: 07:46:43.845Z is 14:46:43 WIB.
    let at = info.at.unwrap();
    assert_eq!(at, utc("2020-04-16T07:46:43.845Z"));
    assert_eq!(
        Utc.with_ymd_and_hms(2020, 4, 16, 7, 46, 43).unwrap() + chrono::Duration::milliseconds(845),
        at
    );
    assert_eq!(
        at.with_timezone(&bankplus::wib())
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        "2020-04-16 14:46:43"
    );
    let agent = info.agent.unwrap();
    assert_eq!(agent.agent_code, "BNI014100294");
    assert_eq!(agent.name, "Ardha Herdianto");

    let e = fails(decode::account, "bsa_checkAccount.fail", 200);
    assert_eq!(
        refused(&e),
        ("-1", "[0108] NO SUCH ACCOUNT", Some("BLB20041614483274585"))
    );
    assert_eq!(e.bank_reason(), Some("0108"));
    assert_eq!(e.trace_code(), Some("BLB20041614483274585"));
    assert_eq!(e.code(), "-1");
}

#[test]
fn customer_and_agent_balances() {
    let cb = decode::account(200, &fixture("bsa_customerbalance.ok")).unwrap();
    assert_eq!(cb.balance, Some(rp(202_696_682)));
    assert_eq!(cb.at, Some(utc("2020-04-16T07:50:35.450Z")));
    // The message states the same instant in WIB: "pada 2020-04-16 14:50:35".
    assert_eq!(
        bankplus::parse_time("2020-04-16 14:50:35").unwrap(),
        utc("2020-04-16T07:50:35Z")
    );
    assert_eq!(
        fails(decode::account, "bsa_customerbalance.fail", 400),
        Error::InvalidPin {
            message: "Mohon maaf PIN transaksi anda salah".into()
        }
    );

    // account/balance: "balance": "202.696.682" and "account_balance": 202696682.
    let raw = decode::<wire::AccountData>(200, &fixture("account_balance.ok")).unwrap();
    let text = raw.data.balance.as_ref().unwrap().to_rupiah().unwrap();
    let number = raw
        .data
        .account_balance
        .as_ref()
        .unwrap()
        .to_rupiah()
        .unwrap();
    assert_eq!(text, rp(202_696_682), "\"202.696.682\" is Rp202.696.682");
    assert_eq!(text, number, "balance equals account_balance");
    let agent = decode::account(200, &fixture("account_balance.ok")).unwrap();
    assert_eq!(agent.balance, Some(rp(202_696_682)));
    assert_eq!(agent.balance.unwrap().to_string(), "Rp202.696.682");
    assert_eq!(agent.at, Some(utc("2020-04-16T03:20:34.568Z")));
    assert_eq!(agent.reference.as_deref(), Some("BLB20041610203272318"));
    assert_eq!(
        fails(decode::account, "account_balance.fail", 401),
        Error::SessionExpired
    );

    // If the two balance fields ever disagree, neither is believed.
    let split = String::from_utf8(fixture("account_balance.ok"))
        .unwrap()
        .replace("\"202.696.682\"", "\"202.696.683\"");
    assert!(matches!(
        decode::account(200, split.as_bytes()),
        Err(Error::Malformed { status: 200, .. })
    ));
}

#[test]
fn open_account() {
    let opened = decode::opened_account(200, &fixture("bsa_openAccount.ok")).unwrap();
    assert_eq!(opened.account_number, "123456789");
    assert_eq!(opened.account_name, "gabymars yofie");
    assert_eq!(opened.agent_account_number.as_deref(), Some("4447"));
    assert_eq!(opened.first_deposit, Some(rp(100_000)));
    assert_eq!(opened.at, Some(utc("2020-04-17T04:34:39.354Z")));
    assert_eq!(opened.reference.as_deref(), Some("BLB20041711343318780"));
    assert_eq!(opened.agent.unwrap().agent_code, "BNI014100294");
    assert!(matches!(
        fails(decode::opened_account, "bsa_openAccount.fail", 400),
        Error::InvalidPin { .. }
    ));
}

#[test]
fn deposit() {
    let raw = decode::<wire::DepositData>(200, &fixture("bsa_depositAccount.ok")).unwrap();
    assert_eq!(
        raw.data.deposit_amount.as_ref().unwrap().to_rupiah(),
        Ok(rp(25_000)),
        "deposit_amount 25000"
    );
    assert_eq!(
        raw.data.total.as_ref().unwrap().to_rupiah(),
        Ok(rp(25_000)),
        "\"total\": \"25.000\""
    );
    let done = decode::deposit(200, &fixture("bsa_depositAccount.ok")).unwrap();
    assert_eq!(
        done.amount,
        rp(25_000),
        "\"amount\": \"25.000\" is Rp25.000"
    );
    assert_eq!(done.admin_fee, Rupiah::ZERO, "\"admin\": \"0\"");
    assert_eq!(done.total, rp(25_000));
    assert_eq!(done.account_number, "14047");
    assert_eq!(done.account_name, "Ardha Herdianto");
    assert_eq!(done.at, Some(utc("2020-04-17T13:40:38.108Z")));
    assert_eq!(
        done.message,
        "Transaksi a.n Ardha Herdianto Rp.25.000 , admin Rp.0 berhasil dilakukan "
    );

    let e = fails(decode::deposit, "bsa_depositAccount.fail", 200);
    assert_eq!(
        refused(&e),
        ("-1", "[0108] NO SUCH ACCOUNT", Some("BLB20041720412899360"))
    );
    assert_eq!(e.bank_reason(), Some("0108"));
}

#[test]
fn intrabank_transfer() {
    let quote = decode::transfer_quote(200, &fixture("bsa_transfer_intrabank_inquiry.ok")).unwrap();
    assert_eq!(quote.admin_fee, rp(1_000));
    assert_eq!(quote.account_number, "4447");
    assert_eq!(quote.account_name, "ARDHA HERDIANTO");
    assert_eq!(quote.bank_code.as_deref(), Some("BNI"));
    assert!(quote.transaction_id.is_none());
    assert_eq!(quote.at, Some(utc("2020-04-16T12:48:30.405Z")));
    let e = fails(
        decode::transfer_quote,
        "bsa_transfer_intrabank_inquiry.fail",
        200,
    );
    assert_eq!(
        refused(&e),
        ("-1", "[0108] NO SUCH ACCOUNT", Some("BLB20041620434987568"))
    );

    let paid = decode::transfer_done(200, &fixture("bsa_transfer_intrabank_payment.ok")).unwrap();
    assert_eq!(
        (paid.amount, paid.admin_fee, paid.total),
        (rp(50_000), rp(1_000), rp(51_000))
    );
    assert_eq!(paid.message, "Berhasil transfer antar BNI!");
    assert_eq!(paid.at, Some(utc("2020-04-17T04:01:06.426Z")));
    assert!(matches!(
        fails(
            decode::transfer_done,
            "bsa_transfer_intrabank_payment.fail",
            400
        ),
        Error::InvalidPin { .. }
    ));
}

#[test]
fn interbank_transfer() {
    let quote = decode::transfer_quote(200, &fixture("bsa_transfer_interbank_inquiry.ok")).unwrap();
    assert_eq!(quote.admin_fee, rp(6_500));
    assert_eq!(quote.transaction_id.as_deref(), Some("781262992"));
    assert_eq!(quote.bank_code.as_deref(), Some("008"));
    assert_eq!(quote.bank_name.as_deref(), Some("MANDRI"));
    assert_eq!(quote.account_name, "Ardha Herdianto");
    let e = fails(
        decode::transfer_quote,
        "bsa_transfer_interbank_inquiry.fail",
        200,
    );
    assert_eq!(
        refused(&e),
        ("-1", "[76] Invalid account", Some("BLB20041621562252765"))
    );
    assert_eq!(e.bank_reason(), Some("76"));

    let paid = decode::transfer_done(200, &fixture("bsa_transfer_interbank_payment.ok")).unwrap();
    // The document's quirk: admin_fee 0 after a 6500 quote; the reply is what was charged.
    assert_eq!(
        (paid.amount, paid.admin_fee, paid.total),
        (rp(10_000), Rupiah::ZERO, rp(10_000))
    );
    assert_eq!(paid.bank_name.as_deref(), Some("MANDRI"));
    assert_eq!(paid.message, "Berhasil transfer antar bank!");
    assert!(matches!(
        fails(
            decode::transfer_done,
            "bsa_transfer_interbank_payment.fail",
            400
        ),
        Error::InvalidPin { .. }
    ));
}

#[test]
fn switcher_inquiry() {
    let acct = decode::switcher_account(200, &fixture("inquiry.ok")).unwrap();
    assert_eq!(
        acct.balance,
        Some(Rupiah::from_sen(60_257_717_133_484)),
        "602577171334.84 is exactly 60257717133484 sen"
    );
    assert_eq!(acct.name, "BRIAPI SANDBOX");
    assert_eq!(acct.bank, "BRINIDJA");
    assert_eq!(acct.account, "888801000003301");
    assert_eq!(acct.status.as_deref(), Some("Rekening Aktif"));
    assert_eq!(acct.payment_code, "ab9f2b37db210c6f04f43ca229cbceb6");
    assert_eq!(acct.at, Some(utc("2020-06-04T08:38:59.387Z")));
    let refnum = acct.refnum_sid().expect("the sample refnum is 16 digits");
    assert_eq!(refnum, Sid::parse("2006041538496600").unwrap());
    assert_eq!(refnum.as_str().len(), 16);

    let e = fails(decode::switcher_account, "inquiry.fail", 200);
    assert_eq!(
        refused(&e),
        (
            "0101",
            "InqRekAsal: Nomor Rekening Tidak Dikenal & InqRekTujuan: VA number not found",
            None
        )
    );
}

#[test]
fn switcher_transfer_reversal_and_check() {
    let t = decode::switcher_transfer(200, &fixture("transfer.ok")).unwrap();
    assert_eq!(t.amount, rp(1_000));
    assert_eq!(t.journal.as_deref(), Some("1012"));
    assert_eq!(t.source_name.as_deref(), Some("ALOYSIUS AGUS WARI Z"));
    assert_eq!(t.beneficiary_account.as_deref(), Some("888801000003301"));
    assert_eq!(t.message, "Transfer success");
    assert_eq!(t.refnum_sid().unwrap().as_str(), "2006051013592980");
    let e = fails(decode::switcher_transfer, "transfer.fail", 200);
    assert_eq!(refused(&e).0, "0101");
    assert!(refused(&e)
        .1
        .starts_with("InqRekAsal: Message : WS_CORPORATE_CASHCARD_GEN2_CORPORATE"));

    let r = decode::switcher_transfer(200, &fixture("reversal.ok")).unwrap();
    assert_eq!(r.amount, rp(1_000));
    assert_eq!(r.journal.as_deref(), Some("1002"));
    assert_eq!(r.message, "Reversal success");
    assert_eq!(r.refnum_sid().unwrap().as_str(), "2004212225543790");
    let e = fails(decode::switcher_transfer, "reversal.fail", 200);
    assert_eq!(refused(&e), ("-1", "Reversal already executed", None));

    let c = decode::switcher_transfer(200, &fixture("check.ok")).unwrap();
    assert_eq!(c.info.as_deref(), Some("Transfer success"));
    assert_eq!(c.journal.as_deref(), Some("1001"));
    assert_eq!(c.refnum_sid().unwrap().as_str(), "2004211931426110");
    assert_eq!(c.at, Some(utc("2020-04-21T12:31:43.481Z")));
    let e = fails(decode::switcher_transfer, "check.fail", 200);
    assert_eq!(refused(&e), ("-1", "refnum provided was not found", None));
}

#[test]
fn replies_that_are_not_the_documented_json() {
    let html = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    let e = decode::deposit(502, html).unwrap_err();
    assert!(
        matches!(e, Error::Malformed { status: 502, ref detail } if detail.contains("502 Bad Gateway")),
        "{e:?}"
    );
    assert!(
        !e.outcome_known(),
        "for a payment, the money may have moved"
    );

    let truncated = &fixture("bsa_depositAccount.ok")[..120];
    let e = decode::deposit(200, truncated).unwrap_err();
    assert!(matches!(e, Error::Malformed { status: 200, .. }), "{e:?}");
    assert!(!e.outcome_known());

    let e = decode::deposit(200, br#"{"code":"00","message":"ok"}"#).unwrap_err();
    assert!(
        matches!(e, Error::Malformed { status: 200, ref detail } if detail.contains("unexpected data")),
        "missing data: {e:?}"
    );
    let e = decode::transfer_done(
        200,
        br#"{"code":"00","message":"ok","data":{"admin_fee":0,"amount":10000,"account_name":"A"}}"#,
    )
    .unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }), "missing field: {e:?}");

    let e = decode::nothing(200, b"").unwrap_err();
    assert!(matches!(e, Error::Malformed { ref detail, .. } if detail == "empty body"));
    let e = decode::nothing(200, br#"{"message":"no code"}"#).unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }));

    let e = decode::deposit(
        200,
        br#"{"code":"00","message":"x","data":{"amount":"25.0.0","account_number_customer":"1","account_name":"A"}}"#,
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::Malformed { ref detail, .. } if detail.starts_with("amount")),
        "an ambiguous amount is refused, not guessed: {e:?}"
    );
    let e = decode::account(
        200,
        br#"{"code":"00","message":"x","data":{"account_number":"1","account_name":"A","date_time":"yesterday"}}"#,
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::Malformed { .. }),
        "an unreadable time: {e:?}"
    );
}

#[test]
fn times_as_documented_and_as_sent() {
    let t = bankplus::parse_time("2020-04-16 14:50:35").unwrap();
    assert_eq!(t, Utc.with_ymd_and_hms(2020, 4, 16, 7, 50, 35).unwrap());
    assert_eq!(bankplus::parse_time("2020-04-16, 14:50:35 WIB").unwrap(), t);
    assert_eq!(bankplus::parse_time("2020-04-16T07:50:35.000Z").unwrap(), t);
    assert_eq!(
        bankplus::parse_time("2020-04-16T14:50:35+07:00").unwrap(),
        t
    );
    assert!(bankplus::parse_time("yesterday").is_err());
    assert!(bankplus::parse_time("2020-04-31 10:00:00").is_err());
}

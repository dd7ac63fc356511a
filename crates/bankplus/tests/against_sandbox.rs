//! The client against the sandbox over real HTTP on loopback: every
//! endpoint, its success and each documented failure, the faults a network
//! can throw at a payment, and secrets kept out of every Debug print.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bankplus::*;
use money::Rupiah;
use sandbox::{demo, FaultPlan, FaultRule, Sandbox, SandboxConfig};

fn rp(r: i64) -> Rupiah {
    Rupiah::from_rupiah(r).unwrap()
}

/// Unique sids within a test process.
fn sid() -> Sid {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let now = chrono::Utc::now().with_timezone(&bankplus::wib());
    Sid::from_wib(now, (n % 10_000) as u16).expect("a sid for now")
}

struct World {
    sandbox: Sandbox,
    client: BankplusClient,
    switcher: SwitcherClient,
}

async fn world() -> World {
    world_with(SandboxConfig::default()).await
}

async fn world_with(config: SandboxConfig) -> World {
    let sandbox = Sandbox::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("sandbox starts");
    let mut cfg = ClientConfig::new(sandbox.base_url());
    cfg.timeout = Duration::from_secs(5);
    let client = BankplusClient::new(cfg).unwrap();
    let switcher = SwitcherClient::new(&sandbox.base_url(), Duration::from_secs(5)).unwrap();
    World {
        sandbox,
        client,
        switcher,
    }
}

async fn agent(w: &World) -> Login {
    w.client
        .login(demo::USERNAME, &Password::new(demo::PASSWORD))
        .await
        .expect("demo agent logs in")
}

fn pin() -> Pin {
    Pin::new(demo::PIN).unwrap()
}

fn faults(w: &World, rules: &[&str]) {
    w.sandbox.set_faults(FaultPlan {
        seed: 7,
        rules: rules
            .iter()
            .map(|r| r.parse::<FaultRule>().unwrap())
            .collect(),
    });
}

#[tokio::test]
async fn login_logout_and_bad_login() {
    let w = world().await;
    let login = agent(&w).await;
    assert_eq!(login.profile.agent_code.0, demo::AGENT_CODE);
    assert_eq!(login.profile.role, Role::Agent);
    assert_eq!(login.profile.bank_colour.as_deref(), Some("#ff6f00"));
    w.client.logout(&login.session).await.unwrap();
    // The session is gone after logout.
    let e = w.client.banks(&login.session).await.unwrap_err();
    assert_eq!(e, Error::SessionExpired);

    let e = w
        .client
        .login(demo::USERNAME, &Password::new("not-the-password"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::BadLogin { ref message } if message.starts_with("Username dan Password")),
        "{e:?}"
    );

    let staff = w
        .client
        .login(demo::STAFF_USERNAME, &Password::new(demo::STAFF_PASSWORD))
        .await
        .unwrap();
    assert!(matches!(staff.profile.role, Role::Staff { .. }));
}

#[tokio::test]
async fn an_expired_session_is_said_so_on_every_kind_of_call() {
    let w = world_with(SandboxConfig {
        session_idle: Duration::from_millis(300),
        ..SandboxConfig::default()
    })
    .await;
    let login = agent(&w).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let s = &login.session;
    assert_eq!(w.client.banks(s).await.unwrap_err(), Error::SessionExpired);
    let login = agent(&w).await;
    w.sandbox.expire_sessions();
    let s = &login.session;
    assert_eq!(
        w.client
            .dashboard(s, Dashboard::Bill, None)
            .await
            .unwrap_err(),
        Error::SessionExpired
    );
    assert_eq!(
        w.client
            .check_account(s, &sid(), "14047")
            .await
            .unwrap_err(),
        Error::SessionExpired
    );
    assert_eq!(
        w.client.agent_balance(s, &sid()).await.unwrap_err(),
        Error::SessionExpired
    );
}

#[tokio::test]
async fn dashboards_master_lists_banks_and_postal_codes() {
    let w = world().await;
    let s = agent(&w).await.session;
    for which in [
        Dashboard::Bsa,
        Dashboard::Bill,
        Dashboard::Purchase,
        Dashboard::AgentGrowth,
        Dashboard::AgentSpread,
    ] {
        let points = w.client.dashboard(&s, which, None).await.unwrap();
        assert!(!points.is_empty(), "{which:?} has data this month");
        assert!(points.iter().all(|p| p.count >= 0));
    }
    let bsa = w.client.dashboard(&s, Dashboard::Bsa, None).await.unwrap();
    assert!(bsa.iter().any(|p| p.title == "Setor Tunai"));
    let e = w
        .client
        .dashboard(&s, Dashboard::Bsa, Some("2001-01"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    let e = w
        .client
        .dashboard(&s, Dashboard::Bsa, Some("January"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::BadInput { .. }));

    let jobs = w.client.master_list(&s, MasterList::Jobs).await.unwrap();
    assert_eq!(jobs[0].name, "AKUNTING / KEUANGAN");
    assert_eq!(
        w.client
            .master_list(&s, MasterList::Educations)
            .await
            .unwrap()
            .len(),
        7
    );
    assert_eq!(
        w.client
            .master_list(&s, MasterList::Salaries)
            .await
            .unwrap()
            .len(),
        8
    );
    assert_eq!(
        w.client
            .master_list(&s, MasterList::TransactionRanges)
            .await
            .unwrap()
            .len(),
        5
    );
    let banks = w.client.banks(&s).await.unwrap();
    assert_eq!(banks.len(), 10);
    assert!(banks
        .iter()
        .any(|b| b.code == "008" && b.name == "BANK MANDIRI"));

    let gambir = Region {
        province: "DKI Jakarta".into(),
        kind: "Kota".into(),
        regency: "Jakarta Pusat".into(),
        district: "Gambir".into(),
        village: "Gambir".into(),
    };
    assert_eq!(
        w.client.postal_codes(&s, &gambir).await.unwrap(),
        vec!["10110".to_owned()]
    );
    let nowhere = Region {
        village: "Atlantis".into(),
        ..gambir
    };
    assert!(matches!(
        w.client.postal_codes(&s, &nowhere).await.unwrap_err(),
        Error::NotFound { .. }
    ));
}

#[tokio::test]
async fn change_password_then_log_in_with_the_new_one() {
    let w = world().await;
    let s = agent(&w).await.session;
    let e = w
        .client
        .change_password(&s, &Password::new("wrong-old"), &Password::new("Baru1234"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Refused { ref code, .. } if code == "UPDATE_NONE"),
        "{e:?}"
    );
    w.client
        .change_password(
            &s,
            &Password::new(demo::PASSWORD),
            &Password::new("Baru1234"),
        )
        .await
        .unwrap();
    assert!(w
        .client
        .login(demo::USERNAME, &Password::new("Baru1234"))
        .await
        .is_ok());
    assert!(matches!(
        w.client
            .login(demo::USERNAME, &Password::new(demo::PASSWORD))
            .await
            .unwrap_err(),
        Error::BadLogin { .. }
    ));
}

#[tokio::test]
async fn check_account_customer_balance_and_agent_balance() {
    let w = world().await;
    let s = agent(&w).await.session;
    let info = w
        .client
        .check_account(&s, &sid(), demo::CUSTOMER_ACCOUNT)
        .await
        .unwrap();
    assert_eq!(info.account_name, demo::CUSTOMER_NAME);
    let e = w
        .client
        .check_account(&s, &sid(), demo::MISSING_ACCOUNT)
        .await
        .unwrap_err();
    assert_eq!(e.bank_reason(), Some("0108"), "{e:?}");

    let customer_pin = Pin::new(demo::CUSTOMER_PIN).unwrap();
    let bal = w
        .client
        .customer_balance(&s, &sid(), demo::CUSTOMER_ACCOUNT, &customer_pin)
        .await
        .unwrap();
    assert_eq!(
        bal.balance,
        w.sandbox.balance("BNI", demo::CUSTOMER_ACCOUNT)
    );
    let e = w
        .client
        .customer_balance(
            &s,
            &sid(),
            demo::CUSTOMER_ACCOUNT,
            &Pin::new("000000").unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidPin { .. }), "{e:?}");

    let mine = w.client.agent_balance(&s, &sid()).await.unwrap();
    assert_eq!(mine.account_number, demo::AGENT_ACCOUNT);
    assert_eq!(mine.balance, Some(demo::AGENT_OPENING_BALANCE));
    assert!(matches!(
        w.client
            .check_account(&s, &sid(), "12ab")
            .await
            .unwrap_err(),
        Error::BadInput { .. }
    ));
}

#[tokio::test]
async fn deposit_moves_exact_money_and_refuses_what_it_should() {
    let w = world().await;
    let s = agent(&w).await.session;
    let before_agent = w.sandbox.balance("BNI", demo::AGENT_ACCOUNT).unwrap();
    let before_cust = w.sandbox.balance("BNI", demo::CUSTOMER_ACCOUNT).unwrap();
    let order = DepositOrder {
        to_account: demo::CUSTOMER_ACCOUNT.into(),
        name: "ardha".into(),
        amount: rp(25_000),
        narration: "setor".into(),
    };
    let done = w.client.deposit(&s, &sid(), &order, &pin()).await.unwrap();
    assert_eq!(
        (done.amount, done.admin_fee, done.total),
        (rp(25_000), Rupiah::ZERO, rp(25_000))
    );
    assert!(done.message.contains("Rp.25.000"), "{}", done.message);
    assert_eq!(
        w.sandbox.balance("BNI", demo::AGENT_ACCOUNT),
        before_agent.checked_sub(rp(25_000))
    );
    assert_eq!(
        w.sandbox.balance("BNI", demo::CUSTOMER_ACCOUNT),
        before_cust.checked_add(rp(25_000))
    );

    let e = w
        .client
        .deposit(&s, &sid(), &order, &Pin::new("111111").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidPin { .. }));
    let missing = DepositOrder {
        to_account: demo::MISSING_ACCOUNT.into(),
        ..order.clone()
    };
    let e = w
        .client
        .deposit(&s, &sid(), &missing, &pin())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Refused { ref message, .. } if message == "[0108] NO SUCH ACCOUNT"));
    let e = w
        .client
        .deposit(
            &s,
            &sid(),
            &DepositOrder {
                amount: Rupiah::from_sen(2_500_050),
                ..order.clone()
            },
            &pin(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::BadInput { .. }),
        "sen are refused before sending"
    );
    assert_eq!(
        w.sandbox.balance("BNI", demo::AGENT_ACCOUNT),
        before_agent.checked_sub(rp(25_000)),
        "failures moved nothing"
    );

    // The same sid twice is refused by the bank and posts nothing more.
    let once = sid();
    w.client.deposit(&s, &once, &order, &pin()).await.unwrap();
    let e = w
        .client
        .deposit(&s, &once, &order, &pin())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Refused { .. }), "{e:?}");
    assert_eq!(w.sandbox.postings_for_sid(once.as_str()), 1);
}

#[tokio::test]
async fn open_account_creates_a_real_account() {
    let w = world().await;
    let s = agent(&w).await.session;
    let form = OpenAccountForm {
        name: "gabymars yofie".into(),
        email: "gaby@email.com".into(),
        mother_name: "mamih".into(),
        profession: "karyawan swasta".into(),
        last_education: "sma".into(),
        status_nikah: "Lajang".into(),
        pob: "sby".into(),
        dob: "1997-08-01".into(),
        ktp: "3515014108970001".into(),
        gender: "l".into(),
        address: "waru".into(),
        rt: "022".into(),
        rw: "001".into(),
        zip_code: "61256".into(),
        kelurahan: "waru".into(),
        kecamatan: "waru".into(),
        city: "sidoarjo".into(),
        state: "jatim".into(),
        hp: "08998321234".into(),
        phone: "0319909221".into(),
        income: "1".into(),
        jumlah_transaksi: "1".into(),
        deposit: "100000".into(),
        image_ktp: "pendaftaran/LMG_1234123412341234_KTP_20181005221057.jpg".into(),
        image_foto: "pendaftaran/LMG_1234123412341234_20181005221057.png".into(),
    };
    let opened = w
        .client
        .open_account(&s, &sid(), &form, &pin())
        .await
        .unwrap();
    assert_eq!(opened.account_name, "gabymars yofie");
    assert_eq!(opened.first_deposit, Some(rp(100_000)));
    assert_eq!(
        w.sandbox.balance("BNI", &opened.account_number),
        Some(rp(100_000))
    );
    let info = w
        .client
        .check_account(&s, &sid(), &opened.account_number)
        .await
        .unwrap();
    assert_eq!(info.account_name, "gabymars yofie");
    let e = w
        .client
        .open_account(&s, &sid(), &form, &Pin::new("000000").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidPin { .. }));
}

#[tokio::test]
async fn intrabank_transfer_charges_amount_plus_fee() {
    let w = world().await;
    let s = agent(&w).await.session;
    let before = w.sandbox.balance("BNI", demo::AGENT_ACCOUNT).unwrap();
    let dest_before = w.sandbox.balance("BNI", "14048").unwrap();
    let quote = w
        .client
        .intrabank_inquiry(&s, &sid(), "14048")
        .await
        .unwrap();
    assert_eq!(quote.admin_fee, rp(1_000));
    let order = TransferOrder {
        account_number: quote.account_number.clone(),
        account_name: quote.account_name.clone(),
        amount: rp(50_000),
        admin_fee: quote.admin_fee,
        bank_code: None,
        bank_name: None,
        transaction_id: None,
    };
    let e = w
        .client
        .intrabank_payment(&s, &sid(), &order, &Pin::new("123123").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidPin { .. }));
    let done = w
        .client
        .intrabank_payment(&s, &sid(), &order, &pin())
        .await
        .unwrap();
    assert_eq!(
        (done.amount, done.admin_fee, done.total),
        (rp(50_000), rp(1_000), rp(51_000))
    );
    assert_eq!(
        w.sandbox.balance("BNI", demo::AGENT_ACCOUNT),
        before.checked_sub(rp(51_000))
    );
    assert_eq!(
        w.sandbox.balance("BNI", "14048"),
        dest_before.checked_add(rp(50_000))
    );
    let e = w
        .client
        .intrabank_inquiry(&s, &sid(), demo::MISSING_ACCOUNT)
        .await
        .unwrap_err();
    assert_eq!(e.bank_reason(), Some("0108"));
}

#[tokio::test]
async fn interbank_transfer_charges_the_quoted_fee_and_refuses_invalid_accounts() {
    let w = world().await;
    let s = agent(&w).await.session;
    let banks = w.client.banks(&s).await.unwrap();
    let mandiri = banks
        .iter()
        .find(|b| b.code == demo::INTERBANK_BANK)
        .unwrap();
    let before = w.sandbox.balance("BNI", demo::AGENT_ACCOUNT).unwrap();
    let quote = w
        .client
        .interbank_inquiry(&s, &sid(), &mandiri.code, demo::INTERBANK_ACCOUNT)
        .await
        .unwrap();
    assert_eq!(quote.admin_fee, rp(6_500));
    assert_eq!(quote.account_name, demo::INTERBANK_NAME);
    assert!(quote.transaction_id.is_some());
    // The document's quirk: the payment sample sends admin_fee 0.
    let order = TransferOrder {
        account_number: quote.account_number.clone(),
        account_name: quote.account_name.clone(),
        amount: rp(10_000),
        admin_fee: Rupiah::ZERO,
        bank_code: quote.bank_code.clone(),
        bank_name: quote.bank_name.clone(),
        transaction_id: quote.transaction_id.clone(),
    };
    let e = w
        .client
        .interbank_payment(&s, &sid(), &order, &Pin::new("999999").unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidPin { ref message } if message == "Mohon maaf PIN transaksi anda salah")
    );
    let done = w
        .client
        .interbank_payment(&s, &sid(), &order, &pin())
        .await
        .unwrap();
    assert_eq!(
        (done.amount, done.admin_fee, done.total),
        (rp(10_000), rp(6_500), rp(16_500))
    );
    assert_eq!(
        w.sandbox.balance("BNI", demo::AGENT_ACCOUNT),
        before.checked_sub(rp(16_500))
    );

    let e = w
        .client
        .interbank_inquiry(&s, &sid(), "008", "1")
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Refused { ref message, .. } if message == "[76] Invalid account"),
        "{e:?}"
    );
    assert_eq!(e.bank_reason(), Some("76"));
}

#[tokio::test]
async fn switcher_inquiry_transfer_check_and_reversal() {
    let w = world().await;
    let acct = w
        .switcher
        .inquiry(&sid(), demo::SWITCHER_BANK, demo::SWITCHER_ACCOUNT)
        .await
        .unwrap();
    assert_eq!(acct.name, demo::SWITCHER_ACCOUNT_NAME);
    assert_eq!(acct.payment_code.len(), 32);
    let e = w
        .switcher
        .inquiry(&sid(), demo::SWITCHER_BANK, "1")
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Refused { ref code, .. } if code == "0101"),
        "{e:?}"
    );

    let refnum = sid();
    let t = w
        .switcher
        .transfer(
            &refnum,
            &acct.payment_code,
            demo::SWITCHER_BANK,
            demo::SWITCHER_SOURCE_ACCOUNT,
            rp(1_000),
            "Narration Test",
        )
        .await
        .unwrap();
    assert_eq!(t.amount, rp(1_000));
    let journal = t.journal.clone().unwrap();
    let checked = w.switcher.check(&refnum).await.unwrap();
    assert_eq!(checked.info.as_deref(), Some("Transfer success"));
    assert_eq!(checked.journal.as_deref(), Some(journal.as_str()));

    let r = w
        .switcher
        .reversal(&sid(), &refnum, &journal)
        .await
        .unwrap();
    assert_eq!(r.amount, rp(1_000));
    let e = w
        .switcher
        .reversal(&sid(), &refnum, &journal)
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Refused { ref message, .. } if message == "Reversal already executed")
    );
    let e = w.switcher.check(&sid()).await.unwrap_err();
    assert!(
        matches!(e, Error::Refused { ref message, .. } if message == "refnum provided was not found")
    );
}

#[tokio::test]
async fn a_bankplus_payment_is_found_and_reversed_by_its_sid() {
    let w = world().await;
    let s = agent(&w).await.session;
    let before = w.sandbox.balance("BNI", demo::AGENT_ACCOUNT).unwrap();
    let paid = sid();
    let order = DepositOrder {
        to_account: demo::CUSTOMER_ACCOUNT.into(),
        name: "x".into(),
        amount: rp(30_000),
        narration: "n".into(),
    };
    w.client.deposit(&s, &paid, &order, &pin()).await.unwrap();
    let checked = w.switcher.check(&paid).await.unwrap();
    assert_eq!(checked.amount, rp(30_000));
    let journal = checked.journal.unwrap();
    w.switcher.reversal(&sid(), &paid, &journal).await.unwrap();
    assert_eq!(
        w.sandbox.balance("BNI", demo::AGENT_ACCOUNT),
        Some(before),
        "refunded"
    );
}

#[tokio::test]
async fn commit_then_drop_is_outcome_unknown_and_check_shows_it_succeeded() {
    let w = world().await;
    let s = agent(&w).await.session;
    let before = w.sandbox.balance("BNI", demo::AGENT_ACCOUNT).unwrap();
    for (rule, amount) in [
        ("bsa/depositAccount=commit-then-drop", 20_000),
        ("bsa/transfer/intrabank/payment=commit-then-drop", 30_000),
        ("bsa/transfer/interbank/payment=commit-then-drop", 40_000),
    ] {
        faults(&w, &[rule]);
        let paying = sid();
        let result = if rule.contains("deposit") {
            w.client
                .deposit(
                    &s,
                    &paying,
                    &DepositOrder {
                        to_account: "14049".into(),
                        name: "b".into(),
                        amount: rp(amount),
                        narration: "n".into(),
                    },
                    &pin(),
                )
                .await
                .map(|_| ())
        } else if rule.contains("intrabank") {
            let order = TransferOrder {
                account_number: "14049".into(),
                account_name: "BUDI SANTOSO".into(),
                amount: rp(amount),
                admin_fee: rp(1_000),
                bank_code: None,
                bank_name: None,
                transaction_id: None,
            };
            w.client
                .intrabank_payment(&s, &paying, &order, &pin())
                .await
                .map(|_| ())
        } else {
            let q = w
                .client
                .interbank_inquiry(&s, &sid(), "008", demo::INTERBANK_ACCOUNT)
                .await
                .unwrap();
            let order = TransferOrder {
                account_number: q.account_number,
                account_name: q.account_name,
                amount: rp(amount),
                admin_fee: q.admin_fee,
                bank_code: q.bank_code,
                bank_name: q.bank_name,
                transaction_id: q.transaction_id,
            };
            w.client
                .interbank_payment(&s, &paying, &order, &pin())
                .await
                .map(|_| ())
        };
        let e = result.expect_err(rule);
        assert!(matches!(e, Error::OutcomeUnknown { .. }), "{rule}: {e:?}");
        assert!(!e.outcome_known());
        faults(&w, &[]);
        let checked = w
            .switcher
            .check(&paying)
            .await
            .expect("the switcher knows the sid");
        assert_eq!(checked.amount, rp(amount), "{rule}");
        assert_eq!(checked.info.as_deref(), Some("Transfer success"));
        assert_eq!(
            w.sandbox.postings_for_sid(paying.as_str()),
            1,
            "{rule}: booked exactly once"
        );
    }
    let spent = rp(20_000 + 30_000 + 1_000 + 40_000 + 6_500);
    assert_eq!(
        w.sandbox.balance("BNI", demo::AGENT_ACCOUNT),
        before.checked_sub(spent)
    );
}

#[tokio::test]
async fn gateway_and_network_faults_map_to_the_right_errors() {
    let w = world().await;
    let s = agent(&w).await.session;
    faults(&w, &["bsa/checkAccount=html-502"]);
    let e = w
        .client
        .check_account(&s, &sid(), "14047")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Malformed { status: 502, .. }), "{e:?}");
    faults(&w, &["bsa/checkAccount=malformed-json"]);
    let e = w
        .client
        .check_account(&s, &sid(), "14047")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Malformed { status: 200, .. }), "{e:?}");
    faults(&w, &["bsa/checkAccount=session-expiry"]);
    assert_eq!(
        w.client
            .check_account(&s, &sid(), "14047")
            .await
            .unwrap_err(),
        Error::SessionExpired
    );
    let s = agent(&w).await.session;
    faults(
        &w,
        &["bsa/checkAccount=error-reply:-1:[91] ISSUER OR SWITCH INOPERATIVE"],
    );
    let e = w
        .client
        .check_account(&s, &sid(), "14047")
        .await
        .unwrap_err();
    assert_eq!(e.bank_reason(), Some("91"), "{e:?}");
    // A reply slower than the client's timeout: the request was sent, outcome unknown.
    faults(&w, &["bsa/checkAccount=latency:1500"]);
    let mut cfg = ClientConfig::new(w.sandbox.base_url());
    cfg.timeout = Duration::from_millis(300);
    let impatient = BankplusClient::new(cfg).unwrap();
    let e = impatient
        .check_account(&s, &sid(), "14047")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::OutcomeUnknown { .. }), "{e:?}");
    faults(&w, &[]);

    // Nothing listening: nothing was sent.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let nowhere = BankplusClient::new(ClientConfig::new(format!("http://{addr}"))).unwrap();
    let e = nowhere.login("x", &Password::new("y")).await.unwrap_err();
    assert!(matches!(e, Error::NotSent { .. }), "{e:?}");
    assert!(matches!(
        BankplusClient::new(ClientConfig::new("ftp://x")),
        Err(Error::NotSent { .. })
    ));
}

#[tokio::test]
async fn secrets_never_show_in_debug_output() {
    let w = world().await;
    let login = agent(&w).await;
    let pin = pin();
    let password = Password::new(demo::PASSWORD);
    let mut printed = format!("{login:?} {pin:?} {password:?} {:?}", login.session);
    let e = w
        .client
        .deposit(
            &login.session,
            &sid(),
            &DepositOrder {
                to_account: demo::MISSING_ACCOUNT.into(),
                name: "n".into(),
                amount: rp(1_000),
                narration: "n".into(),
            },
            &pin,
        )
        .await
        .unwrap_err();
    printed.push_str(&format!("{e:?} {e}"));
    printed.push_str(&format!("{:?}", w.client));
    assert!(!printed.contains(demo::PIN), "{printed}");
    assert!(!printed.contains(demo::PASSWORD), "{printed}");
    // The session id itself: find it by trying every 80-char token of the
    // printout against the session.
    assert!(printed.contains("Session(***)"));
    for token in printed.split(|c: char| !c.is_ascii_alphanumeric()) {
        assert!(!login.session.is(token), "the session id leaked: {printed}");
    }
    assert!(
        Pin::new("12345").is_err() && Pin::new("1234567").is_err() && Pin::new("12a456").is_err()
    );
}

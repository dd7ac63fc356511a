//! No PIN, password or session id in any `Debug` or `Display` output: every
//! secret, request, reply and error type is built with the document's own
//! PIN `359569`, password `T6jkl4ss` and session id, printed, and searched.
//! No server needed.

use bankplus::decode;
use bankplus::wire::*;
use bankplus::*;

const PIN: &str = "359569";
const PASSWORD: &str = "T6jkl4ss";
const NEW_PASSWORD: &str = "T6jkl4s1";
const SESSION: &str =
    "pAUvTI7MKmexnAw4vwO5nbOiwluGIaRJopdS7eZAI3M13AM3FPHDAkzYp3iNEIsG032Gu30mX5W6tUxI";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn assert_clean(printed: &str) {
    for secret in [PIN, PASSWORD, NEW_PASSWORD, SESSION, &SESSION[..24]] {
        assert!(!printed.contains(secret), "{secret:?} leaked in: {printed}");
    }
}

#[test]
fn secrets_print_as_stars() {
    let pin = Pin::new(PIN).unwrap();
    let password = Password::new(PASSWORD);
    let session = Session::new(SESSION.to_owned());
    let printed = format!("{pin:?} {password:?} {session:?} {:?}", pin.clone());
    assert_eq!(printed, "Pin(***) Password(***) Session(***) Pin(***)");
    assert_clean(&printed);
    // A rejected PIN does not echo what was typed.
    let e = Pin::new("35956x").unwrap_err();
    assert_clean(&format!("{e:?} {e}"));
}

#[test]
fn requests_print_their_secrets_as_stars() {
    let printed = [
        format!(
            "{:?}",
            AuthRequest {
                username: "BNIUS100294",
                password: PASSWORD
            }
        ),
        format!(
            "{:?}",
            ChangePasswordRequest {
                old: PASSWORD,
                new: NEW_PASSWORD
            }
        ),
        format!(
            "{:?}",
            CustomerBalanceRequest {
                pin_platform: PIN,
                account_num: "4447"
            }
        ),
        format!(
            "{:?}",
            OpenAccountRequest {
                pin_transaksi: PIN,
                name: "gabymars yofie",
                email: "gaby@email.com",
                mother_name: "mamih",
                profession: "karyawan swasta",
                last_education: "sma",
                status_nikah: "Lajang",
                pob: "sby",
                dob: "1997-08-01",
                ktp: "12345678900876",
                gender: "l",
                address: "waru",
                rt: "022",
                rw: "001",
                zip_code: "12345",
                kelurahan: "waru",
                kecamatan: "waru",
                city: "sidoarjo",
                state: "jatim",
                hp: "08998321234",
                phone: "0319909221",
                income: "1",
                jumlah_transaksi: "1",
                deposit: "100000".into(),
                image: OpenAccountImages {
                    ktp: "k.jpg",
                    foto: "f.png"
                },
            }
        ),
        format!(
            "{:?}",
            DepositRequest {
                to_account: "14047",
                name: "ardha",
                amount: "25000".into(),
                narration: "test",
                pin_transaksi: PIN
            }
        ),
        format!(
            "{:?}",
            IntrabankPaymentRequest {
                account_number: "4447",
                account_name: "ARDHA HERDIANTO",
                amount: 50000,
                admin_fee: 1000,
                pin: PIN
            }
        ),
        format!(
            "{:?}",
            InterbankPaymentRequest {
                transaction_id: "787273972",
                bank_code: "008",
                bank_name: "MANDRI",
                account_number: "114451186",
                account_name: "Ardha Herdianto",
                amount: 10000,
                admin_fee: 0,
                pin: PIN
            }
        ),
    ]
    .join("\n");
    assert_clean(&printed);
    assert_eq!(printed.matches("***").count(), 11, "{printed}");
    assert!(
        printed.contains("to_account: \"14047\""),
        "the rest stays readable: {printed}"
    );
    assert!(!printed.contains("mamih") && !printed.contains("12345678900876"));
}

#[test]
fn login_replies_hide_the_session() {
    let body = fixture("users_auth.ok");
    let login = decode::login(200, &body).unwrap();
    assert!(
        login.session.is(SESSION),
        "the fixture carries the session id"
    );
    let envelope = decode::decode::<LoginData>(200, &body).unwrap();
    let printed = format!("{login:?}\n{:?}\n{envelope:?}", login.session);
    assert_clean(&printed);
    assert!(printed.contains("Session(***)"));
}

#[test]
fn errors_never_quote_a_secret() {
    let session = Session::new(SESSION.to_owned());
    let mut printed = Vec::new();
    // Every documented failure.
    for name in [
        "users_auth.fail",
        "bsa_checkAccount.fail",
        "bsa_customerbalance.fail",
        "bsa_depositAccount.fail",
        "account_changepass.fail",
        "dashboard_bill.fail",
        "wilayah_get.fail",
        "inquiry.fail",
        "reversal.fail",
    ] {
        let e = decode::nothing(200, &fixture(name)).unwrap_err();
        printed.push(format!("{e:?} {e}"));
    }
    // Broken replies that echo a request or carry a session: the error
    // quotes a cleaned snippet only.
    let echoes: [&[u8]; 6] = [
        br#"<html><body>bad request: {"pin_transaksi":"359569","toAccount":"14047"}</body></html>"#,
        br#"{"code":"00","message":"Login berhasil","session_id":"pAUvTI7MKmexnAw4vwO5nbOiwluGIaRJopdS7eZAI3M13AM3FPHDAkzYp3iNEIsG032Gu30mX5W6tUxI""#,
        br#"error: username=BNIUS100294 password=T6jkl4ss"#,
        br#"{"old":"T6jkl4ss","new":"T6jkl4s1""#,
        b"sessionid: pAUvTI7MKmexnAw4vwO5nbOiwluGIaRJopdS7eZAI3M13AM3FPHDAkzYp3iNEIsG032Gu30mX5W6tUxI",
        b"pin 359569 rejected",
    ];
    for body in echoes {
        let e = decode::nothing(400, body).unwrap_err();
        assert!(matches!(e, Error::Malformed { status: 400, .. }), "{e:?}");
        printed.push(format!("{e:?} {e}"));
    }
    // A success whose data does not fit, quoting values in serde's words.
    let e = decode::deposit(
        200,
        br#"{"code":"00","message":"x","data":{"amount":{"pin":"359569"},"account_number_customer":"1","account_name":"A"}}"#,
    )
    .unwrap_err();
    printed.push(format!("{e:?} {e}"));
    let e = decode::graph(
        200,
        br#"{"code":"00","message":"x","data":[{"graph_title":"T6jkl4ss 359569","graph_count":"x"}]}"#,
    )
    .unwrap_err();
    printed.push(format!("{e:?} {e}"));
    printed.push(format!("{session:?}"));
    let printed = printed.join("\n");
    assert_clean(&printed);
}

#[test]
fn clients_and_domain_types_print_no_secret() {
    let client = BankplusClient::new(ClientConfig::new("http://127.0.0.1:4567")).unwrap();
    let switcher =
        SwitcherClient::new("http://127.0.0.1:4568", std::time::Duration::from_secs(30)).unwrap();
    let order = DepositOrder {
        to_account: "14047".into(),
        name: "ardha".into(),
        amount: money::Rupiah::from_rupiah(25_000).unwrap(),
        narration: "test".into(),
    };
    let printed = format!("{client:?} {switcher:?} {order:?}");
    assert_clean(&printed);
}

//! Read-only commands and every documented failure, through the real binary.

mod common;
use common::*;

#[test]
fn read_commands_succeed_with_one_json_object() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);

    let r = t.run(&["--json", "profile"]);
    expect(&r, 0);
    assert_eq!(r.json()["profile"]["username"], USER);

    let r = t.run(&["--json", "balance"]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["account_number"], "4447");
    assert_eq!(v["account_name"], "ARDHA HERDIANTO");
    assert_eq!(v["account_balance"], OPENING);

    let r = t.run(&["--json", "check-account", "14047"]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["account_number"], "14047");
    assert_eq!(v["account_name"], "Ardha Herdianto");
    assert!(v.get("account_balance").is_some());

    let mut c = t.cmd(&["--json", "customer-balance", "14048"]);
    c.env("LOKET_CUSTOMER_PIN", "246810");
    let r = t.run_cmd(c);
    expect(&r, 0);
    assert!(r.json()["account_balance"].is_i64());

    let r = t.run(&["--json", "banks"]);
    expect(&r, 0);
    let banks = r.json()["banks"].as_array().cloned().unwrap_or_default();
    assert!(banks.iter().any(|b| b["code"] == "008"), "{banks:?}");

    let r = t.run(&["dashboard", "bsa", "--month", "2024-01"]);
    expect(&r, 0);
    let r = t.run(&["--json", "master", "jobs"]);
    expect(&r, 0);
    assert!(!r.json()["items"].as_array().unwrap().is_empty());

    let r = t.run(&[
        "--json",
        "postal-code",
        "--province",
        "DKI Jakarta",
        "--type",
        "Kota",
        "--regency",
        "Jakarta Pusat",
        "--district",
        "Gambir",
        "--village",
        "Gambir",
    ]);
    expect(&r, 0);
    assert_eq!(r.json()["postal_codes"][0], "10110");

    // Human output in Indonesian by default, English with --lang en.
    let r = t.run(&["check-account", "14047"]);
    expect(&r, 0);
    assert!(r.stdout.contains("Nama: Ardha Herdianto"), "{}", r.stdout);
    let r = t.run(&["--lang", "en", "balance"]);
    expect(&r, 0);
    assert!(r.stdout.contains("Balance: Rp202.696.682"), "{}", r.stdout);
}

#[test]
fn change_password_then_log_in_with_the_new_one() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let mut c = t.cmd(&["--json", "change-password"]);
    c.env("LOKET_NEW_PASSWORD", "Baru12345");
    let r = t.run_cmd(c);
    expect(&r, 0);
    assert_eq!(r.json()["status"], "succeeded");
    let mut c = t.cmd(&["--json", "profile"]);
    c.env("LOKET_PASSWORD", "Baru12345");
    expect(&t.run_cmd(c), 0);
}

#[test]
fn documented_failures_have_their_codes() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);

    // Bad login: exit 1, code 2102.
    let mut c = t.cmd(&["--json", "balance"]);
    c.env("LOKET_PASSWORD", "salah");
    let r = t.run_cmd(c);
    expect(&r, 1);
    assert_eq!(r.json()["error"]["code"], "2102");

    // Wrong PIN: exit 1, INVALID_PIN, nothing moved.
    let mut c = t.cmd(&["--json", "deposit", "--to", "14049", "--amount", "25000"]);
    c.env("LOKET_PIN", "111111");
    let r = t.run_cmd(c);
    expect(&r, 1);
    let v = r.json();
    assert_eq!(v["status"], "failed");
    assert_eq!(v["error"]["code"], "INVALID_PIN");
    assert_eq!(sb.balance("BNI", "4447"), OPENING);

    // No such account: [0108].
    let r = t.run(&["--json", "check-account", "99999"]);
    expect(&r, 1);
    let v = r.json();
    assert!(
        v["error"]["message"].as_str().unwrap().contains("[0108]"),
        "{v}"
    );

    // Invalid interbank account: [76].
    let r = t.run(&[
        "--json", "transfer", "--bank", "008", "--to", "99999", "--amount", "10000", "--yes",
    ]);
    expect(&r, 1);
    let v = r.json();
    assert!(
        v["error"]["message"].as_str().unwrap().contains("[76]"),
        "{v}"
    );

    // Bad amounts: exit 2, nothing sent (not even a journal row).
    for bad in ["25,000", "abc", "-5", "Rp 25.00x", "0"] {
        let r = t.run(&["--json", "deposit", "--to", "14047", "--amount", bad]);
        assert!(r.code == 2 || r.code == 1, "{bad}: {r:?}");
        if r.code == 1 {
            panic!("{bad} was sent: {r:?}");
        }
        let code = r.json()["error"]["code"].clone();
        assert!(code == "BAD_INPUT" || code == "USAGE", "{bad}: {code}");
    }
    let r = t.run(&["--json", "history", "--type", "deposit"]);
    expect(&r, 0);
    let rows = r.json()["rows"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 1, "only the wrong-PIN deposit: {rows:?}");
    assert_eq!(sb.balance("BNI", "4447"), OPENING);

    // A malformed PIN is bad input too.
    let mut c = t.cmd(&["deposit", "--to", "14047", "--amount", "1000"]);
    c.env("LOKET_PIN", "12ab");
    expect(&t.run_cmd(c), 2);

    // A transfer without --yes on a non-terminal stdin is refused before anything is sent.
    let r = t.run(&["transfer", "--to", "14047", "--amount", "1000"]);
    expect(&r, 2);

    // Usage errors from the parser.
    expect(&t.run(&["deposit", "--to", "14047"]), 2);
    let r = t.run(&["--json", "dashboard", "nope"]);
    expect(&r, 2);
    r.json();
}

#[test]
fn unreachable_server_is_exit_4() {
    let t = Terminal {
        dir: tempfile::tempdir().unwrap(),
        server: Some("http://127.0.0.1:9".into()),
        switcher: None,
        captured: Default::default(),
    };
    let r = t.run(&["--json", "balance"]);
    expect(&r, 4);
    assert_eq!(r.json()["error"]["code"], "NOT_SENT");
    let r = t.run(&["deposit", "--to", "14047", "--amount", "1000"]);
    expect(&r, 4);
}

/// An amount the counter cannot read is refused wholly in the chosen
/// language: no English reason inside an Indonesian sentence.
#[test]
fn an_unreadable_amount_is_refused_in_one_language() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    for (lang, want) in [
        (
            "id",
            "Isian belum benar: --amount \"1e9\": \"1e9\" bukan nominal: ada karakter yang tidak dikenal. Tidak ada yang dikirim.",
        ),
        (
            "en",
            "Input is not right: --amount \"1e9\": \"1e9\" is not an amount: unexpected characters. Nothing was sent.",
        ),
    ] {
        let r = t.run(&["--json", "--lang", lang, "deposit", "--to", "14047", "--amount", "1e9"]);
        expect(&r, 2);
        assert_eq!(r.json()["error"]["message"], want, "--lang {lang}");
    }
}

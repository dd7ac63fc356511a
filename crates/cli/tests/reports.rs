//! Reports and records a supervisor relies on, and what the counter may
//! show, through the real `loket` binary against the real sandbox: amount
//! ceiling, hostile dates, the day summary of huge rows, the CSV export,
//! check-account without a balance, and a failed inquiry that moved nothing.

mod common;
use common::*;

use chrono::{TimeZone, Utc};
use journal::{Destination, Journal, Kind, NewTransaction, State, StepFacts};
use money::Rupiah;

/// Defect 7: an absurd amount is refused before anything is journaled or sent.
#[test]
fn an_amount_above_the_ceiling_is_refused_and_nothing_is_journaled() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    for args in [
        &[
            "--json",
            "deposit",
            "--to",
            "14047",
            "--amount",
            "50000000000000000",
        ][..],
        &[
            "--json",
            "deposit",
            "--to",
            "14047",
            "--name",
            "A",
            "--amount",
            "1000000000001",
        ][..],
        &[
            "--json",
            "transfer",
            "--to",
            "14049",
            "--amount",
            "50000000000000000",
            "--yes",
        ][..],
        &[
            "--json",
            "transfer",
            "--bank",
            "008",
            "--to",
            "114451186",
            "--amount",
            "50000000000000000",
            "--yes",
        ][..],
    ] {
        let r = t.run(args);
        expect(&r, 2);
        let v = r.json();
        assert_eq!(v["error"]["code"], "BAD_INPUT", "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("melebihi batas"),
            "{v}"
        );
    }
    let r = t.run(&["--json", "history"]);
    expect(&r, 0);
    assert_eq!(
        r.json()["rows"].as_array().unwrap().len(),
        0,
        "nothing journaled"
    );
    assert_eq!(sb.balance("BNI", "4447"), OPENING, "nothing sent");
    // The ceiling itself is allowed through the check (the bank then decides).
    let r = t.run(&["--json", "deposit", "--to", "14047", "--amount", "25000"]);
    expect(&r, 0);
}

/// Defect 7: a journal already holding huge rows (written before amounts
/// were bounded) still gives its day summary.
#[test]
fn a_summary_over_huge_rows_written_directly_still_works() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    // Let loket create its journal, then write rows into the same SQLite file.
    expect(&t.run(&["--json", "history"]), 0);
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
    {
        let j = Journal::open(&t.path().join("journal.db")).unwrap();
        for state in [
            State::Failed,
            State::Failed,
            State::Unknown,
            State::Succeeded,
        ] {
            let sid = j
                .begin_at(
                    NewTransaction {
                        kind: Some(Kind::Deposit),
                        operator: USER.into(),
                        agent_code: "BNI014100294".into(),
                        amount: Some(Rupiah::from_sen(5_000_000_000_000_000_000)),
                        admin_fee: Some(Rupiah::ZERO),
                        destination: Destination {
                            account_number: Some("14047".into()),
                            ..Destination::default()
                        },
                        ..NewTransaction::default()
                    },
                    at,
                )
                .unwrap();
            let mut from = State::Draft;
            for to in [State::Authorized, State::Sending, state] {
                j.step(&sid, from, to, "test", None, StepFacts::default())
                    .unwrap();
                from = to;
            }
        }
    }
    let r = t.run(&["--json", "summary", "--date", "2026-11-23"]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["in_doubt"], 1, "{v}");
    assert_eq!(v["kinds"][0]["failed"], 2, "{v}");
    let r = t.run(&["summary", "--date", "2026-11-23"]);
    expect(&r, 0);
    assert!(r.stdout.contains("Kas masuk"), "{}", r.stdout);
}

/// Defect 15: hostile dates are a clear usage error at every entry, never a panic.
#[test]
fn hostile_dates_are_refused_at_every_entry() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    for args in [
        &["summary", "--date", "+262142-12-31"][..],
        &["summary", "--date", "1900-01-01"][..],
        &["history", "--from", "+262142-12-31"][..],
        &["history", "--to", "+262142-12-31"][..],
        &["history", "--from=-262143-01-01"][..],
        &[
            "export",
            "--from",
            "2026-11-01",
            "--to",
            "+262142-12-31",
            "--csv",
            "x.csv",
        ][..],
    ] {
        let r = t.run(args);
        expect(&r, 2);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        assert!(
            r.stderr.contains("di luar rentang") || r.stderr.contains("YYYY-MM-DD"),
            "{args:?}: {}",
            r.stderr
        );
    }
    let r = t.run(&["--json", "summary", "--date", "2099-12-31"]);
    expect(&r, 0);
}

/// Defect 10: check-account shows who owns an account, never their balance.
#[test]
fn check_account_never_shows_the_holders_balance() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let r = t.run(&["check-account", "14047"]);
    expect(&r, 0);
    assert!(r.stdout.contains("Nama: Ardha Herdianto"), "{}", r.stdout);
    assert!(!r.stdout.contains("Saldo"), "{}", r.stdout);
    assert!(!r.stdout.contains("Rp"), "{}", r.stdout);
    let r = t.run(&["--json", "check-account", "14047"]);
    expect(&r, 0);
    let v = r.json();
    assert!(v["account_balance"].is_null(), "{v}");
    // The customer-balance operation, with the customer's PIN, still shows it.
    let mut c = t.cmd(&["--json", "customer-balance", "14048"]);
    c.env("LOKET_CUSTOMER_PIN", "246810");
    let r = t.run_cmd(c);
    expect(&r, 0);
    assert!(r.json()["account_balance"].is_i64());
}

/// Defect 21: no answer to an inquiry moved nothing: say so, with the sid,
/// exit 5 (not 3, the payment-in-doubt code), and the row is `cancelled`.
#[test]
fn a_failed_inquiry_says_nothing_moved_and_names_the_sid() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let cases: [(&str, &str, &[&str]); 3] = [
        (
            "/bankplus/bsa/checkAccount",
            "html-502",
            &["deposit", "--to", "14047", "--amount", "15000"],
        ),
        (
            "/bankplus/bsa/transfer/intrabank/inquiry",
            "commit-then-drop",
            &["transfer", "--to", "14049", "--amount", "10000", "--yes"],
        ),
        (
            "/bankplus/bsa/transfer/interbank/inquiry",
            "html-502",
            &[
                "transfer",
                "--bank",
                "008",
                "--to",
                "114451186",
                "--amount",
                "50000",
                "--yes",
            ],
        ),
    ];
    for (endpoint, fault, args) in cases {
        sb.fault(endpoint, fault);
        let mut json_args = vec!["--json"];
        json_args.extend_from_slice(args);
        let r = t.run(&json_args);
        expect(&r, 5);
        let v = r.json();
        assert_eq!(v["status"], "cancelled", "{v}");
        assert_eq!(v["error"]["code"], "INQUIRY_FAILED", "{v}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains("tidak ada uang yang berpindah"), "{msg}");
        assert!(msg.contains("Aman untuk dicoba lagi"), "{msg}");
        assert!(!msg.contains("Jangan ulangi"), "{msg}");
        let sid = sid_of(&v);
        assert!(msg.contains(&sid), "{msg}");
        let r = t.run(&["--json", "show", &sid]);
        expect(&r, 0);
        assert_eq!(r.json()["status"], "cancelled");

        // Human text: never DALAM PROSES.
        sb.fault(endpoint, fault);
        let r = t.run(args);
        expect(&r, 5);
        assert!(!r.stderr.contains("DALAM PROSES"), "{}", r.stderr);
        assert!(
            r.stderr.contains("TIDAK ADA UANG YANG BERPINDAH"),
            "{}",
            r.stderr
        );
    }
    assert_eq!(sb.balance("BNI", "4447"), OPENING, "nothing moved");
    // Trying again is indeed safe: the hold on payments in doubt does not apply.
    let r = t.run(&["--json", "deposit", "--to", "14047", "--amount", "15000"]);
    expect(&r, 0);
}

/// Defect 20: the export a supervisor opens in an id-ID spreadsheet.
#[test]
fn csv_export_neutralizes_formulas_and_keeps_ids_as_text() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let r = t.run(&[
        "--json",
        "deposit",
        "--to",
        "14047",
        "--name",
        "=HYPERLINK(\"http://evil\",\"klik\")",
        "--amount",
        "25000",
    ]);
    expect(&r, 0);
    let sid = sid_of(&r.json());
    let today = t.run(&["--json", "summary"]).json()["date"]
        .as_str()
        .unwrap()
        .to_owned();
    let csv = t.path().join("out.csv");
    let r = t.run(&[
        "export",
        "--from",
        &today,
        "--to",
        &today,
        "--csv",
        csv.to_str().unwrap(),
    ]);
    expect(&r, 0);
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(b"\xef\xbb\xbf"), "UTF-8 BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("sid;waktu_wib;jenis"));
    let row = lines.next().unwrap();
    assert!(row.starts_with(&format!("'{sid};")), "{row}");
    assert!(row.contains(";'14047;"), "{row}");
    // The bank's response code stays text too (`00`, not the number 0).
    assert!(row.contains(";'00;"), "{row}");
    // (Names such as `=HYPERLINK(…)` are covered in crates/journal/tests/reports.rs:
    // the deposit's recorded name is the bank's, not the one typed.)
    assert!(!row.contains(";=") && !row.contains(";\"="), "{row}");
}

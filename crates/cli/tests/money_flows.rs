//! Money through the real binary: balances moved exactly, lost answers
//! (commit-then-drop, HTML 502) as `unknown` then settled by `check`,
//! doubt holding a repeat, session expiry survived, resolve, reverse, the
//! journal views, and no secret on disk or in output.

mod common;
use common::*;

#[test]
fn balances_move_exactly_and_json_shapes() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let c48 = sb.balance("BNI", "14048");
    let c49 = sb.balance("BNI", "14049");
    let mandiri = sb.balance("008", "114451186");

    let r = t.run(&[
        "--json",
        "deposit",
        "--to",
        "14048",
        "--amount",
        "Rp25.000",
        "--narration",
        "setor",
    ]);
    expect(&r, 0);
    let v = r.json();
    for key in [
        "status",
        "sid",
        "amount",
        "admin_fee",
        "total",
        "account_number",
        "account_name",
    ] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    assert_eq!(v["status"], "succeeded");
    assert_eq!(v["amount"], 25000);
    assert_eq!(v["admin_fee"], 0);
    assert_eq!(v["total"], 25000);
    assert_eq!(v["account_name"], "SITI RAHAYU");
    assert_eq!(sb.balance("BNI", "4447"), OPENING - 25_000);
    assert_eq!(sb.balance("BNI", "14048"), c48 + 25_000);

    let r = t.run(&[
        "--json", "transfer", "--to", "14049", "--amount", "10.000", "--yes",
    ]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["status"], "succeeded");
    assert_eq!(
        (
            v["amount"].clone(),
            v["admin_fee"].clone(),
            v["total"].clone()
        ),
        (10000.into(), 1000.into(), 11000.into())
    );
    assert_eq!(v["account_number"], "14049");
    assert_eq!(sb.balance("BNI", "4447"), OPENING - 25_000 - 11_000);
    assert_eq!(sb.balance("BNI", "14049"), c49 + 10_000);

    let r = t.run(&[
        "--json",
        "transfer",
        "--bank",
        "008",
        "--to",
        "114451186",
        "--amount",
        "50000",
        "--yes",
    ]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["status"], "succeeded");
    assert_eq!(v["admin_fee"], 6500);
    assert_eq!(v["total"], 56500);
    assert_eq!(v["account_name"], "Ardha Herdianto");
    assert!(
        v["terbilang"]
            .as_str()
            .unwrap()
            .contains("lima puluh enam ribu"),
        "{v}"
    );
    assert_eq!(
        sb.balance("BNI", "4447"),
        OPENING - 25_000 - 11_000 - 56_500
    );
    assert_eq!(sb.balance("008", "114451186"), mandiri + 50_000);

    // Human transfer output shows the inquiry: name, bank, amount, fee, total, terbilang.
    let r = t.run(&[
        "transfer",
        "--bank",
        "008",
        "--to",
        "114451186",
        "--amount",
        "1000",
        "--yes",
    ]);
    expect(&r, 0);
    for needle in [
        "Ardha Herdianto",
        "Rp1.000",
        "Rp6.500",
        "Rp7.500",
        "tujuh ribu lima ratus rupiah",
        "BERHASIL",
    ] {
        assert!(r.stdout.contains(needle), "{needle}: {}", r.stdout);
    }

    // Open account.
    let form = t.path().join("form.json");
    std::fs::write(
        &form,
        serde_json::json!({
            "name": "Gabymars Yofie", "email": "gaby@email.com", "mother_name": "Siti Mamih",
            "profession": "KOMPUTER", "last_education": "S1/D4", "status_nikah": "Lajang",
            "pob": "Surabaya", "dob": "1997-08-01", "ktp": "3515014108970001", "gender": "l",
            "address": "Jl. Waru 1", "rt": "022", "rw": "001", "zip_code": "61256",
            "kelurahan": "Waru", "kecamatan": "Waru", "city": "Sidoarjo", "state": "Jawa Timur",
            "hp": "08998321234", "phone": "0319909221", "income": "1", "jumlah_transaksi": "1",
            "deposit": "100.000", "image_ktp": "ktp.jpg", "image_foto": "foto.png"
        })
        .to_string(),
    )
    .unwrap();
    let before = sb.balance("BNI", "4447");
    let r = t.run(&["--json", "open-account", "--form", form.to_str().unwrap()]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["status"], "succeeded");
    let new_account = v["account_number"]
        .as_str()
        .expect("new account")
        .to_owned();
    assert_eq!(sb.balance("BNI", &new_account), 100_000);
    assert_eq!(sb.balance("BNI", "4447"), before - 100_000);

    // History, summary, export, show.
    let r = t.run(&[
        "--json",
        "history",
        "--type",
        "deposit",
        "--status",
        "succeeded",
    ]);
    expect(&r, 0);
    let rows = r.json()["rows"].as_array().cloned().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["amount"], 25000);
    let r = t.run(&["--json", "history", "--limit", "2"]);
    let page = r.json();
    assert_eq!(page["rows"].as_array().unwrap().len(), 2);
    let next = page["next"].as_str().expect("a next cursor").to_owned();
    let r = t.run(&["--json", "history", "--limit", "2", "--after", &next]);
    expect(&r, 0);
    assert_eq!(r.json()["rows"].as_array().unwrap().len(), 2);
    let r = t.run(&["--json", "history", "--search", "SITI"]);
    assert_eq!(r.json()["rows"].as_array().unwrap().len(), 1);

    let r = t.run(&["--json", "summary"]);
    expect(&r, 0);
    let s = r.json();
    assert_eq!(s["admin_fees"], 1000 + 6500 + 6500);
    assert_eq!(s["cash_in"], 25_000 + 11_000 + 56_500 + 7_500 + 100_000);
    let r = t.run(&["summary"]);
    expect(&r, 0);
    assert!(r.stdout.contains("Kas masuk: Rp200.000"), "{}", r.stdout);

    let today = s["date"].as_str().unwrap().to_owned();
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
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.lines().count() >= 6, "{text}");
    expect(
        &t.run(&[
            "export",
            "--from",
            "2024-13-01",
            "--to",
            &today,
            "--csv",
            "x.csv",
        ]),
        2,
    );

    let sid = sid_of(&rows[0]);
    let r = t.run(&["--json", "show", &sid]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["status"], "succeeded");
    assert!(v["events"].as_array().unwrap().len() >= 3, "{v}");
    let r = t.run(&["show", &sid]);
    expect(&r, 0);
    assert!(r.stdout.contains("sending -> succeeded"), "{}", r.stdout);
    expect(&t.run(&["show", "2601010000000000"]), 2);
}

#[test]
fn lost_deposit_answer_is_unknown_held_then_checked() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let r = t.run(&["--json", "deposit", "--to", "14050", "--amount", "30000"]);
    expect(&r, 3);
    let v = r.json();
    assert_eq!(v["status"], "unknown");
    let sid = sid_of(&v);
    assert!(r.stderr.contains("DALAM PROSES"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("loket check {sid}")),
        "{}",
        r.stderr
    );
    // With a switcher, start-up recovery settles the doubt first (reported
    // on stderr), so the same deposit again is not held.
    let r = t.run(&["deposit", "--to", "14050", "--amount", "30000"]);
    expect(&r, 0);
    assert!(
        r.stderr.contains(&format!("{sid} -> succeeded")),
        "{}",
        r.stderr
    );

    // Without a switcher the doubt stays: the same deposit is held...
    let t2 = Terminal::new(&sb);
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let r = t2.run(&["--json", "deposit", "--to", "14051", "--amount", "30000"]);
    expect(&r, 3);
    let sid2 = sid_of(&r.json());
    let r = t2.run_no_switcher(&["--json", "deposit", "--to", "14051", "--amount", "30.000"]);
    expect(&r, 1);
    assert_eq!(r.json()["error"]["code"], "HELD_BY_DOUBT");
    // ...and goes through with --override (journaled).
    let before = sb.balance("BNI", "4447");
    let r = t2.run_no_switcher(&[
        "--json",
        "deposit",
        "--to",
        "14051",
        "--amount",
        "30000",
        "--override",
        "customer insists",
    ]);
    expect(&r, 0);
    let over = sid_of(&r.json());
    assert_eq!(sb.balance("BNI", "4447"), before - 30_000);
    // The override is journaled on the new row's timeline.
    let r = t2.run(&["show", &over]);
    assert!(
        r.stdout.contains(&format!(
            "allowed although {sid2} is in doubt: customer insists"
        )),
        "{}",
        r.stdout
    );

    // check settles it: succeeded, debited once.
    let r = t2.run_no_switcher(&["--json", "show", &sid2]);
    assert_eq!(r.json()["status"], "unknown");
    let r = t2.run(&["--json", "check", &sid2]);
    expect(&r, 0);
    assert_eq!(r.json()["status"], "succeeded");
    let r = t.run(&["--json", "check", &sid]);
    expect(&r, 0);
    assert_eq!(r.json()["status"], "succeeded");
    // Each of the four deposits was debited exactly once: the two lost
    // answers, the repeat after recovery, and the override.
    assert_eq!(sb.balance("BNI", "4447"), OPENING - 4 * 30_000);
}

#[test]
fn lost_transfer_answers_are_unknown_then_checked_once() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let c49 = sb.balance("BNI", "14049");
    let mandiri = sb.balance("008", "114451186");

    sb.fault(
        "/bankplus/bsa/transfer/intrabank/payment",
        "commit-then-drop",
    );
    let r = t.run_no_switcher(&[
        "--json", "transfer", "--to", "14049", "--amount", "20000", "--yes",
    ]);
    expect(&r, 3);
    let v = r.json();
    assert_eq!(v["status"], "unknown");
    let intra = sid_of(&v);

    sb.fault(
        "/bankplus/bsa/transfer/interbank/payment",
        "commit-then-drop",
    );
    let r = t.run_no_switcher(&[
        "transfer",
        "--bank",
        "008",
        "--to",
        "114451186",
        "--amount",
        "40000",
        "--yes",
    ]);
    expect(&r, 3);
    assert!(
        r.stdout.contains(
            "DALAM PROSES — status belum diketahui, jangan ulangi transaksi; jalankan: loket check"
        ),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("GAGAL"), "{}", r.stdout);
    let inter = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("SID: "))
        .unwrap()
        .trim()
        .to_owned();

    let r = t.run(&["--json", "check", &intra]);
    expect(&r, 0);
    assert_eq!(r.json()["status"], "succeeded");
    let r = t.run(&["--lang", "en", "check", &inter]);
    expect(&r, 0);
    assert!(r.stdout.contains("SUCCEEDED"), "{}", r.stdout);

    assert_eq!(sb.balance("BNI", "4447"), OPENING - 21_000 - 46_500);
    assert_eq!(sb.balance("BNI", "14049"), c49 + 20_000);
    assert_eq!(sb.balance("008", "114451186"), mandiri + 40_000);
}

#[test]
fn html_502_on_payment_is_unknown_and_journaled() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    sb.fault("/bankplus/bsa/depositAccount", "html-502");
    let r = t.run_no_switcher(&["--json", "deposit", "--to", "14047", "--amount", "15000"]);
    expect(&r, 3);
    let v = r.json();
    assert_eq!(v["status"], "unknown");
    assert_eq!(v["error"]["code"], "MALFORMED_REPLY");
    let sid = sid_of(&v);
    let r = t.run(&["--json", "show", &sid]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["status"], "unknown");
    assert_eq!(v["bank_code"], "MALFORMED_REPLY");
    assert!(v["bank_message"].as_str().unwrap().contains("502"), "{v}");
    // The HTML 502 came from a proxy: nothing was booked; a supervisor resolves it as failed.
    t.create_supervisor();
    let r = t.run_no_switcher(&[
        "--json",
        "resolve",
        &sid,
        "--as",
        "failed",
        "--reason",
        "no posting on statement",
    ]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["status"], "failed");
    assert_eq!(v["resolved_by"], SPV);
    assert_eq!(sb.balance("BNI", "4447"), OPENING);
}

#[test]
fn session_expiry_mid_flow_is_survived_once() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    sb.fault("/bankplus/bsa/depositAccount", "session-expiry");
    let r = t.run(&["--json", "deposit", "--to", "14047", "--amount", "12000"]);
    expect(&r, 0);
    assert_eq!(r.json()["status"], "succeeded");
    assert!(r.stderr.contains("Sesi habis"), "{}", r.stderr);
    assert_eq!(sb.balance("BNI", "4447"), OPENING - 12_000);

    sb.fault("/bankplus/bsa/transfer/intrabank/inquiry", "session-expiry");
    let r = t.run(&[
        "--json", "--lang", "en", "transfer", "--to", "14048", "--amount", "1000", "--yes",
    ]);
    expect(&r, 0);
    assert!(r.stderr.contains("session expired"), "{}", r.stderr);
    assert_eq!(sb.balance("BNI", "4447"), OPENING - 12_000 - 2_000);
}

#[test]
fn resolve_and_reverse() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let r = t.run_no_switcher(&["--json", "deposit", "--to", "14048", "--amount", "45000"]);
    expect(&r, 3);
    let sid = sid_of(&r.json());
    // No supervisor on this terminal yet: refused before anything happens.
    let r = t.run_no_switcher(&[
        "--json",
        "resolve",
        &sid,
        "--as",
        "succeeded",
        "--reason",
        "seen",
    ]);
    expect(&r, 2);
    assert_eq!(r.json()["error"]["code"], "NO_SUPERVISOR");
    t.create_supervisor();
    // A wrong supervisor password: refused, the transaction still in doubt.
    let mut c = t.cmd(&[
        "--json",
        "resolve",
        &sid,
        "--as",
        "succeeded",
        "--reason",
        "seen",
    ]);
    c.env("LOKET_SUPERVISOR_PASSWORD", "bukan-ini");
    let r = t.run_cmd(c);
    expect(&r, 1);
    assert_eq!(r.json()["error"]["code"], "SUPERVISOR_WRONG");
    assert_eq!(t.run(&["--json", "show", &sid]).json()["status"], "unknown");
    expect(
        &t.run_no_switcher(&["resolve", &sid, "--as", "succeeded", "--reason", " "]),
        2,
    );
    let r = t.run_no_switcher(&[
        "--json",
        "resolve",
        &sid,
        "--as",
        "succeeded",
        "--reason",
        "seen on statement",
    ]);
    expect(&r, 0);
    assert_eq!(r.json()["status"], "succeeded");
    assert_eq!(r.json()["resolved_by"], SPV);
    // Resolving again: wrong state.
    expect(
        &t.run_no_switcher(&["resolve", &sid, "--as", "failed", "--reason", "x"]),
        1,
    );

    let c48 = sb.balance("BNI", "14048");
    let r = t.run(&["--json", "reverse", &sid, "--reason", "wrong account"]);
    expect(&r, 0);
    assert_eq!(r.json()["status"], "reversed");
    assert_eq!(sb.balance("BNI", "14048"), c48 - 45_000);
    let r = t.run(&["--json", "history", "--type", "reversal"]);
    assert_eq!(r.json()["rows"].as_array().unwrap().len(), 1);
    // Reversing twice: wrong state.
    let r = t.run(&["--json", "reverse", &sid, "--reason", "again"]);
    expect(&r, 1);
    assert_eq!(r.json()["error"]["code"], "WRONG_STATE");
}

#[test]
fn no_secret_on_disk_or_in_output() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    expect(&t.run(&["deposit", "--to", "14047", "--amount", "1000"]), 0);
    expect(
        &t.run(&[
            "--json", "transfer", "--to", "14048", "--amount", "1000", "--yes",
        ]),
        0,
    );
    expect(
        &t.run(&[
            "transfer",
            "--bank",
            "008",
            "--to",
            "114451186",
            "--amount",
            "1000",
            "--yes",
        ]),
        0,
    );
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    expect(
        &t.run(&["--json", "deposit", "--to", "14049", "--amount", "1000"]),
        3,
    );
    let mut c = t.cmd(&["customer-balance", "14047"]);
    c.env("LOKET_CUSTOMER_PIN", "140470");
    expect(&t.run_cmd(c), 0);
    let mut c = t.cmd(&["deposit", "--to", "14047", "--amount", "1000"]);
    c.env("LOKET_PIN", "111111");
    expect(&t.run_cmd(c), 1);
    expect(&t.run(&["history"]), 0);
    expect(&t.run(&["--json", "balance"]), 0);

    let secrets = [PIN, PASSWORD, "140470"];
    let files = t.files();
    assert!(files.iter().any(|f| f.ends_with("journal.db")));
    assert!(
        files.iter().any(|f| f.to_string_lossy().contains("logs")),
        "{files:?}"
    );
    for f in &files {
        let name = f.to_string_lossy();
        if !(name.contains("journal.db") || name.contains("logs")) {
            continue;
        }
        let bytes = std::fs::read(f).unwrap();
        for s in secrets {
            assert!(
                !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                "{s} found in {name}"
            );
        }
    }
    let captured = t.captured.borrow();
    for s in secrets {
        assert!(!captured.contains(s), "{s} in output");
    }
}

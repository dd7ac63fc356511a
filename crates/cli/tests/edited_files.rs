//! The agent edits Loket's files by hand (the sqlite3 shell on journal.db,
//! a text editor on settings.json) and then works with the real `loket`
//! binary: every edit is named, and no money moves on the edited data.

mod common;

use common::{expect, Run, Sandbox, Terminal};

/// Without a switcher, so start-up recovery leaves the doubt as it is.
fn deposit(t: &Terminal, amount: &str) -> Run {
    t.run_no_switcher(&[
        "--json",
        "deposit",
        "--to",
        "14048",
        "--amount",
        amount,
        "--name",
        "SITI RAHAYU",
    ])
}

/// The sqlite3 shell: `UPDATE transactions SET state = …` needs no trigger
/// dropped (the row is not chained; its events are).
fn set_state(t: &Terminal, sid: &str, state: &str) {
    let db = rusqlite::Connection::open(t.path().join("journal.db")).expect("journal");
    let n = db
        .execute(
            "UPDATE transactions SET state = ?2 WHERE sid = ?1",
            [sid, state],
        )
        .expect("update");
    assert_eq!(n, 1);
}

fn error_code(r: &Run) -> String {
    r.json()["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A payment in doubt (booked by the bank) whose row the agent sets to
/// `failed` in the shell, to lift the hold and pay the customer again.
/// Before the fix the repeat went out (the ledger moved twice), and the row
/// could be checked, resolved and reversed as if Loket had written it.
#[test]
fn a_state_edited_in_the_journal_is_named_and_moves_no_money() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    t.create_supervisor();
    let opening = sb.balance("BNI", "4447");
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let r = t.run_no_switcher(&[
        "--json",
        "deposit",
        "--to",
        "14048",
        "--amount",
        "41000",
        "--name",
        "SITI RAHAYU",
    ]);
    expect(&r, 3);
    let sid = r.sid();
    assert_eq!(sb.balance("BNI", "4447"), opening - 41_000, "booked");

    // The same payment again is held while the first is in doubt.
    let again = deposit(&t, "41000");
    assert_eq!(error_code(&again), "HELD_BY_DOUBT", "{}", again.stdout);

    set_state(&t, &sid, "failed");
    let deposits = sb.requests_to("/bankplus/bsa/depositAccount");
    let again = deposit(&t, "41000");
    assert_eq!(again.code, 1, "{}\n{}", again.stdout, again.stderr);
    assert_eq!(error_code(&again), "HELD_BY_DOUBT", "{}", again.stdout);
    assert_eq!(
        sb.requests_to("/bankplus/bsa/depositAccount"),
        deposits,
        "the repeat never left"
    );

    // Nothing else acts on the edited row either; each says what happened.
    for args in [
        vec!["--json", "check", &sid],
        vec!["--json", "show", &sid],
        vec![
            "--json", "resolve", &sid, "--as", "failed", "--reason", "edited",
        ],
        vec!["--json", "reverse", &sid, "--reason", "edited"],
        vec!["--json", "receipt", &sid, "--copy"],
    ] {
        let r = t.run(&args);
        assert_ne!(r.code, 0, "{args:?}\n{}\n{}", r.stdout, r.stderr);
        let text = format!("{}{}", r.stdout, r.stderr);
        assert!(
            text.contains("ROW_EDITED") || text.contains("diubah di luar Loket"),
            "{args:?}: {text}"
        );
    }
    assert_eq!(sb.requests_to("/reversal"), 0);
    // The full verification lists it.
    let v = t.run(&["--json", "verify", "--full"]);
    assert_ne!(v.code, 0, "{}\n{}", v.stdout, v.stderr);
    assert!(
        v.stdout.contains(&format!(
            "transaction {sid} says failed, but its events say unknown"
        )),
        "{}",
        v.stdout
    );
    // Set back as it was, everything works again: the switcher settles it.
    set_state(&t, &sid, "unknown");
    expect(&t.run(&["--json", "check", &sid]), 0);
    assert_eq!(t.state_of(&sid), "succeeded");

    // A succeeded row made `unknown` cannot be resolved as failed either.
    set_state(&t, &sid, "unknown");
    let r = t.run_no_switcher(&[
        "--json", "resolve", &sid, "--as", "failed", "--reason", "edited",
    ]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    set_state(&t, &sid, "succeeded");
    assert_eq!(t.state_of(&sid), "succeeded");
    assert_eq!(sb.balance("BNI", "4447"), opening - 41_000, "debited once");
}

/// settings.json's switcher edited by hand (its server left alone). The
/// switcher settles doubts and carries reversals, so one the agent chose
/// could call a booked payment "not found". Before the fix only a changed
/// server stopped the bank commands; a changed switcher was merely noted.
#[test]
fn a_hand_edited_switcher_stops_bank_commands_like_a_server() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let settings = t.path().join("settings.json");
    let write = |switcher: &str| {
        let v = serde_json::json!({
            "server": sb.base,
            "switcher": switcher,
            "lang": "id",
            "idle_lock_minutes": 5,
            "paper_mm": 58
        });
        std::fs::write(&settings, v.to_string()).expect("settings");
    };
    write(&sb.base);
    expect(&t.run(&["--json", "balance"]), 0);
    let balances = sb.requests_to("/bankplus/account/balance");

    write("http://127.0.0.1:9");
    let r = t.run(&["--json", "balance"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(error_code(&r), "SETTINGS_CHANGED", "{}", r.stdout);
    assert!(
        r.json()["error"]["message"]
            .to_string()
            .contains("127.0.0.1:9"),
        "{}",
        r.stdout
    );
    assert_eq!(sb.requests_to("/bankplus/account/balance"), balances);
    let status = t.run(&["--json", "settings", "status"]);
    expect(&status, 0);
    assert_eq!(status.json()["server_changed"], true, "{}", status.stdout);

    // Restored, it works again.
    write(&sb.base);
    expect(&t.run(&["--json", "balance"]), 0);
}

/// settings.json's update endpoint (where the app fetches the code it
/// installs) edited by hand, server and switcher left alone. The settings
/// fingerprint held only the server and the switcher, so before the fix the
/// edit was merely noted: bank commands went on, and a settings save of the
/// app recorded the edited file as approved. Now it is refused like an
/// edited server (SETTINGS_CHANGED) until a supervisor approves it.
#[test]
fn a_hand_edited_update_endpoint_is_refused_like_a_server() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let settings = t.path().join("settings.json");
    let write = |update: Option<&str>| {
        let v = serde_json::json!({
            "server": sb.base,
            "switcher": sb.base,
            "lang": "id",
            "idle_lock_minutes": 5,
            "paper_mm": 58,
            "update_endpoint": update,
        });
        std::fs::write(&settings, v.to_string()).expect("settings");
    };
    write(None);
    expect(&t.run(&["--json", "balance"]), 0);
    t.create_supervisor();
    let balances = sb.requests_to("/bankplus/account/balance");

    write(Some("https://updates.example.net/latest.json"));
    let r = t.run(&["--json", "balance"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(error_code(&r), "SETTINGS_CHANGED", "{}", r.stdout);
    assert!(
        r.json()["error"]["message"]
            .to_string()
            .contains("updates.example.net"),
        "{}",
        r.stdout
    );
    assert_eq!(sb.requests_to("/bankplus/account/balance"), balances);
    let status = t.run(&["--json", "settings", "status"]);
    expect(&status, 0);
    assert_eq!(status.json()["update_changed"], true, "{}", status.stdout);

    // A supervisor approves it: it works again.
    expect(&t.run(&["--json", "settings", "approve"]), 0);
    expect(&t.run(&["--json", "balance"]), 0);
}

/// A settings.json recorded by the previous version (fingerprint without the
/// update endpoint) still opens while the file is the one recorded: the
/// fingerprint is taken over once in the new form, nothing is refused or
/// noted. Edited by hand after that older record, an update endpoint that
/// nothing shows approved is refused.
#[test]
fn a_settings_fingerprint_of_the_previous_version_is_taken_over_once() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let settings = t.path().join("settings.json");
    let write = |update: Option<&str>| {
        let v = serde_json::json!({
            "server": sb.base,
            "switcher": sb.base,
            "update_endpoint": update,
        });
        std::fs::write(&settings, v.to_string()).expect("settings");
    };
    let old_form = || {
        let bytes = std::fs::read(&settings).expect("settings");
        let j = journal::Journal::open(&t.path().join("journal.db")).expect("journal");
        j.record_integrity_note(
            "settings",
            &format!(
                "sha256={};server={};switcher={}",
                journal::chain::sha256_hex(&bytes),
                sb.base,
                sb.base
            ),
        )
        .expect("note");
    };
    write(Some("https://updates.example.net/latest.json"));
    expect(&t.run(&["--json", "balance"]), 0);
    old_form();
    expect(&t.run(&["--json", "balance"]), 0);
    let status = t.run(&["--json", "settings", "status"]);
    assert_eq!(status.json()["file_changed"], false, "{}", status.stdout);

    old_form();
    write(Some("https://elsewhere.example.net/latest.json"));
    let r = t.run(&["--json", "balance"]);
    assert_eq!(error_code(&r), "SETTINGS_CHANGED", "{}", r.stdout);
}

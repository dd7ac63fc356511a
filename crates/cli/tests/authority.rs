//! Supervisor authority the agent's own PC cannot quietly fake (issue 10,
//! defects 6, 23 and 24), through the real `loket` binary: parallel
//! attempts against the lockout from many processes, supervisor passwords
//! that are the agent's or common, and `sqlite3`-style edits of journal.db
//! (a plain rusqlite connection without Loket's chain function, as the
//! shell would be).

mod common;
use common::*;

use std::process::Stdio;
use std::time::{Duration, Instant};

fn db(t: &Terminal) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(t.path().join("journal.db")).expect("journal.db");
    c.busy_timeout(Duration::from_secs(30))
        .expect("busy timeout");
    c
}

fn text(r: &Run) -> String {
    format!("{}{}", r.stdout, r.stderr)
}

/// Defect 6: 30 wrong passwords from 30 processes at once, and the right
/// one while they run: exactly `max_failures` attempts are checked, the
/// rest and the right one are refused by the lock, which stays set.
#[test]
fn parallel_wrong_passwords_cannot_outrun_the_lock() {
    let t = Terminal::in_process();
    t.create_supervisor();
    let copy = ["--json", "receipt", "2611290000000001", "--copy"];
    let mut wrong = Vec::new();
    for i in 0..30 {
        let mut c = t.cmd(&copy);
        c.env("LOKET_SUPERVISOR_PASSWORD", format!("salah-salah-{i}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        wrong.push(c.spawn().expect("loket starts"));
    }
    // The right password, once the lock is set while the burst still runs.
    let db = db(&t);
    let started = Instant::now();
    loop {
        let locked: Option<i64> = db
            .query_row(
                "SELECT locked_until FROM supervisor_lockout WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .unwrap_or(None);
        if locked.is_some() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no lock was set"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut right = t.cmd(&copy);
    right.stdout(Stdio::piped()).stderr(Stdio::piped());
    let right = right.spawn().expect("loket starts");
    let (mut refused_wrong, mut refused_locked) = (0, 0);
    for child in wrong {
        let out = child.wait_with_output().expect("loket ends");
        let all = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{all}");
        if all.contains("SUPERVISOR_WRONG") {
            refused_wrong += 1;
        } else if all.contains("SUPERVISOR_LOCKED") {
            refused_locked += 1;
        } else {
            panic!("neither wrong nor locked: {all}");
        }
    }
    let out = right.wait_with_output().expect("loket ends");
    let all =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        all.contains("SUPERVISOR_LOCKED"),
        "the right password got in during the lock: {all}"
    );
    // Four "wrong" answers, the fifth set the lock, everything after it refused.
    assert_eq!((refused_wrong, refused_locked), (4, 26));
    let (attempts, locked): (i64, Option<i64>) = db
        .query_row(
            "SELECT attempts, locked_until FROM supervisor_lockout WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("lockout row");
    assert_eq!(
        attempts, 5,
        "every checked attempt is counted, and only those"
    );
    assert!(locked.is_some(), "the lock was lifted");
    // The lock is still on for the right password afterwards.
    let r = t.run(&copy);
    assert!(text(&r).contains("SUPERVISOR_LOCKED"), "{}", text(&r));
}

/// Defect 24: the agent's password and common passwords are refused, with why.
#[test]
fn a_supervisor_password_may_not_be_the_agents_or_a_common_one() {
    let t = Terminal::in_process();
    let mut c = t.cmd(&["supervisor", "create"]);
    c.env("LOKET_SUPERVISOR_PASSWORD", PASSWORD);
    let r = t.run_cmd(c);
    expect(&r, 2);
    assert!(
        r.stderr.contains("tidak boleh sama dengan password agen")
            && r.stderr.contains("SUPERVISOR_PASSWORD_IS_AGENTS"),
        "{}",
        r.stderr
    );
    for common in ["12345678", "password", "Qwertyui", "bankplus123"] {
        let mut c = t.cmd(&["supervisor", "create"]);
        c.env("LOKET_SUPERVISOR_PASSWORD", common);
        let r = t.run_cmd(c);
        expect(&r, 2);
        assert!(
            r.stderr.contains("terlalu umum") && r.stderr.contains("SUPERVISOR_PASSWORD_COMMON"),
            "{}",
            r.stderr
        );
    }
    let r = t.run(&["--json", "supervisor", "status"]);
    assert_eq!(r.json()["has_supervisor"], false);
    t.create_supervisor();
}

/// Defect 23: deleting the supervisor with the shell, then creating one's
/// own, is refused; so is everything a supervisor approves.
#[test]
fn a_deleted_supervisor_cannot_be_replaced_by_the_agent() {
    let t = Terminal::in_process();
    t.create_supervisor();
    {
        let db = db(&t);
        // The shell cannot delete it while Loket's triggers stand…
        assert!(db.execute("DELETE FROM supervisors", []).is_err());
        // …so the agent drops the trigger first.
        db.execute_batch("DROP TRIGGER supervisors_are_kept; DELETE FROM supervisors;")
            .expect("shell edit");
    }
    let mut c = t.cmd(&["supervisor", "create"]);
    c.env("LOKET_SUPERVISOR", "Agent Sendiri")
        .env("LOKET_SUPERVISOR_PASSWORD", "Agen-Jadi-Spv-99");
    let r = t.run_cmd(c);
    assert_ne!(r.code, 0, "{}", text(&r));
    assert!(
        text(&r).contains("JOURNAL_TAMPERED") || text(&r).contains("diubah di luar Loket"),
        "{}",
        text(&r)
    );
    assert!(
        text(&r).contains("supervisor Budi Supervisor was deleted")
            || text(&r).contains("was deleted"),
        "{}",
        text(&r)
    );
    // The finding is recorded in the chain.
    let n: i64 = db(&t)
        .query_row(
            "SELECT count(*) FROM integrity_notes WHERE kind = 'tamper'",
            [],
            |r| r.get(0),
        )
        .expect("notes");
    assert_eq!(n, 1);
}

/// Defect 23: even with every chain trigger gone and the chain wiped, a
/// first supervisor on a journal that has had one is refused, and edits of
/// events and authorizations are named.
#[test]
fn edits_of_chained_rows_and_the_lockout_are_named() {
    let t = Terminal::in_process();
    t.create_supervisor();
    let r = t.run(&["--json", "deposit", "--to", "14047", "--amount", "25.000"]);
    expect(&r, 0);
    // A wrong password, so the lockout row counts one failure.
    let mut c = t.cmd(&["receipt", "2611290000000001", "--copy"]);
    c.env("LOKET_SUPERVISOR_PASSWORD", "salah-sekali-1");
    assert_ne!(t.run_cmd(c).code, 0);

    // The shell cannot update the lockout while the chain trigger stands
    // (it calls a function only Loket has).
    let db = db(&t);
    let e = db
        .execute(
            "UPDATE supervisor_lockout SET failures = 0 WHERE id = 1",
            [],
        )
        .expect_err("refused");
    assert!(e.to_string().contains("loket_chain"), "{e}");
    db.execute_batch(
        "DROP TRIGGER chain_lockout; UPDATE supervisor_lockout SET failures = 0, attempts = 0 WHERE id = 1;
         DROP TRIGGER events_are_append_only_u;
         UPDATE events SET actor = 'someone else' WHERE id = (SELECT min(id) FROM events);",
    )
    .expect("shell edits");
    let first_event: i64 = db
        .query_row("SELECT min(id) FROM events", [], |r| r.get(0))
        .expect("an event");
    let r = t.run(&["receipt", "2611290000000001", "--copy"]);
    let all = text(&r);
    assert_ne!(r.code, 0, "{all}");
    assert!(
        all.contains(&format!("events row {first_event}")) && all.contains("was changed"),
        "{all}"
    );
    assert!(all.contains("supervisor lockout row was changed"), "{all}");
    assert!(all.contains("trigger chain_lockout was removed"), "{all}");
}

/// Defect 23 in the CLI: settings.json edited by hand to name another server
/// stops every command that talks to a bank (nothing is sent, old and new
/// named, the fix said); journal reads still work; a wrong supervisor
/// password approves nothing; `loket settings approve` by the supervisor is
/// journaled and lets commands run again; a later edit is refused again.
#[test]
fn a_hand_edited_settings_server_stops_bank_commands_until_a_supervisor_approves() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    t.create_supervisor();
    expect(&t.run(&["balance"]), 0);
    let settings = t.path().join("settings.json");
    std::fs::write(&settings, br#"{"server": "https://bank.example.co.id"}"#)
        .expect("write settings");
    let logins = sb.requests_to("/bankplus/users/auth");
    for args in [
        &["--json", "balance"][..],
        &["--json", "deposit", "--to", "14048", "--amount", "10000"][..],
        &["--json", "check", "2611290000000001"][..],
    ] {
        let r = t.run(args);
        expect(&r, 1);
        let e = &r.json()["error"];
        assert_eq!(e["code"], "SETTINGS_CHANGED", "{args:?}: {}", r.stdout);
        let message = e["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("https://bank.example.co.id") && message.contains("server -"),
            "old and new named: {message}"
        );
        assert!(message.contains("loket settings approve"), "{message}");
    }
    assert_eq!(
        sb.requests_to("/bankplus/users/auth"),
        logins,
        "nothing was sent"
    );
    expect(&t.run(&["history"]), 0);
    let status = t.run(&["--json", "settings", "status"]);
    expect(&status, 0);
    assert_eq!(status.json()["server_changed"], true, "{}", status.stdout);

    let mut c = t.cmd(&["--json", "settings", "approve"]);
    c.env("LOKET_SUPERVISOR_PASSWORD", "bukan-ini-juga-9");
    let r = t.run_cmd(c);
    expect(&r, 1);
    assert_eq!(r.json()["error"]["code"], "SUPERVISOR_WRONG");
    expect(&t.run(&["balance"]), 1);

    let r = t.run(&["--json", "settings", "approve"]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["approved"], true, "{v}");
    assert_eq!(v["previous_server"], "-", "{v}");
    assert_eq!(v["server"], "https://bank.example.co.id", "{v}");
    let (by, detail): (String, String) = db(&t)
        .query_row(
            "SELECT authorized_by, detail FROM authorizations WHERE action = 'settings-approve'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("journaled");
    assert_eq!(by, SPV);
    assert!(
        detail.contains("- -> https://bank.example.co.id"),
        "{detail}"
    );
    // The terminal still runs on the server it was given (--server); the
    // approved file no longer stops it.
    expect(&t.run(&["balance"]), 0);

    std::fs::write(&settings, br#"{"server": "https://other.example.com"}"#)
        .expect("write settings");
    let r = t.run(&["--json", "balance"]);
    expect(&r, 1);
    let message = r.json()["error"]["message"].to_string();
    assert!(
        message.contains("https://bank.example.co.id -> https://other.example.com"),
        "{message}"
    );
}

/// Each start verifies the chain since its last clean check (a checkpoint);
/// `loket verify --full` re-hashes every row and names an old row edited by
/// someone who put the append-only trigger back exactly.
#[test]
fn loket_verify_full_names_an_old_edit_the_start_check_leaves_to_it() {
    let t = Terminal::in_process();
    expect(
        &t.run(&["--json", "deposit", "--to", "14047", "--amount", "25.000"]),
        0,
    );
    expect(&t.run(&["history"]), 0);
    let db = db(&t);
    let trigger: String = db
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'events_are_append_only_u'",
            [],
            |r| r.get(0),
        )
        .expect("trigger sql");
    db.execute_batch(&format!(
        "DROP TRIGGER events_are_append_only_u;
         UPDATE events SET actor = 'someone else' WHERE id = (SELECT min(id) FROM events);
         {trigger};"
    ))
    .expect("shell edit");
    let r = t.run(&["--json", "verify"]);
    expect(&r, 0);
    assert_eq!(r.json()["full"], false);
    let r = t.run(&["--json", "verify", "--full"]);
    expect(&r, 1);
    let v = r.json();
    assert_eq!(v["status"], "failed", "{v}");
    let problems = v["problems"].to_string();
    assert!(
        problems.contains("events row") && problems.contains("was changed"),
        "{problems}"
    );
}

/// `loket supervisor …` with these supervisor credentials (the approver,
/// or for `passwd` the supervisor and the old password) and, when given, a
/// new supervisor password; all through the environment, never argv.
fn as_supervisor(t: &Terminal, args: &[&str], who: (&str, &str), new: Option<&str>) -> Run {
    let mut c = t.cmd(args);
    c.env("LOKET_SUPERVISOR", who.0)
        .env("LOKET_SUPERVISOR_PASSWORD", who.1);
    match new {
        Some(p) => c.env("LOKET_NEW_SUPERVISOR_PASSWORD", p),
        None => c.env_remove("LOKET_NEW_SUPERVISOR_PASSWORD"),
    };
    t.run_cmd(c)
}

/// Issue 15: `loket supervisor add|passwd|disable|list`. A second
/// supervisor added with the first one's approval approves a reprint; the
/// last active one cannot be disabled; a disabled one is refused at
/// approval; `passwd` with a wrong old password is refused and changes
/// nothing; every change is journaled (who, what, approved by); no
/// password is in any file of the data directory.
#[test]
fn supervisors_are_added_changed_and_disabled_from_the_command_line() {
    const CITRA: &str = "Citra Pengawas";
    const CITRA_PW: &str = "Citra-Pagi-2026";
    const CITRA_NEW: &str = "Citra-Sore-2026";
    let t = Terminal::in_process();
    t.create_supervisor();
    let spv = (SPV, SPV_PASSWORD);

    // Added with the first one's approval; not with a wrong approval.
    let r = as_supervisor(
        &t,
        &["--json", "supervisor", "add", CITRA],
        (SPV, "salah-salah"),
        Some(CITRA_PW),
    );
    expect(&r, 1);
    assert!(text(&r).contains("SUPERVISOR_WRONG"), "{}", text(&r));
    let r = as_supervisor(
        &t,
        &["--json", "supervisor", "add", CITRA],
        spv,
        Some(PASSWORD),
    );
    expect(&r, 2);
    assert!(
        text(&r).contains("SUPERVISOR_PASSWORD_IS_AGENTS"),
        "{}",
        text(&r)
    );
    let r = as_supervisor(
        &t,
        &["--json", "supervisor", "add", CITRA],
        spv,
        Some(CITRA_PW),
    );
    expect(&r, 0);
    assert_eq!(r.json()["approved_by"], SPV);

    // The new one approves: a copy of a receipt is refused only for want
    // of the transaction, not of the approval (the approval comes first).
    let r = as_supervisor(
        &t,
        &["--json", "supervisor", "disable", SPV],
        (CITRA, CITRA_PW),
        None,
    );
    expect(&r, 0);
    let list = t.run(&["--json", "supervisor", "list"]).json();
    let rows = list["supervisors"].as_array().expect("rows").clone();
    let row = |n: &str| rows.iter().find(|s| s["name"] == n).expect(n).clone();
    assert_eq!(row(SPV)["active"], false);
    assert_eq!(row(SPV)["disabled_by"], CITRA);
    assert_eq!(row(CITRA)["active"], true);
    assert_eq!(row(CITRA)["created_by"], SPV);
    assert!(row(CITRA)["last_used"].is_string(), "{list}");
    assert!(
        !list.to_string().contains("argon2"),
        "a hash in the list: {list}"
    );
    let human = t.run(&["supervisor", "list"]);
    expect(&human, 0);
    assert!(
        human.stdout.contains("nonaktif sejak") && human.stdout.contains("aktif"),
        "{}",
        human.stdout
    );

    // The last active one stays; the disabled one approves nothing.
    let r = as_supervisor(
        &t,
        &["--json", "supervisor", "disable", CITRA],
        (CITRA, CITRA_PW),
        None,
    );
    expect(&r, 1);
    assert!(
        text(&r).contains("SUPERVISOR_LAST_ACTIVE") && text(&r).contains("satu-satunya"),
        "{}",
        text(&r)
    );
    let r = as_supervisor(
        &t,
        &["--json", "supervisor", "add", "Dewi"],
        spv,
        Some("Dewi-Malam-2026"),
    );
    expect(&r, 1);
    assert!(
        text(&r).contains("SUPERVISOR_DISABLED") && text(&r).contains("dinonaktifkan"),
        "{}",
        text(&r)
    );
    let r = as_supervisor(
        &t,
        &["--json", "receipt", "2611290000000001", "--copy"],
        spv,
        None,
    );
    assert!(text(&r).contains("SUPERVISOR_DISABLED"), "{}", text(&r));

    // passwd: a wrong old password is refused and changes nothing.
    let before: String = db(&t)
        .query_row(
            "SELECT phc FROM supervisors WHERE name = ?1",
            [CITRA],
            |r| r.get(0),
        )
        .expect("citra");
    let r = as_supervisor(
        &t,
        &["--json", "supervisor", "passwd"],
        (CITRA, "bukan-yang-lama"),
        Some(CITRA_NEW),
    );
    expect(&r, 1);
    assert!(text(&r).contains("SUPERVISOR_WRONG"), "{}", text(&r));
    let after: String = db(&t)
        .query_row(
            "SELECT phc FROM supervisors WHERE name = ?1",
            [CITRA],
            |r| r.get(0),
        )
        .expect("citra");
    assert_eq!(before, after, "a refused passwd changed the hash");
    let r = as_supervisor(
        &t,
        &["--json", "supervisor", "passwd"],
        (CITRA, CITRA_PW),
        Some(CITRA_NEW),
    );
    expect(&r, 0);
    let r = as_supervisor(
        &t,
        &["--json", "supervisor", "add", "Dewi"],
        (CITRA, CITRA_PW),
        Some("Dewi-Malam-2026"),
    );
    assert!(
        text(&r).contains("SUPERVISOR_WRONG"),
        "the old password still works: {}",
        text(&r)
    );
    let r = as_supervisor(
        &t,
        &["--json", "supervisor", "add", "Dewi"],
        (CITRA, CITRA_NEW),
        Some("Dewi-Malam-2026"),
    );
    expect(&r, 0);

    // Journaled in `authorizations`: who, what, approved by, whom.
    let conn = db(&t);
    let mut st = conn
        .prepare("SELECT action, actor, authorized_by, detail FROM authorizations ORDER BY id")
        .expect("query");
    let rows: Vec<(String, String, String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("read");
    let row = |a: &str, by: &str, who: &str| (a.into(), USER.into(), by.into(), who.into());
    assert_eq!(
        rows,
        [
            row("supervisor-add", SPV, CITRA),
            row("supervisor-disable", CITRA, SPV),
            row("supervisor-passwd", CITRA, CITRA),
            row("supervisor-add", CITRA, "Dewi"),
        ]
    );
    drop(st);
    drop(conn);
    // The chain holds over the changed rows.
    expect(&t.run(&["verify", "--full"]), 0);

    for secret in [
        SPV_PASSWORD,
        CITRA_PW,
        CITRA_NEW,
        "Dewi-Malam-2026",
        PASSWORD,
    ] {
        for f in t.files() {
            let bytes = std::fs::read(&f).unwrap_or_default();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} is in {}",
                f.display()
            );
        }
        assert!(
            !t.captured.borrow().contains(secret),
            "{secret} was printed"
        );
    }
}

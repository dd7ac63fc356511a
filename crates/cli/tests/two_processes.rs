//! Two real `loket` processes on one data directory at the same moment,
//! checked against the sandbox's ledger and request counts: a `check` of a
//! payment another process is still sending, a supervisor resolving while
//! the agent's `check` is waiting for the switcher, logins, logouts and an
//! expired session of one process while the other pays, and checks and
//! reversals of different transactions at once. Nothing leaves twice and
//! nothing is lost.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{expect, sid_of, Run, Sandbox, Terminal};

fn spawn(t: &Terminal, args: &[&str]) -> Child {
    t.cmd(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket starts")
}

fn finish(child: Child) -> Run {
    let out = child.wait_with_output().expect("loket ends");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Waits (up to a minute: a loaded CI machine) until journal.db has a row
/// in `state`, and returns its sid. Reads as the sqlite3 shell would.
fn wait_for_row(dir: &Path, state: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(db) = rusqlite::Connection::open_with_flags(
            dir.join("journal.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        ) {
            let found: Option<String> = db
                .query_row(
                    "SELECT sid FROM transactions WHERE state = ?1 ORDER BY sid DESC LIMIT 1",
                    [state],
                    |r| r.get(0),
                )
                .ok();
            if let Some(sid) = found {
                return sid;
            }
        }
        assert!(Instant::now() < deadline, "no row became {state}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A `check` (and a `history`, and a second agent's login/logout with an
/// expired session) while another process is sending the payment. Before
/// the fix, `check` of a row still `sending` reported the switcher's
/// "refnum provided was not found" as a refusal (exit 1, "Ditolak bank"),
/// so the agent read a payment on its way as refused.
#[test]
fn a_check_of_a_payment_another_process_is_sending_says_in_progress() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let opening = sb.balance("BNI", "4447");
    sb.rule(
        "/bankplus/bsa/depositAccount",
        serde_json::json!({"kind": "latency", "ms": 6000}),
    );
    let a = spawn(
        &t,
        &[
            "--json",
            "deposit",
            "--to",
            "14048",
            "--amount",
            "21000",
            "--name",
            "SITI RAHAYU",
        ],
    );
    let sid = wait_for_row(t.path(), "sending");
    // B: the agent checks the payment on its way.
    let b = t.run(&["--json", "check", &sid]);
    assert_eq!(
        b.code, 3,
        "in progress, not refused\n{}\n{}",
        b.stdout, b.stderr
    );
    let v = b.json();
    assert_eq!(v["status"], "unknown", "{v}");
    let text = v.to_string();
    assert!(!text.contains("Tidak ada uang"), "{text}");
    // C: another login/logout, whose balance call finds its session expired.
    sb.fault("/bankplus/account/balance", "session-expiry");
    let c = t.run(&["balance"]);
    assert_ne!(c.code, 0, "{}", c.stderr);
    expect(&t.run(&["--json", "history", "--limit", "5"]), 0);

    let a = finish(a);
    expect(&a, 0);
    assert_eq!(sid_of(&a.json()), sid);
    assert_eq!(t.state_of(&sid), "succeeded");
    assert_eq!(sb.requests_to("/bankplus/bsa/depositAccount"), 1);
    assert_eq!(sb.balance("BNI", "4447"), opening - 21_000, "debited once");
}

/// The agent's `check` waits for a slow switcher that will say "booked"; a
/// supervisor resolves the doubt as failed meanwhile (another process).
/// Before the fix, the check then found the row settled and kept the
/// supervisor's "failed" silently: a payment the switcher had just called
/// booked stayed failed, and the customer could be paid twice. Now the
/// switcher's answer corrects it, loudly, as any booked answer on a failed row.
#[test]
fn a_supervisor_resolving_while_the_check_waits_is_corrected_by_the_switchers_answer() {
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
        "23000",
        "--name",
        "SITI RAHAYU",
    ]);
    expect(&r, 3);
    let sid = r.sid();
    assert_eq!(sb.balance("BNI", "4447"), opening - 23_000, "booked");
    // A's start-up recovery asks first and gets no answer (92), so the row
    // is still in doubt when A's own check asks; that one is slow.
    let plan = serde_json::json!({"seed": 1, "rules": [
        {"endpoint": "/check", "fault": {"kind": "error-reply", "code": "92",
            "message": "[92] Routing destination host not found"}, "probability": 1.0, "times": 1},
        {"endpoint": "/check", "fault": {"kind": "latency", "ms": 5000}, "probability": 1.0, "times": 1}
    ]});
    let (status, body) = common::http(
        &sb.base,
        "POST",
        "/_sandbox/faults",
        Some(&plan.to_string()),
    );
    assert_eq!(status, 200, "{body}");
    let checks_before = sb.requests_to("/check");
    let a = spawn(&t, &["--json", "check", &sid]);
    // The supervisor resolves once A's own question is on its way.
    let deadline = Instant::now() + Duration::from_secs(60);
    while sb.requests_to("/check") < checks_before + 2 {
        assert!(Instant::now() < deadline, "A never asked the switcher");
        std::thread::sleep(Duration::from_millis(50));
    }
    let s = t.run_no_switcher(&[
        "--json",
        "resolve",
        &sid,
        "--as",
        "failed",
        "--reason",
        "customer says nothing arrived",
    ]);
    expect(&s, 0);
    let a = finish(a);
    assert_eq!(a.code, 0, "{}\n{}", a.stdout, a.stderr);
    assert_eq!(
        t.state_of(&sid),
        "succeeded",
        "the switcher's booked answer is not lost\n{}\n{}",
        a.stdout,
        a.stderr
    );
    assert_eq!(a.json()["corrected"], true, "said loudly: {}", a.stdout);
    // Corrected as its own event.
    let db = rusqlite::Connection::open(t.path().join("journal.db")).expect("journal");
    let (corrected, corrections): (i64, i64) = db
        .query_row(
            "SELECT corrected, (SELECT count(*) FROM events WHERE sid = ?1 \
             AND from_state = 'failed' AND to_state = 'succeeded') \
             FROM transactions WHERE sid = ?1",
            [&sid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("row");
    assert_eq!((corrected, corrections), (1, 1));
    assert_eq!(sb.requests_to("/bankplus/bsa/depositAccount"), 1);
    assert_eq!(sb.balance("BNI", "4447"), opening - 23_000, "debited once");
}

/// A reversal of one payment and a check of another doubt, in two processes
/// at once, with a third paying: each leaves once.
#[test]
fn a_reverse_a_check_and_a_payment_at_once_each_leave_once() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    t.create_supervisor();
    let opening = sb.balance("BNI", "4447");
    // A succeeded payment to reverse, and one in doubt (booked) to check.
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let r = t.run_no_switcher(&["--json", "deposit", "--to", "14048", "--amount", "31000"]);
    expect(&r, 3);
    let to_reverse = r.sid();
    t.resolve_succeeded(&to_reverse);
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let r = t.run_no_switcher(&["--json", "deposit", "--to", "14048", "--amount", "32000"]);
    expect(&r, 3);
    let to_check = r.sid();
    sb.rule_n(
        "/reversal",
        serde_json::json!({"kind": "latency", "ms": 3000}),
        1,
    );
    let rev = spawn(
        &t,
        &[
            "--json",
            "reverse",
            &to_reverse,
            "--reason",
            "wrong account",
        ],
    );
    let chk = spawn(&t, &["--json", "check", &to_check]);
    let pay = spawn(
        &t,
        &["--json", "deposit", "--to", "14049", "--amount", "33000"],
    );
    let (rev, chk, pay) = (finish(rev), finish(chk), finish(pay));
    expect(&rev, 0);
    expect(&chk, 0);
    expect(&pay, 0);
    assert_eq!(t.state_of(&to_reverse), "reversed");
    assert_eq!(t.state_of(&to_check), "succeeded");
    assert_eq!(sb.requests_to("/reversal"), 1);
    assert_eq!(sb.requests_to("/bankplus/bsa/depositAccount"), 3);
    assert_eq!(
        sb.balance("BNI", "4447"),
        opening - 32_000 - 33_000,
        "every debit once, the reversed one back once"
    );
}

/// The same deposit typed in a second process while the first is still
/// being sent (the desktop app paying while `loket` runs on its folder, or
/// two `loket`s). Before the fix only a row already `unknown` held a
/// repeat: the second deposit left at once and the customer was credited
/// twice for one handful of cash. Now a payment on its way holds it like a
/// doubt; the agent may still override with a reason, and once the first
/// is settled a new one goes through.
#[test]
fn the_same_deposit_from_a_second_process_waits_for_the_one_on_its_way() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let opening = sb.balance("BNI", "14049");
    sb.rule(
        "/bankplus/bsa/depositAccount",
        serde_json::json!({"kind": "latency", "ms": 5000}),
    );
    let deposit = [
        "--json",
        "deposit",
        "--to",
        "14049",
        "--amount",
        "23000",
        "--name",
        "BUDI SANTOSO",
    ];
    let a = spawn(&t, &deposit);
    let sid = wait_for_row(t.path(), "sending");
    let b = t.run(&deposit);
    assert_ne!(b.code, 0, "held, not sent:\n{}", b.stdout);
    assert_eq!(b.json()["error"]["code"], "HELD_BY_DOUBT", "{}", b.stdout);
    assert!(
        b.stdout.contains(&sid),
        "names the payment on its way: {}",
        b.stdout
    );
    assert_eq!(sb.requests_to("/bankplus/bsa/depositAccount"), 1);

    let a = finish(a);
    expect(&a, 0);
    assert_eq!(
        sb.balance("BNI", "14049"),
        opening + 23_000,
        "credited once"
    );
    // The first is settled: a second real deposit is the agent's to make.
    expect(&t.run(&deposit), 0);
    assert_eq!(sb.requests_to("/bankplus/bsa/depositAccount"), 2);
    assert_eq!(sb.balance("BNI", "14049"), opening + 46_000);
}

/// Waits (up to a minute) until a process stopped at a failpoint with
/// `LOKET_FAILPOINT_WAIT=<go>` has created `<go>.reached`.
fn wait_reached(go: &Path) {
    let mut reached = go.as_os_str().to_owned();
    reached.push(".reached");
    let reached = std::path::PathBuf::from(reached);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !reached.exists() {
        assert!(
            Instant::now() < deadline,
            "{} not reached",
            reached.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The same deposit paid by two processes at the same moment: A has read
/// "nothing like it in doubt" and is about to write `sending`, while B
/// passes the same read, writes `sending` and is on the wire. Before the
/// fix the hold was a read before the write, so A then sent too: two
/// deposit requests, the customer credited twice for one handful of cash.
/// Now the hold is decided again inside the write that moves a payment to
/// `sending`, so A is held (HELD_BY_DOUBT, naming B's payment) and sends
/// nothing.
#[test]
fn two_processes_paying_the_same_deposit_at_once_send_it_once() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let opening = sb.balance("BNI", "14049");
    let deposit = [
        "--json",
        "deposit",
        "--to",
        "14049",
        "--amount",
        "27000",
        "--name",
        "BUDI SANTOSO",
    ];
    let gates = tempfile::tempdir().expect("tempdir");
    let (go_a, go_b) = (gates.path().join("a.go"), gates.path().join("b.go"));
    // A: quoted, its hold read, stopped just before its `sending` write.
    let mut a = t.cmd(&deposit);
    a.env("LOKET_FAILPOINT", "journal.authorize_and_send.before_lock")
        .env("LOKET_FAILPOINT_WAIT", &go_a)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let a = a.spawn().expect("loket starts");
    wait_reached(&go_a);
    // B: the same deposit, stopped on the wire (its row `sending`).
    let mut b = t.cmd(&deposit);
    b.env(
        "LOKET_FAILPOINT",
        "net.bankplus/bankplus/bsa/depositAccount.before_send",
    )
    .env("LOKET_FAILPOINT_WAIT", &go_b)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let b = b.spawn().expect("loket starts");
    wait_reached(&go_b);
    let on_its_way = wait_for_row(t.path(), "sending");

    std::fs::write(&go_a, b"").expect("release A");
    let a = finish(a);
    assert_ne!(a.code, 0, "A must be held, not sent:\n{}", a.stdout);
    assert_eq!(a.json()["error"]["code"], "HELD_BY_DOUBT", "{}", a.stdout);
    assert!(
        a.stdout.contains(&on_its_way),
        "names B's payment: {}",
        a.stdout
    );
    std::fs::write(&go_b, b"").expect("release B");
    let b = finish(b);
    expect(&b, 0);
    assert_eq!(sid_of(&b.json()), on_its_way);
    assert_eq!(sb.requests_to("/bankplus/bsa/depositAccount"), 1);
    assert_eq!(
        sb.balance("BNI", "14049"),
        opening + 27_000,
        "credited once"
    );
}

/// The desktop app is open on the folder (logged in, its start-up recovery
/// done) when a `loket deposit` on the same folder is killed (SIGKILL)
/// after the bank booked the deposit and before the answer was recorded:
/// the row stays `sending`, its owner gone. Before the fix the app's
/// "Cek status" answered "being sent (perhaps by another process)" for as
/// long as the app ran (only a start recovers), and the same deposit stayed
/// held. Now a check of a row whose sender is gone recovers that row first
/// (`unknown`) and asks the switcher: booked, once.
#[test]
fn a_payment_whose_sender_was_killed_is_settled_by_the_app_already_running() {
    use bankplus::Password;
    use std::sync::Arc;
    use teller::{Teller, TellerConfig};

    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let opening = sb.balance("BNI", "14049");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // The app: the teller core on the folder's journal, as src-tauri runs it.
    let journal =
        Arc::new(journal::Journal::open(&t.path().join("journal.db")).expect("journal opens"));
    let app = Teller::new(
        &TellerConfig {
            server: sb.base.clone(),
            switcher: Some(sb.base.clone()),
            timeout: Duration::from_secs(10),
        },
        journal,
    )
    .expect("teller")
    .with_check_settle(Duration::ZERO);
    rt.block_on(app.login(common::USER, &Password::new(common::PASSWORD)))
        .expect("the app logs in");
    rt.block_on(app.recover(common::USER))
        .expect("the app's start-up recovery");

    let mut killed = t.cmd(&[
        "--json",
        "deposit",
        "--to",
        "14049",
        "--amount",
        "29000",
        "--name",
        "BUDI SANTOSO",
    ]);
    killed.env(
        "LOKET_FAILPOINT",
        "net.bankplus/bankplus/bsa/depositAccount.after_reply",
    );
    let r = t.run_cmd(killed);
    assert_eq!(r.code, -1, "killed by SIGKILL\n{}\n{}", r.stdout, r.stderr);
    let sid = wait_for_row(t.path(), "sending");
    assert_eq!(sb.balance("BNI", "14049"), opening + 29_000, "booked");

    let settled = rt
        .block_on(app.check(&sid, common::USER))
        .expect("the app's Cek status settles it");
    assert_eq!(settled.state, journal::State::Succeeded);
    assert_eq!(sb.requests_to("/bankplus/bsa/depositAccount"), 1);
    assert_eq!(t.state_of(&sid), "succeeded");
    assert_eq!(sb.balance("BNI", "14049"), opening + 29_000, "once");
}

/// A supervisor's override is for the doubt it was shown, no other. A
/// deposit's answer is lost (in doubt, no switcher to settle it); two
/// processes then pay the same deposit with `--override` at once: A has read
/// "X is in doubt" and is about to write `sending` while B, with the same
/// override, is already on the wire. Before the fix an override skipped the
/// hold inside the write altogether, so A sent too: B's payment, put on its
/// way after A's supervisor looked, was let through by an override nobody
/// gave for it (credited twice). Now A is held, naming B's payment.
#[test]
fn an_override_for_one_doubt_does_not_let_a_second_payment_through() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let r = t.run(&["--json", "deposit", "--to", "14049", "--amount", "31000"]);
    expect(&r, 3);
    let doubt = sid_of(&r.json());
    let opening = sb.balance("BNI", "14049");
    // No switcher: start-up recovery cannot settle the doubt, it stays.
    let override_cmd = |failpoint: &str, go: &Path| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_loket"));
        c.env_remove("LOKET_SWITCHER")
            .env_remove("LOKET_SERVER")
            .env("LOKET_USERNAME", common::USER)
            .env("LOKET_PASSWORD", common::PASSWORD)
            .env("LOKET_PIN", common::PIN)
            .env("LOKET_FAILPOINT", failpoint)
            .env("LOKET_FAILPOINT_WAIT", go)
            .arg("--data-dir")
            .arg(t.path())
            .arg("--server")
            .arg(&sb.base)
            .args([
                "--json",
                "deposit",
                "--to",
                "14049",
                "--amount",
                "31000",
                "--override",
                "customer insists",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c.spawn().expect("loket starts")
    };
    let gates = tempfile::tempdir().expect("tempdir");
    let (go_a, go_b) = (gates.path().join("a.go"), gates.path().join("b.go"));
    let a = override_cmd("journal.authorize_and_send.before_lock", &go_a);
    wait_reached(&go_a);
    let b = override_cmd(
        "net.bankplus/bankplus/bsa/depositAccount.before_send",
        &go_b,
    );
    wait_reached(&go_b);
    let on_its_way = wait_for_row(t.path(), "sending");
    assert_ne!(on_its_way, doubt);

    std::fs::write(&go_a, b"").expect("release A");
    let a = finish(a);
    assert_ne!(a.code, 0, "A must be held, not sent:\n{}", a.stdout);
    assert_eq!(a.json()["error"]["code"], "HELD_BY_DOUBT", "{}", a.stdout);
    assert!(
        a.stdout.contains(&on_its_way),
        "names B's payment, not the approved doubt: {}",
        a.stdout
    );
    std::fs::write(&go_b, b"").expect("release B");
    let b = finish(b);
    expect(&b, 0);
    assert_eq!(sid_of(&b.json()), on_its_way);
    // The lost answer's request and B's: A sent nothing.
    assert_eq!(sb.requests_to("/bankplus/bsa/depositAccount"), 2);
    assert_eq!(
        sb.balance("BNI", "14049"),
        opening + 31_000,
        "credited once by the overrides"
    );
}

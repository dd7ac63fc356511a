//! A crash at every write (issue 12, part 2).
//!
//! For every flow type (login, agent balance, deposit, intrabank and
//! interbank transfer, open account, reversal, check, resolve, reprint) the
//! test first runs the flow with `LOKET_FAILPOINT_TRACE` to learn every crash
//! point it passes (both sides of every journal commit, both sides of every
//! request that leaves the machine; see the `failpoint` crate). Then, for
//! each point, it runs the real `loket` binary again with
//! `LOKET_FAILPOINT=<point>:<n>`, which `SIGKILL`s itself there; the next
//! run recovers (start-up recovery, doubts settled through the switcher
//! with a settle time of 0, then `loket check` for anything still in
//! doubt), and the invariants are checked after every point:
//!
//! - no row is left half-way or in doubt: every attempt ended succeeded,
//!   failed, reversed or (never sent) cancelled;
//! - every money row is booked by the switcher exactly when the journal says
//!   it succeeded (or was reversed), for the same total to the sen, and a
//!   reversed row is reversed at the bank (no double debit, no lost row);
//! - the agent's balance in the sandbox ledger equals the opening balance
//!   minus every succeeded payment in the journal, to the sen;
//! - the journal's integrity chain verifies clean.
//!
//! One sandbox process serves the whole test; data dirs live in tmp.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use common::{http, Sandbox, Terminal};

/// Kinds that move the agent's money (debits); a reversal gives it back.
const DEBITS: [&str; 4] = [
    "deposit",
    "intrabank_transfer",
    "interbank_transfer",
    "open_account",
];

struct Rig {
    sb: Sandbox,
    t: Terminal,
    opening_sen: i64,
    /// Rows already checked against the switcher, with the state they had.
    verified: HashMap<String, String>,
    /// The next amount to use: every payment has its own, so no payment is
    /// held by another's doubt and every booking is told apart.
    next_amount: i64,
    /// Crash points covered, per flow.
    covered: BTreeMap<String, usize>,
    /// The crash points of each flow's traced run, in order.
    traced: BTreeMap<String, Vec<String>>,
    tmp: tempfile::TempDir,
}

/// What one `loket` run did.
struct Outcome {
    killed: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Rig {
    fn amount(&mut self) -> String {
        self.next_amount += 1_000;
        self.next_amount.to_string()
    }

    fn balance_sen(&self) -> i64 {
        let (status, body) = http(&self.sb.base, "GET", "/_sandbox/accounts/BNI/4447", None);
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        sen_of(v["balance"].as_str().expect("balance"))
    }

    fn run(&self, t: &Terminal, args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let mut c: Command = t.cmd(args);
        c.env_remove("LOKET_FAILPOINT")
            .env_remove("LOKET_FAILPOINT_TRACE")
            .env_remove("LOKET_CHECK_SETTLE_SECS");
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("loket runs");
        Outcome {
            killed: out.status.signal() == Some(9),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The crash points `args` passes, in order, as (`name`, nth hit).
    fn points(&self, t: &Terminal, args: &[&str], env: &[(&str, &str)]) -> Vec<(String, usize)> {
        let trace = self.tmp.path().join("trace");
        let _ = std::fs::remove_file(&trace);
        let trace_s = trace.to_str().expect("utf-8 path").to_owned();
        let mut env = env.to_vec();
        env.push(("LOKET_FAILPOINT_TRACE", &trace_s));
        let o = self.run(t, args, &env);
        assert!(
            !o.killed && o.code.is_some_and(|c| c == 0 || c == 3),
            "the tracing run of {args:?} failed (exit {:?})\nstdout: {}\nstderr: {}",
            o.code,
            o.stdout,
            o.stderr
        );
        let text = std::fs::read_to_string(&trace).unwrap_or_default();
        let mut seen: HashMap<String, usize> = HashMap::new();
        text.lines()
            .map(|l| {
                let n = seen.entry(l.to_owned()).or_insert(0);
                *n += 1;
                (l.to_owned(), *n)
            })
            .collect()
    }

    /// Runs `args` to be killed at `point`; a run that was not killed
    /// means the flow did not pass the point it passed when traced.
    fn kill_at(
        &self,
        t: &Terminal,
        flow: &str,
        args: &[&str],
        env: &[(&str, &str)],
        point: &(String, usize),
    ) {
        let spec = format!("{}:{}", point.0, point.1);
        let mut env = env.to_vec();
        env.push(("LOKET_FAILPOINT", &spec));
        let o = self.run(t, args, &env);
        assert!(
            o.killed,
            "{flow}: `loket {args:?}` was not killed at {spec} (exit {:?})\nstdout: {}\nstderr: {}",
            o.code, o.stdout, o.stderr
        );
    }

    /// Restart and recovery: a login runs start-up recovery and settles
    /// doubts with the switcher (settle time 0); whatever is still in doubt
    /// is checked with `loket check`.
    fn recover(&self, t: &Terminal, context: &str) {
        // A flow may keep the switcher from answering (resolve as succeeded);
        // after the crash it answers again.
        clear_faults(&self.sb);
        let settle = [("LOKET_CHECK_SETTLE_SECS", "0")];
        let o = self.run(t, &["profile"], &settle);
        assert_eq!(
            o.code,
            Some(0),
            "{context}: recovery run failed: {}",
            o.stderr
        );
        for Row { sid, state, .. } in rows(t) {
            if state == "unknown" {
                let o = self.run(t, &["check", &sid], &settle);
                assert_eq!(
                    o.code,
                    Some(0),
                    "{context}: `loket check {sid}` did not settle it: {}\n{}",
                    o.stdout,
                    o.stderr
                );
            }
        }
    }

    /// The invariants of the module docs, on the rig's terminal.
    fn verify(&mut self, context: &str) {
        clear_faults(&self.sb);
        let t = &self.t;
        let mut expected = self.opening_sen;
        for Row {
            sid,
            state,
            kind,
            total,
            amount,
        } in rows(t)
        {
            assert!(
                matches!(
                    state.as_str(),
                    "succeeded" | "failed" | "reversed" | "cancelled"
                ),
                "{context}: {sid} ({kind}) was left {state}"
            );
            if DEBITS.contains(&kind.as_str()) && state == "succeeded" {
                expected -= total.unwrap_or_else(|| panic!("{context}: {sid} has no total"));
            }
            let money = DEBITS.contains(&kind.as_str()) || kind == "reversal";
            if !money || self.verified.get(&sid) == Some(&state) {
                continue;
            }
            let booked = switcher_check(&self.sb, &sid);
            match (&booked, state.as_str()) {
                (None, "failed" | "cancelled") => {}
                (Some(b), "succeeded" | "reversed") => {
                    assert_eq!(
                        Some(b.amount_sen),
                        amount,
                        "{context}: {sid} booked for another amount than the journal's"
                    );
                    if kind != "reversal" {
                        assert_eq!(
                            b.reversed,
                            state == "reversed",
                            "{context}: {sid} is {state} in the journal, the bank says reversed={}",
                            b.reversed
                        );
                    }
                }
                (b, s) => panic!(
                    "{context}: {sid} ({kind}) is {s} in the journal but the switcher {}",
                    if b.is_some() {
                        "booked it"
                    } else {
                        "has no record of it"
                    }
                ),
            }
            self.verified.insert(sid, state);
        }
        assert_eq!(
            self.balance_sen(),
            expected,
            "{context}: the ledger and the journal disagree (double debit or lost row)"
        );
        integrity_clean(t, context);
    }

    /// Every crash point of one flow: `setup` prepares what the flow needs
    /// (and returns its arguments), run once traced, then once per point.
    fn flow(
        &mut self,
        flow: &str,
        env: &[(&str, &str)],
        mut setup: impl FnMut(&mut Rig) -> Vec<String>,
    ) {
        let args = setup(self);
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let points = self.points(&self.t, &a, env);
        assert!(!points.is_empty(), "{flow}: no crash point passed");
        self.verify(&format!("{flow} (traced)"));
        for point in &points {
            let args = setup(self);
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            let context = format!("{flow} killed at {}:{}", point.0, point.1);
            self.kill_at(&self.t, flow, &a, env, point);
            self.recover(&self.t, &context);
            self.verify(&context);
        }
        *self.covered.entry(flow.to_owned()).or_default() += points.len();
        self.traced
            .insert(flow.to_owned(), points.into_iter().map(|p| p.0).collect());
    }

    /// A payment left in doubt by `fault` on the deposit endpoint (run with
    /// no switcher, so nothing settles it yet); returns its sid.
    fn doubt(&mut self, fault: &str) -> String {
        self.sb.fault("/bankplus/bsa/depositAccount", fault);
        let amount = self.amount();
        let r = self
            .t
            .run_no_switcher(&["--json", "deposit", "--to", "14047", "--amount", &amount]);
        assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
        sid_of(&r.json())
    }

    fn succeeded(&mut self, args: &[&str]) -> String {
        let r = self.t.run(args);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        let v = r.json();
        assert_eq!(v["status"], "succeeded", "{v}");
        sid_of(&v)
    }
}

fn clear_faults(sb: &Sandbox) {
    let (status, body) = http(&sb.base, "DELETE", "/_sandbox/faults", None);
    assert_eq!(status, 200, "{body}");
}

struct Booked {
    amount_sen: i64,
    reversed: bool,
}

/// What the switcher's `/check` says of `sid`.
fn switcher_check(sb: &Sandbox, sid: &str) -> Option<Booked> {
    let (_, body) = http(
        &sb.base,
        "POST",
        "/check",
        Some(&format!(r#"{{"refnum":"{sid}"}}"#)),
    );
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    if v["code"] != "00" {
        return None;
    }
    let d = &v["data"];
    let num = |k: &str| -> i64 {
        match &d[k] {
            serde_json::Value::String(s) => sen_of(s),
            serde_json::Value::Number(n) => sen_of(&n.to_string()),
            other => panic!("{sid}: {k} is {other} in {v}"),
        }
    };
    Some(Booked {
        amount_sen: num("amount"),
        reversed: d["info"] == "Transfer reversed",
    })
}

/// "202696682", "1400000.00" or "18309905.4" → sen.
fn sen_of(text: &str) -> i64 {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let frac = format!("{frac:0<2}");
    whole.parse::<i64>().expect("whole rupiah") * 100 + frac[..2].parse::<i64>().expect("sen")
}

fn sid_of(v: &serde_json::Value) -> String {
    v["sid"].as_str().expect("sid").to_owned()
}

/// A journal row as the test reads it from the file (money in sen).
struct Row {
    sid: String,
    state: String,
    kind: String,
    total: Option<i64>,
    amount: Option<i64>,
}

/// Every journal row, read from the file.
fn rows(t: &Terminal) -> Vec<Row> {
    let conn = rusqlite::Connection::open_with_flags(
        t.path().join("journal.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("journal opens");
    let mut stmt = conn
        .prepare("SELECT sid, state, kind, total_sen, amount_sen FROM transactions ORDER BY sid")
        .expect("query");
    let rows = stmt
        .query_map([], |r| {
            Ok(Row {
                sid: r.get(0)?,
                state: r.get(1)?,
                kind: r.get(2)?,
                total: r.get(3)?,
                amount: r.get(4)?,
            })
        })
        .expect("rows")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows read");
    rows
}

fn integrity_clean(t: &Terminal, context: &str) {
    let path = t.path().join("journal.db");
    let mut conn = rusqlite::Connection::open(&path).expect("journal opens");
    journal::prepare_connection(&mut conn).expect("schema up to date");
    let report = journal::chain::verify_connection(&conn).expect("chain readable");
    assert!(
        report.is_clean(),
        "{context}: integrity findings: {}",
        report.summary()
    );
}

#[test]
fn a_kill_at_every_crash_point_of_every_flow_loses_and_doubles_nothing() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let tmp = tempfile::tempdir().expect("tempdir");
    let opening_sen = {
        let (_, body) = http(&sb.base, "GET", "/_sandbox/accounts/BNI/4447", None);
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        sen_of(v["balance"].as_str().expect("balance"))
    };
    let mut rig = Rig {
        sb,
        t,
        opening_sen,
        verified: HashMap::new(),
        next_amount: 10_000,
        covered: BTreeMap::new(),
        traced: BTreeMap::new(),
        tmp,
    };
    let r = rig.t.run(&["supervisor", "create"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Login on a new data directory: the schema migrations, the login and
    // logout requests. Each kill gets a fresh directory.
    {
        let fresh = Terminal::new(&rig.sb);
        let points = rig.points(&fresh, &["profile"], &[]);
        assert!(!points.is_empty(), "login: no crash point passed");
        for point in &points {
            let fresh = Terminal::new(&rig.sb);
            let context = format!("login killed at {}:{}", point.0, point.1);
            rig.kill_at(&fresh, "login", &["profile"], &[], point);
            rig.recover(&fresh, &context);
            integrity_clean(&fresh, &context);
            assert!(rows(&fresh).is_empty(), "{context}: a login wrote a row");
        }
        rig.covered.insert("login".into(), points.len());
    }

    // The first command that talks to the bank on a data directory also
    // records the settings it was given (the baseline a hand edit of
    // settings.json is later compared with): a one-time write, so it is
    // killed on fresh directories too. A kill there may leave the baseline
    // unrecorded; the next command records it.
    {
        let fresh = Terminal::new(&rig.sb);
        let points = rig.points(&fresh, &["balance"], &[]);
        assert!(
            points.iter().any(|p| p.0.contains("settings")),
            "first bank command: the settings baseline was not recorded: {points:?}"
        );
        for point in &points {
            let fresh = Terminal::new(&rig.sb);
            let context = format!("first bank command killed at {}:{}", point.0, point.1);
            rig.kill_at(&fresh, "first bank command", &["balance"], &[], point);
            rig.recover(&fresh, &context);
            integrity_clean(&fresh, &context);
        }
        rig.covered
            .insert("first bank command".into(), points.len());
    }
    // From here on the main terminal's baseline is recorded, so every flow
    // passes the same points traced and killed.
    let r = rig.t.run(&["balance"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    rig.flow("agent balance", &[], |_| vec!["balance".into()]);
    rig.flow("deposit", &[], |rig| {
        let a = rig.amount();
        ["--json", "deposit", "--to", "14047", "--amount", &a]
            .map(String::from)
            .to_vec()
    });
    rig.flow("intrabank transfer", &[], |rig| {
        let a = rig.amount();
        [
            "--json", "transfer", "--to", "14049", "--amount", &a, "--yes",
        ]
        .map(String::from)
        .to_vec()
    });
    rig.flow("interbank transfer", &[], |rig| {
        let a = rig.amount();
        [
            "--json",
            "transfer",
            "--to",
            "114451186",
            "--bank",
            "008",
            "--amount",
            &a,
            "--yes",
        ]
        .map(String::from)
        .to_vec()
    });
    let form = rig.tmp.path().join("form.json");
    let form_s = form.to_str().expect("utf-8").to_owned();
    rig.flow("open account", &[], |rig| {
        // Another initial deposit each time: every opening is told apart.
        let deposit = rig.amount();
        std::fs::write(
            &form,
            serde_json::json!({
                "name": "Gabymars Yofie", "email": "gaby@email.com", "mother_name": "Siti Mamih",
                "profession": "KOMPUTER", "last_education": "S1/D4", "status_nikah": "Lajang",
                "pob": "Surabaya", "dob": "1997-08-01", "ktp": "3515014108970001", "gender": "l",
                "address": "Jl. Waru 1", "rt": "022", "rw": "001", "zip_code": "61256",
                "kelurahan": "Waru", "kecamatan": "Waru", "city": "Sidoarjo", "state": "Jawa Timur",
                "hp": "08998321234", "phone": "0319909221", "income": "1", "jumlah_transaksi": "1",
                "deposit": deposit, "image_ktp": "ktp.jpg", "image_foto": "foto.png"
            })
            .to_string(),
        )
        .expect("form written");
        ["--json", "open-account", "--form", &form_s]
            .map(String::from)
            .to_vec()
    });
    rig.flow("reversal", &[], |rig| {
        let a = rig.amount();
        let sid = rig.succeeded(&[
            "--json", "transfer", "--to", "14049", "--amount", &a, "--yes",
        ]);
        ["--json", "reverse", &sid, "--reason", "salah rekening"]
            .map(String::from)
            .to_vec()
    });
    // A doubt the bank booked (commit-then-drop): check finds it succeeded.
    rig.flow("check (booked)", &[], |rig| {
        let sid = rig.doubt("commit-then-drop");
        ["--json", "check", &sid].map(String::from).to_vec()
    });
    // A doubt never booked (a proxy's 502): once the settle time has passed
    // (0 here), check makes it failed.
    rig.flow(
        "check (not booked)",
        &[("LOKET_CHECK_SETTLE_SECS", "0")],
        |rig| {
            let sid = rig.doubt("html-502");
            ["--json", "check", &sid].map(String::from).to_vec()
        },
    );
    // (A booked doubt is settled by the login's recovery before a resolve
    // could run, so the supervisor resolves one the switcher cannot settle.)
    rig.flow("resolve (failed)", &[], |rig| {
        let sid = rig.doubt("html-502");
        [
            "--json",
            "resolve",
            &sid,
            "--as",
            "failed",
            "--reason",
            "tidak ada di mutasi",
        ]
        .map(String::from)
        .to_vec()
    });
    // A doubt the bank booked, whose `/check` cannot answer (92) so that
    // neither the login's recovery nor anything else settles it before the
    // supervisor resolves it as succeeded (seen on the statement). After a
    // kill, the switcher answers again and recovery must agree.
    rig.flow("resolve (succeeded)", &[], |rig| {
        let sid = rig.doubt("commit-then-drop");
        rig.sb.rule_n(
            "/check",
            serde_json::json!({"kind": "error-reply", "code": "92", "message": "[92] Routing destination host not found"}),
            1_000_000,
        );
        [
            "--json",
            "resolve",
            &sid,
            "--as",
            "succeeded",
            "--reason",
            "ada di mutasi",
        ]
        .map(String::from)
        .to_vec()
    });
    let a = rig.amount();
    let printed = rig.succeeded(&["--json", "deposit", "--to", "14047", "--amount", &a]);
    rig.flow("reprint", &[], |_| {
        ["--json", "receipt", &printed, "--copy", "--text"]
            .map(String::from)
            .to_vec()
    });
    let pdf = rig.tmp.path().join("receipt.pdf");
    let pdf_s = pdf.to_str().expect("utf-8").to_owned();
    rig.flow("original receipt", &[], |rig| {
        let a = rig.amount();
        let sid = rig.succeeded(&["--json", "deposit", "--to", "14047", "--amount", &a]);
        ["--json", "receipt", &sid, "--pdf", &pdf_s]
            .map(String::from)
            .to_vec()
    });

    let total: usize = rig.covered.values().sum();
    eprintln!("crash points covered: {total}");
    for (flow, n) in &rig.covered {
        eprintln!("  {flow:<22} {n}");
    }
    // Issue 16: `authorized` and `sending` are one durable transaction, the
    // last write before the payment request leaves. No crash point lies
    // between the two events (there are no `authorized` commits), and the
    // kills at both sides of the merged commit above left nothing sent
    // twice and nothing lost.
    for (flow, kind, request) in [
        (
            "deposit",
            "deposit",
            "net.bankplus/bankplus/bsa/depositAccount",
        ),
        (
            "intrabank transfer",
            "intrabank_transfer",
            "net.bankplus/bankplus/bsa/transfer/intrabank/payment",
        ),
        (
            "interbank transfer",
            "interbank_transfer",
            "net.bankplus/bankplus/bsa/transfer/interbank/payment",
        ),
    ] {
        let points = &rig.traced[flow];
        let at = |name: &str| points.iter().position(|p| p == name);
        assert!(
            !points
                .iter()
                .any(|p| p.starts_with(&format!("journal.step.{kind}.authorized."))),
            "{flow}: a commit between authorized and sending: {points:?}"
        );
        let before = at(&format!("journal.step.{kind}.sending.before_commit"));
        let after = at(&format!("journal.step.{kind}.sending.after_commit"));
        let send = at(&format!("{request}.before_send"));
        assert!(
            before.is_some() && after.is_some() && send.is_some(),
            "{flow}: {points:?}"
        );
        assert!(
            before < after && after.map(|a| a + 1) == send,
            "{flow}: the merged commit is not the last write before the payment: {points:?}"
        );
    }
    // Every flow passed its journal commits and its requests.
    for flow in [
        "deposit",
        "reversal",
        "check (booked)",
        "resolve (failed)",
        "resolve (succeeded)",
    ] {
        assert!(rig.covered[flow] >= 4, "{flow}: {:?}", rig.covered);
    }
}

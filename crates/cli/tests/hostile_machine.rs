//! A hostile machine (issue 12, part 4), with the real `loket` binary: the
//! disk full at a journal write, a read-only data directory, a journal file
//! damaged on disk, damaged settings / provider store / supervisor tables,
//! the clock moved back an hour between two payments, and processes paying
//! at the same instant. Each case must end with a clear message, nothing
//! lost and nothing sent twice; a payment the journal could not record
//! before sending is never sent.
//!
//! The disk and read-only cases mount a small tmpfs over the data directory:
//! CI runs as root. Without root (or when the mount fails) they FAIL and say
//! why: a skipped case proves nothing.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{expect, http, Run, Sandbox, Terminal};

const DEPOSIT_SEND: &str = "net.bankplus/bankplus/bsa/depositAccount.before_send";

/// A tmpfs mounted over a directory for the life of the value.
struct Tmpfs {
    point: PathBuf,
}

impl Tmpfs {
    fn mount(point: &Path, size: &str) -> Tmpfs {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(point)
            .output()
            .unwrap_or_else(|e| panic!("cannot run mount(8) ({e}); this test needs root and mount to make a small disk"));
        assert!(
            out.status.success(),
            "cannot mount a {size} tmpfs on {} (this test needs root: CI runs as root; uid here: {}): {}",
            point.display(),
            uid(),
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs {
            point: point.to_owned(),
        }
    }

    fn remount(&self, opts: &str) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(&self.point)
            .output()
            .expect("mount runs");
        assert!(
            out.status.success(),
            "cannot remount {} {opts}: {}",
            self.point.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.point).status();
    }
}

fn uid() -> String {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Runs `loket args` with a failpoint trace; returns the run and the points passed.
fn traced(t: &Terminal, args: &[&str], env: &[(&str, &str)]) -> (Run, Vec<String>) {
    let trace = tempfile::NamedTempFile::new().expect("trace file");
    let mut c = t.cmd(args);
    c.env_remove("LOKET_CHECK_SETTLE_SECS")
        .env("LOKET_FAILPOINT_TRACE", trace.path());
    for (k, v) in env {
        c.env(k, v);
    }
    let run = t.run_cmd(c);
    let points = std::fs::read_to_string(trace.path())
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect();
    (run, points)
}

fn all(r: &Run) -> String {
    format!("{}\n{}", r.stdout, r.stderr)
}

fn balance_sen(sb: &Sandbox) -> i64 {
    let (_, body) = http(&sb.base, "GET", "/_sandbox/accounts/BNI/4447", None);
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    let text = v["balance"].as_str().expect("balance").to_owned();
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    whole.parse::<i64>().expect("rupiah") * 100
        + format!("{frac:0<2}")[..2].parse::<i64>().expect("sen")
}

/// `/check` of the switcher: the booked amount in rupiah, if booked.
fn booked(sb: &Sandbox, sid: &str) -> Option<i64> {
    let (_, body) = http(
        &sb.base,
        "POST",
        "/check",
        Some(&format!(r#"{{"refnum":"{sid}"}}"#)),
    );
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    (v["code"] == "00").then(|| v["data"]["amount"].as_i64().expect("amount"))
}

/// (sid, state) of every journal row.
fn rows(dir: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open_with_flags(
        dir.join("journal.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("journal opens");
    let mut stmt = conn
        .prepare("SELECT sid, state FROM transactions ORDER BY sid")
        .expect("query");
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows read");
    rows
}

fn deposit(t: &Terminal, amount: &str) -> String {
    let r = t.run(&["--json", "deposit", "--to", "14047", "--amount", amount]);
    expect(&r, 0);
    r.json()["sid"].as_str().expect("sid").to_owned()
}

/// Fills the file system holding `dir` to the last byte.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).expect("filler");
    for chunk in [65_536usize, 4_096, 512, 1] {
        let buf = vec![0x5au8; chunk];
        while f.write_all(&buf).and_then(|_| f.flush()).is_ok() {}
    }
    let _ = f.sync_all();
    path
}

#[test]
fn a_full_disk_at_a_journal_write_sends_no_payment_and_says_so() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let disk = Tmpfs::mount(t.path(), "4m");
    let first = deposit(&t, "10000");
    let opening = balance_sen(&sb);

    // 1. Full before the run starts: the journal cannot even be opened.
    let filler = fill(t.path());
    let (r, points) = traced(
        &t,
        &["--json", "deposit", "--to", "14047", "--amount", "11000"],
        &[],
    );
    assert_ne!(r.code, 0, "{}", all(&r));
    assert!(
        all(&r).contains("disk is full") || all(&r).contains("ruang disk habis"),
        "the message names the full disk: {}",
        all(&r)
    );
    assert!(
        !points.iter().any(|p| p == DEPOSIT_SEND),
        "a payment left: {points:?}"
    );
    assert_eq!(balance_sen(&sb), opening, "nothing was booked");

    // 2. Full at the first write of the payment: the journal is open (a
    // reader holds it, its WAL emptied), the disk fills, then the payment
    // begins; its first journal write fails.
    std::fs::remove_file(&filler).expect("free the disk");
    let holder = rusqlite::Connection::open(t.path().join("journal.db")).expect("holder");
    holder
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    let filler = fill(t.path());
    let (r, points) = traced(
        &t,
        &["--json", "deposit", "--to", "14047", "--amount", "12000"],
        &[],
    );
    assert_ne!(r.code, 0, "{}", all(&r));
    assert!(
        all(&r).contains("disk is full") || all(&r).contains("ruang disk habis"),
        "the message names the full disk: {}",
        all(&r)
    );
    assert!(
        !points.iter().any(|p| p == DEPOSIT_SEND),
        "a payment left: {points:?}"
    );
    assert!(
        points
            .iter()
            .any(|p| p == "journal.begin.deposit.before_commit")
            && !points
                .iter()
                .any(|p| p == "journal.begin.deposit.after_commit"),
        "the first journal write failed: {points:?}"
    );
    assert_eq!(balance_sen(&sb), opening, "nothing was booked");
    drop(holder);
    std::fs::remove_file(&filler).expect("free the disk");

    // 3. Full at the last write before the request leaves (`sending`): the
    // run is stopped there, the disk fills, the run goes on.
    let go = t.path().join("go");
    let trace = tempfile::NamedTempFile::new().expect("trace");
    let child = t
        .cmd(&["--json", "deposit", "--to", "14047", "--amount", "12500"])
        .env(
            "LOKET_FAILPOINT",
            "journal.step.deposit.sending.before_commit",
        )
        .env("LOKET_FAILPOINT_WAIT", &go)
        .env("LOKET_FAILPOINT_TRACE", trace.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket starts");
    let reached = t.path().join("go.reached");
    let waited = std::time::Instant::now();
    while !reached.exists() {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(60),
            "the run never reached the sending write"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let filler = fill(t.path());
    // `go` itself needs no space: an empty file on a full tmpfs still fits
    // (an inode, no block); if not, free a little of the filler first.
    if std::fs::write(&go, b"").is_err() {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&filler)
            .expect("filler");
        let len = f.metadata().expect("len").len();
        f.set_len(len.saturating_sub(4096)).expect("shrink");
        std::fs::write(&go, b"").expect("go");
    }
    let out = child.wait_with_output().expect("loket ends");
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let points = std::fs::read_to_string(trace.path()).expect("trace");
    assert_ne!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("disk is full") || said.contains("ruang disk habis"),
        "the message names the full disk: {said}"
    );
    assert!(
        !points.lines().any(|p| p == DEPOSIT_SEND),
        "a payment left although `sending` was not written: {points}"
    );
    assert_eq!(balance_sen(&sb), opening, "nothing was booked");

    std::fs::remove_file(&filler).expect("free the disk");

    // 4. Full at the write after the bank's answer (`succeeded`): the
    // payment left and was booked, the journal cannot say so. The run says
    // the disk is full and not to repeat; the next run with space recovers
    // the row and the switcher settles it as booked, once.
    let _ = std::fs::remove_file(&go);
    let _ = std::fs::remove_file(&reached);
    let child = t
        .cmd(&["--json", "deposit", "--to", "14047", "--amount", "12600"])
        .env(
            "LOKET_FAILPOINT",
            "journal.step.deposit.succeeded.before_commit",
        )
        .env("LOKET_FAILPOINT_WAIT", &go)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket starts");
    let waited = std::time::Instant::now();
    while !reached.exists() {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(60),
            "the run never reached the succeeded write"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let filler = fill(t.path());
    std::fs::write(&go, b"").expect("go");
    let out = child.wait_with_output().expect("loket ends");
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("ruang disk habis") && said.contains("jangan ulangi"),
        "the message names the full disk and says not to repeat: {said}"
    );
    assert_eq!(balance_sen(&sb), opening - 12_600 * 100, "booked once");
    std::fs::remove_file(&filler).expect("free the disk");
    let mut c = t.cmd(&["profile"]);
    c.env("LOKET_CHECK_SETTLE_SECS", "0");
    expect(&t.run_cmd(c), 0);
    let opening = opening - 12_600 * 100;

    // Space again: nothing was lost, nothing is half-way, the next payment works.
    let r = t.run(&["--json", "history"]);
    expect(&r, 0);
    let rows = rows(t.path());
    assert!(
        rows.iter()
            .any(|(sid, s)| sid == &first && s == "succeeded"),
        "{rows:?}"
    );
    assert_eq!(
        rows.iter().filter(|(_, s)| s == "succeeded").count(),
        2,
        "the first deposit and the one booked while the disk was full: {rows:?}"
    );
    for (sid, state) in &rows {
        assert!(
            matches!(state.as_str(), "succeeded" | "cancelled"),
            "{sid} left {state}"
        );
        if state == "cancelled" {
            assert_eq!(booked(&sb, sid), None, "{sid} cancelled but booked");
        }
    }
    deposit(&t, "13000");
    assert_eq!(balance_sen(&sb), opening - 13_000 * 100);
    drop(disk);
}

#[test]
fn a_read_only_data_directory_is_refused_clearly_and_sends_nothing() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let disk = Tmpfs::mount(t.path(), "8m");
    let first = deposit(&t, "10000");
    let opening = balance_sen(&sb);
    let before = std::fs::read(t.path().join("journal.db")).expect("journal");
    disk.remount("ro");
    let (r, points) = traced(
        &t,
        &["--json", "deposit", "--to", "14047", "--amount", "11000"],
        &[],
    );
    assert_ne!(r.code, 0, "{}", all(&r));
    let said = all(&r).to_lowercase();
    assert!(
        said.contains("read-only") || said.contains("hanya-baca"),
        "the message says the folder is read-only: {said}"
    );
    assert!(
        !points.iter().any(|p| p == DEPOSIT_SEND),
        "a payment left: {points:?}"
    );
    assert_eq!(balance_sen(&sb), opening);
    disk.remount("rw");
    assert_eq!(
        std::fs::read(t.path().join("journal.db")).expect("journal"),
        before
    );
    assert_eq!(rows(t.path()), vec![(first, "succeeded".to_owned())]);
    deposit(&t, "12000");
    drop(disk);
}

/// What a damaged journal looks like on disk.
#[derive(Debug, Clone, Copy)]
enum Damage {
    /// Half of a page in the middle is zeros (a write torn by a power cut),
    /// and half of a schema page.
    TornPage,
    /// Only a page of rows in the middle is torn: the schema reads fine.
    TornDataPage,
    /// The header overwritten with random bytes.
    RandomBytes,
    /// The file cut short, not on a page boundary.
    Truncated,
    /// The file cut to nothing (what a crash can leave of a file whose
    /// writes had not reached the disk).
    Emptied,
}

/// The 1-based page number of the events table's root page.
fn events_root_page(path: &Path) -> usize {
    // immutable: read without locks, so no -wal or -shm file is left beside it.
    let conn = rusqlite::Connection::open_with_flags(
        format!("file:{}?immutable=1", path.display()),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
    )
    .expect("journal opens");
    let root: i64 = conn
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'events'",
            [],
            |r| r.get(0),
        )
        .expect("events table");
    usize::try_from(root).expect("page number")
}

fn damage(path: &Path, how: Damage) {
    let root = matches!(how, Damage::TornDataPage).then(|| events_root_page(path));
    let mut bytes = std::fs::read(path).expect("journal");
    let page = 4096;
    assert!(
        bytes.len() >= 6 * page,
        "journal too small: {}",
        bytes.len()
    );
    match how {
        Damage::TornPage => {
            let p = bytes.len() / page / 2;
            for b in &mut bytes[p * page + page / 2..(p + 1) * page] {
                *b = 0;
            }
            // A second torn page, in the schema's first pages.
            for b in &mut bytes[page + 100..2 * page] {
                *b = 0;
            }
        }
        Damage::TornDataPage => {
            // A page that holds rows (the events table's root): a torn page
            // on the free list would be harmless, and where the free pages
            // fall depends on the schema's history.
            let p = root.expect("root page") - 1;
            for b in &mut bytes[p * page + 8..(p + 1) * page] {
                *b = 0xff;
            }
        }
        Damage::RandomBytes => {
            let mut x: u32 = 0x9e37_79b9;
            for b in &mut bytes[..512] {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                *b = x as u8;
            }
        }
        Damage::Truncated => bytes.truncate(bytes.len() / 2 + 123),
        Damage::Emptied => bytes.clear(),
    }
    std::fs::write(path, bytes).expect("damaged journal written");
}

#[test]
fn a_damaged_journal_is_refused_with_its_path_and_never_overwritten() {
    let sb = Sandbox::start();
    for how in [
        Damage::TornDataPage,
        Damage::TornPage,
        Damage::RandomBytes,
        Damage::Truncated,
        Damage::Emptied,
    ] {
        let t = Terminal::new(&sb);
        for i in 0..12 {
            let r = t.run_no_switcher(&["--json", "balance"]);
            expect(&r, 0);
            if i % 4 == 0 {
                deposit(&t, &format!("{}", 10_000 + i * 1_000));
            }
        }
        let journal = t.path().join("journal.db");
        assert!(
            !t.path().join("journal.db-wal").exists(),
            "checkpointed at exit"
        );
        damage(&journal, how);
        let before = std::fs::read(&journal).expect("journal");
        let opening = balance_sen(&sb);
        for args in [
            &["--json", "deposit", "--to", "14047", "--amount", "21000"][..],
            &["--json", "history"][..],
            &["--json", "profile"][..],
            // The supervisor's tables live in the same file.
            &[
                "--json",
                "resolve",
                "2611010000000000",
                "--as",
                "failed",
                "--reason",
                "x",
            ][..],
        ] {
            let (r, points) = traced(&t, args, &[]);
            assert_ne!(r.code, 0, "{how:?} {args:?}: {}", all(&r));
            let said = all(&r);
            assert!(
                said.contains(&journal.display().to_string()),
                "{how:?} {args:?}: the message names the file: {said}"
            );
            assert!(
                (said.contains("damaged") && said.contains("backup"))
                    || (said.contains("rusak") && said.contains("cadangan")),
                "{how:?} {args:?}: the message says what happened and what to do: {said}"
            );
            assert!(
                !points.iter().any(|p| p.starts_with("net.")),
                "{how:?} {args:?}: a request left: {points:?}"
            );
            assert_eq!(
                std::fs::read(&journal).expect("journal"),
                before,
                "{how:?} {args:?}: the damaged journal was written to"
            );
        }
        assert_eq!(balance_sen(&sb), opening, "{how:?}: nothing was booked");
    }
}

#[test]
fn damaged_settings_provider_store_and_supervisor_tables_stop_with_a_clear_message() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    expect(&t.run(&["supervisor", "create"]), 0);
    let opening = balance_sen(&sb);

    // settings.json: random bytes. The run stops naming the file and does
    // not fall back to the sandbox; nothing is sent.
    let terminal = Terminal::in_process();
    let settings = terminal.path().join("settings.json");
    std::fs::write(&settings, [0xffu8, 0x00, 0x7b, 0x22, 0xc3]).expect("settings");
    let (r, points) = traced(
        &terminal,
        &["--json", "deposit", "--to", "14047", "--amount", "10000"],
        &[],
    );
    expect(&r, 2);
    assert!(
        all(&r).contains(&settings.display().to_string()),
        "{}",
        all(&r)
    );
    assert!(
        !terminal.path().join("sandbox-ledger.db").exists(),
        "ran on the sandbox"
    );
    assert!(!points.iter().any(|p| p.starts_with("net.")), "{points:?}");
    assert_eq!(
        std::fs::read(&settings).expect("kept"),
        [0xffu8, 0x00, 0x7b, 0x22, 0xc3]
    );

    // providers.enc: one byte changed. Settling from a statement is refused
    // naming the file; the doubt stays a doubt.
    mutasi::ProviderStore::new(t.path())
        .save(mutasi::ProviderForm {
            kind: mutasi::ProviderKind::Moota,
            base_url: sb.base.clone(),
            client_id: None,
            channel_id: None,
            token: Some(mutasi::Secret::new(sandbox::demo::MOOTA_TOKEN)),
            client_secret: None,
            private_key_pem: None,
            webhook_secret: None,
        })
        .expect("sealed");
    let enc = t.path().join("providers.enc");
    let mut bytes = std::fs::read(&enc).expect("providers.enc");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&enc, &bytes).expect("damaged");
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let r = t.run_no_switcher(&["--json", "deposit", "--to", "14049", "--amount", "30000"]);
    expect(&r, 3);
    let doubt = r.json()["sid"].as_str().expect("sid").to_owned();
    let day = chrono::Utc::now()
        .with_timezone(&journal::wib())
        .format("%Y-%m-%d")
        .to_string();
    let r = t.run_no_switcher(&[
        "--json",
        "reconcile",
        "--provider",
        "moota",
        "--from",
        &day,
        "--to",
        &day,
        "--resolve",
    ]);
    assert_ne!(r.code, 0, "{}", all(&r));
    assert!(all(&r).contains(&enc.display().to_string()), "{}", all(&r));
    assert_eq!(
        std::fs::read(&enc).expect("providers.enc"),
        bytes,
        "rewritten"
    );
    let r = t.run_no_switcher(&["--json", "show", &doubt]);
    assert_eq!(r.json()["status"], "unknown", "{}", all(&r));

    // The supervisor tables: the stored hash replaced by garbage (through
    // the chain, as a disk error inside SQLite's own page would not be
    // caught by it). A supervisor action is refused with a message; the
    // doubt stays a doubt.
    {
        let mut conn = rusqlite::Connection::open(t.path().join("journal.db")).expect("journal");
        journal::prepare_connection(&mut conn).expect("prepared");
        conn.execute("UPDATE supervisors SET phc = 'x$damaged'", [])
            .expect("damaged");
    }
    let r = t.run_no_switcher(&[
        "--json",
        "resolve",
        &doubt,
        "--as",
        "failed",
        "--reason",
        "tidak ada",
    ]);
    assert_ne!(r.code, 0, "{}", all(&r));
    assert!(!all(&r).contains("panicked"), "{}", all(&r));
    let v = r.json();
    assert!(
        v["error"]["message"].as_str().is_some_and(|m| m.len() > 20),
        "a message a person can read: {v}"
    );
    let r = t.run_no_switcher(&["--json", "show", &doubt]);
    assert_eq!(r.json()["status"], "unknown", "{}", all(&r));

    // The supervisor's lockout row deleted outside Loket (triggers dropped
    // first, as the sqlite3 shell would have to): named as tampering.
    {
        let conn = rusqlite::Connection::open(t.path().join("journal.db")).expect("journal");
        let triggers: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'supervisor_lockout'")
            .expect("q")
            .query_map([], |r| r.get(0))
            .expect("q")
            .collect::<rusqlite::Result<_>>()
            .expect("names");
        for name in triggers {
            conn.execute(&format!("DROP TRIGGER \"{name}\""), [])
                .expect("drop");
        }
        conn.execute("DELETE FROM supervisor_lockout", [])
            .expect("delete");
    }
    let r = t.run_no_switcher(&[
        "--json",
        "resolve",
        &doubt,
        "--as",
        "failed",
        "--reason",
        "tidak ada",
    ]);
    assert_ne!(r.code, 0, "{}", all(&r));
    assert!(!all(&r).contains("panicked"), "{}", all(&r));
    let r = t.run_no_switcher(&["--json", "show", &doubt]);
    assert_eq!(r.json()["status"], "unknown", "{}", all(&r));
    // Nothing moved but the booked doubt.
    assert_eq!(balance_sen(&sb), opening - 30_000 * 100);
}

#[test]
fn the_clock_moved_back_an_hour_between_two_payments() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let opening = balance_sen(&sb);
    let first = deposit(&t, "10000");
    let (r, points) = traced(
        &t,
        &["--json", "deposit", "--to", "14047", "--amount", "11000"],
        &[("LOKET_CLOCK_OFFSET_SECS", "-3600")],
    );
    expect(&r, 0);
    let second = r.json()["sid"].as_str().expect("sid").to_owned();
    assert_eq!(points.iter().filter(|p| *p == DEPOSIT_SEND).count(), 1);
    assert_eq!(second.len(), 16);
    assert!(second.bytes().all(|b| b.is_ascii_digit()), "{second}");
    assert!(
        second > first,
        "sids keep rising when the clock goes back: {first} then {second}"
    );
    // A third payment, still an hour back, and one on the right clock again.
    let (r, _) = traced(
        &t,
        &["--json", "deposit", "--to", "14047", "--amount", "12000"],
        &[("LOKET_CLOCK_OFFSET_SECS", "-3600")],
    );
    expect(&r, 0);
    let third = r.json()["sid"].as_str().expect("sid").to_owned();
    assert!(third > second, "{second} then {third}");
    let fourth = deposit(&t, "13000");
    assert!(fourth > third, "{third} then {fourth}");
    for (sid, amount) in [
        (&first, 10_000),
        (&second, 11_000),
        (&third, 12_000),
        (&fourth, 13_000),
    ] {
        assert_eq!(booked(&sb, sid), Some(amount), "{sid}");
    }
    assert_eq!(balance_sen(&sb), opening - 46_000 * 100);
    let rows = rows(t.path());
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows.iter().all(|(_, s)| s == "succeeded"), "{rows:?}");
    // The journal did live an hour back for the second payment.
    let conn = rusqlite::Connection::open(t.path().join("journal.db")).expect("journal");
    let at = |sid: &str| -> i64 {
        conn.query_row(
            "SELECT created_at FROM transactions WHERE sid = ?1",
            [sid],
            |r| r.get(0),
        )
        .expect("row")
    };
    assert!(
        at(&second) < at(&first) - 3_500_000,
        "the clock hook moved the journal's clock back"
    );
}

#[test]
fn processes_paying_at_the_same_instant_each_send_their_own_sid_once() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    expect(&t.run(&["profile"]), 0);
    let opening = balance_sen(&sb);
    // Every process lives at the same millisecond: each would take the same
    // first sid; the journal must keep them apart.
    let at = chrono::Utc::now().timestamp_millis().to_string();
    let n = 6;
    let traces: Vec<_> = (0..n)
        .map(|_| tempfile::NamedTempFile::new().expect("trace"))
        .collect();
    let children: Vec<_> = (0..n)
        .map(|i| {
            let amount = (10_000 + i * 1_000).to_string();
            t.cmd(&["--json", "deposit", "--to", "14047", "--amount", &amount])
                .env("LOKET_CLOCK_AT_MS", &at)
                .env("LOKET_FAILPOINT_TRACE", traces[i].path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("loket starts")
        })
        .collect();
    let mut sids = Vec::new();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().expect("loket ends");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("json");
        let sid = v["sid"].as_str().expect("sid").to_owned();
        let trace = std::fs::read_to_string(traces[i].path()).expect("trace");
        assert_eq!(
            trace.lines().filter(|p| *p == DEPOSIT_SEND).count(),
            1,
            "process {i} sent {sid} once"
        );
        assert_eq!(booked(&sb, &sid), Some(10_000 + i as i64 * 1_000), "{sid}");
        sids.push(sid);
    }
    let mut unique = sids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), n, "every process its own sid: {sids:?}");
    let paid: i64 = (0..n as i64).map(|i| 10_000 + i * 1_000).sum();
    assert_eq!(balance_sen(&sb), opening - paid * 100);
}

/// Two processes on one journal move the same authorized sid to `sending`
/// at the same instant: the move is the last write before the request
/// leaves, and exactly one of them may make it.
#[test]
fn two_processes_moving_one_sid_to_sending_one_wins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.db");
    let sid = {
        let j = journal::Journal::open(&path).expect("journal");
        let sid = j
            .begin(journal::NewTransaction {
                kind: Some(journal::Kind::Deposit),
                operator: "BNIUS100294".into(),
                amount: Some(money::Rupiah::from_sen(1_000_000)),
                ..journal::NewTransaction::default()
            })
            .expect("begin");
        j.step(
            &sid,
            journal::State::Draft,
            journal::State::Authorized,
            "BNIUS100294",
            None,
            journal::StepFacts::default(),
        )
        .expect("authorized");
        sid
    };
    let go = dir.path().join("go");
    let racers: Vec<_> = (0..8)
        .map(|_| {
            Command::new(std::env::current_exe().expect("test binary"))
                .args([
                    "--exact",
                    "racer",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("RACE_JOURNAL", &path)
                .env("RACE_SID", &sid)
                .env("RACE_GO", &go)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("racer starts")
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(300));
    std::fs::write(&go, b"go").expect("go");
    let mut won = 0;
    for r in racers {
        let out = r.wait_with_output().expect("racer ends");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        won += text.matches("RACE: WON").count();
        assert!(text.contains("RACE: "), "{text}");
    }
    assert_eq!(won, 1, "exactly one process may send {sid}");
}

/// One racer of the test above (run only as its child process).
#[test]
#[ignore = "a child process of two_processes_moving_one_sid_to_sending_one_wins"]
fn racer() {
    let (Ok(path), Ok(sid), Ok(go)) = (
        std::env::var("RACE_JOURNAL"),
        std::env::var("RACE_SID"),
        std::env::var("RACE_GO"),
    ) else {
        return;
    };
    let j = journal::Journal::open(Path::new(&path)).expect("journal");
    while !Path::new(&go).exists() {
        std::thread::yield_now();
    }
    match j.step(
        &sid,
        journal::State::Authorized,
        journal::State::Sending,
        "racer",
        None,
        journal::StepFacts::default(),
    ) {
        Ok(_) => println!("RACE: WON"),
        Err(journal::JournalError::BadTransition { .. }) => println!("RACE: LOST"),
        Err(e) => panic!("the race failed otherwise: {e}"),
    }
}

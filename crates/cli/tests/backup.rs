//! `loket backup` / `loket restore` through the real binary (issue 13): a
//! backup taken while a deposit is being paid, refusals that change
//! nothing, the supervisor's approval, and a restored counter that works.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{expect, Sandbox, Terminal};

fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            // Leases and SQLite's shared-memory index come and go with readers.
            let name = rel.to_string_lossy();
            if name.starts_with("leases") || name.ends_with("-shm") || name.starts_with("logs") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A child killed when the test ends, however it ends (a failed assert
/// must not leave it waiting at its failpoint forever).
struct Reaped(Option<std::process::Child>);

impl Reaped {
    /// Waits up to `limit` for the child to end by itself (it is left running otherwise).
    fn give(&mut self, limit: Duration) {
        let until = Instant::now() + limit;
        while Instant::now() < until
            && self
                .0
                .as_mut()
                .is_some_and(|c| c.try_wait().ok().flatten().is_none())
        {
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The child's end and what it wrote.
    fn output(&mut self) -> std::process::Output {
        self.0
            .take()
            .expect("child")
            .wait_with_output()
            .expect("ends")
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn wait_for(path: &Path, what: &str) {
    let t = Instant::now();
    while !path.exists() {
        assert!(t.elapsed() < Duration::from_secs(60), "{what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_backup_taken_mid_payment_restores_every_finished_transaction() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    t.create_supervisor();
    let first = t.run(&["--json", "deposit", "--to", "14047", "--amount", "10000"]);
    expect(&first, 0);
    let first = first.sid();

    // A second deposit stops after the bank booked it, before the journal
    // records the outcome: the backup is taken right then.
    let go = t.path().join("go");
    let child = t
        .cmd(&["--json", "deposit", "--to", "14047", "--amount", "20000"])
        .env(
            "LOKET_FAILPOINT",
            "journal.step.deposit.succeeded.before_commit",
        )
        .env("LOKET_FAILPOINT_WAIT", &go)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket starts");
    let mut child = Reaped(Some(child));
    wait_for(
        &t.path().join("go.reached"),
        "the deposit never reached its outcome write",
    );

    let archive = t.path().join("mid-payment.tar.gz");
    let b = t.run(&["--json", "backup", "--to", archive.to_str().unwrap()]);
    expect(&b, 0);
    let made = b.json();
    assert_eq!(made["manifest"]["transactions"].as_i64(), Some(2), "{made}");

    // A restore now is refused: the paying process holds the folder.
    let before = tree(t.path());
    let r = t.run(&["--json", "restore", archive.to_str().unwrap()]);
    expect(&r, 1);
    assert_eq!(r.json()["error"]["code"], "LOKET_RUNNING", "{}", r.stdout);
    assert!(
        tree(t.path()) == before,
        "a refused restore changed the data folder"
    );

    std::fs::write(&go, b"").unwrap();
    let out = child.0.take().unwrap().wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let second: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let second = second["sid"].as_str().unwrap().to_owned();

    // Restore on a new PC: the finished deposit is there, succeeded; the one
    // in flight is there too and the switcher settles it (booked once).
    let new_pc = Terminal::new(&sb);
    let r = new_pc.run(&["--json", "restore", archive.to_str().unwrap()]);
    expect(&r, 0);
    assert!(r.json()["kept_aside"].is_null());
    expect(&new_pc.run(&["verify", "--full"]), 0);
    assert_eq!(new_pc.state_of(&first), "succeeded");
    let c = new_pc.run(&["--json", "check", &second]);
    expect(&c, 0);
    assert_eq!(new_pc.state_of(&second), "succeeded");
    assert_eq!(
        sb.requests_to("/bankplus/bsa/depositAccount"),
        2,
        "no deposit sent twice"
    );
    // The restore is recorded in the restored journal's chain.
    let j = journal::Journal::open(&new_pc.path().join("journal.db")).unwrap();
    drop(j);
    let c = rusqlite::Connection::open(new_pc.path().join("journal.db")).unwrap();
    let note: String = c
        .query_row(
            "SELECT detail FROM integrity_notes WHERE kind = 'restore' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        note.contains("mid-payment.tar.gz") && note.contains("2 transactions"),
        "{note}"
    );
}

#[test]
fn restore_needs_the_supervisor_and_keeps_the_old_data() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    t.create_supervisor();
    expect(
        &t.run(&["deposit", "--to", "14047", "--amount", "10000"]),
        0,
    );
    let archive = t.path().join("one.tar.gz");
    expect(&t.run(&["backup", "--to", archive.to_str().unwrap()]), 0);
    expect(
        &t.run(&["deposit", "--to", "14047", "--amount", "11000"]),
        0,
    );

    // A wrong password: refused, nothing changed.
    let before = tree(t.path());
    let mut c = t.cmd(&["--json", "restore", archive.to_str().unwrap()]);
    c.env("LOKET_SUPERVISOR_PASSWORD", "not-the-password");
    let r = t.run_cmd(c);
    assert_ne!(r.code, 0, "{}", r.stdout);
    // The failed attempt is counted in the journal (the lockout); nothing else moved.
    let files = |t: &BTreeMap<PathBuf, Vec<u8>>| {
        t.iter()
            .filter(|(p, _)| {
                !p.starts_with("journal.db") && !p.to_string_lossy().starts_with("journal.db-")
            })
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    assert!(
        files(&tree(t.path())) == files(&before),
        "a refused restore changed the data folder"
    );
    let h = t.run(&["--json", "history"]).json();
    assert_eq!(h["rows"].as_array().map(|a| a.len()), Some(2), "{h}");
    let before = tree(t.path());

    let r = t.run(&["--json", "restore", archive.to_str().unwrap()]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["approved_by"], common::SPV);
    let aside = PathBuf::from(v["kept_aside"].as_str().unwrap());
    // The journal with both deposits is kept aside, whole (its WAL with it).
    let kept = journal::Journal::open(&aside.join("journal.db")).unwrap();
    assert_eq!(kept.count().unwrap(), 2);
    assert!(journal::Integrity::verify(&kept).unwrap().is_clean());
    drop(kept);
    assert!(before.contains_key(Path::new("journal.db")));
    let h = t.run(&["--json", "history"]).json();
    assert_eq!(h["rows"].as_array().map(|a| a.len()), Some(1), "{h}");
}

#[test]
fn damaged_and_foreign_backups_are_refused_in_plain_words() {
    let t = Terminal::in_process();
    expect(
        &t.run(&["deposit", "--to", "14047", "--amount", "10000"]),
        0,
    );
    let archive = t.path().join("good.tar.gz");
    expect(&t.run(&["backup", "--to", archive.to_str().unwrap()]), 0);
    let bytes = std::fs::read(&archive).unwrap();
    let cut = t.path().join("cut.tar.gz");
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    let foreign = t.path().join("photo.jpg");
    std::fs::write(&foreign, b"\xff\xd8\xff\xe0 not a backup").unwrap();
    let before = tree(t.path());
    for (file, code) in [(&cut, "BACKUP_DAMAGED"), (&foreign, "BACKUP_FOREIGN")] {
        let r = t.run(&["--json", "restore", file.to_str().unwrap()]);
        assert_ne!(r.code, 0);
        assert_eq!(r.json()["error"]["code"], code, "{}", r.stdout);
        let r = t.run(&["restore", file.to_str().unwrap()]);
        assert!(r.stderr.contains("tidak ada yang diubah"), "{}", r.stderr);
        assert!(
            !r.stderr.contains("nothing was changed"),
            "one language: {}",
            r.stderr
        );
        let r = t.run(&["--lang", "en", "backup", "--verify", file.to_str().unwrap()]);
        assert_ne!(r.code, 0);
        assert!(r.stderr.contains("nothing was changed"), "{}", r.stderr);
    }
    assert!(tree(t.path()) == before);
    let listed = t.run(&["--json", "backup", "--list"]).json();
    assert_eq!(
        listed["backups"].as_array().map(|a| a.len()),
        Some(0),
        "only backups/ is listed"
    );
}

/// A backup taken before a reversal, restored after it: the restored
/// journal says the deposit stands (succeeded, no reversal), the switcher
/// has reversed it. The row has the switcher's journal number (its answer
/// was lost and `loket check` settled it), so a second `loket reverse`
/// goes to `/reversal` at once and gets the documented "Reversal already
/// executed". Before the fix that was printed as "Ditolak bank (-1) …
/// Tidak ada uang yang berpindah" (refused, no money moved, exit 1) while
/// the money had come back and the journal still counted the deposit. Now
/// it is a CONTRADICTION (exit 3) naming the deposit: the supervisor
/// reconciles; the deposit's row is not rewritten and nothing moves twice.
#[test]
fn a_reversal_lost_by_a_restore_is_not_reported_as_nothing_moved() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    t.create_supervisor();
    let opening = sb.balance("BNI", "4447");
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let paid = t.run(&["--json", "deposit", "--to", "14048", "--amount", "34000"]);
    expect(&paid, 3);
    let sid = paid.sid();
    expect(&t.run(&["--json", "check", &sid]), 0);
    let archive = t.path().join("before-reversal.tar.gz");
    expect(&t.run(&["backup", "--to", archive.to_str().unwrap()]), 0);
    expect(
        &t.run(&["--json", "reverse", &sid, "--reason", "salah rekening"]),
        0,
    );
    assert_eq!(sb.balance("BNI", "4447"), opening, "reversed at the bank");
    expect(&t.run(&["--json", "restore", archive.to_str().unwrap()]), 0);
    assert_eq!(t.state_of(&sid), "succeeded", "the restored journal");

    let again = t.run(&["--json", "reverse", &sid, "--reason", "salah rekening"]);
    expect(&again, 3);
    let v = again.json();
    assert_eq!(v["error"]["code"], "CONTRADICTION", "{v}");
    let text = v.to_string();
    assert!(text.contains(&sid), "{text}");
    assert!(text.contains("Reversal already executed"), "{text}");
    assert!(!text.contains("Tidak ada uang yang berpindah"), "{text}");
    assert_eq!(sb.requests_to("/reversal"), 2);
    assert_eq!(sb.balance("BNI", "4447"), opening, "reversed once");
}

/// A `loket deposit` starting while `loket restore` is between its last
/// look for running processes and putting the restored files in place.
/// Before the fix the deposit opened the current journal, the restore then
/// moved that journal aside, and the deposit (booked by the bank) was
/// recorded only in the file kept aside: the restored journal did not know
/// it, so nothing held a repeat and no check could find it. Now a journal
/// does not open while a restore swaps files (the restore gate): the
/// deposit waits, then is recorded in the restored journal.
#[test]
fn a_payment_starting_during_a_restore_is_recorded_in_the_restored_journal() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    t.create_supervisor();
    expect(
        &t.run(&["deposit", "--to", "14047", "--amount", "10000"]),
        0,
    );
    let archive = t.path().join("one.tar.gz");
    expect(&t.run(&["backup", "--to", archive.to_str().unwrap()]), 0);
    let opening = sb.balance("BNI", "14049");

    let go = t.path().join("go");
    let restore = t
        .cmd(&["--json", "restore", archive.to_str().unwrap()])
        .env("LOKET_FAILPOINT", "backup.restore.before_swap")
        .env("LOKET_FAILPOINT_WAIT", &go)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket starts");
    let mut restore = Reaped(Some(restore));
    wait_for(
        &t.path().join("go.reached"),
        "the restore never reached its swap",
    );
    let pay = t
        .cmd(&[
            "--json",
            "deposit",
            "--to",
            "14049",
            "--amount",
            "26000",
            "--name",
            "BUDI SANTOSO",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket starts");
    let mut pay = Reaped(Some(pay));
    // Give the deposit time to run to its end if nothing holds it (it
    // did, before the fix); with the gate it waits for the restore.
    pay.give(Duration::from_secs(3));
    std::fs::write(&go, b"").expect("release the restore");
    let out = restore.output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = pay.output();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let sid = common::sid_of(&v);
    assert_eq!(sb.balance("BNI", "14049"), opening + 26_000, "booked once");
    assert_eq!(
        t.state_of(&sid),
        "succeeded",
        "the deposit is in the restored journal"
    );
}

/// `loket supervisor add` starting while `loket restore` swaps the files in.
/// Supervisor commands opened journal.db without the restore gate and
/// without a lease, so restore neither saw them nor made them wait: before
/// the fix the new supervisor (with its journaled authorization) was written
/// into the journal being moved aside, and the restored terminal did not
/// know it. Now opening the supervisor tables passes the gate (and holds a
/// lease, so a restore refuses while one is open): the add waits, then
/// writes into the restored journal.
#[test]
fn a_supervisor_added_during_a_restore_is_in_the_restored_journal() {
    const CITRA: &str = "Citra Pengawas";
    let t = Terminal::in_process();
    t.create_supervisor();
    let archive = t.path().join("before-citra.tar.gz");
    expect(&t.run(&["backup", "--to", archive.to_str().unwrap()]), 0);

    let go = t.path().join("go");
    let restore = t
        .cmd(&["--json", "restore", archive.to_str().unwrap()])
        .env("LOKET_FAILPOINT", "backup.restore.before_swap")
        .env("LOKET_FAILPOINT_WAIT", &go)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket starts");
    let mut restore = Reaped(Some(restore));
    wait_for(
        &t.path().join("go.reached"),
        "the restore never reached its swap",
    );
    let add = t
        .cmd(&["--json", "supervisor", "add", CITRA])
        .env("LOKET_NEW_SUPERVISOR_PASSWORD", "Citra-Pagi-2026")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket starts");
    let mut add = Reaped(Some(add));
    // Give the add time to run to its end if nothing holds it (it did,
    // before the fix); with the gate it waits for the restore.
    add.give(Duration::from_secs(3));
    std::fs::write(&go, b"").expect("release the restore");
    let out = restore.output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = add.output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let list = t.run(&["--json", "supervisor", "list"]);
    expect(&list, 0);
    assert!(
        list.stdout.contains(CITRA),
        "the new supervisor is in the restored journal: {}",
        list.stdout
    );
}

/// A supervisor command open on the folder keeps a restore off, like an
/// open journal: restore refuses (nothing swapped) instead of moving the
/// journal it writes to aside.
#[test]
fn a_restore_refuses_while_a_supervisor_command_has_the_journal_open() {
    let t = Terminal::in_process();
    t.create_supervisor();
    let archive = t.path().join("one.tar.gz");
    expect(&t.run(&["backup", "--to", archive.to_str().unwrap()]), 0);
    let supervisors =
        teller::Supervisors::open(&t.path().join("journal.db")).expect("supervisors open");
    let r = t.run(&["--json", "restore", archive.to_str().unwrap()]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        !t.path().read_dir().unwrap().flatten().any(|e| e
            .file_name()
            .to_string_lossy()
            .starts_with("before-restore")),
        "nothing was moved aside"
    );
    drop(supervisors);
    expect(&t.run(&["--json", "restore", archive.to_str().unwrap()]), 0);
}

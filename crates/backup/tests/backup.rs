//! Backups and restores on real files: real journals written through the
//! journal crate, real archives on disk, a writer running during a backup.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use backup::BackupError;
use chrono::{Duration, TimeZone, Utc};
use journal::{Destination, Journal, Kind, NewTransaction};

fn deposit(j: &Journal, n: i64) -> String {
    j.begin(NewTransaction {
        kind: Some(Kind::Deposit),
        operator: "BNIUS100294".into(),
        agent_code: "BNIUS100294".into(),
        amount: Some(money::Rupiah::from_sen(100_000 + n)),
        admin_fee: None,
        destination: Destination {
            bank_code: Some("BNI".into()),
            bank_name: None,
            account_number: Some("1144511860".into()),
            account_name: Some("ANDI".into()),
        },
        narration: None,
        override_of: None,
    })
    .expect("begin")
}

/// A data directory as a counter leaves it: a journal with rows, settings,
/// a sealed store and its key, a statement cache.
fn counter(rows: i64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::open(&dir.path().join("journal.db")).unwrap();
    for n in 0..rows {
        deposit(&j, n);
    }
    drop(j);
    std::fs::write(
        dir.path().join("settings.json"),
        br#"{"lang":"id","paper_mm":58}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("providers.enc"), [7u8; 300]).unwrap();
    std::fs::write(dir.path().join("providers.key"), [9u8; 32]).unwrap();
    let c = rusqlite::Connection::open(dir.path().join("statements.db")).unwrap();
    c.execute_batch("CREATE TABLE lines(id TEXT); INSERT INTO lines VALUES ('a'),('b');")
        .unwrap();
    drop(c);
    dir
}

/// Every file under `dir` with its bytes (what "unchanged" means).
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

fn rows(dir: &Path) -> u64 {
    Journal::open(&dir.join("journal.db"))
        .unwrap()
        .count()
        .unwrap()
}

#[test]
fn a_backup_restores_a_counter_on_an_empty_pc() {
    let src = counter(25);
    let out = tempfile::tempdir().unwrap();
    let archive = out.path().join("b.tar.gz");
    let report = backup::create(src.path(), &archive).unwrap();
    assert_eq!(report.manifest.transactions, 25);
    assert_eq!(report.manifest.journal_schema, journal::schema_version());
    let names: Vec<_> = report
        .manifest
        .files
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "journal.db",
            "statements.db",
            "providers.enc",
            "providers.key",
            "settings.json"
        ]
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&archive).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the archive holds the keys: owner only");
    }
    assert_eq!(backup::verify(&archive).unwrap(), report.manifest);

    let new_pc = tempfile::tempdir().unwrap();
    let data = new_pc.path().join("loket");
    let restored = backup::restore(&archive, &data).unwrap();
    assert!(restored.kept_aside.is_none(), "nothing was there to keep");
    assert_eq!(rows(&data), 25);
    for small in ["settings.json", "providers.enc", "providers.key"] {
        assert_eq!(
            std::fs::read(data.join(small)).unwrap(),
            std::fs::read(src.path().join(small)).unwrap(),
            "{small}"
        );
    }
    let c = rusqlite::Connection::open(data.join("statements.db")).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM lines", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    // The restored journal is sound and its chain verifies.
    let j = Journal::open(&data.join("journal.db")).unwrap();
    assert!(
        journal::Integrity::verify(&j).unwrap().is_clean(),
        "chain after restore"
    );
}

#[test]
fn a_restore_keeps_the_current_data_aside() {
    let src = counter(3);
    let archive = src.path().join("b.tar.gz");
    backup::create(src.path(), &archive).unwrap();
    let target = counter(10);
    std::fs::write(target.path().join("journal.db-wal"), b"leftover wal").unwrap();
    let before = tree(target.path());
    let report = backup::restore(&archive, target.path()).unwrap();
    let aside = report.kept_aside.expect("the old data is kept");
    assert_eq!(rows(target.path()), 3);
    for (name, bytes) in &before {
        let n = name.to_str().unwrap();
        if [
            "journal.db",
            "journal.db-wal",
            "settings.json",
            "providers.enc",
            "providers.key",
            "statements.db",
        ]
        .contains(&n)
        {
            assert_eq!(
                &std::fs::read(aside.join(name)).unwrap(),
                bytes,
                "{n} kept byte for byte"
            );
        }
    }
}

#[test]
fn damaged_and_foreign_archives_are_refused_and_change_nothing() {
    let src = counter(40);
    let archive = src.path().join("b.tar.gz");
    backup::create(src.path(), &archive).unwrap();
    let good = std::fs::read(&archive).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let target = counter(2);
    let before = tree(target.path());

    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("cut in half", good[..good.len() / 2].to_vec()),
        ("last bytes missing", good[..good.len() - 9].to_vec()),
        ("empty", Vec::new()),
        (
            "random bytes",
            (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ),
        ("a text file", b"journal.db\n".to_vec()),
    ];
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x55;
    cases.push(("one byte altered", flipped));
    // Somebody else's tar.gz: valid gzip and tar, no manifest.
    let foreign = {
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        let data = b"hello";
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_cksum();
        b.append_data(&mut h, "journal.db", &data[..]).unwrap();
        b.into_inner().unwrap().finish().unwrap()
    };
    cases.push(("another program's archive", foreign));

    for (what, bytes) in cases {
        let path = scratch
            .path()
            .join(format!("{}.tar.gz", what.replace(' ', "-")));
        std::fs::write(&path, &bytes).unwrap();
        let err = backup::restore(&path, target.path())
            .err()
            .unwrap_or_else(|| panic!("{what}: accepted"));
        assert!(
            matches!(
                err,
                BackupError::Damaged { .. } | BackupError::Foreign { .. }
            ),
            "{what}: {err}"
        );
        let said = words::Say::say(&err);
        let text = format!("{} | {}", said.id(), said.en());
        assert!(
            text.contains("tidak ada yang diubah") && text.contains("nothing was changed"),
            "{what}: {text}"
        );
        assert!(backup::verify(&path).is_err(), "{what}: verify");
        let after = tree(target.path());
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "{what}"
        );
        assert!(after == before, "{what}: the data folder changed");
    }
}

#[test]
fn a_backup_from_a_newer_loket_is_refused() {
    let src = counter(1);
    let archive = src.path().join("b.tar.gz");
    let report = backup::create(src.path(), &archive).unwrap();
    // Rebuild the archive with a manifest from the future.
    let mut m = report.manifest.clone();
    m.journal_schema = journal::schema_version() + 1;
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let json = serde_json::to_vec(&m).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_size(json.len() as u64);
    h.set_cksum();
    b.append_data(&mut h, backup::MANIFEST, &json[..]).unwrap();
    let future = src.path().join("future.tar.gz");
    std::fs::write(&future, b.into_inner().unwrap().finish().unwrap()).unwrap();
    let target = tempfile::tempdir().unwrap();
    let err = backup::restore(&future, target.path()).unwrap_err();
    assert!(matches!(err, BackupError::TooNew { .. }), "{err}");
    assert!(words::Say::say(&err).id().contains("lebih baru"));
}

#[test]
fn a_restore_is_refused_while_loket_runs_on_the_folder() {
    let src = counter(2);
    let archive = src.path().join("b.tar.gz");
    backup::create(src.path(), &archive).unwrap();
    let target = counter(5);
    let before = tree(target.path());
    {
        // A process with the journal open (a teller) ...
        let _open = Journal::open(&target.path().join("journal.db")).unwrap();
        let err = backup::restore(&archive, target.path()).unwrap_err();
        assert!(matches!(err, BackupError::Running { count: 1 }), "{err}");
    }
    {
        // ... or the app before anyone logged in.
        let _app = journal::Presence::announce(&target.path().join("journal.db")).unwrap();
        let err = backup::restore(&archive, target.path()).unwrap_err();
        assert!(matches!(err, BackupError::Running { .. }), "{err}");
    }
    let after = tree(target.path());
    let strip = |t: &BTreeMap<PathBuf, Vec<u8>>| {
        t.iter()
            .filter(|(p, _)| {
                !p.starts_with("leases")
                    && !p.to_string_lossy().ends_with("-shm")
                    && !p.to_string_lossy().ends_with("-wal")
            })
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    assert!(strip(&after) == strip(&before), "nothing changed");
    // Once they are gone, the restore goes through.
    backup::restore(&archive, target.path()).unwrap();
    assert_eq!(rows(target.path()), 2);
}

#[test]
fn a_backup_taken_while_payments_are_written_is_consistent() {
    let src = counter(0);
    let path = src.path().join("journal.db");
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, path) = (stop.clone(), path.clone());
        std::thread::spawn(move || {
            let j = Journal::open(&path).unwrap();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) || n < 50 {
                deposit(&j, n);
                n += 1;
            }
            n
        })
    };
    while rows(src.path()) < 20 {
        std::thread::yield_now();
    }
    let out = tempfile::tempdir().unwrap();
    let mut taken = Vec::new();
    for i in 0..3 {
        let at_least = rows(src.path());
        let archive = out.path().join(format!("b{i}.tar.gz"));
        let report = backup::create(src.path(), &archive).unwrap();
        assert!(
            report.manifest.transactions as u64 >= at_least,
            "every row finished before the backup is in it"
        );
        taken.push((archive, report.manifest.transactions));
    }
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(written >= 50);
    for (archive, n) in taken {
        let d = tempfile::tempdir().unwrap();
        backup::restore(&archive, d.path()).unwrap();
        assert_eq!(rows(d.path()) as i64, n);
        let j = Journal::open(&d.path().join("journal.db")).unwrap();
        assert!(journal::Integrity::verify(&j).unwrap().is_clean());
    }
}

#[test]
fn the_daily_backup_runs_once_a_day_and_keeps_seven() {
    let src = counter(4);
    let usb = tempfile::tempdir().unwrap();
    let day0 = Utc.with_ymd_and_hms(2026, 11, 1, 2, 0, 0).unwrap();
    let first = backup::daily(src.path(), Some(usb.path()), day0)
        .unwrap()
        .expect("first backup");
    assert!(first.path.starts_with(src.path().join("backups")));
    assert!(
        backup::daily(src.path(), Some(usb.path()), day0 + Duration::hours(3))
            .unwrap()
            .is_none(),
        "same WIB day"
    );
    // Ten more days: the folder and the stick keep the newest seven.
    for d in 1..=10 {
        let at = day0 + Duration::days(d);
        backup::daily(src.path(), Some(usb.path()), at)
            .unwrap()
            .expect("a new day");
    }
    assert_eq!(
        backup::list(&src.path().join("backups")).len(),
        backup::KEEP_DAILY
    );
    assert_eq!(backup::list(usb.path()).len(), backup::KEEP_DAILY);
    let newest = backup::last(src.path()).unwrap();
    backup::verify(&newest.path).unwrap();
}

#[test]
fn a_backup_never_overwrites_and_needs_a_journal() {
    let src = counter(1);
    let archive = src.path().join("b.tar.gz");
    std::fs::write(&archive, b"precious").unwrap();
    let err = backup::create(src.path(), &archive).unwrap_err();
    assert!(matches!(err, BackupError::Exists { .. }), "{err}");
    assert_eq!(std::fs::read(&archive).unwrap(), b"precious");
    let empty = tempfile::tempdir().unwrap();
    let err = backup::create(empty.path(), &empty.path().join("x.tar.gz")).unwrap_err();
    assert!(matches!(err, BackupError::NoJournal { .. }), "{err}");
}

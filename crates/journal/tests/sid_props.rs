//! Sid properties (issue 12): every sid the journal issues is 16 digits
//! whose first 12 are its WIB time; sids are unique across many threads with
//! their own journal handles and several processes on one file; and a clock
//! that goes backwards (in one handle, across a restart, or in one process
//! of several) never makes a sid repeat. Time enters through
//! [`Journal::begin_at`], the hook the sid generator takes "now" from.
//!
//! Case counts are modest for `make test`; `PROPTEST_CASES` scales them.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use chrono::{DateTime, Duration, TimeZone, Utc};
use journal::{wib, Journal, Kind, NewTransaction};
use money::Rupiah;
use proptest::prelude::*;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn deposit() -> NewTransaction {
    NewTransaction {
        kind: Some(Kind::Deposit),
        operator: "BNIUS100294".into(),
        agent_code: "BNI014100294".into(),
        amount: Some(Rupiah::from_sen(2_500_000)),
        admin_fee: Some(Rupiah::ZERO),
        ..NewTransaction::default()
    }
}

fn well_formed(sid: &str, not_before: DateTime<Utc>) -> Result<(), String> {
    if sid.len() != 16 || !sid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{sid:?} is not 16 digits"));
    }
    let naive = chrono::NaiveDateTime::parse_from_str(&format!("20{}", &sid[..12]), "%Y%m%d%H%M%S")
        .map_err(|e| format!("{sid}: {e}"))?;
    let at = wib()
        .from_local_datetime(&naive)
        .single()
        .ok_or("no WIB time")?
        .with_timezone(&Utc);
    // The sid is "now" (to the second, WIB) or later, never earlier.
    if at < not_before - Duration::seconds(1) {
        return Err(format!("{sid} is earlier than {not_before}"));
    }
    Ok(())
}

/// Instants from 2001 to 2098 (YY covers 2000–2099).
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (978_307_200_000_000_i64..4_070_908_800_000_000)
        .prop_map(|us| DateTime::<Utc>::from_timestamp_micros(us).unwrap_or_default())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(32)))]

    /// Any sequence of clock readings, forwards, backwards and repeated,
    /// gives strictly increasing, well-formed sids, also after a restart.
    #[test]
    fn sids_are_well_formed_and_strictly_increase_whatever_the_clock_does(
        start in instant(),
        moves in prop::collection::vec(-7_200_000_000_i64..7_200_000_000, 1..40),
        restart_at in 0usize..40,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let mut j = Journal::open(&path).unwrap();
        let mut now = start;
        let mut last = String::new();
        for (i, m) in moves.iter().enumerate() {
            if i == restart_at {
                drop(j);
                j = Journal::open(&path).unwrap();
            }
            now += Duration::microseconds(*m);
            let sid = j.begin_at(deposit(), now).unwrap();
            prop_assert_eq!(well_formed(&sid, now), Ok(()));
            prop_assert!(sid > last, "{} after {}", sid, last);
            last = sid;
        }
    }
}

/// Many threads, each with its own handle (as separate processes would
/// have), all reading the same clock instant: every sid is different.
#[test]
fn sids_are_unique_across_threads_with_their_own_handles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    drop(Journal::open(&path).unwrap());
    let threads = 8;
    let each = cases(64) as usize;
    let now = Utc::now();
    let all: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let path = path.clone();
                s.spawn(move || {
                    let j = Journal::open(&path).unwrap();
                    // Half the threads see a clock an hour behind.
                    let clock = if t % 2 == 0 {
                        now
                    } else {
                        now - Duration::hours(1)
                    };
                    (0..each)
                        .map(|_| j.begin_at(deposit(), clock).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), threads * each, "a sid was issued twice");
    assert_eq!(count_rows(&path), threads * each);
}

fn count_rows(path: &Path) -> usize {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("SELECT count(DISTINCT sid) FROM transactions", [], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap() as usize
}

const CHILD_ENV: &str = "LOKET_SID_CHILD_JOURNAL";

/// The child side of the test below: begins `PROPTEST_CASES`-scaled rows on
/// the journal named in the environment, with the clock it is given, and
/// prints each sid. Does nothing when run as an ordinary test.
#[test]
fn sid_child_process() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let back: i64 = std::env::var("LOKET_SID_CHILD_BACK_S")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let j = Journal::open(Path::new(&path)).unwrap();
    let now = Utc::now() - Duration::seconds(back);
    for _ in 0..cases(64) * 2 {
        println!("SID {}", j.begin_at(deposit(), now).unwrap());
    }
}

/// Several real processes (this test binary run again as children) begin
/// rows on one journal at the same moment, some with a clock an hour behind:
/// every sid is different and every row is there.
#[test]
fn sids_are_unique_across_processes_on_one_journal() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    drop(Journal::open(&path).unwrap());
    let me = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..4)
        .map(|i| {
            Command::new(&me)
                .args([
                    "--exact",
                    "sid_child_process",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_ENV, &path)
                .env(
                    "LOKET_SID_CHILD_BACK_S",
                    if i % 2 == 0 { "0" } else { "3600" },
                )
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut sids = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "a child failed");
        let text = String::from_utf8_lossy(&out.stdout);
        sids.extend(
            text.lines()
                // libtest's "test … " may share the first line.
                .filter_map(|l| l.split("SID ").nth(1))
                .map(str::to_owned),
        );
    }
    let each = cases(64) as usize * 2;
    assert_eq!(sids.len(), 4 * each, "every child reported its sids");
    let unique: HashSet<&String> = sids.iter().collect();
    assert_eq!(unique.len(), sids.len(), "a sid was issued twice");
    assert_eq!(count_rows(&path), sids.len());
}

const WRITER_ENV: &str = "LOKET_ONE_ROW_CHILD_JOURNAL";

/// The child side of the test below: begins one row on the journal named in
/// the environment, prints its sid and exits (closing its connection).
/// Does nothing when run as an ordinary test.
#[test]
fn one_row_child_process() {
    let Ok(path) = std::env::var(WRITER_ENV) else {
        return;
    };
    let j = Journal::open(Path::new(&path)).unwrap();
    println!("SID {}", j.begin(deposit()).unwrap());
}

/// A process that opens the journal, writes and exits while another
/// process keeps it open (the app while `loket` runs, the simulator and its
/// children) loses no row of either. The start-up check once read the file
/// header through a file handle of its own; closing it dropped the
/// process's SQLite locks on the file taken by a handle opened before
/// (POSIX locks belong to the process, not the file handle), so an exiting
/// process believed itself the last one,
/// checkpointed and deleted the WAL the other was still writing to, and
/// that one's later checkpoint wrote old pages over the rows written since.
#[test]
fn a_process_that_writes_and_exits_loses_no_row_of_another_that_stays() {
    if std::env::var(WRITER_ENV).is_ok() || std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let me = std::env::current_exe().unwrap();
    let child = || {
        let out = Command::new(&me)
            .args([
                "--exact",
                "one_row_child_process",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(WRITER_ENV, &path)
            .output()
            .unwrap();
        assert!(out.status.success(), "the child failed");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.split("SID ").nth(1).map(str::to_owned))
            .expect("the child printed its sid")
    };
    let stays = Journal::open(&path).unwrap();
    let mut sids = vec![stays.begin(deposit()).unwrap()];
    // A second handle in the same process, as the app and `loket` open the
    // supervisors' tables on the same file after the journal.
    let second = Journal::open(&path).unwrap();
    sids.push(second.begin(deposit()).unwrap());
    for _ in 0..3 {
        sids.push(child());
        sids.push(stays.begin(deposit()).unwrap());
    }
    drop(second);
    drop(stays);
    let j = Journal::open(&path).unwrap();
    for sid in &sids {
        assert!(j.get(sid).unwrap().is_some(), "row {sid} was lost");
    }
    assert_eq!(j.count().unwrap(), sids.len() as u64);
}

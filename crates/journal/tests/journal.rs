//! The journal on a real SQLite file: sids, the state machine, recovery,
//! history, the day summary and CSV export.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use journal::{
    Destination, HistoryQuery, Journal, JournalError, Kind, NewTransaction, Resolution, State,
    StepFacts,
};
use money::Rupiah;

fn rp(r: i64) -> Rupiah {
    Rupiah::from_rupiah(r).unwrap()
}

fn deposit(account: &str, name: &str, amount: i64) -> NewTransaction {
    NewTransaction {
        kind: Some(Kind::Deposit),
        operator: "BNIUS100294".into(),
        agent_code: "BNI014100294".into(),
        amount: Some(rp(amount)),
        admin_fee: Some(Rupiah::ZERO),
        destination: Destination {
            bank_code: Some("BNI".into()),
            bank_name: None,
            account_number: Some(account.into()),
            account_name: Some(name.into()),
        },
        ..NewTransaction::default()
    }
}

fn walk(j: &Journal, sid: &str, path: &[State]) {
    let mut from = j.get(sid).unwrap().unwrap().state;
    for &to in path {
        j.step(sid, from, to, "test", None, StepFacts::default())
            .unwrap();
        from = to;
    }
}

#[test]
fn sids_are_sixteen_digits_unique_and_increasing_within_one_instant() {
    let j = Journal::open_in_memory().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 5, 0, 0).unwrap();
    let mut seen = HashSet::new();
    let mut last = String::new();
    for _ in 0..5_000 {
        let sid = j.begin_at(deposit("14047", "A", 1), now).unwrap();
        assert_eq!(sid.len(), 16);
        assert!(sid.bytes().all(|b| b.is_ascii_digit()));
        assert!(sid > last, "{sid} after {last}");
        assert!(seen.insert(sid.clone()));
        last = sid;
    }
    // 12:00 WIB on 2026-11-22.
    assert!(last.starts_with("261122120000"), "{last}");
}

#[test]
fn sids_stay_unique_across_restarts_and_a_clock_that_went_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 5, 0, 0).unwrap();
    let first = {
        let j = Journal::open(&path).unwrap();
        (0..100)
            .map(|_| j.begin_at(deposit("14047", "A", 1), now).unwrap())
            .last()
            .unwrap()
    };
    let j = Journal::open(&path).unwrap();
    let earlier = now - Duration::hours(1);
    let next = j.begin_at(deposit("14047", "A", 1), earlier).unwrap();
    assert!(next > first, "{next} must come after {first}");
    assert_eq!(j.count().unwrap(), 101);
}

#[test]
fn two_journals_on_one_file_never_share_a_sid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let a = Journal::open(&path).unwrap();
    let b = Journal::open(&path).unwrap();
    let now = Utc::now();
    let mut seen = HashSet::new();
    for _ in 0..200 {
        assert!(seen.insert(a.begin_at(deposit("1", "A", 1), now).unwrap()));
        assert!(seen.insert(b.begin_at(deposit("1", "A", 1), now).unwrap()));
    }
}

#[test]
fn the_state_machine_refuses_what_it_does_not_allow() {
    let j = Journal::open_in_memory().unwrap();
    let sid = j.begin(deposit("14047", "Ardha", 25_000)).unwrap();
    // Cannot jump from draft to succeeded.
    let err = j
        .step(
            &sid,
            State::Draft,
            State::Succeeded,
            "t",
            None,
            StepFacts::default(),
        )
        .unwrap_err();
    assert!(matches!(err, JournalError::BadTransition { .. }), "{err}");
    walk(&j, &sid, &[State::Authorized, State::Sending]);
    // A stale caller who thinks it is still authorized is refused: no double send.
    let err = j
        .step(
            &sid,
            State::Authorized,
            State::Sending,
            "t",
            None,
            StepFacts::default(),
        )
        .unwrap_err();
    assert!(matches!(
        err,
        JournalError::BadTransition {
            from: State::Sending,
            ..
        }
    ));
    walk(&j, &sid, &[State::Unknown]);
    let done = j
        .step(
            &sid,
            State::Unknown,
            State::Succeeded,
            "switcher",
            Some("check: Transfer success"),
            StepFacts {
                resolution: Some(Resolution::Switcher),
                bank_reference: Some("1001".into()),
                ..StepFacts::default()
            },
        )
        .unwrap();
    assert_eq!(done.state, State::Succeeded);
    assert_eq!(done.resolution, Some(Resolution::Switcher));
    assert_eq!(done.total, Some(rp(25_000)));
    walk(&j, &sid, &[State::Reversed]);
    let err = j
        .step(
            &sid,
            State::Reversed,
            State::Succeeded,
            "t",
            None,
            StepFacts::default(),
        )
        .unwrap_err();
    assert!(matches!(err, JournalError::BadTransition { .. }));

    let events = j.events(&sid).unwrap();
    let path: Vec<State> = events.iter().map(|e| e.to).collect();
    assert_eq!(
        path,
        [
            State::Draft,
            State::Authorized,
            State::Sending,
            State::Unknown,
            State::Succeeded,
            State::Reversed
        ]
    );
    assert_eq!(events[4].note.as_deref(), Some("check: Transfer success"));
}

#[test]
fn events_and_rows_cannot_be_rewritten_or_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let j = Journal::open(&path).unwrap();
    let sid = j.begin(deposit("14047", "Ardha", 25_000)).unwrap();
    drop(j);
    let raw = rusqlite::Connection::open(&path).unwrap();
    assert!(raw
        .execute("UPDATE events SET to_state = 'succeeded'", [])
        .is_err());
    assert!(raw.execute("DELETE FROM events", []).is_err());
    assert!(raw
        .execute("DELETE FROM transactions WHERE sid = ?1", [&sid])
        .is_err());
}

#[test]
fn recovery_turns_sending_into_unknown_and_unsent_into_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let (sending, authorized, done) = {
        let j = Journal::open(&path).unwrap();
        let a = j.begin(deposit("1", "A", 10)).unwrap();
        walk(&j, &a, &[State::Authorized, State::Sending]);
        let b = j.begin(deposit("2", "B", 20)).unwrap();
        walk(&j, &b, &[State::Authorized]);
        let c = j.begin(deposit("3", "C", 30)).unwrap();
        walk(
            &j,
            &c,
            &[State::Authorized, State::Sending, State::Succeeded],
        );
        (a, b, c)
    };
    let j = Journal::open(&path).unwrap();
    let doubtful = j.recover("startup").unwrap();
    assert_eq!(doubtful, vec![sending.clone()]);
    assert_eq!(j.get(&sending).unwrap().unwrap().state, State::Unknown);
    assert_eq!(j.get(&authorized).unwrap().unwrap().state, State::Cancelled);
    assert_eq!(j.get(&done).unwrap().unwrap().state, State::Succeeded);
    assert!(
        j.recover("startup").unwrap().is_empty(),
        "recovery is idempotent"
    );
    let in_doubt = j.in_doubt().unwrap();
    assert_eq!(in_doubt.len(), 1);
    assert_eq!(
        j.in_doubt_like(Some("BNI"), "1", rp(10))
            .unwrap()
            .map(|r| r.sid),
        Some(sending)
    );
    assert!(j.in_doubt_like(Some("BNI"), "1", rp(11)).unwrap().is_none());
    assert!(j.in_doubt_like(Some("BNI"), "2", rp(10)).unwrap().is_none());
}

#[test]
fn history_filters_searches_and_pages() {
    let j = Journal::open_in_memory().unwrap();
    let base = Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap();
    let names = ["Ardha Herdianto", "Budi Santoso", "Citra Lestari"];
    for i in 0..90 {
        let mut t = deposit(
            &format!("1404{}", i % 3),
            names[i % 3],
            1_000 * (i as i64 + 1),
        );
        if i % 3 == 2 {
            t.kind = Some(Kind::IntrabankTransfer);
            t.admin_fee = Some(rp(1_000));
        }
        let sid = j
            .begin_at(t, base + Duration::minutes(i as i64 * 30))
            .unwrap();
        walk(&j, &sid, &[State::Authorized, State::Sending]);
        let end = if i % 10 == 0 {
            State::Unknown
        } else {
            State::Succeeded
        };
        walk(&j, &sid, &[end]);
    }
    let all = j
        .history(&HistoryQuery {
            limit: Some(1000),
            ..HistoryQuery::default()
        })
        .unwrap();
    assert_eq!(all.rows.len(), 90);
    assert!(all.next.is_none());
    assert!(
        all.rows
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );

    // Pages of 25 cover everything exactly once.
    let mut seen = HashSet::new();
    let mut after = None;
    loop {
        let page = j
            .history(&HistoryQuery {
                limit: Some(25),
                after: after.clone(),
                ..HistoryQuery::default()
            })
            .unwrap();
        for r in &page.rows {
            assert!(seen.insert(r.sid.clone()));
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len(), 90);

    let q = |f: HistoryQuery| {
        j.history(&HistoryQuery {
            limit: Some(1000),
            ..f
        })
        .unwrap()
        .rows
    };
    assert_eq!(
        q(HistoryQuery {
            kind: Some(Kind::IntrabankTransfer),
            ..Default::default()
        })
        .len(),
        30
    );
    assert_eq!(
        q(HistoryQuery {
            state: Some(State::Unknown),
            ..Default::default()
        })
        .len(),
        9
    );
    assert_eq!(
        q(HistoryQuery {
            account: Some("14041".into()),
            ..Default::default()
        })
        .len(),
        30
    );
    let herdi = q(HistoryQuery {
        search: Some("herdi".into()),
        ..Default::default()
    });
    assert_eq!(herdi.len(), 30);
    assert!(herdi
        .iter()
        .all(|r| r.destination.account_name.as_deref() == Some("Ardha Herdianto")));
    assert_eq!(
        q(HistoryQuery {
            search: Some("Bu".into()),
            ..Default::default()
        })
        .len(),
        30
    );
    let one = &all.rows[17].sid;
    assert_eq!(
        q(HistoryQuery {
            search: Some(one.clone()),
            ..Default::default()
        })
        .len(),
        1
    );
    let day = q(HistoryQuery {
        from: Some(base),
        to: Some(base + Duration::hours(24)),
        ..Default::default()
    });
    assert_eq!(day.len(), 48);
    assert!(j
        .history(&HistoryQuery {
            after: Some("nonsense".into()),
            ..Default::default()
        })
        .is_err());
}

#[test]
fn day_summary_counts_cash_in_wib_days() {
    let j = Journal::open_in_memory().unwrap();
    // 2026-11-21 23:30 WIB belongs to the 21st; 00:30 WIB on the 22nd to the 22nd.
    let late = Utc.with_ymd_and_hms(2026, 11, 21, 16, 30, 0).unwrap();
    let early = Utc.with_ymd_and_hms(2026, 11, 21, 17, 30, 0).unwrap();
    let a = j.begin_at(deposit("1", "A", 25_000), late).unwrap();
    walk(
        &j,
        &a,
        &[State::Authorized, State::Sending, State::Succeeded],
    );
    let mut t = deposit("2", "B", 50_000);
    t.kind = Some(Kind::IntrabankTransfer);
    t.admin_fee = Some(rp(1_000));
    let b = j.begin_at(t.clone(), early).unwrap();
    walk(
        &j,
        &b,
        &[State::Authorized, State::Sending, State::Succeeded],
    );
    let c = j.begin_at(t.clone(), early).unwrap();
    walk(&j, &c, &[State::Authorized, State::Sending, State::Unknown]);
    let d = j.begin_at(t, early).unwrap();
    walk(&j, &d, &[State::Authorized, State::Sending, State::Failed]);

    let day22 = j
        .day_summary(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
        .unwrap();
    assert_eq!(day22.cash_in, rp(51_000));
    assert_eq!(day22.admin_fees, rp(1_000));
    assert_eq!(day22.in_doubt, 1);
    assert_eq!(day22.in_doubt_total, rp(51_000));
    let (kind, s) = &day22.kinds[0];
    assert_eq!(*kind, Kind::IntrabankTransfer);
    assert_eq!((s.succeeded, s.failed, s.unknown), (1, 1, 1));
    let day21 = j
        .day_summary(NaiveDate::from_ymd_opt(2026, 11, 21).unwrap())
        .unwrap();
    assert_eq!(day21.cash_in, rp(25_000));
}

#[test]
fn csv_export_writes_every_matching_row_oldest_first() {
    let j = Journal::open_in_memory().unwrap();
    let base = Utc.with_ymd_and_hms(2026, 11, 22, 1, 0, 0).unwrap();
    for i in 0..5 {
        let sid = j
            .begin_at(
                deposit("14047", "Ardha, \"Herdi\"", 25_000 + i),
                base + Duration::seconds(i),
            )
            .unwrap();
        walk(
            &j,
            &sid,
            &[State::Authorized, State::Sending, State::Succeeded],
        );
    }
    let mut out = Vec::new();
    let n = j.export_csv(&HistoryQuery::default(), &mut out).unwrap();
    assert_eq!(n, 5);
    let text = String::from_utf8(out).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 byte-order mark");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6);
    assert!(lines[0].starts_with("sid;waktu_wib;jenis;status;nominal"));
    assert!(lines[1].contains(";2026-11-22 08:00:00;deposit;succeeded;25000;0;25000;BNI;;'14047;\"Ardha, \"\"Herdi\"\"\";"), "{}", lines[1]);
    assert!(lines[5].contains(";25004;"));
}

#[test]
fn reprints_are_numbered_per_sid_journaled_and_survive_a_schema_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    // A journal written by the first release (schema 1), with one finished deposit.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let sql = "CREATE TABLE transactions (sid TEXT PRIMARY KEY, kind TEXT NOT NULL, \
            state TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, \
            operator TEXT NOT NULL, agent_code TEXT NOT NULL, amount_sen INTEGER, fee_sen INTEGER, \
            total_sen INTEGER, dest_bank_code TEXT, dest_bank_name TEXT, dest_account TEXT, \
            dest_name TEXT, narration TEXT, inquiry_ref TEXT, bank_reference TEXT, bank_code TEXT, \
            bank_message TEXT, override_of TEXT, resolution TEXT, resolution_note TEXT, \
            resolved_by TEXT) STRICT;
            CREATE TABLE events (id INTEGER PRIMARY KEY, sid TEXT NOT NULL REFERENCES transactions(sid), \
            at INTEGER NOT NULL, from_state TEXT, to_state TEXT NOT NULL, actor TEXT NOT NULL, note TEXT) STRICT;
            CREATE TRIGGER events_are_append_only_u BEFORE UPDATE ON events \
            BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END;
            CREATE VIRTUAL TABLE tx_search USING fts5(text, content='', contentless_delete=1, tokenize='trigram');
            INSERT INTO transactions (sid, kind, state, created_at, updated_at, operator, agent_code, amount_sen) \
            VALUES ('2611221200000001', 'deposit', 'succeeded', 1, 2, 'agent', 'BNI014100294', 2500000);
            INSERT INTO events (sid, at, from_state, to_state, actor) \
            VALUES ('2611221200000001', 2, 'sending', 'succeeded', 'agent');
            PRAGMA user_version = 1;";
        conn.execute_batch(sql).unwrap();
    }
    let j = Journal::open(&path).unwrap();
    let sid = "2611221200000001";
    let old = j.events(sid).unwrap();
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].kind, journal::EventKind::State);
    assert_eq!(old[0].authorized_by, None);

    assert_eq!(j.reprints(sid).unwrap(), 0);
    assert_eq!(j.record_reprint(sid, "agent", "spv-a").unwrap(), 1);
    assert_eq!(j.record_reprint(sid, "agent", "spv-b").unwrap(), 2);
    assert_eq!(j.reprints(sid).unwrap(), 2);
    let events = j.events(sid).unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.kind, journal::EventKind::Reprint);
    assert_eq!(last.note.as_deref(), Some("SALINAN KE-2"));
    assert_eq!(last.authorized_by.as_deref(), Some("spv-b"));
    assert_eq!(
        (last.from, last.to),
        (Some(State::Succeeded), State::Succeeded)
    );
    assert_eq!(j.get(sid).unwrap().unwrap().state, State::Succeeded);
    assert!(matches!(
        j.record_reprint("2611221200009999", "agent", "spv-a"),
        Err(JournalError::NotFound(_))
    ));
    drop(j);
    // Reprint events are as append-only as the rest.
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert!(conn
        .execute(
            "UPDATE events SET note = 'SALINAN KE-1' WHERE kind = 'reprint'",
            []
        )
        .is_err());
}

#[test]
fn authorizations_outside_transactions_are_kept_and_never_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let j = Journal::open(&path).unwrap();
    j.record_authorization(
        "settings",
        "BNIUS100294",
        "Wati Pengawas",
        "server: sandbox -> https://x",
    )
    .unwrap();
    drop(j);
    let j = Journal::open(&path).unwrap();
    let all = j.authorizations().unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].authorized_by, "Wati Pengawas");
    assert_eq!(all[0].action, "settings");
    let conn = rusqlite::Connection::open(&path).unwrap();
    for sql in [
        "UPDATE authorizations SET authorized_by = 'x'",
        "DELETE FROM authorizations",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
}

/// Issue 16: a broad search (a name on 1 row in 8) walks the time order
/// newest-first instead of taking every match; its pages must be exactly
/// the rows and order the whole query gives, with other filters and across
/// cursors.
#[test]
fn a_broad_search_pages_exactly_like_the_whole_query() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    journal::bench_fixture::generate(&path, 24_000);
    let j = Journal::open(&path).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    let expected = |extra: &str| -> Vec<String> {
        raw.prepare(&format!(
            "SELECT sid FROM transactions WHERE dest_name LIKE '%herdi%' {extra} \
             ORDER BY created_at DESC, sid DESC"
        ))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    };
    let all = expected("");
    assert!(all.len() > journal::NARROW, "broad: {}", all.len());
    for (q, extra) in [
        (HistoryQuery::default(), ""),
        (
            HistoryQuery {
                state: Some(State::Failed),
                ..Default::default()
            },
            "AND state = 'failed'",
        ),
        (
            HistoryQuery {
                kind: Some(Kind::Deposit),
                limit: Some(333),
                ..Default::default()
            },
            "AND kind = 'deposit'",
        ),
    ] {
        let want = expected(extra);
        let mut got = Vec::new();
        let mut after = None;
        for _ in 0..4 {
            let page = j
                .history(&HistoryQuery {
                    search: Some("Herdi".into()),
                    after: after.clone(),
                    ..q.clone()
                })
                .unwrap();
            got.extend(page.rows.iter().map(|r| r.sid.clone()));
            after = page.next;
            if after.is_none() {
                break;
            }
        }
        assert!(!got.is_empty(), "{q:?}");
        assert_eq!(got, want[..got.len()], "{q:?}");
    }
}

/// Issue 16: a search of one or two characters reads a bounded number of
/// rows per page; going on with `next` until it runs out gives exactly the
/// rows `LIKE` finds, newest first.
#[test]
fn a_short_search_reads_a_bounded_page_and_goes_on_with_next() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    journal::bench_fixture::generate(&path, 9_000);
    let j = Journal::open(&path).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    for text in ["DI", "zq", "7"] {
        let want: Vec<String> = raw
            .prepare(
                "SELECT sid FROM transactions WHERE sid LIKE ?1 OR dest_account LIKE ?1 \
                 OR dest_name LIKE ?1 ORDER BY created_at DESC, sid DESC",
            )
            .unwrap()
            .query_map([format!("%{text}%")], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut got = Vec::new();
        let mut after = None;
        let mut pages = 0;
        loop {
            let page = j
                .history(&HistoryQuery {
                    search: Some(text.into()),
                    after: after.clone(),
                    limit: Some(200),
                    ..Default::default()
                })
                .unwrap();
            assert!(page.rows.len() <= 200);
            got.extend(page.rows.into_iter().map(|r| r.sid));
            pages += 1;
            after = page.next;
            if after.is_none() {
                break;
            }
            assert!(pages < 1_000, "{text}: the pages never end");
        }
        assert_eq!(got, want, "{text}");
        if want.is_empty() {
            // No match: pages of nothing, each bounded, until the end.
            assert!(pages >= 9_000 / journal::SHORT_SCAN, "{text}: {pages}");
        }
    }
}

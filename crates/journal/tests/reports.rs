//! What a supervisor relies on, on a real SQLite file: the day summary
//! (reversals, huge rows), date bounds at every entry, and a CSV export that
//! an Indonesian-locale spreadsheet opens safely.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use journal::{
    Destination, HistoryQuery, Journal, JournalError, Kind, NewTransaction, State, StepFacts,
};
use money::Rupiah;

fn rp(r: i64) -> Rupiah {
    Rupiah::from_rupiah(r).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn tx(kind: Kind, account: &str, name: &str, amount: Rupiah, fee: Rupiah) -> NewTransaction {
    NewTransaction {
        kind: Some(kind),
        operator: "BNIUS100294".into(),
        agent_code: "BNI014100294".into(),
        amount: Some(amount),
        admin_fee: Some(fee),
        destination: Destination {
            bank_code: Some("014".into()),
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

const BOOKED: [State; 3] = [State::Authorized, State::Sending, State::Succeeded];

fn journal() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::open(&dir.path().join("journal.db")).unwrap();
    (dir, j)
}

/// Defect 19: a reversal's fee is not earned; the reversal day shows the money
/// going back; the earlier (closed) day's figures do not change.
#[test]
fn a_reversal_is_counted_on_its_own_day_and_never_changes_a_closed_day() {
    let (_dir, j) = journal();
    // Monday 10:00 WIB: an interbank transfer of Rp50.000 + Rp6.500 and an
    // intrabank one of Rp20.000 + Rp1.000.
    let monday = Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
    let inter = j
        .begin_at(
            tx(Kind::InterbankTransfer, "123", "A", rp(50_000), rp(6_500)),
            monday,
        )
        .unwrap();
    walk(&j, &inter, &BOOKED);
    let intra = j
        .begin_at(
            tx(Kind::IntrabankTransfer, "456", "B", rp(20_000), rp(1_000)),
            monday + Duration::minutes(1),
        )
        .unwrap();
    walk(&j, &intra, &BOOKED);
    let closed = j.day_summary(day(2026, 11, 23)).unwrap();
    assert_eq!(closed.admin_fees, rp(7_500));
    assert_eq!(closed.cash_in, rp(77_500));
    assert_eq!(closed.net_cash, rp(77_500));

    // Tuesday: both are reversed (the bank refunds amount and fee).
    let tuesday = monday + Duration::days(1);
    for (original, amount, fee) in [(&inter, 50_000, 6_500), (&intra, 20_000, 1_000)] {
        let rev = j
            .begin_at(tx(Kind::Reversal, "123", "A", rp(amount), rp(fee)), tuesday)
            .unwrap();
        walk(&j, &rev, &BOOKED);
        walk(&j, original, &[State::Reversed]);
    }

    let monday_again = j.day_summary(day(2026, 11, 23)).unwrap();
    assert_eq!(monday_again.admin_fees, closed.admin_fees);
    assert_eq!(monday_again.cash_in, closed.cash_in);
    assert_eq!(monday_again.net_cash, closed.net_cash);
    assert_eq!(monday_again.net_admin_fees, closed.net_admin_fees);
    for ((k1, a), (k2, b)) in closed.kinds.iter().zip(&monday_again.kinds) {
        assert_eq!(k1, k2);
        assert_eq!(
            (a.succeeded, a.amount, a.admin_fee, a.total),
            (b.succeeded, b.amount, b.admin_fee, b.total)
        );
    }

    let tue = j.day_summary(day(2026, 11, 24)).unwrap();
    assert_eq!(
        tue.admin_fees,
        Rupiah::ZERO,
        "a reversal's fee is not earned"
    );
    assert_eq!(tue.fees_refunded, rp(7_500));
    assert_eq!(tue.cash_returned, rp(77_500));
    assert_eq!(tue.net_admin_fees, rp(-7_500));
    assert_eq!(tue.net_cash, rp(-77_500));
    assert_eq!(tue.cash_in, Rupiah::ZERO);
}

/// Defect 7: rows beyond any sane amount (written before amounts were bounded)
/// must not break a day's summary for ever (SQL SUM overflowed).
#[test]
fn a_day_with_huge_rows_still_sums() {
    let (_dir, j) = journal();
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
    let huge = Rupiah::from_sen(5_000_000_000_000_000_000);
    for state in [State::Failed, State::Failed, State::Unknown, State::Unknown] {
        let sid = j
            .begin_at(tx(Kind::Deposit, "1", "X", huge, Rupiah::ZERO), at)
            .unwrap();
        walk(&j, &sid, &[State::Authorized, State::Sending, state]);
    }
    let ok = j
        .begin_at(tx(Kind::Deposit, "2", "Y", rp(25_000), Rupiah::ZERO), at)
        .unwrap();
    walk(&j, &ok, &BOOKED);
    let s = j
        .day_summary(day(2026, 11, 23))
        .expect("the summary still works");
    assert_eq!(s.cash_in, rp(25_000));
    assert_eq!(s.in_doubt, 2);
    assert_eq!(s.in_doubt_total, Rupiah::from_sen(i64::MAX));
    let (_, dep) = &s.kinds[0];
    assert_eq!((dep.succeeded, dep.failed, dep.unknown), (1, 2, 2));
}

/// Defect 15: hostile dates are refused with a clear error at every entry, never a panic.
#[test]
fn dates_outside_the_journal_range_are_refused_not_panicked_on() {
    let (_dir, j) = journal();
    for d in [
        NaiveDate::MAX,
        NaiveDate::MIN,
        day(1999, 12, 31),
        day(2100, 1, 1),
    ] {
        let err = j.day_summary(d).unwrap_err();
        assert!(matches!(err, JournalError::DateOutOfRange(..)), "{err}");
        assert!(
            words::Say::say(&err).id().contains("di luar rentang"),
            "{err}"
        );
        // The bounds themselves never panic; the queries refuse them.
        let (from, to) = journal::wib_day_bounds(d);
        let far = HistoryQuery {
            from: Some(from - Duration::days(1)),
            to: Some(to + Duration::days(1)),
            ..HistoryQuery::default()
        };
        assert!(matches!(
            j.history(&far),
            Err(JournalError::DateOutOfRange(..))
        ));
        let mut sink = Vec::new();
        assert!(matches!(
            j.export_csv(&far, &mut sink),
            Err(JournalError::DateOutOfRange(..))
        ));
    }
    assert!(j.day_summary(journal::FIRST_DAY).is_ok());
    assert!(j.day_summary(journal::LAST_DAY).is_ok());
    assert!(journal::check_day(day(2026, 11, 23)).is_ok());
}

/// Defect 20: formula-like cells are neutralized, identifiers stay text, and
/// the file is `;`-separated UTF-8 with a BOM, as an id-ID spreadsheet expects.
#[test]
fn csv_export_is_safe_and_opens_in_an_indonesian_spreadsheet() {
    let (dir, j) = journal();
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
    let names = [
        "=HYPERLINK(\"http://x\",\"klik\")",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+62 811",
        "-1+2",
        "\tTAB",
        "\rCR",
        "Śri Ayu, \"Bu\"",
    ];
    for (i, name) in names.iter().enumerate() {
        let sid = j
            .begin_at(
                tx(
                    Kind::InterbankTransfer,
                    "0012345678901234",
                    name,
                    Rupiah::from_sen(1_000_050),
                    rp(6_500),
                ),
                at + Duration::seconds(i as i64),
            )
            .unwrap();
        walk(&j, &sid, &BOOKED);
    }
    let path = dir.path().join("out.csv");
    let file = std::fs::File::create(&path).unwrap();
    assert_eq!(j.export_csv(&HistoryQuery::default(), file).unwrap(), 7);

    // Python's csv reader on the exact bytes, as a spreadsheet's importer reads them.
    let script = r#"
import csv, io, sys
raw = open(sys.argv[1], 'rb').read()
assert raw.startswith(b'\xef\xbb\xbf'), 'no BOM'
rows = list(csv.reader(io.StringIO(raw[3:].decode('utf-8'), newline=''), delimiter=';'))
sys.stdout.buffer.write('\x1e'.join('\x1f'.join(r) for r in rows).encode('utf-8'))
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Vec<String>> = String::from_utf8(out.stdout)
        .unwrap()
        .split('\u{1e}')
        .map(|r| r.split('\u{1f}').map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 8);
    assert_eq!(rows[0][0], "sid");
    for (row, name) in rows[1..].iter().zip(names) {
        assert_eq!(row.len(), 15, "{row:?}");
        // Every cell a spreadsheet could run as a formula starts with an apostrophe.
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} would run as a formula"
            );
        }
        assert!(
            row[0].starts_with('\'') && row[0].len() == 17,
            "sid stays text: {row:?}"
        );
        assert_eq!(row[7], "'014", "bank code keeps its leading zero");
        assert_eq!(row[9], "'0012345678901234", "account stays text");
        assert_eq!(row[4], "10000,50", "decimal comma");
        assert_eq!(row[5], "6500");
        let shown = row[10].strip_prefix('\'').unwrap_or(&row[10]);
        assert_eq!(shown, name, "the name itself is kept");
    }
    assert_eq!(rows[7][10], "Śri Ayu, \"Bu\"");
}

/// Issue 15: the history list shows money first. The agent-balance
/// refreshes (and other read-only look-ups) between real transactions are
/// left out when asked, kept when a kind asks for them, and every row is
/// there without the filter.
#[test]
fn history_can_leave_out_the_read_only_look_ups() {
    let (_dir, j) = journal();
    let mut sids = Vec::new();
    for kind in [
        Kind::AgentBalance,
        Kind::Deposit,
        Kind::AgentBalance,
        Kind::CheckAccount,
        Kind::CustomerBalance,
        Kind::InterbankTransfer,
        Kind::AgentBalance,
    ] {
        let sid = j
            .begin(tx(kind, "14047", "Ardha Herdianto", rp(25_000), rp(0)))
            .unwrap();
        sids.push((kind, sid));
    }
    let kinds = |q: HistoryQuery| {
        let mut k: Vec<Kind> = j.history(&q).unwrap().rows.iter().map(|r| r.kind).collect();
        k.sort_by_key(|k| k.as_str());
        k
    };
    assert_eq!(
        kinds(HistoryQuery {
            hide_lookups: true,
            ..HistoryQuery::default()
        }),
        vec![Kind::Deposit, Kind::InterbankTransfer]
    );
    assert_eq!(kinds(HistoryQuery::default()).len(), sids.len());
    // Asking for a look-up kind shows it, filter or not.
    assert_eq!(
        kinds(HistoryQuery {
            hide_lookups: true,
            kind: Some(Kind::AgentBalance),
            ..HistoryQuery::default()
        }),
        vec![Kind::AgentBalance; 3]
    );
    // Paging over the filtered list reaches every money row once.
    let first = j
        .history(&HistoryQuery {
            hide_lookups: true,
            limit: Some(1),
            ..HistoryQuery::default()
        })
        .unwrap();
    let second = j
        .history(&HistoryQuery {
            hide_lookups: true,
            limit: Some(1),
            after: first.next.clone(),
            ..HistoryQuery::default()
        })
        .unwrap();
    assert_eq!(first.rows.len() + second.rows.len(), 2);
    assert!(second.next.is_none());
}

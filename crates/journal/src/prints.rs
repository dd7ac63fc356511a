//! Original receipts: the one paper (or PDF) a customer takes home as the
//! original. It is issued once, at the result screen; a retry for a paper
//! jam is allowed only shortly after and from the same session, and every
//! issue is an event on the transaction. Anything later is a numbered copy
//! (SALINAN KE-n) that a supervisor approves (`record_reprint`).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};

use crate::{load, millis, Journal, JournalError, Result};

/// How long after the first original a retry (paper jam, printer off) is
/// still the original.
pub const ORIGINAL_RETRY_WINDOW: Duration = Duration::minutes(2);

/// At most this many issues of the original in all (the first and two
/// retries): a jammed printer is retried, it is not a copy machine.
pub const MAX_ORIGINAL_ISSUES: u32 = 3;

/// What the journal allowed for an original receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginalIssue {
    /// The first original of this transaction.
    First,
    /// A retry of the original within the window, the n-th issue in all (2, 3, …).
    Retry(u32),
    /// Refused: the original was issued at `first_at`, by another session or
    /// longer ago than the window; only a supervisor-approved copy remains.
    Refused { first_at: DateTime<Utc> },
}

impl Journal {
    /// Records an original receipt of `sid` issued as `how` ("print" or
    /// "pdf") by `actor` in `session` (a tag naming the app run or CLI user,
    /// never a secret), or refuses it. Deciding and recording happen in one
    /// write transaction, so two processes cannot both issue a first original.
    pub fn issue_original(
        &self,
        sid: &str,
        how: &str,
        actor: &str,
        session: &str,
    ) -> Result<OriginalIssue> {
        self.issue_original_at(sid, how, actor, session, Utc::now())
    }

    pub fn issue_original_at(
        &self,
        sid: &str,
        how: &str,
        actor: &str,
        session: &str,
        now: DateTime<Utc>,
    ) -> Result<OriginalIssue> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current = load(&tx, sid)?.ok_or_else(|| JournalError::NotFound(sid.to_owned()))?;
        // The first original's time and session (the note's last word).
        let first: Option<(i64, Option<String>)> = tx
            .query_row(
                "SELECT at, note FROM events WHERE sid = ?1 AND kind = 'original' ORDER BY id LIMIT 1",
                [sid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let done: i64 = tx.query_row(
            "SELECT count(*) FROM events WHERE sid = ?1 AND kind = 'original'",
            [sid],
            |r| r.get(0),
        )?;
        let (issue, what) = match first {
            None => (OriginalIssue::First, "ASLI".to_owned()),
            Some((at, note)) => {
                let first_at = millis(at);
                let same_session = note
                    .as_deref()
                    .and_then(|n| n.rsplit_once(" sesi "))
                    .is_some_and(|(_, s)| s == session);
                let in_window = now >= first_at && now - first_at <= ORIGINAL_RETRY_WINDOW;
                let room = done < i64::from(MAX_ORIGINAL_ISSUES);
                if same_session && in_window && room {
                    let n = u32::try_from(done + 1).unwrap_or(u32::MAX);
                    (OriginalIssue::Retry(n), format!("ASLI ulang ke-{n}"))
                } else {
                    return Ok(OriginalIssue::Refused { first_at });
                }
            }
        };
        tx.prepare_cached(
            "INSERT INTO events (sid, at, from_state, to_state, actor, note, kind) \
             VALUES (?1, ?2, ?3, ?3, ?4, ?5, 'original')",
        )?
        .execute(params![
            sid,
            now.timestamp_millis(),
            current.state.as_str(),
            actor,
            format!("{what} ({how}) sesi {session}"),
        ])?;
        crate::commit(tx, format_args!("journal.original"))?;
        Ok(issue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EventKind, Kind, NewTransaction};

    fn journal_with_one() -> (tempfile::TempDir, Journal, String) {
        let dir = tempfile::tempdir().expect("tempdir");
        let j = Journal::open(&dir.path().join("journal.db")).expect("journal");
        let sid = j
            .begin(NewTransaction {
                kind: Some(Kind::Deposit),
                ..NewTransaction::default()
            })
            .expect("begin");
        (dir, j, sid)
    }

    #[test]
    fn the_original_is_issued_once_then_only_a_retry_in_the_window() {
        let (_dir, j, sid) = journal_with_one();
        let t0 = Utc::now();
        assert_eq!(
            j.issue_original_at(&sid, "print", "agen", "app-1", t0)
                .expect("first"),
            OriginalIssue::First
        );
        // A paper jam: the same session, a minute later.
        let t1 = t0 + Duration::seconds(60);
        assert_eq!(
            j.issue_original_at(&sid, "print", "agen", "app-1", t1)
                .expect("retry"),
            OriginalIssue::Retry(2)
        );
        // Another session, even at once: refused.
        assert!(matches!(
            j.issue_original_at(&sid, "pdf", "agen", "app-2", t1)
                .expect("other"),
            OriginalIssue::Refused { .. }
        ));
        // The same session after the window: refused.
        let late = t0 + ORIGINAL_RETRY_WINDOW + Duration::seconds(1);
        assert!(matches!(
            j.issue_original_at(&sid, "print", "agen", "app-1", late)
                .expect("late"),
            OriginalIssue::Refused { .. }
        ));
        let events = j.events(&sid).expect("events");
        // Retries are few, even in the window.
        let (_dir2, j2, sid2) = journal_with_one();
        for n in 1..=MAX_ORIGINAL_ISSUES {
            let got = j2
                .issue_original_at(&sid2, "print", "agen", "app-1", t0)
                .expect("issue");
            assert_eq!(
                got,
                if n == 1 {
                    OriginalIssue::First
                } else {
                    OriginalIssue::Retry(n)
                }
            );
        }
        assert!(matches!(
            j2.issue_original_at(&sid2, "print", "agen", "app-1", t0)
                .expect("one more"),
            OriginalIssue::Refused { .. }
        ));
        let originals: Vec<_> = events
            .iter()
            .filter(|e| e.kind == EventKind::Original)
            .collect();
        assert_eq!(
            originals.len(),
            2,
            "each issue is journaled, refusals are not issues"
        );
        assert_eq!(
            originals[1].note.as_deref(),
            Some("ASLI ulang ke-2 (print) sesi app-1")
        );
    }

    #[test]
    fn two_journals_on_one_file_issue_one_first_original() {
        let (dir, j, sid) = journal_with_one();
        let other = Journal::open(&dir.path().join("journal.db")).expect("second handle");
        let a = j.issue_original(&sid, "print", "agen", "app-1").expect("a");
        let b = other
            .issue_original(&sid, "print", "agen", "cli:agen")
            .expect("b");
        assert_eq!(a, OriginalIssue::First);
        assert!(matches!(b, OriginalIssue::Refused { .. }));
        assert!(j.issue_original("0000", "print", "agen", "app-1").is_err());
    }
}

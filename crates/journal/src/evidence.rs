//! Statement lines used as evidence: settling a transaction in doubt from
//! the agent's bank statement records the line(s) by the provider's own line
//! id in the same SQLite transaction as the state change, so a line that
//! settled one transaction can never settle another (issue 11).

use chrono::{DateTime, Utc};
use money::Rupiah;
use rusqlite::{params, OptionalExtension};

use crate::{
    insert_event, load, millis, Journal, JournalError, Resolution, Result, State, TransactionRecord,
};

/// One statement line as the journal keeps it (what the supervisor saw).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EvidenceLine {
    pub provider: String,
    pub provider_id: String,
    pub account: String,
    pub posted_at: DateTime<Utc>,
    pub date_only: bool,
    /// "CR" or "DB".
    pub direction: String,
    pub amount: Rupiah,
    pub description: String,
}

/// A line already used as evidence, and the transaction it settled.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsedLine {
    pub provider: String,
    pub provider_id: String,
    pub sid: String,
}

impl Journal {
    /// Settles `sid` (in doubt) as succeeded from `lines`, approved by
    /// `supervisor`: one SQLite transaction records every line (refused if
    /// any was used before), moves the row and appends the event.
    pub fn settle_from_statement(
        &self,
        sid: &str,
        lines: &[EvidenceLine],
        actor: &str,
        supervisor: &str,
        note: &str,
    ) -> Result<TransactionRecord> {
        let now = Utc::now();
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current = load(&tx, sid)?.ok_or_else(|| JournalError::NotFound(sid.to_owned()))?;
        if current.state != State::Unknown || !State::Unknown.can_move_to(State::Succeeded) {
            return Err(JournalError::BadTransition {
                sid: sid.to_owned(),
                from: current.state,
                to: State::Succeeded,
            });
        }
        for l in lines {
            let used: Option<String> = tx
                .query_row(
                    "SELECT sid FROM statement_evidence WHERE provider = ?1 AND provider_id = ?2",
                    params![l.provider, l.provider_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(by) = used {
                return Err(JournalError::LineUsed {
                    provider: l.provider.clone(),
                    provider_id: l.provider_id.clone(),
                    sid: by,
                });
            }
            tx.prepare_cached(
                "INSERT INTO statement_evidence (provider, provider_id, sid, account, posted_at, \
                 date_only, direction, amount_sen, description, approved_by, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                l.provider,
                l.provider_id,
                sid,
                l.account,
                l.posted_at.timestamp_millis(),
                l.date_only,
                l.direction,
                l.amount.sen(),
                l.description,
                supervisor,
                now.timestamp_millis(),
            ])?;
        }
        let reference = lines
            .iter()
            .map(|l| format!("{}:{}", l.provider, l.provider_id))
            .collect::<Vec<_>>()
            .join("+");
        tx.execute(
            "UPDATE transactions SET state = ?2, updated_at = ?3, \
             bank_reference = coalesce(?4, bank_reference), resolution = ?5, \
             resolution_note = ?6, resolved_by = ?7 WHERE sid = ?1 AND state = ?8",
            params![
                sid,
                State::Succeeded.as_str(),
                now.timestamp_millis(),
                (!reference.is_empty()).then_some(reference),
                Resolution::Statement.as_str(),
                note,
                supervisor,
                State::Unknown.as_str(),
            ],
        )?;
        insert_event(
            &tx,
            sid,
            now,
            Some(State::Unknown),
            State::Succeeded,
            actor,
            Some(note),
            Some(supervisor),
            "state",
        )?;
        let updated = load(&tx, sid)?.ok_or_else(|| JournalError::NotFound(sid.to_owned()))?;
        crate::commit(tx, format_args!("journal.evidence.{}", current.kind))?;
        Ok(updated)
    }

    /// Every line ever used as evidence (few: one per settled doubt).
    pub fn used_lines(&self) -> Result<Vec<UsedLine>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT provider, provider_id, sid FROM statement_evidence ORDER BY at, provider_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(UsedLine {
                provider: r.get(0)?,
                provider_id: r.get(1)?,
                sid: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The lines that settled `sid`, if it was settled from a statement.
    pub fn evidence_of(&self, sid: &str) -> Result<Vec<EvidenceLine>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT provider, provider_id, account, posted_at, date_only, direction, amount_sen, \
             description FROM statement_evidence WHERE sid = ?1 ORDER BY provider_id",
        )?;
        let rows = stmt.query_map([sid], |r| {
            Ok(EvidenceLine {
                provider: r.get(0)?,
                provider_id: r.get(1)?,
                account: r.get(2)?,
                posted_at: millis(r.get(3)?),
                date_only: r.get(4)?,
                direction: r.get(5)?,
                amount: Rupiah::from_sen(r.get(6)?),
                description: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Kind, NewTransaction, StepFacts};

    fn doubt(j: &Journal) -> String {
        let sid = j
            .begin(NewTransaction {
                kind: Some(Kind::Deposit),
                operator: "op".into(),
                agent_code: "A".into(),
                amount: Some(Rupiah::from_sen(100)),
                ..NewTransaction::default()
            })
            .unwrap();
        for (from, to) in [
            (State::Draft, State::Inquired),
            (State::Inquired, State::Authorized),
            (State::Authorized, State::Sending),
            (State::Sending, State::Unknown),
        ] {
            j.step(&sid, from, to, "op", None, StepFacts::default())
                .unwrap();
        }
        sid
    }

    fn line(id: &str) -> EvidenceLine {
        EvidenceLine {
            provider: "moota".into(),
            provider_id: id.into(),
            account: "4447".into(),
            posted_at: Utc::now(),
            date_only: false,
            direction: "DB".into(),
            amount: Rupiah::from_sen(100),
            description: "SETOR".into(),
        }
    }

    #[test]
    fn a_line_settles_one_transaction_only() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&dir.path().join("j.db")).unwrap();
        let a = doubt(&j);
        let b = doubt(&j);
        let r = j
            .settle_from_statement(&a, &[line("L1")], "op", "spv", "statement moota:L1")
            .unwrap();
        assert_eq!(r.state, State::Succeeded);
        assert_eq!(r.resolution, Some(Resolution::Statement));
        assert_eq!(r.resolved_by.as_deref(), Some("spv"));
        match j.settle_from_statement(&b, &[line("L1")], "op", "spv", "again") {
            Err(JournalError::LineUsed { sid, .. }) => assert_eq!(sid, a),
            other => panic!("{other:?}"),
        }
        // Nothing of the refused attempt stayed.
        assert_eq!(j.get(&b).unwrap().unwrap().state, State::Unknown);
        assert_eq!(j.used_lines().unwrap().len(), 1);
        assert_eq!(j.evidence_of(&a).unwrap()[0].provider_id, "L1");
        let events = j.events(&a).unwrap();
        assert_eq!(events.last().unwrap().authorized_by.as_deref(), Some("spv"));
    }
}

//! Settling a transaction in doubt from the agent's bank statement: the
//! teller's side of the rule of evidence ([`reconcile::judge`]). The caller
//! hands over the whole statement it fetched (never a line it built) and the
//! account the terminal is bound to; the teller reads the journal itself,
//! judges, and settles only what the rule settles, with a supervisor's
//! approval, recording the line(s) so they can never settle anything again.

use chrono::Duration;
use journal::{EvidenceLine, TransactionRecord};
use mutasi::StatementLine;
use reconcile::{Judgement, Options, Verdict};

use crate::{Result, SupervisorApproval, Teller, TellerError};

impl Teller {
    /// The rule's verdict on every transaction in doubt that `lines` (one
    /// provider's statement of `own_account`) could concern.
    pub fn judge_statement(
        &self,
        lines: &[StatementLine],
        own_account: &str,
    ) -> Result<Vec<Judgement>> {
        let opts = Options::default();
        // Every journal row whose window can reach a line: from `after`
        // before the first line to `before` after the last (a date-only
        // line spans its whole day).
        let first = lines.iter().map(|l| l.posted_at).min();
        let last = lines
            .iter()
            .map(|l| l.posted_at + Duration::days(i64::from(l.date_only)))
            .max();
        let (Some(first), Some(last)) = (first, last) else {
            // No line: every doubt has no evidence. Judge them for the list.
            let doubts = self.journal.in_doubt()?;
            return Ok(reconcile::judge(&doubts, &[], own_account, &[], &opts));
        };
        let records = self.journal.between(
            first - opts.after - Duration::minutes(1),
            last + opts.before + Duration::minutes(1),
        )?;
        let used = self.journal.used_lines()?;
        Ok(reconcile::judge(&records, lines, own_account, &used, &opts))
    }

    /// Settles the transaction in doubt `sid` as succeeded when the rule of
    /// evidence finds its debit in `lines`, the statement of `own_account`
    /// fetched with the approved provider settings. Needs a supervisor's
    /// approval; the line(s) are journaled with the settlement. When the
    /// rule does not settle, nothing changes and the error names every
    /// candidate line and every other transaction that could claim it.
    pub fn resolve_from_statement(
        &self,
        sid: &str,
        lines: &[StatementLine],
        own_account: &str,
        approval: &SupervisorApproval,
    ) -> Result<TransactionRecord> {
        let supervisor = approval.check()?.name().to_owned();
        let record = self.record(sid)?;
        if record.state != journal::State::Unknown || !record.kind.moves_money() {
            return Err(TellerError::WrongState {
                sid: sid.into(),
                state: record.state,
            });
        }
        let judgements = self.judge_statement(lines, own_account)?;
        let verdict = judgements
            .into_iter()
            .find(|j| j.entry.sid == sid)
            .map(|j| j.verdict);
        let evidence = match verdict {
            Some(Verdict::Settle { lines, .. }) => lines,
            Some(Verdict::Undecided {
                why,
                candidates,
                rivals,
            }) => {
                let mut text = why.text();
                if !candidates.is_empty() {
                    let lines = candidates
                        .iter()
                        .map(|l| {
                            format!(
                                "{}:{} {} {}",
                                l.provider,
                                l.provider_id,
                                l.direction.as_str(),
                                l.amount
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    text = words::text!("{text}; baris: {lines}", "{text}; lines: {lines}"; text);
                }
                if !rivals.is_empty() {
                    let rivals = rivals.join(", ");
                    text = words::text!(
                        "{text}; transaksi lain: {rivals}",
                        "{text}; other transactions: {rivals}";
                        text
                    );
                }
                return Err(TellerError::StatementMismatch {
                    sid: sid.to_owned(),
                    why: text,
                });
            }
            None => {
                return Err(TellerError::StatementMismatch {
                    sid: sid.to_owned(),
                    why: reconcile::Why::NoLine.text(),
                })
            }
        };
        let note = format!(
            "statement {}",
            evidence
                .iter()
                .map(|l| format!(
                    "{}:{} {} {} {} {}",
                    l.provider,
                    l.provider_id,
                    l.posted_at.format("%Y-%m-%dT%H:%M:%SZ"),
                    l.direction.as_str(),
                    l.amount.to_plain_string(),
                    l.description
                ))
                .collect::<Vec<_>>()
                .join(" + ")
        );
        let rows: Vec<EvidenceLine> = evidence
            .iter()
            .map(|l| EvidenceLine {
                provider: l.provider.as_str().to_owned(),
                provider_id: l.provider_id.clone(),
                account: l.account.clone(),
                posted_at: l.posted_at,
                date_only: l.date_only,
                direction: l.direction.as_str().to_owned(),
                amount: l.amount,
                description: l.description.clone(),
            })
            .collect();
        let settled = self.journal.settle_from_statement(
            sid,
            &rows,
            &self.actor_for(approval),
            &supervisor,
            &note,
        )?;
        tracing::info!(sid, supervisor = %supervisor, "settled from the statement");
        Ok(settled)
    }
}

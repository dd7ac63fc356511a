//! `loket statement` and `loket reconcile`: the agent's bank statement from
//! one of four providers (settings from `--providers FILE`, else the
//! sandbox's imitations at the sandbox or `--server` origin), cached in
//! `statements.db` in the data directory, and paired with the journal.

use std::path::Path;
#[allow(unused_imports)]
use words::{text, Say, Text};

use chrono::NaiveDate;
use mutasi::{DateRange, ProviderKind, ProviderSettings, ProvidersFile, StatementLine};
use serde_json::{json, Value};
use teller::statements::{self, demo_settings};
use teller::{SupervisorApproval, TellerError};

use crate::args::{Command, Global};
use crate::exit;
use crate::output::{money_number, Out};
use crate::session::Ctx;

fn day(out: &Out, flag: &str, text: &str) -> Result<NaiveDate, u8> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| out.usage(Text::same(format!("{flag} {text:?}: YYYY-MM-DD"))))
}

fn settings(
    ctx: &Ctx,
    global: &Global,
    kind: ProviderKind,
    file: Option<&Path>,
) -> Result<ProviderSettings, u8> {
    let fail = |e: mutasi::MutasiError| ctx.out.fail(&TellerError::Statement(e));
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                let path = path.display();
                ctx.out.usage(text!(
                    "berkas penyedia {path} tidak bisa dibaca: {e}",
                    "cannot read the providers file {path}: {e}";
                    e
                ))
            })?;
            ProvidersFile::parse(&text)
                .and_then(|f| f.get(kind))
                .map_err(fail)
        }
        None => {
            let base = ctx
                .sandbox_url()
                .or_else(|| global.server.clone())
                .unwrap_or_default();
            Ok(demo_settings(kind, &base))
        }
    }
}

/// The provider settings a settlement may rest on: the ones a supervisor
/// approved and the data directory keeps sealed, or the sandbox's demo
/// imitation when the whole bank is the in-process sandbox. A
/// `--providers` file or a `--server` without sealed settings may fetch and
/// display, never settle.
fn approved_settings(
    ctx: &Ctx,
    data_dir: &Path,
    kind: ProviderKind,
) -> Result<ProviderSettings, u8> {
    let base = ctx.sandbox_url();
    let choice = statements::saved_or_demo(
        data_dir,
        kind,
        base.as_deref().unwrap_or_default(),
        base.is_some(),
    )
    .map_err(|e| ctx.out.fail(&e))?;
    if choice.approved {
        Ok(choice.settings)
    } else {
        let label = kind.label();
        Err(ctx.out.usage(text!(
            "belum ada pengaturan {label} yang disetujui supervisor; simpan di aplikasi (F11) dulu",
            "no supervisor-approved {label} settings are saved; save them in the app (F11) first"
        )))
    }
}

/// Progress on stderr while a statement is fetched.
fn progress_note(
    out: crate::output::Out,
    kind: ProviderKind,
) -> impl Fn(mutasi::Progress) + Send + Sync {
    move |p: mutasi::Progress| {
        out.note(&format!(
            "{} {}: {}/{} ({} {})",
            out.t("Mengambil mutasi", "Fetching the statement"),
            kind.label(),
            p.done,
            p.total,
            p.lines,
            out.t("baris", "lines")
        ));
    }
}

pub fn line_json(l: &StatementLine) -> Value {
    // A date-only line (Mutasibank gives no time) stays a WIB date: as an
    // instant it would read as 17:00Z of the day before.
    let posted_at = if l.date_only {
        l.posted_at
            .with_timezone(&mutasi::wib())
            .format("%Y-%m-%d")
            .to_string()
    } else {
        l.posted_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    json!({
        "posted_at": posted_at,
        "date_only": l.date_only,
        "type": l.direction.as_str(),
        "amount": money_number(l.amount),
        "balance": l.balance.map(money_number),
        "description": l.description,
        "provider_id": l.provider_id,
    })
}

fn line_human(l: &StatementLine) -> String {
    let local = l.posted_at.with_timezone(&mutasi::wib());
    let when = if l.date_only {
        local.format("%Y-%m-%d      ").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    };
    format!(
        "{when}  {}  {:>16}  {:>18}  {}",
        l.direction.as_str(),
        l.amount.to_string(),
        l.balance.map(|b| b.to_string()).unwrap_or_default(),
        l.description
    )
}

pub async fn statement(ctx: &Ctx, command: &Command, global: &Global, data_dir: &Path) -> u8 {
    let Command::Statement {
        provider,
        account,
        from,
        to,
        providers,
    } = command
    else {
        return exit::USAGE;
    };
    let out = &ctx.out;
    let range = match (day(out, "--from", from), day(out, "--to", to)) {
        (Ok(f), Ok(t)) => match DateRange::new(f, t) {
            Ok(r) => r,
            Err(e) => return out.fail(&TellerError::Statement(e)),
        },
        (Err(c), _) | (_, Err(c)) => return c,
    };
    let kind = provider.kind();
    let lines = match settings(ctx, global, kind, providers.as_deref()) {
        Ok(s) => {
            let progress = progress_note(*out, kind);
            match statements::fetch_and_cache(data_dir, &s, account, range, &progress).await {
                Ok(l) => l,
                Err(e) => return out.fail(&e),
            }
        }
        Err(code) => return code,
    };
    if out.json {
        out.object(&json!({
            "status": "ok",
            "provider": kind.as_str(),
            "account": account,
            "from": range.from.to_string(),
            "to": range.to.to_string(),
            "lines": lines.iter().map(line_json).collect::<Vec<_>>(),
        }));
    } else {
        out.line(&format!(
            "{} {account} — {} ({} – {})",
            out.t("Mutasi rekening", "Account statement"),
            kind.label(),
            range.from,
            range.to
        ));
        for l in &lines {
            out.line(&line_human(l));
        }
        out.line(&format!("{} {}", lines.len(), out.t("baris", "lines")));
    }
    exit::OK
}

fn entry_json(e: &reconcile::JournalEntry) -> Value {
    json!({
        "sid": e.sid,
        "kind": e.kind.as_str(),
        "state": e.state.as_str(),
        "created_at": e.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "type": e.direction.as_str(),
        "total": money_number(e.total),
    })
}

fn pair_json(p: &reconcile::Pair) -> Value {
    json!({
        "journal": entry_json(&p.entry),
        "lines": p.lines.iter().map(line_json).collect::<Vec<_>>(),
        "by": match p.by {
            reconcile::MatchedBy::Reference => "reference",
            reconcile::MatchedBy::AmountAndTime => "amount_and_time",
        },
    })
}

fn side_json(s: &reconcile::SideTotals) -> Value {
    json!({"count": s.count, "debit": money_number(s.debit), "credit": money_number(s.credit)})
}

fn judgement_json(out: &Out, j: &reconcile::Judgement) -> Value {
    match &j.verdict {
        reconcile::Verdict::Settle { lines, by } => json!({
            "journal": entry_json(&j.entry),
            "lines": lines.iter().map(line_json).collect::<Vec<_>>(),
            "by": match by {
                reconcile::MatchedBy::Reference => "reference",
                reconcile::MatchedBy::AmountAndTime => "amount_and_time",
            },
        }),
        reconcile::Verdict::Undecided {
            why,
            candidates,
            rivals,
        } => json!({
            "journal": entry_json(&j.entry),
            "why": why,
            "why_text": out.s(&why.text()),
            "candidates": candidates.iter().map(line_json).collect::<Vec<_>>(),
            "rivals": rivals,
        }),
    }
}

#[allow(clippy::too_many_lines)]
pub async fn reconcile(
    ctx: &mut Ctx,
    command: &Command,
    global: &Global,
    data_dir: &Path,
    approval: Option<&SupervisorApproval>,
) -> u8 {
    let Command::Reconcile {
        provider,
        from,
        to,
        account,
        providers,
        resolve,
    } = command
    else {
        return exit::USAGE;
    };
    let out = ctx.out;
    let range = match (day(&out, "--from", from), day(&out, "--to", to)) {
        (Ok(f), Ok(t)) => match DateRange::new(f, t) {
            Ok(r) => r,
            Err(e) => return out.fail(&TellerError::Statement(e)),
        },
        (Err(c), _) | (_, Err(c)) => return c,
    };
    if *resolve && providers.is_some() {
        return out.usage(text!(
            "--resolve memakai pengaturan penyedia yang disetujui supervisor; --providers hanya untuk melihat",
            "--resolve uses the supervisor-approved provider settings; --providers may only fetch and display"
        ));
    }
    // The account the terminal is bound to: the logged-in agent's own.
    let own = match ctx.teller.agent_balance().await {
        Ok(info) => info.account_number,
        Err(e) => return out.fail(&e),
    };
    let account = account.clone().unwrap_or_else(|| own.clone());
    let own_account = reconcile::same_account(&account, &own);
    if *resolve && !own_account {
        return out.usage(text!(
            "--resolve hanya dari mutasi rekening agen sendiri ({own})",
            "--resolve settles only from the agent's own account ({own})"
        ));
    }
    let kind = provider.kind();
    let settings = if *resolve {
        approved_settings(ctx, data_dir, kind)
    } else {
        settings(ctx, global, kind, providers.as_deref())
    };
    let settings = match settings {
        Ok(s) => s,
        Err(code) => return code,
    };
    // The rule looks at lines up to three days after a transaction (banks
    // book late) and before it: the core fetches the window it needs.
    let progress = progress_note(out, kind);
    let done = match ctx
        .teller
        .reconcile_statement(data_dir, &settings, &account, Some(&own), range, &progress)
        .await
    {
        Ok(d) => d,
        Err(e) => return out.fail(&e),
    };
    let mut resolved = Vec::new();
    if *resolve {
        let Some(approval) = approval else {
            return out.usage(text!(
                "kesalahan internal: persetujuan supervisor tidak ada",
                "internal error: no supervisor approval"
            ));
        };
        for j in done.settles() {
            match ctx
                .teller
                .resolve_from_statement(&j.entry.sid, &done.lines, &own, approval)
            {
                Ok(r) => resolved.push(r.sid),
                Err(e) => return out.fail(&e),
            }
        }
    }
    let report = &done.report;
    let wide = done.fetched;
    let settle: Vec<&reconcile::Judgement> = done.settles().collect();
    let undecided: Vec<&reconcile::Judgement> = done.undecided().collect();
    if out.json {
        out.object(&json!({
            "status": "ok",
            "provider": kind.as_str(),
            "account": account,
            "from": range.from.to_string(),
            "to": range.to.to_string(),
            "fetched": {"from": wide.from.to_string(), "to": wide.to.to_string()},
            "matched": report.matched.iter().map(pair_json).collect::<Vec<_>>(),
            "resolvable": settle.iter().map(|j| judgement_json(&out, j)).collect::<Vec<_>>(),
            "undecided": undecided.iter().map(|j| judgement_json(&out, j)).collect::<Vec<_>>(),
            "journal_only": report.journal_only.iter().map(entry_json).collect::<Vec<_>>(),
            "statement_only": report.statement_only.iter().map(line_json).collect::<Vec<_>>(),
            "resolved": resolved,
            "totals": {
                "journal": side_json(&report.totals.journal),
                "statement": side_json(&report.totals.statement),
                "matched": side_json(&report.totals.matched),
                "journal_only": side_json(&report.totals.journal_only),
                "statement_only": side_json(&report.totals.statement_only),
            },
        }));
    } else {
        let t = &report.totals;
        out.line(&format!(
            "{} {account} — {} ({} – {})",
            out.t("Rekonsiliasi", "Reconciliation"),
            kind.label(),
            range.from,
            range.to
        ));
        out.line(&format!(
            "{}: {} · debit {} · kredit {}",
            out.t("Jurnal", "Journal"),
            t.journal.count,
            t.journal.debit,
            t.journal.credit
        ));
        out.line(&format!(
            "{}: {} · debit {} · kredit {}",
            out.t("Mutasi", "Statement"),
            t.statement.count,
            t.statement.debit,
            t.statement.credit
        ));
        out.line(&format!(
            "{}: {}",
            out.t("Cocok", "Matched"),
            report.matched.len()
        ));
        for j in &settle {
            if let reconcile::Verdict::Settle { lines, .. } = &j.verdict {
                out.line(&format!(
                    "{} {} {} ← {}",
                    out.t(
                        "DALAM PROSES, buktinya di mutasi:",
                        "IN DOUBT, its evidence is on the statement:"
                    ),
                    j.entry.sid,
                    j.entry.total,
                    lines
                        .iter()
                        .map(|l| l.provider_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        for j in &undecided {
            if let reconcile::Verdict::Undecided {
                why,
                candidates,
                rivals,
            } = &j.verdict
            {
                out.line(&format!(
                    "{} {} {}: {}",
                    out.t(
                        "DALAM PROSES, perlu supervisor:",
                        "IN DOUBT, for the supervisor:"
                    ),
                    j.entry.sid,
                    j.entry.total,
                    out.s(&why.text())
                ));
                for l in candidates {
                    out.line(&format!("    {}  {}", l.provider_id, line_human(l)));
                }
                if !rivals.is_empty() {
                    out.line(&format!(
                        "    {} {}",
                        out.t("transaksi lain:", "other transactions:"),
                        rivals.join(", ")
                    ));
                }
            }
        }
        for e in &report.journal_only {
            out.line(&format!(
                "{} {} {} {} {}",
                out.t("Hanya di jurnal:", "Journal only:"),
                e.sid,
                e.kind,
                e.state,
                e.total
            ));
        }
        for l in &report.statement_only {
            out.line(&format!(
                "{} {}",
                out.t("Hanya di mutasi:", "Statement only:"),
                line_human(l)
            ));
        }
        for sid in &resolved {
            out.line(&format!(
                "{}: {sid} -> succeeded",
                out.t("Diselesaikan dari mutasi", "Resolved from the statement")
            ));
        }
    }
    exit::OK
}

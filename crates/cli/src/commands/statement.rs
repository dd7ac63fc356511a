//! `loket statement` and `loket reconcile`: the agent's bank statement from
//! one of four providers (settings from `--providers FILE`, else the
//! sandbox's imitations at the sandbox or `--server` origin), cached in
//! `statements.db` in the data directory, and paired with the journal.

use std::path::Path;

use chrono::NaiveDate;
use mutasi::cache::{StatementCache, Via};
use mutasi::{
    BankRayaSettings, BriSettings, DateRange, MootaSettings, MutasibankSettings, ProviderKind,
    ProviderSettings, ProvidersFile, Secret, StatementLine,
};
use serde_json::{json, Value};
use teller::TellerError;

use crate::args::{Command, Global};
use crate::exit;
use crate::output::{money_number, Out};
use crate::session::Ctx;

fn day(out: &Out, flag: &str, text: &str) -> Result<NaiveDate, u8> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| out.usage(&format!("{flag} {text:?}: YYYY-MM-DD")))
}

/// The sandbox's demo credentials for a provider at `base`.
fn demo_settings(kind: ProviderKind, base: &str) -> ProviderSettings {
    use sandbox::demo;
    match kind {
        ProviderKind::Mutasibank => ProviderSettings::Mutasibank(MutasibankSettings {
            base_url: base.into(),
            token: Secret::new(demo::MUTASIBANK_TOKEN),
            webhook_secret: Some(Secret::new(demo::MUTASIBANK_WEBHOOK_SECRET)),
        }),
        ProviderKind::Moota => ProviderSettings::Moota(MootaSettings {
            base_url: base.into(),
            token: Secret::new(demo::MOOTA_TOKEN),
            bank: None,
        }),
        ProviderKind::Bri => ProviderSettings::Bri(BriSettings {
            base_url: base.into(),
            client_id: demo::BRI_CLIENT_ID.into(),
            client_secret: Secret::new(demo::BRI_CLIENT_SECRET),
        }),
        ProviderKind::Bankraya => ProviderSettings::Bankraya(BankRayaSettings {
            base_url: base.into(),
            client_id: demo::BANKRAYA_CLIENT_ID.into(),
            client_secret: Secret::new(demo::BANKRAYA_CLIENT_SECRET),
            private_key_pem: Secret::new(demo::BANKRAYA_PRIVATE_KEY_PEM),
            channel_id: demo::BANKRAYA_CHANNEL_ID.into(),
        }),
    }
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
                ctx.out.usage(&format!(
                    "berkas penyedia {} tidak bisa dibaca / cannot read the providers file: {e}",
                    path.display()
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

/// Fetches (with progress on stderr) and caches the lines.
async fn fetch(
    ctx: &Ctx,
    global: &Global,
    data_dir: &Path,
    kind: ProviderKind,
    file: Option<&Path>,
    account: &str,
    range: DateRange,
) -> Result<Vec<StatementLine>, u8> {
    let settings = settings(ctx, global, kind, file)?;
    let fail = |e: mutasi::MutasiError| ctx.out.fail(&TellerError::Statement(e));
    let source = mutasi::source(&settings).map_err(fail)?;
    let out = ctx.out;
    let progress = move |p: mutasi::Progress| {
        out.note(&format!(
            "{} {}: {}/{} ({} {})",
            out.t("Mengambil mutasi", "Fetching the statement"),
            kind.label(),
            p.done,
            p.total,
            p.lines,
            out.t("baris", "lines")
        ));
    };
    let lines = source
        .fetch(account, range, &progress)
        .await
        .map_err(fail)?;
    let cache = StatementCache::open(&data_dir.join("statements.db")).map_err(fail)?;
    let stored = cache.store(&lines, Via::Fetch).map_err(fail)?;
    tracing::info!(provider = %kind, new = stored.new, known = stored.known, "statement cached");
    Ok(lines)
}

pub fn line_json(l: &StatementLine) -> Value {
    json!({
        "posted_at": l.posted_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
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
    let lines = match fetch(
        ctx,
        global,
        data_dir,
        kind,
        providers.as_deref(),
        account,
        range,
    )
    .await
    {
        Ok(l) => l,
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

pub async fn reconcile(ctx: &mut Ctx, command: &Command, global: &Global, data_dir: &Path) -> u8 {
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
    let account = match account {
        Some(a) => a.clone(),
        None => match ctx.teller.agent_balance().await {
            Ok(info) => info.account_number,
            Err(e) => return out.fail(&e),
        },
    };
    let kind = provider.kind();
    let lines = match fetch(
        ctx,
        global,
        data_dir,
        kind,
        providers.as_deref(),
        &account,
        range,
    )
    .await
    {
        Ok(l) => l,
        Err(code) => return code,
    };
    let (lo, hi) = range.utc_bounds();
    let records = match ctx.teller.journal().between(lo, hi) {
        Ok(r) => r,
        Err(e) => return out.fail(&TellerError::Journal(e)),
    };
    let report = reconcile::reconcile(&records, &lines, &reconcile::Options::default());
    let actor = ctx.actor();
    let mut resolved = Vec::new();
    if *resolve {
        for p in &report.resolvable {
            let Some(line) = p
                .lines
                .iter()
                .find(|l| l.direction == mutasi::Direction::Debit)
            else {
                continue;
            };
            // A pair by reference may be principal + fee lines: resolve
            // from a line of the whole total, else from the group's first.
            match ctx
                .teller
                .resolve_from_statement(&p.entry.sid, &merged(p, line), &actor)
            {
                Ok(r) => resolved.push(r.sid),
                Err(e) => return out.fail(&e),
            }
        }
    }
    if out.json {
        out.object(&json!({
            "status": "ok",
            "provider": kind.as_str(),
            "account": account,
            "from": range.from.to_string(),
            "to": range.to.to_string(),
            "matched": report.matched.iter().map(pair_json).collect::<Vec<_>>(),
            "resolvable": report.resolvable.iter().map(pair_json).collect::<Vec<_>>(),
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
        for p in &report.resolvable {
            out.line(&format!(
                "{} {} {} ← {}",
                out.t(
                    "DALAM PROSES, ada di mutasi:",
                    "IN DOUBT, on the statement:"
                ),
                p.entry.sid,
                p.entry.total,
                p.lines
                    .iter()
                    .map(|l| l.provider_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
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

/// The evidence line for a pair: the line itself when it carries the whole
/// total, else one line standing for the group (principal and fee lines),
/// its amount the group's net debit.
fn merged(p: &reconcile::Pair, first: &StatementLine) -> StatementLine {
    if p.lines.len() == 1 {
        return first.clone();
    }
    let net: i64 = p.lines.iter().map(StatementLine::signed_sen).sum();
    let mut l = first.clone();
    l.amount = money::Rupiah::from_sen(net.abs());
    l.provider_id = p
        .lines
        .iter()
        .map(|l| l.provider_id.as_str())
        .collect::<Vec<_>>()
        .join("+");
    l
}

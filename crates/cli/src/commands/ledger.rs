//! The journal side: history, the day summary, CSV export, one row's
//! timeline (all offline), and settling doubt: check, resolve, reverse.

use std::path::Path;
#[allow(unused_imports)]
use words::{text, Say, Text};

use chrono::{NaiveDate, Utc};
use journal::{wib, wib_day_bounds, EventKind, HistoryQuery, Journal, Kind, State};
use serde_json::{json, Value};
use teller::{SupervisorApproval, TellerError};

use crate::args::{Command, OutcomeArg, SettingsAction};
use crate::exit;
use crate::output::{money_number, record_human, record_json, state_human, unknown_notice, Out};
use crate::session::{self, Ctx};

/// A person's `YYYY-MM-DD`, within the range the journal covers (a hostile
/// date such as `+262142-12-31` is refused here, never reaches the journal).
fn date(out: &Out, flag: &str, text: &str) -> Result<NaiveDate, u8> {
    let d = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| out.usage(Text::same(format!("{flag} {text:?}: YYYY-MM-DD"))))?;
    journal::check_day(d).map_err(|e| out.usage(text!("{flag}: {e}", "{flag}: {e}"; e)))
}

fn today_wib() -> NaiveDate {
    Utc::now().with_timezone(&wib()).date_naive()
}

/// Runs a journal-only command (no server, no login); `None` when it is not one.
pub fn journal_only(command: &Command, data_dir: &Path, out: Out) -> Option<u8> {
    match command {
        Command::History { .. }
        | Command::Summary { .. }
        | Command::Export { .. }
        | Command::Show { .. } => {}
        _ => return None,
    }
    let journal = match session::open_journal(data_dir, &out) {
        Ok(j) => j,
        Err(code) => return Some(code),
    };
    // Start-up recovery without a server: rows left `sending` become `unknown`.
    let actor = std::env::var("LOKET_USERNAME").unwrap_or_else(|_| "loket".into());
    match journal.recover(&actor) {
        Ok(sids) => session::report_recovery(&out, &sids, &[]),
        Err(e) => return Some(out.fail(&TellerError::Journal(e))),
    }
    let code = match command {
        Command::History {
            from,
            to,
            kind,
            status,
            account,
            search,
            limit,
            after,
        } => (|| {
            let mut q = HistoryQuery {
                account: account.clone(),
                search: search.clone(),
                limit: *limit,
                after: after.clone(),
                ..HistoryQuery::default()
            };
            if let Some(f) = from {
                q.from = Some(wib_day_bounds(date(&out, "--from", f)?).0);
            }
            if let Some(t) = to {
                q.to = Some(wib_day_bounds(date(&out, "--to", t)?).1);
            }
            if let Some(k) = kind {
                q.kind =
                    Some(Kind::parse(k).ok_or_else(|| {
                        out.usage(Text::same(format!("--type {k:?}: {}", kinds())))
                    })?);
            }
            if let Some(s) = status {
                q.state = Some(State::parse(s).ok_or_else(|| {
                    out.usage(Text::same(format!("--status {s:?}: {}", states())))
                })?);
            }
            Ok(history(&journal, &q, &out))
        })()
        .unwrap_or_else(|c| c),
        Command::Summary { date: d } => {
            match d.as_deref().map(|d| date(&out, "--date", d)).transpose() {
                Ok(d) => summary(&journal, d.unwrap_or_else(today_wib), &out),
                Err(c) => c,
            }
        }
        Command::Export { from, to, csv } => {
            match (date(&out, "--from", from), date(&out, "--to", to)) {
                (Ok(f), Ok(t)) => export(&journal, f, t, csv, &out),
                (Err(c), _) | (_, Err(c)) => c,
            }
        }
        Command::Show { sid } => show(&journal, sid, &out),
        _ => exit::USAGE,
    };
    Some(code)
}

fn kinds() -> String {
    Kind::ALL.map(Kind::as_str).join(", ")
}

fn states() -> String {
    State::ALL.map(State::as_str).join(", ")
}

fn history(journal: &Journal, q: &HistoryQuery, out: &Out) -> u8 {
    match journal.history(q) {
        Ok(page) => {
            let rows: Vec<Value> = page.rows.iter().map(record_json).collect();
            out.object(&json!({"status": "succeeded", "rows": rows, "next": page.next}));
            if page.rows.is_empty() {
                out.line(out.t("(tidak ada transaksi)", "(no transactions)"));
            }
            for r in &page.rows {
                out.line(&format!(
                    "{}  {}  {:<18} {:<10} {:>14}  {} {}",
                    r.sid,
                    r.created_at.with_timezone(&wib()).format("%Y-%m-%d %H:%M"),
                    r.kind.as_str(),
                    r.state.as_str(),
                    r.total
                        .or(r.amount)
                        .map(|a| a.to_string())
                        .unwrap_or_default(),
                    r.destination.account_number.as_deref().unwrap_or(""),
                    r.destination.account_name.as_deref().unwrap_or(""),
                ));
            }
            if let Some(next) = &page.next {
                out.line(&format!(
                    "{}: --after {next}",
                    out.t("Halaman berikut", "Next page")
                ));
            }
            exit::OK
        }
        Err(e) => out.fail(&TellerError::Journal(e)),
    }
}

fn summary(journal: &Journal, day: NaiveDate, out: &Out) -> u8 {
    match journal.day_summary(day) {
        Ok(s) => {
            let kinds: Vec<Value> = s
                .kinds
                .iter()
                .map(|(k, v)| {
                    json!({
                        "kind": k.as_str(),
                        "succeeded": v.succeeded,
                        "failed": v.failed,
                        "unknown": v.unknown,
                        "reversed": v.reversed,
                        "amount": money_number(v.amount),
                        "admin_fee": money_number(v.admin_fee),
                        "total": money_number(v.total),
                    })
                })
                .collect();
            out.object(&json!({
                "status": "succeeded",
                "date": s.date.to_string(),
                "kinds": kinds,
                "admin_fees": money_number(s.admin_fees),
                "cash_in": money_number(s.cash_in),
                "fees_refunded": money_number(s.fees_refunded),
                "cash_returned": money_number(s.cash_returned),
                "net_admin_fees": money_number(s.net_admin_fees),
                "net_cash": money_number(s.net_cash),
                "in_doubt": s.in_doubt,
                "in_doubt_total": money_number(s.in_doubt_total),
                "fee_differences": s.fee_differences,
            }));
            out.line(&format!(
                "{} {} (WIB)",
                out.t("Ringkasan", "Summary"),
                s.date
            ));
            for (k, v) in &s.kinds {
                out.line(&format!(
                    "{:<20} ok {:>3}  {} {:>3}  ? {:>3}  rev {:>3}  {}",
                    k.as_str(),
                    v.succeeded,
                    out.t("gagal", "failed"),
                    v.failed,
                    v.unknown,
                    v.reversed,
                    v.total
                ));
            }
            out.line(&format!(
                "{}: {}",
                out.t("Biaya admin", "Admin fees"),
                s.admin_fees
            ));
            out.line(&format!("{}: {}", out.t("Kas masuk", "Cash in"), s.cash_in));
            if s.cash_returned != money::Rupiah::ZERO || s.fees_refunded != money::Rupiah::ZERO {
                out.line(&format!(
                    "{}: {}   {}: {}",
                    out.t("Dikembalikan (reversal)", "Returned (reversals)"),
                    s.cash_returned,
                    out.t("Biaya admin dikembalikan", "Admin fees refunded"),
                    s.fees_refunded
                ));
                out.line(&format!(
                    "{}: {}   {}: {}",
                    out.t("Kas bersih", "Net cash"),
                    s.net_cash,
                    out.t("Biaya admin bersih", "Net admin fees"),
                    s.net_admin_fees
                ));
            }
            out.line(&format!(
                "{}: {} ({})",
                out.t("Dalam proses", "In doubt"),
                s.in_doubt,
                s.in_doubt_total
            ));
            if s.fee_differences > 0 {
                out.line(&format!(
                    "{}: {} ({})",
                    out.t(
                        "Biaya balasan bank beda dari kutipan",
                        "Fee in the bank's reply differs from the quote"
                    ),
                    s.fee_differences,
                    out.t(
                        "cocokkan dengan mutasi rekening",
                        "compare with the account statement"
                    )
                ));
            }
            exit::OK
        }
        Err(e) => out.fail(&TellerError::Journal(e)),
    }
}

fn export(journal: &Journal, from: NaiveDate, to: NaiveDate, csv: &Path, out: &Out) -> u8 {
    if to < from {
        return out.usage(text!("--to sebelum --from", "--to is before --from"));
    }
    let q = HistoryQuery {
        from: Some(wib_day_bounds(from).0),
        to: Some(wib_day_bounds(to).1),
        ..HistoryQuery::default()
    };
    let file = match std::fs::File::create(csv) {
        Ok(f) => std::io::BufWriter::new(f),
        Err(e) => {
            let csv = csv.display();
            return out.usage(text!(
                "--csv {csv}: tidak bisa ditulis: {e}",
                "--csv {csv}: cannot be written: {e}";
                e
            ));
        }
    };
    match journal.export_csv(&q, file) {
        Ok(rows) => {
            out.object(
                &json!({"status": "succeeded", "rows": rows, "file": csv.display().to_string()}),
            );
            out.line(&format!(
                "{rows} {} {}",
                out.t("baris ditulis ke", "rows written to"),
                csv.display()
            ));
            exit::OK
        }
        Err(e) => out.fail(&TellerError::Journal(e)),
    }
}

fn show(journal: &Journal, sid: &str, out: &Out) -> u8 {
    let record = match journal.get(sid) {
        Ok(Some(r)) => r,
        Ok(None) => return out.fail(&TellerError::NoSuchTransaction(sid.to_owned())),
        Err(e) => return out.fail(&TellerError::Journal(e)),
    };
    let events = match journal.events(sid) {
        Ok(ev) => ev,
        Err(e) => return out.fail(&TellerError::Journal(e)),
    };
    let mut v = record_json(&record);
    v["events"] = serde_json::to_value(&events).unwrap_or(Value::Null);
    out.object(&v);
    record_human(out, &record);
    if record.state == State::Unknown {
        out.line(&unknown_notice(out, sid));
    }
    for e in &events {
        let what = match e.kind {
            EventKind::State => format!("{} -> {}", e.from.map(State::as_str).unwrap_or("-"), e.to),
            EventKind::Reprint => out.t("cetak ulang", "reprint").to_owned(),
            EventKind::Original => out.t("struk asli", "original receipt").to_owned(),
            EventKind::Correction => format!(
                "{} {} -> {}",
                out.t("KOREKSI", "CORRECTION"),
                e.from.map(State::as_str).unwrap_or("-"),
                e.to
            ),
        };
        out.line(&format!(
            "  {}  {what}  {}{}{}",
            e.at.with_timezone(&wib()).format("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.note
                .as_deref()
                .map(|n| format!("  ({n})"))
                .unwrap_or_default(),
            e.authorized_by
                .as_deref()
                .map(|s| format!("  [supervisor: {s}]"))
                .unwrap_or_default()
        ));
    }
    exit::OK
}

fn settled(ctx: &Ctx, r: &journal::TransactionRecord) -> u8 {
    ctx.out.object(&record_json(r));
    ctx.out.line(&state_human(&ctx.out, r.state));
    record_human(&ctx.out, r);
    if r.state == State::Unknown {
        ctx.out.line(&unknown_notice(&ctx.out, &r.sid));
        return exit::UNKNOWN;
    }
    exit::OK
}

/// `check SID`: asks the switcher (no Bank+ login needed).
pub async fn check(ctx: &Ctx, sid: &str) -> u8 {
    let actor = std::env::var("LOKET_USERNAME").unwrap_or_else(|_| "loket".into());
    ctx.recover(&actor).await;
    let before = ctx
        .teller
        .journal()
        .get(sid)
        .ok()
        .flatten()
        .map(|r| r.state);
    match ctx.teller.check(sid, &actor).await {
        // Recorded failed before this check, or by a supervisor in another
        // process while this check waited for the switcher.
        Ok(r)
            if before != Some(State::Succeeded)
                && r.state == State::Succeeded
                && ctx
                    .teller
                    .journal()
                    .flags(sid)
                    .ok()
                    .flatten()
                    .is_some_and(|f| f.corrected) =>
        {
            // A recorded failure proven booked: say it loudly, it may mean
            // the customer was turned away although their money moved.
            let mut v = record_json(&r);
            v["corrected"] = json!(true);
            ctx.out.object(&v);
            let loud = ctx.out.t(
                "KOREKSI: transaksi ini tercatat GAGAL, tetapi switcher menyatakan SUDAH DIBUKUKAN. \
                 Uang sudah berpindah. Catatan diperbaiki; laporkan ke supervisor sekarang.",
                "CORRECTION: this transaction was recorded FAILED, but the switcher says it WAS BOOKED. \
                 Money moved. The record is corrected; tell a supervisor now.",
            );
            ctx.out.note(&format!("!!! {loud} ({sid})"));
            ctx.out.line(&state_human(&ctx.out, r.state));
            record_human(&ctx.out, &r);
            exit::OK
        }
        Ok(r) => settled(ctx, &r),
        Err(e) => {
            let code = ctx.out.fail(&e);
            if matches!(e, TellerError::CheckLater { .. }) {
                ctx.out.note(&unknown_notice(&ctx.out, sid));
            }
            code
        }
    }
}

pub fn resolve(
    ctx: &Ctx,
    sid: &str,
    outcome: OutcomeArg,
    reason: &str,
    approval: &SupervisorApproval,
) -> u8 {
    let outcome = match outcome {
        OutcomeArg::Succeeded => State::Succeeded,
        OutcomeArg::Failed => State::Failed,
    };
    match ctx.teller.resolve(sid, outcome, reason, approval) {
        Ok(r) => settled(ctx, &r),
        Err(e) => ctx.out.fail(&e),
    }
}

pub async fn reverse(ctx: &Ctx, sid: &str, reason: &str, approval: &SupervisorApproval) -> u8 {
    match ctx.teller.reverse(sid, reason, approval).await {
        Ok(r) => settled(ctx, &r),
        Err(e) => ctx.out.fail(&e),
    }
}

/// `loket settings status|approve` (issue 10, defect 23): the server the
/// journal last recorded for settings.json and the one it names now; a
/// supervisor approves a change made outside Loket, which is journaled.
pub fn settings(action: SettingsAction, data_dir: &Path, out: Out) -> u8 {
    let approval = match action {
        SettingsAction::Approve => match session::supervisor_approval(data_dir, &out) {
            Ok(a) => Some(a),
            Err(code) => return code,
        },
        SettingsAction::Status => None,
    };
    // A file Loket cannot use is not approved: it is fixed first.
    if let Err(damaged) = teller::Settings::load_checked(data_dir) {
        return out.usage(damaged);
    }
    let (journal, report) = match session::open_journal_verified(data_dir, &out) {
        Ok((j, Some(r))) => (j, r),
        Ok((_, None)) => {
            return out.fail(&TellerError::Input(text!(
                "rantai jurnal tidak bisa dibaca",
                "the journal chain cannot be read"
            )))
        }
        Err(code) => return code,
    };
    let current = teller::Settings::load(data_dir)
        .0
        .server
        .unwrap_or_else(|| "-".into());
    match approval {
        None => {
            let mismatch = match teller::settings::check_settings(data_dir, &journal, &report) {
                Ok(m) => m,
                Err(e) => return out.fail(&TellerError::Journal(e)),
            };
            let recorded = mismatch
                .as_ref()
                .map_or(current.clone(), |m| m.recorded_server.clone());
            // Any setting only a supervisor may change (the server, the
            // switcher, the update endpoint) refuses transactions alike.
            let changed = mismatch.as_ref().is_some_and(|m| m.guarded_changed());
            out.object(&json!({
                "status": "succeeded",
                "recorded_server": recorded,
                "current_server": current,
                "server_changed": changed,
                "update_changed": mismatch.as_ref().is_some_and(|m| m.update_changed()),
                "file_changed": mismatch.is_some(),
            }));
            out.line(&format!(
                "{}: {recorded}   {}: {current}",
                out.t("Server tercatat", "Recorded server"),
                out.t("Server di settings.json", "Server in settings.json")
            ));
            if changed {
                out.line(out.t(
                    "BERBEDA: transaksi ditolak sampai settings.json dikembalikan atau disetujui supervisor (loket settings approve).",
                    "DIFFERENT: transactions are refused until settings.json is restored or a supervisor approves it (loket settings approve).",
                ));
            }
            exit::OK
        }
        Some(approval) => {
            let actor = std::env::var("LOKET_USERNAME").unwrap_or_else(|_| "loket".into());
            match teller::settings::approve(data_dir, &journal, &report, &approval, &actor) {
                Ok(change) => {
                    let (recorded, approved) =
                        change.as_ref().map_or((current.clone(), false), |m| {
                            (m.recorded_server.clone(), true)
                        });
                    out.object(&json!({
                        "status": "succeeded",
                        "approved": approved,
                        "previous_server": recorded,
                        "server": current,
                        "approved_by": approval.name(),
                    }));
                    if approved {
                        out.line(&format!(
                            "{} {}: server {recorded} -> {current}",
                            out.t("Disetujui oleh", "Approved by"),
                            approval.name()
                        ));
                    } else {
                        out.line(out.t(
                            "settings.json sudah sesuai catatan; tidak ada yang perlu disetujui.",
                            "settings.json already matches the record; nothing to approve.",
                        ));
                    }
                    exit::OK
                }
                Err(e) => out.fail(&e),
            }
        }
    }
}

/// `loket verify [--full]`: the journal chain's check, said plainly; a
/// finding is recorded like the start-up check's and exits 1.
pub fn verify(full: bool, data_dir: &Path, out: Out) -> u8 {
    let path = data_dir.join("journal.db");
    if !path.exists() {
        let path = path.display();
        return out.usage(text!(
            "belum ada jurnal di {path}",
            "there is no journal at {path}"
        ));
    }
    let journal = match Journal::open(&path) {
        Ok(j) => j,
        Err(e) => return out.fail(&TellerError::Journal(e)),
    };
    let started = std::time::Instant::now();
    let report = if full {
        // The chain, then every page of the file (issue 16: a start no
        // longer reads every page of a large journal).
        journal::Integrity::verify(&journal).and_then(|mut report| {
            report
                .problems
                .extend(journal::Integrity::verify_pages(&journal)?);
            Ok(report)
        })
    } else {
        journal::Integrity::verify_at_start(&journal)
    };
    let report = match report {
        Ok(r) => r,
        Err(e) => return out.fail(&TellerError::Journal(e)),
    };
    let took_ms = started.elapsed().as_millis();
    out.object(&json!({
        "status": if report.is_clean() { "succeeded" } else { "failed" },
        "full": full,
        "chained": report.chained,
        "problems": report.problems,
        "took_ms": took_ms,
    }));
    if report.is_clean() {
        out.line(&format!(
            "{}: {} ({} {}, {took_ms} ms)",
            out.t("Jurnal utuh", "Journal intact"),
            report.chained,
            out.t("baris rantai", "chain rows"),
            if full {
                out.t("semua diperiksa", "all checked")
            } else {
                out.t("sejak pemeriksaan terakhir", "since the last check")
            },
        ));
        return exit::OK;
    }
    let found = report.summary();
    if let Err(e) = journal.record_integrity_note("tamper", &found) {
        tracing::warn!(error = %e, "cannot record the tamper finding");
    }
    out.line(&format!(
        "{}: {found}",
        out.t(
            "PERINGATAN: jurnal diubah di luar Loket",
            "WARNING: the journal was changed outside Loket"
        )
    ));
    exit::REFUSED
}

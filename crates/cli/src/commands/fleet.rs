//! `loket fleet …` (issue 14): the central replica's setup, the shipper and
//! the fleet views. Off by default: without a fleet URL nothing here runs
//! and nothing else changes. A fleet failure never stops the terminal;
//! every one is a single clear message and an exit code.

use std::path::Path;
use std::time::Duration;
#[allow(unused_imports)]
use words::{text, Say, Text};

use chrono::{NaiveDate, Utc};
use fleet::read;
use fleet::ship::{self, FollowOptions, ShipReport};
use fleet::{central, FleetError, FleetStore, FleetUrl};
use journal::wib;
use serde_json::{json, Value};

use crate::args::FleetAction;
use crate::exit;
use crate::output::Out;
use crate::session;

/// Prints a fleet failure (one JSON object or one line on stderr).
fn fail(out: &Out, e: &FleetError) -> u8 {
    let code = match e {
        FleetError::Unreachable(_) => exit::UNREACHABLE,
        FleetError::BadUrl(_) | FleetError::NotConfigured | FleetError::Settings(_) => exit::USAGE,
        _ => exit::REFUSED,
    };
    if out.json {
        println!(
            "{}",
            json!({"status": "failed", "error": {"code": e.code(), "message": out.s(&e.say())}})
        );
    } else {
        eprintln!(
            "{} [{}]: {}",
            out.t("GAGAL", "FAILED"),
            e.code(),
            out.s(&e.say())
        );
    }
    code
}

fn parse(out: &Out, url: &str) -> Result<FleetUrl, u8> {
    FleetUrl::parse(url).map_err(|e| fail(out, &e))
}

pub async fn run(action: FleetAction, data_dir: &Path, out: Out) -> u8 {
    match action {
        FleetAction::Init { url } => {
            let url = match parse(&out, &url) {
                Ok(u) => u,
                Err(c) => return c,
            };
            match central::init(&url).await {
                Ok(r) => {
                    out.object(
                        &json!({"status": "succeeded", "from_version": r.from_version,
                        "version": r.version, "partitions": r.partitions}),
                    );
                    out.line(&format!(
                        "{} {} -> {} ({})",
                        out.t("Skema armada", "Fleet schema"),
                        r.from_version,
                        r.version,
                        url.redacted()
                    ));
                    exit::OK
                }
                Err(e) => fail(&out, &e),
            }
        }
        FleetAction::Viewer { url, name } => {
            let url = match parse(&out, &url) {
                Ok(u) => u,
                Err(c) => return c,
            };
            let Some(pw) =
                session::secret_var("LOKET_FLEET_NEW_PASSWORD").filter(|p| p.len() >= 12)
            else {
                return fail(
                    &out,
                    &FleetError::Settings(words::text!(
                        "LOKET_FLEET_NEW_PASSWORD (12+ karakter) wajib",
                        "LOKET_FLEET_NEW_PASSWORD (12+ characters) is required"
                    )),
                );
            };
            match central::add_viewer(&url, &name, &pw).await {
                Ok(v) => {
                    out.object(&json!({"status": "succeeded", "viewer": v.redacted()}));
                    out.line(&v.redacted());
                    exit::OK
                }
                Err(e) => fail(&out, &e),
            }
        }
        FleetAction::Enroll { admin_url, label } => enroll(data_dir, out, &admin_url, label).await,
        FleetAction::Connect { url } => {
            let url = match parse(&out, &url) {
                Ok(u) => u,
                Err(c) => return c,
            };
            store_url(data_dir, out, Some(&url), "connect")
        }
        FleetAction::Disconnect => store_url(data_dir, out, None, "disconnect"),
        FleetAction::Info => info(data_dir, out),
        FleetAction::Ship {
            follow,
            batch,
            interval,
            poll_ms,
        } => ship_cmd(data_dir, out, follow, batch, interval, poll_ms).await,
        FleetAction::Status { url } => {
            let client = match viewer(&out, &url).await {
                Ok(c) => c,
                Err(c) => return c,
            };
            match read::status(&client).await {
                Ok(rows) => {
                    out.object(&json!({"status": "succeeded", "terminals": rows}));
                    if rows.is_empty() {
                        out.line(out.t("(belum ada terminal)", "(no terminals yet)"));
                    }
                    for t in &rows {
                        out.line(&format!(
                            "{:<28} {:<14} {} {:>6} {} {:>6}s  {} {}",
                            t.label,
                            t.agent_code.as_deref().unwrap_or("-"),
                            t.last_event_at
                                .map(|a| a
                                    .with_timezone(&wib())
                                    .format("%Y-%m-%d %H:%M")
                                    .to_string())
                                .unwrap_or_else(|| "-".into()),
                            t.lag_events,
                            out.t("tertunda", "pending"),
                            t.lag_seconds
                                .map(|s| s.to_string())
                                .unwrap_or_else(|| "-".into()),
                            out.t("ragu", "in doubt"),
                            t.open_doubts
                        ));
                    }
                    exit::OK
                }
                Err(e) => fail(&out, &e),
            }
        }
        FleetAction::Doubt { url, limit } => {
            let client = match viewer(&out, &url).await {
                Ok(c) => c,
                Err(c) => return c,
            };
            let total = match read::doubt_count(&client).await {
                Ok(n) => n,
                Err(e) => return fail(&out, &e),
            };
            match read::doubts(&client, limit).await {
                Ok(rows) => {
                    out.object(
                        &json!({"status": "succeeded", "total": total, "transactions": rows}),
                    );
                    if total > rows.len() as i64 {
                        out.line(&format!(
                            "{} {} {} {total}",
                            out.t("Yang tertua:", "The oldest:"),
                            rows.len(),
                            out.t("dari", "of")
                        ));
                    }
                    if rows.is_empty() {
                        out.line(out.t(
                            "(tidak ada transaksi diragukan)",
                            "(no transactions in doubt)",
                        ));
                    }
                    for d in &rows {
                        out.line(&format!(
                            "{}  {}  {:<24} {:<18} {:>16}  {}",
                            d.created_at.with_timezone(&wib()).format("%Y-%m-%d %H:%M"),
                            d.sid,
                            d.label,
                            d.kind,
                            d.total_sen
                                .or(d.amount_sen)
                                .map(|s| money::Rupiah::from_sen(s).to_string())
                                .unwrap_or_default(),
                            d.dest_account.as_deref().unwrap_or("")
                        ));
                    }
                    exit::OK
                }
                Err(e) => fail(&out, &e),
            }
        }
        FleetAction::Summary { url, date } => {
            let day = match date {
                None => Utc::now().with_timezone(&wib()).date_naive(),
                Some(d) => match NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d") {
                    Ok(d) => d,
                    Err(_) => {
                        return out.usage(words::Text::same(format!("--date {d:?}: YYYY-MM-DD")))
                    }
                },
            };
            let client = match viewer(&out, &url).await {
                Ok(c) => c,
                Err(c) => return c,
            };
            match read::summary(&client, day).await {
                Ok(s) => {
                    out.object(&json!({"status": "succeeded", "summary": s}));
                    out.line(&format!(
                        "{} {} (WIB)",
                        out.t("Ringkasan armada", "Fleet summary"),
                        s.date
                    ));
                    for a in &s.agents {
                        out.line(&format!(
                            "{:<16} {} {:>3}  {}: {:>16}  {}: {:>14}  {}: {}",
                            a.agent_code,
                            out.t("terminal", "terminals"),
                            a.terminals,
                            out.t("kas masuk", "cash in"),
                            a.summary.cash_in.to_string(),
                            out.t("biaya", "fees"),
                            a.summary.admin_fees.to_string(),
                            out.t("ragu", "in doubt"),
                            a.summary.in_doubt
                        ));
                    }
                    out.line(&format!(
                        "{}: {}: {}  {}: {}  {}: {}",
                        out.t("Jumlah", "Total"),
                        out.t("kas masuk", "cash in"),
                        s.total.cash_in,
                        out.t("biaya", "fees"),
                        s.total.admin_fees,
                        out.t("kas bersih", "net cash"),
                        s.total.net_cash
                    ));
                    exit::OK
                }
                Err(e) => fail(&out, &e),
            }
        }
    }
}

async fn viewer(out: &Out, url: &str) -> Result<read::Client, u8> {
    let url = parse(out, url)?;
    read::viewer(&url).await.map_err(|e| fail(out, &e))
}

async fn enroll(data_dir: &Path, out: Out, admin_url: &str, label: Option<String>) -> u8 {
    let admin = match parse(&out, admin_url) {
        Ok(u) => u,
        Err(c) => return c,
    };
    let approval = match session::supervisor_approval(data_dir, &out) {
        Ok(a) => a,
        Err(c) => return c,
    };
    let journal = match session::open_journal(data_dir, &out) {
        Ok(j) => j,
        Err(c) => return c,
    };
    let me = match journal.terminal_identity() {
        Ok(m) => m,
        Err(e) => return fail(&out, &e.into()),
    };
    let label = label
        .or(me.label.clone())
        .unwrap_or_else(|| fleet::default_label(latest_agent(&journal).as_deref()));
    let pw = match central::random_password() {
        Ok(p) => zeroize::Zeroizing::new(p),
        Err(e) => return fail(&out, &e),
    };
    let url = match central::enroll(&admin, &me.terminal_id, &label, &pw).await {
        Ok(u) => u,
        Err(e) => return fail(&out, &e),
    };
    if let Err(e) = journal.set_terminal_label(Some(&label)) {
        return fail(&out, &e.into());
    }
    if let Err(e) = FleetStore::new(data_dir).save(&url) {
        return fail(&out, &e);
    }
    let actor = std::env::var("LOKET_USERNAME").unwrap_or_else(|_| "loket".into());
    if let Err(e) = journal.record_authorization(
        "fleet-url",
        &actor,
        approval.name(),
        &format!("enroll {} as {label}", url.redacted()),
    ) {
        return fail(&out, &e.into());
    }
    out.object(
        &json!({"status": "succeeded", "terminal_id": me.terminal_id,
        "label": label, "url": url.redacted()}),
    );
    out.line(&format!(
        "{} {} ({label}) -> {}",
        out.t("Terminal terdaftar", "Terminal enrolled"),
        me.terminal_id,
        url.redacted()
    ));
    exit::OK
}

/// The agent code of the newest transaction, if any (for the default label).
fn latest_agent(journal: &journal::Journal) -> Option<String> {
    journal
        .outbox(journal.last_seq().ok()?.saturating_sub(200), 200)
        .ok()?
        .into_iter()
        .rev()
        .find_map(|e| e.transaction.map(|t| t.agent_code))
}

fn store_url(data_dir: &Path, out: Out, url: Option<&FleetUrl>, what: &str) -> u8 {
    let approval = match session::supervisor_approval(data_dir, &out) {
        Ok(a) => a,
        Err(c) => return c,
    };
    let journal = match session::open_journal(data_dir, &out) {
        Ok(j) => j,
        Err(c) => return c,
    };
    let store = FleetStore::new(data_dir);
    let done = match url {
        Some(u) => store.save(u),
        None => store.remove(),
    };
    if let Err(e) = done {
        return fail(&out, &e);
    }
    let actor = std::env::var("LOKET_USERNAME").unwrap_or_else(|_| "loket".into());
    let detail = match url {
        Some(u) => format!("{what} {}", u.redacted()),
        None => what.to_owned(),
    };
    if let Err(e) = journal.record_authorization("fleet-url", &actor, approval.name(), &detail) {
        return fail(&out, &e.into());
    }
    out.object(&json!({"status": "succeeded", "url": url.map(|u| u.redacted())}));
    out.line(&detail);
    exit::OK
}

fn info(data_dir: &Path, out: Out) -> u8 {
    let journal = match session::open_journal(data_dir, &out) {
        Ok(j) => j,
        Err(c) => return c,
    };
    let (me, acked, last) = match (
        journal.terminal_identity(),
        journal.fleet_acked(),
        journal.last_seq(),
    ) {
        (Ok(m), Ok(a), Ok(l)) => (m, a, l),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return fail(&out, &e.into()),
    };
    let url = match FleetStore::new(data_dir).url() {
        Ok(u) => u.map(|u| u.redacted()),
        Err(e) => return fail(&out, &e),
    };
    let pending = (last - acked).max(0);
    out.object(
        &json!({"status": "succeeded", "terminal_id": me.terminal_id, "label": me.label,
        "acked_seq": acked, "local_seq": last, "pending": pending, "url": url}),
    );
    out.line(&format!("Terminal: {}", me.terminal_id));
    out.line(&format!("Label: {}", me.label.as_deref().unwrap_or("-")));
    out.line(&match &url {
        None => out.t("Armada: tidak aktif", "Fleet: off").to_owned(),
        Some(u) if pending == 0 => {
            format!("{}: {u}", out.t("Armada: tersinkron", "Fleet: in sync"))
        }
        Some(u) => format!(
            "{} {pending} ({u})",
            out.t("Armada: tertunda", "Fleet: pending")
        ),
    });
    exit::OK
}

fn report_json(r: &ShipReport) -> Value {
    json!({"terminal_id": r.terminal_id, "sent": r.sent, "batches": r.batches,
        "acked_seq": r.acked, "local_seq": r.local, "pending": r.pending()})
}

async fn ship_cmd(
    data_dir: &Path,
    out: Out,
    follow: bool,
    batch: usize,
    interval: u64,
    poll_ms: u64,
) -> u8 {
    let url = match FleetStore::new(data_dir).url() {
        Ok(Some(u)) => u,
        Ok(None) => return fail(&out, &FleetError::NotConfigured),
        Err(e) => return fail(&out, &e),
    };
    let journal = match session::open_journal(data_dir, &out) {
        Ok(j) => j,
        Err(c) => return c,
    };
    if !follow {
        return match ship::ship_once(&journal, &url, batch).await {
            Ok(r) => {
                let mut v = report_json(&r);
                v["status"] = json!("succeeded");
                out.object(&v);
                out.line(&format!(
                    "{}: {} {} ({} {})",
                    out.t("Terkirim", "Shipped"),
                    r.sent,
                    out.t("peristiwa", "events"),
                    out.t("tertunda", "pending"),
                    r.pending()
                ));
                exit::OK
            }
            Err(e) => fail(&out, &e),
        };
    }
    let opts = FollowOptions {
        idle: Duration::from_millis(poll_ms.clamp(20, 60_000)),
        heartbeat: Duration::from_secs(interval.max(1)),
        ..FollowOptions::default()
    };
    let mut last: Option<Value> = None;
    ship::follow(
        journal,
        &url,
        batch,
        opts,
        |r| match r {
            Ok(r) => {
                tracing::info!(sent = r.sent, acked = r.acked, "fleet shipped");
                if r.sent > 0 {
                    eprintln!(
                        "{} {} ({} {})",
                        out.t("terkirim", "shipped"),
                        r.sent,
                        out.t("tertunda", "pending"),
                        r.pending()
                    );
                }
                last = Some(report_json(r));
            }
            Err(e) => {
                tracing::warn!(code = e.code(), "fleet shipping failed; retrying");
                eprintln!("{} [{}]: {e}", out.t("armada", "fleet"), e.code());
            }
        },
        stop_signal(),
    )
    .await;
    let mut v = last.unwrap_or_else(|| json!({}));
    v["status"] = json!("stopped");
    out.object(&v);
    exit::OK
}

/// Ctrl-C or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

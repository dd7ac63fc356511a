//! `loket backup` and `loket restore` (issue 13): the counter's data in one
//! checked archive, and back. The rules live in the `backup` crate; this
//! file asks for the supervisor, prints, and records the restore.

use std::path::{Path, PathBuf};

use chrono::Utc;
use journal::Journal;
use serde_json::json;
use teller::TellerError;

use crate::exit;
use crate::output::Out;
use crate::session;

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

pub fn backup(
    to: Option<PathBuf>,
    verify: Option<PathBuf>,
    list: bool,
    data_dir: &Path,
    out: Out,
) -> u8 {
    if list {
        let found = backup::list(&data_dir.join(backup::BACKUP_DIR));
        out.object(&json!({
            "status": "succeeded",
            "backups": found.iter().map(|b| json!({
                "path": b.path, "made_at": b.made_at, "bytes": b.bytes,
            })).collect::<Vec<_>>(),
        }));
        if found.is_empty() {
            out.line(out.t("Belum ada cadangan.", "No backups yet."));
        }
        for b in &found {
            out.line(&format!(
                "{}  {}  {}",
                b.made_at
                    .with_timezone(&journal::wib())
                    .format("%Y-%m-%d %H:%M WIB"),
                mib(b.bytes),
                b.path.display()
            ));
        }
        return exit::OK;
    }
    if let Some(file) = verify {
        return match backup::verify(&file) {
            Ok(m) => {
                out.object(&json!({"status": "succeeded", "manifest": m}));
                out.line(&format!(
                    "{}: {} ({} {}, {} {})",
                    out.t("Cadangan utuh", "Backup intact"),
                    file.display(),
                    m.transactions,
                    out.t("transaksi", "transactions"),
                    out.t("dibuat", "made"),
                    m.created_at
                        .with_timezone(&journal::wib())
                        .format("%Y-%m-%d %H:%M WIB"),
                ));
                exit::OK
            }
            Err(e) => out.fail(&TellerError::Backup(e)),
        };
    }
    let target = to.unwrap_or_else(|| backup::default_target(data_dir, Utc::now()));
    match backup::create(data_dir, &target) {
        Ok(r) => {
            out.object(&json!({
                "status": "succeeded",
                "path": r.path,
                "bytes": r.bytes,
                "data_bytes": r.data_bytes,
                "took_ms": r.took.as_millis() as u64,
                "manifest": r.manifest,
            }));
            out.line(&format!(
                "{}: {} ({}, {} {}, {} ms)",
                out.t(
                    "Cadangan dibuat dan diperiksa",
                    "Backup written and checked"
                ),
                r.path.display(),
                mib(r.bytes),
                r.manifest.transactions,
                out.t("transaksi", "transactions"),
                r.took.as_millis()
            ));
            out.note(out.t(
                "Berkas ini berisi kunci pengaturan rahasia: simpan seaman folder data.",
                "This file holds the keys of the sealed settings: keep it as safe as the data folder.",
            ));
            exit::OK
        }
        Err(e) => out.fail(&TellerError::Backup(e)),
    }
}

/// Whose approval a restore needs: a supervisor of the current journal, if
/// it has one. A journal that cannot be opened (damaged: the usual reason to
/// restore) needs none: it is kept aside whole, never deleted.
enum Approval {
    Supervisor(String),
    NotNeeded(&'static str),
}

fn approval(data_dir: &Path, out: &Out) -> Result<Approval, u8> {
    let path = data_dir.join("journal.db");
    if !path.exists() {
        return Ok(Approval::NotNeeded("no journal"));
    }
    let has = match teller::Supervisors::open(&path) {
        Ok(s) => s.has_supervisor().unwrap_or(false),
        Err(_) => return Ok(Approval::NotNeeded("journal unreadable")),
    };
    if !has {
        return Ok(Approval::NotNeeded("no supervisor"));
    }
    let granted = session::supervisor_approval(data_dir, out)?;
    Ok(Approval::Supervisor(granted.name().to_owned()))
}

pub fn restore(file: &Path, data_dir: &Path, out: Out) -> u8 {
    // Cheap refusals first, before anyone types a password.
    if let Err(e) = backup::verify(file) {
        return out.fail(&TellerError::Backup(e));
    }
    let running = journal::live_processes(&data_dir.join("journal.db"));
    if running > 0 {
        return out.fail(&TellerError::Backup(backup::BackupError::Running {
            count: running,
        }));
    }
    let who = match approval(data_dir, &out) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let report = match backup::restore(file, data_dir) {
        Ok(r) => r,
        Err(e) => return out.fail(&TellerError::Backup(e)),
    };
    let by = match &who {
        Approval::Supervisor(name) => name.clone(),
        Approval::NotNeeded(why) => format!("({why})"),
    };
    let aside = report
        .kept_aside
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "-".into());
    // The restored journal says it was restored, by whom, from what.
    let detail = format!(
        "restored from {} (made {}, {} transactions) by {by}; previous data kept in {aside}",
        file.display(),
        report.manifest.created_at.to_rfc3339(),
        report.manifest.transactions
    );
    match Journal::open(&data_dir.join("journal.db")) {
        Ok(j) => {
            if let Err(e) = j.record_integrity_note("restore", &detail) {
                tracing::warn!(error = %e, "cannot record the restore in the journal");
            }
        }
        Err(e) => return out.fail(&TellerError::Journal(e)),
    }
    tracing::info!(%detail, "backup restored");
    out.object(&json!({
        "status": "succeeded",
        "manifest": report.manifest,
        "kept_aside": report.kept_aside,
        "approved_by": match &who { Approval::Supervisor(n) => json!(n), Approval::NotNeeded(_) => json!(null) },
    }));
    out.line(&format!(
        "{}: {} {} ({} {})",
        out.t("Cadangan dipulihkan", "Backup restored"),
        report.manifest.transactions,
        out.t("transaksi", "transactions"),
        out.t("dibuat", "made"),
        report
            .manifest
            .created_at
            .with_timezone(&journal::wib())
            .format("%Y-%m-%d %H:%M WIB"),
    ));
    if let Some(p) = &report.kept_aside {
        out.line(&format!(
            "{}: {}",
            out.t(
                "Data sebelumnya disimpan di",
                "The previous data is kept in"
            ),
            p.display()
        ));
    }
    exit::OK
}

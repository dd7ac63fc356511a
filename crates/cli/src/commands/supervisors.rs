//! `supervisor add|passwd|disable|list` (issue 15): the terminal's
//! supervisors after the first. Each change is approved by an active
//! supervisor (for `passwd`, the supervisor themself with the old password)
//! and journaled in `authorizations` by the `supervisor` crate, in the same
//! SQLite transaction as the change. Passwords come from the environment
//! (taken out of it at start) or no-echo prompts, never from arguments.

use std::path::Path;
#[allow(unused_imports)]
use words::{text, Say, Text};

use serde_json::json;
use teller::{AgentCheck, SupervisorError, SupervisorInfo, TellerError};

use crate::args::SupervisorAction;
use crate::exit;
use crate::output::Out;
use crate::session;

/// Who works the terminal, as `authorizations.actor` names them.
fn actor() -> String {
    std::env::var("LOKET_USERNAME").unwrap_or_else(|_| "loket".into())
}

fn fail(out: &Out, e: SupervisorError) -> u8 {
    out.fail(&TellerError::Supervisor(e))
}

pub fn run(action: SupervisorAction, data_dir: &Path, out: Out) -> u8 {
    match action {
        SupervisorAction::Add { name } => add(&name, data_dir, out),
        SupervisorAction::Passwd => passwd(data_dir, out),
        SupervisorAction::Disable { name } => disable(&name, data_dir, out),
        SupervisorAction::List => list(data_dir, out),
        // Handled in `receipt::supervisor`.
        SupervisorAction::Create | SupervisorAction::Status => exit::USAGE,
    }
}

fn add(name: &str, data_dir: &Path, out: Out) -> u8 {
    if name.trim().is_empty() {
        return out.usage(text!(
            "nama supervisor baru kosong",
            "the new supervisor's name is empty"
        ));
    }
    // Everything typed first, then the approval: it lasts two minutes.
    let password = match session::new_supervisor_password(&text!(
        "Password supervisor baru: ",
        "The new supervisor's password: "
    )) {
        Ok(p) => p,
        Err(why) => return out.usage(why),
    };
    let agent = match session::agent_password_to_compare() {
        Ok(a) => a,
        Err(why) => return out.usage(why),
    };
    let supervisors = match session::open_supervisors(data_dir, &out) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let approval = match session::supervisor_approval(data_dir, &out) {
        Ok(a) => a,
        Err(code) => return code,
    };
    match supervisors.add_supervisor(
        name,
        &password,
        Some(AgentCheck::Password(&agent)),
        &approval,
        &actor(),
    ) {
        Ok(()) => {
            out.object(&json!({"status": "succeeded", "supervisor": name.trim(),
                "approved_by": approval.name()}));
            out.line(&format!(
                "{} {} ({} {})",
                out.t("Supervisor ditambahkan:", "Supervisor added:"),
                name.trim(),
                out.t("disetujui", "approved by"),
                approval.name()
            ));
            exit::OK
        }
        Err(e) => fail(&out, e),
    }
}

fn passwd(data_dir: &Path, out: Out) -> u8 {
    // The supervisor's own name and old password: their approval.
    let (name, old) = match session::supervisor_credentials() {
        Ok(c) => c,
        Err(why) => return out.usage(why),
    };
    let new = match session::new_supervisor_password(&text!("Password baru: ", "New password: ")) {
        Ok(p) => p,
        Err(why) => return out.usage(why),
    };
    let agent = match session::agent_password_to_compare() {
        Ok(a) => a,
        Err(why) => return out.usage(why),
    };
    let supervisors = match session::open_supervisors(data_dir, &out) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let approval = match supervisors.verify(&name, &old) {
        Ok(a) => a,
        Err(e) => return fail(&out, e),
    };
    drop(old);
    match supervisors.change_password(
        &approval,
        &new,
        Some(AgentCheck::Password(&agent)),
        &actor(),
    ) {
        Ok(()) => {
            out.object(&json!({"status": "succeeded", "supervisor": approval.name()}));
            out.line(&format!(
                "{} {}",
                out.t(
                    "Password supervisor diganti:",
                    "Supervisor password changed:"
                ),
                approval.name()
            ));
            exit::OK
        }
        Err(e) => fail(&out, e),
    }
}

fn disable(name: &str, data_dir: &Path, out: Out) -> u8 {
    let supervisors = match session::open_supervisors(data_dir, &out) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let approval = match session::supervisor_approval(data_dir, &out) {
        Ok(a) => a,
        Err(code) => return code,
    };
    match supervisors.disable(name, &approval, &actor()) {
        Ok(()) => {
            out.object(&json!({"status": "succeeded", "supervisor": name.trim(),
                "disabled": true, "approved_by": approval.name()}));
            out.line(&format!(
                "{} {} ({} {})",
                out.t("Supervisor dinonaktifkan:", "Supervisor disabled:"),
                name.trim(),
                out.t("disetujui", "approved by"),
                approval.name()
            ));
            exit::OK
        }
        Err(e) => fail(&out, e),
    }
}

fn wib(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&journal::wib())
        .format("%Y-%m-%d %H:%M WIB")
        .to_string()
}

fn info_json(s: &SupervisorInfo) -> serde_json::Value {
    json!({
        "name": s.name,
        "active": s.active,
        "created_at": s.created_at.to_rfc3339(),
        "created_by": s.created_by,
        "disabled_at": s.disabled_at.map(|t| t.to_rfc3339()),
        "disabled_by": s.disabled_by,
        "last_used": s.last_used.map(|t| t.to_rfc3339()),
    })
}

fn list(data_dir: &Path, out: Out) -> u8 {
    let supervisors = match session::open_supervisors(data_dir, &out) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let all = match supervisors.list() {
        Ok(l) => l,
        Err(e) => return fail(&out, e),
    };
    out.object(&json!({
        "status": "succeeded",
        "supervisors": all.iter().map(info_json).collect::<Vec<_>>(),
    }));
    if all.is_empty() {
        out.line(out.t(
            "Belum ada supervisor: loket supervisor create",
            "No supervisor yet: loket supervisor create",
        ));
    }
    for s in &all {
        let state = if s.active {
            out.t("aktif", "active").to_owned()
        } else {
            format!(
                "{} {}{}",
                out.t("nonaktif sejak", "disabled since"),
                s.disabled_at.map(wib).unwrap_or_default(),
                s.disabled_by
                    .as_deref()
                    .map(|b| format!(" ({b})"))
                    .unwrap_or_default()
            )
        };
        out.line(&format!(
            "{}  [{state}]  {} {}  {} {}",
            s.name,
            out.t("dibuat", "created"),
            wib(s.created_at),
            out.t("terakhir dipakai", "last used"),
            s.last_used.map(wib).unwrap_or_else(|| "-".into()),
        ));
    }
    exit::OK
}

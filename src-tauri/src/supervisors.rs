//! Supervisor work in the app (issue 15): the terminal's supervisors in
//! Pengaturan (list, add, change one's own password, disable) and the
//! reversal of a succeeded transaction from history. Each command is one
//! core call (`supervisor`, `teller`), approved by a supervisor whose
//! password crosses IPC once and is wiped on drop; the rules (active
//! approver, never the last active one, the agent's password refused, the
//! journal rows) live in the core.

use std::sync::Arc;

use serde::Serialize;
use specta::Type;
use teller::{AgentCheck, SupervisorInfo, SupervisorPassword, TellerError};
use zeroize::Zeroizing;

use crate::receipts::{approve, ReceiptView};
use crate::runtime::Loket;
use crate::view::{self, CommandError};

type Result<T> = std::result::Result<T, CommandError>;
type App<'a> = tauri::State<'a, Arc<Loket>>;

/// One supervisor as Pengaturan lists them (never a hash).
#[derive(Debug, Clone, Serialize, Type)]
pub struct SupervisorRow {
    pub name: String,
    pub active: bool,
    /// `2026-11-23 14:05:09` in WIB.
    pub created_wib: String,
    pub created_by: Option<String>,
    pub disabled_wib: Option<String>,
    pub disabled_by: Option<String>,
    pub last_used_wib: Option<String>,
}

impl From<SupervisorInfo> for SupervisorRow {
    fn from(s: SupervisorInfo) -> Self {
        SupervisorRow {
            name: s.name,
            active: s.active,
            created_wib: view::wib(s.created_at),
            created_by: s.created_by,
            disabled_wib: s.disabled_at.map(view::wib),
            disabled_by: s.disabled_by,
            last_used_wib: s.last_used.map(view::wib),
        }
    }
}

/// A reversal done: the original (now `reversed`), the reversal's own row
/// and its PEMBATALAN receipt.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Reversed {
    pub original: view::Transaction,
    pub reversal: Option<view::Transaction>,
    pub receipt: Option<ReceiptView>,
}

fn actor(ready: &crate::runtime::Ready) -> String {
    ready
        .teller
        .profile()
        .map(|p| p.username)
        .unwrap_or_else(|| "loket".into())
}

/// Two typed passwords must be the same (a typo would lock the supervisor out).
fn repeated(state: &Loket, password: String, repeat: String) -> Result<SupervisorPassword> {
    let password = SupervisorPassword::from_zeroizing(Zeroizing::new(password));
    let repeat = SupervisorPassword::from_zeroizing(Zeroizing::new(repeat));
    if !password.matches(&repeat) {
        return Err(state.error(TellerError::Input(words::text!(
            "kedua password supervisor tidak sama",
            "the two supervisor passwords differ"
        ))));
    }
    Ok(password)
}

fn rows(state: &Loket, supervisors: &teller::Supervisors) -> Result<Vec<SupervisorRow>> {
    supervisors
        .list()
        .map(|l| l.into_iter().map(Into::into).collect())
        .map_err(|e| state.supervisor_error(e))
}

/// Every supervisor of this terminal.
#[tauri::command]
#[specta::specta]
pub async fn supervisors(state: App<'_>) -> Result<Vec<SupervisorRow>> {
    let ready = state.ready().await?;
    rows(&state, &ready.supervisors)
}

/// Adds a supervisor, approved by an active one; the new list.
#[tauri::command]
#[specta::specta]
pub async fn add_supervisor(
    state: App<'_>,
    name: String,
    password: String,
    repeat: String,
    supervisor: String,
    supervisor_password: String,
) -> Result<Vec<SupervisorRow>> {
    let password = repeated(&state, password, repeat)?;
    let ready = state.ready().await?;
    let approval = approve(&state, &ready, supervisor, supervisor_password).await?;
    let supervisors = ready.supervisors.clone();
    let witness = state.agent_witness();
    let actor = actor(&ready);
    // Argon2id: off the async threads.
    tauri::async_runtime::spawn_blocking(move || {
        let agent = AgentCheck::from_witness(witness.as_deref())?;
        supervisors.add_supervisor(&name, &password, Some(agent), &approval, &actor)
    })
    .await
    .map_err(|_| state.input(crate::receipts::internal()))?
    .map_err(|e| state.supervisor_error(e))?;
    rows(&state, &ready.supervisors)
}

/// Changes the approving supervisor's own password: the approval is their
/// name and old password; the new list.
#[tauri::command]
#[specta::specta]
pub async fn change_supervisor_password(
    state: App<'_>,
    password: String,
    repeat: String,
    supervisor: String,
    old_password: String,
) -> Result<Vec<SupervisorRow>> {
    let password = repeated(&state, password, repeat)?;
    let ready = state.ready().await?;
    let approval = approve(&state, &ready, supervisor, old_password).await?;
    let supervisors = ready.supervisors.clone();
    let witness = state.agent_witness();
    let actor = actor(&ready);
    tauri::async_runtime::spawn_blocking(move || {
        let agent = AgentCheck::from_witness(witness.as_deref())?;
        supervisors.change_password(&approval, &password, Some(agent), &actor)
    })
    .await
    .map_err(|_| state.input(crate::receipts::internal()))?
    .map_err(|e| state.supervisor_error(e))?;
    rows(&state, &ready.supervisors)
}

/// Disables a supervisor (never the last active one); the new list.
#[tauri::command]
#[specta::specta]
pub async fn disable_supervisor(
    state: App<'_>,
    name: String,
    supervisor: String,
    password: String,
) -> Result<Vec<SupervisorRow>> {
    let ready = state.ready().await?;
    let approval = approve(&state, &ready, supervisor, password).await?;
    ready
        .supervisors
        .disable(&name, &approval, &actor(&ready))
        .map_err(|e| state.supervisor_error(e))?;
    rows(&state, &ready.supervisors)
}

/// Reverses a succeeded transaction through the switcher's `/reversal`
/// (the core's `Teller::reverse`, as `loket reverse`), with a reason and a
/// supervisor's approval; its receipt is the PEMBATALAN slip.
#[tauri::command]
#[specta::specta]
pub async fn reverse_transaction(
    state: App<'_>,
    sid: String,
    reason: String,
    supervisor: String,
    password: String,
) -> Result<Reversed> {
    // Money will be on the wire: logout, recovery, closing the window and an
    // update wait; refused while an update installs.
    let _in_flight = state.money_may_move()?;
    let ready = state.bank().await?;
    let approval = approve(&state, &ready, supervisor, password).await?;
    let original = ready
        .teller
        .reverse(&sid, &reason, &approval)
        .await
        .map_err(|e| state.error(e))?;
    let journal = ready.teller.journal();
    let reversal = journal
        .flags(&sid)
        .map_err(|e| state.error(e.into()))?
        .and_then(|f| f.reversal_sid)
        .map(|r| journal.get(&r))
        .transpose()
        .map_err(|e| state.error(e.into()))?
        .flatten();
    let receipt = match &reversal {
        Some(r) => Some(crate::receipts::view_of(
            &state,
            &ready.teller.receipt(&r.sid).map_err(|e| state.error(e))?,
        )),
        None => None,
    };
    Ok(Reversed {
        original: original.into(),
        reversal: reversal.map(Into::into),
        receipt,
    })
}

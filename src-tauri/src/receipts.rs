//! Receipts, printing and the supervisor's authority: each command is one
//! core call (`teller`, `receipt`, `supervisor`) and its errors mapped for
//! the UI. A supervisor's password crosses IPC once per action, is wiped on
//! drop and never kept: the approval it buys lives only inside the command.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use specta::Type;
use teller::{SupervisorApproval, SupervisorError, SupervisorPassword, TellerError};
use zeroize::Zeroizing;

use crate::runtime::{Loket, Ready};
use crate::view::{self, CommandError};

type Result<T> = std::result::Result<T, CommandError>;
type App<'a> = tauri::State<'a, Arc<Loket>>;

/// A receipt as the screen shows it: the thermal printer's text.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ReceiptView {
    pub sid: String,
    /// The 32- or 48-column text, `\n`-separated (the paper in settings).
    pub text: String,
    /// `Some(n)` for the n-th copy ("SALINAN KE-n").
    pub copy: Option<u32>,
    pub columns: u32,
}

/// A job the print service accepted.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Printed {
    pub printer: String,
    pub job_id: String,
}

/// A supervisor-approved copy: shown always, printed when the printer could.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ReceiptCopy {
    pub receipt: ReceiptView,
    pub printed: Option<Printed>,
    /// Why the copy was not printed (it is recorded and shown all the same).
    pub print_error: Option<CommandError>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct SavedFile {
    pub path: String,
}

/// How a supervisor settles a transaction in doubt.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum Settle {
    Succeeded,
    Failed,
}

impl Loket {
    pub fn print_error(&self, e: receipt::PrintError) -> CommandError {
        // Printing is never part of the transaction.
        self.refuse(e.code(), &words::Say::say(&e))
    }

    pub fn supervisor_error(&self, e: SupervisorError) -> CommandError {
        self.error(TellerError::Supervisor(e))
    }
}

/// The original receipt was printed already: only a supervised copy now.
pub(crate) fn original_issued(at: &str) -> words::Text {
    words::text!(
        "Struk asli sudah diterbitkan {at} WIB. Cetak salinan lewat Riwayat (F7, Cetak Ulang) dengan persetujuan supervisor.",
        "The original receipt was issued at {at} WIB. Print a copy from History (F7, Reprint) with a supervisor's approval."
    )
}

pub(crate) fn view_of(state: &Loket, r: &receipt::Receipt) -> ReceiptView {
    let columns = state.settings().paper().columns();
    ReceiptView {
        sid: r.sid.clone(),
        text: receipt::render_text(r, columns),
        copy: r.copy,
        columns: columns.width() as u32,
    }
}

/// Checks a supervisor's name and password (Argon2id: off the async
/// threads). The approval never leaves the shell.
pub async fn approve(
    state: &Loket,
    ready: &Arc<Ready>,
    name: String,
    password: String,
) -> Result<SupervisorApproval> {
    let password = SupervisorPassword::from_zeroizing(Zeroizing::new(password));
    let supervisors = ready.supervisors.clone();
    tauri::async_runtime::spawn_blocking(move || supervisors.verify(&name, &password))
        .await
        .map_err(|_| state.error(TellerError::Input(internal())))?
        .map_err(|e| state.supervisor_error(e))
}

/// Prints off the async threads: `lpstat` and `lp` are processes.
async fn print(state: &Loket, r: receipt::Receipt) -> Result<Printed> {
    let settings = state.settings();
    let paper = settings.paper();
    let job = tauri::async_runtime::spawn_blocking(move || {
        receipt::print_receipt(&r, paper, settings.printer.as_deref())
    })
    .await
    .map_err(|e| state.print_error(receipt::PrintError::Failed(e.to_string())))?
    .map_err(|e| state.print_error(e))?;
    Ok(Printed {
        printer: job.printer,
        job_id: job.job_id,
    })
}

// ---- Supervisor ----

/// Whether this terminal has a supervisor yet (the first start asks for one).
#[tauri::command]
#[specta::specta]
pub async fn has_supervisor(state: App<'_>) -> Result<bool> {
    let ready = state.ready().await?;
    ready
        .supervisors
        .has_supervisor()
        .map_err(|e| state.supervisor_error(e))
}

/// Creates the terminal's first supervisor (refused once one exists).
#[tauri::command]
#[specta::specta]
pub async fn create_supervisor(
    state: App<'_>,
    name: String,
    password: String,
    repeat: String,
) -> Result<()> {
    let password = SupervisorPassword::from_zeroizing(Zeroizing::new(password));
    let repeat = SupervisorPassword::from_zeroizing(Zeroizing::new(repeat));
    if !password.matches(&repeat) {
        return Err(state.error(TellerError::Input(words::text!(
            "kedua password supervisor tidak sama",
            "the two supervisor passwords differ"
        ))));
    }
    let ready = state.ready().await?;
    let supervisors = ready.supervisors.clone();
    // The app asks for the first supervisor after the agent's first login;
    // before any login the core refuses (the passwords cannot be compared).
    let agent = state.agent_witness();
    tauri::async_runtime::spawn_blocking(move || {
        supervisors.create_first_knowing_agent(&name, &password, agent.as_deref())
    })
    .await
    .map_err(|_| state.error(TellerError::Input(internal())))?
    .map_err(|e| state.supervisor_error(e))
}

// ---- Receipts ----

/// The original receipt of a transaction, as text for the screen.
#[tauri::command]
#[specta::specta]
pub async fn receipt(state: App<'_>, sid: String) -> Result<ReceiptView> {
    let ready = state.ready().await?;
    let r = ready.teller.receipt(&sid).map_err(|e| state.error(e))?;
    Ok(view_of(&state, &r))
}

/// This run of the app, as the journal names the session that issued an
/// original receipt (a paper-jam retry must come from the same one). Not a
/// secret: the process id and start time.
fn print_session() -> &'static str {
    static SESSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SESSION.get_or_init(|| {
        format!(
            "app-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_millis()
        )
    })
}

/// Claims the original receipt of `sid` in the journal before it is
/// printed or saved: once, plus paper-jam retries from this run within
/// [`journal::ORIGINAL_RETRY_WINDOW`]; afterwards only supervised copies.
fn issue_original(state: &Loket, ready: &Ready, sid: &str, how: &str) -> Result<()> {
    let actor = ready
        .teller
        .profile()
        .map(|p| p.username)
        .unwrap_or_else(|| "loket".into());
    let issue = ready
        .teller
        .journal()
        .issue_original(sid, how, &actor, print_session())
        .map_err(|e| state.error(e.into()))?;
    match issue {
        journal::OriginalIssue::First | journal::OriginalIssue::Retry(_) => Ok(()),
        journal::OriginalIssue::Refused { first_at } => {
            let at = first_at
                .with_timezone(&journal::wib())
                .format("%d-%m-%Y %H:%M");
            Err(state.refuse("ORIGINAL_ISSUED", &original_issued(&at.to_string())))
        }
    }
}

/// Prints the original receipt on the printer from settings (or the
/// system default): once, at the result screen (a paper-jam retry shortly
/// after is allowed and journaled). A printer that is missing or stopped
/// says so; the transaction is as it was.
#[tauri::command]
#[specta::specta]
pub async fn print_receipt(state: App<'_>, sid: String) -> Result<Printed> {
    let ready = state.ready().await?;
    let r = ready.teller.receipt(&sid).map_err(|e| state.error(e))?;
    issue_original(&state, &ready, &sid, "print")?;
    print(&state, r).await
}

/// Writes the original receipt's PDF (the paper from settings) where CSV
/// exports go and says where; counted as the original (see `print_receipt`).
#[tauri::command]
#[specta::specta]
pub async fn save_receipt_pdf(
    app: tauri::AppHandle,
    state: App<'_>,
    sid: String,
) -> Result<SavedFile> {
    let ready = state.ready().await?;
    let r = ready.teller.receipt(&sid).map_err(|e| state.error(e))?;
    // A saved PDF is an original too: the same once-only rule as paper.
    issue_original(&state, &ready, &sid, "pdf")?;
    let pdf = receipt::render_pdf(&r, state.settings().paper())
        .map_err(|e| state.print_error(receipt::PrintError::Failed(e.to_string())))?;
    let dir = crate::commands::export_dir(&app, &state);
    let io = |e: std::io::Error| {
        let d = dir.display();
        state.input(words::text!("{d}: {e}", "{d}: {e}"; e))
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let path = dir.join(r.file_name());
    std::fs::write(&path, pdf).map_err(io)?;
    Ok(SavedFile {
        path: path.display().to_string(),
    })
}

/// A copy of a receipt ("SALINAN KE-n"), approved by a supervisor: the copy
/// is numbered and journaled, shown, and sent to the printer.
#[tauri::command]
#[specta::specta]
pub async fn reprint_receipt(
    state: App<'_>,
    sid: String,
    supervisor: String,
    password: String,
) -> Result<ReceiptCopy> {
    let ready = state.ready().await?;
    let approval = approve(&state, &ready, supervisor, password).await?;
    let r = ready
        .teller
        .reprint(&sid, &approval)
        .map_err(|e| state.error(e))?;
    let shown = view_of(&state, &r);
    let (printed, print_error) = match print(&state, r).await {
        Ok(p) => (Some(p), None),
        Err(e) => (None, Some(e)),
    };
    Ok(ReceiptCopy {
        receipt: shown,
        printed,
        print_error,
    })
}

/// A supervisor settles a transaction in doubt by hand, with a reason.
#[tauri::command]
#[specta::specta]
pub async fn resolve_transaction(
    state: App<'_>,
    sid: String,
    outcome: Settle,
    reason: String,
    supervisor: String,
    password: String,
) -> Result<view::Transaction> {
    let ready = state.ready().await?;
    let approval = approve(&state, &ready, supervisor, password).await?;
    let outcome = match outcome {
        Settle::Succeeded => journal::State::Succeeded,
        Settle::Failed => journal::State::Failed,
    };
    let record = ready
        .teller
        .resolve(&sid, outcome, &reason, &approval)
        .map_err(|e| state.error(e))?;
    Ok(record.into())
}

/// A background task that died (a panic in it): nothing it did is known.
pub(crate) fn internal() -> words::Text {
    words::text!(
        "kesalahan internal; coba lagi, bila berulang hubungi dukungan",
        "internal error; try again, and call support if it happens again"
    )
}

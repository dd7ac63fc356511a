//! Backups from the app: the settings screen's status and "Cadangkan
//! sekarang", and the automatic daily backup. The rules are the `backup`
//! crate's; restoring is `loket restore`, with the app closed.

use std::sync::Arc;
use std::time::Duration;

use crate::runtime::Loket;
use crate::view::{self, CommandError};

type App<'a> = tauri::State<'a, Arc<Loket>>;

/// How long after start the first daily check waits: the login screen and
/// the agent's first transaction come first on a slow PC.
const FIRST_CHECK: Duration = Duration::from_secs(60);
/// How often the daily check looks again (one backup per WIB day).
const EVERY: Duration = Duration::from_secs(60 * 60);

/// Starts the daily backup's thread (a plain thread: the backup is blocking
/// file work, kept off the async runtime that serves the window).
pub fn start_daily(state: Arc<Loket>) {
    let spawned = std::thread::Builder::new()
        .name("daily-backup".into())
        .spawn(move || {
            std::thread::sleep(FIRST_CHECK);
            loop {
                state.daily_backup();
                std::thread::sleep(EVERY);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the daily backup");
    }
}

fn status(state: &Loket) -> view::BackupStatus {
    let found = backup::list(&state.data_dir.join(backup::BACKUP_DIR));
    view::BackupStatus {
        last: found.first().map(Into::into),
        count: u32::try_from(found.len()).unwrap_or(u32::MAX),
        folder: state.settings().backup_folder,
        last_error: state.backup_error(),
    }
}

#[tauri::command]
#[specta::specta]
pub async fn backup_status(state: App<'_>) -> Result<view::BackupStatus, CommandError> {
    let app = state.inner().clone();
    tokio::task::spawn_blocking(move || status(&app))
        .await
        .map_err(|_| state.refuse("INTERNAL", &crate::receipts::internal()))
}

#[tauri::command]
#[specta::specta]
pub async fn backup_now(state: App<'_>) -> Result<view::BackupStatus, CommandError> {
    let app = state.inner().clone();
    let done = tokio::task::spawn_blocking(move || app.backup_now().map(|_| status(&app)))
        .await
        .map_err(|_| state.refuse("INTERNAL", &crate::receipts::internal()))?;
    done.map_err(|e| state.error(e))
}

//! The app's state: the sandbox (when no server is configured), the journal
//! and the teller, made ready after the window has painted so start-up does
//! no network work first.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use journal::Journal;
use sandbox::{LedgerLocation, Sandbox, SandboxConfig};
use teller::{Teller, TellerConfig, TellerError};
use tokio::sync::OnceCell;

use crate::view::CommandError;

pub struct Ready {
    pub teller: Teller,
    pub sandbox: bool,
    pub server: String,
    _sandbox: Option<Sandbox>,
}

pub struct Loket {
    data_dir: PathBuf,
    server: Option<String>,
    ready: OnceCell<std::result::Result<Ready, String>>,
    lang: Mutex<teller::Lang>,
}

impl Loket {
    pub fn new(data_dir: PathBuf, server: Option<String>) -> Arc<Loket> {
        Arc::new(Loket {
            data_dir,
            server,
            ready: OnceCell::new(),
            lang: Mutex::new(teller::Lang::Id),
        })
    }

    pub fn lang(&self) -> teller::Lang {
        *self.lang.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_lang(&self, lang: teller::Lang) {
        *self.lang.lock().unwrap_or_else(|p| p.into_inner()) = lang;
    }

    /// Starts (once) what the commands need.
    pub async fn ready(&self) -> std::result::Result<&Ready, CommandError> {
        let r = self
            .ready
            .get_or_init(|| async { self.start().await })
            .await;
        r.as_ref().map_err(|why| CommandError {
            code: "STARTUP".into(),
            message: why.clone(),
            outcome_unknown: false,
        })
    }

    async fn start(&self) -> std::result::Result<Ready, String> {
        std::fs::create_dir_all(&self.data_dir).map_err(|e| {
            format!("Folder data tidak bisa dibuat / cannot create the data folder: {e}")
        })?;
        let (server, sandbox) = match &self.server {
            Some(url) => (url.clone(), None),
            None => {
                let s = Sandbox::start(
                    SandboxConfig {
                        ledger: LedgerLocation::File(self.data_dir.join("sandbox-ledger.db")),
                        ..SandboxConfig::default()
                    },
                    "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?,
                )
                .await
                .map_err(|e| format!("Sandbox tidak bisa dimulai / sandbox cannot start: {e}"))?;
                (s.base_url(), Some(s))
            }
        };
        let journal = Journal::open(&self.data_dir.join("journal.db"))
            .map_err(|e| TellerError::from(e).message(self.lang()))?;
        let teller = Teller::new(
            &TellerConfig {
                server: server.clone(),
                switcher: sandbox.as_ref().map(|s| s.base_url()),
                timeout: Duration::from_secs(30),
            },
            Arc::new(journal),
        )
        .map_err(|e| e.message(self.lang()))?;
        Ok(Ready {
            teller,
            sandbox: sandbox.is_some(),
            server,
            _sandbox: sandbox,
        })
    }
}

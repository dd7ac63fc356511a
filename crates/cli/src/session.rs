//! The run's surroundings: where the server is (or the in-process sandbox),
//! the journal, the credentials, and logging in and out around each
//! operation. Secrets live only in `bankplus::Password` / `Pin`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bankplus::{AgentProfile, Password, Pin};
use journal::Journal;
use sandbox::{LedgerLocation, Sandbox, SandboxConfig};
use teller::{
    SupervisorApproval, SupervisorError, SupervisorPassword, Supervisors, Teller, TellerConfig,
    TellerError,
};
use zeroize::Zeroizing;

use crate::args::Global;
use crate::exit;
use crate::output::Out;

/// How long one request may take before its outcome is unknown.
const TIMEOUT: Duration = Duration::from_secs(30);

pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// A secret from the environment, else a no-echo prompt on a terminal.
fn secret(var: &str, prompt: &str) -> Result<Zeroizing<String>, String> {
    if let Some(v) = std::env::var_os(var) {
        return v
            .into_string()
            .map(Zeroizing::new)
            .map_err(|_| format!("{var} bukan teks / is not text"));
    }
    if !stdin_is_terminal() {
        return Err(format!(
            "{var} tidak diisi dan stdin bukan terminal / {var} is not set and stdin is not a terminal"
        ));
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| format!("tidak bisa membaca / cannot read: {e}"))
}

/// A plain (echoed) value from the environment or a prompt.
fn plain(var: &str, prompt: &str) -> Result<String, String> {
    if let Ok(v) = std::env::var(var) {
        return Ok(v);
    }
    if !stdin_is_terminal() {
        return Err(format!(
            "{var} tidak diisi dan stdin bukan terminal / {var} is not set and stdin is not a terminal"
        ));
    }
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("tidak bisa membaca / cannot read: {e}"))?;
    Ok(line.trim().to_owned())
}

/// A six-digit PIN from `var` or a prompt; a malformed PIN is a usage error.
pub fn pin(var: &str, prompt: &str) -> Result<Pin, String> {
    let text = secret(var, prompt)?;
    Pin::new(&text).map_err(|e| format!("PIN: {e}"))
}

/// A password from `var` or a prompt.
pub fn password(var: &str, prompt: &str) -> Result<Password, String> {
    let text = secret(var, prompt)?;
    Ok(Password::new(&text))
}

/// Opens the supervisor tables (in the journal file of the data directory).
pub fn open_supervisors(data_dir: &Path, out: &Out) -> Result<Supervisors, u8> {
    if let Err(e) = std::fs::create_dir_all(data_dir) {
        return Err(out.usage(&format!(
            "folder data {} tidak bisa dibuat / cannot create the data folder: {e}",
            data_dir.display()
        )));
    }
    Supervisors::open(&data_dir.join("journal.db"))
        .map_err(|e| out.fail(&TellerError::Supervisor(e)))
}

/// The supervisor's name and password: `LOKET_SUPERVISOR` and
/// `LOKET_SUPERVISOR_PASSWORD`, else prompts (the password without echo).
pub fn supervisor_credentials() -> Result<(String, SupervisorPassword), String> {
    let name = plain("LOKET_SUPERVISOR", "Nama supervisor / Supervisor name: ")?;
    if name.trim().is_empty() {
        return Err("nama supervisor kosong / the supervisor name is empty".into());
    }
    let password = secret(
        "LOKET_SUPERVISOR_PASSWORD",
        "Password supervisor / Supervisor password: ",
    )?;
    Ok((name, SupervisorPassword::from_zeroizing(password)))
}

/// The agent's Bank+ password (`LOKET_PASSWORD` or a prompt), only so a new
/// supervisor password can be compared with it; never kept.
pub fn agent_password_to_compare() -> Result<SupervisorPassword, String> {
    let text = secret(
        "LOKET_PASSWORD",
        "Password Bank+ agen (hanya untuk dibandingkan) / The agent's Bank+ password (only to compare): ",
    )?;
    Ok(SupervisorPassword::from_zeroizing(text))
}

/// A verified supervisor approval for this run, or the exit code of why not.
pub fn supervisor_approval(data_dir: &Path, out: &Out) -> Result<SupervisorApproval, u8> {
    let supervisors = open_supervisors(data_dir, out)?;
    if !supervisors
        .has_supervisor()
        .map_err(|e| out.fail(&TellerError::Supervisor(e)))?
    {
        return Err(out.fail(&TellerError::Supervisor(SupervisorError::NoSupervisor)));
    }
    let (name, password) = supervisor_credentials().map_err(|why| out.usage(&why))?;
    let approval = supervisors
        .verify(&name, &password)
        .map_err(|e| out.fail(&TellerError::Supervisor(e)))?;
    tracing::info!(supervisor = %approval.name(), "supervisor approved");
    Ok(approval)
}

/// Asks "yes?" on the terminal.
pub fn confirm(question: &str) -> bool {
    eprint!("{question} ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "y" | "ya" | "yes"
    )
}

/// The logged-in username and password, kept to log in again once after expiry.
pub struct Credentials {
    pub username: String,
    password: Password,
}

impl Credentials {
    pub fn from_env_or_prompt() -> Result<Credentials, String> {
        let username = plain("LOKET_USERNAME", "Username Bank+: ")?;
        if username.trim().is_empty() {
            return Err("username kosong / the username is empty".into());
        }
        let password = password("LOKET_PASSWORD", "Password Bank+: ")?;
        Ok(Credentials { username, password })
    }

    pub fn password(&self) -> &Password {
        &self.password
    }
}

/// One run: maybe an in-process sandbox, the teller, and the output settings.
pub struct Ctx {
    pub teller: Teller,
    pub out: Out,
    sandbox: Option<Sandbox>,
    creds: Option<Credentials>,
}

/// Where the in-process sandbox keeps its ledger.
pub fn sandbox_ledger(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("sandbox-ledger.db")
}

/// Opens the journal in the data directory.
pub fn open_journal(data_dir: &Path, out: &Out) -> Result<Arc<Journal>, u8> {
    if let Err(e) = std::fs::create_dir_all(data_dir) {
        return Err(out.usage(&format!(
            "folder data {} tidak bisa dibuat / cannot create the data folder: {e}",
            data_dir.display()
        )));
    }
    match Journal::open(&data_dir.join("journal.db")) {
        Ok(j) => {
            start_up_integrity_check(&j);
            Ok(Arc::new(j))
        }
        Err(e) => Err(out.fail(&TellerError::Journal(e))),
    }
}

/// The start-up check of the journal's chain (issue 10, defect 23): a
/// finding is said loudly and recorded; reads still work, and supervisor
/// actions are refused where the supervisor tables are opened.
fn start_up_integrity_check(journal: &Journal) {
    match journal::Integrity::verify(journal) {
        Ok(report) if report.is_clean() => {}
        Ok(report) => {
            let found = report.summary();
            tracing::error!(found = %found, "journal tampering detected");
            eprintln!(
                "PERINGATAN: jurnal diubah di luar Loket / WARNING: the journal was changed outside Loket: {found}"
            );
            if let Err(e) = journal.record_integrity_note("tamper", &found) {
                tracing::warn!(error = %e, "cannot record the tamper finding");
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot verify the journal chain"),
    }
}

impl Ctx {
    /// Starts what a server command needs: the sandbox when no server is
    /// given, the journal and the teller. Does not log in yet.
    pub async fn start(global: &Global, data_dir: &Path, out: Out) -> Result<Ctx, u8> {
        let journal = open_journal(data_dir, &out)?;
        let (server, switcher, sandbox) = match &global.server {
            Some(server) => (server.clone(), global.switcher.clone(), None),
            None => {
                let ledger = sandbox_ledger(data_dir);
                let config = SandboxConfig {
                    ledger: LedgerLocation::File(ledger.clone()),
                    ..SandboxConfig::default()
                };
                let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
                let sb = match Sandbox::start(config, addr).await {
                    Ok(sb) => sb,
                    Err(e) => {
                        out.note(&format!(
                            "loket: sandbox tidak bisa dimulai / the sandbox could not start: {e}"
                        ));
                        return Err(exit::UNREACHABLE);
                    }
                };
                let base = sb.base_url();
                out.note(&format!("SANDBOX: {base} (ledger {})", ledger.display()));
                let switcher = global.switcher.clone().or_else(|| Some(base.clone()));
                (base, switcher, Some(sb))
            }
        };
        let config = TellerConfig {
            server,
            switcher,
            timeout: TIMEOUT,
        };
        let teller = match Teller::new(&config, journal) {
            Ok(t) => t,
            Err(e) => {
                if let Some(sb) = sandbox {
                    sb.shutdown().await;
                }
                return Err(out.fail(&e));
            }
        };
        Ok(Ctx {
            teller,
            out,
            sandbox,
            creds: None,
        })
    }

    /// The in-process sandbox's base URL, when one runs.
    pub fn sandbox_url(&self) -> Option<String> {
        self.sandbox.as_ref().map(Sandbox::base_url)
    }

    /// Reads the credentials, logs in and runs start-up recovery.
    pub async fn login(&mut self) -> Result<AgentProfile, u8> {
        let creds = match Credentials::from_env_or_prompt() {
            Ok(c) => c,
            Err(why) => return Err(self.out.usage(&why)),
        };
        let profile = match self.teller.login(&creds.username, creds.password()).await {
            Ok(p) => p,
            Err(e) => return Err(self.out.fail(&e)),
        };
        tracing::info!(username = %profile.username, "logged in");
        self.creds = Some(creds);
        self.recover(&profile.username).await;
        Ok(profile)
    }

    /// Logs in again with the same credentials after the session expired.
    pub async fn relogin(&self) -> Result<(), TellerError> {
        let creds = self.creds.as_ref().ok_or(TellerError::NotLoggedIn)?;
        self.out.note(self.out.t(
            "Sesi habis; masuk lagi dan mengulang sekali dengan sid baru.",
            "The session expired; logging in again and redoing it once with a new sid.",
        ));
        tracing::info!("session expired; logging in again");
        self.teller
            .login(&creds.username, creds.password())
            .await
            .map(|_| ())
    }

    /// The password this run logged in with.
    pub fn password(&self) -> Option<&Password> {
        self.creds.as_ref().map(Credentials::password)
    }

    /// The name actions are recorded under.
    pub fn actor(&self) -> String {
        self.teller
            .profile()
            .map(|p| p.username)
            .or_else(|| self.creds.as_ref().map(|c| c.username.clone()))
            .unwrap_or_else(|| "loket".into())
    }

    /// Start-up recovery; sids it touched are reported on stderr.
    pub async fn recover(&self, actor: &str) {
        match self.teller.recover(actor).await {
            Ok(report) => report_recovery(&self.out, &report.in_doubt, &report.settled),
            Err(e) => self.out.note(&format!(
                "loket: pemulihan jurnal gagal / journal recovery failed: {}",
                e.message(self.out.lang)
            )),
        }
    }

    /// Logs out (if logged in) and stops the in-process sandbox cleanly.
    pub async fn finish(self) {
        if self.teller.profile().is_some() {
            if let Err(e) = self.teller.logout().await {
                tracing::warn!(error = %e, "logout failed");
            }
        }
        if let Some(sb) = self.sandbox {
            sb.shutdown().await;
        }
    }
}

pub fn report_recovery(out: &Out, in_doubt: &[String], settled: &[(String, journal::State)]) {
    for sid in in_doubt {
        out.note(&format!(
            "{}: {sid} -> unknown",
            out.t("Dipulihkan", "Recovered")
        ));
    }
    for (sid, state) in settled {
        out.note(&format!(
            "{}: {sid} -> {state}",
            out.t("Diselesaikan switcher", "Settled by the switcher")
        ));
    }
}

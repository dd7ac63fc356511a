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
use crate::output::{self, Out};
use words::{text, Say, Text};

/// How long one request may take before its outcome is unknown.
const TIMEOUT: Duration = Duration::from_secs(30);

pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// Secret variables taken out of the environment at start: name and value
/// (`None` when the value was not text).
type Taken = Vec<(String, Option<Zeroizing<String>>)>;

static TAKEN: std::sync::OnceLock<std::sync::Mutex<Taken>> = std::sync::OnceLock::new();

/// Whether a variable holds a secret: `LOKET_PASSWORD`, `LOKET_NEW_PASSWORD`,
/// `LOKET_PIN`, `LOKET_CUSTOMER_PIN`, `LOKET_SUPERVISOR_PASSWORD`, and any
/// other `LOKET_*` named like a credential.
fn is_secret_var(name: &str) -> bool {
    name.starts_with("LOKET_")
        && ["PASSWORD", "PIN", "SECRET", "TOKEN", "KEY"]
            .iter()
            .any(|w| name[6..].split('_').any(|part| part == *w))
}

/// Moves every secret variable out of the process environment into memory,
/// so that nothing started later (a print job's `lp`, any child process)
/// inherits it and it is not left in `environ` for the whole run.
///
/// Must run first thing in `main`, while the process has one thread:
/// `remove_var` (safe in this edition-2021 crate, `unsafe` in 2024) races
/// with any other thread reading the environment, and later there are
/// tokio and logging threads.
pub fn take_secret_vars() {
    let mut taken = Vec::new();
    for (name, value) in std::env::vars_os() {
        let Some(name) = name.to_str().map(str::to_owned) else {
            continue;
        };
        if is_secret_var(&name) {
            std::env::remove_var(&name);
            taken.push((name, value.into_string().ok().map(Zeroizing::new)));
        }
    }
    let _ = TAKEN.set(std::sync::Mutex::new(taken));
}

/// The value of secret variable `var` as given at start, if it was set.
fn taken(var: &str) -> Option<Option<Zeroizing<String>>> {
    let taken = TAKEN.get()?.lock().unwrap_or_else(|p| p.into_inner());
    taken
        .iter()
        .find(|(name, _)| name == var)
        .map(|(_, value)| value.clone())
}

/// The value of secret variable `var` (taken at start, or still in the
/// environment), without prompting.
pub fn secret_var(var: &str) -> Option<Zeroizing<String>> {
    match taken(var) {
        Some(v) => v,
        None => std::env::var(var).ok().map(Zeroizing::new),
    }
}

/// Whether secret variable `var` was set when the run started.
pub fn secret_given(var: &str) -> bool {
    taken(var).is_some() || std::env::var_os(var).is_some()
}

/// A secret from the environment, else a no-echo prompt on a terminal.
fn secret(var: &str, prompt: &Text) -> Result<Zeroizing<String>, Text> {
    let not_text = || text!("{var} bukan teks", "{var} is not text");
    if let Some(v) = taken(var) {
        return v.ok_or_else(not_text);
    }
    if let Some(v) = std::env::var_os(var) {
        return v.into_string().map(Zeroizing::new).map_err(|_| not_text());
    }
    if !stdin_is_terminal() {
        return Err(not_set(var));
    }
    rpassword::prompt_password(output::say(prompt))
        .map(Zeroizing::new)
        .map_err(cannot_read)
}

fn not_set(var: &str) -> Text {
    text!(
        "{var} tidak diisi dan stdin bukan terminal",
        "{var} is not set and stdin is not a terminal"
    )
}

fn cannot_read(e: std::io::Error) -> Text {
    text!("tidak bisa membaca: {e}", "cannot read: {e}"; e)
}

/// A plain (echoed) value from the environment or a prompt.
fn plain(var: &str, prompt: &Text) -> Result<String, Text> {
    if let Ok(v) = std::env::var(var) {
        return Ok(v);
    }
    if !stdin_is_terminal() {
        return Err(not_set(var));
    }
    eprint!("{}", output::say(prompt));
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(cannot_read)?;
    Ok(line.trim().to_owned())
}

/// A six-digit PIN from `var` or a prompt; a malformed PIN is a usage error.
pub fn pin(var: &str, prompt: &Text) -> Result<Pin, Text> {
    let typed = secret(var, prompt)?;
    Pin::new(&typed).map_err(|_| text!("PIN harus 6 angka", "the PIN must be 6 digits"))
}

/// A password from `var` or a prompt.
pub fn password(var: &str, prompt: &Text) -> Result<Password, Text> {
    let text = secret(var, prompt)?;
    Ok(Password::new(&text))
}

/// Opens the supervisor tables (in the journal file of the data directory).
pub fn open_supervisors(data_dir: &Path, out: &Out) -> Result<Supervisors, u8> {
    if let Err(e) = std::fs::create_dir_all(data_dir) {
        return Err(out.usage(cannot_create(data_dir, e)));
    }
    Supervisors::open(&data_dir.join("journal.db"))
        .map_err(|e| out.fail(&TellerError::Supervisor(e)))
}

fn cannot_create(dir: &Path, e: std::io::Error) -> Text {
    let dir = dir.display();
    text!(
        "folder data {dir} tidak bisa dibuat: {e}",
        "cannot create the data folder {dir}: {e}";
        e
    )
}

/// The supervisor's name and password: `LOKET_SUPERVISOR` and
/// `LOKET_SUPERVISOR_PASSWORD`, else prompts (the password without echo).
pub fn supervisor_credentials() -> Result<(String, SupervisorPassword), Text> {
    let name = plain(
        "LOKET_SUPERVISOR",
        &text!("Nama supervisor: ", "Supervisor name: "),
    )?;
    if name.trim().is_empty() {
        return Err(text!(
            "nama supervisor kosong",
            "the supervisor name is empty"
        ));
    }
    let password = secret(
        "LOKET_SUPERVISOR_PASSWORD",
        &text!("Password supervisor: ", "Supervisor password: "),
    )?;
    Ok((name, SupervisorPassword::from_zeroizing(password)))
}

/// A new supervisor password: `LOKET_NEW_SUPERVISOR_PASSWORD`, else a
/// no-echo prompt asked twice (a typo would lock the supervisor out).
pub fn new_supervisor_password(prompt: &Text) -> Result<SupervisorPassword, Text> {
    const VAR: &str = "LOKET_NEW_SUPERVISOR_PASSWORD";
    let given = secret_given(VAR);
    let first = SupervisorPassword::from_zeroizing(secret(VAR, prompt)?);
    if !given {
        let again = rpassword::prompt_password(output::say(&text!(
            "Ulangi password: ",
            "Repeat the password: "
        )))
        .map(Zeroizing::new)
        .map_err(cannot_read)?;
        if !first.matches(&SupervisorPassword::from_zeroizing(again)) {
            return Err(text!("password tidak sama", "the passwords differ"));
        }
    }
    Ok(first)
}

/// The agent's Bank+ password (`LOKET_PASSWORD` or a prompt), only so a new
/// supervisor password can be compared with it; never kept.
pub fn agent_password_to_compare() -> Result<SupervisorPassword, Text> {
    let typed = secret(
        "LOKET_PASSWORD",
        &text!(
            "Password Bank+ agen (hanya untuk dibandingkan): ",
            "The agent's Bank+ password (only to compare): "
        ),
    )?;
    Ok(SupervisorPassword::from_zeroizing(typed))
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
    let (name, password) = supervisor_credentials().map_err(|why| out.usage(why))?;
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
    pub fn from_env_or_prompt() -> Result<Credentials, Text> {
        let username = plain("LOKET_USERNAME", &Text::same("Username Bank+: "))?;
        if username.trim().is_empty() {
            return Err(text!("username kosong", "the username is empty"));
        }
        let password = password("LOKET_PASSWORD", &Text::same("Password Bank+: "))?;
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

/// Whether this data directory may run on the in-process sandbox. A
/// terminal whose `settings.json` is damaged, or names a real bank, is not
/// quietly switched to the sandbox: it is refused with the file and the fix
/// (on a terminal, the agent may say yes to the sandbox for this one run).
fn sandbox_allowed(data_dir: &Path, out: &Out) -> Result<(), u8> {
    let why = match teller::Settings::load_checked(data_dir) {
        Ok(s) => match s.server {
            None => return Ok(()),
            Some(server) => {
                let path = teller::Settings::path(data_dir);
                let path = path.display();
                text!(
                    "{path} mengarah ke server {server}, tetapi --server tidak diberikan; tanpa itu Loket akan berjalan di SANDBOX. Jalankan dengan --server {server} (atau LOKET_SERVER).",
                    "{path} names the server {server} but no --server was given; without it Loket would run on the SANDBOX. Run with --server {server} (or LOKET_SERVER)."
                )
            }
        },
        Err(damaged) => damaged.say(),
    };
    if stdin_is_terminal() {
        out.note(&format!(
            "{}: {}",
            out.t("PERINGATAN", "WARNING"),
            out.s(&why)
        ));
        if confirm(out.t(
            "Tetap jalankan di SANDBOX (uang tidak nyata)? [ya/tidak]",
            "Run on the SANDBOX anyway (no real money)? [yes/no]",
        )) {
            return Ok(());
        }
    }
    Err(out.usage(why))
}

/// Opens the journal in the data directory.
pub fn open_journal(data_dir: &Path, out: &Out) -> Result<Arc<Journal>, u8> {
    open_journal_verified(data_dir, out).map(|(j, _)| j)
}

/// Opens the journal and verifies its chain; the report is `None` when the
/// chain could not be read at all (said in the log).
pub fn open_journal_verified(
    data_dir: &Path,
    out: &Out,
) -> Result<(Arc<Journal>, Option<journal::IntegrityReport>), u8> {
    if let Err(e) = std::fs::create_dir_all(data_dir) {
        return Err(out.usage(cannot_create(data_dir, e)));
    }
    match Journal::open(&data_dir.join("journal.db")) {
        Ok(j) => {
            let report = start_up_integrity_check(&j);
            Ok((Arc::new(j), report))
        }
        Err(e) => Err(out.fail(&TellerError::Journal(e))),
    }
}

/// The start-up check of the journal's chain (issue 10, defect 23): a
/// finding is said loudly and recorded; reads still work, and supervisor
/// actions are refused where the supervisor tables are opened.
fn start_up_integrity_check(journal: &Journal) -> Option<journal::IntegrityReport> {
    // Rows since the last clean verification (a checkpoint); `loket verify
    // --full` re-hashes the whole chain.
    match journal::Integrity::verify_at_start(journal) {
        Ok(report) if report.is_clean() => Some(report),
        Ok(report) => {
            let found = report.summary();
            tracing::error!(found = %found, "journal tampering detected");
            eprintln!(
                "{}: {found}",
                output::say(&text!(
                    "PERINGATAN: jurnal diubah di luar Loket",
                    "WARNING: the journal was changed outside Loket"
                ))
            );
            if let Err(e) = journal.record_integrity_note("tamper", &found) {
                tracing::warn!(error = %e, "cannot record the tamper finding");
            }
            Some(report)
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot verify the journal chain");
            None
        }
    }
}

/// Issue 10, defect 23: before anything is sent to a bank, settings.json
/// must name the server the journal last recorded (a change made outside
/// Loket is refused until restored or approved: `loket settings approve`).
fn settings_guard(
    data_dir: &Path,
    journal: &Journal,
    report: Option<&journal::IntegrityReport>,
    out: &Out,
) -> Result<(), u8> {
    // A file Loket cannot read is not recorded as the baseline, nor waved through.
    if let Err(damaged) = teller::Settings::load_checked(data_dir) {
        return Err(out.usage(damaged));
    }
    let Some(report) = report else {
        // The chain could not be read; the fingerprint cannot be compared.
        return Err(out.fail(&TellerError::Input(text!(
            "rantai jurnal tidak bisa dibaca, pengaturan tidak bisa diperiksa",
            "the journal chain cannot be read, so the settings cannot be checked"
        ))));
    };
    teller::settings::guard(data_dir, journal, report).map_err(|e| out.fail(&e))
}

impl Ctx {
    /// Starts what a server command needs: the sandbox when no server is
    /// given, the journal and the teller. Does not log in yet.
    pub async fn start(global: &Global, data_dir: &Path, out: Out) -> Result<Ctx, u8> {
        let (journal, report) = open_journal_verified(data_dir, &out)?;
        if global.server.is_none() {
            sandbox_allowed(data_dir, &out)?;
        }
        settings_guard(data_dir, &journal, report.as_ref(), &out)?;
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
                            "loket: {}: {e}",
                            out.t("sandbox tidak bisa dimulai", "the sandbox could not start")
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
        // Said plainly here (exit 2): the client refuses these too, but its
        // error would read as "cannot reach the server".
        for (label, url) in [
            ("--server", Some(&server)),
            ("--switcher", switcher.as_ref()),
        ] {
            if let Some(why) = url.and_then(|u| bankplus::client::server_url_problem(u)) {
                if let Some(sb) = sandbox {
                    sb.shutdown().await;
                }
                return Err(out.usage(text!("{label}: {why}", "{label}: {why}"; why)));
            }
        }
        let config = TellerConfig {
            server,
            switcher,
            timeout: TIMEOUT,
        };
        let teller = match Teller::new(&config, journal) {
            // How long after sending a switcher "refnum not found" is believed
            // (tests shorten it; the default is the timeout plus a margin).
            Ok(t) => match std::env::var("LOKET_CHECK_SETTLE_SECS")
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
            {
                Some(secs) => t.with_check_settle(Duration::from_secs(secs)),
                None => t,
            },
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
            Err(why) => return Err(self.out.usage(why)),
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
                "loket: {}: {}",
                self.out
                    .t("pemulihan jurnal gagal", "journal recovery failed"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names_are_secret_and_others_are_not() {
        for name in [
            "LOKET_PASSWORD",
            "LOKET_NEW_PASSWORD",
            "LOKET_PIN",
            "LOKET_CUSTOMER_PIN",
            "LOKET_SUPERVISOR_PASSWORD",
            "LOKET_PROVIDER_TOKEN",
        ] {
            assert!(is_secret_var(name), "{name}");
        }
        for name in [
            "LOKET_SERVER",
            "LOKET_USERNAME",
            "LOKET_SUPERVISOR",
            "LOKET_DATA_DIR",
            "LOKET_SPINDLE",
            "PATH",
        ] {
            assert!(!is_secret_var(name), "{name}");
        }
    }
}

//! The app's state: the settings, the sandbox (when no server is
//! configured), the journal and the teller. The core is made ready after
//! the window has painted, so start-up does no network work first; new
//! server settings take effect by making it ready again.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use journal::Journal;
use sandbox::{LedgerLocation, Sandbox, SandboxConfig};
use teller::{Settings, Supervisors, Teller, TellerConfig, TellerError};

use crate::view::CommandError;

pub struct Ready {
    pub teller: Teller,
    pub sandbox: bool,
    pub server: String,
    /// The terminal's supervisors (tables in the journal file).
    pub supervisors: Arc<Supervisors>,
    /// Why nothing may talk to the bank (settings.json names a server other
    /// than the one last recorded, issue 10 defect 23); the journal's views
    /// still work.
    /// The recorded and the current server (`TellerError::SettingsChanged`).
    pub bank_blocked: Option<(String, String)>,
    _sandbox: Option<Sandbox>,
}

pub struct Loket {
    pub data_dir: PathBuf,
    /// `LOKET_SERVER` wins over the settings file (tests, support).
    server_override: Option<String>,
    settings: Mutex<Settings>,
    pub settings_warning: Option<words::Text>,
    /// A settings.json that exists but cannot be used: the app refuses to
    /// start the core (rather than quietly running on the sandbox) until it
    /// is repaired or removed.
    settings_damaged: Option<teller::SettingsDamaged>,
    ready: tokio::sync::Mutex<Option<Arc<Ready>>>,
    /// Payments of this app whose request may be on the wire: while it is
    /// not zero nothing logs out, recovers or closes the window.
    payments_in_flight: AtomicUsize,
    /// Crash recovery ran (at the first login of this run); a re-login
    /// never runs it again, so it cannot touch this app's own open quotes
    /// or a payment being sent.
    recovered: AtomicBool,
    /// The logged-in agent's password as a salted hash (never the password):
    /// a first supervisor's password is compared with it (defect 24).
    agent_witness: Mutex<Option<Arc<teller::AgentPasswordWitness>>>,
    /// This app on the data folder, for as long as it runs: `loket restore`
    /// refuses while it is held, even before anyone logs in.
    _presence: Option<journal::Presence>,
    /// Why the last automatic backup failed (shown in Pengaturan).
    backup_error: Mutex<Option<words::Text>>,
    /// One backup at a time (the daily one and "Cadangkan sekarang").
    backup_running: Mutex<()>,
    /// An update is being installed: no payment may start (issue 13).
    updating: AtomicBool,
    /// settings.json is as Loket last recorded it (false after the start-up
    /// check found it changed outside Loket, until Loket saves it again).
    settings_trusted: AtomicBool,
}

/// An update holds payments off while it installs; dropping it lets them go.
pub struct UpdateHold<'a>(&'a AtomicBool);

impl Drop for UpdateHold<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// One payment of this app in flight; dropping it (however the command
/// ends) takes it off the count.
pub struct PaymentInFlight<'a>(&'a AtomicUsize);

impl Drop for PaymentInFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Loket {
    pub fn new(data_dir: PathBuf, server_override: Option<String>) -> Arc<Loket> {
        let (settings, settings_damaged) = match Settings::load_checked(&data_dir) {
            Ok(s) => (s, None),
            Err(damaged) => (Settings::default(), Some(damaged)),
        };
        let data_dir_journal = data_dir.join("journal.db");
        Arc::new(Loket {
            data_dir,
            server_override,
            settings: Mutex::new(settings),
            settings_warning: settings_damaged.as_ref().map(words::Say::say),
            settings_damaged,
            ready: tokio::sync::Mutex::new(None),
            payments_in_flight: AtomicUsize::new(0),
            recovered: AtomicBool::new(false),
            agent_witness: Mutex::new(None),
            _presence: journal::Presence::announce(&data_dir_journal)
                .map_err(
                    |e| tracing::warn!(error = %e, "cannot announce the app on the data folder"),
                )
                .ok(),
            backup_error: Mutex::new(None),
            backup_running: Mutex::new(()),
            updating: AtomicBool::new(false),
            settings_trusted: AtomicBool::new(true),
        })
    }

    /// A backup now (the settings screen's "Cadangkan sekarang"), into the
    /// data folder's `backups/` and, when set, the extra folder.
    pub fn backup_now(&self) -> Result<backup::BackupReport, TellerError> {
        let _one = lock(&self.backup_running);
        let folder = self.settings().backup_folder.map(PathBuf::from);
        let report = backup::now(&self.data_dir, folder.as_deref(), chrono::Utc::now())?;
        *lock(&self.backup_error) = None;
        Ok(report)
    }

    /// The automatic daily backup: once per WIB day, never while one of
    /// this app's payments is on the wire (it would only slow it down).
    pub fn daily_backup(&self) {
        if self.payments_in_flight() > 0 || !self.data_dir.join("journal.db").exists() {
            return;
        }
        let _one = lock(&self.backup_running);
        let folder = self.settings().backup_folder.map(PathBuf::from);
        match backup::daily(&self.data_dir, folder.as_deref(), chrono::Utc::now()) {
            Ok(Some(r)) => {
                tracing::info!(path = %r.path.display(), bytes = r.bytes, "daily backup written");
                *lock(&self.backup_error) = None;
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "daily backup failed");
                *lock(&self.backup_error) = Some(words::Say::say(&TellerError::Backup(e)));
            }
        }
    }

    pub fn backup_error(&self) -> Option<String> {
        lock(&self.backup_error)
            .as_ref()
            .map(|t| t.get(self.lang()).to_owned())
    }

    /// Counts a payment as in flight until the guard is dropped.
    pub fn payment_in_flight(&self) -> PaymentInFlight<'_> {
        self.payments_in_flight.fetch_add(1, Ordering::SeqCst);
        PaymentInFlight(&self.payments_in_flight)
    }

    /// Starts an update's hold on payments: `None` (and no hold) while a
    /// payment of this app is in flight. The flag is raised before the
    /// count is read and `pay` counts itself before reading the flag, so
    /// the two can never both go ahead.
    pub fn begin_update(&self) -> Option<UpdateHold<'_>> {
        if self.updating.swap(true, Ordering::SeqCst) {
            return None;
        }
        let hold = UpdateHold(&self.updating);
        if self.payments_in_flight() > 0 {
            return None;
        }
        Some(hold)
    }

    /// Counts money about to move (a payment or a reversal) as in flight,
    /// and refuses it while an update installs (issue 13). Counted first,
    /// then the flag: an update that starts now sees this one and waits;
    /// one already installing is seen here.
    pub fn money_may_move(&self) -> Result<PaymentInFlight<'_>, CommandError> {
        let counted = self.payment_in_flight();
        if self.updating() {
            return Err(self.refuse("UPDATING", &words::text!("Pembaruan sedang dipasang: tidak ada uang yang dikirim. Loket mulai ulang sebentar lagi.", "An update is being installed: no money was sent. Loket restarts in a moment.")));
        }
        Ok(counted)
    }

    /// Whether an update is installing (a payment must not start).
    pub fn updating(&self) -> bool {
        self.updating.load(Ordering::SeqCst)
    }

    /// Whether settings.json is as Loket last recorded it.
    pub fn settings_trusted(&self) -> bool {
        self.settings_trusted.load(Ordering::SeqCst)
    }

    /// How many payments of this app are being sent right now.
    pub fn payments_in_flight(&self) -> usize {
        self.payments_in_flight.load(Ordering::SeqCst)
    }

    /// Waits until no payment of this app is being sent.
    pub async fn payments_settled(&self) {
        while self.payments_in_flight() > 0 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// True exactly once per run, and only when no payment is in flight:
    /// whether this login should settle rows a crashed run left half-way.
    pub fn take_recovery_turn(&self) -> bool {
        self.payments_in_flight() == 0
            && self
                .recovered
                .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
    }

    /// Remembers (as a hash) the password the agent just logged in with;
    /// `None` forgets it (logout).
    pub fn set_agent_witness(&self, w: Option<teller::AgentPasswordWitness>) {
        *lock(&self.agent_witness) = w.map(Arc::new);
    }

    pub fn agent_witness(&self) -> Option<Arc<teller::AgentPasswordWitness>> {
        lock(&self.agent_witness).clone()
    }

    pub fn lang(&self) -> teller::Lang {
        lock(&self.settings).lang
    }

    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// Stores new settings. When the addresses change, the running core
    /// (and its session) is let go; the next command starts it again.
    pub async fn save_settings(&self, new: &Settings) -> Result<Settings, TellerError> {
        let stored = new.save(&self.data_dir)?;
        self.record_settings();
        let old = std::mem::replace(&mut *lock(&self.settings), stored.clone());
        let mut slot = self.ready.lock().await;
        // A core kept off the bank by a changed server is started again:
        // the saved (approved) settings are what it checks against now.
        let blocked = slot.as_ref().is_some_and(|r| r.bank_blocked.is_some());
        if old.server != stored.server || old.switcher != stored.switcher || blocked {
            if let Some(ready) = slot.take() {
                let _ = ready.teller.logout().await;
            }
        }
        Ok(stored)
    }

    pub fn set_lang(&self, lang: teller::Lang) -> Result<(), TellerError> {
        // Saving would overwrite the damaged file with defaults (the sandbox).
        if let Some(damaged) = &self.settings_damaged {
            return Err(TellerError::Input(words::Say::say(damaged)));
        }
        let mut s = self.settings();
        s.lang = lang;
        // No supervisor is asked for the language, so the save may record
        // only a file that matched the record before it: recording a
        // hand-edited one (its server, switcher or update endpoint) would
        // make it the approved one from the next start.
        let approved = self.settings_as_recorded();
        let stored = s.save(&self.data_dir)?;
        if approved {
            self.record_settings();
        }
        *lock(&self.settings) = stored;
        Ok(())
    }

    /// Whether settings.json is the file last recorded in the journal (or
    /// none is recorded yet: then it becomes the baseline).
    fn settings_as_recorded(&self) -> bool {
        let Ok(journal) = Journal::open(&self.data_dir.join("journal.db")) else {
            return false;
        };
        let Ok(report) = journal::Integrity::verify_at_start(&journal) else {
            return false;
        };
        matches!(
            teller::settings::check_settings(&self.data_dir, &journal, &report),
            Ok(None)
        )
    }

    /// Records the settings file Loket just wrote in the journal's chain, so
    /// a later hand edit shows at start (issue 10, defect 23).
    fn record_settings(&self) {
        let recorded = Journal::open(&self.data_dir.join("journal.db"))
            .and_then(|j| teller::settings::record_settings(&self.data_dir, &j));
        match recorded {
            Ok(()) => self.settings_trusted.store(true, Ordering::SeqCst),
            Err(e) => eprintln!("loket: cannot record the settings fingerprint: {e}"),
        }
    }

    /// [`Loket::ready`] for a command that talks to the bank (Bank+ or the
    /// switcher): refused while settings.json names an unrecorded server.
    pub async fn bank(&self) -> Result<Arc<Ready>, CommandError> {
        let ready = self.ready().await?;
        if let Some((recorded, current)) = &ready.bank_blocked {
            return Err(self.error(TellerError::SettingsChanged {
                recorded: recorded.clone(),
                current: current.clone(),
            }));
        }
        Ok(ready)
    }

    /// Starts (once) what the commands need.
    pub async fn ready(&self) -> Result<Arc<Ready>, CommandError> {
        let mut slot = self.ready.lock().await;
        if let Some(r) = slot.as_ref() {
            return Ok(r.clone());
        }
        // A damaged settings file may have named a real bank: never start
        // the sandbox in its place. `LOKET_SERVER` (support, tests) names
        // the server explicitly, so it may go ahead.
        if let (Some(damaged), None) = (&self.settings_damaged, &self.server_override) {
            return Err(self.refuse(damaged.code(), &words::Say::say(damaged)));
        }
        let r = Arc::new(
            self.start()
                .await
                .map_err(|why| self.refuse("STARTUP", &why))?,
        );
        *slot = Some(r.clone());
        Ok(r)
    }

    async fn start(&self) -> Result<Ready, words::Text> {
        std::fs::create_dir_all(&self.data_dir).map_err(|e| {
            words::text!(
                "Folder data tidak bisa dibuat: {e}",
                "The data folder cannot be created: {e}";
                e
            )
        })?;
        let settings = self.settings();
        let server = self.server_override.clone().or(settings.server.clone());
        let (server, switcher, sandbox) = match server {
            Some(url) => (url, settings.switcher.clone(), None),
            None => {
                let s = Sandbox::start(
                    SandboxConfig {
                        ledger: LedgerLocation::File(self.data_dir.join("sandbox-ledger.db")),
                        ..SandboxConfig::default()
                    },
                    "127.0.0.1:0"
                        .parse()
                        .map_err(|_| crate::receipts::internal())?,
                )
                .await
                .map_err(|e| {
                    let e = format!("“{e}”");
                    words::text!(
                        "Sandbox tidak bisa dimulai: {e}",
                        "The sandbox cannot start: {e}"
                    )
                })?;
                let url = s.base_url();
                (url.clone(), Some(url), Some(s))
            }
        };
        let journal = Journal::open(&self.data_dir.join("journal.db"))
            .map_err(|e| words::Say::say(&TellerError::from(e)))?;
        let bank_blocked = self.integrity_check(&journal)?;
        let supervisors = Supervisors::open(&self.data_dir.join("journal.db"))
            .map_err(|e| words::Say::say(&TellerError::from(e)))?;
        let teller = Teller::new(
            &TellerConfig {
                server: server.clone(),
                switcher,
                timeout: Duration::from_secs(30),
            },
            Arc::new(journal),
        )
        .map_err(|e| words::Say::say(&e))?;
        Ok(Ready {
            teller,
            sandbox: sandbox.is_some(),
            server,
            supervisors: Arc::new(supervisors),
            bank_blocked,
            _sandbox: sandbox,
        })
    }
}

impl Loket {
    /// The start-up check (issue 10, defect 23): the journal's chain and the
    /// settings file against the fingerprint last recorded. A changed
    /// server keeps every command that talks to the bank shut (no money
    /// moves, no password goes to a server no supervisor approved) and says
    /// what differs and what to do; the journal's views still open. Other
    /// findings are recorded, and the supervisor crate refuses supervisor
    /// actions.
    fn integrity_check(&self, journal: &Journal) -> Result<Option<(String, String)>, words::Text> {
        // Rows since the last clean verification; any finding verifies all.
        let report = journal::Integrity::verify_at_start(journal)
            .map_err(|e| words::Say::say(&TellerError::from(e)))?;
        if !report.is_clean() {
            let found = report.summary();
            eprintln!("loket: journal tampering detected: {found}");
            let _ = journal.record_integrity_note("tamper", &found);
        }
        match teller::settings::check_settings(&self.data_dir, journal, &report) {
            Ok(Some(mismatch)) => {
                self.settings_trusted.store(false, Ordering::SeqCst);
                let why = mismatch.describe();
                let _ = journal.record_integrity_note("tamper", &why);
                // The same condition as the CLI's guard (the server or the
                // update endpoint), said by the same error (SETTINGS_CHANGED):
                // every bank command is refused.
                if mismatch.guarded_changed() && self.server_override.is_none() {
                    return Ok(Some(mismatch.addresses()));
                }
                Ok(None)
            }
            Ok(None) => Ok(None),
            Err(e) => Err(words::Say::say(&TellerError::from(e))),
        }
    }
}

/// Milliseconds since the measuring harness spawned this process, when it
/// said when (`LOKET_SPAWNED_AT_NS`, Unix time in nanoseconds).
pub fn since_spawn_ms() -> Option<f64> {
    let spawned: u128 = std::env::var("LOKET_SPAWNED_AT_NS").ok()?.parse().ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(now.checked_sub(spawned)? as f64 / 1e6)
}

//! The supervisor's authority on this terminal: local supervisor
//! credentials, and the [`SupervisorApproval`] that reprints, resolving a
//! transaction in doubt, reversals and settings changes require.
//!
//! Credentials live in the journal's SQLite file, in tables this crate owns
//! (`supervisors`, `supervisor_lockout`), only as Argon2id PHC strings
//! (m = 19456 KiB, t = 2, p = 1: OWASP's current minimum for Argon2id) with
//! a random salt. The password itself is never stored, logged or kept: it
//! arrives in a [`SupervisorPassword`], which wipes its memory on drop.
//!
//! Five wrong passwords in a row (any name) lock verification for five
//! minutes; the count and the lock are on disk, so restarting Loket does not
//! reset them. One attempt runs at a time per terminal, across processes:
//! the lock is read, the password checked and the outcome counted inside one
//! `BEGIN IMMEDIATE` transaction, so parallel attempts cannot all slip in
//! before the lock, nor can an attempt that waited lift a lock set meanwhile.
//!
//! The tables are part of the journal's schema and chained (see
//! `journal::chain`): at open the chain is verified, and any tampering found
//! refuses every supervisor action ([`SupervisorError::Tampered`]).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use zeroize::Zeroizing;

/// Argon2id memory cost in KiB (OWASP: at least 19 MiB with t = 2).
pub const ARGON2_M_KIB: u32 = 19_456;
/// Argon2id passes.
pub const ARGON2_T: u32 = 2;
/// Argon2id lanes.
pub const ARGON2_P: u32 = 1;
/// The most a stored hash may ask of one verification (memory KiB,
/// passes, lanes): well above what Loket hashes with, so stronger future
/// settings still verify, and far below what would exhaust the PC's memory
/// or take minutes. A damaged row asking for more is refused unread.
pub const MAX_STORED_M_KIB: u32 = 262_144;
pub const MAX_STORED_T: u32 = 16;
pub const MAX_STORED_P: u32 = 16;
/// The shortest password accepted for a new supervisor.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// How long an approval may be used after the password was verified.
pub const APPROVAL_TTL: Duration = Duration::from_secs(120);

/// The `authorizations` actions that record changes to the supervisors;
/// the detail is the supervisor concerned.
pub const ACTION_ADD: &str = "supervisor-add";
pub const ACTION_PASSWD: &str = "supervisor-passwd";
pub const ACTION_DISABLE: &str = "supervisor-disable";

/// What a caller knows of the agent's login, so a new supervisor password
/// can be refused when it is the agent's (defect 24): the password as typed
/// (the CLI) or the witness of the login (the desktop app).
#[derive(Clone, Copy)]
pub enum AgentCheck<'a> {
    Password(&'a SupervisorPassword),
    Witness(&'a AgentPasswordWitness),
}

impl<'a> AgentCheck<'a> {
    /// The check a shell that knows the agent only by the witness of their
    /// login can make; with no witness (no agent logged in this run) a new
    /// supervisor password cannot be compared, so it is refused.
    pub fn from_witness(witness: Option<&'a AgentPasswordWitness>) -> Result<AgentCheck<'a>> {
        witness.map(AgentCheck::Witness).ok_or_else(|| {
            SupervisorError::Input(words::text!(
                "Masuk sebagai agen dulu: password supervisor harus dibandingkan dengan password agen.",
                "Log in as the agent first: the supervisor password must be compared with the agent's."
            ))
        })
    }
}

/// One supervisor as lists show them: never the hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisorInfo {
    pub name: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Who approved the addition (`None` for the first supervisor).
    pub created_by: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_by: Option<String>,
    /// The newest journal row this supervisor approved.
    pub last_used: Option<DateTime<Utc>>,
}

/// A supervisor's password as typed. Wiped from memory on drop; `Debug`
/// prints `***`.
pub struct SupervisorPassword(Zeroizing<String>);

impl SupervisorPassword {
    pub fn new(text: &str) -> SupervisorPassword {
        SupervisorPassword(Zeroizing::new(text.to_owned()))
    }

    /// Takes ownership of a typed buffer without copying it.
    pub fn from_zeroizing(text: Zeroizing<String>) -> SupervisorPassword {
        SupervisorPassword(text)
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Whether two typed passwords are the same (a "repeat the password"
    /// check); compares every byte, whatever the first difference.
    pub fn matches(&self, other: &SupervisorPassword) -> bool {
        let (a, b) = (self.bytes(), other.bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// The agent's login password as an Argon2id hash with a fresh salt,
/// held in memory for one run only, so a shell that must compare a new
/// supervisor password with the agent's (defect 24) need not keep the
/// agent's password itself. `Debug` prints `***`.
pub struct AgentPasswordWitness(String);

impl AgentPasswordWitness {
    /// Hashes the agent's password (Argon2id, as supervisors' are: call it
    /// off async threads).
    pub fn new(agent_password: &SupervisorPassword) -> Result<AgentPasswordWitness> {
        hash(agent_password).map(AgentPasswordWitness)
    }

    /// Whether `password` is the agent's.
    pub fn matches(&self, password: &SupervisorPassword) -> bool {
        PasswordHash::new(&self.0)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    }
}

impl std::fmt::Debug for AgentPasswordWitness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AgentPasswordWitness(***)")
    }
}

impl std::fmt::Debug for SupervisorPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Proof that a supervisor typed the right password just now. It can only
/// be obtained from [`Supervisors::verify`]; it is neither `Clone` nor
/// serializable, and it expires after [`APPROVAL_TTL`].
#[derive(Debug)]
pub struct SupervisorApproval {
    name: String,
    granted_at: DateTime<Utc>,
}

impl SupervisorApproval {
    /// The supervisor who approved (what the journal records).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn granted_at(&self) -> DateTime<Utc> {
        self.granted_at
    }

    /// Refused once [`APPROVAL_TTL`] has passed: a screen cannot keep an
    /// approval around for later actions.
    pub fn check(&self) -> Result<&SupervisorApproval> {
        self.check_at(Utc::now())
    }

    pub fn check_at(&self, now: DateTime<Utc>) -> Result<&SupervisorApproval> {
        let age = now.signed_duration_since(self.granted_at);
        let ttl = chrono::Duration::from_std(APPROVAL_TTL).unwrap_or(chrono::Duration::zero());
        if age > ttl || age < -chrono::Duration::seconds(5) {
            return Err(SupervisorError::Expired);
        }
        Ok(self)
    }
}

/// What went wrong, Indonesian first, then English.
#[derive(Debug, thiserror::Error)]
pub enum SupervisorError {
    #[error("Wrong supervisor name or password ({left} tries left before the lock).")]
    WrongCredentials { left: u32 },
    #[error("Supervisor authorization is locked until {until} after too many wrong passwords.")]
    Locked { until: DateTime<Utc> },
    #[error("No supervisor exists yet; create one first.")]
    NoSupervisor,
    #[error("A supervisor already exists; a new one needs a supervisor's approval.")]
    AlreadyCreated,
    #[error("Supervisor {0} already exists.")]
    NameTaken(String),
    #[error("{}", .0.en())]
    Input(words::Text),
    #[error("The supervisor approval has expired; enter the password again.")]
    Expired,
    #[error("Supervisor storage error: {0}.")]
    Storage(#[from] rusqlite::Error),
    #[error("Password hashing failed: {0}.")]
    Hash(String),
    #[error("The supervisor password may not be the agent's password.")]
    AgentPassword,
    #[error("This supervisor password is too common and easy to guess; choose another.")]
    CommonPassword,
    #[error("The supervisor data in the journal is damaged: {0}. Restore the journal from a backup or call the bank.")]
    Damaged(String),
    #[error("The journal or supervisor data was changed outside Loket; every supervisor action is refused until the bank checks it: {0}.")]
    Tampered(String),
    #[error("Supervisor {0} is disabled and cannot approve; ask another active supervisor.")]
    Disabled(String),
    #[error("There is no supervisor {0} on this terminal; see `loket supervisor list`.")]
    Unknown(String),
    #[error(
        "Supervisor {0} is the only active supervisor; add another one before disabling them."
    )]
    LastActive(String),
    #[error("Supervisor {0} is already disabled.")]
    AlreadyDisabled(String),
    #[error("Only {target} can change {target}'s supervisor password, with the old password (approved by: {approver}).")]
    NotOwnPassword { target: String, approver: String },
    #[error("The new password is the same as the old one; choose another.")]
    SamePassword,
}

/// What a person is told, each language whole.
impl words::Say for SupervisorError {
    fn say(&self) -> words::Text {
        use words::text;
        match self {
            SupervisorError::WrongCredentials{ left } => text!(
                "Nama atau password supervisor salah ({left} percobaan lagi sebelum dikunci).",
                "Wrong supervisor name or password ({left} tries left before the lock)."
            ),
            SupervisorError::Locked{ until } => text!(
                "Otorisasi supervisor dikunci sampai {until} karena terlalu banyak password salah.",
                "Supervisor authorization is locked until {until} after too many wrong passwords."
            ),
            SupervisorError::NoSupervisor => text!(
                "Belum ada supervisor; buat dulu dengan `loket supervisor create`.",
                "No supervisor exists yet; create one first."
            ),
            SupervisorError::AlreadyCreated => text!(
                "Supervisor pertama sudah ada; supervisor baru perlu persetujuan supervisor.",
                "A supervisor already exists; a new one needs a supervisor's approval."
            ),
            SupervisorError::NameTaken(name) => text!(
                "Supervisor {name} sudah ada.",
                "Supervisor {name} already exists."
            ),
            SupervisorError::Input(why) => why.clone(),
            SupervisorError::Expired => text!(
                "Persetujuan supervisor sudah kedaluwarsa; masukkan password lagi.",
                "The supervisor approval has expired; enter the password again."
            ),
            SupervisorError::Storage(e) => {
                let e = match e.sqlite_error_code() {
                    Some(code) => format!("SQLite {code:?}"),
                    None => "SQLite".to_owned(),
                };
                text!(
                    "Penyimpanan supervisor tidak bisa dipakai: {e}.",
                    "Supervisor storage error: {e}."
                )
            }
            SupervisorError::Hash(e) => {
                // A technical detail for support, quoted as it is.
                let e = format!("“{e}”");
                text!(
                    "Hash password gagal: {e}.",
                    "Password hashing failed: {e}."
                )
            }
            SupervisorError::AgentPassword => text!(
                "Password supervisor tidak boleh sama dengan password agen.",
                "The supervisor password may not be the agent's password."
            ),
            SupervisorError::CommonPassword => text!(
                "Password supervisor ini terlalu umum dan mudah ditebak; pilih yang lain.",
                "This supervisor password is too common and easy to guess; choose another."
            ),
            SupervisorError::Damaged(why) => {
                // A technical detail for support, quoted as it is.
                let why = format!("“{why}”");
                text!(
                    "Data supervisor di jurnal rusak: {why}. Pulihkan jurnal dari cadangan atau hubungi bank.",
                    "The supervisor data in the journal is damaged: {why}. Restore the journal from a backup or call the bank."
                )
            }
            SupervisorError::Tampered(why) => {
                // A technical detail for support, quoted as it is.
                let why = format!("“{why}”");
                text!(
                    "Jurnal atau data supervisor diubah di luar Loket; semua tindakan supervisor ditolak sampai bank memeriksanya: {why}.",
                    "The journal or supervisor data was changed outside Loket; every supervisor action is refused until the bank checks it: {why}."
                )
            }
            SupervisorError::Disabled(name) => text!(
                "Supervisor {name} sudah dinonaktifkan dan tidak bisa memberi persetujuan; minta supervisor aktif lain.",
                "Supervisor {name} is disabled and cannot approve; ask another active supervisor."
            ),
            SupervisorError::Unknown(name) => text!(
                "Supervisor {name} tidak ada di terminal ini; lihat `loket supervisor list`.",
                "There is no supervisor {name} on this terminal; see `loket supervisor list`."
            ),
            SupervisorError::LastActive(name) => text!(
                "Supervisor {name} adalah satu-satunya supervisor aktif; tambahkan supervisor lain dulu sebelum menonaktifkannya.",
                "Supervisor {name} is the only active supervisor; add another one before disabling them."
            ),
            SupervisorError::AlreadyDisabled(name) => text!(
                "Supervisor {name} sudah nonaktif.",
                "Supervisor {name} is already disabled."
            ),
            SupervisorError::NotOwnPassword{ target, approver } => text!(
                "Password supervisor {target} hanya bisa diganti oleh {target} sendiri dengan password lamanya (yang menyetujui: {approver}).",
                "Only {target} can change {target}'s supervisor password, with the old password (approved by: {approver})."
            ),
            SupervisorError::SamePassword => text!(
                "Password baru sama dengan password lama; pilih yang lain.",
                "The new password is the same as the old one; choose another."
            ),
        }
    }
}

impl SupervisorError {
    /// A stable code for the CLI's `--json` and the desktop shell.
    pub fn code(&self) -> &'static str {
        match self {
            SupervisorError::WrongCredentials { .. } => "SUPERVISOR_WRONG",
            SupervisorError::Locked { .. } => "SUPERVISOR_LOCKED",
            SupervisorError::NoSupervisor => "NO_SUPERVISOR",
            SupervisorError::AlreadyCreated => "SUPERVISOR_EXISTS",
            SupervisorError::NameTaken(_) => "SUPERVISOR_NAME_TAKEN",
            SupervisorError::Input(_) => "BAD_INPUT",
            SupervisorError::Expired => "SUPERVISOR_APPROVAL_EXPIRED",
            SupervisorError::Storage(_) => "SUPERVISOR_STORAGE",
            SupervisorError::Hash(_) => "SUPERVISOR_HASH",
            SupervisorError::AgentPassword => "SUPERVISOR_PASSWORD_IS_AGENTS",
            SupervisorError::CommonPassword => "SUPERVISOR_PASSWORD_COMMON",
            SupervisorError::Tampered(_) => "JOURNAL_TAMPERED",
            SupervisorError::Damaged(_) => "SUPERVISOR_DATA_DAMAGED",
            SupervisorError::Disabled(_) => "SUPERVISOR_DISABLED",
            SupervisorError::Unknown(_) => "SUPERVISOR_UNKNOWN",
            SupervisorError::LastActive(_) => "SUPERVISOR_LAST_ACTIVE",
            SupervisorError::AlreadyDisabled(_) => "SUPERVISOR_ALREADY_DISABLED",
            SupervisorError::NotOwnPassword { .. } => "SUPERVISOR_NOT_OWN_PASSWORD",
            SupervisorError::SamePassword => "SUPERVISOR_PASSWORD_UNCHANGED",
        }
    }
}

pub type Result<T> = std::result::Result<T, SupervisorError>;

/// How many wrong passwords lock verification, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            max_failures: 5,
            lock_for: Duration::from_secs(5 * 60),
        }
    }
}

/// The supervisors of this terminal.
pub struct Supervisors {
    conn: Mutex<Connection>,
    policy: LockoutPolicy,
    /// Verified against when the name is unknown, so a wrong name takes as
    /// long as a wrong password and names cannot be probed by timing.
    decoy: String,
    /// What verifying the journal's chain found at open (empty: clean).
    tampered: Option<String>,
    /// Every supervisor ever created on this journal, by the chain.
    ever_had_supervisor: bool,
    /// This process's lease on the journal file, like an open journal's:
    /// the supervisor tables are written while `loket restore` is kept off
    /// (it refuses while a lease is live), and an open during a restore's
    /// swap waits at the restore gate and then opens the restored file.
    /// Without it `loket supervisor add` could write into the journal a
    /// restore was moving aside. `None` in memory.
    _presence: Option<journal::Presence>,
}

fn argon2() -> Result<Argon2<'static>> {
    let params = Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, None)
        .map_err(|e| SupervisorError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash(password: &SupervisorPassword) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()?
        .hash_password(password.bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| SupervisorError::Hash(e.to_string()))
}

/// The decoy hash, made once per process: it never verifies anything, and
/// making it at every open costs a full Argon2id hash (the fuzz target
/// opens a store per case).
fn decoy() -> Result<String> {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(d) = DECOY.get() {
        return Ok(d.clone());
    }
    let made = hash(&SupervisorPassword::new("decoy password, never valid"))?;
    Ok(DECOY.get_or_init(|| made).clone())
}

/// A stored lock's end. A value no clock can show is damaged data: read as
/// 1970 it would lift the lock (fuzzing found that), so it is refused.
fn lock_end(ms: i64) -> Result<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .ok_or_else(|| SupervisorError::Damaged(format!("the lock's end ({ms}) is not a time")))
}

fn clean_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 40 || n.chars().any(char::is_control) {
        return Err(SupervisorError::Input(words::text!(
            "Nama supervisor harus 1-40 karakter.",
            "The supervisor name must be 1-40 characters."
        )));
    }
    Ok(n.to_owned())
}

impl Supervisors {
    /// Opens the supervisor tables in `path` (the journal file), creating them.
    pub fn open(path: &Path) -> Result<Supervisors> {
        Supervisors::open_with(path, LockoutPolicy::default())
    }

    /// [`Supervisors::open`] with another lockout policy (tests).
    pub fn open_with(path: &Path, policy: LockoutPolicy) -> Result<Supervisors> {
        // Behind the restore gate, before the file is touched (see `_presence`).
        let presence = journal::Presence::announce(path).map_err(|source| {
            SupervisorError::Input(words::Say::say(&journal::JournalError::Lease {
                path: path.display().to_string(),
                source,
            }))
        })?;
        // The journal's own checks first: a missing file is created whole,
        // an empty or damaged one is refused and never written to.
        journal::check_file(path).map_err(|e| match e {
            journal::JournalError::Storage(s) | journal::JournalError::Open { source: s, .. } => {
                SupervisorError::Storage(s)
            }
            other => SupervisorError::Input(words::Say::say(&other)),
        })?;
        let mut supervisors = Supervisors::with_connection(Connection::open(path)?, policy)?;
        supervisors._presence = Some(presence);
        Ok(supervisors)
    }

    pub fn open_in_memory() -> Result<Supervisors> {
        Supervisors::with_connection(Connection::open_in_memory()?, LockoutPolicy::default())
    }

    fn with_connection(mut conn: Connection, policy: LockoutPolicy) -> Result<Supervisors> {
        // Attempts queue behind each other (one at a time, see `verify_at`):
        // wait long enough for a burst of them to drain.
        conn.busy_timeout(Duration::from_secs(60))?;
        // The lockout must survive a power cut as much as a journal row does.
        conn.pragma_update(None, "synchronous", "FULL")?;
        journal::prepare_connection(&mut conn).map_err(|e| match e {
            journal::JournalError::Storage(s) | journal::JournalError::Open { source: s, .. } => {
                SupervisorError::Storage(s)
            }
            other => SupervisorError::Input(words::Say::say(&other)),
        })?;
        // Since the last clean verification; see journal::chain.
        let report = journal::chain::verify_since_checkpoint(&conn)?;
        let tampered = if report.is_clean() {
            None
        } else {
            let summary = report.summary();
            // Recorded in the chain itself (append-only), once per finding.
            if let Err(e) = journal::chain::record_note(
                &conn,
                "tamper",
                &summary,
                Utc::now().timestamp_millis(),
            ) {
                tracing::warn!(error = %e, "cannot record the tamper finding");
            }
            tracing::error!(found = %summary, "journal tampering detected");
            Some(summary)
        };
        let decoy = decoy()?;
        Ok(Supervisors {
            conn: Mutex::new(conn),
            policy,
            decoy,
            tampered,
            ever_had_supervisor: report.ever_had_supervisor,
            _presence: None,
        })
    }

    /// What the start-up check of the journal's chain found, if anything.
    pub fn tampering(&self) -> Option<&str> {
        self.tampered.as_deref()
    }

    fn untampered(&self) -> Result<()> {
        match &self.tampered {
            Some(found) => Err(SupervisorError::Tampered(found.clone())),
            None => Ok(()),
        }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic elsewhere leaves no half-written state here: SQLite rolled it back.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a supervisor exists (the first start asks to create one).
    pub fn has_supervisor(&self) -> Result<bool> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM supervisors", [], |r| r.get(0))?;
        Ok(n > 0)
    }

    /// The supervisors' names.
    pub fn names(&self) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT name FROM supervisors ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }

    /// Creates the first supervisor (first start). Refused once one exists
    /// or ever existed (the chain remembers). `agent_password` is the
    /// agent's Bank+ password when the caller knows it: the supervisor's
    /// may not be the same (it is compared, never kept).
    pub fn create_supervisor(
        &self,
        name: &str,
        password: &SupervisorPassword,
        agent_password: Option<&SupervisorPassword>,
    ) -> Result<()> {
        self.insert_first(name, password, agent_password.map(AgentCheck::Password))
    }

    /// Creates the first supervisor from a shell that knows the agent only
    /// through a [`AgentPasswordWitness`] of their login (the desktop app).
    /// With no witness (no agent has logged in) it is refused: the agent's
    /// password could not be compared (issue 10, defect 24).
    pub fn create_first_knowing_agent(
        &self,
        name: &str,
        password: &SupervisorPassword,
        agent: Option<&AgentPasswordWitness>,
    ) -> Result<()> {
        self.insert_first(name, password, Some(AgentCheck::from_witness(agent)?))
    }

    /// Creates the first supervisor (no approval: there is no one to give it).
    fn insert_first(
        &self,
        name: &str,
        password: &SupervisorPassword,
        agent: Option<AgentCheck<'_>>,
    ) -> Result<()> {
        self.untampered()?;
        let name = clean_name(name)?;
        check_new_password(password, agent)?;
        if self.ever_had_supervisor {
            return Err(SupervisorError::AlreadyCreated);
        }
        let phc = hash(password)?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: i64 = tx.query_row("SELECT count(*) FROM supervisors", [], |r| r.get(0))?;
        let ever: i64 = tx.query_row(
            "SELECT count(*) FROM chain WHERE source = 'supervisors'",
            [],
            |r| r.get(0),
        )?;
        if existing > 0 || ever > 0 {
            return Err(SupervisorError::AlreadyCreated);
        }
        let inserted = tx.execute(
            "INSERT INTO supervisors (name, phc, created_at, created_by) VALUES (?1, ?2, ?3, NULL) \
             ON CONFLICT(name) DO NOTHING",
            params![name, phc, Utc::now().timestamp_millis()],
        )?;
        if inserted == 0 {
            return Err(SupervisorError::NameTaken(name));
        }
        commit(tx, format_args!("supervisor.create"))?;
        tracing::info!(supervisor = %name, "supervisor created");
        Ok(())
    }

    /// Adds another supervisor, approved by an active one; the addition is
    /// journaled in `authorizations` ([`ACTION_ADD`]) in the same SQLite
    /// transaction. `agent` is what the caller knows of the agent's login
    /// (the new password may not be the agent's); `actor` who works the
    /// terminal (the agent's username, or `loket`).
    pub fn add_supervisor(
        &self,
        name: &str,
        password: &SupervisorPassword,
        agent: Option<AgentCheck<'_>>,
        approval: &SupervisorApproval,
        actor: &str,
    ) -> Result<()> {
        approval.check()?;
        self.untampered()?;
        let name = clean_name(name)?;
        check_new_password(password, agent)?;
        let phc = hash(password)?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_active(&tx, approval.name())?;
        let inserted = tx.execute(
            "INSERT INTO supervisors (name, phc, created_at, created_by) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT(name) DO NOTHING",
            params![name, phc, Utc::now().timestamp_millis(), approval.name()],
        )?;
        if inserted == 0 {
            return Err(SupervisorError::NameTaken(name));
        }
        authorize(&tx, ACTION_ADD, actor, approval.name(), &name)?;
        commit(tx, format_args!("supervisor.add"))?;
        tracing::info!(supervisor = %name, approved_by = %approval.name(), "supervisor added");
        Ok(())
    }

    /// Changes a supervisor's own password. The approval must be the
    /// supervisor's own (their name and old password, just verified): no
    /// one sets another's password. Journaled as [`ACTION_PASSWD`].
    pub fn change_password(
        &self,
        approval: &SupervisorApproval,
        new_password: &SupervisorPassword,
        agent: Option<AgentCheck<'_>>,
        actor: &str,
    ) -> Result<()> {
        approval.check()?;
        self.untampered()?;
        check_new_password(new_password, agent)?;
        let phc = hash(new_password)?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let name = require_active(&tx, approval.name())?;
        let old: String = tx.query_row(
            "SELECT phc FROM supervisors WHERE name = ?1",
            [&name],
            |r| r.get(0),
        )?;
        let parsed = PasswordHash::new(&old).map_err(|e| SupervisorError::Hash(e.to_string()))?;
        stored_params_usable(&parsed)?;
        if Argon2::default()
            .verify_password(new_password.bytes(), &parsed)
            .is_ok()
        {
            return Err(SupervisorError::SamePassword);
        }
        tx.execute(
            "UPDATE supervisors SET phc = ?1 WHERE name = ?2",
            params![phc, name],
        )?;
        authorize(&tx, ACTION_PASSWD, actor, &name, &name)?;
        commit(tx, format_args!("supervisor.passwd"))?;
        tracing::info!(supervisor = %name, "supervisor password changed");
        Ok(())
    }

    /// Like [`Supervisors::change_password`] for a caller that names whose
    /// password it means to change: refused unless the approval is theirs.
    pub fn change_own_password(
        &self,
        name: &str,
        approval: &SupervisorApproval,
        new_password: &SupervisorPassword,
        agent: Option<AgentCheck<'_>>,
        actor: &str,
    ) -> Result<()> {
        if !name.trim().eq_ignore_ascii_case(approval.name()) {
            return Err(SupervisorError::NotOwnPassword {
                target: name.trim().to_owned(),
                approver: approval.name().to_owned(),
            });
        }
        self.change_password(approval, new_password, agent, actor)
    }

    /// Disables a supervisor for good: they can no longer approve anything.
    /// Never the last active one. The row stays (supervisors are never
    /// deleted); the journal's `authorizations` row ([`ACTION_DISABLE`],
    /// detail = the name) is what disables them, in one transaction with
    /// the checks, so two disables at once cannot leave no one active.
    pub fn disable(&self, name: &str, approval: &SupervisorApproval, actor: &str) -> Result<()> {
        approval.check()?;
        self.untampered()?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_active(&tx, approval.name())?;
        let target: Option<String> = tx
            .query_row(
                "SELECT name FROM supervisors WHERE name = ?1",
                [name.trim()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(target) = target else {
            return Err(SupervisorError::Unknown(name.trim().to_owned()));
        };
        if is_disabled(&tx, &target)? {
            return Err(SupervisorError::AlreadyDisabled(target));
        }
        let active: i64 = tx.query_row(
            &format!("SELECT count(*) FROM supervisors s WHERE NOT {DISABLED_SQL}"),
            [],
            |r| r.get(0),
        )?;
        if active <= 1 {
            return Err(SupervisorError::LastActive(target));
        }
        authorize(&tx, ACTION_DISABLE, actor, approval.name(), &target)?;
        commit(tx, format_args!("supervisor.disable"))?;
        tracing::info!(supervisor = %target, approved_by = %approval.name(), "supervisor disabled");
        Ok(())
    }

    /// Every supervisor of this terminal, active or not, by name; never a
    /// hash. "Last used" is the newest journal row (event or authorization)
    /// they approved.
    pub fn list(&self) -> Result<Vec<SupervisorInfo>> {
        let conn = self.conn();
        let time = |ms: Option<i64>| ms.and_then(DateTime::<Utc>::from_timestamp_millis);
        let mut last_used: std::collections::HashMap<String, i64> = Default::default();
        {
            // One pass over each table (the list is rare; events has no
            // index on `authorized_by`, and none is added for this).
            let mut st = conn.prepare(
                "SELECT authorized_by, max(at) FROM authorizations GROUP BY authorized_by \
                 UNION ALL \
                 SELECT authorized_by, max(at) FROM events WHERE authorized_by IS NOT NULL \
                 GROUP BY authorized_by",
            )?;
            let rows = st.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?))
            })?;
            for row in rows {
                let (by, at) = row?;
                let key = by.to_lowercase();
                if let Some(at) = at {
                    let e = last_used.entry(key).or_insert(at);
                    *e = (*e).max(at);
                }
            }
        }
        let mut st = conn.prepare(
            "SELECT s.name, s.created_at, s.created_by, d.at, d.authorized_by \
             FROM supervisors s \
             LEFT JOIN authorizations d ON d.id = (SELECT min(id) FROM authorizations a \
                WHERE a.action = 'supervisor-disable' AND s.name = a.detail) \
             ORDER BY s.name",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, created, created_by, disabled_at, disabled_by) = row?;
            let created_at = time(Some(created)).ok_or_else(|| {
                SupervisorError::Damaged(format!("supervisor {name}: created_at {created}"))
            })?;
            out.push(SupervisorInfo {
                active: disabled_at.is_none(),
                last_used: time(last_used.get(&name.to_lowercase()).copied()),
                disabled_at: time(disabled_at),
                disabled_by,
                created_at,
                created_by,
                name,
            });
        }
        Ok(out)
    }

    /// Checks a supervisor's name and password; an approval on success.
    /// Wrong entries count towards the lock, on disk.
    pub fn verify(&self, name: &str, password: &SupervisorPassword) -> Result<SupervisorApproval> {
        self.verify_at(name, password, Utc::now())
    }

    /// [`Supervisors::verify`] with an explicit clock (tests of the lock).
    pub fn verify_at(
        &self,
        name: &str,
        password: &SupervisorPassword,
        now: DateTime<Utc>,
    ) -> Result<SupervisorApproval> {
        self.untampered()?;
        let name = name.trim();
        let mut conn = self.conn();
        // One attempt at a time per terminal, across processes: the write
        // lock is taken before the lock is read and held until the outcome
        // is counted. An attempt that waited here while others locked the
        // terminal sees that lock and is refused without being checked.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let until: Option<i64> = tx.query_row(
            "SELECT locked_until FROM supervisor_lockout WHERE id = 1",
            [],
            |r| r.get(0),
        )?;
        if let Some(until) = until.map(lock_end).transpose()?.filter(|u| *u > now) {
            return Err(SupervisorError::Locked { until });
        }
        // A negative count would never reach the lock: damaged, refused.
        let (failures, attempts): (i64, i64) = tx.query_row(
            "SELECT failures, attempts FROM supervisor_lockout WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if failures < 0 || attempts < 0 {
            return Err(SupervisorError::Damaged(format!(
                "the lockout counts are negative (failures {failures}, attempts {attempts})"
            )));
        }
        // Counted before the password is checked: every attempt that got
        // past the lock shows in `attempts`, whatever happens next.
        tx.execute(
            "UPDATE supervisor_lockout SET attempts = attempts + 1 WHERE id = 1",
            [],
        )?;
        let stored: Option<(String, String)> = tx
            .query_row(
                "SELECT name, phc FROM supervisors WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let any: i64 = tx.query_row("SELECT count(*) FROM supervisors", [], |r| r.get(0))?;
        if stored.is_none() && any == 0 {
            return Err(SupervisorError::NoSupervisor);
        }
        let (canonical, phc) = stored.unwrap_or_else(|| (String::new(), self.decoy.clone()));
        let parsed = PasswordHash::new(&phc).map_err(|e| SupervisorError::Hash(e.to_string()))?;
        // The stored string decides the cost: bounded before Argon2 runs,
        // or a damaged `m=` would allocate terabytes and abort (fuzzing).
        stored_params_usable(&parsed)?;
        // Parameters come from the stored string, so stronger future settings still verify.
        let good = Argon2::default()
            .verify_password(password.bytes(), &parsed)
            .is_ok()
            && !canonical.is_empty();
        // A disabled supervisor's right password approves nothing; it is
        // counted like a wrong one (a retired supervisor may not try on).
        let disabled = good && is_disabled(&tx, &canonical)?;
        if good && !disabled {
            tx.execute(
                "UPDATE supervisor_lockout SET failures = 0, locked_until = NULL WHERE id = 1",
                [],
            )?;
            commit(tx, format_args!("supervisor.verify.granted"))?;
            tracing::info!(supervisor = %canonical, "supervisor approval granted");
            return Ok(SupervisorApproval {
                name: canonical,
                granted_at: now,
            });
        }
        let failures: i64 = tx.query_row(
            "UPDATE supervisor_lockout SET failures = failures + 1 WHERE id = 1 RETURNING failures",
            [],
            |r| r.get(0),
        )?;
        let max = i64::from(self.policy.max_failures.max(1));
        let result = if failures >= max {
            let until = now
                + chrono::Duration::from_std(self.policy.lock_for)
                    .unwrap_or(chrono::Duration::minutes(5));
            tx.execute(
                "UPDATE supervisor_lockout SET failures = 0, locked_until = ?1 WHERE id = 1",
                [until.timestamp_millis()],
            )?;
            tracing::warn!("supervisor verification locked after repeated wrong passwords");
            SupervisorError::Locked { until }
        } else if disabled {
            tracing::warn!(supervisor = %canonical, "a disabled supervisor tried to approve");
            SupervisorError::Disabled(canonical)
        } else {
            tracing::warn!(failures, "wrong supervisor name or password");
            SupervisorError::WrongCredentials {
                left: u32::try_from(max - failures).unwrap_or(0),
            }
        };
        commit(tx, format_args!("supervisor.verify.refused"))?;
        Err(result)
    }

    /// How many attempts got past the lock to a password check, ever.
    pub fn attempts(&self) -> Result<i64> {
        Ok(self.conn().query_row(
            "SELECT attempts FROM supervisor_lockout WHERE id = 1",
            [],
            |r| r.get(0),
        )?)
    }

    /// Until when verification is locked, if it is now.
    pub fn locked_until(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let until: Option<i64> = self.conn().query_row(
            "SELECT locked_until FROM supervisor_lockout WHERE id = 1",
            [],
            |r| r.get(0),
        )?;
        Ok(until.map(lock_end).transpose()?.filter(|u| *u > now))
    }
}

/// Whether a stored hash's parameters are within what a verification may
/// cost (see [`MAX_STORED_M_KIB`]).
fn stored_params_usable(parsed: &PasswordHash<'_>) -> Result<()> {
    let p = Params::try_from(parsed)
        .map_err(|e| SupervisorError::Damaged(format!("hash parameters unreadable ({e})")))?;
    if p.m_cost() > MAX_STORED_M_KIB || p.t_cost() > MAX_STORED_T || p.p_cost() > MAX_STORED_P {
        return Err(SupervisorError::Damaged(format!(
            "hash asks for m={} KiB, t={}, p={}",
            p.m_cost(),
            p.t_cost(),
            p.p_cost()
        )));
    }
    Ok(())
}

/// Common passwords (and bank and Loket names) refused for a supervisor;
/// one a line, lower case.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Whether a password is too easy: on the list (ignoring case), or one
/// character repeated, or a run of consecutive characters (12345678, abcdefgh).
fn is_common(password: &str) -> bool {
    let lower = password.trim().to_lowercase();
    if COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .any(|l| !l.is_empty() && l == lower)
    {
        return true;
    }
    let chars: Vec<char> = lower.chars().collect();
    let repeated = chars.windows(2).all(|w| w[0] == w[1]);
    let run_up = chars
        .windows(2)
        .all(|w| (w[1] as u32) == (w[0] as u32).wrapping_add(1));
    let run_down = chars
        .windows(2)
        .all(|w| (w[0] as u32) == (w[1] as u32).wrapping_add(1));
    repeated || run_up || run_down
}

/// The rules for a new supervisor password.
fn check_new_password(password: &SupervisorPassword, agent: Option<AgentCheck<'_>>) -> Result<()> {
    if password.0.chars().count() < MIN_PASSWORD_CHARS {
        return Err(SupervisorError::Input(words::text!(
            "Password supervisor minimal {MIN_PASSWORD_CHARS} karakter.",
            "The supervisor password needs at least {MIN_PASSWORD_CHARS} characters."
        )));
    }
    let is_agents = match agent {
        Some(AgentCheck::Password(a)) => a.matches(password),
        Some(AgentCheck::Witness(w)) => w.matches(password),
        None => false,
    };
    if is_agents {
        return Err(SupervisorError::AgentPassword);
    }
    if is_common(&password.0) {
        return Err(SupervisorError::CommonPassword);
    }
    Ok(())
}

/// Commits through the journal's crash points (`journal::commit`), keeping
/// this crate's error type.
fn commit(tx: rusqlite::Transaction<'_>, point: std::fmt::Arguments<'_>) -> Result<()> {
    journal::commit(tx, point).map_err(|e| match e {
        journal::JournalError::Storage(s) => SupervisorError::Storage(s),
        other => SupervisorError::Input(words::Say::say(&other)),
    })
}

/// Whether supervisor `s.name` is disabled, as an SQL condition: a
/// `supervisor-disable` authorization names them (append-only and chained,
/// so it cannot be taken back outside Loket unnoticed).
const DISABLED_SQL: &str = "EXISTS (SELECT 1 FROM authorizations a \
     WHERE a.action = 'supervisor-disable' AND s.name = a.detail)";

fn is_disabled(tx: &Connection, name: &str) -> Result<bool> {
    Ok(tx.query_row(
        &format!("SELECT {DISABLED_SQL} FROM supervisors s WHERE s.name = ?1"),
        [name],
        |r| r.get(0),
    )?)
}

/// The approver's canonical name, if they exist and are active; a
/// supervisor disabled after approving (within the approval's two minutes)
/// is refused here, inside the change's transaction.
fn require_active(tx: &Connection, approver: &str) -> Result<String> {
    let name: Option<String> = tx
        .query_row(
            "SELECT name FROM supervisors WHERE name = ?1",
            [approver],
            |r| r.get(0),
        )
        .optional()?;
    let Some(name) = name else {
        return Err(SupervisorError::Unknown(approver.to_owned()));
    };
    if is_disabled(tx, &name)? {
        return Err(SupervisorError::Disabled(name));
    }
    Ok(name)
}

/// Journals a supervisor change in `authorizations`, inside the change's
/// own transaction: who worked the terminal, what, who approved, and the
/// supervisor concerned (the detail).
fn authorize(tx: &Connection, action: &str, actor: &str, by: &str, who: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO authorizations (at, action, actor, authorized_by, detail) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![Utc::now().timestamp_millis(), action, actor, by, who],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 15: a name or storage error holding " / " stays whole in each
    /// language (the joined Display used to be cut at its first " / ").
    #[test]
    fn each_language_is_whole_when_the_data_holds_a_slash() {
        let said = words::Say::say(&SupervisorError::NameTaken("Wati / Pengawas".into()));
        let (id, en) = (said.id().to_owned(), said.en().to_owned());
        assert_eq!(id, "Supervisor Wati / Pengawas sudah ada.");
        assert_eq!(en, "Supervisor Wati / Pengawas already exists.");
        let said = words::Say::say(&SupervisorError::Damaged("kolom a / b".into()));
        let (id, en) = (said.id().to_owned(), said.en().to_owned());
        assert!(
            id.starts_with("Data supervisor")
                && id.contains("kolom a / b")
                && id.ends_with("hubungi bank."),
            "{id}"
        );
        assert!(
            en.starts_with("The supervisor data") && en.contains("kolom a / b"),
            "{en}"
        );
        let said = words::Say::say(&SupervisorError::Expired);
        let (id, en) = (said.id().to_owned(), said.en().to_owned());
        assert!(id.starts_with("Persetujuan") && !id.contains(" / "), "{id}");
        assert!(
            en.starts_with("The supervisor approval") && !en.contains(" / "),
            "{en}"
        );
    }

    #[test]
    fn debug_never_shows_the_password() {
        let p = SupervisorPassword::new("rahasia-sekali");
        assert_eq!(format!("{p:?}"), "***");
    }

    #[test]
    fn an_approval_expires() {
        let a = SupervisorApproval {
            name: "spv".into(),
            granted_at: Utc::now(),
        };
        assert!(a.check().is_ok());
        let later = a.granted_at + chrono::Duration::seconds(121);
        assert!(matches!(a.check_at(later), Err(SupervisorError::Expired)));
    }

    /// Defect 24 in the desktop: the app knows the agent only by a witness
    /// of the login; the agent's password is refused as the first
    /// supervisor's, and nothing is created before an agent logged in.
    #[test]
    fn the_first_supervisor_is_compared_with_the_logged_in_agent() {
        let s = Supervisors::open_in_memory().expect("supervisors");
        let good = SupervisorPassword::new("Kopi-Tubruk-Pagi7");
        assert!(matches!(
            s.create_first_knowing_agent("Wati", &good, None),
            Err(SupervisorError::Input(m)) if m.id().contains("Masuk sebagai agen dulu")
        ));
        let agent = AgentPasswordWitness::new(&SupervisorPassword::new("T6jkl4ss")).expect("hash");
        assert!(!format!("{agent:?}").contains("T6jkl4ss"));
        assert!(matches!(
            s.create_first_knowing_agent(
                "Wati",
                &SupervisorPassword::new("T6jkl4ss"),
                Some(&agent)
            ),
            Err(SupervisorError::AgentPassword)
        ));
        assert!(matches!(
            s.create_first_knowing_agent(
                "Wati",
                &SupervisorPassword::new("password"),
                Some(&agent)
            ),
            Err(SupervisorError::CommonPassword)
        ));
        assert!(!s.has_supervisor().expect("count"));
        s.create_first_knowing_agent("Wati", &good, Some(&agent))
            .expect("a password of the supervisor's own");
        assert!(s.verify("Wati", &good).is_ok());
    }

    #[test]
    fn weak_and_borrowed_passwords_are_refused() {
        let agent = SupervisorPassword::new("T6jkl4ss");
        let check = |p: &str| {
            check_new_password(
                &SupervisorPassword::new(p),
                Some(AgentCheck::Password(&agent)),
            )
        };
        assert!(matches!(
            check("T6jkl4ss"),
            Err(SupervisorError::AgentPassword)
        ));
        for p in [
            "12345678", "password", "Password", "qwertyui", "bankplus", "loket123", "aaaaaaaa",
            "abcdefgh", "87654321",
        ] {
            assert!(
                matches!(check(p), Err(SupervisorError::CommonPassword)),
                "{p}"
            );
        }
        assert!(check("Kopi-Tubruk-Pagi7").is_ok());
        let msg = words::Say::say(&SupervisorError::AgentPassword);
        assert!(
            msg.id().starts_with("Password supervisor tidak boleh")
                && msg.en().starts_with("The supervisor password")
        );
    }
}

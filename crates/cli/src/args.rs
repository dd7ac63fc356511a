//! The command line as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::sandbox_cmd;

#[derive(Debug, Parser)]
#[command(
    name = "loket",
    version,
    about = "Loket: terminal agen Laku Pandai Bank+ / Laku Pandai agent terminal for Bank+"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Bank+ origin; without it the sandbox starts in-process.
    #[arg(long, global = true, env = "LOKET_SERVER")]
    pub server: Option<String>,

    /// Switcher origin (for `check`, `reverse`, start-up recovery).
    #[arg(long, global = true, env = "LOKET_SWITCHER")]
    pub switcher: Option<String>,

    /// Directory for Loket's files (journal, logs, the sandbox ledger).
    #[arg(long, global = true, env = "LOKET_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Print exactly one JSON object on stdout.
    #[arg(long, global = true)]
    pub json: bool,

    /// Language of messages.
    #[arg(long, global = true, env = "LOKET_LANG", value_enum, default_value_t = LangArg::Id)]
    pub lang: LangArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Id,
    En,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The logged-in agent's profile.
    Profile,
    /// The agent's own account balance.
    Balance,
    /// Who owns an account (bsa/checkAccount).
    CheckAccount { account: String },
    /// A customer's balance (customer PIN from LOKET_CUSTOMER_PIN or a prompt).
    CustomerBalance { account: String },
    /// Open a basic savings account from a JSON form.
    OpenAccount {
        #[arg(long)]
        form: PathBuf,
        /// Pay despite a similar transaction in doubt (journaled).
        #[arg(long = "override", value_name = "REASON")]
        override_reason: Option<String>,
    },
    /// Cash deposit to a BNI account.
    Deposit {
        #[arg(long)]
        to: String,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        narration: Option<String>,
        /// Pay despite a similar transaction in doubt (journaled).
        #[arg(long = "override", value_name = "REASON")]
        override_reason: Option<String>,
    },
    /// Transfer: same bank, or another bank with --bank.
    Transfer {
        #[arg(long)]
        to: String,
        #[arg(long)]
        amount: String,
        /// Destination bank code (interbank).
        #[arg(long)]
        bank: Option<String>,
        /// Pay without asking for confirmation.
        #[arg(long)]
        yes: bool,
        /// Pay despite a similar transaction in doubt (journaled).
        #[arg(long = "override", value_name = "REASON")]
        override_reason: Option<String>,
    },
    /// Banks for interbank transfers.
    Banks,
    /// A dashboard graph.
    Dashboard {
        which: DashboardArg,
        /// YYYY-MM
        #[arg(long)]
        month: Option<String>,
    },
    /// A master list.
    Master { which: MasterArg },
    /// Postal codes of a village.
    PostalCode {
        #[arg(long)]
        province: String,
        /// Kota or Kabupaten.
        #[arg(long = "type")]
        kind: String,
        #[arg(long)]
        regency: String,
        #[arg(long)]
        district: String,
        #[arg(long)]
        village: String,
    },
    /// Change the Bank+ password (LOKET_PASSWORD / LOKET_NEW_PASSWORD or prompts).
    ChangePassword,
    /// The journal, newest first.
    History {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long = "type")]
        kind: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
        #[arg(long)]
        after: Option<String>,
    },
    /// A WIB day's totals (default today).
    Summary {
        #[arg(long)]
        date: Option<String>,
    },
    /// CSV export of the journal.
    Export {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        csv: PathBuf,
    },
    /// One transaction and its timeline.
    Show { sid: String },
    /// Verify the journal's tamper-evident chain (each start checks only the
    /// rows since the last clean check; --full re-hashes every row).
    Verify {
        #[arg(long)]
        full: bool,
    },
    /// Ask the switcher what became of a transaction.
    Check { sid: String },
    /// Settle a transaction in doubt by hand.
    Resolve {
        sid: String,
        #[arg(long = "as")]
        outcome: OutcomeArg,
        #[arg(long)]
        reason: String,
    },
    /// Reverse a succeeded transaction through the switcher.
    Reverse {
        sid: String,
        #[arg(long)]
        reason: String,
    },
    /// A transaction's receipt: thermal text (default), a PDF file, or printed
    /// through CUPS. `--copy` makes a numbered reprint (needs the supervisor:
    /// LOKET_SUPERVISOR / LOKET_SUPERVISOR_PASSWORD or prompts).
    Receipt {
        sid: String,
        /// Write the receipt as a PDF to FILE.
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
        /// Print the thermal text on stdout (the default when nothing else is asked).
        #[arg(long)]
        text: bool,
        /// Paper: 58 or 80 (mm roll), or a6 (PDF only).
        #[arg(long, default_value = "58")]
        width: String,
        /// Print through CUPS on PRINTER (default: the system default printer).
        #[arg(long, num_args = 0..=1, default_missing_value = "", value_name = "PRINTER")]
        print: Option<String>,
        /// With --print: send ESC/POS bytes to a raw queue instead of the PDF.
        #[arg(long)]
        raw: bool,
        /// A copy ("SALINAN KE-n"), numbered and journaled; needs the supervisor.
        #[arg(long)]
        copy: bool,
    },
    /// Back up this counter's data into one checked archive (journal,
    /// statements, settings, sealed stores with their keys); safe while Loket runs.
    Backup {
        /// Where to write it (default: backups/ in the data folder).
        #[arg(long, conflicts_with_all = ["verify", "list"])]
        to: Option<PathBuf>,
        /// Check an archive whole without restoring anything.
        #[arg(long, value_name = "FILE", conflicts_with = "list")]
        verify: Option<PathBuf>,
        /// The backups in the data folder, newest first.
        #[arg(long)]
        list: bool,
    },
    /// Put a backup back. Refused while Loket runs on the data folder; the
    /// current files are moved aside first; a supervisor approves.
    Restore { file: PathBuf },
    /// settings.json as the journal last recorded it; a supervisor approves a change.
    Settings {
        #[command(subcommand)]
        action: SettingsAction,
    },
    /// The bank's fleet replica in PostgreSQL (issue 14): set up, ship, read.
    Fleet {
        #[command(subcommand)]
        action: FleetAction,
    },
    /// Local supervisor credentials (stored only as Argon2id hashes).
    Supervisor {
        #[command(subcommand)]
        action: SupervisorAction,
    },
    /// The agent's bank statement from a provider (mutasi rekening).
    Statement {
        #[arg(long, value_enum)]
        provider: ProviderArg,
        #[arg(long)]
        account: String,
        /// First WIB day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last WIB day, YYYY-MM-DD (included).
        #[arg(long)]
        to: String,
        /// Provider settings (TOML, one table per provider); default: the sandbox's imitations.
        #[arg(long, env = "LOKET_PROVIDERS")]
        providers: Option<PathBuf>,
    },
    /// Reconcile the journal against the statement (logs in for the agent's account).
    Reconcile {
        #[arg(long, value_enum)]
        provider: ProviderArg,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// The account; default: the logged-in agent's own.
        #[arg(long)]
        account: Option<String>,
        #[arg(long, env = "LOKET_PROVIDERS")]
        providers: Option<PathBuf>,
        /// Settle each transaction in doubt whose debit can be nobody else's
        /// (the rule of evidence); needs the supervisor and the sealed,
        /// approved provider settings (not --providers).
        #[arg(long)]
        resolve: bool,
    },
    /// Run the Bank+ / switcher sandbox on loopback until Ctrl-C.
    Sandbox(sandbox_cmd::SandboxArgs),
    /// Mutasibank webhook pushes, verified with the sealed webhook secret.
    Webhook {
        #[command(subcommand)]
        action: WebhookAction,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum WebhookAction {
    /// Receive pushes on `POST /webhook/mutasibank` until Ctrl-C or SIGTERM
    /// (prints the URL first); verified lines go to statements.db.
    Serve {
        /// Address to listen on (port 0 picks a free one), e.g. 0.0.0.0:8443
        /// behind the agent's TLS proxy.
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: std::net::SocketAddr,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DashboardArg {
    Bsa,
    Bill,
    Purchase,
    AgentGrowth,
    AgentSpread,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MasterArg {
    Jobs,
    Educations,
    Salaries,
    Transactions,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProviderArg {
    Mutasibank,
    Moota,
    Bri,
    Bankraya,
}

impl ProviderArg {
    pub fn kind(self) -> mutasi::ProviderKind {
        match self {
            ProviderArg::Mutasibank => mutasi::ProviderKind::Mutasibank,
            ProviderArg::Moota => mutasi::ProviderKind::Moota,
            ProviderArg::Bri => mutasi::ProviderKind::Bri,
            ProviderArg::Bankraya => mutasi::ProviderKind::Bankraya,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutcomeArg {
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum SettingsAction {
    /// The recorded and the current server of settings.json.
    Status,
    /// Accept settings.json as it is now (supervisor: LOKET_SUPERVISOR /
    /// LOKET_SUPERVISOR_PASSWORD or prompts); journaled.
    Approve,
}

/// `loket fleet …`. URLs carry passwords: prefer the environment variables
/// (`LOKET_FLEET_ADMIN_URL`, `LOKET_FLEET_URL`, `LOKET_FLEET_VIEWER_URL`)
/// over `--url`, which other users of the machine can see in the process list.
#[derive(Debug, Subcommand)]
pub enum FleetAction {
    /// Create or migrate the central schema and roles (admin URL); idempotent.
    Init {
        #[arg(long, env = "LOKET_FLEET_ADMIN_URL", hide_env_values = true)]
        url: String,
    },
    /// Register this terminal (admin URL): creates its own PostgreSQL role
    /// and stores its connection sealed; a supervisor approves; journaled.
    Enroll {
        #[arg(
            long = "admin-url",
            env = "LOKET_FLEET_ADMIN_URL",
            hide_env_values = true
        )]
        admin_url: String,
        /// Default: the agent code and the host name.
        #[arg(long)]
        label: Option<String>,
    },
    /// Store a terminal URL given by the bank (sealed); a supervisor approves.
    Connect {
        #[arg(long, env = "LOKET_FLEET_NEW_URL", hide_env_values = true)]
        url: String,
    },
    /// Forget the stored fleet URL (shipping stops); a supervisor approves.
    Disconnect,
    /// Create a read-only viewer login for staff (admin URL; its password
    /// from LOKET_FLEET_NEW_PASSWORD).
    Viewer {
        #[arg(long, env = "LOKET_FLEET_ADMIN_URL", hide_env_values = true)]
        url: String,
        #[arg(long)]
        name: String,
    },
    /// This terminal: id, label, shipped and pending events, the URL without its password.
    Info,
    /// Send the journal's new events to the fleet (once; --follow keeps going).
    Ship {
        #[arg(long)]
        follow: bool,
        #[arg(long, default_value_t = 500)]
        batch: usize,
        /// Seconds between contacts with --follow when nothing is pending
        /// (a heartbeat: the fleet sees the terminal alive).
        #[arg(long, default_value_t = 2)]
        interval: u64,
        /// Milliseconds between looks at the journal with --follow (a local
        /// read; the network is used only when something is pending).
        #[arg(long, default_value_t = 250)]
        poll_ms: u64,
    },
    /// Every terminal: label, agent, last event, lag, open doubts (viewer URL).
    Status {
        #[arg(long, env = "LOKET_FLEET_VIEWER_URL", hide_env_values = true)]
        url: String,
    },
    /// Every transaction in doubt across the fleet, oldest first (viewer URL).
    Doubt {
        #[arg(long, env = "LOKET_FLEET_VIEWER_URL", hide_env_values = true)]
        url: String,
        /// At most this many (the oldest); the total is always reported.
        #[arg(long, default_value_t = fleet::read::DOUBT_PAGE)]
        limit: i64,
    },
    /// A WIB day per agent, by the day-summary rules (viewer URL).
    Summary {
        #[arg(long, env = "LOKET_FLEET_VIEWER_URL", hide_env_values = true)]
        url: String,
        #[arg(long)]
        date: Option<String>,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum SupervisorAction {
    /// Create the first supervisor (LOKET_SUPERVISOR / LOKET_SUPERVISOR_PASSWORD or prompts).
    Create,
    /// Whether a supervisor exists and whether verification is locked.
    Status,
    /// Add another supervisor, approved by an active one (LOKET_SUPERVISOR /
    /// LOKET_SUPERVISOR_PASSWORD); the new password from
    /// LOKET_NEW_SUPERVISOR_PASSWORD or a prompt (twice, no echo).
    Add {
        /// The new supervisor's name.
        name: String,
    },
    /// Change one's own password: LOKET_SUPERVISOR with the old password in
    /// LOKET_SUPERVISOR_PASSWORD, the new one in LOKET_NEW_SUPERVISOR_PASSWORD
    /// (or prompts, no echo).
    Passwd,
    /// Disable a supervisor for good (never the last active one), approved
    /// by an active supervisor.
    Disable {
        /// The supervisor to disable.
        name: String,
    },
    /// Every supervisor: name, active or disabled, created, last used.
    List,
}

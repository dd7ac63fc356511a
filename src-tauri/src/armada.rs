//! The fleet from the app (issue 14): the shipper that sends this
//! terminal's journal to the bank's PostgreSQL while the app runs, its
//! status for the status bar and Pengaturan, and the Armada screen read
//! through the read-only viewer role. The shipping rules live in
//! `crates/fleet` (the same [`Shipper`] as `loket fleet ship --follow`).
//!
//! The shipper runs on its own thread with its own small tokio runtime and
//! its own journal handle (its own SQLite connection): nothing it does on
//! the network can hold up the window's runtime or a teller's journal
//! write. With no fleet URL nothing starts.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use fleet::read;
use fleet::ship::{FollowOptions, Shipper, ShipperHandle, DEFAULT_BATCH};
use fleet::{FleetError, FleetStore, FleetUrl};
use journal::Journal;
use serde::Serialize;
use specta::Type;
use zeroize::Zeroizing;

use crate::runtime::Loket;
use crate::view::CommandError;

type App<'a> = tauri::State<'a, Arc<Loket>>;
type Result<T> = std::result::Result<T, CommandError>;

/// The running shipper, once its journal is open.
static SHIPPER: OnceLock<ShipperHandle> = OnceLock::new();
/// Why the shipper could not start (a bad stored URL), if it could not.
static START_ERROR: Mutex<Option<(String, words::Text)>> = Mutex::new(None);
/// Whether a fleet URL was found at start.
static CONFIGURED: OnceLock<bool> = OnceLock::new();

/// A terminal that has not made contact for this long has "gone quiet".
const QUIET_AFTER: Duration = Duration::from_secs(15 * 60);

/// How the app's shipper waits: it is woken after every payment, so the
/// idle look is only a fallback (a flow in another process, `loket pay`).
fn options() -> FollowOptions {
    FollowOptions {
        idle: Duration::from_millis(1000),
        heartbeat: Duration::from_secs(30),
        max_backoff: Duration::from_secs(60),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Starts the shipper when this data folder is connected to a fleet
/// (`LOKET_FLEET_URL`, taken out of the environment at start, or the
/// sealed `fleet.enc`).
pub fn start(state: Arc<Loket>) {
    let url = match FleetStore::new(&state.data_dir).url() {
        Ok(Some(u)) => u,
        Ok(None) => {
            let _ = CONFIGURED.set(false);
            return;
        }
        Err(e) => {
            let _ = CONFIGURED.set(true);
            *lock(&START_ERROR) = Some((e.code().into(), words::Say::say(&e)));
            return;
        }
    };
    let _ = CONFIGURED.set(true);
    let spawned = std::thread::Builder::new()
        .name("fleet-shipper".into())
        .spawn(move || run(state, url));
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the fleet shipper");
    }
}

fn run(state: Arc<Loket>, url: FleetUrl) {
    let path = state.data_dir.join("journal.db");
    // The core makes the journal on first start; the shipper never creates it.
    let journal = loop {
        if path.exists() {
            match Journal::open(&path) {
                Ok(j) => break j,
                Err(e) => tracing::warn!(error = %e, "fleet shipper cannot open the journal"),
            }
        }
        std::thread::sleep(Duration::from_secs(1));
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::warn!(error = %e, "cannot start the fleet shipper's runtime");
            return;
        }
    };
    let shipper = Shipper::new(Arc::new(journal), url, DEFAULT_BATCH, options());
    let _ = SHIPPER.set(shipper.handle());
    rt.block_on(shipper.run(
        |r| match r {
            Ok(r) if r.sent > 0 => tracing::info!(sent = r.sent, acked = r.acked, "fleet shipped"),
            Ok(_) => {}
            Err(e) => tracing::warn!(code = e.code(), "fleet shipping failed; retrying"),
        },
        std::future::pending(),
    ));
}

/// After a teller flow wrote the journal: look now (never waits).
pub fn wake() {
    if let Some(h) = SHIPPER.get() {
        h.wake();
    }
}

/// The status bar's "Armada: …" and Pengaturan's terminal id and label.
#[derive(Debug, Clone, Serialize, Type)]
pub struct FleetStatus {
    /// A fleet URL is set: the shipper runs.
    pub enabled: bool,
    /// `off`, `starting`, `synced`, `pending` or `offline`.
    pub state: String,
    /// Events the fleet does not hold yet.
    pub pending: u32,
    pub error_code: Option<String>,
    pub error: Option<String>,
    pub retry_in_secs: Option<u32>,
    pub terminal_id: Option<String>,
    pub label: Option<String>,
    /// A viewer address is set for the Armada screen.
    pub viewer: bool,
}

#[tauri::command]
#[specta::specta]
pub async fn fleet_status(state: App<'_>) -> Result<FleetStatus> {
    let enabled = CONFIGURED.get().copied().unwrap_or(false);
    // Read once per run (it is made once per data folder; the label is set
    // when enrolling): the status bar's poll never touches the journal.
    static IDENTITY: OnceLock<journal::TerminalIdentity> = OnceLock::new();
    let identity = match IDENTITY.get() {
        Some(i) => Some(i.clone()),
        None => state
            .ready()
            .await
            .ok()
            .and_then(|r| r.teller.journal().terminal_identity().ok())
            .map(|i| IDENTITY.get_or_init(|| i).clone()),
    };
    let mut out = FleetStatus {
        enabled,
        state: if enabled { "starting" } else { "off" }.into(),
        pending: 0,
        error_code: None,
        error: None,
        retry_in_secs: None,
        terminal_id: identity.as_ref().map(|i| i.terminal_id.clone()),
        label: identity.and_then(|i| i.label),
        viewer: fleet::store::env_url(VIEWER_VAR).is_some(),
    };
    if let Some((code, message)) = lock(&START_ERROR).clone() {
        out.state = "offline".into();
        out.error_code = Some(code);
        out.error = Some(state.say(&message));
    } else if let Some(h) = SHIPPER.get() {
        let s = h.status();
        out.state = s.state;
        out.pending = u32::try_from(s.pending).unwrap_or(u32::MAX);
        out.error_code = s.error_code;
        out.error = s.error.map(|t| state.say(&t));
        out.retry_in_secs = s
            .retry_in_secs
            .map(|x| u32::try_from(x).unwrap_or(u32::MAX));
    }
    Ok(out)
}

const VIEWER_VAR: &str = "LOKET_FLEET_VIEWER_URL";

/// One terminal on the Armada screen.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ArmadaTerminal {
    pub terminal_id: String,
    pub label: String,
    pub agent_code: String,
    /// WIB, `YYYY-MM-DD HH:MM`, or empty when never.
    pub last_event: String,
    pub last_contact: String,
    /// Events the terminal had that the fleet has not (at its last contact).
    pub lag_events: u32,
    /// Minutes since the last contact (none: never).
    pub quiet_minutes: Option<u32>,
    pub open_doubts: u32,
}

/// One transaction in doubt somewhere in the fleet.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ArmadaDoubt {
    pub label: String,
    pub agent_code: String,
    pub sid: String,
    pub kind: String,
    pub total: String,
    pub dest_account: String,
    pub created: String,
}

/// One agent's day across its terminals.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ArmadaAgent {
    pub agent_code: String,
    pub terminals: u32,
    pub succeeded: u32,
    pub cash_in: String,
    pub admin_fees: String,
    pub net_cash: String,
    pub in_doubt: u32,
}

/// The Armada screen: doubts, today's totals, quiet terminals.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ArmadaView {
    /// The WIB day of the totals (`YYYY-MM-DD`).
    pub date: String,
    pub terminals: Vec<ArmadaTerminal>,
    /// Terminals with a transaction in doubt.
    pub with_doubts: Vec<ArmadaTerminal>,
    /// Terminals without contact for 15 minutes or more (or never).
    pub quiet: Vec<ArmadaTerminal>,
    pub doubts: Vec<ArmadaDoubt>,
    /// All doubts in the fleet (the list shows the oldest ones).
    pub doubt_total: u32,
    pub agents: Vec<ArmadaAgent>,
    pub total_cash_in: String,
    pub total_admin_fees: String,
    pub total_net_cash: String,
    pub refreshed_at: String,
}

fn wib_text(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| {
        t.with_timezone(&journal::wib())
            .format("%Y-%m-%d %H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

fn small(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

pub(crate) fn supervisor_required() -> words::Text {
    words::text!(
        "Layar Armada untuk staf bank atau dengan persetujuan supervisor.",
        "The Armada screen is for bank staff, or with a supervisor's approval."
    )
}

pub(crate) fn no_viewer() -> words::Text {
    words::text!(
        "Alamat baca armada belum diatur: isi alamat viewer (postgres://…) atau LOKET_FLEET_VIEWER_URL.",
        "No fleet viewer address: enter the viewer address (postgres://…) or set LOKET_FLEET_VIEWER_URL."
    )
}

fn fleet_error(state: &Loket, e: FleetError) -> CommandError {
    // The error text never carries the URL's password (crates/fleet error).
    state.refuse(e.code(), &words::Say::say(&e))
}

/// Reads the fleet through the read-only viewer role. Bank staff (a
/// non-agent login) read it directly; an agent's login needs a
/// supervisor's approval. The viewer address is `LOKET_FLEET_VIEWER_URL`
/// (taken from the environment at start) or typed on the screen (kept
/// for this call only).
#[tauri::command]
#[specta::specta]
pub async fn fleet_view(
    state: App<'_>,
    viewer_url: Option<String>,
    supervisor: Option<String>,
    password: Option<String>,
) -> Result<ArmadaView> {
    let viewer_url = viewer_url.map(Zeroizing::new);
    let ready = state.ready().await?;
    let Some(profile) = ready.teller.profile() else {
        return Err(state.error(teller::TellerError::NotLoggedIn));
    };
    if profile.role == bankplus::Role::Agent {
        let (Some(name), Some(pw)) = (supervisor, password) else {
            return Err(state.refuse("SUPERVISOR_REQUIRED", &supervisor_required()));
        };
        crate::receipts::approve(&state, &ready, name, pw).await?;
    }
    let typed = viewer_url.filter(|u| !u.trim().is_empty());
    let text = match typed.or_else(|| fleet::store::env_url(VIEWER_VAR)) {
        Some(t) => t,
        None => return Err(state.refuse("FLEET_NO_VIEWER", &no_viewer())),
    };
    let url = FleetUrl::parse(&text).map_err(|e| fleet_error(&state, e))?;
    let today = Utc::now().with_timezone(&journal::wib()).date_naive();
    let read_all = async {
        let client = read::viewer(&url).await?;
        let terminals = read::status(&client).await?;
        let doubt_total = read::doubt_count(&client).await?;
        let doubts = read::doubts(&client, read::DOUBT_PAGE).await?;
        let day = read::summary(&client, today).await?;
        Ok::<_, FleetError>((terminals, doubt_total, doubts, day))
    };
    let (terminals, doubt_total, doubts, day) =
        tokio::time::timeout(Duration::from_secs(20), read_all)
            .await
            .map_err(|_| fleet_error(&state, FleetError::Unreachable("20 s".into())))?
            .map_err(|e| fleet_error(&state, e))?;
    let terminals: Vec<ArmadaTerminal> = terminals
        .into_iter()
        .map(|t| ArmadaTerminal {
            terminal_id: t.terminal_id,
            label: t.label,
            agent_code: t.agent_code.unwrap_or_default(),
            last_event: wib_text(t.last_event_at),
            last_contact: wib_text(t.last_contact_at),
            lag_events: small(t.lag_events),
            quiet_minutes: t.lag_seconds.map(|s| small(s / 60)),
            open_doubts: small(t.open_doubts),
        })
        .collect();
    let quiet_min = small((QUIET_AFTER.as_secs() / 60) as i64);
    Ok(ArmadaView {
        date: today.to_string(),
        with_doubts: terminals
            .iter()
            .filter(|t| t.open_doubts > 0)
            .cloned()
            .collect(),
        quiet: terminals
            .iter()
            .filter(|t| t.quiet_minutes.is_none_or(|m| m >= quiet_min))
            .cloned()
            .collect(),
        terminals,
        doubts: doubts
            .into_iter()
            .map(|d| ArmadaDoubt {
                label: d.label,
                agent_code: d.agent_code,
                sid: d.sid,
                kind: d.kind,
                total: d
                    .total_sen
                    .or(d.amount_sen)
                    .map(|s| money::Rupiah::from_sen(s).to_string())
                    .unwrap_or_default(),
                dest_account: d.dest_account.unwrap_or_default(),
                created: wib_text(Some(d.created_at)),
            })
            .collect(),
        doubt_total: small(doubt_total),
        agents: day
            .agents
            .iter()
            .map(|a| ArmadaAgent {
                agent_code: a.agent_code.clone(),
                terminals: small(a.terminals),
                succeeded: a
                    .summary
                    .kinds
                    .iter()
                    .map(|(_, k)| u32::try_from(k.succeeded).unwrap_or(u32::MAX))
                    .fold(0u32, u32::saturating_add),
                cash_in: a.summary.cash_in.to_string(),
                admin_fees: a.summary.admin_fees.to_string(),
                net_cash: a.summary.net_cash.to_string(),
                in_doubt: u32::try_from(a.summary.in_doubt).unwrap_or(u32::MAX),
            })
            .collect(),
        total_cash_in: day.total.cash_in.to_string(),
        total_admin_fees: day.total.admin_fees.to_string(),
        total_net_cash: day.total.net_cash.to_string(),
        refreshed_at: wib_text(Some(Utc::now())),
    })
}

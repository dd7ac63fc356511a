//! The Mutasi & Rekonsiliasi screen's commands: provider settings (kept
//! sealed by `mutasi::ProviderStore`, secrets never sent back), fetching a
//! statement with progress over a channel, reconciling it with the journal,
//! and resolving a transaction in doubt from its statement line. Each
//! command is one core call; no business rules here.

use std::sync::Arc;

use chrono::NaiveDate;
use mutasi::{DateRange, ProviderForm, ProviderKind, ProviderStore, Secret, StatementLine};
use serde::{Deserialize, Serialize};
use specta::Type;
use teller::statements::{self, ProviderChoice};
use teller::TellerError;
use zeroize::Zeroizing;

use crate::runtime::Loket;
use crate::view::{self, CommandError, Money};

type Result<T> = std::result::Result<T, CommandError>;
type App<'a> = tauri::State<'a, Arc<Loket>>;

// ---- IPC shapes ----

#[derive(Debug, Clone, Serialize, Type)]
pub struct SecretState {
    /// In the provider document's terms: `token`, `client_secret`, `private_key_pem`.
    pub name: String,
    pub stored: bool,
}

/// One provider as the settings form shows it: never a secret, only
/// whether one is stored.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ProviderView {
    /// `mutasibank`, `moota`, `bri`, `bankraya`.
    pub kind: String,
    pub label: String,
    /// Settings are saved; otherwise the sandbox imitation with demo credentials is used.
    pub stored: bool,
    pub base_url: Option<String>,
    pub client_id: Option<String>,
    pub channel_id: Option<String>,
    pub secrets: Vec<SecretState>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ProvidersView {
    pub providers: Vec<ProviderView>,
    /// Where the demo imitations answer when nothing is saved.
    pub demo_base_url: String,
}

/// The settings form. Empty secrets keep the stored ones.
// No `Debug`: it carries the secrets as typed, and they must never be printed.
#[derive(Deserialize, Type)]
pub struct ProviderFormIn {
    pub kind: String,
    pub base_url: String,
    pub client_id: Option<String>,
    pub channel_id: Option<String>,
    pub token: Option<String>,
    pub client_secret: Option<String>,
    pub private_key_pem: Option<String>,
    /// Mutasibank: the secret its webhook pushes are signed with.
    pub webhook_secret: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Type)]
pub struct FetchProgress {
    pub done: u32,
    pub total: u32,
    pub lines: u32,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct LineView {
    pub provider_id: String,
    /// `2026-11-23 14:05` WIB, or the date alone when the provider gives no time.
    pub posted_wib: String,
    /// `CR` or `DB`.
    pub direction: String,
    pub amount: Money,
    pub balance: Option<Money>,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct EntryView {
    pub sid: String,
    pub kind: String,
    pub state: String,
    pub time_wib: String,
    pub direction: String,
    pub total: Money,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct PairView {
    pub entry: EntryView,
    pub lines: Vec<LineView>,
    /// `reference` or `amount_and_time`.
    pub by: String,
}

/// A transaction in doubt the rule of evidence does not settle: why, and
/// every candidate line and other transaction, for the supervisor.
#[derive(Debug, Clone, Serialize, Type)]
pub struct UndecidedView {
    pub entry: EntryView,
    /// `several_lines`, `other_transaction`, `reversed`, `used`, `reference_mismatch`.
    pub why: String,
    /// The same in words, Bahasa Indonesia / English.
    pub why_text: String,
    pub candidates: Vec<LineView>,
    pub rivals: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct SideView {
    pub count: u32,
    pub debit: Money,
    pub credit: Money,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct TotalsView {
    pub journal: SideView,
    pub statement: SideView,
    pub matched: SideView,
    pub journal_only: SideView,
    pub statement_only: SideView,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ReconcileView {
    pub provider: String,
    pub account: String,
    pub from: String,
    pub to: String,
    /// Fetched with the sandbox's demo credentials (nothing saved).
    pub demo: bool,
    pub lines: u32,
    pub matched: Vec<PairView>,
    /// In doubt, and the rule of evidence finds its debit: a supervisor may settle it.
    pub resolvable: Vec<PairView>,
    /// In doubt, with lines that could be its debit but may be another's.
    pub undecided: Vec<UndecidedView>,
    /// Settling is possible: the statement came with approved (saved)
    /// settings, or the whole bank is the sandbox, and the account is the agent's own.
    pub can_settle: bool,
    pub journal_only: Vec<EntryView>,
    pub statement_only: Vec<LineView>,
    pub totals: TotalsView,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn wib_text(t: chrono::DateTime<chrono::Utc>, date_only: bool) -> String {
    let local = t.with_timezone(&mutasi::wib());
    if date_only {
        local.format("%Y-%m-%d").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

impl From<&StatementLine> for LineView {
    fn from(l: &StatementLine) -> Self {
        LineView {
            provider_id: l.provider_id.clone(),
            posted_wib: wib_text(l.posted_at, l.date_only),
            direction: l.direction.as_str().into(),
            amount: l.amount.into(),
            balance: l.balance.map(Money::from),
            description: l.description.clone(),
        }
    }
}

impl From<&reconcile::JournalEntry> for EntryView {
    fn from(e: &reconcile::JournalEntry) -> Self {
        EntryView {
            sid: e.sid.clone(),
            kind: e.kind.as_str().into(),
            state: e.state.as_str().into(),
            time_wib: wib_text(e.created_at, false),
            direction: e.direction.as_str().into(),
            total: e.total.into(),
        }
    }
}

impl From<&reconcile::Pair> for PairView {
    fn from(p: &reconcile::Pair) -> Self {
        PairView {
            entry: (&p.entry).into(),
            lines: p.lines.iter().map(Into::into).collect(),
            by: match p.by {
                reconcile::MatchedBy::Reference => "reference",
                reconcile::MatchedBy::AmountAndTime => "amount_and_time",
            }
            .into(),
        }
    }
}

impl From<&reconcile::SideTotals> for SideView {
    fn from(s: &reconcile::SideTotals) -> Self {
        SideView {
            count: count(s.count),
            debit: s.debit.into(),
            credit: s.credit.into(),
        }
    }
}

// ---- Helpers: parse, settings ----

fn statement_error(state: &Loket, e: mutasi::MutasiError) -> CommandError {
    state.error(TellerError::Statement(e))
}

fn kind(state: &Loket, text: &str) -> Result<ProviderKind> {
    ProviderKind::parse(text).ok_or_else(|| {
        let p = money::preview(text);
        state.error(TellerError::Input(words::text!(
            "penyedia {p:?} tidak dikenal",
            "unknown provider {p:?}"
        )))
    })
}

fn range(state: &Loket, from: &str, to: &str) -> Result<DateRange> {
    let day = |t: &str| {
        NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| {
            let t = money::preview(t);
            state.error(TellerError::Input(words::text!(
                "tanggal {t:?} harus YYYY-MM-DD",
                "the date {t:?} must be YYYY-MM-DD"
            )))
        })
    };
    DateRange::new(day(from)?, day(to)?).map_err(|e| statement_error(state, e))
}

fn store(state: &Loket) -> ProviderStore {
    ProviderStore::new(&state.data_dir)
}

fn provider_views(stored: &[mutasi::StoredProvider]) -> Vec<ProviderView> {
    ProviderKind::ALL
        .into_iter()
        .map(|k| match stored.iter().find(|s| s.kind == k) {
            Some(s) => ProviderView {
                kind: k.as_str().into(),
                label: k.label().into(),
                stored: true,
                base_url: Some(s.base_url.clone()),
                client_id: s.client_id.clone(),
                channel_id: s.channel_id.clone(),
                secrets: s
                    .secrets
                    .iter()
                    .map(|(name, stored)| SecretState {
                        name: (*name).into(),
                        stored: *stored,
                    })
                    .collect(),
            },
            None => ProviderView {
                kind: k.as_str().into(),
                label: k.label().into(),
                stored: false,
                base_url: None,
                client_id: None,
                channel_id: None,
                secrets: mutasi::store::secret_names(k)
                    .iter()
                    .map(|name| SecretState {
                        name: (*name).into(),
                        stored: false,
                    })
                    .collect(),
            },
        })
        .collect()
}

// ---- Commands ----

/// The four providers and what is saved for each (never a secret).
#[tauri::command]
#[specta::specta]
pub async fn statement_providers(state: App<'_>) -> Result<ProvidersView> {
    let ready = state.ready().await?;
    let stored = store(&state)
        .list()
        .map_err(|e| statement_error(&state, e))?;
    Ok(ProvidersView {
        providers: provider_views(&stored),
        demo_base_url: ready.server.clone(),
    })
}

/// The journal keeps who approved a provider change (never the secrets).
fn authorized(
    state: &Loket,
    ready: &crate::runtime::Ready,
    approval: &teller::SupervisorApproval,
    what: &str,
) -> Result<()> {
    let actor = ready
        .teller
        .profile()
        .map(|p| p.username)
        .unwrap_or_default();
    ready
        .teller
        .journal()
        .record_authorization("statement_provider", &actor, approval.name(), what)
        .map_err(|e| state.error(e.into()))
}

/// Saves one provider's settings, sealed; answers without the secrets.
#[tauri::command]
#[specta::specta]
pub async fn save_statement_provider(
    state: App<'_>,
    form: ProviderFormIn,
    supervisor: String,
    password: String,
) -> Result<ProvidersView> {
    // Where the statement comes from decides what reconciliation trusts: a supervisor approves.
    let ready = state.ready().await?;
    let approval = crate::receipts::approve(&state, &ready, supervisor, password).await?;
    let secret = |s: Option<String>| s.map(|t| Secret::new(Zeroizing::new(t).as_str()));
    let provider = kind(&state, &form.kind)?;
    let core = ProviderForm {
        kind: provider,
        base_url: form.base_url,
        client_id: form.client_id,
        channel_id: form.channel_id,
        token: secret(form.token),
        client_secret: secret(form.client_secret),
        private_key_pem: secret(form.private_key_pem),
        webhook_secret: secret(form.webhook_secret),
    };
    store(&state)
        .save(core)
        .map_err(|e| statement_error(&state, e))?;
    authorized(&state, &ready, &approval, &format!("{provider:?} saved"))?;
    statement_providers(state).await
}

/// Forgets one provider's settings (back to the demo imitation).
#[tauri::command]
#[specta::specta]
pub async fn remove_statement_provider(
    state: App<'_>,
    kind_name: String,
    supervisor: String,
    password: String,
) -> Result<ProvidersView> {
    let ready = state.ready().await?;
    let approval = crate::receipts::approve(&state, &ready, supervisor, password).await?;
    let k = kind(&state, &kind_name)?;
    store(&state)
        .remove(k)
        .map_err(|e| statement_error(&state, e))?;
    authorized(&state, &ready, &approval, &format!("{k:?} removed"))?;
    statement_providers(state).await
}

/// Fetches the statement (progress on `on_progress`), caches it, and
/// reconciles it with the journal of the same WIB days.
#[tauri::command]
#[specta::specta]
pub async fn reconcile_statement(
    state: App<'_>,
    provider: String,
    account: String,
    from: String,
    to: String,
    on_progress: tauri::ipc::Channel<FetchProgress>,
) -> Result<ReconcileView> {
    let ready = state.ready().await?;
    let k = kind(&state, &provider)?;
    let range = range(&state, &from, &to)?;
    let account = account.trim().to_owned();
    if account.is_empty() {
        return Err(state.error(TellerError::Input(words::text!(
            "nomor rekening kosong",
            "the account is empty"
        ))));
    }
    let ProviderChoice {
        settings,
        demo,
        approved,
    } = provider_settings(&state, &ready, k)?;
    // Without the agent's own account (a staff login) the statement is
    // shown, but nothing can be judged or settled.
    let own = ready.teller.own_account().await.ok();
    let can_settle = approved
        && own
            .as_deref()
            .is_some_and(|o| reconcile::same_account(&account, o));
    let progress = move |p: mutasi::Progress| {
        let _ = on_progress.send(FetchProgress {
            done: count(p.done),
            total: count(p.total),
            lines: count(p.lines),
        });
    };
    let done = ready
        .teller
        .reconcile_statement(
            &state.data_dir,
            &settings,
            &account,
            own.as_deref(),
            range,
            &progress,
        )
        .await
        .map_err(|e| state.error(e))?;
    let report = &done.report;
    let resolvable = done
        .settles()
        .filter_map(|j| match &j.verdict {
            reconcile::Verdict::Settle { lines, by } => Some(PairView::from(&reconcile::Pair {
                entry: j.entry.clone(),
                lines: lines.clone(),
                by: *by,
            })),
            reconcile::Verdict::Undecided { .. } => None,
        })
        .collect();
    let undecided = done
        .undecided()
        .filter_map(|j| match &j.verdict {
            reconcile::Verdict::Undecided {
                why,
                candidates,
                rivals,
            } => Some(UndecidedView {
                entry: (&j.entry).into(),
                why: serde_json::to_value(why)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                why_text: state.say(&why.text()),
                candidates: candidates.iter().map(Into::into).collect(),
                rivals: rivals.clone(),
            }),
            reconcile::Verdict::Settle { .. } => None,
        })
        .collect();
    let t = &report.totals;
    Ok(ReconcileView {
        provider: k.as_str().into(),
        account,
        from: range.from.to_string(),
        to: range.to.to_string(),
        demo,
        lines: count(done.lines.len()),
        matched: report.matched.iter().map(Into::into).collect(),
        resolvable,
        undecided,
        can_settle,
        journal_only: report.journal_only.iter().map(Into::into).collect(),
        statement_only: report.statement_only.iter().map(Into::into).collect(),
        totals: TotalsView {
            journal: (&t.journal).into(),
            statement: (&t.statement).into(),
            matched: (&t.matched).into(),
            journal_only: (&t.journal_only).into(),
            statement_only: (&t.statement_only).into(),
        },
    })
}

/// The settings to fetch with: saved ones, else the demo imitation at
/// the app's server, approved only when the whole bank is the in-process sandbox.
fn provider_settings(
    state: &Loket,
    ready: &crate::runtime::Ready,
    k: ProviderKind,
) -> Result<ProviderChoice> {
    statements::saved_or_demo(&state.data_dir, k, &ready.server, ready.sandbox)
        .map_err(|e| state.error(e))
}

/// Settles a transaction in doubt from the statement, approved by a
/// supervisor. The statement is fetched again here with the approved
/// settings (never lines the page names, never the cache another tool may
/// have filled), and the core's rule of evidence decides.
#[tauri::command]
#[specta::specta]
pub async fn resolve_from_statement(
    state: App<'_>,
    provider: String,
    from: String,
    to: String,
    sid: String,
    supervisor: String,
    password: String,
) -> Result<view::Transaction> {
    let ready = state.ready().await?;
    let approval = crate::receipts::approve(&state, &ready, supervisor, password).await?;
    let k = kind(&state, &provider)?;
    let range = range(&state, &from, &to)?;
    let choice = provider_settings(&state, &ready, k)?;
    if !choice.approved {
        return Err(state.error(TellerError::Input(words::text!(
            "simpan pengaturan penyedia (disetujui supervisor) dulu",
            "save the provider settings (supervisor-approved) first"
        ))));
    }
    let record = ready
        .teller
        .settle_from_fetched_statement(&state.data_dir, &choice.settings, range, &sid, &approval)
        .await
        .map_err(|e| state.error(e))?;
    Ok(record.into())
}

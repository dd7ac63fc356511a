//! The agent's bank statement, orchestrated once for both front ends:
//! which provider settings to fetch with (sealed and supervisor-approved,
//! or the sandbox's demo imitation), the window the rule of evidence needs,
//! fetch → cache (`statements.db`) → journal → reconcile → judge, and
//! settling the doubts the rule settles. The desktop and the CLI only parse
//! their arguments, call these, and present the result.

use std::path::Path;

use chrono::NaiveDate;
use mutasi::cache::{StatementCache, Via};
use mutasi::{
    BankRayaSettings, BriSettings, DateRange, MootaSettings, MutasibankSettings, ProviderKind,
    ProviderSettings, ProviderStore, Secret, StatementLine,
};
use reconcile::{Judgement, Verdict, Why};

use crate::{Result, SupervisorApproval, Teller, TellerError};

/// The file in the data directory that keeps every fetched line.
pub const CACHE_FILE: &str = "statements.db";

/// The sandbox's demo credentials for a provider whose imitation answers at `base`.
pub fn demo_settings(kind: ProviderKind, base: &str) -> ProviderSettings {
    use sandbox::demo;
    match kind {
        ProviderKind::Mutasibank => ProviderSettings::Mutasibank(MutasibankSettings {
            base_url: base.into(),
            token: Secret::new(demo::MUTASIBANK_TOKEN),
            webhook_secret: Some(Secret::new(demo::MUTASIBANK_WEBHOOK_SECRET)),
        }),
        ProviderKind::Moota => ProviderSettings::Moota(MootaSettings {
            base_url: base.into(),
            token: Secret::new(demo::MOOTA_TOKEN),
            bank: None,
        }),
        ProviderKind::Bri => ProviderSettings::Bri(BriSettings {
            base_url: base.into(),
            client_id: demo::BRI_CLIENT_ID.into(),
            client_secret: Secret::new(demo::BRI_CLIENT_SECRET),
        }),
        ProviderKind::Bankraya => ProviderSettings::Bankraya(BankRayaSettings {
            base_url: base.into(),
            client_id: demo::BANKRAYA_CLIENT_ID.into(),
            client_secret: Secret::new(demo::BANKRAYA_CLIENT_SECRET),
            private_key_pem: Secret::new(demo::BANKRAYA_PRIVATE_KEY_PEM),
            channel_id: demo::BANKRAYA_CHANNEL_ID.into(),
        }),
    }
}

/// The settings a statement is fetched with, and what they allow.
pub struct ProviderChoice {
    pub settings: ProviderSettings,
    /// Nothing is saved: the sandbox's demo imitation answers.
    pub demo: bool,
    /// A settlement may rest on these: saved (a supervisor approved them),
    /// or the demo imitation while the whole bank is the in-process sandbox.
    pub approved: bool,
}

/// The saved settings for `kind` in `data_dir`, else the demo imitation at
/// `demo_base`, approved only when `whole_bank_is_sandbox`.
pub fn saved_or_demo(
    data_dir: &Path,
    kind: ProviderKind,
    demo_base: &str,
    whole_bank_is_sandbox: bool,
) -> Result<ProviderChoice> {
    Ok(match ProviderStore::new(data_dir).get(kind)? {
        Some(settings) => ProviderChoice {
            settings,
            demo: false,
            approved: true,
        },
        None => ProviderChoice {
            settings: demo_settings(kind, demo_base),
            demo: true,
            approved: whole_bank_is_sandbox,
        },
    })
}

/// Today in WIB.
pub fn today_wib() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&mutasi::wib())
        .date_naive()
}

/// The days to fetch so the rule of evidence sees every line a
/// transaction of `range` may have: the day before (clock skew) to
/// [`reconcile::Options::after`] after (banks book late), never past today.
pub fn evidence_window(range: DateRange) -> DateRange {
    DateRange {
        from: range.from - chrono::Duration::days(1),
        to: (range.to + reconcile::Options::default().after)
            .min(today_wib())
            .max(range.to),
    }
}

/// Fetches one statement (progress on `progress`) and keeps every line in
/// the data directory's cache.
pub async fn fetch_and_cache(
    data_dir: &Path,
    settings: &ProviderSettings,
    account: &str,
    range: DateRange,
    progress: mutasi::ProgressFn<'_>,
) -> Result<Vec<StatementLine>> {
    let kind = settings.kind();
    let source = mutasi::source(settings)?;
    let lines = source.fetch(account, range, progress).await?;
    let cache = StatementCache::open(&data_dir.join(CACHE_FILE))?;
    let stored = cache.store(&lines, Via::Fetch)?;
    tracing::info!(provider = %kind, new = stored.new, known = stored.known, "statement cached");
    Ok(lines)
}

/// A statement paired with the journal of the days asked for.
pub struct Reconciliation {
    /// The days asked for.
    pub range: DateRange,
    /// The days fetched ([`evidence_window`]).
    pub fetched: DateRange,
    /// Every line fetched (the whole window).
    pub lines: Vec<StatementLine>,
    /// Pairs, journal-only rows and statement-only lines of `range`.
    pub report: reconcile::Report,
    /// The rule of evidence on the doubts of `range`; empty unless the
    /// statement is of the agent's own account.
    pub judgements: Vec<Judgement>,
}

impl Reconciliation {
    /// Doubts the rule settles: a supervisor may settle them from the statement.
    pub fn settles(&self) -> impl Iterator<Item = &Judgement> {
        self.judgements.iter().filter(|j| j.settles())
    }

    /// Doubts with lines that could be theirs but may be another's: for
    /// the supervisor (a doubt with no line at all is not listed).
    pub fn undecided(&self) -> impl Iterator<Item = &Judgement> {
        self.judgements.iter().filter(|j| {
            !j.settles()
                && !matches!(
                    j.verdict,
                    Verdict::Undecided {
                        why: Why::NoLine,
                        ..
                    }
                )
        })
    }
}

impl Teller {
    /// The account this terminal is bound to: the logged-in agent's own.
    pub async fn own_account(&self) -> Result<String> {
        Ok(self.agent_balance().await?.account_number)
    }

    /// Fetches `account`'s statement for the evidence window of `range`,
    /// caches it, and reconciles it with the journal of `range`'s WIB days.
    /// `own` is the agent's own account when known: only its statement is
    /// judged by the rule of evidence.
    pub async fn reconcile_statement(
        &self,
        data_dir: &Path,
        settings: &ProviderSettings,
        account: &str,
        own: Option<&str>,
        range: DateRange,
        progress: mutasi::ProgressFn<'_>,
    ) -> Result<Reconciliation> {
        let fetched = evidence_window(range);
        let lines = fetch_and_cache(data_dir, settings, account, fetched, progress).await?;
        let (lo, hi) = range.utc_bounds();
        let records = self
            .journal()
            .between(lo, hi)
            .map_err(TellerError::Journal)?;
        let mut report = reconcile::reconcile(&records, &lines, &reconcile::Options::default());
        // Lines outside the days asked for that pair with nothing are other days' business.
        report
            .statement_only
            .retain(|l| l.posted_at >= lo && l.posted_at < hi);
        // Another account's statement settles nothing.
        let judgements = match own {
            Some(o) if reconcile::same_account(account, o) => self
                .judge_statement(&lines, o)?
                .into_iter()
                .filter(|j| j.entry.created_at >= lo && j.entry.created_at < hi)
                .collect(),
            _ => Vec::new(),
        };
        Ok(Reconciliation {
            range,
            fetched,
            lines,
            report,
            judgements,
        })
    }

    /// Settles the doubt `sid` from the agent's own statement, fetched here
    /// again with `settings` (approved ones: never lines a caller names,
    /// never the cache another tool may have filled); the rule of evidence decides.
    pub async fn settle_from_fetched_statement(
        &self,
        data_dir: &Path,
        settings: &ProviderSettings,
        range: DateRange,
        sid: &str,
        approval: &SupervisorApproval,
    ) -> Result<journal::TransactionRecord> {
        let own = self.own_account().await?;
        let lines = fetch_and_cache(
            data_dir,
            settings,
            &own,
            evidence_window(range),
            &mutasi::no_progress,
        )
        .await?;
        self.resolve_from_statement(sid, &lines, &own, approval)
    }
}

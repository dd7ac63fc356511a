//! The teller core shared by the desktop app and the `loket` CLI: the
//! session, and every teller operation as a flow that writes the journal
//! before each step that leaves the machine.
//!
//! A money flow is two calls: a *quote* (issues the sid, records the draft,
//! asks the bank who the destination is and what it costs) and *pay* (PIN,
//! then one payment request, never re-sent). A payment whose answer is lost
//! is `unknown` until [`Teller::check`], a statement line or a supervisor
//! settles it; a new payment to the same destination for the same amount is
//! held meanwhile.
//!
//! Supervisor actions (resolving a transaction in doubt, reversing, printing
//! a copy of a receipt) take a [`SupervisorApproval`], which only
//! [`Supervisors::verify`] hands out; the journal records who authorized them.

pub mod data_dir;
mod error;
mod evidence;
pub mod images;
pub mod settings;
pub mod statements;
mod validate;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bankplus::{
    AccountInfo, AgentProfile, BankplusClient, ClientConfig, DepositOrder, OpenAccountForm,
    Password, Pin, Role, Session, Sid, SwitcherClient, TransferOrder,
};
use journal::{
    Destination, Journal, JournalError, Kind, NewTransaction, Resolution, State, StepFacts,
    TransactionRecord,
};
use money::Rupiah;
use serde::Serialize;
use words::{text, Say, Text};

pub use error::{Lang, Result, TellerError};
pub use settings::{Settings, SettingsDamaged};
pub use supervisor::{
    AgentCheck, AgentPasswordWitness, SupervisorApproval, SupervisorError, SupervisorInfo,
    SupervisorPassword, Supervisors,
};
pub use validate::{
    check_master_codes, mask_account, mask_ktp, validate_open_account, validate_open_account_at,
    MasterLists,
};

/// The home bank's code as Bank+ writes it in replies.
const HOME_BANK: &str = "BNI";

/// Where the terminal talks to.
#[derive(Debug, Clone)]
pub struct TellerConfig {
    /// Bank+ origin (paths `/bankplus/...`).
    pub server: String,
    /// Switcher origin, if one is reachable.
    pub switcher: Option<String>,
    pub timeout: Duration,
}

/// A quote the agent confirms before entering the PIN.
#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    pub sid: String,
    pub kind: Kind,
    pub destination: Destination,
    pub amount: Rupiah,
    pub admin_fee: Rupiah,
    pub total: Rupiah,
    /// The total in words.
    pub terbilang: String,
    /// An earlier transaction like this one that is still in doubt: paying
    /// will be refused unless a supervisor overrides.
    pub in_doubt: Option<String>,
}

/// How a payment ended: `record.state` is succeeded, failed or unknown.
#[derive(Debug)]
pub struct PaymentOutcome {
    pub record: TransactionRecord,
    /// Why it failed or is unknown.
    pub error: Option<TellerError>,
}

/// What start-up recovery found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecoveryReport {
    /// Left `sending` by a crash: now `unknown`.
    pub in_doubt: Vec<String>,
    /// Settled by the switcher right away.
    pub settled: Vec<(String, State)>,
}

/// A deposit form as the agent fills it.
#[derive(Debug, Clone, Default)]
pub struct DepositForm {
    pub to_account: String,
    pub amount: Rupiah,
    /// Without a name, the name comes from a check-account inquiry.
    pub name: Option<String>,
    pub narration: Option<String>,
}

/// What `pay` needs beyond the journal row (kept in memory only).
enum Pending {
    Deposit(DepositOrder),
    Transfer(TransferOrder),
    OpenAccount(Box<OpenAccountForm>),
}

struct Active {
    session: Session,
    profile: AgentProfile,
}

/// One terminal: a Bank+ client, maybe a switcher, the journal, and the
/// logged-in agent.
pub struct Teller {
    client: BankplusClient,
    switcher: Option<SwitcherClient>,
    journal: Arc<Journal>,
    active: Mutex<Option<Active>>,
    pending: Mutex<HashMap<String, Pending>>,
    /// How long after a request left a switcher "refnum not found" may be
    /// believed; see [`Teller::check`].
    check_settle: Duration,
}

/// Added to the payment timeout for the default settle time: the bank may
/// record a request a little after the terminal stopped waiting for it.
pub const CHECK_SETTLE_MARGIN: Duration = Duration::from_secs(120);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere never leaves these maps half-written: take them as they are.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn sid_of(text: &str) -> Result<Sid> {
    Sid::parse(text).map_err(|e| TellerError::Input(e.say()))
}

fn account(text: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() || t.len() > 20 || !t.bytes().all(|b| b.is_ascii_digit()) {
        let t = money::preview(t);
        return Err(TellerError::Input(text!(
            "nomor rekening {t:?} harus berupa angka",
            "the account number {t:?} must be digits"
        )));
    }
    Ok(t.to_owned())
}

fn positive_whole(amount: Rupiah) -> Result<Rupiah> {
    if !amount.is_positive() || amount.whole_rupiah().is_none() {
        return Err(TellerError::Input(text!(
            "nominal {amount} harus lebih dari Rp0 tanpa sen",
            "the amount {amount} must be more than Rp0, whole rupiah"
        )));
    }
    // One domain ceiling for every quote (deposit, transfers, first deposit),
    // so no absurd amount is journaled, sent, or summed into an overflow.
    if !amount.within_transaction_limit() {
        let limit = Rupiah::MAX_TRANSACTION;
        return Err(TellerError::Input(text!(
            "nominal {amount} melebihi batas {limit} per transaksi",
            "the amount {amount} exceeds the limit of {limit} per transaction"
        )));
    }
    Ok(amount)
}

impl Teller {
    pub fn new(config: &TellerConfig, journal: Arc<Journal>) -> Result<Teller> {
        let mut client_config = ClientConfig::new(config.server.clone());
        client_config.timeout = config.timeout;
        let client = BankplusClient::new(client_config)?;
        let switcher = match &config.switcher {
            Some(url) => Some(SwitcherClient::new(url, config.timeout)?),
            None => None,
        };
        Ok(Teller {
            client,
            switcher,
            journal,
            active: Mutex::new(None),
            pending: Mutex::new(HashMap::new()),
            check_settle: config.timeout + CHECK_SETTLE_MARGIN,
        })
    }

    /// Sets how long after a request left the switcher's "refnum not
    /// found" counts as "never booked" (default: the payment timeout plus
    /// [`CHECK_SETTLE_MARGIN`]).
    pub fn with_check_settle(mut self, settle: Duration) -> Teller {
        self.check_settle = settle;
        self
    }

    /// See [`Teller::with_check_settle`].
    pub fn check_settle(&self) -> Duration {
        self.check_settle
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    pub fn has_switcher(&self) -> bool {
        self.switcher.is_some()
    }

    /// Logs in; the session stays in memory only.
    pub async fn login(&self, username: &str, password: &Password) -> Result<AgentProfile> {
        let login = self.client.login(username.trim(), password).await?;
        let profile = login.profile.clone();
        *lock(&self.active) = Some(Active {
            session: login.session,
            profile: login.profile,
        });
        Ok(profile)
    }

    /// Logs out and forgets the session, even if the server is unreachable.
    pub async fn logout(&self) -> Result<()> {
        let active = lock(&self.active).take();
        match active {
            Some(a) => match self.client.logout(&a.session).await {
                Ok(()) | Err(bankplus::Error::SessionExpired) => Ok(()),
                Err(e) => Err(e.into()),
            },
            None => Ok(()),
        }
    }

    pub fn profile(&self) -> Option<AgentProfile> {
        lock(&self.active).as_ref().map(|a| a.profile.clone())
    }

    fn session(&self) -> Result<(Session, AgentProfile)> {
        lock(&self.active)
            .as_ref()
            .map(|a| (a.session.clone(), a.profile.clone()))
            .ok_or(TellerError::NotLoggedIn)
    }

    fn agent(&self) -> Result<(Session, AgentProfile)> {
        let (s, p) = self.session()?;
        if p.role != Role::Agent {
            return Err(TellerError::AgentsOnly);
        }
        Ok((s, p))
    }

    /// Forgets the session when the bank says it is gone, so the caller logs in again.
    fn note_expiry<T>(&self, r: std::result::Result<T, bankplus::Error>) -> Result<T> {
        if matches!(r, Err(bankplus::Error::SessionExpired)) {
            lock(&self.active).take();
        }
        r.map_err(Into::into)
    }

    // ---- Plain reads (not journaled) ----

    pub async fn banks(&self) -> Result<Vec<bankplus::Bank>> {
        let (s, _) = self.session()?;
        self.note_expiry(self.client.banks(&s).await)
    }

    pub async fn dashboard(
        &self,
        which: bankplus::Dashboard,
        month: Option<&str>,
    ) -> Result<Vec<bankplus::GraphPoint>> {
        let (s, _) = self.session()?;
        match self.client.dashboard(&s, which, month).await {
            // No data for a month is an empty graph, not an error.
            Err(bankplus::Error::NotFound { .. }) => Ok(Vec::new()),
            other => self.note_expiry(other),
        }
    }

    pub async fn master_list(
        &self,
        which: bankplus::MasterList,
    ) -> Result<Vec<bankplus::MasterItem>> {
        let (s, _) = self.session()?;
        self.note_expiry(self.client.master_list(&s, which).await)
    }

    pub async fn postal_codes(&self, region: &bankplus::Region) -> Result<Vec<String>> {
        let (s, _) = self.session()?;
        match self.client.postal_codes(&s, region).await {
            Err(bankplus::Error::NotFound { .. }) => Ok(Vec::new()),
            other => self.note_expiry(other),
        }
    }

    pub async fn change_password(&self, old: &Password, new: &Password) -> Result<()> {
        let (s, _) = self.session()?;
        if new.is_empty() {
            return Err(TellerError::Input(text!(
                "password baru kosong",
                "the new password is empty"
            )));
        }
        self.note_expiry(self.client.change_password(&s, old, new).await)
    }

    // ---- Inquiries (journaled, no money) ----

    fn new_row(&self, kind: Kind, profile: &AgentProfile) -> NewTransaction {
        NewTransaction {
            kind: Some(kind),
            operator: profile.username.clone(),
            agent_code: profile.agent_code.0.clone(),
            ..NewTransaction::default()
        }
    }

    /// Runs a journaled inquiry: draft -> sending -> succeeded | failed | unknown.
    async fn journaled_inquiry<F, Fut>(
        &self,
        kind: Kind,
        dest_account: Option<String>,
        call: F,
    ) -> Result<AccountInfo>
    where
        F: FnOnce(Session, Sid) -> Fut,
        Fut: std::future::Future<Output = std::result::Result<AccountInfo, bankplus::Error>>,
    {
        let (session, profile) = self.agent()?;
        let mut row = self.new_row(kind, &profile);
        row.destination = Destination {
            bank_code: Some(HOME_BANK.into()),
            account_number: dest_account,
            ..Destination::default()
        };
        let sid = self.journal.begin(row)?;
        let actor = profile.username.as_str();
        self.journal.step(
            &sid,
            State::Draft,
            State::Sending,
            actor,
            None,
            StepFacts::default(),
        )?;
        let result = call(session, sid_of(&sid)?).await;
        match &result {
            Ok(info) => {
                self.journal.step(
                    &sid,
                    State::Sending,
                    State::Succeeded,
                    actor,
                    None,
                    StepFacts {
                        destination: Some(Destination {
                            bank_code: info.bank_code.clone(),
                            bank_name: None,
                            account_number: Some(info.account_number.clone()),
                            account_name: Some(info.account_name.clone()),
                        }),
                        bank_reference: info.reference.clone(),
                        bank_code: Some("00".into()),
                        ..StepFacts::default()
                    },
                )?;
            }
            Err(e) => {
                // An inquiry moves no money: without an answer it simply failed.
                self.journal.step(
                    &sid,
                    State::Sending,
                    State::Failed,
                    actor,
                    None,
                    failure_facts(e),
                )?;
            }
        }
        self.note_expiry(result)
    }

    /// `bsa/checkAccount`.
    pub async fn check_account(&self, account_number: &str) -> Result<AccountInfo> {
        let acct = account(account_number)?;
        let client = self.client.clone();
        let a = acct.clone();
        let info = self
            .journaled_inquiry(Kind::CheckAccount, Some(acct), move |s, sid| async move {
                client.check_account(&s, &sid, &a).await
            })
            .await?;
        // The bank's reply carries the holder's balance, but only the
        // customer-balance operation (with the customer's PIN) may show it:
        // drop it here so no front end can print another person's balance.
        Ok(AccountInfo {
            balance: None,
            ..info
        })
    }

    /// `bsa/customerbalance`, with the customer's PIN.
    pub async fn customer_balance(&self, account_number: &str, pin: &Pin) -> Result<AccountInfo> {
        let acct = account(account_number)?;
        let client = self.client.clone();
        let a = acct.clone();
        let pin = pin.clone();
        self.journaled_inquiry(
            Kind::CustomerBalance,
            Some(acct),
            move |s, sid| async move { client.customer_balance(&s, &sid, &a, &pin).await },
        )
        .await
    }

    /// `account/balance`: the agent's own account.
    pub async fn agent_balance(&self) -> Result<AccountInfo> {
        let client = self.client.clone();
        self.journaled_inquiry(Kind::AgentBalance, None, move |s, sid| async move {
            client.agent_balance(&s, &sid).await
        })
        .await
    }

    // ---- Money flows: quote, then pay ----

    fn doubt_like(
        &self,
        dest: &Destination,
        amount: Rupiah,
        except: Option<&str>,
    ) -> Result<Option<String>> {
        let Some(acct) = dest.account_number.as_deref() else {
            return Ok(None);
        };
        Ok(self
            .journal
            .in_doubt_like(dest.bank_code.as_deref(), acct, amount)?
            .map(|r| r.sid)
            .filter(|s| Some(s.as_str()) != except))
    }

    fn quote_of(&self, record: &TransactionRecord) -> Result<Quote> {
        let amount = record.amount.unwrap_or(Rupiah::ZERO);
        let admin_fee = record.admin_fee.unwrap_or(Rupiah::ZERO);
        let total = record.total.unwrap_or(amount);
        Ok(Quote {
            sid: record.sid.clone(),
            kind: record.kind,
            destination: record.destination.clone(),
            amount,
            admin_fee,
            total,
            terbilang: money::terbilang(total),
            in_doubt: self.doubt_like(&record.destination, amount, Some(&record.sid))?,
        })
    }

    /// Records a failed inquiry: a refusal is `failed`; no answer or an
    /// expired session is `cancelled` (an inquiry moves no money).
    fn inquiry_failed(&self, sid: &str, actor: &str, e: &bankplus::Error) -> Result<()> {
        let to = match e {
            bankplus::Error::Refused { .. }
            | bankplus::Error::InvalidPin { .. }
            | bankplus::Error::NotFound { .. } => State::Failed,
            _ => State::Cancelled,
        };
        self.journal.step(
            sid,
            State::Draft,
            to,
            actor,
            Some("inquiry"),
            failure_facts(e),
        )?;
        Ok(())
    }

    /// The error of a quote whose inquiry failed. No answer to an inquiry is
    /// not a payment in doubt (nothing was paid; the row is `cancelled`), so
    /// it is reported as [`TellerError::InquiryFailed`], never as `outcome_unknown()`.
    fn inquiry_error(&self, sid: &str, e: bankplus::Error) -> TellerError {
        if e.outcome_known() {
            if matches!(e, bankplus::Error::SessionExpired) {
                lock(&self.active).take();
            }
            return e.into();
        }
        TellerError::InquiryFailed {
            sid: sid.to_owned(),
            source: e,
        }
    }

    /// Deposit: checks the account (unless the name is given), records the draft.
    pub async fn quote_deposit(&self, form: &DepositForm) -> Result<Quote> {
        let (session, profile) = self.agent()?;
        let to = account(&form.to_account)?;
        let amount = positive_whole(form.amount)?;
        let narration = form
            .narration
            .clone()
            .unwrap_or_else(|| "Setor tunai".into());
        let mut row = self.new_row(Kind::Deposit, &profile);
        row.amount = Some(amount);
        row.admin_fee = Some(Rupiah::ZERO);
        row.narration = Some(narration.clone());
        row.destination = Destination {
            bank_code: Some(HOME_BANK.into()),
            bank_name: profile.bank_name.clone(),
            account_number: Some(to.clone()),
            account_name: form.name.clone(),
        };
        let sid = self.journal.begin(row)?;
        let actor = profile.username.clone();
        let name = match &form.name {
            Some(n) if !n.trim().is_empty() => n.trim().to_owned(),
            _ => {
                match self
                    .client
                    .check_account(&session, &sid_of(&sid)?, &to)
                    .await
                {
                    Ok(info) => {
                        // Not waited for: durable with the payment's write
                        // (see the journal's module docs).
                        self.journal.step_inquired(
                            &sid,
                            &actor,
                            StepFacts {
                                destination: Some(Destination {
                                    account_name: Some(info.account_name.clone()),
                                    ..Destination::default()
                                }),
                                ..StepFacts::default()
                            },
                        )?;
                        info.account_name
                    }
                    Err(e) => {
                        self.inquiry_failed(&sid, &actor, &e)?;
                        return Err(self.inquiry_error(&sid, e));
                    }
                }
            }
        };
        lock(&self.pending).insert(
            sid.clone(),
            Pending::Deposit(DepositOrder {
                to_account: to,
                name,
                amount,
                narration,
            }),
        );
        let record = self.record(&sid)?;
        self.quote_of(&record)
    }

    /// Intrabank (same bank) transfer inquiry.
    pub async fn quote_intrabank(&self, to_account: &str, amount: Rupiah) -> Result<Quote> {
        self.quote_transfer(None, to_account, amount).await
    }

    /// Interbank transfer inquiry to `bank_code` (from `bank/list`).
    pub async fn quote_interbank(
        &self,
        bank_code: &str,
        to_account: &str,
        amount: Rupiah,
    ) -> Result<Quote> {
        let bank = bank_code.trim();
        if bank.is_empty() || !bank.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TellerError::Input(text!(
                "kode bank {bank:?} tidak dikenal",
                "unknown bank code {bank:?}"
            )));
        }
        self.quote_transfer(Some(bank.to_owned()), to_account, amount)
            .await
    }

    async fn quote_transfer(
        &self,
        bank: Option<String>,
        to_account: &str,
        amount: Rupiah,
    ) -> Result<Quote> {
        let (session, profile) = self.agent()?;
        let to = account(to_account)?;
        let amount = positive_whole(amount)?;
        let kind = if bank.is_some() {
            Kind::InterbankTransfer
        } else {
            Kind::IntrabankTransfer
        };
        let mut row = self.new_row(kind, &profile);
        row.amount = Some(amount);
        row.destination = Destination {
            bank_code: Some(bank.clone().unwrap_or_else(|| HOME_BANK.into())),
            account_number: Some(to.clone()),
            ..Destination::default()
        };
        let sid = self.journal.begin(row)?;
        let actor = profile.username.clone();
        let sid_typed = sid_of(&sid)?;
        let quote = match &bank {
            None => {
                self.client
                    .intrabank_inquiry(&session, &sid_typed, &to)
                    .await
            }
            Some(code) => {
                self.client
                    .interbank_inquiry(&session, &sid_typed, code, &to)
                    .await
            }
        };
        let quote = match quote {
            Ok(q) => q,
            Err(e) => {
                self.inquiry_failed(&sid, &actor, &e)?;
                return Err(self.inquiry_error(&sid, e));
            }
        };
        // Not waited for: durable with the payment's write (see the
        // journal's module docs).
        self.journal.step_inquired(
            &sid,
            &actor,
            StepFacts {
                admin_fee: Some(quote.admin_fee),
                amount: Some(amount),
                inquiry_ref: quote.transaction_id.clone(),
                destination: Some(Destination {
                    bank_code: bank.clone().or_else(|| quote.bank_code.clone()),
                    bank_name: quote
                        .bank_name
                        .clone()
                        .or_else(|| profile.bank_name.clone()),
                    account_number: Some(quote.account_number.clone()),
                    account_name: Some(quote.account_name.clone()),
                }),
                ..StepFacts::default()
            },
        )?;
        lock(&self.pending).insert(
            sid.clone(),
            Pending::Transfer(TransferOrder {
                account_number: quote.account_number,
                account_name: quote.account_name,
                amount,
                admin_fee: quote.admin_fee,
                bank_code: bank.or(quote.bank_code),
                bank_name: quote.bank_name,
                transaction_id: quote.transaction_id,
            }),
        );
        let record = self.record(&sid)?;
        self.quote_of(&record)
    }

    /// Open account: validates the form and records the draft. Of the
    /// customer's identity the journal keeps only the name and a masked KTP.
    pub async fn quote_open_account(&self, form: &OpenAccountForm) -> Result<Quote> {
        let (session, profile) = self.agent()?;
        validate_open_account(form).map_err(TellerError::Input)?;
        let deposit = Rupiah::parse_input(&form.deposit)
            .map_err(|e| TellerError::Input(text!("setoran awal: {e}", "first deposit: {e}"; e)))?;
        let deposit = positive_whole(deposit)?;
        // The chosen codes must be in the bank's own lists (read-only calls,
        // before anything is journaled or sent).
        use bankplus::MasterList as M;
        let mut lists = MasterLists::default();
        for (which, into) in [
            (M::Jobs, &mut lists.jobs),
            (M::Educations, &mut lists.educations),
            (M::Salaries, &mut lists.salaries),
            (M::TransactionRanges, &mut lists.transaction_ranges),
        ] {
            *into = self.note_expiry(self.client.master_list(&session, which).await)?;
        }
        check_master_codes(form, &lists).map_err(TellerError::Input)?;
        let mut row = self.new_row(Kind::OpenAccount, &profile);
        row.amount = Some(deposit);
        row.admin_fee = Some(Rupiah::ZERO);
        row.narration = Some(format!("KTP {}", mask_ktp(&form.ktp)));
        row.destination = Destination {
            bank_code: Some(HOME_BANK.into()),
            bank_name: profile.bank_name.clone(),
            account_number: None,
            account_name: Some(form.name.trim().to_owned()),
        };
        let sid = self.journal.begin(row)?;
        lock(&self.pending).insert(sid.clone(), Pending::OpenAccount(Box::new(form.clone())));
        let record = self.record(&sid)?;
        self.quote_of(&record)
    }

    /// The agent walked away from a quote.
    pub fn cancel(&self, sid: &str, actor: &str) -> Result<()> {
        let record = self.record(sid)?;
        lock(&self.pending).remove(sid);
        match record.state {
            State::Draft | State::Inquired | State::Authorized => {
                self.journal.step(
                    sid,
                    record.state,
                    State::Cancelled,
                    actor,
                    Some("cancelled"),
                    StepFacts::default(),
                )?;
                Ok(())
            }
            state => Err(TellerError::WrongState {
                sid: sid.into(),
                state,
            }),
        }
    }

    fn record(&self, sid: &str) -> Result<TransactionRecord> {
        self.journal
            .get(sid)?
            .ok_or_else(|| TellerError::NoSuchTransaction(sid.to_owned()))
    }

    /// Pays a quote with the agent's PIN: exactly one payment request. A
    /// transaction like one still in doubt is refused unless `override_reason`
    /// (a supervisor's decision) is given, which is journaled.
    pub async fn pay(
        &self,
        sid: &str,
        pin: &Pin,
        override_reason: Option<&str>,
    ) -> Result<PaymentOutcome> {
        let (session, profile) = self.agent()?;
        let record = self.record(sid)?;
        if !matches!(record.state, State::Draft | State::Inquired) {
            return Err(TellerError::WrongState {
                sid: sid.into(),
                state: record.state,
            });
        }
        let actor = profile.username.clone();
        let amount = record.amount.unwrap_or(Rupiah::ZERO);
        let mut note = None;
        let mut overridden = None;
        // The doubts in sight now are the ones a supervisor's override is
        // for (the quote just showed them); it covers no other.
        let mut approved: Vec<String> = Vec::new();
        if let Some(account_number) = record.destination.account_number.as_deref() {
            let doubts: Vec<String> = self
                .journal
                .all_in_doubt_like(&journal::Hold {
                    bank_code: record.destination.bank_code.as_deref(),
                    account_number,
                    amount,
                    approved: &[],
                })?
                .into_iter()
                .filter(|d| d != sid)
                .collect();
            if let Some(first) = doubts.first().cloned() {
                match override_reason.map(str::trim).filter(|r| !r.is_empty()) {
                    None => return Err(TellerError::HeldByDoubt { sid: first }),
                    Some(reason) => {
                        let all = doubts.join(", ");
                        let verb = if doubts.len() == 1 { "is" } else { "are" };
                        note = Some(format!(
                            "override: allowed although {all} {verb} in doubt: {reason}"
                        ));
                        overridden = Some(first);
                        approved = doubts;
                    }
                }
            }
        }
        let pending = lock(&self.pending).remove(sid);
        let Some(pending) = pending else {
            return Err(TellerError::Input(text!(
                "transaksi {sid} perlu diulang dari awal",
                "transaction {sid} must be started again"
            )));
        };
        // The last write before the request leaves, `authorized` and
        // `sending` in one durable transaction: after this, a crash means
        // "unknown".
        // The hold is decided again inside that write: the check above is a
        // read, and another process may have sent the same payment since.
        // A supervisor's override skips only the doubts it was given for:
        // a payment another process put on its way since still holds.
        let hold = record
            .destination
            .account_number
            .as_deref()
            .map(|account_number| journal::Hold {
                bank_code: record.destination.bank_code.as_deref(),
                account_number,
                amount,
                approved: &approved,
            });
        match self.journal.authorize_and_send(
            sid,
            record.state,
            &actor,
            note.as_deref(),
            StepFacts {
                override_of: overridden.clone(),
                ..StepFacts::default()
            },
            hold,
        )? {
            journal::Authorized::Sending(_) => {}
            journal::Authorized::HeldBy(doubt) => {
                // The order stays payable: the agent may wait for the other
                // payment, or a supervisor may override.
                lock(&self.pending).insert(sid.to_owned(), pending);
                return Err(TellerError::HeldByDoubt { sid: doubt });
            }
        }
        let sid_typed = sid_of(sid)?;
        let result: std::result::Result<StepFacts, bankplus::Error> = match &pending {
            Pending::Deposit(order) => self
                .client
                .deposit(&session, &sid_typed, order, pin)
                .await
                .map(|d| StepFacts {
                    amount: Some(d.amount),
                    replied_fee: Some(d.admin_fee),
                    replied_total: Some(d.total),
                    bank_code: Some("00".into()),
                    bank_message: Some(d.message),
                    destination: Some(Destination {
                        account_name: Some(d.account_name),
                        ..Destination::default()
                    }),
                    ..StepFacts::default()
                }),
            Pending::Transfer(order) => {
                let paid = if record.kind == Kind::InterbankTransfer {
                    self.client
                        .interbank_payment(&session, &sid_typed, order, pin)
                        .await
                } else {
                    self.client
                        .intrabank_payment(&session, &sid_typed, order, pin)
                        .await
                };
                // The reply's fee and total are kept beside the quote's; the
                // journal counts the larger as what left the agent.
                paid.map(|d| StepFacts {
                    amount: Some(d.amount),
                    replied_fee: Some(d.admin_fee),
                    replied_total: Some(d.total),
                    bank_code: Some("00".into()),
                    bank_message: Some(d.message),
                    ..StepFacts::default()
                })
            }
            Pending::OpenAccount(form) => self
                .client
                .open_account(&session, &sid_typed, form, pin)
                .await
                .map(|o| StepFacts {
                    amount: o.first_deposit,
                    bank_code: Some("00".into()),
                    bank_reference: o.reference,
                    destination: Some(Destination {
                        account_number: Some(o.account_number),
                        account_name: Some(o.account_name),
                        ..Destination::default()
                    }),
                    ..StepFacts::default()
                }),
        };
        let (to, facts, error) = match result {
            Ok(facts) => (State::Succeeded, facts, None),
            Err(e) => {
                let to = if e.outcome_known() {
                    State::Failed
                } else {
                    State::Unknown
                };
                (to, failure_facts(&e), Some(e))
            }
        };
        // The request has left: from here on, a journal that cannot record
        // the outcome must never make it look refused. The row stays
        // `sending`, owned by this live process; once it exits, recovery
        // elsewhere makes it `unknown`.
        let record = match self
            .journal
            .step(sid, State::Sending, to, &actor, None, facts)
        {
            Ok(record) => record,
            Err(e) => {
                tracing::error!(sid, error = %e, "payment outcome not recorded");
                return Err(TellerError::UnrecordedOutcome {
                    sid: sid.to_owned(),
                    detail: e.say(),
                });
            }
        };
        if matches!(error, Some(bankplus::Error::SessionExpired)) {
            lock(&self.active).take();
        }
        Ok(PaymentOutcome {
            record,
            error: error.map(Into::into),
        })
    }

    // ---- Settling doubt, reversals, recovery ----

    /// Asks the switcher what became of a transaction in doubt and records
    /// the answer. Returns the row as it now stands.
    ///
    /// Only a booked answer, or the switcher's documented answer for an
    /// unknown refnum (`-1` "refnum provided was not found") given once
    /// [`Teller::check_settle`] has passed since the request left, settles
    /// the doubt. Any other refusal, or "not found" too early (the request
    /// may still be on its way), leaves the row `unknown` and returns
    /// [`TellerError::CheckLater`].
    ///
    /// A row recorded `failed` that the switcher reports booked is corrected
    /// (`failed -> succeeded`, its own `correction` event, flagged for a
    /// supervisor): the switcher's word is never ignored.
    pub async fn check(&self, sid: &str, actor: &str) -> Result<TransactionRecord> {
        let mut record = self.record(sid)?;
        // A row whose sender died mid-send (kill -9, a power cut of that
        // process) after this process's own start-up recovery: it is in
        // doubt now, and the switcher can settle it. Left alone, a
        // long-running app said "being sent" of it until its next start.
        if matches!(record.state, State::Authorized | State::Sending)
            && self.journal.recover_row(sid, actor)?
        {
            record = self.record(sid)?;
            if record.state == State::Cancelled {
                return Ok(record);
            }
        }
        // A row on its way (another live process is sending it; start-up
        // recovery never takes a live owner's row) is answered by its
        // sender. The switcher's "not found" now would only mean "not yet".
        if matches!(record.state, State::Authorized | State::Sending) {
            return Err(TellerError::CheckLater {
                sid: sid.to_owned(),
                why: text!(
                    "transaksi ini sedang dikirim (mungkin oleh jendela/proses lain)",
                    "this transaction is being sent (perhaps by another window or process)"
                ),
            });
        }
        let switcher = self.switcher.as_ref().ok_or(TellerError::NoSwitcher)?;
        let answer = switcher.check(&sid_of(sid)?).await;
        match self.weigh_check(sid, actor, record, answer.clone()) {
            // Another process (the app and the CLI share one journal; a
            // supervisor resolving) moved the row between our read and our
            // write: the switcher's answer is weighed again against the row
            // as it now is, so a booked answer still corrects a "failed".
            Err(TellerError::Journal(JournalError::BadTransition { .. })) => {
                let now = self.record(sid)?;
                match self.weigh_check(sid, actor, now, answer) {
                    Err(TellerError::Journal(JournalError::BadTransition { .. })) => {
                        Err(TellerError::CheckLater {
                            sid: sid.to_owned(),
                            why: text!(
                                "baris berubah saat dicek; cek lagi",
                                "the row changed while being checked; check again"
                            ),
                        })
                    }
                    other => other,
                }
            }
            other => other,
        }
    }

    /// The part of [`Teller::check`] after the switcher answered: what its
    /// answer means for the row as read.
    fn weigh_check(
        &self,
        sid: &str,
        actor: &str,
        record: TransactionRecord,
        answer: std::result::Result<bankplus::SwitcherTransfer, bankplus::Error>,
    ) -> Result<TransactionRecord> {
        let booked_facts = |t: &bankplus::SwitcherTransfer| StepFacts {
            resolution: Some(Resolution::Switcher),
            bank_reference: t.journal.clone(),
            bank_code: Some("00".into()),
            bank_message: t.info.clone().or(Some(t.message.clone())),
            ..StepFacts::default()
        };
        match record.state {
            State::Unknown => {}
            State::Failed => {
                // A booked answer proves the recorded failure wrong, if it is
                // about this transaction.
                return match answer {
                    Ok(t) if disagreement(&record, sid, &t).is_some() => {
                        Err(TellerError::Contradiction {
                            sid: sid.to_owned(),
                            why: disagreement(&record, sid, &t).unwrap_or_default(),
                        })
                    }
                    Ok(t) => {
                        let evidence = format!(
                            "switcher check: booked ({})",
                            t.info.as_deref().unwrap_or(&t.message)
                        );
                        Ok(self.journal.correct_failed_to_succeeded(
                            sid,
                            actor,
                            &evidence,
                            booked_facts(&t),
                        )?)
                    }
                    Err(_) => Ok(record),
                };
            }
            _ => {
                // Nothing to settle; the answer is only informative, but one
                // that contradicts a settled row is said loudly (a reversal
                // answered 00 that the switcher does not know, a row it
                // calls reversed that the journal does not).
                let why = match &answer {
                    Ok(t) => disagreement(&record, sid, t).or_else(|| {
                        let says_reversed = t.info.as_deref().map(says_reversed);
                        (record.state == State::Reversed && says_reversed == Some(false)).then(
                            || {
                                let info = shown(t.info.as_deref().unwrap_or_default());
                                text!(
                                    "switcher menyebut transaksi ini \"{info}\", bukan dibatalkan",
                                    "the switcher calls it \"{info}\", not reversed"
                                )
                            },
                        )
                    }),
                    Err(bankplus::Error::Refused { code, message, .. })
                        if refnum_unknown(code, message)
                            && matches!(record.state, State::Succeeded | State::Reversed) =>
                    {
                        Some(text!(
                            "switcher tidak mengenal refnum ini, padahal jurnal mencatatnya berhasil",
                            "the switcher does not know this refnum, but the journal records it as done"
                        ))
                    }
                    Err(_) => None,
                };
                if let Some(why) = why {
                    return Err(TellerError::Contradiction {
                        sid: sid.to_owned(),
                        why,
                    });
                }
                answer.map_err(TellerError::from)?;
                return Ok(record);
            }
        }
        self.settle_checked(sid, actor, &record, answer, booked_facts)
    }

    /// The part of [`Teller::check`] that records the switcher's answer on a row in doubt.
    fn settle_checked(
        &self,
        sid: &str,
        actor: &str,
        record: &TransactionRecord,
        answer: std::result::Result<bankplus::SwitcherTransfer, bankplus::Error>,
        booked_facts: impl Fn(&bankplus::SwitcherTransfer) -> StepFacts,
    ) -> Result<TransactionRecord> {
        match answer {
            Ok(t) if disagreement(record, sid, &t).is_some() => Err(TellerError::Contradiction {
                sid: sid.to_owned(),
                why: disagreement(record, sid, &t).unwrap_or_default(),
            }),
            Ok(t) => Ok(self.journal.step(
                sid,
                State::Unknown,
                State::Succeeded,
                actor,
                Some(&format!(
                    "switcher check: {}",
                    t.info.as_deref().unwrap_or(&t.message)
                )),
                booked_facts(&t),
            )?),
            Err(bankplus::Error::Refused { code, message, .. })
                if refnum_unknown(&code, &message) =>
            {
                let sent_at = self
                    .journal
                    .flags(sid)?
                    .and_then(|f| f.sent_at)
                    .unwrap_or(record.created_at);
                let settle =
                    chrono::Duration::from_std(self.check_settle).unwrap_or(chrono::Duration::MAX);
                let waited = chrono::Utc::now() - sent_at;
                if waited < settle {
                    let left = (settle - waited).num_seconds().max(1);
                    return Err(TellerError::CheckLater {
                        sid: sid.to_owned(),
                        why: text!(
                            "switcher belum mengenal refnum ini, tetapi permintaan baru terkirim; \
                             tunggu {left} detik",
                            "the switcher does not know this refnum yet, but the request left \
                             only recently; wait {left} seconds"
                        ),
                    });
                }
                // The switcher has no record of the sid long after it left: never booked.
                Ok(self.journal.step(
                    sid,
                    State::Unknown,
                    State::Failed,
                    actor,
                    Some(&format!("switcher check: {message}")),
                    StepFacts {
                        resolution: Some(Resolution::Switcher),
                        bank_code: Some(code),
                        bank_message: Some(message),
                        ..StepFacts::default()
                    },
                )?)
            }
            Err(bankplus::Error::Refused { code, message, .. }) => Err(TellerError::CheckLater {
                sid: sid.to_owned(),
                why: {
                    let message = format!("“{message}”");
                    text!(
                        "switcher menjawab ({code}) {message}",
                        "the switcher answered ({code}) {message}"
                    )
                },
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Who is recorded as doing a supervisor-approved action: the logged-in
    /// user when there is one, else the supervisor.
    fn actor_for(&self, approval: &SupervisorApproval) -> String {
        self.profile()
            .map(|p| p.username)
            .unwrap_or_else(|| approval.name().to_owned())
    }

    /// A supervisor settles a transaction in doubt by hand, with a reason.
    pub fn resolve(
        &self,
        sid: &str,
        outcome: State,
        reason: &str,
        approval: &SupervisorApproval,
    ) -> Result<TransactionRecord> {
        let supervisor = approval.check()?.name();
        if !matches!(outcome, State::Succeeded | State::Failed) {
            return Err(TellerError::Input(text!(
                "hasil harus succeeded atau failed",
                "the outcome must be succeeded or failed"
            )));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(TellerError::Input(text!(
                "alasan wajib diisi",
                "a reason is required"
            )));
        }
        let record = self.record(sid)?;
        if record.state != State::Unknown {
            return Err(TellerError::WrongState {
                sid: sid.into(),
                state: record.state,
            });
        }
        let stepped = self.journal.step(
            sid,
            State::Unknown,
            outcome,
            &self.actor_for(approval),
            Some(reason),
            StepFacts {
                resolution: Some(Resolution::Supervisor),
                resolution_note: Some(reason.to_owned()),
                resolved_by: Some(supervisor.to_owned()),
                authorized_by: Some(supervisor.to_owned()),
                ..StepFacts::default()
            },
        );
        match stepped {
            Ok(r) => Ok(r),
            // Another process settled it between our read and our write.
            Err(JournalError::BadTransition { from, .. }) => Err(TellerError::WrongState {
                sid: sid.into(),
                state: from,
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Reverses a succeeded transaction through the switcher (supervisor).
    /// The reversal is its own journal row with its own refnum.
    pub async fn reverse(
        &self,
        sid: &str,
        reason: &str,
        approval: &SupervisorApproval,
    ) -> Result<TransactionRecord> {
        let supervisor = approval.check()?.name();
        let actor = self.actor_for(approval);
        let authorized = || StepFacts {
            authorized_by: Some(supervisor.to_owned()),
            ..StepFacts::default()
        };
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(TellerError::Input(text!(
                "alasan wajib diisi",
                "a reason is required"
            )));
        }
        let record = self.record(sid)?;
        if record.state != State::Succeeded || !record.kind.moves_money() {
            return Err(TellerError::WrongState {
                sid: sid.into(),
                state: record.state,
            });
        }
        // A reversal that could still book is refused here, before the
        // switcher is asked anything (its journal number, below): with the
        // switcher unreachable, the answer must still be "check the pending
        // reversal", not a network error. `begin_reversal` decides for good.
        if let Some(pending) = self.journal.flags(sid)?.and_then(|f| f.reversal_sid) {
            let open = self
                .journal
                .get(&pending)?
                .is_some_and(|r| !matches!(r.state, State::Failed | State::Cancelled));
            if open {
                return Err(TellerError::ReversalPending {
                    sid: sid.into(),
                    reversal: pending,
                });
            }
        }
        let switcher = self.switcher.as_ref().ok_or(TellerError::NoSwitcher)?;
        let target = sid_of(sid)?;
        let journal_no = match record
            .bank_reference
            .as_deref()
            .filter(|r| r.bytes().all(|b| b.is_ascii_digit()))
        {
            Some(j) => j.to_owned(),
            None => {
                let booked = switcher.check(&target).await?;
                // The journal number of another transaction would reverse
                // someone else's money.
                if let Some(why) = disagreement(&record, sid, &booked) {
                    return Err(TellerError::Contradiction {
                        sid: sid.into(),
                        why,
                    });
                }
                booked.journal.ok_or_else(|| {
                    TellerError::Input(text!(
                        "switcher tidak memberi nomor jurnal",
                        "the switcher gave no journal number"
                    ))
                })?
            }
        };
        // One reversal at a time per original, across processes: the journal
        // begins this row only if the original has none that could still book.
        let reversal_sid = self.journal.begin_reversal(
            sid,
            NewTransaction {
                kind: Some(Kind::Reversal),
                operator: actor.clone(),
                agent_code: record.agent_code.clone(),
                amount: record.amount,
                admin_fee: record.admin_fee,
                destination: record.destination.clone(),
                narration: Some(format!("reversal of {sid}: {reason}")),
                override_of: None,
            },
        )?;
        self.journal.step(
            &reversal_sid,
            State::Draft,
            State::Sending,
            &actor,
            None,
            authorized(),
        )?;
        let answer = switcher
            .reversal(&sid_of(&reversal_sid)?, &target, &journal_no)
            .await;
        // A 00 that names another refnum or amount proves nothing: the
        // reversal stays in doubt (its own `/check` settles it), and the
        // original is not marked reversed on its word.
        let answer = match answer {
            Ok(done) => {
                let reversal_row = self.record(&reversal_sid)?;
                match disagreement(&reversal_row, &reversal_sid, &done) {
                    Some(why) => Err(ReversalReply::Contradiction(why)),
                    None => Ok(done),
                }
            }
            Err(e) => Err(ReversalReply::Error(e)),
        };
        match answer {
            Err(ReversalReply::Contradiction(why)) => {
                self.journal
                    .step(
                        &reversal_sid,
                        State::Sending,
                        State::Unknown,
                        &actor,
                        Some(&format!(
                            "switcher reply contradicts the journal: {}",
                            why.en()
                        )),
                        StepFacts {
                            authorized_by: Some(supervisor.to_owned()),
                            ..StepFacts::default()
                        },
                    )
                    .map_err(|je| TellerError::UnrecordedOutcome {
                        sid: reversal_sid.clone(),
                        detail: je.say(),
                    })?;
                Err(TellerError::Contradiction {
                    sid: reversal_sid,
                    why,
                })
            }
            Ok(done) => {
                // The journal moves the original to `reversed` in the same
                // SQLite transaction as the reversal's success.
                self.journal
                    .step(
                        &reversal_sid,
                        State::Sending,
                        State::Succeeded,
                        &actor,
                        None,
                        StepFacts {
                            bank_reference: done.journal,
                            bank_code: Some("00".into()),
                            bank_message: Some(done.message),
                            resolved_by: Some(supervisor.to_owned()),
                            ..authorized()
                        },
                    )
                    .map_err(|e| TellerError::UnrecordedOutcome {
                        sid: reversal_sid.clone(),
                        detail: e.say(),
                    })?;
                self.record(sid)
            }
            Err(ReversalReply::Error(e)) => {
                let to = if e.outcome_known() {
                    State::Failed
                } else {
                    State::Unknown
                };
                self.journal
                    .step(
                        &reversal_sid,
                        State::Sending,
                        to,
                        &actor,
                        None,
                        StepFacts {
                            authorized_by: Some(supervisor.to_owned()),
                            ..failure_facts(&e)
                        },
                    )
                    .map_err(|je| TellerError::UnrecordedOutcome {
                        sid: reversal_sid.clone(),
                        detail: je.say(),
                    })?;
                // The documented "Reversal already executed": this reversal
                // moved nothing, but the original was reversed before (a
                // reversal the journal lost: restored from an older backup,
                // or resolved failed by hand). "Refused, no money moved"
                // would hide that the money came back; the original's row
                // says it stands. Said as a contradiction, like `/check`
                // calling the original "Transfer reversed".
                if let bankplus::Error::Refused { message, .. } = &e {
                    if message.to_ascii_lowercase().contains("already executed") {
                        return Err(TellerError::Contradiction {
                            sid: sid.into(),
                            why: {
                                let message = shown(message);
                                text!(
                                    "switcher menolak pembatalan {reversal_sid} karena transaksi ini sudah dibatalkan sebelumnya (\"{message}\"), padahal jurnal tidak mencatat pembatalan yang berhasil",
                                    "the switcher refused reversal {reversal_sid} because this transaction was reversed before (\"{message}\"); the journal records no reversal that booked"
                                )
                            },
                        });
                    }
                }
                Err(e.into())
            }
        }
    }

    // ---- Receipts ----

    /// The original receipt of a transaction, for the logged-in agent.
    pub fn receipt(&self, sid: &str) -> Result<receipt::Receipt> {
        let profile = self.profile().ok_or(TellerError::NotLoggedIn)?;
        let record = self.record(sid)?;
        Ok(receipt::Receipt::from_record(
            &record,
            &receipt::Agent::from(&profile),
            None,
        ))
    }

    /// A copy of a transaction's receipt ("SALINAN KE-n"), approved by a
    /// supervisor: the copy is numbered per sid and journaled on that
    /// transaction with the supervisor's name before it is handed out.
    pub fn reprint(&self, sid: &str, approval: &SupervisorApproval) -> Result<receipt::Receipt> {
        let supervisor = approval.check()?.name();
        let profile = self.profile().ok_or(TellerError::NotLoggedIn)?;
        self.record(sid)?;
        let copy = self
            .journal
            .record_reprint(sid, &profile.username, supervisor)?;
        // Read again after recording, so the copy shows the row as it stands.
        let record = self.record(sid)?;
        Ok(receipt::Receipt::from_record(
            &record,
            &receipt::Agent::from(&profile),
            Some(copy),
        ))
    }

    /// Start-up: rows a crash left mid-flow are settled in the journal, and
    /// those in doubt are checked with the switcher when one is configured.
    pub async fn recover(&self, actor: &str) -> Result<RecoveryReport> {
        let mut report = RecoveryReport {
            in_doubt: self.journal.recover(actor)?,
            settled: Vec::new(),
        };
        if self.switcher.is_some() {
            for record in self.journal.in_doubt()? {
                if let Ok(now) = self.check(&record.sid, actor).await {
                    if now.state != State::Unknown {
                        report.settled.push((now.sid, now.state));
                    }
                }
            }
        }
        Ok(report)
    }
}

/// What became of a `/reversal` request, once its reply is weighed.
enum ReversalReply {
    Error(bankplus::Error),
    Contradiction(Text),
}

/// Network text fit for a message: printable ASCII only, at most 32 characters.
fn shown(text: &str) -> String {
    let printable: String = text
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .collect();
    money::preview(printable.trim())
}

/// Whether the switcher's `info` speaks of a reversal ("Transfer reversed",
/// "Reversal success").
fn says_reversed(info: &str) -> bool {
    info.to_ascii_lowercase().contains("revers")
}

/// Why a booked switcher answer (`/check`, `/reversal`) is no proof about
/// `record`: it must name `refnum` and the row's amount, and may speak of a
/// reversal only for a reversal or a reversed row. `None` when it agrees.
fn disagreement(
    record: &TransactionRecord,
    refnum: &str,
    t: &bankplus::SwitcherTransfer,
) -> Option<Text> {
    if t.refnum.trim() != refnum {
        let other = shown(&t.refnum);
        return Some(text!(
            "balasan menyebut refnum \"{other}\", bukan {refnum}",
            "the reply names refnum \"{other}\", not {refnum}"
        ));
    }
    if let Some(amount) = record.amount {
        if t.amount != amount {
            let says = t.amount;
            return Some(text!(
                "switcher menyebut jumlah {says}, jurnal {amount}",
                "the switcher says {says}, the journal {amount}"
            ));
        }
    }
    let reversal_expected = record.kind == Kind::Reversal || record.state == State::Reversed;
    if !reversal_expected && t.info.as_deref().is_some_and(says_reversed) {
        let info = shown(t.info.as_deref().unwrap_or_default());
        return Some(text!(
            "switcher menyebut transaksi ini \"{info}\" (dibatalkan)",
            "the switcher says \"{info}\" (reversed)"
        ));
    }
    None
}

/// The switcher's documented answer for a refnum it has no record of.
fn refnum_unknown(code: &str, message: &str) -> bool {
    code.trim() == "-1"
        && message
            .trim()
            .eq_ignore_ascii_case("refnum provided was not found")
}

/// What the journal keeps of a failure: the bank's code and words, never a secret.
fn failure_facts(e: &bankplus::Error) -> StepFacts {
    let (code, message, trace) = match e {
        bankplus::Error::Refused {
            code,
            message,
            trace_code,
        } => (code.clone(), message.clone(), trace_code.clone()),
        bankplus::Error::InvalidPin { message }
        | bankplus::Error::BadLogin { message }
        | bankplus::Error::NotFound { message } => (e.code().to_owned(), message.clone(), None),
        other => (other.code().to_owned(), other.to_string(), None),
    };
    StepFacts {
        bank_code: Some(code),
        bank_message: Some(message),
        bank_reference: trace,
        ..StepFacts::default()
    }
}

//! A deterministic simulator of counter days (issue 12): one seed decides
//! every operation, amount, destination, fault rule and child process of a
//! run; after every simulated day the invariants that keep money safe are
//! checked against the sandbox's ledger and statement.
//!
//! A run is one real sandbox (HTTP on loopback, in-memory ledger), one data
//! directory, the simulator's own long-lived [`Teller`] (like the desktop
//! app) and short real `loket` child processes started at planned moments,
//! some while a payment of the long-lived teller is in flight, some killed
//! with SIGKILL. The seed fixes the plan; how the processes interleave is up
//! to the operating system, so a failure prints the seed and the command
//! that replays its plan.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bankplus::{OpenAccountForm, Password, Pin};
use chrono::{DateTime, NaiveDate, Utc};
use journal::{Journal, Kind, State, TransactionRecord};
use money::Rupiah;
use mutasi::{
    BankRayaSettings, BriSettings, DateRange, MootaSettings, MutasibankSettings, ProviderKind,
    ProviderSettings, Secret, StatementLine,
};
use sandbox::{demo, Fault, FaultPlan, FaultRule, Sandbox, SandboxConfig};
use teller::{
    DepositForm, SupervisorApproval, SupervisorPassword, Supervisors, Teller, TellerConfig,
    TellerError,
};

/// The local supervisor the simulator creates (and children are given).
pub const SPV: &str = "Sim Supervisor";
const SPV_PASSWORD: &str = "Sim-Spv-Rahasia-2026";

/// What one run does.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    /// Operations in total (child processes count as one each).
    pub flows: u64,
    /// Simulated counter days (invariants are checked after each).
    pub days: u32,
    /// Real `loket` child processes per day (0 without a binary).
    pub children_per_day: u32,
    /// The `loket` binary; without it, no child processes.
    pub loket: Option<PathBuf>,
    /// Where the data directory is made (default: the system temp dir).
    pub work_dir: Option<PathBuf>,
    /// A defect planted on purpose, to prove the checks see it (tests only).
    pub plant: Option<Plant>,
}

/// A defect the simulator plants itself, after the flows of `day` and
/// before that day's checks: the daily checks must fail on that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plant {
    /// A second deposit like one of the day's, paid through another journal
    /// (as a second process that lost track would): the ledger is debited
    /// twice, the journal knows one.
    DoubleDebit { day: u32 },
    /// A payment row the journal says succeeded but that never reached the
    /// bank: the ledger has no posting for it.
    PhantomSuccess { day: u32 },
}

impl Config {
    /// The command that replays this run's plan.
    pub fn replay_command(&self) -> String {
        format!(
            "make soak SEED={} FLOWS={} DAYS={} CHILDREN={}   # or: cargo run --release -p simulator --bin loket-sim -- --seed {} --flows {} --days {} --children {}",
            self.seed,
            self.flows,
            self.days,
            self.children_per_day,
            self.seed,
            self.flows,
            self.days,
            self.children_per_day
        )
    }
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub seed: u64,
    pub flows: u64,
    pub days: u32,
    pub payments: u64,
    pub children: u64,
    pub killed: u64,
    pub in_flight_children: u64,
    pub doubts: u64,
    pub reversals: u64,
    pub relogins: u64,
    pub elapsed: Duration,
    /// Each day's flows, the time they took and the time of that day's checks.
    pub day_stats: Vec<DayStat>,
    /// The time of the full check at the end of the seed.
    pub final_check: Duration,
}

/// One simulated day's figures.
#[derive(Debug, Clone, Copy, Default)]
pub struct DayStat {
    pub flows: u64,
    /// The flows, the children's reaping and the close's checks with the switcher.
    pub flows_time: Duration,
    /// The invariant checks of the day.
    pub check_time: Duration,
}

impl DayStat {
    /// Flows per second of this day, checks included.
    pub fn rate(&self) -> f64 {
        self.flows as f64 / (self.flows_time + self.check_time).as_secs_f64().max(1e-9)
    }
}

/// An invariant that did not hold (or an error no flow may end in).
#[derive(Debug, Clone)]
pub struct Failure {
    pub seed: u64,
    pub day: u32,
    pub what: String,
    pub replay: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "simulator seed {} failed on day {}: {}\nreplay: {}",
            self.seed, self.day, self.what, self.replay
        )
    }
}

impl std::error::Error for Failure {}

/// SplitMix64: every choice of the plan comes from here.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5EED_10CE_7000_0012)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Endpoints that get faults: every Bank+ and switcher endpoint a teller
/// touches (the statement providers are read only at the day's close).
const FAULTY: &[&str] = &[
    "/bankplus/users/auth",
    "/bankplus/master/jobs",
    "/bankplus/master/educations",
    "/bankplus/master/salaries",
    "/bankplus/master/transactions",
    "/bankplus/bsa/checkAccount",
    "/bankplus/bsa/customerbalance",
    "/bankplus/account/balance",
    "/bankplus/bsa/openAccount",
    "/bankplus/bsa/depositAccount",
    "/bankplus/bsa/transfer/intrabank/inquiry",
    "/bankplus/bsa/transfer/intrabank/payment",
    "/bankplus/bsa/transfer/interbank/inquiry",
    "/bankplus/bsa/transfer/interbank/payment",
    "/check",
    "/reversal",
];

/// One day's fault plan: each endpoint gets up to two rules of random kind
/// and rate (a quiet day has none).
fn day_faults(rng: &mut Rng) -> FaultPlan {
    let seed = rng.next_u64();
    let mut rules = Vec::new();
    if !rng.chance(0.1) {
        for endpoint in FAULTY {
            for _ in 0..rng.below(3) {
                let fault = match rng.below(6) {
                    0 => Fault::Latency {
                        ms: 1 + rng.below(15),
                    },
                    1 => {
                        let (code, message) = *rng.pick(&[
                            ("-1", "[91] ISSUER OR SWITCH INOPERATIVE"),
                            ("-1", "[96] SYSTEM MALFUNCTION"),
                            ("UPDATE_NONE", "Tidak ada data yang diubah"),
                        ]);
                        Fault::ErrorReply {
                            code: code.into(),
                            message: message.into(),
                        }
                    }
                    2 => Fault::Html502,
                    3 => Fault::MalformedJson,
                    4 => Fault::SessionExpiry,
                    _ => Fault::CommitThenDrop,
                };
                let probability = 0.01 + rng.below(15) as f64 / 100.0;
                rules.push(FaultRule {
                    endpoint: (*endpoint).into(),
                    fault,
                    probability,
                    times: None,
                });
            }
        }
    }
    FaultPlan { seed, rules }
}

/// The four statement providers, at the sandbox, with its demo credentials.
fn provider_settings(kind: ProviderKind, base: &str) -> ProviderSettings {
    match kind {
        ProviderKind::Mutasibank => ProviderSettings::Mutasibank(MutasibankSettings {
            base_url: base.into(),
            token: Secret::new(demo::MUTASIBANK_TOKEN),
            webhook_secret: None,
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

const PROVIDERS: [ProviderKind; 4] = [
    ProviderKind::Mutasibank,
    ProviderKind::Moota,
    ProviderKind::Bri,
    ProviderKind::Bankraya,
];

/// What the simulator may do in one flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    CheckAccount,
    CustomerBalance,
    AgentBalance,
    Deposit,
    Intrabank,
    Interbank,
    OpenAccount,
    ExpireSession,
    RepeatInDoubt,
    CheckDoubt,
    Reverse,
    Resolve,
    Reprint,
}

const WEIGHTS: &[(Op, u64)] = &[
    (Op::CheckAccount, 8),
    (Op::CustomerBalance, 5),
    (Op::AgentBalance, 4),
    (Op::Deposit, 22),
    (Op::Intrabank, 16),
    (Op::Interbank, 10),
    (Op::OpenAccount, 3),
    (Op::ExpireSession, 2),
    (Op::RepeatInDoubt, 4),
    (Op::CheckDoubt, 6),
    (Op::Reverse, 3),
    (Op::Resolve, 2),
    (Op::Reprint, 3),
];

fn pick_op(rng: &mut Rng) -> Op {
    let total: u64 = WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut r = rng.below(total);
    for (op, w) in WEIGHTS {
        if r < *w {
            return *op;
        }
        r -= w;
    }
    Op::AgentBalance
}

/// How the agent ends a quote.
#[derive(Debug, Clone, Copy)]
enum Ending {
    Pay,
    WrongPin,
    CancelAtConfirm,
    CancelAtPin,
}

fn ending(rng: &mut Rng) -> Ending {
    match rng.below(100) {
        0..=79 => Ending::Pay,
        80..=86 => Ending::WrongPin,
        87..=93 => Ending::CancelAtConfirm,
        _ => Ending::CancelAtPin,
    }
}

/// A child process planned for a day.
#[derive(Debug, Clone)]
struct ChildPlan {
    /// Started before this flow of the day.
    at: u64,
    args: Vec<String>,
    /// Killed (SIGKILL) before this flow of the day, if it still runs.
    kill_at: Option<u64>,
}

struct Running {
    child: Child,
    args: Vec<String>,
    out: PathBuf,
    err: PathBuf,
    kill_at: Option<u64>,
    killed: bool,
}

fn amount(rng: &mut Rng) -> i64 {
    1_000 * (1 + rng.below(20) as i64)
}

fn rp(r: i64) -> Rupiah {
    Rupiah::from_rupiah(r).unwrap_or(Rupiah::ZERO)
}

fn customer(rng: &mut Rng) -> &'static demo::Customer {
    rng.pick(demo::CUSTOMERS)
}

/// The open-account form of the document, with a fresh KTP and phone.
fn open_account_form(rng: &mut Rng) -> OpenAccountForm {
    // A KTP's last four digits are a serial from 0001: "0000" is refused as
    // implausible (soak seed 52638954518845958 drew it). One draw, as before.
    open_account_form_with(1 + rng.below(9_999))
}

fn open_account_form_with(n: u64) -> OpenAccountForm {
    OpenAccountForm {
        name: "Gabymars Yofie".into(),
        email: "gaby@email.com".into(),
        mother_name: "Siti Mamih".into(),
        profession: "KOMPUTER".into(),
        last_education: "S1/D4".into(),
        status_nikah: "Lajang".into(),
        pob: "Surabaya".into(),
        dob: "1997-08-01".into(),
        ktp: format!("351501410897{n:04}"),
        gender: "l".into(),
        address: "Jl. Waru 1".into(),
        rt: "022".into(),
        rw: "001".into(),
        zip_code: "61256".into(),
        kelurahan: "Waru".into(),
        kecamatan: "Waru".into(),
        city: "Sidoarjo".into(),
        state: "Jawa Timur".into(),
        hp: format!("0899832{n:04}"),
        phone: "0319909221".into(),
        income: "1".into(),
        jumlah_transaksi: "1".into(),
        deposit: "100.000".into(),
        image_ktp: "ktp.jpg".into(),
        image_foto: "foto.png".into(),
    }
}

fn pin() -> Pin {
    // The demo PIN is six digits: this cannot fail.
    Pin::new(demo::PIN).unwrap_or_else(|_| unreachable!("the demo PIN is six digits"))
}

fn wrong_pin() -> Pin {
    Pin::new("000000").unwrap_or_else(|_| unreachable!("six digits"))
}

struct Sim {
    cfg: Config,
    rng: Rng,
    sandbox: Sandbox,
    dir: PathBuf,
    logs: PathBuf,
    teller: Teller,
    supervisors: Supervisors,
    approval: Option<SupervisorApproval>,
    day: u32,
    day_plan: FaultPlan,
    /// Sids this process sent a payment (or reversal) for.
    attempted: BTreeSet<String>,
    /// Money rows that ended succeeded here: candidates for reversal and reprint.
    succeeded: Vec<String>,
    /// Statement lines that were there before the run (the seeded history).
    seeded_lines: HashSet<(ProviderKind, String)>,
    start: DateTime<Utc>,
    start_balance: Rupiah,
    report: Report,
    /// What the daily checks already proved, so that each day checks only
    /// what it added (the whole journal is checked once, at the end).
    daily: Daily,
}

/// The running state of the incremental daily checks.
#[derive(Default)]
struct Daily {
    /// Rows created before this instant (less a margin) were checked.
    checked_until: Option<DateTime<Utc>>,
    /// Sids of every row already checked.
    checked: HashSet<String>,
    /// Each checked money row's part in the agent's balance (sen, signed)
    /// and in its WIB day's summary (cash in, returned, fees).
    parts: HashMap<String, Part>,
    /// The agent's balance the journal explains so far (sen).
    expected: i64,
    /// The sums of the parts per WIB day.
    sums: BTreeMap<NaiveDate, [i64; 3]>,
    /// Statement lines already explained (or there before the run), keyed
    /// the same whichever provider delivered them.
    seen_lines: HashSet<LineKey>,
    /// Payments and reversals sent since the last check.
    attempted: Vec<String>,
    /// Per file of the data directory, a hash of each page as last scanned.
    scanned: HashMap<PathBuf, Vec<u64>>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Part {
    balance: i64,
    date: Option<NaiveDate>,
    summary: [i64; 3],
}

/// A statement line's identity across providers: direction, amount and
/// the reference at the end of the description (the sid or refnum the
/// ledger wrote), or the whole description when it has none.
type LineKey = (bool, i64, String);

fn line_key(l: &StatementLine) -> LineKey {
    let credit = matches!(l.direction, mutasi::Direction::Credit);
    let d = l.description.as_bytes();
    // The last run of at least 10 digits: the ledger writes the refnum last.
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < d.len() {
        if d[i].is_ascii_digit() {
            let from = i;
            while i < d.len() && d[i].is_ascii_digit() {
                i += 1;
            }
            if i - from >= 10 {
                best = Some((from, i));
            }
        } else {
            i += 1;
        }
    }
    let reference = match best {
        Some((a, b)) => l.description[a..b].to_owned(),
        None => l
            .description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase(),
    };
    (credit, l.amount.sen(), reference)
}

/// A row's part in the agent's balance and its day's summary (the same
/// sums the full check makes over the whole journal).
fn part_of(r: &TransactionRecord) -> Part {
    let balance = reconcile::JournalEntry::from_record(r)
        .map(|e| match e.direction {
            mutasi::Direction::Debit => -e.total.sen(),
            mutasi::Direction::Credit => e.total.sen(),
        })
        .unwrap_or(0);
    let total = r.total.or(r.amount).unwrap_or(Rupiah::ZERO).sen();
    let fee = r.admin_fee.unwrap_or(Rupiah::ZERO).sen();
    let summary = match (r.kind, r.state) {
        (k, State::Succeeded | State::Reversed) if k.moves_money() => [total, 0, fee],
        (Kind::Reversal, State::Succeeded) => [0, total, 0],
        _ => [0, 0, 0],
    };
    Part {
        balance,
        date: Some(r.created_at.with_timezone(&mutasi::wib()).date_naive()),
        summary,
    }
}

/// The original a reversal row undoes (its narration names it first).
fn reversed_original(r: &TransactionRecord) -> Option<&str> {
    let rest = r.narration.as_deref()?.strip_prefix("reversal of ")?;
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

impl Sim {
    fn fail(&self, what: impl Into<String>) -> Failure {
        Failure {
            seed: self.cfg.seed,
            day: self.day,
            what: what.into(),
            replay: self.cfg.replay_command(),
        }
    }

    fn attempt(&mut self, sid: &str) {
        self.attempted.insert(sid.to_owned());
        self.daily.attempted.push(sid.to_owned());
    }

    async fn login(&mut self) -> Result<(), Failure> {
        for _ in 0..200 {
            match self
                .teller
                .login(demo::USERNAME, &Password::new(demo::PASSWORD))
                .await
            {
                Ok(_) => {
                    self.report.relogins += 1;
                    return Ok(());
                }
                // Faults on users/auth: the agent tries again.
                Err(TellerError::Bank(_)) | Err(TellerError::SessionExpired) => {}
                Err(e) => return Err(self.fail(format!("login: {e}"))),
            }
        }
        Err(self.fail("login failed 200 times in a row"))
    }

    /// A supervisor approval, verified again once the last one expired.
    fn approval(&mut self) -> Result<&SupervisorApproval, Failure> {
        if self.approval.as_ref().is_none_or(|a| a.check().is_err()) {
            let a = self
                .supervisors
                .verify(SPV, &SupervisorPassword::new(SPV_PASSWORD))
                .map_err(|e| self.fail(format!("supervisor verify: {e}")))?;
            self.approval = Some(a);
        }
        self.approval
            .as_ref()
            .ok_or_else(|| self.fail("no approval"))
    }

    /// An error a flow may end in under faults (the agent sees it and goes
    /// on); anything else is a defect.
    fn tolerable(e: &TellerError) -> bool {
        matches!(
            e,
            TellerError::Bank(_)
                | TellerError::SessionExpired
                | TellerError::NotLoggedIn
                | TellerError::InquiryFailed { .. }
                | TellerError::CheckLater { .. }
        )
    }

    async fn ensure_login(&mut self) -> Result<(), Failure> {
        if self.teller.profile().is_none() {
            self.login().await?;
        }
        Ok(())
    }

    async fn flow(&mut self, op: Op) -> Result<(), Failure> {
        self.ensure_login().await?;
        let r = match op {
            Op::CheckAccount => {
                let acct = if self.rng.chance(0.1) {
                    demo::MISSING_ACCOUNT
                } else {
                    customer(&mut self.rng).account_number
                };
                self.teller.check_account(acct).await.map(|_| ())
            }
            Op::CustomerBalance => {
                let c = customer(&mut self.rng);
                let p = if self.rng.chance(0.15) {
                    wrong_pin()
                } else {
                    Pin::new(c.pin).unwrap_or_else(|_| wrong_pin())
                };
                self.teller
                    .customer_balance(c.account_number, &p)
                    .await
                    .map(|_| ())
            }
            Op::AgentBalance => self.teller.agent_balance().await.map(|_| ()),
            Op::Deposit | Op::Intrabank | Op::Interbank | Op::OpenAccount => {
                return self.money(op, None).await;
            }
            Op::ExpireSession => {
                self.sandbox.expire_sessions();
                Ok(())
            }
            Op::RepeatInDoubt => return self.repeat_in_doubt().await,
            Op::CheckDoubt => {
                let doubts = self
                    .teller
                    .journal()
                    .in_doubt()
                    .map_err(|e| self.fail(format!("in_doubt: {e}")))?;
                if doubts.is_empty() {
                    return Ok(());
                }
                let sid = doubts[self.rng.below(doubts.len() as u64) as usize]
                    .sid
                    .clone();
                self.teller.check(&sid, "sim").await.map(|_| ())
            }
            Op::Reverse => return self.reverse().await,
            Op::Resolve => return self.resolve().await,
            Op::Reprint => {
                if self.succeeded.is_empty() {
                    return Ok(());
                }
                let sid =
                    self.succeeded[self.rng.below(self.succeeded.len() as u64) as usize].clone();
                self.approval()?;
                let a = self
                    .approval
                    .as_ref()
                    .ok_or_else(|| self.fail("no approval"))?;
                if let Err(e) = self.teller.receipt(&sid) {
                    if !Self::tolerable(&e) {
                        return Err(self.fail(format!("receipt {sid}: {e}")));
                    }
                }
                self.teller.reprint(&sid, a).map(|_| ())
            }
        };
        match r {
            Ok(()) => Ok(()),
            Err(e) if Self::tolerable(&e) => Ok(()),
            Err(e) => Err(self.fail(format!("{op:?}: {e} ({})", e.code()))),
        }
    }

    /// A quote, then the agent's choice; with `during`, a child process is
    /// started while the payment is in flight.
    async fn money(&mut self, op: Op, during: Option<&mut Vec<Running>>) -> Result<(), Failure> {
        let amt = rp(amount(&mut self.rng));
        let quote = match op {
            Op::Deposit => {
                let c = customer(&mut self.rng);
                self.teller
                    .quote_deposit(&DepositForm {
                        to_account: c.account_number.into(),
                        amount: amt,
                        name: None,
                        narration: None,
                    })
                    .await
            }
            Op::Intrabank => {
                let c = customer(&mut self.rng);
                self.teller.quote_intrabank(c.account_number, amt).await
            }
            Op::Interbank => {
                self.teller
                    .quote_interbank(demo::INTERBANK_BANK, demo::INTERBANK_ACCOUNT, amt)
                    .await
            }
            _ => {
                let form = open_account_form(&mut self.rng);
                self.teller.quote_open_account(&form).await
            }
        };
        let quote = match quote {
            Ok(q) => q,
            Err(e) if Self::tolerable(&e) => return Ok(()),
            Err(e) => return Err(self.fail(format!("quote {op:?}: {e} ({})", e.code()))),
        };
        let end = if during.is_some() {
            Ending::Pay
        } else {
            ending(&mut self.rng)
        };
        let override_reason = quote.in_doubt.as_ref().map(|_| "sim: supervisor allowed");
        match end {
            Ending::CancelAtConfirm | Ending::CancelAtPin => {
                let actor = if matches!(end, Ending::CancelAtConfirm) {
                    "sim-confirm"
                } else {
                    "sim-pin"
                };
                return self
                    .teller
                    .cancel(&quote.sid, actor)
                    .map_err(|e| self.fail(format!("cancel {}: {e}", quote.sid)));
            }
            Ending::Pay | Ending::WrongPin => {}
        }
        let p = if matches!(end, Ending::WrongPin) {
            wrong_pin()
        } else {
            pin()
        };
        self.attempt(&quote.sid);
        self.report.payments += 1;
        let paid = match during {
            Some(children) => {
                // The worst defect of the review lived here: another
                // process's start-up recovery while this payment is in flight.
                let endpoint = match quote.kind {
                    Kind::Deposit => "/bankplus/bsa/depositAccount",
                    Kind::IntrabankTransfer => "/bankplus/bsa/transfer/intrabank/payment",
                    Kind::InterbankTransfer => "/bankplus/bsa/transfer/interbank/payment",
                    _ => "/bankplus/bsa/openAccount",
                };
                let mut plan = self.day_plan.clone();
                plan.rules.insert(
                    0,
                    FaultRule {
                        endpoint: endpoint.into(),
                        fault: Fault::Latency { ms: 400 },
                        probability: 1.0,
                        times: Some(1),
                    },
                );
                self.sandbox.set_faults(plan);
                let args = vec!["balance".to_owned()];
                if let Some(r) = self.spawn(&args, None)? {
                    children.push(r);
                    self.report.in_flight_children += 1;
                }
                let out = self.teller.pay(&quote.sid, &p, override_reason).await;
                self.sandbox.set_faults(self.day_plan.clone());
                out
            }
            None => self.teller.pay(&quote.sid, &p, override_reason).await,
        };
        let out = match paid {
            Ok(out) => out,
            Err(TellerError::NotLoggedIn) => {
                // The session was dropped before the payment left: log in
                // again and resume the step (the PIN is asked again).
                self.login().await?;
                match self.teller.pay(&quote.sid, &p, override_reason).await {
                    Ok(out) => out,
                    Err(e) => {
                        return Err(self.fail(format!("pay {} after re-login: {e}", quote.sid)))
                    }
                }
            }
            Err(TellerError::HeldByDoubt { .. }) if override_reason.is_none() => {
                // A doubt appeared since the quote (another process): the
                // supervisor allows it.
                match self
                    .teller
                    .pay(&quote.sid, &p, Some("sim: supervisor allowed"))
                    .await
                {
                    Ok(out) => out,
                    Err(e) => {
                        return Err(self.fail(format!("pay {} with override: {e}", quote.sid)))
                    }
                }
            }
            Err(e) => {
                return Err(self.fail(format!("pay {}: {e} ({})", quote.sid, e.code())));
            }
        };
        match out.record.state {
            State::Succeeded => self.succeeded.push(quote.sid.clone()),
            State::Unknown => self.report.doubts += 1,
            State::Failed => {}
            other => {
                return Err(self.fail(format!("pay {} ended {other}", quote.sid)));
            }
        }
        Ok(())
    }

    /// A payment like one in doubt: held, then allowed with a reason.
    async fn repeat_in_doubt(&mut self) -> Result<(), Failure> {
        let doubts = self
            .teller
            .journal()
            .in_doubt()
            .map_err(|e| self.fail(format!("in_doubt: {e}")))?;
        let doubt = doubts.into_iter().find(|r| {
            matches!(
                r.kind,
                Kind::Deposit | Kind::IntrabankTransfer | Kind::InterbankTransfer
            )
        });
        let Some(doubt) = doubt else {
            return Ok(());
        };
        let (Some(acct), Some(amt)) = (doubt.destination.account_number.clone(), doubt.amount)
        else {
            return Ok(());
        };
        let quote = match doubt.kind {
            Kind::Deposit => {
                self.teller
                    .quote_deposit(&DepositForm {
                        to_account: acct,
                        amount: amt,
                        name: None,
                        narration: None,
                    })
                    .await
            }
            Kind::IntrabankTransfer => self.teller.quote_intrabank(&acct, amt).await,
            _ => {
                let bank = doubt
                    .destination
                    .bank_code
                    .clone()
                    .unwrap_or_else(|| demo::INTERBANK_BANK.into());
                self.teller.quote_interbank(&bank, &acct, amt).await
            }
        };
        let quote = match quote {
            Ok(q) => q,
            Err(e) if Self::tolerable(&e) => return Ok(()),
            Err(e) => return Err(self.fail(format!("repeat quote: {e}"))),
        };
        let still = self
            .teller
            .journal()
            .get(&doubt.sid)
            .map_err(|e| self.fail(format!("get: {e}")))?
            .map(|r| r.state);
        if still == Some(State::Unknown) && quote.in_doubt.is_none() {
            return Err(self.fail(format!(
                "quote {} like {} in doubt does not say so",
                quote.sid, doubt.sid
            )));
        }
        self.attempt(&quote.sid);
        self.report.payments += 1;
        let out = match self.teller.pay(&quote.sid, &pin(), None).await {
            Err(TellerError::HeldByDoubt { .. }) => {
                self.teller
                    .pay(
                        &quote.sid,
                        &pin(),
                        Some("sim: supervisor allowed after the hold"),
                    )
                    .await
            }
            Ok(out) => {
                // Only fine if the doubt was settled meanwhile (another process).
                let now = self
                    .teller
                    .journal()
                    .get(&doubt.sid)
                    .map_err(|e| self.fail(format!("get: {e}")))?
                    .map(|r| r.state);
                if now == Some(State::Unknown) && out.record.override_of.is_none() {
                    return Err(self.fail(format!(
                        "{} was paid without override while {} is in doubt",
                        quote.sid, doubt.sid
                    )));
                }
                Ok(out)
            }
            Err(e) => Err(e),
        };
        match out {
            Ok(out) => {
                match out.record.state {
                    State::Succeeded => self.succeeded.push(quote.sid.clone()),
                    State::Unknown => self.report.doubts += 1,
                    _ => {}
                }
                Ok(())
            }
            Err(TellerError::NotLoggedIn) => {
                self.teller
                    .cancel(&quote.sid, "sim")
                    .map_err(|e| self.fail(format!("cancel: {e}")))?;
                self.attempted.remove(&quote.sid);
                self.daily.attempted.retain(|s| s != &quote.sid);
                Ok(())
            }
            Err(e) => Err(self.fail(format!("repeat pay {}: {e} ({})", quote.sid, e.code()))),
        }
    }

    async fn reverse(&mut self) -> Result<(), Failure> {
        if self.succeeded.is_empty() {
            return Ok(());
        }
        let i = self.rng.below(self.succeeded.len() as u64) as usize;
        let sid = self.succeeded[i].clone();
        // Reversal rows begun from here on: reading only those keeps a
        // reversal as cheap on day 40 as on day 1.
        let since = if full_daily() {
            self.start - chrono::Duration::days(1)
        } else {
            Utc::now() - chrono::Duration::seconds(2)
        };
        let before: BTreeSet<String> = self.reversal_sids(&sid, since)?;
        // Taken right before the call: the scan above can outlast an
        // approval about to expire (soak seed 17362642440479066031).
        self.approval()?;
        let a = self
            .approval
            .as_ref()
            .ok_or_else(|| self.fail("no approval"))?;
        let r = self.teller.reverse(&sid, "sim: customer asked", a).await;
        // Whatever happened, a reversal row begun here was attempted.
        for s in self.reversal_sids(&sid, since)?.difference(&before) {
            self.attempt(s);
            self.report.reversals += 1;
        }
        match r {
            Ok(_) => {
                self.succeeded.swap_remove(i);
                Ok(())
            }
            Err(TellerError::WrongState { .. }) | Err(TellerError::ReversalPending { .. }) => {
                Ok(())
            }
            Err(e) if Self::tolerable(&e) => Ok(()),
            Err(e) => Err(self.fail(format!("reverse {sid}: {e} ({})", e.code()))),
        }
    }

    fn reversal_sids(
        &self,
        original: &str,
        since: DateTime<Utc>,
    ) -> Result<BTreeSet<String>, Failure> {
        Ok(self
            .teller
            .journal()
            .between(since, Utc::now() + chrono::Duration::days(1))
            .map_err(|e| self.fail(format!("between: {e}")))?
            .into_iter()
            .filter(|r| {
                r.kind == Kind::Reversal
                    && r.narration
                        .as_deref()
                        .is_some_and(|n| n.starts_with(&format!("reversal of {original}")))
            })
            .map(|r| r.sid)
            .collect())
    }

    /// A supervisor settles a doubt by hand: the simulator's supervisor
    /// knows the truth (the ledger), as a real one learns it from the bank.
    async fn resolve(&mut self) -> Result<(), Failure> {
        let doubts = self
            .teller
            .journal()
            .in_doubt()
            .map_err(|e| self.fail(format!("in_doubt: {e}")))?;
        if doubts.is_empty() {
            return Ok(());
        }
        let d = &doubts[self.rng.below(doubts.len() as u64) as usize];
        let booked = self.sandbox.postings_for_sid(&d.sid) > 0;
        self.approval()?;
        let a = self
            .approval
            .as_ref()
            .ok_or_else(|| self.fail("no approval"))?;
        let to = if booked {
            State::Succeeded
        } else {
            State::Failed
        };
        match self
            .teller
            .resolve(&d.sid, to, "sim: confirmed with the bank", a)
        {
            Ok(_) => Ok(()),
            // Another process settled it meanwhile.
            Err(TellerError::WrongState { .. }) => Ok(()),
            Err(e) => Err(self.fail(format!("resolve {}: {e} ({})", d.sid, e.code()))),
        }
    }

    fn child_command(&mut self) -> Vec<String> {
        let c = customer(&mut self.rng).account_number.to_owned();
        let a = amount(&mut self.rng).to_string();
        let any_sid = |s: &mut Sim| -> Option<String> {
            let doubts = s.teller.journal().in_doubt().ok()?;
            if !doubts.is_empty() {
                return Some(
                    doubts[s.rng.below(doubts.len() as u64) as usize]
                        .sid
                        .clone(),
                );
            }
            if s.succeeded.is_empty() {
                return None;
            }
            Some(s.succeeded[s.rng.below(s.succeeded.len() as u64) as usize].clone())
        };
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        match self.rng.below(9) {
            0 | 1 => v(&["deposit", "--to", &c, "--amount", &a]),
            2 => v(&["transfer", "--to", &c, "--amount", &a, "--yes"]),
            3 => v(&[
                "transfer",
                "--to",
                demo::INTERBANK_ACCOUNT,
                "--bank",
                demo::INTERBANK_BANK,
                "--amount",
                &a,
                "--yes",
                "--override",
                "sim child: supervisor allowed",
            ]),
            4 => v(&["balance"]),
            5 => match any_sid(self) {
                Some(s) => v(&["check", &s]),
                None => v(&["balance"]),
            },
            6 => v(&["summary"]),
            7 => v(&["history"]),
            _ => v(&["check-account", &c]),
        }
    }

    fn spawn(&mut self, args: &[String], kill_at: Option<u64>) -> Result<Option<Running>, Failure> {
        let Some(bin) = self.cfg.loket.clone() else {
            return Ok(None);
        };
        let n = self.report.children;
        self.report.children += 1;
        let out = self.logs.join(format!("child-{n}.out"));
        let err = self.logs.join(format!("child-{n}.err"));
        let open = |p: &Path| {
            std::fs::File::create(p).map_err(|e| self.fail(format!("{}: {e}", p.display())))
        };
        let mut c = Command::new(bin);
        for (k, _) in std::env::vars_os() {
            if k.to_str().is_some_and(|k| k.starts_with("LOKET_")) {
                c.env_remove(k);
            }
        }
        c.env("LOKET_USERNAME", demo::USERNAME)
            .env("LOKET_PASSWORD", demo::PASSWORD)
            .env("LOKET_PIN", demo::PIN)
            .env("LOKET_SUPERVISOR", SPV)
            .env("LOKET_SUPERVISOR_PASSWORD", SPV_PASSWORD)
            .env("LOKET_CHECK_SETTLE_SECS", "0")
            .env_remove("RUST_LOG")
            .arg("--data-dir")
            .arg(&self.dir)
            .arg("--server")
            .arg(self.sandbox.base_url())
            .arg("--switcher")
            .arg(self.sandbox.base_url())
            .arg("--json")
            .args(args)
            .stdin(Stdio::null())
            .stdout(open(&out)?)
            .stderr(open(&err)?);
        let child = c
            .spawn()
            .map_err(|e| self.fail(format!("cannot start loket: {e}")))?;
        Ok(Some(Running {
            child,
            args: args.to_vec(),
            out,
            err,
            kill_at,
            killed: false,
        }))
    }

    /// Waits for every child of the day; a killed one is expected to have
    /// died by the signal, the others end with a documented exit code.
    async fn reap(&mut self, children: Vec<Running>) -> Result<(), Failure> {
        for mut r in children {
            // Polled, never a blocking wait: the sandbox the child talks to
            // runs on this runtime.
            let status = loop {
                match r.child.try_wait() {
                    Ok(Some(status)) => break status,
                    Ok(None) => tokio::time::sleep(Duration::from_millis(5)).await,
                    Err(e) => return Err(self.fail(format!("wait: {e}"))),
                }
            };
            let out = std::fs::read_to_string(&r.out).unwrap_or_default();
            let err = std::fs::read_to_string(&r.err).unwrap_or_default();
            let _ = std::fs::remove_file(&r.out);
            let _ = std::fs::remove_file(&r.err);
            for (what, text) in [("stdout", &out), ("stderr", &err)] {
                if let Some(s) = secret_in(text.as_bytes()) {
                    return Err(self.fail(format!(
                        "loket {:?} printed a secret ({s}) on {what}",
                        r.args
                    )));
                }
            }
            if r.killed && status.code().is_none() {
                continue;
            }
            let code = status.code().unwrap_or(-1);
            let held = out.contains("HELD_BY_DOUBT") || err.contains("HELD_BY_DOUBT");
            let fine = matches!(code, 0 | 1 | 3 | 4 | 5) || (code == 2 && held);
            if !fine {
                return Err(self.fail(format!(
                    "loket {:?} exited {code}\nstdout: {out}\nstderr: {err}",
                    r.args
                )));
            }
        }
        Ok(())
    }

    async fn run_day(&mut self, flows: u64) -> Result<(), Failure> {
        let began = Instant::now();
        self.day_plan = day_faults(&mut self.rng);
        self.sandbox.set_faults(self.day_plan.clone());
        let mut plans: Vec<ChildPlan> = Vec::new();
        if self.cfg.loket.is_some() {
            for _ in 0..self.cfg.children_per_day {
                let at = self.rng.below(flows.max(1));
                let args = self.child_command();
                let kill_at = self.rng.chance(0.25).then(|| at + 1 + self.rng.below(3));
                plans.push(ChildPlan { at, args, kill_at });
            }
        }
        let in_flight = if self.cfg.loket.is_some() && flows > 0 {
            Some(self.rng.below(flows))
        } else {
            None
        };
        let mut running: Vec<Running> = Vec::new();
        let mut done = 0;
        while done < flows {
            let now: Vec<ChildPlan> = plans.iter().filter(|p| p.at == done).cloned().collect();
            for p in now {
                if let Some(r) = self.spawn(&p.args, p.kill_at)? {
                    running.push(r);
                    done += 1;
                }
            }
            for r in running.iter_mut() {
                if r.kill_at.is_some_and(|k| k <= done) && !r.killed {
                    // SIGKILL: no unwinding, the lease is freed by the OS.
                    let _ = r.child.kill();
                    r.killed = true;
                    self.report.killed += 1;
                }
            }
            if in_flight == Some(done) {
                let op = *self.rng.pick(&[Op::Deposit, Op::Intrabank, Op::Interbank]);
                self.ensure_login().await?;
                self.money(op, Some(&mut running)).await?;
            } else {
                let op = pick_op(&mut self.rng);
                self.flow(op).await?;
            }
            done += 1;
        }
        self.report.flows += done;
        self.reap(running).await?;
        self.plant().await?;
        self.close_day().await?;
        let checks = Instant::now();
        self.check_day().await?;
        self.report.day_stats.push(DayStat {
            flows: done,
            flows_time: checks - began,
            check_time: checks.elapsed(),
        });
        Ok(())
    }

    /// Plants the configured defect on its day (tests of the checks only).
    async fn plant(&mut self) -> Result<(), Failure> {
        match self.cfg.plant {
            Some(Plant::DoubleDebit { day }) if day == self.day => {
                // A second journal (another process that lost track of the
                // first payment) pays a deposit like one of the day's again.
                let journal = Arc::new(
                    Journal::open_in_memory().map_err(|e| self.fail(format!("plant: {e}")))?,
                );
                let other = Teller::new(
                    &TellerConfig {
                        server: self.sandbox.base_url(),
                        switcher: Some(self.sandbox.base_url()),
                        timeout: Duration::from_secs(10),
                    },
                    journal,
                )
                .map_err(|e| self.fail(format!("plant: {e}")))?;
                self.sandbox.set_faults(FaultPlan::default());
                other
                    .login(demo::USERNAME, &Password::new(demo::PASSWORD))
                    .await
                    .map_err(|e| self.fail(format!("plant login: {e}")))?;
                let like = self
                    .teller
                    .journal()
                    .between(
                        self.start - chrono::Duration::days(1),
                        Utc::now() + chrono::Duration::days(1),
                    )
                    .map_err(|e| self.fail(format!("plant: {e}")))?
                    .into_iter()
                    .rev()
                    .find(|r| r.kind == Kind::Deposit && r.state == State::Succeeded);
                let (to, amt) = like
                    .and_then(|r| Some((r.destination.account_number?, r.amount?)))
                    .unwrap_or_else(|| (demo::CUSTOMERS[0].account_number.to_owned(), rp(1_000)));
                let q = other
                    .quote_deposit(&DepositForm {
                        to_account: to,
                        amount: amt,
                        name: None,
                        narration: None,
                    })
                    .await
                    .map_err(|e| self.fail(format!("plant quote: {e}")))?;
                let paid = other
                    .pay(&q.sid, &pin(), None)
                    .await
                    .map_err(|e| self.fail(format!("plant pay: {e}")))?;
                if paid.record.state != State::Succeeded {
                    return Err(self.fail("plant: the second deposit did not go through"));
                }
                Ok(())
            }
            Some(Plant::PhantomSuccess { day }) if day == self.day => {
                // A row walked to `succeeded` without ever being sent.
                let j = self.teller.journal();
                let err = |e: journal::JournalError| format!("plant: {e}");
                let sid = j
                    .begin(journal::NewTransaction {
                        kind: Some(Kind::Deposit),
                        operator: "sim-plant".into(),
                        agent_code: "sim".into(),
                        amount: Some(rp(5_000)),
                        admin_fee: Some(Rupiah::ZERO),
                        destination: journal::Destination {
                            account_number: Some(demo::CUSTOMERS[0].account_number.into()),
                            ..Default::default()
                        },
                        narration: None,
                        override_of: None,
                    })
                    .map_err(|e| self.fail(err(e)))?;
                let steps = [
                    (State::Draft, State::Inquired),
                    (State::Inquired, State::Authorized),
                    (State::Authorized, State::Sending),
                    (State::Sending, State::Succeeded),
                ];
                for (from, to) in steps {
                    j.step(
                        &sid,
                        from,
                        to,
                        "sim-plant",
                        None,
                        journal::StepFacts {
                            total: Some(rp(5_000)),
                            ..Default::default()
                        },
                    )
                    .map_err(|e| self.fail(err(e)))?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The day's close: faults off, crashed children's rows recovered,
    /// every doubt checked with the switcher, then the invariants.
    async fn close_day(&mut self) -> Result<(), Failure> {
        self.sandbox.set_faults(FaultPlan::default());
        self.teller
            .recover("sim-close")
            .await
            .map_err(|e| self.fail(format!("recover: {e}")))?;
        let doubts = self
            .teller
            .journal()
            .in_doubt()
            .map_err(|e| self.fail(format!("in_doubt: {e}")))?;
        for d in doubts {
            match self.teller.check(&d.sid, "sim-close").await {
                Ok(r) if r.state != State::Unknown => {}
                Ok(r) => return Err(self.fail(format!("check {} left it {}", d.sid, r.state))),
                Err(e) => {
                    return Err(self.fail(format!(
                        "check {} with no faults: {e} ({})",
                        d.sid,
                        e.code()
                    )))
                }
            }
        }
        Ok(())
    }

    /// The day's checks, on what the day added: the rows created since the
    /// last check (and the originals their reversals changed), the
    /// statement lines not yet explained, the file pages that changed.
    /// Running totals carry the rest (the agent's balance, each WIB day's
    /// summary); the full check at the end of the seed re-reads everything.
    async fn check_day(&mut self) -> Result<(), Failure> {
        if full_daily() {
            return self.invariants().await;
        }
        let upto = Utc::now();
        let since = self.daily.checked_until.unwrap_or(self.start) - chrono::Duration::seconds(2);
        let fresh: Vec<TransactionRecord> = self
            .teller
            .journal()
            .between(since, upto + chrono::Duration::days(1))
            .map_err(|e| self.fail(format!("between: {e}")))?
            .into_iter()
            .filter(|r| !self.daily.checked.contains(&r.sid))
            .collect();
        // Earlier rows this day changed: the originals of its reversals.
        let mut touched: Vec<TransactionRecord> = Vec::new();
        for r in fresh.iter().filter(|r| r.kind == Kind::Reversal) {
            let Some(orig) = reversed_original(r) else {
                return Err(self.fail(format!("reversal {} names no original", r.sid)));
            };
            if fresh.iter().any(|f| f.sid == orig) || touched.iter().any(|t| t.sid == orig) {
                continue;
            }
            match self.teller.journal().get(orig) {
                Ok(Some(o)) => touched.push(o),
                Ok(None) => {
                    return Err(self.fail(format!("reversal {} of a missing {orig}", r.sid)))
                }
                Err(e) => return Err(self.fail(format!("get: {e}"))),
            }
        }
        // No row is left open.
        for r in fresh.iter().chain(&touched) {
            if r.state.is_open() || r.state == State::Unknown {
                return Err(self.fail(format!("{} ({}) left {}", r.sid, r.kind, r.state)));
            }
        }
        // No lost row: every payment sent today ends succeeded, failed or reversed.
        for sid in &self.daily.attempted {
            let state = self
                .teller
                .journal()
                .get(sid)
                .map_err(|e| self.fail(format!("get: {e}")))?
                .map(|r| r.state);
            match state {
                Some(State::Succeeded | State::Failed | State::Reversed) => {}
                other => return Err(self.fail(format!("attempted {sid} is {other:?}"))),
            }
        }
        // No double debit, nothing booked that the journal calls failed;
        // the running totals of the balance and the day summaries.
        let today = upto.with_timezone(&mutasi::wib()).date_naive();
        let mut dates: BTreeSet<NaiveDate> = BTreeSet::from([today]);
        for r in fresh.iter().chain(&touched) {
            if !(r.kind.moves_money() || r.kind == Kind::Reversal) {
                continue;
            }
            let booked = self.sandbox.postings_for_sid(&r.sid);
            let want = match r.state {
                State::Succeeded | State::Reversed => 1,
                _ => 0,
            };
            if booked != want {
                return Err(self.fail(format!(
                    "{} ({}) is {} in the journal but the ledger has {booked} postings",
                    r.sid, r.kind, r.state
                )));
            }
            let new = part_of(r);
            let old = self
                .daily
                .parts
                .insert(r.sid.clone(), new)
                .unwrap_or_default();
            self.daily.expected += new.balance - old.balance;
            for (p, sign) in [(old, -1), (new, 1)] {
                if let Some(d) = p.date {
                    let sums = self.daily.sums.entry(d).or_default();
                    for (s, v) in sums.iter_mut().zip(p.summary) {
                        *s += sign * v;
                    }
                    dates.insert(d);
                }
            }
        }
        // The day's statement lines against the day's rows.
        self.reconcile_day(&fresh, since, upto).await?;
        // Journal and ledger agree to the sen.
        let now = self
            .sandbox
            .balance("BNI", demo::AGENT_ACCOUNT)
            .ok_or_else(|| self.fail("no agent balance"))?;
        let expected = self.start_balance.sen() + self.daily.expected;
        if now.sen() != expected {
            return Err(self.fail(format!(
                "agent balance {now} in the ledger, {} by the journal (start {})",
                Rupiah::from_sen(expected),
                self.start_balance
            )));
        }
        // The day summaries equal the running sums of the journal.
        for day in dates {
            let s = self
                .teller
                .journal()
                .day_summary(day)
                .map_err(|e| self.fail(format!("summary: {e}")))?;
            let [cash_in, returned, fees] = self.daily.sums.get(&day).copied().unwrap_or_default();
            if s.cash_in.sen() != cash_in
                || s.cash_returned.sen() != returned
                || s.admin_fees.sen() != fees
                || s.in_doubt != 0
            {
                return Err(self.fail(format!(
                    "day summary {day}: cash in {} returned {} fees {} in doubt {}; journal: {} {} {}",
                    s.cash_in,
                    s.cash_returned,
                    s.admin_fees,
                    s.in_doubt,
                    Rupiah::from_sen(cash_in),
                    Rupiah::from_sen(returned),
                    Rupiah::from_sen(fees)
                )));
            }
        }
        self.scan_secrets(false)?;
        self.daily.checked.extend(fresh.into_iter().map(|r| r.sid));
        self.daily.checked_until = Some(upto);
        self.daily.attempted.clear();
        Ok(())
    }

    /// The lines that reached the statement since the last check, through
    /// one provider, against the rows created since then: nothing may be
    /// left on one side only. Moota pages run newest first, so only the
    /// pages up to the first line already explained are read.
    async fn reconcile_day(
        &mut self,
        rows: &[TransactionRecord],
        since: DateTime<Utc>,
        upto: DateTime<Utc>,
    ) -> Result<(), Failure> {
        let kind = PROVIDERS[self.rng.below(4) as usize];
        let from = since.with_timezone(&mutasi::wib()).date_naive();
        let to = upto.with_timezone(&mutasi::wib()).date_naive();
        let lines = if kind == ProviderKind::Moota {
            self.moota_newest(from, to).await?
        } else {
            self.statement_of(kind, from, to).await?
        };
        let lines: Vec<StatementLine> = lines
            .into_iter()
            .filter(|l| !self.daily.seen_lines.contains(&line_key(l)))
            .collect();
        let report = reconcile::reconcile(rows, &lines, &reconcile::Options::default());
        if !report.journal_only.is_empty()
            || !report.statement_only.is_empty()
            || !report.resolvable.is_empty()
        {
            return Err(self.fail(format!(
                "reconciliation of the day through {kind:?} left: journal only {:?}; statement only {:?}; resolvable {:?}",
                report.journal_only.iter().map(|e| (&e.sid, e.total.to_string())).collect::<Vec<_>>(),
                report
                    .statement_only
                    .iter()
                    .map(|l| (&l.description, l.amount.to_string(), l.direction))
                    .collect::<Vec<_>>(),
                report.resolvable.iter().map(|p| &p.entry.sid).collect::<Vec<_>>()
            )));
        }
        self.daily.seen_lines.extend(lines.iter().map(line_key));
        Ok(())
    }

    /// Moota's lines of the agent's account, newest first, up to the first
    /// page that holds a line already explained.
    async fn moota_newest(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<StatementLine>, Failure> {
        let m = mutasi::providers::Moota::new(&MootaSettings {
            base_url: self.sandbox.base_url(),
            token: Secret::new(demo::MOOTA_TOKEN),
            bank: None,
        })
        .map_err(|e| self.fail(format!("Moota: {e}")))?;
        let digits = |a: &str| {
            a.chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
                .trim_start_matches('0')
                .to_owned()
        };
        let agent = digits(demo::AGENT_ACCOUNT);
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let got = m
                .mutations(&mutasi::providers::MootaQuery {
                    start_date: Some(from),
                    end_date: Some(to),
                    page: Some(page),
                    per_page: Some(100),
                    ..Default::default()
                })
                .await
                .map_err(|e| self.fail(format!("statement Moota: {e}")))?;
            let mut reached_old = false;
            for mm in &got.data {
                if digits(mm.monitored_account()) != agent {
                    continue;
                }
                let l = mm
                    .to_line(demo::AGENT_ACCOUNT)
                    .map_err(|e| self.fail(format!("statement Moota: {e}")))?;
                if self.daily.seen_lines.contains(&line_key(&l)) {
                    reached_old = true;
                } else {
                    out.push(l);
                }
            }
            if reached_old || page >= got.last_page.min(10_000) {
                break;
            }
            page += 1;
        }
        out.sort_by_key(|l| l.posted_at);
        Ok(out)
    }

    async fn invariants(&mut self) -> Result<(), Failure> {
        let rows = self
            .teller
            .journal()
            .between(
                DateTime::<Utc>::from_timestamp(0, 0).unwrap_or(self.start),
                Utc::now() + chrono::Duration::days(1),
            )
            .map_err(|e| self.fail(format!("between: {e}")))?;
        // No row is left open.
        for r in &rows {
            if r.state.is_open() || r.state == State::Unknown {
                return Err(self.fail(format!("{} ({}) left {}", r.sid, r.kind, r.state)));
            }
        }
        // No lost row: every payment sent here ends succeeded, failed or reversed.
        let by_sid: std::collections::HashMap<&str, &TransactionRecord> =
            rows.iter().map(|r| (r.sid.as_str(), r)).collect();
        for sid in &self.attempted {
            match by_sid.get(sid.as_str()).map(|r| r.state) {
                Some(State::Succeeded | State::Failed | State::Reversed) => {}
                other => return Err(self.fail(format!("attempted {sid} is {other:?}"))),
            }
        }
        // No double debit, nothing booked that the journal calls failed:
        // the ledger's postings per sid agree with the journal's state.
        let mut expected = self.start_balance;
        for r in rows.iter() {
            if !(r.kind.moves_money() || r.kind == Kind::Reversal) {
                continue;
            }
            let booked = self.sandbox.postings_for_sid(&r.sid);
            let want = match r.state {
                State::Succeeded | State::Reversed => 1,
                _ => 0,
            };
            if booked != want {
                return Err(self.fail(format!(
                    "{} ({}) is {} in the journal but the ledger has {booked} postings",
                    r.sid, r.kind, r.state
                )));
            }
            if let Some(e) = reconcile::JournalEntry::from_record(r) {
                expected = match e.direction {
                    mutasi::Direction::Debit => expected.checked_sub(e.total),
                    mutasi::Direction::Credit => expected.checked_add(e.total),
                }
                .ok_or_else(|| self.fail("overflow"))?;
            }
        }
        // The statement first: it names what is on one side only.
        self.reconcile(&rows).await?;
        // Journal and ledger agree to the sen.
        let now = self
            .sandbox
            .balance("BNI", demo::AGENT_ACCOUNT)
            .ok_or_else(|| self.fail("no agent balance"))?;
        if now != expected {
            return Err(self.fail(format!(
                "agent balance {now} in the ledger, {expected} by the journal (start {})",
                self.start_balance
            )));
        }
        self.summaries(&rows)?;
        self.scan_secrets(true)
    }

    /// The day summaries (every WIB day of the run) equal the sum of the journal.
    fn summaries(&self, rows: &[TransactionRecord]) -> Result<(), Failure> {
        let first = self.start.with_timezone(&mutasi::wib()).date_naive();
        let last = Utc::now().with_timezone(&mutasi::wib()).date_naive();
        let mut day = first;
        while day <= last {
            let s = self
                .teller
                .journal()
                .day_summary(day)
                .map_err(|e| self.fail(format!("summary: {e}")))?;
            let (lo, hi) = (
                mutasi::wib_day_start(day),
                mutasi::wib_day_start(day + chrono::Duration::days(1)),
            );
            let (mut cash_in, mut returned, mut fees) = (0i64, 0i64, 0i64);
            for r in rows
                .iter()
                .filter(|r| r.created_at >= lo && r.created_at < hi)
            {
                let total = r.total.or(r.amount).unwrap_or(Rupiah::ZERO).sen();
                let fee = r.admin_fee.unwrap_or(Rupiah::ZERO).sen();
                match (r.kind, r.state) {
                    (k, State::Succeeded | State::Reversed) if k.moves_money() => {
                        cash_in += total;
                        fees += fee;
                    }
                    (Kind::Reversal, State::Succeeded) => returned += total,
                    _ => {}
                }
            }
            if s.cash_in.sen() != cash_in
                || s.cash_returned.sen() != returned
                || s.admin_fees.sen() != fees
                || s.in_doubt != 0
            {
                return Err(self.fail(format!(
                    "day summary {day}: cash in {} returned {} fees {} in doubt {}; journal: {} {} {}",
                    s.cash_in,
                    s.cash_returned,
                    s.admin_fees,
                    s.in_doubt,
                    Rupiah::from_sen(cash_in),
                    Rupiah::from_sen(returned),
                    Rupiah::from_sen(fees)
                )));
            }
            day += chrono::Duration::days(1);
        }
        Ok(())
    }

    async fn statement(&self, kind: ProviderKind) -> Result<Vec<StatementLine>, Failure> {
        let from = (self.start - chrono::Duration::days(1))
            .with_timezone(&mutasi::wib())
            .date_naive();
        let to = Utc::now().with_timezone(&mutasi::wib()).date_naive();
        self.statement_of(kind, from, to).await
    }

    async fn statement_of(
        &self,
        kind: ProviderKind,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<StatementLine>, Failure> {
        let settings = provider_settings(kind, &self.sandbox.base_url());
        let source = mutasi::source(&settings).map_err(|e| self.fail(format!("{kind:?}: {e}")))?;
        let range = DateRange::new(from, to).map_err(|e| self.fail(format!("range: {e}")))?;
        source
            .fetch(demo::AGENT_ACCOUNT, range, &mutasi::no_progress)
            .await
            .map_err(|e| self.fail(format!("statement {kind:?}: {e}")))
    }

    /// The journal against the sandbox's statement, through one provider:
    /// nothing may be left on one side only.
    async fn reconcile(&mut self, rows: &[TransactionRecord]) -> Result<(), Failure> {
        let kind = PROVIDERS[self.rng.below(4) as usize];
        let lines: Vec<StatementLine> = self
            .statement(kind)
            .await?
            .into_iter()
            .filter(|l| !self.seeded_lines.contains(&(kind, l.provider_id.clone())))
            .collect();
        let report = reconcile::reconcile(rows, &lines, &reconcile::Options::default());
        if !report.journal_only.is_empty()
            || !report.statement_only.is_empty()
            || !report.resolvable.is_empty()
        {
            return Err(self.fail(format!(
                "reconciliation through {kind:?} left: journal only {:?}; statement only {:?}; resolvable {:?}",
                report.journal_only.iter().map(|e| (&e.sid, e.total.to_string())).collect::<Vec<_>>(),
                report
                    .statement_only
                    .iter()
                    .map(|l| (&l.description, l.amount.to_string(), l.direction))
                    .collect::<Vec<_>>(),
                report.resolvable.iter().map(|p| &p.entry.sid).collect::<Vec<_>>()
            )));
        }
        Ok(())
    }

    /// No secret in any file of the data directory. Daily (`full` false)
    /// only the pages that changed since the last scan are read for
    /// secrets, with enough bytes around them for a secret across a page
    /// edge; the full scan reads everything.
    fn scan_secrets(&mut self, full: bool) -> Result<(), Failure> {
        const PAGE: usize = 4096;
        let mut files = Vec::new();
        walk(&self.dir, &mut files);
        for f in files {
            // Read by another process: closing any descriptor of a SQLite
            // file in this process would drop this process's POSIX locks on
            // it, and another process's commits could then be lost (the
            // simulator's first finding was exactly that, in itself).
            let Ok(out) = Command::new("cat").arg(&f).stderr(Stdio::null()).output() else {
                continue;
            };
            let bytes = out.stdout;
            let hashes: Vec<u64> = bytes.chunks(PAGE).map(page_hash).collect();
            let old = if full {
                None
            } else {
                self.daily.scanned.get(&f)
            };
            for (from, to) in changed_spans(&bytes, &hashes, old.map(Vec::as_slice), PAGE) {
                if let Some(s) = secret_in(&bytes[from..to]) {
                    return Err(self.fail(format!("{} holds a secret ({s})", f.display())));
                }
            }
            self.daily.scanned.insert(f, hashes);
        }
        Ok(())
    }
}

/// `LOKET_SIM_CHECK=full`: the checks as they were before they became
/// incremental (the whole journal, ledger, statement and data directory
/// every day; reversals found by scanning the whole journal), kept to
/// measure the difference (`make soak` does not use it).
fn full_daily() -> bool {
    static FULL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *FULL.get_or_init(|| std::env::var("LOKET_SIM_CHECK").is_ok_and(|v| v == "full"))
}

fn page_hash(page: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    page.hash(&mut h);
    h.finish()
}

/// The byte ranges of `bytes` to scan: every page whose hash is not the
/// one scanned before (all of them without `old`), widened by 128 bytes
/// each side (a secret is at most 80) and then to the ends of the
/// alphanumeric runs cut there (so a cut cannot make six digits look
/// alone), merged where they touch.
fn changed_spans(
    bytes: &[u8],
    hashes: &[u64],
    old: Option<&[u64]>,
    page: usize,
) -> Vec<(usize, usize)> {
    const EDGE: usize = 128;
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (i, h) in hashes.iter().enumerate() {
        if old.is_some_and(|o| o.get(i) == Some(h)) {
            continue;
        }
        let mut from = (i * page).saturating_sub(EDGE);
        let mut to = ((i + 1) * page + EDGE).min(bytes.len());
        while from > 0 && bytes[from - 1].is_ascii_alphanumeric() {
            from -= 1;
        }
        while to < bytes.len() && bytes[to].is_ascii_alphanumeric() {
            to += 1;
        }
        match spans.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => spans.push((from, to)),
        }
    }
    spans
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
}

/// Which secret `bytes` hold, if any: a PIN (not inside a longer run of
/// digits, where six digits occur by chance), a password, or something
/// shaped like a session id (80 alphanumerics with both cases and digits).
pub fn secret_in(bytes: &[u8]) -> Option<&'static str> {
    // One pass: maximal runs of digits (a PIN is a run of exactly its six
    // digits), a password compared only where its first byte occurs, and
    // runs of alphanumerics for session ids.
    // The PINs the simulator types. Not the new accounts' PIN: it is never
    // sent, and "123456" is the prefix of every account the sandbox opens,
    // which the search index keeps as a token of its own (soak seed
    // 13413314023742533592).
    let pins: Vec<&[u8]> = std::iter::once(demo::PIN)
        .chain(demo::CUSTOMERS.iter().map(|c| c.pin))
        .map(str::as_bytes)
        .collect();
    let passwords: [&[u8]; 3] = [
        demo::PASSWORD.as_bytes(),
        SPV_PASSWORD.as_bytes(),
        demo::STAFF_PASSWORD.as_bytes(),
    ];
    // A PIN counts where its six digits stand alone: not inside a longer
    // number (a sid) nor inside a hex or alphanumeric token (a chain hash
    // once held "…fe135790a7…": soak seed 18257567477468402831).
    let alone = |from: usize, to: usize| {
        (from == 0 || !bytes[from - 1].is_ascii_alphanumeric())
            && bytes.get(to).is_none_or(|b| !b.is_ascii_alphanumeric())
    };
    let (mut digits_from, mut alnum) = (None::<usize>, 0usize);
    let (mut upper, mut lower, mut digit) = (false, false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_digit() {
            digits_from.get_or_insert(i);
        } else if let Some(from) = digits_from.take() {
            if i - from == 6 && pins.contains(&&bytes[from..i]) && alone(from, i) {
                return Some("a PIN");
            }
        }
        for pw in passwords {
            if b == pw[0] && bytes[i..].starts_with(pw) {
                return Some("a password");
            }
        }
        if b.is_ascii_alphanumeric() {
            alnum += 1;
            upper |= b.is_ascii_uppercase();
            lower |= b.is_ascii_lowercase();
            digit |= b.is_ascii_digit();
            if alnum >= 80 && upper && lower && digit {
                return Some("a session id");
            }
        } else {
            alnum = 0;
            (upper, lower, digit) = (false, false, false);
        }
    }
    if let Some(from) = digits_from {
        if bytes.len() - from == 6 && pins.contains(&&bytes[from..]) {
            return Some("a PIN");
        }
    }
    None
}

/// Runs one seed: `cfg.days` days of `cfg.flows / cfg.days` flows each,
/// checking the invariants after every day.
pub async fn run(cfg: &Config) -> Result<Report, Failure> {
    let started = Instant::now();
    let early = |what: String| Failure {
        seed: cfg.seed,
        day: 0,
        what,
        replay: cfg.replay_command(),
    };
    let sandbox = Sandbox::start(
        SandboxConfig::default(),
        "127.0.0.1:0".parse().map_err(|e| early(format!("{e}")))?,
    )
    .await
    .map_err(|e| early(format!("sandbox: {e}")))?;
    // By default on tmpfs when there is one: the SQLite files, WAL and
    // locks are real, only fsync costs nothing, which keeps the run about
    // the flows and not about the disk.
    let shm = Path::new("/dev/shm");
    let work_dir = cfg
        .work_dir
        .clone()
        .or_else(|| (shm.is_dir() && has_room(shm)).then(|| shm.to_path_buf()));
    let tmp = match &work_dir {
        Some(d) => tempfile::Builder::new().prefix("loket-sim-").tempdir_in(d),
        None => tempfile::Builder::new().prefix("loket-sim-").tempdir(),
    }
    .map_err(|e| early(format!("temp dir: {e}")))?;
    let dir = tmp.path().join("data");
    let logs = tmp.path().join("children");
    std::fs::create_dir_all(&dir).map_err(|e| early(format!("{e}")))?;
    std::fs::create_dir_all(&logs).map_err(|e| early(format!("{e}")))?;
    let db = dir.join("journal.db");
    let journal = Arc::new(Journal::open(&db).map_err(|e| early(format!("journal: {e}")))?);
    let supervisors = Supervisors::open(&db).map_err(|e| early(format!("supervisors: {e}")))?;
    supervisors
        .create_supervisor(SPV, &SupervisorPassword::new(SPV_PASSWORD), None)
        .map_err(|e| early(format!("supervisor: {e}")))?;
    let teller = Teller::new(
        &TellerConfig {
            server: sandbox.base_url(),
            switcher: Some(sandbox.base_url()),
            timeout: Duration::from_secs(10),
        },
        journal,
    )
    .map_err(|e| early(format!("teller: {e}")))?
    // The day's close checks long after sending: the switcher's "not
    // found" is believed at once (children get LOKET_CHECK_SETTLE_SECS=0).
    .with_check_settle(Duration::ZERO);
    let start_balance = sandbox
        .balance("BNI", demo::AGENT_ACCOUNT)
        .ok_or_else(|| early("no agent account".into()))?;
    let mut sim = Sim {
        cfg: cfg.clone(),
        rng: Rng::new(cfg.seed),
        sandbox,
        dir,
        logs,
        teller,
        supervisors,
        approval: None,
        day: 0,
        day_plan: FaultPlan::default(),
        attempted: BTreeSet::new(),
        succeeded: Vec::new(),
        seeded_lines: HashSet::new(),
        start: Utc::now() - chrono::Duration::seconds(1),
        start_balance,
        report: Report {
            seed: cfg.seed,
            ..Report::default()
        },
        daily: Daily::default(),
    };
    for kind in PROVIDERS {
        for l in sim.statement(kind).await? {
            sim.daily.seen_lines.insert(line_key(&l));
            sim.seeded_lines.insert((kind, l.provider_id));
        }
    }
    sim.login().await?;
    sim.report.relogins = 0;
    let days = cfg.days.max(1);
    for day in 0..days {
        sim.day = day + 1;
        let share =
            cfg.flows / u64::from(days) + u64::from(u64::from(day) < cfg.flows % u64::from(days));
        if let Err(mut f) = sim.run_day(share).await {
            // Kept for a look; the replay command makes it again.
            let kept = tmp.keep();
            f.what.push_str(&format!(
                "\n(data directory kept: {})",
                kept.join("data").display()
            ));
            return Err(f);
        }
    }
    // The full check, once: the whole journal, ledger and statement, every
    // byte of the data directory.
    let full = Instant::now();
    if let Err(mut f) = sim.invariants().await {
        let kept = tmp.keep();
        f.what = format!(
            "(the full check at the end) {}\n(data directory kept: {})",
            f.what,
            kept.join("data").display()
        );
        return Err(f);
    }
    sim.report.final_check = full.elapsed();
    sim.report.days = days;
    sim.report.elapsed = started.elapsed();
    let report = sim.report.clone();
    let Sim { sandbox, .. } = sim;
    sandbox.shutdown().await;
    drop(tmp);
    Ok(report)
}

/// Whether `dir` has room for a run's data directories (1 GiB): a
/// container's `/dev/shm` is often 64 MB, and a full disk would read as a
/// Loket defect.
fn has_room(dir: &Path) -> bool {
    const NEEDED: u64 = 1 << 30;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
            return false;
        };
        // SAFETY: `c` is a valid NUL-terminated path and `st` a zeroed
        // statvfs that the call fills in; nothing is kept after it returns.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
            return false;
        }
        (st.f_bavail as u64).saturating_mul(st.f_frsize as u64) >= NEEDED
    }
    #[cfg(not(unix))]
    {
        let _ = (dir, NEEDED);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_found_and_digits_inside_longer_numbers_are_not() {
        assert_eq!(secret_in(b"pin=359569;"), Some("a PIN"));
        assert_eq!(secret_in(b"359569"), Some("a PIN"));
        assert_eq!(secret_in(b"sid 2611291435956912"), None);
        assert_eq!(secret_in(b"cdfe135790a745b8"), None);
        assert_eq!(secret_in(b"\"pin\":\"135790\""), Some("a PIN"));
        assert_eq!(secret_in(b"x T6jkl4ss y"), Some("a password"));
        let sid = "aB3".repeat(27);
        assert_eq!(secret_in(sid.as_bytes()), Some("a session id"));
        assert_eq!(secret_in("ab".repeat(60).as_bytes()), None);
    }

    /// Soak seed 52638954518845958 drew the KTP serial 0000, which Loket
    /// rightly refuses; every serial the plan can draw now passes.
    #[test]
    fn every_open_account_form_the_plan_draws_is_valid() {
        for n in 1..=9_999 {
            let f = open_account_form_with(n);
            assert!(teller::validate_open_account(&f).is_ok(), "serial {n}");
        }
        assert!(teller::validate_open_account(&open_account_form_with(0)).is_err());
        let mut rng = Rng::new(1);
        for _ in 0..100_000 {
            let n = 1 + rng.below(9_999);
            assert!((1..=9_999).contains(&n));
        }
    }

    #[test]
    fn the_daily_scan_reads_changed_pages_and_a_secret_across_an_edge() {
        let page = 64;
        let mut bytes = vec![b' '; 4 * page];
        let h = |b: &[u8]| b.chunks(page).map(page_hash).collect::<Vec<_>>();
        let before = h(&bytes);
        // A PIN across the edge of pages 1 and 2; only page 2 changes.
        bytes[2 * page - 3..2 * page + 3].copy_from_slice(b"359569");
        let old: Vec<u64> = before
            .iter()
            .enumerate()
            .map(|(i, x)| if i == 1 { h(&bytes)[1] } else { *x })
            .collect();
        let spans = changed_spans(&bytes, &h(&bytes), Some(&old), page);
        assert_eq!(spans.len(), 1);
        assert!(spans
            .iter()
            .any(|&(a, b)| secret_in(&bytes[a..b]) == Some("a PIN")));
        // Nothing changed: nothing to read. No record: everything.
        assert!(changed_spans(&bytes, &h(&bytes), Some(&h(&bytes)), page).is_empty());
        assert_eq!(
            changed_spans(&bytes, &h(&bytes), None, page),
            vec![(0, 4 * page)]
        );
        // A cut inside a longer number widens to the number's ends, so six
        // of its digits never look alone.
        let mut digits = vec![b'7'; 3 * page];
        digits[page..page + 6].copy_from_slice(b"359569");
        let spans = changed_spans(&digits, &h(&digits), None, page);
        assert!(spans
            .iter()
            .all(|&(a, b)| secret_in(&digits[a..b]).is_none()));
    }

    #[test]
    fn a_statement_line_is_known_by_its_reference_whichever_provider() {
        let line = |d: &str| StatementLine {
            provider: ProviderKind::Moota,
            account: "1".into(),
            posted_at: Utc::now(),
            date_only: false,
            direction: mutasi::Direction::Debit,
            amount: rp(5_000),
            balance: None,
            description: d.into(),
            provider_id: "x".into(),
            reference: None,
        };
        let a = line_key(&line("SETOR TUNAI KE BNI 0123456789 2611291435956912"));
        let b = line_key(&line("setor tunai ke bni 0123456789 2611291435956912 "));
        assert_eq!(a, b);
        assert_eq!(a.2, "2611291435956912");
        assert_ne!(
            a,
            line_key(&line("SETOR TUNAI KE BNI 0123456789 2611291435956913"))
        );
        assert_eq!(line_key(&line("biaya  admin")).2, "BIAYA ADMIN");
    }
}

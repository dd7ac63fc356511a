//! The shapes that cross IPC, with TypeScript generated from them
//! (`ui/src/lib/bindings.ts`). Money crosses as exact decimal strings of
//! rupiah ("25000", "1400000.50") beside their id-ID display, never as
//! floats. Conversions from core types live here, once.

use chrono::{DateTime, Utc};
use journal::{Event, TransactionRecord};
use money::Rupiah;
use serde::{Deserialize, Serialize};
use specta::Type;

pub use crate::error_code::ErrorCode;

/// An error as the UI receives it: a stable code and a message in the
/// chosen language, saying what happened and what to do.
#[derive(Debug, Clone, Serialize, Type)]
pub struct CommandError {
    pub code: ErrorCode,
    /// A bank's or provider's own refusal code when `code` is `REFUSED`.
    pub refusal_code: Option<String>,
    pub message: String,
    /// Money may have moved: show as in doubt, never as failure.
    pub outcome_unknown: bool,
}

impl CommandError {
    /// An error from a core crate's code text (`TellerError::code`, …).
    pub fn new(raw_code: &str, message: String, outcome_unknown: bool) -> CommandError {
        let (code, refusal_code) = ErrorCode::of(raw_code);
        CommandError {
            code,
            refusal_code,
            message,
            outcome_unknown,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct AppInfo {
    pub version: String,
    pub sandbox: bool,
    pub server: String,
    pub has_switcher: bool,
    pub settings: Settings,
    /// A damaged settings file was replaced by the defaults: why.
    pub settings_warning: Option<String>,
    /// settings.json names another server than the one last recorded:
    /// nothing talks to the bank until it is restored; the journal's views
    /// (history, day summary) still work. Says old, new, what to do.
    pub bank_blocked: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Id,
    En,
}

impl From<teller::Lang> for Lang {
    fn from(l: teller::Lang) -> Self {
        match l {
            teller::Lang::Id => Lang::Id,
            teller::Lang::En => Lang::En,
        }
    }
}

impl From<Lang> for teller::Lang {
    fn from(l: Lang) -> Self {
        match l {
            Lang::Id => teller::Lang::Id,
            Lang::En => teller::Lang::En,
        }
    }
}

/// The settings screen. An empty server means the embedded sandbox.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Settings {
    pub server: Option<String>,
    pub switcher: Option<String>,
    pub lang: Lang,
    pub idle_lock_minutes: u32,
    /// The CUPS printer for receipts; `None` is the system default.
    pub printer: Option<String>,
    /// Receipt roll width in mm: 58 or 80.
    pub paper_mm: u32,
    /// A second folder for the daily backup (a USB stick); `None`: none.
    pub backup_folder: Option<String>,
    /// The bank's update address (`latest.json`); `null` never checks.
    pub update_endpoint: Option<String>,
}

impl From<&teller::Settings> for Settings {
    fn from(s: &teller::Settings) -> Self {
        Settings {
            server: s.server.clone(),
            switcher: s.switcher.clone(),
            lang: s.lang.into(),
            idle_lock_minutes: s.idle_lock_minutes,
            printer: s.printer.clone(),
            paper_mm: s.paper_mm,
            backup_folder: s.backup_folder.clone(),
            update_endpoint: s.update_endpoint.clone(),
        }
    }
}

impl From<&Settings> for teller::Settings {
    fn from(s: &Settings) -> Self {
        teller::Settings {
            server: s.server.clone(),
            switcher: s.switcher.clone(),
            lang: s.lang.into(),
            idle_lock_minutes: s.idle_lock_minutes,
            printer: s.printer.clone(),
            paper_mm: s.paper_mm,
            backup_folder: s.backup_folder.clone(),
            update_endpoint: s.update_endpoint.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Profile {
    pub name: String,
    pub username: String,
    pub agent_code: String,
    pub is_agent: bool,
    pub bank_name: Option<String>,
    pub bank_colour: Option<String>,
    pub address: String,
}

impl From<bankplus::AgentProfile> for Profile {
    fn from(p: bankplus::AgentProfile) -> Self {
        Profile {
            name: p.name,
            username: p.username,
            agent_code: p.agent_code.0,
            is_agent: p.role == bankplus::Role::Agent,
            bank_name: p.bank_name,
            bank_colour: p.bank_colour,
            address: p.address,
        }
    }
}

/// An amount both ways: exact for logic, formatted for people.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Money {
    /// Exact rupiah as a decimal string.
    pub value: String,
    /// `Rp25.000`.
    pub display: String,
}

impl From<Rupiah> for Money {
    fn from(r: Rupiah) -> Self {
        Money {
            value: r.to_plain_string(),
            display: r.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Account {
    pub account_number: String,
    pub account_masked: String,
    pub account_name: String,
    pub balance: Option<Money>,
}

impl From<bankplus::AccountInfo> for Account {
    fn from(info: bankplus::AccountInfo) -> Self {
        Account {
            account_masked: teller::mask_account(&info.account_number),
            account_number: info.account_number,
            account_name: info.account_name,
            balance: info.balance.map(Money::from),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Quote {
    pub sid: String,
    pub kind: String,
    pub bank_name: Option<String>,
    pub account_number: String,
    pub account_masked: String,
    pub account_name: String,
    pub amount: Money,
    pub admin_fee: Money,
    pub total: Money,
    pub terbilang: String,
    /// An earlier transaction like this one is still in doubt: paying is held.
    pub in_doubt: Option<String>,
}

impl From<teller::Quote> for Quote {
    fn from(q: teller::Quote) -> Self {
        let account = q.destination.account_number.clone().unwrap_or_default();
        Quote {
            sid: q.sid,
            kind: q.kind.as_str().into(),
            bank_name: q.destination.bank_name,
            account_masked: teller::mask_account(&account),
            account_number: account,
            account_name: q.destination.account_name.unwrap_or_default(),
            amount: q.amount.into(),
            admin_fee: q.admin_fee.into(),
            total: q.total.into(),
            terbilang: q.terbilang,
            in_doubt: q.in_doubt,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Succeeded,
    Failed,
    Unknown,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Outcome {
    pub status: Status,
    pub transaction: Transaction,
    /// The bank's or Loket's reason when it did not succeed.
    pub error: Option<CommandError>,
}

/// One row of history, as lists show it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Transaction {
    pub sid: String,
    pub kind: String,
    pub state: String,
    /// `2026-11-23 14:05:09` in WIB.
    pub time_wib: String,
    pub operator: String,
    pub bank_name: Option<String>,
    pub bank_code: Option<String>,
    pub account_number: Option<String>,
    pub account_masked: Option<String>,
    pub account_name: Option<String>,
    pub amount: Option<Money>,
    pub admin_fee: Option<Money>,
    pub total: Option<Money>,
    pub terbilang: Option<String>,
    pub bank_reference: Option<String>,
    pub bank_message: Option<String>,
    pub narration: Option<String>,
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
}

pub fn wib(at: DateTime<Utc>) -> String {
    at.with_timezone(&journal::wib())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

impl From<TransactionRecord> for Transaction {
    fn from(r: TransactionRecord) -> Self {
        Transaction {
            time_wib: wib(r.created_at),
            sid: r.sid,
            kind: r.kind.as_str().into(),
            state: r.state.as_str().into(),
            operator: r.operator,
            bank_name: r.destination.bank_name,
            bank_code: r.destination.bank_code,
            account_masked: r
                .destination
                .account_number
                .as_deref()
                .map(teller::mask_account),
            account_number: r.destination.account_number,
            account_name: r.destination.account_name,
            amount: r.amount.map(Money::from),
            admin_fee: r.admin_fee.map(Money::from),
            terbilang: r.total.or(r.amount).map(money::terbilang),
            total: r.total.map(Money::from),
            bank_reference: r.bank_reference,
            bank_message: r.bank_message,
            narration: r.narration,
            resolution: r.resolution.map(|x| x.as_str().to_owned()),
            resolved_by: r.resolved_by,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct TimelineEvent {
    pub time_wib: String,
    pub from: Option<String>,
    pub to: String,
    pub actor: String,
    pub note: Option<String>,
}

impl From<Event> for TimelineEvent {
    fn from(e: Event) -> Self {
        TimelineEvent {
            time_wib: wib(e.at),
            from: e.from.map(|s| s.as_str().to_owned()),
            to: e.to.as_str().into(),
            actor: e.actor,
            note: e.note,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct TransactionDetail {
    pub transaction: Transaction,
    pub events: Vec<TimelineEvent>,
}

/// A history search as the screen sets it. Dates are WIB days `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, Deserialize, Type)]
pub struct HistoryFilter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub kind: Option<String>,
    pub state: Option<String>,
    pub search: Option<String>,
    pub after: Option<String>,
    pub limit: Option<u32>,
    /// Show the read-only look-ups (account and balance checks) too; hidden
    /// unless asked for, so the list shows money first.
    pub show_lookups: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct HistoryPage {
    pub rows: Vec<Transaction>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct KindTotals {
    pub kind: String,
    pub succeeded: u32,
    pub failed: u32,
    pub unknown: u32,
    pub reversed: u32,
    pub amount: Money,
    pub admin_fee: Money,
    pub total: Money,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct DaySummary {
    pub date: String,
    pub kinds: Vec<KindTotals>,
    pub admin_fees: Money,
    pub cash_in: Money,
    pub in_doubt: u32,
    pub in_doubt_total: Money,
    /// Payments whose replied fee differed from the quoted one: check them
    /// against the statement.
    pub fee_differences: u32,
}

fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<journal::DaySummary> for DaySummary {
    fn from(d: journal::DaySummary) -> Self {
        DaySummary {
            date: d.date.to_string(),
            kinds: d
                .kinds
                .into_iter()
                .map(|(k, s)| KindTotals {
                    kind: k.as_str().into(),
                    succeeded: count(s.succeeded),
                    failed: count(s.failed),
                    unknown: count(s.unknown),
                    reversed: count(s.reversed),
                    amount: s.amount.into(),
                    admin_fee: s.admin_fee.into(),
                    total: s.total.into(),
                })
                .collect(),
            admin_fees: d.admin_fees.into(),
            cash_in: d.cash_in.into(),
            in_doubt: count(d.in_doubt),
            in_doubt_total: d.in_doubt_total.into(),
            fee_differences: count(d.fee_differences),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Export {
    pub path: String,
    pub rows: u32,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Bank {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct MasterItem {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum MasterList {
    Jobs,
    Educations,
    Salaries,
    Transactions,
}

impl From<MasterList> for bankplus::MasterList {
    fn from(m: MasterList) -> Self {
        match m {
            MasterList::Jobs => bankplus::MasterList::Jobs,
            MasterList::Educations => bankplus::MasterList::Educations,
            MasterList::Salaries => bankplus::MasterList::Salaries,
            MasterList::Transactions => bankplus::MasterList::TransactionRanges,
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Dashboard {
    Bsa,
    Bill,
    Purchase,
    AgentGrowth,
    AgentSpread,
}

impl From<Dashboard> for bankplus::Dashboard {
    fn from(d: Dashboard) -> Self {
        match d {
            Dashboard::Bsa => bankplus::Dashboard::Bsa,
            Dashboard::Bill => bankplus::Dashboard::Bill,
            Dashboard::Purchase => bankplus::Dashboard::Purchase,
            Dashboard::AgentGrowth => bankplus::Dashboard::AgentGrowth,
            Dashboard::AgentSpread => bankplus::Dashboard::AgentSpread,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct GraphPoint {
    pub title: String,
    pub count: f64,
}

/// A region for the postal-code lookup (`wilayah/get`).
#[derive(Debug, Clone, Deserialize, Type)]
pub struct Region {
    pub province: String,
    /// `Kota` or `Kabupaten`.
    pub kind: String,
    pub regency: String,
    pub district: String,
    pub village: String,
}

impl From<Region> for bankplus::Region {
    fn from(r: Region) -> Self {
        bankplus::Region {
            province: r.province,
            kind: r.kind,
            regency: r.regency,
            district: r.district,
            village: r.village,
        }
    }
}

/// A chosen image file: its name and bytes (the platform keeps a path for it).
#[derive(Debug, Clone, Deserialize, Type)]
pub struct ImageFile {
    pub name: String,
    /// Base64 of the file's bytes.
    pub base64: String,
}

/// The open-account form, field for field as the document names them.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct OpenAccountForm {
    pub name: String,
    pub email: String,
    pub mother_name: String,
    pub profession: String,
    pub last_education: String,
    pub status_nikah: String,
    pub pob: String,
    pub dob: String,
    pub ktp: String,
    pub gender: String,
    pub address: String,
    pub rt: String,
    pub rw: String,
    pub zip_code: String,
    pub kelurahan: String,
    pub kecamatan: String,
    pub city: String,
    pub state: String,
    pub hp: String,
    pub phone: String,
    pub income: String,
    pub jumlah_transaksi: String,
    pub deposit: String,
    pub image_ktp: ImageFile,
    pub image_foto: ImageFile,
}

/// The counter's backups, for the settings screen.
#[derive(Debug, Clone, Serialize, Type)]
pub struct BackupStatus {
    /// The newest backup in the data folder, if any.
    pub last: Option<BackupFile>,
    /// How many are kept there (the automatic ones keep the last 7).
    pub count: u32,
    /// The extra folder from the settings, if set.
    pub folder: Option<String>,
    /// Why the last automatic backup failed, if it did.
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct BackupFile {
    /// When, in WIB: "2026-11-29 10:35 WIB".
    pub made_at: String,
    /// Size on disk in KiB.
    pub kib: u32,
    pub path: String,
}

impl From<&backup::BackupFile> for BackupFile {
    fn from(b: &backup::BackupFile) -> Self {
        BackupFile {
            made_at: b
                .made_at
                .with_timezone(&journal::wib())
                .format("%Y-%m-%d %H:%M WIB")
                .to_string(),
            kib: u32::try_from(b.bytes.div_ceil(1024)).unwrap_or(u32::MAX),
            path: b.path.display().to_string(),
        }
    }
}

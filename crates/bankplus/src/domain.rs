//! What the rest of Loket works with: exact money ([`Rupiah`]), UTC times,
//! the agent code, roles, the bank's colour. Every conversion from the wire
//! happens here, once, and a value that cannot be read is an
//! [`Error::Malformed`], never a guess.
//!
//! Times: `date_time`/`timestamp` are documented as WIB
//! (`YYYY-MM-DD, hh24:mm:ss WIB`) but sent as UTC ISO-8601
//! (`2020-04-16T07:46:43.845Z`); both are read, a zoneless time as WIB.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use money::Rupiah;
use serde::Serialize;

use crate::error::Error;
use crate::sid::{Sid, SidError};
use crate::wire::{self, Amount};

/// `kode_mitra + kode_cabang + kode_loket`, e.g. `BNI014100294`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct AgentCode(pub String);

impl AgentCode {
    pub fn from_parts(kode_mitra: &str, kode_cabang: &str, kode_loket: &str) -> AgentCode {
        AgentCode(format!(
            "{}{}{}",
            kode_mitra.trim(),
            kode_cabang.trim(),
            kode_loket.trim()
        ))
    }
}

impl std::fmt::Display for AgentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who is logged in: an agent at a counter, or bank staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Role {
    /// `kelompok_id` 4: teller screens.
    Agent,
    /// Anyone else; `group_id` (0 Superadmin … 8 Helpdesk) when given.
    Staff { group_id: Option<String> },
}

/// The logged-in user's profile from `users/auth`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentProfile {
    pub name: String,
    pub username: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Role,
    pub agent_code: AgentCode,
    pub bank_code: Option<String>,
    pub bank_name: Option<String>,
    /// `warna_bank` as a CSS colour, `#ff6f00`.
    pub bank_colour: Option<String>,
    /// One line: street, RT/RW, kelurahan, kecamatan, kabupaten/kota, province.
    pub address: String,
    pub agent_type: Option<String>,
    pub password_updated_at: Option<DateTime<Utc>>,
    pub pin_updated_at: Option<DateTime<Utc>>,
}

/// Western Indonesian Time (UTC+7).
pub fn wib() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// Reads a document time. They are documented as WIB but sent as UTC
/// ISO-8601 (`2020-04-16T07:46:43.845Z`); a zoneless time is read as WIB.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc));
    }
    // The documented form ends in " WIB", which is what a zoneless time means anyway.
    let t = t.strip_suffix("WIB").map(str::trim_end).unwrap_or(t);
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d, %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, format) {
            if let Some(local) = wib().from_local_datetime(&naive).single() {
                return Ok(local.with_timezone(&Utc));
            }
        }
    }
    Err(format!("{t:?} is not a time"))
}

fn time_field(
    status: u16,
    field: &str,
    v: &Option<String>,
) -> Result<Option<DateTime<Utc>>, Error> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse_time(s).map(Some).map_err(|e| Error::Malformed {
            status,
            detail: format!("{field}: {e}"),
        }),
    }
}

fn money_field(status: u16, field: &str, v: &Amount) -> Result<Rupiah, Error> {
    v.to_rupiah().map_err(|e| Error::Malformed {
        status,
        detail: format!("{field}: {e}"),
    })
}

fn opt_money_field(status: u16, field: &str, v: &Option<Amount>) -> Result<Option<Rupiah>, Error> {
    v.as_ref()
        .map(|a| money_field(status, field, a))
        .transpose()
}

/// The reply's `total` when given (it is what was charged), otherwise
/// amount + fee.
fn total_of(
    status: u16,
    amount: Rupiah,
    admin_fee: Rupiah,
    total: &Option<Amount>,
) -> Result<Rupiah, Error> {
    match opt_money_field(status, "total", total)? {
        Some(t) => Ok(t),
        None => amount
            .checked_add(admin_fee)
            .ok_or_else(|| Error::Malformed {
                status,
                detail: "amount + admin is out of range".into(),
            }),
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl AgentProfile {
    pub fn from_wire(d: wire::LoginData) -> Result<AgentProfile, Error> {
        let status = 200;
        let role = match d.kelompok_id.as_deref().map(str::trim) {
            Some("4") => Role::Agent,
            _ => Role::Staff {
                group_id: non_empty(d.group_id.clone()),
            },
        };
        let address = [
            &d.alamat_jalan,
            &d.alamat_rt_perum,
            &d.alamat_kelurahan,
            &d.alamat_kecamatan,
            &d.alamat_kabupaten_kota,
            &d.alamat_propinsi,
        ]
        .iter()
        .filter_map(|p| p.as_deref().map(str::trim).filter(|s| !s.is_empty()))
        .collect::<Vec<_>>()
        .join(", ");
        let bank_colour = non_empty(d.warna_bank.clone()).and_then(|c| {
            let hex = c.trim_start_matches('#');
            (matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| format!("#{}", hex.to_ascii_lowercase()))
        });
        Ok(AgentProfile {
            agent_code: AgentCode::from_parts(&d.kode_mitra, &d.kode_cabang, &d.kode_loket),
            password_updated_at: time_field(status, "password_updated_at", &d.password_updated_at)?,
            pin_updated_at: time_field(status, "pin_updated_at", &d.pin_updated_at)?,
            name: d.nama,
            username: d.username,
            email: non_empty(d.email),
            phone: non_empty(d.no_hp),
            role,
            bank_code: non_empty(d.kode_bank),
            bank_name: non_empty(d.nama_bank),
            bank_colour,
            address,
            agent_type: non_empty(d.agent_type),
        })
    }
}

/// The agent as a transaction reply names it (`agent` block).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentOnReply {
    pub agent_code: String,
    pub name: String,
    pub address: String,
}

impl From<wire::AgentBlock> for AgentOnReply {
    fn from(a: wire::AgentBlock) -> Self {
        AgentOnReply {
            agent_code: a.kode_agen,
            name: a.nama,
            address: a.alamat,
        }
    }
}

/// One bar of a dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphPoint {
    pub title: String,
    pub count: i64,
}

impl GraphPoint {
    pub fn from_wire(g: wire::GraphItem) -> Result<GraphPoint, Error> {
        let count = money_field(200, "graph_count", &g.graph_count)?;
        Ok(GraphPoint {
            title: g.graph_title,
            count: count.whole_rupiah().ok_or_else(|| Error::Malformed {
                status: 200,
                detail: "graph_count is not a whole number".into(),
            })?,
        })
    }
}

/// An entry of a master list (jobs, educations, salaries, transaction ranges).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MasterItem {
    pub id: String,
    pub name: String,
}

/// A bank of `bank/list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bank {
    pub code: String,
    pub name: String,
}

/// What `bsa/checkAccount`, `bsa/customerbalance` or `account/balance` said
/// about an account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountInfo {
    pub account_number: String,
    pub account_name: String,
    pub currency: Option<String>,
    pub balance: Option<Rupiah>,
    pub bank_code: Option<String>,
    pub phone: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub reference: Option<String>,
    pub admin_fee: Option<Rupiah>,
    pub agent: Option<AgentOnReply>,
}

impl AccountInfo {
    pub fn from_wire(
        d: wire::AccountData,
        agent: Option<wire::AgentBlock>,
    ) -> Result<AccountInfo, Error> {
        let s = 200;
        // account/balance carries both `account_balance` (202696682) and
        // `balance` ("202.696.682"). They agree in every sample; if they
        // ever disagree, neither can be shown as the balance.
        let balance = match (
            opt_money_field(s, "account_balance", &d.account_balance)?,
            opt_money_field(s, "balance", &d.balance)?,
        ) {
            (Some(a), Some(b)) if a != b => {
                return Err(Error::Malformed {
                    status: s,
                    detail: format!("account_balance {a} and balance {b} disagree"),
                })
            }
            (a, b) => a.or(b),
        };
        Ok(AccountInfo {
            at: time_field(s, "date_time", &d.date_time)?,
            admin_fee: opt_money_field(s, "admin", &d.admin)?,
            balance,
            account_number: d.account_number,
            account_name: d.account_name,
            currency: non_empty(d.account_currency),
            bank_code: non_empty(d.bank_code),
            phone: non_empty(d.phone_mobile),
            reference: non_empty(d.reference_number),
            agent: agent.map(Into::into),
        })
    }
}

/// A new customer's details for `bsa/openAccount` (field names as the document).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, Serialize)]
pub struct OpenAccountForm {
    pub name: String,
    pub email: String,
    pub mother_name: String,
    pub profession: String,
    pub last_education: String,
    pub status_nikah: String,
    pub pob: String,
    /// `YYYY-MM-DD`.
    pub dob: String,
    /// The NIK on the KTP.
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
    /// The first deposit, in whole rupiah on the wire.
    pub deposit: String,
    /// Paths of the uploaded KTP and photo images, as the platform names them.
    pub image_ktp: String,
    pub image_foto: String,
}

/// The new account `bsa/openAccount` created.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenedAccount {
    pub account_number: String,
    pub account_name: String,
    pub agent_account_number: Option<String>,
    pub first_deposit: Option<Rupiah>,
    pub at: Option<DateTime<Utc>>,
    pub reference: Option<String>,
    pub agent: Option<AgentOnReply>,
}

impl OpenedAccount {
    pub fn from_wire(
        d: wire::OpenAccountData,
        agent: Option<wire::AgentBlock>,
    ) -> Result<OpenedAccount, Error> {
        Ok(OpenedAccount {
            first_deposit: opt_money_field(200, "first_deposit", &d.first_deposit)?,
            at: time_field(200, "date_time", &d.date_time)?,
            account_number: d.account_number_customer,
            account_name: d.account_name,
            agent_account_number: non_empty(d.account_number_agent),
            reference: non_empty(d.reference_number),
            agent: agent.map(Into::into),
        })
    }
}

/// A deposit to make.
#[derive(Debug, Clone, PartialEq)]
pub struct DepositOrder {
    pub to_account: String,
    pub name: String,
    pub amount: Rupiah,
    pub narration: String,
}

/// What `bsa/depositAccount` confirmed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepositDone {
    pub account_number: String,
    pub account_name: String,
    pub amount: Rupiah,
    pub admin_fee: Rupiah,
    pub total: Rupiah,
    pub message: String,
    pub at: Option<DateTime<Utc>>,
    pub agent: Option<AgentOnReply>,
}

impl DepositDone {
    pub fn from_wire(
        d: wire::DepositData,
        message: String,
        agent: Option<wire::AgentBlock>,
    ) -> Result<DepositDone, Error> {
        let s = 200;
        let amount = money_field(s, "amount", &d.amount)?;
        let admin_fee = opt_money_field(s, "admin", &d.admin)?.unwrap_or(Rupiah::ZERO);
        let total = total_of(s, amount, admin_fee, &d.total)?;
        Ok(DepositDone {
            at: time_field(s, "date_time", &d.date_time)?,
            account_number: d.account_number_customer,
            account_name: d.account_name,
            amount,
            admin_fee,
            total,
            message,
            agent: agent.map(Into::into),
        })
    }
}

/// A transfer quote from an intrabank or interbank inquiry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransferQuote {
    /// Interbank: the platform's `transaction_id`, needed by the payment.
    pub transaction_id: Option<String>,
    pub bank_code: Option<String>,
    pub bank_name: Option<String>,
    pub account_number: String,
    pub account_name: String,
    pub admin_fee: Rupiah,
    pub at: Option<DateTime<Utc>>,
    pub agent: Option<AgentOnReply>,
}

impl TransferQuote {
    pub fn from_wire(
        d: wire::TransferInquiryData,
        agent: Option<wire::AgentBlock>,
    ) -> Result<TransferQuote, Error> {
        Ok(TransferQuote {
            admin_fee: money_field(200, "admin_fee", &d.admin_fee)?,
            at: time_field(200, "date_time", &d.date_time)?,
            transaction_id: non_empty(d.transaction_id),
            bank_code: non_empty(d.bank_code),
            bank_name: non_empty(d.bank_name),
            account_number: d.account_number,
            account_name: d.account_name,
            agent: agent.map(Into::into),
        })
    }
}

/// A transfer to pay, after the agent confirmed the quote.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferOrder {
    pub account_number: String,
    pub account_name: String,
    pub amount: Rupiah,
    /// The fee the inquiry quoted (sent as `admin_fee`).
    pub admin_fee: Rupiah,
    /// Interbank only.
    pub bank_code: Option<String>,
    pub bank_name: Option<String>,
    pub transaction_id: Option<String>,
}

/// What a transfer payment confirmed. The bank's `admin_fee` and `total`
/// are what was charged, whatever the request said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransferDone {
    pub account_number: String,
    pub account_name: String,
    pub bank_code: Option<String>,
    pub bank_name: Option<String>,
    pub amount: Rupiah,
    pub admin_fee: Rupiah,
    pub total: Rupiah,
    pub message: String,
    pub at: Option<DateTime<Utc>>,
    pub agent: Option<AgentOnReply>,
}

impl TransferDone {
    pub fn from_wire(
        d: wire::TransferPaymentData,
        message: String,
        agent: Option<wire::AgentBlock>,
    ) -> Result<TransferDone, Error> {
        let s = 200;
        let amount = money_field(s, "amount", &d.amount)?;
        let admin_fee = money_field(s, "admin_fee", &d.admin_fee)?;
        let total = total_of(s, amount, admin_fee, &d.total)?;
        Ok(TransferDone {
            at: time_field(s, "date_time", &d.date_time)?,
            account_number: d.account_number,
            account_name: d.account_name,
            bank_code: non_empty(d.bank_code),
            bank_name: non_empty(d.bank_name),
            amount,
            admin_fee,
            total,
            message,
            agent: agent.map(Into::into),
        })
    }
}

// The switcher's `refnum` is kept as the text it sent, not as a [`Sid`]:
// a booked transfer must not turn into "unreadable reply" because a real
// switcher wrote its refnum in another shape (the document says String(14)).
// `refnum_sid` reads it when a caller needs the 16-digit form.

/// A switcher `/inquiry` answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SwitcherAccount {
    pub refnum: String,
    pub bank: String,
    pub account: String,
    pub name: String,
    pub balance: Option<Rupiah>,
    pub status: Option<String>,
    pub payment_code: String,
    pub at: Option<DateTime<Utc>>,
}

impl SwitcherAccount {
    /// The echoed `refnum` as a 16-digit [`Sid`].
    pub fn refnum_sid(&self) -> Result<Sid, SidError> {
        Sid::parse(&self.refnum)
    }

    pub fn from_wire(d: wire::SwitcherInquiryData) -> Result<SwitcherAccount, Error> {
        Ok(SwitcherAccount {
            balance: opt_money_field(200, "balance", &d.balance)?,
            at: time_field(200, "timestamp", &d.timestamp)?,
            refnum: d.refnum,
            bank: d.bank,
            account: d.account,
            name: d.name,
            status: non_empty(d.status),
            payment_code: d.payment_code,
        })
    }
}

/// A switcher transfer as `/transfer`, `/reversal` or `/check` describe it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SwitcherTransfer {
    pub refnum: String,
    pub source_bank: Option<String>,
    pub source_account: Option<String>,
    pub source_name: Option<String>,
    pub beneficiary_bank: Option<String>,
    pub beneficiary_account: Option<String>,
    pub beneficiary_name: Option<String>,
    pub amount: Rupiah,
    pub remark: Option<String>,
    /// The booking number, needed for a reversal.
    pub journal: Option<String>,
    /// `/check` only: "Transfer success" or what became of it.
    pub info: Option<String>,
    pub message: String,
    pub at: Option<DateTime<Utc>>,
}

impl SwitcherTransfer {
    /// The `refnum` as a 16-digit [`Sid`].
    pub fn refnum_sid(&self) -> Result<Sid, SidError> {
        Sid::parse(&self.refnum)
    }

    pub fn from_wire(
        d: wire::SwitcherTransferData,
        message: String,
    ) -> Result<SwitcherTransfer, Error> {
        Ok(SwitcherTransfer {
            amount: money_field(200, "amount", &d.amount)?,
            at: time_field(200, "timestamp", &d.timestamp)?,
            refnum: d.refnum,
            source_bank: non_empty(d.source_bank),
            source_account: non_empty(d.source_account),
            source_name: non_empty(d.source_name),
            beneficiary_bank: non_empty(d.beneficiary_bank),
            beneficiary_account: non_empty(d.beneficiary_account),
            beneficiary_name: non_empty(d.beneficiary_name),
            remark: non_empty(d.remark),
            journal: non_empty(d.journal),
            info: non_empty(d.info),
            message,
        })
    }
}

/// A region to look a postal code up for (`wilayah/get`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
pub struct Region {
    pub province: String,
    /// `Kota` or `Kabupaten`.
    pub kind: String,
    pub regency: String,
    pub district: String,
    pub village: String,
}

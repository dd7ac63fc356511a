//! The bodies exactly as the Bank+ and switcher documents write them: same
//! field names, same loose typing (amounts as numbers or as `"25.000"`,
//! ids as numbers or strings). Replies are converted once, in
//! [`crate::decode`], into [`crate::domain`] types; the rest of Loket never
//! needs these. Fields the document lists but Loket does not use are still
//! read (as optional text) so the types show the whole contract.

use money::Rupiah;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// An amount as the documents send it: `25000`, `602577171334.84`,
/// `"25000"`, `"1400000.00"`, `"25.000"`, `"202.696.682"`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Amount {
    Number(serde_json::Number),
    Text(String),
}

impl Amount {
    pub fn to_rupiah(&self) -> Result<Rupiah, money::AmountError> {
        match self {
            // A JSON number's own text is exact ("602577171334.84"); no float maths.
            Amount::Number(n) => Rupiah::parse_wire(&n.to_string()),
            Amount::Text(t) => Rupiah::parse_wire(t),
        }
    }
}

/// A field the documents type as String but samples send as a number too
/// (`kodepos`, `id`, `graph_count`, `transaction_id`).
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    })
}

/// The `agent` block on transaction replies.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AgentBlock {
    #[serde(default, deserialize_with = "text")]
    pub kode_agen: String,
    #[serde(default, deserialize_with = "text")]
    pub nama: String,
    #[serde(default, deserialize_with = "text")]
    pub alamat: String,
}

/// `users/auth` data.
#[derive(Debug, Clone, Deserialize)]
pub struct LoginData {
    #[serde(default, deserialize_with = "text")]
    pub nama: String,
    #[serde(default, deserialize_with = "opt_text")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub no_hp: Option<String>,
    #[serde(deserialize_with = "text")]
    pub username: String,
    #[serde(default, deserialize_with = "opt_text")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub kode_bank: Option<String>,
    #[serde(deserialize_with = "text")]
    pub kode_cabang: String,
    #[serde(deserialize_with = "text")]
    pub kode_mitra: String,
    #[serde(deserialize_with = "text")]
    pub kode_loket: String,
    #[serde(default, deserialize_with = "opt_text")]
    pub kelompok_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub group_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub password_updated_at: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub pin_updated_at: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub kode_wil_bi: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub agent_type: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub alamat_jalan: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub alamat_rt_perum: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub alamat_kelurahan: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub alamat_kecamatan: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub alamat_kabupaten_kota: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub alamat_propinsi: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub status_mitra: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub warna_bank: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub nama_bank: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub favourite: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub menu: Option<String>,
    /// A JSON document inside a string (`{"register":"agent/…png",…}`).
    #[serde(default, deserialize_with = "opt_text")]
    pub attachment: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub icon_bank: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub logo_bank: Option<String>,
}

/// One bar of a dashboard graph.
#[derive(Debug, Clone, Deserialize)]
pub struct GraphItem {
    #[serde(default, deserialize_with = "opt_text")]
    pub graph_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub graph_title: String,
    pub graph_count: Amount,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PostalCode {
    #[serde(deserialize_with = "text")]
    pub kodepos: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MasterItem {
    #[serde(deserialize_with = "text")]
    pub id: String,
    #[serde(deserialize_with = "text")]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BankItem {
    #[serde(deserialize_with = "text")]
    pub bank_code: String,
    #[serde(deserialize_with = "text")]
    pub bank_name: String,
}

/// `bsa/checkAccount`, `bsa/customerbalance` and `account/balance` data.
#[derive(Debug, Clone, Deserialize)]
pub struct AccountData {
    #[serde(default, deserialize_with = "opt_text")]
    pub account_currency: Option<String>,
    #[serde(deserialize_with = "text")]
    pub account_number: String,
    #[serde(deserialize_with = "text")]
    pub account_name: String,
    pub account_balance: Option<Amount>,
    #[serde(default, deserialize_with = "opt_text")]
    pub phone_mobile: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub bank_code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub date_time: Option<String>,
    #[serde(default, rename = "referenceNumber", deserialize_with = "opt_text")]
    pub reference_number: Option<String>,
    #[serde(default, rename = "kodeAgen", deserialize_with = "opt_text")]
    pub kode_agen: Option<String>,
    #[serde(default)]
    pub admin: Option<Amount>,
    #[serde(default, deserialize_with = "opt_text")]
    pub phone_home: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub phone_office: Option<String>,
    /// Masked on `bsa/checkAccount`: `08968967xxxx`.
    #[serde(default, rename = "phoneNumber", deserialize_with = "opt_text")]
    pub phone_number: Option<String>,
    /// Only on `account/balance`: `"202.696.682"`.
    #[serde(default)]
    pub balance: Option<Amount>,
}

/// `bsa/openAccount` data.
#[derive(Debug, Clone, Deserialize)]
pub struct OpenAccountData {
    #[serde(deserialize_with = "text")]
    pub account_number_customer: String,
    #[serde(default, deserialize_with = "opt_text")]
    pub account_number_agent: Option<String>,
    #[serde(deserialize_with = "text")]
    pub account_name: String,
    #[serde(default, deserialize_with = "opt_text")]
    pub national_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub addr_email: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub phone_mobile: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub phone_home: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub phone_office: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub born_place: Option<String>,
    /// `DD-MM-YYYY` here, although the request's `dob` is `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "opt_text")]
    pub born_date: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub status_marital: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub status_gender: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub image_national_id: Option<String>,
    #[serde(default)]
    pub first_deposit: Option<Amount>,
    #[serde(default, deserialize_with = "opt_text")]
    pub bank_code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub date_time: Option<String>,
    #[serde(default, rename = "referenceNumber", deserialize_with = "opt_text")]
    pub reference_number: Option<String>,
    #[serde(default, rename = "kodeAgen", deserialize_with = "opt_text")]
    pub kode_agen: Option<String>,
}

/// `bsa/depositAccount` data: `"amount": "25.000"`, `"deposit_amount": 25000`.
#[derive(Debug, Clone, Deserialize)]
pub struct DepositData {
    pub amount: Amount,
    #[serde(default)]
    pub admin: Option<Amount>,
    #[serde(default)]
    pub total: Option<Amount>,
    #[serde(default, deserialize_with = "opt_text")]
    pub date_time: Option<String>,
    #[serde(deserialize_with = "text")]
    pub account_number_customer: String,
    #[serde(deserialize_with = "text")]
    pub account_name: String,
    #[serde(default)]
    pub deposit_amount: Option<Amount>,
    #[serde(default, deserialize_with = "opt_text")]
    pub bank_code: Option<String>,
}

/// `bsa/transfer/intrabank/inquiry` and `…/interbank/inquiry` data.
#[derive(Debug, Clone, Deserialize)]
pub struct TransferInquiryData {
    /// Intrabank only: `IDR`.
    #[serde(default, deserialize_with = "opt_text")]
    pub account_currency: Option<String>,
    /// Interbank only.
    #[serde(default, deserialize_with = "opt_text")]
    pub transaction_id: Option<String>,
    pub admin_fee: Amount,
    #[serde(default, deserialize_with = "opt_text")]
    pub bank_code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub bank_name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub date_time: Option<String>,
    #[serde(deserialize_with = "text")]
    pub account_number: String,
    #[serde(deserialize_with = "text")]
    pub account_name: String,
}

/// `bsa/transfer/intrabank/payment` and `…/interbank/payment` data.
#[derive(Debug, Clone, Deserialize)]
pub struct TransferPaymentData {
    #[serde(default, deserialize_with = "opt_text")]
    pub date_time: Option<String>,
    pub admin_fee: Amount,
    #[serde(default)]
    pub total: Option<Amount>,
    #[serde(default, deserialize_with = "opt_text")]
    pub bank_code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub bank_name: Option<String>,
    pub amount: Amount,
    #[serde(deserialize_with = "text")]
    pub account_number: String,
    #[serde(deserialize_with = "text")]
    pub account_name: String,
}

/// Switcher `/inquiry` data.
#[derive(Debug, Clone, Deserialize)]
pub struct SwitcherInquiryData {
    #[serde(default, deserialize_with = "opt_text")]
    pub timestamp: Option<String>,
    #[serde(deserialize_with = "text")]
    pub refnum: String,
    #[serde(deserialize_with = "text")]
    pub bank: String,
    #[serde(deserialize_with = "text")]
    pub account: String,
    #[serde(deserialize_with = "text")]
    pub name: String,
    pub balance: Option<Amount>,
    #[serde(default, deserialize_with = "opt_text")]
    pub status: Option<String>,
    #[serde(rename = "paymentCode", deserialize_with = "text")]
    pub payment_code: String,
}

/// Switcher `/transfer`, `/reversal` and `/check` data.
#[derive(Debug, Clone, Deserialize)]
pub struct SwitcherTransferData {
    #[serde(default, deserialize_with = "opt_text")]
    pub timestamp: Option<String>,
    #[serde(deserialize_with = "text")]
    pub refnum: String,
    #[serde(default, rename = "sourceBank", deserialize_with = "opt_text")]
    pub source_bank: Option<String>,
    #[serde(default, rename = "sourceAccount", deserialize_with = "opt_text")]
    pub source_account: Option<String>,
    #[serde(default, rename = "sourceName", deserialize_with = "opt_text")]
    pub source_name: Option<String>,
    #[serde(default, rename = "beneficiaryBank", deserialize_with = "opt_text")]
    pub beneficiary_bank: Option<String>,
    #[serde(default, rename = "beneficiaryAccount", deserialize_with = "opt_text")]
    pub beneficiary_account: Option<String>,
    #[serde(default, rename = "beneficiaryName", deserialize_with = "opt_text")]
    pub beneficiary_name: Option<String>,
    pub amount: Amount,
    #[serde(default, deserialize_with = "opt_text")]
    pub remark: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub journal: Option<String>,
    /// `/check` only: "Transfer success", or what became of it.
    #[serde(default, deserialize_with = "opt_text")]
    pub info: Option<String>,
}

/// The `data` of a platform refusal (`code` `-1`): the bank's words again
/// and the `trace_code` to quote to the bank.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RefusalData {
    #[serde(default, deserialize_with = "opt_text")]
    pub code: Option<String>,
    #[serde(default)]
    pub status: Option<bool>,
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub bank_code: Option<String>,
}

/// The `data` of a switcher refusal (`code` `0101`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SwitcherRefusalData {
    #[serde(default, rename = "responseCode", deserialize_with = "opt_text")]
    pub response_code: Option<String>,
    #[serde(default, rename = "responseDescription", deserialize_with = "opt_text")]
    pub response_description: Option<String>,
    #[serde(default, rename = "errorDescription", deserialize_with = "opt_text")]
    pub error_description: Option<String>,
    /// `{"sourceAccount": "…"}`.
    #[serde(default, rename = "Data")]
    pub data: Option<Value>,
}

// ---- Requests ----
//
// Built by the client at the moment of sending, borrowing the secret from
// its `Pin`/`Password`, and serialized straight into a wiping buffer. Public
// so tests can build and print them; `Debug` of a request holding a PIN or
// password prints `***` in its place.

/// Prints a request with its secret fields as `***`.
macro_rules! redacted_debug {
    ($name:ident { $($shown:ident),* } hides { $($hidden:ident),* }) => {
        impl std::fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut d = f.debug_struct(stringify!($name));
                $( d.field(stringify!($shown), &self.$shown); )*
                $( d.field(stringify!($hidden), &format_args!("***")); )*
                d.finish()
            }
        }
    };
}

#[derive(Serialize)]
pub struct AuthRequest<'a> {
    pub username: &'a str,
    pub password: &'a str,
}

#[derive(Debug, Serialize)]
pub struct MonthRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct WilayahRequest<'a> {
    pub propinsi: &'a str,
    pub jenis: &'a str,
    pub kabupaten: &'a str,
    pub kecamatan: &'a str,
    pub kelurahan: &'a str,
}

#[derive(Serialize)]
pub struct ChangePasswordRequest<'a> {
    pub old: &'a str,
    pub new: &'a str,
}

#[derive(Debug, Serialize)]
pub struct CheckAccountRequest<'a> {
    #[serde(rename = "accountNum")]
    pub account_num: &'a str,
}

#[derive(Serialize)]
pub struct CustomerBalanceRequest<'a> {
    pub pin_platform: &'a str,
    #[serde(rename = "accountNum")]
    pub account_num: &'a str,
}

#[derive(Debug, Serialize)]
pub struct OpenAccountImages<'a> {
    pub ktp: &'a str,
    pub foto: &'a str,
}

#[derive(Serialize)]
pub struct OpenAccountRequest<'a> {
    pub pin_transaksi: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub mother_name: &'a str,
    pub profession: &'a str,
    pub last_education: &'a str,
    pub status_nikah: &'a str,
    pub pob: &'a str,
    pub dob: &'a str,
    pub ktp: &'a str,
    pub gender: &'a str,
    pub address: &'a str,
    pub rt: &'a str,
    pub rw: &'a str,
    pub zip_code: &'a str,
    pub kelurahan: &'a str,
    pub kecamatan: &'a str,
    pub city: &'a str,
    pub state: &'a str,
    pub hp: &'a str,
    pub phone: &'a str,
    pub income: &'a str,
    pub jumlah_transaksi: &'a str,
    pub deposit: String,
    pub image: OpenAccountImages<'a>,
}

#[derive(Serialize)]
pub struct DepositRequest<'a> {
    #[serde(rename = "toAccount")]
    pub to_account: &'a str,
    pub name: &'a str,
    pub amount: String,
    pub narration: &'a str,
    pub pin_transaksi: &'a str,
}

#[derive(Debug, Serialize)]
pub struct IntrabankInquiryRequest<'a> {
    pub account_number: &'a str,
}

#[derive(Serialize)]
pub struct IntrabankPaymentRequest<'a> {
    pub account_number: &'a str,
    pub account_name: &'a str,
    pub amount: i64,
    pub admin_fee: i64,
    pub pin: &'a str,
}

#[derive(Debug, Serialize)]
pub struct InterbankInquiryRequest<'a> {
    pub bank_code: &'a str,
    pub account_number: &'a str,
}

#[derive(Serialize)]
pub struct InterbankPaymentRequest<'a> {
    pub transaction_id: &'a str,
    pub bank_code: &'a str,
    pub bank_name: &'a str,
    pub account_number: &'a str,
    pub account_name: &'a str,
    pub amount: i64,
    pub admin_fee: i64,
    pub pin: &'a str,
}

#[derive(Debug, Serialize)]
pub struct SwitcherInquiryRequest<'a> {
    pub refnum: &'a str,
    pub bank: &'a str,
    pub account: &'a str,
}

#[derive(Debug, Serialize)]
pub struct SwitcherTransferRequest<'a> {
    pub refnum: &'a str,
    #[serde(rename = "paymentCode")]
    pub payment_code: &'a str,
    #[serde(rename = "sourceBank")]
    pub source_bank: &'a str,
    #[serde(rename = "sourceAccount")]
    pub source_account: &'a str,
    pub amount: i64,
    pub remark: &'a str,
}

#[derive(Debug, Serialize)]
pub struct SwitcherReversalRequest<'a> {
    pub refnum: &'a str,
    #[serde(rename = "refnumTarget")]
    pub refnum_target: &'a str,
    pub journal: &'a str,
}

#[derive(Debug, Serialize)]
pub struct SwitcherCheckRequest<'a> {
    pub refnum: &'a str,
}

redacted_debug!(AuthRequest { username } hides { password });
redacted_debug!(ChangePasswordRequest {} hides { old, new });
redacted_debug!(CustomerBalanceRequest { account_num } hides { pin_platform });
// Besides the PIN, the customer's identity (mother's name, KTP, birth) has
// no business in a log line either.
redacted_debug!(OpenAccountRequest { name, deposit } hides { pin_transaksi, mother_name, ktp, dob });
redacted_debug!(DepositRequest { to_account, name, amount, narration } hides { pin_transaksi });
redacted_debug!(IntrabankPaymentRequest { account_number, account_name, amount, admin_fee } hides { pin });
redacted_debug!(InterbankPaymentRequest { transaction_id, bank_code, bank_name, account_number, account_name, amount, admin_fee } hides { pin });

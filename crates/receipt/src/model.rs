//! The receipt model: everything a receipt says, filled once from a journal
//! row and the agent's profile, so every renderer prints the same facts.

use bankplus::AgentProfile;
use chrono::{DateTime, Utc};
use journal::{Kind, State, TransactionRecord};
use money::Rupiah;
use serde::Serialize;

/// The agent (and bank) a receipt is printed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agent {
    /// The bank's name as Bank+ gives it (`BNI`, `BANK NEGARA INDONESIA`).
    pub bank_name: String,
    /// `kode_mitra + kode_cabang + kode_loket`.
    pub agent_code: String,
    pub name: String,
    /// One line; the layout wraps it.
    pub address: String,
}

impl From<&AgentProfile> for Agent {
    fn from(p: &AgentProfile) -> Agent {
        Agent {
            bank_name: p
                .bank_name
                .clone()
                .or_else(|| p.bank_code.clone())
                .unwrap_or_default(),
            agent_code: p.agent_code.0.clone(),
            name: p.name.clone(),
            address: p.address.clone(),
        }
    }
}

/// What a receipt says happened, in the words printed on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The bank booked it.
    Succeeded,
    /// The bank refused it; no money moved.
    Failed,
    /// Sent, no answer yet: never printed as a success.
    InProgress,
    /// Booked, then reversed through the switcher.
    Reversed,
    /// Never sent (abandoned, or not yet paid).
    NotSent,
}

impl Status {
    pub fn of(state: State) -> Status {
        match state {
            State::Succeeded => Status::Succeeded,
            State::Failed => Status::Failed,
            // `sending` may have reached the bank: as doubtful as `unknown`.
            State::Unknown | State::Sending => Status::InProgress,
            State::Reversed => Status::Reversed,
            State::Draft | State::Inquired | State::Authorized | State::Cancelled => {
                Status::NotSent
            }
        }
    }

    /// The status line, in Bahasa Indonesia (receipts are printed in Indonesian).
    pub fn label(self) -> &'static str {
        match self {
            Status::Succeeded => "BERHASIL",
            Status::Failed => "GAGAL",
            Status::InProgress => "DALAM PROSES",
            Status::Reversed => "DIBATALKAN (REVERSAL)",
            Status::NotSent => "TIDAK DIKIRIM",
        }
    }

    /// The footer: what the paper proves, and what to do next. Each line
    /// fits 32 columns, so the 58 mm slip does not break sentences apart.
    pub fn footer(self) -> &'static [&'static str] {
        match self {
            Status::Succeeded => &[
                "Struk ini bukti transaksi sah.",
                "Simpan struk ini.",
                "Terima kasih.",
            ],
            Status::Failed => &[
                "Transaksi ditolak bank.",
                "Tidak ada dana yang berpindah.",
                "Struk ini bukti transaksi sah.",
            ],
            Status::InProgress => &[
                "Status belum pasti.",
                "JANGAN ULANGI TRANSAKSI.",
                "Cek status dengan No. Ref.",
                "Bukan bukti transaksi berhasil.",
            ],
            Status::Reversed => &[
                "Transaksi telah dibatalkan",
                "(reversal) oleh supervisor.",
                "Struk ini bukti transaksi sah.",
            ],
            Status::NotSent => &[
                "Transaksi tidak dikirim ke bank.",
                "Tidak ada dana yang berpindah.",
                "Struk ini BUKAN bukti transaksi.",
            ],
        }
    }
}

/// The transaction type as printed (Bahasa Indonesia).
pub fn type_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Deposit => "SETOR TUNAI",
        Kind::IntrabankTransfer => "TRANSFER SESAMA BANK",
        Kind::InterbankTransfer => "TRANSFER ANTAR BANK",
        Kind::OpenAccount => "BUKA REKENING",
        Kind::CustomerBalance => "CEK SALDO",
        Kind::CheckAccount => "CEK REKENING",
        Kind::AgentBalance => "CEK SALDO AGEN",
        Kind::Reversal => "PEMBATALAN (REVERSAL)",
    }
}

/// An account number with all but its last four digits hidden: `******4047`.
/// Receipts use `*` (not the screen's `•`) because thermal code pages and the
/// PDF font's Latin-1 range both have it.
pub fn mask_account(account: &str) -> String {
    let t = account.trim();
    let n = t.chars().count();
    let keep = 4.min(n);
    let mut out: String = std::iter::repeat_n('*', n - keep).collect();
    out.extend(t.chars().skip(n - keep));
    out
}

/// Money lines, present when the transaction carries an amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Amounts {
    pub amount: Rupiah,
    pub admin_fee: Rupiah,
    pub total: Rupiah,
    /// The total in words.
    pub terbilang: String,
}

/// One receipt, ready for any renderer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub agent: Agent,
    pub kind: Kind,
    /// `SETOR TUNAI`, `TRANSFER ANTAR BANK`, …
    pub type_label: &'static str,
    /// When the transaction started (the sid's time); shown in WIB.
    pub at: DateTime<Utc>,
    /// When this paper was made (the PDF's creation date; printed on copies).
    pub printed_at: DateTime<Utc>,
    pub sid: String,
    /// The bank's own reference, when it gave one.
    pub bank_reference: Option<String>,
    /// The agent's bank: where the money leaves from.
    pub source_bank: String,
    pub destination_bank: Option<String>,
    /// Masked (last four digits shown).
    pub destination_account: Option<String>,
    pub destination_name: Option<String>,
    pub narration: Option<String>,
    /// For a reversal: the sid it reversed.
    pub reverses: Option<String>,
    pub amounts: Option<Amounts>,
    pub status: Status,
    /// The bank's words for a failure (`[0108] NO SUCH ACCOUNT`).
    pub failure: Option<String>,
    /// `Some(n)` on the n-th reprint: "SALINAN KE-n".
    pub copy: Option<u32>,
}

impl Receipt {
    /// The receipt of a journal row, printed now. `copy` is the reprint's
    /// number (`None` for the original).
    pub fn from_record(record: &TransactionRecord, agent: &Agent, copy: Option<u32>) -> Receipt {
        Receipt::from_record_at(record, agent, copy, Utc::now())
    }

    /// [`Receipt::from_record`] with an explicit print time (tests, golden files).
    pub fn from_record_at(
        record: &TransactionRecord,
        agent: &Agent,
        copy: Option<u32>,
        printed_at: DateTime<Utc>,
    ) -> Receipt {
        let dest = &record.destination;
        let destination_bank = dest
            .bank_name
            .clone()
            .or_else(|| dest.bank_code.clone())
            .filter(|b| !b.trim().is_empty());
        let amounts = record.amount.map(|amount| {
            let admin_fee = record.admin_fee.unwrap_or(Rupiah::ZERO);
            let total = record
                .total
                .or_else(|| amount.checked_add(admin_fee))
                .unwrap_or(amount);
            Amounts {
                amount,
                admin_fee,
                total,
                terbilang: money::terbilang(total),
            }
        });
        let status = Status::of(record.state);
        let failure = match status {
            Status::Failed => match (&record.bank_code, &record.bank_message) {
                (Some(c), Some(m)) if !m.contains(c.as_str()) => Some(format!("[{c}] {m}")),
                (_, Some(m)) => Some(m.clone()),
                (Some(c), None) => Some(format!("[{c}]")),
                (None, None) => None,
            },
            _ => None,
        };
        let reverses = if record.kind == Kind::Reversal {
            record
                .narration
                .as_deref()
                .and_then(|n| n.strip_prefix("reversal of "))
                .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
                .filter(|s: &String| !s.is_empty())
        } else {
            None
        };
        // A reversal's narration is the supervisor's internal note, not for the customer.
        let narration = match record.kind {
            Kind::Reversal => None,
            _ => record.narration.clone().filter(|n| !n.trim().is_empty()),
        };
        Receipt {
            agent: agent.clone(),
            kind: record.kind,
            type_label: type_label(record.kind),
            at: record.created_at,
            printed_at,
            sid: record.sid.clone(),
            bank_reference: record
                .bank_reference
                .clone()
                .filter(|r| !r.trim().is_empty()),
            source_bank: agent.bank_name.clone(),
            destination_bank,
            destination_account: dest.account_number.as_deref().map(mask_account),
            destination_name: dest.account_name.clone().filter(|n| !n.trim().is_empty()),
            narration,
            reverses,
            amounts,
            status,
            failure,
            copy: copy.filter(|n| *n > 0),
        }
    }

    /// A file name for the PDF: `struk-<sid>.pdf`, `struk-<sid>-salinan-2.pdf`.
    pub fn file_name(&self) -> String {
        match self.copy {
            Some(n) => format!("struk-{}-salinan-{n}.pdf", self.sid),
            None => format!("struk-{}.pdf", self.sid),
        }
    }
}

//! The teller's errors, each with a stable code and a message in Bahasa
//! Indonesia first and English second, so the CLI and the desktop app say
//! the same thing in the same words.

use journal::{JournalError, State};

pub use words::Lang;
use words::{text, Say, Text};

/// What went wrong in a teller operation.
#[derive(Debug, thiserror::Error)]
pub enum TellerError {
    #[error("not logged in")]
    NotLoggedIn,
    #[error("the session has expired")]
    SessionExpired,
    #[error("this operation is for agents (kelompok_id 4)")]
    AgentsOnly,
    #[error("{}", .0.en())]
    Input(Text),
    #[error("the bank: {0}")]
    Bank(bankplus::Error),
    #[error("transaction {sid} to the same account for the same amount is still in doubt")]
    HeldByDoubt { sid: String },
    #[error("no transaction {0}")]
    NoSuchTransaction(String),
    #[error("transaction {sid} is {state}, so this cannot be done")]
    WrongState { sid: String, state: State },
    #[error("no switcher is configured, so the status cannot be checked")]
    NoSwitcher,
    #[error("journal: {0}")]
    Journal(JournalError),
    #[error("supervisor: {0}")]
    Supervisor(#[from] supervisor::SupervisorError),
    #[error("backup: {0}")]
    Backup(#[from] backup::BackupError),
    #[error("statement: {0}")]
    Statement(#[from] mutasi::MutasiError),
    #[error("the statement line does not show transaction {sid}: {}", why.en())]
    StatementMismatch { sid: String, why: Text },
    /// An inquiry (a quote's account check or transfer inquiry) got no
    /// readable answer. Inquiries move no money and the quote row is
    /// `cancelled`, so unlike a payment this is not in doubt: trying again is safe.
    #[error("inquiry {sid} got no answer ({source}); nothing moved")]
    InquiryFailed {
        sid: String,
        source: bankplus::Error,
    },
    /// The request left, but its outcome could not be written to the journal
    /// (the row stays `sending`, owned by this live process; after it exits,
    /// recovery makes it `unknown`). Money may have moved.
    #[error("transaction {sid} was sent, but its outcome could not be recorded: {}", detail.en())]
    UnrecordedOutcome { sid: String, detail: Text },
    /// The switcher's answer does not settle the doubt yet (another refusal
    /// than "refnum not found", or too soon after the request left).
    #[error("transaction {sid} is still in doubt: {}", why.en())]
    CheckLater { sid: String, why: Text },
    /// The switcher's answer disagrees with the journal (another refnum or
    /// amount, "reversed" for a row that is not, a reversal it does not
    /// know): it proves nothing, so nothing is recorded; a supervisor decides.
    #[error("the switcher's answer about {sid} contradicts the journal: {}", why.en())]
    Contradiction { sid: String, why: Text },
    /// The original already has a reversal that is in flight, in doubt or done.
    #[error("transaction {sid} already has reversal {reversal}")]
    ReversalPending { sid: String, reversal: String },
    /// settings.json names another server than the one last recorded (issue
    /// 10, defect 23): nothing goes to any bank until it is restored or a
    /// supervisor approves it (`loket settings approve`).
    #[error("settings.json names server {current}, but the journal last recorded {recorded}")]
    SettingsChanged { recorded: String, current: String },
}

impl From<JournalError> for TellerError {
    fn from(e: JournalError) -> Self {
        match e {
            JournalError::ReversalPending { sid, reversal } => {
                TellerError::ReversalPending { sid, reversal }
            }
            // The caller's input, not a broken journal: say what to fix.
            JournalError::BadQuery(why) => TellerError::Input(why),
            e @ JournalError::DateOutOfRange(..) => TellerError::Input(e.say()),
            other => TellerError::Journal(other),
        }
    }
}

impl From<bankplus::Error> for TellerError {
    fn from(e: bankplus::Error) -> Self {
        match e {
            bankplus::Error::SessionExpired => TellerError::SessionExpired,
            other => TellerError::Bank(other),
        }
    }
}

impl TellerError {
    /// A stable code: the bank's own code for refusals, Loket's otherwise.
    pub fn code(&self) -> String {
        match self {
            TellerError::NotLoggedIn => "NOT_LOGGED_IN".into(),
            TellerError::SessionExpired => "SESSION_NOT_FOUND".into(),
            TellerError::AgentsOnly => "AGENTS_ONLY".into(),
            TellerError::Input(_) => "BAD_INPUT".into(),
            TellerError::Bank(e) => e.code().to_owned(),
            TellerError::HeldByDoubt { .. } => "HELD_BY_DOUBT".into(),
            TellerError::NoSuchTransaction(_) => "NO_SUCH_TRANSACTION".into(),
            TellerError::WrongState { .. } => "WRONG_STATE".into(),
            TellerError::NoSwitcher => "NO_SWITCHER".into(),
            TellerError::Journal(JournalError::RowEdited { .. }) => "ROW_EDITED".into(),
            TellerError::Journal(_) => "JOURNAL".into(),
            TellerError::Supervisor(e) => e.code().into(),
            TellerError::Backup(e) => e.code().into(),
            TellerError::Statement(e) => e.code(),
            TellerError::StatementMismatch { .. } => "STATEMENT_MISMATCH".into(),
            TellerError::InquiryFailed { .. } => "INQUIRY_FAILED".into(),
            TellerError::UnrecordedOutcome { .. } => "UNRECORDED_OUTCOME".into(),
            TellerError::CheckLater { .. } => "CHECK_LATER".into(),
            TellerError::Contradiction { .. } => "CONTRADICTION".into(),
            TellerError::ReversalPending { .. } => "REVERSAL_PENDING".into(),
            TellerError::SettingsChanged { .. } => "SETTINGS_CHANGED".into(),
        }
    }

    /// Whether money may have moved although the call did not succeed.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            TellerError::Bank(e) => !e.outcome_known(),
            TellerError::UnrecordedOutcome { .. }
            | TellerError::CheckLater { .. }
            | TellerError::Contradiction { .. } => true,
            _ => false,
        }
    }

    /// The sid of the transaction in doubt this error is about, if any.
    pub fn sid_in_doubt(&self) -> Option<&str> {
        match self {
            TellerError::UnrecordedOutcome { sid, .. }
            | TellerError::CheckLater { sid, .. }
            | TellerError::Contradiction { sid, .. } => Some(sid),
            _ => None,
        }
    }

    /// Whether nothing reached the bank (bad input, or the server could not be reached).
    pub fn nothing_sent(&self) -> bool {
        matches!(
            self,
            TellerError::Input(_)
                | TellerError::Bank(bankplus::Error::NotSent { .. })
                | TellerError::Bank(bankplus::Error::BadInput { .. })
                | TellerError::HeldByDoubt { .. }
        )
    }

    /// What happened and what to do, for a person, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        self.say_in(lang)
    }
}

/// What happened and what to do, each language whole: a nested cause (a
/// bank, journal, supervisor, statement or backup error) is said in the
/// same language as the sentence around it.
impl Say for TellerError {
    fn say(&self) -> Text {
        match self {
            TellerError::NotLoggedIn => text!(
                "Belum masuk. Silakan masuk dengan username dan password Bank+.",
                "Not logged in. Log in with your Bank+ username and password."
            ),
            TellerError::SessionExpired => text!(
                "Sesi habis. Silakan masuk lagi; isian Anda tetap tersimpan.",
                "The session has expired. Log in again; what you typed is kept."
            ),
            TellerError::AgentsOnly => text!(
                "Transaksi hanya untuk agen.",
                "Transactions are for agents only."
            ),
            TellerError::Input(why) => text!(
                "Isian belum benar: {why}. Tidak ada yang dikirim.",
                "Input is not right: {why}. Nothing was sent.";
                why
            ),
            TellerError::HeldByDoubt { sid } => text!(
                "Transaksi {sid} ke rekening dan nominal yang sama masih dalam proses. \
                     Cek status dulu; jangan ulangi sebelum jelas.",
                "Transaction {sid} to the same account for the same amount is still in doubt. \
                     Check its status first; do not repeat it until it is settled."
            ),
            TellerError::NoSuchTransaction(sid) => {
                // The sid may be anything a caller sent: named, never echoed whole.
                let sid = money::preview(sid);
                text!(
                    "Transaksi {sid} tidak ada di jurnal.",
                    "There is no transaction {sid} in the journal."
                )
            }
            TellerError::WrongState { sid, state } => text!(
                "Transaksi {sid} berstatus {state}; tindakan ini tidak bisa dilakukan.",
                "Transaction {sid} is {state}; this cannot be done.";
                state
            ),
            TellerError::NoSwitcher => text!(
                "Switcher belum diatur, status tidak bisa dicek. Atur alamat switcher atau minta supervisor menyelesaikan.",
                "No switcher is configured, so the status cannot be checked. Set the switcher address or ask a supervisor to resolve it."
            ),
            TellerError::Journal(e) => text!(
                "Jurnal tidak bisa dipakai: {e}. Hubungi dukungan; jangan ulangi transaksi.",
                "The journal cannot be used: {e}. Call support; do not repeat the transaction.";
                e
            ),
            TellerError::Supervisor(e) => e.say(),
            TellerError::Statement(e) => e.say(),
            TellerError::Backup(e) => e.say(),
            TellerError::StatementMismatch { sid, why } => text!(
                "Baris mutasi itu tidak menunjukkan transaksi {sid} ({why}). Pilih baris yang cocok, \
                     atau minta supervisor menyelesaikan.",
                "That statement line does not show transaction {sid} ({why}). Choose the matching line, \
                     or ask a supervisor to resolve it.";
                why
            ),
            TellerError::InquiryFailed { sid, .. } => text!(
                "Pengecekan {sid} tidak mendapat jawaban dari bank; tidak ada uang yang berpindah \
                     (belum ada pembayaran yang dikirim). Aman untuk dicoba lagi.",
                "Inquiry {sid} got no answer from the bank; no money moved \
                     (no payment was sent). It is safe to try again."
            ),
            TellerError::UnrecordedOutcome { sid, detail } => text!(
                "DALAM PROSES: transaksi {sid} sudah terkirim ke bank, tetapi hasilnya tidak bisa \
                     dicatat di jurnal ({detail}). Uang mungkin sudah berpindah. Jangan ulangi \
                     transaksi; cek status {sid}.",
                "IN PROGRESS: transaction {sid} was sent to the bank, but its outcome could not be \
                     recorded in the journal ({detail}). Money may have moved. Do not repeat the \
                     transaction; check the status of {sid}.";
                detail
            ),
            TellerError::CheckLater { sid, why } => text!(
                "Transaksi {sid} masih dalam proses: {why}. Belum pasti; cek lagi nanti. \
                     Jangan ulangi transaksi.",
                "Transaction {sid} is still in doubt: {why}. Not settled yet; check again later. \
                     Do not repeat the transaction.";
                why
            ),
            TellerError::Contradiction { sid, why } => text!(
                "PERHATIAN: jawaban switcher tentang {sid} bertentangan dengan jurnal: {why}. \
                     Jawaban ini tidak dicatat; status di jurnal tidak diubah. Jangan ulangi \
                     transaksi. Supervisor: cocokkan dengan mutasi rekening (loket reconcile) lalu \
                     putuskan (loket resolve).",
                "ATTENTION: the switcher's answer about {sid} contradicts the journal: {why}. \
                     The answer is not recorded; the journal's state is unchanged. Do not repeat \
                     the transaction. Supervisor: compare with the account statement (loket \
                     reconcile), then decide (loket resolve).";
                why
            ),
            TellerError::ReversalPending { sid, reversal } => text!(
                "Transaksi {sid} sudah punya pembatalan {reversal} yang belum gagal (sedang \
                     dikirim, dalam proses, atau berhasil). Cek status {reversal} dulu; jangan \
                     kirim pembatalan kedua.",
                "Transaction {sid} already has reversal {reversal}, which has not failed (being \
                     sent, in doubt, or done). Check the status of {reversal} first; do not send a \
                     second reversal."
            ),
            // One condition, one message for both front ends (the desktop's
            // former SERVER_CHANGED): the journal's views still work.
            TellerError::SettingsChanged { recorded, current } => text!(
                "settings.json diubah di luar Loket: server {recorded} -> {current}. Loket tidak \
                 menghubungi bank (tidak ada yang dikirim) sampai settings.json dikembalikan ke \
                 server {recorded} (lalu mulai ulang Loket) atau supervisor menyetujui server baru: \
                 loket settings approve. Riwayat dan ringkasan harian tetap bisa dibuka.",
                "settings.json was changed outside Loket: server {recorded} -> {current}. Loket \
                 does not contact the bank (nothing was sent) until settings.json is restored to \
                 server {recorded} (then restart Loket) or a supervisor approves the new server: \
                 loket settings approve. History and the day summary still open."
            ),
            TellerError::Bank(e) => e.say(),
        }
    }
}

pub type Result<T> = std::result::Result<T, TellerError>;

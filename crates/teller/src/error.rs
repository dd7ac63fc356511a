//! The teller's errors, each with a stable code and a message in Bahasa
//! Indonesia first and English second, so the CLI and the desktop app say
//! the same thing in the same words.

use journal::{JournalError, State};

/// The language a person reads messages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Id,
    En,
}

/// What went wrong in a teller operation.
#[derive(Debug, thiserror::Error)]
pub enum TellerError {
    #[error("not logged in")]
    NotLoggedIn,
    #[error("the session has expired")]
    SessionExpired,
    #[error("this operation is for agents (kelompok_id 4)")]
    AgentsOnly,
    #[error("{0}")]
    Input(String),
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
    #[error("the statement line does not show transaction {sid}: {why}")]
    StatementMismatch { sid: String, why: String },
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
    #[error("transaction {sid} was sent, but its outcome could not be recorded: {detail}")]
    UnrecordedOutcome { sid: String, detail: String },
    /// The switcher's answer does not settle the doubt yet (another refusal
    /// than "refnum not found", or too soon after the request left).
    #[error("transaction {sid} is still in doubt: {why}")]
    CheckLater { sid: String, why: String },
    /// The switcher's answer disagrees with the journal (another refnum or
    /// amount, "reversed" for a row that is not, a reversal it does not
    /// know): it proves nothing, so nothing is recorded; a supervisor decides.
    #[error("the switcher's answer about {sid} contradicts the journal: {why}")]
    Contradiction { sid: String, why: String },
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
            e @ JournalError::DateOutOfRange(..) => TellerError::Input(e.to_string()),
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

    /// What happened and what to do, for a person.
    pub fn message(&self, lang: Lang) -> String {
        use bankplus::Error as B;
        let (id, en) = match self {
            TellerError::NotLoggedIn => (
                "Belum masuk. Silakan masuk dengan username dan password Bank+.".to_owned(),
                "Not logged in. Log in with your Bank+ username and password.".to_owned(),
            ),
            TellerError::SessionExpired => (
                "Sesi habis. Silakan masuk lagi; isian Anda tetap tersimpan.".to_owned(),
                "The session has expired. Log in again; what you typed is kept.".to_owned(),
            ),
            TellerError::AgentsOnly => (
                "Transaksi hanya untuk agen.".to_owned(),
                "Transactions are for agents only.".to_owned(),
            ),
            TellerError::Input(why) => (
                format!("Isian belum benar: {why}. Tidak ada yang dikirim."),
                format!("Input is not right: {why}. Nothing was sent."),
            ),
            TellerError::HeldByDoubt { sid } => (
                format!(
                    "Transaksi {sid} ke rekening dan nominal yang sama masih dalam proses. \
                     Cek status dulu; jangan ulangi sebelum jelas."
                ),
                format!(
                    "Transaction {sid} to the same account for the same amount is still in doubt. \
                     Check its status first; do not repeat it until it is settled."
                ),
            ),
            TellerError::NoSuchTransaction(sid) => {
                // The sid may be anything a caller sent: named, never echoed whole.
                let sid = money::preview(sid);
                (
                format!("Transaksi {sid} tidak ada di jurnal."),
                format!("There is no transaction {sid} in the journal."),
            )
            }
            TellerError::WrongState { sid, state } => (
                format!("Transaksi {sid} berstatus {state}; tindakan ini tidak bisa dilakukan."),
                format!("Transaction {sid} is {state}; this cannot be done."),
            ),
            TellerError::NoSwitcher => (
                "Switcher belum diatur, status tidak bisa dicek. Atur alamat switcher atau minta supervisor menyelesaikan."
                    .to_owned(),
                "No switcher is configured, so the status cannot be checked. Set the switcher address or ask a supervisor to resolve it."
                    .to_owned(),
            ),
            TellerError::Journal(e) => (
                format!("Jurnal tidak bisa dipakai: {e}. Hubungi dukungan; jangan ulangi transaksi."),
                format!("The journal cannot be used: {e}. Call support; do not repeat the transaction."),
            ),
            // Each language whole: a name or storage error may itself hold " / ".
            TellerError::Supervisor(e) => e.messages(),
            TellerError::Statement(e) => e.messages(),
            TellerError::Backup(e) => e.messages(),
            TellerError::StatementMismatch { sid, why } => (
                format!(
                    "Baris mutasi itu tidak menunjukkan transaksi {sid} ({why}). Pilih baris yang cocok, \
                     atau minta supervisor menyelesaikan."
                ),
                format!(
                    "That statement line does not show transaction {sid} ({why}). Choose the matching line, \
                     or ask a supervisor to resolve it."
                ),
            ),
            TellerError::InquiryFailed { sid, .. } => (
                format!(
                    "Pengecekan {sid} tidak mendapat jawaban dari bank; tidak ada uang yang berpindah \
                     (belum ada pembayaran yang dikirim). Aman untuk dicoba lagi."
                ),
                format!(
                    "Inquiry {sid} got no answer from the bank; no money moved \
                     (no payment was sent). It is safe to try again."
                ),
            ),
            TellerError::UnrecordedOutcome { sid, detail } => (
                format!(
                    "DALAM PROSES: transaksi {sid} sudah terkirim ke bank, tetapi hasilnya tidak bisa \
                     dicatat di jurnal ({detail}). Uang mungkin sudah berpindah. Jangan ulangi \
                     transaksi; cek status {sid}."
                ),
                format!(
                    "IN PROGRESS: transaction {sid} was sent to the bank, but its outcome could not be \
                     recorded in the journal ({detail}). Money may have moved. Do not repeat the \
                     transaction; check the status of {sid}."
                ),
            ),
            TellerError::CheckLater { sid, why } => (
                format!(
                    "Transaksi {sid} masih dalam proses: {why}. Belum pasti; cek lagi nanti. \
                     Jangan ulangi transaksi."
                ),
                format!(
                    "Transaction {sid} is still in doubt: {why}. Not settled yet; check again later. \
                     Do not repeat the transaction."
                ),
            ),
            TellerError::Contradiction { sid, why } => (
                format!(
                    "PERHATIAN: jawaban switcher tentang {sid} bertentangan dengan jurnal: {why}. \
                     Jawaban ini tidak dicatat; status di jurnal tidak diubah. Jangan ulangi \
                     transaksi. Supervisor: cocokkan dengan mutasi rekening (loket reconcile) lalu \
                     putuskan (loket resolve)."
                ),
                format!(
                    "ATTENTION: the switcher's answer about {sid} contradicts the journal: {why}. \
                     The answer is not recorded; the journal's state is unchanged. Do not repeat \
                     the transaction. Supervisor: compare with the account statement (loket \
                     reconcile), then decide (loket resolve)."
                ),
            ),
            TellerError::ReversalPending { sid, reversal } => (
                format!(
                    "Transaksi {sid} sudah punya pembatalan {reversal} yang belum gagal (sedang \
                     dikirim, dalam proses, atau berhasil). Cek status {reversal} dulu; jangan \
                     kirim pembatalan kedua."
                ),
                format!(
                    "Transaction {sid} already has reversal {reversal}, which has not failed (being \
                     sent, in doubt, or done). Check the status of {reversal} first; do not send a \
                     second reversal."
                ),
            ),
            TellerError::SettingsChanged { recorded, current } => (
                format!(
                    "settings.json diubah di luar Loket: server {recorded} -> {current}. Tidak ada \
                     yang dikirim ke bank. Kembalikan settings.json ke server {recorded}, atau minta \
                     supervisor menyetujui server baru: loket settings approve."
                ),
                format!(
                    "settings.json was changed outside Loket: server {recorded} -> {current}. Nothing \
                     was sent to the bank. Restore settings.json to server {recorded}, or have a \
                     supervisor approve the new server: loket settings approve."
                ),
            ),
            TellerError::Bank(e) => match e {
                B::NotSent { .. } => (
                    "Server Bank+ tidak bisa dihubungi; tidak ada yang dikirim. Periksa jaringan lalu coba lagi.".to_owned(),
                    "The Bank+ server cannot be reached; nothing was sent. Check the network and try again.".to_owned(),
                ),
                B::BadInput { message } => (
                    format!("Isian belum benar: {message}. Tidak ada yang dikirim."),
                    format!("Input is not right: {message}. Nothing was sent."),
                ),
                B::OutcomeUnknown { .. } | B::Malformed { .. } => (
                    "Status belum diketahui: permintaan sudah terkirim tetapi jawaban bank tidak diterima. \
                     Jangan ulangi transaksi; cek status."
                        .to_owned(),
                    "Outcome unknown: the request was sent but no readable answer came back. \
                     Do not repeat the transaction; check its status."
                        .to_owned(),
                ),
                B::SessionExpired => (
                    "Sesi habis. Silakan masuk lagi.".to_owned(),
                    "The session has expired. Log in again.".to_owned(),
                ),
                B::InvalidPin { .. } => (
                    "PIN salah. Tidak ada transaksi yang terjadi; masukkan PIN yang benar.".to_owned(),
                    "Wrong PIN. Nothing was done; enter the right PIN.".to_owned(),
                ),
                B::BadLogin { .. } => (
                    "Username atau password salah. Periksa lalu coba lagi.".to_owned(),
                    "Wrong username or password. Check them and try again.".to_owned(),
                ),
                B::NotFound { message } => (
                    format!("Data tidak ditemukan ({message})."),
                    format!("Nothing found ({message})."),
                ),
                B::Refused { code, message, .. } => (
                    format!("Ditolak bank ({code}): {message}. Tidak ada uang yang berpindah."),
                    format!("Refused by the bank ({code}): {message}. No money moved."),
                ),
            },
        };
        match lang {
            Lang::Id => id,
            Lang::En => en,
        }
    }
}

pub type Result<T> = std::result::Result<T, TellerError>;

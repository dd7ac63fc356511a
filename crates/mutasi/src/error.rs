//! What can go wrong fetching a statement, with a stable code and words a
//! supervisor can act on (Bahasa Indonesia first, then English).

use crate::ProviderKind;

/// What a provider's refusal means for the person at the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// Token, client id/secret or key not accepted: check the settings.
    Credentials,
    /// The request signature was refused: check the client secret / key.
    Signature,
    /// The date range is not acceptable (too long, reversed, badly formed).
    Range,
    /// The account is unknown, badly formed or not ours to read.
    Account,
    /// A request id was refused (reused or badly formed); retrying makes a new one.
    RequestId,
    /// The provider failed on its side; try again later.
    Provider,
    /// Anything else the provider refused.
    Other,
}

#[derive(Debug, thiserror::Error)]
pub enum MutasiError {
    #[error("{provider}: cannot reach the provider: {reason}")]
    Unreachable {
        provider: ProviderKind,
        reason: String,
    },
    #[error("{provider} refused ({code}): {message}")]
    Refused {
        provider: ProviderKind,
        kind: RefusalKind,
        code: String,
        message: String,
    },
    #[error("{provider}: unreadable reply: {reason}")]
    Malformed {
        provider: ProviderKind,
        reason: String,
    },
    #[error("{}", .0.en())]
    Input(words::Text),
    #[error("provider settings: {}", .0.en())]
    Settings(words::Text),
    #[error("statement cache: {0}")]
    Cache(#[from] rusqlite::Error),
}

impl MutasiError {
    pub(crate) fn refused(
        provider: ProviderKind,
        kind: RefusalKind,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> MutasiError {
        MutasiError::Refused {
            provider,
            kind,
            code: code.into(),
            message: message.into(),
        }
    }

    /// A stable code: the provider's own for refusals.
    pub fn code(&self) -> String {
        match self {
            MutasiError::Unreachable { .. } => "PROVIDER_UNREACHABLE".into(),
            MutasiError::Refused { code, .. } => code.clone(),
            MutasiError::Malformed { .. } => "PROVIDER_MALFORMED".into(),
            MutasiError::Input(_) => "BAD_INPUT".into(),
            MutasiError::Settings(_) => "PROVIDER_SETTINGS".into(),
            MutasiError::Cache(_) => "STATEMENT_CACHE".into(),
        }
    }

    /// The provider's refusal kind, if it refused.
    pub fn refusal(&self) -> Option<RefusalKind> {
        match self {
            MutasiError::Refused { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}

/// What happened and what to do, each language whole. The provider's own
/// words and technical reasons are quoted as they came (for support).
impl words::Say for MutasiError {
    fn say(&self) -> words::Text {
        let q = |s: &str| format!("“{s}”");
        match self {
            MutasiError::Unreachable { provider, reason } => {
                let reason = q(reason);
                words::Text::new(
                format!(
                    "{} tidak bisa dihubungi ({reason}). Periksa jaringan dan base_url, lalu coba lagi.",
                    provider.label()
                ),
                format!(
                    "{} cannot be reached ({reason}). Check the network and base_url, then try again.",
                    provider.label()
                ),
            )
            }
            MutasiError::Refused {
                provider,
                kind,
                code,
                message,
            } => {
                let p = provider.label();
                let message = q(message);
                let (id, en) = match kind {
                    RefusalKind::Credentials => (
                        "periksa token / client_id / client_secret di pengaturan penyedia",
                        "check the token / client_id / client_secret in the provider settings",
                    ),
                    RefusalKind::Signature => (
                        "tanda tangan ditolak; periksa client_secret atau kunci privat",
                        "the signature was refused; check client_secret or the private key",
                    ),
                    RefusalKind::Range => (
                        "periksa rentang tanggal (awal tidak boleh setelah akhir)",
                        "check the date range (the start may not be after the end)",
                    ),
                    RefusalKind::Account => (
                        "periksa nomor rekening dan hak akses ke rekening itu",
                        "check the account number and access to that account",
                    ),
                    RefusalKind::RequestId => (
                        "nomor permintaan ditolak; coba lagi",
                        "the request id was refused; try again",
                    ),
                    RefusalKind::Provider => (
                        "gangguan di sisi penyedia; coba lagi nanti",
                        "the provider failed on its side; try again later",
                    ),
                    RefusalKind::Other => ("periksa isian", "check the input"),
                };
                words::Text::new(
                    format!("{p} menolak ({code}: {message}); {id}."),
                    format!("{p} refused ({code}: {message}); {en}."),
                )
            }
            MutasiError::Malformed { provider, reason } => {
                let reason = q(reason);
                words::Text::new(
                format!(
                    "Jawaban {} tidak bisa dibaca ({reason}). Coba lagi; bila berulang, hubungi dukungan.",
                    provider.label()
                ),
                format!(
                    "The reply of {} cannot be read ({reason}). Try again; if it persists, call support.",
                    provider.label()
                ),
            )
            }
            MutasiError::Input(why) => words::text!(
                "Isian belum benar: {why}. Tidak ada yang dikirim.",
                "Input is not right: {why}. Nothing was sent.";
                why
            ),
            MutasiError::Settings(why) => words::text!(
                "Pengaturan penyedia mutasi belum benar: {why}.",
                "The statement provider settings are not right: {why}.";
                why
            ),
            MutasiError::Cache(e) => {
                let e = e
                    .sqlite_error_code()
                    .map(|c| format!("SQLite {c:?}"))
                    .unwrap_or_else(|| "SQLite".into());
                words::text!(
                    "Cache mutasi tidak bisa dipakai ({e}). Hubungi dukungan.",
                    "The statement cache cannot be used ({e}). Call support."
                )
            }
        }
    }
}

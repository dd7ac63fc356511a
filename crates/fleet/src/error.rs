//! What can go wrong talking to the fleet database, in words a person can
//! act on (Bahasa Indonesia first, then English). No message ever carries
//! the connection string or its password.

/// A fleet failure. The terminal keeps working locally whatever this is.
#[derive(Debug, thiserror::Error)]
#[error("{}", words::Say::say(self).en())]
pub enum FleetError {
    BadUrl(words::Text),
    Unreachable(String),
    BadPassword,
    Tls(String),
    NoSchema,
    SchemaTooNew { found: i32, known: i32 },
    SchemaTooOld { found: i32, known: i32 },
    NotRegistered(String),
    Denied(String),
    NotConfigured,
    Settings(words::Text),
    Journal(#[from] journal::JournalError),
    Database(String),
}

/// What a person is told, each language whole; the driver's and the
/// server's own words are quoted as they came (for support).
impl words::Say for FleetError {
    fn say(&self) -> words::Text {
        use words::text;
        let q = |s: &str| format!("“{s}”");
        match self {
            FleetError::BadUrl(why) => text!(
                "alamat armada tidak sah ({why}); contoh: postgres://user:sandi@host:5432/db?sslmode=require",
                "the fleet URL is not valid ({why}); e.g. postgres://user:password@host:5432/db?sslmode=require";
                why
            ),
            FleetError::Unreachable(d) => {
                let d = q(d);
                text!(
                    "server armada tidak bisa dihubungi ({d}); transaksi tetap dicatat di terminal dan dikirim nanti",
                    "the fleet server cannot be reached ({d}); transactions are still recorded on this terminal and sent later"
                )
            }
            FleetError::BadPassword => text!(
                "server armada menolak nama pengguna atau kata sandi; minta admin bank memeriksa akun terminal ini",
                "the fleet server refused the user name or password; ask the bank's admin to check this terminal's account"
            ),
            FleetError::Tls(d) => {
                let d = q(d);
                text!("TLS ke server armada gagal ({d})", "TLS to the fleet server failed ({d})")
            }
            FleetError::NoSchema => text!(
                "skema armada belum dibuat di database ini; jalankan `loket fleet init --url …` dengan akun admin",
                "the fleet schema does not exist in this database; run `loket fleet init --url …` with an admin account"
            ),
            FleetError::SchemaTooNew { found, known } => text!(
                "skema armada versi {found} lebih baru dari Loket ini (mengenal {known}); perbarui Loket",
                "the fleet schema is version {found}, newer than this Loket knows ({known}); update Loket"
            ),
            FleetError::SchemaTooOld { found, known } => text!(
                "skema armada versi {found} lebih lama dari Loket ini ({known}); jalankan `loket fleet init --url …` dengan akun admin",
                "the fleet schema is version {found}, older than this Loket ({known}); run `loket fleet init --url …` with an admin account"
            ),
            FleetError::NotRegistered(d) => {
                let d = q(d);
                text!(
                    "terminal ini tidak terdaftar di armada untuk akun ini ({d})",
                    "this terminal is not registered in the fleet for this account ({d})"
                )
            }
            FleetError::Denied(d) => {
                let d = q(d);
                text!(
                    "akun ini tidak punya izin untuk itu di database armada ({d})",
                    "this account is not allowed to do that in the fleet database ({d})"
                )
            }
            FleetError::NotConfigured => text!(
                "armada belum diatur (tidak ada alamat armada)",
                "the fleet is not set up (no fleet URL)"
            ),
            FleetError::Settings(why) => why.clone(),
            FleetError::Journal(e) => text!("jurnal: {e}", "journal: {e}"; e),
            FleetError::Database(d) => {
                let d = q(d);
                text!("database armada: {d}", "fleet database: {d}")
            }
        }
    }
}

impl FleetError {
    /// A stable code for `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            FleetError::BadUrl(_) => "FLEET_BAD_URL",
            FleetError::Unreachable(_) => "FLEET_UNREACHABLE",
            FleetError::BadPassword => "FLEET_BAD_PASSWORD",
            FleetError::Tls(_) => "FLEET_TLS",
            FleetError::NoSchema => "FLEET_NO_SCHEMA",
            FleetError::SchemaTooNew { .. } => "FLEET_SCHEMA_TOO_NEW",
            FleetError::SchemaTooOld { .. } => "FLEET_SCHEMA_TOO_OLD",
            FleetError::NotRegistered(_) => "FLEET_NOT_REGISTERED",
            FleetError::Denied(_) => "FLEET_DENIED",
            FleetError::NotConfigured => "FLEET_NOT_CONFIGURED",
            FleetError::Settings(_) => "FLEET_SETTINGS",
            FleetError::Journal(_) => "JOURNAL",
            FleetError::Database(_) => "FLEET_DATABASE",
        }
    }

    /// Whether trying again later may help (the shipper backs off and retries).
    pub fn is_transient(&self) -> bool {
        matches!(self, FleetError::Unreachable(_) | FleetError::Database(_))
    }
}

/// Names a driver error. The driver's own text never includes the password;
/// it may name host and port, which is what a person needs.
pub(crate) fn from_pg(e: tokio_postgres::Error) -> FleetError {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        return match code {
            "28P01" | "28000" => FleetError::BadPassword,
            "3F000" => FleetError::NoSchema,
            "42883" | "42P01" if db.message().contains("loket_fleet") => FleetError::NoSchema,
            "42501" => {
                if db.message().contains("not registered") {
                    FleetError::NotRegistered(db.message().to_owned())
                } else {
                    FleetError::Denied(db.message().to_owned())
                }
            }
            // The server is shutting down or restarting: try again later.
            "57P01" | "57P02" | "57P03" | "08006" | "08003" | "08000" | "08001" => {
                FleetError::Unreachable(db.message().to_owned())
            }
            _ => FleetError::Database(format!("{} ({code})", db.message())),
        };
    }
    if e.is_closed() {
        return FleetError::Unreachable("connection closed".into());
    }
    // Not a server's answer: the network (refused, reset, timed out) or TLS.
    let text = source_chain(&e);
    if text.contains("tls") || text.contains("certificate") || text.contains("TLS") {
        FleetError::Tls(text)
    } else {
        FleetError::Unreachable(text)
    }
}

fn source_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

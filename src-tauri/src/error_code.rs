//! Every code an error crossing IPC can carry, as one enum: exported with
//! the bindings as a TypeScript union (`ErrorCode`), so the page compares
//! against the type and a misspelt code fails `npm run check`. A bank's or
//! statement provider's own refusal code (`2102`, a Moota code…) is an open
//! set: it crosses as `REFUSED`, the raw code beside it in `refusal_code`.

use serde::Serialize;
use specta::Type;

macro_rules! codes {
    ($($code:ident),* $(,)?) => {
        /// A stable error code, as the core crates name it (`TellerError::code`,
        /// `SupervisorError::code`, `PrintError::code`, …) plus the desktop's own.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
        pub enum ErrorCode {
            $($code),*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$code),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$code => stringify!($code)),*
                }
            }
        }
    };
}

codes! {
    // teller
    NOT_LOGGED_IN, SESSION_NOT_FOUND, AGENTS_ONLY, BAD_INPUT, HELD_BY_DOUBT,
    NO_SUCH_TRANSACTION, WRONG_STATE, NO_SWITCHER, ROW_EDITED, JOURNAL,
    STATEMENT_MISMATCH, INQUIRY_FAILED, UNRECORDED_OUTCOME, CHECK_LATER,
    CONTRADICTION, REVERSAL_PENDING, SETTINGS_CHANGED, SETTINGS_DAMAGED,
    // bankplus (Loket's own; the bank's codes are REFUSED)
    NOT_SENT, OUTCOME_UNKNOWN, INVALID_PIN, NOT_FOUND, MALFORMED_REPLY,
    // mutasi
    PROVIDER_UNREACHABLE, PROVIDER_MALFORMED, PROVIDER_SETTINGS, STATEMENT_CACHE,
    // supervisor
    SUPERVISOR_WRONG, SUPERVISOR_LOCKED, NO_SUPERVISOR, SUPERVISOR_EXISTS,
    SUPERVISOR_NAME_TAKEN, SUPERVISOR_APPROVAL_EXPIRED, SUPERVISOR_STORAGE,
    SUPERVISOR_HASH, SUPERVISOR_PASSWORD_IS_AGENTS, SUPERVISOR_PASSWORD_COMMON,
    JOURNAL_TAMPERED, SUPERVISOR_DATA_DAMAGED, SUPERVISOR_DISABLED, SUPERVISOR_UNKNOWN,
    SUPERVISOR_LAST_ACTIVE, SUPERVISOR_ALREADY_DISABLED, SUPERVISOR_NOT_OWN_PASSWORD,
    SUPERVISOR_PASSWORD_UNCHANGED,
    // backup
    BACKUP_NO_JOURNAL, BACKUP_IO, BACKUP_EXISTS, BACKUP_COPY, BACKUP_COPY_DAMAGED,
    BACKUP_FOREIGN, BACKUP_DAMAGED, BACKUP_TOO_NEW, LOKET_RUNNING,
    // receipt printing
    PRINTER_NOT_FOUND, NO_DEFAULT_PRINTER, PRINTER_STOPPED, PRINTER_NOT_ACCEPTING,
    PRINT_SERVICE_DOWN, PRINT_FAILED,
    // fleet (issue 14)
    FLEET_BAD_URL, FLEET_UNREACHABLE, FLEET_BAD_PASSWORD, FLEET_TLS, FLEET_NO_SCHEMA,
    FLEET_SCHEMA_TOO_NEW, FLEET_SCHEMA_TOO_OLD, FLEET_NOT_REGISTERED, FLEET_DENIED,
    FLEET_NOT_CONFIGURED, FLEET_SETTINGS, FLEET_DATABASE,
    // the desktop's own
    STARTUP, INTERNAL, ORIGINAL_ISSUED, SUPERVISOR_REQUIRED, FLEET_NO_VIEWER,
    // updates (issue 13)
    UPDATING, UPDATE_REFUSED,
    // a bank's or provider's own refusal code: see `refusal_code`
    REFUSED,
}

impl ErrorCode {
    /// The code for a core error's code text, and the raw text when it is
    /// a bank's or provider's own (not one of Loket's).
    pub fn of(raw: &str) -> (ErrorCode, Option<String>) {
        match ErrorCode::ALL.iter().find(|c| c.as_str() == raw) {
            Some(c) if *c != ErrorCode::REFUSED => (*c, None),
            _ => (ErrorCode::REFUSED, Some(raw.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use teller::TellerError;

    /// The set of codes is part of the page's contract: changing it must be
    /// a decision (and a bindings regeneration), not an accident.
    #[test]
    fn the_set_of_codes_is_stable_and_the_bindings_carry_it() {
        let names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "a code is listed twice");
        assert_eq!(
            names.len(),
            80,
            "codes added or removed: update this count and the bindings"
        );
        let bindings = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../ui/src/lib/bindings.ts"
        ))
        .expect("ui/src/lib/bindings.ts is in the repository");
        let line = bindings
            .lines()
            .find(|l| l.starts_with("export type ErrorCode ="))
            .expect("bindings.ts exports ErrorCode: regenerate with --export-bindings");
        let exported: Vec<&str> = line
            .split('"')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s)
            .collect();
        assert_eq!(
            exported, names,
            "bindings.ts is stale: regenerate with --export-bindings"
        );
    }

    /// The core's fixed codes map to themselves; a bank's own code is REFUSED with the code kept.
    #[test]
    fn core_codes_are_known_and_bank_codes_travel_as_refused() {
        let core = [
            TellerError::NotLoggedIn.code(),
            TellerError::SessionExpired.code(),
            TellerError::AgentsOnly.code(),
            TellerError::Input(words::Text::same("x")).code(),
            TellerError::NoSwitcher.code(),
            TellerError::NoSuchTransaction("s".into()).code(),
            teller::SupervisorError::NoSupervisor.code().into(),
            teller::SupervisorError::Expired.code().into(),
            teller::SupervisorError::SamePassword.code().into(),
            receipt::PrintError::NoDefault.code().into(),
            mutasi::MutasiError::Input(words::Text::same("x")).code(),
            fleet::FleetError::NotConfigured.code().into(),
            fleet::FleetError::BadPassword.code().into(),
        ];
        for raw in core {
            let (code, refusal) = ErrorCode::of(&raw);
            assert_eq!((code.as_str(), refusal), (raw.as_str(), None));
        }
        assert_eq!(
            ErrorCode::of("2102"),
            (ErrorCode::REFUSED, Some("2102".to_owned()))
        );
        assert_eq!(
            ErrorCode::of("REFUSED"),
            (ErrorCode::REFUSED, Some("REFUSED".to_owned()))
        );
    }
}

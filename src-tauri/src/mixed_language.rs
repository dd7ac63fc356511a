//! The mixed-language test (issue 15 item 4): every error the core and the
//! desktop can show, said in both languages, and none of the renderings
//! carries the other language's words. The lists are built by exhaustive
//! matches: a new variant does not compile until it is added here.

use bankplus::Error as B;
use fleet::FleetError;
use journal::{JournalError, State};
use mutasi::{MutasiError, ProviderKind, RefusalKind};
use receipt::PrintError;
use supervisor::SupervisorError;
use teller::TellerError;
use words::{markers::foreign_words, text, Lang, Say, Text};

/// Sample data inside messages: codes and names, no words of either language.
const SID: &str = "2611231200000001";

fn io() -> std::io::Error {
    std::io::Error::from(std::io::ErrorKind::NotFound)
}

fn sqlite() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL), None)
}

/// One of each bankplus error (the match below makes the list complete).
fn bank_errors() -> Vec<B> {
    let all = vec![
        B::NotSent {
            reason: "ECONNREFUSED".into(),
        },
        B::BadInput {
            message: text!("nominal harus angka", "the amount must be digits"),
        },
        B::OutcomeUnknown {
            reason: "timeout".into(),
        },
        B::SessionExpired,
        B::InvalidPin {
            message: "INVALID_PIN".into(),
        },
        B::BadLogin {
            message: "2102".into(),
        },
        B::NotFound {
            message: "NOT_FOUND".into(),
        },
        B::Refused {
            code: "-1".into(),
            message: "[0108] NO SUCH ACCOUNT".into(),
            trace_code: None,
        },
        B::Malformed {
            status: 502,
            detail: "<html>".into(),
        },
    ];
    for e in &all {
        match e {
            B::NotSent { .. }
            | B::BadInput { .. }
            | B::OutcomeUnknown { .. }
            | B::SessionExpired
            | B::InvalidPin { .. }
            | B::BadLogin { .. }
            | B::NotFound { .. }
            | B::Refused { .. }
            | B::Malformed { .. } => {}
        }
    }
    all
}

fn journal_errors() -> Vec<JournalError> {
    let day = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date");
    let all = vec![
        JournalError::Open {
            path: "/data/journal.db".into(),
            source: sqlite(),
        },
        JournalError::TooNew {
            found: 11,
            known: 10,
        },
        JournalError::Snapshot {
            path: "/data/journal.db.v9".into(),
            detail: "ENOSPC".into(),
        },
        JournalError::NotFound(SID.into()),
        JournalError::BadTransition {
            sid: SID.into(),
            from: State::Succeeded,
            to: State::Failed,
        },
        JournalError::NoKind,
        JournalError::Poisoned,
        JournalError::Storage(sqlite()),
        JournalError::Create {
            path: "/data/journal.db".into(),
            source: io(),
        },
        JournalError::Damaged {
            path: "/data/journal.db".into(),
            detail: "SQLITE_CORRUPT".into(),
        },
        JournalError::DiskFull,
        JournalError::ReadOnly,
        JournalError::RowEdited {
            sid: SID.into(),
            found: "succeeded".into(),
            recorded: "failed".into(),
        },
        JournalError::Export("csv".into()),
        JournalError::BadQuery(text!("penanda halaman salah", "a wrong page cursor")),
        JournalError::DateOutOfRange("1999-12-31".into(), day, day),
        JournalError::LineUsed {
            provider: "moota".into(),
            provider_id: "77".into(),
            sid: SID.into(),
        },
        JournalError::Lease {
            path: "/data/journal.db".into(),
            source: io(),
        },
        JournalError::ReversalPending {
            sid: SID.into(),
            reversal: SID.into(),
        },
    ];
    for e in &all {
        match e {
            JournalError::Open { .. }
            | JournalError::TooNew { .. }
            | JournalError::Snapshot { .. }
            | JournalError::NotFound(_)
            | JournalError::BadTransition { .. }
            | JournalError::NoKind
            | JournalError::Poisoned
            | JournalError::Storage(_)
            | JournalError::Create { .. }
            | JournalError::Damaged { .. }
            | JournalError::DiskFull
            | JournalError::ReadOnly
            | JournalError::RowEdited { .. }
            | JournalError::Export(_)
            | JournalError::BadQuery(_)
            | JournalError::DateOutOfRange(..)
            | JournalError::LineUsed { .. }
            | JournalError::Lease { .. }
            | JournalError::ReversalPending { .. } => {}
        }
    }
    all
}

fn supervisor_errors() -> Vec<SupervisorError> {
    let all = vec![
        SupervisorError::WrongCredentials { left: 2 },
        SupervisorError::Locked {
            until: chrono::DateTime::UNIX_EPOCH,
        },
        SupervisorError::NoSupervisor,
        SupervisorError::AlreadyCreated,
        SupervisorError::NameTaken("Wati".into()),
        SupervisorError::Input(text!("nama kosong", "the name is empty")),
        SupervisorError::Expired,
        SupervisorError::Storage(sqlite()),
        SupervisorError::Hash("argon2 m=19456".into()),
        SupervisorError::AgentPassword,
        SupervisorError::CommonPassword,
        SupervisorError::Damaged("created_at 0".into()),
        SupervisorError::Tampered("row 7".into()),
        SupervisorError::Disabled("Wati".into()),
        SupervisorError::Unknown("Wati".into()),
        SupervisorError::LastActive("Wati".into()),
        SupervisorError::AlreadyDisabled("Wati".into()),
        SupervisorError::NotOwnPassword {
            target: "Wati".into(),
            approver: "Budi".into(),
        },
        SupervisorError::SamePassword,
    ];
    for e in &all {
        match e {
            SupervisorError::WrongCredentials { .. }
            | SupervisorError::Locked { .. }
            | SupervisorError::NoSupervisor
            | SupervisorError::AlreadyCreated
            | SupervisorError::NameTaken(_)
            | SupervisorError::Input(_)
            | SupervisorError::Expired
            | SupervisorError::Storage(_)
            | SupervisorError::Hash(_)
            | SupervisorError::AgentPassword
            | SupervisorError::CommonPassword
            | SupervisorError::Damaged(_)
            | SupervisorError::Tampered(_)
            | SupervisorError::Disabled(_)
            | SupervisorError::Unknown(_)
            | SupervisorError::LastActive(_)
            | SupervisorError::AlreadyDisabled(_)
            | SupervisorError::NotOwnPassword { .. }
            | SupervisorError::SamePassword => {}
        }
    }
    all
}

fn mutasi_errors() -> Vec<MutasiError> {
    let kinds = [
        RefusalKind::Credentials,
        RefusalKind::Signature,
        RefusalKind::Range,
        RefusalKind::Account,
        RefusalKind::RequestId,
        RefusalKind::Provider,
        RefusalKind::Other,
    ];
    for k in kinds {
        match k {
            RefusalKind::Credentials
            | RefusalKind::Signature
            | RefusalKind::Range
            | RefusalKind::Account
            | RefusalKind::RequestId
            | RefusalKind::Provider
            | RefusalKind::Other => {}
        }
    }
    let mut all = vec![
        MutasiError::Unreachable {
            provider: ProviderKind::Moota,
            reason: "ECONNREFUSED".into(),
        },
        MutasiError::Malformed {
            provider: ProviderKind::Bri,
            reason: "<html>".into(),
        },
        MutasiError::Input(text!("tanggal salah", "a wrong date")),
        MutasiError::Settings(text!("token kosong", "the token is empty")),
        MutasiError::Cache(sqlite()),
    ];
    for kind in kinds {
        all.push(MutasiError::Refused {
            provider: ProviderKind::Mutasibank,
            kind,
            code: "401".into(),
            message: "Unauthorized".into(),
        });
    }
    for e in &all {
        match e {
            MutasiError::Unreachable { .. }
            | MutasiError::Refused { .. }
            | MutasiError::Malformed { .. }
            | MutasiError::Input(_)
            | MutasiError::Settings(_)
            | MutasiError::Cache(_) => {}
        }
    }
    all
}

fn backup_errors() -> Vec<backup::BackupError> {
    use backup::BackupError as E;
    let all = vec![
        E::NoJournal {
            dir: "/data".into(),
        },
        E::Io {
            path: "/media/usb".into(),
            source: io(),
        },
        E::Exists {
            path: "/media/usb/a.tar.gz".into(),
        },
        E::Copy {
            file: "journal.db".into(),
            detail: "SQLITE_BUSY".into(),
        },
        E::CopyDamaged {
            file: "journal.db".into(),
            detail: "page 7".into(),
        },
        E::Foreign {
            path: "/media/usb/a.tar.gz".into(),
        },
        E::Damaged {
            path: "/media/usb/a.tar.gz".into(),
            detail: "manifest".into(),
        },
        E::TooNew {
            path: "/media/usb/a.tar.gz".into(),
            found: 3,
            schema: 11,
        },
        E::Running { count: 2 },
    ];
    for e in &all {
        match e {
            E::NoJournal { .. }
            | E::Io { .. }
            | E::Exists { .. }
            | E::Copy { .. }
            | E::CopyDamaged { .. }
            | E::Foreign { .. }
            | E::Damaged { .. }
            | E::TooNew { .. }
            | E::Running { .. } => {}
        }
    }
    all
}

fn print_errors() -> Vec<PrintError> {
    let all = vec![
        PrintError::NotFound("Kasir1".into()),
        PrintError::NoDefault,
        // The reason as Loket words it for an IPP state (`media-empty`), and
        // CUPS's own words, quoted.
        PrintError::Stopped {
            printer: "Kasir1".into(),
            reason: text!("kertas habis / macet", "out of paper / jammed"),
        },
        PrintError::Stopped {
            printer: "Kasir1".into(),
            reason: Text::same("“Paper out / jammed”"),
        },
        PrintError::NotAccepting("Kasir1".into()),
        PrintError::NoService("lpstat: No destinations added.".into()),
        PrintError::Failed("lp: Error - The printer or class does not exist.".into()),
    ];
    for e in &all {
        match e {
            PrintError::NotFound(_)
            | PrintError::NoDefault
            | PrintError::Stopped { .. }
            | PrintError::NotAccepting(_)
            | PrintError::NoService(_)
            | PrintError::Failed(_) => {}
        }
    }
    all
}

fn fleet_errors() -> Vec<FleetError> {
    let all = vec![
        FleetError::BadUrl(text!("tidak ada host", "no host")),
        FleetError::Unreachable("connection refused".into()),
        FleetError::BadPassword,
        FleetError::Tls("certificate is not trusted".into()),
        FleetError::NoSchema,
        FleetError::SchemaTooNew { found: 3, known: 2 },
        FleetError::SchemaTooOld { found: 1, known: 2 },
        FleetError::NotRegistered("terminal is not registered".into()),
        FleetError::Denied("permission denied for table".into()),
        FleetError::NotConfigured,
        FleetError::Settings(text!("nama viewer salah", "a wrong viewer name")),
        FleetError::Journal(JournalError::DiskFull),
        FleetError::Database("deadlock detected (40P01)".into()),
    ];
    for e in &all {
        match e {
            FleetError::BadUrl(_)
            | FleetError::Unreachable(_)
            | FleetError::BadPassword
            | FleetError::Tls(_)
            | FleetError::NoSchema
            | FleetError::SchemaTooNew { .. }
            | FleetError::SchemaTooOld { .. }
            | FleetError::NotRegistered(_)
            | FleetError::Denied(_)
            | FleetError::NotConfigured
            | FleetError::Settings(_)
            | FleetError::Journal(_)
            | FleetError::Database(_) => {}
        }
    }
    all
}

fn other_core_messages() -> Vec<Text> {
    use bankplus::SidError;
    use reconcile::Why;
    use sealed::SealedError;
    let mut all: Vec<Text> = Vec::new();
    for e in [
        SidError::Shape("12".into()),
        SidError::Time("9913321200000000".into()),
        SidError::Suffix(10000),
        SidError::Year(1999),
    ] {
        match e {
            SidError::Shape(_) | SidError::Time(_) | SidError::Suffix(_) | SidError::Year(_) => {}
        }
        all.push(e.say());
    }
    for bad in ["", "-5", "1e9", "25,505", "2.50.0", "99999999999999999999"] {
        let e = money::Rupiah::parse_input(bad).expect_err(bad);
        match e {
            money::AmountError::Empty
            | money::AmountError::Invalid { .. }
            | money::AmountError::TooLarge { .. } => {}
        }
        all.push(e.say());
    }
    for w in [
        Why::NoLine,
        Why::ReferenceMismatch,
        Why::Used,
        Why::SeveralLines,
        Why::OtherTransaction,
        Why::Reversed,
    ] {
        match w {
            Why::NoLine
            | Why::ReferenceMismatch
            | Why::Used
            | Why::SeveralLines
            | Why::OtherTransaction
            | Why::Reversed => {}
        }
        all.push(w.text());
    }
    let path = std::path::PathBuf::from("/data/providers.key");
    for e in [
        SealedError::Random,
        SealedError::Encrypt,
        SealedError::KeyMissing(path.clone()),
        SealedError::KeyDamaged(path.clone()),
        SealedError::Refused(path.clone()),
        SealedError::Io {
            path: path.clone(),
            source: io(),
        },
    ] {
        match &e {
            SealedError::Random
            | SealedError::Encrypt
            | SealedError::KeyMissing(_)
            | SealedError::KeyDamaged(_)
            | SealedError::Refused(_)
            | SealedError::Io { .. } => {}
        }
        all.push(e.say());
    }
    all.push(
        teller::SettingsDamaged {
            path: "/data/settings.json".into(),
            reason: text!(
                "JSON rusak di baris 3 kolom 1",
                "broken JSON at line 3 column 1"
            ),
        }
        .say(),
    );
    // The open-account rules: an empty form breaks every one of them.
    let empty: bankplus::OpenAccountForm =
        serde_json::from_value(serde_json::json!({})).unwrap_or_else(|_| empty_form());
    if let Err(why) = teller::validate_open_account(&empty) {
        all.push(why);
    }
    all
}

fn empty_form() -> bankplus::OpenAccountForm {
    serde_json::from_value(serde_json::json!({
        "name": "", "email": "", "mother_name": "", "profession": "", "last_education": "",
        "status_nikah": "", "pob": "", "dob": "", "ktp": "", "gender": "", "address": "",
        "rt": "", "rw": "", "kelurahan": "", "kecamatan": "", "city": "", "state": "",
        "zip_code": "", "phone": "", "hp": "", "income": "", "jumlah_transaksi": "",
        "deposit": "", "image_ktp": "", "image_foto": ""
    }))
    .expect("an empty form")
}

/// One of each teller error; nested causes take every error of their kind.
fn teller_errors() -> Vec<TellerError> {
    let why = || text!("baris berubah", "the row changed");
    let mut all = vec![
        TellerError::NotLoggedIn,
        TellerError::SessionExpired,
        TellerError::AgentsOnly,
        TellerError::Input(text!("nominal kosong", "the amount is empty")),
        TellerError::HeldByDoubt { sid: SID.into() },
        TellerError::NoSuchTransaction(SID.into()),
        TellerError::WrongState {
            sid: SID.into(),
            state: State::Failed,
        },
        TellerError::NoSwitcher,
        TellerError::StatementMismatch {
            sid: SID.into(),
            why: why(),
        },
        TellerError::InquiryFailed {
            sid: SID.into(),
            source: B::OutcomeUnknown {
                reason: "timeout".into(),
            },
        },
        TellerError::UnrecordedOutcome {
            sid: SID.into(),
            detail: JournalError::DiskFull.say(),
        },
        TellerError::CheckLater {
            sid: SID.into(),
            why: why(),
        },
        TellerError::Contradiction {
            sid: SID.into(),
            why: why(),
        },
        TellerError::ReversalPending {
            sid: SID.into(),
            reversal: SID.into(),
        },
        TellerError::SettingsChanged {
            recorded: "https://bank.example".into(),
            current: "https://other.example".into(),
        },
    ];
    all.extend(bank_errors().into_iter().map(TellerError::Bank));
    all.extend(journal_errors().into_iter().map(TellerError::Journal));
    all.extend(supervisor_errors().into_iter().map(TellerError::Supervisor));
    all.extend(backup_errors().into_iter().map(TellerError::Backup));
    all.extend(mutasi_errors().into_iter().map(TellerError::Statement));
    for e in &all {
        match e {
            TellerError::NotLoggedIn
            | TellerError::SessionExpired
            | TellerError::AgentsOnly
            | TellerError::Input(_)
            | TellerError::Bank(_)
            | TellerError::HeldByDoubt { .. }
            | TellerError::NoSuchTransaction(_)
            | TellerError::WrongState { .. }
            | TellerError::NoSwitcher
            | TellerError::Journal(_)
            | TellerError::Supervisor(_)
            | TellerError::Backup(_)
            | TellerError::Statement(_)
            | TellerError::StatementMismatch { .. }
            | TellerError::InquiryFailed { .. }
            | TellerError::UnrecordedOutcome { .. }
            | TellerError::CheckLater { .. }
            | TellerError::Contradiction { .. }
            | TellerError::ReversalPending { .. }
            | TellerError::SettingsChanged { .. } => {}
        }
    }
    all
}

/// The desktop's own messages (the core's go through `Loket::error`).
fn desktop_messages() -> Vec<Text> {
    vec![
        crate::armada::supervisor_required(),
        crate::armada::no_viewer(),
        crate::receipts::original_issued("23-11-2026 12:00"),
        crate::receipts::internal(),
    ]
}

/// Every message, both renderings: (what, Indonesian, English).
fn catalogue() -> Vec<(String, Text)> {
    let mut all: Vec<(String, Text)> = Vec::new();
    for e in teller_errors() {
        all.push((format!("TellerError {}", e.code()), e.say()));
    }
    for e in print_errors() {
        all.push((format!("PrintError {}", e.code()), e.say()));
    }
    for e in fleet_errors() {
        all.push((format!("FleetError {}", e.code()), e.say()));
    }
    for t in other_core_messages() {
        all.push(("core".into(), t));
    }
    for t in desktop_messages() {
        all.push(("desktop".into(), t));
    }
    all
}

/// Issue 15 item 4: with one language chosen, no message has a word of
/// the other one (names, codes and quoted data aside).
#[test]
fn every_message_is_wholly_in_the_chosen_language() {
    let all = catalogue();
    assert!(all.len() > 120, "{} messages", all.len());
    let mut mixed = Vec::new();
    for (what, t) in &all {
        for lang in Lang::ALL {
            let rendering = t.get(lang);
            assert!(!rendering.trim().is_empty(), "{what}: empty in {lang:?}");
            let foreign = foreign_words(rendering, lang);
            if !foreign.is_empty() {
                mixed.push(format!("{what} [{lang:?}] {foreign:?}: {rendering}"));
            }
        }
        assert_ne!(
            t.id(),
            t.en(),
            "{what}: one text for both languages: {}",
            t.id()
        );
    }
    assert!(
        mixed.is_empty(),
        "mixed-language messages:\n{}",
        mixed.join("\n")
    );
}

/// The printer defect of issue 15: a reason with " / " in it stays whole
/// in each language (it used to be cut at its " / ").
#[test]
fn a_printer_reason_with_a_slash_is_whole_in_each_language() {
    let e = PrintError::Stopped {
        printer: "Kasir1".into(),
        reason: text!("kertas habis / macet", "out of paper / jammed"),
    };
    let t = e.say();
    assert!(t.id().contains("(kertas habis / macet)"), "{}", t.id());
    assert!(t.en().contains("(out of paper / jammed)"), "{}", t.en());
    assert!(!t.id().contains("out of paper") && !t.en().contains("kertas"));
}

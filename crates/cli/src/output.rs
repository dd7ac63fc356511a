//! Everything the CLI prints: one JSON object on stdout with `--json`,
//! Bahasa Indonesia (or English) text otherwise, and the exit code that
//! goes with each outcome.

use bankplus::AccountInfo;
use journal::{State, TransactionRecord};
use money::Rupiah;
use serde_json::{json, Map, Value};
use teller::{Lang, SupervisorError, TellerError};
use words::{Say, Text};

use crate::exit;

/// How to speak to the person or script at the other end.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    pub json: bool,
    pub lang: Lang,
}

/// The run's language, for what is asked or said before (or outside) an
/// [`Out`]: prompts and start-up notes. Set once in `main`.
static LANG: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

pub fn set_lang(lang: Lang) {
    let _ = LANG.set(lang);
}

/// The run's language (Indonesian until `main` has read `--lang`).
pub fn lang() -> Lang {
    LANG.get().copied().unwrap_or_default()
}

/// A message in the run's language.
pub fn say(text: &Text) -> &str {
    text.get(lang())
}

/// A command-line error clap found, in Loket's words (clap's own text is
/// English): what was wrong, naming the argument and value as typed.
pub fn clap_error(e: &clap::Error) -> Text {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let get = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let arg = get(ContextKind::InvalidArg);
    let value = money::preview(&get(ContextKind::InvalidValue));
    let valid = get(ContextKind::ValidValue);
    let sub = get(ContextKind::InvalidSubcommand);
    let why = match e.kind() {
        ErrorKind::InvalidValue if valid.is_empty() => {
            words::text!(
                "{arg}: nilai {value:?} tidak sah",
                "{arg}: the value {value:?} is not valid"
            )
        }
        ErrorKind::InvalidValue => words::text!(
            "{arg}: nilai {value:?} tidak sah; pilih salah satu: {valid}",
            "{arg}: the value {value:?} is not valid; choose one of: {valid}"
        ),
        ErrorKind::UnknownArgument => {
            words::text!("argumen {arg:?} tidak dikenal", "unknown argument {arg:?}")
        }
        ErrorKind::InvalidSubcommand => {
            words::text!("perintah {sub:?} tidak dikenal", "unknown command {sub:?}")
        }
        ErrorKind::MissingRequiredArgument => {
            words::text!(
                "argumen wajib belum diisi: {arg}",
                "a required argument is missing: {arg}"
            )
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            words::text!(
                "perintah belum diberikan; lihat loket --help",
                "no command given; see loket --help"
            )
        }
        ErrorKind::ArgumentConflict => {
            let other = get(ContextKind::PriorArg);
            words::text!(
                "{arg} tidak bisa dipakai bersama {other}",
                "{arg} cannot be used together with {other}"
            )
        }
        ErrorKind::NoEquals
        | ErrorKind::TooManyValues
        | ErrorKind::TooFewValues
        | ErrorKind::WrongNumberOfValues => words::text!(
            "{arg}: jumlah nilai tidak sesuai",
            "{arg}: the wrong number of values"
        ),
        ErrorKind::ValueValidation => words::text!(
            "{arg}: nilai {value:?} tidak sah",
            "{arg}: the value {value:?} is not valid"
        ),
        ErrorKind::InvalidUtf8 => {
            words::text!("argumen bukan teks UTF-8", "an argument is not UTF-8 text")
        }
        _ => words::text!(
            "perintah tidak bisa dibaca; lihat loket --help",
            "the command cannot be read; see loket --help"
        ),
    };
    words::text!(
        "Isian belum benar: {why}. Tidak ada yang dikirim.",
        "Input is not right: {why}. Nothing was sent.";
        why
    )
}

impl Out {
    /// A fixed label in the chosen language: the same as
    /// `text!(id, en).get(lang)`, without building the other rendering.
    pub fn t<'a>(&self, id: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Id => id,
            Lang::En => en,
        }
    }

    /// A message in the chosen language.
    pub fn s<'a>(&self, text: &'a Text) -> &'a str {
        text.get(self.lang)
    }

    /// A notice for the person: stderr, always (stdout stays clean for `--json`).
    pub fn note(&self, text: &str) {
        eprintln!("{text}");
    }

    /// Human text on stdout; suppressed with `--json`.
    pub fn line(&self, text: &str) {
        if !self.json {
            println!("{text}");
        }
    }

    /// The single JSON object of this run (only with `--json`).
    pub fn object(&self, value: &Value) {
        if self.json {
            println!("{value}");
        }
    }

    /// Prints a failure (JSON object or text on stderr) and returns its exit code.
    pub fn fail(&self, err: &TellerError) -> u8 {
        self.fail_with(err, Map::new())
    }

    /// Like [`Out::fail`], with extra fields in the JSON object.
    pub fn fail_with(&self, err: &TellerError, mut extra: Map<String, Value>) -> u8 {
        let code = exit_code(err);
        if let TellerError::InquiryFailed { sid, .. } = err {
            // Nothing moved: the row is `cancelled`; name it so it can be found.
            extra.entry("status").or_insert_with(|| json!("cancelled"));
            extra.entry("sid").or_insert_with(|| json!(sid));
        }
        if self.json {
            extra.entry("status").or_insert_with(|| {
                json!(if code == exit::UNKNOWN {
                    "unknown"
                } else {
                    "failed"
                })
            });
            extra.insert("error".into(), error_json(err, self.lang));
            self.object(&Value::Object(extra));
        } else if code == exit::INQUIRY_FAILED {
            eprintln!(
                "{} [{}]: {}",
                self.t("TIDAK ADA UANG YANG BERPINDAH", "NO MONEY MOVED"),
                err.code(),
                err.message(self.lang)
            );
        } else if code == exit::UNKNOWN {
            // Sent without an answer: in progress, never shown as a failure.
            eprintln!(
                "{} [{}]: {}",
                self.t("DALAM PROSES", "IN PROGRESS"),
                err.code(),
                err.message(self.lang)
            );
        } else {
            eprintln!(
                "{} [{}]: {}",
                self.t("GAGAL", "FAILED"),
                err.code(),
                err.message(self.lang)
            );
        }
        code
    }

    /// A usage error found by the CLI itself (nothing sent).
    pub fn usage(&self, why: impl Say) -> u8 {
        let err = TellerError::Input(why.say());
        self.fail(&err)
    }
}

/// `{"code", "message"}` for a failure, plus the bank's bracketed reason when it gave one.
pub fn error_json(err: &TellerError, lang: Lang) -> Value {
    let mut e = json!({"code": err.code(), "message": err.message(lang)});
    if let TellerError::Bank(b) = err {
        if let Some(reason) = b.bank_reason() {
            e["reason"] = json!(reason);
        }
    }
    e
}

/// The documented exit codes: 1 refused, 2 bad input (nothing sent),
/// 3 outcome unknown, 4 unreachable (nothing sent), 5 a quote's inquiry got
/// no answer (nothing moved; safe to try again).
pub fn exit_code(err: &TellerError) -> u8 {
    use bankplus::Error as B;
    match err {
        TellerError::InquiryFailed { .. } => exit::INQUIRY_FAILED,
        TellerError::Bank(B::NotSent { .. }) => exit::UNREACHABLE,
        TellerError::Statement(mutasi::MutasiError::Unreachable { .. }) => exit::UNREACHABLE,
        TellerError::Supervisor(
            SupervisorError::NoSupervisor
            | SupervisorError::Input(_)
            | SupervisorError::AlreadyCreated
            | SupervisorError::NameTaken(_)
            | SupervisorError::AgentPassword
            | SupervisorError::CommonPassword
            | SupervisorError::Unknown(_)
            | SupervisorError::NotOwnPassword { .. }
            | SupervisorError::SamePassword,
        ) => exit::USAGE,
        TellerError::Statement(
            mutasi::MutasiError::Input(_) | mutasi::MutasiError::Settings(_),
        ) => exit::USAGE,
        TellerError::Input(_)
        | TellerError::Bank(B::BadInput { .. })
        | TellerError::NoSuchTransaction(_)
        | TellerError::NoSwitcher => exit::USAGE,
        e if e.outcome_unknown() => exit::UNKNOWN,
        _ => exit::REFUSED,
    }
}

/// Money for JSON: an integer of rupiah when whole, else the exact decimal.
pub fn money_number(amount: Rupiah) -> Value {
    match amount.whole_rupiah() {
        Some(r) => Value::Number(r.into()),
        None => amount
            .to_plain_string()
            .parse::<serde_json::Number>()
            .map(Value::Number)
            .unwrap_or_else(|_| Value::String(amount.to_plain_string())),
    }
}

fn opt_money(amount: Option<Rupiah>) -> Value {
    amount.map(money_number).unwrap_or(Value::Null)
}

/// An account inquiry (`check-account`, `balance`, `customer-balance`).
pub fn account_json(info: &AccountInfo) -> Value {
    json!({
        "status": "succeeded",
        "account_number": info.account_number,
        "account_name": info.account_name,
        "account_balance": opt_money(info.balance),
        "currency": info.currency,
        "bank_code": info.bank_code,
        "reference": info.reference,
    })
}

pub fn account_human(out: &Out, info: &AccountInfo) {
    out.line(&format!(
        "{}: {}",
        out.t("Rekening", "Account"),
        info.account_number
    ));
    out.line(&format!("{}: {}", out.t("Nama", "Name"), info.account_name));
    if let Some(b) = info.balance {
        out.line(&format!("{}: {b}", out.t("Saldo", "Balance")));
    }
}

/// A transaction row for JSON: the record's fields with money as numbers,
/// plus `status` and flattened destination fields.
pub fn record_json(r: &TransactionRecord) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or_else(|_| json!({}));
    if let Value::Object(m) = &mut v {
        m.insert("status".into(), json!(status_word(r.state)));
        m.insert("amount".into(), opt_money(r.amount));
        m.insert("admin_fee".into(), opt_money(r.admin_fee));
        m.insert(
            "total".into(),
            opt_money(r.total.or_else(|| {
                r.amount
                    .and_then(|a| a.checked_add(r.admin_fee.unwrap_or(Rupiah::ZERO)))
            })),
        );
        m.insert("account_number".into(), json!(r.destination.account_number));
        m.insert("account_name".into(), json!(r.destination.account_name));
        // `bank_code` / `bank_message` stay the bank's last reply; the
        // destination's bank is `to_bank_code` / `to_bank_name`.
        m.insert("to_bank_code".into(), json!(r.destination.bank_code));
        m.insert("to_bank_name".into(), json!(r.destination.bank_name));
    }
    v
}

/// `succeeded`, `failed` or `unknown` for a payment; the state's own name otherwise.
pub fn status_word(state: State) -> &'static str {
    state.as_str()
}

/// The row for a person, a few lines.
pub fn record_human(out: &Out, r: &TransactionRecord) {
    let dest = &r.destination;
    out.line(&format!("SID: {}", r.sid));
    out.line(&format!(
        "{}: {} — {}",
        out.t("Jenis, status", "Kind, status"),
        r.kind.as_str(),
        state_human(out, r.state)
    ));
    out.line(&format!(
        "{}: {} {} {}",
        out.t("Tujuan", "To"),
        dest.bank_name
            .as_deref()
            .or(dest.bank_code.as_deref())
            .unwrap_or("-"),
        dest.account_number.as_deref().unwrap_or("-"),
        dest.account_name.as_deref().unwrap_or("")
    ));
    if let Some(a) = r.amount {
        let fee = r.admin_fee.unwrap_or(Rupiah::ZERO);
        let total = r.total.or_else(|| a.checked_add(fee)).unwrap_or(a);
        out.line(&format!(
            "{}: {a}   {}: {fee}   Total: {total}",
            out.t("Nominal", "Amount"),
            out.t("Biaya admin", "Admin fee")
        ));
    }
    if let (Some(code), Some(msg)) = (&r.bank_code, &r.bank_message) {
        out.line(&format!("Bank: [{code}] {msg}"));
    }
}

pub fn state_human(out: &Out, state: State) -> String {
    match state {
        State::Succeeded => out.t("BERHASIL", "SUCCEEDED").to_owned(),
        State::Failed => out.t("GAGAL", "FAILED").to_owned(),
        State::Unknown => out
            .t(
                "DALAM PROSES (status belum diketahui)",
                "IN PROGRESS (outcome unknown)",
            )
            .to_owned(),
        other => other.as_str().to_owned(),
    }
}

/// What to tell a person about a payment in doubt: never "failed".
pub fn unknown_notice(out: &Out, sid: &str) -> String {
    match out.lang {
        Lang::Id => format!(
            "DALAM PROSES — status belum diketahui, jangan ulangi transaksi; jalankan: loket check {sid}"
        ),
        Lang::En => format!(
            "IN PROGRESS — outcome unknown, do not repeat the transaction; run: loket check {sid}"
        ),
    }
}

//! Money commands: deposit, transfer, open-account. Each is a quote, an
//! optional confirmation, the PIN, and exactly one payment. After an
//! expired session (refused before processing) the quote and payment are
//! redone once with a new sid; after an unknown outcome, never.

use bankplus::{OpenAccountForm, Pin};
use journal::State;
use money::Rupiah;
use serde_json::{json, Value};
use teller::{DepositForm, PaymentOutcome, Quote, TellerError};
#[allow(unused_imports)]
use words::{text, Say, Text};

use crate::args::Command;
use crate::exit;
use crate::output::{
    error_json, exit_code, money_number, record_human, record_json, unknown_notice, Out,
};
use crate::session::{self, Ctx};

/// What to pay, checked before anything is sent.
pub enum Order {
    Deposit(DepositForm),
    Transfer {
        bank: Option<String>,
        to: String,
        amount: Rupiah,
    },
    OpenAccount(Box<OpenAccountForm>),
}

pub struct Prepared {
    order: Order,
    confirm: bool,
    override_reason: Option<String>,
    /// The agent's PIN when it came from the environment (checked early).
    pin: Option<Pin>,
}

fn amount(out: &Out, text: &str) -> Result<Rupiah, u8> {
    Rupiah::parse_input(text)
        .map_err(|e| out.usage(text!("--amount {text:?}: {e}", "--amount {text:?}: {e}"; e)))
}

fn early_pin(out: &Out) -> Result<Option<Pin>, u8> {
    if !session::secret_given("LOKET_PIN") {
        return Ok(None);
    }
    session::pin("LOKET_PIN", &Text::same(""))
        .map(Some)
        .map_err(|why| out.usage(why))
}

/// Parses a money command's input; `Ok(None)` for other commands.
pub fn prepare(command: &Command, out: &Out) -> Result<Option<Prepared>, u8> {
    let (order, confirm, override_reason) = match command {
        Command::Deposit {
            to,
            amount: a,
            name,
            narration,
            override_reason,
        } => (
            Order::Deposit(DepositForm {
                to_account: to.clone(),
                amount: amount(out, a)?,
                name: name.clone(),
                narration: narration.clone(),
            }),
            false,
            override_reason.clone(),
        ),
        Command::Transfer {
            to,
            amount: a,
            bank,
            yes,
            override_reason,
        } => {
            let amount = amount(out, a)?;
            if !yes && !session::stdin_is_terminal() {
                return Err(out.usage(text!(
                    "transfer perlu konfirmasi: tambahkan --yes bila stdin bukan terminal",
                    "a transfer needs confirmation: add --yes when stdin is not a terminal"
                )));
            }
            (
                Order::Transfer {
                    bank: bank.clone(),
                    to: to.clone(),
                    amount,
                },
                !yes,
                override_reason.clone(),
            )
        }
        Command::OpenAccount {
            form,
            override_reason,
        } => {
            let text = std::fs::read_to_string(form).map_err(|e| {
                let form = form.display();
                out.usage(text!(
                    "--form {form}: tidak bisa dibaca: {e}",
                    "--form {form}: cannot be read: {e}";
                    e
                ))
            })?;
            let form: OpenAccountForm = serde_json::from_str(&text).map_err(|e| {
                let (line, column) = (e.line(), e.column());
                out.usage(text!(
                    "--form: JSON rusak di baris {line} kolom {column}",
                    "--form: broken JSON at line {line} column {column}"
                ))
            })?;
            (
                Order::OpenAccount(Box::new(form)),
                false,
                override_reason.clone(),
            )
        }
        _ => return Ok(None),
    };
    let pin = early_pin(out)?;
    Ok(Some(Prepared {
        order,
        confirm,
        override_reason,
        pin,
    }))
}

async fn quote(ctx: &Ctx, order: &Order) -> teller::Result<Quote> {
    match order {
        Order::Deposit(form) => ctx.teller.quote_deposit(form).await,
        Order::Transfer {
            bank: Some(bank),
            to,
            amount,
        } => ctx.teller.quote_interbank(bank, to, *amount).await,
        Order::Transfer {
            bank: None,
            to,
            amount,
        } => ctx.teller.quote_intrabank(to, *amount).await,
        Order::OpenAccount(form) => ctx.teller.quote_open_account(form).await,
    }
}

fn show_quote(out: &Out, q: &Quote) {
    let d = &q.destination;
    out.line(&format!("SID: {}", q.sid));
    out.line(&format!(
        "{}: {}",
        out.t("Nama", "Name"),
        d.account_name.as_deref().unwrap_or("-")
    ));
    out.line(&format!(
        "Bank: {}",
        d.bank_name
            .as_deref()
            .or(d.bank_code.as_deref())
            .unwrap_or("-")
    ));
    if let Some(a) = &d.account_number {
        out.line(&format!("{}: {a}", out.t("Rekening", "Account")));
    }
    out.line(&format!("{}: {}", out.t("Nominal", "Amount"), q.amount));
    out.line(&format!(
        "{}: {}",
        out.t("Biaya admin", "Admin fee"),
        q.admin_fee
    ));
    out.line(&format!("Total: {}", q.total));
    out.line(&format!(
        "{}: {}",
        out.t("Terbilang", "In words"),
        q.terbilang
    ));
    if let Some(doubt) = &q.in_doubt {
        out.note(&format!(
            "{}: {doubt}",
            out.t(
                "PERHATIAN: transaksi serupa masih dalam proses",
                "WARNING: a similar transaction is still in doubt"
            )
        ));
    }
}

fn is_expiry(e: &TellerError) -> bool {
    matches!(e, TellerError::SessionExpired | TellerError::NotLoggedIn)
}

pub async fn run(ctx: &mut Ctx, p: Prepared) -> u8 {
    let mut retried = false;
    let mut pin = p.pin;
    loop {
        let q = match quote(ctx, &p.order).await {
            Ok(q) => q,
            Err(e) if is_expiry(&e) && !retried => {
                retried = true;
                if let Err(e) = ctx.relogin().await {
                    return ctx.out.fail(&e);
                }
                continue;
            }
            Err(e) => return ctx.out.fail(&e),
        };
        show_quote(&ctx.out, &q);
        let actor = ctx.actor();
        if p.confirm && !session::confirm(ctx.out.t("Lanjutkan? (ya/tidak)", "Continue? (yes/no)"))
        {
            let _ = ctx.teller.cancel(&q.sid, &actor);
            ctx.out.note(ctx.out.t(
                "Dibatalkan; tidak ada yang dibayar.",
                "Cancelled; nothing was paid.",
            ));
            ctx.out
                .object(&json!({"status": "cancelled", "sid": q.sid}));
            return exit::REFUSED;
        }
        let the_pin = match pin.take() {
            Some(pin) => pin,
            None => match session::pin("LOKET_PIN", &text!("PIN transaksi: ", "Transaction PIN: "))
            {
                Ok(pin) => pin,
                Err(why) => {
                    let _ = ctx.teller.cancel(&q.sid, &actor);
                    return ctx.out.usage(why);
                }
            },
        };
        let paid = ctx
            .teller
            .pay(&q.sid, &the_pin, p.override_reason.as_deref())
            .await;
        match paid {
            Err(e) if e.outcome_unknown() => {
                // Sent, but the outcome could not be recorded: in progress,
                // never "refused", and the row is not cancelled.
                let mut extra = serde_json::Map::new();
                extra.insert("status".into(), json!("unknown"));
                extra.insert("sid".into(), json!(e.sid_in_doubt().unwrap_or(&q.sid)));
                extra.insert("amount".into(), money_number(q.amount));
                extra.insert("admin_fee".into(), money_number(q.admin_fee));
                extra.insert("total".into(), money_number(q.total));
                extra.insert("account_number".into(), json!(q.destination.account_number));
                extra.insert("account_name".into(), json!(q.destination.account_name));
                let code = ctx.out.fail_with(&e, extra);
                ctx.out.note(&unknown_notice(
                    &ctx.out,
                    e.sid_in_doubt().unwrap_or(&q.sid),
                ));
                return code;
            }
            Err(e) => {
                // Refused before sending (held by doubt, wrong state): drop the quote.
                let _ = ctx.teller.cancel(&q.sid, &actor);
                if is_expiry(&e) && !retried {
                    retried = true;
                    if let Err(e) = ctx.relogin().await {
                        return ctx.out.fail(&e);
                    }
                    pin = Some(the_pin);
                    continue;
                }
                let mut extra = serde_json::Map::new();
                extra.insert("sid".into(), json!(q.sid));
                extra.insert("amount".into(), money_number(q.amount));
                extra.insert("admin_fee".into(), money_number(q.admin_fee));
                extra.insert("total".into(), money_number(q.total));
                extra.insert("account_number".into(), json!(q.destination.account_number));
                extra.insert("account_name".into(), json!(q.destination.account_name));
                return ctx.out.fail_with(&e, extra);
            }
            Ok(outcome) => {
                let expired = outcome.record.state == State::Failed
                    && matches!(outcome.error, Some(TellerError::SessionExpired));
                if expired && !retried {
                    retried = true;
                    if let Err(e) = ctx.relogin().await {
                        return ctx.out.fail(&e);
                    }
                    pin = Some(the_pin);
                    continue;
                }
                let flags = ctx
                    .teller
                    .journal()
                    .flags(&outcome.record.sid)
                    .ok()
                    .flatten();
                return report(&ctx.out, &q, &outcome, flags.as_ref());
            }
        }
    }
}

fn report(out: &Out, q: &Quote, outcome: &PaymentOutcome, flags: Option<&journal::RowFlags>) -> u8 {
    let r = &outcome.record;
    let mut v = record_json(r);
    // In words, what the journal counts as having left the agent.
    let total = r.total.unwrap_or(q.total);
    v["terbilang"] = Value::String(if total == q.total {
        q.terbilang.clone()
    } else {
        money::terbilang(total)
    });
    if let Some(f) = flags.filter(|f| f.fee_differs) {
        // The reply's fee differed from the quote's: both are shown.
        v["fee_differs"] = json!(true);
        v["quoted_admin_fee"] = f.quoted_fee.map(money_number).unwrap_or(Value::Null);
        v["replied_admin_fee"] = f.replied_fee.map(money_number).unwrap_or(Value::Null);
        v["replied_total"] = f.replied_total.map(money_number).unwrap_or(Value::Null);
        out.note(out.t(
            "PERHATIAN: biaya admin di jawaban bank berbeda dari yang dikutip; dicatat yang lebih besar sampai mutasi bank memastikan.",
            "WARNING: the bank's reply gave a different admin fee than the quote; the larger is recorded until the bank statement settles it.",
        ));
    }
    if let Some(e) = &outcome.error {
        v["error"] = error_json(e, out.lang);
    }
    out.object(&v);
    match r.state {
        State::Succeeded => {
            out.line(out.t("BERHASIL", "SUCCEEDED"));
            record_human(out, r);
            exit::OK
        }
        State::Unknown => {
            let notice = unknown_notice(out, &r.sid);
            out.line(&notice);
            record_human(out, r);
            if out.json {
                out.note(&notice);
            }
            exit::UNKNOWN
        }
        _ => {
            record_human(out, r);
            match &outcome.error {
                Some(e) => {
                    out.note(&format!(
                        "{} [{}]: {}",
                        out.t("GAGAL", "FAILED"),
                        e.code(),
                        e.message(out.lang)
                    ));
                    exit_code(e)
                }
                None => exit::REFUSED,
            }
        }
    }
}

//! The branchless switcher: account inquiry (which hands out a
//! `paymentCode`), transfer, reversal and status check by `refnum`. It
//! shares the ledger with Bank+, so `/check` finds a Bank+ payment by its
//! sid and `/reversal` can undo it.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use money::Rupiah;
use serde_json::json;

use super::{sw_internal, Shared};
use crate::banks;
use crate::ledger::{Journal, Kind, MoneyError, Movement, Refusal, ReversalError, TxView};
use crate::wire::{self, amount_json, iso, Fields};

type Reply = Result<Response, Response>;

const SOURCE_UNKNOWN: &str = "InqRekAsal: Nomor Rekening Tidak Dikenal";
const TARGET_UNKNOWN: &str = "InqRekTujuan: VA number not found";
const NOT_FOUND: &str = "refnum provided was not found";

fn fields(body: &Bytes) -> Result<Fields, Response> {
    Fields::parse(body, None).map_err(|e| wire::sw_format_error(&e))
}

fn required(f: &Fields, key: &str) -> Result<String, Response> {
    f.required(key).map_err(|e| wire::sw_format_error(&e))
}

pub(super) async fn inquiry(State(st): State<Shared>, body: Bytes) -> Reply {
    let f = fields(&body)?;
    let refnum = required(&f, "refnum")?;
    let bank_label = required(&f, "bank")?;
    let number = required(&f, "account")?;
    let failed = || {
        wire::sw_0101(
            "Inquiry failed",
            &format!("{SOURCE_UNKNOWN} & {TARGET_UNKNOWN}"),
            &number,
        )
    };
    let bank = banks::resolve(&bank_label).ok_or_else(failed)?;
    let payment_code = wire::hex(&crate::ids::random_16().map_err(sw_internal)?);
    let now = Utc::now();
    let (code, label, refnum2, number2) = (
        payment_code.clone(),
        bank_label.clone(),
        refnum.clone(),
        number.clone(),
    );
    let account = st
        .db(move |l| {
            let Some(account) = l.account(bank, &number2)? else {
                return Ok(None);
            };
            l.switcher_inquiry(&code, &refnum2, &account, &label, now)?;
            Ok(Some(account))
        })
        .await
        .map_err(sw_internal)?
        .ok_or_else(failed)?;
    Ok(wire::sw_ok(
        "Inquiry success",
        json!({
            "timestamp": iso(now),
            "refnum": refnum,
            "bank": bank_label,
            "account": account.number,
            "name": account.name,
            "balance": amount_json(account.balance),
            "status": if account.active { "Rekening Aktif" } else { "Rekening Tidak Aktif" },
            "paymentCode": payment_code,
        }),
    ))
}

fn movement_data(v: &TxView, timestamp: &str) -> serde_json::Value {
    json!({
        "timestamp": timestamp,
        "refnum": v.refnum,
        "sourceBank": v.source_label,
        "sourceAccount": v.source_account,
        "sourceName": v.source_name,
        "beneficiaryBank": v.dest_label,
        "beneficiaryAccount": v.dest_account,
        "beneficiaryName": v.dest_name,
        "amount": amount_json(v.amount),
        "remark": v.remark,
        "journal": v.journal,
    })
}

pub(super) async fn transfer(State(st): State<Shared>, body: Bytes) -> Reply {
    let f = fields(&body)?;
    let refnum = required(&f, "refnum")?;
    let payment_code = required(&f, "paymentCode")?;
    let source_label = required(&f, "sourceBank")?;
    let source_number = required(&f, "sourceAccount")?;
    let amount = f.amount("amount").map_err(|e| wire::sw_format_error(&e))?;
    let remark = f.text_or_empty("remark");

    let source_bank = banks::resolve(&source_label);
    let (code, src_number) = (payment_code.clone(), source_number.clone());
    let (source, target) = st
        .db(move |l| {
            let source = match source_bank {
                Some(bank) => l.account(bank, &src_number)?,
                None => None,
            };
            Ok((source, l.payment_target(&code)?))
        })
        .await
        .map_err(sw_internal)?;
    let problems: Vec<&str> = [
        source.is_none().then_some(SOURCE_UNKNOWN),
        target.is_none().then_some(TARGET_UNKNOWN),
    ]
    .into_iter()
    .flatten()
    .collect();
    let (Some(source), Some((dest_bank, dest_label, dest_number))) = (source, target) else {
        return Ok(wire::sw_0101(
            "Inquiry failed",
            &problems.join(" & "),
            &source_number,
        ));
    };

    let at = Utc::now();
    let m = Movement {
        kind: Kind::SwitcherTransfer,
        refnum,
        reference_number: wire::trace_code(at),
        user_id: None,
        source: (source.bank, source.number),
        dest: (dest_bank, dest_number),
        source_label: Some(source_label),
        dest_label: Some(dest_label),
        amount,
        fee: Rupiah::ZERO,
        remark,
        at,
        journal: Journal::Live,
    };
    let m2 = m.clone();
    let posted = st
        .db(move |l| Ok(l.pay(&m2, None)))
        .await
        .map_err(sw_internal)?;
    let posted = match posted {
        Ok(p) => p,
        Err(MoneyError::Ledger(e)) => return Ok(sw_internal(e)),
        Err(MoneyError::Refused(r)) => {
            return Ok(match r {
                Refusal::Duplicate => wire::sw_error("-1", wire::DUPLICATE),
                Refusal::InsufficientFunds => wire::sw_error("-1", wire::INSUFFICIENT_FUNDS),
                Refusal::InvalidAmount => wire::sw_error("-1", wire::INVALID_AMOUNT),
                Refusal::NoSource | Refusal::InactiveAccount => {
                    wire::sw_0101("Inquiry failed", SOURCE_UNKNOWN, &source_number)
                }
                _ => wire::sw_0101("Inquiry failed", TARGET_UNKNOWN, &source_number),
            })
        }
    };
    let view = TxView {
        id: 0,
        kind: Kind::SwitcherTransfer.as_str().to_owned(),
        refnum: m.refnum,
        journal: posted.journal,
        source_label: m.source_label.unwrap_or_default(),
        source_account: posted.source.number,
        source_name: posted.source.name,
        dest_label: m.dest_label.unwrap_or_default(),
        dest_account: posted.dest.number,
        dest_name: posted.dest.name,
        amount,
        fee: Rupiah::ZERO,
        remark: m.remark,
        reversed: false,
        created_at: iso(at),
    };
    Ok(wire::sw_ok(
        "Transfer success",
        movement_data(&view, &iso(at)),
    ))
}

pub(super) async fn reversal(State(st): State<Shared>, body: Bytes) -> Reply {
    let f = fields(&body)?;
    let target = required(&f, "refnumTarget")?;
    let journal = f.text("journal");
    let given = f.text("refnum");
    // The document's sample sends `"refnum": ""`; the switcher then makes
    // one up, as its reply shows.
    for attempt in 0..5 {
        let at = Utc::now();
        let refnum = given
            .clone()
            .unwrap_or_else(|| wire::refnum_at(at, crate::ids::small_random() as u32 + attempt));
        let (t, j, r) = (target.clone(), journal.clone(), refnum.clone());
        let result = st
            .db(move |l| Ok(l.reverse(&t, j.as_deref(), &r, at)))
            .await
            .map_err(sw_internal)?;
        let reply = match result {
            Ok(reversed) => {
                wire::sw_ok("Reversal success", movement_data(&reversed.view, &iso(at)))
            }
            Err(ReversalError::NotFound) => wire::sw_error("-1", NOT_FOUND),
            Err(ReversalError::AlreadyReversed) => {
                wire::sw_error("-1", "Reversal already executed")
            }
            Err(ReversalError::NotReversible) => {
                wire::sw_error("-1", "A reversal cannot be reversed")
            }
            Err(ReversalError::InsufficientFunds) => wire::sw_error(
                "-1",
                "Reversal failed: the beneficiary account no longer holds the amount",
            ),
            Err(ReversalError::Duplicate) if given.is_none() => continue,
            Err(ReversalError::Duplicate) => wire::sw_error("-1", wire::DUPLICATE),
            Err(ReversalError::Ledger(e)) => sw_internal(e),
        };
        return Ok(reply);
    }
    Ok(sw_internal("could not make up an unused refnum"))
}

pub(super) async fn check(State(st): State<Shared>, body: Bytes) -> Reply {
    let f = fields(&body)?;
    let refnum = required(&f, "refnum")?;
    let view = st
        .db(move |l| l.find_transaction(&refnum))
        .await
        .map_err(sw_internal)?
        .ok_or_else(|| wire::sw_error("-1", NOT_FOUND))?;
    let info = if view.kind == Kind::Reversal.as_str() {
        "Reversal success"
    } else if view.reversed {
        "Transfer reversed"
    } else {
        "Transfer success"
    };
    let mut data = movement_data(&view, &view.created_at);
    data["info"] = json!(info);
    Ok(wire::sw_ok("Check success", data))
}

//! Bank+ teller transactions: account and balance inquiries, opening an
//! account, cash deposit, and intrabank / interbank transfer (inquiry and
//! payment). Every money-moving call needs the `sid` header, which becomes
//! the transaction's refnum; a replayed sid posts nothing.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use money::Rupiah;
use serde_json::json;

use super::{bp_internal, session_user, Shared};
use crate::banks::{self, HOME_BANK};
use crate::ledger::{Journal, Kind, MoneyError, Movement, NewAccount, PinCheck, Refusal, User};
use crate::wire::{self, amount_json, iso, mask_phone, trace_code, Fields, FormatError};

type Reply = Result<Response, Response>;

fn fields(body: &Bytes) -> Result<Fields, Response> {
    Fields::parse(body, None).map_err(|e| wire::bp_format_error(&e))
}

fn format_error(e: FormatError) -> Response {
    wire::bp_format_error(&e)
}

/// The teller's own account; staff users have none and may not transact.
fn agent_account(user: &User) -> Result<(String, String), Response> {
    match (&user.account, user.is_agent()) {
        (Some(account), true) => Ok(account.clone()),
        _ => Err(wire::bank_refusal(wire::NOT_PERMITTED)),
    }
}

/// The `sid` header every money-moving call must carry.
fn sid(headers: &HeaderMap) -> Result<String, Response> {
    match wire::header_text(headers, "sid") {
        Some(s) if s.len() <= 64 && s.bytes().all(|b| b.is_ascii_graphic()) => Ok(s.to_owned()),
        Some(_) => Err(format_error(FormatError(
            "the sid header must be at most 64 printable characters".into(),
        ))),
        None => Err(format_error(FormatError(
            "the sid header is mandatory for transactions".into(),
        ))),
    }
}

/// The reply for a refused payment; `no_destination` differs per endpoint.
fn refused(e: MoneyError, no_destination: &str) -> Response {
    match e {
        MoneyError::Ledger(e) => bp_internal(e),
        MoneyError::Refused(r) => match r {
            Refusal::InvalidPin => wire::invalid_pin(),
            Refusal::Duplicate => wire::bank_refusal(wire::DUPLICATE),
            Refusal::NoSource => wire::bank_refusal(wire::NO_SUCH_ACCOUNT),
            Refusal::NoDestination => wire::bank_refusal(no_destination),
            Refusal::InactiveAccount => wire::bank_refusal("[78] ACCOUNT INACTIVE"),
            Refusal::InsufficientFunds => wire::bank_refusal(wire::INSUFFICIENT_FUNDS),
            Refusal::InvalidAmount => wire::bank_refusal(wire::INVALID_AMOUNT),
            Refusal::InvalidTransaction => wire::bank_refusal(wire::INVALID_TRANSACTION),
        },
    }
}

fn movement(
    kind: Kind,
    refnum: String,
    user: &User,
    source: (String, String),
    dest: (String, String),
    amount: Rupiah,
) -> Movement {
    let at = Utc::now();
    Movement {
        kind,
        refnum,
        reference_number: trace_code(at),
        user_id: Some(user.id),
        source,
        dest,
        source_label: None,
        dest_label: None,
        amount,
        fee: Rupiah::ZERO,
        remark: String::new(),
        at,
        journal: Journal::Live,
    }
}

fn home(number: &str) -> (String, String) {
    (HOME_BANK.to_owned(), number.to_owned())
}

pub(super) async fn check_account(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let user = session_user(&st, &headers).await?;
    agent_account(&user)?;
    let number = fields(&body)?
        .required("accountNum")
        .map_err(format_error)?;
    let account = st
        .db(move |l| l.account(HOME_BANK, &number))
        .await
        .map_err(bp_internal)?
        .ok_or_else(|| wire::bank_refusal(wire::NO_SUCH_ACCOUNT))?;
    let now = Utc::now();
    Ok(wire::bp_ok(
        "Inquiry result.",
        json!({
            "account_currency": "IDR",
            "account_number": account.number,
            "account_name": account.name,
            "account_balance": amount_json(account.balance),
            "phone_mobile": account.phone_mobile,
            "phone_home": account.phone_home,
            "phone_office": account.phone_office,
            "bank_code": HOME_BANK,
            "date_time": iso(now),
            "referenceNumber": trace_code(now),
            "kodeAgen": user.kode_agen(),
            "admin": 0,
            "phoneNumber": mask_phone(&account.phone_mobile),
        }),
        Some(user.agent_object()),
    ))
}

pub(super) async fn customer_balance(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let user = session_user(&st, &headers).await?;
    agent_account(&user)?;
    let f = fields(&body)?;
    let number = f.required("accountNum").map_err(format_error)?;
    let pin = f.required("pin_platform").map_err(format_error)?;
    let now = Utc::now();
    let user_id = user.id;
    let check = st
        .db(move |l| l.customer_balance(user_id, HOME_BANK, &number, &pin, now))
        .await
        .map_err(bp_internal)?;
    let account = match check {
        PinCheck::NoAccount => return Ok(wire::bank_refusal(wire::NO_SUCH_ACCOUNT)),
        PinCheck::WrongPin => return Ok(wire::invalid_pin()),
        PinCheck::Ok(account) => account,
    };
    let local = now.with_timezone(&wire::wib());
    Ok(wire::bp_ok(
        &format!(
            "Transaksi a.n {}, pada {} berhasil dilakukan.",
            account.name,
            local.format("%Y-%m-%d %H:%M:%S")
        ),
        json!({
            "account_currency": "IDR",
            "account_number": account.number,
            "account_name": account.name,
            "account_balance": amount_json(account.balance),
            "phone_mobile": mask_phone(&account.phone_mobile),
            "phone_home": mask_phone(&account.phone_home),
            "phone_office": mask_phone(&account.phone_office),
            "bank_code": HOME_BANK,
            "date_time": iso(now),
        }),
        Some(user.agent_object()),
    ))
}

/// `account/balance`: the agent's own balance, as a number and as the
/// grouped string the document also sends.
pub(super) async fn agent_balance(State(st): State<Shared>, headers: HeaderMap) -> Reply {
    let user = session_user(&st, &headers).await?;
    let (bank, number) = agent_account(&user)?;
    let account = st
        .db(move |l| l.account(&bank, &number))
        .await
        .map_err(bp_internal)?
        .ok_or_else(|| wire::bank_refusal(wire::NO_SUCH_ACCOUNT))?;
    let now = Utc::now();
    Ok(wire::bp_ok(
        "Balance Agen",
        json!({
            "account_currency": "IDR",
            "account_number": account.number,
            "account_name": account.name,
            "account_balance": amount_json(account.balance),
            "phone_mobile": account.phone_mobile,
            "phone_home": account.phone_home,
            "phone_office": account.phone_office,
            "bank_code": HOME_BANK,
            "date_time": iso(now),
            "referenceNumber": trace_code(now),
            "kodeAgen": user.kode_agen(),
            "balance": account.balance.to_grouped_string(),
        }),
        None,
    ))
}

pub(super) async fn open_account(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let user = session_user(&st, &headers).await?;
    let source = agent_account(&user)?;
    let refnum = sid(&headers)?;
    let f = fields(&body)?;
    let pin = f.required("pin_transaksi").map_err(format_error)?;
    let name = f.required("name").map_err(format_error)?;
    let ktp = f.required("ktp").map_err(format_error)?;
    if !(ktp.len() <= 20 && ktp.bytes().all(|b| b.is_ascii_digit())) {
        return Err(format_error(FormatError("ktp must be digits".into())));
    }
    let dob_text = f.required("dob").map_err(format_error)?;
    let dob = NaiveDate::parse_from_str(&dob_text, "%Y-%m-%d")
        .map_err(|_| format_error(FormatError("dob must be YYYY-MM-DD".into())))?;
    f.required("mother_name").map_err(format_error)?;
    let hp = f.required("hp").map_err(format_error)?;
    let deposit = f.amount("deposit").map_err(format_error)?;
    let phone = f.text_or_empty("phone");
    let new = NewAccount {
        name: name.clone(),
        email: f.text_or_empty("email"),
        national_id: ktp.clone(),
        phone_mobile: hp.clone(),
        phone_home: phone.clone(),
        pin: crate::demo::NEW_ACCOUNT_PIN.to_owned(),
    };
    let m = Movement {
        remark: format!("Buka rekening {name}"),
        // The destination is filled in with the new account's number by the ledger.
        ..movement(Kind::OpenAccount, refnum, &user, source, home(""), deposit)
    };
    let user_id = user.id;
    let m2 = m.clone();
    let posted = st
        .db(move |l| Ok(l.open_account(&new, &m2, (user_id, &pin))))
        .await
        .map_err(bp_internal)?
        .map_err(|e| refused(e, wire::NO_SUCH_ACCOUNT))?;
    Ok(wire::bp_ok(
        "Transaksi Buka Rekening berhasil dilakukan.",
        json!({
            "account_number_customer": posted.dest.number,
            "account_number_agent": posted.source.number,
            "account_name": posted.dest.name,
            "national_id": ktp,
            "addr_email": f.text_or_empty("email"),
            "phone_mobile": hp,
            "phone_home": phone,
            // The document's sample repeats `phone` here.
            "phone_office": phone,
            "born_place": f.text_or_empty("pob"),
            "born_date": dob.format("%d-%m-%Y").to_string(),
            "status_marital": f.text_or_empty("status_nikah"),
            "status_gender": f.text_or_empty("gender"),
            "first_deposit": amount_json(deposit),
            // The document's sample carries the photo path here, not the KTP scan's.
            "image_national_id": f.nested_text("image", "foto").unwrap_or_default(),
            "bank_code": HOME_BANK,
            "date_time": iso(m.at),
            "referenceNumber": m.reference_number,
            "kodeAgen": user.kode_agen(),
        }),
        Some(user.agent_object()),
    ))
}

pub(super) async fn deposit(State(st): State<Shared>, headers: HeaderMap, body: Bytes) -> Reply {
    let user = session_user(&st, &headers).await?;
    let source = agent_account(&user)?;
    let refnum = sid(&headers)?;
    let f = fields(&body)?;
    let to = f.required("toAccount").map_err(format_error)?;
    let amount = f.amount("amount").map_err(format_error)?;
    let pin = f.required("pin_transaksi").map_err(format_error)?;
    let m = Movement {
        remark: f.text_or_empty("narration"),
        ..movement(Kind::Deposit, refnum, &user, source, home(&to), amount)
    };
    let user_id = user.id;
    let m2 = m.clone();
    let posted = st
        .db(move |l| Ok(l.pay(&m2, Some((user_id, &pin)))))
        .await
        .map_err(bp_internal)?
        .map_err(|e| refused(e, wire::NO_SUCH_ACCOUNT))?;
    let admin = Rupiah::ZERO;
    Ok(wire::bp_ok(
        &format!(
            "Transaksi a.n {} Rp.{} , admin Rp.{} berhasil dilakukan ",
            posted.dest.name,
            amount.to_grouped_string(),
            admin.to_grouped_string()
        ),
        json!({
            "amount": amount.to_grouped_string(),
            "admin": admin.to_grouped_string(),
            "total": amount.to_grouped_string(),
            "date_time": iso(m.at),
            "account_number_customer": posted.dest.number,
            "account_name": posted.dest.name,
            "deposit_amount": amount_json(amount),
            "bank_code": HOME_BANK,
        }),
        Some(user.agent_object()),
    ))
}

pub(super) async fn intrabank_inquiry(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let user = session_user(&st, &headers).await?;
    agent_account(&user)?;
    let number = fields(&body)?
        .required("account_number")
        .map_err(format_error)?;
    let account = st
        .db(move |l| l.account(HOME_BANK, &number))
        .await
        .map_err(bp_internal)?
        .ok_or_else(|| wire::bank_refusal(wire::NO_SUCH_ACCOUNT))?;
    Ok(wire::bp_ok(
        "Success intrabank transfer Inquiry!",
        json!({
            "account_currency": "IDR",
            "admin_fee": amount_json(st.intrabank_fee),
            "bank_code": HOME_BANK,
            "date_time": iso(Utc::now()),
            "account_number": account.number,
            "account_name": account.name,
        }),
        Some(user.agent_object()),
    ))
}

pub(super) async fn intrabank_payment(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let user = session_user(&st, &headers).await?;
    let source = agent_account(&user)?;
    let refnum = sid(&headers)?;
    let f = fields(&body)?;
    let to = f.required("account_number").map_err(format_error)?;
    let amount = f.amount("amount").map_err(format_error)?;
    let pin = f.required("pin").map_err(format_error)?;
    // The fee is the bank's, not the client's: `admin_fee` in the request
    // is informational.
    let fee = st.intrabank_fee;
    let m = Movement {
        fee,
        remark: "Transfer antar BNI".to_owned(),
        ..movement(Kind::Intrabank, refnum, &user, source, home(&to), amount)
    };
    let user_id = user.id;
    let m2 = m.clone();
    let posted = st
        .db(move |l| Ok(l.pay(&m2, Some((user_id, &pin)))))
        .await
        .map_err(bp_internal)?
        .map_err(|e| refused(e, wire::NO_SUCH_ACCOUNT))?;
    let total = amount.checked_add(fee).unwrap_or(amount);
    Ok(wire::bp_ok(
        "Berhasil transfer antar BNI!",
        json!({
            "date_time": iso(m.at),
            "admin_fee": amount_json(fee),
            "total": amount_json(total),
            "bank_code": HOME_BANK,
            "amount": amount_json(amount),
            "account_number": posted.dest.number,
            "account_name": posted.dest.name,
        }),
        Some(user.agent_object()),
    ))
}

pub(super) async fn interbank_inquiry(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let user = session_user(&st, &headers).await?;
    agent_account(&user)?;
    let f = fields(&body)?;
    let code = f.required("bank_code").map_err(format_error)?;
    let number = f.required("account_number").map_err(format_error)?;
    let bank = banks::interbank(&code).ok_or_else(|| wire::bank_refusal(wire::NO_SUCH_ISSUER))?;
    let fee = st.interbank_fee;
    let user_id = user.id;
    let now = Utc::now();
    let quoted = st
        .db(move |l| {
            let Some(account) = l.account(bank.code, &number)? else {
                return Ok(None);
            };
            let id = l.interbank_quote(user_id, &account, fee, now)?;
            Ok(Some((account, id)))
        })
        .await
        .map_err(bp_internal)?;
    let (account, transaction_id) =
        quoted.ok_or_else(|| wire::bank_refusal(wire::INVALID_ACCOUNT))?;
    Ok(wire::bp_ok(
        "Success interbank transfer Inquiry!",
        json!({
            "transaction_id": transaction_id,
            "admin_fee": amount_json(fee),
            "bank_code": bank.code,
            "date_time": iso(now),
            "bank_name": bank.switch_name,
            "account_number": account.number,
            "account_name": account.name,
        }),
        Some(user.agent_object()),
    ))
}

pub(super) async fn interbank_payment(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let user = session_user(&st, &headers).await?;
    let source = agent_account(&user)?;
    let refnum = sid(&headers)?;
    let f = fields(&body)?;
    let transaction_id = f.required("transaction_id").map_err(format_error)?;
    let code = f.required("bank_code").map_err(format_error)?;
    let number = f.required("account_number").map_err(format_error)?;
    let amount = f.amount("amount").map_err(format_error)?;
    let pin = f.required("pin").map_err(format_error)?;
    let bank = banks::interbank(&code).ok_or_else(|| wire::bank_refusal(wire::NO_SUCH_ISSUER))?;
    // The fee is the one quoted at inquiry; the ledger fills it in.
    let m = Movement {
        remark: "Transfer antar bank".to_owned(),
        ..movement(
            Kind::Interbank,
            refnum,
            &user,
            source,
            (bank.code.to_owned(), number),
            amount,
        )
    };
    let user_id = user.id;
    let m2 = m.clone();
    let (posted, fee) = st
        .db(move |l| Ok(l.interbank_pay(&transaction_id, &m2, (user_id, &pin))))
        .await
        .map_err(bp_internal)?
        .map_err(|e| refused(e, wire::INVALID_ACCOUNT))?;
    let total = amount.checked_add(fee).unwrap_or(amount);
    Ok(wire::bp_ok(
        "Berhasil transfer antar bank!",
        json!({
            "date_time": iso(m.at),
            "admin_fee": amount_json(fee),
            "total": amount_json(total),
            "bank_code": bank.code,
            "amount": amount_json(amount),
            "bank_name": bank.switch_name,
            "account_number": posted.dest.number,
            "account_name": posted.dest.name,
        }),
        Some(user.agent_object()),
    ))
}

//! Tauri commands: each turns a UI call into one core call and the core's
//! answer or error into IPC shapes. No business rules here.

use std::sync::Arc;

use bankplus::{Password, Pin};
use journal::{HistoryQuery, Kind, State};
use money::Rupiah;
use teller::{DepositForm, TellerError};
use zeroize::Zeroizing;

use crate::runtime::Loket;
use crate::view::{self, CommandError};

type Result<T> = std::result::Result<T, CommandError>;

impl Loket {
    pub fn error(&self, e: TellerError) -> CommandError {
        CommandError {
            code: e.code(),
            message: e.message(self.lang()),
            outcome_unknown: e.outcome_unknown(),
        }
    }
}

fn lang_of(l: teller::Lang) -> view::Lang {
    match l {
        teller::Lang::Id => view::Lang::Id,
        teller::Lang::En => view::Lang::En,
    }
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(state: tauri::State<'_, Arc<Loket>>) -> Result<view::AppInfo> {
    let ready = state.ready().await?;
    Ok(view::AppInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        sandbox: ready.sandbox,
        server: ready.server.clone(),
        lang: lang_of(state.lang()),
    })
}

#[tauri::command]
#[specta::specta]
pub fn set_lang(state: tauri::State<'_, Arc<Loket>>, lang: view::Lang) {
    state.set_lang(match lang {
        view::Lang::Id => teller::Lang::Id,
        view::Lang::En => teller::Lang::En,
    });
}

#[tauri::command]
#[specta::specta]
pub async fn login(
    state: tauri::State<'_, Arc<Loket>>,
    username: String,
    password: String,
) -> Result<view::Profile> {
    let password = Zeroizing::new(password);
    let ready = state.ready().await?;
    let p = ready
        .teller
        .login(&username, &Password::new(&password))
        .await
        .map_err(|e| state.error(e))?;
    if let Err(e) = ready.teller.recover(&p.username).await {
        tracing_note(&e);
    }
    Ok(view::Profile {
        name: p.name,
        username: p.username,
        agent_code: p.agent_code.0,
        is_agent: p.role == bankplus::Role::Agent,
        bank_name: p.bank_name,
        bank_colour: p.bank_colour,
        address: p.address,
    })
}

fn tracing_note(e: &TellerError) {
    eprintln!("loket: recovery after login did not finish: {}", e.code());
}

#[tauri::command]
#[specta::specta]
pub async fn logout(state: tauri::State<'_, Arc<Loket>>) -> Result<()> {
    let ready = state.ready().await?;
    ready.teller.logout().await.map_err(|e| state.error(e))
}

#[tauri::command]
#[specta::specta]
pub async fn agent_balance(state: tauri::State<'_, Arc<Loket>>) -> Result<view::Account> {
    let ready = state.ready().await?;
    let info = ready
        .teller
        .agent_balance()
        .await
        .map_err(|e| state.error(e))?;
    Ok(view::Account {
        account_number: info.account_number,
        account_name: info.account_name,
        balance: info.balance.map(|b| b.to_plain_string()),
        balance_display: info.balance.map(|b| b.to_string()),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn quote_deposit(
    state: tauri::State<'_, Arc<Loket>>,
    to_account: String,
    amount: String,
) -> Result<view::Quote> {
    let ready = state.ready().await?;
    let amount =
        Rupiah::parse_input(&amount).map_err(|e| state.error(TellerError::Input(e.to_string())))?;
    let q = ready
        .teller
        .quote_deposit(&DepositForm {
            to_account,
            amount,
            name: None,
            narration: None,
        })
        .await
        .map_err(|e| state.error(e))?;
    let account = q.destination.account_number.clone().unwrap_or_default();
    Ok(view::Quote {
        sid: q.sid,
        kind: q.kind.as_str().into(),
        bank_name: q.destination.bank_name,
        account_masked: teller::mask_account(&account),
        account_number: account,
        account_name: q.destination.account_name.unwrap_or_default(),
        amount: q.amount.to_plain_string(),
        amount_display: q.amount.to_string(),
        admin_fee_display: q.admin_fee.to_string(),
        total_display: q.total.to_string(),
        terbilang: q.terbilang,
        in_doubt: q.in_doubt,
    })
}

#[tauri::command]
#[specta::specta]
pub async fn cancel(state: tauri::State<'_, Arc<Loket>>, sid: String) -> Result<()> {
    let ready = state.ready().await?;
    let who = ready
        .teller
        .profile()
        .map(|p| p.username)
        .unwrap_or_default();
    ready.teller.cancel(&sid, &who).map_err(|e| state.error(e))
}

#[tauri::command]
#[specta::specta]
pub async fn pay(
    state: tauri::State<'_, Arc<Loket>>,
    sid: String,
    pin: String,
) -> Result<view::Outcome> {
    let pin = Zeroizing::new(pin);
    let ready = state.ready().await?;
    let pin = Pin::new(&pin).map_err(|e| state.error(TellerError::Input(e.to_string())))?;
    let out = ready
        .teller
        .pay(&sid, &pin, None)
        .await
        .map_err(|e| state.error(e))?;
    Ok(view::Outcome {
        sid: out.record.sid.clone(),
        status: match out.record.state {
            State::Succeeded => view::Status::Succeeded,
            State::Unknown => view::Status::Unknown,
            _ => view::Status::Failed,
        },
        account_name: out.record.destination.account_name.clone(),
        total_display: out.record.total.map(|t| t.to_string()),
        error: out.error.map(|e| state.error(e)),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn today(state: tauri::State<'_, Arc<Loket>>) -> Result<Vec<view::Transaction>> {
    let ready = state.ready().await?;
    let today = chrono::Utc::now()
        .with_timezone(&journal::wib())
        .date_naive();
    let (from, to) = journal::wib_day_bounds(today);
    let page = ready
        .teller
        .journal()
        .history(&HistoryQuery {
            from: Some(from),
            to: Some(to),
            limit: Some(100),
            ..HistoryQuery::default()
        })
        .map_err(|e| state.error(e.into()))?;
    Ok(page
        .rows
        .into_iter()
        .filter(|r| r.kind.moves_money() || r.kind == Kind::CheckAccount)
        .map(|r| view::Transaction {
            time_wib: r
                .created_at
                .with_timezone(&journal::wib())
                .format("%H:%M:%S")
                .to_string(),
            sid: r.sid,
            kind: r.kind.as_str().into(),
            state: r.state.as_str().into(),
            account_number: r.destination.account_number,
            account_name: r.destination.account_name,
            total_display: r.total.map(|t| t.to_string()),
        })
        .collect())
}

//! Tauri commands: each turns a UI call into one core call and the core's
//! answer or error into IPC shapes. No business rules here.

use std::sync::Arc;

use bankplus::{Password, Pin};
use base64::Engine;
use journal::{HistoryQuery, Kind, State};
use money::Rupiah;
use teller::images::{platform_image_path, ImageKind};
use teller::{DepositForm, TellerError};
use words::{Say, Text};
use zeroize::Zeroizing;

use crate::runtime::Loket;
use crate::view::{self, CommandError};

type Result<T> = std::result::Result<T, CommandError>;
type App<'a> = tauri::State<'a, Arc<Loket>>;

impl Loket {
    /// Every error crossing IPC is said here, in the language the UI chose
    /// (`set_lang`): one rendering, never both.
    pub fn error(&self, e: TellerError) -> CommandError {
        CommandError::new(&e.code(), e.message(self.lang()), e.outcome_unknown())
    }

    /// A message in the UI's language.
    pub fn say(&self, text: &Text) -> String {
        text.get(self.lang()).to_owned()
    }

    /// An error of the desktop's own, said in the UI's language.
    pub fn refuse(&self, code: &str, text: &Text) -> CommandError {
        CommandError::new(code, self.say(text), false)
    }

    pub(crate) fn input(&self, why: impl Say) -> CommandError {
        self.error(TellerError::Input(why.say()))
    }
}

fn amount(state: &Loket, text: &str) -> Result<Rupiah> {
    Rupiah::parse_input(text).map_err(|e| state.input(e))
}

fn pin_format() -> Text {
    words::text!("PIN harus 6 angka", "the PIN must be 6 digits")
}

fn actor(ready: &crate::runtime::Ready) -> String {
    ready
        .teller
        .profile()
        .map(|p| p.username)
        .unwrap_or_else(|| "loket".into())
}

// ---- App, settings, session ----

#[tauri::command]
#[specta::specta]
pub async fn app_info(app: tauri::AppHandle, state: App<'_>) -> Result<view::AppInfo> {
    let ready = state.ready().await?;
    Ok(view::AppInfo {
        // The version the updater compares (tauri.conf.json's), not the crate's.
        version: app.package_info().version.to_string(),
        sandbox: ready.sandbox,
        server: ready.server.clone(),
        has_switcher: ready.teller.has_switcher(),
        settings: (&state.settings()).into(),
        settings_warning: state.settings_warning.as_ref().map(|t| state.say(t)),
        bank_blocked: ready.bank_blocked.as_ref().map(|(recorded, current)| {
            TellerError::SettingsChanged {
                recorded: recorded.clone(),
                current: current.clone(),
            }
            .message(state.lang())
        }),
    })
}

#[tauri::command]
#[specta::specta]
pub fn set_lang(state: App<'_>, lang: view::Lang) -> Result<()> {
    state.set_lang(lang.into()).map_err(|e| state.error(e))
}

#[tauri::command]
#[specta::specta]
pub async fn save_settings(
    state: App<'_>,
    settings: view::Settings,
    supervisor: String,
    password: String,
) -> Result<view::Settings> {
    // Settings change where money goes and what is printed: a supervisor approves.
    let ready = state.ready().await?;
    let approval = crate::receipts::approve(&state, &ready, supervisor, password).await?;
    let before = state.settings();
    let stored = state
        .save_settings(&(&settings).into())
        .await
        .map_err(|e| state.error(e))?;
    ready
        .teller
        .journal()
        .record_authorization(
            "settings",
            &actor(&ready),
            approval.name(),
            &teller::settings::changes(&before, &stored),
        )
        .map_err(|e| state.error(e.into()))?;
    Ok((&stored).into())
}

#[tauri::command]
#[specta::specta]
pub async fn login(state: App<'_>, username: String, password: String) -> Result<view::Profile> {
    let password = Zeroizing::new(password);
    let ready = state.bank().await?;
    let p = ready
        .teller
        .login(&username, &Password::new(&password))
        .await
        .map_err(|e| state.error(e))?;
    // Kept as a salted hash only, for the first supervisor's check (defect 24).
    let typed = teller::SupervisorPassword::from_zeroizing(password);
    let witness = tauri::async_runtime::spawn_blocking(move || {
        teller::AgentPasswordWitness::new(&typed).ok()
    })
    .await
    .ok()
    .flatten();
    state.set_agent_witness(witness);
    // Rows a crash left half-way are settled before the agent starts work,
    // at the first login of this run only: a re-login (session expired,
    // idle lock) happens mid-work, with this app's own quotes open or a
    // payment on the wire, and recovery must never touch those.
    if state.take_recovery_turn() {
        if let Err(e) = ready.teller.recover(&p.username).await {
            eprintln!("loket: recovery after login did not finish: {}", e.code());
        }
    }
    Ok(p.into())
}

#[tauri::command]
#[specta::specta]
pub async fn logout(state: App<'_>) -> Result<()> {
    // A payment on the wire finishes (and is journaled) before the session goes.
    state.payments_settled().await;
    let ready = state.ready().await?;
    state.set_agent_witness(None);
    ready.teller.logout().await.map_err(|e| state.error(e))
}

#[tauri::command]
#[specta::specta]
pub async fn change_password(
    state: App<'_>,
    old_password: String,
    new_password: String,
) -> Result<()> {
    let old = Zeroizing::new(old_password);
    let new = Zeroizing::new(new_password);
    let ready = state.bank().await?;
    ready
        .teller
        .change_password(&Password::new(&old), &Password::new(&new))
        .await
        .map_err(|e| state.error(e))
}

// ---- Reads ----

#[tauri::command]
#[specta::specta]
pub async fn agent_balance(state: App<'_>) -> Result<view::Account> {
    let ready = state.bank().await?;
    let info = ready
        .teller
        .agent_balance()
        .await
        .map_err(|e| state.error(e))?;
    Ok(info.into())
}

#[tauri::command]
#[specta::specta]
pub async fn check_account(state: App<'_>, account: String) -> Result<view::Account> {
    let ready = state.bank().await?;
    let info = ready
        .teller
        .check_account(&account)
        .await
        .map_err(|e| state.error(e))?;
    Ok(info.into())
}

#[tauri::command]
#[specta::specta]
pub async fn customer_balance(
    state: App<'_>,
    account: String,
    pin: String,
) -> Result<view::Account> {
    let pin = Zeroizing::new(pin);
    let ready = state.bank().await?;
    let pin = Pin::new(&pin).map_err(|_| state.input(pin_format()))?;
    let info = ready
        .teller
        .customer_balance(&account, &pin)
        .await
        .map_err(|e| state.error(e))?;
    Ok(info.into())
}

#[tauri::command]
#[specta::specta]
pub async fn banks(state: App<'_>) -> Result<Vec<view::Bank>> {
    let ready = state.bank().await?;
    let banks = ready.teller.banks().await.map_err(|e| state.error(e))?;
    Ok(banks
        .into_iter()
        .map(|b| view::Bank {
            code: b.code,
            name: b.name,
        })
        .collect())
}

#[tauri::command]
#[specta::specta]
pub async fn master_list(state: App<'_>, which: view::MasterList) -> Result<Vec<view::MasterItem>> {
    let ready = state.bank().await?;
    let items = ready
        .teller
        .master_list(which.into())
        .await
        .map_err(|e| state.error(e))?;
    Ok(items
        .into_iter()
        .map(|m| view::MasterItem {
            id: m.id,
            name: m.name,
        })
        .collect())
}

#[tauri::command]
#[specta::specta]
pub async fn postal_codes(state: App<'_>, region: view::Region) -> Result<Vec<String>> {
    let ready = state.bank().await?;
    ready
        .teller
        .postal_codes(&region.into())
        .await
        .map_err(|e| state.error(e))
}

#[tauri::command]
#[specta::specta]
pub async fn dashboard(
    state: App<'_>,
    which: view::Dashboard,
    month: Option<String>,
) -> Result<Vec<view::GraphPoint>> {
    let ready = state.bank().await?;
    let month = month.filter(|m| !m.trim().is_empty());
    let points = ready
        .teller
        .dashboard(which.into(), month.as_deref())
        .await
        .map_err(|e| state.error(e))?;
    Ok(points
        .into_iter()
        .map(|p| view::GraphPoint {
            title: p.title,
            count: p.count as f64,
        })
        .collect())
}

// ---- Money flows: quote, then pay ----

#[tauri::command]
#[specta::specta]
pub async fn quote_deposit(
    state: App<'_>,
    to_account: String,
    amount_text: String,
) -> Result<view::Quote> {
    let ready = state.bank().await?;
    let amount = amount(&state, &amount_text)?;
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
    Ok(q.into())
}

#[tauri::command]
#[specta::specta]
pub async fn quote_transfer(
    state: App<'_>,
    bank_code: Option<String>,
    to_account: String,
    amount_text: String,
) -> Result<view::Quote> {
    let ready = state.bank().await?;
    let amount = amount(&state, &amount_text)?;
    let q = match bank_code.filter(|b| !b.trim().is_empty()) {
        None => ready.teller.quote_intrabank(&to_account, amount).await,
        Some(bank) => {
            ready
                .teller
                .quote_interbank(&bank, &to_account, amount)
                .await
        }
    }
    .map_err(|e| state.error(e))?;
    Ok(q.into())
}

/// The most base64 text an image of at most `MAX_IMAGE_BYTES` can take.
const MAX_IMAGE_BASE64: usize = teller::images::MAX_IMAGE_BYTES.div_ceil(3) * 4;

/// Decodes a chosen image, refusing one too large from its text length
/// alone, before any of it is decoded into memory.
fn decode_image(name: &str, base64_text: &str) -> std::result::Result<Vec<u8>, Text> {
    if base64_text.len() > MAX_IMAGE_BASE64 {
        return Err(words::text!(
            "{name}: lebih dari 4 MB, pilih gambar yang lebih kecil",
            "{name}: larger than 4 MB, choose a smaller picture"
        ));
    }
    base64::engine::general_purpose::STANDARD
        .decode(base64_text.as_bytes())
        .map_err(|_| words::text!("{name}: berkas rusak", "{name}: unreadable file"))
}

fn image_path(state: &Loket, kind: ImageKind, ktp: &str, file: &view::ImageFile) -> Result<String> {
    let bytes = decode_image(&file.name, &file.base64).map_err(|why| state.input(why))?;
    platform_image_path(kind, ktp, &file.name, &bytes, chrono::Utc::now())
        .map_err(|e| state.error(e))
}

#[tauri::command]
#[specta::specta]
pub async fn quote_open_account(
    state: App<'_>,
    form: view::OpenAccountForm,
) -> Result<view::Quote> {
    let ready = state.bank().await?;
    let image_ktp = image_path(&state, ImageKind::Ktp, &form.ktp, &form.image_ktp)?;
    let image_foto = image_path(&state, ImageKind::Photo, &form.ktp, &form.image_foto)?;
    let core = bankplus::OpenAccountForm {
        name: form.name,
        email: form.email,
        mother_name: form.mother_name,
        profession: form.profession,
        last_education: form.last_education,
        status_nikah: form.status_nikah,
        pob: form.pob,
        dob: form.dob,
        ktp: form.ktp,
        gender: form.gender,
        address: form.address,
        rt: form.rt,
        rw: form.rw,
        zip_code: form.zip_code,
        kelurahan: form.kelurahan,
        kecamatan: form.kecamatan,
        city: form.city,
        state: form.state,
        hp: form.hp,
        phone: form.phone,
        income: form.income,
        jumlah_transaksi: form.jumlah_transaksi,
        deposit: form.deposit,
        image_ktp,
        image_foto,
    };
    let q = ready
        .teller
        .quote_open_account(&core)
        .await
        .map_err(|e| state.error(e))?;
    Ok(q.into())
}

#[tauri::command]
#[specta::specta]
pub async fn cancel(state: App<'_>, sid: String) -> Result<()> {
    let ready = state.ready().await?;
    ready
        .teller
        .cancel(&sid, &actor(&ready))
        .map_err(|e| state.error(e))
}

#[tauri::command]
#[specta::specta]
pub async fn pay(state: App<'_>, sid: String, pin: String) -> Result<view::Outcome> {
    // Counted from the start: logout, recovery, closing the window and an
    // update wait for it; refused while an update installs.
    let _in_flight = state.money_may_move()?;
    let pin = Zeroizing::new(pin);
    let ready = state.bank().await?;
    let pin = Pin::new(&pin).map_err(|_| state.input(pin_format()))?;
    let out = ready.teller.pay(&sid, &pin, None).await;
    // The journal has the payment's events: the fleet shipper looks now.
    crate::armada::wake();
    let out = out.map_err(|e| state.error(e))?;
    let status = match out.record.state {
        State::Succeeded => view::Status::Succeeded,
        State::Unknown => view::Status::Unknown,
        _ => view::Status::Failed,
    };
    Ok(view::Outcome {
        status,
        transaction: out.record.into(),
        error: out.error.map(|e| state.error(e)),
    })
}

// ---- History and doubt ----

/// The dates history, summaries and exports take: a terminal's journal
/// starts after 2000 and a date past 2100 is a typing error (or an attack:
/// `+262142-12-31` once reached a panic in the journal's day arithmetic).
const FIRST_DAY: (i32, u32, u32) = (2000, 1, 1);
const LAST_DAY: (i32, u32, u32) = (2100, 12, 31);

/// A date typed as `YYYY-MM-DD` (exactly: four-digit year, no sign),
/// inside [`FIRST_DAY`]..=[`LAST_DAY`].
fn parse_day(t: &str) -> std::result::Result<chrono::NaiveDate, Text> {
    let wrong = || {
        let t = money::preview(t);
        words::text!(
            "tanggal {t:?} harus YYYY-MM-DD",
            "the date {t:?} must be YYYY-MM-DD"
        )
    };
    let shape = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape {
        return Err(wrong());
    }
    let d = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| wrong())?;
    let bound = |(y, m, dd): (i32, u32, u32)| chrono::NaiveDate::from_ymd_opt(y, m, dd);
    match (bound(FIRST_DAY), bound(LAST_DAY)) {
        (Some(first), Some(last)) if d >= first && d <= last => Ok(d),
        _ => Err(words::text!(
            "tanggal {t:?} di luar 2000-01-01..2100-12-31",
            "the date {t:?} is outside 2000-01-01..2100-12-31"
        )),
    }
}

fn day(state: &Loket, text: &Option<String>) -> Result<Option<chrono::NaiveDate>> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => parse_day(t).map(Some).map_err(|why| state.input(why)),
    }
}

fn history_query(state: &Loket, f: &view::HistoryFilter) -> Result<HistoryQuery> {
    let from = day(state, &f.from)?.map(|d| journal::wib_day_bounds(d).0);
    let to = day(state, &f.to)?.map(|d| journal::wib_day_bounds(d).1);
    let kind = match f.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            let k = money::preview(k);
            state.input(words::text!(
                "jenis {k:?} tidak dikenal",
                "unknown kind {k:?}"
            ))
        })?),
    };
    let st = match f.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(State::parse(s).ok_or_else(|| {
            let s = money::preview(s);
            state.input(words::text!(
                "status {s:?} tidak dikenal",
                "unknown status {s:?}"
            ))
        })?),
    };
    Ok(HistoryQuery {
        from,
        to,
        kind,
        state: st,
        account: None,
        search: f.search.clone().filter(|s| !s.trim().is_empty()),
        limit: f.limit,
        after: f.after.clone(),
        hide_lookups: !f.show_lookups.unwrap_or(false),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn history(state: App<'_>, filter: view::HistoryFilter) -> Result<view::HistoryPage> {
    let ready = state.ready().await?;
    let q = history_query(&state, &filter)?;
    let page = ready
        .teller
        .journal()
        .history(&q)
        .map_err(|e| state.error(e.into()))?;
    Ok(view::HistoryPage {
        rows: page.rows.into_iter().map(Into::into).collect(),
        next: page.next,
    })
}

#[tauri::command]
#[specta::specta]
pub async fn today(state: App<'_>) -> Result<Vec<view::Transaction>> {
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
        .filter(|r| r.kind.moves_money() || r.kind == Kind::Reversal)
        .filter(|r| r.state != State::Cancelled)
        .map(Into::into)
        .collect())
}

#[tauri::command]
#[specta::specta]
pub async fn transaction(state: App<'_>, sid: String) -> Result<view::TransactionDetail> {
    let ready = state.ready().await?;
    let journal = ready.teller.journal();
    let record = journal
        .get(&sid)
        .map_err(|e| state.error(e.into()))?
        .ok_or_else(|| state.error(TellerError::NoSuchTransaction(sid.clone())))?;
    let events = journal.events(&sid).map_err(|e| state.error(e.into()))?;
    Ok(view::TransactionDetail {
        transaction: record.into(),
        events: events.into_iter().map(Into::into).collect(),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn in_doubt(state: App<'_>) -> Result<Vec<view::Transaction>> {
    let ready = state.ready().await?;
    let rows = ready
        .teller
        .journal()
        .in_doubt()
        .map_err(|e| state.error(e.into()))?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// "Cek status": asks the switcher what became of a transaction in doubt.
#[tauri::command]
#[specta::specta]
pub async fn check_status(state: App<'_>, sid: String) -> Result<view::Transaction> {
    let ready = state.bank().await?;
    let record = ready
        .teller
        .check(&sid, &actor(&ready))
        .await
        .map_err(|e| state.error(e))?;
    Ok(record.into())
}

#[tauri::command]
#[specta::specta]
pub async fn day_summary(state: App<'_>, date: Option<String>) -> Result<view::DaySummary> {
    let ready = state.ready().await?;
    let date = day(&state, &date)?.unwrap_or_else(|| {
        chrono::Utc::now()
            .with_timezone(&journal::wib())
            .date_naive()
    });
    let s = ready
        .teller
        .journal()
        .day_summary(date)
        .map_err(|e| state.error(e.into()))?;
    Ok(s.into())
}

/// Where exports (CSV, receipt PDFs) go: `LOKET_EXPORT_DIR`, else the
/// Downloads folder, else `export/` in the data folder.
pub(crate) fn export_dir(app: &tauri::AppHandle, state: &Loket) -> std::path::PathBuf {
    use tauri::Manager;
    std::env::var_os("LOKET_EXPORT_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| app.path().download_dir().ok())
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| state.data_dir.join("export"))
}

/// Writes the filtered history as CSV into the Downloads folder (or the
/// data folder) and says where.
#[tauri::command]
#[specta::specta]
pub async fn export_csv(
    app: tauri::AppHandle,
    state: App<'_>,
    filter: view::HistoryFilter,
) -> Result<view::Export> {
    let ready = state.ready().await?;
    let mut q = history_query(&state, &filter)?;
    q.after = None;
    q.limit = None;
    let dir = export_dir(&app, &state);
    let io = |e: std::io::Error| {
        let d = dir.display();
        state.input(words::text!("{d}: {e}", "{d}: {e}"; e))
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let stamp = chrono::Utc::now()
        .with_timezone(&journal::wib())
        .format("%Y%m%d-%H%M%S");
    let path = dir.join(format!("loket-riwayat-{stamp}.csv"));
    let file = std::fs::File::create(&path).map_err(io)?;
    let rows = ready
        .teller
        .journal()
        .export_csv(&q, std::io::BufWriter::new(file))
        .map_err(|e| state.error(e.into()))?;
    Ok(view::Export {
        path: path.display().to_string(),
        rows: u32::try_from(rows).unwrap_or(u32::MAX),
    })
}

/// The UI says its first screen is on the glass. For start-up measurement
/// (`make bench`), which passes the spawn time in `LOKET_SPAWNED_AT_NS`;
/// otherwise it does nothing.
#[tauri::command]
#[specta::specta]
pub fn painted(what: String) {
    if let Some(ms) = crate::runtime::since_spawn_ms() {
        println!("loket-measure: {what} {ms:.1} ms");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_never_starts_under_a_payment_nor_a_payment_under_an_update() {
        let dir = std::env::temp_dir().join(format!("loket-update-hold-{}", std::process::id()));
        let loket = Loket::new(dir.clone(), None);
        {
            let _paying = loket.payment_in_flight();
            assert!(loket.begin_update().is_none(), "a payment is on the wire");
            assert!(!loket.updating(), "the refused update holds nothing");
        }
        let hold = loket.begin_update().expect("nothing in flight");
        // `pay` and a reversal count themselves, then see the flag and refuse.
        let refused = loket.money_may_move().map(|_| ()).unwrap_err();
        assert_eq!(refused.code, crate::error_code::ErrorCode::UPDATING);
        assert!(!refused.outcome_unknown, "nothing was sent");
        assert_eq!(
            loket.payments_in_flight(),
            0,
            "the refused one is not counted"
        );
        assert!(loket.updating());
        assert!(loket.begin_update().is_none(), "one update at a time");
        drop(hold);
        assert!(!loket.updating());
        let counted = loket.money_may_move().expect("no update: money may move");
        assert!(loket.begin_update().is_none(), "a reversal is on the wire");
        drop(counted);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// settings.json's server edited by hand, then the language switched in
    /// the app (no supervisor asked). Before the fix the switch recorded
    /// the edited file's fingerprint as the approved one, so from the next
    /// start the hand-edited server was used as if a supervisor had
    /// approved it. Now a file that does not match the record stays
    /// unrecorded: the edit is still refused.
    #[test]
    fn a_language_switch_does_not_approve_a_hand_edited_server() {
        let dir = std::env::temp_dir().join(format!("loket-lang-launder-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let settings = |server: &str| {
            let v = serde_json::json!({ "server": server, "lang": "id" });
            std::fs::write(dir.join("settings.json"), v.to_string()).expect("settings");
        };
        let journal_path = dir.join("journal.db");
        settings("https://bank.example.co.id");
        {
            let j = journal::Journal::open(&journal_path).expect("journal");
            teller::settings::record_settings(&dir, &j).expect("recorded");
        }
        settings("https://elsewhere.example.net");
        let loket = Loket::new(dir.clone(), None);
        loket.set_lang(teller::Lang::En).expect("language switched");
        drop(loket);
        let j = journal::Journal::open(&journal_path).expect("journal");
        let report = journal::Integrity::verify_at_start(&j).expect("verified");
        let mismatch = teller::settings::check_settings(&dir, &j, &report)
            .expect("compared")
            .expect("the edited server is still not the recorded one");
        assert!(mismatch.guarded_changed(), "{mismatch:?}");
        assert_eq!(mismatch.current_server, "https://elsewhere.example.net");
        drop(j);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn hostile_and_malformed_dates_are_refused_before_the_journal() {
        for bad in [
            "+262142-12-31",
            "262142-12-31",
            "-0001-01-01",
            "1999-12-31",
            "2101-01-01",
            "9999-12-31",
            "2026-13-01",
            "2026-02-30",
            "2026-1-1",
            " 2026-01-01",
            "2026/01/01",
        ] {
            assert!(parse_day(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["2000-01-01", "2026-11-29", "2100-12-31"] {
            assert!(parse_day(good).is_ok(), "{good:?} refused");
        }
    }

    #[test]
    fn an_image_too_large_is_refused_from_its_length_before_decoding() {
        // Not valid base64 at all: refused for its size, so it was never decoded.
        let huge = "!".repeat(MAX_IMAGE_BASE64 + 1);
        let why = decode_image("ktp.jpg", &huge).expect_err("too large");
        assert!(why.id().contains("4 MB"), "{why:?}");
        // Exactly the largest allowed image still decodes.
        let max = vec![0u8; teller::images::MAX_IMAGE_BYTES];
        let text = base64::engine::general_purpose::STANDARD.encode(&max);
        assert_eq!(text.len(), MAX_IMAGE_BASE64);
        assert_eq!(
            decode_image("ktp.jpg", &text).map(|b| b.len()),
            Ok(max.len())
        );
        assert!(decode_image("ktp.jpg", "not base64!").is_err());
    }

    #[test]
    fn recovery_runs_once_per_run_and_never_with_a_payment_in_flight() {
        let dir = std::env::temp_dir().join(format!("loket-recovery-turn-{}", std::process::id()));
        let loket = Loket::new(dir, None);
        {
            let _paying = loket.payment_in_flight();
            assert_eq!(loket.payments_in_flight(), 1);
            assert!(!loket.take_recovery_turn(), "not while a payment is sent");
        }
        assert_eq!(loket.payments_in_flight(), 0);
        assert!(loket.take_recovery_turn(), "the first login recovers");
        assert!(!loket.take_recovery_turn(), "a re-login does not");
    }
}

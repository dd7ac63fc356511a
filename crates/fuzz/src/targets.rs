//! The fuzz targets: every Bank+ and switcher decoder, the four statement
//! providers' wire types and their one conversion to a line, the Mutasibank
//! webhook verifier, `settings.json`, the providers TOML, the sealed
//! provider store (`providers.enc`) and the supervisor store (see
//! [`crate::supervisors`]).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bankplus::{decode, Error};
use chrono::{TimeZone, Utc};
use serde_json::Value;

use crate::Target;

/// The Bank+ document's sample bodies, success and failure.
fn bankplus_fixtures(names: &[&str]) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bankplus/tests/fixtures");
    let mut out = Vec::new();
    for name in names {
        for suffix in ["ok", "fail"] {
            if let Ok(b) = std::fs::read(dir.join(format!("{name}.{suffix}.json"))) {
                out.push(b);
            }
        }
    }
    // Replies the sandbox's faults produce: an HTML gateway page, cut-off JSON, nothing.
    out.push(
        b"<html>\r\n<head><title>502 Bad Gateway</title></head><body>nginx</body></html>".to_vec(),
    );
    out.push(br#"{"code":"00","message":"Transaksi berhasil","data":{"amount":"#.to_vec());
    out.push(Vec::new());
    out
}

/// The HTTP status a case is decoded with: mostly 200, sometimes a refusal
/// status or a gateway's 5xx. Derived from the input so a saved input replays.
fn status_of(input: &[u8]) -> u16 {
    const STATUSES: [u16; 10] = [200, 200, 200, 200, 201, 400, 401, 404, 500, 502];
    STATUSES[input.len() % STATUSES.len()]
}

/// The `code` of a reply as its text, read independently of the decoder.
fn code_of(body: &[u8]) -> Option<String> {
    // Only the code: the rest of the body may hold bytes serde skips unread.
    #[derive(serde::Deserialize)]
    struct CodeOnly {
        code: Option<Value>,
    }
    let v: CodeOnly = serde_json::from_slice(body).ok()?;
    match v.code? {
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Values of secret-carrying keys found anywhere in a JSON body, that occur
/// only once in it (so an echo in `message` is not mistaken for a leak).
fn secrets_in(body: &[u8]) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    let k = k.to_ascii_lowercase();
                    let secret_key =
                        k.contains("session") || k.contains("pin") || k.contains("password");
                    // `password_updated_at` is a date, not a secret.
                    if secret_key && !k.ends_with("_at") {
                        if let Value::String(s) = x {
                            if s.trim().len() >= 6 {
                                out.push(s.clone());
                            }
                        }
                    }
                    walk(x, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(&v, &mut out);
    let text = String::from_utf8_lossy(body);
    out.retain(|s| text.matches(s.as_str()).count() == 1);
    out
}

fn no_secret_in_error(body: &[u8], e: &Error) -> Result<(), String> {
    let shown = format!("{e} {e:?}");
    for s in secrets_in(body) {
        if shown.contains(&s) {
            return Err(format!("a secret of the reply is in the error: {e:?}"));
        }
    }
    Ok(())
}

/// The payment rule: a reply that cannot be read leaves the outcome open.
/// A known failure needs a readable refusal (JSON with a code other than
/// `00`, from the bank, not from a 5xx gateway); a success needs code `00`.
fn payment_oracle<T>(status: u16, body: &[u8], r: &Result<T, Error>) -> Result<(), String> {
    let code = code_of(body);
    let code = code.as_deref().map(str::trim);
    match r {
        Ok(_) if code != Some("00") => Err(format!(
            "a payment reply with code {code:?} (HTTP {status}) was read as a success"
        )),
        Ok(_) => Ok(()),
        Err(e) if e.outcome_known() => {
            if e.nothing_sent() {
                return Err(format!("a reply was read as 'nothing sent': {e:?}"));
            }
            match code {
                Some(c)
                    if !c.is_empty()
                        && c.len() <= 32
                        && c.bytes().all(|b| b.is_ascii_graphic())
                        && c != "00"
                        && status < 500 =>
                {
                    no_secret_in_error(body, e)
                }
                _ => Err(format!(
                    "an unreadable payment reply (HTTP {status}, code {code:?}) was read as a known failure: {e:?}"
                )),
            }
        }
        Err(e) => no_secret_in_error(body, e),
    }
}

fn read_only<T>(body: &[u8], r: &Result<T, Error>) -> Result<(), String> {
    match r {
        Err(e) => no_secret_in_error(body, e),
        Ok(_) => Ok(()),
    }
}

type Decoder<T> = fn(u16, &[u8]) -> Result<T, Error>;

fn bankplus_target<T: 'static>(
    name: &'static str,
    fixtures: &[&str],
    decoder: Decoder<T>,
    payment: bool,
) -> Target {
    Target {
        name,
        seeds: bankplus_fixtures(fixtures),
        check: Box::new(move |input| {
            let status = status_of(input);
            let r = decoder(status, input);
            if payment {
                payment_oracle(status, input, &r)
            } else {
                read_only(input, &r)
            }
        }),
    }
}

fn json_lines<T: serde::de::DeserializeOwned>(input: &[u8]) -> Option<T> {
    serde_json::from_slice(input).ok()
}

/// A converted statement line keeps the documented invariants: a
/// non-negative amount (the direction carries the sign) and the account it
/// was asked for.
fn line_ok(line: &mutasi::StatementLine, account: &str) -> Result<(), String> {
    if line.amount.is_negative() {
        return Err(format!("a statement line with a negative amount: {line:?}"));
    }
    if line.account != account {
        return Err(format!("a line of another account: {line:?}"));
    }
    Ok(())
}

const MB_SEED: &str = r#"[
 {"id":"a1","unique_id":"u1","transaction_date":"2026-01-05 10:00:00","description":"SETOR","type":"DB","amount":"25000.00","balance":"1000000.00"},
 {"id":"a2","transaction_date":"2026-01-05 11:00:00","description":null,"type":"CR","amount":"5000","balance":null},
 {"id":"n1","transaction_date":"2026-01-05 11:00:00","description":"TARIK","type":"DB","amount":"-150000.00","balance":null}
]"#;

const MOOTA_SEED: &str = r#"{"current_page":1,"data":[
 {"account_number":"0144050","date":"2026-01-05 10:00:00","description":"d","amount":"25000","type":"CR","note":"","balance":"0.00","mutation_id":"m1","token":"m1","bank_id":"bk","taggings":[],"bank":{"account_number":"0144050","bank_type":"bca"}},
 {"account_number":"7650583974","date":"2026-01-05","description":"x","amount":150000,"type":"DB","mutation_id":"m2","taggings":[{"name":"t","tag_id":"1"}],"bank":{"account_number":"0144050"}}
],"last_page":"2","per_page":"2","total":4}"#;

const BRI_SEED: &str = r#"{"responseCode":"0000","responseDesc":"Inquiry Success","data":[
 {"transactionTime":"2026-01-05 10:00:00","debitAmount":"0.00","creditAmount":"150000.00","typeAmount":"C","remark":"SETORAN","startBalance":"1000.00","endBalance":"151000.00","referenceId":null,"transactionId":"2 "},
 {"transactionTime":"2026-01-05 10:01:00","debitAmount":"25000.00","creditAmount":"0.00","typeAmount":"D","remark":"TARIK","startBalance":"151000.00","endBalance":"126000.00","referenceId":"R1","transactionId":"2 "}
]}"#;

const RAYA_SEED: &str = r#"{"responseCode":"2001400","responseDescription":"Successful","totalCreditEntries":{"numberOfEntries":"1","amount":{"value":"150000.00","currency":"IDR"}},"totalDebitEntries":{"numberOfEntries":"1","amount":{"value":"25000.00","currency":"IDR"}},"detailData":[
 {"detailBalance":{"startAmount":[{"amount":{"value":"1000.00","currency":"IDR"}}],"endAmount":[{"amount":{"value":"151000.00","currency":"IDR"}}]},"amount":{"value":"150000.00","currency":"IDR"},"transactionDate":"2026-01-05T10:00:00+07:00","remark":"SETOR","transactionId":"000000000000000000001","type":"Credit"},
 {"amount":{"value":"25000.00","currency":"IDR"},"transactionDate":"2026-01-05 10:00:00","remark":"TARIK","transactionId":"000000000000000000002","type":"Debit"}
]}"#;

const ACCOUNT: &str = "0144050";

fn statement_targets() -> Vec<Target> {
    vec![
        Target {
            name: "mutasi.mutasibank",
            seeds: vec![MB_SEED.as_bytes().to_vec()],
            check: Box::new(|input| {
                let Some(lines) = json_lines::<Vec<mutasi::providers::MbStatement>>(input) else {
                    return Ok(());
                };
                for l in lines {
                    if let Ok(line) = l.to_line(ACCOUNT) {
                        line_ok(&line, ACCOUNT)?;
                    }
                }
                Ok(())
            }),
        },
        Target {
            name: "mutasi.moota",
            seeds: vec![MOOTA_SEED.as_bytes().to_vec()],
            check: Box::new(|input| {
                let Some(page) = json_lines::<mutasi::providers::MootaPage>(input) else {
                    return Ok(());
                };
                for m in page.data {
                    let _ = m.monitored_account();
                    if let Ok(line) = m.to_line(ACCOUNT) {
                        line_ok(&line, ACCOUNT)?;
                    }
                }
                Ok(())
            }),
        },
        Target {
            name: "mutasi.bri",
            seeds: vec![BRI_SEED.as_bytes().to_vec()],
            check: Box::new(|input| {
                let Some(reply) = json_lines::<mutasi::providers::BriStatementReply>(input) else {
                    return Ok(());
                };
                for l in reply.data.unwrap_or_default() {
                    if let Ok(line) = l.to_line(ACCOUNT) {
                        line_ok(&line, ACCOUNT)?;
                    }
                }
                Ok(())
            }),
        },
        Target {
            name: "mutasi.bankraya",
            seeds: vec![RAYA_SEED.as_bytes().to_vec()],
            check: Box::new(|input| {
                let Some(reply) = json_lines::<mutasi::providers::RayaStatementReply>(input) else {
                    return Ok(());
                };
                for l in reply.detail_data {
                    if let Ok(line) = l.to_line(ACCOUNT) {
                        line_ok(&line, ACCOUNT)?;
                    }
                }
                Ok(())
            }),
        },
    ]
}

const WEBHOOK_SECRET: &str = "fuzz-webhook-secret";

const WEBHOOK_SEED: &str = r#"{"api_key":"x","account_id":1,"module":"bni","account_name":"ARDHA HERDIANTO","account_number":"4447","balance":5150000,"data_mutasi":[{"id":"uuid-tx-1","transaction_date":"2025-10-02 14:30:00","description":"TRANSFER FROM CUSTOMER ORDER-12345","type":"CR","amount":150000,"balance":5150000},{"id":7,"transaction_date":"2025-10-02","type":"DB","amount":"25.000"}]}"#;

/// The verifier: an input signed with the secret (chosen by the input's
/// hash, so a saved input replays) must be accepted or refused as
/// malformed, with every stored line's amount non-negative; an input that is
/// not signed must be refused as badly signed, whatever it holds.
fn webhook_target() -> Target {
    use axum::http::{HeaderMap, HeaderValue};
    use mutasi::cache::StatementCache;
    use mutasi::webhook::{Accepted, Rejection, WebhookIntake, SIGNATURE_HEADER, TIMESTAMP_HEADER};
    // A fresh in-memory cache every few thousand cases, so memory stays flat.
    type Intake = (Arc<StatementCache>, WebhookIntake);
    let state: Mutex<(u64, Option<Intake>)> = Mutex::new((0, None));
    Target {
        name: "mutasi.webhook",
        seeds: vec![WEBHOOK_SEED.as_bytes().to_vec()],
        check: Box::new(move |input| {
            let now = Utc
                .with_ymd_and_hms(2025, 10, 2, 8, 0, 0)
                .single()
                .unwrap_or_default();
            let mut guard = state.lock().unwrap_or_else(|p| p.into_inner());
            guard.0 += 1;
            if guard.1.is_none() || guard.0.is_multiple_of(5_000) {
                let cache = Arc::new(StatementCache::open_in_memory().map_err(|e| e.to_string())?);
                let intake =
                    WebhookIntake::new(mutasi::Secret::new(WEBHOOK_SECRET), Arc::clone(&cache));
                guard.1 = Some((cache, intake));
            }
            let Some((_, intake)) = guard.1.as_ref() else {
                return Ok(());
            };
            let signed = !crate::fnv(input).is_multiple_of(4);
            let signature = if signed {
                mutasi::sign::mutasibank_webhook_signature(WEBHOOK_SECRET, input)
            } else {
                mutasi::sign::mutasibank_webhook_signature(WEBHOOK_SECRET, WEBHOOK_SEED.as_bytes())
            };
            let mut headers = HeaderMap::new();
            headers.insert(TIMESTAMP_HEADER, HeaderValue::from(now.timestamp() - 10));
            headers.insert(
                SIGNATURE_HEADER,
                HeaderValue::from_str(&signature).map_err(|e| e.to_string())?,
            );
            let r = intake.receive(&headers, input, now);
            if !signed && input != WEBHOOK_SEED.as_bytes() {
                return match r {
                    Err(Rejection::BadSignature) => Ok(()),
                    other => Err(format!("an unsigned push was not refused: {other:?}")),
                };
            }
            match r {
                Ok(Accepted::Stored(_)) | Ok(Accepted::Duplicate) => {
                    for line in mutasi::webhook::parse_payload(input).map_err(|e| e.to_string())? {
                        if line.amount.is_negative() {
                            return Err(format!("a pushed line with a negative amount: {line:?}"));
                        }
                    }
                    Ok(())
                }
                Err(Rejection::Malformed(m)) => {
                    if m.contains(WEBHOOK_SECRET) {
                        return Err("the webhook secret is in a rejection".into());
                    }
                    Ok(())
                }
                Err(other) => Err(format!("a signed push was refused: {other:?}")),
            }
        }),
    }
}

/// A scratch directory per target, on the fastest disk there is.
pub(crate) fn scratch(name: &str) -> Option<tempfile::TempDir> {
    let shm = Path::new("/dev/shm");
    let base: PathBuf = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    tempfile::Builder::new().prefix(name).tempdir_in(base).ok()
}

const SETTINGS_SEED: &str = r#"{
  "server": "https://bankplus.example.co.id",
  "switcher": "https://switcher.example.co.id/",
  "lang": "id",
  "idle_lock_minutes": 5,
  "printer": "EPSON_TM-T82",
  "paper_mm": 58
}"#;

const SETTINGS_SECRET: &str = "s3cretPassw0rd";

/// `settings.json` as the desktop app and the CLI load it: a damaged file is
/// an error naming the file, never a panic, never a quoted password, and
/// what loads is already checked (checking it again changes nothing).
fn settings_target() -> Target {
    let dir = scratch("loket-fuzz-settings");
    Target {
        name: "teller.settings_json",
        seeds: vec![
            SETTINGS_SEED.as_bytes().to_vec(),
            format!(r#"{{"server":"https://agent:{SETTINGS_SECRET}@bank.example","lang":"en"}}"#)
                .into_bytes(),
            br#"{"server":"http://127.0.0.1:7221","paper_mm":80,"idle_lock_minutes":0}"#.to_vec(),
        ],
        check: Box::new(move |input| {
            let Some(dir) = dir.as_ref() else {
                return Err("no scratch directory".into());
            };
            std::fs::write(teller::settings::Settings::path(dir.path()), input)
                .map_err(|e| e.to_string())?;
            match teller::settings::Settings::load_checked(dir.path()) {
                Ok(s) => {
                    let again = s
                        .checked()
                        .map_err(|e| format!("loaded settings fail their check: {e:?}"))?;
                    if again != s {
                        return Err(format!("loaded settings change when checked again: {s:?}"));
                    }
                    Ok(())
                }
                Err(damaged) => {
                    let text = damaged.to_string();
                    if text.contains(SETTINGS_SECRET) {
                        return Err(format!(
                            "a password from settings.json is in the error: {text}"
                        ));
                    }
                    if !text.contains("settings.json") {
                        return Err(format!("the error does not name the file: {text}"));
                    }
                    Ok(())
                }
            }
        }),
    }
}

const PROVIDERS_SEED: &str = r#"
[mutasibank]
base_url = "https://mutasibank.co.id"
token = "mb-secret-token"
webhook_secret = "wh-secret"
[moota]
base_url = "https://app.moota.co"
token = "moota-secret-token"
[bri]
base_url = "https://sandbox.partner.api.bri.co.id"
client_id = "cid"
client_secret = "bri-secret-value"
[bankraya]
base_url = "https://sandbox.bankraya.co.id"
client_id = "partner"
client_secret = "raya-secret-value"
private_key_pem = "-----BEGIN PRIVATE KEY-----"
channel_id = "95221"
"#;

/// The providers TOML (`--providers FILE`): errors name a key and a line,
/// never a secret's value.
fn providers_toml_target() -> Target {
    Target {
        name: "mutasi.providers_toml",
        seeds: vec![PROVIDERS_SEED.as_bytes().to_vec()],
        check: Box::new(|input| {
            let Ok(text) = std::str::from_utf8(input) else {
                return Ok(());
            };
            match mutasi::ProvidersFile::parse(text) {
                Ok(f) => {
                    let shown = format!("{f:?}");
                    for s in [
                        "mb-secret-token",
                        "moota-secret-token",
                        "bri-secret-value",
                        "raya-secret-value",
                    ] {
                        // Only where the value is there once, as a secret (a
                        // splice may copy it into a base_url, which is shown).
                        let only_as_secret = text.lines().filter(|l| l.contains(s)).all(|l| {
                            let key = l.trim_start();
                            [
                                "token",
                                "client_secret",
                                "private_key_pem",
                                "webhook_secret",
                            ]
                            .iter()
                            .any(|k| key.starts_with(k))
                        });
                        if shown.contains(s) && only_as_secret {
                            return Err(format!("{s} is shown by Debug"));
                        }
                    }
                    for kind in mutasi::ProviderKind::ALL {
                        let _ = f.get(kind);
                    }
                    Ok(())
                }
                Err(e) => {
                    let shown = e.to_string();
                    for s in [
                        "mb-secret-token",
                        "moota-secret-token",
                        "bri-secret-value",
                        "raya-secret-value",
                    ] {
                        let only_as_secret = text.lines().filter(|l| l.contains(s)).all(|l| {
                            let key = l.trim_start();
                            [
                                "token",
                                "client_secret",
                                "private_key_pem",
                                "webhook_secret",
                            ]
                            .iter()
                            .any(|k| key.starts_with(k))
                        });
                        if shown.contains(s) && only_as_secret {
                            return Err(format!("{s} is in the error: {shown}"));
                        }
                    }
                    Ok(())
                }
            }
        }),
    }
}

/// The sealed provider store: `providers.enc` damaged byte-wise (and its
/// key file cut or grown) is refused with a message, never a panic and
/// never read as settings.
fn sealed_store_target() -> Target {
    use mutasi::{ProviderForm, ProviderKind, ProviderStore, Secret};
    let dir = scratch("loket-fuzz-sealed");
    let mut seeds = Vec::new();
    let mut key = Vec::new();
    if let Some(d) = dir.as_ref() {
        let store = ProviderStore::new(d.path());
        let saved = store.save(ProviderForm {
            kind: ProviderKind::Mutasibank,
            base_url: "https://mutasibank.co.id".into(),
            client_id: None,
            channel_id: None,
            token: Some(Secret::new("mb-secret-token")),
            client_secret: None,
            private_key_pem: None,
            webhook_secret: Some(Secret::new("wh-secret")),
        });
        if saved.is_ok() {
            if let Ok(b) = std::fs::read(d.path().join("providers.enc")) {
                seeds.push(b);
            }
            key = std::fs::read(d.path().join("providers.key")).unwrap_or_default();
        }
    }
    let original = seeds.first().cloned().unwrap_or_default();
    Target {
        name: "mutasi.providers_enc",
        seeds,
        check: Box::new(move |input| {
            let Some(d) = dir.as_ref() else {
                return Err("no scratch directory".into());
            };
            std::fs::write(d.path().join("providers.enc"), input).map_err(|e| e.to_string())?;
            let key_file = d.path().join("providers.key");
            // One case in eight damages the key instead.
            let bad_key = crate::fnv(input).is_multiple_of(8);
            if bad_key {
                let mut k = key.clone();
                k.truncate(k.len().saturating_sub(1 + input.len() % 4));
                std::fs::write(&key_file, &k).map_err(|e| e.to_string())?;
            }
            let store = ProviderStore::new(d.path());
            let r = store.list();
            if bad_key {
                std::fs::write(&key_file, &key).map_err(|e| e.to_string())?;
            }
            match r {
                Ok(_) if input != original.as_slice() => {
                    Err("a damaged providers.enc was read as settings".into())
                }
                Err(e) if input == original.as_slice() && !bad_key => {
                    Err(format!("the intact store was refused: {e}"))
                }
                Err(e) if e.to_string().contains("mb-secret-token") => {
                    Err("a secret is in the error".into())
                }
                _ => Ok(()),
            }
        }),
    }
}

/// How many times fewer cases a target gets than the others: the supervisor
/// store writes and opens a journal file per case (thousands of times slower
/// than a decoder), so an even split would make it most of `make fuzz`.
pub fn case_divisor(name: &str) -> u64 {
    match name {
        "supervisor.store" => 20,
        _ => 1,
    }
}

/// Every target, in the order `make fuzz` runs them.
pub fn all() -> Vec<Target> {
    let mut t = vec![
        bankplus_target::<Value>(
            "bankplus.envelope",
            &[
                "bsa_depositAccount",
                "users_auth",
                "transfer",
                "check",
                "reversal",
                "account_changepass",
                "bsa_checkAccount",
            ],
            |s, b| decode::decode::<Value>(s, b).map(|e| e.data),
            false,
        ),
        bankplus_target(
            "bankplus.login",
            &["users_auth", "users_logout"],
            decode::login,
            false,
        ),
        bankplus_target(
            "bankplus.nothing",
            &["users_logout", "account_changepass"],
            decode::nothing,
            false,
        ),
        bankplus_target(
            "bankplus.graph",
            &[
                "dashboard_bsa",
                "dashboard_bill",
                "dashboard_purchase",
                "dashboard_agentGrowth",
                "dashboard_agentSpread",
            ],
            decode::graph,
            false,
        ),
        bankplus_target(
            "bankplus.postal_codes",
            &["wilayah_get"],
            decode::postal_codes,
            false,
        ),
        bankplus_target(
            "bankplus.master_list",
            &[
                "master_jobs",
                "master_educations",
                "master_salaries",
                "master_transactions",
            ],
            decode::master_list,
            false,
        ),
        bankplus_target("bankplus.banks", &["bank_list"], decode::banks, false),
        bankplus_target(
            "bankplus.account",
            &["bsa_checkAccount", "bsa_customerbalance", "account_balance"],
            decode::account,
            false,
        ),
        bankplus_target(
            "bankplus.opened_account",
            &["bsa_openAccount"],
            decode::opened_account,
            false,
        ),
        bankplus_target(
            "bankplus.deposit",
            &["bsa_depositAccount"],
            decode::deposit,
            true,
        ),
        bankplus_target(
            "bankplus.transfer_quote",
            &[
                "bsa_transfer_intrabank_inquiry",
                "bsa_transfer_interbank_inquiry",
            ],
            decode::transfer_quote,
            false,
        ),
        bankplus_target(
            "bankplus.transfer_done",
            &[
                "bsa_transfer_intrabank_payment",
                "bsa_transfer_interbank_payment",
            ],
            decode::transfer_done,
            true,
        ),
        bankplus_target(
            "switcher.inquiry",
            &["inquiry"],
            decode::switcher_account,
            false,
        ),
        bankplus_target(
            "switcher.transfer",
            &["transfer", "check", "reversal"],
            decode::switcher_transfer,
            true,
        ),
    ];
    t.extend(statement_targets());
    t.push(webhook_target());
    t.push(settings_target());
    t.push(providers_toml_target());
    t.push(sealed_store_target());
    t.push(crate::supervisors::supervisor_store_target());
    t
}

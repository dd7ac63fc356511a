//! The supervisor store as read from disk (issue 12, part 3): the
//! `supervisors` and `supervisor_lockout` rows of a journal file damaged —
//! names, PHC hash strings, counters, timestamps — three ways, and a file
//! of another kind in the journal's place. Opening and logging in must end
//! in a clear error or a correct answer: never a panic, never a secret in a
//! message, never a login on damaged credentials, never one while the
//! stored lock runs.
//!
//! An input is a JSON object of the rows (the seeds are the real rows of a
//! journal made by `Supervisors`); how it reaches the file is decided by the
//! input's hash, so a saved input replays the same way:
//! - through the chain (as Loket's own code or someone who rewrites the
//!   chain would write it): the store opens clean and the login path reads
//!   the damaged values;
//! - behind the chain (its triggers dropped): the change must be refused as
//!   tampering;
//! - as bytes: the input written over the journal file at an offset (a torn
//!   or overwritten page), or as the whole file (a file of another kind).

use std::path::Path;

use argon2::password_hash::{PasswordHasher, SaltString};
use rusqlite::types::Value as Sql;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};
use supervisor::{SupervisorError, SupervisorPassword, Supervisors};

use crate::Target;

/// The supervisor in the template journal and their password.
const NAME: &str = "Wati Supervisor";
const PASSWORD: &str = "Kopi-Tubruk-Pagi7";
const WRONG: &str = "Bukan-Passwordnya-3";

/// A cheap Argon2id hash of `PASSWORD` (m = 64 KiB, t = 1): verifying the
/// stored parameters is what is fuzzed, not Argon2's cost.
fn cheap_phc() -> Option<String> {
    let params = argon2::Params::new(64, 1, 1, None).ok()?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::encode_b64(b"loket-fuzz-salt!").ok()?;
    a.hash_password(PASSWORD.as_bytes(), &salt)
        .ok()
        .map(|h| h.to_string())
}

/// Makes the template journal: a supervisor created by `Supervisors`, its
/// hash then replaced (through the chain) by a cheap one. Returns the
/// file's bytes and the template rows as JSON.
fn template(dir: &Path) -> Result<(Vec<u8>, Value), String> {
    let path = dir.join("journal.db");
    {
        let s = Supervisors::open(&path).map_err(|e| e.to_string())?;
        s.create_supervisor(NAME, &SupervisorPassword::new(PASSWORD), None)
            .map_err(|e| e.to_string())?;
    }
    let phc = cheap_phc().ok_or("no cheap hash")?;
    let conn = Connection::open(&path).map_err(|e| e.to_string())?;
    journal::chain::register(&conn).map_err(|e| e.to_string())?;
    conn.execute("UPDATE supervisors SET phc = ?1", [&phc])
        .map_err(|e| e.to_string())?;
    // One file, no WAL beside it: each case starts from these bytes.
    conn.pragma_update(None, "journal_mode", "DELETE")
        .map_err(|e| e.to_string())?;
    let created_at: i64 = conn
        .query_row("SELECT created_at FROM supervisors", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    drop(conn);
    // A clean verification now moves the start-up checkpoint forward.
    Supervisors::open(&path).map_err(|e| e.to_string())?;
    let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
    let rows = json!({
        "supervisors": [{"name": NAME, "phc": phc, "created_at": created_at, "created_by": null}],
        "lockout": {"failures": 0, "locked_until": null, "attempts": 0}
    });
    Ok((bytes, rows))
}

fn text_of(v: &Value) -> Sql {
    match v {
        Value::String(s) => Sql::Text(s.clone()),
        Value::Null => Sql::Null,
        other => Sql::Text(other.to_string()),
    }
}

fn int_of(v: &Value) -> Sql {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(Sql::Integer)
            .unwrap_or_else(|| Sql::Integer(n.as_f64().unwrap_or(0.0) as i64)),
        Value::Bool(b) => Sql::Integer(i64::from(*b)),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map(Sql::Integer)
            .unwrap_or(Sql::Null),
        _ => Sql::Null,
    }
}

/// Writes the input's rows into the journal with `conn` (the chain's
/// function registered or its triggers dropped). Rows SQLite refuses (a
/// NOT NULL, a duplicate name) are left as they were.
fn apply(conn: &Connection, rows: &Value) {
    if let Some(list) = rows.get("supervisors").and_then(Value::as_array) {
        for (i, r) in list.iter().enumerate().take(4) {
            let (name, phc, at, by) = (
                text_of(r.get("name").unwrap_or(&Value::Null)),
                text_of(r.get("phc").unwrap_or(&Value::Null)),
                int_of(r.get("created_at").unwrap_or(&Value::Null)),
                text_of(r.get("created_by").unwrap_or(&Value::Null)),
            );
            if i == 0 {
                let _ = conn.execute(
                    "UPDATE supervisors SET name = ?1, phc = ?2, created_at = ?3, created_by = ?4 \
                     WHERE rowid = (SELECT min(rowid) FROM supervisors)",
                    params![name, phc, at, by],
                );
            } else {
                let _ = conn.execute(
                    "INSERT INTO supervisors (name, phc, created_at, created_by) VALUES (?1, ?2, ?3, ?4)",
                    params![name, phc, at, by],
                );
            }
        }
    }
    if let Some(l) = rows.get("lockout") {
        let _ = conn.execute(
            "UPDATE supervisor_lockout SET failures = ?1, locked_until = ?2, attempts = ?3 WHERE id = 1",
            params![
                int_of(l.get("failures").unwrap_or(&Value::Null)),
                int_of(l.get("locked_until").unwrap_or(&Value::Null)),
                int_of(l.get("attempts").unwrap_or(&Value::Null)),
            ],
        );
    }
}

/// The rows as they are on disk now, read by plain SQLite.
struct OnDisk {
    /// NAME's hash, if a row by that name (any case) holds text.
    phc: Option<String>,
    /// The lock's raw value, when it is an integer.
    locked_until: Option<i64>,
    /// The wrong-password count.
    failures: Option<i64>,
}

fn on_disk(path: &Path) -> Option<OnDisk> {
    let conn = Connection::open(path).ok()?;
    let phc = conn
        .query_row(
            "SELECT phc FROM supervisors WHERE name = ?1 COLLATE NOCASE",
            [NAME],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()
        .ok()?
        .flatten();
    let locked_until = conn
        .query_row(
            "SELECT locked_until FROM supervisor_lockout WHERE id = 1",
            [],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()
        .ok()?
        .flatten();
    let failures = conn
        .query_row(
            "SELECT failures FROM supervisor_lockout WHERE id = 1",
            [],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()
        .ok()?
        .flatten();
    Some(OnDisk {
        phc,
        locked_until,
        failures,
    })
}

/// An error shown to a person: says something, never the password.
fn clear(e: &SupervisorError, when: &str) -> Result<(), String> {
    let text = e.to_string();
    if text.trim().is_empty() || e.code().is_empty() {
        return Err(format!("{when}: an empty error ({e:?})"));
    }
    if text.contains(PASSWORD) || text.contains(WRONG) {
        return Err(format!("{when}: a password is in the error: {text}"));
    }
    Ok(())
}

pub(crate) fn supervisor_store_target() -> Target {
    let dir = crate::targets::scratch("loket-fuzz-supervisors");
    let made = dir.as_ref().map(|d| template(d.path()));
    let (bytes, rows) = match made {
        Some(Ok((b, r))) => (b, r),
        _ => (Vec::new(), Value::Null),
    };
    let mut seeds = Vec::new();
    if !bytes.is_empty() {
        seeds.push(rows.to_string().into_bytes());
        let mut locked = rows.clone();
        locked["lockout"] =
            json!({"failures": 0, "locked_until": 4_102_444_800_000i64, "attempts": 9});
        seeds.push(locked.to_string().into_bytes());
        let mut strong = rows.clone();
        strong["supervisors"][0]["phc"] = json!("$argon2id$v=19$m=19456,t=2,p=1$bG9rZXQtZnV6ei1zYWx0IQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        seeds.push(strong.to_string().into_bytes());
        let mut two = rows.clone();
        if let Some(a) = two["supervisors"].as_array_mut() {
            a.push(json!({"name": "Budi", "phc": "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "created_at": 0, "created_by": NAME}));
        }
        two["lockout"] = json!({"failures": 4, "locked_until": null, "attempts": 4});
        seeds.push(two.to_string().into_bytes());
        // Files of another kind in the journal's place.
        seeds.push(b"SQLite format 3\0".to_vec());
        seeds.push(br#"{"server":"http://127.0.0.1:7221"}"#.to_vec());
    }
    let template_phc = rows["supervisors"][0]["phc"].as_str().map(str::to_owned);
    Target {
        name: "supervisor.store",
        seeds,
        check: Box::new(move |input| {
            let (Some(d), Some(template_phc)) = (dir.as_ref(), template_phc.as_deref()) else {
                return Err("no template journal".into());
            };
            let path = d.path().join("journal.db");
            for extra in ["journal.db-wal", "journal.db-shm", "journal.db-journal"] {
                let _ = std::fs::remove_file(d.path().join(extra));
            }
            let h = crate::fnv(input);
            let parsed: Option<Value> = serde_json::from_slice(input).ok();
            // 0-3 through the chain, 4-5 behind it, 6 as bytes over the
            // file, 7 (and anything that is not JSON) as the whole file.
            let how = if parsed.is_some() { h % 8 } else { 6 + h % 2 };
            let behind = matches!(how, 4 | 5);
            match (&parsed, how) {
                (Some(rows), 0..=5) => {
                    std::fs::write(&path, &bytes).map_err(|e| e.to_string())?;
                    let conn = Connection::open(&path).map_err(|e| e.to_string())?;
                    if behind {
                        let _ = conn.execute_batch(
                            "DROP TRIGGER IF EXISTS chain_supervisors_i; \
                             DROP TRIGGER IF EXISTS chain_supervisors_u; \
                             DROP TRIGGER IF EXISTS chain_lockout;",
                        );
                    } else {
                        journal::chain::register(&conn).map_err(|e| e.to_string())?;
                    }
                    apply(&conn, rows);
                }
                (_, 6) => {
                    let mut b = bytes.clone();
                    let at = ((h >> 8) as usize) % b.len().max(1);
                    let end = (at + input.len()).min(b.len());
                    b[at..end].copy_from_slice(&input[..end - at]);
                    std::fs::write(&path, &b).map_err(|e| e.to_string())?;
                }
                _ => std::fs::write(&path, input).map_err(|e| e.to_string())?,
            }
            let changed = |now: &Option<OnDisk>| {
                now.as_ref().and_then(|o| o.phc.as_deref()) != Some(template_phc)
            };
            let before = on_disk(&path);
            let s = match Supervisors::open(&path) {
                Ok(s) => s,
                Err(e) => return clear(&e, "open"),
            };
            let wrong = s.verify(NAME, &SupervisorPassword::new(WRONG));
            if wrong.is_ok() {
                return Err("a wrong password was accepted".into());
            }
            if let Err(e) = &wrong {
                clear(e, "a wrong password")?;
            }
            let right = s.verify(NAME, &SupervisorPassword::new(PASSWORD));
            match right {
                Ok(_) => {
                    let tampered = behind && parsed.as_ref() != Some(&rows);
                    if changed(&before) {
                        return Err("a login was accepted on a damaged hash".into());
                    }
                    if tampered && s.tampering().is_none() {
                        return Err("rows changed behind the chain were not noticed".into());
                    }
                    let now_ms = chrono::Utc::now().timestamp_millis();
                    if before
                        .as_ref()
                        .and_then(|o| o.locked_until)
                        .is_some_and(|u| u > now_ms)
                    {
                        return Err("a login was accepted while the stored lock runs".into());
                    }
                    if before
                        .as_ref()
                        .and_then(|o| o.failures)
                        .is_some_and(|f| f < 0)
                    {
                        return Err("a login was accepted on a negative failure count".into());
                    }
                    Ok(())
                }
                Err(e) => {
                    clear(&e, "the right password")?;
                    // The intact store, unchanged, must let the supervisor in.
                    if parsed.as_ref() == Some(&rows) && !behind && how <= 3 {
                        return Err(format!("the intact store refused the supervisor: {e}"));
                    }
                    Ok(())
                }
            }
        }),
    }
}

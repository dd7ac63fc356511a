//! A journal of many rows for benchmarks (history, backup), written through
//! the journal's own schema in one SQLite transaction. Not for tests of
//! behaviour: the rows skip the state machine.

use chrono::{TimeZone, Utc};
use rusqlite::Connection;

use crate::{Journal, Kind, State};

const NAMES: [&str; 8] = [
    "ARDHA HERDIANTO",
    "BUDI SANTOSO",
    "CITRA LESTARI",
    "DEWI ANGGRAINI",
    "EKO PRASETYO",
    "FITRI HANDAYANI",
    "GILANG RAMADHAN",
    "HENDRA WIJAYA",
];

/// Fills a fresh journal file with `rows` transactions over 200 days,
/// through the journal's own schema, in one SQLite transaction.
pub fn generate(path: &std::path::Path, rows: u64) {
    drop(Journal::open(path).expect("schema"));
    let mut conn = Connection::open(path).expect("open");
    // The events' chain triggers call Loket's own function.
    crate::chain::register(&conn).expect("chain function");
    conn.pragma_update(None, "synchronous", "OFF").ok();
    let tx = conn.transaction().expect("tx");
    {
        let mut ins_tx = tx
            .prepare(
                "INSERT INTO transactions (sid, kind, state, created_at, updated_at, operator, agent_code, \
                 amount_sen, fee_sen, total_sen, dest_bank_code, dest_account, dest_name) \
                 VALUES (?1, ?2, ?3, ?4, ?4, 'BNIUS100294', 'BNI014100294', ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .expect("prepare");
        let mut ins_ev = tx
            .prepare("INSERT INTO events (sid, at, from_state, to_state, actor) VALUES (?1, ?2, NULL, ?3, 'bench')")
            .expect("prepare");
        let mut ins_fts = tx
            .prepare("INSERT INTO tx_search (rowid, text) VALUES (last_insert_rowid(), ?1)")
            .expect("prepare");
        let start = Utc
            .with_ymd_and_hms(2026, 5, 1, 0, 0, 0)
            .unwrap()
            .timestamp_millis();
        let span = 200 * 86_400_000_i64;
        let kinds = [
            Kind::Deposit,
            Kind::IntrabankTransfer,
            Kind::InterbankTransfer,
            Kind::CheckAccount,
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..rows {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let at = start + (i as i64 * span / rows as i64);
            let sid = format!("{:016}", 2_605_010_000_000_000u64 + i);
            let kind = kinds[(x % 4) as usize];
            let state = match x % 100 {
                0 => State::Unknown,
                1..=4 => State::Failed,
                _ => State::Succeeded,
            };
            // Steps of Rp1.000, in sen.
            let amount = ((x >> 8) % 5_000 + 1) as i64 * 100_000;
            let fee = match kind {
                Kind::IntrabankTransfer => 100_000,
                Kind::InterbankTransfer => 650_000,
                _ => 0,
            };
            let account = format!("{}", 10_000 + (x >> 20) % 50_000);
            let name = NAMES[((x >> 40) % 8) as usize];
            let bank = if kind == Kind::InterbankTransfer {
                "008"
            } else {
                "BNI"
            };
            ins_tx
                .execute(rusqlite::params![
                    sid,
                    kind.as_str(),
                    state.as_str(),
                    at,
                    amount,
                    fee,
                    amount + fee,
                    bank,
                    account,
                    name
                ])
                .expect("insert");
            ins_fts
                .execute([format!("{sid} {account} {name}")])
                .expect("fts");
            ins_ev
                .execute(rusqlite::params![sid, at, state.as_str()])
                .expect("event");
        }
    }
    tx.commit().expect("commit");
}

//! The demo bank a new (or reset) ledger starts with: the document's agent
//! and a staff user, customers at BNI and at every bank of `bank/list`, the
//! master lists and bank list exactly as documented, postal codes, and
//! months of past activity (see [`history`]) so every dashboard has data.

mod history;

use chrono::{DateTime, Utc};
use money::Rupiah;
use rusqlite::{params, Transaction};
use serde_json::json;

use crate::demo;
use crate::ledger::LedgerError;
use crate::wire::iso;

/// `master/jobs`, as documented.
pub(crate) const JOBS: &[(i64, &str)] = &[
    (1, "AKUNTING / KEUANGAN"),
    (2, "CUSTOMER SERVICE"),
    (3, "ENGINEERING"),
    (4, "EXECUTIV"),
    (5, "ADMINISTRASI UMUM"),
    (6, "KOMPUTER"),
    (7, "KONSULTAN"),
];

/// `master/educations`, as documented.
pub(crate) const EDUCATIONS: &[(i64, &str)] = &[
    (1, "TANPA GELAR"),
    (2, "D1"),
    (3, "D2"),
    (4, "D3"),
    (5, "S1/D4"),
    (6, "S2"),
    (7, "S3"),
];

/// `master/salaries`, as documented.
pub(crate) const SALARIES: &[(i64, &str)] = &[
    (1, "< Rp 2,5 juta"),
    (2, "Rp 2,5 juta s/d Rp 5 juta"),
    (3, "Rp 5 juta s/d Rp 10 juta"),
    (4, "Rp 10 juta s/d Rp 15 juta"),
    (5, "Rp 15 juta s/d Rp 20 juta"),
    (6, "Rp 20 juta s/d Rp 25 juta"),
    (7, "Rp 25 juta s/d Rp 50 juta"),
    (8, "> Rp 50 juta"),
];

/// `master/transactions`, as documented.
pub(crate) const TRANSACTION_RANGES: &[(i64, &str)] = &[
    (1, "< Rp 50 juta"),
    (2, "Rp 50 juta s/d Rp 100 juta"),
    (3, "Rp 100 juta s/d Rp 500 juta"),
    (4, "Rp 500 juta s/d Rp 1 Miliar"),
    (5, "> Rp 1 Miliar"),
];

/// The bill dashboard's products, in the document's order.
pub(crate) const BILL_TITLES: &[&str] = &[
    "BPJS KS VA",
    "PDAM",
    "Mobile Postpaid",
    "BPJS TK BPU",
    "BPJS TK PU",
    "Indihome",
];

/// The purchase dashboard's products, in the document's order.
pub(crate) const PURCHASE_TITLES: &[&str] = &["GoPay", "Train Ticketing", "Railink"];

/// Real postal codes: propinsi, jenis, kabupaten, kecamatan, kelurahan, kodepos.
#[rustfmt::skip]
const WILAYAH: &[(&str, &str, &str, &str, &str, i64)] = &[
    ("DKI Jakarta", "Kota", "Jakarta Pusat", "Gambir", "Gambir", 10110),
    ("DKI Jakarta", "Kota", "Jakarta Pusat", "Gambir", "Kebon Kelapa", 10120),
    ("DKI Jakarta", "Kota", "Jakarta Pusat", "Gambir", "Petojo Utara", 10130),
    ("DKI Jakarta", "Kota", "Jakarta Pusat", "Gambir", "Duri Pulo", 10140),
    ("DKI Jakarta", "Kota", "Jakarta Pusat", "Gambir", "Cideng", 10150),
    ("DKI Jakarta", "Kota", "Jakarta Pusat", "Gambir", "Petojo Selatan", 10160),
    ("DKI Jakarta", "Kota", "Jakarta Pusat", "Menteng", "Menteng", 10310),
    ("DKI Jakarta", "Kota", "Jakarta Selatan", "Kebayoran Baru", "Senayan", 12190),
    ("Jawa Timur", "Kabupaten", "Sidoarjo", "Krian", "Jatikalang", 61262),
    ("Jawa Timur", "Kabupaten", "Sidoarjo", "Waru", "Waru", 61256),
    ("Jawa Timur", "Kota", "Surabaya", "Genteng", "Genteng", 60275),
    ("Jawa Timur", "Kota", "Surabaya", "Gubeng", "Gubeng", 60281),
    ("Jawa Barat", "Kota", "Bandung", "Sumur Bandung", "Braga", 40111),
    ("Jawa Tengah", "Kota", "Semarang", "Semarang Tengah", "Sekayu", 50132),
    ("DI Yogyakarta", "Kota", "Yogyakarta", "Gondomanan", "Ngupasan", 55122),
    ("Bali", "Kabupaten", "Badung", "Kuta", "Kuta", 80361),
    ("Banten", "Kota", "Tangerang Selatan", "Serpong", "Cilenggang", 15310),
];

/// The 34 provinces, for the agent-spread dashboard.
pub(crate) const PROVINCES: &[&str] = &[
    "Aceh",
    "Bali",
    "Bangka Belitung",
    "Banten",
    "Bengkulu",
    "DI Yogyakarta",
    "DKI Jakarta",
    "Gorontalo",
    "Jambi",
    "Jawa Barat",
    "Jawa Tengah",
    "Jawa Timur",
    "Kalimantan Barat",
    "Kalimantan Selatan",
    "Kalimantan Tengah",
    "Kalimantan Timur",
    "Kalimantan Utara",
    "Kepulauan Riau",
    "Lampung",
    "Maluku",
    "Maluku Utara",
    "Nusa Tenggara Barat",
    "Nusa Tenggara Timur",
    "Papua",
    "Papua Barat",
    "Riau",
    "Sulawesi Barat",
    "Sulawesi Selatan",
    "Sulawesi Tengah",
    "Sulawesi Tenggara",
    "Sulawesi Utara",
    "Sumatera Barat",
    "Sumatera Selatan",
    "Sumatera Utara",
];

/// A seeded account. `balance` is the opening balance in the wire form.
struct SeedAccount {
    bank: &'static str,
    number: &'static str,
    name: &'static str,
    balance: &'static str,
    pin: Option<&'static str>,
    mobile: &'static str,
    home: &'static str,
    office: &'static str,
}

const fn account(
    bank: &'static str,
    number: &'static str,
    name: &'static str,
    balance: &'static str,
    mobile: &'static str,
) -> SeedAccount {
    SeedAccount {
        bank,
        number,
        name,
        balance,
        pin: None,
        mobile,
        home: "",
        office: "",
    }
}

const fn customer(
    number: &'static str,
    name: &'static str,
    balance: &'static str,
    pin: &'static str,
    mobile: &'static str,
    home: &'static str,
) -> SeedAccount {
    SeedAccount {
        bank: "BNI",
        number,
        name,
        balance,
        pin: Some(pin),
        mobile,
        home,
        office: "",
    }
}

/// Every account but the agent's (whose opening balance is worked out so
/// that it ends the seeded history at exactly Rp202.696.682). The BNI
/// customers' names and PINs are the ones in [`demo::CUSTOMERS`].
// A table reads best one account per line.
#[rustfmt::skip]
const ACCOUNTS: &[SeedAccount] = &[
    customer("14047", "Ardha Herdianto", "1.250.000", "140470", "081332758961", "0318971234"),
    customer("14048", "SITI RAHAYU", "3.482.500", "246810", "081234567801", ""),
    customer("14049", "BUDI SANTOSO", "875.000", "135790", "085712345602", "0313456789"),
    customer("14050", "DEWI LESTARI", "12.340.000", "864213", "087812345603", ""),
    customer("14051", "AGUS PRASETYO", "250.000", "975310", "089612345604", ""),
    account("BNI", "9990000001", "BNI PENDAPATAN FEE BANK+", "0", ""),
    account("002", "888801000003301", "BRIAPI SANDBOX", "602577171334.84", ""),
    account("002", "888801000157508", "ALOYSIUS AGUS WARI Z", "18.309.905,40", "081298765432"),
    account("002", "034101000743303", "SURYA PRATAMA", "2.750.000", "081287654321"),
    account("008", "114451186", "Ardha Herdianto", "4.500.000", "081332758961"),
    account("008", "1370012345678", "RINA MARLINA", "7.250.000", "081311122233"),
    account("012", "0123456789", "YUDI HARTONO", "15.000.000", "081322233344"),
    account("009", "0987654321", "NUR AINI", "2.100.000", "081333344455"),
    account("011", "003600112233", "HENDRA WIJAYA", "9.800.000", "081344455566"),
    account("013", "4102233445", "MELATI PUSPITA", "1.400.000,50", "081355566677"),
    account("016", "2011223344", "FAJAR NUGROHO", "6.600.000", "081366677788"),
    account("019", "4455667788", "LINDA KUSUMA", "3.300.000", "081377788899"),
    account("022", "800112233445", "RIZKY RAMADHAN", "11.000.000", "081388899900"),
    account("023", "3011223344", "WAHYU HIDAYAT", "5.000.000", "081399900011"),
];

fn agent_profile() -> serde_json::Value {
    json!({
        "nama": demo::AGENT_NAME,
        "email": "ardha2.008@gmail.com",
        "no_hp": "081332758961",
        "username": demo::USERNAME,
        "status": "1",
        "favourite": null,
        "kode_bank": "BNI",
        "kode_cabang": "014",
        "kode_mitra": "BNI",
        "kode_loket": "100294",
        "kelompok_id": "4",
        "menu": null,
        "group_id": "",
        "password_updated_at": "2020-04-16T07:19:37.000Z",
        "pin_updated_at": "2020-03-30T08:45:03.000Z",
        "attachment": "{\"register\":\"agent/BNI_1234567890123679_KTP_1578019696.png\",\"due_diligence\":{\"file\":\"agent/BNI_1234567890123679_TU_1578367433.png\",\"detail\":\"\"}}",
        "kode_wil_bi": "1202",
        "agent_type": "lakupandai,ePayment,lkd",
        "alamat_jalan": "Perumahan Gateway",
        "alamat_rt_perum": "02/02",
        "alamat_kelurahan": "Jatikalang",
        "alamat_kecamatan": "Krian",
        "alamat_kabupaten_kota": "Kab_Sidoarjo",
        "alamat_propinsi": "Jawa Timur",
        "status_mitra": null,
        "icon_bank": "1583909614507.jpeg",
        "logo_bank": "1583909611598.jpeg",
        "warna_bank": "ff6f00",
        "nama_bank": "BNI"
    })
}

fn staff_profile() -> serde_json::Value {
    json!({
        "nama": "Admin Bank BNI",
        "email": "admin.bni@bankplus.example",
        "no_hp": "081200000001",
        "username": demo::STAFF_USERNAME,
        "status": "1",
        "favourite": null,
        "kode_bank": "BNI",
        "kode_cabang": "014",
        "kode_mitra": "BNI",
        "kode_loket": "",
        "kelompok_id": "0",
        "menu": null,
        "group_id": "5",
        "password_updated_at": "2020-03-02T02:00:00.000Z",
        "pin_updated_at": null,
        "attachment": null,
        "kode_wil_bi": "0391",
        "agent_type": "",
        "alamat_jalan": "Jl. Jenderal Sudirman Kav. 1",
        "alamat_rt_perum": "",
        "alamat_kelurahan": "Karet Tengsin",
        "alamat_kecamatan": "Tanah Abang",
        "alamat_kabupaten_kota": "Kota_Jakarta Pusat",
        "alamat_propinsi": "DKI Jakarta",
        "status_mitra": null,
        "icon_bank": "1583909614507.jpeg",
        "logo_bank": "1583909611598.jpeg",
        "warna_bank": "ff6f00",
        "nama_bank": "BNI"
    })
}

/// Seeds an empty schema, inside the caller's transaction.
pub(crate) fn seed(tx: &Transaction<'_>, now: DateTime<Utc>) -> Result<(), LedgerError> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('seeded_at', ?1)",
        [iso(now)],
    )?;
    for (name, next) in [
        ("journal", 1001_i64),
        ("history_journal", 1),
        ("account_number", 123_456_789),
    ] {
        tx.execute(
            "INSERT INTO sequences (name, next) VALUES (?1, ?2)",
            params![name, next],
        )?;
    }

    tx.execute(
        "INSERT INTO users (id, username, password, pin, kelompok_id, account_bank, account_number, \
         profile) VALUES (1, ?1, ?2, ?3, '4', 'BNI', ?4, ?5)",
        params![
            demo::USERNAME,
            demo::PASSWORD,
            demo::PIN,
            demo::AGENT_ACCOUNT,
            agent_profile().to_string()
        ],
    )?;
    tx.execute(
        "INSERT INTO users (id, username, password, pin, kelompok_id, account_bank, account_number, \
         profile) VALUES (2, ?1, ?2, NULL, '0', NULL, NULL, ?3)",
        params![
            demo::STAFF_USERNAME,
            demo::STAFF_PASSWORD,
            staff_profile().to_string()
        ],
    )?;

    let opened = iso(now - chrono::Duration::days(400));
    let insert_account = |a: &SeedAccount| {
        tx.execute(
            "INSERT INTO accounts (bank, number, name, balance, pin, phone_mobile, phone_home, \
             phone_office, opened_at) VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?7, ?8)",
            params![a.bank, a.number, a.name, a.pin, a.mobile, a.home, a.office, opened],
        )
    };
    insert_account(&SeedAccount {
        bank: "BNI",
        number: demo::AGENT_ACCOUNT,
        name: demo::AGENT_ACCOUNT_NAME,
        balance: "0",
        pin: Some(demo::AGENT_ACCOUNT_PIN),
        mobile: "089689677052",
        home: "99999999",
        office: "",
    })?;
    let mut opening = Vec::new();
    for a in ACCOUNTS {
        insert_account(a)?;
        let balance = Rupiah::parse_wire(a.balance)
            .map_err(|e| LedgerError::Internal(format!("seed balance of {}: {e}", a.number)))?;
        opening.push((a.bank, a.number, balance));
    }

    for (i, w) in WILAYAH.iter().enumerate() {
        tx.execute(
            "INSERT INTO wilayah (propinsi, jenis, kabupaten, kecamatan, kelurahan, kodepos) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![w.0, w.1, w.2, w.3, w.4, w.5],
        )
        .map_err(|e| LedgerError::Internal(format!("wilayah row {i}: {e}")))?;
    }

    history::seed_history(tx, now, &opening)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use rusqlite::Connection;

    use super::*;
    use crate::ledger::schema::DDL;

    fn seeded(now: DateTime<Utc>) -> Connection {
        let mut conn = Connection::open_in_memory().expect("memory");
        let tx = conn.transaction().expect("tx");
        tx.execute_batch(DDL).expect("schema");
        seed(&tx, now).expect("seeds");
        tx.commit().expect("commit");
        conn
    }

    fn scalar(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).expect(sql)
    }

    #[test]
    fn the_books_balance_and_the_agent_ends_at_the_documented_balance() {
        let now = Utc::now();
        let conn = seeded(now);
        assert_eq!(
            scalar(
                &conn,
                "SELECT balance FROM accounts WHERE bank = 'BNI' AND number = '4447'"
            ),
            demo::AGENT_OPENING_BALANCE.sen()
        );
        // Every balance is the sum of its postings, and the last posting
        // shows it.
        assert_eq!(
            scalar(
                &conn,
                "SELECT count(*) FROM accounts a WHERE a.balance != (SELECT coalesce(sum(CASE \
                 p.direction WHEN 'C' THEN p.amount ELSE -p.amount END), 0) FROM postings p \
                 WHERE p.bank = a.bank AND p.account_number = a.number)"
            ),
            0
        );
        assert_eq!(
            scalar(
                &conn,
                "SELECT count(*) FROM accounts a WHERE a.balance != coalesce((SELECT \
                 p.balance_after FROM postings p WHERE p.bank = a.bank AND p.account_number = \
                 a.number ORDER BY p.id DESC LIMIT 1), 0)"
            ),
            0
        );
        // Transactions move money, they never make or destroy it.
        assert_eq!(
            scalar(&conn, "SELECT sum(balance) FROM accounts"),
            scalar(
                &conn,
                "SELECT sum(amount) FROM postings WHERE description = 'SALDO AWAL'"
            )
        );
        for kind in ["deposit", "open_account", "intrabank", "interbank"] {
            assert!(
                scalar(
                    &conn,
                    &format!("SELECT count(*) FROM transactions WHERE kind = '{kind}'")
                ) > 0,
                "{kind}"
            );
        }
        let last: String = conn
            .query_row("SELECT max(created_at) FROM transactions", [], |r| r.get(0))
            .expect("history");
        assert!(last < crate::wire::iso(now), "history is in the past");
    }

    #[test]
    fn the_same_moment_seeds_the_same_bank() {
        let now = Utc
            .with_ymd_and_hms(2024, 3, 14, 9, 26, 53)
            .single()
            .expect("valid");
        let dump = |conn: &Connection| -> String {
            conn.query_row(
                "SELECT group_concat(refnum || reference_number || amount || created_at, ';') \
                 FROM transactions",
                [],
                |r| r.get(0),
            )
            .expect("dump")
        };
        assert_eq!(dump(&seeded(now)), dump(&seeded(now)));
    }
}

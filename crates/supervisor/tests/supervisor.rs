//! Supervisor credentials in a real SQLite file: created once, stored only
//! as Argon2id PHC strings, verified, and locked (across a restart) after
//! repeated wrong passwords.

use std::path::Path;

use chrono::{Duration, Utc};
use rusqlite::Connection;
use supervisor::{SupervisorError, SupervisorPassword, Supervisors};

const PASSWORD: &str = "Sup3rvisor-Rahasia";

fn file_bytes_contain(dir: &Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read(e.path()).ok())
        .any(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
}

#[test]
fn first_start_creates_one_supervisor_stored_as_argon2id_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.db");
    let sup = Supervisors::open(&path).expect("open");
    assert!(!sup.has_supervisor().expect("query"));
    assert!(matches!(
        sup.verify("spv", &SupervisorPassword::new(PASSWORD)),
        Err(SupervisorError::NoSupervisor)
    ));
    assert!(matches!(
        sup.create_supervisor("spv", &SupervisorPassword::new("short"), None),
        Err(SupervisorError::Input(_))
    ));
    sup.create_supervisor("Budi Santoso", &SupervisorPassword::new(PASSWORD), None)
        .expect("create");
    assert!(sup.has_supervisor().expect("query"));
    assert!(matches!(
        sup.create_supervisor("Mallory", &SupervisorPassword::new(PASSWORD), None),
        Err(SupervisorError::AlreadyCreated)
    ));

    let approval = sup
        .verify("budi santoso", &SupervisorPassword::new(PASSWORD))
        .expect("right password");
    assert_eq!(approval.name(), "Budi Santoso");

    // A second supervisor needs the first one's approval.
    sup.add_supervisor(
        "Citra",
        &SupervisorPassword::new("Citra-12345"),
        None,
        &approval,
    )
    .expect("add");
    assert_eq!(sup.names().expect("names"), ["Budi Santoso", "Citra"]);
    drop(sup);

    let conn = Connection::open(&path).expect("open file");
    let phc: String = conn
        .query_row(
            "SELECT phc FROM supervisors WHERE name = 'Budi Santoso'",
            [],
            |r| r.get(0),
        )
        .expect("row");
    assert!(
        phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "not an Argon2id PHC string at OWASP parameters: {phc}"
    );
    drop(conn);
    assert!(
        !file_bytes_contain(dir.path(), PASSWORD.as_bytes()),
        "the password is in the SQLite files"
    );
    assert!(!file_bytes_contain(dir.path(), b"Citra-12345"));
}

#[test]
fn five_wrong_passwords_lock_for_five_minutes_even_across_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.db");
    let sup = Supervisors::open(&path).expect("open");
    sup.create_supervisor("spv", &SupervisorPassword::new(PASSWORD), None)
        .expect("create");
    let now = Utc::now();
    let wrong = SupervisorPassword::new("salah-salah");
    for left in (1..=4).rev() {
        match sup.verify_at("spv", &wrong, now) {
            Err(SupervisorError::WrongCredentials { left: l }) => assert_eq!(l, left),
            other => panic!("expected a wrong-password error, got {other:?}"),
        }
    }
    // An unknown name counts as a wrong entry too.
    let until = match sup.verify_at("nobody", &wrong, now) {
        Err(SupervisorError::Locked { until }) => until,
        other => panic!("expected the lock, got {other:?}"),
    };
    assert!(until > now + Duration::seconds(299) && until <= now + Duration::seconds(300));
    // Even the right password is refused while locked.
    assert!(matches!(
        sup.verify_at(
            "spv",
            &SupervisorPassword::new(PASSWORD),
            now + Duration::seconds(10)
        ),
        Err(SupervisorError::Locked { .. })
    ));
    drop(sup);

    // A restart does not lift the lock.
    let sup = Supervisors::open(&path).expect("reopen");
    assert!(matches!(
        sup.verify_at(
            "spv",
            &SupervisorPassword::new(PASSWORD),
            now + Duration::seconds(60)
        ),
        Err(SupervisorError::Locked { .. })
    ));
    // After five minutes the right password works again, and resets the count.
    let approval = sup
        .verify_at(
            "spv",
            &SupervisorPassword::new(PASSWORD),
            now + Duration::seconds(301),
        )
        .expect("unlocked");
    assert_eq!(approval.name(), "spv");
    assert!(matches!(
        sup.verify_at("spv", &wrong, now + Duration::seconds(302)),
        Err(SupervisorError::WrongCredentials { left: 4 })
    ));
}

#[test]
fn messages_are_indonesian_first() {
    let e = SupervisorError::WrongCredentials { left: 3 };
    let text = e.to_string();
    assert!(
        text.starts_with("Nama atau password supervisor salah"),
        "{text}"
    );
    assert!(
        text.contains(" / Wrong supervisor name or password"),
        "{text}"
    );
    assert_eq!(e.code(), "SUPERVISOR_WRONG");
}

//! Supervisor credentials in a real SQLite file: created once, stored only
//! as Argon2id PHC strings, verified, and locked (across a restart) after
//! repeated wrong passwords.

use std::path::Path;

use chrono::{Duration, Utc};
use rusqlite::Connection;
use supervisor::{AgentCheck, SupervisorError, SupervisorPassword, Supervisors};

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
        "BNIUS100294",
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
    let said = words::Say::say(&e);
    assert!(
        said.id().starts_with("Nama atau password supervisor salah"),
        "{said:?}"
    );
    assert!(
        said.en().starts_with("Wrong supervisor name or password"),
        "{said:?}"
    );
    assert_eq!(e.code(), "SUPERVISOR_WRONG");
    // Issue 15's errors: each language whole (Display is the English one, for logs).
    for e in [
        SupervisorError::Disabled("Wati / Pagi".into()),
        SupervisorError::Unknown("Wati".into()),
        SupervisorError::LastActive("Wati".into()),
        SupervisorError::AlreadyDisabled("Wati".into()),
        SupervisorError::NotOwnPassword {
            target: "Wati".into(),
            approver: "Budi".into(),
        },
        SupervisorError::SamePassword,
    ] {
        let said = words::Say::say(&e);
        let (id, en) = (said.id().to_owned(), said.en().to_owned());
        assert_eq!(e.to_string(), en);
        assert!(!id.contains(" / ") || id.contains("Wati / Pagi"), "{id}");
        assert!(!en.contains(" / ") || en.contains("Wati / Pagi"), "{en}");
        assert!(e.code().starts_with("SUPERVISOR_"), "{}", e.code());
    }
}

/// A stored hash whose parameters ask for terabytes or endless passes (a
/// damaged row that still passes the chain: written with the chain's
/// function, as Loket would) is refused as damaged data before Argon2 runs;
/// before the fix Argon2 tried to allocate 4 TiB and the process aborted.
/// Found while writing the fuzz target `supervisor.store` (bounded before
/// its first run: unbounded, a mutated `m=` could take the machine's memory).
#[test]
fn a_stored_hash_asking_for_terabytes_is_refused_as_damaged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.db");
    Supervisors::open(&path)
        .expect("open")
        .create_supervisor("Budi Santoso", &SupervisorPassword::new(PASSWORD), None)
        .expect("create");
    for params in [
        "m=4294967295,t=1,p=1",
        "m=64,t=4294967295,p=1",
        "m=65536,t=1,p=255",
    ] {
        {
            let conn = Connection::open(&path).expect("conn");
            journal::chain::register(&conn).expect("chain function");
            conn.execute(
                "UPDATE supervisors SET phc = ?1",
                [format!(
                    "$argon2id$v=19${params}$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
                )],
            )
            .expect("update through the chain");
        }
        let sup = Supervisors::open(&path).expect("the chain is intact");
        assert!(sup.tampering().is_none());
        let e = sup
            .verify("Budi Santoso", &SupervisorPassword::new(PASSWORD))
            .expect_err("refused");
        assert!(matches!(e, SupervisorError::Damaged(_)), "{params}: {e:?}");
        assert_eq!(e.code(), "SUPERVISOR_DATA_DAMAGED");
        assert!(words::Say::say(&e)
            .id()
            .starts_with("Data supervisor di jurnal rusak"));
    }
}

/// A lock whose end no clock can show (a damaged row written through the
/// chain) used to read as 1970, lifting the lock; a negative failure count
/// would never reach the lock. Both are refused as damaged data now.
/// Found by the fuzz target `supervisor.store` (inputs kept in
/// crates/fuzz/regressions/supervisor.store).
#[test]
fn an_unreadable_lock_or_a_negative_count_is_refused_as_damaged() {
    for (failures, locked_until) in [(0i64, Some(i64::MAX)), (-7_956_336_785_902_242_208, None)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("journal.db");
        Supervisors::open(&path)
            .expect("open")
            .create_supervisor("Budi Santoso", &SupervisorPassword::new(PASSWORD), None)
            .expect("create");
        {
            let conn = Connection::open(&path).expect("conn");
            journal::chain::register(&conn).expect("chain function");
            conn.execute(
                "UPDATE supervisor_lockout SET failures = ?1, locked_until = ?2 WHERE id = 1",
                rusqlite::params![failures, locked_until],
            )
            .expect("update through the chain");
        }
        let sup = Supervisors::open(&path).expect("the chain is intact");
        let e = sup
            .verify("Budi Santoso", &SupervisorPassword::new(PASSWORD))
            .expect_err("refused");
        assert!(matches!(e, SupervisorError::Damaged(_)), "{e:?}");
    }
}

/// Issue 15: adding, changing one's own password and disabling, each
/// approved by an active supervisor and journaled in `authorizations` in
/// the same transaction; the last active one stays; a disabled one
/// approves nothing; the list shows no hash.
#[test]
fn supervisors_are_added_changed_and_disabled_with_approval_and_journaled() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.db");
    let sup = Supervisors::open(&path).expect("open");
    let agent = SupervisorPassword::new("T6jkl4ss");
    sup.create_supervisor("Budi", &SupervisorPassword::new(PASSWORD), Some(&agent))
        .expect("create");
    let budi = sup
        .verify("Budi", &SupervisorPassword::new(PASSWORD))
        .expect("budi");

    // The agent's password is refused for the new one, as for the first.
    assert!(matches!(
        sup.add_supervisor(
            "Citra",
            &agent,
            Some(AgentCheck::Password(&agent)),
            &budi,
            "agen"
        ),
        Err(SupervisorError::AgentPassword)
    ));
    sup.add_supervisor(
        "Citra",
        &SupervisorPassword::new("Citra-Pagi-2026"),
        Some(AgentCheck::Password(&agent)),
        &budi,
        "agen",
    )
    .expect("add");
    assert!(matches!(
        sup.add_supervisor(
            "citra",
            &SupervisorPassword::new("Lain-Lagi-2026"),
            None,
            &budi,
            "agen"
        ),
        Err(SupervisorError::NameTaken(_))
    ));
    let citra = sup
        .verify("Citra", &SupervisorPassword::new("Citra-Pagi-2026"))
        .expect("the new one approves");

    // Only one's own password, with the old one, and a new one.
    assert!(matches!(
        sup.change_own_password(
            "Budi",
            &citra,
            &SupervisorPassword::new("Budi-Baru-2026"),
            None,
            "agen"
        ),
        Err(SupervisorError::NotOwnPassword { .. })
    ));
    assert!(matches!(
        sup.change_password(
            &citra,
            &SupervisorPassword::new("Citra-Pagi-2026"),
            None,
            "agen"
        ),
        Err(SupervisorError::SamePassword)
    ));
    sup.change_password(
        &citra,
        &SupervisorPassword::new("Citra-Sore-2026"),
        None,
        "agen",
    )
    .expect("passwd");
    assert!(matches!(
        sup.verify("Citra", &SupervisorPassword::new("Citra-Pagi-2026")),
        Err(SupervisorError::WrongCredentials { .. })
    ));
    let citra = sup
        .verify("Citra", &SupervisorPassword::new("Citra-Sore-2026"))
        .expect("the new password works");

    // Citra disables Budi; then Citra is the last active one.
    sup.disable("budi", &citra, "agen").expect("disable");
    assert!(matches!(
        sup.disable("Budi", &citra, "agen"),
        Err(SupervisorError::AlreadyDisabled(_))
    ));
    assert!(matches!(
        sup.disable("Citra", &citra, "agen"),
        Err(SupervisorError::LastActive(n)) if n == "Citra"
    ));
    assert!(matches!(
        sup.disable("Nobody", &citra, "agen"),
        Err(SupervisorError::Unknown(_))
    ));
    // Budi's approval from before is refused for changes; so is Budi.
    assert!(matches!(
        sup.add_supervisor("Dewi", &SupervisorPassword::new("Dewi-Malam-2026"), None, &budi, "agen"),
        Err(SupervisorError::Disabled(n)) if n == "Budi"
    ));
    assert!(matches!(
        sup.verify("Budi", &SupervisorPassword::new(PASSWORD)),
        Err(SupervisorError::Disabled(n)) if n == "Budi"
    ));

    let list = sup.list().expect("list");
    let by_name = |n: &str| list.iter().find(|s| s.name == n).expect(n).clone();
    let (b, c) = (by_name("Budi"), by_name("Citra"));
    assert!(!b.active && b.disabled_by.as_deref() == Some("Citra") && b.disabled_at.is_some());
    assert!(c.active && c.created_by.as_deref() == Some("Budi"));
    // Budi approved Citra's addition; Citra her password and the disable.
    assert!(b.last_used.is_some() && c.last_used >= b.last_used);
    assert!(!format!("{list:?}").contains("argon2"));
    drop(sup);

    // Journaled: who, what, approved by, whom.
    let conn = Connection::open(&path).expect("open file");
    let mut st = conn
        .prepare("SELECT action, actor, authorized_by, detail FROM authorizations ORDER BY id")
        .expect("query");
    let rows: Vec<(String, String, String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("read");
    let want = |a: &str, by: &str, who: &str| {
        (
            a.to_owned(),
            "agen".to_owned(),
            by.to_owned(),
            who.to_owned(),
        )
    };
    assert_eq!(
        rows,
        [
            want("supervisor-add", "Budi", "Citra"),
            want("supervisor-passwd", "Citra", "Citra"),
            want("supervisor-disable", "Citra", "Budi"),
        ]
    );
    drop(st);
    drop(conn);
    // A reopen verifies the chain over the changed row and the new ones.
    let sup = Supervisors::open(&path).expect("reopen");
    assert!(sup.tampering().is_none(), "{:?}", sup.tampering());
    for secret in ["Citra-Pagi-2026", "Citra-Sore-2026", PASSWORD] {
        assert!(
            !file_bytes_contain(dir.path(), secret.as_bytes()),
            "{secret} on disk"
        );
    }
}

//! The fleet replica against a real private PostgreSQL cluster (issue 14):
//! schema and roles, exactly-once shipping, least privilege as real SQL,
//! late events, and the clear messages for a bad URL, a wrong password, a
//! missing schema and a newer schema.

use chrono::Utc;
use fleet::central::{self, SCHEMA_VERSION};
use fleet::read;
use fleet::ship::{send_batch, ship_once, DEFAULT_BATCH, SHIP_SQL};
use fleet::testpg::{Cluster, SUPERUSER};
use fleet::{FleetError, FleetUrl};
use journal::{Destination, Journal, Kind, NewTransaction, State, StepFacts};
use money::Rupiah;

/// `ship()`'s batch arrays, empty (for calls through psql).
const EMPTY_BATCH: &str = "'{}'::bigint[], '{}'::timestamptz[], '{}'::text[], '{}'::bigint[], \
    '{}'::jsonb[], '{}'::text[], '{}'::text[], '{}'::timestamptz[], '{}'::text[], '{}'::text[], \
    '{}'::bigint[], '{}'::bigint[], '{}'::bigint[], '{}'::boolean[], '{}'::text[], '{}'::text[], \
    '{}'::text[], '{}'::text[], '{}'::text[]";

fn deposit(agent: &str, rp: i64, fee: i64) -> NewTransaction {
    NewTransaction {
        kind: Some(Kind::Deposit),
        operator: "BNIUS100294".into(),
        agent_code: agent.into(),
        amount: Rupiah::from_rupiah(rp),
        admin_fee: Rupiah::from_rupiah(fee),
        destination: Destination {
            bank_code: Some("BNI".into()),
            account_number: Some(format!("{rp:010}")),
            ..Destination::default()
        },
        ..NewTransaction::default()
    }
}

/// A deposit walked to `end` (succeeded, failed or unknown).
fn pay(j: &Journal, agent: &str, rp: i64, end: State) -> String {
    let sid = j.begin(deposit(agent, rp, 2_500)).expect("begin");
    j.step(
        &sid,
        State::Draft,
        State::Sending,
        "BNIUS100294",
        None,
        StepFacts::default(),
    )
    .expect("sending");
    j.step(
        &sid,
        State::Sending,
        end,
        "BNIUS100294",
        None,
        StepFacts::default(),
    )
    .expect("end");
    sid
}

fn admin(c: &Cluster) -> FleetUrl {
    FleetUrl::parse(&c.admin_url()).expect("admin url")
}

async fn enroll(c: &Cluster, j: &Journal, label: &str) -> (FleetUrl, String) {
    let id = j.terminal_identity().expect("id").terminal_id;
    let pw = central::random_password().expect("pw");
    let url = central::enroll(&admin(c), &id, label, &pw)
        .await
        .expect("enroll");
    (url, pw)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_terminals_ship_exactly_once_and_cannot_touch_each_other() {
    let c = Cluster::start().expect("cluster");
    let first = central::init(&admin(&c)).await.expect("init");
    assert_eq!(first.from_version, 0);
    let again = central::init(&admin(&c)).await.expect("init is idempotent");
    assert_eq!(
        (again.from_version, again.version),
        (SCHEMA_VERSION, SCHEMA_VERSION)
    );

    let dir = tempfile::tempdir().expect("dir");
    let a = Journal::open(&dir.path().join("a.db")).expect("a");
    let b = Journal::open(&dir.path().join("b.db")).expect("b");
    let (url_a, pw_a) = enroll(&c, &a, "A").await;
    let (url_b, _) = enroll(&c, &b, "B").await;
    for i in 0..7 {
        pay(&a, "AGENTA", 10_000 + i, State::Succeeded);
    }
    pay(&a, "AGENTA", 77_000, State::Unknown);
    for i in 0..5 {
        pay(
            &b,
            "AGENTB",
            20_000 + i,
            if i == 0 {
                State::Failed
            } else {
                State::Succeeded
            },
        );
    }

    // Small batches: several round trips, each acknowledged after commit.
    let ra = ship_once(&a, &url_a, 4).await.expect("ship a");
    assert_eq!(ra.acked, a.last_seq().expect("last"));
    assert!(ra.batches >= 6, "{ra:?}");
    assert_eq!(a.fleet_acked().expect("acked"), ra.acked);
    let rb = ship_once(&b, &url_b, DEFAULT_BATCH).await.expect("ship b");
    assert_eq!(rb.pending(), 0);

    // A re-sent batch changes nothing (the ack lost, as after a crash).
    let resend = a.outbox(0, 100).expect("outbox");
    let client = url_a.connect().await.expect("connect");
    let stmt = client.prepare(SHIP_SQL).await.expect("prepare");
    let last = send_batch(&client, &stmt, &ra.terminal_id, ra.local, &resend)
        .await
        .expect("re-send");
    assert_eq!(last, ra.acked);

    // Central events == union of the local outboxes: same seqs, no dup, no gap.
    let su = c.url_for(SUPERUSER, c.password(), "postgres");
    let sc = FleetUrl::parse(&su)
        .expect("su")
        .connect()
        .await
        .expect("su connect");
    for (j, r) in [(&a, &ra), (&b, &rb)] {
        let rows = sc
            .query(
                "SELECT seq, hash FROM loket_fleet.events WHERE terminal_id = $1::text::uuid ORDER BY seq",
                &[&r.terminal_id],
            )
            .await
            .expect("events");
        let central: Vec<(i64, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        let local: Vec<(i64, String)> = j
            .outbox(0, 10_000)
            .expect("outbox")
            .into_iter()
            .map(|e| (e.seq, e.hash))
            .collect();
        assert_eq!(central, local);
    }

    // Terminal A's credentials: no table may be read, B's id may not be used.
    let deny = c.psql(
        url_a.user(),
        &pw_a,
        "SELECT count(*) FROM loket_fleet.events",
    );
    assert!(!deny.status.success());
    assert!(String::from_utf8_lossy(&deny.stderr).contains("permission denied"));
    let deny = c.psql(
        url_a.user(),
        &pw_a,
        "SELECT count(*) FROM loket_fleet.transactions",
    );
    assert!(String::from_utf8_lossy(&deny.stderr).contains("permission denied"));
    let deny = c.psql(
        url_a.user(),
        &pw_a,
        &format!(
            "SELECT loket_fleet.ship('{}'::uuid, 1, 'X', {EMPTY_BATCH})",
            rb.terminal_id
        ),
    );
    assert!(!deny.status.success());
    assert!(
        String::from_utf8_lossy(&deny.stderr).contains("not registered"),
        "{}",
        String::from_utf8_lossy(&deny.stderr)
    );
    let deny = c.psql(
        url_a.user(),
        &pw_a,
        &format!(
            "INSERT INTO loket_fleet.events (terminal_id, seq, at, source, source_id, row, hash) \
             VALUES ('{}', 999, now(), 'events', 1, '{{}}', 'x')",
            rb.terminal_id
        ),
    );
    assert!(String::from_utf8_lossy(&deny.stderr).contains("permission denied"));
    // Through the driver, the same refusal is one clear error.
    let mut stolen = b.outbox(0, 1).expect("outbox");
    stolen[0].seq = rb.acked + 1;
    let e = send_batch(&client, &stmt, &rb.terminal_id, 1, &stolen)
        .await
        .expect_err("refused");
    assert!(format!("{e:?}").contains("not registered"), "{e:?}");

    // The fleet views through a viewer login.
    let viewer = central::add_viewer(&admin(&c), "staff1", "viewer-pass-1")
        .await
        .expect("viewer");
    let v = read::viewer(&viewer).await.expect("viewer connect");
    let st = read::status(&v).await.expect("status");
    assert_eq!(st.len(), 2);
    let sa = st.iter().find(|s| s.label == "A").expect("A");
    assert_eq!((sa.lag_events, sa.open_doubts), (0, 1));
    assert_eq!(sa.agent_code.as_deref(), Some("AGENTA"));
    let d = read::doubts(&v, read::DOUBT_PAGE).await.expect("doubts");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].amount_sen, Some(7_700_000));
    let today = Utc::now().with_timezone(&journal::wib()).date_naive();
    let fleet_day = read::summary(&v, today).await.expect("summary");
    let local = read::add_summaries(
        today,
        &[
            a.day_summary(today).expect("a"),
            b.day_summary(today).expect("b"),
        ],
    );
    assert_eq!(
        serde_json::to_value(&fleet_day.total).expect("json"),
        serde_json::to_value(&local).expect("json"),
        "the fleet total equals the terminals' own summaries to the sen"
    );
    let agent_a = fleet_day
        .agents
        .iter()
        .find(|x| x.agent_code == "AGENTA")
        .expect("agent a");
    assert_eq!(
        serde_json::to_value(&agent_a.summary).expect("json"),
        serde_json::to_value(a.day_summary(today).expect("a")).expect("json")
    );
    // A viewer cannot write.
    let deny = c.psql("staff1", "viewer-pass-1", "DELETE FROM loket_fleet.events");
    assert!(String::from_utf8_lossy(&deny.stderr).contains("permission denied"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_sending_after_succeeded_does_not_move_the_state_back() {
    let c = Cluster::start().expect("cluster");
    central::init(&admin(&c)).await.expect("init");
    let dir = tempfile::tempdir().expect("dir");
    let j = Journal::open(&dir.path().join("j.db")).expect("j");
    let (url, _) = enroll(&c, &j, "T").await;
    let sid = pay(&j, "AG", 50_000, State::Succeeded);
    let r = ship_once(&j, &url, DEFAULT_BATCH).await.expect("ship");
    // The `sending` event again, as a late delivery at the next seq.
    let mut late: Vec<_> = j
        .outbox(0, 100)
        .expect("outbox")
        .into_iter()
        .filter(|e| e.row["to_state"] == "sending")
        .collect();
    assert_eq!(late.len(), 1);
    late[0].seq = r.acked + 1;
    late[0].hash = "late".into();
    let client = url.connect().await.expect("connect");
    let stmt = client.prepare(SHIP_SQL).await.expect("prepare");
    send_batch(&client, &stmt, &r.terminal_id, r.acked + 1, &late)
        .await
        .expect("late event accepted as an event");
    let sc = admin(&c).connect().await.expect("su");
    let state: String = sc
        .query_one(
            "SELECT state FROM loket_fleet.transactions WHERE sid = $1",
            &[&sid],
        )
        .await
        .expect("row")
        .get(0);
    assert_eq!(state, "succeeded");
    // And a gap is refused rather than stored.
    late[0].seq = r.acked + 5;
    let gap = send_batch(&client, &stmt, &r.terminal_id, r.acked + 5, &late)
        .await
        .expect_err("gap");
    assert!(format!("{gap:?}").contains("a gap"), "{gap:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_url_wrong_password_missing_and_newer_schema_each_say_so_once() {
    let c = Cluster::start().expect("cluster");
    let dir = tempfile::tempdir().expect("dir");
    let j = Journal::open(&dir.path().join("j.db")).expect("j");
    pay(&j, "AG", 10_000, State::Succeeded);

    assert!(matches!(
        FleetUrl::parse("mysql://x@y/z"),
        Err(FleetError::BadUrl(_))
    ));
    let wrong =
        FleetUrl::parse(&c.url_for(SUPERUSER, "not-the-password", "postgres")).expect("url");
    let e = ship_once(&j, &wrong, 10).await.expect_err("wrong password");
    assert!(matches!(e, FleetError::BadPassword), "{e:?}");
    let said = words::Say::say(&e);
    for shown in [e.to_string(), said.id().to_owned(), said.en().to_owned()] {
        assert!(!shown.contains("not-the-password"), "{shown}");
    }

    // Nothing listens on this port: refused, transient.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let refused =
        FleetUrl::parse(&format!("postgres://u:p@127.0.0.1:{port}/postgres")).expect("url");
    let e = ship_once(&j, &refused, 10).await.expect_err("refused");
    assert!(
        matches!(e, FleetError::Unreachable(_)) && e.is_transient(),
        "{e:?}"
    );

    let e = ship_once(&j, &admin(&c), 10).await.expect_err("no schema");
    assert!(matches!(e, FleetError::NoSchema), "{e:?}");

    // TLS asked of a server without it: a TLS error, not a hang.
    let tls = FleetUrl::parse(&format!("{}?sslmode=require", c.admin_url())).expect("url");
    let e = ship_once(&j, &tls, 10).await.expect_err("no tls");
    assert!(
        matches!(e, FleetError::Tls(_) | FleetError::Unreachable(_)),
        "{e:?}"
    );

    central::init(&admin(&c)).await.expect("init");
    let sc = admin(&c).connect().await.expect("su");
    sc.batch_execute("UPDATE loket_fleet.meta SET version = 99")
        .await
        .expect("newer");
    let e = ship_once(&j, &admin(&c), 10).await.expect_err("newer");
    assert!(
        matches!(e, FleetError::SchemaTooNew { found: 99, .. }),
        "{e:?}"
    );
    // Said to a person in either language, each whole (Display is the English, for logs).
    let said = words::Say::say(&e);
    assert!(said.id().contains("perbarui Loket"), "{}", said.id());
    assert!(said.en().contains("update Loket"), "{}", said.en());
    let e = central::init(&admin(&c))
        .await
        .expect_err("init refuses to downgrade");
    assert!(matches!(e, FleetError::SchemaTooNew { .. }));
    // The terminal kept working locally all along, nothing acknowledged.
    pay(&j, "AG", 11_000, State::Succeeded);
    assert_eq!(j.fleet_acked().expect("acked"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_1_fleet_upgrades_with_its_day_rollup_filled() {
    let c = Cluster::start().expect("cluster");
    central::init_to(&admin(&c), 1).await.expect("init v1");
    let dir = tempfile::tempdir().expect("dir");
    let j = Journal::open(&dir.path().join("j.db")).expect("j");
    let id = j.terminal_identity().expect("id").terminal_id;
    pay(&j, "AGENTV", 11_000, State::Succeeded);
    let doubt = pay(&j, "AGENTV", 12_000, State::Unknown);
    pay(&j, "AGENTV", 13_000, State::Failed);
    // Shipped by a version-1 Loket (the row-at-a-time jsonb ship()), as
    // the admin role registered for the terminal.
    let sc = admin(&c).connect().await.expect("su");
    sc.execute(
        "INSERT INTO loket_fleet.terminals (terminal_id, db_role, label) VALUES ($1::text::uuid, $2, 'V')",
        &[&id, &fleet::testpg::SUPERUSER],
    )
    .await
    .expect("register");
    let events = serde_json::to_value(j.outbox(0, 1000).expect("outbox")).expect("json");
    let last: i64 = sc
        .query_one(
            "SELECT loket_fleet.ship($1::text::uuid, $2, '', $3)",
            &[&id, &j.last_seq().expect("last"), &events],
        )
        .await
        .expect("v1 ship")
        .get(0);
    j.fleet_ack(last).expect("ack");

    let up = central::init(&admin(&c)).await.expect("upgrade");
    assert_eq!((up.from_version, up.version), (1, SCHEMA_VERSION));
    // More payments, shipped by this build's set-based ship().
    // ... and the doubt shipped before the upgrade settles after it: the
    // rollup moves the row from `unknown` to `succeeded`.
    pay(&j, "AGENTV", 14_000, State::Succeeded);
    j.step(
        &doubt,
        State::Unknown,
        State::Succeeded,
        "BNIUS100294",
        None,
        StepFacts::default(),
    )
    .expect("settled");
    let r = ship_once(&j, &admin(&c), 3).await.expect("v2 ship");
    assert_eq!(r.pending(), 0);

    let today = Utc::now().with_timezone(&journal::wib()).date_naive();
    let fleet_day = read::summary(&sc, today).await.expect("summary");
    assert_eq!(
        serde_json::to_value(&fleet_day.total).expect("json"),
        serde_json::to_value(j.day_summary(today).expect("own")).expect("json"),
        "the rollup (backfilled, then kept by ship()) equals the journal's own summary"
    );
    // The rollup equals a fresh count over `transactions`.
    let drift: i64 = sc
        .query_one(
            "SELECT count(*) FROM (SELECT loket_fleet.wib_day(created_at) d, agent_code, kind, state, \
               terminal_id, count(*) n FROM loket_fleet.transactions GROUP BY 1, 2, 3, 4, 5) t \
             FULL JOIN (SELECT * FROM loket_fleet.daily WHERE n <> 0) x \
               ON (x.day, x.agent_code, x.kind, x.state, x.terminal_id) = (t.d, t.agent_code, t.kind, t.state, t.terminal_id) \
             WHERE t.n IS DISTINCT FROM x.n",
            &[],
        )
        .await
        .expect("compare")
        .get(0);
    assert_eq!(drift, 0);
}

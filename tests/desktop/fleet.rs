//! The fleet from the real app (issue 14), against a private PostgreSQL
//! cluster: a deposit reaches the central database and the status bar says
//! "Armada: tersinkron"; with PostgreSQL stopped payments still go through
//! and it says "tertunda N"; started again, it catches up in order. The
//! Armada screen (an agent's login, so a supervisor approves) shows the
//! doubt, today's totals equal to the terminal's own, and a quiet terminal.

use std::sync::Arc;

use ::fleet::testpg::Cluster;
use ::fleet::{central, FleetStore, FleetUrl};
use fantoccini::key::Key;
use journal::Journal;

use super::flows::{agent_login, approve, money_flow, SUPERVISOR_PASSWORD};
use super::*;

const LABEL: &str = "Toko Uji";
const QUIET: &str = "Toko Sepi";

/// Waits (up to `secs`) until `#fleet-status` satisfies `ok`.
async fn fleet_status_until(c: &Client, secs: u64, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let t = text_of(c, "#fleet-status").await;
        if ok(&t) {
            return t;
        }
        assert!(Instant::now() < deadline, "#fleet-status says {t:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The central (seq, hash) of a terminal, in order.
async fn central_rows(admin: &FleetUrl, terminal: &str) -> Vec<(i64, String)> {
    let client = admin.connect().await.expect("admin connects");
    client
        .query(
            "SELECT seq, hash FROM loket_fleet.events WHERE terminal_id = $1::text::uuid ORDER BY seq",
            &[&terminal],
        )
        .await
        .expect("events")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

fn local_rows(j: &Journal) -> Vec<(i64, String)> {
    j.outbox(0, 100_000)
        .expect("outbox")
        .into_iter()
        .map(|e| (e.seq, e.hash))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_ships_to_the_fleet_and_catches_up_after_an_outage() {
    let cluster = Arc::new(Cluster::start().expect("private PostgreSQL cluster"));
    let admin = FleetUrl::parse(&cluster.admin_url()).expect("admin url");
    central::init(&admin).await.expect("fleet init");
    let viewer = central::add_viewer(&admin, "staff_e2e", "viewer-pass-e2e")
        .await
        .expect("viewer");
    let terminal = Arc::new(std::sync::Mutex::new(String::new()));

    let (adm, term) = (admin.clone(), terminal.clone());
    let prepare = move |dir: PathBuf| async move {
        // The terminal is enrolled before the app starts, as an installer does.
        let j = Journal::open(&dir.join("journal.db")).expect("journal");
        let id = j.terminal_identity().expect("identity").terminal_id;
        j.set_terminal_label(Some(LABEL)).expect("label");
        let url = central::enroll(&adm, &id, LABEL, "terminal-pass-e2e")
            .await
            .expect("enroll");
        FleetStore::new(&dir).save(&url).expect("sealed url");
        // A second terminal that never ships: it has gone quiet.
        central::enroll(
            &adm,
            "00000000-0000-4000-8000-0000000000aa",
            QUIET,
            "quiet-pass-e2e",
        )
        .await
        .expect("enroll quiet");
        *term.lock().unwrap() = id;
    };

    let (pg, adm) = (cluster.clone(), admin.clone());
    drive_prepared("fleet", prepare, move |c, dir| async move {
        let id = terminal.lock().unwrap().clone();
        agent_login(&c).await;
        fleet_status_until(&c, 30, |t| t.contains("Armada: tersinkron")).await;

        // Pengaturan shows the terminal's fleet id and label.
        press(&c, Key::F9).await;
        wait_text(&c, "#terminal-id", &id).await;
        wait_text(&c, "#terminal-label", LABEL).await;
        press(&c, Key::Escape).await;

        // A deposit reaches the central database; the bar says so.
        let r = money_flow(&c, Key::F2, None, "14049", "50000", "BUDI SANTOSO", None).await;
        assert!(r.contains("BERHASIL"), "{r}");
        press(&c, Key::Enter).await;
        let j = Journal::open(&dir.join("journal.db")).expect("journal");
        let deadline = Instant::now() + Duration::from_secs(30);
        while central_rows(&adm, &id).await != local_rows(&j) {
            assert!(Instant::now() < deadline, "the deposit never reached the fleet");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let rows = central_rows(&adm, &id).await;
        let client = adm.connect().await.expect("admin");
        let state: String = client
            .query_one(
                "SELECT state FROM loket_fleet.transactions WHERE terminal_id = $1::text::uuid \
                 AND kind = 'deposit'",
                &[&id],
            )
            .await
            .expect("the deposit centrally")
            .get(0);
        assert_eq!(state, "succeeded");
        drop(client);
        fleet_status_until(&c, 15, |t| t.contains("Armada: tersinkron")).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        screenshot(&c, "fleet-synced").await;

        // PostgreSQL stops: payments still go through, the bar counts them.
        pg.stop().expect("stop PostgreSQL");
        let r = money_flow(&c, Key::F3, None, "14048", "25000", "SITI RAHAYU", None).await;
        assert!(r.contains("BERHASIL"), "payments go on without the fleet: {r}");
        press(&c, Key::Enter).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        let text = loop {
            let pending = j.last_seq().expect("last") - j.fleet_acked().expect("acked");
            let t = text_of(&c, "#fleet-status").await;
            if pending > 0 && t.contains(&format!("Armada: tertunda {pending}")) && t.contains("luring") {
                break t;
            }
            assert!(Instant::now() < deadline, "pending {pending}, the bar says {t:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert!(text.contains("coba lagi"), "{text}");
        // The server is down: the local mark is where the first deposit left it.
        let last_central = rows.last().map(|r| r.0).unwrap_or(0);
        assert_eq!(j.fleet_acked().expect("acked"), last_central, "nothing acknowledged meanwhile");
        tokio::time::sleep(Duration::from_millis(500)).await;
        screenshot(&c, "fleet-pending").await;

        // Started again: it catches up, in order, nothing doubled.
        pg.start_server().expect("start PostgreSQL");
        fleet_status_until(&c, 90, |t| t.contains("Armada: tersinkron")).await;
        assert_eq!(central_rows(&adm, &id).await, local_rows(&j), "caught up in order");

        // A deposit in doubt, then the Armada screen through the viewer role.
        let base = sandbox_url(&c).await;
        sandbox_admin(
            &base,
            "/_sandbox/faults",
            serde_json::json!({"seed": 1, "rules": [{"endpoint": "bsa/depositAccount", "fault": {"kind": "commit-then-drop"}, "times": 1}]}),
        )
        .await;
        let r = money_flow(&c, Key::F2, None, "14049", "40000", "BUDI SANTOSO", None).await;
        assert!(r.contains("DALAM PROSES"), "{r}");
        press(&c, Key::Enter).await;
        fleet_status_until(&c, 30, |t| t.contains("Armada: tersinkron")).await;

        press(&c, Key::F12).await;
        fill(&c, "#armada-viewer-url", &viewer.to_secret_string()).await;
        click(&c, "#armada-refresh").await;
        approve(&c, SUPERVISOR_PASSWORD).await;
        wait_text(&c, "#armada-doubt-terminals", LABEL).await;
        wait_text(&c, "#armada-doubts", "40.000").await;
        wait_text(&c, "#armada-quiet", QUIET).await;
        let agents = wait_text(&c, "#armada-agents", "BNI014100294").await;
        let today = chrono::Utc::now()
            .with_timezone(&journal::wib())
            .date_naive();
        let own = j.day_summary(today).expect("own day summary");
        let total = text_of(&c, "#armada-total-cash-in").await;
        assert_eq!(total, own.cash_in.to_string(), "{agents}");
        let page = c.source().await.unwrap_or_default();
        assert!(!page.contains("viewer-pass-e2e"), "the viewer's password is not on the page");
        // Indonesian mode names the kind as the rest of the app does.
        wait_text(&c, "#armada-doubts", "Setor Tunai").await;
        // The three views: doubts, today's totals, the terminals.
        for (section, shot) in [
            ("armada-doubt-terminals", "armada-doubts"),
            ("armada-agents", "armada-summary"),
            ("armada-terminals", "armada-status"),
        ] {
            c.execute(
                &format!("document.getElementById('{section}').scrollIntoView({{block: 'center'}});"),
                vec![],
            )
            .await
            .expect("scroll");
            tokio::time::sleep(Duration::from_millis(500)).await;
            screenshot(&c, shot).await;
        }
    })
    .await;
}

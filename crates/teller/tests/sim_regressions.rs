//! Defects the counter-day simulator (crates/simulator, issue 12) found in
//! the teller core, each kept as a test that failed before its fix.

use std::sync::Arc;
use std::time::Duration;

use bankplus::{Password, Pin};
use journal::{Journal, State};
use money::Rupiah;
use sandbox::{demo, Fault, FaultPlan, FaultRule, Sandbox, SandboxConfig};
use teller::{Teller, TellerConfig};

async fn teller_on(sandbox: &Sandbox, db: &std::path::Path) -> Teller {
    // A second `Journal::open` of the same file takes its own lease: to the
    // journal it is another process, as a `loket` run beside the app is.
    let journal = Arc::new(Journal::open(db).expect("journal"));
    let t = Teller::new(
        &TellerConfig {
            server: sandbox.base_url(),
            switcher: Some(sandbox.base_url()),
            timeout: Duration::from_secs(10),
        },
        journal,
    )
    .expect("teller")
    .with_check_settle(Duration::ZERO);
    t.login(demo::USERNAME, &Password::new(demo::PASSWORD))
        .await
        .expect("login");
    t
}

/// Simulator seed 1: the app checked a doubt while a `loket` child's
/// start-up recovery checked the same one; the child recorded the answer
/// first and the app's `check` failed with a journal error ("… is
/// succeeded, it cannot become succeeded"). Now the answer already recorded
/// stands and `check` returns the row as it is.
#[tokio::test]
async fn a_doubt_settled_by_another_process_during_a_check_is_not_an_error() {
    let sandbox = Sandbox::start(SandboxConfig::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    let app = teller_on(&sandbox, &db).await;
    let cli = teller_on(&sandbox, &db).await;

    // A deposit the bank books but whose answer is lost: in doubt.
    sandbox.set_faults(FaultPlan {
        seed: 1,
        rules: vec![FaultRule {
            endpoint: "/bankplus/bsa/depositAccount".into(),
            fault: Fault::CommitThenDrop,
            probability: 1.0,
            times: Some(1),
        }],
    });
    let q = app
        .quote_deposit(&teller::DepositForm {
            to_account: "14047".into(),
            amount: Rupiah::from_rupiah(25_000).unwrap(),
            name: None,
            narration: None,
        })
        .await
        .unwrap();
    let out = app
        .pay(&q.sid, &Pin::new(demo::PIN).unwrap(), None)
        .await
        .unwrap();
    assert_eq!(out.record.state, State::Unknown);

    // The app's /check answer is slow; the other process checks meanwhile.
    sandbox.set_faults(FaultPlan {
        seed: 1,
        rules: vec![FaultRule {
            endpoint: "/check".into(),
            fault: Fault::Latency { ms: 800 },
            probability: 1.0,
            times: Some(1),
        }],
    });
    let sid = q.sid.clone();
    let slow = async { app.check(&sid, "app").await };
    let fast = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        cli.check(&sid, "cli").await
    };
    let (slow, fast) = tokio::join!(slow, fast);
    assert_eq!(
        fast.expect("the other process settles it").state,
        State::Succeeded
    );
    let slow = slow.expect("the app's check returns the row, not a journal error");
    assert_eq!(slow.state, State::Succeeded);
    assert_eq!(sandbox.postings_for_sid(&q.sid), 1);
}

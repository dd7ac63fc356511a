//! The simulator's daily checks see a defect on the day it happens: a
//! double debit (a second process pays a deposit again through its own
//! journal) and a row the journal says succeeded that never reached the
//! bank. The same seed without the plant passes, so the failure is the
//! plant's.

use simulator::{run, Config, Failure, Plant};

fn cfg(plant: Option<Plant>) -> Config {
    Config {
        seed: 20261129,
        flows: 240,
        days: 3,
        children_per_day: 0,
        loket: None,
        work_dir: None,
        plant,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Runs a planted seed; it must fail. The data directory a failure keeps
/// for a look is removed.
fn planted(plant: Plant) -> Failure {
    let f = runtime()
        .block_on(run(&cfg(Some(plant))))
        .expect_err("the planted defect is caught");
    if let Some(rest) = f.what.split("(data directory kept: ").nth(1) {
        let data = std::path::PathBuf::from(rest.trim_end_matches(')').trim());
        if let Some(run_dir) = data.parent() {
            let _ = std::fs::remove_dir_all(run_dir);
        }
    }
    f
}

#[test]
fn the_seed_without_a_plant_passes() {
    let r = runtime()
        .block_on(run(&cfg(None)))
        .expect("the clean run passes");
    assert_eq!(r.flows, 240);
    assert_eq!(r.day_stats.len(), 3);
}

#[test]
fn a_planted_double_debit_fails_the_daily_check_of_its_day() {
    let f = planted(Plant::DoubleDebit { day: 2 });
    assert_eq!(f.day, 2, "{f}");
    assert!(
        f.what.contains("statement only") || f.what.contains("agent balance"),
        "{f}"
    );
    assert!(f.replay.contains("--seed 20261129"), "{f}");
}

#[test]
fn a_planted_success_without_a_posting_fails_the_daily_check_of_its_day() {
    let f = planted(Plant::PhantomSuccess { day: 2 });
    assert_eq!(f.day, 2, "{f}");
    assert!(
        f.what
            .contains("in the journal but the ledger has 0 postings"),
        "{f}"
    );
}

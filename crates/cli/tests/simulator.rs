//! The CI slice of the counter-day simulator (issue 12): fixed seeds, so CI
//! is reproducible, each a few simulated days of flows in the simulator's
//! long-lived teller plus real `loket` child processes on the same data
//! directory (some started while a payment is in flight, some killed with
//! SIGKILL), under random faults on every endpoint. After every day the
//! invariants are checked (see `crates/simulator`). `make soak` runs the
//! long version with fresh seeds.
//!
//! A seed that ever fails joins `SEEDS`, with a comment naming what it found.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use simulator::{run, Config};

/// Fixed seeds. The first ones are regressions:
const SEEDS: &[u64] = &[
    // Found that `check` failed with a journal error ("transaction … is
    // failed, it cannot become failed") when another process (a `loket`
    // child's start-up recovery) settled the same doubt first; now the
    // other process's answer stands (teller::Teller::check).
    1,
    2,
    3,
    5,
    8,
    13,
    21,
    34,
    55,
    89,
    144,
    233,
    377,
    20261129,
    // Found a false alarm of the simulator's own secret scanner: a PIN's six
    // digits inside a chain hash in journal.db (now only a standalone PIN counts).
    18257567477468402831,
    // Found another false alarm of the scanner: "123456", the new accounts'
    // PIN, is also the prefix of every account number the sandbox opens and
    // stood alone in a WAL page; the simulator never sends it, so it is no
    // longer looked for.
    13413314023742533592,
    // Found (in a 25,000-flow soak) that the simulator took the supervisor's
    // approval before a slow scan and it expired before the reversal; the
    // approval is now taken right before the call, as the app asks for it.
    17362642440479066031,
    // Found (in the 1,000,000-flow soak, twice) that the simulator drew the
    // KTP serial 0000, which Loket rightly refuses as implausible; the plan
    // now draws 0001-9999 (simulator::open_account_form). These two took
    // the places of the plain seeds 610 and 987, so CI runs as many flows.
    52638954518845958,
    5735622078412002600,
];
const FLOWS_PER_SEED: u64 = 1_060;
const DAYS: u32 = 4;
const CHILDREN_PER_DAY: u32 = 2;

#[test]
fn twenty_thousand_flows_over_sixteen_seeds_keep_every_invariant() {
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let flows = Arc::new(AtomicUsize::new(0));
    // Two seeds at a time: CI has two cores.
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (next, failures, flows) =
                (Arc::clone(&next), Arc::clone(&failures), Arc::clone(&flows));
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("a runtime");
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&seed) = SEEDS.get(i) else { break };
                    let cfg = Config {
                        seed,
                        flows: FLOWS_PER_SEED,
                        days: DAYS,
                        children_per_day: CHILDREN_PER_DAY,
                        loket: Some(PathBuf::from(env!("CARGO_BIN_EXE_loket"))),
                        work_dir: None,
                        plant: None,
                    };
                    match rt.block_on(run(&cfg)) {
                        Ok(r) => {
                            flows.fetch_add(r.flows as usize, Ordering::SeqCst);
                            eprintln!(
                                "seed {seed}: {} flows, {} payments, {} doubts, {} reversals, {} children ({} killed, {} during a payment), {:.1} s",
                                r.flows,
                                r.payments,
                                r.doubts,
                                r.reversals,
                                r.children,
                                r.killed,
                                r.in_flight_children,
                                r.elapsed.as_secs_f64()
                            );
                        }
                        Err(f) => failures.lock().expect("lock").push(f.to_string()),
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a worker");
    }
    let failures = failures.lock().expect("lock");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        flows.load(Ordering::SeqCst) >= 20_000,
        "at least 20,000 flows ran"
    );
}

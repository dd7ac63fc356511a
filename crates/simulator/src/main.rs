//! `loket-sim`: runs the counter-day simulator for fixed or fresh random
//! seeds and prints flows/s and the seeds used (`make soak`).
//!
//! ```text
//! loket-sim [--seed N]... [--seeds COUNT] [--flows PER_SEED] [--days D]
//!           [--children PER_DAY] [--jobs J] [--loket PATH]
//! ```
//! Without `--seed`, COUNT fresh random seeds are drawn. The `loket` binary
//! defaults to the one next to this program (same cargo target dir).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use simulator::{run, Config};

fn usage(why: &str) -> ExitCode {
    eprintln!(
        "loket-sim: {why}\nusage: loket-sim [--seed N]... [--seeds COUNT] [--flows PER_SEED] [--days D] [--children PER_DAY] [--jobs J] [--loket PATH]"
    );
    ExitCode::from(2)
}

fn fresh_seed(i: u64) -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut r = simulator::Rng::new(t ^ (u64::from(std::process::id()) << 32) ^ i);
    r.next_u64()
}

fn main() -> ExitCode {
    let mut seeds: Vec<u64> = Vec::new();
    let (mut count, mut flows, mut days, mut children, mut jobs) =
        (4u64, 5_000u64, 10u32, 3u32, 2usize);
    let mut loket: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next();
        let num = |v: Option<String>| v.and_then(|v| v.trim().parse::<u64>().ok());
        match a.as_str() {
            "--seed" => match num(val()) {
                Some(n) => seeds.push(n),
                None => return usage("--seed needs a number"),
            },
            "--seeds" => match num(val()) {
                Some(n) => count = n,
                None => return usage("--seeds needs a number"),
            },
            "--flows" => match num(val()) {
                Some(n) => flows = n,
                None => return usage("--flows needs a number"),
            },
            "--days" => match num(val()) {
                Some(n) if n > 0 && n <= 100_000 => days = n as u32,
                _ => return usage("--days needs a number from 1 to 100000"),
            },
            "--children" => match num(val()) {
                Some(n) if n <= 1_000 => children = n as u32,
                _ => return usage("--children needs a number up to 1000"),
            },
            "--jobs" => match num(val()) {
                Some(n) if n > 0 && n <= 64 => jobs = n as usize,
                _ => return usage("--jobs needs a number from 1 to 64"),
            },
            "--loket" => match val() {
                Some(p) => loket = Some(PathBuf::from(p)),
                None => return usage("--loket needs a path"),
            },
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }
    if seeds.is_empty() {
        seeds = (0..count).map(fresh_seed).collect();
    }
    let loket = loket.or_else(|| {
        let p = std::env::current_exe().ok()?.with_file_name("loket");
        p.exists().then_some(p)
    });
    if loket.is_none() {
        eprintln!("loket-sim: no loket binary next to this program: running without child processes (build it: cargo build --release -p loket-cli)");
    }
    println!(
        "loket-sim: {} seed(s) x {flows} flows, {days} day(s), {children} child process(es) a day, {jobs} job(s)",
        seeds.len()
    );
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let total = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let seeds = Arc::new(seeds);
    let workers: Vec<_> = (0..jobs)
        .map(|_| {
            let (next, total, failures, seeds, loket) = (
                Arc::clone(&next),
                Arc::clone(&total),
                Arc::clone(&failures),
                Arc::clone(&seeds),
                loket.clone(),
            );
            std::thread::spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        eprintln!("loket-sim: no runtime: {e}");
                        return;
                    }
                };
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&seed) = seeds.get(i) else { break };
                    let cfg = Config {
                        seed,
                        flows,
                        days,
                        children_per_day: children,
                        loket: loket.clone(),
                        work_dir: std::env::var_os("LOKET_SIM_DIR").map(PathBuf::from),
                    };
                    match rt.block_on(run(&cfg)) {
                        Ok(r) => {
                            total.fetch_add(r.flows, Ordering::SeqCst);
                            println!(
                                "seed {seed}: ok, {} flows ({} payments, {} doubts, {} reversals, {} children, {} killed, {} during a payment) in {:.1} s, {:.0} flows/s",
                                r.flows,
                                r.payments,
                                r.doubts,
                                r.reversals,
                                r.children,
                                r.killed,
                                r.in_flight_children,
                                r.elapsed.as_secs_f64(),
                                r.flows as f64 / r.elapsed.as_secs_f64().max(1e-9)
                            );
                        }
                        Err(f) => {
                            println!("seed {seed}: FAILED\n{f}");
                            if let Ok(mut v) = failures.lock() {
                                v.push(seed);
                            }
                        }
                    }
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    let secs = started.elapsed().as_secs_f64();
    let flows_done = total.load(Ordering::SeqCst);
    let failed = failures.lock().map(|v| v.clone()).unwrap_or_default();
    println!(
        "loket-sim: {flows_done} flows in {secs:.1} s: {:.0} flows/s; seeds: {}",
        flows_done as f64 / secs.max(1e-9),
        seeds
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    if failed.is_empty() {
        println!("loket-sim: all seeds passed");
        ExitCode::SUCCESS
    } else {
        println!(
            "loket-sim: FAILED seeds (add them to the CI set in crates/cli/tests/simulator.rs): {}",
            failed
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        ExitCode::FAILURE
    }
}

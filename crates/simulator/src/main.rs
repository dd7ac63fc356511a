//! `loket-sim`: runs the counter-day simulator for fixed or fresh random
//! seeds and prints flows, seeds, flows/s and duration (`make soak`).
//!
//! ```text
//! loket-sim [--seed N]... [--seeds COUNT] [--flows PER_SEED] [--days D]
//!           [--children PER_DAY] [--jobs J] [--loket PATH] [--log FILE]
//! ```
//! Without `--seed`, COUNT fresh random seeds are drawn. The `loket` binary
//! defaults to the one next to this program (same cargo target dir).
//!
//! With `--log`, every finished seed is appended to FILE as it ends (one
//! tab-separated line), so an interrupted soak still counts what it did,
//! and the running total over the whole file is printed. The first
//! failing seed stops the run (no new seed starts) with its replay command.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use simulator::{run, Config};

fn usage(why: &str) -> ExitCode {
    eprintln!(
        "loket-sim: {why}\nusage: loket-sim [--seed N]... [--seeds COUNT] [--flows PER_SEED] [--days D] [--children PER_DAY] [--jobs J] [--loket PATH] [--log FILE]"
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
    let mut log: Option<PathBuf> = None;
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
            "--log" => match val() {
                Some(p) => log = Some(PathBuf::from(p)),
                None => return usage("--log needs a path"),
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
    if let Some(log) = &log {
        let t = totals(log);
        println!(
            "loket-sim: {} so far: {} flows, {} seeds passed, {} failed, {:.0} s of seeds",
            log.display(),
            t.flows,
            t.passed,
            t.failed,
            t.secs
        );
    }
    let started = Instant::now();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let log = Arc::new(log);
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
            let (stop, log) = (Arc::clone(&stop), Arc::clone(&log));
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
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&seed) = seeds.get(i) else { break };
                    let cfg = Config {
                        seed,
                        flows,
                        days,
                        children_per_day: children,
                        loket: loket.clone(),
                        work_dir: std::env::var_os("LOKET_SIM_DIR").map(PathBuf::from),
                        plant: None,
                    };
                    let began = Instant::now();
                    match rt.block_on(run(&cfg)) {
                        Ok(r) => {
                            let so_far = total.fetch_add(r.flows, Ordering::SeqCst) + r.flows;
                            let (first, last) = (
                                r.day_stats.first().copied().unwrap_or_default(),
                                r.day_stats.last().copied().unwrap_or_default(),
                            );
                            println!(
                                "seed {seed}: ok, {} flows ({} payments, {} doubts, {} reversals, {} children, {} killed, {} during a payment) in {:.1} s, {:.0} flows/s; day 1 {:.0} flows/s (checks {} ms), day {} {:.0} flows/s (checks {} ms), full check {} ms",
                                r.flows,
                                r.payments,
                                r.doubts,
                                r.reversals,
                                r.children,
                                r.killed,
                                r.in_flight_children,
                                r.elapsed.as_secs_f64(),
                                r.flows as f64 / r.elapsed.as_secs_f64().max(1e-9),
                                first.rate(),
                                first.check_time.as_millis(),
                                r.day_stats.len(),
                                last.rate(),
                                last.check_time.as_millis(),
                                r.final_check.as_millis()
                            );
                            if std::env::var_os("LOKET_SIM_DAYS").is_some() {
                                for (d, s) in r.day_stats.iter().enumerate() {
                                    println!(
                                        "seed {seed} day {}: {} flows, {:.0} flows/s, flows {} ms, checks {} ms",
                                        d + 1,
                                        s.flows,
                                        s.rate(),
                                        s.flows_time.as_millis(),
                                        s.check_time.as_millis()
                                    );
                                }
                            }
                            let line = record(&log, seed, &cfg, r.flows, r.elapsed.as_secs_f64(), "ok");
                            println!(
                                "loket-sim: running total: {so_far} flows this run in {:.0} s ({:.0} flows/s){line}",
                                started.elapsed().as_secs_f64(),
                                so_far as f64 / started.elapsed().as_secs_f64().max(1e-9)
                            );
                        }
                        Err(f) => {
                            stop.store(true, Ordering::SeqCst);
                            println!("seed {seed}: FAILED\n{f}");
                            record(&log, seed, &cfg, 0, began.elapsed().as_secs_f64(), "FAILED");
                            if let Ok(mut v) = failures.lock() {
                                v.push((seed, cfg.replay_command()));
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
    let ran = next.load(Ordering::SeqCst).min(seeds.len());
    println!(
        "loket-sim: {flows_done} flows, {ran} seed(s) started, in {secs:.1} s: {:.0} flows/s; seeds: {}",
        flows_done as f64 / secs.max(1e-9),
        seeds[..ran]
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    if let Some(log) = log.as_ref() {
        let t = totals(log);
        println!(
            "loket-sim: {} in total: {} flows, {} seeds passed, {} failed, {:.0} s of seeds",
            log.display(),
            t.flows,
            t.passed,
            t.failed,
            t.secs
        );
    }
    if failed.is_empty() {
        println!("loket-sim: all seeds passed");
        ExitCode::SUCCESS
    } else {
        println!(
            "loket-sim: FAILED seeds (add them to the CI set in crates/cli/tests/simulator.rs): {}",
            failed
                .iter()
                .map(|(s, _)| s.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        for (_, replay) in &failed {
            println!("replay: {replay}");
        }
        ExitCode::FAILURE
    }
}

/// Appends one finished seed to the log (best effort: the soak goes on
/// without it); returns a note for the running-total line.
fn record(
    log: &Option<PathBuf>,
    seed: u64,
    cfg: &Config,
    flows: u64,
    secs: f64,
    result: &str,
) -> String {
    use std::io::Write;
    let Some(path) = log else {
        return String::new();
    };
    let line = format!(
        "{}\t{seed}\t{flows}\t{secs:.1}\t{}\t{}\t{result}\n",
        chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ"),
        cfg.days,
        cfg.children_per_day
    );
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    match written {
        Ok(()) => {
            let t = totals(path);
            format!(
                "; {} in total: {} flows over {} seeds",
                path.display(),
                t.flows,
                t.passed
            )
        }
        Err(e) => format!("; cannot write {}: {e}", path.display()),
    }
}

#[derive(Default)]
struct Totals {
    flows: u64,
    passed: u64,
    failed: u64,
    secs: f64,
}

/// The sums over a soak log (lines it cannot read are skipped).
fn totals(path: &std::path::Path) -> Totals {
    let mut t = Totals::default();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 7 {
            continue;
        }
        t.secs += f[3].parse::<f64>().unwrap_or(0.0);
        if f[6] == "ok" {
            t.passed += 1;
            t.flows += f[2].parse::<u64>().unwrap_or(0);
        } else {
            t.failed += 1;
        }
    }
    t
}

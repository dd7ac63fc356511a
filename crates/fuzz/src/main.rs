//! `loket-fuzz [--cases N] [--seed S] [--crashes DIR] [--only NAME] [--replay FILE…]`
//!
//! Runs N cases in total, split evenly over the targets (default 10,000,000;
//! a slow target gets a fraction of a share, see `targets::case_divisor`),
//! prints cases and cases/s per target and every finding, saves each
//! finding's input under DIR/<target>/, and exits 1 when anything was found.
//! `--replay` runs saved inputs through the target named by their folder.

use std::path::PathBuf;
use std::process::ExitCode;

use loket_fuzz::{run_one, run_target, targets};

fn main() -> ExitCode {
    let mut cases: u64 = 10_000_000;
    let mut seed: u64 = 0x4c6f_6b65_7400_0012;
    let mut crashes = PathBuf::from("fuzz-crashes");
    let mut only: Option<String> = None;
    let mut replay: Vec<PathBuf> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| {
            args.next().unwrap_or_else(|| {
                eprintln!("{name} needs a value");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--cases" => cases = parse_num(&value("--cases")),
            "--seed" => seed = parse_num(&value("--seed")),
            "--crashes" => crashes = PathBuf::from(value("--crashes")),
            "--only" => only = Some(value("--only")),
            "--replay" => replay.push(PathBuf::from(value("--replay"))),
            other => {
                eprintln!("unknown argument {other:?}; see the source's header for usage");
                return ExitCode::from(2);
            }
        }
    }
    let all = targets::all();
    if !replay.is_empty() {
        let mut bad = 0;
        for file in replay {
            let name = file
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Some(t) = all.iter().find(|t| t.name == name) else {
                eprintln!("{}: no target named {name:?}", file.display());
                bad += 1;
                continue;
            };
            let input = std::fs::read(&file).unwrap_or_default();
            match run_one(t, &input) {
                Ok(()) => println!("{}: ok", file.display()),
                Err(what) => {
                    bad += 1;
                    println!("{}: {what}", file.display());
                }
            }
        }
        return if bad == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    let chosen: Vec<_> = all
        .iter()
        .filter(|t| only.as_deref().is_none_or(|o| t.name.contains(o)))
        .collect();
    if chosen.is_empty() {
        eprintln!("no target matches {only:?}");
        return ExitCode::from(2);
    }
    // Rounded up: the total is at least what was asked for. A slow target
    // gets 1/divisor of a share (targets::case_divisor).
    let shares: f64 = chosen
        .iter()
        .map(|t| 1.0 / targets::case_divisor(t.name) as f64)
        .sum();
    let per_target = ((cases as f64 / shares).ceil() as u64).max(1);
    // A panic is caught and reported per case; the default hook would print
    // each one to stderr as well.
    std::panic::set_hook(Box::new(|_| {}));
    println!(
        "loket-fuzz: seed {seed:#x}, {per_target} cases per target (slow ones fewer), {} targets",
        chosen.len()
    );
    println!(
        "{:<28} {:>12} {:>12} {:>9}",
        "target", "cases", "cases/s", "findings"
    );
    let mut total = 0;
    let mut total_secs = 0.0;
    let mut findings = Vec::new();
    for t in chosen {
        let n = per_target.div_ceil(targets::case_divisor(t.name)).max(1);
        let r = run_target(t, n, seed, Some(&crashes), 20);
        println!(
            "{:<28} {:>12} {:>12.0} {:>9}",
            r.target,
            r.cases,
            r.cases_per_second(),
            r.findings.len()
        );
        total += r.cases;
        total_secs += r.elapsed.as_secs_f64();
        findings.extend(r.findings);
    }
    println!(
        "{:<28} {:>12} {:>12.0} {:>9}",
        "total",
        total,
        total as f64 / total_secs.max(1e-9),
        findings.len()
    );
    for f in &findings {
        println!(
            "FINDING {}: {} (input saved to {})",
            f.target,
            f.what,
            f.saved
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "nowhere".into())
        );
    }
    if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn parse_num(text: &str) -> u64 {
    let t = text.replace('_', "");
    let parsed = match t.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => t.parse(),
    };
    parsed.unwrap_or_else(|_| {
        eprintln!("{text:?} is not a number");
        std::process::exit(2)
    })
}

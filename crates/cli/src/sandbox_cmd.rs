//! `loket sandbox`: the Bank+ simulator as a foreground process. The first
//! line of stdout is the base URL, so scripts can read it; the demo
//! credentials follow.

use crate::output::say;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use words::text;

use clap::Args;
use sandbox::{FaultPlan, FaultRule, LedgerLocation, Sandbox, SandboxConfig};

use crate::exit;

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,

    /// Ledger file (default: sandbox-ledger.db in the data directory).
    #[arg(long, conflicts_with = "memory")]
    ledger: Option<PathBuf>,

    /// Keep the ledger in memory only: everything is forgotten at exit.
    #[arg(long)]
    memory: bool,

    /// Wipe the ledger and seed it again with the demo bank.
    #[arg(long)]
    reset: bool,

    /// Minutes of inactivity after which a session expires.
    #[arg(long, default_value_t = 15.0)]
    session_idle_minutes: f64,

    /// Inject a fault: PATH=KIND[:ARG][@PROB][xTIMES], e.g.
    /// `bsa/depositAccount=commit-then-drop`, `/check=latency:250@0.5`,
    /// `*=html-502@0.1x3`. Repeatable.
    #[arg(long = "fault", value_name = "RULE")]
    faults: Vec<FaultRule>,

    /// Seed for the fault dice, so a run can be replayed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

pub async fn run(args: SandboxArgs, data_dir: &Path) -> u8 {
    if !(args.session_idle_minutes > 0.0 && args.session_idle_minutes.is_finite()) {
        eprintln!(
            "loket: {}",
            say(&text!(
                "--session-idle-minutes harus lebih dari 0",
                "--session-idle-minutes must be more than 0"
            ))
        );
        return exit::USAGE;
    }
    let ledger = if args.memory {
        LedgerLocation::Memory
    } else {
        let file = args
            .ledger
            .unwrap_or_else(|| data_dir.join("sandbox-ledger.db"));
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            if let Err(e) = std::fs::create_dir_all(parent) {
                let dir = parent.display();
                eprintln!(
                    "loket: {}",
                    say(&text!(
                        "tidak bisa membuat folder {dir}: {e}",
                        "cannot create the folder {dir}: {e}";
                        e
                    ))
                );
                return exit::USAGE;
            }
        }
        LedgerLocation::File(file)
    };
    let ledger_note = match &ledger {
        LedgerLocation::Memory => "memory (forgotten at exit)".to_owned(),
        LedgerLocation::File(path) => path.display().to_string(),
    };
    let config = SandboxConfig {
        ledger,
        reset: args.reset,
        session_idle: Duration::from_secs_f64(args.session_idle_minutes * 60.0),
        faults: FaultPlan {
            seed: args.seed,
            rules: args.faults,
        },
        ..SandboxConfig::default()
    };
    let sandbox = match Sandbox::start(config, args.listen).await {
        Ok(s) => s,
        Err(e) => {
            let e = format!("“{e}”");
            eprintln!(
                "loket: {}",
                say(&text!(
                    "sandbox tidak bisa dimulai: {e}",
                    "the sandbox could not start: {e}"
                ))
            );
            return exit::UNREACHABLE;
        }
    };
    // First line: the base URL, alone, for scripts.
    println!("{}", sandbox.base_url());
    println!("{}", sandbox::demo::describe());
    println!("ledger: {ledger_note}");
    eprintln!(
        "{}",
        say(&text!(
            "SANDBOX berjalan. Tekan Ctrl-C untuk berhenti.",
            "The SANDBOX is running. Press Ctrl-C to stop."
        ))
    );

    wait_for_stop().await;
    sandbox.shutdown().await;
    eprintln!("{}", say(&text!("sandbox berhenti", "the sandbox stopped")));
    exit::OK
}

/// Ctrl-C or SIGTERM, whichever comes first.
pub(crate) async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

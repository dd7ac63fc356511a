//! `loket`: every Loket operation without a screen, for support staff and
//! scripts. For now it runs the Bank+ sandbox (`loket sandbox`); the teller
//! commands arrive with the teller core.

mod data_dir;
mod sandbox_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes shared by every command (see README).
pub mod exit {
    pub const OK: u8 = 0;
    pub const USAGE: u8 = 2;
    pub const UNREACHABLE: u8 = 4;
}

#[derive(Debug, Parser)]
#[command(
    name = "loket",
    version,
    about = "Loket: terminal agen Laku Pandai Bank+ / Laku Pandai agent terminal for Bank+"
)]
struct Cli {
    /// Directory for Loket's files (journal, logs, the sandbox ledger).
    #[arg(long, global = true, env = "LOKET_DATA_DIR")]
    data_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the Bank+ / switcher sandbox on loopback until Ctrl-C.
    Sandbox(sandbox_cmd::SandboxArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    let data_dir = data_dir::resolve(cli.data_dir);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("loket: tidak bisa memulai runtime / cannot start runtime: {e}");
            return ExitCode::from(exit::UNREACHABLE);
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            Command::Sandbox(args) => sandbox_cmd::run(args, &data_dir).await,
        }
    });
    ExitCode::from(code)
}

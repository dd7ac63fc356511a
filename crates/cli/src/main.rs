//! `loket`: every Loket operation without a screen, for support staff and
//! scripts, over the teller core. `loket sandbox` runs the Bank+ simulator.

mod args;
mod commands;
mod logging;
mod output;
mod sandbox_cmd;
mod session;

use std::process::ExitCode;

use clap::Parser;
use serde_json::json;

use args::{Cli, LangArg};
use output::Out;

/// Exit codes shared by every command.
pub mod exit {
    /// Done.
    pub const OK: u8 = 0;
    /// Refused by the bank (wrong PIN, no such account, held by doubt, …).
    pub const REFUSED: u8 = 1;
    /// Bad input or usage; nothing was sent.
    pub const USAGE: u8 = 2;
    /// Sent, but no answer: the outcome is unknown (`loket check SID`).
    pub const UNKNOWN: u8 = 3;
    /// The server could not be reached; nothing was sent.
    pub const UNREACHABLE: u8 = 4;
    /// A quote's inquiry got no answer: no payment was sent, nothing moved,
    /// the quote is cancelled; trying again is safe (unlike 3).
    pub const INQUIRY_FAILED: u8 = 5;
}

/// `--lang` (or `LOKET_LANG`) read by hand, for the errors clap finds
/// before it has read anything: the last `--lang X` / `--lang=X` wins, as in clap.
fn lang_before_parsing() -> teller::Lang {
    let args: Vec<String> = std::env::args().collect();
    let mut lang = std::env::var("LOKET_LANG").ok();
    for (i, a) in args.iter().enumerate() {
        if a == "--" {
            break;
        }
        if let Some(v) = a.strip_prefix("--lang=") {
            lang = Some(v.to_owned());
        } else if a == "--lang" {
            lang = args.get(i + 1).cloned();
        }
    }
    match lang.as_deref().map(str::trim) {
        Some(l) if l.eq_ignore_ascii_case("en") => teller::Lang::En,
        _ => teller::Lang::Id,
    }
}

fn main() -> ExitCode {
    // First, while this is the only thread: secrets leave the environment.
    session::take_secret_vars();
    // The language first: clap's own errors are said by Loket in it.
    output::set_lang(lang_before_parsing());
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let is_error = e.use_stderr();
            if !is_error {
                // --help, --version: clap's own text on stdout.
                let _ = e.print();
                return ExitCode::from(exit::OK);
            }
            let message = output::say(&output::clap_error(&e)).to_owned();
            if std::env::args().any(|a| a == "--json") {
                println!(
                    "{}",
                    json!({"status": "failed", "error": {"code": "USAGE", "message": message}})
                );
            } else {
                eprintln!(
                    "{}: {message}",
                    output::say(&words::text!("GAGAL", "FAILED"))
                );
            }
            return ExitCode::from(exit::USAGE);
        }
    };
    // The fleet URLs (clap has read them into `cli`) leave it too, still
    // before any other thread exists.
    fleet::store::take_env_urls();
    let out = Out {
        json: cli.global.json,
        lang: match cli.global.lang {
            LangArg::Id => teller::Lang::Id,
            LangArg::En => teller::Lang::En,
        },
    };
    output::set_lang(out.lang);
    let data_dir = teller::data_dir::resolve(cli.global.data_dir.clone());
    // The log guard flushes the file on drop, at the end of main.
    let _log = logging::init(&data_dir);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!(
                "loket: {}",
                output::say(&words::text!(
                    "tidak bisa memulai runtime: {e}",
                    "cannot start the runtime: {e}";
                    e
                ))
            );
            return ExitCode::from(exit::UNREACHABLE);
        }
    };
    let code = runtime.block_on(commands::run(cli.command, &cli.global, &data_dir, out));
    tracing::info!(code, "done");
    ExitCode::from(code)
}

//! One function per command; each returns the exit code. Commands that
//! talk to Bank+ log in first and log out after (`session::Ctx`).

mod ledger;
mod pay;
mod reads;
mod statement;

use std::path::Path;

use crate::args::{Command, Global};
use crate::output::Out;
use crate::sandbox_cmd;
use crate::session::Ctx;

pub async fn run(command: Command, global: &Global, data_dir: &Path, out: Out) -> u8 {
    // Journal-only commands: no server, no login.
    if let Some(code) = ledger::journal_only(&command, data_dir, out) {
        return code;
    }
    if let Command::Sandbox(args) = command {
        return sandbox_cmd::run(args, data_dir).await;
    }
    // Input the CLI can judge alone is checked before anything starts or is sent.
    let prepared = match pay::prepare(&command, &out) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut ctx = match Ctx::start(global, data_dir, out).await {
        Ok(ctx) => ctx,
        Err(code) => return code,
    };
    let code = if let Command::Check { sid } = &command {
        ledger::check(&ctx, sid).await
    } else if let Command::Statement { .. } = &command {
        statement::statement(&ctx, &command, global, data_dir).await
    } else {
        match ctx.login().await {
            Err(code) => code,
            Ok(_) if matches!(command, Command::Reconcile { .. }) => {
                statement::reconcile(&mut ctx, &command, global, data_dir).await
            }
            Ok(profile) => dispatch(&mut ctx, command, profile, prepared).await,
        }
    };
    ctx.finish().await;
    code
}

async fn dispatch(
    ctx: &mut Ctx,
    command: Command,
    profile: bankplus::AgentProfile,
    prepared: Option<pay::Prepared>,
) -> u8 {
    match command {
        Command::Profile => reads::profile(ctx, &profile),
        Command::Balance => reads::balance(ctx).await,
        Command::CheckAccount { account } => reads::check_account(ctx, &account).await,
        Command::CustomerBalance { account } => reads::customer_balance(ctx, &account).await,
        Command::Banks => reads::banks(ctx).await,
        Command::Dashboard { which, month } => reads::dashboard(ctx, which, month).await,
        Command::Master { which } => reads::master(ctx, which).await,
        Command::PostalCode {
            province,
            kind,
            regency,
            district,
            village,
        } => {
            let region = bankplus::Region {
                province,
                kind,
                regency,
                district,
                village,
            };
            reads::postal_code(ctx, &region).await
        }
        Command::ChangePassword => reads::change_password(ctx).await,
        Command::Resolve {
            sid,
            outcome,
            reason,
        } => ledger::resolve(ctx, &sid, outcome, &reason),
        Command::Reverse { sid, reason } => ledger::reverse(ctx, &sid, &reason).await,
        Command::Deposit { .. } | Command::Transfer { .. } | Command::OpenAccount { .. } => {
            match prepared {
                Some(p) => pay::run(ctx, p).await,
                None => ctx.out.usage("internal: no prepared order"),
            }
        }
        // Handled before login.
        Command::History { .. }
        | Command::Summary { .. }
        | Command::Export { .. }
        | Command::Show { .. }
        | Command::Check { .. }
        | Command::Statement { .. }
        | Command::Reconcile { .. }
        | Command::Sandbox(_) => crate::exit::USAGE,
    }
}

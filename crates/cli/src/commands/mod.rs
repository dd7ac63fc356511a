//! One function per command; each returns the exit code. Commands that
//! talk to Bank+ log in first and log out after (`session::Ctx`).

mod backup;
mod fleet;
mod ledger;
mod pay;
mod reads;
mod receipt;
mod statement;
mod supervisors;
mod webhook;

use std::path::Path;
use words::text;

use crate::args::{Command, Global};
use crate::output::Out;
use crate::sandbox_cmd;
use crate::session::{self, Ctx};

pub async fn run(command: Command, global: &Global, data_dir: &Path, out: Out) -> u8 {
    // Journal-only commands: no server, no login.
    if let Some(code) = ledger::journal_only(&command, data_dir, out) {
        return code;
    }
    if let Command::Sandbox(args) = command {
        return sandbox_cmd::run(args, data_dir).await;
    }
    if let Command::Webhook { action } = command {
        return webhook::run(action, data_dir, out).await;
    }
    if let Command::Supervisor { action } = command {
        return match action {
            crate::args::SupervisorAction::Create | crate::args::SupervisorAction::Status => {
                receipt::supervisor(action, data_dir, out)
            }
            other => supervisors::run(other, data_dir, out),
        };
    }
    if let Command::Fleet { action } = command {
        return fleet::run(action, data_dir, out).await;
    }
    if let Command::Verify { full } = command {
        return ledger::verify(full, data_dir, out);
    }
    if let Command::Backup { to, verify, list } = command {
        return backup::backup(to, verify, list, data_dir, out);
    }
    if let Command::Restore { file } = command {
        return backup::restore(&file, data_dir, out);
    }
    if let Command::Settings { action } = command {
        return ledger::settings(action, data_dir, out);
    }
    let receipt_request = match &command {
        Command::Receipt {
            sid,
            pdf,
            text,
            width,
            print,
            raw,
            copy,
        } => match receipt::request(
            &out,
            sid,
            pdf.clone(),
            *text,
            width,
            print.clone(),
            *raw,
            *copy,
        ) {
            Ok(r) => Some(r),
            Err(code) => return code,
        },
        _ => None,
    };
    // Supervisor actions are approved before anything starts or is sent.
    let needs_supervisor = match &command {
        Command::Resolve { .. } | Command::Reverse { .. } => true,
        // Settling from a statement moves the books like a hand resolve.
        Command::Reconcile { resolve, .. } => *resolve,
        Command::Receipt { copy, .. } => *copy,
        _ => false,
    };
    let approval = if needs_supervisor {
        match session::supervisor_approval(data_dir, &out) {
            Ok(a) => Some(a),
            Err(code) => return code,
        }
    } else {
        None
    };
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
                statement::reconcile(&mut ctx, &command, global, data_dir, approval.as_ref()).await
            }
            Ok(profile) => {
                dispatch(
                    &mut ctx,
                    command,
                    profile,
                    prepared,
                    receipt_request,
                    approval.as_ref(),
                )
                .await
            }
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
    receipt_request: Option<receipt::Request>,
    approval: Option<&teller::SupervisorApproval>,
) -> u8 {
    let supervisor = || {
        approval.ok_or_else(|| {
            ctx.out.usage(text!(
                "kesalahan internal: persetujuan supervisor tidak ada",
                "internal error: no supervisor approval"
            ))
        })
    };
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
        } => match supervisor() {
            Ok(a) => ledger::resolve(ctx, &sid, outcome, &reason, a),
            Err(code) => code,
        },
        Command::Reverse { sid, reason } => match supervisor() {
            Ok(a) => ledger::reverse(ctx, &sid, &reason, a).await,
            Err(code) => code,
        },
        Command::Receipt { .. } => match receipt_request {
            Some(req) if req.copy => match supervisor() {
                Ok(a) => receipt::run(ctx, &req, Some(a)),
                Err(code) => code,
            },
            Some(req) => receipt::run(ctx, &req, None),
            None => ctx.out.usage(text!(
                "kesalahan internal: permintaan struk tidak ada",
                "internal error: no receipt request"
            )),
        },
        Command::Deposit { .. } | Command::Transfer { .. } | Command::OpenAccount { .. } => {
            match prepared {
                Some(p) => pay::run(ctx, p).await,
                None => ctx.out.usage(text!(
                    "kesalahan internal: pesanan belum disiapkan",
                    "internal error: no prepared order"
                )),
            }
        }
        // Handled before login.
        Command::History { .. }
        | Command::Summary { .. }
        | Command::Export { .. }
        | Command::Show { .. }
        | Command::Check { .. }
        | Command::Supervisor { .. }
        | Command::Fleet { .. }
        | Command::Settings { .. }
        | Command::Backup { .. }
        | Command::Restore { .. }
        | Command::Verify { .. }
        | Command::Statement { .. }
        | Command::Reconcile { .. }
        | Command::Sandbox(_)
        | Command::Webhook { .. } => crate::exit::USAGE,
    }
}

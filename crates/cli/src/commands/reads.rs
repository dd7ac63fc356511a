//! Commands that read from Bank+ and move no money.

use bankplus::{AgentProfile, Dashboard, MasterList, Region};
use serde_json::json;
#[allow(unused_imports)]
use words::{text, Say, Text};

use crate::args::{DashboardArg, MasterArg};
use crate::exit;
use crate::output::{account_human, account_json};
use crate::session::{self, Ctx};

pub fn profile(ctx: &Ctx, p: &AgentProfile) -> u8 {
    let out = &ctx.out;
    out.object(&json!({"status": "succeeded", "profile": p}));
    out.line(&format!(
        "{}: {} ({})",
        out.t("Nama", "Name"),
        p.name,
        p.username
    ));
    out.line(&format!(
        "{}: {}",
        out.t("Kode agen", "Agent code"),
        p.agent_code.0
    ));
    out.line(&format!(
        "Bank: {}",
        p.bank_name
            .as_deref()
            .or(p.bank_code.as_deref())
            .unwrap_or("-")
    ));
    out.line(&format!("{}: {}", out.t("Alamat", "Address"), p.address));
    exit::OK
}

fn account_result(ctx: &Ctx, r: teller::Result<bankplus::AccountInfo>) -> u8 {
    match r {
        Ok(info) => {
            ctx.out.object(&account_json(&info));
            account_human(&ctx.out, &info);
            exit::OK
        }
        Err(e) => ctx.out.fail(&e),
    }
}

pub async fn balance(ctx: &Ctx) -> u8 {
    account_result(ctx, ctx.teller.agent_balance().await)
}

pub async fn check_account(ctx: &Ctx, account: &str) -> u8 {
    account_result(ctx, ctx.teller.check_account(account).await)
}

pub async fn customer_balance(ctx: &Ctx, account: &str) -> u8 {
    let pin = match session::pin(
        "LOKET_CUSTOMER_PIN",
        &text!("PIN nasabah: ", "Customer PIN: "),
    ) {
        Ok(p) => p,
        Err(why) => return ctx.out.usage(why),
    };
    account_result(ctx, ctx.teller.customer_balance(account, &pin).await)
}

pub async fn banks(ctx: &Ctx) -> u8 {
    match ctx.teller.banks().await {
        Ok(banks) => {
            ctx.out
                .object(&json!({"status": "succeeded", "banks": banks}));
            for b in &banks {
                ctx.out.line(&format!("{}  {}", b.code, b.name));
            }
            exit::OK
        }
        Err(e) => ctx.out.fail(&e),
    }
}

pub async fn dashboard(ctx: &Ctx, which: DashboardArg, month: Option<String>) -> u8 {
    let which = match which {
        DashboardArg::Bsa => Dashboard::Bsa,
        DashboardArg::Bill => Dashboard::Bill,
        DashboardArg::Purchase => Dashboard::Purchase,
        DashboardArg::AgentGrowth => Dashboard::AgentGrowth,
        DashboardArg::AgentSpread => Dashboard::AgentSpread,
    };
    if let Some(m) = &month {
        if chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").is_err() {
            return ctx.out.usage(Text::same(format!("--month {m:?}: YYYY-MM")));
        }
    }
    match ctx.teller.dashboard(which, month.as_deref()).await {
        Ok(points) => {
            ctx.out
                .object(&json!({"status": "succeeded", "points": points}));
            if points.is_empty() {
                ctx.out.line(ctx.out.t("(tidak ada data)", "(no data)"));
            }
            for p in &points {
                ctx.out.line(&format!("{:<24} {}", p.title, p.count));
            }
            exit::OK
        }
        Err(e) => ctx.out.fail(&e),
    }
}

pub async fn master(ctx: &Ctx, which: MasterArg) -> u8 {
    let which = match which {
        MasterArg::Jobs => MasterList::Jobs,
        MasterArg::Educations => MasterList::Educations,
        MasterArg::Salaries => MasterList::Salaries,
        MasterArg::Transactions => MasterList::TransactionRanges,
    };
    match ctx.teller.master_list(which).await {
        Ok(items) => {
            ctx.out
                .object(&json!({"status": "succeeded", "items": items}));
            for i in &items {
                ctx.out.line(&format!("{:>4}  {}", i.id, i.name));
            }
            exit::OK
        }
        Err(e) => ctx.out.fail(&e),
    }
}

pub async fn postal_code(ctx: &Ctx, region: &Region) -> u8 {
    match ctx.teller.postal_codes(region).await {
        Ok(codes) => {
            ctx.out
                .object(&json!({"status": "succeeded", "postal_codes": codes}));
            if codes.is_empty() {
                ctx.out.line(ctx.out.t("(tidak ada data)", "(no data)"));
            }
            for c in &codes {
                ctx.out.line(c);
            }
            exit::OK
        }
        Err(e) => ctx.out.fail(&e),
    }
}

pub async fn change_password(ctx: &Ctx) -> u8 {
    // The old password is the one just used to log in (LOKET_PASSWORD or the prompt).
    let Some(old) = ctx.password().cloned() else {
        return ctx.out.usage(text!("belum masuk", "not logged in"));
    };
    let new = match session::password(
        "LOKET_NEW_PASSWORD",
        &text!("Password baru: ", "New password: "),
    ) {
        Ok(p) => p,
        Err(why) => return ctx.out.usage(why),
    };
    match ctx.teller.change_password(&old, &new).await {
        Ok(()) => {
            ctx.out.object(&json!({"status": "succeeded"}));
            ctx.out
                .line(ctx.out.t("Password diganti.", "Password changed."));
            exit::OK
        }
        Err(e) => ctx.out.fail(&e),
    }
}

//! The HTTP surface: every Bank+ path under `/bankplus/`, the switcher at
//! the root, the admin endpoints under `/_sandbox/`, and the fault layer
//! wrapped around all of them.
//!
//! Handlers return `Result<Response, Response>`: the error side is an early
//! reply (a refusal already shaped for the wire), which `?` makes readable.
//! Boxing it, as clippy's size lint would like, only adds noise.
#![allow(clippy::result_large_err)]

mod bankplus;
mod bsa;
mod switcher;

use std::sync::Arc;

use axum::handler::Handler;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{post, MethodRouter};
use axum::Router;

use crate::ledger::User;
use crate::state::AppState;
use crate::wire;

pub(crate) type Shared = Arc<AppState>;

/// Every endpoint the sandbox serves (fault rules may name these).
pub const ENDPOINTS: &[&str] = &[
    "/bankplus/users/auth",
    "/bankplus/users/logout",
    "/bankplus/dashboard/bsa",
    "/bankplus/dashboard/bill",
    "/bankplus/dashboard/purchase",
    "/bankplus/dashboard/agentGrowth",
    "/bankplus/dashboard/agentSpread",
    "/bankplus/wilayah/get",
    "/bankplus/master/jobs",
    "/bankplus/master/educations",
    "/bankplus/master/salaries",
    "/bankplus/master/transactions",
    "/bankplus/bank/list",
    "/bankplus/account/changepass",
    "/bankplus/bsa/checkAccount",
    "/bankplus/bsa/customerbalance",
    "/bankplus/account/balance",
    "/bankplus/bsa/openAccount",
    "/bankplus/bsa/depositAccount",
    "/bankplus/bsa/transfer/intrabank/inquiry",
    "/bankplus/bsa/transfer/intrabank/payment",
    "/bankplus/bsa/transfer/interbank/inquiry",
    "/bankplus/bsa/transfer/interbank/payment",
    "/inquiry",
    "/transfer",
    "/reversal",
    "/check",
    "/api/v1/accounts",
    "/api/v2/mutation",
    "/oauth/client_credential/accesstoken",
    "/v2.0/statement",
    "/snap/v1.0/access-token/b2b",
    "/snap/v1.0/bank-statement",
];

/// The whole application.
pub(crate) fn router(state: Shared) -> Router {
    Router::new()
        .route("/bankplus/users/auth", post(bankplus::auth))
        .route("/bankplus/users/logout", both(bankplus::logout))
        .route("/bankplus/dashboard/bsa", both(bankplus::dashboard_bsa))
        .route("/bankplus/dashboard/bill", both(bankplus::dashboard_bill))
        .route(
            "/bankplus/dashboard/purchase",
            both(bankplus::dashboard_purchase),
        )
        .route(
            "/bankplus/dashboard/agentGrowth",
            both(bankplus::agent_growth),
        )
        .route(
            "/bankplus/dashboard/agentSpread",
            both(bankplus::agent_spread),
        )
        .route("/bankplus/wilayah/get", post(bankplus::wilayah))
        .route("/bankplus/master/jobs", both(bankplus::jobs))
        .route("/bankplus/master/educations", both(bankplus::educations))
        .route("/bankplus/master/salaries", both(bankplus::salaries))
        .route(
            "/bankplus/master/transactions",
            both(bankplus::transaction_ranges),
        )
        .route("/bankplus/bank/list", both(bankplus::bank_list))
        .route(
            "/bankplus/account/changepass",
            post(bankplus::change_password),
        )
        .route("/bankplus/bsa/checkAccount", post(bsa::check_account))
        .route("/bankplus/bsa/customerbalance", post(bsa::customer_balance))
        .route("/bankplus/account/balance", both(bsa::agent_balance))
        .route("/bankplus/bsa/openAccount", post(bsa::open_account))
        .route("/bankplus/bsa/depositAccount", post(bsa::deposit))
        .route(
            "/bankplus/bsa/transfer/intrabank/inquiry",
            post(bsa::intrabank_inquiry),
        )
        .route(
            "/bankplus/bsa/transfer/intrabank/payment",
            post(bsa::intrabank_payment),
        )
        .route(
            "/bankplus/bsa/transfer/interbank/inquiry",
            post(bsa::interbank_inquiry),
        )
        .route(
            "/bankplus/bsa/transfer/interbank/payment",
            post(bsa::interbank_payment),
        )
        .route("/inquiry", post(switcher::inquiry))
        .route("/transfer", post(switcher::transfer))
        .route("/reversal", post(switcher::reversal))
        .route("/check", post(switcher::check))
        .merge(crate::providers::routes())
        .merge(crate::admin::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            crate::server::fault_layer,
        ))
        .with_state(state)
}

/// POST, and GET too: for endpoints whose documented request body is empty
/// (or only optional), a client may reasonably use either.
fn both<H, T>(handler: H) -> MethodRouter<Shared>
where
    H: Handler<T, Shared>,
    T: 'static,
{
    post(handler.clone()).get(handler)
}

async fn not_found() -> Response {
    wire::plain_error(
        "NOT_FOUND",
        "Endpoint tidak ditemukan",
        StatusCode::NOT_FOUND,
    )
}

async fn method_not_allowed() -> Response {
    wire::plain_error(
        "METHOD_NOT_ALLOWED",
        "Gunakan POST dengan body JSON",
        StatusCode::METHOD_NOT_ALLOWED,
    )
}

/// The user of the request's `sessionid`, or the `SESSION_NOT_FOUND` reply.
pub(crate) async fn session_user(st: &AppState, headers: &HeaderMap) -> Result<User, Response> {
    let id = wire::header_text(headers, "sessionid").ok_or_else(wire::session_not_found)?;
    let user_id = st.sessions.touch(id).ok_or_else(wire::session_not_found)?;
    st.db(move |l| l.user(user_id))
        .await
        .map_err(bp_internal)?
        .ok_or_else(wire::session_not_found)
}

/// A Bank+ reply for a failure of the sandbox itself (nothing committed).
pub(crate) fn bp_internal(e: impl std::fmt::Display) -> Response {
    tracing::warn!("ledger failure: {e}");
    wire::bank_refusal(wire::SYSTEM_MALFUNCTION)
}

/// The switcher's reply for a failure of the sandbox itself.
pub(crate) fn sw_internal(e: impl std::fmt::Display) -> Response {
    tracing::warn!("ledger failure: {e}");
    wire::sw_error("-1", wire::SYSTEM_MALFUNCTION)
}

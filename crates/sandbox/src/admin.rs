//! Admin endpoints for tests and the CLI, under `/_sandbox/`: set or clear
//! the fault plan, expire every session, reset the ledger, look at an
//! account, and count the requests each endpoint received. They are never subject to faults and need no session.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::banks;
use crate::faults::FaultPlan;
use crate::routes::Shared;
use crate::wire::json_reply;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/_sandbox/faults", post(set_faults).delete(clear_faults))
        .route("/_sandbox/sessions/expire", post(expire_sessions))
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/accounts/{bank}/{number}", get(account))
        .route("/_sandbox/requests", get(requests))
}

fn ok(message: &str) -> Response {
    json_reply(StatusCode::OK, &json!({"code": "00", "message": message}))
}

fn refused(status: StatusCode, code: &str, message: &str) -> Response {
    json_reply(status, &json!({"code": code, "message": message}))
}

async fn set_faults(State(st): State<Shared>, body: Bytes) -> Response {
    let plan: FaultPlan = match serde_json::from_slice(&body) {
        Ok(plan) => plan,
        Err(e) => {
            return refused(
                StatusCode::BAD_REQUEST,
                "FORMAT_ERROR",
                &format!("the body must be a fault plan {{\"seed\":…,\"rules\":[…]}}: {e}"),
            )
        }
    };
    if let Err(e) = plan.validate() {
        return refused(StatusCode::BAD_REQUEST, "FORMAT_ERROR", &e.to_string());
    }
    let rules = plan.rules.len();
    st.set_faults(plan);
    ok(&format!("fault plan set: {rules} rule(s)"))
}

async fn clear_faults(State(st): State<Shared>) -> Response {
    st.set_faults(FaultPlan::default());
    ok("fault plan cleared")
}

async fn expire_sessions(State(st): State<Shared>) -> Response {
    st.sessions.clear();
    ok("every session expired")
}

async fn reset(State(st): State<Shared>) -> Response {
    match st.db(|l| l.reset()).await {
        Ok(()) => ok("ledger wiped and seeded again"),
        Err(e) => refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            "RESET_FAILED",
            &format!("the ledger could not be reset: {e}"),
        ),
    }
}

/// `{"/reversal": 1, …}`: how many requests each endpoint has received.
async fn requests(State(st): State<Shared>) -> Response {
    json_reply(StatusCode::OK, &json!(st.request_counts()))
}

async fn account(
    State(st): State<Shared>,
    Path((bank, number)): Path<(String, String)>,
) -> Response {
    let Some(bank_code) = banks::resolve(&bank) else {
        return refused(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("unknown bank {bank:?}"),
        );
    };
    match st.db(move |l| l.account(bank_code, &number)).await {
        Ok(Some(a)) => json_reply(
            StatusCode::OK,
            &json!({
                "bank": a.bank,
                "account_number": a.number,
                "account_name": a.name,
                "balance": a.balance.to_plain_string(),
            }),
        ),
        Ok(None) => refused(StatusCode::NOT_FOUND, "NOT_FOUND", "no such account"),
        Err(e) => refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            "LEDGER_ERROR",
            &e.to_string(),
        ),
    }
}

//! Mutasibank webhook intake. Before anything is parsed or stored, a push
//! must carry `X-Mutasibank-Timestamp` within 300 s of our clock and an
//! `X-Mutasibank-Signature` equal (constant-time) to hex(HMAC-SHA256(webhook
//! secret, raw body)). The signature covers the body only, not the
//! timestamp, so a captured push could be replayed with a fresh timestamp:
//! deliveries are therefore remembered by signature, and lines by provider
//! id, and a replay stores nothing.
//!
//! [`WebhookIntake::receive`] is the whole check; [`serve`] puts it behind
//! `POST /webhook/mutasibank` on a listener of the caller's choosing.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use money::Rupiah;
use serde::Deserialize;
use serde_json::json;

use crate::cache::{StatementCache, Stored};
use crate::{sign, time, Direction, MutasiError, ProviderKind, Secret, StatementLine};

/// The documented tolerance: reject a push more than 300 s off our clock.
pub const MAX_SKEW_SECONDS: i64 = 300;

pub const SIGNATURE_HEADER: &str = "X-Mutasibank-Signature";
pub const TIMESTAMP_HEADER: &str = "X-Mutasibank-Timestamp";
pub const WEBHOOK_ID_HEADER: &str = "X-Mutasibank-Webhook-Id";

/// Why a push was not stored.
#[derive(Debug, thiserror::Error)]
pub enum Rejection {
    #[error("no X-Mutasibank-Timestamp")]
    NoTimestamp,
    #[error("X-Mutasibank-Timestamp is not a Unix time")]
    BadTimestamp,
    #[error("request expired: the timestamp is {0} s away from now (at most 300)")]
    Expired(i64),
    #[error("no X-Mutasibank-Signature")]
    NoSignature,
    #[error("invalid signature")]
    BadSignature,
    #[error("the body is not a Mutasibank webhook: {0}")]
    Malformed(String),
    #[error(transparent)]
    Storage(#[from] MutasiError),
}

impl Rejection {
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::NoTimestamp
            | Rejection::BadTimestamp
            | Rejection::Expired(_)
            | Rejection::NoSignature
            | Rejection::BadSignature => StatusCode::UNAUTHORIZED,
            Rejection::Malformed(_) => StatusCode::BAD_REQUEST,
            Rejection::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// What an accepted push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    Stored(Stored),
    /// The same delivery was stored before; nothing was stored again.
    Duplicate,
}

/// The webhook payload, as the document shows it.
#[derive(Debug, Deserialize)]
struct Payload {
    #[serde(default)]
    account_number: Option<String>,
    #[serde(default)]
    data_mutasi: Vec<PayloadLine>,
}

#[derive(Debug, Deserialize)]
struct PayloadLine {
    id: serde_json::Value,
    transaction_date: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "type")]
    kind: String,
    amount: Rupiah,
    #[serde(default)]
    balance: Option<Rupiah>,
}

/// Verifies and stores pushes into a [`StatementCache`].
pub struct WebhookIntake {
    secret: Secret,
    cache: Arc<StatementCache>,
}

impl std::fmt::Debug for WebhookIntake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookIntake { secret: *** }")
    }
}

impl WebhookIntake {
    pub fn new(secret: Secret, cache: Arc<StatementCache>) -> WebhookIntake {
        WebhookIntake { secret, cache }
    }

    /// Checks the timestamp, then the signature, and only then parses and
    /// stores the body.
    pub fn receive(
        &self,
        headers: &HeaderMap,
        raw_body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Accepted, Rejection> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let ts: i64 = header(TIMESTAMP_HEADER)
            .ok_or(Rejection::NoTimestamp)?
            .trim()
            .parse()
            .map_err(|_| Rejection::BadTimestamp)?;
        let skew = now.timestamp().saturating_sub(ts).saturating_abs();
        if skew > MAX_SKEW_SECONDS {
            return Err(Rejection::Expired(skew));
        }
        let signature = header(SIGNATURE_HEADER).ok_or(Rejection::NoSignature)?;
        if !sign::verify_hmac_sha256_hex(self.secret.expose(), raw_body, signature) {
            return Err(Rejection::BadSignature);
        }
        let lines = parse_payload(raw_body)?;
        match self
            .cache
            .store_delivery(signature, header(WEBHOOK_ID_HEADER), &lines)?
        {
            Some(stored) => Ok(Accepted::Stored(stored)),
            None => Ok(Accepted::Duplicate),
        }
    }
}

/// The lines of a push body (already verified by the caller).
pub fn parse_payload(raw_body: &[u8]) -> Result<Vec<StatementLine>, Rejection> {
    let p: Payload =
        serde_json::from_slice(raw_body).map_err(|e| Rejection::Malformed(e.to_string()))?;
    let account = p.account_number.unwrap_or_default().trim().to_owned();
    p.data_mutasi
        .into_iter()
        .map(|l| {
            let (posted_at, date_only) =
                time::parse_local(&l.transaction_date).ok_or_else(|| {
                    Rejection::Malformed(format!("transaction_date {:?}", l.transaction_date))
                })?;
            let kind = Direction::parse(&l.kind)
                .ok_or_else(|| Rejection::Malformed(format!("type {:?}", l.kind)))?;
            // The same one rule as a fetched statement: the type decides and
            // a minus sign only restates it. A negative amount used to reach
            // the cache as it was, fail its CHECK and refuse the whole push
            // with a 500 (found by the fuzz driver, issue 12).
            let (direction, amount) = crate::direction_and_amount(Some(kind), l.amount);
            let provider_id = match l.id {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            Ok(StatementLine {
                provider: ProviderKind::Mutasibank,
                account: account.clone(),
                posted_at,
                date_only,
                direction,
                amount,
                balance: l.balance,
                description: l.description.trim().to_owned(),
                provider_id,
                reference: None,
            })
        })
        .collect()
}

/// The webhook route, for mounting in a server of the caller's.
pub fn router(intake: Arc<WebhookIntake>) -> Router {
    Router::new()
        .route("/webhook/mutasibank", post(handle))
        .with_state(intake)
}

async fn handle(
    State(intake): State<Arc<WebhookIntake>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = {
        let intake = Arc::clone(&intake);
        tokio::task::spawn_blocking(move || intake.receive(&headers, &body, Utc::now())).await
    };
    match result {
        Ok(Ok(Accepted::Stored(s))) => {
            tracing::info!(new = s.new, known = s.known, "mutasibank webhook stored");
            Json(json!({"success": true, "new": s.new, "known": s.known})).into_response()
        }
        Ok(Ok(Accepted::Duplicate)) => {
            tracing::info!("mutasibank webhook replayed; ignored");
            Json(json!({"success": true, "duplicate": true})).into_response()
        }
        Ok(Err(rejection)) => {
            tracing::warn!(%rejection, "mutasibank webhook rejected");
            let message = match &rejection {
                Rejection::Expired(_) => "Request expired".to_owned(),
                Rejection::BadSignature | Rejection::NoSignature => "Invalid signature".to_owned(),
                Rejection::Storage(_) => "Internal error".to_owned(),
                other => other.to_string(),
            };
            (rejection.status(), Json(json!({"error": message}))).into_response()
        }
        Err(e) => {
            tracing::warn!("webhook task failed: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({"error": "Internal error"})),
            )
                .into_response()
        }
    }
}

/// Serves the webhook on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    intake: Arc<WebhookIntake>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(intake))
        .with_graceful_shutdown(shutdown)
        .await
}

/// The address a webhook listener is bound to, for logs and tests.
pub fn url(addr: SocketAddr) -> String {
    format!("http://{addr}/webhook/mutasibank")
}

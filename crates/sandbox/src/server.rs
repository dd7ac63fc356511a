//! Serving: an accept loop of our own (instead of `axum::serve`) so that a
//! fault can drop a connection without sending a single byte, and the fault
//! layer that decides, per request, what goes wrong.
//!
//! Each connection gets a [`DropSignal`] in its requests' extensions. The
//! commit-then-drop fault runs the handler (the ledger commits), fires the
//! signal and never answers; the connection task sees the signal and drops
//! the connection, which closes the socket.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::faults::Fault;
use crate::routes::Shared;
use crate::wire;

/// How long shutdown waits for in-flight requests before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Fired by a handler to have its connection dropped without a response.
#[derive(Clone, Default)]
pub(crate) struct DropSignal(Arc<Notify>);

/// Accepts connections until `stop` turns true, then lets open connections
/// finish (up to [`SHUTDOWN_GRACE`]).
pub(crate) async fn serve(listener: TcpListener, app: Router, mut stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(connection(stream, app.clone(), stop.clone()));
                }
                Err(e) => {
                    // Usually out of file descriptors: back off instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    drop(listener);
    let grace = tokio::time::sleep(SHUTDOWN_GRACE);
    tokio::pin!(grace);
    loop {
        tokio::select! {
            () = &mut grace => {
                connections.abort_all();
                break;
            }
            next = connections.join_next() => {
                if next.is_none() {
                    break;
                }
            }
        }
    }
}

async fn connection(stream: TcpStream, app: Router, mut stop: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let signal = DropSignal::default();
    let for_requests = signal.clone();
    let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(for_requests.clone());
        app.clone().oneshot(req)
    });
    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut draining = *stop.borrow();
    if draining {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!("connection ended: {e}");
                }
                break;
            }
            () = signal.0.notified() => {
                tracing::debug!("dropping a connection without a response (commit-then-drop)");
                break;
            }
            _ = stop.changed(), if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
    // Dropping `conn` here closes the socket.
}

/// The fault layer around every endpoint but the admin ones.
pub(crate) async fn fault_layer(State(st): State<Shared>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/_sandbox/") {
        return next.run(req).await;
    }
    st.count_request(&path);
    let decision = st.decide_fault(&path);
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    let response = match decision.fault {
        None | Some(Fault::Latency { .. }) => next.run(req).await,
        Some(Fault::ErrorReply { code, message }) => {
            wire::fault_error_reply(&path, &code, &message)
        }
        Some(Fault::Html502) => wire::html_502(),
        Some(Fault::MalformedJson) => truncate(next.run(req).await).await,
        Some(Fault::ZeroFeeReply) => zero_fee(next.run(req).await).await,
        Some(Fault::RawReply { status, body }) => {
            let mut resp = Response::new(Body::from(body));
            *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            resp
        }
        Some(Fault::SessionExpiry) => {
            if let Some(id) = wire::header_text(req.headers(), "sessionid") {
                st.sessions.forget(id);
            }
            wire::session_not_found()
        }
        Some(Fault::CommitThenDrop) => {
            let signal = req.extensions().get::<DropSignal>().cloned();
            let _committed = next.run(req).await;
            match signal {
                Some(signal) => {
                    signal.0.notify_one();
                    // The connection task drops this future with the socket.
                    std::future::pending::<Response>().await
                }
                // Not served by our accept loop (cannot happen in the
                // sandbox): the closest thing is a reply without a body.
                None => {
                    let mut resp = Response::new(Body::empty());
                    *resp.status_mut() = StatusCode::BAD_GATEWAY;
                    resp
                }
            }
        }
    };
    tracing::debug!(path = %path, status = response.status().as_u16(), "served");
    response
}

/// The handler's reply with `data.admin_fee` 0 and `data.total` equal to
/// `data.amount`, in the type each had (number or string). A reply without
/// those fields (a refusal) passes unchanged.
async fn zero_fee(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let data = &mut v["data"];
    if data.get("admin_fee").is_some() && data.get("amount").is_some() {
        data["admin_fee"] = match data["admin_fee"] {
            serde_json::Value::String(_) => serde_json::json!("0"),
            _ => serde_json::json!(0),
        };
        data["total"] = data["amount"].clone();
    }
    let mut resp = Response::from_parts(parts, Body::from(v.to_string()));
    resp.headers_mut().remove(header::CONTENT_LENGTH);
    resp
}

/// The handler's reply cut in half: status 200 and a JSON content type, but
/// a body no JSON parser accepts.
async fn truncate(response: Response) -> Response {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let cut = (bytes.len() / 2).max(1).min(bytes.len());
    let mut resp = Response::new(Body::from(bytes.slice(..cut)));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

//! The HTTP plumbing the four clients share: one client with timeouts, a
//! send that turns transport failures into [`MutasiError::Unreachable`],
//! and JSON decoding that names the provider when a reply is unreadable.
//! Statement reads move no money, so a failed request may simply be retried.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::{MutasiError, ProviderKind};

const TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) fn client(provider: ProviderKind) -> Result<reqwest::Client, MutasiError> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| MutasiError::Unreachable {
            provider,
            reason: e.to_string(),
        })
}

/// `base_url` without a trailing slash; refuses anything that is not http(s).
pub(crate) fn base(provider: ProviderKind, base_url: &str) -> Result<String, MutasiError> {
    let b = base_url.trim().trim_end_matches('/');
    if !(b.starts_with("http://") || b.starts_with("https://")) {
        return Err(MutasiError::Settings(format!(
            "[{provider}] base_url harus diawali http:// atau https:// / must start with http:// or https://"
        )));
    }
    Ok(b.to_owned())
}

/// A reply: its HTTP status and body.
pub(crate) struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json<T: DeserializeOwned>(&self, provider: ProviderKind) -> Result<T, MutasiError> {
        serde_json::from_slice(&self.body).map_err(|e| MutasiError::Malformed {
            provider,
            reason: format!("HTTP {}: {e}", self.status),
        })
    }
}

pub(crate) async fn send(
    provider: ProviderKind,
    request: reqwest::RequestBuilder,
) -> Result<Reply, MutasiError> {
    let unreachable = |e: reqwest::Error| MutasiError::Unreachable {
        provider,
        // Without the URL: a query string could carry a filter the user typed,
        // and nothing here needs it.
        reason: e.without_url().to_string(),
    };
    let response = request.send().await.map_err(unreachable)?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(unreachable)?.to_vec();
    Ok(Reply { status, body })
}

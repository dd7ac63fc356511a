//! The HTTP plumbing the four clients share: one client with timeouts, a
//! send that turns transport failures into [`MutasiError::Unreachable`],
//! and JSON decoding that names the provider when a reply is unreadable.
//! Statement reads move no money, so a failed request may simply be retried.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::{MutasiError, ProviderKind};

const TIMEOUT: Duration = Duration::from_secs(30);

/// The largest reply body read from a statement provider (16 MiB).
pub const MAX_REPLY_BYTES: usize = 16 * 1024 * 1024;

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
        return Err(MutasiError::Settings(words::text!(
            "[{provider}] base_url harus diawali http:// atau https://",
            "[{provider}] base_url must start with http:// or https://"
        )));
    }
    if let Some(why) = server_url_problem(b) {
        return Err(MutasiError::Settings(words::text!(
            "[{provider}] base_url: {why}",
            "[{provider}] base_url: {why}";
            why
        )));
    }
    Ok(b.to_owned())
}

/// One rule for every server address Loket talks to (Bank+, the switcher,
/// statement providers): the Bank+ client's.
pub use bankplus::client::server_url_problem;

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
    let mut response = request.send().await.map_err(unreachable)?;
    let status = response.status().as_u16();
    // A statement page is far below this; anything bigger is refused
    // before it fills memory (statement reads move no money: retry is safe).
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        if body.len() + chunk.len() > MAX_REPLY_BYTES {
            return Err(MutasiError::Malformed {
                provider,
                reason: format!(
                    "HTTP {status}: balasan lebih dari {MAX_REPLY_BYTES} byte, tidak dibaca / the reply is larger than {MAX_REPLY_BYTES} bytes and was not read"
                ),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Reply { status, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_oversized_reply_is_refused_before_it_fills_memory() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = vec![0_u8; 4096];
            let _ = socket.read(&mut buf).await;
            // No content-length: an endless chunked body.
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
                .await;
            let pad = vec![b' '; 64 * 1024];
            let chunk = [
                format!("{:x}\r\n", pad.len()).into_bytes(),
                pad,
                b"\r\n".to_vec(),
            ]
            .concat();
            let mut sent = 0;
            while sent <= MAX_REPLY_BYTES + chunk.len() {
                if socket.write_all(&chunk).await.is_err() {
                    break;
                }
                sent += chunk.len();
            }
        });
        let provider = ProviderKind::Moota;
        let http = client(provider).unwrap();
        let e = match send(provider, http.get(format!("http://{addr}/"))).await {
            Err(e) => e,
            Ok(r) => panic!("read {} bytes", r.body.len()),
        };
        assert!(
            matches!(e, MutasiError::Malformed { ref reason, .. } if reason.contains("larger than")),
            "{e:?}"
        );
        peer.abort();
    }

    #[test]
    fn provider_addresses_need_https_off_this_computer_and_no_credentials() {
        let p = ProviderKind::Bri;
        assert!(base(p, "https://sandbox.partner.api.bri.co.id/").is_ok());
        assert!(base(p, "http://127.0.0.1:8080").is_ok());
        for bad in [
            "http://sandbox.partner.api.bri.co.id",
            "https://id:pw-77aa@app.moota.co",
        ] {
            let e = base(p, bad).unwrap_err().to_string();
            assert!(!e.contains("pw-77aa"), "{e}");
        }
    }
}

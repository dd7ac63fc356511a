//! Opening a connection to the fleet database from a `postgres://` URL.
//!
//! TLS is used when the URL asks for it: `sslmode=require`, `verify-ca` or
//! `verify-full` (optionally `sslrootcert=/path/ca.pem`), through rustls.
//! Unlike libpq, `require` also verifies the server's certificate (against
//! `sslrootcert` or the public web roots): a terminal ships a bank's
//! journal, so an unverified server is never good enough. `disable` (or no
//! `sslmode`) is plain TCP, for a database on the same host or a private
//! network.

use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config, NoTls};

use crate::error::{from_pg, FleetError};

/// How long connecting may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed fleet URL. Its `Debug` never shows the password.
#[derive(Clone)]
pub struct FleetUrl {
    config: Config,
    tls: Tls,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tls {
    Off,
    Verify { ca_file: Option<String> },
}

impl std::fmt::Debug for FleetUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FleetUrl({})", self.redacted())
    }
}

impl FleetUrl {
    /// Parses a `postgres://` / `postgresql://` URL.
    pub fn parse(url: &str) -> Result<FleetUrl, FleetError> {
        let url = url.trim();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(FleetError::BadUrl(words::text!(
                "harus diawali postgres://",
                "it must start with postgres://"
            )));
        }
        let (base, query) = match url.split_once('?') {
            Some((b, q)) => (b, q),
            None => (url, ""),
        };
        let mut mode = None;
        let mut ca_file = None;
        let mut rest = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "sslmode" => mode = Some(v.to_owned()),
                "sslrootcert" => ca_file = Some(v.to_owned()),
                _ => rest.push(pair),
            }
        }
        let plain = if rest.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", rest.join("&"))
        };
        let mut config: Config = plain.parse().map_err(|e: tokio_postgres::Error| {
            FleetError::BadUrl(words::Text::same(format!("“{e}”")))
        })?;
        if config.get_user().is_none() {
            return Err(FleetError::BadUrl(words::text!(
                "tidak ada nama pengguna",
                "no user name"
            )));
        }
        if config.get_hosts().is_empty() {
            return Err(FleetError::BadUrl(words::text!(
                "tidak ada host",
                "no host"
            )));
        }
        let tls = match mode.as_deref() {
            None | Some("disable") | Some("allow") | Some("prefer") => Tls::Off,
            Some("require") | Some("verify-ca") | Some("verify-full") => Tls::Verify { ca_file },
            Some(other) => {
                return Err(FleetError::BadUrl(words::text!(
                    "sslmode={other} tidak dikenal",
                    "unknown sslmode={other}"
                )))
            }
        };
        config.ssl_mode(if tls == Tls::Off {
            SslMode::Disable
        } else {
            SslMode::Require
        });
        config.connect_timeout(CONNECT_TIMEOUT);
        config.application_name("loket");
        Ok(FleetUrl { config, tls })
    }

    /// The user name in the URL.
    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or_default()
    }

    /// The URL for display: host, port, database and user, no password.
    pub fn redacted(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => String::new(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        format!(
            "postgres://{}@{host}:{port}/{}{}",
            self.user(),
            self.config.get_dbname().unwrap_or(self.user()),
            if self.tls == Tls::Off {
                ""
            } else {
                "?sslmode=verify-full"
            }
        )
    }

    /// The same server and database with another user and password (for
    /// the terminal and viewer roles `fleet init` / `enroll` create).
    pub fn with_credentials(&self, user: &str, password: &str) -> FleetUrl {
        let mut c = self.config.clone();
        c.user(user);
        c.password(password);
        FleetUrl {
            config: c,
            tls: self.tls.clone(),
        }
    }

    /// The URL as text, with the password: only for sealing it in the
    /// terminal's settings, never for display or logs.
    pub fn to_secret_string(&self) -> String {
        let pw = self
            .config
            .get_password()
            .map(|p| encode(&String::from_utf8_lossy(p)))
            .unwrap_or_default();
        let host = match self.config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(tokio_postgres::config::Host::Unix(p)) => encode(&p.display().to_string()),
            None => String::new(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let mut s = format!(
            "postgres://{}:{pw}@{host}:{port}/{}",
            encode(self.user()),
            encode(self.config.get_dbname().unwrap_or(self.user()))
        );
        if let Tls::Verify { ca_file } = &self.tls {
            s.push_str("?sslmode=verify-full");
            if let Some(ca) = ca_file {
                s.push_str("&sslrootcert=");
                s.push_str(ca);
            }
        }
        s
    }

    /// Connects; the connection's task runs on the current tokio runtime.
    pub async fn connect(&self) -> Result<Client, FleetError> {
        match &self.tls {
            Tls::Off => {
                let (client, conn) = self.config.connect(NoTls).await.map_err(from_pg)?;
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "fleet connection ended");
                    }
                });
                Ok(client)
            }
            Tls::Verify { ca_file } => {
                let tls = rustls_config(ca_file.as_deref())?;
                let make = tokio_postgres_rustls::MakeRustlsConnect::new(tls);
                let (client, conn) = self.config.connect(make).await.map_err(from_pg)?;
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "fleet connection ended");
                    }
                });
                Ok(client)
            }
        }
    }
}

fn rustls_config(ca_file: Option<&str>) -> Result<rustls::ClientConfig, FleetError> {
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            use rustls_pki_types::pem::PemObject;
            let certs = rustls_pki_types::CertificateDer::pem_file_iter(path)
                .map_err(|e| FleetError::Tls(format!("sslrootcert {path}: {e}")))?;
            for c in certs {
                let c = c.map_err(|e| FleetError::Tls(format!("sslrootcert {path}: {e}")))?;
                roots
                    .add(c)
                    .map_err(|e| FleetError::Tls(format!("sslrootcert {path}: {e}")))?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| FleetError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// Percent-encodes what a URL's user, password or path part cannot hold.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_never_show_the_password() {
        let u = FleetUrl::parse("postgres://t1:s3cr%40t@db.bank.example:6432/fleet?sslmode=verify-full&sslrootcert=/etc/ca.pem")
            .expect("url");
        assert_eq!(u.user(), "t1");
        assert!(!format!("{u:?}").contains("s3cr"));
        assert!(!u.redacted().contains("s3cr"));
        let again = FleetUrl::parse(&u.to_secret_string()).expect("round trip");
        assert_eq!(again.config.get_password(), Some(&b"s3cr@t"[..]));
        assert_eq!(again.tls, u.tls);
        assert!(FleetUrl::parse("http://x").is_err());
        assert!(FleetUrl::parse("postgres://u@h/db?sslmode=maybe").is_err());
        assert!(FleetUrl::parse("postgres://h/db").is_err());
    }
}

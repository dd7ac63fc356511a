//! Provider settings, in each document's own terms. The CLI reads them from
//! a TOML file (`--providers FILE`), one table per provider:
//!
//! ```toml
//! [mutasibank]
//! base_url = "https://mutasibank.co.id"
//! token = "…"
//!
//! [moota]
//! base_url = "https://app.moota.co"
//! token = "…"
//!
//! [bri]
//! base_url = "https://sandbox.partner.api.bri.co.id"
//! client_id = "…"
//! client_secret = "…"
//!
//! [bankraya]
//! base_url = "https://api.sandbox.bankraya.co.id"
//! client_id = "…"        # the X-PARTNER-ID
//! client_secret = "…"
//! private_key_pem = """-----BEGIN PRIVATE KEY-----…"""
//! channel_id = "…"
//! ```
//!
//! Secrets are [`Secret`]s from the moment they are read.

use serde::Deserialize;

use crate::{MutasiError, ProviderKind, Secret};

#[derive(Debug, Clone, Deserialize)]
pub struct MutasibankSettings {
    pub base_url: String,
    pub token: Secret,
    /// The webhook secret (64 characters) given when the webhook was created.
    #[serde(default)]
    pub webhook_secret: Option<Secret>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MootaSettings {
    pub base_url: String,
    pub token: Secret,
    /// Moota's `bank_id` of the account, passed as the `bank` filter.
    #[serde(default)]
    pub bank: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BriSettings {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: Secret,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BankRayaSettings {
    pub base_url: String,
    /// The `X-PARTNER-ID` (and `X-CLIENT-KEY` of the token request).
    pub client_id: String,
    pub client_secret: Secret,
    /// PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`), 2048 bits or more.
    pub private_key_pem: Secret,
    pub channel_id: String,
}

/// The settings of one provider.
#[derive(Debug, Clone)]
pub enum ProviderSettings {
    Mutasibank(MutasibankSettings),
    Moota(MootaSettings),
    Bri(BriSettings),
    Bankraya(BankRayaSettings),
}

impl ProviderSettings {
    pub fn kind(&self) -> ProviderKind {
        match self {
            ProviderSettings::Mutasibank(_) => ProviderKind::Mutasibank,
            ProviderSettings::Moota(_) => ProviderKind::Moota,
            ProviderSettings::Bri(_) => ProviderKind::Bri,
            ProviderSettings::Bankraya(_) => ProviderKind::Bankraya,
        }
    }
}

/// The `--providers` file: any of the four tables.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvidersFile {
    pub mutasibank: Option<MutasibankSettings>,
    pub moota: Option<MootaSettings>,
    pub bri: Option<BriSettings>,
    pub bankraya: Option<BankRayaSettings>,
}

impl ProvidersFile {
    /// Parses the TOML text. The error names the key, never a value.
    pub fn parse(text: &str) -> Result<ProvidersFile, MutasiError> {
        toml::from_str(text).map_err(|e| {
            // toml's message can quote the offending line, which may hold a
            // secret: keep only its first line, which names the key.
            let message = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_owned();
            let at = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].lines().count().max(1);
                    format!(" (baris/line {line})")
                })
                .unwrap_or_default();
            MutasiError::Settings(format!("{message}{at}"))
        })
    }

    /// The settings of one provider, or a message that says which table is missing.
    pub fn get(&self, kind: ProviderKind) -> Result<ProviderSettings, MutasiError> {
        let missing = || {
            MutasiError::Settings(format!(
                "tabel [{kind}] tidak ada di berkas penyedia / no [{kind}] table in the providers file"
            ))
        };
        Ok(match kind {
            ProviderKind::Mutasibank => {
                ProviderSettings::Mutasibank(self.mutasibank.clone().ok_or_else(missing)?)
            }
            ProviderKind::Moota => ProviderSettings::Moota(self.moota.clone().ok_or_else(missing)?),
            ProviderKind::Bri => ProviderSettings::Bri(self.bri.clone().ok_or_else(missing)?),
            ProviderKind::Bankraya => {
                ProviderSettings::Bankraya(self.bankraya.clone().ok_or_else(missing)?)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_four_and_hides_secrets() {
        let text = r#"
[mutasibank]
base_url = "http://127.0.0.1:1"
token = "mb-secret"
[moota]
base_url = "http://127.0.0.1:1"
token = "moota-secret"
[bri]
base_url = "http://127.0.0.1:1"
client_id = "cid"
client_secret = "bri-secret"
[bankraya]
base_url = "http://127.0.0.1:1"
client_id = "partner"
client_secret = "raya-secret"
private_key_pem = "-----BEGIN PRIVATE KEY-----"
channel_id = "95221"
"#;
        let f = ProvidersFile::parse(text).unwrap();
        let all = format!("{f:?}");
        for s in [
            "mb-secret",
            "moota-secret",
            "bri-secret",
            "raya-secret",
            "BEGIN",
        ] {
            assert!(!all.contains(s), "{s} leaked in {all}");
        }
        assert_eq!(f.get(ProviderKind::Bri).unwrap().kind(), ProviderKind::Bri);
    }

    #[test]
    fn errors_name_the_key_not_the_value() {
        let err = ProvidersFile::parse("[bri]\nbase_url = \"x\"\nclient_secret = \"s3cr3t\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("client_id"), "{err}");
        assert!(!err.contains("s3cr3t"), "{err}");
    }
}

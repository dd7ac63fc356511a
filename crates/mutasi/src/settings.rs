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
    /// Parses the TOML text. The error names the key and the line, never a
    /// value: serde's and toml's own messages quote the offending value
    /// (``invalid type: integer `987654321123` ``), which may be a secret.
    pub fn parse(text: &str) -> Result<ProvidersFile, MutasiError> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                // toml's span may end inside a multi-byte character: slicing
                // the text there panicked (found by the fuzz driver, issue 12).
                .map(|s| {
                    let head = &text.as_bytes()[..s.start.min(text.len())];
                    String::from_utf8_lossy(head).lines().count().max(1)
                });
            // When the error sits on the key line itself, the count above
            // ends just before it: the span starts at the line's first byte.
            let line = line.map(|n| match e.span() {
                Some(s) if s.start > 0 && text.as_bytes().get(s.start - 1) == Some(&b'\n') => n + 1,
                _ => n,
            });
            let key = line.and_then(|n| text.lines().nth(n - 1)).and_then(key_of);
            let at = line
                .map(|n| words::text!(" (baris {n})", " (line {n})"))
                .unwrap_or_default();
            let what = match (schema_message(e.message()), key) {
                (Some(m), _) => m,
                (None, Some(k)) => words::text!(
                    "nilai kunci `{k}` tidak sah (nilai tidak ditampilkan)",
                    "the value of key `{k}` is invalid (value not shown)"
                ),
                (None, None) => words::text!("berkas TOML tidak sah", "invalid TOML"),
            };
            MutasiError::Settings(words::text!("{what}{at}", "{what}{at}"; what, at))
        })
    }

    /// The settings of one provider, or a message that says which table is missing.
    pub fn get(&self, kind: ProviderKind) -> Result<ProviderSettings, MutasiError> {
        let missing = || {
            MutasiError::Settings(words::text!(
                "tabel [{kind}] tidak ada di berkas penyedia",
                "no [{kind}] table in the providers file"
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

/// serde's messages that name only keys (from the schema or the file's own
/// key names), kept as they are; any other message may quote a value.
fn schema_message(message: &str) -> Option<words::Text> {
    let first = message.lines().next().unwrap_or_default();
    for prefix in ["missing field `", "unknown field `", "duplicate field `"] {
        if let Some(rest) = first.strip_prefix(prefix) {
            let name = rest.split('`').next().unwrap_or_default();
            if is_key(name) {
                let words = &prefix[..prefix.len() - 2];
                let id = match words {
                    "missing field" => "belum diisi",
                    "unknown field" => "tidak dikenal",
                    _ => "ganda",
                };
                let en = match words {
                    "missing field" => "missing",
                    "unknown field" => "unknown",
                    _ => "given twice",
                };
                return Some(words::text!("kunci `{name}` {id}", "key `{name}` is {en}"));
            }
        }
    }
    None
}

/// A bare TOML key (or dotted key): letters, digits, `_`, `-`, `.`.
fn is_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The key a `key = value` line sets, or a `[table]` header's name; `None`
/// for anything else (a continuation line may be part of a secret).
fn key_of(line: &str) -> Option<String> {
    let t = line.trim();
    if let Some(table) = t.strip_prefix('[') {
        let name = table.trim_start_matches('[').split(']').next()?.trim();
        return is_key(name).then(|| format!("[{name}]"));
    }
    let (k, _) = t.split_once('=')?;
    let k = k.trim().trim_matches('"');
    is_key(k).then(|| k.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_span_inside_a_multibyte_character_does_not_panic() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fuzz/regressions/mutasi.providers_toml/27873e5096997164.bin"
        ))
        .unwrap_or_default();
        assert!(!text.is_empty(), "the kept fuzz input");
        assert!(ProvidersFile::parse(&text).is_err());
    }

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

    #[test]
    fn a_secret_of_the_wrong_type_is_named_by_key_and_line_only() {
        let text = "[mutasibank]\nbase_url = \"https://m.example\"\ntoken = 987654321123\n";
        let err = ProvidersFile::parse(text).unwrap_err().to_string();
        assert!(!err.contains("987654321123"), "{err}");
        assert!(err.contains("`token`") && err.contains("line 3"), "{err}");
        let text = "[bri]\nbase_url = \"https://b.example\"\nclient_id = \"c\"\nclient_secret = 98765432109876\n";
        let err = ProvidersFile::parse(text).unwrap_err().to_string();
        assert!(!err.contains("98765432109876"), "{err}");
        assert!(
            err.contains("`client_secret`") && err.contains("line 4"),
            "{err}"
        );
        // A syntax error inside a value: still no value.
        let text = "[moota]\nbase_url = \"https://x\"\ntoken = abc-very-secret\n";
        let err = ProvidersFile::parse(text).unwrap_err().to_string();
        assert!(!err.contains("very-secret"), "{err}");
        assert!(err.contains("`token`") && err.contains("line 3"), "{err}");
    }
}

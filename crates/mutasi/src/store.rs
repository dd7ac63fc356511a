//! Provider settings kept by the desktop app, encrypted at rest.
//!
//! Two files in the data directory, written and opened by crates/sealed
//! (the same code as the fleet URL's):
//! - `providers.key`: 32 random bytes, created once with mode 0600;
//! - `providers.enc`: `LOKETPV1` ‖ 12-byte random nonce ‖ ChaCha20-Poly1305
//!   ciphertext and tag of the settings as JSON (the magic is also the AAD).
//!
//! The whole settings document is sealed, not only the secrets, so a changed
//! byte anywhere (or a file from another key) is refused as a whole. Secrets
//! leave this module only as [`Secret`]s inside [`ProviderSettings`]; what a
//! screen may show back is [`StoredProvider`]: the base URL, the public ids,
//! and for each secret only whether one is stored.
//!
//! Why a key file and not a passphrase: statements are fetched during an
//! agent's working session without anyone at hand to type a second
//! passphrase, and keeping the key apart means the settings file alone
//! (a backup, a copy, a support bundle) reveals nothing. It does not protect
//! against someone who can read the whole data directory as the same OS
//! user; an OS keyring would be the next step.

use std::collections::BTreeMap;
use std::path::Path;

use sealed::{SealedError, SealedFile};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{
    BankRayaSettings, BriSettings, MootaSettings, MutasiError, MutasibankSettings, ProviderKind,
    ProviderSettings, Secret,
};

const MAGIC: &[u8; 8] = b"LOKETPV1";
const KEY_FILE: &str = "providers.key";
const DATA_FILE: &str = "providers.enc";

/// One provider's settings as sealed inside the file.
#[derive(Default, Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct Entry {
    base_url: String,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    channel_id: Option<String>,
    #[serde(default)]
    bank: Option<String>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    private_key_pem: Option<String>,
    #[serde(default)]
    webhook_secret: Option<String>,
}

/// What the form sends. Empty or absent secrets keep the stored ones.
#[derive(Debug, Clone)]
pub struct ProviderForm {
    pub kind: ProviderKind,
    pub base_url: String,
    pub client_id: Option<String>,
    pub channel_id: Option<String>,
    pub token: Option<Secret>,
    pub client_secret: Option<Secret>,
    pub private_key_pem: Option<Secret>,
    /// Mutasibank only: the secret its webhook pushes are signed with.
    pub webhook_secret: Option<Secret>,
}

/// What may be shown back about a stored provider: never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProvider {
    pub kind: ProviderKind,
    pub base_url: String,
    pub client_id: Option<String>,
    pub channel_id: Option<String>,
    /// `(name in the document's terms, stored?)` for each secret the provider needs.
    pub secrets: Vec<(&'static str, bool)>,
}

/// The secrets each provider needs, in its document's terms.
pub fn secret_names(kind: ProviderKind) -> &'static [&'static str] {
    match kind {
        ProviderKind::Mutasibank | ProviderKind::Moota => &["token"],
        ProviderKind::Bri => &["client_secret"],
        ProviderKind::Bankraya => &["client_secret", "private_key_pem"],
    }
}

fn settings_error(id: &str, en: &str) -> MutasiError {
    MutasiError::Settings(words::Text::new(id, en))
}

/// The sealed file's error in this store's words (what to do: enter the
/// provider settings again).
fn sealed_error(e: SealedError) -> MutasiError {
    match e {
        SealedError::KeyMissing(path) => settings_error(
            &format!(
                "kunci {} hilang; simpan ulang pengaturan penyedia",
                path.display()
            ),
            "the key file is missing; save the provider settings again",
        ),
        SealedError::KeyDamaged(path) => settings_error(
            &format!("kunci {} rusak", path.display()),
            "the key file is damaged",
        ),
        SealedError::Refused(path) => settings_error(
            &format!(
                "berkas {} rusak atau telah diubah; isi ulang pengaturan penyedia",
                path.display()
            ),
            "the file is damaged or was altered; enter the provider settings again",
        ),
        other => MutasiError::Settings(words::Say::say(&other)),
    }
}

/// The encrypted provider settings of one data directory.
#[derive(Debug, Clone)]
pub struct ProviderStore {
    file: SealedFile,
}

impl ProviderStore {
    pub fn new(data_dir: &Path) -> ProviderStore {
        ProviderStore {
            file: SealedFile::new(data_dir, KEY_FILE, DATA_FILE, MAGIC),
        }
    }

    fn load(&self) -> Result<BTreeMap<ProviderKind, Entry>, MutasiError> {
        let Some(plain) = self.file.open().map_err(sealed_error)? else {
            return Ok(BTreeMap::new());
        };
        serde_json::from_slice(&plain)
            .map_err(|_| sealed_error(SealedError::Refused(self.file.data_path())))
    }

    fn store(&self, entries: &BTreeMap<ProviderKind, Entry>) -> Result<(), MutasiError> {
        let buf = Zeroizing::new(serde_json::to_vec(entries).map_err(|e| {
            let e = format!("“{e}”");
            MutasiError::Settings(words::text!(
                "gagal menyusun berkas: {e}",
                "cannot serialize: {e}"
            ))
        })?);
        self.file.seal(&buf).map_err(sealed_error)
    }

    /// Saves one provider's settings; empty secrets keep the stored ones.
    /// Refuses (naming the field, never its value) when something the
    /// provider needs is still missing.
    pub fn save(&self, form: ProviderForm) -> Result<StoredProvider, MutasiError> {
        let mut entries = self.load()?;
        let mut e = entries.get(&form.kind).cloned().unwrap_or_default();
        let base_url = form.base_url.trim();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(settings_error(
                "base_url harus diawali http:// atau https://",
                "base_url must start with http:// or https://",
            ));
        }
        if let Some(why) = crate::http::server_url_problem(base_url) {
            return Err(MutasiError::Settings(words::text!(
                "base_url: {why}",
                "base_url: {why}";
                why
            )));
        }
        e.base_url = base_url.trim_end_matches('/').to_owned();
        let public = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let secret = |new: Option<Secret>, old: &mut Option<String>| {
            if let Some(s) = new.filter(|s| !s.is_empty()) {
                *old = Some(s.expose().trim().to_owned());
            }
        };
        match form.kind {
            ProviderKind::Mutasibank => {
                secret(form.token, &mut e.token);
                secret(form.webhook_secret, &mut e.webhook_secret);
            }
            ProviderKind::Moota => {
                secret(form.token, &mut e.token);
            }
            ProviderKind::Bri => {
                e.client_id = public(form.client_id);
                secret(form.client_secret, &mut e.client_secret);
            }
            ProviderKind::Bankraya => {
                e.client_id = public(form.client_id);
                e.channel_id = public(form.channel_id);
                secret(form.client_secret, &mut e.client_secret);
                secret(form.private_key_pem, &mut e.private_key_pem);
            }
        }
        settings_of(form.kind, &e)?;
        entries.insert(form.kind, e.clone());
        self.store(&entries)?;
        Ok(shown(form.kind, &e))
    }

    /// Forgets one provider's settings.
    pub fn remove(&self, kind: ProviderKind) -> Result<(), MutasiError> {
        let mut entries = self.load()?;
        if entries.remove(&kind).is_some() {
            self.store(&entries)?;
        }
        Ok(())
    }

    /// The settings to fetch with, or `None` when none are stored.
    pub fn get(&self, kind: ProviderKind) -> Result<Option<ProviderSettings>, MutasiError> {
        match self.load()?.get(&kind) {
            None => Ok(None),
            Some(e) => settings_of(kind, e).map(Some),
        }
    }

    /// What a screen may show of every stored provider.
    pub fn list(&self) -> Result<Vec<StoredProvider>, MutasiError> {
        Ok(self
            .load()?
            .iter()
            .map(|(kind, e)| shown(*kind, e))
            .collect())
    }
}

fn shown(kind: ProviderKind, e: &Entry) -> StoredProvider {
    let has = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.is_empty());
    let secrets = secret_names(kind)
        .iter()
        .map(|name| {
            let stored = match *name {
                "token" => has(&e.token),
                "client_secret" => has(&e.client_secret),
                _ => has(&e.private_key_pem),
            };
            (*name, stored)
        })
        .collect();
    StoredProvider {
        kind,
        base_url: e.base_url.clone(),
        client_id: e.client_id.clone(),
        channel_id: e.channel_id.clone(),
        secrets,
    }
}

fn settings_of(kind: ProviderKind, e: &Entry) -> Result<ProviderSettings, MutasiError> {
    let need = |v: &Option<String>, name: &str| {
        v.as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                MutasiError::Settings(words::text!(
                    "{name} ({kind}) belum diisi",
                    "{name} ({kind}) is missing"
                ))
            })
    };
    let base_url = e.base_url.clone();
    Ok(match kind {
        ProviderKind::Mutasibank => ProviderSettings::Mutasibank(MutasibankSettings {
            base_url,
            token: Secret::new(need(&e.token, "token")?),
            webhook_secret: e.webhook_secret.clone().map(Secret::new),
        }),
        ProviderKind::Moota => ProviderSettings::Moota(MootaSettings {
            base_url,
            token: Secret::new(need(&e.token, "token")?),
            bank: e.bank.clone(),
        }),
        ProviderKind::Bri => ProviderSettings::Bri(BriSettings {
            base_url,
            client_id: need(&e.client_id, "client_id")?,
            client_secret: Secret::new(need(&e.client_secret, "client_secret")?),
        }),
        ProviderKind::Bankraya => ProviderSettings::Bankraya(BankRayaSettings {
            base_url,
            client_id: need(&e.client_id, "client_id")?,
            client_secret: Secret::new(need(&e.client_secret, "client_secret")?),
            private_key_pem: Secret::new(need(&e.private_key_pem, "private_key_pem")?),
            channel_id: need(&e.channel_id, "channel_id")?,
        }),
    })
}

/// Writes `bytes` to `path` readable by the owner only: a new file beside
/// it, then a rename, so a crash leaves the old file or the new one.
#[cfg(test)]
mod tests {
    use super::*;

    fn raya_form() -> ProviderForm {
        ProviderForm {
            kind: ProviderKind::Bankraya,
            base_url: "https://api.example/".into(),
            client_id: Some("partner-01".into()),
            channel_id: Some("95221".into()),
            token: None,
            client_secret: Some(Secret::new("raya-client-secret-XYZZY")),
            webhook_secret: None,
            private_key_pem: Some(Secret::new(
                "-----BEGIN PRIVATE KEY-----\nPEMSECRETBYTES\n-----END PRIVATE KEY-----",
            )),
        }
    }

    #[test]
    fn round_trip_and_nothing_shown_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProviderStore::new(dir.path());
        assert!(store.get(ProviderKind::Bankraya).unwrap().is_none());
        let shown = store.save(raya_form()).unwrap();
        assert_eq!(shown.base_url, "https://api.example");
        assert_eq!(
            shown.secrets,
            vec![("client_secret", true), ("private_key_pem", true)]
        );
        let Some(ProviderSettings::Bankraya(s)) = store.get(ProviderKind::Bankraya).unwrap() else {
            panic!("bank raya settings")
        };
        assert_eq!(s.client_id, "partner-01");
        assert_eq!(s.channel_id, "95221");
        assert_eq!(s.client_secret.expose(), "raya-client-secret-XYZZY");
        assert!(s.private_key_pem.expose().contains("PEMSECRETBYTES"));
        assert!(!format!("{:?}", store.list().unwrap()).contains("XYZZY"));

        // Saving again with empty secrets keeps them; a new one replaces.
        let mut again = raya_form();
        again.client_secret = Some(Secret::new(""));
        again.private_key_pem = None;
        again.base_url = "https://api2.example".into();
        store.save(again).unwrap();
        let Some(ProviderSettings::Bankraya(s)) = store.get(ProviderKind::Bankraya).unwrap() else {
            panic!("bank raya settings")
        };
        assert_eq!(s.base_url, "https://api2.example");
        assert_eq!(s.client_secret.expose(), "raya-client-secret-XYZZY");

        store.remove(ProviderKind::Bankraya).unwrap();
        assert!(store.get(ProviderKind::Bankraya).unwrap().is_none());
    }

    #[test]
    fn the_files_on_disk_hold_no_secret_and_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProviderStore::new(dir.path());
        store.save(raya_form()).unwrap();
        store
            .save(ProviderForm {
                kind: ProviderKind::Moota,
                base_url: "https://app.moota.co".into(),
                client_id: None,
                channel_id: None,
                token: Some(Secret::new("moota-token-PLUGH")),
                client_secret: None,
                private_key_pem: None,
                webhook_secret: None,
            })
            .unwrap();
        for name in [DATA_FILE, KEY_FILE] {
            let bytes = std::fs::read(dir.path().join(name)).unwrap();
            for secret in [
                "XYZZY",
                "PEMSECRETBYTES",
                "PLUGH",
                "partner-01",
                "api.example",
            ] {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{secret} in {name}"
                );
            }
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(dir.path().join(name))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o077, 0, "{name} is {mode:o}");
            }
        }
        assert!(store.get(ProviderKind::Moota).unwrap().is_some());
    }

    #[test]
    fn a_tampered_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProviderStore::new(dir.path());
        store.save(raya_form()).unwrap();
        let path = dir.path().join(DATA_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 20;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let err = store.get(ProviderKind::Bankraya).unwrap_err();
        assert_eq!(err.code(), "PROVIDER_SETTINGS");
        assert!(err.to_string().contains("altered"), "{err}");

        store.remove(ProviderKind::Moota).unwrap_err();
        std::fs::write(&path, b"LOKETPV1short").unwrap();
        assert!(store.list().unwrap_err().to_string().contains("altered"));
    }

    #[test]
    fn a_file_from_another_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProviderStore::new(dir.path());
        store.save(raya_form()).unwrap();
        std::fs::remove_file(dir.path().join(KEY_FILE)).unwrap();
        let err = store.list().unwrap_err().to_string();
        assert!(err.contains("missing"), "{err}");
        std::fs::write(dir.path().join(KEY_FILE), [7u8; 32]).unwrap();
        let err = store.list().unwrap_err().to_string();
        assert!(err.contains("altered"), "{err}");
    }

    #[test]
    fn a_missing_field_is_named_not_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProviderStore::new(dir.path());
        let mut f = raya_form();
        f.private_key_pem = None;
        let err = store.save(f).unwrap_err().to_string();
        assert!(err.contains("private_key_pem"), "{err}");
        assert!(!err.contains("XYZZY"), "{err}");
        assert!(!dir.path().join(DATA_FILE).exists());
        let mut f = raya_form();
        f.base_url = "ftp://x".into();
        assert!(store.save(f).unwrap_err().to_string().contains("base_url"));
    }
}

//! `loket webhook serve`: Mutasibank's webhook pushes received on a listener
//! of the operator's choosing (the agent's or the bank's host). The secret is
//! the one sealed with the supervisor-approved Mutasibank settings in the
//! data directory; every push is checked by `mutasi::webhook` (timestamp
//! window, constant-time HMAC, replay memory) before anything is stored in
//! `statements.db`.

use std::path::Path;
use std::sync::Arc;
#[allow(unused_imports)]
use words::{text, Say, Text};

use mutasi::cache::StatementCache;
use mutasi::webhook::{self, WebhookIntake};
use mutasi::{ProviderKind, ProviderSettings, ProviderStore};
use teller::TellerError;

use crate::args::WebhookAction;
use crate::exit;
use crate::output::Out;

pub async fn run(action: WebhookAction, data_dir: &Path, out: Out) -> u8 {
    let WebhookAction::Serve { listen } = action;
    let fail = |e: mutasi::MutasiError| out.fail(&TellerError::Statement(e));
    let secret = match ProviderStore::new(data_dir).get(ProviderKind::Mutasibank) {
        Ok(Some(ProviderSettings::Mutasibank(s))) => s.webhook_secret,
        Ok(_) => None,
        Err(e) => return fail(e),
    };
    let Some(secret) = secret.filter(|s| !s.is_empty()) else {
        return out.usage(text!(
            "belum ada webhook_secret Mutasibank yang disimpan (disetujui supervisor)",
            "no Mutasibank webhook_secret is saved (supervisor-approved)"
        ));
    };
    let cache = match StatementCache::open(&data_dir.join("statements.db")) {
        Ok(c) => Arc::new(c),
        Err(e) => return fail(e),
    };
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            return out.usage(text!(
                "tidak bisa mendengarkan di {listen}: {e}",
                "cannot listen on {listen}: {e}";
                e
            ))
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => return out.usage(text!("{listen}: {e}", "{listen}: {e}"; e)),
    };
    // The URL first on stdout, so a supervisor (or a test) knows where to point Mutasibank.
    println!("{}", webhook::url(addr));
    out.note(out.t(
        "Webhook Mutasibank berjalan. Ctrl-C untuk berhenti.",
        "The Mutasibank webhook is running. Ctrl-C to stop.",
    ));
    let intake = Arc::new(WebhookIntake::new(secret, cache));
    match webhook::serve(listener, intake, crate::sandbox_cmd::wait_for_stop()).await {
        Ok(()) => exit::OK,
        Err(e) => out.usage(text!("webhook: {e}", "webhook: {e}"; e)),
    }
}

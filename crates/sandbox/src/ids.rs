//! Random identifiers: session ids and payment codes (which must be
//! unguessable, so they come from the operating system's generator) and the
//! decorative digits of trace codes (which need not be).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use crate::faults::SplitMix64;

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// An 80-character alphanumeric session id, like the document's sample.
pub(crate) fn session_id() -> Result<String, getrandom::Error> {
    let mut out = String::with_capacity(80);
    let mut buf = [0u8; 128];
    while out.len() < 80 {
        getrandom::getrandom(&mut buf)?;
        // Rejection sampling keeps every character equally likely.
        for &b in &buf {
            if usize::from(b) < 248 && out.len() < 80 {
                out.push(char::from(ALPHANUMERIC[usize::from(b) % 62]));
            }
        }
    }
    Ok(out)
}

/// Sixteen random bytes (a switcher `paymentCode` is their 32-digit hex).
pub(crate) fn random_16() -> Result<[u8; 16], getrandom::Error> {
    let mut buf = [0u8; 16];
    getrandom::getrandom(&mut buf)?;
    Ok(buf)
}

static SEED: OnceLock<u64> = OnceLock::new();
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Non-secret random digits for trace codes and interbank transaction ids.
pub(crate) fn small_random() -> u64 {
    // Seeded once from the OS (or the clock if that fails); each call then
    // takes the next value of a SplitMix64 stream: cheap and never blocks.
    let seed = *SEED.get_or_init(|| {
        let mut buf = [0u8; 8];
        match getrandom::getrandom(&mut buf) {
            Ok(()) => u64::from_le_bytes(buf),
            Err(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0x5eed),
        }
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    SplitMix64::new(seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15))).next_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_are_80_alphanumerics_and_differ() {
        let a = session_id().expect("os random");
        let b = session_id().expect("os random");
        assert_eq!(a.len(), 80);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}

//! The four provider clients. Each module holds that provider's wire types
//! (mirroring its document), its client, and the one conversion from wire
//! to [`crate::StatementLine`].

mod bankraya;
mod bri;
mod moota;
mod mutasibank;

pub use bankraya::{BankRaya, RayaDetail, RayaStatementReply, BANKRAYA_MAX_DAYS};
pub use bri::{Bri, BriLine, BriStatementReply, BRI_MAX_DAYS};
pub use moota::{Moota, MootaMutation, MootaPage, MootaQuery, MootaTagging};
pub use mutasibank::{MbAccount, MbStatement, MbUser, Mutasibank};

use crate::MutasiError;

/// An account number: digits only (spaces and dashes a person types are dropped).
pub(crate) fn account_digits(account: &str) -> Result<String, MutasiError> {
    let digits: String = account
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MutasiError::Input(words::text!(
            "nomor rekening {account:?} harus 1–15 angka",
            "the account number {account:?} must be 1–15 digits"
        )));
    }
    Ok(digits)
}

/// Zero-padded to 15 digits, as BRI and Bank Raya want it.
pub(crate) fn pad15(account: &str) -> Result<String, MutasiError> {
    Ok(format!("{:0>15}", account_digits(account)?))
}

/// Whether two account numbers are the same account (leading zeros aside).
pub(crate) fn same_account(a: &str, b: &str) -> bool {
    a.trim().trim_start_matches('0') == b.trim().trim_start_matches('0')
}

/// A random request id of `len` digits (BRI-External-Id, X-EXTERNAL-ID).
pub(crate) fn external_id(len: usize) -> String {
    use ring::rand::SecureRandom;
    let mut bytes = vec![0u8; len];
    // SystemRandom only fails when the OS has no randomness at all; the
    // time-based fallback still gives a fresh id per request.
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        return format!(
            "{:0>len$}",
            nanos.unsigned_abs() % 10u64.pow(len.min(18) as u32)
        );
    }
    let mut id: String = bytes.iter().map(|b| char::from(b'0' + b % 10)).collect();
    // A leading zero could be dropped by a server that reads it as a number.
    if id.starts_with('0') {
        id.replace_range(0..1, "1");
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_and_ids() {
        assert_eq!(pad15("4447").unwrap(), "000000000004447");
        assert_eq!(pad15("0083-0103-1142500").unwrap(), "008301031142500");
        assert!(pad15("1234567890123456").is_err());
        assert!(pad15("12a").is_err());
        assert!(same_account("000000000004447", "4447"));
        let id = external_id(9);
        assert_eq!(id.len(), 9);
        assert!(id.bytes().all(|b| b.is_ascii_digit()));
    }
}

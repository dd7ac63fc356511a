//! The KTP and photo images of a new customer. The Bank+ document carries
//! them as platform paths (`pendaftaran/LMG_<NIK>_KTP_<time>.jpg`) and has no
//! upload endpoint, so Loket checks the chosen file is a real picture of a
//! sane size and names it the way the platform does.

use chrono::{DateTime, Utc};

use crate::error::{Result, TellerError};

/// The largest image accepted (a phone photo of a KTP is well under this).
pub const MAX_IMAGE_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Ktp,
    Photo,
}

fn extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("png")
    } else {
        None
    }
}

/// The platform path for a chosen image, after checking it is a JPEG or
/// PNG of at most [`MAX_IMAGE_BYTES`].
pub fn platform_image_path(
    kind: ImageKind,
    ktp: &str,
    file_name: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<String> {
    let label = match kind {
        ImageKind::Ktp => words::text!("foto KTP", "the KTP image"),
        ImageKind::Photo => words::text!("foto nasabah", "the customer photo"),
    };
    if bytes.is_empty() {
        return Err(TellerError::Input(words::text!(
            "{label} belum dipilih",
            "{label} has not been chosen";
            label
        )));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(TellerError::Input(words::text!(
            "{label} {file_name:?} lebih dari 4 MB",
            "{label} {file_name:?} is larger than 4 MB";
            label
        )));
    }
    let ext = extension(bytes).ok_or_else(|| {
        TellerError::Input(words::text!(
            "{label} {file_name:?} harus JPG atau PNG",
            "{label} {file_name:?} must be a JPG or PNG picture";
            label
        ))
    })?;
    let nik: String = ktp.chars().filter(char::is_ascii_digit).collect();
    let stamp = now.with_timezone(&journal::wib()).format("%Y%m%d%H%M%S");
    Ok(match kind {
        ImageKind::Ktp => format!("pendaftaran/LMG_{nik}_KTP_{stamp}.{ext}"),
        ImageKind::Photo => format!("pendaftaran/LMG_{nik}_{stamp}.{ext}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_pictures_like_the_platform_and_refuses_the_rest() {
        let now = Utc.with_ymd_and_hms(2018, 10, 5, 15, 10, 57).unwrap();
        let jpg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0];
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0];
        assert_eq!(
            platform_image_path(ImageKind::Ktp, "1234123412341234", "k.jpg", &jpg, now).unwrap(),
            "pendaftaran/LMG_1234123412341234_KTP_20181005221057.jpg"
        );
        assert_eq!(
            platform_image_path(ImageKind::Photo, "1234123412341234", "f.png", &png, now).unwrap(),
            "pendaftaran/LMG_1234123412341234_20181005221057.png"
        );
        for bad in [&b""[..], b"%PDF-1.4", &vec![0xFF; MAX_IMAGE_BYTES + 1][..]] {
            assert!(platform_image_path(ImageKind::Ktp, "1", "x", bad, now).is_err());
        }
    }
}

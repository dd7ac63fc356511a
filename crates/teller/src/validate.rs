//! Checks on a new customer's form before anything is sent, and what of the
//! customer's identity may be kept (a masked KTP).

use bankplus::OpenAccountForm;
use chrono::{Datelike, NaiveDate, Utc};

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// All but the last four characters of `text` replaced by `hide`.
fn mask_tail(text: &str, hide: char) -> String {
    let t = text.trim();
    let n = t.chars().count();
    let keep = 4.min(n);
    let hidden: String = std::iter::repeat_n(hide, n - keep).collect();
    format!("{hidden}{}", t.chars().skip(n - keep).collect::<String>())
}

/// The KTP number with all but the last four digits hidden (what a receipt keeps).
pub fn mask_ktp(ktp: &str) -> String {
    mask_tail(ktp, '*')
}

/// An account number as the screen shows it: `•4047`.
pub fn mask_account(account: &str) -> String {
    mask_tail(account, '•')
}

/// Every problem with the form, in one message (Indonesian / English), or Ok.
pub fn validate_open_account(f: &OpenAccountForm) -> Result<(), String> {
    let mut problems: Vec<&str> = Vec::new();
    let required = [
        (&f.name, "nama / name"),
        (&f.mother_name, "nama ibu kandung / mother's name"),
        (&f.profession, "pekerjaan / profession"),
        (&f.last_education, "pendidikan / education"),
        (&f.status_nikah, "status nikah / marital status"),
        (&f.pob, "tempat lahir / place of birth"),
        (&f.address, "alamat / address"),
        (&f.kelurahan, "kelurahan"),
        (&f.kecamatan, "kecamatan"),
        (&f.city, "kota / city"),
        (&f.state, "provinsi / province"),
        (&f.income, "penghasilan / income"),
        (&f.jumlah_transaksi, "jumlah transaksi / transaction range"),
    ];
    for (value, label) in required {
        if value.trim().is_empty() {
            problems.push(label);
        }
    }
    let mut out: Vec<String> = problems
        .iter()
        .map(|l| format!("{l} wajib diisi / is required"))
        .collect();
    let ktp = f.ktp.trim();
    if !(ktp.len() == 16 && digits(ktp)) {
        out.push("NIK harus 16 angka / the NIK must be 16 digits".into());
    }
    match NaiveDate::parse_from_str(f.dob.trim(), "%Y-%m-%d") {
        Ok(dob) => {
            let today = Utc::now().date_naive();
            let age = today.year()
                - dob.year()
                - i32::from((today.month(), today.day()) < (dob.month(), dob.day()));
            if dob > today || age > 120 {
                out.push(
                    "tanggal lahir tidak masuk akal / the date of birth is not plausible".into(),
                );
            } else if age < 17 {
                out.push(
                    "nasabah harus berusia 17 tahun / the customer must be 17 or older".into(),
                );
            }
        }
        Err(_) => {
            out.push("tanggal lahir harus YYYY-MM-DD / date of birth must be YYYY-MM-DD".into())
        }
    }
    let hp = f.hp.trim();
    if !(hp.starts_with("08") && (10..=13).contains(&hp.len()) && digits(hp)) {
        out.push(
            "nomor HP harus 08… dengan 10–13 angka / mobile number must be 08… with 10–13 digits"
                .into(),
        );
    }
    let phone = f.phone.trim();
    let phone_ok = phone.is_empty() || (digits(phone) && (6..=13).contains(&phone.len()));
    if !phone_ok {
        out.push("nomor telepon harus 6–13 angka / phone number must be 6–13 digits".into());
    }
    let email = f.email.trim();
    if !email.is_empty() {
        let ok = email.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }) && !email.contains(char::is_whitespace);
        if !ok {
            out.push("alamat email tidak valid / the email address is not valid".into());
        }
    }
    if !matches!(f.gender.trim().to_ascii_lowercase().as_str(), "l" | "p") {
        out.push("jenis kelamin harus L atau P / gender must be L or P".into());
    }
    for (v, label) in [(&f.rt, "RT"), (&f.rw, "RW")] {
        let v = v.trim();
        if !(digits(v) && v.len() <= 3) {
            out.push(format!("{label} harus 1–3 angka / must be 1–3 digits"));
        }
    }
    let zip = f.zip_code.trim();
    if !(zip.len() == 5 && digits(zip)) {
        out.push("kode pos harus 5 angka / postal code must be 5 digits".into());
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn good() -> OpenAccountForm {
        OpenAccountForm {
            name: "Gabymars Yofie".into(),
            email: "gaby@email.com".into(),
            mother_name: "Mamih".into(),
            profession: "KARYAWAN SWASTA".into(),
            last_education: "S1/D4".into(),
            status_nikah: "Lajang".into(),
            pob: "Surabaya".into(),
            dob: "1997-08-01".into(),
            ktp: "3515014108970001".into(),
            gender: "l".into(),
            address: "Jl. Waru 1".into(),
            rt: "022".into(),
            rw: "001".into(),
            zip_code: "61256".into(),
            kelurahan: "Waru".into(),
            kecamatan: "Waru".into(),
            city: "Sidoarjo".into(),
            state: "Jawa Timur".into(),
            hp: "08998321234".into(),
            phone: "0319909221".into(),
            income: "1".into(),
            jumlah_transaksi: "1".into(),
            deposit: "100000".into(),
            image_ktp: "ktp.jpg".into(),
            image_foto: "foto.png".into(),
        }
    }

    #[test]
    fn a_good_form_passes() {
        assert_eq!(validate_open_account(&good()), Ok(()));
    }

    #[test]
    fn each_rule_says_what_is_wrong() {
        type Change = fn(&mut OpenAccountForm);
        let cases: Vec<(Change, &str)> = vec![
            (|f| f.ktp = "12345678900876".into(), "NIK harus 16 angka"),
            (|f| f.ktp = "351501410897000X".into(), "NIK harus 16 angka"),
            (|f| f.dob = "01-08-1997".into(), "YYYY-MM-DD"),
            (|f| f.dob = "2020-01-01".into(), "17 tahun"),
            (|f| f.dob = "2999-01-01".into(), "tidak masuk akal"),
            (|f| f.hp = "12345".into(), "nomor HP"),
            (|f| f.phone = "12ab".into(), "nomor telepon"),
            (|f| f.email = "gaby@".into(), "email"),
            (|f| f.gender = "x".into(), "jenis kelamin"),
            (|f| f.zip_code = "1234".into(), "kode pos"),
            (|f| f.rt = "1234".into(), "RT"),
            (|f| f.mother_name = " ".into(), "nama ibu kandung"),
            (|f| f.name = String::new(), "nama / name wajib"),
        ];
        for (change, expected) in cases {
            let mut f = good();
            change(&mut f);
            let err = validate_open_account(&f).unwrap_err();
            assert!(err.contains(expected), "{expected:?} not in {err:?}");
        }
    }

    #[test]
    fn masks_all_but_the_last_four() {
        assert_eq!(mask_ktp("3515014108970001"), "************0001");
        assert_eq!(mask_ktp("12"), "12");
    }
}

//! Checks on a new customer's form before anything is sent, and what of the
//! customer's identity may be kept (a masked KTP).

use bankplus::{MasterItem, OpenAccountForm};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use words::{text, Text};

/// The longest name (customer's or mother's) accepted. The document sets no
/// length; Indonesian core banking keeps names in 50–100 characters and a
/// KTP name is far shorter, so 100 refuses only junk.
pub const MAX_NAME: usize = 100;
/// The longest free text (place of birth, address parts).
pub const MAX_TEXT: usize = 200;

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

/// Whether a 16-digit NIK is plausible: not all zeros, a province code
/// (11–94), a birth day (01–31, or 41–71 for women), a month (01–12) and a
/// serial that is not 0000 — the structure every KTP number has.
fn nik_plausible(nik: &str) -> bool {
    if !(nik.len() == 16 && digits(nik)) {
        return false;
    }
    let n = |a: usize, b: usize| nik[a..b].parse::<u32>().unwrap_or(0);
    let day = n(6, 8);
    (11..=94).contains(&n(0, 2))
        && ((1..=31).contains(&day) || (41..=71).contains(&day))
        && (1..=12).contains(&n(8, 10))
        && n(12, 16) != 0
}

/// Today in WIB (UTC+7), the day the age rule is counted on at the counter.
fn wib_date(now: DateTime<Utc>) -> NaiveDate {
    let wib = FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    now.with_timezone(&wib).date_naive()
}

/// Every problem with the form, in one message, or Ok.
pub fn validate_open_account(f: &OpenAccountForm) -> Result<(), Text> {
    validate_open_account_at(f, Utc::now())
}

/// [`validate_open_account`] as of `now` (the age is counted on the WIB date).
/// The same rules as `ui/src/lib/validate.ts`; `ui/src/lib/validate.cases.json`
/// holds both to the same cases.
pub fn validate_open_account_at(f: &OpenAccountForm, now: DateTime<Utc>) -> Result<(), Text> {
    let mut problems: Vec<(&str, &str)> = Vec::new();
    // The document marks every field Mandatory, email and phone included.
    let required = [
        (&f.name, ("nama", "name")),
        (&f.email, ("email", "email")),
        (&f.mother_name, ("nama ibu kandung", "mother's name")),
        (&f.profession, ("pekerjaan", "profession")),
        (&f.last_education, ("pendidikan", "education")),
        (&f.status_nikah, ("status nikah", "marital status")),
        (&f.pob, ("tempat lahir", "place of birth")),
        (&f.address, ("alamat", "address")),
        (&f.kelurahan, ("kelurahan", "kelurahan")),
        (&f.kecamatan, ("kecamatan", "kecamatan")),
        (&f.city, ("kota", "city")),
        (&f.state, ("provinsi", "province")),
        (&f.phone, ("nomor telepon", "phone number")),
        (&f.income, ("penghasilan", "income")),
        (
            &f.jumlah_transaksi,
            ("jumlah transaksi", "transaction range"),
        ),
        (&f.image_ktp, ("foto KTP", "KTP picture")),
        (&f.image_foto, ("foto nasabah", "customer photo")),
    ];
    for (value, label) in required {
        if value.trim().is_empty() {
            problems.push(label);
        }
    }
    let mut out: Vec<Text> = problems
        .iter()
        .map(|(id, en)| text!("{id} wajib diisi", "the {en} is required"))
        .collect();
    for (value, label, max) in [
        (&f.name, ("nama", "name"), MAX_NAME),
        (
            &f.mother_name,
            ("nama ibu kandung", "mother's name"),
            MAX_NAME,
        ),
        (&f.pob, ("tempat lahir", "place of birth"), MAX_TEXT),
        (&f.address, ("alamat", "address"), MAX_TEXT),
        (&f.kelurahan, ("kelurahan", "kelurahan"), MAX_TEXT),
        (&f.kecamatan, ("kecamatan", "kecamatan"), MAX_TEXT),
        (&f.city, ("kota", "city"), MAX_TEXT),
        (&f.state, ("provinsi", "province"), MAX_TEXT),
    ] {
        if value.trim().chars().count() > max {
            let (id, en) = label;
            out.push(text!(
                "{id} terlalu panjang (maks. {max})",
                "the {en} is too long (max {max})"
            ));
        }
    }
    let ktp = f.ktp.trim();
    if !(ktp.len() == 16 && digits(ktp)) {
        out.push(text!("NIK harus 16 angka", "the NIK must be 16 digits"));
    } else if !nik_plausible(ktp) {
        out.push(text!(
            "NIK tidak masuk akal",
            "the NIK is not a plausible KTP number"
        ));
    }
    // Exactly YYYY-MM-DD: `1997-8-1` would otherwise go to the bank as typed.
    let dob_text = f.dob.trim();
    let dob_shape = dob_text.len() == 10
        && dob_text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    match NaiveDate::parse_from_str(dob_text, "%Y-%m-%d")
        .ok()
        .filter(|_| dob_shape)
    {
        Some(dob) => {
            let today = wib_date(now);
            let age = today.year()
                - dob.year()
                - i32::from((today.month(), today.day()) < (dob.month(), dob.day()));
            if dob > today || age > 120 {
                out.push(text!(
                    "tanggal lahir tidak masuk akal",
                    "the date of birth is not plausible"
                ));
            } else if age < 17 {
                out.push(text!(
                    "nasabah harus berusia 17 tahun",
                    "the customer must be 17 or older"
                ));
            }
        }
        None => out.push(text!(
            "tanggal lahir harus YYYY-MM-DD",
            "the date of birth must be YYYY-MM-DD"
        )),
    }
    let hp = f.hp.trim();
    if !(hp.starts_with("08") && (10..=13).contains(&hp.len()) && digits(hp)) {
        out.push(text!(
            "nomor HP harus 08… dengan 10–13 angka",
            "the mobile number must be 08… with 10–13 digits"
        ));
    }
    let phone = f.phone.trim();
    let phone_ok = phone.is_empty() || (digits(phone) && (6..=13).contains(&phone.len()));
    if !phone_ok {
        out.push(text!(
            "nomor telepon harus 6–13 angka",
            "the phone number must be 6–13 digits"
        ));
    }
    let email = f.email.trim();
    if !email.is_empty() {
        let ok = email.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }) && !email.contains(char::is_whitespace)
            && email.len() <= 254;
        if !ok {
            out.push(text!(
                "alamat email tidak valid",
                "the email address is not valid"
            ));
        }
    }
    if !matches!(f.gender.trim().to_ascii_lowercase().as_str(), "l" | "p") {
        out.push(text!(
            "jenis kelamin harus L atau P",
            "the gender must be L or P"
        ));
    }
    for (v, label) in [(&f.rt, ("RT", "RT")), (&f.rw, ("RW", "RW"))] {
        let v = v.trim();
        if !(digits(v) && v.len() <= 3) {
            let (id, en) = label;
            out.push(text!("{id} harus 1–3 angka", "{en} must be 1–3 digits"));
        }
    }
    let zip = f.zip_code.trim();
    if !(zip.len() == 5 && digits(zip)) {
        out.push(text!(
            "kode pos harus 5 angka",
            "the postal code must be 5 digits"
        ));
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(Text::join(&out, "; "))
    }
}

/// The master lists a form's codes are checked against (`master/*`).
#[derive(Debug, Clone, Default)]
pub struct MasterLists {
    pub jobs: Vec<MasterItem>,
    pub educations: Vec<MasterItem>,
    pub salaries: Vec<MasterItem>,
    pub transaction_ranges: Vec<MasterItem>,
}

/// Whether the chosen codes are in the bank's master lists. The document's
/// sample sends the job and education by name and income and transaction
/// range by id; either an item's id or its name is accepted (case-insensitive).
pub fn check_master_codes(f: &OpenAccountForm, lists: &MasterLists) -> Result<(), Text> {
    let found = |value: &str, list: &[MasterItem]| {
        let v = value.trim();
        list.iter()
            .any(|i| i.id.trim() == v || i.name.trim().eq_ignore_ascii_case(v))
    };
    let out: Vec<Text> = [
        (&f.profession, &lists.jobs, ("pekerjaan", "profession")),
        (
            &f.last_education,
            &lists.educations,
            ("pendidikan", "education"),
        ),
        (&f.income, &lists.salaries, ("penghasilan", "income")),
        (
            &f.jumlah_transaksi,
            &lists.transaction_ranges,
            ("jumlah transaksi", "transaction range"),
        ),
    ]
    .into_iter()
    .filter(|(value, list, _)| !found(value, list))
    .map(|(value, _, (id, en))| {
        text!(
            "{id} {value:?} tidak ada di daftar bank",
            "the {en} {value:?} is not in the bank's list"
        )
    })
    .collect();
    if out.is_empty() {
        Ok(())
    } else {
        Err(Text::join(&out, "; "))
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
            (|f| f.name = String::new(), "nama wajib"),
        ];
        for (change, expected) in cases {
            let mut f = good();
            change(&mut f);
            let err = validate_open_account(&f).unwrap_err();
            let err = err.id();
            assert!(err.contains(expected), "{expected:?} not in {err:?}");
        }
    }

    #[test]
    fn images_are_required_and_codes_must_be_in_the_master_lists() {
        let mut f = good();
        f.image_ktp = " ".into();
        f.image_foto = String::new();
        let err = validate_open_account(&f).unwrap_err();
        let err = err.id();
        assert!(
            err.contains("foto KTP") && err.contains("foto nasabah"),
            "{err}"
        );

        let item = |id: &str, name: &str| MasterItem {
            id: id.into(),
            name: name.into(),
        };
        let lists = MasterLists {
            jobs: vec![item("1", "AKUNTING / KEUANGAN"), item("6", "KOMPUTER")],
            educations: vec![item("5", "S1/D4")],
            salaries: vec![item("1", "< Rp 2,5 juta")],
            transaction_ranges: vec![item("1", "< Rp 50 juta")],
        };
        let mut f = good();
        f.profession = "komputer".into();
        assert_eq!(check_master_codes(&f, &lists), Ok(()));
        f.income = "xyz".into();
        f.profession = "KARYAWAN SWASTA".into();
        let err = check_master_codes(&f, &lists).unwrap_err();
        let err = err.id();
        assert!(
            err.contains("\"xyz\"") && err.contains("KARYAWAN SWASTA"),
            "{err}"
        );
    }

    /// `ui/src/lib/validate.cases.json`: the UI's validator is held to the same cases.
    #[test]
    fn agrees_with_the_cases_the_ui_is_tested_against() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../ui/src/lib/validate.cases.json"
        );
        let text = std::fs::read_to_string(path).expect("the shared cases file");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let cases = doc["cases"].as_array().expect("cases");
        assert!(cases.len() > 20);
        let label = |field: &str| -> &[&str] {
            match field {
                "email" => &["email"],
                "phone" => &["telepon"],
                "hp" => &["nomor HP"],
                "ktp" => &["NIK"],
                "name" => &["nama wajib", "nama terlalu panjang"],
                "mother_name" => &["ibu kandung"],
                "dob" => &["tanggal lahir", "17 tahun"],
                "zip_code" => &["kode pos"],
                "rt" => &["RT"],
                "gender" => &["jenis kelamin"],
                other => panic!("no label for {other}"),
            }
        };
        for case in cases {
            let mut form = doc["form"].clone();
            form["image_ktp"] = "ktp.jpg".into();
            form["image_foto"] = "foto.png".into();
            for (k, v) in case["change"].as_object().expect("change") {
                form[k] = v.clone();
            }
            let form: OpenAccountForm = serde_json::from_value(form).expect("a form");
            let now = case["now"]
                .as_str()
                .or(doc["now"].as_str())
                .and_then(|t| t.parse::<DateTime<Utc>>().ok())
                .expect("now");
            let got = validate_open_account_at(&form, now);
            let why = &case["why"];
            match case["field"].as_str() {
                None => assert_eq!(got, Ok(()), "{why}"),
                Some(field) => {
                    let err = got.expect_err(why.as_str().unwrap_or_default());
                    let err = err.id();
                    assert_eq!(err.split("; ").count(), 1, "{why}: {err}");
                    assert!(label(field).iter().any(|l| err.contains(l)), "{why}: {err}");
                }
            }
        }
    }

    #[test]
    fn masks_all_but_the_last_four() {
        assert_eq!(mask_ktp("3515014108970001"), "************0001");
        assert_eq!(mask_ktp("12"), "12");
    }
}

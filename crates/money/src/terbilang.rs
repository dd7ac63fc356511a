//! The amount in words, Indonesian ("terbilang"), as printed on confirmation
//! screens and receipts: `Rp25.000` is "dua puluh lima ribu rupiah".

use crate::Rupiah;

const UNITS: [&str; 12] = [
    "", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh",
    "sebelas",
];

/// Words for 0 < n < 1000.
fn below_thousand(n: u64, out: &mut Vec<&'static str>) {
    let hundreds = n / 100;
    let rest = n % 100;
    match hundreds {
        0 => {}
        1 => out.push("seratus"),
        h => {
            out.push(UNITS[h as usize]);
            out.push("ratus");
        }
    }
    match rest {
        0 => {}
        1..=11 => out.push(UNITS[rest as usize]),
        12..=19 => {
            out.push(UNITS[(rest - 10) as usize]);
            out.push("belas");
        }
        _ => {
            out.push(UNITS[(rest / 10) as usize]);
            out.push("puluh");
            if !rest.is_multiple_of(10) {
                out.push(UNITS[(rest % 10) as usize]);
            }
        }
    }
}

fn number_words(n: u64) -> String {
    if n == 0 {
        return "nol".to_owned();
    }
    const SCALES: [&str; 7] = [
        "",
        "ribu",
        "juta",
        "miliar",
        "triliun",
        "kuadriliun",
        "kuintiliun",
    ];
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 {
        groups.push(rest % 1000);
        rest /= 1000;
    }
    let mut words: Vec<&'static str> = Vec::new();
    for (scale, &group) in groups.iter().enumerate().rev() {
        if group == 0 {
            continue;
        }
        if scale == 1 && group == 1 {
            // 1.000 is "seribu", not "satu ribu".
            words.push("seribu");
            continue;
        }
        below_thousand(group, &mut words);
        if scale > 0 {
            words.push(SCALES[scale]);
        }
    }
    words.join(" ")
}

/// "dua puluh lima ribu rupiah"; sen are read after the rupiah
/// ("… rupiah empat puluh sen"); a negative amount starts with "minus".
pub fn terbilang(amount: Rupiah) -> String {
    let sen = amount.sen();
    let abs = sen.unsigned_abs();
    let mut text = String::new();
    if sen < 0 {
        text.push_str("minus ");
    }
    text.push_str(&number_words(abs / 100));
    text.push_str(" rupiah");
    if !abs.is_multiple_of(100) {
        text.push(' ');
        text.push_str(&number_words(abs % 100));
        text.push_str(" sen");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(r: i64) -> String {
        terbilang(Rupiah::from_rupiah(r).unwrap())
    }

    #[test]
    fn reads_like_a_bank_receipt() {
        assert_eq!(words(0), "nol rupiah");
        assert_eq!(words(1), "satu rupiah");
        assert_eq!(words(11), "sebelas rupiah");
        assert_eq!(words(12), "dua belas rupiah");
        assert_eq!(words(20), "dua puluh rupiah");
        assert_eq!(words(100), "seratus rupiah");
        assert_eq!(words(115), "seratus lima belas rupiah");
        assert_eq!(words(1_000), "seribu rupiah");
        assert_eq!(words(1_500), "seribu lima ratus rupiah");
        assert_eq!(words(6_500), "enam ribu lima ratus rupiah");
        assert_eq!(words(25_000), "dua puluh lima ribu rupiah");
        assert_eq!(words(51_000), "lima puluh satu ribu rupiah");
        assert_eq!(words(111_000), "seratus sebelas ribu rupiah");
        assert_eq!(words(1_000_000), "satu juta rupiah");
        assert_eq!(words(1_001_000), "satu juta seribu rupiah");
        assert_eq!(
            words(202_696_682),
            "dua ratus dua juta enam ratus sembilan puluh enam ribu enam ratus delapan puluh dua rupiah"
        );
        assert_eq!(words(2_000_000_000), "dua miliar rupiah");
        assert_eq!(
            terbilang(Rupiah::from_sen(1_830_990_540)),
            "delapan belas juta tiga ratus sembilan ribu sembilan ratus lima rupiah empat puluh sen"
        );
        assert_eq!(words(-5_000), "minus lima ribu rupiah");
    }
}

#[cfg(test)]
mod shared_cases {
    use super::*;

    /// The UI shows live words under amount fields with its own code; both
    /// are held to the same hand-written cases.
    #[test]
    fn agrees_with_the_cases_the_ui_is_tested_against() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../ui/src/lib/terbilang.cases.json"
        );
        let text = std::fs::read_to_string(path).expect("the shared cases file");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let cases = doc["cases"].as_array().expect("a cases array");
        assert!(cases.len() > 30);
        for case in cases {
            let rupiah: i64 = case["rupiah"].as_str().unwrap().parse().unwrap();
            let wanted = case["words"].as_str().unwrap();
            assert_eq!(
                terbilang(Rupiah::from_rupiah(rupiah).unwrap()),
                wanted,
                "{rupiah}"
            );
        }
    }
}

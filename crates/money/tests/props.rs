//! Property tests (issue 12): every amount up to the transaction limit
//! survives display and parsing unchanged, every other text is refused or
//! read exactly (no digit dropped, nothing rounded), and terbilang reads back
//! to the same amount through an independent words→number parser.
//!
//! Case counts are modest for `make test`; `PROPTEST_CASES=100000` scales them.

use money::{terbilang, Rupiah};
use proptest::prelude::*;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn max_sen() -> i64 {
    Rupiah::MAX_TRANSACTION.sen()
}

/// Amounts over the whole range, with the edges and round numbers weighted in.
fn amount_sen() -> impl Strategy<Value = i64> {
    prop_oneof![
        0..=max_sen(),
        (0..=max_sen() / 100).prop_map(|r| r * 100),
        (0..=11u32, 0..=99i64).prop_map(|(p, s)| 10i64.pow(p) * 100 + s),
        Just(0),
        Just(1),
        Just(max_sen()),
        Just(max_sen() - 1),
    ]
}

/// What an exact reading of `text` may give: the ASCII digits it holds as
/// one integer `D`, so the amount in sen is `D`, `D*10` or `D*100`, and its
/// sign is the text's. Anything else dropped or invented a digit.
fn exact(text: &str, got: Rupiah) -> Result<(), String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let d: u128 = digits.trim_start_matches('0').parse().unwrap_or(0);
    let sen = u128::from(got.sen().unsigned_abs());
    if ![d, d * 10, d * 100].contains(&sen) {
        return Err(format!(
            "{text:?} read as {got:?}: digits {digits} not kept exactly"
        ));
    }
    let negative = text.trim_start().starts_with('-');
    if got.is_negative() != (negative && got.sen() != 0) {
        return Err(format!("{text:?} read as {got:?}: wrong sign"));
    }
    let allowed = |c: char| c.is_ascii_digit() || matches!(c, '.' | ',' | '-') || c.is_whitespace();
    let body = ["Rp.", "RP.", "rp.", "Rp", "RP", "rp", "IDR", "idr"]
        .iter()
        .find_map(|p| text.trim().strip_prefix(p))
        .unwrap_or(text);
    if let Some(c) = body.chars().find(|&c| !allowed(c)) {
        return Err(format!("{text:?} read as {got:?} despite {c:?}"));
    }
    Ok(())
}

/// Texts near amounts: digits (ASCII, Arabic-Indic, fullwidth, Devanagari),
/// both separator conventions, signs, exponents, spaces, currency words.
fn amountish() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9.,]{0,20}",
        "[-+ ]?[0-9]{1,4}([.,][0-9]{1,4}){0,4}",
        "(Rp|RP|IDR|rp\\.)? ?[-+]?[0-9.,eE]{0,16}",
        "[0-9\u{660}-\u{669}\u{ff10}-\u{ff19}\u{966}-\u{96f}.,\u{a0}\u{2212}-]{1,12}",
        "[0-9]{1,3}(,[0-9]{3}){1,4}(\\.[0-9]{2})?",
        "[0-9]{1,3}(\\.[0-9]{3}){1,4}(,[0-9]{2})?",
        "[0-9]{1,22}",
        "[0-9]+[eE][-+]?[0-9]{1,3}",
        ".{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(3000)))]

    #[test]
    fn display_parses_back_over_the_whole_range(sen in amount_sen()) {
        let a = Rupiah::from_sen(sen);
        prop_assert!(a.within_transaction_limit());
        prop_assert_eq!(Rupiah::parse_wire(&a.to_plain_string()), Ok(a));
        prop_assert_eq!(Rupiah::parse_wire(&a.to_grouped_string()), Ok(a));
        prop_assert_eq!(Rupiah::parse_input(&a.to_string()), Ok(a));
        prop_assert_eq!(Rupiah::parse_input(&a.to_grouped_string()), Ok(a));
        let neg = Rupiah::from_sen(-sen);
        prop_assert_eq!(Rupiah::parse_wire(&neg.to_plain_string()), Ok(neg));
        prop_assert_eq!(Rupiah::parse_wire(&neg.to_grouped_string()), Ok(neg));
        // Through JSON, as the desktop's commands and the journal's exports carry it.
        let json = serde_json::to_string(&a).unwrap();
        prop_assert_eq!(serde_json::from_str::<Rupiah>(&json).unwrap(), a);
    }

    #[test]
    fn any_other_text_is_refused_or_read_exactly(text in amountish()) {
        if let Ok(got) = Rupiah::parse_wire(&text) {
            prop_assert_eq!(exact(&text, got), Ok(()));
        }
        if let Ok(got) = Rupiah::parse_input(&text) {
            prop_assert_eq!(exact(&text, got), Ok(()));
            prop_assert!(!got.is_negative(), "{:?} typed as a negative amount", text);
        }
    }

    #[test]
    fn a_displayed_amount_changed_anywhere_is_refused_or_read_exactly(
        sen in amount_sen(),
        at in any::<prop::sample::Index>(),
        with in prop::sample::select(vec![
            "", ".", ",", "-", "+", "e3", "0", "\u{661}", "\u{ff11}", " ", ".5", ",5", ",555",
        ]),
        cut in any::<bool>(),
    ) {
        for shown in [
            Rupiah::from_sen(sen).to_string(),
            Rupiah::from_sen(sen).to_plain_string(),
            Rupiah::from_sen(sen).to_grouped_string(),
        ] {
            let chars: Vec<char> = shown.chars().collect();
            let i = at.index(chars.len() + 1);
            let mut text: String = chars[..i].iter().collect();
            text.push_str(with);
            let rest: String = chars[(i + usize::from(cut)).min(chars.len())..].iter().collect();
            text.push_str(&rest);
            if let Ok(got) = Rupiah::parse_wire(&text) {
                prop_assert_eq!(exact(&text, got), Ok(()));
            }
            if let Ok(got) = Rupiah::parse_input(&text) {
                prop_assert_eq!(exact(&text, got), Ok(()));
            }
        }
    }

    #[test]
    fn terbilang_reads_back(sen in amount_sen()) {
        let a = Rupiah::from_sen(sen);
        let words = terbilang(a);
        prop_assert_eq!(words_to_sen(&words), Ok(sen), "{}", words);
        let neg = Rupiah::from_sen(-sen);
        prop_assert_eq!(words_to_sen(&terbilang(neg)), Ok(-sen));
    }
}

/// Every whole rupiah amount up to a million, and the edges of every scale,
/// read back exactly (the property above samples the rest of the range).
#[test]
fn terbilang_reads_back_for_every_amount_up_to_a_million_and_every_scale_edge() {
    for r in 0..=1_000_000_i64 {
        let sen = r * 100;
        let words = terbilang(Rupiah::from_sen(sen));
        assert_eq!(words_to_sen(&words), Ok(sen), "{words}");
    }
    for p in 3..=12 {
        let base = 10_i64.pow(p);
        for r in [base - 1, base, base + 1, 2 * base, 11 * base / 10] {
            let sen = r * 100 + 99;
            if sen <= max_sen() {
                assert_eq!(words_to_sen(&terbilang(Rupiah::from_sen(sen))), Ok(sen));
            }
        }
    }
    assert_eq!(terbilang(Rupiah::MAX_TRANSACTION), "satu triliun rupiah");
}

/// An Indonesian amount in words back to sen, written independently of the
/// crate: `[minus] <number> rupiah [<number> sen]`. Refuses words it does not
/// know and numbers written in a non-canonical order.
fn words_to_sen(text: &str) -> Result<i64, String> {
    let mut words: Vec<&str> = text.split(' ').collect();
    let negative = words.first() == Some(&"minus");
    if negative {
        words.remove(0);
    }
    let r = words
        .iter()
        .position(|w| *w == "rupiah")
        .ok_or("no 'rupiah'")?;
    let rupiah = number(&words[..r])?;
    let rest = &words[r + 1..];
    let sen = match rest {
        [] => 0,
        [n @ .., last] if *last == "sen" => {
            let s = number(n)?;
            if s == 0 || s > 99 {
                return Err(format!("{s} sen"));
            }
            s
        }
        _ => return Err(format!("unexpected {rest:?}")),
    };
    let total = rupiah * 100 + sen;
    Ok(if negative { -total } else { total })
}

fn number(words: &[&str]) -> Result<i64, String> {
    if words == ["nol"] {
        return Ok(0);
    }
    if words.is_empty() {
        return Err("no number".into());
    }
    let unit = |w: &str| -> Option<i64> {
        [
            "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
        ]
        .iter()
        .position(|u| *u == w)
        .map(|i| i as i64 + 1)
    };
    let scale = |w: &str| -> Option<i64> {
        match w {
            "ribu" => Some(1_000),
            "juta" => Some(1_000_000),
            "miliar" => Some(1_000_000_000),
            "triliun" => Some(1_000_000_000_000),
            _ => None,
        }
    };
    let mut total = 0_i64;
    let mut last_scale = i64::MAX;
    let mut group = 0_i64; // hundreds of the current group
    let mut cur = 0_i64; // below a hundred
    for w in words {
        if let Some(u) = unit(w) {
            cur += u;
        } else {
            match *w {
                "sepuluh" => cur += 10,
                "sebelas" => cur += 11,
                "belas" => cur += 10,
                "puluh" => cur *= 10,
                "seratus" => group += 100,
                "ratus" => {
                    group += cur * 100;
                    cur = 0;
                }
                "seribu" | "ribu" | "juta" | "miliar" | "triliun" => {
                    let (value, s) = if *w == "seribu" {
                        (1, 1_000)
                    } else {
                        (group + cur, scale(w).unwrap_or(1))
                    };
                    if s >= last_scale || value == 0 || value > 999 {
                        return Err(format!("{w} out of order in {words:?}"));
                    }
                    if *w == "ribu" && value == 1 {
                        return Err("'satu ribu' is written 'seribu'".into());
                    }
                    total += value * s;
                    last_scale = s;
                    group = 0;
                    cur = 0;
                }
                other => return Err(format!("unknown word {other:?}")),
            }
        }
    }
    if group + cur > 999 {
        return Err(format!("{words:?}"));
    }
    Ok(total + group + cur)
}

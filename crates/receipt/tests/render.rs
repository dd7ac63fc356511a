//! Receipts for every transaction type and state, rendered for real: PDFs
//! read back with `pdftotext` and checked with `qpdf --check` and `pdfinfo`,
//! the thermal text compared line by line with golden layouts, and the
//! ESC/POS bytes checked for the printer's framing.

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, TimeZone, Utc};
use journal::{Destination, Kind, State, TransactionRecord};
use money::Rupiah;
use receipt::{
    escpos, render_pdf, render_pdf_with, render_text, Agent, Columns, Paper, PdfFont, Receipt,
    Status,
};

fn agent() -> Agent {
    Agent {
        bank_name: "BNI".into(),
        agent_code: "BNI014100294".into(),
        name: "Toko Sembako Ardha Herdianto".into(),
        address: "Jl. Merdeka No. 17 RT 003/RW 005, Kel. Kebon Jeruk, Kec. Kebon Jeruk, Jakarta Barat, DKI Jakarta".into(),
    }
}

fn at() -> DateTime<Utc> {
    // 2026-11-23 15:04:05 WIB
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 4, 5)
        .single()
        .expect("valid time")
}

fn printed() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 2, 30, 0)
        .single()
        .expect("valid time")
}

fn rp(r: i64) -> Rupiah {
    Rupiah::from_rupiah(r).expect("small amount")
}

fn record(kind: Kind, state: State) -> TransactionRecord {
    let (bank_code, bank_name, account, name, amount, fee) = match kind {
        Kind::Deposit => (
            "BNI",
            None,
            "0114047",
            "ANDI SETIAWAN",
            Some(rp(25_000)),
            Some(rp(0)),
        ),
        Kind::IntrabankTransfer => (
            "BNI",
            None,
            "0212345678",
            "SITI NURHALIZA",
            Some(rp(150_000)),
            Some(rp(2_500)),
        ),
        Kind::InterbankTransfer => (
            "008",
            Some("BANK MANDIRI"),
            "114451186",
            "ARDHA HERDIANTO",
            Some(rp(50_000)),
            Some(rp(6_500)),
        ),
        Kind::OpenAccount => (
            "BNI",
            Some("BNI"),
            "0987654321",
            "Dewi Lestari Kusumawardhani Putri",
            Some(rp(50_000)),
            None,
        ),
        Kind::Reversal => (
            "BNI",
            None,
            "0212345678",
            "SITI NURHALIZA",
            Some(rp(150_000)),
            Some(rp(2_500)),
        ),
        Kind::CheckAccount | Kind::CustomerBalance => {
            ("BNI", None, "0114047", "ANDI SETIAWAN", None, None)
        }
        Kind::AgentBalance => ("BNI", None, "4447", "ARDHA HERDIANTO", None, None),
    };
    let failed = state == State::Failed;
    TransactionRecord {
        sid: "2611231504050001".into(),
        kind,
        state,
        created_at: at(),
        updated_at: at(),
        operator: "BNIUS100294".into(),
        agent_code: "BNI014100294".into(),
        amount,
        admin_fee: fee,
        total: amount.map(|a| a.checked_add(fee.unwrap_or(Rupiah::ZERO)).expect("small")),
        destination: Destination {
            bank_code: Some(bank_code.into()),
            bank_name: bank_name.map(Into::into),
            account_number: Some(account.into()),
            account_name: Some(name.into()),
        },
        narration: match kind {
            Kind::Deposit => Some("Setor tunai".into()),
            Kind::Reversal => Some("reversal of 2611231504040007: salah rekening".into()),
            _ => None,
        },
        inquiry_ref: None,
        bank_reference: (state == State::Succeeded).then(|| "JRN000123".to_owned()),
        bank_code: failed.then(|| "0108".to_owned()),
        bank_message: failed.then(|| "NO SUCH ACCOUNT".to_owned()),
        override_of: None,
        resolution: None,
        resolution_note: None,
        resolved_by: None,
    }
}

fn tool(cmd: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} must be installed (make deps): {e}"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn pdf_text(path: &Path) -> String {
    let (ok, text) = tool("pdftotext", &["-layout", &path.display().to_string(), "-"]);
    assert!(ok, "pdftotext failed: {text}");
    text
}

/// Collapses runs of spaces so a check does not depend on column padding.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_kind_and_state_renders_a_valid_pdf_that_reads_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut count = 0;
    for kind in Kind::ALL {
        for state in State::ALL {
            let rec = record(kind, state);
            for copy in [None, Some(3)] {
                let r = Receipt::from_record_at(&rec, &agent(), copy, printed());
                for paper in [Paper::Roll58, Paper::Roll80, Paper::A6] {
                    let pdf = render_pdf(&r, paper).expect("pdf");
                    assert!(
                        pdf.len() < 100 * 1024,
                        "{kind:?}/{state:?}/{paper:?}: {} bytes",
                        pdf.len()
                    );
                    let path = dir.path().join(format!("{count}.pdf"));
                    std::fs::write(&path, &pdf).expect("write pdf");
                    count += 1;
                    // Only some files go through the slower external checks.
                    if copy.is_some() && paper != Paper::Roll80 {
                        continue;
                    }
                    let text = squash(&pdf_text(&path));
                    let want = [
                        "BNI",
                        "Kode Agen: BNI014100294",
                        receipt::type_label(kind),
                        &format!("STATUS: {}", Status::of(state).label()),
                        "No. Ref : 2611231504050001",
                        "Tanggal : 23-11-2026",
                        "Waktu : 15:04:05 WIB",
                    ];
                    for w in want {
                        assert!(
                            text.contains(w),
                            "{kind:?}/{state:?}/{paper:?}: {w:?} not in {text}"
                        );
                    }
                    let account = rec.destination.account_number.as_deref().expect("account");
                    assert!(
                        account.len() <= 4 || !text.contains(account),
                        "the full account number {account} is printed"
                    );
                    // A reversal names the undone transaction's account, not a destination.
                    let label = if kind == Kind::Reversal {
                        "Rek. Semula"
                    } else {
                        "No. Rek"
                    };
                    let masked = format!("{label} : {}", receipt::mask_account(account));
                    assert!(text.contains(&masked), "{masked} missing: {text}");
                    if let Some(total) = rec.total {
                        assert!(text.contains(&format!("Total : {total}")), "{text}");
                        assert!(text.contains("Terbilang:"), "{text}");
                    }
                    if matches!(state, State::Unknown | State::Sending) {
                        assert!(text.contains("DALAM PROSES"), "{text}");
                        assert!(
                            !text.contains("BERHASIL"),
                            "an unknown prints success: {text}"
                        );
                        assert!(text.contains("JANGAN ULANGI TRANSAKSI"), "{text}");
                    }
                    if let Some(n) = copy {
                        assert!(text.contains(&format!("SALINAN KE-{n}")), "{text}");
                    } else {
                        assert!(!text.contains("SALINAN"), "{text}");
                    }
                    let p = path.display().to_string();
                    let (ok, out) = tool("qpdf", &["--check", &p]);
                    assert!(
                        ok && out.contains("No syntax or stream encoding errors"),
                        "{out}"
                    );
                    let (ok, info) = tool("pdfinfo", &[&p]);
                    assert!(ok, "{info}");
                    // The creation date is the print time (09:30 WIB), not 1970.
                    assert!(info.contains("2026"), "creation date missing: {info}");
                    assert!(!info.contains("1970"), "{info}");
                }
            }
        }
    }
    assert_eq!(count, Kind::ALL.len() * State::ALL.len() * 2 * 3);
}

#[test]
fn pdf_page_sizes_follow_the_paper() {
    let rec = record(Kind::InterbankTransfer, State::Succeeded);
    let r = Receipt::from_record_at(&rec, &agent(), None, printed());
    let dir = tempfile::tempdir().expect("temp dir");
    for (paper, width_pt) in [
        (Paper::Roll58, "164.4"),
        (Paper::Roll80, "226.7"),
        (Paper::A6, "297.6"),
    ] {
        let path = dir.path().join("r.pdf");
        std::fs::write(&path, render_pdf(&r, paper).expect("pdf")).expect("write");
        let (ok, info) = tool("pdfinfo", &[&path.display().to_string()]);
        assert!(ok, "{info}");
        let size = info
            .lines()
            .find(|l| l.starts_with("Page size:"))
            .expect("page size");
        assert!(size.contains(width_pt), "{paper:?}: {size}");
        if paper == Paper::A6 {
            assert!(size.contains("419.5"), "A6 is 148 mm tall: {size}");
        }
    }
}

// Golden layouts: every space counts. (Raw strings: a `\` line continuation
// would eat the leading spaces of the centred lines.)
const GOLDEN_DEPOSIT_32: &str = r#"
              BNI
        AGEN LAKU PANDAI
  Toko Sembako Ardha Herdianto
  Jl. Merdeka No. 17 RT 003/RW
  005, Kel. Kebon Jeruk, Kec.
Kebon Jeruk, Jakarta Barat, DKI
            Jakarta
    Kode Agen: BNI014100294
================================
          SETOR TUNAI
--------------------------------
Tanggal     : 23-11-2026
Waktu       : 15:04:05 WIB
No. Ref     : 2611231504050001
Ref. Bank   : JRN000123
Sumber Dana : TUNAI
Bank Tujuan : BNI
No. Rek     : ***4047
Nama        : ANDI SETIAWAN
Berita      : Setor tunai
--------------------------------
Nominal     :           Rp25.000
Biaya Admin :                Rp0
Total       :           Rp25.000
Terbilang: dua puluh lima ribu
rupiah
--------------------------------
        STATUS: BERHASIL
--------------------------------
 Struk ini bukti transaksi sah.
       Simpan struk ini.
         Terima kasih.
"#;

const GOLDEN_INTERBANK_UNKNOWN_COPY_48: &str = r#"
                      BNI
                AGEN LAKU PANDAI
          Toko Sembako Ardha Herdianto
  Jl. Merdeka No. 17 RT 003/RW 005, Kel. Kebon
  Jeruk, Kec. Kebon Jeruk, Jakarta Barat, DKI
                    Jakarta
            Kode Agen: BNI014100294
================================================
              TRANSFER ANTAR BANK
                  SALINAN KE-2
------------------------------------------------
Tanggal     : 23-11-2026
Waktu       : 15:04:05 WIB
No. Ref     : 2611231504050001
Bank Asal   : BNI
Bank Tujuan : BANK MANDIRI
No. Rek     : *****1186
Nama        : ARDHA HERDIANTO
------------------------------------------------
Nominal     :                           Rp50.000
Biaya Admin :                            Rp6.500
Total       :                           Rp56.500
Terbilang: lima puluh enam ribu lima ratus
rupiah
------------------------------------------------
              STATUS: DALAM PROSES
------------------------------------------------
              Status belum pasti.
            JANGAN ULANGI TRANSAKSI.
           Cek status dengan No. Ref.
        Bukan bukti transaksi berhasil.
        Dicetak 24-11-2026 09:30:00 WIB
"#;

#[test]
fn thermal_text_layout_is_exact_at_both_widths() {
    let deposit = Receipt::from_record_at(
        &record(Kind::Deposit, State::Succeeded),
        &agent(),
        None,
        printed(),
    );
    assert_eq!(render_text(&deposit, Columns::C32), &GOLDEN_DEPOSIT_32[1..]);
    let unknown = Receipt::from_record_at(
        &record(Kind::InterbankTransfer, State::Unknown),
        &agent(),
        Some(2),
        printed(),
    );
    assert_eq!(
        render_text(&unknown, Columns::C48),
        &GOLDEN_INTERBANK_UNKNOWN_COPY_48[1..]
    );
    for kind in Kind::ALL {
        for state in State::ALL {
            let r = Receipt::from_record_at(&record(kind, state), &agent(), Some(1), printed());
            for cols in [Columns::C32, Columns::C48] {
                for line in render_text(&r, cols).lines() {
                    assert!(
                        line.chars().count() <= cols.width(),
                        "{kind:?}/{state:?}: {line:?} is wider than {}",
                        cols.width()
                    );
                }
            }
        }
    }
}

#[test]
fn a_failed_transfer_says_why_and_that_no_money_moved() {
    let r = Receipt::from_record_at(
        &record(Kind::IntrabankTransfer, State::Failed),
        &agent(),
        None,
        printed(),
    );
    let text = squash(&render_text(&r, Columns::C48));
    assert!(text.contains("STATUS: GAGAL"), "{text}");
    assert!(
        text.contains("Keterangan: [0108] NO SUCH ACCOUNT"),
        "{text}"
    );
    assert!(text.contains("Tidak ada dana yang berpindah."), "{text}");
}

#[test]
fn a_reversal_names_what_it_reversed_but_not_the_internal_reason() {
    let r = Receipt::from_record_at(
        &record(Kind::Reversal, State::Succeeded),
        &agent(),
        None,
        printed(),
    );
    let text = render_text(&r, Columns::C32);
    assert!(text.contains("Membatalkan : 2611231504040007"), "{text}");
    assert!(!text.contains("salah rekening"), "{text}");
    // It must not read like a second payment (issue 15): no destination,
    // the amounts marked as returned, and the undone transaction named.
    assert!(!text.contains("Bank Tujuan"), "{text}");
    assert!(!text.contains("No. Rek"), "{text}");
    assert!(text.contains("Rek. Semula"), "{text}");
    assert!(text.contains("DANA DIKEMBALIKAN"), "{text}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Transaksi No. Ref 2611231504040007 telah dibatalkan. Dananya sudah kembali ke rekening agen."),
        "{text}"
    );
}

#[test]
fn escpos_frames_the_text_in_code_page_858_and_cuts() {
    let mut rec = record(Kind::Deposit, State::Succeeded);
    rec.destination.account_name = Some("JOSÉ MÜLLER 王".into());
    let r = Receipt::from_record_at(&rec, &agent(), None, printed());
    let bytes = escpos(&r, Columns::C32);
    assert_eq!(&bytes[..5], &[0x1b, b'@', 0x1b, b't', 19], "init, PC858");
    assert_eq!(
        &bytes[bytes.len() - 7..],
        &[0x1b, b'd', 4, 0x1d, b'V', 66, 0]
    );
    // É is 0x90 and Ü is 0x9A in CP858; a character it lacks prints as '?'.
    let name: &[u8] = b"JOS\x90 M\x9aLLER ?";
    assert!(
        bytes.windows(name.len()).any(|w| w == name),
        "name not encoded in CP858"
    );
    // Bold on and off around the title.
    let title: Vec<u8> = [
        &[0x1b, b'E', 1][..],
        b"          SETOR TUNAI",
        &[0x1b, b'E', 0],
    ]
    .concat();
    assert!(bytes.windows(title.len()).any(|w| w == title.as_slice()));
    // The text renderer prints the same stand-in.
    let text = render_text(&r, Columns::C32);
    assert!(text.contains("JOSÉ MÜLLER ?"), "{text}");
}

#[test]
fn the_standard_font_pdf_for_printing_is_small_valid_and_readable() {
    let rec = record(Kind::InterbankTransfer, State::Succeeded);
    let r = Receipt::from_record_at(&rec, &agent(), None, printed());
    let dir = tempfile::tempdir().expect("temp dir");
    for paper in [Paper::Roll58, Paper::Roll80, Paper::A6] {
        let pdf = render_pdf_with(&r, paper, PdfFont::Standard).expect("pdf");
        assert!(pdf.len() < 8 * 1024, "{paper:?}: {} bytes", pdf.len());
        let path = dir.path().join("std.pdf");
        std::fs::write(&path, &pdf).expect("write");
        let text = squash(&pdf_text(&path));
        assert!(text.contains("TRANSFER ANTAR BANK"), "{text}");
        assert!(text.contains("Total : Rp56.500"), "{text}");
        let (ok, out) = tool("qpdf", &["--check", &path.display().to_string()]);
        assert!(ok, "{out}");
    }
}

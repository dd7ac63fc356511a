//! Writes a sample receipt (a succeeded interbank transfer) as PDF and text:
//! `cargo run -p receipt --example sample -- OUT_DIR`. The README's picture
//! is this PDF at 80 mm, rendered with `pdftoppm`.

use chrono::{TimeZone, Utc};
use journal::{Destination, Kind, State, TransactionRecord};
use money::Rupiah;
use receipt::{render_pdf, render_text, Agent, Paper, Receipt};

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let at = Utc
        .with_ymd_and_hms(2026, 11, 23, 8, 4, 44)
        .single()
        .unwrap_or_default();
    let rp = |r: i64| Rupiah::from_rupiah(r).unwrap_or_default();
    let record = TransactionRecord {
        sid: "2611231504443356".into(),
        kind: Kind::InterbankTransfer,
        state: State::Succeeded,
        created_at: at,
        updated_at: at,
        operator: "BNIUS100294".into(),
        agent_code: "BNI014100294".into(),
        amount: Some(rp(50_000)),
        admin_fee: Some(rp(6_500)),
        total: Some(rp(56_500)),
        destination: Destination {
            bank_code: Some("008".into()),
            bank_name: Some("BANK MANDIRI".into()),
            account_number: Some("114451186".into()),
            account_name: Some("Ardha Herdianto".into()),
        },
        narration: None,
        inquiry_ref: Some("TRX0001".into()),
        bank_reference: Some("000123456789".into()),
        bank_code: Some("00".into()),
        bank_message: Some("SUCCESS".into()),
        override_of: None,
        resolution: None,
        resolution_note: None,
        resolved_by: None,
    };
    let agent = Agent {
        bank_name: "BNI".into(),
        agent_code: "BNI014100294".into(),
        name: "ARDHA HERDIANTO".into(),
        address: "Jl. Kebon Sirih No. 12 RT 001/RW 002, Kebon Sirih, Menteng, Jakarta Pusat".into(),
    };
    let r = Receipt::from_record_at(&record, &agent, None, at);
    for (paper, name) in [
        (Paper::Roll58, "58"),
        (Paper::Roll80, "80"),
        (Paper::A6, "a6"),
    ] {
        match render_pdf(&r, paper) {
            Ok(pdf) => {
                let path = format!("{out}/receipt-{name}.pdf");
                if let Err(e) = std::fs::write(&path, &pdf) {
                    eprintln!("{path}: {e}");
                    std::process::exit(1);
                }
                println!("{path}: {} bytes", pdf.len());
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    print!("{}", render_text(&r, receipt::Columns::C48));
}

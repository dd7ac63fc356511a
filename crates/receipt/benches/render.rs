//! Receipt rendering: time per receipt for the PDF (embedded font and the
//! standard font used for printing, at 58 mm, 80 mm and A6), the thermal
//! text and ESC/POS, and the PDF sizes. Prints one line per measurement;
//! `make bench` runs it in release mode.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use journal::{Destination, Kind, State, TransactionRecord};
use money::Rupiah;
use receipt::{escpos, render_pdf_with, render_text, Agent, Columns, Paper, PdfFont, Receipt};

fn sample() -> Receipt {
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
        inquiry_ref: None,
        bank_reference: Some("000123456789".into()),
        bank_code: Some("00".into()),
        bank_message: None,
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
    Receipt::from_record_at(&record, &agent, Some(1), at)
}

/// Median and p95 of `n` timed runs of `f`, after a short warm-up.
fn measure<T>(n: usize, mut f: impl FnMut() -> T) -> (Duration, Duration) {
    for _ in 0..5 {
        black_box(f());
    }
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    (times[n / 2], times[(n * 95) / 100])
}

fn fmt(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    }
}

fn main() {
    let r = sample();
    println!("receipt render, one succeeded interbank transfer (copy 1), release build");
    for font in [PdfFont::Embedded, PdfFont::Standard] {
        for paper in [Paper::Roll58, Paper::Roll80, Paper::A6] {
            let size = render_pdf_with(&r, paper, font)
                .map(|b| b.len())
                .unwrap_or(0);
            let (median, p95) = measure(200, || render_pdf_with(&r, paper, font));
            println!(
                "pdf {font:?} {paper:?}: median {} p95 {} size {size} bytes ({:.1} KB)",
                fmt(median),
                fmt(p95),
                size as f64 / 1024.0
            );
        }
    }
    for cols in [Columns::C32, Columns::C48] {
        let (median, p95) = measure(2000, || render_text(&r, cols));
        println!("text {cols:?}: median {} p95 {}", fmt(median), fmt(p95));
        let (median, p95) = measure(2000, || escpos(&r, cols));
        println!(
            "escpos {cols:?}: median {} p95 {} size {} bytes",
            fmt(median),
            fmt(p95),
            escpos(&r, cols).len()
        );
    }
}

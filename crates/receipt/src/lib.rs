//! Receipts (struk): one model filled from a journal row and the agent's
//! profile, and the renderers for it: a PDF (58 mm and 80 mm rolls, A6),
//! plain text and ESC/POS bytes for 58 mm (32 columns) and 80 mm
//! (48 columns) thermal printers, and printing through CUPS.
//!
//! A receipt never claims more than the journal knows: an `unknown`
//! transaction prints "DALAM PROSES", never a success, and a reprint is
//! marked "SALINAN KE-n". Account numbers are masked to the last four digits.
//!
//! ```no_run
//! # fn demo(record: &journal::TransactionRecord, profile: &bankplus::AgentProfile) {
//! use receipt::{Agent, Columns, Paper, Receipt};
//! let r = Receipt::from_record(record, &Agent::from(profile), None);
//! let pdf = receipt::render_pdf(&r, Paper::Roll58).expect("the font is built in");
//! let slip = receipt::render_text(&r, Columns::C32);
//! std::fs::write(r.file_name(), &pdf).expect("saved");
//! let job = receipt::print_receipt(&r, Paper::Roll58, None); // the system default printer
//! # }
//! ```

mod layout;
mod model;
mod pdf;
mod print;
mod thermal;

pub use layout::{layout, printable, wrap, Columns, Line};
pub use model::{mask_account, type_label, Agent, Amounts, Receipt, Status};
pub use pdf::{render_pdf, render_pdf_with, Paper, PdfError, PdfFont};
pub use print::{print_pdf, print_raw, print_receipt, Cups, PrintError, PrintJob, PrinterState};
pub use thermal::{cp858, escpos, render_text};

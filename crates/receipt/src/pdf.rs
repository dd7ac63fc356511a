//! The receipt as a PDF, for saving, sending, and printing through CUPS.
//!
//! Two font choices, one layout (the thermal one, 32 or 48 monospaced
//! columns scaled to the paper, so a PDF and a thermal slip read the same):
//!
//! - [`PdfFont::Embedded`] (what [`render_pdf`] uses, for a receipt that is
//!   saved or sent): DejaVu Sans Mono cut down to Latin-1 (`assets/fonts/`,
//!   about 19 KB a face, made once with `pyftsubset`), embedded whole. It
//!   looks the same in every viewer; a receipt PDF is about 28 KB. printpdf's
//!   own subsetting of the full 340 KB font gave 208 KB.
//! - [`PdfFont::Standard`] (what [`print_receipt`](crate::print_receipt)
//!   uses): the PDF's built-in Courier, not embedded (about 2 KB). CUPS
//!   re-renders a job through Ghostscript, which turns the embedded CID
//!   TrueType font into a Type 3 font without its text layer: the paper looks
//!   right, but a PDF "printer" (cups-pdf) produces a file whose text cannot
//!   be read or searched. The standard font survives that round trip.

use std::sync::OnceLock;

use chrono::{Datelike, Timelike};
use journal::wib;
use printpdf::{
    BuiltinFont, Date, Mm, Offset, OffsetDateTime, Op, ParsedFont, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, TextItem, Time,
};

use crate::layout::{layout, Columns, Line};
use crate::model::Receipt;

/// The paper a PDF receipt is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// 58 mm thermal roll: 32 columns, as long as the receipt.
    Roll58,
    /// 80 mm thermal roll: 48 columns, as long as the receipt.
    Roll80,
    /// A6 sheet (105 × 148 mm): 48 columns, more pages if needed.
    A6,
}

impl Paper {
    pub fn columns(self) -> Columns {
        match self {
            Paper::Roll58 => Columns::C32,
            Paper::Roll80 | Paper::A6 => Columns::C48,
        }
    }

    pub fn width_mm(self) -> f32 {
        match self {
            Paper::Roll58 => 58.0,
            Paper::Roll80 => 80.0,
            Paper::A6 => 105.0,
        }
    }

    /// Font size: the column count must fit the printable width (a roll
    /// printer prints about 48 mm of 58 and 72 mm of 80).
    fn font_pt(self) -> f32 {
        match self {
            Paper::Roll58 | Paper::Roll80 => 7.0,
            Paper::A6 => 9.0,
        }
    }

    /// Parses `58`, `80` or `a6` (the CLI's `--width`).
    pub fn parse(text: &str) -> Option<Paper> {
        match text.trim().to_ascii_lowercase().as_str() {
            "58" | "58mm" => Some(Paper::Roll58),
            "80" | "80mm" => Some(Paper::Roll80),
            "a6" => Some(Paper::A6),
            _ => None,
        }
    }
}

/// Which font a PDF carries; see the module documentation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum PdfFont {
    /// DejaVu Sans Mono (Latin-1), embedded: for saving and sending.
    #[default]
    Embedded,
    /// The built-in Courier, not embedded: for printing through CUPS.
    Standard,
}

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("font struk rusak / the receipt font in the build is damaged")]
    Font,
}

const REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansMono-Latin1.ttf");
const BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansMono-Bold-Latin1.ttf");
/// Advance width of every glyph, in em: DejaVu Sans Mono 1233 / 2048, Courier 600 / 1000.
const ADVANCE_EM: f32 = 0.602;
const MARGIN_MM: f32 = 5.0;
const A6_HEIGHT_MM: f32 = 148.0;

fn fonts() -> Result<&'static (ParsedFont, ParsedFont), PdfError> {
    static FONTS: OnceLock<Option<(ParsedFont, ParsedFont)>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let regular = ParsedFont::from_bytes(REGULAR, 0, &mut Vec::new())?;
            let bold = ParsedFont::from_bytes(BOLD, 0, &mut Vec::new())?;
            Some((regular, bold))
        })
        .as_ref()
        .ok_or(PdfError::Font)
}

fn pdf_time(r: &Receipt) -> OffsetDateTime {
    let t = r.printed_at.with_timezone(&wib());
    OffsetDateTime::new_in_offset(
        Date {
            year: t.year(),
            month: t.month() as u8,
            day: t.day() as u8,
        },
        Time {
            hour: t.hour() as u8,
            minute: t.minute() as u8,
            second: t.second() as u8,
            millisecond: 0,
        },
        Offset {
            hours: 7,
            minutes: 0,
            seconds: 0,
            milliseconds: 0,
        },
    )
}

fn line_ops(
    line: &Line,
    x: Pt,
    y: Pt,
    size: Pt,
    fonts: &(PdfFontHandle, PdfFontHandle),
) -> [Op; 5] {
    let font = if line.bold { &fonts.1 } else { &fonts.0 };
    [
        Op::StartTextSection,
        Op::SetFont {
            font: font.clone(),
            size,
        },
        Op::SetTextCursor {
            pos: Point { x, y },
        },
        Op::ShowText {
            items: vec![TextItem::Text(line.text.clone())],
        },
        Op::EndTextSection,
    ]
}

/// The receipt as a PDF document on `paper`, with the embedded font (for
/// saving and sending; print with [`print_receipt`](crate::print_receipt)).
pub fn render_pdf(r: &Receipt, paper: Paper) -> Result<Vec<u8>, PdfError> {
    render_pdf_with(r, paper, PdfFont::Embedded)
}

/// The receipt as a PDF document on `paper` in `font`.
pub fn render_pdf_with(r: &Receipt, paper: Paper, font: PdfFont) -> Result<Vec<u8>, PdfError> {
    let lines = layout(r, paper.columns());
    let size = paper.font_pt();
    let line_mm = size * 1.25 * 25.4 / 72.0;
    let text_width_mm = paper.columns().width() as f32 * size * ADVANCE_EM * 25.4 / 72.0;
    let x_mm = ((paper.width_mm() - text_width_mm) / 2.0).max(1.0);

    let mut doc = PdfDocument::new(&format!("Struk {} {}", r.type_label, r.sid));
    let handles = match font {
        PdfFont::Embedded => {
            let (regular, bold) = fonts()?;
            (
                PdfFontHandle::External(doc.add_font(regular)),
                PdfFontHandle::External(doc.add_font(bold)),
            )
        }
        PdfFont::Standard => (
            PdfFontHandle::Builtin(BuiltinFont::Courier),
            PdfFontHandle::Builtin(BuiltinFont::CourierBold),
        ),
    };
    let info = &mut doc.metadata.info;
    info.creation_date = pdf_time(r);
    info.modification_date = info.creation_date;
    info.metadata_date = info.creation_date;
    info.author = r.agent.bank_name.clone();
    info.creator = "Loket".into();
    info.producer = "Loket receipt (printpdf)".into();
    info.subject = format!("{} {}", r.type_label, r.status.label());

    let per_page = match paper {
        Paper::A6 => (((A6_HEIGHT_MM - 2.0 * MARGIN_MM) / line_mm).floor() as usize).max(1),
        Paper::Roll58 | Paper::Roll80 => lines.len().max(1),
    };
    let mut pages = Vec::new();
    for chunk in lines.chunks(per_page) {
        let height_mm = match paper {
            Paper::A6 => A6_HEIGHT_MM,
            _ => 2.0 * MARGIN_MM + chunk.len() as f32 * line_mm,
        };
        let mut ops = Vec::with_capacity(chunk.len() * 5);
        for (i, line) in chunk.iter().enumerate() {
            // Baselines from the top: one line height down, less the descent.
            let y_mm = height_mm - MARGIN_MM - (i as f32 + 1.0) * line_mm + line_mm * 0.25;
            ops.extend(line_ops(
                line,
                Mm(x_mm).into(),
                Mm(y_mm).into(),
                Pt(size),
                &handles,
            ));
        }
        pages.push(PdfPage::new(Mm(paper.width_mm()), Mm(height_mm), ops));
    }
    doc.with_pages(pages);
    let opts = PdfSaveOptions {
        // The fonts are already cut to Latin-1; subsetting again costs time and saves little.
        subset_fonts: false,
        ..PdfSaveOptions::default()
    };
    Ok(doc.save(&opts, &mut Vec::new()))
}

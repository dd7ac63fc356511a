//! Lays a receipt out in fixed columns. Thermal printers print a fixed number
//! of characters a line (32 on 58 mm paper, 48 on 80 mm), and the PDF uses a
//! monospaced font at the same counts, so one layout serves every renderer
//! and the paper looks the same whichever way it was printed.

use journal::{wib, Kind};

use crate::model::{Receipt, Status};

/// Characters a line: the two thermal roll widths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Columns {
    /// 58 mm roll: 32 characters.
    C32,
    /// 80 mm roll (and A6 paper): 48 characters.
    C48,
}

impl Columns {
    pub fn width(self) -> usize {
        match self {
            Columns::C32 => 32,
            Columns::C48 => 48,
        }
    }
}

/// One printed line, at most the column width, without trailing spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    /// Printed emphasized (bold font / ESC E).
    pub bold: bool,
}

/// Labels are padded to this many characters, then ` : `, then the value.
const LABEL: usize = 11;

/// Text a receipt can print: Latin-1 (what the PDF font and the thermal
/// code page both hold); anything else becomes `?`, control characters a space.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            // The screen's mask bullet and typographic quotes have plain stand-ins.
            '•' => '*',
            '‘' | '’' => '\'',
            '“' | '”' => '"',
            '–' | '—' => '-',
            c if c.is_control() => ' ',
            c if (c as u32) < 0x100 => c,
            _ => '?',
        })
        .collect()
}

/// Splits `text` into lines of at most `width` characters at spaces; a word
/// longer than a line is cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in printable(text).split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = current.chars().count();
            let sep = usize::from(used > 0);
            if used + sep + word.len() <= width {
                if sep == 1 {
                    current.push(' ');
                }
                current.extend(word.iter());
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut current));
                continue;
            }
            // An empty line and a word that does not fit: cut it.
            let rest = word.split_off(width);
            lines.push(word.iter().collect());
            word = rest;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

fn center(text: &str, width: usize) -> String {
    let n = text.chars().count();
    let pad = width.saturating_sub(n) / 2;
    format!("{}{}", " ".repeat(pad), text)
}

struct Builder {
    width: usize,
    lines: Vec<Line>,
}

impl Builder {
    fn push(&mut self, text: String, bold: bool) {
        self.lines.push(Line {
            text: text.trim_end().to_owned(),
            bold,
        });
    }

    fn centered(&mut self, text: &str, bold: bool) {
        for l in wrap(text, self.width) {
            let c = center(&l, self.width);
            self.push(c, bold);
        }
    }

    fn rule(&mut self, c: char) {
        self.push(c.to_string().repeat(self.width), false);
    }

    /// `Label       : value`, the value wrapped under itself.
    fn pair(&mut self, label: &str, value: &str) {
        let indent = LABEL + 3;
        let lines = wrap(value, self.width - indent);
        let lines = if lines.is_empty() {
            vec![String::new()]
        } else {
            lines
        };
        for (i, l) in lines.iter().enumerate() {
            let head = if i == 0 {
                format!("{label:<LABEL$} : ")
            } else {
                " ".repeat(indent)
            };
            self.push(format!("{head}{l}"), false);
        }
    }

    /// `Label       :      Rp25.000`: amounts right-aligned so digits line up.
    fn money(&mut self, label: &str, value: &str, bold: bool) {
        let room = self.width - LABEL - 3;
        self.push(format!("{label:<LABEL$} : {value:>room$}"), bold);
    }

    /// Text across the whole width, wrapped.
    fn para(&mut self, text: &str) {
        for l in wrap(text, self.width) {
            self.push(l, false);
        }
    }
}

/// The receipt's lines for a paper `columns` wide.
pub fn layout(r: &Receipt, columns: Columns) -> Vec<Line> {
    let mut b = Builder {
        width: columns.width(),
        lines: Vec::new(),
    };
    let wib = wib();
    if !r.agent.bank_name.trim().is_empty() {
        b.centered(&r.agent.bank_name.to_uppercase(), true);
    }
    b.centered("AGEN LAKU PANDAI", false);
    b.centered(&r.agent.name, false);
    b.centered(&r.agent.address, false);
    b.centered(&format!("Kode Agen: {}", r.agent.agent_code), false);
    b.rule('=');
    b.centered(r.type_label, true);
    if let Some(n) = r.copy {
        b.centered(&format!("SALINAN KE-{n}"), true);
    }
    b.rule('-');
    let at = r.at.with_timezone(&wib);
    b.pair("Tanggal", &at.format("%d-%m-%Y").to_string());
    b.pair("Waktu", &at.format("%H:%M:%S WIB").to_string());
    b.pair("No. Ref", &r.sid);
    if let Some(reference) = &r.bank_reference {
        b.pair("Ref. Bank", reference);
    }
    if let Some(target) = &r.reverses {
        b.pair("Membatalkan", target);
    }
    match r.kind {
        Kind::Deposit => b.pair("Sumber Dana", "TUNAI"),
        Kind::IntrabankTransfer | Kind::InterbankTransfer | Kind::Reversal
            if !r.source_bank.trim().is_empty() =>
        {
            b.pair("Bank Asal", &r.source_bank)
        }
        _ => {}
    }
    if let Some(bank) = &r.destination_bank {
        let label = match r.kind {
            // A reversal sends nothing anywhere: it names where the undone
            // transaction's money had gone.
            Kind::Reversal => "Bank Semula",
            Kind::IntrabankTransfer | Kind::InterbankTransfer | Kind::Deposit => "Bank Tujuan",
            _ => "Bank",
        };
        b.pair(label, bank);
    }
    if let Some(account) = &r.destination_account {
        let label = match r.kind {
            Kind::Reversal => "Rek. Semula",
            _ => "No. Rek",
        };
        b.pair(label, account);
    }
    if let Some(name) = &r.destination_name {
        b.pair("Nama", name);
    }
    if let Some(narration) = &r.narration {
        b.pair("Berita", narration);
    }
    if let Some(a) = &r.amounts {
        b.rule('-');
        if r.kind == Kind::Reversal {
            // The amounts below came back; without this the receipt reads
            // like a second payment of the same amount.
            b.centered("DANA DIKEMBALIKAN", true);
        }
        b.money("Nominal", &a.amount.to_string(), false);
        b.money("Biaya Admin", &a.admin_fee.to_string(), false);
        b.money("Total", &a.total.to_string(), true);
        b.para(&format!("Terbilang: {}", a.terbilang));
    }
    b.rule('-');
    b.centered(&format!("STATUS: {}", r.status.label()), true);
    if let Some(why) = &r.failure {
        b.para(&format!("Keterangan: {why}"));
    }
    if r.kind == Kind::Reversal && r.status == Status::Succeeded {
        let what = match &r.reverses {
            Some(sid) => format!("Transaksi No. Ref {sid}"),
            None => "Transaksi semula".to_owned(),
        };
        b.para(&format!(
            "{what} telah dibatalkan. Dananya sudah kembali ke rekening agen."
        ));
    }
    b.rule('-');
    for line in r.status.footer() {
        b.centered(line, false);
    }
    if r.copy.is_some() {
        let printed = r.printed_at.with_timezone(&wib);
        b.centered(
            &format!("Dicetak {}", printed.format("%d-%m-%Y %H:%M:%S WIB")),
            false,
        );
    }
    debug_assert!(b.lines.iter().all(|l| l.text.chars().count() <= b.width));
    b.lines
}

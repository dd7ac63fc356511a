//! Plain text and ESC/POS bytes for thermal receipt printers.
//!
//! ESC/POS printers do not speak Unicode: they print one byte a character
//! from a legacy code page. We select PC858 (CP850 with the euro sign),
//! which holds every Latin-1 letter Indonesian names can contain.

use crate::layout::{layout, Columns};
use crate::model::Receipt;

/// The receipt as plain text, one line per receipt line, `\n`-terminated.
pub fn render_text(r: &Receipt, columns: Columns) -> String {
    let mut out = String::new();
    for line in layout(r, columns) {
        out.push_str(&line.text);
        out.push('\n');
    }
    out
}

const ESC: u8 = 0x1b;
const GS: u8 = 0x1d;
/// `ESC t 19`: character code table PC858 (Epson numbering, shared by most clones).
const CODE_PAGE_PC858: u8 = 19;

/// Bytes 0x80..=0xFF of code page 858, in order.
const CP858_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈ€ÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u{ad}±‗¾¶§÷¸°¨·¹³²■\u{a0}";

/// One character in code page 858; `?` when it has none.
pub fn cp858(c: char) -> u8 {
    if c.is_ascii() && !c.is_ascii_control() {
        return c as u8;
    }
    CP858_HIGH
        .chars()
        .position(|h| h == c)
        .map(|i| 0x80 + i as u8)
        .unwrap_or(b'?')
}

/// The receipt as ESC/POS: initialise, select PC858, the lines (bold where
/// the layout says so), feed past the cutter, and a partial cut.
pub fn escpos(r: &Receipt, columns: Columns) -> Vec<u8> {
    let mut out = vec![ESC, b'@', ESC, b't', CODE_PAGE_PC858];
    for line in layout(r, columns) {
        if line.bold {
            out.extend_from_slice(&[ESC, b'E', 1]);
        }
        out.extend(line.text.chars().map(cp858));
        if line.bold {
            out.extend_from_slice(&[ESC, b'E', 0]);
        }
        out.push(b'\n');
    }
    // `ESC d 4` feeds four lines so the last line clears the cutter;
    // `GS V 66 0` feeds to the cut position and cuts, leaving a tab.
    out.extend_from_slice(&[ESC, b'd', 4, GS, b'V', 66, 0]);
    out
}

//! What Loket says to a person, in one language at a time.
//!
//! Every message a front end can show is a [`Text`]: the same sentence in
//! Bahasa Indonesia and in English, with its parameters already filled in.
//! An error or notice that a person may read implements [`Say`]; a message
//! that names another one (a teller error around a money parse error, a
//! printer's reason inside a print error) takes the inner [`Text`] as a
//! parameter, so each language is filled with the same language's words and
//! no sentence mixes the two. Nothing here joins or splits "id / en" strings.
//!
//! ```
//! use words::{text, Lang, Text};
//! let why = text!("ada karakter yang tidak dikenal", "unexpected characters");
//! let amount = "1e9";
//! let m: Text = text!("Nominal {amount:?} salah: {why}.", "Amount {amount:?} is wrong: {why}."; why);
//! assert_eq!(m.get(Lang::Id), "Nominal \"1e9\" salah: ada karakter yang tidak dikenal.");
//! assert_eq!(m.get(Lang::En), "Amount \"1e9\" is wrong: unexpected characters.");
//! ```

use std::fmt;

/// The language a person reads messages in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Id, Lang::En];
}

/// One message in both languages, parameters filled in.
///
/// It has no `Display` on purpose: showing it means choosing a language
/// ([`Text::get`]), so an English-only rendering cannot slip into an
/// Indonesian sentence by `format!`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct Text {
    id: String,
    en: String,
}

impl Text {
    /// A message from its Indonesian and its English wording.
    pub fn new(id: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            id: id.into(),
            en: en.into(),
        }
    }

    /// Words that read the same in both languages: a code, a name, a
    /// number, or the bank's own reason quoted as it was sent.
    pub fn same(words: impl Into<String>) -> Text {
        let w = words.into();
        Text {
            id: w.clone(),
            en: w,
        }
    }

    /// The message in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        }
    }

    /// The Indonesian wording.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The English wording.
    pub fn en(&self) -> &str {
        &self.en
    }

    /// `self` followed by `more`, each language with its own (a space between).
    pub fn then(&self, more: &Text) -> Text {
        Text::new(join(&self.id, &more.id, " "), join(&self.en, &more.en, " "))
    }

    /// Several messages as one list, each language with its own, joined by `sep`.
    pub fn join(parts: &[Text], sep: &str) -> Text {
        Text::new(
            parts
                .iter()
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>()
                .join(sep),
            parts
                .iter()
                .map(|t| t.en.as_str())
                .collect::<Vec<_>>()
                .join(sep),
        )
    }
}

fn join(a: &str, b: &str, sep: &str) -> String {
    if a.is_empty() {
        b.to_owned()
    } else if b.is_empty() {
        a.to_owned()
    } else {
        format!("{a}{sep}{b}")
    }
}

/// Something a person may read: an error, a notice, a field's name.
pub trait Say {
    /// What it says, in both languages.
    fn say(&self) -> Text;

    /// What it says in `lang`.
    fn say_in(&self, lang: Lang) -> String {
        self.say().get(lang).to_owned()
    }
}

impl Say for Text {
    fn say(&self) -> Text {
        self.clone()
    }
}

impl<T: Say + ?Sized> Say for &T {
    fn say(&self) -> Text {
        (**self).say()
    }
}

impl<T: Say + ?Sized> Say for Box<T> {
    fn say(&self) -> Text {
        (**self).say()
    }
}

/// An operating-system error (a file, a socket) in words, each language
/// whole: the OS's own text is English, so only its kind is translated and
/// its number kept as a code.
impl Say for std::io::Error {
    fn say(&self) -> Text {
        use std::io::ErrorKind as K;
        let (id, en) = match self.kind() {
            K::NotFound => ("berkas atau folder tidak ada", "no such file or folder"),
            K::PermissionDenied => ("tidak ada izin", "permission denied"),
            K::AlreadyExists => ("sudah ada", "already exists"),
            K::UnexpectedEof => ("berkas terpotong", "the file is cut short"),
            K::InvalidData | K::InvalidInput => ("isi berkas tidak terbaca", "unreadable contents"),
            K::TimedOut => ("waktu habis", "timed out"),
            K::ConnectionRefused => ("sambungan ditolak", "connection refused"),
            K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => {
                ("sambungan terputus", "connection broken")
            }
            K::WriteZero | K::StorageFull => ("ruang disk penuh", "the disk is full"),
            K::Interrupted => ("terhenti", "interrupted"),
            _ => ("kesalahan sistem", "system error"),
        };
        match self.raw_os_error() {
            Some(n) => Text::new(format!("{id} (os {n})"), format!("{en} (os {n})")),
            None => Text::new(id, en),
        }
    }
}

/// A data parameter of a message (a sid, an amount, a name): the same in
/// both languages. Wrapping makes it explicit that no words are inside.
pub struct Data<T>(pub T);

impl<T: fmt::Display> Say for Data<T> {
    fn say(&self) -> Text {
        Text::same(self.0.to_string())
    }
}

/// Builds a [`Text`]: the Indonesian and the English format strings, each
/// filled like `format!` (captured variables and `{x:?}` work; they are
/// data, the same in both languages). Parameters after `;` are messages
/// themselves (anything that implements [`Say`]): each language gets the
/// wording in its own language.
///
/// `text!("id {x}", "en {x}")`, `text!("id {why}", "en {why}"; why)`,
/// `text!("id {why}", "en {why}"; why = err)`.
#[macro_export]
macro_rules! text {
    ($id:literal, $en:literal $(,)?) => {
        $crate::Text::new(format!($id), format!($en))
    };
    ($id:literal, $en:literal; $($k:ident $(= $v:expr)?),+ $(,)?) => {{
        $( let $k: $crate::Text = $crate::Say::say(&$crate::text!(@param $k $(= $v)?)); )+
        $crate::Text::new(
            { $( let $k = $k.id(); )+ format!($id) },
            { $( let $k = $k.en(); )+ format!($en) },
        )
    }};
    (@param $k:ident) => { $k };
    (@param $k:ident = $v:expr) => { $v };
}

/// Words that mark a language, for tests that look for a sentence mixing
/// two: an English rendering must contain none of [`ID_MARKERS`] and an
/// Indonesian one none of [`EN_MARKERS`] (matched as whole words, case
/// insensitive), apart from [`PROPER_NOUNS`].
pub mod markers {
    pub const ID_MARKERS: &[&str] = &[
        "belum",
        "tidak",
        "rekening",
        "silakan",
        "gagal",
        "sudah",
        "transaksi",
        "dan",
        "atau",
        "yang",
        "dengan",
        "untuk",
        "bukan",
        "harus",
        "berkas",
        "salah",
        "sedang",
        "lagi",
        "jangan",
        "ulangi",
        "nominal",
        "isian",
        "dikirim",
        "dicek",
        "masuk",
        "ada",
        "ini",
        "itu",
        "kosong",
        "pilih",
        "cadangan",
        "berhasil",
        "jurnal",
        "alamat",
        "nama",
    ];
    pub const EN_MARKERS: &[&str] = &[
        "the", "is", "not", "please", "failed", "account", "and", "or", "with", "for", "must",
        "cannot", "was", "has", "have", "try", "again", "amount", "wrong", "check", "nothing",
        "sent", "file", "unknown", "empty", "name", "input", "refused", "already", "this", "that",
        "of", "to", "no",
    ];
    /// Names and codes that are the same in both languages.
    pub const PROPER_NOUNS: &[&str] = &[
        "Bank+",
        "PIN",
        "KTP",
        "NIK",
        "refnum",
        "sid",
        "CUPS",
        "Loket",
        "SANDBOX",
        "Rp",
        "WIB",
        "settings.json",
        "journal.db",
        "HTTP",
        "JSON",
        "email",
        "username",
        "password",
        "switcher",
        "supervisor",
        "online",
        "offline",
        "OTP",
        "API",
        "URL",
        "TLS",
    ];

    /// The marker words of the other language found in `rendering` (which
    /// is in `lang`), quoted data (between `"` or `“”`) left out.
    pub fn foreign_words(rendering: &str, lang: crate::Lang) -> Vec<String> {
        let markers = match lang {
            crate::Lang::Id => EN_MARKERS,
            crate::Lang::En => ID_MARKERS,
        };
        let mut outside = String::new();
        let mut quoted = false;
        for c in rendering.chars() {
            match c {
                '"' => quoted = !quoted,
                '“' => quoted = true,
                '”' => quoted = false,
                _ if !quoted => outside.push(c),
                _ => {}
            }
        }
        let proper: Vec<String> = PROPER_NOUNS.iter().map(|p| p.to_lowercase()).collect();
        let mut found = Vec::new();
        // A command line (`loket check SID`, `loket settings approve`) is
        // typed as written in either language: the two words after a
        // lowercase `loket` are not words of the sentence.
        let mut skip = 0;
        for raw in
            outside.split(|c: char| !(c.is_alphanumeric() || c == '+' || c == '_' || c == '.'))
        {
            let raw = raw.trim_end_matches('.');
            if raw.is_empty() {
                continue;
            }
            if skip > 0 {
                skip -= 1;
                continue;
            }
            if raw == "loket" {
                skip = 2;
                continue;
            }
            let w = raw.to_lowercase();
            if !proper.contains(&w) && markers.contains(&w.as_str()) {
                found.push(w);
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_messages_keep_each_language_whole() {
        let inner = text!("kertas habis / macet", "out of paper / jammed");
        let printer = "Kasir 1";
        let outer = text!("Printer {printer} berhenti: {inner}.", "Printer {printer} stopped: {inner}."; inner);
        assert_eq!(
            outer.get(Lang::Id),
            "Printer Kasir 1 berhenti: kertas habis / macet."
        );
        assert_eq!(
            outer.get(Lang::En),
            "Printer Kasir 1 stopped: out of paper / jammed."
        );
    }

    #[test]
    fn markers_find_the_other_language_outside_quotes() {
        use markers::foreign_words;
        assert_eq!(
            foreign_words("Isian belum benar: the amount", Lang::Id),
            ["the", "amount"]
        );
        assert!(foreign_words("Isian belum benar: \"the amount\"", Lang::Id).is_empty());
        assert_eq!(foreign_words("Input is wrong: belum", Lang::En), ["belum"]);
        assert!(foreign_words("Enter the PIN for Bank+ refnum 12", Lang::En).is_empty());
    }
}

//! The banks the sandbox knows: the home bank (BNI, where the demo agent
//! works) and the ten banks of the document's `bank/list`, with the names
//! and SWIFT-like codes each API uses for them.
//!
//! The ledger keys every account by a *ledger bank code*: `"BNI"` for the
//! home bank (that is what Bank+ replies carry in `bank_code`) and the
//! three-digit code of `bank/list` for the others. The switcher speaks
//! SWIFT-like codes (`BRINIDJA`), so [`resolve`] accepts all three forms.

/// The home bank's ledger code, as Bank+ replies spell it.
pub(crate) const HOME_BANK: &str = "BNI";

/// One bank as the APIs name it.
pub(crate) struct Bank {
    /// The ledger code: `"BNI"` or a `bank/list` code such as `"008"`.
    pub code: &'static str,
    /// The name in `bank/list`.
    pub list_name: &'static str,
    /// The short name the interbank inquiry replies with (the document's
    /// sample says `"MANDRI"` for 008, and the sandbox keeps that quirk).
    pub switch_name: &'static str,
    /// The switcher's SWIFT-like code, where the bank has one here.
    pub swift: Option<&'static str>,
}

/// The home bank; not part of `bank/list` (an agent does not transfer
/// "interbank" to its own bank).
pub(crate) const HOME: Bank = Bank {
    code: HOME_BANK,
    list_name: "BNI",
    switch_name: "BNI",
    swift: Some("BNINIDJA"),
};

/// `bank/list`, in the document's order.
pub(crate) const LIST: &[Bank] = &[
    Bank {
        code: "002",
        list_name: "BRI",
        switch_name: "BRI",
        swift: Some("BRINIDJA"),
    },
    Bank {
        code: "008",
        list_name: "BANK MANDIRI",
        switch_name: "MANDRI",
        swift: Some("BMRIIDJA"),
    },
    Bank {
        code: "012",
        list_name: "BANK BCA",
        switch_name: "BCA",
        swift: Some("CENAIDJA"),
    },
    Bank {
        // In the document's list "BNI 46" is a separate destination; the
        // sandbox keeps it as its own ledger bank with no SWIFT alias, so
        // BNINIDJA always means the home bank.
        code: "009",
        list_name: "BNI 46",
        switch_name: "BNI",
        swift: None,
    },
    Bank {
        code: "011",
        list_name: "BANK DANAMON",
        switch_name: "DANAMON",
        swift: Some("BDINIDJA"),
    },
    Bank {
        code: "013",
        list_name: "BANK PERMATA",
        switch_name: "PERMATA",
        swift: Some("BBBAIDJA"),
    },
    Bank {
        code: "016",
        list_name: "MAYBANK",
        switch_name: "MAYBANK",
        swift: Some("IBBKIDJA"),
    },
    Bank {
        code: "019",
        list_name: "BANK PANIN",
        switch_name: "PANIN",
        swift: Some("PINBIDJA"),
    },
    Bank {
        code: "022",
        list_name: "BANK CIMB NIAGA",
        switch_name: "CIMB NIAGA",
        swift: Some("BNIAIDJA"),
    },
    Bank {
        code: "023",
        list_name: "BANK UOB INDONESIA",
        switch_name: "UOB",
        swift: Some("BBIJIDJA"),
    },
];

fn all() -> impl Iterator<Item = &'static Bank> {
    std::iter::once(&HOME).chain(LIST.iter())
}

/// The ledger code for any form a caller may use: `"BNI"`, `"008"`,
/// `"BMRIIDJA"` (case-insensitive, surrounding spaces ignored).
pub(crate) fn resolve(code: &str) -> Option<&'static str> {
    let code = code.trim();
    all()
        .find(|b| {
            b.code.eq_ignore_ascii_case(code)
                || b.swift.is_some_and(|s| s.eq_ignore_ascii_case(code))
        })
        .map(|b| b.code)
}

/// A bank of `bank/list` (not the home bank) by its three-digit code.
pub(crate) fn interbank(code: &str) -> Option<&'static Bank> {
    LIST.iter().find(|b| b.code == code.trim())
}

/// How the switcher labels a ledger bank in its replies: the SWIFT-like
/// code where there is one, else the ledger code.
pub(crate) fn switch_label(ledger_code: &str) -> String {
    all()
        .find(|b| b.code == ledger_code)
        .and_then(|b| b.swift)
        .unwrap_or(ledger_code)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_resolves_to_the_ledger_code() {
        assert_eq!(resolve("BRINIDJA"), Some("002"));
        assert_eq!(resolve("bmriidja"), Some("008"));
        assert_eq!(resolve(" 008 "), Some("008"));
        assert_eq!(resolve("BNINIDJA"), Some("BNI"));
        assert_eq!(resolve("bni"), Some("BNI"));
        assert_eq!(resolve("009"), Some("009"));
        assert_eq!(resolve("XXXXIDJA"), None);
        assert_eq!(switch_label("008"), "BMRIIDJA");
        assert_eq!(switch_label("009"), "009");
        assert_eq!(LIST.len(), 10);
        assert_eq!(interbank("008").map(|b| b.switch_name), Some("MANDRI"));
        assert!(interbank("BNI").is_none());
    }
}

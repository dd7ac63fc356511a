//! The demo bank's credentials and accounts, for people (printed by
//! `loket sandbox`) and for tests. The seed uses these same constants, so
//! what is printed is what works.

/// The document's agent.
pub const USERNAME: &str = "BNIUS100294";
pub const PASSWORD: &str = "T6jkl4ss";
/// The agent's transaction PIN (`pin_transaksi`, `pin`).
pub const PIN: &str = "359569";
pub const AGENT_CODE: &str = "BNI014100294";
pub const AGENT_NAME: &str = "Ardha Herdianto";
/// The agent's own BNI account, debited by deposits, openings and transfers.
pub const AGENT_ACCOUNT: &str = "4447";
pub const AGENT_ACCOUNT_NAME: &str = "ARDHA HERDIANTO";
/// The agent account's balance right after seeding: Rp202.696.682.
pub const AGENT_OPENING_BALANCE: money::Rupiah = money::Rupiah::from_sen(202_696_682 * 100);
/// The customer PIN of the agent's own account (`pin_platform`).
pub const AGENT_ACCOUNT_PIN: &str = "359569";

/// A bank staff user (kelompok_id 0, group_id 5 "Bank Admin"): dashboards,
/// no teller operations.
pub const STAFF_USERNAME: &str = "BNIADM0001";
pub const STAFF_PASSWORD: &str = "Adm1nBNI";

/// The home bank's code in Bank+ replies.
pub const BANK_CODE: &str = "BNI";

/// A seeded BNI customer.
#[derive(Clone, Copy, Debug)]
pub struct Customer {
    pub account_number: &'static str,
    pub name: &'static str,
    /// The customer's PIN for `customerbalance` (`pin_platform`).
    pub pin: &'static str,
}

/// BNI customers an agent can serve (deposit, balance, intrabank transfer).
pub const CUSTOMERS: &[Customer] = &[
    Customer {
        account_number: "14047",
        name: "Ardha Herdianto",
        pin: "140470",
    },
    Customer {
        account_number: "14048",
        name: "SITI RAHAYU",
        pin: "246810",
    },
    Customer {
        account_number: "14049",
        name: "BUDI SANTOSO",
        pin: "135790",
    },
    Customer {
        account_number: "14050",
        name: "DEWI LESTARI",
        pin: "864213",
    },
    Customer {
        account_number: "14051",
        name: "AGUS PRASETYO",
        pin: "975310",
    },
];

/// The document's deposit customer.
pub const CUSTOMER_ACCOUNT: &str = "14047";
pub const CUSTOMER_NAME: &str = "Ardha Herdianto";
pub const CUSTOMER_PIN: &str = "140470";

/// The customer PIN every account opened through `openAccount` gets.
pub const NEW_ACCOUNT_PIN: &str = "123456";

/// A BNI account number that does not exist (`[0108] NO SUCH ACCOUNT`).
pub const MISSING_ACCOUNT: &str = "99999";

/// The document's interbank destination: Bank Mandiri.
pub const INTERBANK_BANK: &str = "008";
pub const INTERBANK_ACCOUNT: &str = "114451186";
pub const INTERBANK_NAME: &str = "Ardha Herdianto";

/// The switcher samples' BRI accounts (`BRINIDJA`).
pub const SWITCHER_BANK: &str = "BRINIDJA";
pub const SWITCHER_ACCOUNT: &str = "888801000003301";
pub const SWITCHER_ACCOUNT_NAME: &str = "BRIAPI SANDBOX";
pub const SWITCHER_SOURCE_ACCOUNT: &str = "888801000157508";
pub const SWITCHER_SOURCE_NAME: &str = "ALOYSIUS AGUS WARI Z";

/// What `loket sandbox` prints under the URL.
pub fn describe() -> String {
    let customers = CUSTOMERS
        .iter()
        .map(|c| format!("{} {} (PIN {})", c.account_number, c.name, c.pin))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "agent: username {USERNAME}, password {PASSWORD}, transaction PIN {PIN} \
         (agent code {AGENT_CODE}, account {AGENT_ACCOUNT} {AGENT_ACCOUNT_NAME}, balance {AGENT_OPENING_BALANCE} when seeded)\n\
         staff: username {STAFF_USERNAME}, password {STAFF_PASSWORD} (dashboards)\n\
         BNI customers: {AGENT_ACCOUNT} {AGENT_ACCOUNT_NAME} (PIN {AGENT_ACCOUNT_PIN}), {customers}; \
         new accounts get customer PIN {NEW_ACCOUNT_PIN}; {MISSING_ACCOUNT} does not exist\n\
         interbank: bank {INTERBANK_BANK} account {INTERBANK_ACCOUNT} {INTERBANK_NAME}; \
         switcher: {SWITCHER_BANK} {SWITCHER_ACCOUNT} {SWITCHER_ACCOUNT_NAME}, \
         {SWITCHER_BANK} {SWITCHER_SOURCE_ACCOUNT} {SWITCHER_SOURCE_NAME}"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn describe_names_every_credential() {
        let text = super::describe();
        for needle in [
            super::USERNAME,
            super::PASSWORD,
            super::PIN,
            super::STAFF_USERNAME,
            super::STAFF_PASSWORD,
            super::NEW_ACCOUNT_PIN,
            super::INTERBANK_ACCOUNT,
            "Rp202.696.682",
        ] {
            assert!(text.contains(needle), "{needle} missing from: {text}");
        }
    }
}

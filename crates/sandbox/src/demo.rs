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

// ---------------------------------------------------------------------------
// Statement providers imitated by the sandbox (demo credentials only: they
// open nothing but this simulator, so printing them is harmless).

/// Mutasibank v1 API token of the demo agent.
pub const MUTASIBANK_TOKEN: &str = "mb-demo-7f3c1a9e5b2d4c6f8a0e1b3d5f7a9c2e";
/// The Mutasibank webhook secret (64 characters, as the document says).
pub const MUTASIBANK_WEBHOOK_SECRET: &str =
    "whsec0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9";
/// Moota v2 bearer token of the demo agent.
pub const MOOTA_TOKEN: &str = "moota-demo-eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9";
/// BRI API consumer key and secret.
pub const BRI_CLIENT_ID: &str = "loket-demo-bri-consumer";
pub const BRI_CLIENT_SECRET: &str = "bri-demo-secret";
/// Bank Raya SNAP partner (X-PARTNER-ID / X-CLIENT-KEY), secret and channel.
pub const BANKRAYA_CLIENT_ID: &str = "loket-demo-partner";
pub const BANKRAYA_CLIENT_SECRET: &str = "raya-demo-secret";
pub const BANKRAYA_CHANNEL_ID: &str = "95221";
/// The demo partner's RSA key pair (2048 bits): the client signs the SNAP
/// token request with the private key, the sandbox verifies with the public one.
pub const BANKRAYA_PRIVATE_KEY_PEM: &str = "-----BEGIN RSA PRIVATE KEY-----\n\
MIIEpAIBAAKCAQEA0u2nXWwbgPQ9Vx/eqh01IoYReUMmXQoYocr0Rx9V3LhUV3Aj\n\
5OcA3PEyoFpQXhoVfV64atAhNQROlCHIuNxdNkts7UPvwsIhY3GdA32xsgdjUv1z\n\
lRnEENV1zJ2lnFqbIDRkioq2/g890DP2xo4kpIdntHjGy7QpMpgIm72qClZ07dCp\n\
YwhpyKV2VaV3eU/kLJ4DzDrb2bhOjXMGjxB61w0SXxcuHcV70vNTSID58WpXh3rv\n\
6SklzzBlzyg+Mijno98bEbNdII9OF+kyIyWThr7gpW2UnM+orCfmktWOYKUOG3CK\n\
aZbW1k/qN6F51cRP93Jp6WCtuGLeVB2P/DtxaQIDAQABAoIBAChrsIn/oJmqtGKQ\n\
0evJoxgVlx2k16I2wBepO/yxLZQZotgKvmYsOocclbYS+Jm/5+RZlX+qmOJ/C8vp\n\
WXzLhfVUqPAi97xb1WgoKo2ztazHK6qItXCaOm97aJKol0cKOfYG9El0YbL4GsFe\n\
Y+kS7kS1ShNUncwFn2t5pRSrWP2X0IEJKBQcfe5K128eB3brE3aR9i+UkOHuk0qt\n\
S5y6GwvlCMT6f3bVjqGe0xw1r393IpQmHopoFHLifI5vEoQ6e7GEnaP+m0g0b+XD\n\
prIc9ZQpUuHo4A/fu/beUn0wAxt4BzRIZ/jC2goG7/Bn80wEZK9nY3hIgt5q0wCX\n\
KXJYrm0CgYEA+9DxpeviidYfUZ+D3S9grBEhTVe+AC+YSa+uxHUDq//uGixuCZdg\n\
NVdjl97buJGtFLvhpo1KSNyjgWJu4trO8UFRS7a5ToDmkEhlim/Qm++30VeytFGO\n\
dBmucjz1/2CuVh+qU7P/h8LTZC1Gqd+Fg/Nx4kKHV9/y1oW2LLxuoJcCgYEA1m7M\n\
7kf9FgJyyM1B5i3AxvGcNeyYFNS3xZHIxwtb7AzfErzBY+6jSzAM9IcAmeCXu8Ru\n\
CdpHNexlUX/+ilcQ6JXK4Gd3jfHU+ODznSWCL0aoAmAkOFtnH1xZgXj7/Ot5q7n7\n\
vIFPa1nU06zgfstX/1NlOncMo2MIg1gNX0OWvf8CgYEA4YHyhcZCr3FjxrL1YeUF\n\
y9HjYuIKsxvsY0DDYAfya9vcHPBg8pHvhJVoCR944UcEGydOItsxBSMiAcJmzx1o\n\
acE2znkqZdUlpVxQIrOTu7Hnib/ht3259trw0Dkri7HHLjVZUXBGjAu7R2EMgSA8\n\
7zfaaudtURKq49YGmPV+lK0CgYEAhBq4x+ezxLZ3brv9aEgxpp685P/AZbzzBpWc\n\
wvt9gvwfBdUhs2YWVcDhilgNh78022nVfN5r1o2vkbkv4Jxo/1EhLoSvw9QDp9w2\n\
WU79WBDIesYuKkYtTsW/IqOdYqDTUXd/3g8wFWu/UTUFDThLGzKOf6lOMO5XFUvO\n\
2SyzlpMCgYAew9yIfQgOWQ+DfagevOTVwun/91emQLvYdFnNwtXegb6Z3QTBRAI/\n\
8f8PAHeaJJXHzejPNQ5cOvu2FXAed9kt1f/Ma1LpnTyuPtaBaUlbp9gytpOB/SU+\n\
NMcvSEY4ZJV/JmzDYJ58MqSnFkjb5CcleMuKHajO6ZfDXiL56S9arg==\n\
-----END RSA PRIVATE KEY-----";
pub const BANKRAYA_PUBLIC_KEY_PEM: &str = "-----BEGIN RSA PUBLIC KEY-----\n\
MIIBCgKCAQEA0u2nXWwbgPQ9Vx/eqh01IoYReUMmXQoYocr0Rx9V3LhUV3Aj5OcA\n\
3PEyoFpQXhoVfV64atAhNQROlCHIuNxdNkts7UPvwsIhY3GdA32xsgdjUv1zlRnE\n\
ENV1zJ2lnFqbIDRkioq2/g890DP2xo4kpIdntHjGy7QpMpgIm72qClZ07dCpYwhp\n\
yKV2VaV3eU/kLJ4DzDrb2bhOjXMGjxB61w0SXxcuHcV70vNTSID58WpXh3rv6Skl\n\
zzBlzyg+Mijno98bEbNdII9OF+kyIyWThr7gpW2UnM+orCfmktWOYKUOG3CKaZbW\n\
1k/qN6F51cRP93Jp6WCtuGLeVB2P/DtxaQIDAQAB\n\
-----END RSA PUBLIC KEY-----";

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

//! The ledger's SQLite schema. Amounts are INTEGER sen; times are UTC
//! ISO-8601 text with milliseconds (`2020-04-16T07:46:43.845Z`), which
//! sorts and compares as text.

/// Bumped whenever the schema changes; a ledger file of another version is
/// refused with a hint to reset it.
pub(crate) const SCHEMA_VERSION: i64 = 1;

pub(crate) const TABLES: &[&str] = &[
    "meta",
    "users",
    "accounts",
    "transactions",
    "postings",
    "interbank_inquiries",
    "switcher_inquiries",
    "activity",
    "sequences",
    "board_counts",
    "agents",
    "wilayah",
];

pub(crate) const DDL: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- People who log in to Bank+: agents (kelompok_id 4, with their own
-- account and a transaction PIN) and bank staff (kelompok_id 0).
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    password       TEXT NOT NULL,
    pin            TEXT,
    kelompok_id    TEXT NOT NULL,
    account_bank   TEXT,
    account_number TEXT,
    profile        TEXT NOT NULL   -- the login reply's data object, as JSON
);

CREATE TABLE accounts (
    bank         TEXT NOT NULL,    -- 'BNI' (home) or a bank/list code
    number       TEXT NOT NULL,
    name         TEXT NOT NULL,
    balance      INTEGER NOT NULL, -- sen
    pin          TEXT,             -- the customer's PIN (pin_platform)
    phone_mobile TEXT NOT NULL DEFAULT '',
    phone_home   TEXT NOT NULL DEFAULT '',
    phone_office TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    national_id  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    opened_at    TEXT NOT NULL,
    PRIMARY KEY (bank, number)
);

-- One row per money-moving operation. refnum is the Bank+ sid or the
-- switcher refnum; unique, which is what refuses a replayed payment.
CREATE TABLE transactions (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('deposit', 'open_account', 'intrabank',
                         'interbank', 'switcher_transfer', 'reversal')),
    refnum           TEXT NOT NULL UNIQUE,
    journal          TEXT NOT NULL,
    reference_number TEXT NOT NULL,
    user_id          INTEGER REFERENCES users(id),
    src_bank         TEXT NOT NULL,
    src_number       TEXT NOT NULL,
    src_label        TEXT NOT NULL,   -- the bank as the switcher shows it
    dst_bank         TEXT NOT NULL,
    dst_number       TEXT NOT NULL,
    dst_label        TEXT NOT NULL,
    amount           INTEGER NOT NULL,
    fee              INTEGER NOT NULL,
    remark           TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('posted', 'reversed')),
    reverses         INTEGER REFERENCES transactions(id),
    reversed_by      INTEGER REFERENCES transactions(id),
    created_at       TEXT NOT NULL
);
CREATE INDEX transactions_kind_time ON transactions (kind, created_at);

-- Every movement of every account, with the balance after it: what the
-- statement providers serve.
CREATE TABLE postings (
    id             INTEGER PRIMARY KEY,
    tx_id          INTEGER REFERENCES transactions(id),  -- NULL for opening balances
    bank           TEXT NOT NULL,
    account_number TEXT NOT NULL,
    direction      TEXT NOT NULL CHECK (direction IN ('C', 'D')),
    amount         INTEGER NOT NULL CHECK (amount > 0),
    balance_after  INTEGER NOT NULL,
    description    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    FOREIGN KEY (bank, account_number) REFERENCES accounts(bank, number)
);
CREATE INDEX postings_account ON postings (bank, account_number, created_at);

CREATE TABLE interbank_inquiries (
    transaction_id TEXT PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users(id),
    bank           TEXT NOT NULL,
    account_number TEXT NOT NULL,
    fee            INTEGER NOT NULL,  -- the quote the payment will charge
    used_by        INTEGER REFERENCES transactions(id),
    created_at     TEXT NOT NULL
);

CREATE TABLE switcher_inquiries (
    payment_code TEXT PRIMARY KEY,
    refnum       TEXT NOT NULL,
    bank         TEXT NOT NULL,
    bank_label   TEXT NOT NULL,
    account      TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

-- Non-money events the dashboards count (customer balance inquiries).
CREATE TABLE activity (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    user_id        INTEGER REFERENCES users(id),
    bank           TEXT NOT NULL,
    account_number TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX activity_kind_time ON activity (kind, created_at);

CREATE TABLE sequences (
    name TEXT PRIMARY KEY,
    next INTEGER NOT NULL
);

-- Bill and purchase counts per product per month (the sandbox does not
-- sell bills or purchases, so these are seeded).
CREATE TABLE board_counts (
    board TEXT NOT NULL CHECK (board IN ('bill', 'purchase')),
    month TEXT NOT NULL,
    title TEXT NOT NULL,
    position INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (board, month, title)
);

-- The platform's other agents, for the growth and spread dashboards.
CREATE TABLE agents (
    code         TEXT PRIMARY KEY,
    province     TEXT NOT NULL,
    joined_month TEXT NOT NULL
);

CREATE TABLE wilayah (
    propinsi  TEXT NOT NULL,
    jenis     TEXT NOT NULL,
    kabupaten TEXT NOT NULL,
    kecamatan TEXT NOT NULL,
    kelurahan TEXT NOT NULL,
    kodepos   INTEGER NOT NULL
);
"#;

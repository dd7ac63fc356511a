//! Past activity, generated deterministically (a fixed SplitMix64 seed,
//! relative to the month the ledger is seeded in): six months and the
//! current one of real deposits, account openings, balance inquiries and
//! transfers by the demo agent, posted through the same code as live
//! payments; bill and purchase counts for a year; and the platform's other
//! agents over eighteen months.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use money::Rupiah;
use rusqlite::{params, Transaction};

use super::{BILL_TITLES, PROVINCES, PURCHASE_TITLES};
use crate::calendar::Month;
use crate::demo;
use crate::faults::SplitMix64;
use crate::ledger::{
    create_account, opening_balance, post, Journal, Kind, LedgerError, MoneyError, Movement,
    NewAccount,
};
use crate::wire::{iso, refnum_at, wib};

const SEED: u64 = 0x4C4F_4B45_5421; // "LOKET!"

/// Destinations of seeded interbank transfers (not the switcher samples'
/// accounts, which keep the documented balances).
const INTERBANK: &[(&str, &str)] = &[
    ("008", "114451186"),
    ("008", "1370012345678"),
    ("002", "034101000743303"),
    ("012", "0123456789"),
    ("011", "003600112233"),
    ("022", "800112233445"),
];

/// Names of the customers who opened accounts in the seeded past.
const NEW_CUSTOMERS: &[&str] = &[
    "RATNA SARI",
    "EKO PURNOMO",
    "SRI WAHYUNI",
    "JOKO SUSILO",
    "PUTRI ANGGRAINI",
    "BAMBANG HERMANTO",
    "INDAH PERMATASARI",
    "ANDI SAPUTRA",
    "YULIANTI",
    "HARIYANTO",
    "FITRI HANDAYANI",
    "DEDI KURNIAWAN",
    "NOVITA SARI",
    "SUPRIYADI",
    "LESTARI NINGSIH",
    "ARIF RAHMAN",
    "WULAN DARI",
    "TEGUH SANTOSO",
    "MAYA PRATIWI",
    "IRWAN SETIAWAN",
];

enum What {
    Deposit {
        to: &'static str,
        rupiah: i64,
    },
    Open {
        name: &'static str,
        rupiah: i64,
    },
    Balance {
        account: &'static str,
    },
    Intrabank {
        to: &'static str,
        rupiah: i64,
    },
    Interbank {
        dest: (&'static str, &'static str),
        rupiah: i64,
    },
}

struct Op {
    at: DateTime<Utc>,
    what: What,
}

const INTRABANK_FEE: i64 = 1_000;
const INTERBANK_FEE: i64 = 6_500;

impl Op {
    /// What the operation takes out of the agent's account, in sen.
    fn agent_outflow(&self) -> i64 {
        let rupiah = match self.what {
            What::Deposit { rupiah, .. } | What::Open { rupiah, .. } => rupiah,
            What::Intrabank { rupiah, .. } => rupiah + INTRABANK_FEE,
            What::Interbank { rupiah, .. } => rupiah + INTERBANK_FEE,
            What::Balance { .. } => 0,
        };
        rupiah * 100
    }
}

fn amount(rng: &mut SplitMix64, min: u64, max: u64, step: u64) -> i64 {
    (min + rng.below((max - min) / step + 1) * step) as i64
}

fn generate(rng: &mut SplitMix64, now: DateTime<Utc>, current: Month) -> Vec<Op> {
    let customers: Vec<&'static str> = demo::CUSTOMERS.iter().map(|c| c.account_number).collect();
    let mut names = NEW_CUSTOMERS.iter().cycle();
    let mut ops = Vec::new();
    for back in (0..=6).rev() {
        let month = current.offset(-back);
        let start = month.start();
        let end = month.end().min(now);
        let span_ms = (end - start).num_milliseconds();
        if span_ms <= 0 {
            continue;
        }
        let at =
            |rng: &mut SplitMix64| start + Duration::milliseconds(rng.below(span_ms as u64) as i64);
        let pick = |rng: &mut SplitMix64, list: &[&'static str]| {
            list[rng.below(list.len() as u64) as usize]
        };
        for _ in 0..2 + rng.below(3) {
            let name = names.next().copied().unwrap_or("NASABAH BARU");
            let rupiah = amount(rng, 50_000, 500_000, 10_000);
            ops.push(Op {
                at: at(rng),
                what: What::Open { name, rupiah },
            });
        }
        for _ in 0..4 + rng.below(6) {
            let to = pick(rng, &customers);
            let rupiah = amount(rng, 50_000, 2_000_000, 5_000);
            ops.push(Op {
                at: at(rng),
                what: What::Deposit { to, rupiah },
            });
        }
        for _ in 0..5 + rng.below(8) {
            let mut accounts = customers.clone();
            accounts.push(demo::AGENT_ACCOUNT);
            let account = pick(rng, &accounts);
            ops.push(Op {
                at: at(rng),
                what: What::Balance { account },
            });
        }
        for _ in 0..1 + rng.below(3) {
            let to = pick(rng, &customers);
            let rupiah = amount(rng, 100_000, 1_500_000, 10_000);
            ops.push(Op {
                at: at(rng),
                what: What::Intrabank { to, rupiah },
            });
        }
        for _ in 0..1 + rng.below(2) {
            let dest = INTERBANK[rng.below(INTERBANK.len() as u64) as usize];
            let rupiah = amount(rng, 100_000, 1_500_000, 10_000);
            ops.push(Op {
                at: at(rng),
                what: What::Interbank { dest, rupiah },
            });
        }
    }
    ops.sort_by_key(|op| op.at);
    ops
}

fn seeding(e: MoneyError) -> LedgerError {
    match e {
        MoneyError::Ledger(e) => e,
        MoneyError::Refused(r) => LedgerError::Internal(format!("seeding history refused: {r:?}")),
    }
}

/// Seeds boards, agents and the agent's history; `opening` are the other
/// accounts' opening balances.
pub(super) fn seed_history(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    opening: &[(&str, &str, Rupiah)],
) -> Result<(), LedgerError> {
    let mut rng = SplitMix64::new(SEED);
    let current = Month::of(now);

    for back in 0..12 {
        let month = current.offset(-back).label();
        for (board, titles) in [("bill", BILL_TITLES), ("purchase", PURCHASE_TITLES)] {
            for (position, title) in titles.iter().enumerate() {
                tx.execute(
                    "INSERT INTO board_counts (board, month, title, position, count) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        board,
                        month,
                        title,
                        position as i64,
                        10 + rng.below(50) as i64
                    ],
                )?;
            }
        }
    }

    let first_agent_month = current.offset(-17);
    tx.execute(
        "INSERT INTO agents (code, province, joined_month) VALUES (?1, 'Jawa Timur', ?2)",
        params![demo::AGENT_CODE, first_agent_month.label()],
    )?;
    let mut loket = 200_000;
    for back in (0..18).rev() {
        let month = current.offset(-back).label();
        for _ in 0..5 + rng.below(36) {
            let province = PROVINCES[rng.below(PROVINCES.len() as u64) as usize];
            loket += 1;
            let code = format!("BNI{:03}{loket:06}", 1 + rng.below(60));
            tx.execute(
                "INSERT INTO agents (code, province, joined_month) VALUES (?1, ?2, ?3)",
                params![code, province, month],
            )?;
        }
    }

    let ops = generate(&mut rng, now, current);
    let agent = ("BNI".to_owned(), demo::AGENT_ACCOUNT.to_owned());
    // Work the agent's opening balance back from the balance the document
    // shows, so the seeded ledger ends exactly there.
    let outflow: i64 = ops.iter().map(Op::agent_outflow).sum();
    let opening_at = current.offset(-6).start() - Duration::days(1);
    opening_balance(
        tx,
        (&agent.0, &agent.1),
        Rupiah::from_sen(demo::AGENT_OPENING_BALANCE.sen() + outflow),
        opening_at,
    )
    .map_err(seeding)?;
    for (bank, number, balance) in opening {
        if balance.is_positive() {
            opening_balance(tx, (bank, number), *balance, opening_at).map_err(seeding)?;
        }
    }

    let mut refnums = HashSet::new();
    for op in ops {
        let mut extra = 0;
        let mut refnum = refnum_at(op.at, extra);
        while !refnums.insert(refnum.clone()) {
            extra += 1;
            refnum = refnum_at(op.at + Duration::milliseconds(i64::from(extra / 10)), extra);
        }
        let reference_number = format!(
            "BLB{}{:05}",
            op.at.with_timezone(&wib()).format("%y%m%d%H%M%S"),
            rng.below(100_000)
        );
        let movement = |kind, dest: (&str, &str), rupiah: i64, fee: i64, remark: &str| Movement {
            kind,
            refnum: refnum.clone(),
            reference_number: reference_number.clone(),
            user_id: Some(1),
            source: agent.clone(),
            dest: (dest.0.to_owned(), dest.1.to_owned()),
            source_label: None,
            dest_label: None,
            amount: Rupiah::from_sen(rupiah * 100),
            fee: Rupiah::from_sen(fee * 100),
            remark: remark.to_owned(),
            at: op.at,
            journal: Journal::History,
        };
        match op.what {
            What::Deposit { to, rupiah } => {
                post(
                    tx,
                    &movement(Kind::Deposit, ("BNI", to), rupiah, 0, "Setoran tunai"),
                )
                .map_err(seeding)?;
            }
            What::Open { name, rupiah } => {
                let new = NewAccount {
                    name: name.to_owned(),
                    email: String::new(),
                    national_id: format!("3515{:012}", rng.below(1_000_000_000_000)),
                    phone_mobile: format!("0812{:08}", rng.below(100_000_000)),
                    phone_home: String::new(),
                    pin: demo::NEW_ACCOUNT_PIN.to_owned(),
                };
                let number = create_account(tx, &new, op.at).map_err(seeding)?;
                post(
                    tx,
                    &movement(
                        Kind::OpenAccount,
                        ("BNI", &number),
                        rupiah,
                        0,
                        "Buka rekening",
                    ),
                )
                .map_err(seeding)?;
            }
            What::Balance { account } => {
                tx.execute(
                    "INSERT INTO activity (kind, user_id, bank, account_number, created_at) \
                     VALUES ('customer_balance', 1, 'BNI', ?1, ?2)",
                    params![account, iso(op.at)],
                )?;
            }
            What::Intrabank { to, rupiah } => {
                post(
                    tx,
                    &movement(
                        Kind::Intrabank,
                        ("BNI", to),
                        rupiah,
                        INTRABANK_FEE,
                        "Transfer antar BNI",
                    ),
                )
                .map_err(seeding)?;
            }
            What::Interbank { dest, rupiah } => {
                post(
                    tx,
                    &movement(
                        Kind::Interbank,
                        dest,
                        rupiah,
                        INTERBANK_FEE,
                        "Transfer antar bank",
                    ),
                )
                .map_err(seeding)?;
            }
        }
    }
    Ok(())
}

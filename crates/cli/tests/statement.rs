//! End to end through the `loket` binary: deposits and transfers, the
//! statement from each of the four providers, reconciliation to nothing
//! unmatched, and a commit-then-drop deposit left `unknown` with no
//! switcher, resolved from the statement.

mod common;
use std::collections::HashSet;

use common::*;

fn today() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .format("%Y-%m-%d")
        .to_string()
}

const PROVIDERS: [&str; 4] = ["mutasibank", "moota", "bri", "bankraya"];

#[test]
fn statements_reconcile_and_settle_a_doubt() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let day = today();
    // What the seeded history already booked today is not this terminal's.
    let mut seeded: Vec<HashSet<String>> = Vec::new();
    for p in PROVIDERS {
        let r = t.run(&[
            "--json",
            "statement",
            "--provider",
            p,
            "--account",
            "4447",
            "--from",
            &day,
            "--to",
            &day,
        ]);
        expect(&r, 0);
        let v = r.json();
        seeded.push(
            v["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["provider_id"].as_str().unwrap().to_owned())
                .collect(),
        );
    }

    expect(
        &t.run(&["--json", "deposit", "--to", "14047", "--amount", "25000"]),
        0,
    );
    expect(
        &t.run(&[
            "--json", "transfer", "--to", "14048", "--amount", "40000", "--yes",
        ]),
        0,
    );
    expect(
        &t.run(&[
            "--json",
            "transfer",
            "--to",
            "114451186",
            "--bank",
            "008",
            "--amount",
            "50000",
            "--yes",
        ]),
        0,
    );

    for (i, p) in PROVIDERS.iter().enumerate() {
        let r = t.run(&[
            "--json",
            "statement",
            "--provider",
            p,
            "--account",
            "4447",
            "--from",
            &day,
            "--to",
            &day,
        ]);
        expect(&r, 0);
        let v = r.json();
        let lines = v["lines"].as_array().unwrap();
        for line in lines {
            for k in [
                "posted_at",
                "type",
                "amount",
                "balance",
                "description",
                "provider_id",
            ] {
                assert!(line.get(k).is_some(), "{p}: no {k} in {line}");
            }
        }
        // The interbank transfer: Rp50.000 plus the Rp6.500 fee, one debit.
        assert!(
            lines
                .iter()
                .any(|l| l["type"] == "DB" && l["amount"] == 56500),
            "{p}: {v}"
        );

        let r = t.run(&[
            "--json",
            "reconcile",
            "--provider",
            p,
            "--from",
            &day,
            "--to",
            &day,
        ]);
        expect(&r, 0);
        let v = r.json();
        assert_eq!(v["matched"].as_array().unwrap().len(), 3, "{p}: {v}");
        assert!(v["journal_only"].as_array().unwrap().is_empty(), "{p}: {v}");
        assert!(v["resolvable"].as_array().unwrap().is_empty(), "{p}: {v}");
        for l in v["statement_only"].as_array().unwrap() {
            let id = l["provider_id"].as_str().unwrap();
            assert!(
                seeded[i].contains(id),
                "{p}: unexpected statement-only line {l}"
            );
        }
        assert_eq!(
            v["totals"]["matched"]["debit"],
            25000 + 41000 + 56500,
            "{p}"
        );
    }

    // A deposit booked by the bank whose answer never came back; no switcher.
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let r = t.run_no_switcher(&["--json", "deposit", "--to", "14049", "--amount", "30000"]);
    expect(&r, 3);
    let sid = r.json()["sid"].as_str().unwrap().to_owned();
    let r = t.run_no_switcher(&[
        "--json",
        "reconcile",
        "--provider",
        "bri",
        "--from",
        &day,
        "--to",
        &day,
    ]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["resolvable"][0]["journal"]["sid"], sid.as_str(), "{v}");
    // Settling needs the supervisor and the approved (sealed) settings.
    t.create_supervisor();
    mutasi::ProviderStore::new(t.path())
        .save(mutasi::ProviderForm {
            kind: mutasi::ProviderKind::Bankraya,
            base_url: sb.base.clone(),
            client_id: Some(sandbox::demo::BANKRAYA_CLIENT_ID.into()),
            channel_id: Some(sandbox::demo::BANKRAYA_CHANNEL_ID.into()),
            token: None,
            client_secret: Some(mutasi::Secret::new(sandbox::demo::BANKRAYA_CLIENT_SECRET)),
            private_key_pem: Some(mutasi::Secret::new(sandbox::demo::BANKRAYA_PRIVATE_KEY_PEM)),
            webhook_secret: None,
        })
        .expect("sealed");
    let r = t.run_no_switcher(&[
        "--json",
        "reconcile",
        "--provider",
        "bankraya",
        "--from",
        &day,
        "--to",
        &day,
        "--resolve",
    ]);
    expect(&r, 0);
    assert_eq!(r.json()["resolved"][0], sid.as_str());
    let r = t.run_no_switcher(&["--json", "show", &sid]);
    expect(&r, 0);
    let shown = r.stdout.clone();
    assert!(shown.contains("\"succeeded\""), "{shown}");
    assert!(shown.contains("\"statement\""), "{shown}");
    assert!(shown.contains("bankraya:"), "{shown}");
    // Now everything pairs.
    let r = t.run_no_switcher(&[
        "--json",
        "reconcile",
        "--provider",
        "moota",
        "--from",
        &day,
        "--to",
        &day,
    ]);
    let v = r.json();
    assert_eq!(v["matched"].as_array().unwrap().len(), 4, "{v}");
    assert!(v["journal_only"].as_array().unwrap().is_empty());
    assert!(v["resolvable"].as_array().unwrap().is_empty());

    // No provider secret in anything printed.
    let all = t.captured.borrow();
    for s in [
        sandbox::demo::BRI_CLIENT_SECRET,
        sandbox::demo::BANKRAYA_CLIENT_SECRET,
        sandbox::demo::MOOTA_TOKEN,
        sandbox::demo::MUTASIBANK_TOKEN,
    ] {
        assert!(!all.contains(s), "a provider secret was printed");
    }
}

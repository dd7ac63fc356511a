//! Issue 11 through the `loket` binary: a statement line settles a doubt
//! only when it can be nobody else's. The sandbox's provider imitations are
//! switched to lines without the terminal's sid (as real statements are);
//! the provider settings are the sealed, approved ones in the data dir.

mod common;

use common::*;

fn today() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .format("%Y-%m-%d")
        .to_string()
}

/// Seals demo settings for `kind` at the sandbox, as the app's F11 does
/// after a supervisor approved them.
fn seal(t: &Terminal, sb: &Sandbox, kind: mutasi::ProviderKind) {
    use sandbox::demo;
    let token = match kind {
        mutasi::ProviderKind::Mutasibank => demo::MUTASIBANK_TOKEN,
        _ => demo::MOOTA_TOKEN,
    };
    mutasi::ProviderStore::new(t.path())
        .save(mutasi::ProviderForm {
            kind,
            base_url: sb.base.clone(),
            client_id: None,
            channel_id: None,
            token: Some(mutasi::Secret::new(token)),
            client_secret: None,
            private_key_pem: None,
            webhook_secret: None,
        })
        .expect("sealed");
}

fn no_sids(sb: &Sandbox) {
    let (status, body) = http(
        &sb.base,
        "POST",
        "/_sandbox/providers/references",
        Some(r#"{"carry": false}"#),
    );
    assert_eq!(status, 204, "{body}");
}

fn reconcile(t: &Terminal, provider: &str, extra: &[&str]) -> Run {
    let day = today();
    let mut args = vec![
        "--json",
        "reconcile",
        "--provider",
        provider,
        "--from",
        &day,
        "--to",
        &day,
    ];
    args.extend_from_slice(extra);
    t.run_no_switcher(&args)
}

fn sids(v: &serde_json::Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|p| p["journal"]["sid"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_debit_that_belongs_to_something_else_settles_nothing() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    no_sids(&sb);
    t.create_supervisor();
    seal(&t, &sb, mutasi::ProviderKind::Mutasibank);
    seal(&t, &sb, mutasi::ProviderKind::Moota);

    // A: Rp250.000 in doubt after an HTML 502 (never reached the bank).
    sb.fault("/bankplus/bsa/depositAccount", "html-502");
    let r = t.run_no_switcher(&["--json", "deposit", "--to", "14047", "--amount", "250000"]);
    expect(&r, 3);
    let a = r.json()["sid"].as_str().unwrap().to_owned();
    // B: the same, retried with --override, succeeded.
    let r = t.run_no_switcher(&[
        "--json",
        "deposit",
        "--to",
        "14047",
        "--amount",
        "250000",
        "--override",
        "nasabah menunggu",
    ]);
    expect(&r, 0);
    let b = r.json()["sid"].as_str().unwrap().to_owned();
    // C: Rp150.000 booked but the answer lost; then the bank reverses it.
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let r = t.run_no_switcher(&["--json", "deposit", "--to", "14048", "--amount", "150000"]);
    expect(&r, 3);
    let c = r.json()["sid"].as_str().unwrap().to_owned();

    // Without the supervisor nothing is settled from a statement.
    let mut cmd = t.cmd(&[]);
    cmd.env_remove("LOKET_SUPERVISOR_PASSWORD");
    let day = today();
    cmd.args([
        "--json",
        "reconcile",
        "--provider",
        "mutasibank",
        "--from",
        &day,
        "--to",
        &day,
        "--resolve",
    ]);
    let r = t.run_cmd(cmd);
    assert_ne!(r.code, 0, "{}", r.stdout);

    // A --providers file may display but never settle.
    let file = t.path().join("providers.toml");
    std::fs::write(
        &file,
        format!(
            "[mutasibank]\nbase_url = \"{}\"\ntoken = \"{}\"\n",
            sb.base,
            sandbox::demo::MUTASIBANK_TOKEN
        ),
    )
    .unwrap();
    let r = reconcile(
        &t,
        "mutasibank",
        &["--providers", file.to_str().unwrap(), "--resolve"],
    );
    expect(&r, 2);

    // Mutasibank: B's debit is B's; A is not settled from it.
    let r = reconcile(&t, "mutasibank", &["--resolve"]);
    expect(&r, 0);
    let v = r.json();
    assert!(
        v["resolved"].as_array().unwrap().iter().all(|s| s != &a),
        "A was settled from another's debit: {v}"
    );
    assert!(sids(&v, "matched").contains(&b), "B is matched: {v}");
    let undecided = v["undecided"].as_array().unwrap();
    let ua = undecided
        .iter()
        .find(|u| u["journal"]["sid"] == a.as_str())
        .unwrap_or_else(|| panic!("A is shown to the supervisor: {v}"));
    assert_eq!(ua["why"], "other_transaction", "{v}");
    assert_eq!(ua["rivals"][0], b.as_str(), "{v}");
    // C's debit is its own and alone: settled (no reversal yet).
    assert_eq!(v["resolved"], serde_json::json!([c.clone()]), "{v}");

    let r = t.run_no_switcher(&["--json", "show", &a]);
    assert!(r.stdout.contains("\"unknown\""), "{}", r.stdout);
    let r = t.run_no_switcher(&["--json", "show", &c]);
    assert!(r.stdout.contains("\"succeeded\""), "{}", r.stdout);
    assert!(r.stdout.contains("mutasibank:"), "{}", r.stdout);

    // The same line never settles twice: Moota's list of the same days
    // finds C's line already used and nothing else to settle.
    let r = reconcile(&t, "moota", &["--resolve"]);
    expect(&r, 0);
    let v = r.json();
    assert!(v["resolved"].as_array().unwrap().is_empty(), "{v}");
}

#[test]
fn a_reversed_debit_settles_nothing() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    no_sids(&sb);
    t.create_supervisor();
    seal(&t, &sb, mutasi::ProviderKind::Moota);
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let r = t.run_no_switcher(&["--json", "deposit", "--to", "14048", "--amount", "150000"]);
    expect(&r, 3);
    let c = r.json()["sid"].as_str().unwrap().to_owned();
    // The bank undoes it: a credit of the same amount after the debit.
    let (status, body) = http_auth(
        &sb.base,
        "/api/v2/mutation/store/bk000004447",
        &format!(
            r#"{{"date":"{}","type":"CR","amount":150000,"note":"REVERSAL"}}"#,
            today()
        ),
        sandbox::demo::MOOTA_TOKEN,
    );
    assert_eq!(status, 200, "{body}");
    let r = reconcile(&t, "moota", &["--resolve"]);
    expect(&r, 0);
    let v = r.json();
    assert!(v["resolved"].as_array().unwrap().is_empty(), "{v}");
    let u = &v["undecided"][0];
    assert_eq!(u["journal"]["sid"], c.as_str(), "{v}");
    assert_eq!(u["why"], "reversed", "{v}");
    let r = t.run_no_switcher(&["--json", "show", &c]);
    assert!(r.stdout.contains("\"unknown\""), "{}", r.stdout);
}

#[test]
fn another_accounts_statement_settles_nothing() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    no_sids(&sb);
    t.create_supervisor();
    seal(&t, &sb, mutasi::ProviderKind::Mutasibank);
    let r = reconcile(&t, "mutasibank", &["--account", "5555", "--resolve"]);
    expect(&r, 2);
}

/// A POST with a bearer token (Moota's dummy mutation).
fn http_auth(base: &str, path: &str, body: &str, token: &str) -> (u16, String) {
    let host = base.trim_start_matches("http://");
    http_raw(
        host,
        "POST",
        path,
        &format!("Authorization: Bearer {token}\r\n"),
        body,
    )
}

#[test]
fn the_window_the_rule_needs_is_fetched_and_date_only_lines_stay_dates() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    expect(
        &t.run(&["--json", "deposit", "--to", "14047", "--amount", "25000"]),
        0,
    );
    // Mutasibank statements give dates only: `--json` keeps them dates.
    let day = today();
    let r = t.run(&[
        "--json",
        "statement",
        "--provider",
        "mutasibank",
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
    assert!(!lines.is_empty(), "{v}");
    for l in lines {
        assert_eq!(l["date_only"], true, "{l}");
        assert_eq!(l["posted_at"], day.as_str(), "{l}");
    }
    // Yesterday's reconciliation looks at lines booked up to today (late bookings).
    let yesterday = (chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").unwrap()
        - chrono::Duration::days(1))
    .to_string();
    let r = t.run(&[
        "--json",
        "reconcile",
        "--provider",
        "moota",
        "--from",
        &yesterday,
        "--to",
        &yesterday,
    ]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["fetched"]["to"], day.as_str(), "{v}");
    // ...but today's lines are not yesterday's statement-only lines.
    assert!(
        v["statement_only"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["amount"] != 25000),
        "{v}"
    );
}

//! With no `--server`, `loket` starts the sandbox in-process with its ledger
//! in the data directory, so one run's deposit is there for the next run.

mod common;
use common::*;

#[test]
fn in_process_sandbox_keeps_a_deposit_across_runs() {
    let t = Terminal::in_process();
    let customer_balance = |t: &Terminal| {
        let mut c = t.cmd(&["--json", "customer-balance", "14047"]);
        c.env("LOKET_CUSTOMER_PIN", "140470");
        let r = t.run_cmd(c);
        expect(&r, 0);
        assert!(
            r.stderr.contains("SANDBOX: http://127.0.0.1:"),
            "{}",
            r.stderr
        );
        r.json()["account_balance"].as_i64().expect("a balance")
    };
    let before = customer_balance(&t);

    let r = t.run(&["--json", "deposit", "--to", "14047", "--amount", "25.000"]);
    expect(&r, 0);
    assert!(r.stderr.contains("sandbox-ledger.db"), "{}", r.stderr);
    let sid = r.json()["sid"].as_str().unwrap().to_owned();
    assert!(t.path().join("sandbox-ledger.db").exists());
    assert!(t.path().join("journal.db").exists());

    assert_eq!(customer_balance(&t), before + 25_000);
    let r = t.run(&["--json", "balance"]);
    expect(&r, 0);
    assert_eq!(r.json()["account_balance"], OPENING - 25_000);

    // The in-process sandbox serves the switcher too.
    let r = t.run(&["--json", "check", &sid]);
    expect(&r, 0);
    assert_eq!(r.json()["status"], "succeeded");
}

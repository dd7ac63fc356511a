//! Odd and hostile `/check` and `/reversal` replies through the real `loket`
//! binary and sandbox (the `raw-reply` fault sends a body verbatim): a reply
//! the document does not allow, or one about another refnum or amount, or
//! one saying "reversed" of a row that is not, never settles a doubt,
//! corrects a failure or reverses an original; it is said loudly
//! (CONTRADICTION) and the journal keeps its state. The ledger shows that
//! nothing was sent again.

mod common;

use common::{expect, Run, Sandbox, Terminal};

/// The check-reply body of the document, for `refnum` and `amount`.
fn booked(refnum: &str, amount: serde_json::Value, info: &str) -> String {
    serde_json::json!({
        "code": "00",
        "message": "Check success",
        "data": {
            "timestamp": "2020-04-21T12:31:43.481Z",
            "refnum": refnum,
            "sourceBank": "BNI",
            "sourceAccount": "4447",
            "sourceName": "AGEN",
            "beneficiaryBank": "BNI",
            "beneficiaryAccount": "14048",
            "beneficiaryName": "SITI RAHAYU",
            "amount": amount,
            "remark": "Narration Test",
            "journal": "1001",
            "info": info
        },
        "debug": {"from": "branchless_switcher"}
    })
    .to_string()
}

/// `/check` answers `body` (with `status`) to the next `times` requests.
fn check_says(sb: &Sandbox, status: u16, body: &str, times: u32) {
    sb.rule_n(
        "/check",
        serde_json::json!({"kind": "raw-reply", "status": status, "body": body}),
        times,
    );
}

fn clear_faults(sb: &Sandbox) {
    let (status, body) = common::http(&sb.base, "DELETE", "/_sandbox/faults", None);
    assert_eq!(status, 200, "{body}");
}

/// `loket --json check SID` with the settle time 0, so that only the
/// reply's content decides.
fn check(t: &Terminal, sid: &str) -> Run {
    let mut c = t.cmd(&["--json", "check", sid]);
    c.env("LOKET_CHECK_SETTLE_SECS", "0");
    t.run_cmd(c)
}

fn deposit(t: &Terminal, amount: &str) -> Run {
    t.run(&[
        "--json",
        "deposit",
        "--to",
        "14048",
        "--amount",
        amount,
        "--name",
        "SITI RAHAYU",
    ])
}

/// Every reply shape the document allows for `/check`, changed one field at
/// a time, plus replies no document allows. Before the fix a `00` naming
/// another refnum or amount, or saying "Transfer reversed", settled the
/// doubt as succeeded, and a key given twice was read as its last value.
#[test]
fn hostile_check_replies_never_settle_a_doubt() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let opening = sb.balance("BNI", "4447");
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let run = deposit(&t, "13000");
    expect(&run, 3);
    let sid = run.sid();
    assert_eq!(sb.balance("BNI", "4447"), opening - 13_000, "booked once");
    let deposits = sb.requests_to("/bankplus/bsa/depositAccount");

    let other = "2004211931426110";
    let good = booked(&sid, serde_json::json!(13000), "Transfer success");
    let cases: Vec<(&str, u16, String, bool)> = vec![
        // (what, HTTP status, body, said loudly as a contradiction)
        (
            "HTML on 200",
            200,
            "<html><head><title>OK</title></head><body>Check success</body></html>".into(),
            false,
        ),
        ("empty body", 200, String::new(), false),
        (
            "00 without data",
            200,
            r#"{"code":"00","message":"Check success"}"#.into(),
            false,
        ),
        (
            "00 without amount",
            200,
            format!(
                r#"{{"code":"00","message":"Check success","data":{{"refnum":"{sid}","journal":"1001"}}}}"#
            ),
            false,
        ),
        (
            "00 with another amount",
            200,
            booked(&sid, serde_json::json!(130000), "Transfer success"),
            true,
        ),
        (
            "00 with the amount as another string",
            200,
            booked(&sid, serde_json::json!("13.001"), "Transfer success"),
            true,
        ),
        (
            "00 for another refnum",
            200,
            booked(other, serde_json::json!(13000), "Transfer success"),
            true,
        ),
        (
            "00 saying reversed",
            200,
            booked(&sid, serde_json::json!(13000), "Transfer reversed"),
            true,
        ),
        (
            "refnum given twice",
            200,
            good.replacen(
                &format!(r#""refnum":"{sid}""#),
                &format!(r#""refnum":"{other}","refnum":"{sid}""#),
                1,
            ),
            false,
        ),
        (
            "amount given twice",
            200,
            good.replacen(r#""amount":13000"#, r#""amount":99000,"amount":13000"#, 1),
            false,
        ),
        (
            "code given twice",
            200,
            good.replacen(r#""code":"00""#, r#""code":"-1","code":"00""#, 1),
            false,
        ),
        (
            "a huge amount",
            200,
            good.replacen(r#""amount":13000"#, r#""amount":1e400"#, 1),
            false,
        ),
        (
            "an amount past every ceiling",
            200,
            good.replacen(
                r#""amount":13000"#,
                r#""amount":"99999999999999999999999999""#,
                1,
            ),
            false,
        ),
        (
            "code as the number 0",
            200,
            good.replacen(r#""code":"00""#, r#""code":0"#, 1),
            false,
        ),
        (
            "code 000",
            200,
            good.replacen(r#""code":"00""#, r#""code":"000""#, 1),
            false,
        ),
        (
            "a refusal on a 502",
            502,
            r#"{"code":"-1","message":"refnum provided was not found"}"#.into(),
            false,
        ),
    ];
    for (what, status, body, loud) in &cases {
        // Twice: the run's start-up recovery asks first, then `check` itself.
        check_says(&sb, *status, body, 2);
        let r = check(&t, &sid);
        assert_eq!(
            r.code, 3,
            "{what}: still in doubt\n{}\n{}",
            r.stdout, r.stderr
        );
        assert_eq!(t.state_of(&sid), "unknown", "{what}: {}", r.stdout);
        if *loud {
            assert_eq!(
                r.json()["error"]["code"],
                "CONTRADICTION",
                "{what}: {}",
                r.stdout
            );
            let message = r.json()["error"]["message"].to_string();
            assert!(message.contains("bertentangan"), "{what}: {message}");
        }
    }
    // Nothing was paid again while the doubt lasted.
    assert_eq!(
        sb.requests_to("/bankplus/bsa/depositAccount"),
        deposits,
        "no payment re-sent"
    );
    assert_eq!(sb.balance("BNI", "4447"), opening - 13_000);

    // The switcher's own, matching answer settles it.
    clear_faults(&sb);
    let r = check(&t, &sid);
    expect(&r, 0);
    assert_eq!(t.state_of(&sid), "succeeded");
    assert_eq!(sb.balance("BNI", "4447"), opening - 13_000, "once");
}

/// A row recorded failed is corrected to succeeded only by a booked answer
/// about this very transaction. Before the fix, any `00` corrected it.
#[test]
fn a_failed_row_is_not_corrected_by_an_answer_about_another_transaction() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let opening = sb.balance("BNI", "4447");
    sb.rule(
        "/bankplus/bsa/depositAccount",
        serde_json::json!({"kind": "error-reply", "code": "-1", "message": "[0108] NO SUCH ACCOUNT"}),
    );
    let run = deposit(&t, "17000");
    expect(&run, 1);
    let sid = run.sid();
    assert_eq!(t.state_of(&sid), "failed");
    for body in [
        booked(
            "2004211931426110",
            serde_json::json!(17000),
            "Transfer success",
        ),
        booked(&sid, serde_json::json!(170000), "Transfer success"),
        booked(&sid, serde_json::json!(17000), "Transfer reversed"),
    ] {
        check_says(&sb, 200, &body, 2);
        let r = check(&t, &sid);
        assert_ne!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        assert_eq!(r.json()["error"]["code"], "CONTRADICTION", "{}", r.stdout);
        assert_eq!(t.state_of(&sid), "failed", "not corrected: {}", r.stdout);
    }
    assert_eq!(sb.balance("BNI", "4447"), opening, "nothing ever moved");
}

/// A deposit of 45.000 to 14048 lost on the wire and resolved as booked by
/// the supervisor: a succeeded original to reverse. Returns its sid.
fn a_succeeded_deposit(sb: &Sandbox, t: &Terminal) -> String {
    t.create_supervisor();
    sb.fault("/bankplus/bsa/depositAccount", "commit-then-drop");
    let r = t.run_no_switcher(&["--json", "deposit", "--to", "14048", "--amount", "45000"]);
    expect(&r, 3);
    let sid = r.sid();
    t.resolve_succeeded(&sid);
    sid
}

fn reversal_rows(t: &Terminal) -> Vec<String> {
    let r = t.run(&["--json", "history", "--type", "reversal"]);
    expect(&r, 0);
    r.json()["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(common::sid_of)
        .collect()
}

/// The sid the journal issues first at `ms` (a whole second, later than any
/// issued before): `YYMMDDHHiiss` in WIB and `0000`.
fn sid_at(ms: i64) -> String {
    let t = chrono::DateTime::from_timestamp_millis(ms).expect("time") + chrono::Duration::hours(7);
    format!("{}0000", t.format("%y%m%d%H%M%S"))
}

/// `/reversal` and the `/check` a reversal asks for its journal number,
/// answering about something else. Before the fix a `00` reversal reply for
/// another refnum marked the original reversed (its money never came back),
/// and a `/check` about another transaction gave the journal number to reverse.
#[test]
fn reversal_replies_about_something_else_never_reverse_the_original() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let sid = a_succeeded_deposit(&sb, &t);
    let c48 = sb.balance("BNI", "14048");

    // 1. The journal-number lookup answers about another transaction:
    // refused before anything is reversed.
    check_says(
        &sb,
        200,
        &booked(
            "2004211931426110",
            serde_json::json!(45000),
            "Transfer success",
        ),
        3,
    );
    let r = t.run(&["--json", "reverse", &sid, "--reason", "wrong account"]);
    assert_ne!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.json()["error"]["code"], "CONTRADICTION", "{}", r.stdout);
    assert_eq!(sb.requests_to("/reversal"), 0, "nothing sent");
    assert!(reversal_rows(&t).is_empty());
    clear_faults(&sb);

    // 2. `/reversal` says 00 about the document's sample refnum, not ours:
    // the reversal stays in doubt, the original is not reversed.
    let reply = booked("2004212225543790", serde_json::json!(45000), "")
        .replace("Check success", "Reversal success");
    sb.rule(
        "/reversal",
        serde_json::json!({"kind": "raw-reply", "status": 200, "body": reply}),
    );
    let r = t.run(&["--json", "reverse", &sid, "--reason", "wrong account"]);
    assert_eq!(r.code, 3, "in doubt\n{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.json()["error"]["code"], "CONTRADICTION", "{}", r.stdout);
    assert_eq!(t.state_of(&sid), "succeeded", "not reversed on that word");
    let rows = reversal_rows(&t);
    assert_eq!(rows.len(), 1);
    assert_eq!(t.state_of(&rows[0]), "unknown");
    // Its own /check settles it: never booked, so the original may be
    // reversed again.
    expect(&check(&t, &rows[0]), 0);
    assert_eq!(t.state_of(&rows[0]), "failed");
    assert_eq!(t.state_of(&sid), "succeeded");
    assert_eq!(sb.balance("BNI", "14048"), c48, "no money came back");

    // 3. `/reversal` says 00 about our own refnum and amount (the documented
    // success) although the switcher did nothing: recorded, but a later
    // `/check` that does not know the reversal, or calls the original
    // "Transfer success", is said loudly and changes nothing.
    let at = (chrono::Utc::now().timestamp() + 3600) * 1000;
    let reversal = sid_at(at);
    let reply = booked(&reversal, serde_json::json!(45000), "")
        .replace("Check success", "Reversal success");
    sb.rule(
        "/reversal",
        serde_json::json!({"kind": "raw-reply", "status": 200, "body": reply}),
    );
    let mut c = t.cmd(&["--json", "reverse", &sid, "--reason", "wrong account"]);
    c.env("LOKET_CLOCK_AT_MS", at.to_string());
    expect(&t.run_cmd(c), 0);
    assert_eq!(t.state_of(&sid), "reversed");
    assert_eq!(t.state_of(&reversal), "succeeded");
    let r = check(&t, &reversal);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.json()["error"]["code"], "CONTRADICTION", "{}", r.stdout);
    let r = check(&t, &sid);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.json()["error"]["code"], "CONTRADICTION", "{}", r.stdout);
    assert!(
        r.json()["error"]["message"]
            .to_string()
            .contains("Transfer success"),
        "{}",
        r.stdout
    );
    assert_eq!(t.state_of(&sid), "reversed", "the journal is not rewritten");
    assert_eq!(t.state_of(&reversal), "succeeded");
    assert_eq!(sb.balance("BNI", "14048"), c48);
}

/// `/check` of a settled row (succeeded by a supervisor's word) answering
/// `00` about another amount or another refnum: said loudly as a
/// contradiction, the row left as it is. (Rows in doubt are covered by
/// `hostile_check_replies_never_settle_a_doubt`; a `00` "Transfer success"
/// for a reversed row by `reversal_replies_about_something_else…`.)
#[test]
fn a_check_of_a_settled_row_about_another_amount_or_refnum_is_a_contradiction() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let sid = a_succeeded_deposit(&sb, &t);
    for (what, body) in [
        (
            "another amount",
            booked(&sid, serde_json::json!(54000), "Transfer success"),
        ),
        (
            "another refnum",
            booked(
                "2004211931426110",
                serde_json::json!(45000),
                "Transfer success",
            ),
        ),
    ] {
        check_says(&sb, 200, &body, 1);
        let r = check(&t, &sid);
        assert_eq!(r.code, 3, "{what}\n{}\n{}", r.stdout, r.stderr);
        assert_eq!(
            r.json()["error"]["code"],
            "CONTRADICTION",
            "{what}: {}",
            r.stdout
        );
        assert_eq!(t.state_of(&sid), "succeeded", "{what}: not rewritten");
        clear_faults(&sb);
    }
}

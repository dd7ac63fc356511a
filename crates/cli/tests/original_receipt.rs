//! The original receipt leaves the terminal once (a paper-jam retry or two
//! shortly after), journaled; afterwards only a numbered copy approved by
//! the supervisor. Through the real `loket` binary against the sandbox.

mod common;
use common::*;

#[test]
fn the_original_receipt_is_issued_once_then_only_copies() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let r = t.run(&["--json", "deposit", "--to", "14047", "--amount", "25.000"]);
    expect(&r, 0);
    let sid = r.json()["sid"].as_str().expect("a sid").to_owned();

    // The original as PDF, then two retries (a jam): all journaled.
    for n in 1..=3 {
        let pdf = t.path().join(format!("asli-{n}.pdf"));
        let r = t.run(&[
            "--json",
            "receipt",
            &sid,
            "--pdf",
            &pdf.display().to_string(),
        ]);
        expect(&r, 0);
        assert!(pdf.exists(), "issue {n} written");
    }
    // A fourth original: refused, nothing written.
    let pdf = t.path().join("asli-4.pdf");
    let r = t.run(&[
        "--json",
        "receipt",
        &sid,
        "--pdf",
        &pdf.display().to_string(),
    ]);
    expect(&r, 2);
    let v = r.json();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("--copy"),
        "{v}"
    );
    assert!(!pdf.exists(), "a refused original is not written");
    // Printing the original is the same original: refused too.
    let r = t.run(&["--json", "receipt", &sid, "--print", "Kasir1"]);
    expect(&r, 2);
    // Showing it on screen is not issuing it.
    expect(&t.run(&["receipt", &sid, "--text"]), 0);

    let r = t.run(&["--json", "show", &sid]);
    let events = r.json()["events"].as_array().expect("events").clone();
    let originals: Vec<_> = events.iter().filter(|e| e["kind"] == "original").collect();
    assert_eq!(originals.len(), 3, "{events:?}");

    // A supervised copy still works.
    t.create_supervisor();
    let r = t.run(&["--json", "receipt", &sid, "--copy", "--text"]);
    expect(&r, 0);
    assert_eq!(r.json()["copy"], 1);
}

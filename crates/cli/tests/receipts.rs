//! `loket receipt` and `loket supervisor` through the real binary: the
//! thermal text, a PDF read back with pdftotext, copies that need the
//! supervisor and are numbered and journaled, a print failure that leaves
//! the transaction alone, and no supervisor password on disk or in output.

mod common;
use common::*;

fn deposit(t: &Terminal) -> String {
    let r = t.run(&["--json", "deposit", "--to", "14047", "--amount", "25.000"]);
    expect(&r, 0);
    r.json()["sid"].as_str().expect("a sid").to_owned()
}

#[test]
fn receipts_copies_and_the_supervisor_from_the_command_line() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let sid = deposit(&t);

    // The original, as 58 mm thermal text (the default).
    let r = t.run(&["receipt", &sid]);
    expect(&r, 0);
    assert!(r.stdout.contains("SETOR TUNAI"), "{}", r.stdout);
    assert!(r.stdout.contains("STATUS: BERHASIL"), "{}", r.stdout);
    assert!(
        r.stdout.contains("Total       :           Rp25.000"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.lines().all(|l| l.chars().count() <= 32));
    assert!(!r.stdout.contains("SALINAN"));
    let r = t.run(&["receipt", &sid, "--text", "--width", "80"]);
    expect(&r, 0);
    assert!(r.stdout.lines().any(|l| l.chars().count() == 48));

    // An A6 PDF, read back.
    let pdf = t.path().join("struk.pdf");
    let r = t.run(&[
        "--json",
        "receipt",
        &sid,
        "--pdf",
        &pdf.display().to_string(),
        "--width",
        "a6",
    ]);
    expect(&r, 0);
    let v = r.json();
    assert_eq!(v["status"], "succeeded");
    assert_eq!(v["copy"], serde_json::Value::Null);
    let out = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (make deps)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&sid), "{text}");
    assert!(text.contains("SETOR TUNAI"), "{text}");

    // Usage errors, nothing done.
    expect(&t.run(&["receipt", &sid, "--text", "--width", "a6"]), 2);
    expect(&t.run(&["receipt", &sid, "--width", "57"]), 2);
    expect(&t.run(&["receipt", &sid, "--raw"]), 2);

    // A copy needs a supervisor: none exists yet.
    let r = t.run(&["--json", "receipt", &sid, "--copy"]);
    expect(&r, 2);
    assert_eq!(r.json()["error"]["code"], "NO_SUPERVISOR");
    let r = t.run(&["--json", "supervisor", "status"]);
    assert_eq!(r.json()["has_supervisor"], false);
    t.create_supervisor();
    // Only one first supervisor.
    expect(&t.run(&["supervisor", "create"]), 2);
    // The wrong password: refused.
    let mut c = t.cmd(&["--json", "receipt", &sid, "--copy"]);
    c.env("LOKET_SUPERVISOR_PASSWORD", "tebak-tebak");
    let r = t.run_cmd(c);
    expect(&r, 1);
    assert_eq!(r.json()["error"]["code"], "SUPERVISOR_WRONG");

    for n in 1..=2 {
        let r = t.run(&["--json", "receipt", &sid, "--copy", "--text"]);
        expect(&r, 0);
        let v = r.json();
        assert_eq!(v["copy"], n);
        let text = v["text"].as_str().expect("text");
        assert!(text.contains(&format!("SALINAN KE-{n}")), "{text}");
    }
    let r = t.run(&["--json", "show", &sid]);
    let events = r.json()["events"].as_array().expect("events").clone();
    let reprints: Vec<_> = events.iter().filter(|e| e["kind"] == "reprint").collect();
    assert_eq!(reprints.len(), 2, "{events:?}");
    assert_eq!(reprints[1]["authorized_by"], SPV);
    assert_eq!(reprints[1]["note"], "SALINAN KE-2");
    let r = t.run(&["show", &sid]);
    assert!(
        r.stdout.contains("[supervisor: Budi Supervisor]"),
        "{}",
        r.stdout
    );

    // No print service answering: a clear error, exit 4, the transaction as it was.
    let mut c = t.cmd(&["--json", "receipt", &sid, "--print", "Kasir1"]);
    c.env("CUPS_SERVER", "127.0.0.1:1");
    let r = t.run_cmd(c);
    expect(&r, 4);
    assert_eq!(r.json()["error"]["code"], "PRINT_SERVICE_DOWN");
    assert_eq!(
        t.run(&["--json", "show", &sid]).json()["status"],
        "succeeded"
    );

    // The supervisor's password is nowhere: not in the journal file, the logs or the output.
    let files = t.files();
    assert!(files.iter().any(|f| f.ends_with("journal.db")));
    for f in &files {
        let bytes = std::fs::read(f).unwrap_or_default();
        assert!(
            !bytes
                .windows(SPV_PASSWORD.len())
                .any(|w| w == SPV_PASSWORD.as_bytes()),
            "the supervisor password is in {}",
            f.display()
        );
    }
    assert!(!t.captured.borrow().contains(SPV_PASSWORD));
}

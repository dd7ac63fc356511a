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

/// A private `cupsd` (own configuration, spool and port; never the
/// system's), stopped by its pid when dropped.
struct Cupsd {
    child: std::process::Child,
    server: String,
    _dir: tempfile::TempDir,
}

impl Drop for Cupsd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cups_tool(cmd: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(cmd)
        .args(args)
        .env("LC_ALL", "C")
        .output()
        .unwrap_or_else(|e| panic!("{cmd} must be installed (make deps): {e}"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn start_cupsd() -> Cupsd {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    for sub in ["spool", "spool/tmp", "cache", "state", "log", "ppd"] {
        std::fs::create_dir_all(root.join(sub)).expect("mkdir");
    }
    let _ = cups_tool("chmod", &["-R", "a+rwxt", &root.display().to_string()]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let server = format!("127.0.0.1:{port}");
    std::fs::write(
        root.join("cupsd.conf"),
        format!(
            "Listen {server}\nWebInterface No\nBrowsing Off\nDefaultAuthType None\n\
             <Location />\n  Order allow,deny\n  Allow all\n</Location>\n\
             <Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n\
             <Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
        ),
    )
    .expect("cupsd.conf");
    let r = root.display();
    std::fs::write(
        root.join("cups-files.conf"),
        format!(
            "ServerRoot {r}\nRequestRoot {r}/spool\nTempDir {r}/spool/tmp\nCacheDir {r}/cache\n\
             StateDir {r}/state\nErrorLog {r}/log/error_log\nAccessLog {r}/log/access_log\n\
             PageLog {r}/log/page_log\nSystemGroup root\n"
        ),
    )
    .expect("cups-files.conf");
    let child = std::process::Command::new("/usr/sbin/cupsd")
        .arg("-f")
        .arg("-c")
        .arg(root.join("cupsd.conf"))
        .arg("-s")
        .arg(root.join("cups-files.conf"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("/usr/sbin/cupsd must be installed (make deps)");
    let cupsd = Cupsd {
        child,
        server,
        _dir: dir,
    };
    // Waits for the scheduler to answer (a start, not a timed assertion).
    for _ in 0..100 {
        if cups_tool("lpstat", &["-h", &cupsd.server, "-r"])
            .1
            .contains("scheduler is running")
        {
            return cupsd;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("cupsd did not start");
}

/// A stopped printer whose reason has " / " in it (as CUPS's own and an
/// operator's words may): each language's message is whole, not cut there.
#[test]
fn a_stopped_printer_message_is_whole_in_each_language() {
    let cupsd = start_cupsd();
    let s = cupsd.server.as_str();
    let (ok, out) = cups_tool(
        "lpadmin",
        &[
            "-h",
            s,
            "-p",
            "Kasir1",
            "-E",
            "-v",
            "socket://127.0.0.1:9",
            "-m",
            "raw",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = cups_tool(
        "cupsdisable",
        &["-h", s, "-r", "kertas habis / out of paper", "Kasir1"],
    );
    assert!(ok, "{out}");

    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let sid = deposit(&t);
    for (lang, want, foreign) in [
        (
            "id",
            "Printer Kasir1 berhenti (“kertas habis / out of paper”). Periksa kertas, tutup dan daya printer, lalu cetak ulang.",
            "check paper",
        ),
        (
            "en",
            "Printer Kasir1 is stopped (“kertas habis / out of paper”); check paper, cover and power, then print again.",
            "Periksa",
        ),
    ] {
        let mut c = t.cmd(&["--json", "--lang", lang, "receipt", &sid, "--print", "Kasir1"]);
        c.env("CUPS_SERVER", s);
        let r = t.run_cmd(c);
        expect(&r, 4);
        let v = r.json();
        assert_eq!(v["error"]["code"], "PRINTER_STOPPED");
        let message = v["error"]["message"].as_str().expect("a message");
        assert_eq!(message, want, "--lang {lang}");
        assert!(!message.contains(foreign), "--lang {lang}: {message}");
    }
    assert_eq!(
        t.run(&["--json", "show", &sid]).json()["status"],
        "succeeded"
    );
}

//! Printing through a real CUPS scheduler: this test starts its own
//! `cupsd` (private configuration, spool and port, so it never touches a
//! system scheduler), adds a cups-pdf printer and a raw AppSocket queue, prints a
//! receipt and finds the printed PDF with the receipt's text; then a missing
//! printer, a stopped printer and a printer refusing jobs each give their own
//! clear error. The scheduler is stopped by its pid at the end.

use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use chrono::{TimeZone, Utc};
use journal::{Destination, Kind, State, TransactionRecord};
use money::Rupiah;
use receipt::{escpos, render_pdf, Agent, Columns, Cups, Paper, PrintError, Receipt};

struct Scheduler {
    child: Child,
    server: String,
    dir: tempfile::TempDir,
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        // Our own child, by its pid: SIGTERM lets cupsd shut down cleanly.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn run(cmd: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(cmd)
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
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

fn start_cupsd() -> Scheduler {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    for sub in ["spool", "spool/tmp", "cache", "state", "log", "ppd", "out"] {
        std::fs::create_dir_all(root.join(sub)).expect("mkdir");
    }
    // cupsd drops to `lp` for filters and the file queue writes as it: let them in.
    let _ = run("chmod", &["-R", "a+rwxt", &root.display().to_string()]);
    let port = free_port();
    let server = format!("127.0.0.1:{port}");
    std::fs::write(
        root.join("cupsd.conf"),
        format!(
            "Listen {server}\nLogLevel info\nWebInterface No\nBrowsing Off\nDefaultAuthType None\n\
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
    let child = Command::new("/usr/sbin/cupsd")
        .arg("-f")
        .arg("-c")
        .arg(root.join("cupsd.conf"))
        .arg("-s")
        .arg(root.join("cups-files.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("/usr/sbin/cupsd must be installed (make deps)");
    let sched = Scheduler { child, server, dir };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, out) = run("lpstat", &["-h", &sched.server, "-r"]);
        if out.contains("scheduler is running") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "cupsd did not start: {out}\n{}",
            std::fs::read_to_string(sched.dir.path().join("log/error_log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    sched
}

fn receipt_with_sid(sid: &str) -> Receipt {
    let at = Utc
        .with_ymd_and_hms(2026, 11, 23, 8, 4, 5)
        .single()
        .expect("time");
    let rp = |r| Rupiah::from_rupiah(r).expect("small");
    let record = TransactionRecord {
        sid: sid.into(),
        kind: Kind::Deposit,
        state: State::Succeeded,
        created_at: at,
        updated_at: at,
        operator: "BNIUS100294".into(),
        agent_code: "BNI014100294".into(),
        amount: Some(rp(25_000)),
        admin_fee: Some(rp(0)),
        total: Some(rp(25_000)),
        destination: Destination {
            bank_code: Some("BNI".into()),
            bank_name: None,
            account_number: Some("0114047".into()),
            account_name: Some("ANDI SETIAWAN".into()),
        },
        narration: None,
        inquiry_ref: None,
        bank_reference: None,
        bank_code: None,
        bank_message: None,
        override_of: None,
        resolution: None,
        resolution_note: None,
        resolved_by: None,
    };
    let agent = Agent {
        bank_name: "BNI".into(),
        agent_code: "BNI014100294".into(),
        name: "ARDHA HERDIANTO".into(),
        address: "Jakarta".into(),
    };
    Receipt::from_record_at(&record, &agent, Some(1), at)
}

/// Where cups-pdf may write: its `Out` setting (for the job's user) and the
/// anonymous spool.
fn cups_pdf_dirs() -> Vec<PathBuf> {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let mut dirs = vec![
        PathBuf::from(&home).join("PDF"),
        PathBuf::from("/root/PDF"),
        PathBuf::from("/var/spool/cups-pdf/ANONYMOUS"),
    ];
    if let Ok(conf) = std::fs::read_to_string("/etc/cups/cups-pdf.conf") {
        for line in conf.lines() {
            if let Some(out) = line.trim().strip_prefix("Out ") {
                dirs.push(PathBuf::from(out.trim().replace("${HOME}", &home)));
            }
        }
    }
    dirs
}

/// The printed PDF newer than `since` whose text contains `needle`.
fn find_printed(since: SystemTime, needle: &str) -> Option<(PathBuf, String)> {
    for dir in cups_pdf_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let fresh = e
                .metadata()
                .and_then(|m| m.modified())
                .map(|m| m >= since)
                .unwrap_or(false);
            if !fresh || p.extension().and_then(|x| x.to_str()) != Some("pdf") {
                continue;
            }
            let (ok, text) = run("pdftotext", &["-layout", &p.display().to_string(), "-"]);
            if ok && text.contains(needle) {
                return Some((p, text));
            }
        }
    }
    None
}

#[test]
fn printing_through_a_real_cups_scheduler() {
    let sched = start_cupsd();
    let server = sched.server.clone();
    let s = server.as_str();
    let cups = Cups::at(s);
    // cups-pdf keeps a log per printer name under /var/log/cups: one fixed name.
    let printer = "LoketStrukTest".to_owned();

    // No printer at all yet: no default.
    assert_eq!(cups.default_printer().expect("lpstat"), None);
    let pdf = render_pdf(&receipt_with_sid("2611231504059999"), Paper::Roll58).expect("pdf");
    assert_eq!(cups.print_pdf(&pdf, None), Err(PrintError::NoDefault));

    let (ok, out) = run(
        "lpadmin",
        &[
            "-h",
            s,
            "-p",
            &printer,
            "-E",
            "-v",
            "cups-pdf:/",
            "-m",
            "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd",
        ],
    );
    assert!(ok, "lpadmin: {out}");
    let (ok, out) = run("lpadmin", &["-h", s, "-d", &printer]);
    assert!(ok, "lpadmin -d: {out}");

    // A receipt with a sid no other print has: find it in the printed output.
    let sid = format!(
        "26112315{:08}",
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_millis() % 100_000_000)
            .unwrap_or(0)
    );
    let since = SystemTime::now() - Duration::from_secs(2);
    // Through the default printer (none named).
    let job = cups
        .print_receipt(&receipt_with_sid(&sid), Paper::Roll58, None)
        .expect("printed");
    assert_eq!(job.printer, printer);
    assert!(job.job_id.starts_with(&printer), "{job:?}");
    let deadline = Instant::now() + Duration::from_secs(90);
    let (path, text) = loop {
        if let Some(found) = find_printed(since, &sid) {
            break found;
        }
        assert!(
            Instant::now() < deadline,
            "no printed PDF containing {sid} in {:?}\n{}",
            cups_pdf_dirs(),
            std::fs::read_to_string(sched.dir.path().join("log/error_log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    for want in [
        "SETOR TUNAI",
        "SALINAN KE-1",
        "STATUS: BERHASIL",
        "Rp25.000",
        "***4047",
    ] {
        assert!(
            text.contains(want),
            "{want:?} not in the printed {path:?}: {text}"
        );
    }
    let _ = std::fs::remove_file(&path);

    // A printer that does not exist.
    match cups.print_pdf(&pdf, Some("TidakAdaPrinter")) {
        Err(e @ PrintError::NotFound(_)) => {
            assert_eq!(e.code(), "PRINTER_NOT_FOUND");
            assert!(words::Say::say(&e)
                .id()
                .starts_with("Printer tidak ditemukan: TidakAdaPrinter"));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }

    // A name that is no CUPS name (and must never reach lpstat as an option).
    assert_eq!(
        cups.print_pdf(&pdf, Some("-o raw")),
        Err(PrintError::NotFound("-o raw".into()))
    );

    // Stopped (as CUPS stops a queue that ran out of paper): refused before sending.
    let (ok, out) = run("cupsdisable", &["-h", s, "-r", "Kertas habis", &printer]);
    assert!(ok, "{out}");
    match cups.print_pdf(&pdf, Some(&printer)) {
        Err(PrintError::Stopped { printer: p, reason }) => {
            assert_eq!(p, printer);
            assert_eq!(reason, words::Text::same("“Kertas habis”"));
        }
        other => panic!("expected Stopped, got {other:?}"),
    }
    let (ok, out) = run("cupsenable", &["-h", s, &printer]);
    assert!(ok, "{out}");

    // Not accepting jobs.
    let (ok, out) = run("cupsreject", &["-h", s, &printer]);
    assert!(ok, "{out}");
    assert_eq!(
        cups.print_pdf(&pdf, Some(&printer)),
        Err(PrintError::NotAccepting(printer.clone()))
    );
    let (ok, out) = run("cupsaccept", &["-h", s, &printer]);
    assert!(ok, "{out}");

    // A raw queue to a network thermal printer (AppSocket, as ESC/POS printers
    // on port 9100 speak it) gets the ESC/POS bytes untouched.
    let thermal = TcpListener::bind("127.0.0.1:0").expect("listen");
    let uri = format!("socket://{}", thermal.local_addr().expect("addr"));
    let received = std::thread::spawn(move || {
        let (mut conn, _) = thermal.accept().expect("the raw job connects");
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let mut got = Vec::new();
        let _ = conn.read_to_end(&mut got);
        got
    });
    let (ok, out) = run(
        "lpadmin",
        &["-h", s, "-p", "LoketRaw", "-E", "-v", &uri, "-m", "raw"],
    );
    assert!(ok, "lpadmin raw: {out}");
    let bytes = escpos(&receipt_with_sid(&sid), Columns::C32);
    cups.print_raw(&bytes, Some("LoketRaw")).expect("raw print");
    let written = received.join().expect("the printer thread");
    assert_eq!(written, bytes, "the raw queue changed the ESC/POS bytes");

    let _ = run("lpadmin", &["-h", s, "-x", &printer]);
    let _ = run("lpadmin", &["-h", s, "-x", "LoketRaw"]);

    // With the scheduler gone, the error says the print service is down.
    drop(sched);
    let gone = Cups::at(s);
    assert!(matches!(
        gone.print_pdf(&pdf, Some(&printer)),
        Err(PrintError::NoService(_))
    ));
}

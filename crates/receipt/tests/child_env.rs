//! The CUPS tools see only what CUPS needs of our environment (issue 10,
//! defect 4): stand-in `lpstat`, `lpoptions` and `lp` record the environment
//! they were given while a receipt is printed with secrets set in ours.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use receipt::Cups;

const SECRETS: &[(&str, &str)] = &[
    ("LOKET_PASSWORD", "pw-7c1e-never-in-a-child"),
    ("LOKET_PIN", "913572"),
    ("LOKET_SUPERVISOR_PASSWORD", "spv-5d2a-never-in-a-child"),
    ("LOKET_CUSTOMER_PIN", "246813"),
];

/// A stand-in that appends its name and environment to `dump`, then
/// answers as CUPS would for an idle printer `kasir`.
fn stand_in(dir: &Path, name: &str, dump: &Path, answer: &str) {
    let script = format!(
        "#!/bin/sh\n{{ echo \"== {name} $*\"; /usr/bin/env; }} >> '{}'\nwhile IFS= read -r _; do :; done\nprintf '%s\\n' '{answer}'\n",
        dump.display()
    );
    let path = dir.join(name);
    std::fs::write(&path, script).expect("write stand-in");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn cups_tools_get_a_cleared_environment_and_a_fixed_path() {
    let tools = tempfile::tempdir().expect("temp dir");
    let dump = tools.path().join("env.txt");
    // One script answers every lpstat question this print asks.
    let lpstat = "scheduler is running\nsystem default destination: kasir\nprinter kasir is idle.  enabled since Jan 1 00:00";
    stand_in(tools.path(), "lpstat", &dump, lpstat);
    stand_in(
        tools.path(),
        "lpoptions",
        &dump,
        "printer-state-reasons=none",
    );
    stand_in(
        tools.path(),
        "lp",
        &dump,
        "request id is kasir-7 (1 file(s))",
    );

    // Single-threaded test binary: setting variables here races nothing.
    for (k, v) in SECRETS {
        std::env::set_var(k, v);
    }
    std::env::set_var("CUPS_SERVER", "127.0.0.1:1");
    std::env::set_var("SOME_TOKEN", "tok-0f9e-not-for-cups");

    let job = Cups::system()
        .with_tools_dir(tools.path())
        .print_pdf(b"%PDF-1.4 stand-in", None)
        .expect("the stand-in printer takes the job");
    assert_eq!(job.job_id, "kasir-7");

    let seen = std::fs::read_to_string(&dump).expect("the stand-ins ran");
    for tool in [
        "== lpstat -r",
        "== lpstat -d",
        "== lpoptions -p kasir",
        "== lp -d kasir",
    ] {
        assert!(seen.contains(tool), "{tool} did not run: {seen}");
    }
    for (k, v) in SECRETS {
        assert!(
            !seen.contains(k) && !seen.contains(v),
            "{k} reached a child: {seen}"
        );
    }
    assert!(!seen.contains("SOME_TOKEN"), "{seen}");
    // What CUPS needs is still there, and the lookup path is ours.
    assert!(seen.contains("CUPS_SERVER=127.0.0.1:1"), "{seen}");
    assert!(seen.contains("LC_ALL=C"), "{seen}");
    for line in seen.lines().filter(|l| l.starts_with("PATH=")) {
        assert_eq!(line, format!("PATH={}", tools.path().display()));
    }
    for line in seen.lines().filter(|l| !l.starts_with("== ")) {
        let name = line.split('=').next().unwrap_or_default();
        assert!(
            [
                "CUPS_SERVER",
                "CUPS_ENCRYPTION",
                "CUPS_SERVERROOT",
                "CUPS_USER",
                "HOME",
                "TMPDIR",
                "PATH",
                "LC_ALL",
                "LANG",
                "PWD",
                "SHLVL",
                "_",
            ]
            .contains(&name),
            "unexpected variable {name} in a child's environment: {seen}"
        );
    }
}

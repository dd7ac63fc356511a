//! Secrets and settings through the real `loket` binary (issue 10,
//! defects 4, 5, 25, 26 and the damaged settings.json): print children
//! never see a secret, a providers-file error never echoes a value, a
//! server address needs https off this computer and carries no
//! credentials, and a damaged or real-bank settings.json never quietly
//! becomes the sandbox.

mod common;
use std::os::unix::fs::PermissionsExt;

use common::*;

fn today() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .format("%Y-%m-%d")
        .to_string()
}

fn all(r: &Run) -> String {
    format!("{}\n{}", r.stdout, r.stderr)
}

/// Every file under the data directory, as bytes, contains none of `needle`.
fn nowhere_on_disk(t: &Terminal, needle: &str) {
    for f in t.files() {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} is in {}",
            f.display()
        );
    }
}

#[test]
fn print_tools_first_in_path_never_run_and_never_see_a_secret() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let r = t.run(&["--json", "deposit", "--to", "14047", "--amount", "25.000"]);
    expect(&r, 0);
    let sid = r.json()["sid"].as_str().expect("a sid").to_owned();

    // Stand-ins that record their environment and answer as an idle printer.
    let tools = tempfile::tempdir().expect("tempdir");
    let dump = tools.path().join("env.txt");
    for (name, answer) in [
        ("lpstat", "scheduler is running\nsystem default destination: kasir\nprinter kasir is idle.  enabled since Jan 1"),
        ("lpoptions", "printer-state-reasons=none"),
        ("lp", "request id is kasir-1 (1 file(s))"),
    ] {
        let path = tools.path().join(name);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\n{{ echo \"== {name}\"; env; }} >> '{}'\ncat >/dev/null 2>&1\nprintf '%s\\n' '{answer}'\n",
                dump.display()
            ),
        )
        .expect("write stand-in");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let mut c = t.cmd(&["--json", "receipt", &sid, "--print", "kasir"]);
    c.env(
        "PATH",
        format!(
            "{}:{}",
            tools.path().display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    )
    .env("LOKET_CUSTOMER_PIN", "246813")
    .env("LOKET_NEW_PASSWORD", "Baru-7c1e-2026")
    // The real CUPS tools are asked, of a scheduler that is not there.
    .env("CUPS_SERVER", "127.0.0.1:1");
    let r = t.run_cmd(c);

    let seen = std::fs::read_to_string(&dump).unwrap_or_default();
    for secret in [PASSWORD, PIN, SPV_PASSWORD, "246813", "Baru-7c1e-2026"] {
        assert!(!seen.contains(secret), "a secret reached a child: {seen}");
    }
    assert!(
        seen.is_empty(),
        "tools were looked up in the caller's PATH: {seen}"
    );
    // The real print path answered: no scheduler, a clear error, exit 4.
    expect(&r, 4);
    assert_eq!(r.json()["error"]["code"], "PRINT_SERVICE_DOWN");
}

#[test]
fn a_providers_file_error_names_key_and_line_never_the_value() {
    let sb = Sandbox::start();
    let t = Terminal::new(&sb);
    let day = today();
    // Outside the data directory, which is searched for the values after.
    let files = tempfile::tempdir().expect("tempdir");
    for (provider, text, key, line, value) in [
        (
            "mutasibank",
            "[mutasibank]\nbase_url = \"https://mutasibank.co.id\"\ntoken = 987654321123\n",
            "token",
            3,
            "987654321123",
        ),
        (
            "bri",
            "[bri]\nbase_url = \"https://sandbox.partner.api.bri.co.id\"\nclient_id = \"cid\"\nclient_secret = 98765432109876\n",
            "client_secret",
            4,
            "98765432109876",
        ),
    ] {
        let file = files.path().join(format!("{provider}.toml"));
        std::fs::write(&file, text).expect("write providers file");
        for json in [true, false] {
            let mut args = vec![];
            if json {
                args.push("--json");
            }
            let file_arg = file.display().to_string();
            args.extend([
                "statement",
                "--provider",
                provider,
                "--account",
                "4447",
                "--from",
                &day,
                "--to",
                &day,
                "--providers",
                &file_arg,
            ]);
            let r = t.run(&args);
            assert_ne!(r.code, 0, "{}", all(&r));
            let said = all(&r);
            assert!(!said.contains(value), "the value was shown: {said}");
            assert!(
                said.contains(&format!("`{key}`")) && said.contains(&format!("baris {line}")),
                "key and line expected: {said}"
            );
        }
    }
    nowhere_on_disk(&t, "987654321123");
    nowhere_on_disk(&t, "98765432109876");
}

#[test]
fn remote_plain_http_and_credentials_in_the_address_are_refused() {
    let t = Terminal::in_process();
    // Plain http to a bank on the network: PINs would travel in clear.
    for (server, switcher) in [
        ("http://apidev.bankplus.id", None),
        ("https://127.0.0.1:1", Some("http://192.168.172.15:7221")),
    ] {
        let mut c = t.cmd(&["--json", "balance"]);
        c.arg("--server").arg(server);
        if let Some(s) = switcher {
            c.arg("--switcher").arg(s);
        }
        let r = t.run_cmd(c);
        assert_ne!(r.code, 0, "{}", all(&r));
        assert!(all(&r).contains("https://"), "{}", all(&r));
        assert!(!all(&r).contains("SANDBOX"), "{}", all(&r));
    }
    // Credentials in the address: refused, never echoed, never stored.
    for server in [
        "https://agent:pw-4e1b@apidev.bankplus.id",
        "http://agent:pw-4e1b@127.0.0.1:1",
    ] {
        let mut c = t.cmd(&["--json", "balance"]);
        c.arg("--server").arg(server);
        let r = t.run_cmd(c);
        assert_ne!(r.code, 0, "{}", all(&r));
        assert!(all(&r).contains("user:pw@"), "{}", all(&r));
        assert!(!all(&r).contains("pw-4e1b"), "{}", all(&r));
    }
    nowhere_on_disk(&t, "pw-4e1b");
    // Loopback http stays allowed: the sandbox itself.
    let sb = Sandbox::start();
    let ok = Terminal::new(&sb);
    expect(&ok.run(&["--json", "balance"]), 0);
}

#[test]
fn a_damaged_or_real_bank_settings_file_never_falls_back_to_the_sandbox() {
    let t = Terminal::in_process();
    let settings = t.path().join("settings.json");
    // Cut off mid-write: it may have named a real bank.
    std::fs::write(
        &settings,
        br#"{"server": "https://apidev.bankplus.id", "lang""#,
    )
    .expect("write settings");
    let r = t.run(&["--json", "balance"]);
    expect(&r, 2);
    let said = all(&r);
    assert!(said.contains(&settings.display().to_string()), "{said}");
    assert!(said.contains("SANDBOX"), "{said}");
    assert!(
        !said.contains("SANDBOX: http"),
        "the sandbox started: {said}"
    );
    assert!(
        !t.path().join("sandbox-ledger.db").exists(),
        "the sandbox ran"
    );

    // Valid, naming a real bank, but no --server: refused with the fix.
    std::fs::write(&settings, br#"{"server": "https://apidev.bankplus.id"}"#)
        .expect("write settings");
    let r = t.run(&["--json", "balance"]);
    expect(&r, 2);
    assert!(
        all(&r).contains("--server https://apidev.bankplus.id"),
        "{}",
        all(&r)
    );
    assert!(!t.path().join("sandbox-ledger.db").exists());

    // Without a server in the settings, the sandbox is what was asked for.
    std::fs::remove_file(&settings).expect("remove settings");
    expect(&t.run(&["--json", "balance"]), 0);
}

//! Issue 13 part 2, end to end: the installed app (version N, holding
//! transactions) finds N+1 on a local update server, refuses a version that
//! is not newer, a package signed with another key and a tampered package
//! (each with one message, N still installed and working), then installs
//! the good N+1 on the agent's acceptance and comes back as N+1 on the same
//! data directory with every transaction, reprint count and supervisor.
//!
//! Building N+1 compiles the app once more (another version is another
//! binary), so this runs behind `make test-package`, not `make test`.
//! Plain http to 127.0.0.1 is what the updater allows in a debug build; a
//! release build insists on https (and so does the settings check).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::flows::{agent_login, SUPERVISOR, SUPERVISOR_PASSWORD};
use super::ipc::{deposit, invoke};
use super::package::{
    apt, build_deb, installed, is_root, run, target_dir, tauri_cli, text, throwaway_keys,
    Uninstall, PACKAGE,
};
use super::*;

/// A tiny HTTP server: GET path -> bytes, changed between scenarios.
#[derive(Clone, Default)]
struct Files(Arc<Mutex<HashMap<String, Vec<u8>>>>);

impl Files {
    fn put(&self, path: &str, body: Vec<u8>) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path.to_owned(), body);
    }
}

fn serve(files: Files) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let files = files.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(match stream.try_clone() {
                    Ok(s) => s,
                    Err(_) => return,
                });
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                // The headers end at an empty line.
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) if line.trim().is_empty() => break,
                        Ok(_) => {}
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let body = files
                    .0
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get(&path)
                    .cloned();
                let _ = match body {
                    Some(b) => stream
                        .write_all(
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                b.len()
                            )
                            .as_bytes(),
                        )
                        .and_then(|_| stream.write_all(&b)),
                    None => stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    ),
                };
            });
        }
    });
    port
}

fn latest(version: &str, url: &str, signature: &str) -> Vec<u8> {
    json!({
        "version": version,
        "notes": "Perbaikan / fixes",
        "pub_date": "2026-11-29T10:00:00Z",
        "platforms": {"linux-x86_64-deb": {"signature": signature, "url": url}}
    })
    .to_string()
    .into_bytes()
}

fn installed_version() -> String {
    text(&run(Command::new("dpkg-query").args([
        "-W",
        "-f=${Version}",
        PACKAGE,
    ])))
}

/// Asks for an update check from the page and returns the status.
async fn check(c: &Client) -> Value {
    let got = invoke(c, "check_update", json!({})).await;
    got.get("ok")
        .cloned()
        .unwrap_or_else(|| panic!("check_update: {got}"))
}

/// The agent accepts the update shown in the status bar.
async fn accept(c: &Client) {
    click(c, "#update-available").await;
    click(c, "#update-install").await;
}

/// The pid of the installed app running on `data_dir`, if any.
fn app_on(data_dir: &Path) -> Option<u32> {
    let wanted = format!("LOKET_DATA_DIR={}", data_dir.display());
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let exe = std::fs::read_link(e.path().join("exe")).ok()?;
        if !exe.to_string_lossy().starts_with("/usr/bin/loket-desktop") {
            return None;
        }
        let env = std::fs::read(e.path().join("environ")).ok()?;
        env.split(|b| *b == 0)
            .any(|v| v == wanted.as_bytes())
            .then_some(pid)
    })
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "builds version N+1 (one more compile of the app): make test-package"]
async fn the_installed_app_updates_only_to_a_signed_newer_deb() {
    assert!(
        is_root(),
        "this test installs packages with apt-get/dpkg and needs root"
    );
    assert!(
        !installed(PACKAGE),
        "a `{PACKAGE}` package is already installed here; the test will not touch it"
    );
    let _uninstall = Uninstall;
    let work = tempfile::tempdir().expect("tempdir");
    let keys = throwaway_keys();
    let other_keys = throwaway_keys();

    // Version N from the debug target as it is; N+1 compiled for 0.1.1.
    let n = work.path().join("loket_n.deb");
    std::fs::copy(build_deb(&keys, None), &n).expect("keep N");
    let app_bin = target_dir().join("debug/loket-desktop");
    let kept = work.path().join("loket-desktop.n");
    std::fs::copy(&app_bin, &kept).expect("keep the N binary");
    let started = Instant::now();
    let built = build_deb(&keys, Some("0.1.1"));
    println!(
        "package: building N+1 took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let next = work.path().join("loket_0.1.1_amd64.deb");
    std::fs::copy(&built, &next).expect("keep N+1");
    let good_sig = std::fs::read_to_string(built.with_extension("deb.sig")).expect("N+1 .sig");
    // The build tree's app is version N again for the tests after this one.
    std::fs::copy(&kept, &app_bin).expect("restore the N binary");

    // The same N+1 signed with a key the app does not know.
    let foreign = work.path().join("foreign.deb");
    std::fs::copy(&next, &foreign).expect("copy");
    run(Command::new(tauri_cli())
        .args(["signer", "sign", "--private-key"])
        .arg(&other_keys.private)
        .args(["--password", "", "--app-version", "0.1.1"])
        .arg(&foreign));
    let foreign_sig = std::fs::read_to_string(foreign.with_extension("deb.sig")).expect("sig");
    // N+1 with one byte changed in the middle, under the good signature.
    let mut tampered = std::fs::read(&next).expect("read");
    let mid = tampered.len() / 2;
    tampered[mid] ^= 0x5a;

    let files = Files::default();
    let port = serve(files.clone());
    let base = format!("http://127.0.0.1:{port}");
    files.put("/next.deb", std::fs::read(&next).expect("read"));
    files.put("/tampered.deb", tampered);

    apt(&["install", n.to_str().expect("utf-8")]);
    assert_eq!(installed_version(), "0.1.0");

    // The bank's update address, set before the first start (the first
    // start records the settings as the baseline).
    let data = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        data.path().join("settings.json"),
        json!({"update_endpoint": format!("{base}/latest.json")}).to_string(),
    )
    .expect("settings.json");
    let extra = [("LOKET_UPDATE_PUBKEY", keys.public.clone())];
    let app = PathBuf::from("/usr/bin/loket-desktop");

    let (sids, reprinted) = {
        let (stack, c) = start_app(data.path(), &app, &extra).await;
        let outcome = tokio::time::timeout(Duration::from_secs(300), async {
            agent_login(&c).await;
            let a = deposit(&c, "10000").await;
            deposit(&c, "20000").await;
            let r = invoke(
                &c,
                "reprint_receipt",
                json!({"sid": a, "supervisor": SUPERVISOR, "password": SUPERVISOR_PASSWORD}),
            )
            .await;
            assert!(r.get("ok").is_some(), "reprint: {r}");

            // Not newer: nothing offered, one message.
            files.put(
                "/latest.json",
                latest("0.1.0", &format!("{base}/next.deb"), &good_sig),
            );
            let st = check(&c).await;
            assert!(st["available"].is_null(), "{st}");
            let m = st["message"].as_str().unwrap_or_default().to_owned();
            assert!(m.contains("tidak lebih baru"), "{m}");
            wait_text(&c, "#update-message", "tidak lebih baru").await;

            // Signed with another key, then tampered: offered (the check
            // cannot know), refused at install, N stays.
            for (url, sig, name) in [
                ("/next.deb", foreign_sig.as_str(), "foreign key"),
                ("/tampered.deb", good_sig.as_str(), "tampered"),
            ] {
                files.put(
                    "/latest.json",
                    latest("0.1.1", &format!("{base}{url}"), sig),
                );
                let st = check(&c).await;
                assert_eq!(st["available"], "0.1.1", "{name}: {st}");
                wait_text(&c, "#update-available", "Pembaruan tersedia v0.1.1").await;
                accept(&c).await;
                let m = wait_text(&c, "#update-message", "Tanda tangan").await;
                assert!(m.contains("tidak dipasang"), "{name}: {m}");
                assert_eq!(installed_version(), "0.1.0", "{name}: nothing installed");
                // N still works.
                deposit(&c, "5000").await;
            }

            // The good N+1, accepted by the agent.
            files.put(
                "/latest.json",
                latest("0.1.1", &format!("{base}/next.deb"), &good_sig),
            );
            let st = check(&c).await;
            assert_eq!(st["available"], "0.1.1", "{st}");
            let history = invoke(&c, "history", json!({"filter": {}})).await;
            let sids: Vec<String> = history["ok"]["rows"]
                .as_array()
                .map(|rows| {
                    rows.iter()
                        .filter_map(|r| r["sid"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(sids.len(), 4, "{history}");
            let updated = Instant::now();
            accept(&c).await;
            // The app installs N+1 and starts again on the same folder.
            let deadline = Instant::now() + Duration::from_secs(180);
            while installed_version() != "0.1.1" {
                assert!(Instant::now() < deadline, "N+1 was never installed");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            let old =
                std::fs::read_to_string(data.path().join("app-output.log")).unwrap_or_default();
            assert!(old.contains("installed; restarting"), "{old}");
            let deadline = Instant::now() + Duration::from_secs(120);
            let pid = loop {
                if let Some(pid) = app_on(data.path()) {
                    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
                    // The restarted process, not the old one on its way out.
                    if !exe.to_string_lossy().contains("deleted")
                        && data.path().join("desktop.sock").exists()
                    {
                        break pid;
                    }
                }
                assert!(
                    Instant::now() < deadline,
                    "the app did not come back after the update"
                );
                tokio::time::sleep(Duration::from_millis(250)).await;
            };
            println!(
                "package: accept to N+1 running again {:.1} s",
                updated.elapsed().as_secs_f64()
            );
            // Stopped here; the checks below run in a fresh WebDriver session.
            let _ = Command::new("kill").arg(pid.to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while app_on(data.path()).is_some() && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            (sids, a)
        })
        .await;
        if outcome.is_err() {
            screenshot(&c, "update-failure").await;
        }
        let _ = c.close().await;
        drop(stack);
        outcome.expect("the update flow took more than 300 s")
    };

    // N+1, on the same data: every transaction, the reprint, the supervisor.
    let (stack, c) = start_app(data.path(), &app, &extra).await;
    let outcome = tokio::time::timeout(Duration::from_secs(120), async {
        wait_text(&c, "#server", "http").await;
        let info = invoke(&c, "app_info", json!({})).await;
        assert_eq!(info["ok"]["version"], "0.1.1", "{info}");
        let has = invoke(&c, "has_supervisor", json!({})).await;
        assert_eq!(has["ok"], true, "{has}");
        for sid in &sids {
            let t = invoke(&c, "transaction", json!({"sid": sid})).await;
            assert_eq!(t["ok"]["transaction"]["state"], "succeeded", "{t}");
        }
    })
    .await;
    let _ = c.close().await;
    drop(stack);
    outcome.expect("the checks after the update took more than 120 s");
    let journal = journal::Journal::open(&data.path().join("journal.db")).expect("journal");
    assert_eq!(
        journal.reprints(&reprinted).expect("reprints"),
        1,
        "the reprint count"
    );
    drop(keys);
    drop(other_keys);
}

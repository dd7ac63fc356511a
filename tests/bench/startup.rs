//! Start-up time and memory of the real Loket desktop app against the
//! floor: a blank Tauri 2 window built from the same workspace
//! (`tests/floor`). Both release builds run under one private Xvfb in the
//! same run, interleaved, so the ratios compare like with like.
//!
//! - time from spawn to the first screen painted (Loket: the login screen;
//!   the floor: its blank page), and for Loket to the core being ready
//!   (sandbox started, journal open);
//! - memory (RSS and PSS) of the whole process tree, WebKit's web and
//!   network processes included: the floor once painted, Loket after a
//!   login on its embedded sandbox (driven through WebDriver).
//!
//! `make bench` builds both binaries first.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::{ClientBuilder, Locator};

const ROUNDS: usize = 7;

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

fn binary(name: &str) -> PathBuf {
    let p = target_dir().join("release").join(name);
    assert!(
        p.exists(),
        "{} is missing: cargo build --release -p loket-desktop -p loket-floor",
        p.display()
    );
    p
}

struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn xvfb() -> Xvfb {
    let n = (120..220)
        .find(|n| !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())
        .unwrap_or(219);
    let display = format!(":{n}");
    let child = Command::new("Xvfb")
        .args([
            display.as_str(),
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (make deps)");
    std::thread::sleep(Duration::from_millis(800));
    Xvfb { child, display }
}

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Spawns `bin` and waits for each of `marks`
/// ("loket-measure: MARK 123.4 ms" on stdout); returns the times in ms.
fn time_to_marks(bin: &Path, display: &str, marks: &[&str]) -> Vec<f64> {
    let data = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(bin)
        .env("DISPLAY", display)
        .env("LOKET_SPAWNED_AT_NS", now_ns().to_string())
        .env("LOKET_DATA_DIR", data.path())
        .env("XDG_DATA_HOME", data.path().join("xdg-data"))
        .env("XDG_CACHE_HOME", data.path().join("xdg-cache"))
        .env_remove("LOKET_SERVER")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the app starts");
    let pid = child.id();
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut found: HashMap<String, f64> = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while found.len() < marks.len() && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            let mut words = line.split_whitespace();
            if words.next() == Some("loket-measure:") {
                if let (Some(mark), Some(ms)) = (words.next(), words.next()) {
                    if let Ok(ms) = ms.parse::<f64>() {
                        found.entry(mark.to_owned()).or_insert(ms);
                    }
                }
            }
        }
    }
    stop_tree(pid, &mut child);
    marks
        .iter()
        .map(|m| {
            *found
                .get(*m)
                .unwrap_or_else(|| panic!("{} never said {m}", bin.display()))
        })
        .collect()
}

/// Stops the app and every process it started (WebKit's), one by one.
fn stop_tree(pid: u32, child: &mut Child) {
    let tree = descendants(pid);
    let signal = |sig: &str, p: u32| {
        let _ = Command::new("kill").args([sig, &p.to_string()]).status();
    };
    signal("-TERM", pid);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    for p in tree.into_iter().filter(|p| *p != pid) {
        if Path::new(&format!("/proc/{p}")).exists() {
            signal("-KILL", p);
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Parent of every process, from /proc.
fn parents() -> HashMap<u32, u32> {
    let mut out = HashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
                // The name may hold spaces; the fields after ')' are fixed.
                if let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) {
                    if let Some(ppid) = rest.split_whitespace().nth(1) {
                        if let Ok(ppid) = ppid.parse() {
                            out.insert(pid, ppid);
                        }
                    }
                }
            }
        }
    }
    out
}

fn find_process(name: &str) -> Option<u32> {
    parents().keys().copied().find(|pid| {
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|c| c.trim() == name)
            .unwrap_or(false)
    })
}

/// `root` and every process below it.
fn descendants(root: u32) -> Vec<u32> {
    let parents = parents();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(parents.iter().filter(|(_, pp)| **pp == p).map(|(c, _)| *c));
        i += 1;
    }
    tree
}

/// RSS and PSS in MiB of `root` and all its descendants, and how many processes.
fn tree_memory(root: u32) -> (f64, f64, usize) {
    let tree = descendants(root);
    let (mut rss, mut pss) = (0u64, 0u64);
    for pid in &tree {
        if let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) {
            for line in text.lines() {
                let mut w = line.split_whitespace();
                match (w.next(), w.next().and_then(|v| v.parse::<u64>().ok())) {
                    (Some("Rss:"), Some(kb)) => rss += kb,
                    (Some("Pss:"), Some(kb)) => pss += kb,
                    _ => {}
                }
            }
        }
    }
    (rss as f64 / 1024.0, pss as f64 / 1024.0, tree.len())
}

fn tauri_driver() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    home.join("bin/tauri-driver")
}

/// Memory of `bin`'s process tree under WebDriver, after `then` has run.
async fn memory_after<F, Fut>(bin: &Path, comm: &str, display: &str, then: F) -> (f64, f64, usize)
where
    F: FnOnce(fantoccini::Client) -> Fut,
    Fut: std::future::Future<Output = fantoccini::Client>,
{
    let data = tempfile::tempdir().expect("tempdir");
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port")
    };
    let (port, native) = (free(), free());
    let mut driver = Command::new(tauri_driver())
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", display)
        .env("LOKET_DATA_DIR", data.path())
        .env("XDG_DATA_HOME", data.path().join("xdg-data"))
        .env("XDG_CACHE_HOME", data.path().join("xdg-cache"))
        .env_remove("LOKET_SERVER")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tauri-driver (make deps)");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": bin }),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let client = loop {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => break c,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(250)).await
            }
            Err(e) => panic!("tauri-driver: {e}"),
        }
    };
    let client = then(client).await;
    // Let the processes settle before reading their memory.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = find_process(comm).unwrap_or_else(|| panic!("no {comm} process"));
    let mem = tree_memory(pid);
    let _ = client.close().await;
    let _ = Command::new("kill")
        .args(["-TERM", &driver.id().to_string()])
        .status();
    std::thread::sleep(Duration::from_secs(1));
    let _ = driver.kill();
    let _ = driver.wait();
    mem
}

async fn wait_for(c: &fantoccini::Client, css: &str) {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

#[tokio::main]
async fn main() {
    let loket = binary("loket-desktop");
    let floor = binary("loket-floor");
    let x = xvfb();

    // Warm the file cache once for each, then interleave the rounds.
    time_to_marks(&floor, &x.display, &["blank-painted"]);
    time_to_marks(&loket, &x.display, &["login-painted", "core-ready"]);
    let (mut blank, mut login, mut ready) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        blank.push(time_to_marks(&floor, &x.display, &["blank-painted"])[0]);
        let t = time_to_marks(&loket, &x.display, &["login-painted", "core-ready"]);
        login.push(t[0]);
        ready.push(t[1]);
    }
    let (b, l, r) = (median(blank), median(login), median(ready));

    let floor_mem = memory_after(&floor, "loket-floor", &x.display, |c| async move { c }).await;
    let loket_mem = memory_after(&loket, "loket-desktop", &x.display, |c| async move {
        wait_for(&c, "#server").await;
        for (css, text) in [("#username", "BNIUS100294"), ("#password", "T6jkl4ss")] {
            let e = c.find(Locator::Css(css)).await.expect(css);
            e.send_keys(text).await.expect("type");
        }
        c.find(Locator::Css("#login"))
            .await
            .expect("login")
            .click()
            .await
            .expect("click");
        wait_for(&c, "#balance").await;
        c
    })
    .await;

    println!("Loket desktop start-up and memory vs a blank Tauri window (release, Xvfb, median of {ROUNDS})");
    println!("{:<44} {:>10} {:>10} {:>7}", "", "floor", "Loket", "ratio");
    println!(
        "{:<44} {:>8.0}ms {:>8.0}ms {:>7.2}",
        "spawn → first screen painted (login)",
        b,
        l,
        l / b
    );
    println!(
        "{:<44} {:>8.0}ms {:>8.0}ms {:>7.2}",
        "spawn → core ready (sandbox + journal)",
        b,
        r,
        r / b
    );
    println!(
        "{:<44} {:>7.0}MiB {:>7.0}MiB {:>7.2}",
        "process tree RSS (floor painted / after login)",
        floor_mem.0,
        loket_mem.0,
        loket_mem.0 / floor_mem.0
    );
    println!(
        "{:<44} {:>7.0}MiB {:>7.0}MiB {:>7.2}",
        "process tree PSS",
        floor_mem.1,
        loket_mem.1,
        loket_mem.1 / floor_mem.1
    );
    println!(
        "processes in the tree: floor {}, Loket {}",
        floor_mem.2, loket_mem.2
    );
}

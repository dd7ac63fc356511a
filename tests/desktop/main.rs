//! The real desktop app, built, in a real WebKit webview, driven through
//! WebDriver (tauri-driver + WebKitWebDriver) under a private Xvfb, on its
//! embedded sandbox: every teller flow with the PIN typed on the keyboard,
//! open account with master-data dropdowns, history, a session expiring
//! mid-flow, a payment whose answer is lost resolved by "Cek status",
//! dashboards, settings and language. Screenshots of key screens (and of
//! any failure) go to `target/e2e-screenshots/`.

mod backups;
mod fleet;
mod flows;
mod guards;
mod ipc;
mod keyboard;
mod looks;
mod package;
mod shared_folder;
mod update;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{elements::Element, key::Key, Client, ClientBuilder, Locator};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("LOKET_DESKTOP_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("debug/loket-desktop")
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    home.join("bin/tauri-driver")
}

/// Processes stopped when the test ends, however it ends.
struct Stack {
    children: Vec<(Child, bool)>,
    /// The private X display the app is on (":93").
    display: String,
}

impl Drop for Stack {
    fn drop(&mut self) {
        // tauri-driver wants SIGTERM (SIGKILL leaves WebKitWebDriver holding the port).
        for (child, term) in self.children.iter_mut().rev() {
            if *term {
                let _ = Command::new("kill")
                    .arg("-TERM")
                    .arg(child.id().to_string())
                    .status();
                let deadline = Instant::now() + Duration::from_secs(5);
                while Instant::now() < deadline {
                    if let Ok(Some(_)) = child.try_wait() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn log_file(data_dir: &Path) -> Stdio {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(data_dir.join("app-output.log"))
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null())
}

/// A display number no live X server holds. A lock whose server is gone
/// (an Xvfb killed outright leaves `/tmp/.X{n}-lock` and its socket) is
/// cleared and the number reused; with every number taken by a live server
/// the test stops saying so, rather than start a second server on a taken
/// display and wait forever for an app that cannot open it.
fn free_display() -> u32 {
    for n in 90..200 {
        let lock = PathBuf::from(format!("/tmp/.X{n}-lock"));
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        match std::fs::read_to_string(&lock) {
            Err(_) if !socket.exists() => return n,
            Err(_) => continue,
            Ok(pid) => {
                let alive = pid
                    .trim()
                    .parse::<u32>()
                    .is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
                if !alive
                    && std::fs::remove_file(&lock).is_ok()
                    && (!socket.exists() || std::fs::remove_file(&socket).is_ok())
                {
                    return n;
                }
            }
        }
    }
    panic!("no free X display between :90 and :199 (every one held by a live X server)");
}

async fn start(data_dir: &Path) -> (Stack, Client) {
    start_app(data_dir, &app_binary(), &[]).await
}

/// The environment the harness gives the app (and a second start of it):
/// its data directory and its own WebKit storage, as on a terminal of its own.
fn app_env(data_dir: &Path) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("LOKET_DATA_DIR", data_dir.to_path_buf()),
        ("XDG_DATA_HOME", data_dir.join("xdg-data")),
        ("XDG_CACHE_HOME", data_dir.join("xdg-cache")),
        ("XDG_CONFIG_HOME", data_dir.join("xdg-config")),
        // Receipt PDFs and CSV exports land here when the folder exists.
        ("LOKET_EXPORT_DIR", data_dir.join("export-here")),
    ]
}

/// Starts `app` (the build tree's, or an installed one) under its own Xvfb
/// through tauri-driver, with `extra` in its environment. The display is in
/// `stack.display`.
async fn start_app(data_dir: &Path, app: &Path, extra: &[(&str, String)]) -> (Stack, Client) {
    let display = format!(":{}", free_display());
    let mut stack = Stack {
        children: Vec::new(),
        display: display.clone(),
    };
    let xvfb = Command::new("Xvfb")
        .args([
            display.as_str(),
            "-screen",
            "0",
            // Wide enough for the 1366×768 window of `looks.rs`.
            "1920x1080x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is installed (make deps)");
    // SIGTERM: a killed Xvfb leaves its lock and socket behind, and enough
    // of those once left no free display number at all.
    stack.children.push((xvfb, true));
    std::thread::sleep(Duration::from_millis(700));

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        l.local_addr().expect("addr").port()
    };
    let native_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        l.local_addr().expect("addr").port()
    };
    let driver = Command::new(tauri_driver())
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("DISPLAY", &display)
        .envs(app_env(data_dir))
        .envs(extra.iter().map(|(k, v)| (*k, v.as_str())))
        .env_remove("LOKET_SERVER")
        // The app's own output, kept beside its data for a failing test.
        .stdout(log_file(data_dir))
        .stderr(log_file(data_dir))
        .spawn()
        .expect("tauri-driver is installed (make deps)");
    stack.children.push((driver, true));

    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app }),
    );
    // Starting a session starts the app in its web view: on a loaded 2-core
    // machine that alone has taken over 20 s.
    let deadline = Instant::now() + Duration::from_secs(60);
    let client = loop {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => break c,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("cannot reach tauri-driver: {e}"),
        }
    };
    (stack, client)
}

async fn find(c: &Client, css: &str) -> Element {
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
}

async fn text_of(c: &Client, css: &str) -> String {
    find(c, css).await.text().await.unwrap_or_default()
}

/// Longer than the UI's RESULT_ENTER_GUARD_MS (ui/src/lib/focus.ts).
pub(crate) const RESULT_READ: Duration = Duration::from_millis(1200);

async fn wait_text(c: &Client, css: &str, wanted: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let t = text_of(c, css).await;
        if t.contains(wanted) {
            if css == "#result-status" {
                // The result ignores Enter for its first second (a second
                // Enter typed at the PIN must not skip it): a person reads
                // it first, and so does the test.
                tokio::time::sleep(RESULT_READ).await;
            }
            return t;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never said {wanted:?}; it says {t:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn screenshot(c: &Client, name: &str) {
    let dir = workspace_root().join("target/e2e-screenshots");
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

/// Sends keys to whatever has focus. The focused element can be replaced
/// by the screen between finding it and typing (a dialog closing), so a
/// failed send is tried again on the new focus.
async fn keys_to_focus(c: &Client, text: &str) {
    let mut last = None;
    for _ in 0..5 {
        match c.active_element().await {
            Ok(e) => match e.send_keys(text).await {
                Ok(()) => return,
                Err(err) => last = Some(err.to_string()),
            },
            Err(err) => last = Some(err.to_string()),
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    panic!("keys {text:?} could not be sent: {last:?}");
}

/// Presses a key on whatever has focus.
async fn press(c: &Client, key: Key) {
    keys_to_focus(c, &key.to_string()).await;
}

/// Types into the element with focus (the PIN pad listens on the window).
async fn type_keys(c: &Client, text: &str) {
    keys_to_focus(c, text).await;
}

async fn fill(c: &Client, css: &str, text: &str) {
    let e = find(c, css).await;
    e.clear().await.expect("clear");
    if text.is_empty() {
        // WebDriver's clear fires no input event; the screen must hear it.
        set_value(c, css, "").await;
        return;
    }
    // Under load a keystroke can land before focus has moved; check what
    // the field holds (amount fields show it formatted) and type again.
    let digits = |v: &str| v.chars().filter(char::is_ascii_digit).collect::<String>();
    for _ in 0..3 {
        e.send_keys(text).await.expect("type");
        let now = e.prop("value").await.ok().flatten().unwrap_or_default();
        if now == text || (text.bytes().all(|b| b.is_ascii_digit()) && digits(&now) == text) {
            return;
        }
        e.clear().await.expect("clear");
        set_value(c, css, "").await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} would not take {text:?}");
}

async fn click(c: &Client, css: &str) {
    find(c, css).await.click().await.expect("click");
}

/// Sets an input the way a person's typing would (date pickers differ
/// between WebKit builds; the value and its input event are what count).
async fn set_value(c: &Client, css: &str, value: &str) {
    find(c, css).await;
    c.execute(
        "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
         e.dispatchEvent(new Event('input', {bubbles: true})); \
         e.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![serde_json::json!(css), serde_json::json!(value)],
    )
    .await
    .expect("set value");
}

async fn gone(c: &Client, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while c.find(Locator::Css(css)).await.is_ok() {
        assert!(Instant::now() < deadline, "{css} never went away");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn login(c: &Client, username: &str, password: &str) {
    // The button waits for the core (sandbox, journal) to be ready.
    wait_text(c, "#server", "http").await;
    // Keys meant for one field can spill into the one focused before it;
    // both are checked once both are typed.
    for _ in 0..3 {
        fill(c, "#username", username).await;
        fill(c, "#password", password).await;
        let user = find(c, "#username").await.prop("value").await;
        if user.ok().flatten().as_deref() == Some(username) {
            break;
        }
    }
    click(c, "#login").await;
}

/// The embedded sandbox's address, as the status bar shows it.
async fn sandbox_url(c: &Client) -> String {
    wait_text(c, "#server", "http://127.0.0.1:").await
}

/// Calls a sandbox admin endpoint (faults, session expiry).
async fn sandbox_admin(base: &str, path: &str, body: serde_json::Value) {
    let reply = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .expect("the sandbox answers");
    assert!(reply.status().is_success(), "{path}: {}", reply.status());
}

/// Starts the app on a fresh data directory, runs `flow` against it, and
/// on failure keeps a screenshot before everything is stopped.
async fn drive<F, Fut>(name: &str, flow: F)
where
    F: FnOnce(Client, PathBuf) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    drive_prepared(name, |_| async {}, flow).await;
}

/// [`drive`], with `prepare` run on the fresh data directory before the
/// app starts (a journal and a fleet URL already in place).
async fn drive_prepared<P, PFut, F, Fut>(name: &str, prepare: P, flow: F)
where
    P: FnOnce(PathBuf) -> PFut,
    PFut: std::future::Future<Output = ()>,
    F: FnOnce(Client, PathBuf) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    drive_with(name, &[], prepare, flow).await;
}

/// [`drive_prepared`], with `extra` in the app's environment.
async fn drive_with<P, PFut, F, Fut>(name: &str, extra: &[(&str, String)], prepare: P, flow: F)
where
    P: FnOnce(PathBuf) -> PFut,
    PFut: std::future::Future<Output = ()>,
    F: FnOnce(Client, PathBuf) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    // One app at a time, also under plain `cargo test` (nextest has a test group).
    static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().expect("tempdir");
    prepare(data.path().to_path_buf()).await;
    let (stack, client) = start_app(data.path(), &app_binary(), extra).await;
    let run = tokio::spawn(flow(client.clone(), data.path().to_path_buf()));
    let outcome = tokio::time::timeout(Duration::from_secs(240), run).await;
    let failure = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(join)) => Some(format!("{join}")),
        Err(_) => Some(format!("{name} took more than 240 s")),
    };
    if failure.is_some() {
        screenshot(&client, &format!("{name}-failure")).await;
        let log = std::fs::read_to_string(data.path().join("app-output.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        eprintln!("--- {name}: the app's last output ---");
        for line in tail.into_iter().rev() {
            eprintln!("{line}");
        }
    }
    let _ = client.close().await;
    drop(stack);
    if let Some(why) = failure {
        panic!("{why} (screenshot in target/e2e-screenshots/{name}-failure.png)");
    }
}

//! The real desktop app, built, in a real WebKit webview, driven through
//! WebDriver (tauri-driver + WebKitWebDriver) under a private Xvfb: log in
//! on the embedded sandbox, take a deposit with the PIN typed on the
//! keyboard, see it in today's list, switch language. Screenshots of the
//! confirm and result screens (and of any failure) go to
//! `target/e2e-screenshots/`.

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

fn free_display() -> u32 {
    (90..200)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .unwrap_or(199)
}

async fn start(data_dir: &Path) -> (Stack, Client) {
    let mut stack = Stack {
        children: Vec::new(),
    };
    let display = format!(":{}", free_display());
    let xvfb = Command::new("Xvfb")
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
        .expect("Xvfb is installed (make deps)");
    stack.children.push((xvfb, false));
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
        .env("LOKET_DATA_DIR", data_dir)
        .env_remove("LOKET_SERVER")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tauri-driver is installed (make deps)");
    stack.children.push((driver, true));

    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app_binary() }),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
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

async fn wait_text(c: &Client, css: &str, wanted: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let t = text_of(c, css).await;
        if t.contains(wanted) {
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

async fn deposit_flow(c: &Client) {
    // Log in with the demo agent.
    find(c, "#username")
        .await
        .send_keys("BNIUS100294")
        .await
        .expect("type");
    find(c, "#password")
        .await
        .send_keys("T6jkl4ss")
        .await
        .expect("type");
    find(c, "#login").await.click().await.expect("click");
    wait_text(c, "#agent", "BNI014100294").await;
    assert_eq!(text_of(c, "#sandbox-badge").await, "SANDBOX");
    wait_text(c, "#balance", "Rp").await;

    // F2: cash deposit; amount formats as it is typed.
    find(c, "body")
        .await
        .send_keys(&Key::F2.to_string())
        .await
        .expect("F2");
    find(c, "#to-account")
        .await
        .send_keys("14047")
        .await
        .expect("type");
    let amount = find(c, "#amount").await;
    amount.send_keys("25000").await.expect("type");
    assert_eq!(
        amount.prop("value").await.ok().flatten().as_deref(),
        Some("Rp25.000")
    );
    amount
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("enter");

    // Confirm: name, total and terbilang; Enter goes on to the PIN.
    wait_text(c, "#confirm-name", "Ardha Herdianto").await;
    assert_eq!(text_of(c, "#confirm-total").await, "Rp25.000");
    assert_eq!(text_of(c, "#terbilang").await, "dua puluh lima ribu rupiah");
    screenshot(c, "deposit-confirm").await;
    find(c, "body")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("enter");

    // PIN typed on the keyboard; only dots are shown.
    find(c, "#pin-pad").await;
    find(c, "body")
        .await
        .send_keys("359569")
        .await
        .expect("pin");
    assert_eq!(text_of(c, "#pin-dots").await, "●●●●●●");
    let page = c.source().await.unwrap_or_default();
    assert!(!page.contains("359569"), "the PIN never shows on screen");
    find(c, "body")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("enter");

    wait_text(c, "#result-status", "BERHASIL").await;
    screenshot(c, "deposit-result").await;
    find(c, "body")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("enter");
    wait_text(c, "#today", "Ardha Herdianto").await;

    // English on request.
    find(c, "#lang-en").await.click().await.expect("click");
    wait_text(c, "#f2", "Cash Deposit").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn log_in_and_take_a_deposit_with_the_pin_typed() {
    let data = tempfile::tempdir().expect("tempdir");
    let (stack, client) = start(data.path()).await;
    let driven = client.clone();
    // Run the flow in a task so a failed assertion still leaves us the
    // client for a screenshot before the processes are stopped.
    let flow = tokio::spawn(async move { deposit_flow(&driven).await });
    let outcome = tokio::time::timeout(Duration::from_secs(90), flow).await;
    let failure = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(join)) => Some(format!("{join}")),
        Err(_) => Some("the desktop flow took more than 90 s".to_owned()),
    };
    if failure.is_some() {
        screenshot(&client, "deposit-flow-failure").await;
    }
    let _ = client.close().await;
    drop(stack);
    if let Some(why) = failure {
        panic!("{why} (screenshot in target/e2e-screenshots/)");
    }
}

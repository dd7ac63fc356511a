//! Issue 13: the Debian package, one app per counter, and the update
//! refusals on the installed app.
//!
//! The package test bundles the `.deb` with the Tauri CLI's `tauri bundle`
//! from the debug binaries `make test` has already built (nothing is
//! compiled again), installs it with `apt-get install ./…deb` as an agent's
//! IT person would, checks what it put where, drives the *installed* app
//! through a login and a deposit, checks that a second start opens no
//! second window, has it refuse bad updates (update.rs), and then checks
//! that `apt-get remove` and `apt-get purge` leave the data directory byte
//! for byte as it was. It needs root (CI runs as root) and purges the
//! package however it ends.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;

use super::flows::{agent_login, enter_pin, PIN};
use super::*;

/// The package's name (from `productName`).
pub(crate) const PACKAGE: &str = "loket";

pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

pub(crate) fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{shown} cannot run: {e}"));
    assert!(
        out.status.success(),
        "{shown} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub(crate) fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

pub(crate) fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

pub(crate) fn apt(args: &[&str]) -> Output {
    run(Command::new("apt-get")
        .args(["-y", "-q", "--no-install-recommends"])
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Purges the package when the test ends, however it ends.
pub(crate) struct Uninstall;

impl Drop for Uninstall {
    fn drop(&mut self) {
        // Installed, or removed with its configuration left ("rc").
        let known = Command::new("dpkg-query")
            .args(["-W", "-f=${Status}", PACKAGE])
            .output()
            .map(|o| {
                let status = String::from_utf8_lossy(&o.stdout).into_owned();
                o.status.success() && !status.contains("not-installed")
            })
            .unwrap_or(false);
        if known {
            let _ = Command::new("apt-get")
                .args(["-y", "-q", "purge", PACKAGE])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdout(Stdio::null())
                .status();
        }
    }
}

/// The Tauri CLI pinned in packaging/package.json (`make deps` installs it).
pub(crate) fn tauri_cli() -> PathBuf {
    let cli = workspace_root().join("packaging/node_modules/.bin/tauri");
    assert!(
        cli.exists(),
        "{} is missing: run `make deps` (it runs npm ci in packaging/)",
        cli.display()
    );
    cli
}

/// A throwaway update-signing key pair (the bundler signs the `.deb` for
/// the updater; the bank's own key is never in the repository or a test).
pub(crate) struct Keys {
    /// Holds the key files until the keys are dropped.
    pub _dir: tempfile::TempDir,
    pub private: String,
    pub public: String,
}

pub(crate) fn throwaway_keys() -> Keys {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("update.key");
    run(Command::new(tauri_cli())
        .args(["signer", "generate", "--ci", "-p", "", "-w"])
        .arg(&path));
    let private = std::fs::read_to_string(&path).expect("private key written");
    let public =
        std::fs::read_to_string(path.with_extension("key.pub")).expect("public key written");
    Keys {
        _dir: dir,
        private: private.trim().to_owned(),
        public: public.trim().to_owned(),
    }
}

/// Packages the build tree's debug app (and `loket`) as a `.deb` of
/// `version` with the Tauri CLI's `tauri bundle`, which bundles binaries
/// already built and compiles nothing: `make test` has built both. The
/// bundler takes `<CARGO_TARGET_DIR>/debug/loket-desktop` and patches it
/// with its bundle type in place, so it is given a staging folder holding
/// copies without their line tables (the test's package installs in a
/// fraction of the time; the build tree's binaries stay untouched). `app`
/// is the binary to package (N+1 is another build of it).
pub(crate) fn bundle_deb(keys: &Keys, app: &Path, version: &str, stage: &Path) -> PathBuf {
    let cli = target_dir().join("debug/loket");
    for bin in [app, cli.as_path()] {
        assert!(
            bin.exists(),
            "{} is missing: the workspace's debug build comes first",
            bin.display()
        );
    }
    let bin_dir = stage.join("debug");
    std::fs::create_dir_all(&bin_dir).expect("staging folder");
    let staged_app = bin_dir.join("loket-desktop");
    let staged_cli = stage.join("loket");
    for (from, to) in [(app, &staged_app), (cli.as_path(), &staged_cli)] {
        let _ = std::fs::remove_file(to);
        run(Command::new("objcopy")
            .arg("--strip-debug")
            .arg(from)
            .arg(to));
    }
    let bundles = bin_dir.join("bundle/deb");
    let _ = std::fs::remove_dir_all(&bundles);
    // The version, and the CLI's path for bundle.linux.deb.files.
    let config = serde_json::json!({
        "version": version,
        "bundle": {"linux": {"deb": {"files": {"/usr/bin/loket": staged_cli}}}}
    });
    let started = Instant::now();
    // The CLI takes the project from src-tauri (its tauri.conf.json and Cargo.toml).
    run(Command::new(tauri_cli())
        .args(["bundle", "--debug", "--bundles", "deb", "--ci", "--config"])
        .arg(config.to_string())
        .current_dir(workspace_root().join("src-tauri"))
        .env("CARGO_TARGET_DIR", stage)
        .env("TAURI_SIGNING_PRIVATE_KEY", &keys.private)
        .env("TAURI_SIGNING_PRIVATE_KEY_PASSWORD", ""));
    let deb = std::fs::read_dir(&bundles)
        .expect("the bundler wrote bundle/deb")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .expect("a .deb in bundle/deb");
    println!(
        "package: bundled {} ({} bytes) in {:.1} s",
        deb.display(),
        std::fs::metadata(&deb).map(|m| m.len()).unwrap_or(0),
        started.elapsed().as_secs_f64()
    );
    assert!(
        deb.with_extension("deb.sig").exists(),
        "createUpdaterArtifacts signs the .deb"
    );
    deb
}

/// Every file under `dir` with its content's hash (or its kind, for a
/// socket), by relative path: what "byte for byte as it was" compares.
fn tree(dir: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                out.insert(rel, "dir".into());
                walk(root, &path, out);
            } else if meta.is_file() {
                let mut bytes = Vec::new();
                let _ = std::fs::File::open(&path).and_then(|mut f| f.read_to_end(&mut bytes));
                out.insert(rel, format!("{} bytes, {}", bytes.len(), fnv(&bytes)));
            } else {
                out.insert(rel, format!("{:?}", meta.file_type()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn fnv(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A second start of `app` on the same data directory: it must not open a
/// window of its own but hand over to the running one and exit.
fn second_start(app: &Path, data_dir: &Path, display: &str) -> Output {
    let mut child = Command::new(app)
        .envs(app_env(data_dir))
        .env("DISPLAY", display)
        .env_remove("LOKET_SERVER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("a second start");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "the second start kept running (a second window?):\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().expect("output")
}

/// Asserts that a second start handed over and the app still has one window.
async fn assert_one_window(c: &Client, app: &Path, data_dir: &Path, display: &str) {
    let out = second_start(app, data_dir, display);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the second start: {said}");
    assert!(said.contains("sudah berjalan"), "says why: {said}");
    let windows = c.windows().await.expect("window handles");
    assert_eq!(windows.len(), 1, "still one window");
    // The running app heard the knock: the second start says its window was
    // brought forward only after the running app answered "ok", which it
    // sends after showing the window. (WebKitWebDriver does not pass the
    // app's own output on, so it cannot be read back here.)
    assert!(
        said.contains("dibawa ke depan"),
        "the running app answered: {said}"
    );
    // And it still answers.
    find(c, "body").await;
}

/// Another counter's folder is another app: a start on it is not refused
/// while the app on `data_dir` runs.
async fn another_folder_starts(app: &Path, display: &str) {
    let other = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(app)
        .envs(app_env(other.path()))
        .env("DISPLAY", display)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("an app on another folder");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !other.path().join("desktop.sock").exists() {
        assert!(
            child.try_wait().expect("try_wait").is_none(),
            "the app on another data folder was refused"
        );
        assert!(
            Instant::now() < deadline,
            "the app on another folder never came up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The app's version, as tauri.conf.json says (what the package is called).
pub(crate) fn app_version() -> String {
    let conf = workspace_root().join("src-tauri/tauri.conf.json");
    let conf: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&conf).expect("tauri.conf.json"))
            .expect("tauri.conf.json is JSON");
    conf["version"]
        .as_str()
        .expect("a version in tauri.conf.json")
        .to_owned()
}

/// Issue 13 parts 1, 2 (the refusals), 3 (the data stays) and 5, on the
/// installed package: install, run a deposit, one window per counter,
/// refuse bad updates, remove, purge.
#[tokio::test(flavor = "multi_thread")]
async fn the_deb_installs_runs_a_deposit_refuses_bad_updates_and_removal_keeps_the_data() {
    assert!(
        is_root(),
        "this test installs the .deb with apt-get and needs root (CI runs as root): run `make test` as root"
    );
    assert!(
        !installed(PACKAGE),
        "a `{PACKAGE}` package is already installed on this machine; the test will not touch it (remove it first)"
    );
    let _uninstall = Uninstall;
    let work = tempfile::tempdir().expect("tempdir");
    let keys = std::sync::Arc::new(throwaway_keys());
    let version = app_version();
    let deb = bundle_deb(&keys, &app_binary(), &version, &work.path().join("n"));

    // What the package says about itself.
    let info = text(&run(Command::new("dpkg-deb").arg("-f").arg(&deb)));
    for wanted in [
        "libwebkit2gtk-4.1-0",
        "libgtk-3-0",
        "cups",
        "printer-driver-cups-pdf",
    ] {
        assert!(info.contains(wanted), "control names {wanted}:\n{info}");
    }
    assert!(info.contains("Recommends:"), "{info}");

    // The bank's update address, set before the first start (the first
    // start records the settings as the baseline); the server announces
    // the installed version (up to date) until the refusals.
    let files = update::Files::default();
    let base = format!("http://127.0.0.1:{}", update::serve(files.clone()));
    files.put(
        "/latest.json",
        update::latest(&version, &format!("{base}/n.deb"), "unused"),
    );
    let data = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        data.path().join("settings.json"),
        serde_json::json!({"update_endpoint": format!("{base}/latest.json")}).to_string(),
    )
    .expect("settings.json");

    let installing = Instant::now();
    apt(&["install", deb.to_str().expect("utf-8 path")]);
    let install_s = installing.elapsed().as_secs_f64();
    assert!(installed(PACKAGE));

    let listed = text(&run(Command::new("dpkg").args(["-L", PACKAGE])));
    for wanted in [
        "/usr/bin/loket-desktop",
        "/usr/bin/loket",
        "/usr/share/applications/Loket.desktop",
        "/usr/share/icons/hicolor/32x32/apps/loket-desktop.png",
        "/usr/share/icons/hicolor/64x64/apps/loket-desktop.png",
        "/usr/share/icons/hicolor/128x128/apps/loket-desktop.png",
        "/usr/share/icons/hicolor/256x256/apps/loket-desktop.png",
        "/usr/share/icons/hicolor/512x512/apps/loket-desktop.png",
    ] {
        assert!(
            listed.lines().any(|l| l == wanted),
            "dpkg -L lists {wanted}:\n{listed}"
        );
    }
    let entry =
        std::fs::read_to_string("/usr/share/applications/Loket.desktop").expect("desktop entry");
    for wanted in [
        "Name[id]=",
        "GenericName[id]=",
        "Categories=Finance;Office;",
        "Exec=loket-desktop",
        "Icon=loket-desktop",
    ] {
        assert!(
            entry.contains(wanted),
            "desktop entry has {wanted}:\n{entry}"
        );
    }
    let installed_size = text(&run(Command::new("dpkg-query").args([
        "-W",
        "-f=${Installed-Size}",
        PACKAGE,
    ])));

    // The command line from PATH.
    let cli_version = text(&run(Command::new("loket")
        .arg("--version")
        .env("PATH", "/usr/bin:/bin")));
    assert!(
        cli_version.contains(env!("CARGO_PKG_VERSION")),
        "{cli_version}"
    );

    // The installed app, driven like an agent would.
    let app = PathBuf::from("/usr/bin/loket-desktop");
    // Tests sign with a throwaway key (read only by debug builds).
    let extra = [("LOKET_UPDATE_PUBKEY", keys.public.clone())];
    {
        let (stack, client) = start_app(data.path(), &app, &extra).await;
        let display = stack.display.clone();
        let c = client.clone();
        let (data_dir, work_dir) = (data.path().to_path_buf(), work.path().to_path_buf());
        let (deb, app, files, base, keys) = (
            deb.clone(),
            app.clone(),
            files.clone(),
            base.clone(),
            keys.clone(),
        );
        let installed_size = installed_size.clone();
        // Spawned, so that a failed step still leaves a screenshot.
        let flow = tokio::spawn(async move {
            find(&c, "#username").await;
            wait_text(&c, "#server", "http").await;
            let painted_s = installing.elapsed().as_secs_f64();
            println!(
                "package: apt-get install {install_s:.1} s; install to login painted {painted_s:.1} s; .deb {} bytes; installed size {installed_size} KiB",
                std::fs::metadata(&deb).map(|m| m.len()).unwrap_or(0)
            );
            agent_login(&c).await;
            press(&c, Key::F2).await;
            fill(&c, "#to-account", "14047").await;
            fill(&c, "#amount", "25000").await;
            press(&c, Key::Enter).await;
            wait_text(&c, "#confirm-name", "Ardha Herdianto").await;
            press(&c, Key::Enter).await;
            enter_pin(&c, PIN).await;
            wait_text(&c, "#result-status", "BERHASIL").await;
            screenshot(&c, "package-deposit").await;
            // The start-up check found the installed version: nothing said.
            assert!(
                c.find(fantoccini::Locator::Css("#update-message"))
                    .await
                    .is_err(),
                "an up-to-date server is not a warning"
            );
            // One app per counter, also installed.
            assert_one_window(&c, &app, &data_dir, &display).await;
            another_folder_starts(&app, &display).await;
            // The CLI works beside the running app, on the same journal.
            let history = text(&run(Command::new("/usr/bin/loket")
                .arg("--data-dir")
                .arg(&data_dir)
                .args(["--json", "history"])));
            assert!(history.contains("succeeded"), "{history}");
            // Bad updates: refused one by one, N stays and works.
            update::refusals(&c, &files, &base, &deb, &keys, &work_dir).await;
        });
        let outcome = tokio::time::timeout(Duration::from_secs(300), flow).await;
        let c = client;
        if !matches!(outcome, Ok(Ok(()))) {
            screenshot(&c, "package-failure").await;
        }
        let _ = c.close().await;
        drop(stack);
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(failed)) => std::panic::resume_unwind(failed.into_panic()),
            Err(_) => panic!("the installed app's flow took more than 300 s"),
        }
    }
    assert_eq!(update::installed_version(), version);
    let journal = data.path().join("journal.db");
    assert!(
        journal.exists(),
        "the app kept its journal in LOKET_DATA_DIR"
    );

    // Removing and purging the program leaves the data alone.
    let before = tree(data.path());
    assert!(before.len() > 3, "{before:?}");
    apt(&["remove", PACKAGE]);
    assert!(!Path::new("/usr/bin/loket-desktop").exists());
    assert_eq!(
        tree(data.path()),
        before,
        "apt-get remove changed the data folder"
    );
    // Purging what remove left (its configuration state). A package without
    // conffiles is already gone after `remove`, and apt then refuses to
    // purge a package it cannot find; dpkg purges whatever is left (or
    // warns that nothing is).
    run(Command::new("dpkg").args(["--purge", PACKAGE]));
    assert!(!installed(PACKAGE));
    assert!(!Path::new("/usr/bin/loket").exists());
    assert_eq!(
        tree(data.path()),
        before,
        "apt-get purge changed the data folder"
    );
    drop(keys);
}

//! Issue 13: the Debian package and one app per counter.
//!
//! The package test builds the `.deb` with the Tauri CLI from the debug
//! target `make test` has already built (`tauri build --debug`: nothing is
//! compiled again), installs it with `apt-get install ./…deb` as an agent's
//! IT person would, checks what it put where, drives the *installed* app
//! through a login and a deposit, and then checks that `apt-get remove`
//! and `apt-get purge` leave the data directory byte for byte as it was.
//! It needs root (CI runs as root) and removes the package however it ends.

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
        if installed(PACKAGE) {
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

/// Builds the `.deb` from the debug target with `tauri build --debug`
/// (the CLI's cargo build finds everything fresh) and returns its path.
/// `version` builds another version (the app is compiled again for it).
pub(crate) fn build_deb(keys: &Keys, version: Option<&str>) -> PathBuf {
    let root = workspace_root();
    let target = target_dir();
    let cli = target.join("debug/loket");
    assert!(
        cli.exists(),
        "{} is missing: the workspace's debug build comes first",
        cli.display()
    );
    // tauri.conf.json's bundle.linux.deb.files takes the CLI from here.
    let bin = root.join("packaging/bin");
    std::fs::create_dir_all(&bin).expect("packaging/bin");
    let link = bin.join("loket");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&cli, &link).expect("link the CLI into packaging/bin");
    let bundles = target.join("debug/bundle/deb");
    let _ = std::fs::remove_dir_all(&bundles);
    let started = Instant::now();
    let mut build = Command::new(tauri_cli());
    build.args(["build", "--debug", "--bundles", "deb", "--ci"]);
    if let Some(v) = version {
        build
            .arg("--config")
            .arg(format!("{{\"version\":\"{v}\"}}"));
    }
    // The CLI takes the project from src-tauri (its tauri.conf.json and Cargo.toml).
    run(build
        .current_dir(root.join("src-tauri"))
        .env("CARGO_TARGET_DIR", &target)
        .env("TAURI_SIGNING_PRIVATE_KEY", &keys.private)
        .env("TAURI_SIGNING_PRIVATE_KEY_PASSWORD", ""));
    let deb = std::fs::read_dir(&bundles)
        .expect("the bundler wrote bundle/deb")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .expect("a .deb in bundle/deb");
    println!(
        "package: built {} ({} bytes) in {:.1} s",
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
    // The running app heard the knock (it brings its window forward).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = std::fs::read_to_string(data_dir.join("app-output.log")).unwrap_or_default();
        if log.contains("brought the running window to the front") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the running app never heard the second start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // And it still answers.
    find(c, "body").await;
}

/// Issue 13 part 5, in the build tree's app: a second start on the same
/// data directory brings the running window forward instead of a second
/// window; the `loket` CLI still works beside it.
#[tokio::test(flavor = "multi_thread")]
async fn a_second_start_on_the_same_folder_opens_no_second_window() {
    let data = tempfile::tempdir().expect("tempdir");
    let other = tempfile::tempdir().expect("tempdir");
    let (stack, c) = start(data.path()).await;
    let outcome = tokio::time::timeout(Duration::from_secs(120), async {
        find(&c, "#username").await;
        wait_text(&c, "#server", "http").await;
        assert_one_window(&c, &app_binary(), data.path(), &stack.display).await;
        // Another counter's folder is another app: it is not refused.
        let mut child = Command::new(app_binary())
            .envs(app_env(other.path()))
            .env("DISPLAY", &stack.display)
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
    })
    .await;
    if outcome.is_err() {
        screenshot(&c, "second-start-failure").await;
    }
    let _ = c.close().await;
    drop(stack);
    outcome.expect("the second-start test took more than 120 s");
}

/// Issue 13 parts 1 and 3: install, run, remove, purge.
#[tokio::test(flavor = "multi_thread")]
async fn the_deb_installs_runs_a_deposit_and_removal_keeps_the_data() {
    assert!(
        is_root(),
        "this test installs the .deb with apt-get and needs root (CI runs as root): run `make test` as root"
    );
    assert!(
        !installed(PACKAGE),
        "a `{PACKAGE}` package is already installed on this machine; the test will not touch it (remove it first)"
    );
    let _uninstall = Uninstall;
    let keys = throwaway_keys();
    let deb = build_deb(&keys, None);

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
    let version = text(&run(Command::new("loket")
        .arg("--version")
        .env("PATH", "/usr/bin:/bin")));
    assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");

    // The installed app, driven like an agent would.
    let data = tempfile::tempdir().expect("tempdir");
    let app = PathBuf::from("/usr/bin/loket-desktop");
    {
        let (stack, c) = start_app(data.path(), &app, &[]).await;
        let outcome = tokio::time::timeout(Duration::from_secs(240), async {
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
            // One app per counter, also installed.
            assert_one_window(&c, &app, data.path(), &stack.display).await;
            // The CLI works beside the running app, on the same journal.
            let history = text(&run(Command::new("/usr/bin/loket")
                .arg("--data-dir")
                .arg(data.path())
                .args(["--json", "history"])));
            assert!(history.contains("succeeded"), "{history}");
        })
        .await;
        if outcome.is_err() {
            screenshot(&c, "package-failure").await;
        }
        let _ = c.close().await;
        drop(stack);
        outcome.expect("the installed app's flow took more than 240 s");
    }
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
    apt(&["install", deb.to_str().expect("utf-8 path")]);
    apt(&["purge", PACKAGE]);
    assert!(!installed(PACKAGE));
    assert!(!Path::new("/usr/bin/loket").exists());
    assert_eq!(
        tree(data.path()),
        before,
        "apt-get purge changed the data folder"
    );
    drop(keys);
}

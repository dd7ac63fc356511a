//! The desktop app and the `loket` command line on one data directory at
//! the same moment (issue 12, the hostile machine): an IT person's script
//! or a second window runs `loket` while the agent pays in the app, and the
//! other way round. Checked against the app's own sandbox ledger and its
//! request counts: nothing leaves twice, nothing is lost, and neither side
//! reads the other's payment on its way as refused or settles it.

use std::process::{Command, Stdio};

use fantoccini::key::Key;
use serde_json::json;

use super::flows::{agent_login, enter_pin, PASSWORD, PIN, SUPERVISOR, SUPERVISOR_PASSWORD};
use super::*;

/// The `loket` binary built beside the app (nextest builds every binary of
/// the workspace before the tests run).
fn loket_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("LOKET_CLI_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("debug/loket")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }
}

/// `loket ARGS` on the app's data directory against the app's sandbox, as
/// the same agent (its own login: the CLI keeps no session on disk).
fn loket_command(dir: &Path, base: &str, args: &[&str]) -> Command {
    let bin = loket_binary();
    assert!(
        bin.exists(),
        "{} is built (cargo build -p loket-cli)",
        bin.display()
    );
    let mut c = Command::new(bin);
    for v in [
        "LOKET_SERVER",
        "LOKET_SWITCHER",
        "LOKET_DATA_DIR",
        "LOKET_LANG",
    ] {
        c.env_remove(v);
    }
    c.env("LOKET_USERNAME", "BNIUS100294")
        .env("LOKET_PASSWORD", PASSWORD)
        .env("LOKET_PIN", PIN)
        .env("LOKET_SUPERVISOR", SUPERVISOR)
        .env("LOKET_SUPERVISOR_PASSWORD", SUPERVISOR_PASSWORD)
        .arg("--data-dir")
        .arg(dir)
        .args(["--server", base, "--switcher", base])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

async fn loket(dir: &Path, base: &str, args: &[&str]) -> Run {
    let mut c = loket_command(dir, base, args);
    let out = tokio::task::spawn_blocking(move || c.output())
        .await
        .expect("joined")
        .expect("loket runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Waits until journal.db has a row in `state` (read as the sqlite3 shell
/// would) and returns its sid.
async fn row_in(dir: &Path, state: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(db) = rusqlite::Connection::open_with_flags(
            dir.join("journal.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        ) {
            let found: Option<String> = db
                .query_row(
                    "SELECT sid FROM transactions WHERE state = ?1 ORDER BY sid DESC LIMIT 1",
                    [state],
                    |r| r.get(0),
                )
                .ok();
            if let Some(sid) = found {
                return sid;
            }
        }
        assert!(Instant::now() < deadline, "no row became {state}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn requests_to(base: &str, endpoint: &str) -> u64 {
    let v: serde_json::Value = reqwest::get(format!("{base}/_sandbox/requests"))
        .await
        .expect("sandbox")
        .json()
        .await
        .expect("json");
    v[endpoint].as_u64().unwrap_or(0)
}

async fn balance(base: &str, account: &str) -> i64 {
    let v: serde_json::Value = reqwest::get(format!("{base}/_sandbox/accounts/BNI/{account}"))
        .await
        .expect("sandbox")
        .json()
        .await
        .expect("json");
    let text = v["balance"].as_str().unwrap_or_default();
    text.split('.')
        .next()
        .unwrap_or(text)
        .parse()
        .expect("balance")
}

/// The bank takes `ms` to answer the next deposit.
async fn slow_deposit(base: &str, ms: u64) {
    sandbox_admin(
        base,
        "/_sandbox/faults",
        json!({"seed": 1, "rules": [{"endpoint": "/bankplus/bsa/depositAccount",
            "fault": {"kind": "latency", "ms": ms}, "probability": 1.0, "times": 1}]}),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_and_the_command_line_pay_on_one_folder_at_once() {
    drive("app-and-cli", |c, dir| async move {
        agent_login(&c).await;
        let base = sandbox_url(&c).await;
        const DEPOSIT: &str = "/bankplus/bsa/depositAccount";

        // 1. The app pays; the bank is slow. Meanwhile `loket` runs on the
        //    same folder: its start-up recovery, a check of the payment on
        //    its way, the history, the same deposit again.
        let before = balance(&base, "14049").await;
        slow_deposit(&base, 6000).await;
        press(&c, Key::F2).await;
        fill(&c, "#to-account", "14049").await;
        fill(&c, "#amount", "25000").await;
        press(&c, Key::Enter).await;
        wait_text(&c, "#confirm-name", "BUDI SANTOSO").await;
        press(&c, Key::Enter).await;
        enter_pin(&c, PIN).await;
        let sid = row_in(&dir, "sending").await;

        let check = loket(&dir, &base, &["--json", "check", &sid]).await;
        assert_eq!(
            check.code, 3,
            "the app's payment on its way is in progress, not refused\n{}\n{}",
            check.stdout, check.stderr
        );
        assert_eq!(check.json()["status"], "unknown", "{}", check.stdout);
        let history = loket(&dir, &base, &["--json", "history", "--limit", "5"]).await;
        assert_eq!(history.code, 0, "{}", history.stderr);
        assert!(history.stdout.contains(&sid), "{}", history.stdout);
        let again = loket(
            &dir,
            &base,
            &[
                "--json",
                "deposit",
                "--to",
                "14049",
                "--amount",
                "25000",
                "--name",
                "BUDI SANTOSO",
            ],
        )
        .await;
        assert_ne!(again.code, 0, "the same deposit is held:\n{}", again.stdout);
        assert_eq!(
            again.json()["error"]["code"],
            "HELD_BY_DOUBT",
            "{}\n{}",
            again.stdout,
            again.stderr
        );

        wait_text(&c, "#result-status", "BERHASIL").await;
        assert_eq!(
            requests_to(&base, DEPOSIT).await,
            1,
            "one deposit left the machine"
        );
        assert_eq!(
            balance(&base, "14049").await - before,
            25_000,
            "credited once"
        );
        let shown = loket(&dir, &base, &["--json", "show", &sid]).await;
        assert_eq!(shown.json()["state"], "succeeded", "{}", shown.stdout);
        press(&c, Key::Enter).await;

        // 2. `loket` pays; the bank is slow. Meanwhile the app's history
        //    shows the payment on its way (not failed, not in doubt), and
        //    the same deposit typed in the app is held.
        let before = balance(&base, "14051").await;
        // Long enough for the app to open its history and type the repeat
        // on a loaded machine while `loket` still waits.
        slow_deposit(&base, 12000).await;
        let mut cli = loket_command(
            &dir,
            &base,
            &[
                "--json",
                "deposit",
                "--to",
                "14051",
                "--amount",
                "30000",
                "--name",
                "AGUS PRASETYO",
            ],
        );
        let paying = tokio::task::spawn_blocking(move || cli.output());
        let sid = row_in(&dir, "sending").await;

        press(&c, Key::F7).await;
        wait_text(&c, "#history-rows", "AGUS PRASETYO").await;
        click(&c, &format!("#history-rows tr[data-sid='{sid}'] td")).await;
        let state = text_of(&c, "#detail-state").await;
        assert!(
            state.contains("Mengirim"),
            "the CLI's payment is on its way: {state}"
        );
        assert_eq!(text_of(&c, "#detail-sid").await, sid);
        tokio::time::sleep(Duration::from_millis(500)).await;
        screenshot(&c, "app-and-cli-history").await;

        press(&c, Key::F2).await;
        fill(&c, "#to-account", "14051").await;
        fill(&c, "#amount", "30000").await;
        press(&c, Key::Enter).await;
        wait_text(&c, "#held", "masih dalam proses").await;
        assert!(
            !find(&c, "#confirm-next")
                .await
                .is_enabled()
                .await
                .unwrap_or(true),
            "a held payment cannot go on"
        );
        press(&c, Key::Escape).await;
        press(&c, Key::Escape).await;

        let out = paying.await.expect("joined").expect("loket runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            requests_to(&base, DEPOSIT).await,
            2,
            "one more deposit, not two"
        );
        assert_eq!(
            balance(&base, "14051").await - before,
            30_000,
            "credited once"
        );

        // The app sees it settled on its next look.
        press(&c, Key::F7).await;
        wait_text(&c, "#history-rows", "AGUS PRASETYO").await;
        click(&c, &format!("#history-rows tr[data-sid='{sid}'] td")).await;
        wait_text(&c, "#detail-state", "Berhasil").await;
        assert_eq!(text_of(&c, "#detail-sid").await, sid);
        assert!(
            c.find(Locator::Css("#doubt-banner")).await.is_err(),
            "nothing is in doubt"
        );
    })
    .await;
}

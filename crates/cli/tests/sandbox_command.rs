//! `loket sandbox` as a user runs it: the base URL on the first line of
//! stdout, a working Bank+ login at that URL, a ledger file in the data
//! directory, and a clean stop on Ctrl-C (SIGINT).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn_sandbox(data_dir: &std::path::Path, extra: &[&str]) -> (Child, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("sandbox")
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket binary starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut lines = BufReader::new(stdout).lines();
    let base_url = lines
        .next()
        .expect("a first line")
        .expect("readable first line");
    // The demo credentials follow; read a few lines without blocking on EOF.
    let mut rest = Vec::new();
    for _ in 0..3 {
        if let Some(Ok(line)) = lines.next() {
            rest.push(line);
        }
    }
    // Keep draining stdout in the background so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    (child, base_url, rest)
}

fn interrupt(child: &mut Child) -> (std::process::ExitStatus, String) {
    let status = Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return (status, err);
        }
        assert!(
            Instant::now() < deadline,
            "sandbox did not stop within 10 s of Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn login(base_url: &str, password: &str) -> serde_json::Value {
    let reply = reqwest::Client::new()
        .post(format!("{base_url}/bankplus/users/auth"))
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"username":"{}","password":"{password}"}}"#,
            sandbox::demo::USERNAME
        ))
        .send()
        .await
        .expect("the sandbox answers");
    serde_json::from_slice(&reply.bytes().await.expect("a body")).expect("a JSON body")
}

#[tokio::test]
async fn prints_its_url_first_serves_bankplus_and_stops_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base_url, rest) = spawn_sandbox(dir.path(), &[]);

    assert!(
        base_url.starts_with("http://127.0.0.1:") && base_url[17..].parse::<u16>().is_ok(),
        "first line is the base URL alone, got {base_url:?}"
    );
    let text = rest.join("\n");
    assert!(
        text.contains(sandbox::demo::USERNAME),
        "demo credentials follow: {text}"
    );

    let ok = login(&base_url, sandbox::demo::PASSWORD).await;
    assert_eq!(ok["code"], "00");
    assert_eq!(ok["data"]["nama"], "Ardha Herdianto");
    let bad = login(&base_url, "wrong-password").await;
    assert_eq!(bad["code"], "2102");

    assert!(
        dir.path().join("sandbox-ledger.db").exists(),
        "the ledger lives in the data directory"
    );

    let (status, stderr) = interrupt(&mut child);
    assert!(
        status.success(),
        "clean exit on Ctrl-C, got {status:?}; stderr: {stderr}"
    );
    assert!(stderr.contains("berhenti"), "says it stopped: {stderr}");
    assert!(
        !stderr.contains(sandbox::demo::PASSWORD) || text.contains(sandbox::demo::PASSWORD),
        "stderr never carries a password"
    );
}

#[tokio::test]
async fn listens_where_asked_and_refuses_a_bad_fault_rule() {
    let dir = tempfile::tempdir().unwrap();
    // A taken port is a clear error, not a panic.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["sandbox", "--memory", "--listen", &addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "cannot listen: exit 4");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tidak bisa dimulai"), "{err}");

    let out = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args([
            "sandbox",
            "--memory",
            "--fault",
            "bsa/depositAccount=explode",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "bad fault rule is a usage error"
    );
    assert!(out.stdout.is_empty(), "nothing started");
}

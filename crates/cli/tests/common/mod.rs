//! Shared test helpers: a `loket sandbox` child per test, running the real
//! `loket` binary with credentials in the environment, and a tiny HTTP
//! client for the sandbox's admin endpoints.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The terminal's local supervisor (`loket supervisor create` makes it).
pub const SPV: &str = "Budi Supervisor";
pub const SPV_PASSWORD: &str = "Spv-Rahasia-2026";
pub const USER: &str = "BNIUS100294";
pub const PASSWORD: &str = "T6jkl4ss";
pub const PIN: &str = "359569";
pub const OPENING: i64 = 202_696_682;

/// A `loket sandbox` child with its ledger in its own temp dir.
pub struct Sandbox {
    child: Child,
    pub base: String,
    _ledger_dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn start() -> Sandbox {
        let ledger_dir = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
            .arg("--data-dir")
            .arg(ledger_dir.path())
            .args(["sandbox", "--listen", "127.0.0.1:0", "--ledger"])
            .arg(ledger_dir.path().join("ledger.db"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("loket sandbox starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base = lines.next().expect("a line").expect("readable");
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Sandbox {
            child,
            base,
            _ledger_dir: ledger_dir,
        }
    }

    /// `GET /_sandbox/accounts/{bank}/{number}` → balance in whole rupiah.
    pub fn balance(&self, bank: &str, number: &str) -> i64 {
        let (status, body) = http(
            &self.base,
            "GET",
            &format!("/_sandbox/accounts/{bank}/{number}"),
            None,
        );
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        let text = v["balance"].as_str().expect("balance string");
        let whole = text.split('.').next().unwrap_or(text);
        whole.parse().expect("balance number")
    }

    /// Sets one fault rule: `{"seed":1,"rules":[{endpoint, fault:{kind}, probability:1.0, times:1}]}`.
    pub fn fault(&self, endpoint: &str, kind: &str) {
        self.rule(endpoint, serde_json::json!({ "kind": kind }))
    }

    /// Sets one fault rule with a full fault object, applied `times` times.
    pub fn rule_n(&self, endpoint: &str, fault: serde_json::Value, times: u32) {
        let plan = serde_json::json!({
            "seed": 1,
            "rules": [{"endpoint": endpoint, "fault": fault, "probability": 1.0, "times": times}]
        });
        let (status, body) = http(
            &self.base,
            "POST",
            "/_sandbox/faults",
            Some(&plan.to_string()),
        );
        assert_eq!(status, 200, "{body}");
    }

    /// [`Sandbox::rule_n`] once.
    pub fn rule(&self, endpoint: &str, fault: serde_json::Value) {
        self.rule_n(endpoint, fault, 1)
    }

    /// How many requests `endpoint` has received (`GET /_sandbox/requests`).
    pub fn requests_to(&self, endpoint: &str) -> u64 {
        let (status, body) = http(&self.base, "GET", "/_sandbox/requests", None);
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        v[endpoint].as_u64().unwrap_or(0)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 request (Connection: close) → (status, body).
pub fn http(base: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let host = base.trim_start_matches("http://");
    let (status, reply) = http_raw(host, method, path, "", body.unwrap_or(""));
    let body = reply
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// A JSON request to `host` (`127.0.0.1:PORT`) with `headers` (each line
/// ending in `\r\n`) → (status, the whole reply, headers included).
pub fn http_raw(host: &str, method: &str, path: &str, headers: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(host).expect("connect");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut reply = String::new();
    s.read_to_string(&mut reply).expect("read");
    let status = reply
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, reply)
}

/// The `sid` field of a JSON object (a run's, or a history row's).
pub fn sid_of(v: &serde_json::Value) -> String {
    v["sid"].as_str().expect("a sid").to_owned()
}

/// What one run of `loket` produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The single JSON object on stdout (fails on anything else).
    pub fn json(&self) -> serde_json::Value {
        let text = self.stdout.trim();
        assert_eq!(
            text.lines().count(),
            1,
            "exactly one JSON line expected, got: {text}\nstderr: {}",
            self.stderr
        );
        let v: serde_json::Value = serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("not one JSON object ({e}): {text}"));
        assert!(v.is_object(), "not an object: {text}");
        v
    }

    /// The sid of the single JSON object on stdout.
    pub fn sid(&self) -> String {
        sid_of(&self.json())
    }
}

/// A terminal's data directory, talking to one server.
pub struct Terminal {
    pub dir: tempfile::TempDir,
    /// `--server` (None = the in-process sandbox).
    pub server: Option<String>,
    /// `--switcher`.
    pub switcher: Option<String>,
    /// Every run's stdout+stderr, for the secrets test.
    pub captured: std::cell::RefCell<String>,
}

impl Terminal {
    pub fn new(sb: &Sandbox) -> Terminal {
        Terminal {
            dir: tempfile::tempdir().expect("tempdir"),
            server: Some(sb.base.clone()),
            switcher: Some(sb.base.clone()),
            captured: Default::default(),
        }
    }

    pub fn in_process() -> Terminal {
        Terminal {
            dir: tempfile::tempdir().expect("tempdir"),
            server: None,
            switcher: None,
            captured: Default::default(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_loket"));
        for v in [
            "LOKET_SERVER",
            "LOKET_SWITCHER",
            "LOKET_DATA_DIR",
            "LOKET_LANG",
            "LOKET_CUSTOMER_PIN",
            "LOKET_NEW_PASSWORD",
        ] {
            c.env_remove(v);
        }
        c.env("LOKET_USERNAME", USER)
            .env("LOKET_PASSWORD", PASSWORD)
            .env("LOKET_PIN", PIN)
            .env("LOKET_SUPERVISOR", SPV)
            .env("LOKET_SUPERVISOR_PASSWORD", SPV_PASSWORD)
            .arg("--data-dir")
            .arg(self.dir.path());
        if let Some(s) = &self.server {
            c.arg("--server").arg(s);
        }
        if let Some(s) = &self.switcher {
            c.arg("--switcher").arg(s);
        }
        c.args(args).stdin(Stdio::null());
        c
    }

    pub fn run_cmd(&self, mut c: Command) -> Run {
        let out = c.output().expect("loket runs");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        let mut cap = self.captured.borrow_mut();
        cap.push_str(&run.stdout);
        cap.push_str(&run.stderr);
        run
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_cmd(self.cmd(args))
    }

    /// Runs without `--switcher` (so start-up recovery asks nobody).
    pub fn run_no_switcher(&self, args: &[&str]) -> Run {
        let mut c = Command::new(env!("CARGO_BIN_EXE_loket"));
        c.env_remove("LOKET_SWITCHER")
            .env_remove("LOKET_SERVER")
            .env("LOKET_USERNAME", USER)
            .env("LOKET_PASSWORD", PASSWORD)
            .env("LOKET_PIN", PIN)
            .env("LOKET_SUPERVISOR", SPV)
            .env("LOKET_SUPERVISOR_PASSWORD", SPV_PASSWORD)
            .arg("--data-dir")
            .arg(self.dir.path())
            .arg("--server")
            .arg(self.server.as_deref().expect("a server"))
            .args(args)
            .stdin(Stdio::null());
        self.run_cmd(c)
    }

    /// `loket supervisor create` with [`SPV`] / [`SPV_PASSWORD`]; must succeed.
    pub fn create_supervisor(&self) {
        expect(&self.run(&["supervisor", "create"]), 0);
    }

    /// `loket --json resolve SID --as succeeded` without a switcher (a
    /// supervisor seeing the money booked); must succeed.
    pub fn resolve_succeeded(&self, sid: &str) {
        let r = self.run_no_switcher(&[
            "--json",
            "resolve",
            sid,
            "--as",
            "succeeded",
            "--reason",
            "seen on statement",
        ]);
        expect(&r, 0);
    }

    /// The row's state as `loket --json show` reports it.
    pub fn state_of(&self, sid: &str) -> String {
        let v = self.run(&["--json", "show", sid]).json();
        v["status"]
            .as_str()
            .or(v["state"].as_str())
            .unwrap_or_default()
            .to_owned()
    }

    pub fn files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            if let Ok(rd) = std::fs::read_dir(dir) {
                for e in rd.flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        walk(&p, out);
                    } else {
                        out.push(p);
                    }
                }
            }
        }
        let mut v = Vec::new();
        walk(self.dir.path(), &mut v);
        v
    }
}

/// Asserts `run` ended with `code`, showing its output otherwise.
pub fn expect(run: &Run, code: i32) {
    assert_eq!(
        run.code, code,
        "exit code\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
}

//! A private PostgreSQL cluster for one test run (feature `test-support`).
//!
//! `initdb` into a fresh temporary directory with scram-sha-256 and a
//! superuser password (so a wrong password really fails), listening on a
//! free loopback port and a unix socket in that directory. Nothing here
//! touches a server the machine happens to run. PostgreSQL refuses to run as
//! root, so as root every server command runs as the `postgres` OS user
//! (`runuser`), which the Debian package creates. The cluster is stopped and
//! its directory removed on drop, also when the test panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The superuser the cluster is made with.
pub const SUPERUSER: &str = "loket";

/// One private cluster; stopped and removed on drop.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    password: String,
    as_postgres: bool,
}

/// Where the server programs are: `LOKET_PG_BIN`, else the newest
/// `/usr/lib/postgresql/<v>/bin` (Debian's layout).
pub fn bin_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LOKET_PG_BIN") {
        return Some(PathBuf::from(p));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b)
}

fn free_port() -> std::io::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Cluster {
    /// initdb + start. Errors say what is missing (`scripts/deps.sh`
    /// installs PostgreSQL).
    pub fn start() -> Result<Cluster, String> {
        let bin = bin_dir().ok_or(
            "PostgreSQL server programs not found (/usr/lib/postgresql/*/bin); run scripts/deps.sh",
        )?;
        let dir = tempfile::Builder::new()
            .prefix("loket-pg-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        let as_postgres = is_root();
        let mut pw = [0u8; 12];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut pw)
            .map_err(|_| "random source failed")?;
        let password: String = pw.iter().map(|b| format!("{b:02x}")).collect();
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, &password).map_err(|e| format!("pwfile: {e}"))?;
        let cluster = Cluster {
            port: free_port().map_err(|e| format!("free port: {e}"))?,
            dir,
            bin,
            password,
            as_postgres,
        };
        if as_postgres {
            let st = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(cluster.dir.path())
                .status()
                .map_err(|e| format!("chown: {e}"))?;
            if !st.success() {
                return Err("chown postgres failed (is the postgresql package installed?)".into());
            }
        }
        let data = cluster.data_dir();
        let out = cluster
            .server_cmd("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-A", "scram-sha-256", "-U", SUPERUSER, "--no-sync"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .args(["-E", "UTF8", "--locale=C"])
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        let _ = std::fs::remove_file(&pwfile);
        if !out.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        cluster.start_server()?;
        Ok(cluster)
    }

    fn server_cmd(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The directory holding the unix socket.
    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The superuser's password (tests only).
    pub fn password(&self) -> &str {
        &self.password
    }

    /// (Re)starts the server after [`Cluster::stop`].
    pub fn start_server(&self) -> Result<(), String> {
        let opts = format!(
            "-k {} -p {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off \
             -c shared_buffers=32MB -c max_connections=200",
            self.dir.path().display(),
            self.port
        );
        let out = self
            .server_cmd("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-o", &opts, "-l"])
            .arg(self.dir.path().join("log"))
            .args(["-w", "-t", "60", "start"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("pg_ctl start: {e}"))?;
        if !out.status.success() {
            let log = std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default();
            return Err(format!(
                "pg_ctl start failed: {}\n{log}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(())
    }

    /// Stops the server (fast: clients are cut off, like a restart by a DBA).
    pub fn stop(&self) -> Result<(), String> {
        let out = self
            .server_cmd("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-m", "fast", "-w", "stop"])
            .output()
            .map_err(|e| format!("pg_ctl stop: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "pg_ctl stop failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// A URL for `user` with `password` on database `db`.
    pub fn url_for(&self, user: &str, password: &str, db: &str) -> String {
        format!("postgres://{user}:{password}@127.0.0.1:{}/{db}", self.port)
    }

    /// The superuser's URL on database `postgres`.
    pub fn admin_url(&self) -> String {
        self.url_for(SUPERUSER, &self.password, "postgres")
    }

    /// Runs `psql` with `sql` as `user`/`password`: the output, or why not.
    pub fn psql(&self, user: &str, password: &str, sql: &str) -> Output {
        Command::new(self.bin.join("psql"))
            .args(["-X", "-v", "ON_ERROR_STOP=1", "-At", "-h", "127.0.0.1"])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                user,
                "-d",
                "postgres",
                "-c",
                sql,
            ])
            .env("PGPASSWORD", password)
            .env("PGCONNECT_TIMEOUT", "10")
            .output()
            .unwrap_or_else(|e| panic!("psql: {e}"))
    }

    /// `pg_dump` of the whole `postgres` database, as text.
    pub fn dump(&self) -> String {
        let out = Command::new(self.bin.join("pg_dump"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", SUPERUSER, "-d", "postgres"])
            .env("PGPASSWORD", &self.password)
            .output()
            .unwrap_or_else(|e| panic!("pg_dump: {e}"));
        assert!(
            out.status.success(),
            "pg_dump: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Immediate: nothing to keep, and a drop during a panic must not hang.
        let _ = self
            .server_cmd("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_cluster_starts_refuses_a_wrong_password_and_goes_away() {
        let dir;
        {
            let c = Cluster::start().expect("cluster");
            dir = c.socket_dir().to_path_buf();
            let ok = c.psql(SUPERUSER, c.password(), "select 1");
            assert!(
                ok.status.success(),
                "{}",
                String::from_utf8_lossy(&ok.stderr)
            );
            assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "1");
            let bad = c.psql(SUPERUSER, "wrong", "select 1");
            assert!(!bad.status.success());
            assert!(String::from_utf8_lossy(&bad.stderr).contains("password authentication failed"));
        }
        assert!(!dir.exists(), "the cluster directory is removed on drop");
    }
}

//! Crash points ("failpoints") for the crash tests of issue 12.
//!
//! The journal calls [`hit`] on both sides of every commit, and the Bank+ /
//! switcher client on both sides of every request that leaves the machine.
//! In a debug build (tests, `cargo run`) two environment variables act on
//! them:
//!
//! - `LOKET_FAILPOINT=<name>[:<n>]`: at the `n`th time (default 1) this
//!   process passes `<name>`, it sends itself `SIGKILL`: no destructor, no
//!   flush, no unwinding — what a power cut or the OOM killer does to it.
//! - `LOKET_FAILPOINT_WAIT=<file>` (with `LOKET_FAILPOINT`): instead of
//!   dying at the point, the process creates `<file>.reached` and waits
//!   there until `<file>` exists, so a test can change the machine (fill
//!   the disk) at that exact moment.
//! - `LOKET_FAILPOINT_TRACE=<file>`: every point passed is appended to
//!   `<file>`, one name per line, so a test can learn the points a flow
//!   passes through and then kill the process at each one.
//!
//! In a release build (`debug_assertions` off) [`hit`] is an empty inline
//! function: no variable is read, no name is kept, nothing can kill the
//! process. `release_builds_have_no_failpoints` (below) checks the switch.

/// The environment variable naming the point to die at.
pub const KILL_VAR: &str = "LOKET_FAILPOINT";
/// The environment variable turning the kill into a wait (see the module docs).
pub const WAIT_VAR: &str = "LOKET_FAILPOINT_WAIT";
/// The environment variable naming the trace file.
pub const TRACE_VAR: &str = "LOKET_FAILPOINT_TRACE";

/// Whether this build honors failpoints at all.
pub const ENABLED: bool = cfg!(debug_assertions);

/// Passes the crash point `name`: see the module docs.
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn hit(_name: &str) {}

/// Passes the crash point `name`: see the module docs.
#[cfg(debug_assertions)]
pub fn hit(name: &str) {
    imp::hit(name)
}

/// [`hit`] with a name built only when failpoints are compiled in: a
/// release build formats nothing.
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn hit_args(_name: std::fmt::Arguments<'_>) {}

/// [`hit`] with a name built only when failpoints are compiled in.
#[cfg(debug_assertions)]
pub fn hit_args(name: std::fmt::Arguments<'_>) {
    imp::hit(&name.to_string())
}

/// The environment variable moving the journal's clock by whole seconds
/// (`-3600`: an hour back), as if the system clock had been set so.
pub const CLOCK_OFFSET_VAR: &str = "LOKET_CLOCK_OFFSET_SECS";
/// The environment variable stopping the journal's clock at one instant
/// (Unix milliseconds): every process given the same value lives at the
/// same instant, so their sids collide unless the journal keeps them apart.
pub const CLOCK_AT_VAR: &str = "LOKET_CLOCK_AT_MS";

/// The time the journal should use, in Unix milliseconds, given the real
/// one. Debug builds honor [`CLOCK_AT_VAR`] and [`CLOCK_OFFSET_VAR`]; a
/// release build returns `real_ms` unchanged.
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn clock_ms(real_ms: i64) -> i64 {
    real_ms
}

/// The time the journal should use: see the release version's docs.
#[cfg(debug_assertions)]
pub fn clock_ms(real_ms: i64) -> i64 {
    static CLOCK: std::sync::OnceLock<(Option<i64>, i64)> = std::sync::OnceLock::new();
    let (at, offset) = *CLOCK.get_or_init(|| {
        let num = |var: &str| {
            std::env::var(var)
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
        };
        (
            num(CLOCK_AT_VAR),
            num(CLOCK_OFFSET_VAR).unwrap_or(0).saturating_mul(1000),
        )
    });
    at.unwrap_or(real_ms).saturating_add(offset)
}

#[cfg(debug_assertions)]
mod imp {
    use std::collections::HashMap;
    use std::io::Write;
    use std::sync::{Mutex, OnceLock};

    struct Plan {
        /// The point and the hit (1-based) to die at.
        kill: Option<(String, u64)>,
        trace: Option<std::path::PathBuf>,
        wait: Option<std::path::PathBuf>,
        /// Hits per name so far in this process.
        seen: Mutex<HashMap<String, u64>>,
    }

    fn plan() -> &'static Plan {
        static PLAN: OnceLock<Plan> = OnceLock::new();
        PLAN.get_or_init(|| Plan {
            kill: std::env::var(super::KILL_VAR)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| parse(v.trim())),
            trace: std::env::var_os(super::TRACE_VAR)
                .filter(|v| !v.is_empty())
                .map(Into::into),
            wait: std::env::var_os(super::WAIT_VAR)
                .filter(|v| !v.is_empty())
                .map(Into::into),
            seen: Mutex::new(HashMap::new()),
        })
    }

    /// `name` or `name:n` (n ≥ 1); anything unreadable after the last `:`
    /// is part of the name.
    pub(super) fn parse(v: &str) -> (String, u64) {
        match v.rsplit_once(':') {
            Some((name, n)) => match n.parse::<u64>() {
                Ok(n) if n >= 1 => (name.to_owned(), n),
                _ => (v.to_owned(), 1),
            },
            None => (v.to_owned(), 1),
        }
    }

    pub(super) fn hit(name: &str) {
        let plan = plan();
        if plan.kill.is_none() && plan.trace.is_none() {
            return;
        }
        // One point at a time: the count and the trace line agree even when
        // several threads pass points at once.
        let mut seen = plan.seen.lock().unwrap_or_else(|p| p.into_inner());
        let n = seen.entry(name.to_owned()).or_insert(0);
        *n += 1;
        if let Some(path) = &plan.trace {
            // Written before a kill, so the trace names the point died at.
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
            {
                let _ = writeln!(f, "{name}");
            }
        }
        if let Some((target, at)) = &plan.kill {
            if target == name && *n == *at {
                match &plan.wait {
                    Some(go) => wait_for(go),
                    None => die(),
                }
            }
        }
    }

    fn wait_for(go: &std::path::Path) {
        let mut reached = go.as_os_str().to_owned();
        reached.push(".reached");
        let _ = std::fs::write(&reached, b"");
        while !go.exists() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    fn die() -> ! {
        #[cfg(unix)]
        // SAFETY: kill and getpid have no preconditions; SIGKILL cannot be
        // caught, so nothing of this process runs after it is delivered.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        // Delivery is asynchronous to the calling thread on some systems:
        // go no further meanwhile (and abort where there is no SIGKILL).
        #[cfg(not(unix))]
        std::process::abort();
        #[allow(unreachable_code)]
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn release_builds_have_no_failpoints() {
        // `cargo test` builds with debug assertions; the release switch is
        // the same cfg, so ENABLED mirrors exactly what `hit` compiles to.
        assert_eq!(super::ENABLED, cfg!(debug_assertions));
    }

    /// Run by `cargo test --release -p failpoint`: with the variables set, a
    /// release build passes the point and lives, and writes no trace.
    #[cfg(not(debug_assertions))]
    #[test]
    fn a_release_build_ignores_the_variables() {
        let trace = std::env::temp_dir().join(format!("failpoint-{}", std::process::id()));
        std::env::set_var(super::KILL_VAR, "release.point");
        std::env::set_var(super::TRACE_VAR, &trace);
        super::hit("release.point");
        super::hit_args(format_args!("release.{}", "point"));
        std::env::set_var(super::CLOCK_OFFSET_VAR, "-3600");
        assert_eq!(super::clock_ms(1_000), 1_000);
        assert!(!trace.exists(), "a release build wrote a trace");
    }

    #[cfg(debug_assertions)]
    #[test]
    fn a_point_names_its_hit_after_the_last_colon() {
        use super::imp::parse;
        assert_eq!(parse("journal.commit"), ("journal.commit".into(), 1));
        assert_eq!(parse("journal.commit:3"), ("journal.commit".into(), 3));
        assert_eq!(parse("a:b"), ("a:b".into(), 1));
        assert_eq!(parse("a:0"), ("a:0".into(), 1));
    }
}

//! Where Loket keeps its files when no `--data-dir` is given; shared by the
//! CLI and the desktop app so both find the same journal.

use std::path::PathBuf;

/// `--data-dir` / `LOKET_DATA_DIR`, else `$XDG_DATA_HOME/loket`, else
/// `$HOME/.local/share/loket`, else `./loket-data`.
pub fn resolve(explicit: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = explicit {
        return dir;
    }
    if let Some(dir) = std::env::var_os("LOKET_DATA_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("loket");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".local/share/loket");
    }
    PathBuf::from("loket-data")
}

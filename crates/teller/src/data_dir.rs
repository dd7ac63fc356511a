//! Where Loket keeps its files when no `--data-dir` is given; shared by the
//! CLI and the desktop app so both find the same journal.

use std::path::PathBuf;

/// `--data-dir` / `LOKET_DATA_DIR`, else (Windows) `%LOCALAPPDATA%\Loket`,
/// else `$XDG_DATA_HOME/loket`, else `$HOME/.local/share/loket`, else
/// `./loket-data`. Always the user's own folder, never beside the program
/// (/usr, /opt, Program Files): installing, updating or removing the
/// package never touches it.
pub fn resolve(explicit: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = explicit {
        return dir;
    }
    if let Some(dir) = std::env::var_os("LOKET_DATA_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    #[cfg(windows)]
    if let Some(local) = std::env::var_os("LOCALAPPDATA").filter(|v| !v.is_empty()) {
        return PathBuf::from(local).join("Loket");
    }
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("loket");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".local/share/loket");
    }
    PathBuf::from("loket-data")
}

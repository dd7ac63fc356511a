//! Printing through the system's print service (CUPS): a PDF with `lp -d`,
//! raw ESC/POS bytes with `lp -o raw` to a raw queue.
//!
//! Printing is never part of a transaction: whatever goes wrong here, the
//! journal row is as it was and the receipt can be printed again later.
//! Before sending, the printer is looked up with `lpstat`, so a missing or
//! stopped printer gives a clear error instead of a job queued forever.
//!
//! The CUPS tools run with a cleared environment and a fixed `PATH`: the
//! caller's environment may hold secrets (`LOKET_PASSWORD`, a PIN) and its
//! `PATH` may put a stand-in `lp` first; neither reaches a child process.

use std::io::Write;
use std::process::{Command, Stdio};

use serde::Serialize;
use words::Text;

/// A job CUPS accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrintJob {
    pub printer: String,
    /// CUPS's job id, `PRINTER-N`.
    pub job_id: String,
}

/// Why nothing was printed. `Display` is English (for logs); a screen
/// shows [`words::Say::say`] in its language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    #[error("{}", words::Say::say(self).en())]
    NotFound(String),
    #[error("{}", words::Say::say(self).en())]
    NoDefault,
    #[error("{}", words::Say::say(self).en())]
    Stopped { printer: String, reason: Text },
    #[error("{}", words::Say::say(self).en())]
    NotAccepting(String),
    #[error("{}", words::Say::say(self).en())]
    NoService(String),
    #[error("{}", words::Say::say(self).en())]
    Failed(String),
}

impl PrintError {
    /// A stable code for the desktop shell and `--json`.
    pub fn code(&self) -> &'static str {
        match self {
            PrintError::NotFound(_) => "PRINTER_NOT_FOUND",
            PrintError::NoDefault => "NO_DEFAULT_PRINTER",
            PrintError::Stopped { .. } => "PRINTER_STOPPED",
            PrintError::NotAccepting(_) => "PRINTER_NOT_ACCEPTING",
            PrintError::NoService(_) => "PRINT_SERVICE_DOWN",
            PrintError::Failed(_) => "PRINT_FAILED",
        }
    }
}

/// The message in each language, whole. CUPS's own words (a printer's
/// reason, the tools' errors) are quoted as they came.
impl words::Say for PrintError {
    fn say(&self) -> Text {
        match self {
            PrintError::NotFound(p) => Text::new(
                format!("Printer tidak ditemukan: {p}. Periksa nama printer di pengaturan."),
                format!("No printer named {p}; check the printer name in settings."),
            ),
            PrintError::NoDefault => Text::new(
                "Belum ada printer default. Pilih printer di pengaturan.",
                "No default printer is set; choose a printer in settings.",
            ),
            PrintError::Stopped { printer, reason } => words::text!(
                "Printer {printer} berhenti ({reason}). Periksa kertas, tutup dan daya printer, lalu cetak ulang.",
                "Printer {printer} is stopped ({reason}); check paper, cover and power, then print again.";
                reason
            ),
            PrintError::NotAccepting(p) => Text::new(
                format!("Printer {p} tidak menerima pekerjaan cetak. Aktifkan printer, lalu cetak ulang."),
                format!("Printer {p} is not accepting jobs; enable it, then print again."),
            ),
            PrintError::NoService(d) => Text::new(
                format!("Layanan cetak (CUPS) tidak berjalan atau tidak terpasang: “{d}”. Hubungi dukungan."),
                format!("The print service (CUPS) is not running or not installed: “{d}”."),
            ),
            PrintError::Failed(d) => Text::new(
                format!("Pencetakan gagal: “{d}”. Cetak ulang nanti."),
                format!("Printing failed: “{d}”; print again later."),
            ),
        }
    }
}

/// The only `PATH` the CUPS tools are looked up in and run with.
pub const TOOLS_PATH: &str = "/usr/bin:/bin";

/// What the CUPS client tools are allowed to see of our environment:
/// where the scheduler is and how to reach it (`CUPS_SERVER`,
/// `CUPS_ENCRYPTION`, `CUPS_SERVERROOT` for a non-standard client.conf,
/// `CUPS_USER` for the job owner), `HOME` (the user's own
/// `~/.cups/lpoptions` default printer and client.conf) and `TMPDIR` (where
/// `lp` spools stdin). Nothing else: no `LOKET_*`, no credentials.
const PASSED_TO_CUPS: &[&str] = &[
    "CUPS_SERVER",
    "CUPS_ENCRYPTION",
    "CUPS_SERVERROOT",
    "CUPS_USER",
    "HOME",
    "TMPDIR",
];

/// A CUPS server: the system's own, or one at `host:port` (tests).
#[derive(Debug, Clone, Default)]
pub struct Cups {
    server: Option<String>,
    /// Where `lpstat`, `lpoptions` and `lp` are looked up; `None` is [`TOOLS_PATH`].
    tools: Option<std::path::PathBuf>,
}

/// What `lpstat -p` says about a printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterState {
    Idle,
    Printing,
    Stopped { reason: Text },
}

impl Cups {
    /// The system's CUPS (as `lp` finds it: `CUPS_SERVER`, client.conf, the local socket).
    pub fn system() -> Cups {
        Cups::default()
    }

    /// A CUPS server at `host:port`.
    pub fn at(server: impl Into<String>) -> Cups {
        Cups {
            server: Some(server.into()),
            tools: None,
        }
    }

    /// The same server, with the CUPS tools taken from `dir` only (tests
    /// use stand-ins there). The environment rules stay the same.
    pub fn with_tools_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Cups {
        self.tools = Some(dir.into());
        self
    }

    fn command(&self, program: &str) -> Command {
        let path = match &self.tools {
            Some(dir) => dir.display().to_string(),
            None => TOOLS_PATH.to_owned(),
        };
        // Looked up in our fixed PATH only, never the caller's.
        let exe = path
            .split(':')
            .map(|d| std::path::Path::new(d).join(program))
            .find(|p| p.is_file())
            .unwrap_or_else(|| std::path::Path::new("/usr/bin").join(program));
        let mut c = Command::new(exe);
        c.env_clear();
        for var in PASSED_TO_CUPS {
            if let Some(v) = std::env::var_os(var) {
                c.env(var, v);
            }
        }
        // Messages we parse must not be translated.
        c.env("PATH", path).env("LC_ALL", "C").env("LANG", "C");
        if let Some(s) = &self.server {
            c.arg("-h").arg(s);
        }
        c
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(bool, String, String), PrintError> {
        let out = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| PrintError::NoService(format!("{program}: {e}")))?;
        Ok((
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        ))
    }

    /// The default printer, if one is set.
    pub fn default_printer(&self) -> Result<Option<String>, PrintError> {
        let (ok, stdout, stderr) = self.run("lpstat", &["-d"])?;
        if let Some(name) = stdout
            .lines()
            .find_map(|l| l.strip_prefix("system default destination: "))
        {
            return Ok(Some(name.trim().to_owned()));
        }
        if ok || stdout.contains("no system default") {
            return Ok(None);
        }
        Err(service_or_failed(&stderr))
    }

    /// The state of printer `name`; `NotFound` when CUPS has no such printer.
    pub fn printer_state(&self, name: &str) -> Result<PrinterState, PrintError> {
        let (ok, stdout, stderr) = self.run("lpstat", &["-p", name])?;
        if !ok || stdout.trim().is_empty() {
            if stderr.contains("Invalid destination") || stderr.contains("Unknown destination") {
                return Err(PrintError::NotFound(name.to_owned()));
            }
            return Err(service_or_failed(&stderr));
        }
        let mut lines = stdout.lines();
        let first = lines.next().unwrap_or_default();
        if first.contains(" disabled since ") {
            // The reason, if CUPS has one, is on the indented next line.
            // CUPS's (or the operator's) own words: not ours to translate.
            let reason = match lines.next().map(str::trim).filter(|r| !r.is_empty()) {
                Some(r) => Text::same(format!("“{r}”")),
                None => Text::new("dinonaktifkan", "disabled"),
            };
            return Ok(PrinterState::Stopped { reason });
        }
        // An enabled queue may still report that the device cannot print.
        if let Some(reason) = self.blocking_reason(name)? {
            return Ok(PrinterState::Stopped { reason });
        }
        if first.contains(" now printing ") {
            return Ok(PrinterState::Printing);
        }
        Ok(PrinterState::Idle)
    }

    /// A `printer-state-reasons` entry that means nothing will come out:
    /// out of paper, jammed, cover open, offline.
    fn blocking_reason(&self, name: &str) -> Result<Option<Text>, PrintError> {
        let (ok, stdout, _) = self.run("lpoptions", &["-p", name])?;
        if !ok {
            // Unknown to lpoptions although lpstat knows it: judge by lpstat alone.
            return Ok(None);
        }
        let reasons = stdout
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix("printer-state-reasons="))
            .unwrap_or("none");
        Ok(reasons.split(',').find_map(blocking))
    }

    /// Whether the scheduler answers. Asked first, because with no scheduler
    /// `lpstat` reports every printer as unknown and no default as set.
    pub fn check_running(&self) -> Result<(), PrintError> {
        let (_, stdout, stderr) = self.run("lpstat", &["-r"])?;
        if stdout.contains("scheduler is running") {
            return Ok(());
        }
        let said = format!("{} {stderr}", stdout.trim());
        Err(PrintError::NoService(said.trim().to_owned()))
    }

    /// The printer to use: `printer`, else the default; refused when it is
    /// missing or stopped.
    pub fn ready_printer(&self, printer: Option<&str>) -> Result<String, PrintError> {
        self.check_running()?;
        let name = match printer.map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => p.to_owned(),
            None => self.default_printer()?.ok_or(PrintError::NoDefault)?,
        };
        // CUPS names have no spaces, '/' or '#'; one starting with '-' would
        // be read by lpstat as an option. Such a name is simply not a printer.
        if name.starts_with('-')
            || name
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '/' || c == '#')
        {
            return Err(PrintError::NotFound(name));
        }
        match self.printer_state(&name)? {
            PrinterState::Stopped { reason } => Err(PrintError::Stopped {
                printer: name,
                reason,
            }),
            PrinterState::Idle | PrinterState::Printing => Ok(name),
        }
    }

    /// Renders `r` for printing (standard font) and prints it on `printer`.
    pub fn print_receipt(
        &self,
        r: &crate::Receipt,
        paper: crate::Paper,
        printer: Option<&str>,
    ) -> Result<PrintJob, PrintError> {
        let pdf = crate::render_pdf_with(r, paper, crate::PdfFont::Standard)
            .map_err(|e| PrintError::Failed(e.to_string()))?;
        self.print_pdf(&pdf, printer)
    }

    /// Prints a PDF on `printer` (default: the system default).
    pub fn print_pdf(&self, pdf: &[u8], printer: Option<&str>) -> Result<PrintJob, PrintError> {
        self.submit(pdf, printer, &["-o", "document-format=application/pdf"])
    }

    /// Sends raw bytes (ESC/POS) to a raw queue on `printer`.
    pub fn print_raw(&self, bytes: &[u8], printer: Option<&str>) -> Result<PrintJob, PrintError> {
        self.submit(bytes, printer, &["-o", "raw"])
    }

    fn submit(
        &self,
        data: &[u8],
        printer: Option<&str>,
        options: &[&str],
    ) -> Result<PrintJob, PrintError> {
        let name = self.ready_printer(printer)?;
        let mut child = self
            .command("lp")
            .arg("-d")
            .arg(&name)
            .args(options)
            .args(["-t", "Struk Loket"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| PrintError::NoService(format!("lp: {e}")))?;
        // An `lp` that refuses the job may exit before reading it all: the
        // write then fails with a broken pipe, and what lp said on exit is
        // the reason worth showing, so it is read before giving up.
        let written = match child.stdin.take() {
            Some(mut stdin) => stdin.write_all(data),
            None => Ok(()),
        };
        let out = child
            .wait_with_output()
            .map_err(|e| PrintError::Failed(format!("lp: {e}")))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        if let Err(e) = written {
            if out.status.success() {
                // lp took a job without all of its bytes: not a receipt.
                return Err(PrintError::Failed(format!("lp: {e}")));
            }
        }
        if !out.status.success() {
            if stderr.contains("not accepting jobs") {
                return Err(PrintError::NotAccepting(name));
            }
            if stderr.contains("does not exist") || stderr.contains("Unknown destination") {
                return Err(PrintError::NotFound(name));
            }
            return Err(service_or_failed(&stderr));
        }
        // "request id is NAME-12 (1 file(s))"
        let job_id = stdout
            .split_whitespace()
            .skip_while(|w| *w != "is")
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        Ok(PrintJob {
            printer: name,
            job_id,
        })
    }
}

/// Words for an IPP state reason that stops printing; `None` for the rest
/// (warnings and reports such as `media-low-warning` do not stop a receipt).
fn blocking(reason: &str) -> Option<Text> {
    if reason.ends_with("-warning") || reason.ends_with("-report") {
        return None;
    }
    let base = reason.trim_end_matches("-error");
    let (id, en) = match base {
        "media-empty" | "media-needed" => ("kertas habis", "out of paper"),
        "media-jam" => ("kertas macet", "paper jam"),
        "door-open" | "cover-open" => ("tutup printer terbuka", "cover open"),
        "offline" | "shutdown" | "connecting-to-device" => (
            "printer mati atau tidak terhubung",
            "printer off or not connected",
        ),
        _ => return None,
    };
    Some(Text::new(id, en))
}

fn service_or_failed(stderr: &str) -> PrintError {
    let lower = stderr.to_ascii_lowercase();
    if lower.contains("scheduler is not running")
        || lower.contains("connection refused")
        || lower.contains("bad file descriptor")
        || lower.contains("unable to connect")
        || lower.contains("no such file or directory")
    {
        PrintError::NoService(stderr.to_owned())
    } else if stderr.is_empty() {
        // A program's name reads the same in both languages.
        PrintError::Failed("lp".into())
    } else {
        PrintError::Failed(stderr.to_owned())
    }
}

/// Prints a receipt through the system's CUPS on `printer` (default: the
/// system default), as a PDF in the standard Courier font so that CUPS's
/// Ghostscript pass keeps its text (see [`PdfFont`](crate::PdfFont)).
pub fn print_receipt(
    r: &crate::Receipt,
    paper: crate::Paper,
    printer: Option<&str>,
) -> Result<PrintJob, PrintError> {
    Cups::system().print_receipt(r, paper, printer)
}

/// Prints a PDF through the system's CUPS on `printer` (default: the system default).
pub fn print_pdf(pdf: &[u8], printer: Option<&str>) -> Result<PrintJob, PrintError> {
    Cups::system().print_pdf(pdf, printer)
}

/// Sends ESC/POS bytes to a raw CUPS queue on `printer`.
pub fn print_raw(bytes: &[u8], printer: Option<&str>) -> Result<PrintJob, PrintError> {
    Cups::system().print_raw(bytes, printer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use words::Say;

    #[test]
    fn a_stopped_printer_message_is_whole_in_each_language() {
        let reason = blocking("media-empty-error").expect("blocking");
        let text = PrintError::Stopped {
            printer: "Kasir1".into(),
            reason,
        }
        .say();
        assert_eq!(
            text.id(),
            "Printer Kasir1 berhenti (kertas habis). Periksa kertas, tutup dan daya printer, lalu cetak ulang."
        );
        assert_eq!(
            text.en(),
            "Printer Kasir1 is stopped (out of paper); check paper, cover and power, then print again."
        );
        assert_eq!(blocking("media-low-warning"), None);
    }

    /// An `lp` that refuses a job before reading it: the write into it
    /// breaks, and the reason shown is lp's own, not "broken pipe".
    #[test]
    fn an_lp_that_refuses_before_reading_gives_its_own_reason() {
        use std::os::unix::fs::PermissionsExt;
        let tools = tempfile::tempdir().expect("temp dir");
        for (name, script) in [
            (
                "lpstat",
                "printf '%s\\n' 'scheduler is running' 'system default destination: kasir' 'printer kasir is idle.  enabled since Jan 1 00:00'",
            ),
            ("lpoptions", "echo printer-state-reasons=none"),
            (
                "lp",
                "exec 0<&-; echo 'lp: The printer or class does not exist.' >&2; exit 1",
            ),
        ] {
            let path = tools.path().join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).expect("stand-in");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
        // More than a pipe holds, so the write meets the closed end.
        let job = vec![b'x'; 1 << 20];
        let refused = Cups::system()
            .with_tools_dir(tools.path())
            .print_pdf(&job, Some("kasir"))
            .expect_err("lp refused it");
        assert!(
            matches!(refused, PrintError::NotFound(ref p) if p == "kasir"),
            "{refused:?}"
        );
    }
}

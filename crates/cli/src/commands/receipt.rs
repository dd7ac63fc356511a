//! `receipt SID`: the receipt as thermal text, a PDF file, or printed through
//! CUPS; `--copy` is a numbered, journaled reprint approved by the
//! supervisor. And `supervisor create|status`.
//!
//! Printing never touches the transaction: a printer error leaves the
//! journal row as it was, and the receipt can be printed again.

use std::path::{Path, PathBuf};
#[allow(unused_imports)]
use words::{text, Say, Text};

use receipt::{Columns, Paper, PrintError, Receipt};
use serde_json::{json, Map, Value};
use teller::{SupervisorApproval, SupervisorPassword, TellerError};

use crate::args::SupervisorAction;
use crate::exit;
use crate::output::Out;
use crate::session::{self, Ctx};

/// What `receipt` was asked for, checked before anything starts.
pub struct Request {
    pub sid: String,
    pub pdf: Option<PathBuf>,
    pub text: bool,
    pub paper: Paper,
    /// `Some("")` prints on the default printer.
    pub print: Option<String>,
    pub raw: bool,
    pub copy: bool,
}

#[allow(clippy::too_many_arguments)]
pub fn request(
    out: &Out,
    sid: &str,
    pdf: Option<PathBuf>,
    text: bool,
    width: &str,
    print: Option<String>,
    raw: bool,
    copy: bool,
) -> Result<Request, u8> {
    let paper = Paper::parse(width).ok_or_else(|| {
        out.usage(text!(
            "--width {width:?}: 58, 80 atau a6",
            "--width {width:?}: 58, 80 or a6"
        ))
    })?;
    let wants_text = text || (pdf.is_none() && print.is_none());
    if wants_text && paper == Paper::A6 {
        return Err(out.usage(text!(
            "--width a6 hanya untuk --pdf atau --print; teks struk 58 atau 80",
            "--width a6 is only for --pdf or --print; a text receipt is 58 or 80"
        )));
    }
    if raw && (print.is_none() || paper == Paper::A6) {
        return Err(out.usage(text!(
            "--raw perlu --print dan --width 58 atau 80",
            "--raw needs --print and a 58 or 80 width"
        )));
    }
    let sid = sid.trim();
    if sid.is_empty() || !sid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(out.usage(text!(
            "SID {sid:?} harus angka",
            "SID {sid:?} must be digits"
        )));
    }
    Ok(Request {
        sid: sid.to_owned(),
        pdf,
        text: wants_text,
        paper,
        print,
        raw,
        copy,
    })
}

/// The columns a thermal rendering of `paper` uses.
fn columns(paper: Paper) -> Columns {
    paper.columns()
}

fn print_failure(out: &Out, err: &PrintError, extra: Map<String, Value>) -> u8 {
    // Fix the printer name: a usage error. Anything else: the printer could not be used.
    let code = match err {
        PrintError::NotFound(_) | PrintError::NoDefault => exit::USAGE,
        _ => exit::UNREACHABLE,
    };
    let said = err.say();
    let message = out.s(&said);
    if out.json {
        let mut v = extra;
        v.insert("status".into(), json!("failed"));
        v.insert(
            "error".into(),
            json!({"code": err.code(), "message": message}),
        );
        out.object(&Value::Object(v));
    } else {
        eprintln!(
            "{} [{}]: {message}",
            out.t("GAGAL CETAK", "NOT PRINTED"),
            err.code()
        );
        out.note(out.t(
            "Transaksi tidak terpengaruh; struk bisa dicetak ulang nanti.",
            "The transaction is not affected; the receipt can be printed later.",
        ));
    }
    code
}

/// Runs `receipt` after login. `approval` is there exactly when `--copy` was asked.
pub fn run(ctx: &Ctx, req: &Request, approval: Option<&SupervisorApproval>) -> u8 {
    let out = &ctx.out;
    let made: Result<Receipt, TellerError> = match approval {
        Some(a) => ctx.teller.reprint(&req.sid, a),
        None => ctx.teller.receipt(&req.sid),
    };
    let r = match made {
        Ok(r) => r,
        Err(e) => return out.fail(&e),
    };
    // The original leaves the terminal (paper or PDF) once; a retry for a
    // paper jam is allowed shortly after by the same agent; later, only a
    // supervised copy (`--copy`). Showing it as text is not issuing it.
    if approval.is_none() && (req.pdf.is_some() || req.print.is_some()) {
        if let Err(code) = issue_original(ctx, &req.sid, req.print.is_some()) {
            return code;
        }
    }
    let mut v = Map::new();
    v.insert("sid".into(), json!(r.sid));
    v.insert("type".into(), json!(r.type_label));
    v.insert("receipt_status".into(), json!(r.status));
    v.insert("copy".into(), json!(r.copy));
    v.insert("paper".into(), json!(req.paper));
    if let Some(n) = r.copy {
        out.note(&format!(
            "{} {n} {} {}",
            out.t("Salinan ke-", "Copy"),
            out.t("dicatat di jurnal, disetujui", "journaled, approved by"),
            approval.map(SupervisorApproval::name).unwrap_or_default()
        ));
    }
    let pdf = if req.pdf.is_some() {
        match receipt::render_pdf(&r, req.paper) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                let e = format!("“{e}”");
                return out.usage(text!(
                    "PDF tidak bisa dibuat: {e}",
                    "the PDF cannot be made: {e}"
                ));
            }
        }
    } else {
        None
    };
    if let (Some(path), Some(bytes)) = (&req.pdf, &pdf) {
        if let Err(code) = write_file(out, path, bytes) {
            return code;
        }
        v.insert("pdf".into(), json!(path.display().to_string()));
        v.insert("pdf_bytes".into(), json!(bytes.len()));
        out.note(&format!(
            "{} {} ({} KB)",
            out.t("PDF ditulis ke", "PDF written to"),
            path.display(),
            bytes.len().div_ceil(1024)
        ));
    }
    if req.text {
        let text = receipt::render_text(&r, columns(req.paper));
        if out.json {
            v.insert("text".into(), json!(text));
        } else {
            print!("{text}");
        }
    }
    if let Some(printer) = &req.print {
        let printer = Some(printer.as_str()).filter(|p| !p.is_empty());
        let job = if req.raw {
            receipt::print_raw(&receipt::escpos(&r, columns(req.paper)), printer)
        } else {
            receipt::print_receipt(&r, req.paper, printer)
        };
        match job {
            Ok(job) => {
                out.note(&format!(
                    "{} {} ({})",
                    out.t("Dikirim ke printer", "Sent to printer"),
                    job.printer,
                    job.job_id
                ));
                v.insert("printer".into(), json!(job.printer));
                v.insert("job_id".into(), json!(job.job_id));
            }
            Err(e) => return print_failure(out, &e, v),
        }
    }
    v.insert("status".into(), json!("succeeded"));
    out.object(&Value::Object(v));
    exit::OK
}

/// Claims the original receipt in the journal (see `journal::prints`).
fn issue_original(ctx: &Ctx, sid: &str, printing: bool) -> Result<(), u8> {
    let out = &ctx.out;
    let actor = ctx
        .teller
        .profile()
        .map(|p| p.username)
        .unwrap_or_else(|| "loket".into());
    let how = if printing { "print" } else { "pdf" };
    // The CLI has no lasting session: the agent's own command line is one.
    let session = format!("cli:{actor}");
    match ctx
        .teller
        .journal()
        .issue_original(sid, how, &actor, &session)
    {
        Ok(journal::OriginalIssue::First | journal::OriginalIssue::Retry(_)) => Ok(()),
        Ok(journal::OriginalIssue::Refused { first_at }) => {
            let at = first_at
                .with_timezone(&journal::wib())
                .format("%d-%m-%Y %H:%M");
            Err(out.fail(&TellerError::Input(text!(
                "struk asli sudah diterbitkan {at} WIB; cetak salinan dengan --copy (supervisor)",
                "the original receipt was issued at {at} WIB; print a copy with --copy (supervisor)"
            ))))
        }
        Err(e) => Err(out.fail(&e.into())),
    }
}

fn write_file(out: &Out, path: &Path, bytes: &[u8]) -> Result<(), u8> {
    std::fs::write(path, bytes).map_err(|e| {
        let path = path.display();
        out.usage(text!(
            "--pdf {path}: tidak bisa ditulis: {e}",
            "--pdf {path}: cannot be written: {e}";
            e
        ))
    })
}

/// `supervisor create|status` (journal file only; no server).
pub fn supervisor(action: SupervisorAction, data_dir: &Path, out: Out) -> u8 {
    let supervisors = match session::open_supervisors(data_dir, &out) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match action {
        SupervisorAction::Status => {
            let exists = match supervisors.has_supervisor() {
                Ok(b) => b,
                Err(e) => return out.fail(&TellerError::Supervisor(e)),
            };
            let locked = match supervisors.locked_until(chrono::Utc::now()) {
                Ok(l) => l,
                Err(e) => return out.fail(&TellerError::Supervisor(e)),
            };
            let names = supervisors.names().unwrap_or_default();
            out.object(&json!({
                "status": "succeeded",
                "has_supervisor": exists,
                "supervisors": names,
                "locked_until": locked.map(|l| l.to_rfc3339()),
            }));
            if exists {
                out.line(&format!("Supervisor: {}", names.join(", ")));
            } else {
                out.line(out.t(
                    "Belum ada supervisor: loket supervisor create",
                    "No supervisor yet: loket supervisor create",
                ));
            }
            if let Some(until) = locked {
                out.line(&format!(
                    "{} {}",
                    out.t("Dikunci sampai", "Locked until"),
                    until.with_timezone(&journal::wib()).format("%H:%M:%S WIB")
                ));
            }
            exit::OK
        }
        SupervisorAction::Create => {
            let (name, password) = match session::supervisor_credentials() {
                Ok(c) => c,
                Err(why) => return out.usage(why),
            };
            // Typed at a prompt: ask twice so a typo does not lock the terminal out.
            if !session::secret_given("LOKET_SUPERVISOR_PASSWORD") {
                match rpassword::prompt_password(
                    out.t("Ulangi password: ", "Repeat the password: "),
                ) {
                    Ok(again) => {
                        let again = zeroize::Zeroizing::new(again);
                        let again = SupervisorPassword::from_zeroizing(again);
                        if !password.matches(&again) {
                            return out.usage(text!("password tidak sama", "the passwords differ"));
                        }
                    }
                    Err(e) => {
                        return out.usage(text!("tidak bisa membaca: {e}", "cannot read: {e}"; e))
                    }
                }
            }
            // Defect 24: the supervisor's password may not be the agent's.
            let agent = match session::agent_password_to_compare() {
                Ok(a) => a,
                Err(why) => return out.usage(why),
            };
            match supervisors.create_supervisor(&name, &password, Some(&agent)) {
                Ok(()) => {
                    out.object(&json!({"status": "succeeded", "supervisor": name.trim()}));
                    out.line(&format!(
                        "{} {}",
                        out.t("Supervisor dibuat:", "Supervisor created:"),
                        name.trim()
                    ));
                    exit::OK
                }
                Err(e) => out.fail(&TellerError::Supervisor(e)),
            }
        }
        // add | passwd | disable | list: commands::supervisors.
        _ => exit::USAGE,
    }
}

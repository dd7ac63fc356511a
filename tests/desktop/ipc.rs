//! The IPC boundary (issue 12, part 5), from inside the real web view:
//! every command called with hostile arguments through
//! `window.__TAURI_INTERNALS__.invoke` answers with a typed error (a
//! `CommandError`, or Tauri's own refusal of arguments of the wrong shape)
//! and never hangs or panics, the app answers afterwards, and a payment
//! that already happened is not touched by a `pay`, `cancel` or `check`
//! aimed at its sid. And the app's CSP blocks a remote script, inline
//! script, `eval` and a remote image injected into the page.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use fantoccini::Client;
use serde_json::{json, Value};

use super::flows::{agent_login, PIN};
use super::*;

/// Calls one command from the page; `{ok}`, `{err}` or `{hung: true}` when
/// no answer came within 20 s (a panicking command never answers).
pub(crate) async fn invoke(c: &Client, cmd: &str, args: Value) -> Value {
    c.execute_async(
        "const [cmd, args, done] = arguments; \
         const t = setTimeout(() => done({hung: true}), 20000); \
         window.__TAURI_INTERNALS__.invoke(cmd, args).then( \
           v => { clearTimeout(t); done({ok: v === undefined ? null : v}); }, \
           e => { clearTimeout(t); done({err: e}); });",
        vec![json!(cmd), args],
    )
    .await
    .unwrap_or_else(|e| panic!("{cmd}: the page could not call it: {e}"))
}

/// What a hostile call must come back as.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Want {
    /// The command ran and refused with a `CommandError` (`code`, `message`).
    Refused,
    /// Refused by the command or, for arguments of the wrong type or an
    /// unknown enum value, by Tauri before the command ran.
    RefusedOrShape,
    /// Any answer (an empty page is fine), but an answer.
    Answers,
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    s.chars().take(300).collect()
}

/// What went wrong, all of it: the test reports every bad answer at the end
/// rather than stopping at the first.
static FAULTS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn fault(why: String) {
    FAULTS.lock().unwrap_or_else(|p| p.into_inner()).push(why);
}

pub(crate) async fn expect(c: &Client, cmd: &str, args: Value, want: Want) -> Value {
    let label = short(&args);
    let got = invoke(c, cmd, args).await;
    if got.get("hung").is_some() {
        fault(format!("{cmd} {label}: no answer (a panic or a hang)"));
    }
    let command_error = got.get("err").is_some_and(|e| {
        e.get("code").is_some_and(Value::is_string)
            && e.get("message").is_some_and(Value::is_string)
    });
    let shape_error = got.get("err").is_some_and(Value::is_string);
    match want {
        Want::Refused if !command_error => fault(format!(
            "{cmd} {label}: wanted a CommandError, got {}",
            short(&got)
        )),
        Want::RefusedOrShape if !(command_error || shape_error) => fault(format!(
            "{cmd} {label}: wanted a refusal, got {}",
            short(&got)
        )),
        _ => {}
    }
    if let Some(e) = got.get("err") {
        // A refusal never echoes a secret or a megabyte back.
        let text = e.to_string();
        if text.len() > 4_000 {
            fault(format!(
                "{cmd} {label}: the error is {} bytes: {}",
                text.len(),
                short(e)
            ));
        }
        if text.contains(PIN) {
            fault(format!("{cmd} {label}: the PIN is echoed"));
        }
    }
    got
}

/// A succeeded deposit made over IPC, as the page makes it.
pub(crate) async fn deposit(c: &Client, amount: &str) -> String {
    let q = expect(
        c,
        "quote_deposit",
        json!({"toAccount": "14049", "amountText": amount}),
        Want::Answers,
    )
    .await;
    let sid = q["ok"]["sid"]
        .as_str()
        .unwrap_or_else(|| panic!("a quote: {q}"))
        .to_owned();
    let paid = expect(c, "pay", json!({"sid": sid, "pin": PIN}), Want::Answers).await;
    assert_eq!(paid["ok"]["status"], "succeeded", "{paid}");
    sid
}

/// The journal's view of one transaction: its state and how many events it has.
async fn row(c: &Client, sid: &str) -> (Value, usize) {
    let t = expect(c, "transaction", json!({"sid": sid}), Want::Answers).await;
    let state = t["ok"]["transaction"]["state"].clone();
    let events = t["ok"]["events"].as_array().map_or(0, Vec::len);
    (state, events)
}

/// Issue 12 part 5: hostile arguments to every command from the page.
#[tokio::test(flavor = "multi_thread")]
async fn every_command_refuses_hostile_arguments_from_the_page_and_keeps_answering() {
    drive("ipc-hostile", |c, dir| async move {
        // Before any login: no first supervisor (the agent's password could
        // not be compared with it, defect 24).
        expect(
            &c,
            "create_supervisor",
            json!({"name": "Penyusup", "password": "Kopi-Tubruk-Pagi7", "repeat": "Kopi-Tubruk-Pagi7"}),
            Want::Refused,
        )
        .await;
        agent_login(&c).await;
        let done = deposit(&c, "10000").await;
        let done_before = row(&c, &done).await;
        // A quote left open: cancel it by the sid of the finished one must not.
        let huge = "9".repeat(2_000_000);
        let huge_text = "a".repeat(2_000_000);
        let nul = "140\u{0}49";
        let fullwidth = "１４０４９";
        let arabic = "١٤٠٤٩";
        let devanagari = "१४०४९";
        let hostile_accounts = [
            huge.as_str(),
            nul,
            fullwidth,
            arabic,
            devanagari,
            "",
            "-14049",
            "' OR 1=1 --",
        ];
        for a in hostile_accounts {
            expect(&c, "check_account", json!({"account": a}), Want::Refused).await;
            expect(&c, "customer_balance", json!({"account": a, "pin": PIN}), Want::Refused).await;
            expect(&c, "quote_deposit", json!({"toAccount": a, "amountText": "10000"}), Want::Refused).await;
            expect(
                &c,
                "quote_transfer",
                json!({"bankCode": null, "toAccount": a, "amountText": "10000"}),
                Want::Refused,
            )
            .await;
        }
        // Surrounding white space (a pasted line end) is trimmed, nothing else.
        let trimmed = expect(&c, "check_account", json!({"account": " 14049\n"}), Want::Answers).await;
        assert_eq!(trimmed["ok"]["account_number"], "14049", "{trimmed}");
        let hostile_amounts = [
            "-50000",
            "-0",
            "0",
            "１００００",
            "١٠٠٠٠",
            "१००००",
            "10000\u{0}",
            "99999999999999999999999999999999",
            "18446744073709551616",
            "9223372036854775808",
            "1e9",
            "NaN",
            "Infinity",
            "10000,5",
            "10.000.000.000.000.000",
            huge.as_str(),
            "",
        ];
        for amount in hostile_amounts {
            expect(&c, "quote_deposit", json!({"toAccount": "14049", "amountText": amount}), Want::Refused)
                .await;
            expect(
                &c,
                "quote_transfer",
                json!({"bankCode": "014", "toAccount": "14049", "amountText": amount}),
                Want::Refused,
            )
            .await;
        }
        for bank in [huge.as_str(), nul, "０１４", "٠١٤", "999"] {
            expect(
                &c,
                "quote_transfer",
                json!({"bankCode": bank, "toAccount": "14049", "amountText": "10000"}),
                Want::Refused,
            )
            .await;
        }
        // Numbers where strings belong, out-of-range integers, unknown enums.
        for (cmd, args) in [
            ("quote_deposit", json!({"toAccount": 14049, "amountText": 10000})),
            ("quote_deposit", json!({"toAccount": "14049", "amountText": -1})),
            ("master_list", json!({"which": "passwords"})),
            ("master_list", json!({"which": null})),
            ("dashboard", json!({"which": "everything", "month": null})),
            ("set_lang", json!({"lang": "fr"})),
            ("set_lang", json!({"lang": "id\u{0}"})),
            ("resolve_transaction", json!({"sid": done, "outcome": "maybe", "reason": "x", "supervisor": "x", "password": "x"})),
            ("history", json!({"filter": {"limit": -1}})),
            ("history", json!({"filter": {"limit": 4294967296u64}})),
            ("history", json!({"filter": "all"})),
            ("pay", json!({"sid": done})),
            ("reconcile_statement", json!({"provider": "bca", "account": "1", "from": "2026-01-01", "to": "2026-01-02", "onProgress": "nope"})),
        ] {
            expect(&c, cmd, args, Want::RefusedOrShape).await;
        }
        // PINs: Unicode digits, NUL, too long.
        let (q_sid, _) = {
            let q = expect(&c, "quote_deposit", json!({"toAccount": "14049", "amountText": "12000"}), Want::Answers).await;
            (q["ok"]["sid"].as_str().unwrap_or_default().to_owned(), ())
        };
        assert!(!q_sid.is_empty(), "a quote for the PIN cases");
        for pin in ["３５９５６９", "٣٥٩٥٦٩", "35956\u{0}", "3595690", huge.as_str(), ""] {
            expect(&c, "pay", json!({"sid": q_sid, "pin": pin}), Want::Refused).await;
            expect(&c, "customer_balance", json!({"account": "14050", "pin": pin}), Want::Refused).await;
        }
        expect(&c, "cancel", json!({"sid": q_sid}), Want::Answers).await;
        // Sids: of a transaction in another state, unknown, hostile.
        for (cmd, args) in [
            ("pay", json!({"sid": done, "pin": PIN})),
            ("cancel", json!({"sid": done})),
            ("pay", json!({"sid": q_sid, "pin": PIN})),
        ] {
            expect(&c, cmd, args, Want::Refused).await;
        }
        expect(&c, "check_status", json!({"sid": done}), Want::Answers).await;
        assert_eq!(row(&c, &done).await.0, done_before.0, "the finished deposit's state did not move");
        for sid in [huge.as_str(), nul, "' OR 1=1 --", "１２３", "", "../../etc/passwd"] {
            for cmd in ["pay", "cancel", "check_status", "transaction", "receipt", "print_receipt", "save_receipt_pdf"] {
                let args = if cmd == "pay" { json!({"sid": sid, "pin": PIN}) } else { json!({"sid": sid}) };
                expect(&c, cmd, args, Want::Refused).await;
            }
            expect(
                &c,
                "reprint_receipt",
                json!({"sid": sid, "supervisor": "Wati Pengawas", "password": "salah"}),
                Want::Refused,
            )
            .await;
        }
        // Dates and months.
        for d in ["+262142-12-31", "２０２６-０１-０１", "2026-01-01\u{0}", huge.as_str(), "9999-99-99"] {
            expect(&c, "day_summary", json!({"date": d}), Want::Refused).await;
            expect(&c, "history", json!({"filter": {"from": d}}), Want::Refused).await;
            expect(&c, "export_csv", json!({"filter": {"to": d}}), Want::Refused).await;
            expect(&c, "dashboard", json!({"which": "bsa", "month": d}), Want::Refused).await;
        }
        // Free text where the journal searches, and a huge page cursor.
        for s in [huge_text.as_str(), nul, "%' OR 1=1 --", "１２３"] {
            expect(&c, "history", json!({"filter": {"search": s, "after": s, "limit": 4294967295u32}}), Want::Answers).await;
        }
        // Settings: a remote http server, credentials in the URL, huge values.
        for server in ["http://bank.example.com", "https://user:pw@bank.example.com", huge_text.as_str(), nul] {
            expect(
                &c,
                "save_settings",
                json!({"settings": {"server": server, "switcher": null, "lang": "id", "idle_lock_minutes": 4294967295u32, "printer": nul, "paper_mm": 12345}, "supervisor": "Wati Pengawas", "password": "salah-salah"}),
                Want::Refused,
            )
            .await;
        }
        // The supervisor's name and password: NUL, huge.
        for (name, password) in [(nul, "Awas#Uang2026"), (huge_text.as_str(), "x"), ("Wati Pengawas", huge_text.as_str())] {
            expect(
                &c,
                "resolve_transaction",
                json!({"sid": done, "outcome": "failed", "reason": "uji", "supervisor": name, "password": password}),
                Want::Refused,
            )
            .await;
        }
        // Open account: hostile dates, Unicode digits in the NIK, broken images.
        let img = |b64: &str| json!({"name": "ktp.jpg", "base64": b64});
        for (field, value) in [
            ("dob", "+262142-12-31"),
            ("dob", "１９９７-０８-０１"),
            ("ktp", "３１７４０１０１０１９７００００１"),
            ("ktp", nul),
            ("name", huge_text.as_str()),
            ("zip_code", "١٢٣٤٥"),
        ] {
            let mut form = json!({
                "name": "Siti", "email": "siti@example.com", "mother_name": "Ibu", "profession": "1",
                "last_education": "1", "status_nikah": "1", "pob": "Jakarta", "dob": "1997-08-01",
                "ktp": "3174010101970001", "gender": "P", "address": "Jl. Mawar", "rt": "001", "rw": "002",
                "zip_code": "12345", "kelurahan": "K", "kecamatan": "K", "city": "Jakarta", "state": "DKI",
                "hp": "081234567890", "phone": "0211234567", "income": "1", "jumlah_transaksi": "1",
                "deposit": "1", "image_ktp": img("/9j/4AAQ"), "image_foto": img("!!!not base64!!!")
            });
            form[field] = json!(value);
            expect(&c, "quote_open_account", json!({"form": form}), Want::RefusedOrShape).await;
        }
        // Region lookups and statement providers with huge and NUL text.
        expect(
            &c,
            "postal_codes",
            json!({"region": {"province": huge_text, "kind": nul, "regency": "", "district": "", "village": ""}}),
            Want::Answers,
        )
        .await;
        expect(
            &c,
            "remove_statement_provider",
            json!({"kindName": nul, "supervisor": "Wati Pengawas", "password": "salah"}),
            Want::Refused,
        )
        .await;
        // Supervisor work (issue 15): a reversal of the finished deposit
        // with a wrong supervisor password, hostile names and passwords.
        // Two wrong passwords here (with the one above, three: below the lock).
        expect(
            &c,
            "reverse_transaction",
            json!({"sid": done, "reason": "uji", "supervisor": "Wati Pengawas", "password": "salah"}),
            Want::Refused,
        )
        .await;
        expect(
            &c,
            "add_supervisor",
            json!({"name": huge_text, "password": nul, "repeat": huge_text,
                   "supervisor": nul, "supervisorPassword": huge_text}),
            Want::Refused,
        )
        .await;
        expect(
            &c,
            "disable_supervisor",
            json!({"name": nul, "supervisor": huge_text, "password": nul}),
            Want::Refused,
        )
        .await;
        expect(&c, "supervisors", json!({}), Want::Answers).await;
        expect(&c, "painted", json!({"what": huge_text}), Want::Answers).await;
        expect(&c, "change_password", json!({"oldPassword": nul, "newPassword": huge_text}), Want::Refused).await;

        // The app still answers, the session still works, and the finished
        // deposit is exactly as it was.
        expect(&c, "app_info", json!({}), Want::Answers).await["ok"]["version"]
            .as_str()
            .expect("app_info answers after all that");
        let balance = expect(&c, "agent_balance", json!({}), Want::Answers).await;
        assert!(balance.get("ok").is_some(), "the session still works: {balance}");
        assert_eq!(row(&c, &done).await, done_before, "the finished deposit is untouched");
        let log = std::fs::read_to_string(dir.join("app-output.log")).unwrap_or_default();
        assert!(!log.contains("panicked"), "the app panicked:\n{log}");
        let faults = std::mem::take(&mut *FAULTS.lock().unwrap_or_else(|p| p.into_inner()));
        assert!(faults.is_empty(), "{} bad answers:\n{}", faults.len(), faults.join("\n"));
    })
    .await;
}

/// A loopback HTTP server that counts the requests it gets and answers
/// each with `body` (a script that would set a flag).
fn counting_server(body: &'static str) -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            counted.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/javascript\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, hits)
}

/// Issue 12 part 5: the running app's CSP. A remote script, an inline
/// script, `eval`, a string `setTimeout` and a remote image are injected
/// into the page; none runs or loads, and the remote server never hears
/// from the page. The page's own `fetch` to it is refused too.
#[tokio::test(flavor = "multi_thread")]
async fn the_apps_csp_blocks_remote_scripts_inline_eval_and_remote_images() {
    drive("csp", |c, _dir| async move {
        wait_text(&c, "#server", "http").await;
        let (remote, hits) = counting_server("window.__remoteRan = 1;");
        let outcome = c
            .execute_async(
                "const [remote, done] = arguments; \
                 const seen = []; \
                 document.addEventListener('securitypolicyviolation', e => seen.push(e.violatedDirective)); \
                 const r = {}; \
                 const s = document.createElement('script'); s.src = remote + '/x.js'; \
                 s.onload = () => r.remoteScript = 'loaded'; s.onerror = () => r.remoteScript = 'blocked'; \
                 document.head.appendChild(s); \
                 const i = document.createElement('script'); i.textContent = 'window.__inlineRan = 1;'; \
                 document.head.appendChild(i); \
                 try { eval('window.__evalRan = 1'); r.eval = 'ran'; } catch (e) { r.eval = 'blocked: ' + e.name; } \
                 try { (new Function('window.__fnRan = 1'))(); r.fn = 'ran'; } catch (e) { r.fn = 'blocked: ' + e.name; } \
                 try { setTimeout('window.__timeoutRan = 1', 0); } catch (e) {} \
                 const img = new Image(); \
                 img.onload = () => r.image = 'loaded'; img.onerror = () => r.image = 'blocked'; \
                 img.src = remote + '/x.png'; document.body.appendChild(img); \
                 fetch(remote + '/f').then(() => r.fetch = 'loaded', () => r.fetch = 'blocked'); \
                 setTimeout(() => { \
                   r.flags = [window.__remoteRan, window.__inlineRan, window.__evalRan, window.__fnRan, window.__timeoutRan]; \
                   r.violations = seen; done(r); }, 2500);",
                vec![json!(remote)],
            )
            .await
            .expect("the injection ran");
        eprintln!("csp: {outcome}");
        assert_eq!(outcome["remoteScript"], "blocked", "{outcome}");
        assert_eq!(outcome["image"], "blocked", "{outcome}");
        assert_eq!(outcome["fetch"], "blocked", "{outcome}");
        assert!(outcome["eval"].as_str().is_some_and(|e| e.starts_with("blocked")), "{outcome}");
        assert!(outcome["fn"].as_str().is_some_and(|e| e.starts_with("blocked")), "{outcome}");
        assert_eq!(outcome["flags"], json!([null, null, null, null, null]), "nothing injected ran: {outcome}");
        let violations = outcome["violations"].as_array().map_or(0, Vec::len);
        assert!(violations >= 3, "the page reported the violations: {outcome}");
        assert_eq!(hits.load(Ordering::SeqCst), 0, "the remote server never heard from the page");
    })
    .await;
}

//! A UI that holds up on any agent's PC (issue 15): one walk through every
//! main screen and every dialog of the real app, each state looked at in a
//! 1366×768 and a 1024×600 window. At each: axe-core (the npm package,
//! injected through WebDriver) finds no critical or serious violation,
//! nothing scrolls sideways, the function-key rail shows all its entries,
//! and at 1024×600 the confirm card, the PIN pad and the result are wholly
//! in the window. Main screens are photographed at both sizes
//! (`target/e2e-screenshots/<screen>-<w>x<h>.png`; with
//! `LOKET_UPDATE_SCREENSHOTS=1` they are also copied into
//! `docs/screenshots/`).

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use serde_json::{json, Value};

use super::flows::{approve, enter_pin, PASSWORD, PIN, SUPERVISOR_PASSWORD};
use super::keyboard::wait_focus;
use super::package::app_version;
use super::update::{check, serve, Files};
use super::*;

const SIZES: [(u64, u64); 2] = [(1366, 768), (1024, 600)];

/// axe-core's own file, as npm installed it (`ui/package.json` pins it).
fn axe_source() -> String {
    let path = workspace_root().join("ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run `cd ui && npm ci`; axe-core is a devDependency)",
            path.display()
        )
    })
}

/// What one look at a state should also check.
#[derive(Default, Clone, Copy)]
struct Look<'a> {
    /// Photograph it as `<shot>-<w>x<h>.png`.
    shot: Option<&'a str>,
    /// Elements that must be wholly in the window at 1024×600, unscrolled.
    whole: &'a [&'a str],
    /// Scrolled into view first, at each size (what the photograph is of).
    scroll_to: Option<&'a str>,
}

/// Everything found on the way; asserted at the end so one run lists it all.
struct Walk {
    c: Client,
    axe: String,
    problems: Vec<String>,
    /// (state, rule id, impact, target, summary) for every violation seen.
    violations: Vec<(String, String, String, String, String)>,
    shots: Vec<String>,
    states: usize,
    axe_time: Duration,
}

impl Walk {
    async fn resize(&self, w: u64, h: u64) {
        self.c
            .set_window_size(w as u32, h as u32)
            .await
            .expect("resize the window");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self
                .c
                .execute("return [window.innerWidth, window.innerHeight];", vec![])
                .await
                .unwrap_or_default();
            let (iw, ih) = (got[0].as_u64().unwrap_or(0), got[1].as_u64().unwrap_or(0));
            // The page gets the window less any frame the X server adds.
            if (w - 24..=w).contains(&iw) && (h - 30..=h).contains(&ih) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the page is {got}, not about {w}×{h}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// axe-core's violations on the page as it is now.
    async fn axe(&self) -> Vec<Value> {
        let loaded = self
            .c
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if !loaded {
            self.c
                .execute(&format!("{}\n;return true;", self.axe), vec![])
                .await
                .expect("inject axe-core");
        }
        let r = self
            .c
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ['violations'] })
                  .then(r => done(r.violations.map(v => ({
                    id: v.id, impact: v.impact || '', help: v.help,
                    nodes: v.nodes.map(n => ({ target: n.target.join(' '), summary: n.failureSummary || '' }))
                  }))))
                  .catch(e => done({ error: String(e) }));"#,
                vec![],
            )
            .await
            .expect("axe.run");
        match r {
            Value::Array(v) => v,
            other => panic!("axe.run failed: {other}"),
        }
    }

    /// Sideways scrolling, a rail that hides entries, and (at the small
    /// size) `whole` elements outside the window.
    async fn measure(&self, whole: &[&str]) -> Vec<String> {
        let out = self
            .c
            .execute(
                r#"const out = [];
                const d = document.documentElement;
                if (d.scrollWidth > d.clientWidth) out.push('the page scrolls sideways (' + d.scrollWidth + ' > ' + d.clientWidth + ')');
                // The frame is the window's height: only the screen (main) and the rail scroll.
                if (d.scrollHeight > d.clientHeight) out.push('the window itself scrolls (' + d.scrollHeight + ' > ' + d.clientHeight + ')');
                const main = document.querySelector('main');
                if (main && main.scrollWidth > main.clientWidth) out.push('main scrolls sideways (' + main.scrollWidth + ' > ' + main.clientWidth + ')');
                for (const m of document.querySelectorAll('main *, .backdrop *')) {
                  const s = getComputedStyle(m);
                  if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && m.scrollWidth > m.clientWidth + 1 && m.tagName !== 'PRE')
                    out.push((m.id || m.tagName) + ' scrolls sideways (' + m.scrollWidth + ' > ' + m.clientWidth + ')');
                }
                const rail = document.querySelector('nav.rail');
                if (rail) {
                  const box = rail.getBoundingClientRect();
                  for (const b of rail.querySelectorAll('button')) {
                    const r = b.getBoundingClientRect();
                    if (r.bottom > box.bottom + 0.5 || r.bottom > window.innerHeight + 0.5)
                      out.push('the rail hides ' + JSON.stringify(b.textContent.trim()) + ' (its bottom ' + Math.round(r.bottom) + ' > ' + Math.round(Math.min(box.bottom, window.innerHeight)) + ')');
                  }
                }
                // No script error is on screen (App.svelte shows them as #fault).
                const fault = document.querySelector('#fault');
                if (fault) out.push('an error is shown: ' + JSON.stringify(fault.textContent.trim()));
                // Dashboard charts: every category name and value whole and
                // readable (they were cut to "Buka Rekeni…").
                for (const t of document.querySelectorAll('.chart .label, .chart .value, .chart figcaption')) {
                  const s = getComputedStyle(t);
                  if (t.scrollWidth > t.clientWidth + 1 || t.textContent.includes('…') || parseFloat(s.fontSize) < 12)
                    out.push('chart text cut or tiny: ' + JSON.stringify(t.textContent) + ' (' + t.scrollWidth + ' > ' + t.clientWidth + ', ' + s.fontSize + ')');
                }
                // Focus is always visible: the focused control has a ring.
                const f = document.activeElement;
                if (f && f !== document.body && f.matches(':focus-visible')) {
                  const s = getComputedStyle(f);
                  if ((s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 1) && s.boxShadow === 'none')
                    out.push('the focused ' + (f.id || f.tagName) + ' shows no focus ring');
                }
                for (const css of arguments[0]) {
                  const e = document.querySelector(css);
                  if (!e) { out.push(css + ' is missing'); continue; }
                  // What shows unscrolled: the window cut by every scrolling box around it.
                  let clip = { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight };
                  for (let a = e; a; a = a.parentElement) {
                    const s = getComputedStyle(a);
                    if (a !== e && /auto|scroll|hidden/.test(s.overflowY + s.overflowX)) {
                      const b = a.getBoundingClientRect();
                      clip = { left: Math.max(clip.left, b.left), top: Math.max(clip.top, b.top),
                               right: Math.min(clip.right, b.right), bottom: Math.min(clip.bottom, b.bottom) };
                    }
                    // A fixed box (a dialog's backdrop) is placed on the window itself.
                    if (s.position === 'fixed') break;
                  }
                  const r = e.getBoundingClientRect();
                  if (r.top < clip.top - 0.5 || r.left < clip.left - 0.5 || r.bottom > clip.bottom + 0.5 || r.right > clip.right + 0.5)
                    out.push(css + ' is not wholly visible unscrolled: ' + [r.left, r.top, r.right, r.bottom].map(Math.round).join(',') + ' shown ' + [clip.left, clip.top, clip.right, clip.bottom].map(Math.round).join(','));
                }
                return out;"#,
                vec![json!(whole)],
            )
            .await
            .expect("measure");
        out.as_array()
            .map(|a| {
                a.iter()
                    .map(|v| v.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Looks at the current state at both sizes.
    async fn look(&mut self, state: &str, look: Look<'_>) {
        self.states += 1;
        for (w, h) in SIZES {
            self.resize(w, h).await;
            if let Some(css) = look.scroll_to {
                self.c
                    .execute(
                        "document.querySelector(arguments[0]).scrollIntoView({block: 'start'});",
                        vec![json!(css)],
                    )
                    .await
                    .expect("scroll");
            }
            // WebKit shows a stale paint for a moment after a change (the
            // measurements read the laid-out page and need no wait).
            if look.shot.is_some() {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            let at = format!("{state} at {w}×{h}");
            if let Some(shot) = look.shot {
                let name = format!("{shot}-{w}x{h}");
                screenshot(&self.c, &name).await;
                self.shots.push(name);
            }
            let whole: &[&str] = if w == 1024 { look.whole } else { &[] };
            for p in self.measure(whole).await {
                self.problems.push(format!("{at}: {p}"));
            }
            // What axe checks (names, roles, labels, contrast) does not
            // change with the window's size; once per state keeps the walk short.
            if (w, h) != SIZES[0] {
                continue;
            }
            let started = Instant::now();
            let found = self.axe().await;
            self.axe_time += started.elapsed();
            for v in found {
                let field = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
                for n in v["nodes"].as_array().into_iter().flatten() {
                    self.violations.push((
                        at.clone(),
                        field("id"),
                        field("impact"),
                        n["target"].as_str().unwrap_or_default().to_owned(),
                        format!(
                            "{} — {}",
                            field("help"),
                            n["summary"].as_str().unwrap_or_default().replace('\n', " ")
                        ),
                    ));
                }
            }
        }
    }

    fn report(&self) {
        let failing = |i: &str| i == "critical" || i == "serious";
        eprintln!(
            "looks: {} states × {} sizes; axe took {:.1} s; {} axe violation nodes ({} critical/serious); {} layout problems",
            self.states,
            SIZES.len(),
            self.axe_time.as_secs_f64(),
            self.violations.len(),
            self.violations.iter().filter(|v| failing(&v.2)).count(),
            self.problems.len()
        );
        for (at, id, impact, target, summary) in &self.violations {
            eprintln!("axe {impact} {id} [{at}] {target}: {summary}");
        }
        for p in &self.problems {
            eprintln!("layout: {p}");
        }
        let serious: Vec<String> = self
            .violations
            .iter()
            .filter(|v| failing(&v.2))
            .map(|(at, id, impact, target, _)| format!("{impact} {id} [{at}] {target}"))
            .collect();
        assert!(
            serious.is_empty() && self.problems.is_empty(),
            "critical/serious axe violations: {serious:#?}\nlayout problems: {:#?}",
            self.problems
        );
    }

    /// With LOKET_UPDATE_SCREENSHOTS=1 the photographs replace the
    /// committed ones in docs/screenshots (never in a plain `make test`).
    fn publish(&self) {
        if std::env::var("LOKET_UPDATE_SCREENSHOTS").as_deref() != Ok("1") {
            return;
        }
        let from = workspace_root().join("target/e2e-screenshots");
        let to = workspace_root().join("docs/screenshots");
        for name in &self.shots {
            let file = format!("{name}.png");
            // pngquant (Debian's `pngquant`) makes each a third of WebKit's
            // size with no visible change; without it the file is copied as is.
            let small = Command::new("pngquant")
                .args([
                    "--force",
                    "--strip",
                    "--skip-if-larger",
                    "--quality",
                    "70-95",
                ])
                .arg("--output")
                .arg(to.join(&file))
                .arg(from.join(&file))
                .status()
                .is_ok_and(|s| s.success());
            if !small {
                std::fs::copy(from.join(&file), to.join(&file))
                    .unwrap_or_else(|e| panic!("copy {file} into docs/screenshots: {e}"));
            }
        }
    }
}

/// Waits until the result (success or in doubt) is up and readable.
async fn result_up(c: &Client, status: &str) {
    wait_text(c, "#result-status", status).await;
}

/// Every main screen and dialog, in the real app on its sandbox, at
/// 1366×768 and 1024×600: axe-core finds 0 critical/serious violations,
/// nothing scrolls sideways, the rail shows F12, and the confirm card, the
/// PIN pad and the result fit a 1024×600 window unscrolled.
#[tokio::test(flavor = "multi_thread")]
async fn every_screen_and_dialog_passes_axe_and_fits_both_sizes() {
    // The bank's update server announces the installed version until the
    // walk reaches the update dialog (the status bar stays plain till then).
    let files = Files::default();
    let port = serve(files.clone());
    let base = format!("http://127.0.0.1:{port}");
    let announce = move |version: &str| {
        // Both platform keys: the updater looks for the installed bundle's
        // own (`-deb`) and, for a build-tree binary, the plain one.
        let entry = json!({"signature": "dW50cnVzdGVk", "url": format!("{base}/next.deb")});
        json!({
            "version": version,
            "notes": "Perbaikan / fixes",
            "pub_date": "2026-11-29T10:00:00Z",
            "platforms": {"linux-x86_64-deb": entry, "linux-x86_64": entry}
        })
        .to_string()
        .into_bytes()
    };
    files.put("/latest.json", announce(&app_version()));
    let endpoint = format!("http://127.0.0.1:{port}/latest.json");
    let prepare = move |dir: PathBuf| async move {
        std::fs::write(
            dir.join("settings.json"),
            json!({ "update_endpoint": endpoint }).to_string(),
        )
        .expect("settings.json");
    };
    // A fleet viewer address (never asked here) puts F12 Armada on the
    // rail: thirteen entries, the rail's longest state.
    let viewer = [(
        "LOKET_FLEET_VIEWER_URL",
        "postgres://viewer:pass@127.0.0.1:9/loket".to_owned(),
    )];
    drive_with("looks", &viewer, prepare, move |c, dir| async move {
        let mut w = Walk {
            c: c.clone(),
            axe: axe_source(),
            problems: Vec::new(),
            violations: Vec::new(),
            shots: Vec::new(),
            states: 0,
            axe_time: Duration::ZERO,
        };
        wait_text(&c, "#server", "http").await;
        let l = |shot| Look {
            shot: Some(shot),
            ..Default::default()
        };
        w.look("login", l("login")).await;

        // The first-start supervisor dialog.
        login(&c, "BNIUS100294", PASSWORD).await;
        wait_text(&c, "#supervisor-reason", "belum punya supervisor").await;
        w.look("supervisor setup dialog", Look::default()).await;
        fill(&c, "#sup-name", super::flows::SUPERVISOR).await;
        fill(&c, "#sup-password", SUPERVISOR_PASSWORD).await;
        fill(&c, "#sup-repeat", SUPERVISOR_PASSWORD).await;
        click(&c, "#sup-submit").await;
        gone(&c, "#supervisor").await;
        wait_text(&c, "#balance", "Rp").await;

        // F2: form, confirm card, PIN pad, result with its receipt.
        press(&c, Key::F2).await;
        wait_focus(&c, "to-account", "F2").await;
        fill(&c, "#to-account", "14047").await;
        fill(&c, "#amount", "25000").await;
        w.look("F2 deposit", l("deposit")).await;
        press(&c, Key::Enter).await;
        wait_text(&c, "#confirm-name", "Ardha Herdianto").await;
        w.look(
            "confirm card",
            Look {
                shot: Some("deposit-confirm"),
                whole: &["#confirm"],
                ..Default::default()
            },
        )
        .await;
        // Esc at the confirm card: back to the form, the quote cancelled in
        // the journal (it was left open behind a TypeError), then on again.
        press(&c, Key::Escape).await;
        gone(&c, "#confirm").await;
        find(&c, "#money-form").await;
        let journal = journal::Journal::open(&dir.join("journal.db")).expect("journal");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let open = journal
                .history(&journal::HistoryQuery {
                    state: Some(journal::State::Inquired),
                    ..Default::default()
                })
                .expect("history");
            if open.rows.is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "Esc at the confirm card left its quote open: {:?}",
                open.rows.iter().map(|r| &r.sid).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(
            c.find(Locator::Css("#fault")).await.is_err(),
            "an error is shown after Esc at the confirm card: {}",
            text_of(&c, "#fault").await
        );
        press(&c, Key::Enter).await;
        wait_text(&c, "#confirm-name", "Ardha Herdianto").await;
        press(&c, Key::Enter).await;
        find(&c, "#pin-pad").await;
        type_keys(&c, "359").await;
        w.look(
            "PIN pad",
            Look {
                shot: Some("pin"),
                whole: &["#pin-pad"],
                ..Default::default()
            },
        )
        .await;
        type_keys(&c, &PIN[3..]).await;
        press(&c, Key::Enter).await;
        result_up(&c, "BERHASIL").await;
        wait_text(&c, "#receipt-text", "25.000").await;
        w.look(
            "result",
            Look {
                shot: Some("deposit-result"),
                whole: &["#result"],
                ..Default::default()
            },
        )
        .await;
        press(&c, Key::Enter).await;
        gone(&c, "#result").await;
        w.look("home", l("home")).await;

        // F3, F4 with the bank list open, F1 with its answer.
        press(&c, Key::F3).await;
        wait_focus(&c, "to-account", "F3").await;
        w.look("F3 transfer", l("intrabank")).await;
        press(&c, Key::F4).await;
        wait_focus(&c, "bank-search", "F4").await;
        type_keys(&c, "bank").await;
        find(&c, "#bank-options .option").await;
        w.look("F4 interbank, bank list open", l("interbank")).await;
        press(&c, Key::F1).await;
        wait_focus(&c, "check-account", "F1").await;
        type_keys(&c, "14049").await;
        press(&c, Key::Enter).await;
        wait_text(&c, "#check-name", "BUDI SANTOSO").await;
        w.look("F1 check account", l("check-account")).await;

        // F5, F6 and the customer's PIN pad.
        press(&c, Key::F5).await;
        wait_focus(&c, "f-name", "F5").await;
        w.look("F5 open account", l("open-account")).await;
        press(&c, Key::F6).await;
        wait_focus(&c, "balance-account", "F6").await;
        w.look("F6 customer balance", l("customer-balance")).await;
        type_keys(&c, "14050").await;
        press(&c, Key::Enter).await;
        wait_text(&c, "#pin-pad", "PIN Nasabah").await;
        w.look(
            "customer PIN pad",
            Look {
                shot: None,
                whole: &["#pin-pad"],
                ..Default::default()
            },
        )
        .await;
        press(&c, Key::Escape).await;
        gone(&c, "#pin-pad").await;

        // F7 history, a transaction's detail, the reprint and the reversal.
        press(&c, Key::F7).await;
        wait_text(&c, "#history-rows", "Ardha Herdianto").await;
        w.look("F7 history", l("history")).await;
        click(&c, "#history-rows tbody tr td").await;
        wait_text(&c, "#detail-state", "Berhasil").await;
        w.look("history detail", l("history-detail")).await;
        click(&c, "#detail-reprint").await;
        wait_text(&c, "#supervisor-reason", "").await;
        w.look("supervisor approval dialog", Look::default()).await;
        approve(&c, SUPERVISOR_PASSWORD).await;
        gone(&c, "#supervisor").await;
        wait_text(&c, "#detail-receipt", "SALINAN KE-1").await;
        w.look("reprinted copy", Look::default()).await;
        click(&c, "#detail-reverse").await;
        wait_focus(&c, "reverse-reason", "the reversal form").await;
        fill(&c, "#reverse-reason", "salah nominal").await;
        w.look("reversal form", Look::default()).await;
        press(&c, Key::Enter).await;
        wait_text(&c, "#supervisor-reason", "Membatalkan transaksi").await;
        approve(&c, SUPERVISOR_PASSWORD).await;
        gone(&c, "#supervisor").await;
        wait_text(&c, "#detail-receipt", "PEMBATALAN").await;
        wait_text(&c, "#detail-state", "Dibatalkan").await;
        w.look(
            "reversed, its PEMBATALAN receipt",
            Look {
                shot: Some("reversal"),
                scroll_to: Some("#detail"),
                ..Default::default()
            },
        )
        .await;

        // A deposit whose answer is lost: the amber result, the banner.
        let sandbox = sandbox_url(&c).await;
        sandbox_admin(
            &sandbox,
            "/_sandbox/faults",
            json!({"seed": 1, "rules": [{"endpoint": "bsa/depositAccount", "fault": {"kind": "commit-then-drop"}, "times": 1}]}),
        )
        .await;
        press(&c, Key::F2).await;
        wait_focus(&c, "to-account", "F2").await;
        fill(&c, "#to-account", "14049").await;
        fill(&c, "#amount", "40000").await;
        press(&c, Key::Enter).await;
        wait_text(&c, "#confirm-name", "BUDI SANTOSO").await;
        press(&c, Key::Enter).await;
        enter_pin(&c, PIN).await;
        result_up(&c, "DALAM PROSES").await;
        wait_text(&c, "#doubt-banner", "dalam proses").await;
        w.look(
            "result in doubt, doubt banner",
            Look {
                shot: Some("deposit-unknown"),
                whole: &["#result"],
                ..Default::default()
            },
        )
        .await;
        press(&c, Key::Enter).await;
        gone(&c, "#result").await;

        // F8..F12 (the banner stays up: the longest screens).
        press(&c, Key::F8).await;
        find(&c, "#dashboards figure").await;
        w.look("F8 dashboards", l("dashboard")).await;
        press(&c, Key::F9).await;
        wait_focus(&c, "s-server", "F9").await;
        w.look("F9 settings", l("settings")).await;
        w.look(
            "settings: the supervisors panel",
            Look {
                shot: Some("settings-supervisors"),
                scroll_to: Some("#supervisors"),
                ..Default::default()
            },
        )
        .await;
        click(&c, "#sup-add").await;
        wait_focus(&c, "new-sup-name", "the add-supervisor form").await;
        w.look("add-supervisor dialog", Look::default()).await;
        press(&c, Key::Escape).await;
        gone(&c, "#supervisor-form").await;
        press(&c, Key::F10).await;
        wait_focus(&c, "p-old", "F10").await;
        w.look("F10 change password", l("change-password")).await;
        press(&c, Key::F11).await;
        wait_text(&c, "#m-demo", "kredensial demo").await;
        // The sandbox's imitation of the provider, with demo credentials,
        // once the account (the agent's own) has been filled in.
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let v = find(&c, "#m-account").await.prop("value").await;
            if v.ok().flatten().is_some_and(|v| !v.is_empty()) {
                break;
            }
            assert!(Instant::now() < deadline, "the account never filled in");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        click(&c, "#m-fetch").await;
        find(&c, "#m-totals").await;
        w.look("F11 statements, fetched", l("statements")).await;
        press(&c, Key::F12).await;
        find(&c, "#armada-refresh").await;
        w.look("F12 armada", l("armada")).await;

        // The update offer and its dialog.
        files.put("/latest.json", announce("99.0.0"));
        let st = check(&c).await;
        assert_eq!(st["available"], "99.0.0", "{st}");
        wait_text(&c, "#update-available", "99.0.0").await;
        click(&c, "#update-available").await;
        find(&c, "#update-ask").await;
        w.look("update dialog", Look::default()).await;
        click(&c, "#update-later").await;
        gone(&c, "#update-ask").await;

        // The idle lock (the page's clock moved past the default 5 minutes).
        c.execute(
            "const real = Date.now.bind(Date); Date.now = () => real() + 6 * 60000;",
            vec![],
        )
        .await
        .expect("clock");
        wait_text(&c, "#relogin-reason", "").await;
        wait_focus(&c, "relogin-password", "the lock dialog").await;
        w.look("idle lock dialog", Look::default()).await;
        type_keys(&c, PASSWORD).await;
        press(&c, Key::Enter).await;
        gone(&c, "#relogin").await;

        w.report();
        w.publish();
    })
    .await;
}

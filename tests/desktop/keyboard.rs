//! The counter by keyboard alone (issue 15): keys go to whatever has the
//! focus, as a person types them (W3C key actions; no element is looked up
//! to type into). Elements are only read, to check where the text landed.

use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{key::Key, Client};

use super::flows::{PASSWORD, PIN, SUPERVISOR, SUPERVISOR_PASSWORD};
use super::*;

const AGENT: &str = "BNIUS100294";

fn press_of(mut a: KeyActions, ch: char) -> KeyActions {
    a = a.then(KeyAction::Down { value: ch });
    a.then(KeyAction::Up { value: ch })
}

/// Types `text` as key presses into whatever has the focus.
async fn typed(c: &Client, text: &str) {
    let mut a = KeyActions::new("keyboard".into());
    for ch in text.chars() {
        a = press_of(a, ch);
    }
    c.perform_actions(a).await.expect("key actions");
}

/// Presses one key (Enter, Esc, Tab, an F-key) on whatever has the focus.
async fn key(c: &Client, k: Key) {
    typed(c, &char::from(k).to_string()).await;
}

/// Presses `k` several times, `gap` apart (a person's double press).
async fn key_repeatedly(c: &Client, k: Key, times: usize, gap: Duration) {
    let mut a = KeyActions::new("keyboard".into());
    for i in 0..times {
        if i > 0 {
            a = a.then(KeyAction::Pause { duration: gap });
        }
        a = press_of(a, char::from(k));
    }
    c.perform_actions(a).await.expect("key actions");
}

/// Ctrl+A: selects what the focused field holds, so typing replaces it.
async fn select_all(c: &Client) {
    let ctrl = char::from(Key::Control);
    let a = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: ctrl })
        .then(KeyAction::Down { value: 'a' })
        .then(KeyAction::Up { value: 'a' })
        .then(KeyAction::Up { value: ctrl });
    c.perform_actions(a).await.expect("key actions");
}

/// The id (or tag) of the focused element.
async fn focused(c: &Client) -> String {
    c.execute(
        "const e = document.activeElement; return e ? (e.id || e.tagName) : '';",
        vec![],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_owned))
    .unwrap_or_default()
}

/// Waits until the element `id` has the focus; says where the focus is instead.
async fn wait_focus(c: &Client, id: &str, why: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = focused(c).await;
        if now == id {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{why}: #{id} should have the focus; it is on {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until a field of the current screen has the focus; returns its id.
async fn wait_focus_in_main(c: &Client, why: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = c
            .execute(
                "const e = document.activeElement; \
                 return e && e.closest('main') && e.matches('input, select, textarea') ? e.id : '';",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        if !v.is_empty() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "{why}: no field of the screen has the focus (it is on {:?})",
            focused(c).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What a field holds (read only).
async fn value_of(c: &Client, css: &str) -> String {
    c.execute(
        "const e = document.querySelector(arguments[0]); return e ? e.value : null;",
        vec![serde_json::json!(css)],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_owned))
    .unwrap_or_default()
}

async fn present(c: &Client, css: &str) -> bool {
    c.find(Locator::Css(css)).await.is_ok()
}

/// An agent's small laptop (issue 15: every screen usable at 1024×600).
async fn small_window(c: &Client) {
    c.set_window_size(1024, 600)
        .await
        .expect("resize the window");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let w = c
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .unwrap_or_default();
        // The page gets the window less any frame the X server adds.
        let (iw, ih) = (w[0].as_u64().unwrap_or(0), w[1].as_u64().unwrap_or(0));
        if (1000..=1024).contains(&iw) && (570..=600).contains(&ih) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the page is {w}, not about 1024×600"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// At the small size: a screenshot (`small-<shot>.png`), no horizontal
/// scrolling anywhere, and each of `visible` wholly inside the window
/// without scrolling.
async fn fits(c: &Client, shot: &str, visible: &[&str]) {
    // WebKit shows a stale paint for a moment after a change.
    tokio::time::sleep(Duration::from_millis(500)).await;
    screenshot(c, &format!("small-{shot}")).await;
    let problems = c
        .execute(
            r#"const out = [];
            const d = document.documentElement;
            if (d.scrollWidth > window.innerWidth + 1) out.push('the page is ' + d.scrollWidth + ' px wide');
            for (const m of document.querySelectorAll('main, main *')) {
              const s = getComputedStyle(m);
              if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && m.scrollWidth > m.clientWidth + 1 && m.tagName !== 'PRE')
                out.push((m.id || m.tagName) + ' scrolls sideways (' + m.scrollWidth + ' > ' + m.clientWidth + ')');
            }
            for (const css of arguments[0]) {
              const e = document.querySelector(css);
              if (!e) { out.push(css + ' is missing'); continue; }
              const r = e.getBoundingClientRect();
              if (r.top < 0 || r.left < 0 || r.bottom > window.innerHeight + 1 || r.right > window.innerWidth + 1)
                out.push(css + ' is not wholly in the window: ' + [r.left, r.top, r.right, r.bottom].map(Math.round).join(','));
            }
            return out;"#,
            vec![serde_json::json!(visible)],
        )
        .await
        .expect("measure");
    assert_eq!(problems, serde_json::json!([]), "{shot} at 1024×600");
}

/// Login, then the first-start supervisor dialog, all typed.
async fn keyboard_login(c: &Client) {
    wait_text(c, "#server", "http").await;
    wait_focus(c, "username", "the login screen").await;
    typed(c, AGENT).await;
    key(c, Key::Tab).await;
    typed(c, PASSWORD).await;
    key(c, Key::Enter).await;
    wait_text(c, "#agent", "BNI014100294").await;
    wait_text(c, "#supervisor-reason", "belum punya supervisor").await;
    wait_focus(c, "sup-name", "the supervisor dialog").await;
    typed(c, SUPERVISOR).await;
    key(c, Key::Tab).await;
    typed(c, SUPERVISOR_PASSWORD).await;
    key(c, Key::Tab).await;
    typed(c, SUPERVISOR_PASSWORD).await;
    key(c, Key::Enter).await;
    gone(c, "#supervisor").await;
    wait_text(c, "#balance", "Rp").await;
}

/// Answers the supervisor approval dialog by keyboard.
async fn keyboard_approve(c: &Client) {
    find(c, "#supervisor").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match focused(c).await.as_str() {
            "sup-name" => {
                typed(c, SUPERVISOR).await;
                key(c, Key::Tab).await;
                break;
            }
            "sup-password" => break,
            other => assert!(
                Instant::now() < deadline,
                "the approval dialog has no focus ({other:?})"
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_focus(c, "sup-password", "the approval dialog").await;
    typed(c, SUPERVISOR_PASSWORD).await;
    key(c, Key::Enter).await;
    gone(c, "#supervisor").await;
}

/// The result stays up after the PIN's Enter; a later Enter starts anew.
async fn result_then_home(c: &Client, status: &str) {
    wait_text(c, "#result-status", status).await;
    wait_text(c, "#receipt-text", "Rp").await;
    // "New transaction" is meant once the result has been seen.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    key(c, Key::Enter).await;
    gone(c, "#result").await;
}

/// A money flow typed from its F-key to its result.
async fn typed_flow(c: &Client, fkey: Key, account: &str, amount: &str, name: &str) {
    key(c, fkey).await;
    wait_focus(c, "to-account", "a money form").await;
    typed(c, account).await;
    key(c, Key::Tab).await;
    typed(c, amount).await;
    assert_eq!(value_of(c, "#to-account").await, account);
    assert!(value_of(c, "#amount").await.starts_with("Rp"));
    key(c, Key::Enter).await;
    wait_text(c, "#confirm-name", name).await;
    key(c, Key::Enter).await;
    find(c, "#pin-pad").await;
    typed(c, PIN).await;
    key(c, Key::Enter).await;
}

/// An agent's whole day typed into whatever has the focus: every F-key
/// screen opens with its first field focused, a chosen bank hands the
/// focus on, Esc steps back one thing at a time and never loses a form,
/// a double Enter at the PIN keeps the result, and the F-keys stay put
/// while a PIN is typed.
#[tokio::test(flavor = "multi_thread")]
async fn a_day_typed_only_into_the_focused_field() {
    drive("keyboard-day", |c, dir| async move {
        small_window(&c).await;
        wait_text(&c, "#server", "http").await;
        fits(&c, "login", &["#login"]).await;
        keyboard_login(&c).await;
        fits(&c, "home", &[]).await;

        // F2 deposit. Enter pressed several times at the PIN, 150 ms apart:
        // the result and its receipt stay on screen.
        key(&c, Key::F2).await;
        wait_focus(&c, "to-account", "F2").await;
        typed(&c, "14047").await;
        key(&c, Key::Tab).await;
        wait_focus(&c, "amount", "Tab from the account").await;
        typed(&c, "25000").await;
        assert_eq!(value_of(&c, "#to-account").await, "14047");
        assert_eq!(value_of(&c, "#amount").await, "Rp25.000");
        fits(&c, "deposit-form", &["#money-next"]).await;
        key(&c, Key::Enter).await;
        wait_text(&c, "#confirm-name", "Ardha Herdianto").await;
        fits(&c, "deposit-confirm", &["#confirm-total", "#confirm-next"]).await;
        key(&c, Key::Enter).await;
        find(&c, "#pin-pad").await;
        fits(&c, "pin", &["#pin-title", "#pin-ok"]).await;
        typed(&c, PIN).await;
        key_repeatedly(&c, Key::Enter, 5, Duration::from_millis(150)).await;
        wait_text(&c, "#result-status", "BERHASIL").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            present(&c, "#result").await,
            "a second Enter at the PIN skipped the result"
        );
        wait_text(&c, "#receipt-text", "25.000").await;
        fits(
            &c,
            "deposit-result",
            &["#result-status", "#new-transaction"],
        )
        .await;
        tokio::time::sleep(Duration::from_millis(1200)).await;
        key(&c, Key::Enter).await;
        gone(&c, "#result").await;

        // F3 same-bank transfer.
        typed_flow(&c, Key::F3, "14048", "50000", "SITI RAHAYU").await;
        result_then_home(&c, "BERHASIL").await;

        // F4: the bank search has the focus; Esc closes only the list.
        key(&c, Key::F4).await;
        wait_focus(&c, "bank-search", "F4").await;
        typed(&c, "mandiri").await;
        find(&c, "#bank-options .option").await;
        fits(&c, "interbank-banks", &["#bank-options"]).await;
        key(&c, Key::Escape).await;
        gone(&c, "#bank-options").await;
        assert!(
            present(&c, "#money-form").await,
            "Esc with the bank list open closed the whole F4 screen"
        );
        assert_eq!(value_of(&c, "#bank-search").await, "mandiri");
        // Back into the list, Enter chooses, the focus moves to the account.
        key(&c, Key::Backspace).await;
        typed(&c, "i").await;
        find(&c, "#bank-options .option").await;
        key(&c, Key::Enter).await;
        wait_focus(&c, "to-account", "after choosing the bank").await;
        typed(&c, "114451186").await;
        let bank = value_of(&c, "#bank-search").await;
        assert!(
            bank.to_uppercase().contains("MANDIRI") && !bank.contains("114451186"),
            "the bank field: {bank:?}"
        );
        assert_eq!(value_of(&c, "#to-account").await, "114451186");
        key(&c, Key::Tab).await;
        typed(&c, "50000").await;
        key(&c, Key::Enter).await;
        wait_text(&c, "#confirm-name", "").await;
        key(&c, Key::Enter).await;
        find(&c, "#pin-pad").await;
        typed(&c, PIN).await;
        key(&c, Key::Enter).await;
        wait_text(&c, "#result-total", "Rp56.500").await;
        result_then_home(&c, "BERHASIL").await;

        // An F-key while the PIN pad is open does nothing; leaving from the
        // confirm card cancels the quote (never left open).
        key(&c, Key::F2).await;
        wait_focus(&c, "to-account", "F2 again").await;
        typed(&c, "14047").await;
        key(&c, Key::Tab).await;
        typed(&c, "10000").await;
        key(&c, Key::Enter).await;
        wait_text(&c, "#confirm-name", "Ardha Herdianto").await;
        key(&c, Key::Enter).await;
        find(&c, "#pin-pad").await;
        key(&c, Key::F7).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            present(&c, "#pin-pad").await && !present(&c, "#history-rows").await,
            "F7 took the screen from under the open PIN pad"
        );
        key(&c, Key::Escape).await;
        gone(&c, "#pin-pad").await;
        find(&c, "#confirm").await;
        key(&c, Key::F7).await;
        find(&c, "#history-rows").await;
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
                "a quote left behind by an F-key is still open: {:?}",
                open.rows.iter().map(|r| &r.sid).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }

        // F7: the search has the focus.
        wait_focus(&c, "h-search", "F7").await;
        typed(&c, "SITI").await;
        key(&c, Key::Enter).await;
        wait_text(&c, "#history-rows", "SITI RAHAYU").await;
        assert_eq!(value_of(&c, "#h-search").await, "SITI");
        fits(&c, "history", &["#h-apply", "#export-csv"]).await;

        // F1 and F6.
        key(&c, Key::F1).await;
        wait_focus(&c, "check-account", "F1").await;
        typed(&c, "14049").await;
        key(&c, Key::Enter).await;
        wait_text(&c, "#check-name", "BUDI SANTOSO").await;
        fits(&c, "check-account", &[]).await;
        key(&c, Key::F6).await;
        wait_focus(&c, "balance-account", "F6").await;
        typed(&c, "14050").await;
        key(&c, Key::Enter).await;
        wait_text(&c, "#pin-pad", "PIN Nasabah").await;
        typed(&c, "864213").await;
        key(&c, Key::Enter).await;
        wait_text(&c, "#customer-balance", "Rp").await;
        fits(&c, "customer-balance", &[]).await;

        // F5: the name has the focus; Esc steps back and keeps the form.
        key(&c, Key::F5).await;
        wait_focus(&c, "f-name", "F5").await;
        typed(&c, "Gabymars Yofie").await;
        key(&c, Key::Tab).await;
        wait_focus(&c, "f-ktp", "Tab from the name").await;
        typed(&c, "3515014108970001").await;
        key(&c, Key::Escape).await;
        key(&c, Key::F5).await;
        wait_focus_in_main(&c, "F5 again").await;
        assert_eq!(
            (value_of(&c, "#f-name").await, value_of(&c, "#f-ktp").await),
            ("Gabymars Yofie".to_owned(), "3515014108970001".to_owned()),
            "Esc lost the open-account form"
        );
        fits(&c, "open-account", &[]).await;

        // F9, F10, F11 open with a field focused; what is typed lands there.
        key(&c, Key::F9).await;
        wait_focus(&c, "s-server", "F9").await;
        fits(&c, "settings", &[]).await;
        key(&c, Key::F10).await;
        wait_focus(&c, "p-old", "F10").await;
        typed(&c, "abc").await;
        assert_eq!(value_of(&c, "#p-old").await, "abc");
        fits(&c, "change-password", &[]).await;
        key(&c, Key::F11).await;
        wait_focus_in_main(&c, "F11").await;
        fits(&c, "statements", &[]).await;
        key(&c, Key::F8).await;
        find(&c, "#dashboards figure").await;
        fits(&c, "dashboard", &[]).await;
    })
    .await;
}

/// The idle lock: with the lock set to a minute (typed into Pengaturan)
/// and the page's clock a minute on, the lock dialog appears over a
/// half-typed form; the password unlocks it and the form is as it was.
#[tokio::test(flavor = "multi_thread")]
async fn the_idle_lock_locks_and_unlocking_keeps_the_form() {
    drive("idle-lock", |c, _dir| async move {
        keyboard_login(&c).await;
        key(&c, Key::F9).await;
        wait_focus(&c, "s-server", "F9").await;
        key(&c, Key::Tab).await;
        key(&c, Key::Tab).await;
        key(&c, Key::Tab).await;
        wait_focus(&c, "s-idle", "Tab to the idle lock").await;
        select_all(&c).await;
        typed(&c, "1").await;
        assert_eq!(value_of(&c, "#s-idle").await, "1");
        key(&c, Key::Enter).await;
        keyboard_approve(&c).await;
        wait_text(&c, "#settings-saved", "").await;

        key(&c, Key::F3).await;
        wait_focus(&c, "to-account", "F3").await;
        typed(&c, "14051").await;
        key(&c, Key::Tab).await;
        typed(&c, "30000").await;
        // A minute passes without a key (the page's clock is moved on).
        c.execute(
            "const real = Date.now.bind(Date); Date.now = () => real() + 61000;",
            vec![],
        )
        .await
        .expect("clock");
        wait_text(&c, "#relogin-reason", "").await;
        screenshot(&c, "idle-lock").await;
        wait_focus(&c, "relogin-password", "the lock dialog").await;
        typed(&c, PASSWORD).await;
        key(&c, Key::Enter).await;
        gone(&c, "#relogin").await;
        assert_eq!(value_of(&c, "#to-account").await, "14051");
        assert_eq!(value_of(&c, "#amount").await, "Rp30.000");
        key(&c, Key::Enter).await;
        wait_text(&c, "#confirm-name", "AGUS PRASETYO").await;
    })
    .await;
}

//! Dialogs own the keyboard, a payment on the wire is never interrupted,
//! and a customer's PIN serves one request: each driven as a person types
//! (W3C Actions key events go to whatever has focus, as a keyboard does).

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{key::Key, Client};
use serde_json::json;

use super::flows::{agent_login, enter_pin, PASSWORD, PIN, SUPERVISOR_PASSWORD};
use super::*;

/// Types `text` key by key into whatever has the focus right now, as a
/// keyboard would (no element is chosen or focused by the test).
async fn type_as_person(c: &Client, text: &str) {
    let mut keys = KeyActions::new("keyboard".into());
    for ch in text.chars() {
        keys = keys
            .then(KeyAction::Down { value: ch })
            .then(KeyAction::Up { value: ch });
    }
    c.perform_actions(keys).await.expect("key actions");
}

async fn press_as_person(c: &Client, key: Key) {
    type_as_person(c, &key.to_string()).await;
}

async fn value_of(c: &Client, css: &str) -> String {
    find(c, css)
        .await
        .prop("value")
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Focuses a field the way a person does: by clicking into it.
async fn click_into(c: &Client, css: &str) {
    click(c, css).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let focused = c
            .execute(
                "return document.activeElement === document.querySelector(arguments[0]);",
                vec![json!(css)],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if focused {
            return;
        }
        assert!(Instant::now() < deadline, "{css} never took the focus");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Defect 12: the session expires after Enter in the account field and in
/// the amount field, and a supervisor dialog opens from the F11 provider
/// form fields; each time the password is typed as a person types. Nothing
/// typed reaches the page behind, and the confirm screen shows the amount
/// that was typed.
#[tokio::test(flavor = "multi_thread")]
async fn a_password_typed_into_a_dialog_never_reaches_the_page_behind() {
    drive("dialog-focus", |c, _dir| async move {
        agent_login(&c).await;
        let base = sandbox_url(&c).await;

        press(&c, Key::F2).await;
        fill(&c, "#to-account", "14049").await;
        fill(&c, "#amount", "15000").await;
        for field in ["#to-account", "#amount"] {
            click_into(&c, field).await;
            sandbox_admin(&base, "/_sandbox/sessions/expire", json!({})).await;
            press_as_person(&c, Key::Enter).await;
            wait_text(&c, "#relogin-reason", "Sesi habis").await;
            type_as_person(&c, PASSWORD).await;
            press_as_person(&c, Key::Enter).await;
            gone(&c, "#relogin").await;
            wait_text(&c, "#confirm-name", "BUDI SANTOSO").await;
            assert_eq!(
                text_of(&c, "#confirm-amount").await,
                "Rp15.000",
                "from {field}: the confirm screen shows the amount typed"
            );
            press(&c, Key::Escape).await;
            find(&c, "#money-form").await;
            assert_eq!(value_of(&c, "#to-account").await, "14049", "from {field}");
            assert_eq!(value_of(&c, "#amount").await, "Rp15.000", "from {field}");
        }
        let page = c.source().await.unwrap_or_default();
        assert!(
            !page.contains(PASSWORD),
            "the password is nowhere on the page"
        );
        press(&c, Key::Escape).await;

        // F11: the supervisor's dialog opened by Enter in a provider field.
        press(&c, Key::F11).await;
        // BRI: its form has client_id beside base_url.
        find(&c, "#m-provider")
            .await
            .select_by_value("bri")
            .await
            .expect("bri");
        click(&c, "#m-settings summary").await;
        fill(&c, "#ms-base", "http://127.0.0.1:9").await;
        fill(&c, "#ms-client-id", "kantor-cabang").await;
        for field in ["#ms-base", "#ms-client-id"] {
            // BRI needs its secret each time (it is never shown back).
            fill(&c, "#ms-client-secret", "rahasia-BRI-7788").await;
            click_into(&c, field).await;
            press_as_person(&c, Key::Enter).await;
            find(&c, "#supervisor").await;
            // The name is remembered from the last approval: only the password is typed.
            assert_eq!(value_of(&c, "#sup-name").await, super::flows::SUPERVISOR);
            type_as_person(&c, "salah-sekali").await;
            press_as_person(&c, Key::Enter).await;
            wait_text(&c, "#supervisor-error", "salah").await;
            // Typed again after the refusal, still without touching the mouse.
            type_as_person(&c, SUPERVISOR_PASSWORD).await;
            press_as_person(&c, Key::Enter).await;
            gone(&c, "#supervisor").await;
            wait_text(&c, "#ms-note", "terenkripsi").await;
            assert_eq!(
                value_of(&c, "#ms-base").await,
                "http://127.0.0.1:9",
                "from {field}"
            );
            assert_eq!(
                value_of(&c, "#ms-client-id").await,
                "kantor-cabang",
                "from {field}"
            );
        }
        let page = c.source().await.unwrap_or_default();
        assert!(
            !page.contains(SUPERVISOR_PASSWORD),
            "the supervisor's password is nowhere on the page"
        );
        screenshot(&c, "dialog-focus").await;
    })
    .await;
}

/// Defect 11: while a deposit is being sent (12 s on the wire) nothing
/// that logs in, logs out or refreshes is live; the deposit books once and
/// shows BERHASIL. Then a re-login at the confirm step (⟳ with an expired
/// session) keeps the quote: the PIN pays it, no "berstatus cancelled".
#[tokio::test(flavor = "multi_thread")]
async fn a_payment_on_the_wire_is_never_interrupted_and_a_relogin_keeps_the_quote() {
    drive("payment-guard", |c, _dir| async move {
        agent_login(&c).await;
        let base = sandbox_url(&c).await;
        let agent_before = text_of(&c, "#balance").await;
        sandbox_admin(
            &base,
            "/_sandbox/faults",
            json!({"seed": 1, "rules": [
                {"endpoint": "bsa/depositAccount", "fault": {"kind": "latency", "ms": 12000}, "times": 1},
                {"endpoint": "account/balance", "fault": {"kind": "session-expiry"}, "times": 1}
            ]}),
        )
        .await;
        press(&c, Key::F2).await;
        fill(&c, "#to-account", "14049").await;
        fill(&c, "#amount", "50000").await;
        press(&c, Key::Enter).await;
        wait_text(&c, "#confirm-name", "BUDI SANTOSO").await;
        press(&c, Key::Enter).await;
        enter_pin(&c, PIN).await;
        find(&c, "#sending").await;
        for css in ["#refresh", "#logout"] {
            assert!(
                !find(&c, css).await.is_enabled().await.unwrap_or(true),
                "{css} is not live while a payment is being sent"
            );
        }
        // Clicking them anyway (and waiting past the idle checks) does nothing.
        let _ = find(&c, "#refresh").await.click().await;
        let _ = find(&c, "#logout").await.click().await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(c.find(Locator::Css("#relogin")).await.is_err(), "no re-login mid-payment");
        find(&c, "#sending").await;
        let status = wait_text(&c, "#result-status", "BERHASIL").await;
        assert!(status.contains("BERHASIL"), "{status}");
        // Only now does the balance refresh meet the expired session: the
        // re-login comes after the payment, never during it.
        wait_text(&c, "#relogin-reason", "Sesi habis").await;
        type_as_person(&c, PASSWORD).await;
        press_as_person(&c, Key::Enter).await;
        gone(&c, "#relogin").await;
        assert!(text_of(&c, "#result-status").await.contains("BERHASIL"));
        press(&c, Key::Enter).await;

        // A re-login at the confirm step keeps the quote.
        press(&c, Key::F2).await;
        fill(&c, "#to-account", "14049").await;
        fill(&c, "#amount", "21000").await;
        press(&c, Key::Enter).await;
        wait_text(&c, "#confirm-name", "BUDI SANTOSO").await;
        sandbox_admin(&base, "/_sandbox/sessions/expire", json!({})).await;
        click(&c, "#refresh").await;
        wait_text(&c, "#relogin-reason", "Sesi habis").await;
        type_as_person(&c, PASSWORD).await;
        press_as_person(&c, Key::Enter).await;
        gone(&c, "#relogin").await;
        assert_eq!(text_of(&c, "#confirm-amount").await, "Rp21.000");
        press(&c, Key::Enter).await;
        enter_pin(&c, PIN).await;
        let status = wait_text(&c, "#result-status", "BERHASIL").await;
        assert!(status.contains("BERHASIL"), "the kept quote was paid: {status}");
        let _ = agent_before;
    })
    .await;
}

/// Defect 13: the customer's PIN is used for one request. The session
/// expires as the customer confirms the PIN; after the agent logs in again
/// the PIN pad asks again and no balance is shown without it.
#[tokio::test(flavor = "multi_thread")]
async fn a_customer_pin_is_asked_again_after_a_relogin() {
    drive("customer-pin", |c, _dir| async move {
        agent_login(&c).await;
        let base = sandbox_url(&c).await;
        press(&c, Key::F6).await;
        fill(&c, "#balance-account", "14050").await;
        press(&c, Key::Enter).await;
        wait_text(&c, "#pin-pad", "PIN Nasabah").await;
        sandbox_admin(&base, "/_sandbox/sessions/expire", json!({})).await;
        type_as_person(&c, "864213").await;
        press_as_person(&c, Key::Enter).await;
        wait_text(&c, "#relogin-reason", "Sesi habis").await;
        type_as_person(&c, PASSWORD).await;
        press_as_person(&c, Key::Enter).await;
        gone(&c, "#relogin").await;
        wait_text(&c, "#pin-pad", "PIN Nasabah").await;
        assert!(
            c.find(Locator::Css("#balance-result")).await.is_err(),
            "no balance without the customer typing the PIN again"
        );
        type_as_person(&c, "864213").await;
        press_as_person(&c, Key::Enter).await;
        wait_text(&c, "#customer-balance", "Rp").await;
    })
    .await;
}

/// Asks the app to close its window exactly as the title bar's close
/// button does: Tauri's `close` emits `CloseRequested` (which the shell may
/// refuse) before anything is torn down. Xvfb has no window manager to
/// click, so the page asks; the answer is not awaited (the page may be gone).
async fn request_close(c: &Client) {
    let _ = c
        .execute(
            "window.__TAURI_INTERNALS__.invoke('plugin:window|close', {label: 'main'}).catch(() => {}); return 1;",
            vec![],
        )
        .await;
}

/// Issue 10 (close-window guard): a close request while a deposit is on
/// the wire (8 s) leaves the window open, says why, and the deposit shows
/// BERHASIL; the same request with nothing on the wire closes the app.
#[tokio::test(flavor = "multi_thread")]
async fn closing_the_window_waits_for_a_payment_on_the_wire() {
    drive("close-guard", |c, _dir| async move {
        agent_login(&c).await;
        let base = sandbox_url(&c).await;
        sandbox_admin(
            &base,
            "/_sandbox/faults",
            json!({"seed": 1, "rules": [
                {"endpoint": "bsa/depositAccount", "fault": {"kind": "latency", "ms": 8000}, "times": 1}
            ]}),
        )
        .await;
        press(&c, Key::F2).await;
        fill(&c, "#to-account", "14049").await;
        fill(&c, "#amount", "30000").await;
        press(&c, Key::Enter).await;
        wait_text(&c, "#confirm-name", "BUDI SANTOSO").await;
        press(&c, Key::Enter).await;
        enter_pin(&c, PIN).await;
        find(&c, "#sending").await;
        request_close(&c).await;
        wait_text(&c, "#close-blocked", "jendela tidak ditutup").await;
        find(&c, "#sending").await;
        let status = wait_text(&c, "#result-status", "BERHASIL").await;
        assert!(status.contains("BERHASIL"), "{status}");

        // Nothing on the wire: the same request closes the app.
        request_close(&c).await;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let alive = c.execute("return 1;", vec![]).await.is_ok();
            if !alive {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the window never closed with nothing on the wire"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
}

//! Login, sessions (idle expiry, forced expiry, logout) and change password.

mod common;

use std::time::Duration;

use common::{call, login, login_as, start, start_with};
use sandbox::{demo, SandboxConfig};
use serde_json::json;

#[tokio::test]
async fn login_returns_the_documented_profile_and_an_80_character_session() {
    let sb = start().await;
    let r = call(
        &sb,
        "/bankplus/users/auth",
        None,
        None,
        json!({"username": demo::USERNAME, "password": demo::PASSWORD}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.code(), "00");
    assert_eq!(r.message(), "Login berhasil");
    let data = &r.body["data"];
    assert_eq!(data["nama"], "Ardha Herdianto");
    assert_eq!(data["kelompok_id"], "4");
    assert_eq!(data["kode_mitra"], "BNI");
    assert_eq!(data["kode_cabang"], "014");
    assert_eq!(data["kode_loket"], "100294");
    assert_eq!(data["warna_bank"], "ff6f00");
    assert_eq!(data["alamat_kabupaten_kota"], "Kab_Sidoarjo");
    assert!(data["favourite"].is_null());
    let session = r.body["session_id"].as_str().expect("session_id");
    assert_eq!(session.len(), 80);
    assert!(session.bytes().all(|b| b.is_ascii_alphanumeric()));

    let staff = call(
        &sb,
        "/bankplus/users/auth",
        None,
        None,
        json!({"username": demo::STAFF_USERNAME, "password": demo::STAFF_PASSWORD}),
    )
    .await;
    assert_eq!(staff.body["data"]["kelompok_id"], "0");
    assert_eq!(staff.body["data"]["group_id"], "5");
}

#[tokio::test]
async fn a_bad_login_is_2102_with_status_401() {
    let sb = start().await;
    for body in [
        json!({"username": demo::USERNAME, "password": "wrong"}),
        json!({"username": "NOBODY", "password": demo::PASSWORD}),
        json!({"username": demo::USERNAME}),
    ] {
        let r = call(&sb, "/bankplus/users/auth", None, None, body).await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.body,
            json!({
                "code": "2102",
                "message": "Username dan Password yang Anda masukkan tidak ditemukan. Silakan periksa dan coba kembali",
                "debug": {"from": "bankplus_platform_core", "status": 401}
            })
        );
    }
}

fn is_session_not_found(r: &common::Reply) -> bool {
    r.status == 401
        && r.body
            == json!({
                "code": "SESSION_NOT_FOUND",
                "message": "Invalid session!",
                "data": {},
                "debug": {"from": "bankplus_platform_core", "status": 401,
                          "name": "SESSION_NOT_FOUND", "info": {}}
            })
}

#[tokio::test]
async fn every_bankplus_endpoint_but_auth_needs_a_session() {
    let sb = start().await;
    for path in sandbox::ENDPOINTS
        .iter()
        .filter(|p| p.starts_with("/bankplus/") && !p.ends_with("/users/auth"))
    {
        let r = call(&sb, path, None, Some(&common::sid()), json!({})).await;
        assert!(is_session_not_found(&r), "{path}: {:?}", r.body);
        let r = call(&sb, path, Some("not-a-session"), None, json!({})).await;
        assert!(is_session_not_found(&r), "{path}: {:?}", r.body);
    }
}

#[tokio::test]
async fn an_idle_session_expires() {
    let sb = start_with(SandboxConfig {
        session_idle: Duration::from_millis(600),
        ..SandboxConfig::default()
    })
    .await;
    let session = login(&sb).await;
    // Use keeps it alive...
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let r = call(
            &sb,
            "/bankplus/account/balance",
            Some(&session),
            None,
            json!({}),
        )
        .await;
        assert_eq!(r.code(), "00");
    }
    // ...idleness ends it.
    tokio::time::sleep(Duration::from_millis(900)).await;
    let r = call(
        &sb,
        "/bankplus/account/balance",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    assert!(is_session_not_found(&r), "{:?}", r.body);
}

#[tokio::test]
async fn expire_sessions_and_logout_forget_sessions() {
    let sb = start().await;
    let a = login(&sb).await;
    let b = login(&sb).await;
    let r = call(&sb, "/bankplus/users/logout", Some(&a), None, json!({})).await;
    assert_eq!(r.body, json!({"code": "00", "message": "Ok.", "data": {}}));
    let r = call(&sb, "/bankplus/master/jobs", Some(&a), None, json!({})).await;
    assert!(is_session_not_found(&r));
    let r = call(&sb, "/bankplus/master/jobs", Some(&b), None, json!({})).await;
    assert_eq!(r.code(), "00", "another session is untouched");

    sb.expire_sessions();
    let r = call(&sb, "/bankplus/master/jobs", Some(&b), None, json!({})).await;
    assert!(is_session_not_found(&r));

    // The admin endpoint does the same.
    let c = login(&sb).await;
    let resp = reqwest::Client::new()
        .post(format!("{}/_sandbox/sessions/expire", sb.base_url()))
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), 200);
    let r = call(&sb, "/bankplus/master/jobs", Some(&c), None, json!({})).await;
    assert!(is_session_not_found(&r));
}

#[tokio::test]
async fn change_password_checks_the_old_one_and_persists() {
    let sb = start().await;
    let session = login(&sb).await;
    let r = call(
        &sb,
        "/bankplus/account/changepass",
        Some(&session),
        None,
        json!({"old": "not-it", "new": "T6jkl4s1"}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"code": "UPDATE_NONE", "message": "Password tidak sesuai, coba ulangi kembali", "data": {}})
    );

    let r = call(
        &sb,
        "/bankplus/account/changepass",
        Some(&session),
        None,
        json!({"old": demo::PASSWORD, "new": "T6jkl4s1"}),
    )
    .await;
    assert_eq!(
        r.body,
        json!({"code": "00", "message": "Perubahan password berhasil dilakukan", "data": {}})
    );
    login_as(&sb, demo::USERNAME, "T6jkl4s1").await;
    let old = call(
        &sb,
        "/bankplus/users/auth",
        None,
        None,
        json!({"username": demo::USERNAME, "password": demo::PASSWORD}),
    )
    .await;
    assert_eq!(old.code(), "2102");
}

#[tokio::test]
async fn staff_see_dashboards_but_cannot_transact() {
    let sb = start().await;
    let session = login_as(&sb, demo::STAFF_USERNAME, demo::STAFF_PASSWORD).await;
    let r = call(
        &sb,
        "/bankplus/dashboard/bill",
        Some(&session),
        None,
        json!({}),
    )
    .await;
    assert_eq!(r.code(), "00");
    let r = common::deposit(
        &sb,
        &session,
        &common::sid(),
        demo::CUSTOMER_ACCOUNT,
        25_000,
        demo::PIN,
    )
    .await;
    assert_eq!(r.code(), "-1");
    assert_eq!(r.message(), "[57] TRANSACTION NOT PERMITTED");
}

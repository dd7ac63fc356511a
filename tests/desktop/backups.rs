//! Backups from the app (issue 13): "Cadangkan sekarang" in Pengaturan
//! writes a checked archive (and a copy into the extra folder from the
//! settings), and a restore is refused while the app holds the folder.

use fantoccini::key::Key;

use super::flows::{agent_login, approve, SUPERVISOR_PASSWORD};
use super::*;

#[tokio::test(flavor = "multi_thread")]
async fn the_settings_screen_backs_up_and_a_restore_waits_for_the_app() {
    drive("backup", |c, dir| async move {
        agent_login(&c).await;
        press(&c, Key::F9).await;
        find(&c, "#backup-now").await;

        // The extra folder is a setting: a supervisor approves it.
        let usb = tempfile::tempdir().expect("tempdir");
        fill(&c, "#s-backup-folder", usb.path().to_str().unwrap()).await;
        click(&c, "#s-save").await;
        approve(&c, SUPERVISOR_PASSWORD).await;
        wait_text(&c, "#settings-saved", "disimpan").await;

        click(&c, "#backup-now").await;
        wait_text(&c, "#backup-done", "diperiksa").await;
        // The daily backup (a minute after start) may have made one too.
        let last = wait_text(&c, "#backup-last", "WIB").await;
        assert!(last.contains("tersimpan)"), "{last}");
        // Let WebKit paint the new status before the picture is taken.
        tokio::time::sleep(Duration::from_millis(500)).await;
        screenshot(&c, "settings-backup").await;

        let made = backup::list(&dir.join("backups"));
        assert!(!made.is_empty(), "an archive in the data folder");
        let manifest = backup::verify(&made[0].path).expect("the archive checks out");
        assert!(manifest.files.iter().any(|f| f.name == "journal.db"));
        assert!(manifest.files.iter().any(|f| f.name == "settings.json"));
        assert!(!backup::list(usb.path()).is_empty(), "a copy on the stick");

        // Restoring under the running app is refused; nothing changes.
        let err = backup::restore(&made[0].path, &dir).expect_err("the app holds the folder");
        assert!(matches!(err, backup::BackupError::Running { .. }), "{err}");
        assert!(!std::fs::read_dir(&dir).unwrap().flatten().any(|e| e
            .file_name()
            .to_string_lossy()
            .starts_with("before-restore")));
    })
    .await;
}

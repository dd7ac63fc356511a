//! A blank Tauri 2 window: nothing but a page that says when it painted.
//! `make bench` starts it beside Loket to measure what Loket adds.

#[tauri::command]
fn painted(what: String) {
    let spawned = std::env::var("LOKET_SPAWNED_AT_NS")
        .ok()
        .and_then(|v| v.parse::<u128>().ok());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .ok();
    if let (Some(spawned), Some(now)) = (spawned, now) {
        let ms = now.saturating_sub(spawned) as f64 / 1e6;
        println!("loket-measure: {what} {ms:.1} ms");
    }
}

fn main() {
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![painted])
        .run(tauri::generate_context!("tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("floor window: {e}");
        std::process::exit(1);
    }
}

fn main() {
    // tauri.conf.json sits beside this crate's Cargo.toml, where the Tauri
    // CLI (`make package`) looks for it: at the workspace root it would find
    // a manifest with no [package] and refuse.
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new()) {
        panic!("tauri build step failed: {e:#}");
    }
}

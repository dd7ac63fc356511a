//! One loket-fuzz target under AFL++: `LOKET_AFL_TARGET=bankplus.deposit
//! cargo afl fuzz -i in -o out target/debug/afl-target`. A broken oracle
//! panics, which AFL++ records as a crash.

fn main() {
    let name = std::env::var("LOKET_AFL_TARGET").unwrap_or_else(|_| "bankplus.deposit".into());
    let targets = loket_fuzz::targets::all();
    let Some(target) = targets.into_iter().find(|t| t.name == name) else {
        eprintln!("no target named {name:?}");
        std::process::exit(2);
    };
    // The check holds no state a panic could leave half-changed that matters:
    // AFL++ restarts the process after a crash.
    let whole = std::panic::AssertUnwindSafe(&target);
    afl::fuzz!(|data: &[u8]| {
        let t = &whole;
        if let Err(what) = (t.0.check)(data) {
            panic!("{}: {what}", t.0.name);
        }
    });
}

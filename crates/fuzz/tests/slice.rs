//! The bounded slice of `make fuzz` that `make test` runs: every target,
//! a fixed seed, a few thousand cases each (`LOKET_FUZZ_CASES` scales it),
//! and every input kept from an earlier finding replayed.

use std::path::Path;

use loket_fuzz::{regressions, run_one, run_target, targets};

#[test]
fn every_target_survives_a_slice_of_mutated_samples() {
    let per_target: u64 = std::env::var("LOKET_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_500);
    let mut failures = Vec::new();
    for t in targets::all() {
        assert!(!t.seeds.is_empty(), "{} has no samples", t.name);
        // A slow target (a journal file per case) runs a fifth of the slice.
        let n = if targets::case_divisor(t.name) > 1 {
            per_target.div_ceil(5)
        } else {
            per_target
        };
        let r = run_target(&t, n, 0x5eed_0012, None, 3);
        assert_eq!(r.cases, n);
        for f in r.findings {
            failures.push(format!(
                "{}: {} (input: {:?})",
                f.target,
                f.what,
                String::from_utf8_lossy(&f.input)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_kept_finding_stays_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut replayed = 0;
    for t in targets::all() {
        for (path, input) in regressions(&root, t.name) {
            replayed += 1;
            assert_eq!(run_one(&t, &input), Ok(()), "{}", path.display());
        }
    }
    assert!(replayed >= 5, "the kept inputs are missing ({replayed})");
}

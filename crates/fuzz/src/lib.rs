//! A fuzz driver for every decoder of untrusted bytes (issue 12).
//!
//! Each [`Target`] has seed inputs (the document samples) and a check that
//! feeds one input to the real decoder and returns `Err` when an oracle is
//! broken (a payment reply that cannot be read decoded as a known failure,
//! a secret in an error message, …). The [`Mutator`] changes samples byte-wise
//! (bit flips, interesting bytes and tokens, cuts, repeats, splices) and
//! structurally (a JSON node replaced, removed or duplicated). Every case runs
//! under `catch_unwind`, so a panic is a finding like a broken oracle, and the
//! input that caused it is saved to a file for a regression test.
//!
//! Stable Rust only: no coverage feedback (see the README for what was tried).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

mod supervisors;
pub mod targets;

/// SplitMix64: small, fast, and the same sequence for a seed on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Text that has broken parsers before: signs, exponents, both thousands
/// conventions, Unicode digits (Arabic-Indic, fullwidth, Devanagari), huge
/// numbers, JSON and HTML fragments, control characters.
pub const TOKENS: &[&str] = &[
    "-",
    "+",
    "--",
    "1e9",
    "1E-2",
    "0x10",
    "NaN",
    "Infinity",
    ".",
    ",",
    "1.000.000,50",
    "1,000,000.50",
    "25.000",
    "25,000",
    "0.30000000000000004",
    "99999999999999999999",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "1000000000000.01",
    "\u{661}\u{662}\u{663}",
    "\u{ff11}\u{ff12}",
    "\u{967}",
    "\u{2212}5",
    "\u{a0}",
    "\u{200b}",
    "\u{202e}",
    "Rp",
    "IDR",
    "null",
    "true",
    "{}",
    "[]",
    "\"\"",
    "\\u0000",
    "\\ud800",
    "\\",
    "\0",
    "\r\n",
    "<html><title>502 Bad Gateway</title></html>",
    "00",
    "\"00\"",
    "\"68\"",
    "[68]",
    "-1",
    "SESSION_NOT_FOUND",
    "INVALID_PIN",
    "2102",
    "NOT_FOUND",
    "0101",
    "2020-02-30T25:61:61Z",
    "2026-01-05 10:00:00",
    "9999-12-31T23:59:59Z",
    "-000001-01-01T00:00:00Z",
];

/// Replacement JSON values for structural mutations.
fn random_value(rng: &mut Rng, seeds: &[Value]) -> Value {
    match rng.below(14) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(2)),
        2 => Value::from(rng.next_u64() as i64),
        3 => Value::from(u64::MAX),
        4 => serde_json::Number::from_f64(*rng.pick(&[0.1, -0.0, 1e308, 25000.5, 1e15]))
            .map(Value::Number)
            .unwrap_or(Value::Null),
        5 => Value::from(*rng.pick(&[0_i64, -1, 25_000, -25_000, 100_000_000_000_000])),
        6 | 7 => Value::String((*rng.pick(TOKENS)).to_owned()),
        8 => Value::String("9".repeat(1 + rng.below(40))),
        9 => Value::String("\u{10ffff}".repeat(rng.below(5000))),
        10 => Value::Array(vec![]),
        11 => Value::Object(Default::default()),
        _ => {
            // A subtree of another sample: right shape, wrong place.
            let donor = rng.pick(seeds);
            let mut nodes = Vec::new();
            collect(donor, &mut nodes);
            (*rng.pick(&nodes)).clone()
        }
    }
}

fn collect<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    out.push(v);
    match v {
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect(x, out)),
        _ => {}
    }
}

fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(o) => o.values().map(count).sum(),
        _ => 0,
    }
}

/// The `n`th node in pre-order.
fn nth_mut<'a>(v: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
    if *n == 0 {
        return Some(v);
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().find_map(|x| nth_mut(x, n)),
        Value::Object(o) => o.values_mut().find_map(|x| nth_mut(x, n)),
        _ => None,
    }
}

/// Makes new inputs from a target's samples.
pub struct Mutator {
    seeds: Vec<Vec<u8>>,
    json_seeds: Vec<Value>,
}

impl Mutator {
    pub fn new(seeds: &[Vec<u8>]) -> Mutator {
        Mutator {
            seeds: seeds.to_vec(),
            json_seeds: seeds
                .iter()
                .filter_map(|s| serde_json::from_slice(s).ok())
                .collect(),
        }
    }

    /// One new input: a sample with one to four mutations stacked.
    pub fn mutate(&self, rng: &mut Rng) -> Vec<u8> {
        let seed_index = rng.below(self.seeds.len());
        let mut data = if !self.json_seeds.is_empty() && rng.chance(2) {
            let mut v = self.json_seeds[rng.below(self.json_seeds.len())].clone();
            for _ in 0..1 + rng.below(3) {
                self.structural(&mut v, rng);
            }
            let text = if rng.chance(2) {
                serde_json::to_vec(&v)
            } else {
                serde_json::to_vec_pretty(&v)
            };
            text.unwrap_or_default()
        } else {
            self.seeds[seed_index].clone()
        };
        for _ in 0..rng.below(4) {
            self.bytewise(&mut data, rng);
        }
        data
    }

    fn structural(&self, v: &mut Value, rng: &mut Rng) {
        let mut n = rng.below(count(v));
        let Some(node) = nth_mut(v, &mut n) else {
            return;
        };
        match node {
            Value::Object(o) if !o.is_empty() && rng.chance(3) => {
                let keys: Vec<String> = o.keys().cloned().collect();
                let key = rng.pick(&keys).clone();
                match rng.below(3) {
                    0 => {
                        o.remove(&key);
                    }
                    1 => {
                        // A key in another case or with a space: not the documented name.
                        if let Some(x) = o.remove(&key) {
                            let renamed = if rng.chance(2) {
                                key.to_uppercase()
                            } else {
                                format!("{key} ")
                            };
                            o.insert(renamed, x);
                        }
                    }
                    _ => {
                        let x = random_value(rng, &self.json_seeds);
                        o.insert(key, x);
                    }
                }
            }
            Value::Array(a) if !a.is_empty() && rng.chance(3) => {
                let i = rng.below(a.len());
                if rng.chance(2) {
                    a.remove(i);
                } else {
                    let x = a[i].clone();
                    for _ in 0..1 + rng.below(50) {
                        a.push(x.clone());
                    }
                }
            }
            Value::String(s) if rng.chance(2) => {
                let mut bytes = std::mem::take(s).into_bytes();
                self.bytewise(&mut bytes, rng);
                *s = String::from_utf8_lossy(&bytes).into_owned();
            }
            _ => *node = random_value(rng, &self.json_seeds),
        }
    }

    fn bytewise(&self, data: &mut Vec<u8>, rng: &mut Rng) {
        let len = data.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = *rng.pick(b"\"{}[],:.-+0159eE \\\x00\xff\xc3\n");
            }
            2 => {
                let i = rng.below(len + 1);
                let token = rng.pick(TOKENS).as_bytes();
                data.splice(i..i, token.iter().copied());
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                data.drain(i..i + n);
            }
            4 => data.truncate(rng.below(len + 1)),
            5 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                let chunk: Vec<u8> = data[i..i + n].to_vec();
                let at = rng.below(len + 1);
                data.splice(at..at, chunk);
            }
            6 => {
                // Splice: the head of this input, the tail of another sample.
                let other = rng.pick(&self.seeds);
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            7 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next_u64() as u8;
            }
            _ => {
                let i = rng.below(len + 1);
                let n = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
                data.splice(i..i, bytes);
            }
        }
    }
}

/// A target's check: `Err` names the oracle that broke.
pub type Check = Box<dyn Fn(&[u8]) -> Result<(), String> + Send + Sync>;

/// One decoder under test.
pub struct Target {
    pub name: &'static str,
    pub seeds: Vec<Vec<u8>>,
    /// Feeds one input to the decoder; `Err` says which oracle broke.
    pub check: Check,
}

/// A case that panicked or broke an oracle.
#[derive(Debug, Clone)]
pub struct Finding {
    pub target: &'static str,
    pub what: String,
    pub input: Vec<u8>,
    pub saved: Option<PathBuf>,
}

/// What a run of one target did.
#[derive(Debug, Clone)]
pub struct Report {
    pub target: &'static str,
    pub cases: u64,
    pub elapsed: Duration,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn cases_per_second(&self) -> f64 {
        self.cases as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Runs one input through a target, turning a panic into a finding.
pub fn run_one(target: &Target, input: &[u8]) -> Result<(), String> {
    match catch_unwind(AssertUnwindSafe(|| (target.check)(input))) {
        Ok(r) => r,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "a panic".to_owned());
            Err(format!("panic: {msg}"))
        }
    }
}

/// Runs `cases` mutated inputs (the samples themselves first) through a
/// target. Findings are saved under `crash_dir` when given; at most
/// `max_findings` are kept so one bug does not flood the disk.
pub fn run_target(
    target: &Target,
    cases: u64,
    seed: u64,
    crash_dir: Option<&Path>,
    max_findings: usize,
) -> Report {
    let mutator = Mutator::new(&target.seeds);
    let mut rng = Rng::new(seed ^ fnv(target.name.as_bytes()));
    let mut findings = Vec::new();
    let start = Instant::now();
    let mut done = 0;
    while done < cases {
        let input = match target.seeds.get(done as usize) {
            Some(sample) => sample.clone(),
            None => mutator.mutate(&mut rng),
        };
        done += 1;
        if let Err(what) = run_one(target, &input) {
            if findings.len() < max_findings {
                let saved = crash_dir.and_then(|dir| save(dir, target.name, &input));
                findings.push(Finding {
                    target: target.name,
                    what,
                    input,
                    saved,
                });
            }
        }
    }
    Report {
        target: target.name,
        cases: done,
        elapsed: start.elapsed(),
        findings,
    }
}

pub(crate) fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn save(dir: &Path, target: &str, input: &[u8]) -> Option<PathBuf> {
    let dir = dir.join(target);
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(format!("{:016x}.bin", fnv(input)));
    std::fs::write(&path, input).ok()?;
    Some(path)
}

/// The kept inputs of earlier findings for `target`, replayed in tests.
pub fn regressions(root: &Path, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(root.join(target)) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, Vec<u8>)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    out.sort();
    out
}

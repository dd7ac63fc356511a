//! Deterministic fault injection: the plan (which endpoint misbehaves how,
//! how often, how many times), its CLI syntax, and the dice.
//!
//! Every rule has its own SplitMix64 stream seeded from the plan's seed and
//! the rule's index, and rolls once for every request it matches. So the
//! same seed and the same sequence of requests per endpoint give the same
//! faults, whatever other endpoints are called in between (unless a rule
//! is `*`, whose stream sees every request).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Faults to inject, replayable from `seed`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FaultPlan {
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub rules: Vec<FaultRule>,
}

/// One endpoint's misbehaviour.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FaultRule {
    /// A path such as `/bankplus/bsa/depositAccount` or `/transfer`, or `*`
    /// for every endpoint; the leading `/` is optional, and so is the
    /// `/bankplus` of a Bank+ path (`bsa/depositAccount`).
    pub endpoint: String,
    pub fault: Fault,
    /// Chance that a matching request gets the fault, 0.0..=1.0.
    #[serde(default = "always")]
    pub probability: f64,
    /// Fire at most this many times, then the rule is spent.
    #[serde(default)]
    pub times: Option<u32>,
}

fn always() -> f64 {
    1.0
}

/// What goes wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Fault {
    /// Delay, then handle normally.
    Latency { ms: u64 },
    /// A Bank+-shaped (or switcher-shaped) error body; the handler does not run.
    ErrorReply { code: String, message: String },
    /// A proxy's "502 Bad Gateway" HTML page; the handler does not run.
    #[serde(rename = "html-502")]
    Html502,
    /// The handler runs (the ledger commits), then a truncated JSON body is
    /// sent with status 200.
    MalformedJson,
    /// The caller's session is dropped and `SESSION_NOT_FOUND` sent; the
    /// handler does not run.
    SessionExpiry,
    /// The handler runs (the ledger commits), then the connection is closed
    /// without a single response byte.
    CommitThenDrop,
    /// The handler runs (the ledger books the quoted fee), but the reply's
    /// `data.admin_fee` says 0 and `data.total` the bare amount: the shape
    /// of the document's interbank payment sample, after a quote of 6500.
    ZeroFeeReply,
    /// Exactly this status and body (sent as `application/json`); the
    /// handler does not run. For replies no other kind makes: a `/check`
    /// that names another refnum or amount, a `/reversal` that says `00`
    /// although nothing was reversed, duplicate keys, a code as a number.
    RawReply { status: u16, body: String },
}

/// Why a fault rule (or plan) is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("fault rule {rule:?}: {why} (syntax: PATH=KIND[:ARG][@PROB][xTIMES], e.g. bsa/depositAccount=commit-then-drop, /check=latency:250@0.5, *=html-502@0.1x3)")]
pub struct FaultRuleError {
    pub rule: String,
    pub why: String,
}

/// The longest latency a rule may ask for; longer is surely a typo.
const MAX_LATENCY_MS: u64 = 10 * 60 * 1000;

const KINDS: &str =
    "latency:MS, error-reply:CODE:MESSAGE, html-502, malformed-json, session-expiry, commit-then-drop, zero-fee-reply, raw-reply:STATUS:BODY";

/// The message an `error-reply` without one sends.
const DEFAULT_ERROR_MESSAGE: &str = "[91] ISSUER OR SWITCH INOPERATIVE";

impl FaultRule {
    /// The endpoint with its leading `/` (or `*`).
    pub fn normalized_endpoint(&self) -> String {
        normalize_endpoint(&self.endpoint)
    }

    /// Checks the endpoint, probability and arguments.
    pub fn validate(&self) -> Result<(), FaultRuleError> {
        let err = |why: String| FaultRuleError {
            rule: self.to_string(),
            why,
        };
        let endpoint = self.normalized_endpoint();
        if endpoint != "*" && !crate::ENDPOINTS.contains(&endpoint.as_str()) {
            return Err(err(format!(
                "unknown endpoint {endpoint:?}; use * or one of: {}",
                crate::ENDPOINTS.join(", ")
            )));
        }
        if !(0.0..=1.0).contains(&self.probability) {
            return Err(err(format!(
                "probability {} is not between 0 and 1",
                self.probability
            )));
        }
        if self.times == Some(0) {
            return Err(err("times must be at least 1".into()));
        }
        match &self.fault {
            Fault::Latency { ms } if *ms > MAX_LATENCY_MS => Err(err(format!(
                "latency {ms} ms is more than the maximum {MAX_LATENCY_MS} ms"
            ))),
            Fault::ErrorReply { code, .. } if code.trim().is_empty() => Err(err(
                "error-reply needs a code, e.g. error-reply:-1:MESSAGE".into(),
            )),
            Fault::RawReply { status, .. } if !(100..600).contains(status) => Err(err(format!(
                "raw-reply status {status} is not an HTTP status (100..599)"
            ))),
            _ => Ok(()),
        }
    }
}

impl FaultPlan {
    /// Checks every rule.
    pub fn validate(&self) -> Result<(), FaultRuleError> {
        self.rules.iter().try_for_each(FaultRule::validate)
    }
}

/// `*`, or the path with a leading `/`; a Bank+ path given without its
/// `/bankplus` prefix (`bsa/depositAccount`, as people say it) gets it.
fn normalize_endpoint(endpoint: &str) -> String {
    let e = endpoint.trim();
    if e == "*" || e == "/*" {
        return "*".to_owned();
    }
    let e = e.trim_end_matches('/');
    let path = if e.starts_with('/') {
        e.to_owned()
    } else {
        format!("/{e}")
    };
    let prefixed = format!("/bankplus{path}");
    if !crate::ENDPOINTS.contains(&path.as_str()) && crate::ENDPOINTS.contains(&prefixed.as_str()) {
        prefixed
    } else {
        path
    }
}

/// The CLI syntax `PATH=KIND[:ARG][@PROB][xTIMES]`; see [`FaultRule::endpoint`]
/// for the paths.
impl FromStr for FaultRule {
    type Err = FaultRuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |why: &str| FaultRuleError {
            rule: s.to_owned(),
            why: why.to_owned(),
        };
        let (path, mut spec) = s
            .split_once('=')
            .ok_or_else(|| err("missing '=' between the path and the fault kind"))?;
        if path.trim().is_empty() {
            return Err(err("the path is empty; use * for every endpoint"));
        }

        // Suffixes come off the end: first xTIMES, then @PROB.
        let mut times = None;
        if let Some(pos) = spec.rfind('x') {
            let digits = &spec[pos + 1..];
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                let n: u32 = digits
                    .parse()
                    .map_err(|_| err("the number of times is too large"))?;
                if n == 0 {
                    return Err(err("times must be at least 1"));
                }
                times = Some(n);
                spec = &spec[..pos];
            }
        }
        let mut probability = 1.0;
        if let Some(pos) = spec.rfind('@') {
            let text = &spec[pos + 1..];
            // A kind never contains '@', but an error message might, so only
            // a number here is a probability.
            if let Ok(p) = text.parse::<f64>() {
                if !(0.0..=1.0).contains(&p) {
                    return Err(err("the probability after @ must be between 0 and 1"));
                }
                probability = p;
                spec = &spec[..pos];
            } else if !["error-reply", "raw-reply"]
                .iter()
                .any(|k| spec[..pos].to_ascii_lowercase().starts_with(k))
            {
                return Err(err("the probability after @ must be a number such as 0.5"));
            }
        }

        let (kind, arg) = match spec.split_once(':') {
            Some((k, a)) => (k, Some(a)),
            None => (spec, None),
        };
        let kind = kind.trim().to_ascii_lowercase().replace('_', "-");
        let no_arg = |f: Fault| match arg {
            None => Ok(f),
            Some(_) => Err(err(&format!("{kind} takes no argument"))),
        };
        let fault = match kind.as_str() {
            "latency" => {
                let ms = arg
                    .ok_or_else(|| err("latency needs milliseconds, e.g. latency:250"))?
                    .trim()
                    .trim_end_matches("ms")
                    .parse::<u64>()
                    .map_err(|_| err("latency needs whole milliseconds, e.g. latency:250"))?;
                Fault::Latency { ms }
            }
            "error-reply" | "error" => {
                let (code, message) = match arg {
                    None => ("-1", DEFAULT_ERROR_MESSAGE),
                    Some(a) => match a.split_once(':') {
                        Some((c, m)) => (c, m),
                        None => (a, DEFAULT_ERROR_MESSAGE),
                    },
                };
                if code.trim().is_empty() {
                    return Err(err("error-reply needs a code, e.g. error-reply:-1:MESSAGE"));
                }
                Fault::ErrorReply {
                    code: code.trim().to_owned(),
                    message: message.to_owned(),
                }
            }
            "html-502" | "html502" | "502" => no_arg(Fault::Html502)?,
            "malformed-json" => no_arg(Fault::MalformedJson)?,
            "session-expiry" => no_arg(Fault::SessionExpiry)?,
            "commit-then-drop" => no_arg(Fault::CommitThenDrop)?,
            "zero-fee-reply" => no_arg(Fault::ZeroFeeReply)?,
            "raw-reply" => {
                let (status, body) = arg.and_then(|a| a.split_once(':')).ok_or_else(|| {
                    err("raw-reply needs a status and a body, e.g. raw-reply:200:{}")
                })?;
                let status = status
                    .trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|s| (100..600).contains(s))
                    .ok_or_else(|| err("raw-reply needs an HTTP status between 100 and 599"))?;
                Fault::RawReply {
                    status,
                    body: body.to_owned(),
                }
            }
            "" => return Err(err(&format!("the fault kind is missing; kinds: {KINDS}"))),
            other => {
                return Err(err(&format!(
                    "unknown fault kind {other:?}; kinds: {KINDS}"
                )))
            }
        };

        let rule = FaultRule {
            endpoint: normalize_endpoint(path),
            fault,
            probability,
            times,
        };
        rule.validate().map_err(|e| FaultRuleError {
            rule: s.to_owned(),
            why: e.why,
        })?;
        Ok(rule)
    }
}

/// Writes the CLI syntax back, so a rule can be shown and parsed again.
impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}=", self.endpoint)?;
        match &self.fault {
            Fault::Latency { ms } => write!(f, "latency:{ms}")?,
            Fault::ErrorReply { code, message } => write!(f, "error-reply:{code}:{message}")?,
            Fault::Html502 => f.write_str("html-502")?,
            Fault::MalformedJson => f.write_str("malformed-json")?,
            Fault::SessionExpiry => f.write_str("session-expiry")?,
            Fault::CommitThenDrop => f.write_str("commit-then-drop")?,
            Fault::ZeroFeeReply => f.write_str("zero-fee-reply")?,
            Fault::RawReply { status, body } => write!(f, "raw-reply:{status}:{body}")?,
        }
        if self.probability != 1.0 {
            write!(f, "@{}", self.probability)?;
        }
        if let Some(n) = self.times {
            write!(f, "x{n}")?;
        }
        Ok(())
    }
}

/// The SplitMix64 generator (Steele, Lea, Flood 2014): tiny, fast, and good
/// enough for dice; not for secrets.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant for seeding.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// What the dice say for one request.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Decision {
    /// Total latency of the latency rules that fired.
    pub delay: Duration,
    /// The first non-latency fault that fired.
    pub fault: Option<Fault>,
}

/// The live state of a plan: one dice stream and one fired-count per rule.
pub(crate) struct FaultEngine {
    rules: Vec<(FaultRule, String, SplitMix64, u32)>,
}

impl FaultEngine {
    pub fn new(plan: FaultPlan) -> Self {
        let seed = plan.seed;
        let rules = plan
            .rules
            .into_iter()
            .enumerate()
            .map(|(i, mut rule)| {
                // NaN or out-of-range probabilities from a programmatic plan
                // are clamped rather than refused: set_faults cannot fail.
                rule.probability = if rule.probability.is_nan() {
                    0.0
                } else {
                    rule.probability.clamp(0.0, 1.0)
                };
                let endpoint = rule.normalized_endpoint();
                // Mix the index in before the first step so neighbouring rules
                // get unrelated streams.
                let stream_seed =
                    SplitMix64::new(seed ^ (i as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03))
                        .next_u64();
                (rule, endpoint, SplitMix64::new(stream_seed), 0)
            })
            .collect();
        FaultEngine { rules }
    }

    /// Rolls every live rule that matches `path`, in order. Latency rules
    /// add up; the first other fault that fires wins and stops the rolling.
    pub fn decide(&mut self, path: &str) -> Decision {
        let path = path.trim_end_matches('/');
        let mut decision = Decision::default();
        for (rule, endpoint, dice, fired) in &mut self.rules {
            if endpoint != "*" && endpoint != path {
                continue;
            }
            if rule.times.is_some_and(|t| *fired >= t) {
                continue;
            }
            if dice.next_f64() >= rule.probability {
                continue;
            }
            *fired += 1;
            match &rule.fault {
                Fault::Latency { ms } => decision.delay += Duration::from_millis(*ms),
                other => {
                    decision.fault = Some(other.clone());
                    break;
                }
            }
        }
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> FaultRule {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn the_documented_examples_parse() {
        let r = parse("bsa/depositAccount=commit-then-drop");
        assert_eq!(r.endpoint, "/bankplus/bsa/depositAccount");
        assert_eq!(r.fault, Fault::CommitThenDrop);
        assert_eq!(r.probability, 1.0);
        assert_eq!(r.times, None);

        let r = parse("/check=latency:250@0.5");
        assert_eq!(r.endpoint, "/check");
        assert_eq!(r.fault, Fault::Latency { ms: 250 });
        assert_eq!(r.probability, 0.5);

        let r = parse("*=html-502@0.1x3");
        assert_eq!(r.endpoint, "*");
        assert_eq!(r.fault, Fault::Html502);
        assert_eq!(r.probability, 0.1);
        assert_eq!(r.times, Some(3));

        let r = parse("bsa/checkAccount=error-reply:-1:[91] ISSUER OR SWITCH INOPERATIVE");
        assert_eq!(
            r.fault,
            Fault::ErrorReply {
                code: "-1".into(),
                message: "[91] ISSUER OR SWITCH INOPERATIVE".into()
            }
        );

        let r = parse(
            "/bankplus/users/auth=session-expiry x2"
                .replace(' ', "")
                .as_str(),
        );
        assert_eq!(r.times, Some(2));
        let r = parse("transfer=malformed-json");
        assert_eq!(r.endpoint, "/transfer");
        let r = parse("/inquiry=error-reply:0101");
        assert_eq!(
            r.fault,
            Fault::ErrorReply {
                code: "0101".into(),
                message: DEFAULT_ERROR_MESSAGE.into()
            }
        );
    }

    #[test]
    fn a_raw_reply_keeps_its_body_whole() {
        let r = parse(r#"/check=raw-reply:200:{"code":"00","data":{"remark":"a@1.5 x3"}}x2"#);
        assert_eq!(
            r.fault,
            Fault::RawReply {
                status: 200,
                body: r#"{"code":"00","data":{"remark":"a@1.5 x3"}}"#.into()
            }
        );
        assert_eq!(r.times, Some(2));
        assert_eq!(parse(&r.to_string()).fault, r.fault);
        assert!("/check=raw-reply:999:{}".parse::<FaultRule>().is_err());
        assert!("/check=raw-reply".parse::<FaultRule>().is_err());
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "/bankplus/bsa/depositAccount=commit-then-drop",
            "/check=latency:250@0.5",
            "*=html-502@0.1x3",
            "/bankplus/bsa/checkAccount=error-reply:-1:[91] ISSUER OR SWITCH INOPERATIVE",
            "/transfer=malformed-json x1",
        ] {
            let s = s.replace(' ', "");
            assert_eq!(parse(&s).to_string(), s);
        }
    }

    #[test]
    fn bad_syntax_says_what_is_wrong() {
        for (bad, says) in [
            ("bsa/depositAccount", "missing '='"),
            ("=html-502", "path is empty"),
            (
                "bsa/depositAccount=explode",
                "unknown fault kind \"explode\"",
            ),
            ("bsa/depositAccount=", "kind is missing"),
            ("bsa/nothing=html-502", "unknown endpoint"),
            ("/check=latency", "needs milliseconds"),
            ("/check=latency:soon", "whole milliseconds"),
            ("/check=html-502@1.5", "between 0 and 1"),
            ("/check=html-502@often", "must be a number"),
            ("/check=html-502x0", "at least 1"),
            ("/check=html-502:now", "takes no argument"),
            ("/check=latency:99999999", "maximum"),
        ] {
            let e = bad.parse::<FaultRule>().expect_err(bad).to_string();
            assert!(e.contains(says), "{bad}: {e}");
            assert!(e.contains("PATH=KIND"), "{bad}: the syntax is shown: {e}");
        }
    }

    #[test]
    fn plan_json_uses_kebab_case_kinds_and_defaults() {
        let plan: FaultPlan = serde_json::from_str(
            r#"{"seed":7,"rules":[
                {"endpoint":"bsa/depositAccount","fault":{"kind":"commit-then-drop"}},
                {"endpoint":"*","fault":{"kind":"html-502"},"probability":0.25,"times":2},
                {"endpoint":"/check","fault":{"kind":"error-reply","code":"-1","message":"x"}}
            ]}"#,
        )
        .expect("valid plan");
        assert_eq!(plan.rules[0].probability, 1.0);
        assert_eq!(plan.rules[1].fault, Fault::Html502);
        assert!(plan.validate().is_ok());
        let text = serde_json::to_string(&plan.rules[0].fault).expect("serializes");
        assert_eq!(text, r#"{"kind":"commit-then-drop"}"#);
    }

    #[test]
    fn the_same_seed_rolls_the_same_dice() {
        let plan = |seed| FaultPlan {
            seed,
            rules: vec![parse("/check=html-502@0.5"), parse("*=latency:5@0.3")],
        };
        let run = |seed| {
            let mut e = FaultEngine::new(plan(seed));
            (0..64)
                .map(|i| e.decide(if i % 3 == 0 { "/check" } else { "/transfer" }))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
        let fired = run(42).iter().filter(|d| d.fault.is_some()).count();
        assert!(
            (4..=18).contains(&fired),
            "about half of 22 /check calls: {fired}"
        );
    }

    #[test]
    fn times_spends_a_rule() {
        let mut e = FaultEngine::new(FaultPlan {
            seed: 1,
            rules: vec![parse("*=html-502x2")],
        });
        let faults: Vec<bool> = (0..4).map(|_| e.decide("/check").fault.is_some()).collect();
        assert_eq!(faults, [true, true, false, false]);
    }
}

//! What goes over the wire: the reply shapes of Bank+ and of the switcher
//! (each origin has its own error body, see the seeds README), request-body
//! parsing that never panics on bad input, and the formats of times,
//! reference numbers and amounts the documents use.

use std::fmt::Write as _;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use money::Rupiah;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------
// Time and reference numbers

/// Western Indonesian Time, UTC+7, in which the documents' local times are.
pub(crate) fn wib() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// `2020-04-16T07:46:43.845Z`: how every sample sends `date_time`/`timestamp`
/// (documented as WIB, sent as UTC).
pub(crate) fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A `referenceNumber`/`trace_code`: `BLB` + the WIB time as `yyMMddHHmmss`
/// + five digits, e.g. `BLB20041614464117828` (17 digits, like the samples).
pub(crate) fn trace_code(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&wib());
    format!(
        "BLB{}{:05}",
        local.format("%y%m%d%H%M%S"),
        crate::ids::small_random() % 100_000
    )
}

/// A switcher refnum in the documented `YYMMDDHHiissSSSS` form (WIB), used
/// where the sandbox has to make one up (a reversal sent with `"refnum": ""`).
pub(crate) fn refnum_at(t: DateTime<Utc>, extra: u32) -> String {
    let local = t.with_timezone(&wib());
    let millis = t.timestamp_subsec_millis();
    format!(
        "{}{:04}",
        local.format("%y%m%d%H%M%S"),
        (millis * 10 + extra % 10) % 10_000
    )
}

// ---------------------------------------------------------------------------
// Amounts

/// An amount as a JSON number, the way a JavaScript server sends it: an
/// integer when there are no sen (`25000`), else a decimal (`602577171334.84`).
pub(crate) fn amount_json(amount: Rupiah) -> Value {
    match amount.whole_rupiah() {
        Some(whole) => json!(whole),
        // f64 is exact enough to print two decimals for any balance below
        // 2^53 sen; the value is only ever displayed.
        None => json!(amount.sen() as f64 / 100.0),
    }
}

/// `089689677052` -> `08968967xxxx`, as the documents mask phone numbers.
pub(crate) fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let keep = chars.len().saturating_sub(4);
    let mut out: String = chars[..keep].iter().collect();
    out.push_str("xxxx");
    out
}

// ---------------------------------------------------------------------------
// Request bodies

/// Why a request could not be understood; becomes `[30] FORMAT ERROR` with
/// the reason in `debug.info` so a client developer sees what was wrong.
#[derive(Debug, Clone)]
pub(crate) struct FormatError(pub String);

/// The fields of a request: the JSON object body, plus query parameters for
/// the endpoints that may be called with GET.
pub(crate) struct Fields(Map<String, Value>);

impl Fields {
    /// Parses a body that must be a JSON object (or empty), merged over the
    /// query string parameters.
    pub fn parse(body: &[u8], query: Option<&str>) -> Result<Fields, FormatError> {
        let mut map = Map::new();
        if let Some(q) = query {
            for pair in q.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                map.insert(percent_decode(k), Value::String(percent_decode(v)));
            }
        }
        let text = std::str::from_utf8(body)
            .map_err(|_| FormatError("the body is not UTF-8".into()))?
            .trim();
        if !text.is_empty() {
            match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(obj)) => map.extend(obj),
                Ok(_) => return Err(FormatError("the body must be a JSON object".into())),
                Err(e) => return Err(FormatError(format!("the body is not valid JSON: {e}"))),
            }
        }
        Ok(Fields(map))
    }

    /// A field as text: a JSON string (trimmed) or a number; `None` when
    /// absent, null or empty.
    pub fn text(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A field as text, or an empty string.
    pub fn text_or_empty(&self, key: &str) -> String {
        self.text(key).unwrap_or_default()
    }

    /// A mandatory field.
    pub fn required(&self, key: &str) -> Result<String, FormatError> {
        self.text(key)
            .ok_or_else(|| FormatError(format!("{key} is mandatory")))
    }

    /// A mandatory amount in any of the documents' forms (`25000`,
    /// `"25000"`, `"25.000"`, `"1400000.00"`).
    pub fn amount(&self, key: &str) -> Result<Rupiah, FormatError> {
        let text = self.required(key)?;
        Rupiah::parse_wire(&text).map_err(|e| FormatError(format!("{key}: {e}")))
    }

    /// A nested object's text field, e.g. `image.foto`.
    pub fn nested_text(&self, outer: &str, key: &str) -> Option<String> {
        match self.0.get(outer)?.get(key)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            _ => None,
        }
    }
}

pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A header's value as text, if present and readable.
pub(crate) fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

// ---------------------------------------------------------------------------
// Replies

/// A JSON reply with an explicit status.
pub(crate) fn json_reply(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = (status, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

pub(crate) const PLATFORM: &str = "bankplus_platform_core";
pub(crate) const SWITCHER: &str = "branchless_switcher";

/// Bank+ success: `{"code":"00","message":…,"data":…[,"agent":…]}`.
pub(crate) fn bp_ok(message: &str, data: Value, agent: Option<Value>) -> Response {
    let mut body = json!({"code": "00", "message": message, "data": data});
    if let Some(agent) = agent {
        body["agent"] = agent;
    }
    json_reply(StatusCode::OK, &body)
}

/// A refusal from the bank behind Bank+ (`-1` with `trace_code`), HTTP 200,
/// e.g. `[0108] NO SUCH ACCOUNT`.
pub(crate) fn bank_refusal(message: &str) -> Response {
    bank_refusal_with(message, None)
}

fn bank_refusal_with(message: &str, info: Option<&str>) -> Response {
    let mut debug = json!({"from": PLATFORM});
    if let Some(info) = info {
        debug["info"] = json!(info);
    }
    json_reply(
        StatusCode::OK,
        &json!({
            "code": "-1",
            "message": message,
            "data": {
                "code": "-1",
                "status": false,
                "message": message,
                "trace_code": trace_code(Utc::now()),
                "bank_code": crate::banks::HOME_BANK,
            },
            "debug": debug,
        }),
    )
}

pub(crate) const FORMAT_ERROR: &str = "[30] FORMAT ERROR";
pub(crate) const NO_SUCH_ACCOUNT: &str = "[0108] NO SUCH ACCOUNT";
pub(crate) const INVALID_ACCOUNT: &str = "[76] Invalid account";
pub(crate) const INSUFFICIENT_FUNDS: &str = "[51] INSUFFICIENT FUNDS";
pub(crate) const DUPLICATE: &str = "[94] DUPLICATE TRANSMISSION";
pub(crate) const INVALID_AMOUNT: &str = "[13] INVALID AMOUNT";
pub(crate) const NOT_PERMITTED: &str = "[57] TRANSACTION NOT PERMITTED";
pub(crate) const NO_SUCH_ISSUER: &str = "[15] NO SUCH ISSUER";
pub(crate) const INVALID_TRANSACTION: &str = "[12] INVALID TRANSACTION";
pub(crate) const SYSTEM_MALFUNCTION: &str = "[96] SYSTEM MALFUNCTION";

/// `[30] FORMAT ERROR`, with the reason for the client developer.
pub(crate) fn bp_format_error(e: &FormatError) -> Response {
    bank_refusal_with(FORMAT_ERROR, Some(&e.0))
}

/// A platform error (`SESSION_NOT_FOUND`, `INVALID_PIN`): HTTP status as in
/// `debug.status`.
pub(crate) fn platform_error(code: &str, message: &str, status: StatusCode) -> Response {
    json_reply(
        status,
        &json!({
            "code": code,
            "message": message,
            "data": {},
            "debug": {"from": PLATFORM, "status": status.as_u16(), "name": code, "info": {}},
        }),
    )
}

pub(crate) fn session_not_found() -> Response {
    platform_error(
        "SESSION_NOT_FOUND",
        "Invalid session!",
        StatusCode::UNAUTHORIZED,
    )
}

pub(crate) fn invalid_pin() -> Response {
    platform_error(
        "INVALID_PIN",
        "Mohon maaf PIN transaksi anda salah",
        StatusCode::BAD_REQUEST,
    )
}

/// The bad-login body, exactly as documented (no `data`).
pub(crate) fn login_failed() -> Response {
    login_failed_with(
        "2102",
        "Username dan Password yang Anda masukkan tidak ditemukan. Silakan periksa dan coba kembali",
    )
}

fn login_failed_with(code: &str, message: &str) -> Response {
    json_reply(
        StatusCode::UNAUTHORIZED,
        &json!({"code": code, "message": message, "debug": {"from": PLATFORM, "status": 401}}),
    )
}

/// `{"code":…,"message":…,"data":{}}`, the shape of `UPDATE_NONE` and
/// `NOT_FOUND`.
pub(crate) fn plain_error(code: &str, message: &str, status: StatusCode) -> Response {
    json_reply(
        status,
        &json!({"code": code, "message": message, "data": {}}),
    )
}

pub(crate) fn dashboard_not_found() -> Response {
    plain_error("NOT_FOUND", "Data tidak ditemukan!", StatusCode::NOT_FOUND)
}

/// Switcher success: `{"code":"00","message":…,"data":…,"debug":{"from":"branchless_switcher"}}`.
pub(crate) fn sw_ok(message: &str, data: Value) -> Response {
    json_reply(
        StatusCode::OK,
        &json!({"code": "00", "message": message, "data": data, "debug": {"from": SWITCHER}}),
    )
}

/// A switcher refusal without data: `{"code":"-1","message":…,"debug":…}`.
pub(crate) fn sw_error(code: &str, message: &str) -> Response {
    json_reply(
        StatusCode::OK,
        &json!({"code": code, "message": message, "debug": {"from": SWITCHER}}),
    )
}

pub(crate) fn sw_format_error(e: &FormatError) -> Response {
    json_reply(
        StatusCode::OK,
        &json!({"code": "-1", "message": FORMAT_ERROR, "debug": {"from": SWITCHER, "info": e.0}}),
    )
}

/// The switcher's documented `0101` failure with its data object.
pub(crate) fn sw_0101(description: &str, error: &str, source_account: &str) -> Response {
    json_reply(
        StatusCode::OK,
        &json!({
            "code": "0101",
            "message": error,
            "data": {
                "responseCode": "0101",
                "responseDescription": description,
                "errorDescription": error,
                "Data": {"sourceAccount": source_account},
            },
            "debug": {"from": SWITCHER},
        }),
    )
}

/// The body a configured `error-reply` fault sends: shaped like the real
/// error of that origin and code, with the status that code carries.
pub(crate) fn fault_error_reply(path: &str, code: &str, message: &str) -> Response {
    if !path.starts_with("/bankplus/") {
        return sw_error(code, message);
    }
    match code {
        "SESSION_NOT_FOUND" => platform_error(code, message, StatusCode::UNAUTHORIZED),
        "INVALID_PIN" => platform_error(code, message, StatusCode::BAD_REQUEST),
        "2102" => login_failed_with(code, message),
        "UPDATE_NONE" => plain_error(code, message, StatusCode::BAD_REQUEST),
        "NOT_FOUND" => plain_error(code, message, StatusCode::NOT_FOUND),
        // Any other code keeps the bank-refusal shape, with that code.
        other => json_reply(
            StatusCode::OK,
            &json!({
                "code": other,
                "message": message,
                "data": {"code": other, "status": false, "message": message,
                         "trace_code": trace_code(Utc::now()), "bank_code": crate::banks::HOME_BANK},
                "debug": {"from": PLATFORM},
            }),
        ),
    }
}

/// What a reverse proxy in front of Bank+ sends when the backend is down.
pub(crate) fn html_502() -> Response {
    let body = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
                </body>\r\n</html>\r\n";
    let mut resp = (StatusCode::BAD_GATEWAY, body).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    resp
}

/// Hex text of bytes (payment codes).
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_match_the_samples() {
        let t = Utc
            .with_ymd_and_hms(2020, 4, 16, 7, 46, 43)
            .single()
            .expect("valid")
            + chrono::Duration::milliseconds(845);
        assert_eq!(iso(t), "2020-04-16T07:46:43.845Z");
        let code = trace_code(t);
        assert!(code.starts_with("BLB200416144643"), "{code}");
        assert_eq!(code.len(), 20);
        assert_eq!(refnum_at(t, 3).len(), 16);
        assert!(refnum_at(t, 3).starts_with("200416144643"));
        assert_eq!(mask_phone("089689677052"), "08968967xxxx");
        assert_eq!(mask_phone("99999999"), "9999xxxx");
        assert_eq!(mask_phone(""), "xxxx");
        assert_eq!(amount_json(Rupiah::from_sen(2_500_000)), json!(25000));
        assert_eq!(
            amount_json(Rupiah::from_sen(60_257_717_133_484)).to_string(),
            "602577171334.84"
        );
    }

    #[test]
    fn bodies_parse_without_panicking() {
        let f = Fields::parse(br#"{"amount":"25.000","n":25000,"e":""}"#, None).expect("ok");
        assert_eq!(f.amount("amount").ok(), Rupiah::from_rupiah(25_000));
        assert_eq!(f.amount("n").ok(), Rupiah::from_rupiah(25_000));
        assert!(f.required("e").is_err());
        assert!(f.required("missing").is_err());
        assert!(Fields::parse(b"{not json", None).is_err());
        assert!(Fields::parse(b"[1,2]", None).is_err());
        assert!(Fields::parse(b"\xff\xfe", None).is_err());
        let q = Fields::parse(b"", Some("month=2020-01&x=a%20b+c")).expect("ok");
        assert_eq!(q.text("month").as_deref(), Some("2020-01"));
        assert_eq!(q.text("x").as_deref(), Some("a b c"));
    }
}

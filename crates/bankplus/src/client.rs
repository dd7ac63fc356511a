//! The Bank+ H2H client: one typed async call per documented endpoint.
//!
//! Every call is a POST with a JSON body (`{}` when the document shows
//! none); `sessionid` after login and `sid` on the transaction endpoints,
//! exactly as documented. Replies go through [`crate::decode`], the same
//! functions tests use. Nothing is retried, ever: whether a call may be
//! repeated is the caller's decision, made from the [`Error`] kind.
//!
//! Logging (`tracing`, target `bankplus`): service, path, sid, HTTP status,
//! the reply's `code`, elapsed ms. Never a body, a PIN, a password or a
//! session id.

use std::io;
use std::time::{Duration, Instant};

use serde::Serialize;
use zeroize::Zeroizing;

use crate::decode;
use crate::domain::*;
use crate::error::Error;
use crate::secret::{Password, Pin, Session};
use crate::sid::Sid;
use crate::wire;

/// The largest reply body read from Bank+ or the switcher (4 MiB): far
/// above any documented reply (master lists included), far below what
/// could exhaust the terminal's memory.
pub const MAX_REPLY_BYTES: usize = 4 * 1024 * 1024;

/// Where Bank+ lives and how long to wait for it.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The origin, e.g. `https://apidev.bankplus.id` or `http://127.0.0.1:7221`;
    /// paths are `/bankplus/...` below it.
    pub base_url: String,
    /// How long to wait for a whole reply. A payment that outlives this is
    /// in doubt, so it should be generous.
    pub timeout: Duration,
    /// How long to wait for the connection itself (a failure here means nothing was sent).
    pub connect_timeout: Duration,
}

impl ClientConfig {
    /// Defaults: 30 s for a whole call, 5 s to connect.
    pub fn new(base_url: impl Into<String>) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// A successful login. `Debug` shows the session as `Session(***)`.
#[derive(Debug)]
pub struct Login {
    pub session: Session,
    pub profile: AgentProfile,
}

/// The five dashboards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dashboard {
    Bsa,
    Bill,
    Purchase,
    AgentGrowth,
    AgentSpread,
}

impl Dashboard {
    pub fn path(self) -> &'static str {
        match self {
            Dashboard::Bsa => "/bankplus/dashboard/bsa",
            Dashboard::Bill => "/bankplus/dashboard/bill",
            Dashboard::Purchase => "/bankplus/dashboard/purchase",
            Dashboard::AgentGrowth => "/bankplus/dashboard/agentGrowth",
            Dashboard::AgentSpread => "/bankplus/dashboard/agentSpread",
        }
    }
}

/// The four master lists behind the open-account form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MasterList {
    Jobs,
    Educations,
    Salaries,
    TransactionRanges,
}

impl MasterList {
    pub fn path(self) -> &'static str {
        match self {
            MasterList::Jobs => "/bankplus/master/jobs",
            MasterList::Educations => "/bankplus/master/educations",
            MasterList::Salaries => "/bankplus/master/salaries",
            MasterList::TransactionRanges => "/bankplus/master/transactions",
        }
    }
}

/// Counts the bytes a serialization would write, so the real buffer can be
/// allocated once at its final size.
struct Counter(usize);

impl io::Write for Counter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Serializes a request into a buffer that is wiped when dropped.
///
/// What is and is not zeroized:
/// - the buffer is sized exactly before writing (a first pass counts the
///   bytes), so it never reallocates and leaves no stray copy of a PIN or
///   password in freed memory; serde_json writes strings straight into it;
/// - the buffer is handed to reqwest *without copying* (see [`Wire::post`])
///   and is wiped when the HTTP stack drops the body after sending;
/// - not wiped: what hyper and the OS copy while writing (hyper's write
///   buffer, rustls plaintext and record buffers, kernel socket buffers),
///   and the caller's own text the [`Pin`]/[`Password`] was made from.
pub(crate) fn body_of<T: Serialize>(request: &T) -> Result<Zeroizing<Vec<u8>>, Error> {
    let cannot = |e: serde_json::Error| Error::BadInput {
        message: words::text!(
            "permintaan tidak bisa disusun ({e})",
            "the request cannot be written ({e})"
        ),
    };
    let mut size = Counter(0);
    serde_json::to_writer(&mut size, request).map_err(cannot)?;
    let mut buf = Zeroizing::new(Vec::with_capacity(size.0));
    serde_json::to_writer(&mut *buf, request).map_err(cannot)?;
    Ok(buf)
}

/// The empty body `{}` of endpoints the document shows without one.
fn empty_body() -> Zeroizing<Vec<u8>> {
    Zeroizing::new(b"{}".to_vec())
}

/// Which transaction reference a call carries, and how.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reference<'a> {
    /// None: login, dashboards, lists.
    None,
    /// Sent as the `sid` header (the Bank+ transaction endpoints).
    SidHeader(&'a Sid),
    /// Inside the body as `refnum` (the switcher): logged, not a header.
    InBody(&'a Sid),
}

impl<'a> Reference<'a> {
    fn sid(self) -> Option<&'a Sid> {
        match self {
            Reference::None => None,
            Reference::SidHeader(s) | Reference::InBody(s) => Some(s),
        }
    }
}

/// Why `url` may not be used as a server address, or `None` when it may.
/// It must be `https://`, or plain `http://` only to a loopback host (the
/// sandbox): otherwise PINs, passwords and tokens would cross the network
/// in clear. It must carry no user name or password (`https://user:pw@host`),
/// which would be copied into settings files and the append-only journal.
/// The message never repeats the address: it may hold a password.
pub fn server_url_problem(url: &str) -> Option<words::Text> {
    let Ok(parsed) = reqwest::Url::parse(url.trim()) else {
        return Some(words::text!(
            "alamat server tidak sah",
            "not a server address"
        ));
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Some(words::text!(
            "alamat server tidak boleh berisi nama pengguna atau password (user:pw@...); hapus bagian itu",
            "a server address must not contain a user name or password (user:pw@...); remove it"
        ));
    }
    let host = parsed.host_str().unwrap_or_default();
    if host.is_empty() {
        return Some(words::text!(
            "alamat server tanpa host",
            "the server address has no host"
        ));
    }
    match parsed.scheme() {
        "https" => None,
        "http" => {
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = bare.eq_ignore_ascii_case("localhost")
                || bare
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            (!loopback).then(|| {
                words::text!(
                    "http:// tanpa enkripsi hanya boleh ke komputer ini (127.0.0.1/localhost); untuk {host} pakai https://",
                    "plain http:// is allowed only to this computer (127.0.0.1/localhost); use https:// for {host}"
                )
            })
        }
        _ => Some(words::text!(
            "alamat server harus diawali https://",
            "a server address must start with https://"
        )),
    }
}

/// The shared HTTP plumbing of the Bank+ and switcher clients: one reqwest
/// client (one connection pool), a whole-call timeout, no redirects.
#[derive(Debug, Clone)]
pub(crate) struct Wire {
    http: reqwest::Client,
    base: String,
    /// `bankplus` or `switcher`, for the logs.
    service: &'static str,
}

impl Wire {
    pub(crate) fn new(
        service: &'static str,
        base_url: &str,
        timeout: Duration,
        connect_timeout: Duration,
    ) -> Result<Wire, Error> {
        let base = base_url.trim().trim_end_matches('/').to_owned();
        // Checked before anything else, and never echoed: the address may
        // carry a password.
        if let Some(why) = server_url_problem(&base) {
            return Err(Error::NotSent {
                reason: why.en().to_owned(),
            });
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(connect_timeout.min(timeout))
            // A redirect would re-send a PIN somewhere else; a 3xx is just
            // an unreadable reply.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::NotSent {
                reason: format!("cannot set up HTTP: {e}"),
            })?;
        Ok(Wire {
            http,
            base,
            service,
        })
    }

    /// Sends one POST and reads the reply with `read` (a [`crate::decode`]
    /// function). Exactly one attempt.
    pub(crate) async fn post<T>(
        &self,
        path: &str,
        session: Option<&Session>,
        reference: Reference<'_>,
        body: Zeroizing<Vec<u8>>,
        read: fn(u16, &[u8]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let started = Instant::now();
        let result = self.exchange(path, session, reference, body, read).await;
        let ms = started.elapsed().as_millis() as u64;
        let sid = reference.sid().map(Sid::as_str);
        match &result {
            Ok((status, _)) => tracing::info!(
                target: "bankplus",
                service = self.service,
                path,
                sid,
                status,
                code = "00",
                ms,
                "call answered"
            ),
            Err((Some(status), e)) => tracing::info!(
                target: "bankplus",
                service = self.service,
                path,
                sid,
                status,
                code = e.code(),
                ms,
                "call answered"
            ),
            Err((None, e)) => tracing::warn!(
                target: "bankplus",
                service = self.service,
                path,
                sid,
                code = e.code(),
                ms,
                error = %e,
                "call not answered"
            ),
        }
        result.map(|(_, t)| t).map_err(|(_, e)| e)
    }

    /// The call itself; the error side says whether an HTTP status came back.
    async fn exchange<T>(
        &self,
        path: &str,
        session: Option<&Session>,
        reference: Reference<'_>,
        body: Zeroizing<Vec<u8>>,
        read: fn(u16, &[u8]) -> Result<T, Error>,
    ) -> Result<(u16, T), (Option<u16>, Error)> {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if let Some(session) = session {
            request = request.header("sessionid", session_header(session).map_err(|e| (None, e))?);
        }
        if let Reference::SidHeader(sid) = reference {
            request = request.header("sid", sid.as_str());
        }
        // The wiping buffer itself becomes the body: no unwiped copy here.
        let request = request.body(bytes::Bytes::from_owner(body));
        // Crash points on both sides of the wire (debug builds only): a
        // process killed just before the request leaves, and one killed
        // with the reply in hand but not yet recorded.
        failpoint::hit_args(format_args!("net.{}{path}.before_send", self.service));
        let reply = request.send().await.map_err(|e| (None, classify(e)))?;
        let mut reply = reply;
        let status = reply.status().as_u16();
        // Read at most MAX_REPLY_BYTES: a server (or anything posing as one)
        // must not make the terminal buffer without end. A reply cut off
        // here is unreadable, not a refusal: a payment stays in doubt.
        let mut chunks = Vec::new();
        let mut total = 0usize;
        while let Some(chunk) = reply.chunk().await.map_err(|e| {
            (
                None,
                Error::OutcomeUnknown {
                    reason: format!("the reply was cut off after HTTP {status}: {}", causes(&e)),
                },
            )
        })? {
            total += chunk.len();
            if total > MAX_REPLY_BYTES {
                return Err((
                    Some(status),
                    Error::Malformed {
                        status,
                        detail: format!(
                            "the reply is larger than {} bytes and was not read",
                            MAX_REPLY_BYTES
                        ),
                    },
                ));
            }
            chunks.push(chunk);
        }
        // The login reply carries the session id: read it from a wiping
        // copy, allocated once at its final size.
        let mut bytes = Zeroizing::new(Vec::with_capacity(total));
        for chunk in &chunks {
            bytes.extend_from_slice(chunk);
        }
        drop(chunks);
        failpoint::hit_args(format_args!("net.{}{path}.after_reply", self.service));
        read(status, &bytes)
            .map(|t| (status, t))
            .map_err(|e| (Some(status), e))
    }
}

/// The `sessionid` header, marked sensitive (kept out of header `Debug`
/// output) and backed by a buffer that is wiped when the request is dropped.
fn session_header(session: &Session) -> Result<reqwest::header::HeaderValue, Error> {
    let bytes = bytes::Bytes::from_owner(Zeroizing::new(session.expose().as_bytes().to_vec()));
    let mut value =
        reqwest::header::HeaderValue::from_maybe_shared(bytes).map_err(|_| Error::BadInput {
            message: words::text!(
                "sesi tidak bisa dikirim; silakan masuk lagi",
                "the session cannot be sent; log in again"
            ),
        })?;
    value.set_sensitive(true);
    Ok(value)
}

/// An error and its causes on one line ("connection closed before message
/// completed"), without the URL.
fn causes(e: &reqwest::Error) -> String {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    reason
}

/// Sorts a transport error by whether the request can have reached the
/// server. Only a failure to connect or to build the request is "not sent";
/// anything later (a timeout while waiting, a connection reset or closed
/// without a reply) may come after the server acted, so it is unknown.
fn classify(e: reqwest::Error) -> Error {
    let not_sent = e.is_builder() || e.is_connect();
    let timed_out = e.is_timeout();
    let reason = causes(&e.without_url());
    if not_sent {
        Error::NotSent { reason }
    } else if timed_out {
        Error::OutcomeUnknown {
            reason: format!("timed out: {reason}"),
        }
    } else {
        Error::OutcomeUnknown { reason }
    }
}

/// The Bank+ client. Cheap to clone; one connection pool per client.
#[derive(Debug, Clone)]
pub struct BankplusClient {
    wire: Wire,
}

impl BankplusClient {
    /// Fails (as [`Error::NotSent`]) only on an unusable base URL.
    pub fn new(config: ClientConfig) -> Result<BankplusClient, Error> {
        Ok(BankplusClient {
            wire: Wire::new(
                "bankplus",
                &config.base_url,
                config.timeout,
                config.connect_timeout,
            )?,
        })
    }

    /// `users/auth`. A wrong username or password is [`Error::BadLogin`].
    pub async fn login(&self, username: &str, password: &Password) -> Result<Login, Error> {
        let body = body_of(&wire::AuthRequest {
            username,
            password: password.expose(),
        })?;
        self.wire
            .post(
                "/bankplus/users/auth",
                None,
                Reference::None,
                body,
                decode::login,
            )
            .await
    }

    /// `users/logout`.
    pub async fn logout(&self, session: &Session) -> Result<(), Error> {
        self.wire
            .post(
                "/bankplus/users/logout",
                Some(session),
                Reference::None,
                empty_body(),
                decode::nothing,
            )
            .await
    }

    /// One of the five dashboards, for a month (`YYYY-MM`, sent as `month`)
    /// or, without one, whatever the server defaults to. No data for the
    /// month is [`Error::NotFound`].
    pub async fn dashboard(
        &self,
        session: &Session,
        which: Dashboard,
        month: Option<&str>,
    ) -> Result<Vec<GraphPoint>, Error> {
        let month = month.map(str::trim);
        if let Some(m) = month {
            if !is_month(m) {
                return Err(Error::BadInput {
                    message: {
                        let m = money::preview(m);
                        words::text!(
                            "{m:?} bukan bulan (YYYY-MM)",
                            "{m:?} is not a month (YYYY-MM)"
                        )
                    },
                });
            }
        }
        let body = body_of(&wire::MonthRequest { month })?;
        self.wire
            .post(
                which.path(),
                Some(session),
                Reference::None,
                body,
                decode::graph,
            )
            .await
    }

    /// `wilayah/get`: the postal codes of a village. None known is [`Error::NotFound`].
    pub async fn postal_codes(
        &self,
        session: &Session,
        region: &Region,
    ) -> Result<Vec<String>, Error> {
        let body = body_of(&wire::WilayahRequest {
            propinsi: &region.province,
            jenis: &region.kind,
            kabupaten: &region.regency,
            kecamatan: &region.district,
            kelurahan: &region.village,
        })?;
        self.wire
            .post(
                "/bankplus/wilayah/get",
                Some(session),
                Reference::None,
                body,
                decode::postal_codes,
            )
            .await
    }

    /// `master/jobs`, `master/educations`, `master/salaries`, `master/transactions`.
    pub async fn master_list(
        &self,
        session: &Session,
        which: MasterList,
    ) -> Result<Vec<MasterItem>, Error> {
        self.wire
            .post(
                which.path(),
                Some(session),
                Reference::None,
                empty_body(),
                decode::master_list,
            )
            .await
    }

    /// `bank/list`.
    pub async fn banks(&self, session: &Session) -> Result<Vec<Bank>, Error> {
        self.wire
            .post(
                "/bankplus/bank/list",
                Some(session),
                Reference::None,
                empty_body(),
                decode::banks,
            )
            .await
    }

    /// `account/changepass`. A wrong old password is `Refused { code: "UPDATE_NONE" }`.
    pub async fn change_password(
        &self,
        session: &Session,
        old: &Password,
        new: &Password,
    ) -> Result<(), Error> {
        if new.is_empty() {
            return Err(Error::BadInput {
                message: words::text!("password baru kosong", "the new password is empty"),
            });
        }
        let body = body_of(&wire::ChangePasswordRequest {
            old: old.expose(),
            new: new.expose(),
        })?;
        self.wire
            .post(
                "/bankplus/account/changepass",
                Some(session),
                Reference::None,
                body,
                decode::nothing,
            )
            .await
    }

    /// `bsa/checkAccount`: whose account this is.
    pub async fn check_account(
        &self,
        session: &Session,
        sid: &Sid,
        account: &str,
    ) -> Result<AccountInfo, Error> {
        let body = body_of(&wire::CheckAccountRequest {
            account_num: account_number(account)?,
        })?;
        self.wire
            .post(
                "/bankplus/bsa/checkAccount",
                Some(session),
                Reference::SidHeader(sid),
                body,
                decode::account,
            )
            .await
    }

    /// `bsa/customerbalance`, with the customer's PIN (`pin_platform`).
    pub async fn customer_balance(
        &self,
        session: &Session,
        sid: &Sid,
        account: &str,
        customer_pin: &Pin,
    ) -> Result<AccountInfo, Error> {
        let body = body_of(&wire::CustomerBalanceRequest {
            pin_platform: customer_pin.expose(),
            account_num: account_number(account)?,
        })?;
        self.wire
            .post(
                "/bankplus/bsa/customerbalance",
                Some(session),
                Reference::SidHeader(sid),
                body,
                decode::account,
            )
            .await
    }

    /// `account/balance`: the agent's own account.
    pub async fn agent_balance(&self, session: &Session, sid: &Sid) -> Result<AccountInfo, Error> {
        self.wire
            .post(
                "/bankplus/account/balance",
                Some(session),
                Reference::SidHeader(sid),
                empty_body(),
                decode::account,
            )
            .await
    }

    /// `bsa/openAccount`, with the agent's PIN (`pin_transaksi`). Moves the
    /// first deposit: [`Error::OutcomeUnknown`] and [`Error::Malformed`]
    /// leave it in doubt.
    pub async fn open_account(
        &self,
        session: &Session,
        sid: &Sid,
        form: &OpenAccountForm,
        agent_pin: &Pin,
    ) -> Result<OpenedAccount, Error> {
        let body = open_account_body(form, agent_pin)?;
        self.wire
            .post(
                "/bankplus/bsa/openAccount",
                Some(session),
                Reference::SidHeader(sid),
                body,
                decode::opened_account,
            )
            .await
    }

    /// `bsa/depositAccount`, with the agent's PIN (`pin_transaksi`). Moves
    /// money: [`Error::OutcomeUnknown`] and [`Error::Malformed`] leave it in doubt.
    pub async fn deposit(
        &self,
        session: &Session,
        sid: &Sid,
        order: &DepositOrder,
        agent_pin: &Pin,
    ) -> Result<DepositDone, Error> {
        let body = deposit_body(order, agent_pin)?;
        self.wire
            .post(
                "/bankplus/bsa/depositAccount",
                Some(session),
                Reference::SidHeader(sid),
                body,
                decode::deposit,
            )
            .await
    }

    /// `bsa/transfer/intrabank/inquiry`: the destination's name and the fee.
    pub async fn intrabank_inquiry(
        &self,
        session: &Session,
        sid: &Sid,
        account: &str,
    ) -> Result<TransferQuote, Error> {
        let body = body_of(&wire::IntrabankInquiryRequest {
            account_number: account_number(account)?,
        })?;
        self.wire
            .post(
                "/bankplus/bsa/transfer/intrabank/inquiry",
                Some(session),
                Reference::SidHeader(sid),
                body,
                decode::transfer_quote,
            )
            .await
    }

    /// `bsa/transfer/intrabank/payment`, with the agent's PIN (`pin`). Moves
    /// money: [`Error::OutcomeUnknown`] and [`Error::Malformed`] leave it in doubt.
    pub async fn intrabank_payment(
        &self,
        session: &Session,
        sid: &Sid,
        order: &TransferOrder,
        agent_pin: &Pin,
    ) -> Result<TransferDone, Error> {
        let body = intrabank_payment_body(order, agent_pin)?;
        self.wire
            .post(
                "/bankplus/bsa/transfer/intrabank/payment",
                Some(session),
                Reference::SidHeader(sid),
                body,
                decode::transfer_done,
            )
            .await
    }

    /// `bsa/transfer/interbank/inquiry`: the destination's name, the fee and
    /// the `transaction_id` the payment must quote.
    pub async fn interbank_inquiry(
        &self,
        session: &Session,
        sid: &Sid,
        bank_code: &str,
        account: &str,
    ) -> Result<TransferQuote, Error> {
        let body = body_of(&wire::InterbankInquiryRequest {
            bank_code: non_blank("bank_code", bank_code)?,
            account_number: account_number(account)?,
        })?;
        self.wire
            .post(
                "/bankplus/bsa/transfer/interbank/inquiry",
                Some(session),
                Reference::SidHeader(sid),
                body,
                decode::transfer_quote,
            )
            .await
    }

    /// `bsa/transfer/interbank/payment`, with the agent's PIN (`pin`). The
    /// bank charges what it decides; the reply's `admin_fee`/`total` say
    /// what (the document's own sample pays `admin_fee: 0` after a 6500
    /// quote). Moves money: [`Error::OutcomeUnknown`] and
    /// [`Error::Malformed`] leave it in doubt.
    pub async fn interbank_payment(
        &self,
        session: &Session,
        sid: &Sid,
        order: &TransferOrder,
        agent_pin: &Pin,
    ) -> Result<TransferDone, Error> {
        let body = interbank_payment_body(order, agent_pin)?;
        self.wire
            .post(
                "/bankplus/bsa/transfer/interbank/payment",
                Some(session),
                Reference::SidHeader(sid),
                body,
                decode::transfer_done,
            )
            .await
    }
}

/// The `OpenAccountRequest` body, built the moment it is sent.
pub(crate) fn open_account_body(
    form: &OpenAccountForm,
    agent_pin: &Pin,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let deposit = money::Rupiah::parse_input(&form.deposit).map_err(|e| Error::BadInput {
        message: words::text!("setoran awal: {e}", "first deposit: {e}"; e),
    })?;
    if deposit.is_negative() {
        return Err(Error::BadInput {
            message: words::text!(
                "setoran awal tidak boleh negatif ({deposit})",
                "the first deposit cannot be negative ({deposit})"
            ),
        });
    }
    body_of(&wire::OpenAccountRequest {
        pin_transaksi: agent_pin.expose(),
        name: &form.name,
        email: &form.email,
        mother_name: &form.mother_name,
        profession: &form.profession,
        last_education: &form.last_education,
        status_nikah: &form.status_nikah,
        pob: &form.pob,
        dob: &form.dob,
        ktp: &form.ktp,
        gender: &form.gender,
        address: &form.address,
        rt: &form.rt,
        rw: &form.rw,
        zip_code: &form.zip_code,
        kelurahan: &form.kelurahan,
        kecamatan: &form.kecamatan,
        city: &form.city,
        state: &form.state,
        hp: &form.hp,
        phone: &form.phone,
        income: &form.income,
        jumlah_transaksi: &form.jumlah_transaksi,
        deposit: whole(deposit)?.to_string(),
        image: wire::OpenAccountImages {
            ktp: &form.image_ktp,
            foto: &form.image_foto,
        },
    })
}

/// The `DepositRequest` body, built the moment it is sent.
pub(crate) fn deposit_body(
    order: &DepositOrder,
    agent_pin: &Pin,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    positive(order.amount)?;
    body_of(&wire::DepositRequest {
        to_account: account_number(&order.to_account)?,
        name: &order.name,
        amount: whole(order.amount)?.to_string(),
        narration: &order.narration,
        pin_transaksi: agent_pin.expose(),
    })
}

/// The `IntrabankPaymentRequest` body, built the moment it is sent.
pub(crate) fn intrabank_payment_body(
    order: &TransferOrder,
    agent_pin: &Pin,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    positive(order.amount)?;
    body_of(&wire::IntrabankPaymentRequest {
        account_number: account_number(&order.account_number)?,
        account_name: &order.account_name,
        amount: whole(order.amount)?,
        admin_fee: fee(order.admin_fee)?,
        pin: agent_pin.expose(),
    })
}

/// The `InterbankPaymentRequest` body, built the moment it is sent.
pub(crate) fn interbank_payment_body(
    order: &TransferOrder,
    agent_pin: &Pin,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    positive(order.amount)?;
    let missing = |what: &str| Error::BadInput {
        message: words::text!(
            "transfer antarbank perlu `{what}` dari inquiry",
            "an interbank transfer needs the inquiry's `{what}`"
        ),
    };
    body_of(&wire::InterbankPaymentRequest {
        transaction_id: non_blank(
            "transaction_id",
            order
                .transaction_id
                .as_deref()
                .ok_or_else(|| missing("transaction_id"))?,
        )?,
        bank_code: non_blank(
            "bank code",
            order
                .bank_code
                .as_deref()
                .ok_or_else(|| missing("bank_code"))?,
        )?,
        bank_name: order.bank_name.as_deref().unwrap_or_default(),
        account_number: account_number(&order.account_number)?,
        account_name: &order.account_name,
        amount: whole(order.amount)?,
        admin_fee: fee(order.admin_fee)?,
        pin: agent_pin.expose(),
    })
}

/// `YYYY-MM` with a real month.
fn is_month(m: &str) -> bool {
    let b = m.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!(
            &m[5..],
            "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12"
        )
}

pub(crate) fn non_blank<'a>(what: &str, text: &'a str) -> Result<&'a str, Error> {
    let t = text.trim();
    if t.is_empty() {
        Err(Error::BadInput {
            message: words::text!("`{what}` kosong", "`{what}` is empty"),
        })
    } else {
        Ok(t)
    }
}

/// Account numbers are digits; anything else is refused before sending.
pub(crate) fn account_number(text: &str) -> Result<&str, Error> {
    let t = text.trim();
    if t.is_empty() || t.len() > 20 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::BadInput {
            message: words::text!(
                "{t:?} bukan nomor rekening (hanya angka)",
                "{t:?} is not an account number (digits only)"
            ),
        });
    }
    Ok(t)
}

/// Transfer and deposit amounts travel as whole rupiah.
pub(crate) fn whole(amount: money::Rupiah) -> Result<i64, Error> {
    amount.whole_rupiah().ok_or_else(|| Error::BadInput {
        message: words::text!(
            "{amount} bersen; Bank+ hanya menerima rupiah utuh",
            "{amount} has sen; Bank+ takes whole rupiah"
        ),
    })
}

/// A fee is never negative; a negative one would be a refund in disguise.
fn fee(amount: money::Rupiah) -> Result<i64, Error> {
    if amount.is_negative() {
        return Err(Error::BadInput {
            message: words::text!(
                "biaya admin tidak boleh negatif ({amount})",
                "the admin fee cannot be negative ({amount})"
            ),
        });
    }
    whole(amount)
}

fn positive(amount: money::Rupiah) -> Result<(), Error> {
    if amount.is_positive() {
        Ok(())
    } else {
        Err(Error::BadInput {
            message: words::text!(
                "nominal harus lebih dari Rp0, bukan {amount}",
                "the amount must be more than Rp0, not {amount}"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    //! The bodies as sent, compared with the document's request samples.

    use serde_json::{json, Value};

    use super::*;
    use crate::SwitcherClient;

    fn sent(body: Result<Zeroizing<Vec<u8>>, Error>) -> Value {
        let body = body.unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn pin() -> Pin {
        Pin::new("359569").unwrap()
    }

    fn rp(r: i64) -> money::Rupiah {
        money::Rupiah::from_rupiah(r).unwrap()
    }

    #[test]
    fn the_buffer_is_written_once_at_its_final_size() {
        let body = body_of(&wire::AuthRequest {
            username: "BNIUS100294",
            password: "T6jkl4ss",
        })
        .unwrap();
        assert_eq!(
            body.len(),
            body.capacity(),
            "no reallocation, no spare copy"
        );
        assert_eq!(
            &body[..],
            br#"{"username":"BNIUS100294","password":"T6jkl4ss"}"#
        );
        assert_eq!(&empty_body()[..], b"{}");
    }

    #[test]
    fn login_password_and_lookup_bodies() {
        assert_eq!(
            sent(body_of(&wire::AuthRequest {
                username: "BNIUS100294",
                password: Password::new("T6jkl4ss").expose(),
            })),
            json!({"username": "BNIUS100294", "password": "T6jkl4ss"})
        );
        assert_eq!(
            sent(body_of(&wire::ChangePasswordRequest {
                old: "T6jkl4ss",
                new: "T6jkl4s1"
            })),
            json!({"old": "T6jkl4ss", "new": "T6jkl4s1"})
        );
        assert_eq!(
            sent(body_of(&wire::MonthRequest {
                month: Some("2020-01")
            })),
            json!({"month": "2020-01"})
        );
        assert_eq!(
            sent(body_of(&wire::MonthRequest { month: None })),
            json!({})
        );
        assert_eq!(
            sent(body_of(&wire::WilayahRequest {
                propinsi: "DKI Jakarta",
                jenis: "Kota",
                kabupaten: "Jakarta Pusat",
                kecamatan: "Gambir",
                kelurahan: "Gambir",
            })),
            json!({"propinsi": "DKI Jakarta", "jenis": "Kota", "kabupaten": "Jakarta Pusat", "kecamatan": "Gambir", "kelurahan": "Gambir"})
        );
        assert_eq!(
            sent(body_of(&wire::CheckAccountRequest {
                account_num: "4447"
            })),
            json!({"accountNum": "4447"})
        );
        assert_eq!(
            sent(body_of(&wire::CustomerBalanceRequest {
                pin_platform: pin().expose(),
                account_num: "4447"
            })),
            json!({"pin_platform": "359569", "accountNum": "4447"})
        );
        assert_eq!(
            sent(body_of(&wire::IntrabankInquiryRequest {
                account_number: "4447"
            })),
            json!({"account_number": "4447"})
        );
        assert_eq!(
            sent(body_of(&wire::InterbankInquiryRequest {
                bank_code: "008",
                account_number: "114451186"
            })),
            json!({"bank_code": "008", "account_number": "114451186"})
        );
    }

    #[test]
    fn open_account_body_is_the_documented_sample() {
        let form = OpenAccountForm {
            name: "gabymars yofie".into(),
            email: "gaby@email.com".into(),
            mother_name: "mamih".into(),
            profession: "karyawan swasta".into(),
            last_education: "sma".into(),
            status_nikah: "Lajang".into(),
            pob: "sby".into(),
            dob: "1997-08-01".into(),
            ktp: "12345678900876".into(),
            gender: "l".into(),
            address: "waru".into(),
            rt: "022".into(),
            rw: "001".into(),
            zip_code: "12345".into(),
            kelurahan: "waru".into(),
            kecamatan: "waru".into(),
            city: "sidoarjo".into(),
            state: "jatim".into(),
            hp: "08998321234".into(),
            phone: "0319909221".into(),
            income: "1".into(),
            jumlah_transaksi: "1".into(),
            deposit: "100000".into(),
            image_ktp: "pendaftaran/LMG_1234123412341234_KTP_20181005221057.jpg".into(),
            image_foto: "pendaftaran/LMG_1234123412341234_20181005221057.png".into(),
        };
        let sample: Value = serde_json::from_str(
            r#"{
"pin_transaksi": "359569",
"name":"gabymars yofie",
"email": "gaby@email.com",
"mother_name":"mamih",
"profession": "karyawan swasta",
"last_education": "sma",
"status_nikah" : "Lajang",
"pob": "sby",
"dob": "1997-08-01",
"ktp": "12345678900876",
"gender": "l",
"address": "waru",
"rt": "022",
"rw": "001",
"zip_code": "12345",
"kelurahan": "waru",
"kecamatan": "waru",
"city": "sidoarjo",
"state": "jatim",
"hp": "08998321234",
"phone": "0319909221",
"income":"1",
"jumlah_transaksi": "1",
"deposit": "100000",
"image": {
"ktp": "pendaftaran/LMG_1234123412341234_KTP_20181005221057.jpg",
"foto": "pendaftaran/LMG_1234123412341234_20181005221057.png"
}
}"#,
        )
        .unwrap();
        assert_eq!(sent(open_account_body(&form, &pin())), sample);
        let typed = OpenAccountForm {
            deposit: "Rp100.000".into(),
            ..form.clone()
        };
        assert_eq!(sent(open_account_body(&typed, &pin()))["deposit"], "100000");
        let sen = OpenAccountForm {
            deposit: "100000,50".into(),
            ..form
        };
        assert!(matches!(
            open_account_body(&sen, &pin()),
            Err(Error::BadInput { .. })
        ));
    }

    #[test]
    fn deposit_body_is_the_documented_sample() {
        let order = DepositOrder {
            to_account: "14047".into(),
            name: "ardha".into(),
            amount: rp(25_000),
            narration: "test".into(),
        };
        assert_eq!(
            sent(deposit_body(&order, &pin())),
            json!({"toAccount": "14047", "name": "ardha", "amount": "25000", "narration": "test", "pin_transaksi": "359569"})
        );
        let nothing = DepositOrder {
            amount: money::Rupiah::ZERO,
            ..order.clone()
        };
        assert!(matches!(
            deposit_body(&nothing, &pin()),
            Err(Error::BadInput { .. })
        ));
        let with_sen = DepositOrder {
            amount: money::Rupiah::from_sen(2_500_050),
            ..order.clone()
        };
        assert!(matches!(
            deposit_body(&with_sen, &pin()),
            Err(Error::BadInput { .. })
        ));
        let bad_account = DepositOrder {
            to_account: "14O47".into(),
            ..order
        };
        assert!(matches!(
            deposit_body(&bad_account, &pin()),
            Err(Error::BadInput { .. })
        ));
    }

    #[test]
    fn transfer_bodies_are_the_documented_samples() {
        let intrabank = TransferOrder {
            account_number: "4447".into(),
            account_name: "ARDHA HERDIANTO".into(),
            amount: rp(50_000),
            admin_fee: rp(1_000),
            bank_code: None,
            bank_name: None,
            transaction_id: None,
        };
        assert_eq!(
            sent(intrabank_payment_body(&intrabank, &pin())),
            json!({"account_number": "4447", "account_name": "ARDHA HERDIANTO", "amount": 50000, "admin_fee": 1000, "pin": "359569"})
        );
        let interbank = TransferOrder {
            account_number: "114451186".into(),
            account_name: "Ardha Herdianto".into(),
            amount: rp(10_000),
            admin_fee: money::Rupiah::ZERO,
            bank_code: Some("008".into()),
            bank_name: Some("MANDRI".into()),
            transaction_id: Some("787273972".into()),
        };
        assert_eq!(
            sent(interbank_payment_body(&interbank, &pin())),
            json!({"transaction_id": "787273972", "bank_code": "008", "bank_name": "MANDRI", "account_number": "114451186", "account_name": "Ardha Herdianto", "amount": 10000, "admin_fee": 0, "pin": "359569"})
        );
        let no_quote = TransferOrder {
            transaction_id: None,
            ..interbank.clone()
        };
        assert!(matches!(
            interbank_payment_body(&no_quote, &pin()),
            Err(Error::BadInput { .. })
        ));
        let refund = TransferOrder {
            admin_fee: money::Rupiah::from_rupiah(-1).unwrap(),
            ..interbank
        };
        assert!(matches!(
            interbank_payment_body(&refund, &pin()),
            Err(Error::BadInput { .. })
        ));
    }

    #[test]
    fn switcher_bodies_are_the_documented_samples() {
        assert_eq!(
            sent(body_of(&wire::SwitcherInquiryRequest {
                refnum: "2006041538496600",
                bank: "BRINIDJA",
                account: "888801000003301"
            })),
            json!({"refnum": "2006041538496600", "bank": "BRINIDJA", "account": "888801000003301"})
        );
        assert_eq!(
            sent(body_of(&wire::SwitcherTransferRequest {
                refnum: "2006051013592980",
                payment_code: "49d9e746267815261ccb61b83c4868a9",
                source_bank: "BRINIDJA",
                source_account: "888801000157508",
                amount: 1000,
                remark: "Narration Test",
            })),
            json!({"refnum": "2006051013592980", "paymentCode": "49d9e746267815261ccb61b83c4868a9", "sourceBank": "BRINIDJA", "sourceAccount": "888801000157508", "amount": 1000, "remark": "Narration Test"})
        );
        assert_eq!(
            sent(body_of(&wire::SwitcherReversalRequest {
                refnum: "2004212225543790",
                refnum_target: "2004211931426110",
                journal: "1001"
            })),
            json!({"refnum": "2004212225543790", "refnumTarget": "2004211931426110", "journal": "1001"})
        );
        assert_eq!(
            sent(body_of(&wire::SwitcherCheckRequest {
                refnum: "2004211931426110"
            })),
            json!({"refnum": "2004211931426110"})
        );
    }

    #[test]
    fn months_and_addresses() {
        assert!(is_month("2020-01") && is_month("2020-12"));
        for bad in [
            "2020-13", "2020-00", "2020-1", "202001", "2020/01", "20a0-01", "",
        ] {
            assert!(!is_month(bad), "{bad:?}");
        }
        for bad in ["", "127.0.0.1:4567", "ftp://x", "http://", "localhost:4567"] {
            assert!(
                matches!(
                    BankplusClient::new(ClientConfig::new(bad)),
                    Err(Error::NotSent { .. })
                ),
                "{bad:?}"
            );
        }
        assert!(BankplusClient::new(ClientConfig::new("http://127.0.0.1:4567/")).is_ok());
        assert!(BankplusClient::new(ClientConfig::new("https://apidev.bankplus.id")).is_ok());
        assert!(
            SwitcherClient::new("https://192.168.172.15:7221", Duration::from_secs(30)).is_ok()
        );
        assert!(BankplusClient::new(ClientConfig::new("http://[::1]:4567")).is_ok());
        assert!(BankplusClient::new(ClientConfig::new("http://localhost:4567")).is_ok());
        // Plain http to another host would carry PINs in clear; credentials
        // in the address would be stored; neither is echoed back.
        for bad in [
            "http://192.168.172.15:7221",
            "http://apidev.bankplus.id",
            "http://127.0.0.1.evil.example",
            "https://user:pw-9f3c@apidev.bankplus.id",
            "http://user:pw-9f3c@127.0.0.1:4567",
            "https://:pw-9f3c@apidev.bankplus.id",
        ] {
            let e = BankplusClient::new(ClientConfig::new(bad)).unwrap_err();
            assert!(matches!(e, Error::NotSent { .. }), "{bad}: {e:?}");
            assert!(!e.to_string().contains("pw-9f3c"), "{e}");
            assert!(
                SwitcherClient::new(bad, Duration::from_secs(30)).is_err(),
                "{bad}"
            );
        }
    }

    #[tokio::test]
    async fn a_refused_connection_is_not_sent() {
        // Bind, learn the port, close: nothing listens there.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let client = BankplusClient::new(ClientConfig::new(format!("http://{addr}"))).unwrap();
        let e = client
            .login("BNIUS100294", &Password::new("T6jkl4ss"))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::NotSent { .. }), "{e:?}");
        assert!(e.nothing_sent() && e.outcome_known());
    }

    #[tokio::test]
    async fn a_connection_closed_without_a_reply_is_outcome_unknown() {
        // A peer that reads the request and hangs up without answering: the
        // bank may have acted on it.
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = vec![0_u8; 4096];
            let _ = socket.read(&mut buf).await;
            drop(socket);
        });
        let client = BankplusClient::new(ClientConfig::new(format!("http://{addr}"))).unwrap();
        let session = Session::new("s".repeat(80));
        let sid = Sid::parse("2004211931426110").unwrap();
        let order = DepositOrder {
            to_account: "14047".into(),
            name: "ardha".into(),
            amount: rp(25_000),
            narration: "test".into(),
        };
        let e = client
            .deposit(&session, &sid, &order, &pin())
            .await
            .unwrap_err();
        assert!(matches!(e, Error::OutcomeUnknown { .. }), "{e:?}");
        assert!(!e.outcome_known());
        peer.await.unwrap();
    }

    #[tokio::test]
    async fn an_oversized_reply_to_a_payment_is_unread_and_in_doubt() {
        // A peer that answers a deposit with a body larger than the cap
        // (well-formed JSON start, endless padding): not read to the end,
        // and not a refusal, since the bank may have booked it.
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = vec![0_u8; 4096];
            let _ = socket.read(&mut buf).await;
            let len = MAX_REPLY_BYTES + 1024;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n{{\"code\":\"00\","
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let pad = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < len {
                if socket.write_all(&pad).await.is_err() {
                    break;
                }
                sent += pad.len();
            }
        });
        let client = BankplusClient::new(ClientConfig::new(format!("http://{addr}"))).unwrap();
        let session = Session::new("s".repeat(80));
        let sid = Sid::parse("2004211931426110").unwrap();
        let order = DepositOrder {
            to_account: "14047".into(),
            name: "ardha".into(),
            amount: rp(25_000),
            narration: "test".into(),
        };
        let e = client
            .deposit(&session, &sid, &order, &pin())
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Malformed { status: 200, ref detail } if detail.contains("larger than")),
            "{e:?}"
        );
        assert!(!e.outcome_known() && !e.nothing_sent());
        peer.abort();
    }

    #[tokio::test]
    async fn a_reply_slower_than_the_timeout_is_outcome_unknown() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_millis(800)).await;
            drop(socket);
        });
        let mut config = ClientConfig::new(format!("http://{addr}"));
        config.timeout = Duration::from_millis(200);
        let switcher = SwitcherClient::with_config(config).unwrap();
        let e = switcher
            .check(&Sid::parse("2004211931426110").unwrap())
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::OutcomeUnknown { ref reason } if reason.starts_with("timed out")),
            "{e:?}"
        );
        peer.await.unwrap();
    }
}

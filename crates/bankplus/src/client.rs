//! The Bank+ H2H client: one typed async call per documented endpoint.
//!
//! Every call is a POST with a JSON body; `sessionid` after login and `sid`
//! on transaction endpoints, exactly as documented. Nothing is retried:
//! whether a call may be repeated is the caller's decision, made from the
//! [`Error`] kind.

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::decode::{decode, Envelope};
use crate::domain::*;
use crate::error::Error;
use crate::secret::{Password, Pin, Session};
use crate::sid::Sid;
use crate::wire;

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
    pub fn new(base_url: impl Into<String>) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// A successful login.
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

/// Serializes a request into a buffer that is wiped when dropped, sized up
/// front so it never reallocates (a reallocation would leave a copy of a PIN
/// behind in freed memory). The bytes handed to reqwest are a copy that the
/// HTTP stack frees, unwiped, after writing; that copy lives only for the
/// duration of the request.
pub(crate) fn body_of<T: Serialize>(request: &T) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut buf = Zeroizing::new(Vec::with_capacity(8192));
    serde_json::to_writer(&mut *buf, request).map_err(|e| Error::BadInput {
        message: format!("the request cannot be written: {e}"),
    })?;
    Ok(buf)
}

/// The shared HTTP plumbing of the Bank+ and switcher clients.
#[derive(Debug, Clone)]
pub(crate) struct Wire {
    http: reqwest::Client,
    base: String,
}

impl Wire {
    pub(crate) fn new(
        base_url: &str,
        timeout: Duration,
        connect_timeout: Duration,
    ) -> Result<Wire, Error> {
        let base = base_url.trim().trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base).map_err(|e| Error::NotSent {
            reason: format!("{base:?} is not a server address: {e}"),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::NotSent {
                reason: format!("{base:?} is not an http(s) address"),
            });
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::NotSent {
                reason: format!("cannot set up HTTP: {e}"),
            })?;
        Ok(Wire { http, base })
    }

    pub(crate) async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        session: Option<&Session>,
        sid: Option<&Sid>,
        body: Zeroizing<Vec<u8>>,
    ) -> Result<Envelope<T>, Error> {
        let started = Instant::now();
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json");
        if let Some(session) = session {
            request = request.header("sessionid", session.expose());
        }
        if let Some(sid) = sid {
            request = request.header("sid", sid.as_str());
        }
        let request = request.body(body.to_vec());
        drop(body);
        let reply = request.send().await.map_err(classify)?;
        let status = reply.status().as_u16();
        let bytes = reply.bytes().await.map_err(|e| Error::OutcomeUnknown {
            reason: format!("the reply was cut off: {e}"),
        })?;
        let decoded = decode::<T>(status, &bytes);
        tracing::info!(
            path,
            sid = sid.map(Sid::as_str),
            status,
            code = match &decoded {
                Ok(_) => "00",
                Err(e) => e.code(),
            },
            ms = started.elapsed().as_millis() as u64,
            "bankplus call"
        );
        decoded
    }
}

/// Sorts a transport error by whether the request can have reached the server.
fn classify(e: reqwest::Error) -> Error {
    let not_sent = e.is_builder() || e.is_connect();
    let timed_out = e.is_timeout();
    // The URL is left out; the cause chain says what actually happened
    // ("connection closed before message completed").
    let e = e.without_url();
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
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
    pub fn new(config: ClientConfig) -> Result<BankplusClient, Error> {
        Ok(BankplusClient {
            wire: Wire::new(&config.base_url, config.timeout, config.connect_timeout)?,
        })
    }

    /// `users/auth`.
    pub async fn login(&self, username: &str, password: &Password) -> Result<Login, Error> {
        let body = body_of(&wire::AuthRequest {
            username,
            password: password.expose(),
        })?;
        let reply: Envelope<wire::LoginData> = self
            .wire
            .post("/bankplus/users/auth", None, None, body)
            .await?;
        let session =
            reply
                .session_id
                .filter(|s| !s.is_empty())
                .ok_or_else(|| Error::Malformed {
                    status: 200,
                    detail: "login reply without session_id".into(),
                })?;
        Ok(Login {
            session: Session::new(session),
            profile: AgentProfile::from_wire(reply.data)?,
        })
    }

    /// `users/logout`.
    pub async fn logout(&self, session: &Session) -> Result<(), Error> {
        let body = body_of(&serde_json::json!({}))?;
        self.wire
            .post::<serde_json::Value>("/bankplus/users/logout", Some(session), None, body)
            .await
            .map(|_| ())
    }

    /// One of the five dashboards, for a month (`YYYY-MM`) or the current one.
    pub async fn dashboard(
        &self,
        session: &Session,
        which: Dashboard,
        month: Option<&str>,
    ) -> Result<Vec<GraphPoint>, Error> {
        if let Some(m) = month {
            let ok = m.len() == 7
                && m.as_bytes()[4] == b'-'
                && m.bytes()
                    .enumerate()
                    .all(|(i, b)| i == 4 || b.is_ascii_digit());
            if !ok {
                return Err(Error::BadInput {
                    message: format!("{m:?} is not a month (YYYY-MM)"),
                });
            }
        }
        let body = body_of(&wire::MonthRequest { month })?;
        let reply: Envelope<Vec<wire::GraphItem>> = self
            .wire
            .post(which.path(), Some(session), None, body)
            .await?;
        reply.data.into_iter().map(GraphPoint::from_wire).collect()
    }

    /// `wilayah/get`: the postal codes of a village.
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
        let reply: Envelope<Vec<wire::PostalCode>> = self
            .wire
            .post("/bankplus/wilayah/get", Some(session), None, body)
            .await?;
        Ok(reply.data.into_iter().map(|p| p.kodepos).collect())
    }

    /// `master/jobs`, `master/educations`, `master/salaries`, `master/transactions`.
    pub async fn master_list(
        &self,
        session: &Session,
        which: MasterList,
    ) -> Result<Vec<MasterItem>, Error> {
        let body = body_of(&serde_json::json!({}))?;
        let reply: Envelope<Vec<wire::MasterItem>> = self
            .wire
            .post(which.path(), Some(session), None, body)
            .await?;
        Ok(reply
            .data
            .into_iter()
            .map(|m| MasterItem {
                id: m.id,
                name: m.name,
            })
            .collect())
    }

    /// `bank/list`.
    pub async fn banks(&self, session: &Session) -> Result<Vec<Bank>, Error> {
        let body = body_of(&serde_json::json!({}))?;
        let reply: Envelope<Vec<wire::BankItem>> = self
            .wire
            .post("/bankplus/bank/list", Some(session), None, body)
            .await?;
        Ok(reply
            .data
            .into_iter()
            .map(|b| Bank {
                code: b.bank_code,
                name: b.bank_name,
            })
            .collect())
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
                message: "the new password is empty".into(),
            });
        }
        let body = body_of(&wire::ChangePasswordRequest {
            old: old.expose(),
            new: new.expose(),
        })?;
        self.wire
            .post::<serde_json::Value>("/bankplus/account/changepass", Some(session), None, body)
            .await
            .map(|_| ())
    }

    /// `bsa/checkAccount`.
    pub async fn check_account(
        &self,
        session: &Session,
        sid: &Sid,
        account: &str,
    ) -> Result<AccountInfo, Error> {
        let body = body_of(&wire::CheckAccountRequest {
            account_num: account_number(account)?,
        })?;
        let reply: Envelope<wire::AccountData> = self
            .wire
            .post("/bankplus/bsa/checkAccount", Some(session), Some(sid), body)
            .await?;
        AccountInfo::from_wire(reply.data, reply.agent)
    }

    /// `bsa/customerbalance`, with the customer's PIN.
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
        let reply: Envelope<wire::AccountData> = self
            .wire
            .post(
                "/bankplus/bsa/customerbalance",
                Some(session),
                Some(sid),
                body,
            )
            .await?;
        AccountInfo::from_wire(reply.data, reply.agent)
    }

    /// `account/balance`: the agent's own account.
    pub async fn agent_balance(&self, session: &Session, sid: &Sid) -> Result<AccountInfo, Error> {
        let body = body_of(&serde_json::json!({}))?;
        let reply: Envelope<wire::AccountData> = self
            .wire
            .post("/bankplus/account/balance", Some(session), Some(sid), body)
            .await?;
        AccountInfo::from_wire(reply.data, reply.agent)
    }

    /// `bsa/openAccount`, with the agent's PIN. Moves the first deposit.
    pub async fn open_account(
        &self,
        session: &Session,
        sid: &Sid,
        form: &OpenAccountForm,
        agent_pin: &Pin,
    ) -> Result<OpenedAccount, Error> {
        let deposit = money::Rupiah::parse_input(&form.deposit).map_err(|e| Error::BadInput {
            message: format!("first deposit: {e}"),
        })?;
        let body = body_of(&wire::OpenAccountRequest {
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
        })?;
        let reply: Envelope<wire::OpenAccountData> = self
            .wire
            .post("/bankplus/bsa/openAccount", Some(session), Some(sid), body)
            .await?;
        OpenedAccount::from_wire(reply.data, reply.agent)
    }

    /// `bsa/depositAccount`, with the agent's PIN.
    pub async fn deposit(
        &self,
        session: &Session,
        sid: &Sid,
        order: &DepositOrder,
        agent_pin: &Pin,
    ) -> Result<DepositDone, Error> {
        positive(order.amount)?;
        let body = body_of(&wire::DepositRequest {
            to_account: account_number(&order.to_account)?,
            name: &order.name,
            amount: whole(order.amount)?.to_string(),
            narration: &order.narration,
            pin_transaksi: agent_pin.expose(),
        })?;
        let reply: Envelope<wire::DepositData> = self
            .wire
            .post(
                "/bankplus/bsa/depositAccount",
                Some(session),
                Some(sid),
                body,
            )
            .await?;
        DepositDone::from_wire(reply.data, reply.message, reply.agent)
    }

    /// `bsa/transfer/intrabank/inquiry`.
    pub async fn intrabank_inquiry(
        &self,
        session: &Session,
        sid: &Sid,
        account: &str,
    ) -> Result<TransferQuote, Error> {
        let body = body_of(&wire::IntrabankInquiryRequest {
            account_number: account_number(account)?,
        })?;
        let reply: Envelope<wire::TransferInquiryData> = self
            .wire
            .post(
                "/bankplus/bsa/transfer/intrabank/inquiry",
                Some(session),
                Some(sid),
                body,
            )
            .await?;
        TransferQuote::from_wire(reply.data, reply.agent)
    }

    /// `bsa/transfer/intrabank/payment`, with the agent's PIN.
    pub async fn intrabank_payment(
        &self,
        session: &Session,
        sid: &Sid,
        order: &TransferOrder,
        agent_pin: &Pin,
    ) -> Result<TransferDone, Error> {
        positive(order.amount)?;
        let body = body_of(&wire::IntrabankPaymentRequest {
            account_number: account_number(&order.account_number)?,
            account_name: &order.account_name,
            amount: whole(order.amount)?,
            admin_fee: whole(order.admin_fee)?,
            pin: agent_pin.expose(),
        })?;
        let reply: Envelope<wire::TransferPaymentData> = self
            .wire
            .post(
                "/bankplus/bsa/transfer/intrabank/payment",
                Some(session),
                Some(sid),
                body,
            )
            .await?;
        TransferDone::from_wire(reply.data, reply.message, reply.agent)
    }

    /// `bsa/transfer/interbank/inquiry`.
    pub async fn interbank_inquiry(
        &self,
        session: &Session,
        sid: &Sid,
        bank_code: &str,
        account: &str,
    ) -> Result<TransferQuote, Error> {
        let body = body_of(&wire::InterbankInquiryRequest {
            bank_code: non_blank("bank code", bank_code)?,
            account_number: account_number(account)?,
        })?;
        let reply: Envelope<wire::TransferInquiryData> = self
            .wire
            .post(
                "/bankplus/bsa/transfer/interbank/inquiry",
                Some(session),
                Some(sid),
                body,
            )
            .await?;
        TransferQuote::from_wire(reply.data, reply.agent)
    }

    /// `bsa/transfer/interbank/payment`, with the agent's PIN. The bank
    /// charges the fee it quoted; the reply's `admin_fee`/`total` say what.
    pub async fn interbank_payment(
        &self,
        session: &Session,
        sid: &Sid,
        order: &TransferOrder,
        agent_pin: &Pin,
    ) -> Result<TransferDone, Error> {
        positive(order.amount)?;
        let missing = |what: &str| Error::BadInput {
            message: format!("an interbank transfer needs the inquiry's {what}"),
        };
        let body = body_of(&wire::InterbankPaymentRequest {
            transaction_id: order
                .transaction_id
                .as_deref()
                .ok_or_else(|| missing("transaction_id"))?,
            bank_code: order
                .bank_code
                .as_deref()
                .ok_or_else(|| missing("bank code"))?,
            bank_name: order.bank_name.as_deref().unwrap_or_default(),
            account_number: account_number(&order.account_number)?,
            account_name: &order.account_name,
            amount: whole(order.amount)?,
            admin_fee: whole(order.admin_fee)?,
            pin: agent_pin.expose(),
        })?;
        let reply: Envelope<wire::TransferPaymentData> = self
            .wire
            .post(
                "/bankplus/bsa/transfer/interbank/payment",
                Some(session),
                Some(sid),
                body,
            )
            .await?;
        TransferDone::from_wire(reply.data, reply.message, reply.agent)
    }
}

pub(crate) fn non_blank<'a>(what: &str, text: &'a str) -> Result<&'a str, Error> {
    let t = text.trim();
    if t.is_empty() {
        Err(Error::BadInput {
            message: format!("the {what} is empty"),
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
            message: format!("{t:?} is not an account number (digits only)"),
        });
    }
    Ok(t)
}

/// Transfer and deposit amounts travel as whole rupiah.
pub(crate) fn whole(amount: money::Rupiah) -> Result<i64, Error> {
    amount.whole_rupiah().ok_or_else(|| Error::BadInput {
        message: format!("{amount} has sen; Bank+ takes whole rupiah"),
    })
}

fn positive(amount: money::Rupiah) -> Result<(), Error> {
    if amount.is_positive() {
        Ok(())
    } else {
        Err(Error::BadInput {
            message: format!("the amount must be more than Rp0, not {amount}"),
        })
    }
}

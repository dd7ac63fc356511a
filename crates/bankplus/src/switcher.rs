//! The branchless switcher: account inquiry, transfer, reversal and status
//! check by `refnum`. A Bank+ payment's `sid` is its refnum here, which is
//! how a transaction in doubt is settled (`/check`) and undone
//! (`/reversal`). No session header; its own origin
//! (`http://192.168.172.15:7221` in the document), paths `/inquiry`,
//! `/transfer`, `/reversal`, `/check`.

use std::time::Duration;

use crate::client::{account_number, body_of, non_blank, whole, ClientConfig, Reference, Wire};
use crate::decode;
use crate::domain::{SwitcherAccount, SwitcherTransfer};
use crate::error::Error;
use crate::sid::Sid;
use crate::wire;

/// The switcher client. Cheap to clone; one connection pool per client.
#[derive(Debug, Clone)]
pub struct SwitcherClient {
    wire: Wire,
}

impl SwitcherClient {
    /// `base_url` is the switcher's origin. Connecting may take up to 5 s
    /// (or `timeout`, if shorter); the whole call up to `timeout`.
    pub fn new(base_url: &str, timeout: Duration) -> Result<SwitcherClient, Error> {
        let mut config = ClientConfig::new(base_url);
        config.timeout = timeout;
        SwitcherClient::with_config(config)
    }

    /// With every setting of a [`ClientConfig`] (its `base_url` is the switcher's origin).
    pub fn with_config(config: ClientConfig) -> Result<SwitcherClient, Error> {
        Ok(SwitcherClient {
            wire: Wire::new(
                "switcher",
                &config.base_url,
                config.timeout,
                config.connect_timeout,
            )?,
        })
    }

    /// `/inquiry`: who owns an account, and the `paymentCode` a transfer to it needs.
    /// An unknown account is `Refused { code: "0101" }`.
    pub async fn inquiry(
        &self,
        refnum: &Sid,
        bank: &str,
        account: &str,
    ) -> Result<SwitcherAccount, Error> {
        let body = body_of(&wire::SwitcherInquiryRequest {
            refnum: refnum.as_str(),
            bank: non_blank("bank", bank)?,
            account: account_number(account)?,
        })?;
        self.wire
            .post(
                "/inquiry",
                None,
                Reference::InBody(refnum),
                body,
                decode::switcher_account,
            )
            .await
    }

    /// `/transfer`: moves money to the account of an inquiry's `paymentCode`.
    /// [`Error::OutcomeUnknown`] and [`Error::Malformed`] leave it in doubt:
    /// ask `/check` with the same refnum, never send it again.
    pub async fn transfer(
        &self,
        refnum: &Sid,
        payment_code: &str,
        source_bank: &str,
        source_account: &str,
        amount: money::Rupiah,
        remark: &str,
    ) -> Result<SwitcherTransfer, Error> {
        if !amount.is_positive() {
            return Err(Error::BadInput {
                message: words::text!(
                    "nominal harus lebih dari Rp0, bukan {amount}",
                    "the amount must be more than Rp0, not {amount}"
                ),
            });
        }
        let body = body_of(&wire::SwitcherTransferRequest {
            refnum: refnum.as_str(),
            payment_code: non_blank("payment_code", payment_code)?,
            source_bank: non_blank("source_bank", source_bank)?,
            source_account: account_number(source_account)?,
            amount: whole(amount)?,
            remark,
        })?;
        self.wire
            .post(
                "/transfer",
                None,
                Reference::InBody(refnum),
                body,
                decode::switcher_transfer,
            )
            .await
    }

    /// `/reversal` of the transaction `target` booked as `journal`, under a
    /// new `refnum`. A second reversal is
    /// `Refused { message: "Reversal already executed" }`.
    pub async fn reversal(
        &self,
        refnum: &Sid,
        target: &Sid,
        journal: &str,
    ) -> Result<SwitcherTransfer, Error> {
        let body = body_of(&wire::SwitcherReversalRequest {
            refnum: refnum.as_str(),
            refnum_target: target.as_str(),
            journal: non_blank("journal", journal)?,
        })?;
        self.wire
            .post(
                "/reversal",
                None,
                Reference::InBody(refnum),
                body,
                decode::switcher_transfer,
            )
            .await
    }

    /// `/check`: what became of `refnum`. Never booked is
    /// `Refused { message: "refnum provided was not found" }`.
    pub async fn check(&self, refnum: &Sid) -> Result<SwitcherTransfer, Error> {
        let body = body_of(&wire::SwitcherCheckRequest {
            refnum: refnum.as_str(),
        })?;
        self.wire
            .post(
                "/check",
                None,
                Reference::InBody(refnum),
                body,
                decode::switcher_transfer,
            )
            .await
    }
}

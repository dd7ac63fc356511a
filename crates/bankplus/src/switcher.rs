//! The branchless switcher: account inquiry, transfer, reversal and status
//! check by `refnum`. A Bank+ payment's `sid` is its refnum here, which is
//! how a transaction in doubt is settled.

use std::time::Duration;

use crate::client::{account_number, body_of, non_blank, whole, Wire};
use crate::decode::Envelope;
use crate::domain::{SwitcherAccount, SwitcherTransfer};
use crate::error::Error;
use crate::sid::Sid;
use crate::wire;

#[derive(Debug, Clone)]
pub struct SwitcherClient {
    wire: Wire,
}

impl SwitcherClient {
    /// `base_url` is the switcher's origin; paths are `/inquiry`, `/transfer`, `/reversal`, `/check`.
    pub fn new(base_url: &str, timeout: Duration) -> Result<SwitcherClient, Error> {
        Ok(SwitcherClient {
            wire: Wire::new(base_url, timeout, Duration::from_secs(5))?,
        })
    }

    /// `/inquiry`: who owns an account, and the `paymentCode` a transfer to it needs.
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
        let reply: Envelope<wire::SwitcherInquiryData> =
            self.wire.post("/inquiry", None, None, body).await?;
        SwitcherAccount::from_wire(reply.data)
    }

    /// `/transfer`: moves money to the account of an inquiry's `paymentCode`.
    pub async fn transfer(
        &self,
        refnum: &Sid,
        payment_code: &str,
        source_bank: &str,
        source_account: &str,
        amount: money::Rupiah,
        remark: &str,
    ) -> Result<SwitcherTransfer, Error> {
        let body = body_of(&wire::SwitcherTransferRequest {
            refnum: refnum.as_str(),
            payment_code: non_blank("payment code", payment_code)?,
            source_bank: non_blank("source bank", source_bank)?,
            source_account: account_number(source_account)?,
            amount: whole(amount)?,
            remark,
        })?;
        let reply: Envelope<wire::SwitcherTransferData> =
            self.wire.post("/transfer", None, None, body).await?;
        SwitcherTransfer::from_wire(reply.data, reply.message)
    }

    /// `/reversal` of the transaction `target` booked as `journal`.
    /// A second reversal is `Refused { message: "Reversal already executed" }`.
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
        let reply: Envelope<wire::SwitcherTransferData> =
            self.wire.post("/reversal", None, None, body).await?;
        SwitcherTransfer::from_wire(reply.data, reply.message)
    }

    /// `/check`: what became of `refnum`. Not found is
    /// `Refused { message: "refnum provided was not found" }`.
    pub async fn check(&self, refnum: &Sid) -> Result<SwitcherTransfer, Error> {
        let body = body_of(&wire::SwitcherCheckRequest {
            refnum: refnum.as_str(),
        })?;
        let reply: Envelope<wire::SwitcherTransferData> =
            self.wire.post("/check", None, None, body).await?;
        SwitcherTransfer::from_wire(reply.data, reply.message)
    }
}

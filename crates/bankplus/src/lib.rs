//! The Bank+ protocol: wire types that mirror the Bank+ H2H and switcher
//! documents, the domain types Loket works with, and async clients with
//! one typed call per documented endpoint.
//!
//! Rooms: [`wire`] (bodies as documented), [`domain`] (converted once),
//! [`decode`] (reply → data or [`Error`], the path every call and every
//! fixture test takes), [`client`] (Bank+), [`switcher`] (the switcher),
//! [`secret`] (PIN, password, session), [`sid`] (the 16-digit reference),
//! [`error`] (one error type, sorted by what the caller can do).
//!
//! Two rules hold everywhere: nothing is retried automatically (a payment
//! that got no clear answer is in doubt, see [`Error::outcome_known`]), and
//! no PIN, password or session id is printed, logged or kept longer than
//! the request that needs it.

pub mod client;
pub mod decode;
pub mod domain;
pub mod error;
pub mod secret;
pub mod sid;
pub mod switcher;
pub mod wire;

pub use client::{BankplusClient, ClientConfig, Dashboard, Login, MasterList};
pub use domain::*;
pub use error::Error;
pub use secret::{Password, Pin, PinFormatError, Session};
pub use sid::{Sid, SidError};
pub use switcher::SwitcherClient;

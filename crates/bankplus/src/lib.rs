//! The Bank+ protocol: wire types that mirror the Bank+ H2H and switcher
//! documents, the domain types Loket works with, and async clients with
//! one typed call per documented endpoint.
//!
//! Rooms: [`wire`] (bodies as documented), [`domain`] (converted once),
//! [`decode`] (reply → data or [`Error`]), [`client`] (Bank+),
//! [`switcher`] (the switcher), [`secret`] (PIN, password, session),
//! [`sid`] (the 16-digit reference).

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

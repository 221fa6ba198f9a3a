//! Native host for the vpnlog WebAssembly filter.
//!
//! [`FluentBitHost`] runs a module the way Fluent Bit's `wasm` filter does (json mode), on the
//! wasmi interpreter with fuel metering; [`input`] turns input lines into the compact records
//! Fluent Bit would hand over; [`json`] holds the byte-level JSON checks both rely on; [`docs`]
//! renders the rule list and the reference documents from the compiled catalogue; [`check`] and
//! [`report`] (with [`events`], [`timestamps`], [`report_html`]) are `vpnlog check` and `vpnlog report`.

pub mod check;
pub mod check_report_cli;
pub mod docs;
pub mod events;
pub mod filter;
pub mod input;
pub mod json;
pub mod report;
pub mod report_html;
pub mod timestamps;

pub use filter::{
    DEFAULT_FUEL_BUDGET, DEFAULT_FUNCTION, DEFAULT_TAG, Dropped, FluentBitHost, HostConfig,
    LoadError, Outcome, Timestamp, WAMR_APP_HEAP_CAPACITY,
};

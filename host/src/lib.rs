//! Native host for the vpnlog WebAssembly filter.
//!
//! [`FluentBitHost`] runs a module the way Fluent Bit's `wasm` filter does (json mode), on the
//! wasmi interpreter with fuel metering; [`input`] turns input lines into the compact records
//! Fluent Bit would hand over; [`json`] holds the byte-level JSON checks both rely on; [`docs`]
//! renders the rule list and the reference documents from the compiled catalogue; [`vrl`] renders
//! the catalogue as a VRL program for Vector.

pub mod docs;
pub mod filter;
pub mod input;
pub mod json;
pub mod vrl;

pub use filter::{
    DEFAULT_FUEL_BUDGET, DEFAULT_FUNCTION, DEFAULT_TAG, Dropped, FluentBitHost, HostConfig,
    LoadError, Outcome, Timestamp, WAMR_APP_HEAP_CAPACITY,
};

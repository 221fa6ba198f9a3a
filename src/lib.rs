//! vpnlog: classifies VPN (IKE, DPD, tunnel) and BGP log records for log shippers.
//!
//! The data flows one way: `json` + `locate` find the text to classify in one pass over the
//! record; `dispatch` finds the catalogue's anchors in it; `template` matches the candidate
//! rules' patterns; `classify` describes the winner; `write` appends it to the original bytes.
//! `filter` ties these together behind the one API every face uses; `abi` is the WebAssembly
//! face Fluent Bit calls. The rule knowledge itself is data: rules/*.toml, compiled by build.rs
//! into `catalogue`.

pub mod bgp;
pub mod catalogue;
pub mod classify;
pub mod dispatch;
pub mod fields;
pub mod filter;
pub mod json;
pub mod locate;
pub mod msgpack;
pub mod projection;
#[cfg(not(target_family = "wasm"))]
pub mod regex;
pub mod template;
pub mod write;

// The Fluent Bit exports belong to the WASI module only; other wasm builds (bindings/) bring
// their own.
#[cfg(target_os = "wasi")]
mod abi;

pub use classify::{Classification, Val};
pub use filter::Filter;
pub use projection::{Projection, Time};

#[cfg(all(feature = "probe", target_family = "wasm"))]
#[link(wasm_import_module = "vpnlog_probe")]
unsafe extern "C" {
    #[doc(hidden)]
    pub fn mark(id: u32);
}

/// Marks a point on the hot path for fuel profiling (no code unless the `probe` feature is on).
#[macro_export]
macro_rules! probe {
    ($id:expr) => {
        #[cfg(all(feature = "probe", target_family = "wasm"))]
        unsafe {
            $crate::mark($id)
        }
    };
}

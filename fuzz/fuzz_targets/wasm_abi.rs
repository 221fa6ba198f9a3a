//! Target (c): the exported ABI of the built dist/vpnlog.wasm, called through the Fluent Bit
//! host emulation (one instance for every input): records copied with and without a trailing
//! NUL, pointer 0 with any length, spans near and past the end of memory. The first byte of
//! the input chooses the shape (vpnlog_host::contract::AbiCase).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vpnlog_host::contract::AbiCase;

fuzz_target!(|data: &[u8]| {
    let case = AbiCase::from_bytes(data);
    vpnlog_fuzz::with_module(|h| {
        if let Err(e) = case.check(h) {
            panic!("contract broken for {case:?}: {e}");
        }
    });
});

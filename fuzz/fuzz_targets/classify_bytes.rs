//! Target (a): arbitrary bytes as a record through the native library, one filter instance
//! reused for every input as the module reuses its own. Oracle: vpnlog_host::contract.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vpnlog_fuzz::check_native(data);
});

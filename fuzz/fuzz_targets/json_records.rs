//! Target (b): structured JSON records (the keys vpnlog reads, values built from catalogue
//! examples, anchors and pattern literals) through the native library.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vpnlog_fuzz::Record;

fuzz_target!(|rec: Record| {
    vpnlog_fuzz::check_native(&rec.render());
});

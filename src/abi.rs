//! The WebAssembly exports Fluent Bit calls (wasm32 builds only): `vpnlog_filter`, its
//! backend projections `vpnlog_filter_ecs`, `vpnlog_filter_ocsf` and `vpnlog_filter_flat`
//! (src/projection.rs), and `_initialize`. `malloc` and `free` come from the C library and are exported by the linker
//! flags in scripts/build-wasm.sh, so the host copies records of any size through them.

use crate::filter::Filter;
use crate::projection::{Projection, Time};
use core::cell::UnsafeCell;

/// The one filter instance of the module. Fluent Bit calls a module from one thread only.
struct Instance(UnsafeCell<Option<Filter>>);
// SAFETY: wasm32 modules here are single-threaded.
unsafe impl Sync for Instance {}
static INSTANCE: Instance = Instance(UnsafeCell::new(None));

fn filter() -> &'static mut Filter {
    // SAFETY: single-threaded, and no reference outlives one exported call.
    match unsafe { &mut *INSTANCE.0.get() } {
        Some(f) => f,
        none => start(none),
    }
}

#[cold]
#[inline(never)]
fn start(slot: &'static mut Option<Filter>) -> &'static mut Filter {
    slot.insert(Filter::new())
}

/// Bytes of linear memory.
fn memory_bytes() -> usize {
    core::arch::wasm32::memory_size(0) * 65536
}

/// The WASI reactor entry: runs static constructors once; the filter itself starts lazily.
#[unsafe(no_mangle)]
pub extern "C" fn _initialize() {
    unsafe extern "C" {
        fn __wasm_call_ctors();
    }
    static DONE: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);
    if !DONE.swap(true, core::sync::atomic::Ordering::Relaxed) {
        // SAFETY: the linker-generated constructor function, called once.
        unsafe { __wasm_call_ctors() };
    }
}

/// Fluent Bit's filter signature. Returns a NUL-terminated JSON object owned by the module.
/// A record pointer of 0 (the host's copy failed) or a span outside memory yields the
/// `vpnlog_error` object described in filter.rs instead of a trap.
#[unsafe(no_mangle)]
pub extern "C" fn vpnlog_filter(_tag: *const u8, _tag_len: u32, _sec: u32, _nsec: u32, record: *const u8, len: u32) -> *const u8 {
    let f = filter();
    let start = record as usize;
    let len = len as usize;
    let out = if start == 0 || start.checked_add(len).is_none_or(|end| end > memory_bytes()) {
        f.missing_record(len)
    } else {
        // SAFETY: the span lies inside linear memory, which is always readable.
        let rec = unsafe { core::slice::from_raw_parts(record, len) };
        f.process(rec)
    };
    out.as_ptr()
}

/// The record span, or None when it was not copied in (pointer 0) or lies outside memory.
fn record_span(record: *const u8, len: usize) -> Option<&'static [u8]> {
    let start = record as usize;
    if start == 0 || start.checked_add(len).is_none_or(|end| end > memory_bytes()) {
        return None;
    }
    // SAFETY: the span lies inside linear memory, which is always readable.
    Some(unsafe { core::slice::from_raw_parts(record, len) })
}

#[inline(never)]
fn projected(p: Projection, sec: u32, nsec: u32, record: *const u8, len: u32) -> *const u8 {
    let f = filter();
    let out = match record_span(record, len as usize) {
        None => f.missing_record(len as usize),
        Some(rec) => f.process_projected(rec, p, Time { sec, nsec }),
    };
    out.as_ptr()
}

/// `vpnlog_filter` with the classification as Elastic Common Schema fields.
#[unsafe(no_mangle)]
pub extern "C" fn vpnlog_filter_ecs(_tag: *const u8, _tag_len: u32, sec: u32, nsec: u32, record: *const u8, len: u32) -> *const u8 {
    projected(Projection::Ecs, sec, nsec, record, len)
}

/// `vpnlog_filter` with the classification as an OCSF 1.2 event (Tunnel or Network Activity).
#[unsafe(no_mangle)]
pub extern "C" fn vpnlog_filter_ocsf(_tag: *const u8, _tag_len: u32, sec: u32, nsec: u32, record: *const u8, len: u32) -> *const u8 {
    projected(Projection::Ocsf, sec, nsec, record, len)
}

/// `vpnlog_filter` with the classification as flat dotted keys (`"vpn.kind":...`).
#[unsafe(no_mangle)]
pub extern "C" fn vpnlog_filter_flat(_tag: *const u8, _tag_len: u32, sec: u32, nsec: u32, record: *const u8, len: u32) -> *const u8 {
    projected(Projection::Flat, sec, nsec, record, len)
}

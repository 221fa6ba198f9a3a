//! The WebAssembly exports Fluent Bit calls (wasm32 builds only): `vpnlog_filter`, its
//! backend projections `vpnlog_filter_ecs`, `vpnlog_filter_ocsf` and `vpnlog_filter_flat`
//! (src/projection.rs), and `_initialize`. `malloc` and `free` come from the C library and are exported by the linker
//! flags in scripts/build-wasm.sh, so the host copies records of any size through them.

use crate::filter::Filter;
use crate::json;
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
    run(None, record, len)
}

/// Filters the record at `record` (`len` bytes) in the form `form`. Fluent Bit's json mode
/// copies a record in with a NUL after it: when that NUL is there and the pad the scanner reads
/// (json::PAD bytes) lies inside memory, the record is filtered where it is; otherwise
/// (another host, msgpack mode, a record at the end of memory) the filter copies it first.
#[inline(always)]
fn run(form: Option<(Projection, Time)>, record: *const u8, len: u32) -> *const u8 {
    let f = filter();
    let start = record as usize;
    let len = len as usize;
    let mem = memory_bytes();
    if start == 0 || start.checked_add(len).is_none_or(|end| end > mem) {
        return missing(f, len);
    }
    if start + len + json::PAD <= mem && unsafe { *record.add(len) } == 0 {
        // SAFETY: the span and the PAD bytes after it lie inside linear memory, which is always
        // readable and which nothing else changes during the call; the first of those is 0.
        let rec = unsafe { json::Padded::new_unchecked(core::slice::from_raw_parts(record, len)) };
        return f.process_padded_at(rec, form);
    }
    // SAFETY: the span lies inside linear memory.
    copied(f, unsafe { core::slice::from_raw_parts(record, len) }, form)
}

/// `run` for a record without the NUL and pad after it. Out of line, as `missing`: wasmi
/// charges a function's whole body on entry, taken branches or not.
#[cold]
#[inline(never)]
fn copied(f: &'static mut Filter, rec: &[u8], form: Option<(Projection, Time)>) -> *const u8 {
    match form {
        None => f.process(rec).as_ptr(),
        Some((p, time)) => f.process_projected(rec, p, time).as_ptr(),
    }
}

/// `run` for a record the host did not copy in.
#[cold]
#[inline(never)]
fn missing(f: &'static mut Filter, len: usize) -> *const u8 {
    f.missing_record(len).as_ptr()
}

#[inline(never)]
fn projected(p: Projection, sec: u32, nsec: u32, record: *const u8, len: u32) -> *const u8 {
    run(Some((p, Time { sec, nsec })), record, len)
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

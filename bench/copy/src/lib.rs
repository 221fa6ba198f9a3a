//! The copy-only filter: the floor of any WebAssembly filter for Fluent Bit. It exports the same
//! ABI as vpnlog (`vpnlog_filter`, `_initialize`, and `malloc`/`free` through the linker flags of
//! scripts/build-wasm.sh) and returns every record unchanged, copied into a buffer it owns and
//! reuses, followed by a NUL byte. Whatever a real filter costs beyond this is its own work.

/// Copies `record` into `out` (cleared first) with a trailing NUL, and returns the copy without it.
pub fn copy_record<'a>(out: &'a mut Vec<u8>, record: &[u8]) -> &'a [u8] {
    out.clear();
    out.reserve(record.len() + 1);
    out.extend_from_slice(record);
    out.push(0);
    &out[..record.len()]
}

#[cfg(target_family = "wasm")]
mod abi {
    use core::cell::UnsafeCell;

    /// The output buffer, reused from call to call. Fluent Bit calls a module from one thread.
    struct Out(UnsafeCell<Vec<u8>>);
    // SAFETY: wasm32 modules here are single-threaded.
    unsafe impl Sync for Out {}
    static OUT: Out = Out(UnsafeCell::new(Vec::new()));

    /// The WASI reactor entry: runs static constructors once.
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

    /// Fluent Bit's filter signature; returns the record as a NUL-terminated copy. A null record
    /// pointer (the host could not copy the record in) gives `{}` rather than a trap.
    #[unsafe(no_mangle)]
    pub extern "C" fn vpnlog_filter(_tag: *const u8, _tag_len: u32, _sec: u32, _nsec: u32, record: *const u8, len: u32) -> *const u8 {
        // SAFETY: single-threaded; no reference outlives this call.
        let out = unsafe { &mut *OUT.0.get() };
        if record.is_null() {
            return super::copy_record(out, b"{}").as_ptr();
        }
        // SAFETY: the host wrote `len` bytes at `record` through this module's malloc.
        let rec = unsafe { core::slice::from_raw_parts(record, len as usize) };
        super::copy_record(out, rec).as_ptr()
    }
}

//! Emulation of Fluent Bit's `wasm` filter in `event_format json` mode (filter_wasm.c and
//! flb_wasm.c on WAMR), on the wasmi interpreter with fuel metering.
//!
//! Owns: instantiating a module once (WASI imports stubbed), copying tag and record into module
//! memory the way WAMR's `module_dup_data` does (module `malloc`/`free` when both are exported,
//! otherwise WAMR's fixed app heap), calling the filter, and deciding — with the same checks as
//! Fluent Bit, including the stale-exception effects — whether the record survives.

use std::fmt;

use wasmi::{
    Caller, CompilationMode, Config, Engine, Error, Extern, ExternType, Instance, Linker, Memory,
    Module, Store, TypedFunc, Val,
};

use crate::json::{self, JsonError, Kind};

/// Name of the filter function Fluent Bit is configured to call (`function_name`).
pub const DEFAULT_FUNCTION: &str = "vpnlog_filter";
/// Tag given to records unless told otherwise.
pub const DEFAULT_TAG: &str = "vpn.log";
/// Usable size of the app heap WAMR carves for a module without `malloc`/`free` exports at
/// Fluent Bit's default `wasm_heap_size` (8 KiB rounded up to one 64 KiB page, minus 1 KiB).
pub const WAMR_APP_HEAP_CAPACITY: u32 = 63 * 1024;
/// Fuel available to one call into the module (about 20,000 times a heavy record); running
/// out traps like any other trap, so a runaway loop ends instead of hanging the host.
pub const DEFAULT_FUEL_BUDGET: u64 = 10_000_000_000;

const PAGE: u64 = 65536;
/// Bytes the emulated app heap spends per allocation besides the 8-byte-aligned payload.
const APP_HEAP_BLOCK_HEADER: u32 = 8;
/// How much of the module's own stdout/stderr output is kept per record (for trap reports).
const CAPTURE_LIMIT: usize = 4096;

type FilterFn = TypedFunc<(i32, i32, i32, i32, i32, i32), i32>;

/// Settings of one emulated filter instance.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// Exported function to call for each record.
    pub function: String,
    /// Usable bytes of the emulated WAMR app heap (used only when the module does not export
    /// both `malloc` and `free`).
    pub app_heap_capacity: u32,
    /// Fuel set before each call into the module.
    pub fuel_budget: u64,
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            function: DEFAULT_FUNCTION.to_string(),
            app_heap_capacity: WAMR_APP_HEAP_CAPACITY,
            fuel_budget: DEFAULT_FUEL_BUDGET,
        }
    }
}

/// The module could not be loaded, linked or initialized the way Fluent Bit needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(pub String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

/// Record timestamp handed to the filter (`time_sec`, `time_nsec`; both passed as i32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timestamp {
    pub sec: u32,
    pub nsec: u32,
}

/// Why Fluent Bit would lose a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Dropped {
    /// The tag or record could not be copied into module memory; the filter still ran, with
    /// the pointer the allocator gave (0 on failure) and the real length.
    CopyFailed {
        what: &'static str,
        bytes: u64,
        detail: String,
    },
    /// An exception left by an earlier step (an invalid returned pointer, a failed copy, a
    /// trap in `malloc`/`free`) made this call fail although the function ran.
    PendingException(String),
    /// The filter function trapped (includes running out of fuel).
    Trap(String),
    /// The returned pointer does not point at a NUL-terminated string inside memory.
    InvalidPointer { ptr: u32, why: &'static str },
    /// The returned string is empty.
    EmptyString,
    /// The returned string is not valid JSON.
    InvalidJson(JsonError),
    /// The returned string is JSON, but its root is not an object.
    NotAnObject(Kind),
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dropped::CopyFailed {
                what,
                bytes,
                detail,
            } => {
                write!(
                    f,
                    "could not copy the {what} into module memory ({bytes} bytes): {detail}"
                )
            }
            Dropped::PendingException(e) => {
                write!(
                    f,
                    "stale exception from an earlier step made the call fail: {e}"
                )
            }
            Dropped::Trap(e) => write!(f, "exception running wasm code: {e}"),
            Dropped::InvalidPointer { ptr, why } => {
                write!(f, "returned value is invalid (pointer {ptr:#x}: {why})")
            }
            Dropped::EmptyString => f.write_str("returned string is empty"),
            Dropped::InvalidJson(e) => write!(f, "returned string is not valid JSON: {e}"),
            Dropped::NotAnObject(k) => {
                write!(
                    f,
                    "returned JSON root is {} {}, not an object",
                    article(*k),
                    k.name()
                )
            }
        }
    }
}

fn article(k: Kind) -> &'static str {
    match k {
        Kind::Object | Kind::Array => "an",
        _ => "a",
    }
}

/// What happened to one record.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The string the module returned (without its NUL), or why the record is lost.
    pub result: Result<Vec<u8>, Dropped>,
    /// Fuel consumed by the filter function call.
    pub fuel: u64,
    /// Fuel consumed by the module's `malloc`/`free` for the tag and record copies.
    pub copy_fuel: u64,
    /// The filter function trapped.
    pub trapped: bool,
    /// This record left an exception behind: the next record will be dropped.
    pub leaves_stale_exception: bool,
}

/// Host state reachable from the WASI stubs.
#[derive(Default)]
struct HostState {
    /// Bytes the module wrote to fd 1 and 2 during the current record (bounded).
    captured: Vec<u8>,
    /// Fuel attributed to stretches between probe marks (modules built with `--features probe`).
    probes: Probes,
}

/// Fuel spent between consecutive `vpnlog_probe.mark(id)` calls, per (from, to) pair of marks.
/// Mark 0 is the start of a filter call and mark `u32::MAX` its return.
#[derive(Default, Debug, Clone)]
pub struct Probes {
    last_fuel: u64,
    last_id: u32,
    /// (from, to) -> (fuel, times)
    pub spans: std::collections::BTreeMap<(u32, u32), (u64, u64)>,
}

impl Probes {
    fn mark(&mut self, id: u32, fuel_left: u64) {
        let used = self.last_fuel.saturating_sub(fuel_left);
        let e = self.spans.entry((self.last_id, id)).or_insert((0, 0));
        e.0 += used;
        e.1 += 1;
        self.last_fuel = fuel_left;
        self.last_id = id;
    }
}

/// Fixed-capacity allocator standing in for WAMR's app heap: first fit, 8-byte aligned
/// payloads, per-block overhead, no growth. Blocks are kept host-side.
#[derive(Debug)]
struct AppHeap {
    base: u32,
    capacity: u32,
    /// (offset from base, block size), sorted by offset.
    blocks: Vec<(u32, u32)>,
}

impl AppHeap {
    fn alloc(&mut self, size: u64) -> Option<u32> {
        let payload = u32::try_from(size.checked_add(7)? & !7).ok()?;
        let need = payload.checked_add(APP_HEAP_BLOCK_HEADER)?;
        let mut cursor = 0u32;
        let mut slot = self.blocks.len();
        for (i, &(start, len)) in self.blocks.iter().enumerate() {
            if start - cursor >= need {
                slot = i;
                break;
            }
            cursor = start + len;
        }
        if slot == self.blocks.len() && self.capacity.saturating_sub(cursor) < need {
            return None;
        }
        self.blocks.insert(slot, (cursor, need));
        Some(self.base + cursor + APP_HEAP_BLOCK_HEADER)
    }

    fn free(&mut self, ptr: u32) {
        if let Some(i) = self
            .blocks
            .iter()
            .position(|&(start, _)| self.base + start + APP_HEAP_BLOCK_HEADER == ptr)
        {
            self.blocks.remove(i);
        }
    }

    fn used(&self) -> u32 {
        self.blocks.iter().map(|&(_, len)| len).sum()
    }
}

enum Allocator {
    Module {
        malloc: TypedFunc<i32, i32>,
        free: TypedFunc<i32, ()>,
    },
    AppHeap(AppHeap),
}

/// One module instance driven the way Fluent Bit's `wasm` filter drives it.
pub struct FluentBitHost {
    store: Store<HostState>,
    instance: Instance,
    memory: Memory,
    filter: FilterFn,
    allocator: Allocator,
    /// Exception set in the instance and not cleared (WAMR keeps it until the next failed call).
    pending_exception: Option<String>,
    fuel_budget: u64,
}

impl FluentBitHost {
    /// Loads a module from binary wasm (or WAT text), links WASI stubs, instantiates it once,
    /// reserves the app heap when needed and runs `_initialize` if exported.
    pub fn new(wasm: &[u8], config: &HostConfig) -> Result<Self, LoadError> {
        let mut engine_config = Config::default();
        // Eager translation: lazy translation would charge compilation to the first calls.
        engine_config
            .consume_fuel(true)
            .compilation_mode(CompilationMode::Eager);
        let engine = Engine::new(&engine_config);
        let module = Module::new(&engine, wasm)
            .map_err(|e| LoadError(format!("cannot load module: {e}")))?;
        let mut store = Store::new(&engine, HostState::default());
        let linker = stub_linker(&engine, &module)?;
        store
            .set_fuel(config.fuel_budget)
            .map_err(|e| LoadError(e.to_string()))?;
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| LoadError(format!("cannot instantiate module: {e}")))?;
        let memory = instance
            .get_memory(&store, "memory")
            .ok_or_else(|| LoadError("module does not export `memory`".into()))?;
        let filter = instance
            .get_typed_func::<(i32, i32, i32, i32, i32, i32), i32>(&store, &config.function)
            .map_err(|_| {
                LoadError(format!(
                    "module does not export `{}` as (i32, i32, i32, i32, i32, i32) -> i32",
                    config.function
                ))
            })?;
        let malloc = instance.get_typed_func::<i32, i32>(&store, "malloc").ok();
        let free = instance.get_typed_func::<i32, ()>(&store, "free").ok();
        let allocator = match (malloc, free) {
            (Some(malloc), Some(free)) => Allocator::Module { malloc, free },
            _ => {
                // WAMR inserts its app heap as extra pages after the initial memory, before
                // any code runs.
                let pages = u64::from(config.app_heap_capacity).div_ceil(PAGE);
                let old = memory.grow(&mut store, pages).map_err(|e| {
                    LoadError(format!(
                        "cannot add {pages} page(s) of app heap to memory: {e}"
                    ))
                })?;
                let base = u32::try_from(old * PAGE)
                    .map_err(|_| LoadError("memory too large for a 32-bit app heap".into()))?;
                Allocator::AppHeap(AppHeap {
                    base,
                    capacity: config.app_heap_capacity,
                    blocks: Vec::new(),
                })
            }
        };
        if let Ok(init) = instance.get_typed_func::<(), ()>(&store, "_initialize") {
            store
                .set_fuel(config.fuel_budget)
                .map_err(|e| LoadError(e.to_string()))?;
            init.call(&mut store, ()).map_err(|e| {
                LoadError(format!("_initialize failed: {}", describe_trap(&e, &store)))
            })?;
        }
        Ok(FluentBitHost {
            store,
            instance,
            memory,
            filter,
            allocator,
            pending_exception: None,
            fuel_budget: config.fuel_budget,
        })
    }

    /// Runs one record through the filter exactly as Fluent Bit's json mode does.
    pub fn process(&mut self, tag: &[u8], time: Timestamp, record: &[u8]) -> Outcome {
        let mut o = self.process_copy(tag, time, record, true);
        o.result = o.result.and_then(check_returned);
        o
    }

    /// As [`Self::process`], without Fluent Bit's json-mode checks on the returned string (for
    /// oracles that judge it themselves, msgpack answers included).
    pub fn process_unchecked(&mut self, tag: &[u8], time: Timestamp, record: &[u8]) -> Outcome {
        self.process_copy(tag, time, record, true)
    }

    /// Runs one msgpack record body as Fluent Bit's msgpack mode does: copied without a NUL,
    /// the returned C string read up to its first 0x00 byte and not checked further (see
    /// [`crate::msgpack`] for what the host then does with it).
    pub fn process_msgpack(&mut self, tag: &[u8], time: Timestamp, body: &[u8]) -> Outcome {
        self.process_copy(tag, time, body, false)
    }

    fn process_copy(&mut self, tag: &[u8], time: Timestamp, record: &[u8], record_nul: bool) -> Outcome {
        self.store.data_mut().captured.clear();
        let mut copy_fuel = 0;
        let mut copy_failure = None;
        let tag_ptr = self.dup_data(tag, "tag", true, &mut copy_fuel, &mut copy_failure);
        let record_ptr = self.dup_data(record, "record", record_nul, &mut copy_fuel, &mut copy_failure);

        let args = (
            tag_ptr as i32,
            tag.len() as i32,
            time.sec as i32,
            time.nsec as i32,
            record_ptr as i32,
            record.len() as i32,
        );
        let (mut result, fuel, trapped) = self.call_filter(args);

        self.release(tag_ptr, &mut copy_fuel);
        self.release(record_ptr, &mut copy_fuel);

        if let Some(failure) = copy_failure {
            // Measured in Fluent Bit 5.1.1: the record that failed to copy and the next one
            // are both lost.
            if let Dropped::CopyFailed { bytes, .. } = &failure {
                self.pending_exception = Some(format!("allocate {bytes} bytes memory failed"));
            }
            result = Err(failure);
        }

        Outcome {
            result,
            fuel,
            copy_fuel,
            trapped,
            leaves_stale_exception: self.pending_exception.is_some(),
        }
    }

    /// Calls the filter function with these exact arguments: nothing is copied into or freed
    /// from module memory. For pointers a real host can pass but `process` cannot produce, such
    /// as a record pointer of 0 after a failed copy. The call and its result get the same
    /// checks and exception effects as in `process`.
    pub fn call_raw(
        &mut self,
        tag_ptr: u32,
        tag_len: u32,
        time: Timestamp,
        record_ptr: u32,
        record_len: u32,
    ) -> Outcome {
        self.store.data_mut().captured.clear();
        let args = (
            tag_ptr as i32,
            tag_len as i32,
            time.sec as i32,
            time.nsec as i32,
            record_ptr as i32,
            record_len as i32,
        );
        let (result, fuel, trapped) = self.call_filter(args);
        Outcome {
            result: result.and_then(check_returned),
            fuel,
            copy_fuel: 0,
            trapped,
            leaves_stale_exception: self.pending_exception.is_some(),
        }
    }

    /// Calls the filter function and reads the string it returns, with Fluent Bit's exception
    /// handling. Returns the string (or why the record is lost), the fuel used and whether the
    /// call trapped.
    fn call_filter(
        &mut self,
        args: (i32, i32, i32, i32, i32, i32),
    ) -> (Result<Vec<u8>, Dropped>, u64, bool) {
        let filter = self.filter;
        let (call, fuel) = self.metered(|store| filter.call(store, args));
        let mut trapped = false;
        let result = match call {
            Err(e) => {
                trapped = true;
                // Fluent Bit logs and clears the exception.
                self.pending_exception = None;
                Err(Dropped::Trap(describe_trap(&e, &self.store)))
            }
            Ok(_) if self.pending_exception.is_some() => Err(Dropped::PendingException(
                self.pending_exception.take().unwrap_or_default(),
            )),
            Ok(ptr) => match self.c_string(ptr as u32) {
                Ok(s) => Ok(s),
                Err(why) => {
                    // wasm_runtime_validate_app_str_addr sets an exception nobody clears.
                    self.pending_exception = Some("out of bounds memory access".into());
                    Err(Dropped::InvalidPointer {
                        ptr: ptr as u32,
                        why,
                    })
                }
            },
        };
        (result, fuel, trapped)
    }

    /// Fuel per stretch between probe marks so far (empty unless the module has probes). The
    /// malloc/free calls of the copies count too, under their own (0 -> MAX) stretches.
    pub fn probes(&self) -> &Probes {
        &self.store.data().probes
    }

    /// Forgets the probe figures gathered so far.
    pub fn reset_probes(&mut self) {
        self.store.data_mut().probes.spans.clear();
    }

    /// Current size of the module's memory in 64 KiB pages.
    pub fn memory_pages(&self) -> u64 {
        self.memory.size(&self.store)
    }

    /// The module's linear memory.
    pub fn memory(&self) -> &[u8] {
        self.memory.data(&self.store)
    }

    /// True when tag and record copies go through the module's own `malloc`/`free`.
    pub fn uses_module_malloc(&self) -> bool {
        matches!(self.allocator, Allocator::Module { .. })
    }

    /// Bytes in use in the emulated app heap (None when the module's `malloc` is used).
    pub fn app_heap_used(&self) -> Option<u32> {
        match &self.allocator {
            Allocator::AppHeap(heap) => Some(heap.used()),
            Allocator::Module { .. } => None,
        }
    }

    /// Value of an exported i32 global, if there is one.
    pub fn global_i32(&self, name: &str) -> Option<i32> {
        match self
            .instance
            .get_global(&self.store, name)?
            .get(&self.store)
        {
            Val::I32(v) => Some(v),
            _ => None,
        }
    }

    /// Whether an exception is pending, i.e. the next record will be dropped.
    pub fn has_pending_exception(&self) -> bool {
        self.pending_exception.is_some()
    }

    /// Runs `f` with a fresh fuel budget and returns its result and the fuel it consumed.
    fn metered<R>(
        &mut self,
        f: impl FnOnce(&mut Store<HostState>) -> Result<R, Error>,
    ) -> (Result<R, Error>, u64) {
        // Fuel metering is enabled on this engine, so these cannot fail.
        let _ = self.store.set_fuel(self.fuel_budget);
        let probes = &mut self.store.data_mut().probes;
        probes.last_fuel = self.fuel_budget;
        probes.last_id = 0;
        let result = f(&mut self.store);
        let left = self.store.get_fuel().unwrap_or(0);
        self.store.data_mut().probes.mark(u32::MAX, left);
        (result, self.fuel_budget - left)
    }

    /// WAMR's `module_dup_data(data, len + 1)`: allocate, copy the bytes and a NUL (without
    /// `nul`: `module_dup_data(data, len)`, msgpack mode's record copy). Returns the pointer
    /// given to the filter (0 when the allocation failed); the result is not checked by Fluent
    /// Bit, so failures are only recorded.
    fn dup_data(
        &mut self,
        data: &[u8],
        what: &'static str,
        nul: bool,
        copy_fuel: &mut u64,
        failure: &mut Option<Dropped>,
    ) -> u32 {
        let size = data.len() as u64 + u64::from(nul);
        let ptr = match &mut self.allocator {
            Allocator::AppHeap(heap) => heap.alloc(size).unwrap_or(0),
            Allocator::Module { malloc, .. } => {
                let malloc = *malloc;
                let (r, fuel) = self.metered(|store| malloc.call(store, size as i32));
                *copy_fuel += fuel;
                match r {
                    Ok(p) => p as u32,
                    Err(e) => {
                        let msg = describe_trap(&e, &self.store);
                        self.pending_exception = Some(format!("malloc trapped: {msg}"));
                        failure.get_or_insert(Dropped::CopyFailed {
                            what,
                            bytes: size,
                            detail: format!("malloc trapped: {msg}"),
                        });
                        return 0;
                    }
                }
            }
        };
        if ptr == 0 {
            failure.get_or_insert(Dropped::CopyFailed {
                what,
                bytes: size,
                detail: format!("allocate {size} bytes memory failed"),
            });
            return 0;
        }
        let mem = self.memory.data_mut(&mut self.store);
        let start = ptr as usize;
        match mem.get_mut(start..start + size as usize) {
            Some(dst) => {
                dst[..data.len()].copy_from_slice(data);
                if nul {
                    dst[data.len()] = 0;
                }
            }
            None => {
                // WAMR skips the memcpy but still passes the bogus pointer.
                failure.get_or_insert(Dropped::CopyFailed {
                    what,
                    bytes: size,
                    detail: format!("malloc returned {ptr:#x}, outside memory"),
                });
            }
        }
        ptr
    }

    /// Frees a copy made by `dup_data` (Fluent Bit skips pointer 0).
    fn release(&mut self, ptr: u32, copy_fuel: &mut u64) {
        if ptr == 0 {
            return;
        }
        match &mut self.allocator {
            Allocator::AppHeap(heap) => heap.free(ptr),
            Allocator::Module { free, .. } => {
                let free = *free;
                let (r, fuel) = self.metered(|store| free.call(store, ptr as i32));
                *copy_fuel += fuel;
                if let Err(e) = r {
                    let msg = describe_trap(&e, &self.store);
                    self.pending_exception = Some(format!("free trapped: {msg}"));
                }
            }
        }
    }

    /// `wasm_runtime_validate_app_str_addr` + `strdup`.
    fn c_string(&self, ptr: u32) -> Result<Vec<u8>, &'static str> {
        if ptr == 0 {
            return Err("null pointer");
        }
        let mem = self.memory.data(&self.store);
        let start = ptr as usize;
        if start >= mem.len() {
            return Err("beyond the end of memory");
        }
        match mem[start..].iter().position(|&b| b == 0) {
            Some(n) => Ok(mem[start..start + n].to_vec()),
            None => Err("no NUL before the end of memory"),
        }
    }
}

/// Fluent Bit's json-mode checks on the returned string: not empty, valid JSON, an object.
fn check_returned(s: Vec<u8>) -> Result<Vec<u8>, Dropped> {
    if s.is_empty() {
        return Err(Dropped::EmptyString);
    }
    match json::validate(&s) {
        Ok(Kind::Object) => Ok(s),
        Ok(kind) => Err(Dropped::NotAnObject(kind)),
        Err(e) => Err(Dropped::InvalidJson(e)),
    }
}

/// Trap message, with what the module printed to stdout/stderr during the record (a Rust panic
/// message, typically).
fn describe_trap(e: &Error, store: &Store<HostState>) -> String {
    let mut msg = e.to_string();
    let printed = String::from_utf8_lossy(&store.data().captured);
    let printed = printed.trim();
    if !printed.is_empty() {
        msg.push_str(" (module output: ");
        msg.push_str(printed);
        msg.push(')');
    }
    msg
}

/// Links a stub for every function the module imports. WASI functions return 0 (success) and
/// write nothing, except: `fd_write` reports every byte written (fd 1/2 output is captured for
/// trap reports), `args_sizes_get`/`environ_sizes_get` report zero entries, `proc_exit` traps.
/// Functions of other modules trap when called, as unlinked imports do in WAMR.
fn stub_linker(engine: &Engine, module: &Module) -> Result<Linker<HostState>, LoadError> {
    let mut linker = Linker::<HostState>::new(engine);
    for import in module.imports() {
        let (module_name, name) = (import.module().to_string(), import.name().to_string());
        let ExternType::Func(ty) = import.ty().clone() else {
            return Err(LoadError(format!(
                "unsupported non-function import {module_name}.{name}"
            )));
        };
        if module_name == "vpnlog_probe" && name == "mark" {
            linker
                .func_wrap("vpnlog_probe", "mark", |mut caller: Caller<'_, HostState>, id: u32| {
                    let left = caller.get_fuel().unwrap_or(0);
                    caller.data_mut().probes.mark(id, left);
                })
                .map_err(|e| LoadError(format!("cannot link vpnlog_probe.mark: {e}")))?;
            continue;
        }
        let wasi = module_name.starts_with("wasi_");
        let results: Vec<_> = ty.results().to_vec();
        let full_name = format!("{module_name}.{name}");
        let stub = move |mut caller: Caller<'_, HostState>,
                         params: &[Val],
                         out: &mut [Val]|
              -> Result<(), Error> {
            for (slot, ty) in out.iter_mut().zip(&results) {
                *slot = Val::default_for_ty(*ty);
            }
            if !wasi {
                return Err(Error::new(format!(
                    "unlinked import function {full_name} called"
                )));
            }
            match name.as_str() {
                "proc_exit" => {
                    let code = params.first().and_then(Val::i32).unwrap_or(0);
                    Err(Error::new(format!("proc_exit({code}) called")))
                }
                "fd_write" => fd_write(&mut caller, params),
                "args_sizes_get" | "environ_sizes_get" => {
                    write_u32s(&mut caller, params, &[0, 0]);
                    Ok(())
                }
                _ => Ok(()),
            }
        };
        linker
            .func_new(import.module(), import.name(), ty, stub)
            .map_err(|e| {
                LoadError(format!(
                    "cannot link {}.{}: {e}",
                    import.module(),
                    import.name()
                ))
            })?;
    }
    Ok(linker)
}

fn caller_memory(caller: &Caller<'_, HostState>) -> Option<Memory> {
    caller.get_export("memory").and_then(Extern::into_memory)
}

fn read_u32(mem: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(mem.get(at..at + 4)?.try_into().ok()?))
}

/// Writes `values` as little-endian u32 to the pointers given as the call's first params.
fn write_u32s(caller: &mut Caller<'_, HostState>, params: &[Val], values: &[u32]) {
    let Some(memory) = caller_memory(caller) else {
        return;
    };
    let mem = memory.data_mut(caller);
    for (param, value) in params.iter().zip(values) {
        let at = param.i32().map_or(usize::MAX - 4, |p| p as u32 as usize);
        if let Some(dst) = mem.get_mut(at..at + 4) {
            dst.copy_from_slice(&value.to_le_bytes());
        }
    }
}

/// `fd_write(fd, iovs, iovs_len, nwritten)`: accepts everything; keeps fd 1/2 output.
fn fd_write(caller: &mut Caller<'_, HostState>, params: &[Val]) -> Result<(), Error> {
    let arg = |i: usize| params.get(i).and_then(Val::i32).map(|v| v as u32 as usize);
    let (Some(fd), Some(iovs), Some(count), Some(nwritten)) = (arg(0), arg(1), arg(2), arg(3))
    else {
        return Ok(());
    };
    let Some(memory) = caller_memory(caller) else {
        return Ok(());
    };
    let (mem, state) = memory.data_and_store_mut(caller);
    let mut total: u32 = 0;
    for i in 0..count {
        let at = iovs + i * 8;
        let (Some(buf), Some(len)) = (read_u32(mem, at), read_u32(mem, at + 4)) else {
            break;
        };
        total = total.wrapping_add(len);
        let bytes = mem.get(buf as usize..buf as usize + len as usize);
        if let (1 | 2, Some(bytes)) = (fd, bytes) {
            let room = CAPTURE_LIMIT.saturating_sub(state.captured.len());
            state
                .captured
                .extend_from_slice(&bytes[..bytes.len().min(room)]);
        }
    }
    if let Some(dst) = mem.get_mut(nwritten..nwritten + 4) {
        dst.copy_from_slice(&total.to_le_bytes());
    }
    Ok(())
}

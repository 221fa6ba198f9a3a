//! WAT test modules shared by the host's tests: each is a tiny filter with one known behaviour.
#![allow(dead_code)]

/// `malloc`/`free` for a host that frees both copies after every call: a bump allocator that
/// restarts when nothing is live. `malloc` fills the block with 0xff so a missing NUL shows,
/// and returns 0 for requests above `$limit` (patch its constant to lower it). Exports `live`
/// (outstanding blocks) and `allocs`.
const ALLOCATOR: &str = r#"
  (global $heap (mut i32) (i32.const 4096))
  (global $live (export "live") (mut i32) (i32.const 0))
  (global $allocs (export "allocs") (mut i32) (i32.const 0))
  (global $limit (mut i32) (i32.const 0x7fffffff))
  (func (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (if (i32.gt_u (local.get $n) (global.get $limit)) (then (return (i32.const 0))))
    (if (i32.eqz (global.get $live)) (then (global.set $heap (i32.const 4096))))
    (local.set $p (global.get $heap))
    (memory.fill (local.get $p) (i32.const 0xff) (local.get $n))
    (global.set $heap
      (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (global.set $live (i32.add (global.get $live) (i32.const 1)))
    (global.set $allocs (i32.add (global.get $allocs) (i32.const 1)))
    (local.get $p))
  (func (export "free") (param i32)
    (global.set $live (i32.sub (global.get $live) (i32.const 1))))
"#;

/// Records the arguments of the last call in exported globals.
const ARGS: &str = r#"
  (global $tag_ptr (export "tag_ptr") (mut i32) (i32.const 0))
  (global $tag_len (export "tag_len") (mut i32) (i32.const 0))
  (global $sec (export "sec") (mut i32) (i32.const 0))
  (global $nsec (export "nsec") (mut i32) (i32.const 0))
  (global $rec_ptr (export "rec_ptr") (mut i32) (i32.const 0))
  (global $rec_len (export "rec_len") (mut i32) (i32.const 0))
  (global $calls (export "calls") (mut i32) (i32.const 0))
  (func $note (param i32 i32 i32 i32 i32 i32)
    (global.set $tag_ptr (local.get 0))
    (global.set $tag_len (local.get 1))
    (global.set $sec (local.get 2))
    (global.set $nsec (local.get 3))
    (global.set $rec_ptr (local.get 4))
    (global.set $rec_len (local.get 5))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1))))
"#;

/// A module with the allocator and argument recorder; imports in `body` are moved first.
fn module(body: &str) -> String {
    let (imports, rest): (Vec<&str>, Vec<&str>) = body
        .lines()
        .partition(|l| l.trim_start().starts_with("(import "));
    format!(
        "(module {} {ALLOCATOR} {ARGS} {})",
        imports.join("\n"),
        rest.join("\n")
    )
}

/// Copies the record plus the byte after it (the NUL the host must write) into a buffer it
/// owns at 64 KiB and returns it. Also: `echo_tag` returns the tag the same way, `spin`
/// loops `record_len` times and returns the record, `_initialize` counts its calls in `inits`.
pub fn copy_module() -> String {
    module(
        r#"
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (memory (export "memory") 3)
  (global $inits (export "inits") (mut i32) (i32.const 0))
  (func (export "_initialize")
    (drop (call $clock (i32.const 0) (i64.const 0) (i32.const 0)))
    (global.set $inits (i32.add (global.get $inits) (i32.const 1))))
  (func (export "vpnlog_filter") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $note (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5))
    (memory.copy (i32.const 65536) (local.get 4) (i32.add (local.get 5) (i32.const 1)))
    (i32.const 65536))
  (func (export "echo_tag") (param i32 i32 i32 i32 i32 i32) (result i32)
    (memory.copy (i32.const 65536) (local.get 0) (i32.add (local.get 1) (i32.const 1)))
    (i32.const 65536))
  (func (export "spin") (param i32 i32 i32 i32 i32 i32) (result i32)
    (local $i i32)
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get $i) (local.get 5)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $again)))
    (memory.copy (i32.const 65536) (local.get 4) (i32.add (local.get 5) (i32.const 1)))
    (i32.const 65536))
"#,
    )
}

/// Returns, call after call: 0, a valid object, a string running to the end of memory without
/// a NUL, a valid object, a pointer past the end of memory, then valid objects.
pub fn bad_pointer_module() -> String {
    module(
        r#"
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"ok\":true}\00")
  (data (i32.const 65530) "abcdef")
  (func (export "vpnlog_filter") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $note (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5))
    (if (i32.eq (global.get $calls) (i32.const 1)) (then (return (i32.const 0))))
    (if (i32.eq (global.get $calls) (i32.const 3)) (then (return (i32.const 65530))))
    (if (i32.eq (global.get $calls) (i32.const 5)) (then (return (i32.const -1))))
    (i32.const 16))
"#,
    )
}

/// Returns, call after call: `not json`, ``, `[1,2]`, `{"a":1} x`, `"str"`, `{"a":1}`,
/// `{"a":1}`, ... (the last entry repeats).
pub fn non_json_module() -> String {
    module(
        r#"
  (memory (export "memory") 1)
  (data (i32.const 100) "not json\00")
  (data (i32.const 120) "\00")
  (data (i32.const 130) "[1,2]\00")
  (data (i32.const 140) "{\"a\":1} x\00")
  (data (i32.const 160) "\"str\"\00")
  (data (i32.const 180) "{\"a\":1}\00")
  (data (i32.const 256) "\64\00\00\00\78\00\00\00\82\00\00\00\8c\00\00\00\a0\00\00\00\b4\00\00\00")
  (func (export "vpnlog_filter") (param i32 i32 i32 i32 i32 i32) (result i32)
    (local $i i32)
    (call $note (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5))
    (local.set $i (i32.sub (global.get $calls) (i32.const 1)))
    (if (i32.gt_u (local.get $i) (i32.const 5)) (then (local.set $i (i32.const 5))))
    (i32.load (i32.add (i32.const 256) (i32.mul (local.get $i) (i32.const 4)))))
"#,
    )
}

/// Traps (after printing a message to stderr through WASI `fd_write`) when the record is
/// longer than 20 bytes, calls `proc_exit(3)` when it is exactly 5 bytes, calls an unlinked
/// import when it is exactly 6 bytes; otherwise returns `{"ok":true}`. `forever` never ends.
pub fn trap_module() -> String {
    module(
        r#"
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "env" "missing" (func $missing))
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"ok\":true}\00")
  (data (i32.const 32) "panicked at test\n")
  (data (i32.const 64) "\20\00\00\00\11\00\00\00")
  (func (export "vpnlog_filter") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $note (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5))
    (if (i32.gt_u (local.get 5) (i32.const 20))
      (then
        (drop (call $fd_write (i32.const 2) (i32.const 64) (i32.const 1) (i32.const 80)))
        (unreachable)))
    (if (i32.eq (local.get 5) (i32.const 5)) (then (call $proc_exit (i32.const 3))))
    (if (i32.eq (local.get 5) (i32.const 6)) (then (call $missing)))
    (i32.const 16))
  (func (export "forever") (param i32 i32 i32 i32 i32 i32) (result i32)
    (loop $l (br $l))
    (i32.const 16))
"#,
    )
}

/// No `malloc`/`free` exports (so the host must use the app heap); returns `{"ok":true}`.
/// With `only_malloc`, exports `malloc` but not `free`, which must not change that.
pub fn no_malloc_module(only_malloc: bool) -> String {
    let malloc = if only_malloc {
        r#"(func (export "malloc") (param i32) (result i32) (i32.const 1024))"#
    } else {
        ""
    };
    format!(
        r#"(module {ARGS}
  (memory (export "memory") 1)
  (data (i32.const 16) "{{\"ok\":true}}\00")
  {malloc}
  (func (export "vpnlog_filter") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $note (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5))
    (i32.const 16)))"#
    )
}

//! The Fluent Bit emulation, driven with small WAT modules of known behaviour.

mod common;

use vpnlog_host::json::Kind;
use vpnlog_host::{Dropped, FluentBitHost, HostConfig, Outcome, Timestamp, WAMR_APP_HEAP_CAPACITY};

const T: Timestamp = Timestamp {
    sec: 1_700_000_123,
    nsec: 456,
};

fn host(wat: &str) -> FluentBitHost {
    host_with(wat, HostConfig::default())
}

fn host_with(wat: &str, config: HostConfig) -> FluentBitHost {
    FluentBitHost::new(wat.as_bytes(), &config).expect("test module loads")
}

fn ok(outcome: &Outcome) -> &[u8] {
    match &outcome.result {
        Ok(s) => s,
        Err(d) => panic!("record dropped: {d}"),
    }
}

fn dropped(outcome: &Outcome) -> &Dropped {
    match &outcome.result {
        Ok(s) => panic!("record came out: {}", String::from_utf8_lossy(s)),
        Err(d) => d,
    }
}

fn g(h: &FluentBitHost, name: &str) -> i32 {
    h.global_i32(name)
        .unwrap_or_else(|| panic!("no global {name}"))
}

#[test]
fn copy_module_gets_nul_terminated_copies_through_its_malloc_and_frees_them() {
    let mut h = host(&common::copy_module());
    assert!(h.uses_module_malloc());
    assert_eq!(g(&h, "inits"), 1, "_initialize runs once at load");
    let record = br#"{"log":"IKE SA established","n":-1.5e3,"u":"\u00e9"}"#;
    let out = h.process(b"vpn.log", T, record);
    // The module copied len+1 bytes from the record pointer: the NUL must be the host's.
    assert_eq!(ok(&out), record);
    assert!(!out.trapped && !out.leaves_stale_exception);
    assert!(out.fuel > 0 && out.copy_fuel > 0);
    assert_eq!(g(&h, "allocs"), 2, "tag and record each copied once");
    assert_eq!(g(&h, "live"), 0, "both copies freed");
    assert_eq!(g(&h, "tag_len"), 7);
    assert_eq!(g(&h, "rec_len"), record.len() as i32);
    assert_eq!(g(&h, "sec"), 1_700_000_123);
    assert_eq!(g(&h, "nsec"), 456);
    let tag_ptr = g(&h, "tag_ptr") as usize;
    assert_eq!(&h.memory()[tag_ptr..tag_ptr + 8], b"vpn.log\0");
    let rec_ptr = g(&h, "rec_ptr") as usize;
    assert_eq!(
        &h.memory()[rec_ptr..rec_ptr + record.len() + 1],
        [&record[..], b"\0"].concat()
    );

    // Same instance, state kept: the next record reuses it.
    let out2 = h.process(b"vpn.log", T, br#"{"b":2}"#);
    assert_eq!(ok(&out2), br#"{"b":2}"#);
    assert_eq!(g(&h, "inits"), 1);
    assert_eq!(g(&h, "calls"), 2);
    assert_eq!(g(&h, "live"), 0);
}

#[test]
fn fuel_is_deterministic_and_grows_with_work() {
    let config = HostConfig {
        function: "spin".into(),
        ..HostConfig::default()
    };
    let mut h = host_with(&common::copy_module(), config);
    let first = h.process(b"t", T, br#"{"a":1}"#);
    let short = h.process(b"t", T, br#"{"a":1}"#);
    assert_eq!(
        first.fuel, short.fuel,
        "first call costs the same as later ones"
    );
    let again = h.process(b"t", T, br#"{"a":1}"#);
    let long = h.process(
        b"t",
        T,
        format!(r#"{{"a":"{}"}}"#, "x".repeat(1000)).as_bytes(),
    );
    assert_eq!(short.fuel, again.fuel);
    assert!(
        long.fuel > short.fuel + 1000,
        "{} vs {}",
        long.fuel,
        short.fuel
    );
    ok(&long);
}

#[test]
fn tag_and_function_name_are_honoured() {
    let config = HostConfig {
        function: "echo_tag".into(),
        ..HostConfig::default()
    };
    let mut h = host_with(&common::copy_module(), config);
    assert_eq!(ok(&h.process(br#"{"tag":1}"#, T, b"{}")), br#"{"tag":1}"#);
    let missing = HostConfig {
        function: "nope".into(),
        ..HostConfig::default()
    };
    let err = FluentBitHost::new(common::copy_module().as_bytes(), &missing)
        .err()
        .unwrap();
    assert!(err.to_string().contains("`nope`"), "{err}");
}

#[test]
fn invalid_pointer_drops_the_record_and_the_next_one() {
    let mut h = host(&common::bad_pointer_module());
    let rec = br#"{"a":1}"#;
    let expect = |d: &Dropped, why: &str| match d {
        Dropped::InvalidPointer { why: w, .. } => assert_eq!(*w, why),
        other => panic!("expected invalid pointer ({why}), got {other}"),
    };
    let o1 = h.process(b"t", T, rec);
    expect(dropped(&o1), "null pointer");
    assert!(o1.leaves_stale_exception);
    let o2 = h.process(b"t", T, rec);
    assert!(
        matches!(dropped(&o2), Dropped::PendingException(_)),
        "{:?}",
        o2.result
    );
    assert!(!o2.leaves_stale_exception);
    expect(
        dropped(&h.process(b"t", T, rec)),
        "no NUL before the end of memory",
    );
    assert!(matches!(
        dropped(&h.process(b"t", T, rec)),
        Dropped::PendingException(_)
    ));
    expect(
        dropped(&h.process(b"t", T, rec)),
        "beyond the end of memory",
    );
    assert!(matches!(
        dropped(&h.process(b"t", T, rec)),
        Dropped::PendingException(_)
    ));
    assert_eq!(ok(&h.process(b"t", T, rec)), br#"{"ok":true}"#);
    assert_eq!(ok(&h.process(b"t", T, rec)), br#"{"ok":true}"#);
    assert_eq!(
        g(&h, "calls"),
        8,
        "the function runs even when an exception is pending"
    );
    assert_eq!(g(&h, "live"), 0, "copies are freed on every path");
}

#[test]
fn non_json_results_are_dropped_without_affecting_the_next_record() {
    let mut h = host(&common::non_json_module());
    let rec = br#"{"a":1}"#;
    let mut next = || {
        let o = h.process(b"t", T, rec);
        assert!(!o.leaves_stale_exception);
        o.result
    };
    assert!(matches!(next(), Err(Dropped::InvalidJson(_))));
    assert_eq!(next(), Err(Dropped::EmptyString));
    assert_eq!(next(), Err(Dropped::NotAnObject(Kind::Array)));
    assert!(
        matches!(next(), Err(Dropped::InvalidJson(_))),
        "trailing garbage is not JSON"
    );
    assert_eq!(next(), Err(Dropped::NotAnObject(Kind::String)));
    assert_eq!(next(), Ok(br#"{"a":1}"#.to_vec()));
    assert_eq!(next(), Ok(br#"{"a":1}"#.to_vec()));
}

#[test]
fn trap_drops_only_that_record_and_reports_module_output() {
    let mut h = host(&common::trap_module());
    let o = h.process(b"t", T, br#"{"log":"a long record that traps"}"#);
    match dropped(&o) {
        Dropped::Trap(msg) => assert!(msg.contains("panicked at test"), "{msg}"),
        other => panic!("expected a trap, got {other}"),
    }
    assert!(o.trapped && !o.leaves_stale_exception);
    assert_eq!(g(&h, "live"), 0, "copies freed after a trap");
    let o = h.process(b"t", T, br#"{"a":1}"#);
    assert_eq!(
        ok(&o),
        br#"{"ok":true}"#,
        "a trap leaves no stale exception"
    );
    assert!(!o.trapped);

    let o = h.process(b"t", T, b"{\"\":1}"); // 6 bytes: calls an unlinked import
    assert!(
        matches!(dropped(&o), Dropped::Trap(m) if m.contains("env.missing")),
        "{:?}",
        o.result
    );
    let o = h.process(b"t", T, b"{\"\":}"); // 5 bytes: proc_exit(3)
    assert!(
        matches!(dropped(&o), Dropped::Trap(m) if m.contains("proc_exit(3)")),
        "{:?}",
        o.result
    );
    ok(&h.process(b"t", T, br#"{"a":1}"#));
}

#[test]
fn fd_write_stub_reports_bytes_written() {
    let mut h = host(&common::trap_module());
    let _ = h.process(b"t", T, br#"{"log":"a long record that traps"}"#);
    let nwritten = u32::from_le_bytes(h.memory()[80..84].try_into().unwrap());
    assert_eq!(nwritten, 17);
}

#[test]
fn running_out_of_fuel_is_a_trap() {
    let config = HostConfig {
        function: "forever".into(),
        fuel_budget: 100_000,
        ..HostConfig::default()
    };
    let mut h = host_with(&common::trap_module(), config);
    let o = h.process(b"t", T, br#"{"a":1}"#);
    assert!(o.trapped, "{:?}", o.result);
    assert!(matches!(dropped(&o), Dropped::Trap(_)));
    assert!(o.fuel > 99_000 && o.fuel <= 100_000, "{}", o.fuel);
}

#[test]
fn without_malloc_a_100kb_record_fails_to_copy_and_the_next_record_is_lost_too() {
    let mut h = host(&common::no_malloc_module(false));
    assert!(!h.uses_module_malloc());
    assert_eq!(
        h.memory_pages(),
        2,
        "one page of app heap added at instantiation"
    );
    let small = br#"{"log":"small"}"#;

    assert_eq!(ok(&h.process(b"vpn.log", T, small)), br#"{"ok":true}"#);
    let rec_ptr = g(&h, "rec_ptr") as usize;
    assert!(
        rec_ptr >= 65536,
        "copy lives in the app heap page, got {rec_ptr:#x}"
    );
    assert_eq!(
        &h.memory()[rec_ptr..rec_ptr + small.len() + 1],
        [&small[..], b"\0"].concat()
    );
    assert_eq!(h.app_heap_used(), Some(0));

    let big = format!(r#"{{"log":"{}"}}"#, "x".repeat(100_000));
    let o = h.process(b"vpn.log", T, big.as_bytes());
    match dropped(&o) {
        Dropped::CopyFailed { what, bytes, .. } => {
            assert_eq!(*what, "record");
            assert_eq!(*bytes, big.len() as u64 + 1);
        }
        other => panic!("expected a failed copy, got {other}"),
    }
    assert!(o.leaves_stale_exception);
    assert_eq!(g(&h, "rec_ptr"), 0, "the function is called with pointer 0");
    assert_eq!(
        g(&h, "rec_len"),
        big.len() as i32,
        "... and the real length"
    );
    assert_ne!(g(&h, "tag_ptr"), 0, "the tag still fits");

    assert!(matches!(
        dropped(&h.process(b"vpn.log", T, small)),
        Dropped::PendingException(_)
    ));
    assert_eq!(ok(&h.process(b"vpn.log", T, small)), br#"{"ok":true}"#);
    assert_eq!(g(&h, "calls"), 4);
    assert_eq!(h.app_heap_used(), Some(0));
    assert_eq!(h.memory_pages(), 2);
}

#[test]
fn app_heap_capacity_is_63_kib_and_freed_blocks_are_reused() {
    let mut h = host(&common::no_malloc_module(false));
    let record = |n: usize| format!(r#"{{"log":"{}"}}"#, "y".repeat(n - 11)).into_bytes();
    // A 60 KiB record plus the tag fit in 63 KiB; 64 KiB does not.
    ok(&h.process(b"t", T, &record(60 * 1024)));
    for _ in 0..10 {
        ok(&h.process(b"t", T, &record(30 * 1024)));
    }
    assert_eq!(WAMR_APP_HEAP_CAPACITY, 64512);
    assert!(matches!(
        dropped(&h.process(b"t", T, &record(64 * 1024))),
        Dropped::CopyFailed { .. }
    ));
    // Configurable capacity: a bigger heap takes more pages and holds the record.
    let config = HostConfig {
        app_heap_capacity: 200 * 1024,
        ..HostConfig::default()
    };
    let mut h = host_with(&common::no_malloc_module(false), config);
    assert_eq!(h.memory_pages(), 5);
    ok(&h.process(b"t", T, &record(150 * 1024)));
}

#[test]
fn malloc_without_free_still_means_the_app_heap() {
    let h = host(&common::no_malloc_module(true));
    assert!(!h.uses_module_malloc());
    assert_eq!(h.memory_pages(), 2);
}

#[test]
fn module_malloc_returning_zero_passes_pointer_zero_and_loses_two_records() {
    let small = br#"{"a":1}"#;
    // The module's malloc returns 0 for anything above 100 bytes.
    let mut limited =
        host(&common::copy_module().replace("(i32.const 0x7fffffff)", "(i32.const 100)"));
    assert_eq!(ok(&limited.process(b"t", T, small)), small);
    let big = format!(r#"{{"log":"{}"}}"#, "z".repeat(200));
    let o = limited.process(b"t", T, big.as_bytes());
    assert!(
        matches!(dropped(&o), Dropped::CopyFailed { .. }),
        "{:?}",
        o.result
    );
    assert_eq!(g(&limited, "rec_ptr"), 0);
    assert_eq!(g(&limited, "rec_len"), big.len() as i32);
    assert_eq!(
        g(&limited, "live"),
        0,
        "only the tag was allocated, and only it was freed"
    );
    assert!(matches!(
        dropped(&limited.process(b"t", T, small)),
        Dropped::PendingException(_)
    ));
    assert_eq!(ok(&limited.process(b"t", T, small)), small);
}

#[test]
fn modules_that_cannot_work_are_refused_at_load() {
    let no_memory = r#"(module (func (export "vpnlog_filter") (param i32 i32 i32 i32 i32 i32) (result i32) (i32.const 0)))"#;
    let e = FluentBitHost::new(no_memory.as_bytes(), &HostConfig::default())
        .err()
        .unwrap();
    assert!(e.to_string().contains("memory"), "{e}");
    let wrong_sig = r#"(module (memory (export "memory") 1) (func (export "vpnlog_filter") (param i32) (result i32) (i32.const 0)))"#;
    assert!(FluentBitHost::new(wrong_sig.as_bytes(), &HostConfig::default()).is_err());
    let traps_on_init = r#"(module (memory (export "memory") 1) (func (export "_initialize") unreachable)
        (func (export "vpnlog_filter") (param i32 i32 i32 i32 i32 i32) (result i32) (i32.const 0)))"#;
    let e = FluentBitHost::new(traps_on_init.as_bytes(), &HostConfig::default())
        .err()
        .unwrap();
    assert!(e.to_string().contains("_initialize"), "{e}");
    assert!(FluentBitHost::new(b"\0asm garbage", &HostConfig::default()).is_err());
}

/// Returns the record pointer it is given, so `call_raw` decides exactly what comes back:
/// a JSON object at 16, an array at 32, pointer 0 as it is. Records its arguments.
fn raw_module() -> String {
    r#"(module
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"a\":1}\00")
  (data (i32.const 32) "[1]\00")
  (global $calls (export "calls") (mut i32) (i32.const 0))
  (global $tag_ptr (export "tag_ptr") (mut i32) (i32.const 0))
  (global $tag_len (export "tag_len") (mut i32) (i32.const 0))
  (global $sec (export "sec") (mut i32) (i32.const 0))
  (global $nsec (export "nsec") (mut i32) (i32.const 0))
  (global $rec_len (export "rec_len") (mut i32) (i32.const 0))
  (func (export "vpnlog_filter") (param i32 i32 i32 i32 i32 i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (global.set $tag_ptr (local.get 0))
    (global.set $tag_len (local.get 1))
    (global.set $sec (local.get 2))
    (global.set $nsec (local.get 3))
    (global.set $rec_len (local.get 5))
    (local.get 4)))"#
        .to_string()
}

#[test]
fn call_raw_passes_its_arguments_as_given_and_checks_the_result_like_process() {
    let mut h = host(&raw_module());
    let before = h.app_heap_used();
    let o = h.call_raw(40, 3, T, 16, 7);
    assert_eq!(ok(&o), br#"{"a":1}"#);
    assert_eq!(o.copy_fuel, 0);
    assert!(o.fuel > 0);
    assert_eq!(
        h.app_heap_used(),
        before,
        "nothing copied into the app heap"
    );
    assert_eq!(
        (g(&h, "tag_ptr"), g(&h, "tag_len"), g(&h, "rec_len")),
        (40, 3, 7)
    );
    assert_eq!((g(&h, "sec"), g(&h, "nsec")), (1_700_000_123, 456));

    // Lengths are passed as i32, as Fluent Bit does.
    ok(&h.call_raw(0, 0, T, 16, u32::MAX));
    assert_eq!(g(&h, "rec_len"), -1);

    assert_eq!(
        h.call_raw(0, 0, T, 32, 3).result,
        Err(Dropped::NotAnObject(Kind::Array))
    );

    // Pointer 0 comes back as the result: invalid, and the next call fails too.
    let o = h.call_raw(0, 0, T, 0, 7);
    assert!(
        matches!(
            dropped(&o),
            Dropped::InvalidPointer {
                ptr: 0,
                why: "null pointer"
            }
        ),
        "{:?}",
        o.result
    );
    assert!(o.leaves_stale_exception && h.has_pending_exception());
    assert!(matches!(
        dropped(&h.call_raw(0, 0, T, 16, 7)),
        Dropped::PendingException(_)
    ));
    assert_eq!(ok(&h.call_raw(0, 0, T, 16, 7)), br#"{"a":1}"#);
    assert_eq!(g(&h, "calls"), 6);
}

#[test]
fn call_raw_with_a_module_malloc_allocates_nothing() {
    let mut h = host(&common::copy_module());
    assert!(h.uses_module_malloc());
    // copy_module copies record_len + 1 bytes from the record pointer to 64 KiB and returns
    // that; 16 zero bytes at address 0 make an empty string.
    let o = h.call_raw(0, 0, T, 0, 15);
    assert_eq!(o.result, Err(Dropped::EmptyString));
    assert_eq!(g(&h, "allocs"), 0);
    assert_eq!(g(&h, "live"), 0);
    assert_eq!((g(&h, "rec_ptr"), g(&h, "rec_len")), (0, 15));
}

//! The built module's shape: what it exports and imports, and its size.

mod common;

use wasmi::{Engine, ExternType, Module};

fn module() -> (Module, usize) {
    let bytes = std::fs::read(common::wasm_path()).expect("dist/vpnlog.wasm (run `make`)");
    (Module::new(&Engine::default(), &bytes).expect("a valid module"), bytes.len())
}

#[test]
fn exports_what_fluent_bit_needs() {
    let (m, _) = module();
    let exports: Vec<(String, String)> = m
        .exports()
        .map(|e| {
            let ty = match e.ty() {
                ExternType::Func(f) => format!("func{:?}->{:?}", f.params(), f.results()),
                ExternType::Memory(_) => "memory".into(),
                other => format!("{other:?}"),
            };
            (e.name().to_string(), ty)
        })
        .collect();
    let has = |name: &str, ty: &str| exports.iter().any(|(n, t)| n == name && t == ty);
    assert!(has("memory", "memory"), "{exports:?}");
    // The filter and its backend projections (docs/PROJECTIONS.md), all with Fluent Bit's signature.
    for f in ["vpnlog_filter", "vpnlog_filter_ecs", "vpnlog_filter_ocsf", "vpnlog_filter_flat"] {
        assert!(has(f, "func[I32, I32, I32, I32, I32, I32]->[I32]"), "{f}: {exports:?}");
    }
    assert!(has("malloc", "func[I32]->[I32]"), "{exports:?}");
    assert!(has("free", "func[I32]->[]"), "{exports:?}");
    assert!(has("_initialize", "func[]->[]"), "{exports:?}");
}

#[test]
fn imports_only_harmless_wasi_functions() {
    let (m, _) = module();
    let imports: Vec<String> = m.imports().map(|i| format!("{}.{}", i.module(), i.name())).collect();
    // Nothing that touches files, sockets or clocks (README.md lists these four).
    let allowed = [
        "wasi_snapshot_preview1.environ_get",
        "wasi_snapshot_preview1.environ_sizes_get",
        "wasi_snapshot_preview1.fd_write",
        "wasi_snapshot_preview1.proc_exit",
    ];
    for i in &imports {
        assert!(allowed.contains(&i.as_str()), "unexpected import {i}");
    }
}

#[test]
fn is_at_most_256_kib() {
    let (_, size) = module();
    assert!(size <= 256 * 1024, "dist/vpnlog.wasm is {size} bytes");
}

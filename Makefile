# vpnlog: `make` builds dist/vpnlog.wasm and the host (target/release/vpnlog);
# `make demo` streams examples/ through the module; `make test` runs every test;
# `make docs` regenerates docs/RULES.md and docs/SCHEMA.md from the catalogue.
SHELL := /bin/bash
WASM_TARGET := wasm32-wasip1
WASM_DIR := target/wasm
WASM_OUT := $(WASM_DIR)/$(WASM_TARGET)/release/vpnlog.wasm
HOST := target/release/vpnlog
WASM_FLAGS := -C link-arg=--export=malloc -C link-arg=--export=free -C link-arg=--export=_initialize
SOURCES := $(shell find src rules -type f) build.rs Cargo.toml
HOST_SOURCES := $(shell find host/src -type f) host/Cargo.toml
BENCH_MODULES := dist/bench/copy.wasm dist/bench/naive.wasm

.PHONY: all wasm host demo docs vrl test clean toolchain leak-check bench js component
all: dist/vpnlog.wasm $(HOST)

wasm: dist/vpnlog.wasm
host: $(HOST)

# rustup's target when installed; otherwise Debian's rustc-web + build-std (README.md, Building).
dist/vpnlog.wasm: $(SOURCES)
	@./scripts/build-wasm.sh
	@ls -l dist/vpnlog.wasm | awk '{print "dist/vpnlog.wasm: " $$5 " bytes"}'

$(HOST): $(SOURCES) $(HOST_SOURCES)
	cargo build --release -p vpnlog-host

toolchain:
	@./scripts/build-wasm.sh --check

demo: all
	@./scripts/demo.sh

# Rendered by the host from the compiled catalogue; host/tests/docs.rs fails when they are stale.
docs: $(HOST)
	$(HOST) docs rules > docs/RULES.md.tmp && mv docs/RULES.md.tmp docs/RULES.md
	$(HOST) docs schema > docs/SCHEMA.md.tmp && mv docs/SCHEMA.md.tmp docs/SCHEMA.md

# The catalogue as a VRL program for Vector; host/tests/vrl.rs fails when the file is stale.
vrl: $(HOST)
	$(HOST) vrl > examples/vector/vpnlog.vrl.tmp && mv examples/vector/vpnlog.vrl.tmp examples/vector/vpnlog.vrl

# vector-check (the VRL engine against the module) builds in its own profile, without LTO.
test: all $(BENCH_MODULES) js component
	cargo test --release --workspace --exclude vpnlog-vector-check -- --test-threads=2
	cargo test --profile vector-check -p vpnlog-vector-check -- --test-threads=2
	cd tests/js && node --test classify.test.mjs component.test.mjs playground.test.mjs

# Other hosts than Fluent Bit (bindings/, scripts/build-bindings.sh): `make js` builds the
# JavaScript API (dist/js/) and the playground's copy (examples/playground/pkg/); `make
# component` the WebAssembly component of wit/vpnlog.wit (dist/vpnlog-component.wasm).
BINDINGS_SOURCES := $(shell find bindings -type f) scripts/build-bindings.sh scripts/wasm-route.sh wit/vpnlog.wit
js: dist/js/node/vpnlog.js
component: dist/vpnlog-component.wasm
dist/js/node/vpnlog.js: $(SOURCES) $(BINDINGS_SOURCES)
	@./scripts/build-bindings.sh js
dist/vpnlog-component.wasm: $(SOURCES) $(BINDINGS_SOURCES) tests/js/package-lock.json
	@./scripts/build-bindings.sh component

# The module with probe marks (feature `probe`), and where its fuel goes on the examples.
profile: $(HOST)
	@VPNLOG_FEATURES=probe VPNLOG_OUT=dist/vpnlog-probe.wasm ./scripts/build-wasm.sh
	$(HOST) bench --wasm dist/vpnlog-probe.wasm examples/logs/*.ndjson

# The native library over the mixed corpus under valgrind: no byte lost (scripts/leak-check.sh).
leak-check:
	./scripts/leak-check.sh

# The benchmark (docs/BENCHMARKS.md): a copy-only and a naive module (bench/), built the way the
# module is, against vpnlog on one mixed corpus in the host; then the native library (criterion).
dist/bench/copy.wasm: $(shell find bench/copy -type f)
	@VPNLOG_PACKAGE=vpnlog-bench-copy VPNLOG_OUT=$@ ./scripts/build-wasm.sh
dist/bench/naive.wasm: $(shell find bench/naive -type f) $(SOURCES)
	@VPNLOG_PACKAGE=vpnlog-bench-naive VPNLOG_MANIFEST=bench/naive/Cargo.toml VPNLOG_OUT=$@ ./scripts/build-wasm.sh
bench: all $(BENCH_MODULES)
	@./scripts/bench.sh

clean:
	rm -rf target dist

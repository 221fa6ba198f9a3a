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

.PHONY: all wasm host demo docs test clean toolchain js component
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

test: all js component
	cargo test --release --workspace -- --test-threads=2
	cd tests/js && node --test classify.test.mjs component.test.mjs playground.test.mjs

# Other hosts than Fluent Bit (bindings/, scripts/build-bindings.sh): `make js` builds the
# JavaScript API (dist/js/) and the playground's copy (examples/playground/pkg/); `make
# component` the WebAssembly component of wit/vpnlog.wit (dist/vpnlog-component.wasm).
BINDINGS_SOURCES := $(shell find bindings -type f) scripts/build-bindings.sh wit/vpnlog.wit
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

clean:
	rm -rf target dist

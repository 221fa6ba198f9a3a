#!/usr/bin/env bash
# Builds the classifier for other hosts than Fluent Bit, from bindings/ for
# wasm32-unknown-unknown.
#
# `js` (`make js`): bindings/js, then wasm-bindgen's glue for three uses:
#   dist/js/node/      CommonJS for Node: require('./dist/js/node/vpnlog.js').classify(...)
#   dist/js/web/       an ES module for browsers and bundlers (await init(); classify(...))
#   examples/playground/pkg/  a classic script plus the wasm inlined as base64, so that the
#                      playground opens from file:// (where browsers refuse to fetch a .wasm)
# `component` (`make component`): bindings/component, the world of wit/vpnlog.wit, made into the
#   component dist/vpnlog-component.wasm by tests/js/component-new.mjs (wasm-tools' component
#   encoder from the npm package @bytecodealliance/jco-transpile, installed by `npm install`).
# `tools`: only installs what is missing (CI).
#
# The compiler route is the one of scripts/build-wasm.sh: rustup's target when installed,
# otherwise Debian's rustc-web with -Zbuild-std (installed here when missing, as root on
# Debian). The wasm-bindgen command must be the version of the wasm-bindgen crate in
# bindings/Cargo.lock; it is installed with `cargo install` when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-}
case "$MODE" in js | component | tools) ;; *) echo "usage: $0 js|component|tools" >&2; exit 2 ;; esac
TARGET=wasm32-unknown-unknown
TDIR=target/bindings
DEB_PKGS="rustc-web cargo-web rust-web-src lld"

bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' bindings/Cargo.lock
}
have_rustup_target() {
  command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"
}
have_debian_route() {
  [ -x /usr/bin/cargo ] && command -v wasm-ld >/dev/null 2>&1 \
    && /usr/bin/rustc --print sysroot >/dev/null 2>&1 \
    && [ -d "$(/usr/bin/rustc --print sysroot)/lib/rustlib/src/rust/library" ]
}

route=""
if have_rustup_target; then
  route=rustup
elif have_debian_route; then
  route=debian
elif [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
  echo "build-bindings: installing Debian packages: $DEB_PKGS" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $DEB_PKGS >/dev/null
  have_debian_route && route=debian
fi
if [ -z "$route" ]; then
  cat >&2 <<MSG
build-bindings: no way to build $TARGET here. Either
  - rustup target add $TARGET          (needs network access to rustup's servers), or
  - on Debian/Ubuntu as root: apt-get install -y $DEB_PKGS
MSG
  exit 1
fi

WANT=$(bindgen_version)
[ -n "$WANT" ] || { echo "build-bindings: no wasm-bindgen in bindings/Cargo.lock" >&2; exit 1; }
if [ -d "$HOME/.cargo/bin" ]; then PATH="$PATH:$HOME/.cargo/bin"; fi
if [ "$MODE" != component ] && [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WANT" ]; then
  echo "build-bindings: installing wasm-bindgen-cli $WANT (cargo install, a few minutes once)" >&2
  # --locked first; the registry may lack a yanked version the tool's lock file names.
  cargo install wasm-bindgen-cli --version "$WANT" --locked \
    || cargo install wasm-bindgen-cli --version "$WANT"
fi
# The npm packages of tests/js (the component encoder, the browser driver), when the lock
# file is newer than what is installed.
if [ "$MODE" != js ] && { [ ! -f tests/js/node_modules/.package-lock.json ] \
    || [ tests/js/package-lock.json -nt tests/js/node_modules/.package-lock.json ]; }; then
  # `npm install`, not `npm ci`: jco-node-fs lists optional packages for other systems that the
  # registry the lock was made against does not hold, so the lock lacks them and `npm ci`
  # refuses it; `npm install` installs exactly the locked versions and skips those.
  (cd tests/js && npm install --no-audit --no-fund)
fi
if [ "$MODE" = tools ]; then echo "build-bindings: route $route, wasm-bindgen $WANT"; exit 0; fi

PKG=vpnlog-$MODE
BUILD=(build --release --manifest-path bindings/Cargo.toml -p $PKG --target $TARGET --target-dir $TDIR)
if [ "$route" = rustup ]; then
  cargo "${BUILD[@]}"
else
  PATH=/usr/bin:$PATH RUSTC_BOOTSTRAP=1 RUSTFLAGS="-C linker=wasm-ld" \
    /usr/bin/cargo "${BUILD[@]}" -Zbuild-std=std,panic_abort
fi
WASM=$TDIR/$TARGET/release/${PKG//-/_}.wasm
mkdir -p dist

if [ "$MODE" = component ]; then
  node tests/js/component-new.mjs "$WASM" dist/vpnlog-component.wasm
  ls -l dist/vpnlog-component.wasm | awk '{print "dist/vpnlog-component.wasm: " $5 " bytes"}'
  exit 0
fi

BINDGEN_FLAGS="--remove-name-section --remove-producers-section"
rm -rf dist/js examples/playground/pkg
wasm-bindgen --target nodejs $BINDGEN_FLAGS --out-dir dist/js/node --out-name vpnlog "$WASM"
wasm-bindgen --target web $BINDGEN_FLAGS --out-dir dist/js/web --out-name vpnlog "$WASM"
wasm-bindgen --target no-modules $BINDGEN_FLAGS --no-typescript --out-dir examples/playground/pkg --out-name vpnlog "$WASM"
# The playground's copy of the module, inlined: a classic script defining VPNLOG_WASM_BASE64.
{
  printf '// Generated by scripts/build-js.sh: the module of vpnlog.js as base64.\n'
  printf 'var VPNLOG_WASM_BASE64 = "'
  base64 -w0 examples/playground/pkg/vpnlog_bg.wasm
  printf '";\n'
} > examples/playground/pkg/vpnlog_wasm.js
rm examples/playground/pkg/vpnlog_bg.wasm
ls -l dist/js/node/vpnlog_bg.wasm | awk '{print "dist/js/node/vpnlog_bg.wasm: " $5 " bytes"}'

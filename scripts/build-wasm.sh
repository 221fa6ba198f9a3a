#!/usr/bin/env bash
# Builds dist/vpnlog.wasm for wasm32-wasip1, by the route scripts/wasm-route.sh picks (rustup's
# target, or Debian's rustc-web with build-std, installing its packages as root on Debian).
# `--check` only reports which route would be used.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=wasm32-wasip1
TDIR=target/wasm
EXPORTS="-C link-arg=--export=malloc -C link-arg=--export=free -C link-arg=--compress-relocations"
# No runtime loop unrolling: an interpreter gains nothing from it, and wasmi charges a loop's
# whole body each time it is entered, so an unrolled body with its remainder loop costs more
# than the loop it replaced (docs/BENCHMARKS.md).
EXPORTS="$EXPORTS -C llvm-args=-unroll-runtime=false"
DEB_PKGS="rustc-web cargo-web rust-web-src wasi-libc lld"

SCRIPT=build-wasm NEED_DIR=/usr/lib/wasm32-wasi
# shellcheck source=scripts/wasm-route.sh
. scripts/wasm-route.sh
if [ "${1:-}" = "--check" ]; then echo "build-wasm: route $route"; exit 0; fi

# The module aborts on panic (never unwinds); set here rather than in Cargo.toml's release
# profile, which the native host and its tests share.
export CARGO_PROFILE_RELEASE_PANIC=abort
# VPNLOG_FEATURES (e.g. `probe`) builds a variant into its own target dir and VPNLOG_OUT;
# VPNLOG_TARGET_DIR overrides the target dir (for builds side by side); VPNLOG_PACKAGE builds
# another cdylib the same way (the benchmark modules in bench/), VPNLOG_MANIFEST from another
# workspace.
PACKAGE=${VPNLOG_PACKAGE:-vpnlog}
MANIFEST=${VPNLOG_MANIFEST:-Cargo.toml}
FEATURES=()
OUT=${VPNLOG_OUT:-dist/$PACKAGE.wasm}
mkdir -p "$(dirname "$OUT")"
if [ -n "${VPNLOG_FEATURES:-}" ]; then
  FEATURES=(--features "$VPNLOG_FEATURES")
  TDIR=target/wasm-$VPNLOG_FEATURES
fi
TDIR=${VPNLOG_TARGET_DIR:-$TDIR}
if [ "$route" = rustup ]; then
  RUSTFLAGS="$EXPORTS" cargo build --release --manifest-path "$MANIFEST" -p "$PACKAGE" --lib "${FEATURES[@]}" --target $TARGET --target-dir $TDIR
else
  # /usr/bin first: Debian's cargo/rustc (1.96) instead of rustup's; RUSTC_BOOTSTRAP unlocks -Z.
  PATH=/usr/bin:$PATH RUSTC_BOOTSTRAP=1 \
  RUSTFLAGS="-C linker=wasm-ld -C link-self-contained=no -L /usr/lib/wasm32-wasi $EXPORTS" \
    /usr/bin/cargo build --release --manifest-path "$MANIFEST" -p "$PACKAGE" --lib "${FEATURES[@]}" --target $TARGET --target-dir $TDIR \
      -Zbuild-std=std,panic_abort
fi
cp "$TDIR/$TARGET/release/${PACKAGE//-/_}.wasm" "$OUT"
